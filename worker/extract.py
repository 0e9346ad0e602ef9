"""Cleaning: an HTML page -> main article text and metadata (pure, CPU-bound).

trafilatura finds the main text; this module adds what it leaves behind on
news pages (teaser headings, newsletter and footer lines, the byline line),
per-site CSS rules from the config, and metadata it does not give in the form
we store (a timezone-aware publication time, the page language).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise
from typing import Any
from urllib.parse import urljoin

import lxml.html
import trafilatura
from dateutil import parser as date_parser

from .config import SiteRule, css_to_xpath
from .dedupe import word_count
from .exceptions import ExtractError
from .types import ExtractedPage
from .urls import host_of, is_http_url

# Timezone abbreviations seen in news bylines; dateutil knows only UTC/GMT itself.
TZ_ABBREVIATIONS: dict[str, int] = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "WET": 0,
    "BST": 3600,
    "CET": 3600,
    "CEST": 7200,
    "EET": 7200,
    "EEST": 10800,
    "MSK": 10800,
    "GST": 14400,
    "PKT": 18000,
    "IST": 19800,
    "NPT": 20700,
    "BDT": 21600,
    "ICT": 25200,
    "WIB": 25200,
    "SGT": 28800,
    "HKT": 28800,
    "PHT": 28800,
    "AWST": 28800,
    "KST": 32400,
    "JST": 32400,
    "AEST": 36000,
    "AEDT": 39600,
    "NZST": 43200,
    "NZDT": 46800,
    "EST": -18000,
    "EDT": -14400,
    "CST": -21600,
    "CDT": -18000,
    "MST": -25200,
    "MDT": -21600,
    "PST": -28800,
    "PDT": -25200,
    "AKST": -32400,
    "HST": -36000,
}
_DEFAULT_A = datetime(2000, 1, 1)
_DEFAULT_B = datetime(2001, 2, 2)
_TZINFOS = {name: timezone(timedelta(seconds=offset)) for name, offset in TZ_ABBREVIATIONS.items()}

_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datePublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "sailthru.date",
    "dc.date.issued",
    "dc.date",
)


def _class_has(name: str) -> str:
    # classes are lower-cased once per page (_lower_case_names)
    return f"contains(@class, '{name}')"


# Cookie and consent banners, and other dialogs over the page: never the story, wherever
# they sit (class names are often obfuscated, so role and id count too).
# A class or id *word* must start with the name ("cookie-banner", "consent"), not merely
# hold it (WordPress marks posts "tag-gdpr", "category-cookies"), and a container with a
# story's worth of text is never a banner.
_NEVER_CONTENT_XPATH = (
    "//*[(@role='dialog' or @role='alertdialog' or @aria-modal='true' or "
    + " or ".join(
        f"contains(concat(' ', @{attribute}), ' {name}')"
        for name in ("cookie", "consent", "gdpr")
        for attribute in ("class", "id")
    )
    + ") and string-length(normalize-space()) < 1500"
    " and not(self::html or self::body or self::main or self::article)]"
)


# Photo credits ("Foto: dpa/Oliver Berg", "(c) 2026 Reuters") sit in figures and
# caption/photo boxes: neither bylines nor notes. Only near containers count: a page
# whose <body> or wrapper says "has-featured-image" still has bylines.
_NOT_IN_PICTURE = (
    "[not(ancestor-or-self::figure) and not(ancestor-or-self::figcaption)"
    " and not(ancestor-or-self::*[position() <= 3][not(self::body) and ("
    + " or ".join(_class_has(name) for name in ("photo", "image", "caption"))
    + ")])]"
)
# In document order; the first short one wins ("author-name", "article-byline", ...).
_BYLINE_XPATH = (
    "//*["
    # "byl" finds "byline" and a bare "byl"; "autor" finds "autore", "autores"; "firma"
    # is the byline in Spanish and Italian CMSs; "sort-by" is no "posted-by"
    + " or ".join(
        _class_has(name)
        for name in (
            *("byl", "author", "credit", "auteur", "autor", "writer", "reporter", "firma"),
            *("posted-by", "written-by", "submitted-by", "meta-by", "story-by", "post-by"),
        )
    )
    + " or @*[name() != 'href' and contains(., 'byline')]"  # id="byline", data-testid="byline"
    " or @itemprop='author' or @rel='author'][not(self::meta) and not(self::html)"
    " and not(self::body) and not(self::article) and not(self::script) and not(self::style)"
    " and not(self::template)]" + _NOT_IN_PICTURE
)
_BYLINE_MAX_CHARS = 160
# Where sites put notes beside the story, by class name (in several languages), and
# small print: <aside>, <small>, old <font size=1>, the article's own <footer>.
_NOTE_CLASSES = (
    "note", "disclaimer", "flag", "wire", "credit", "source", "syndicat", "agency", "mention",
    "notice", "small-print", "smallprint", "fine-print", "hinweis", "agentur", "aviso", "avviso",
    "fonte", "fuente", "quelle", "agenzia", "agencia", "agence", "src", "izvor", "kaynak",
    "republi", "infoline", "origem", "origen", "origine", "herkunft", "callout", "legal",
    "bron", "kilde",
)  # fmt: skip
_NOTE_MARKUP = (
    "self::aside or self::small or @role='note' or (self::footer and ancestor::article)"
    " or (self::font and (@size='1' or @size='-1' or @size='-2')) or "
    + " or ".join(_class_has(name) for name in _NOTE_CLASSES)
)
# Weaker signs of small print: small type by an inline style, a "muted" class, or a class
# that is only a type size (Bootstrap's "small", Tailwind's "text-xs", "fine"; a whole class
# word, not "small-12 columns" or "category-fine-dining"). Photo credits and teaser labels
# look the same ("AFP", "(Reuters)"), so what these mark is a note only at a sentence's
# length; a type-size class also sets teaser cards' meta lines ("The Associated Press<br>2
# hours ago"), so there each line of the note must be a sentence's length too.
_SMALL_TYPE_CLASSES = ("small", "text-xs", "fine")
_HAS_SMALL_TYPE_CLASS = " or ".join(
    f"contains(concat(' ', @class, ' '), ' {name} ')" for name in _SMALL_TYPE_CLASSES
)
_WEAK_NOTE_MARKUP = (
    f"contains(@style, 'font-size') or {_class_has('muted')} or {_HAS_SMALL_TYPE_CLASS}"
)
_IS_SMALL_TYPE_CLASS = lxml.etree.XPath(f"boolean(self::*[{_HAS_SMALL_TYPE_CLASS}])")
_WEAK_NOTE_MIN_CHARS = 25
_NOTE_XPATH = f"//*[{_NOTE_MARKUP} or {_WEAK_NOTE_MARKUP}]" + _NOT_IN_PICTURE
_IS_NOTE_MARKUP = lxml.etree.XPath(f"boolean(self::*[{_NOTE_MARKUP}])")
_SMALL_TYPE = re.compile(
    r"font-size\s*:\s*(?:(?:[5-9]|1[0-2])(?:\.\d+)?px|[5-9](?:\.\d+)?pt|0?\.[5-8]\d*r?em"
    r"|(?:x-|xx-)?small\b|smaller)",
    re.I,
)
_NOTE_MIN_CHARS = 3
_NOTE_MAX_CHARS = 450
_MAX_NOTES = 100
_BYLINE_DATE = re.compile(
    r"(?:updated|published|posted|created)?\s*:?\s*"
    r"(\d{1,2}[-/.]\d{1,2}[-/.]\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:[AP]M)?\s*[A-Z]{2,5})",
    re.I,
)

# Lines that are page furniture, never article prose (matched case-insensitively).
_FURNITURE_LINE = re.compile(
    r"""^(?:
        trending(?:\s+now)?|latest\s+news|top\s+stories|most\s+(?:read|popular|viewed)
        |related\s+(?:stories|news|articles)|read\s+more|also\s+read|advertisement|videos?
        |opinion\s*/\s*blog\s*/\s*interview|share\s+this\s+(?:article|story)|left\s+menu
        |follow\s+us.*|about\s+us|privacy\s+policy|terms\s+(?:of\s+use|and\s+conditions)
        |comments?|leave\s+a\s+(?:comment|reply)
    )\s*[:.]?$""",
    re.I | re.X,
)
# Copyright lines are not here on purpose: an agency's copyright line is evidence
# for the syndication stage, which removes it (and any other copyright line).
_FURNITURE_PHRASE = re.compile(
    r"\bnewsletters?\b|\bsubscribe\b|suscr[ií]b|\babonn|abonnieren|iscriviti|\bassine\b|boletín"
    r"|enter\s+your\s+e-?mail|(?:get|receive|sign\s+up).{0,60}(?:e-?mail|inbox)|\byour\s+inbox\b"
    r"|^sign\s+up\b|^(?:get|receive)\s+(?:the|our)\s+.{0,40}(?:briefing|digest|bulletin)"
    r"|^join\s+the\s+(?:conversation|discussion)|\bcomments\s+(?:are|will\s+be)\s+(?:moderated|closed)"
    # "inbox" and "log in to comment" in other languages
    r"|skrzynk|\bpostfach\b|\binnboks|\bindbakke|\binkorg|caixa\s+de\s+entrada|bandeja\s+de\s+entrada"
    r"|bo[iî]te\s+(?:mail|de\s+r[ée]ception)|casella\s+di\s+posta|nieuwsbrief|\bzaloguj"
    r"|e-?posta\s+kutu|gelen\s+kutu|^kaydol\b|\bsurel\s+anda|kotak\s+masuk"
    r"|(?:connectez|inicia\s+sesi[oó]n|accedi|melde\s+dich|log\s+in).{0,40}comment"
    r"|send\s+us\s+your\s+feedback|^\s*contact\s+us\b",
    re.I,
)
_FURNITURE_MAX_CHARS = 120
_MENU_MIN_ITEMS = 3
_MENU_ITEM_MAX_WORDS = 5
# Fewer words than this is a section front, a video page or an error page, not a story.
MIN_ARTICLE_WORDS = 15


def extract_page(html: str, url: str, rules: Iterable[SiteRule] = ()) -> ExtractedPage:
    """Main text and metadata of one page; raises :class:`ExtractError` if there is none."""
    try:
        tree = lxml.html.fromstring(html.encode("utf-8"), parser=_HTML_PARSER)
    except (lxml.etree.ParserError, ValueError) as e:
        raise ExtractError(url, f"unparseable HTML: {e}") from e
    rule = _rule_for(url, rules)
    # A form's text box holds text to copy or to type, never the page's own: a "republish
    # this story" box offers other sites its attribution line there.
    for box in tree.xpath("//textarea"):
        box.drop_tree()
    _lower_case_names(tree)
    _capitals_as_shown(tree)
    # Everything read from the markup is read before trafilatura, which prunes the tree.
    metadata = _Metadata(tree, url)
    title = metadata.title()
    byline = metadata.byline()
    notes = metadata.notes()
    author = metadata.author() or _author_from_byline(byline)
    published_at = metadata.published_at(byline)
    language = metadata.language()
    site_name = metadata.site_name()
    declared_url = metadata.declared_url()
    quotations = metadata.quotations()
    _unwrap_layout_tables(tree)
    _paragraphs_from_breaks(tree)
    content_root = tree
    if rule is not None and rule.keep:
        kept = tree.xpath(css_to_xpath(rule.keep.lower()))
        if kept:
            content_root = kept[0]
    document = trafilatura.bare_extraction(
        content_root,
        url=url,
        with_metadata=False,
        include_comments=False,
        include_tables=True,
        favor_precision=True,
        prune_xpath=[
            _NEVER_CONTENT_XPATH,
            # selectors in lower case, as the page's class names and ids now are
            *(css_to_xpath(css.lower()) for css in (rule.drop if rule else ())),
        ],
    )
    if not isinstance(document, trafilatura.settings.Document) or not (document.text or "").strip():
        raise ExtractError(url, "no article text found")
    paragraphs = list(_clean_paragraphs(document.text or "", byline=byline, title=title))
    words = sum(word_count(p) for p in paragraphs)
    if words < MIN_ARTICLE_WORDS:
        raise ExtractError(url, f"no article text: {words} words after removing page furniture")
    text = "\n\n".join(paragraphs)
    return ExtractedPage(
        title=title,
        author=author,
        byline=byline,
        published_at=published_at,
        text=text,
        notes=tuple(note for note in notes if note not in text),
        language=language,
        site_name=site_name,
        declared_url=declared_url,
        quotations=quotations,
    )


_HTML_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)


# Tables that lay a page out rather than hold data: trafilatura reads a table as
# rows of cells, which on old table-layout sites joins the story, the menus and
# the "most read" box into one paragraph. The test is readability's (Mozilla's)
# data-table test, on the table's own rows and cells, not those of tables inside it.
_OWN_ROWS = "./tr | ./tbody/tr | ./thead/tr | ./tfoot/tr"
_DATA_TABLE_PARTS = "./caption | ./colgroup | ./thead | ./tfoot"
# Elements that break text into blocks (for spacing notes, and for telling a
# table cell of text from a cell that holds a page section).
# fmt: off
_BLOCK_TAGS = frozenset({
    "p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
    "section", "article", "aside", "header", "footer", "nav", "blockquote", "pre", "figure",
    "form", "table", "tr", "td", "th",
})
# fmt: on
_NOT_BLOCKS_IN_A_CELL = frozenset({"br", "dt", "dd", "tr", "td", "th"})
_BLOCK_INSIDE = ".//*[{}]".format(
    " or ".join(f"self::{tag}" for tag in sorted(_BLOCK_TAGS - _NOT_BLOCKS_IN_A_CELL))
)
_TABLE_PARTS = ("table", "tbody", "thead", "tfoot", "tr", "td", "th")


def _unwrap_layout_tables(tree: lxml.html.HtmlElement) -> None:
    layout = [table for table in tree.iter("table") if _is_layout_table(table)]
    # Rows and cells belong to their nearest table: those of a data table nested
    # in a layout cell stay as they are. Collected first, renamed after.
    parts = [
        element
        for table in layout
        for element in table.iter(*_TABLE_PARTS)
        if element is table
        or (element.tag != "table" and next(element.iterancestors("table")) is table)
    ]
    for element in parts:
        element.tag = "div"
    # A cell of bare text becomes a paragraph, as readability turns such divs
    # into paragraphs: trafilatura drops bare-text blocks among paragraphs. A cell
    # that is mostly links is a menu or a footer and stays a block.
    for element in parts:
        if element.tag == "div" and _is_text_block(element) and not _mostly_links(element):
            element.tag = "p"


# Old CMSs set a story as bare text with "<br><br>" between paragraphs; trafilatura
# drops such text when blocks sit beside it (an image's table in the same cell).
# As readability does, each run between double breaks becomes a paragraph.
_BREAK_RUN_MIN_TEXT = 200


def _paragraphs_from_breaks(tree: lxml.html.HtmlElement) -> None:
    parents = {parent for br in tree.iter("br") if (parent := br.getparent()) is not None}
    for parent in parents:
        bare = (parent.text or "") + "".join(child.tail or "" for child in parent)
        if len(bare.strip()) >= _BREAK_RUN_MIN_TEXT and _has_break_run(parent):
            _split_at_break_runs(parent)


def _has_break_run(parent: lxml.html.HtmlElement) -> bool:
    return any(
        a.tag == "br" and b.tag == "br" and not (a.tail or "").strip() for a, b in pairwise(parent)
    )


def _split_at_break_runs(parent: lxml.html.HtmlElement) -> None:
    # the parent's content as a run of text pieces and elements (an element's tail
    # is the text piece after it)
    pieces: list[str | lxml.html.HtmlElement] = [parent.text or ""]
    for child in parent:
        pieces += [child, child.tail or ""]
        child.tail = None
    parent.text = None
    for child in list(parent):
        parent.remove(child)
    segment: list[str | lxml.html.HtmlElement] = []
    breaks = 0

    def close() -> None:
        if "".join(p if isinstance(p, str) else p.text_content() for p in segment).strip():
            paragraph = lxml.html.Element("p")
            for piece in segment:
                if isinstance(piece, str):
                    if len(paragraph):
                        paragraph[-1].tail = (paragraph[-1].tail or "") + piece
                    else:
                        paragraph.text = (paragraph.text or "") + piece
                else:
                    paragraph.append(piece)
            parent.append(paragraph)
        segment.clear()

    for piece in pieces:
        if isinstance(piece, str) and not piece.strip():
            segment.append(piece)  # whitespace between breaks still makes a run
        elif not isinstance(piece, str) and piece.tag == "br":
            breaks += 1
            if breaks == 2:
                close()
        elif not isinstance(piece, str) and piece.tag in _BLOCK_TAGS:
            close()
            breaks = 0
            parent.append(piece)
        else:
            if breaks == 1:  # a single break stays inside the paragraph
                segment.append(lxml.html.Element("br"))
            breaks = 0
            segment.append(piece)
    close()


def _is_layout_table(table: lxml.html.HtmlElement) -> bool:
    if table.get("role") == "presentation":
        return True
    rows = [row.xpath("./td | ./th") for row in table.xpath(_OWN_ROWS)]
    if (
        table.get("summary")
        or table.xpath(_DATA_TABLE_PARTS)
        or any(cell.tag == "th" for row in rows for cell in row)
    ):
        return False
    if table.xpath(".//table"):
        return True
    columns = max((sum(_colspan(cell) for cell in row) for row in rows), default=0)
    if len(rows) <= 1 or columns <= 1:
        return True
    if len(rows) >= 10 or columns > 4:
        return False
    if any(cell.xpath(_BLOCK_INSIDE) for row in rows for cell in row):
        return True
    return len(rows) * columns <= 10


def _is_text_block(element: lxml.html.HtmlElement) -> bool:
    return bool((element.text_content() or "").strip()) and not element.xpath(_BLOCK_INSIDE)


# A short run set in capitals by an inline style reads as it is shown: a dateline written
# "seoul, april 1 (yonhap)" and shown as "SEOUL, APRIL 1 (YONHAP)".
_UPPERCASE_STYLE = re.compile(r"text-transform\s*:\s*uppercase", re.IGNORECASE)
_CAPITALS_MAX_CHARS = 80


def _capitals_as_shown(tree: lxml.html.HtmlElement) -> None:
    for element in tree.xpath("//*[contains(@style, 'uppercase')]"):
        if not _UPPERCASE_STYLE.search(element.get("style") or ""):
            continue
        if len(element.text_content()) > _CAPITALS_MAX_CHARS:
            continue
        for node in element.iter():
            if node.text:
                node.text = node.text.upper()
            if node is not element and node.tail:
                node.tail = node.tail.upper()


def _lower_case_names(tree: lxml.html.HtmlElement) -> None:
    """Class names and ids in lower case, so one lower-case test finds CSS-module names
    ("WireCredit_root__Hq2x1", "PartnerNote") too."""
    for element in tree.iter():
        for attribute in ("class", "id"):
            value = element.get(attribute)
            if value and not value.islower():
                element.set(attribute, value.lower())


def _in_link_list(element: lxml.html.HtmlElement) -> bool:
    """True for a list of links, or a line in one: a widget of headlines, not a note."""
    for box in (element, element.getparent()):
        if box is not None and len(box.xpath(".//a")) >= 3 and _mostly_links(box):
            return True
    return False


def _mostly_links(element: lxml.html.HtmlElement) -> bool:
    text = len("".join(element.text_content().split()))
    linked = sum(len("".join(a.text_content().split())) for a in element.iter("a"))
    return linked * 2 > text


def _colspan(cell: lxml.html.HtmlElement) -> int:
    span = cell.get("colspan", "")
    return int(span) if span.isdigit() and int(span) > 0 else 1


def _rule_for(url: str, rules: Iterable[SiteRule]) -> SiteRule | None:
    host = host_of(url)
    for rule in rules:
        if host == rule.host or host.endswith("." + rule.host):
            return rule
    return None


def _clean_paragraphs(text: str, *, byline: str | None, title: str | None) -> Iterator[str]:
    skip = {s.strip().casefold() for s in (byline, title) if s}
    for line in text.splitlines():
        paragraph = " ".join(line.split())
        if not paragraph or paragraph.casefold() in skip:
            continue
        if len(paragraph) <= _FURNITURE_MAX_CHARS and (
            _FURNITURE_LINE.match(paragraph) or _FURNITURE_PHRASE.search(paragraph)
        ):
            continue
        if _is_menu(paragraph):
            continue
        yield paragraph


def _is_menu(paragraph: str) -> bool:
    """ "About us | Contact | Privacy": a row of links, not prose (a table row starts with "|")."""
    items = paragraph.split(" | ")
    return (
        len(items) >= _MENU_MIN_ITEMS
        and not paragraph.startswith("|")
        and ":" not in paragraph  # "Penulis: Redaksi | Sumber: ANTARA" is a header line
        and all(len(item.split()) <= _MENU_ITEM_MAX_WORDS for item in items)
    )


class _Metadata:
    """Metadata read straight from the page's markup."""

    def __init__(self, tree: lxml.html.HtmlElement, url: str) -> None:
        self._tree = tree
        self._url = url
        self._meta: dict[str, str] = {}
        for element in tree.iter("meta"):
            key = element.get("property") or element.get("name") or element.get("itemprop")
            content = element.get("content")
            if key and content and key.lower() not in self._meta:
                self._meta[key.lower()] = content.strip()

    def _first_meta(self, *names: str) -> str | None:
        for name in names:
            if value := self._meta.get(name.lower()):
                return value
        return None

    def title(self) -> str | None:
        # The article's own heading first: a page-wide first <h1> is often the site logo.
        for candidate in (
            self._tree.xpath("string((//article//h1)[1])"),
            self._first_meta("og:title", "twitter:title"),
            self._tree.xpath("string((//h1)[1])"),
            self._tree.xpath("string((//title)[1])"),
        ):
            if candidate and (text := " ".join(str(candidate).split())):
                return text
        return None

    def author(self) -> str | None:
        return self._first_meta("author", "article:author", "dc.creator", "byl") or self._json_ld(
            "author"
        )

    def site_name(self) -> str | None:
        return self._first_meta("og:site_name", "application-name")

    def language(self) -> str | None:
        raw = self._tree.get("lang") or self._first_meta(
            "content-language", "og:locale", "language"
        )
        if not raw:
            return None
        primary = re.split(r"[-_]", raw.strip())[0].lower()
        return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None

    def declared_url(self) -> str | None:
        declared = [str(h) for h in self._tree.xpath("//link[@rel='canonical']/@href")]
        declared.append(self._first_meta("og:url") or "")
        for href in declared:
            try:
                resolved = urljoin(self._url, href.strip())
            except ValueError:
                continue  # a malformed canonical link is no canonical link
            if href.strip() and is_http_url(resolved):
                return resolved
        return None

    def quotations(self) -> tuple[str, ...]:
        """Passages in <blockquote>: another text quoted (a column quoting a wire
        dispatch, dateline and all), so never the page's own wire markers."""
        texts = (" ".join(q.text_content().split()) for q in self._tree.iter("blockquote"))
        return tuple(text for text in texts if text)

    def notes(self) -> list[str]:
        """Short notes beside the article (asides, small print, "note" boxes): where
        some outlets put the syndication disclaimer, outside the main text."""
        found: list[str] = []
        for element in self._tree.xpath(_NOTE_XPATH):
            shortest = shortest_line = _NOTE_MIN_CHARS
            if not _IS_NOTE_MARKUP(element):
                small_by_style = bool(_SMALL_TYPE.search(element.get("style") or "")) or (
                    "muted" in (element.get("class") or "")
                )
                if not small_by_style and not _IS_SMALL_TYPE_CLASS(element):
                    continue  # type set, but not small
                shortest = _WEAK_NOTE_MIN_CHARS
                if not small_by_style:
                    shortest_line = _WEAK_NOTE_MIN_CHARS
            if _in_link_list(element):
                continue  # a teaser widget's credit ("AP Top Stories ... Copyright AP")
            lines = _block_lines(element)
            whole = " ".join(lines)
            if not shortest <= len(whole) <= _NOTE_MAX_CHARS:
                continue
            # the whole note, and each of its lines: "Pewarta: ...<br>Copyright © ANTARA 2026",
            # "<dd>Redacción</dd><dd>Fuente: Agencia Andina</dd>"
            for text in [whole, *(lines if len(lines) > 1 else [])]:
                if len(text) >= shortest_line and text not in found:
                    found.append(text)
            if len(found) >= _MAX_NOTES:
                break
        return found[:_MAX_NOTES]

    def byline(self) -> str | None:
        for element in self._tree.xpath(_BYLINE_XPATH):
            # a partner's logo in the byline names the source: alt="The Associated Press"
            logos = [str(alt) for alt in element.xpath(".//img/@alt") if str(alt).strip()]
            text = " | ".join(part for part in [_byline_text(element), *logos] if part)
            if text and len(text) <= _BYLINE_MAX_CHARS:
                return text
        return None

    def published_at(self, byline: str | None) -> datetime | None:
        candidates: list[str] = []
        if meta := self._first_meta(*_PUBLISHED_META):
            candidates.append(meta)
        if ld := self._json_ld("datePublished"):
            candidates.append(ld)
        candidates.extend(str(v) for v in self._tree.xpath("//article//time/@datetime"))
        if byline and (match := _BYLINE_DATE.search(byline)):
            candidates.append(match.group(1))
        for candidate in candidates:
            if (parsed := parse_datetime(candidate)) is not None:
                return parsed
        return None

    def _json_ld(self, key: str) -> str | None:
        """``key`` of the first JSON-LD item that has it. Items may sit in an "@graph"
        (Yoast), where only the article's count, and name others by "@id"."""
        items: list[dict[str, Any]] = []
        by_id: dict[str, dict[str, Any]] = {}
        for script in self._tree.xpath("//script[@type='application/ld+json']/text()"):
            try:
                data = json.loads(script)
            except ValueError:
                continue
            for item in data if isinstance(data, list) else [data]:
                if isinstance(item, dict):
                    graph = item.get("@graph")
                    # a video or an image in the graph has an author too: not the story's
                    nodes = [node for node in graph or () if isinstance(node, dict)]
                    items.extend([item, *(node for node in nodes if _is_article(node))])
                    by_id.update(
                        (node["@id"], node) for node in nodes if isinstance(node.get("@id"), str)
                    )
        for item in items:
            value = item.get(key)
            value = value[0] if isinstance(value, list) and value else value
            if isinstance(value, dict) and "name" not in value and "@id" in value:
                value = by_id.get(value["@id"], value)
            if name := _ld_value(value):
                return name
        return None


def _block_text(element: lxml.html.HtmlElement) -> str:
    """Text of ``element`` with a space where its blocks meet ("Aviso" + "Noticia ...")."""
    return " ".join(" ".join(_block_lines(element)).split())


def _block_lines(element: lxml.html.HtmlElement) -> list[str]:
    """The lines of ``element``'s text, as its blocks and <br>s break them."""
    parts: list[str] = []
    stack: list[tuple[lxml.html.HtmlElement, bool]] = [(element, False)]
    while stack:
        node, done = stack.pop()
        is_element = isinstance(node.tag, str)
        if is_element and node.tag in _BLOCK_TAGS:
            parts.append("\n")
        if done:
            if node is not element:
                parts.append(node.tail or "")
            continue
        if is_element:
            parts.append(node.text or "")
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return [line for line in lines if line]


_BYLINE_PERSON = re.compile(
    r"^(?:by|von|par|por|di|de)\s+(?P<name>[^,|/\u2013\u2014]+?)(?:\s*(?:[,|/\u2013\u2014]|\s-\s).*)?$",
    re.I,
)


def _byline_text(element: lxml.html.HtmlElement) -> str:
    """A byline's parts with a space between them, whatever elements hold them:
    <span>Marnie Keough</span><span>Australian Associated Press</span> is two parts."""
    text = " ".join(" ".join(str(part) for part in element.itertext()).split())
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)


_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.;:|)])")


def _author_from_byline(byline: str | None) -> str | None:
    """ "By Jane Doe, Staff Reporter" -> "Jane Doe"."""
    match = _BYLINE_PERSON.match(byline or "")
    return match.group("name").strip() if match else None


def _is_article(item: dict[str, Any]) -> bool:
    kinds = item.get("@type")
    return any(
        isinstance(kind, str) and ("Article" in kind or kind in ("BlogPosting", "WebPage"))
        for kind in (kinds if isinstance(kinds, list) else [kinds])
    )


def _ld_value(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return _ld_value(value.get("name"))
    if isinstance(value, list) and value:
        return _ld_value(value[0])
    return None


def parse_datetime(text: str) -> datetime | None:
    """A UTC datetime from ISO 8601, RFC 822 or a byline such as ``19-05-2021 16:37 IST``.

    Day-first is assumed for ambiguous numeric dates, as news bylines outside
    the US write them; a time without a zone is taken as UTC.
    """
    dayfirst = not _is_iso(text)
    try:
        # Parsed against two different defaults: any field that differs between
        # the results was missing from the text, and a guessed date is no date.
        parsed = date_parser.parse(text, default=_DEFAULT_A, tzinfos=_TZINFOS, dayfirst=dayfirst)
        check = date_parser.parse(text, default=_DEFAULT_B, tzinfos=_TZINFOS, dayfirst=dayfirst)
    except (ValueError, OverflowError):
        return None
    if parsed.date() != check.date():
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _is_iso(text: str) -> bool:
    return bool(re.match(r"^\s*\d{4}-\d{2}-\d{2}", text))

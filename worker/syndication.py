"""Syndication: is this page unedited wire copy? Rules, evidence and cleanup (pure).

Four families of markers, each matched only where it may sit on a page:

- ``disclaimer``: a sentence saying the item was not edited / auto-generated /
  published unmodified *and* that it came from a syndicated, agency, wire or
  news-service feed, in the last paragraphs; removed from the text.
- ``agency_byline``: the byline (or first line) is a news agency.
- ``dateline``: a paragraph in the first ~300 characters opens with a place
  and an agency in parentheses, ``WASHINGTON (Reuters) -``.
- ``signoff``: an agency sign-off or copyright line at the end, removed from
  the text, such as ``(Reporting by ...; Editing by ...)``.

Credits that do not make an item wire copy (``(With inputs from agencies.)``,
``© AFP``, "Reuters has reported") match none of these on purpose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .types import Evidence, ExtractedPage, SyndicationVerdict
from .urls import host_of


@dataclass(frozen=True)
class Agency:
    name: str
    aliases: tuple[str, ...]
    domains: tuple[str, ...]


AGENCIES: tuple[Agency, ...] = (
    Agency("Reuters", ("Reuters", "Thomson Reuters"), ("reuters.com",)),
    Agency("AP", ("AP", "Associated Press", "The Associated Press"), ("apnews.com", "ap.org")),
    Agency("AFP", ("AFP", "Agence France-Presse", "Agence France Presse"), ("afp.com",)),
    Agency("PTI", ("PTI", "Press Trust of India"), ("ptinews.com",)),
    Agency("IANS", ("IANS", "Indo-Asian News Service"), ("ians.in",)),
    Agency("ANI", ("ANI", "Asian News International"), ("aninews.in",)),
    Agency("UNI", ("UNI", "United News of India"), ("uniindia.com",)),
    Agency("dpa", ("dpa", "Deutsche Presse-Agentur"), ("dpa.com",)),
    Agency("Xinhua", ("Xinhua",), ("xinhuanet.com", "news.cn")),
    Agency("Kyodo", ("Kyodo", "Kyodo News"), ("kyodonews.net",)),
    Agency("Yonhap", ("Yonhap",), ("yna.co.kr",)),
    Agency("Bloomberg", ("Bloomberg",), ("bloomberg.com",)),
    Agency("EFE", ("EFE",), ("efe.com",)),
    Agency("ANSA", ("ANSA",), ("ansa.it",)),
    Agency("Anadolu", ("Anadolu Agency", "AA"), ("aa.com.tr",)),
    Agency("TASS", ("TASS",), ("tass.com", "tass.ru")),
    Agency("Bernama", ("Bernama",), ("bernama.com",)),
    Agency("AAP", ("AAP", "Australian Associated Press"), ("aap.com.au",)),
    Agency("PA", ("PA Media", "Press Association"), ("pa.media",)),
    Agency("CP", ("The Canadian Press", "Canadian Press"), ("thecanadianpress.com",)),
    Agency("WAM", ("WAM",), ("wam.ae",)),
)
_ALIAS_TO_AGENCY = {alias.casefold(): agency for agency in AGENCIES for alias in agency.aliases}
_ALIASES = "|".join(
    sorted(
        (re.escape(alias) for agency in AGENCIES for alias in agency.aliases), key=len, reverse=True
    )
)

_NOT_EDITED = (
    r"(?:not\s+been\s+(?:edited|modified|reworked|changed|altered)|unedited|"
    r"auto(?:matically)?[-\s]?(?:generated|published|produced|created)|"
    r"published\s+(?:unmodified|unedited|as\s+received|without\s+(?:any\s+)?(?:changes|modifications?|editing))|"
    r"without\s+(?:any\s+)?(?:editorial\s+)?(?:changes|modifications?|editing|intervention)|"
    r"nicht\s+(?:redaktionell\s+)?bearbeitet|automatisch\s+(?:übernommen|erstellt|generiert)|"
    r"généré\s+automatiquement|non\s+(?:édité|modifié)|"
    r"generad[oa]\s+automáticamente|no\s+ha\s+sido\s+editad[oa])"
)
# The source must be a feed or service, not any mention of an agency or a wire.
_FEED_SOURCE = (
    r"(?:syndicat\w*|(?:agency|wire|news|news[-\s]?service|automated)\s+(?:feed|copy|wire|service)|"
    r"(?:agency|wire)\s+(?:report|story|dispatch)|wire\s+service|news[-\s]?service|"
    r"newskanal|nachrichtenagentur|presse-agentur|"
    r"fil\s+d'(?:actualité|agence)|dépêche\s+d'agence|flux\s+d'agence|"
    r"servicio\s+de\s+noticias|cable\s+de\s+agencia|agencia\s+de\s+noticias)"
)
# ... and the sentence must speak of the item itself ("this story", "dieser Text").
_SELF_REFERENCE = (
    r"(?:\b(?:this|the)\s+(?:\w+\s+){0,2}?(?:story|article|report|text|content|item|copy|piece|"
    r"dispatch|news)\b|\bthis\s+is\b|\b(?:dieser|diese|der|die)\s+(?:Text|Artikel|Beitrag|Meldung)\b|"
    r"\b(?:cet|cette|ce)\s+(?:article|dépêche|texte)\b|\b(?:esta|este)\s+(?:nota|noticia|artículo|texto)\b)"
)
_DISCLAIMER = re.compile(
    rf"(?=.*{_NOT_EDITED})(?=.*{_FEED_SOURCE})(?=.*{_SELF_REFERENCE}).*", re.I | re.S
)
_DISCLAIMER_MAX_CHARS = 400
_DISCLAIMER_ZONE = 3  # last paragraphs where a disclaimer may sit

_PLACE = r"(?:[A-Z][A-Z.'-]+(?:\s+[A-Z][A-Z.'-]+){0,3}|[A-Z][a-z.'-]+(?:\s+[A-Z][a-z.'-]+){0,2})"
_DATE = r",\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2}"
# A dateline without a date needs its dash: "The Associated Press (AP) said" is prose.
_DATELINE = re.compile(
    rf"^{_PLACE}(?:{_DATE}\s*\(({_ALIASES})\)\s*(?:[-\u2013\u2014:]+|\s)"
    rf"|\s*\(({_ALIASES})\)\s*[-\u2013\u2014:]+)"
)
_DATELINE_ZONE_CHARS = 300
_BYLINE_AGENCY = re.compile(
    rf"^(?:by\s+)?({_ALIASES})(?:\s+staff)?\s*(?:$|[|,/\u2013\u2014-])", re.I
)

_SIGNOFF = re.compile(
    r"^\(?\s*(?:reporting|writing|additional\s+reporting)\s+by\b.*(?:editing|writing)\s+by\b.*\)?$"
    rf"|^copyright\s+(?:©\s*)?\d{{4}}\s+(?:the\s+)?(?:{_ALIASES})\b.*(?:all\s+rights\s+reserved|without\s+permission)",
    re.I,
)
_SIGNOFF_ZONE = 3


def agency_named(text: str | None) -> str | None:
    """The agency when ``text`` (an author field or byline) *is* an agency, else None."""
    if not text:
        return None
    match = _BYLINE_AGENCY.match(" ".join(text.split()))
    return _ALIAS_TO_AGENCY[match.group(1).casefold()].name if match else None


def assess(page: ExtractedPage, url: str) -> SyndicationVerdict:
    """Flag ``page`` as syndicated when wire markers sit where wire copy puts them."""
    paragraphs = page.text.split("\n\n")
    evidence: list[Evidence] = []
    agencies: list[str] = []
    removed: set[int] = set()

    for index in range(max(0, len(paragraphs) - _DISCLAIMER_ZONE), len(paragraphs)):
        paragraph = paragraphs[index]
        if len(paragraph) <= _DISCLAIMER_MAX_CHARS and _DISCLAIMER.match(paragraph):
            evidence.append(Evidence(rule="disclaimer", match=paragraph))
            removed.add(index)
            agencies.extend(_agencies_mentioned(paragraph))
        elif _SIGNOFF.match(paragraph) and index >= len(paragraphs) - _SIGNOFF_ZONE:
            evidence.append(Evidence(rule="signoff", match=paragraph))
            removed.add(index)
            agencies.extend(_agencies_mentioned(paragraph))

    for source in (page.byline, page.author):
        if agency := agency_named(source):
            evidence.insert(0, Evidence(rule="agency_byline", match=str(source)))
            agencies.insert(0, agency)
            break

    offset = 0
    for paragraph in paragraphs:
        if offset > _DATELINE_ZONE_CHARS:
            break
        if match := _DATELINE.match(paragraph):
            evidence.insert(0, Evidence(rule="dateline", match=match.group(0).strip()))
            alias = match.group(1) or match.group(2)
            agencies.insert(0, _ALIAS_TO_AGENCY[alias.casefold()].name)
            break
        offset += len(paragraph) + 2

    source_agency = agencies[0] if agencies else None
    if source_agency and _is_agency_site(source_agency, url):
        # An agency's own site carries its bylines and sign-offs: that is not syndication.
        return SyndicationVerdict(
            syndicated=False, source_agency=source_agency, evidence=(), text=page.text
        )
    text = "\n\n".join(p for i, p in enumerate(paragraphs) if i not in removed)
    return SyndicationVerdict(
        syndicated=bool(evidence),
        source_agency=source_agency,
        evidence=tuple(evidence),
        text=text,
    )


def _agencies_mentioned(text: str) -> list[str]:
    return [
        _ALIAS_TO_AGENCY[m.group(1).casefold()].name
        for m in re.finditer(rf"\b({_ALIASES})\b", text)
    ]


def _is_agency_site(agency_name: str, url: str) -> bool:
    host = host_of(url)
    for agency in AGENCIES:
        if agency.name == agency_name:
            return any(host == d or host.endswith("." + d) for d in agency.domains)
    return False

"""Feed bytes -> typed entries (pure, CPU-bound).

Two parsers, one entry model. ``fastfeedparser`` (lxml-based) reads the body
first; feedparser, the parser of record for every odd feed, takes over when
the fast path raises, finds no entries, or yields an entry without a usable
link or id. Both feed the same normalisation below (link choice, guid
fallback, dates, caps), so which parser ran never changes what is stored.
"""

from __future__ import annotations

import calendar
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import fastfeedparser
import feedparser

from .exceptions import ParseError
from .types import FeedEntry, ParsedFeed
from .urls import is_http_url

MAX_ENTRIES_PER_FEED = 2000
# Caps on what one entry may put in the store; longer values are cut (or hashed).
MAX_TITLE_CHARS = 1000
MAX_LINK_CHARS = 4096
MAX_GUID_CHARS = 1000

PARSER_FAST = "fastfeedparser"
PARSER_OF_RECORD = "feedparser"


@dataclass(frozen=True)
class _RawEntry:
    """An entry as a parser gave it, before normalisation."""

    id: str | None
    alternates: tuple[str, ...]  # hrefs of rel=alternate links, in order
    link: str | None
    title: str | None
    published: datetime | None
    updated: datetime | None
    other_links: tuple[str, ...] = ()  # enclosure, related, ... hrefs


def parse_feed(body: bytes, *, url: str, content_type: str = "") -> ParsedFeed:
    """Entries of an RSS 0.9x/1.0/2.0, Atom, RDF or JSON feed body.

    An ill-formed feed that still yields entries is used, with a warning; one
    that yields none raises :class:`ParseError`.
    """
    fast = _parse_fast(body, url=url)
    if fast is not None:
        return fast
    return parse_with_feedparser(body, url=url, content_type=content_type)


def parse_with_feedparser(body: bytes, *, url: str, content_type: str = "") -> ParsedFeed:
    """feedparser alone: the parser of record (and the reference the fast path is tested on)."""
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    result: Any = feedparser.parse(body, response_headers=headers, sanitize_html=False)
    warning = _bozo_reason(result) if result.get("bozo") else None
    raw = [_from_feedparser(entry) for entry in result.entries[:MAX_ENTRIES_PER_FEED]]
    if not raw and warning is not None:
        raise ParseError(url, f"not a usable feed: {warning}")
    return ParsedFeed(
        title=result.feed.get("title") or None,
        entries=_normalise(raw, base=url),
        warning=warning,
        update_hint_s=update_hint(body),
        parser=PARSER_OF_RECORD,
    )


def _parse_fast(body: bytes, *, url: str) -> ParsedFeed | None:
    # A guid marked isPermaLink="false" must not double as the link; fastfeedparser
    # cannot say whether it did, so such a feed goes to feedparser when it might have.
    guids_not_links = bool(_NOT_PERMALINK.search(body))
    if b"xml:base" in body:
        return None  # relative links against xml:base: feedparser resolves them, the fast path not
    ids_are_links = not guids_not_links and not _RDF.search(body[:_HINT_SCAN_BYTES])
    try:
        result: Any = fastfeedparser.parse(
            body,
            include_content=False,
            include_tags=False,
            include_media=False,
            include_enclosures=False,
        )
        raw = [
            _from_fastfeedparser(entry, base=url, ids_are_links=ids_are_links)
            for entry in result.entries[:MAX_ENTRIES_PER_FEED]
        ]
    except Exception:
        # Any failure of the fast path is a reason to ask the parser of record.
        return None
    # one <link> per item besides the channel's: links came from <link>, not from guids
    items_have_links = body.count(b"<link>") > len(raw)
    if not raw or any(
        (not entry.id and not _link(entry, base=url))
        # an id made up from an enclosure or related link, with no page link beside it
        or (entry.id in entry.other_links and not _link(entry, base=url))
        # a guid that may have been taken as the link although isPermaLink="false"
        or (guids_not_links and not items_have_links and entry.link == entry.id)
        or _MIS_DECODED.search(entry.title or "")
        for entry in raw
    ):
        return None
    return ParsedFeed(
        title=result.feed.get("title") or None,
        entries=_normalise(raw, base=url),
        warning=None,
        update_hint_s=update_hint(body),
        parser=PARSER_FAST,
    )


def _from_feedparser(entry: Any) -> _RawEntry:
    return _RawEntry(
        id=entry.get("id"),
        alternates=tuple(
            link["href"]
            for link in entry.get("links", [])
            if link.get("rel", "alternate") == "alternate" and link.get("href")
        ),
        link=entry.get("link"),
        title=entry.get("title"),
        published=_from_struct(entry.get("published_parsed")),
        # dict.get: FeedParserDict.get would alias a missing updated to published, noisily
        updated=_from_struct(dict.get(entry, "updated_parsed")),
    )


def _from_fastfeedparser(entry: Any, *, base: str, ids_are_links: bool) -> _RawEntry:
    """Read like feedparser does: a link only from rel=alternate (or a bare <link>), an
    id that is a URL doubles as the link (not in RSS 1.0), a relative id is resolved."""
    links = entry.get("links") or []
    alternates = tuple(
        link["href"]
        for link in links
        if (link.get("rel") or "alternate") == "alternate" and link.get("href")
    )
    entry_id = entry.get("id")
    if ids_are_links and isinstance(entry_id, str) and entry_id and not _HAS_SCHEME.match(entry_id):
        entry_id = urljoin(base, entry_id)
    other_links = tuple(
        link["href"] for link in links if link.get("href") and link["href"] not in alternates
    )
    link = None if links and not alternates else entry.get("link")
    if (
        ids_are_links
        and not alternates
        and not link
        and isinstance(entry_id, str)
        and entry_id not in other_links
        and is_http_url(entry_id)
    ):
        link = entry_id
    return _RawEntry(
        id=entry_id,
        alternates=alternates,
        link=link,
        title=entry.get("title") or None,
        published=_from_iso(entry.get("published")),
        updated=_from_iso(entry.get("updated")),
        other_links=other_links,
    )


def _normalise(raw_entries: Iterable[_RawEntry], *, base: str) -> tuple[FeedEntry, ...]:
    """The one place where link choice, guid fallback, dates and caps are decided."""
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    for raw in raw_entries:
        link = _link(raw, base=base)
        if link is not None and len(link) > MAX_LINK_CHARS:
            link = None
        title = " ".join((raw.title or "").split())[:MAX_TITLE_CHARS] or None
        published = _whole_seconds(raw.published or raw.updated)
        guid = (raw.id or "").strip() or link or _fallback_identity(title, published)
        if len(guid) > MAX_GUID_CHARS:
            guid = "sha256:" + hashlib.sha256(guid.encode("utf-8")).hexdigest()[:32]
        if guid in seen:
            continue
        seen.add(guid)
        entries.append(
            FeedEntry(
                guid=guid,
                link=link,
                title=title,
                published_at=published,
                # without an update time, an entry was last changed when published
                updated_at=_whole_seconds(raw.updated) or published,
            )
        )
    return tuple(entries)


def _link(raw: _RawEntry, *, base: str) -> str | None:
    """The entry's page: the first rel=alternate link, else ``link``, resolved."""
    href = raw.alternates[0] if raw.alternates else raw.link
    if not href or not isinstance(href, str):
        return None
    try:
        resolved = urljoin(base, href.strip())
    except ValueError:
        return None
    return resolved if is_http_url(resolved) else None


def _fallback_identity(title: str | None, published: datetime | None) -> str:
    material = f"{title or ''}\x00{published.isoformat() if published else ''}"
    return "sha256:" + hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]


def _whole_seconds(moment: datetime | None) -> datetime | None:
    return moment.replace(microsecond=0) if moment is not None else None


# UTF-8 read as Latin-1 ("Ã©" for "é"): the fast path misread the encoding.
_MIS_DECODED = re.compile("[\u00c2\u00c3][\u0080-\u00bf]")
_NOT_PERMALINK = re.compile(rb"isPermaLink\s*=\s*[\"']false", re.I)
_RDF = re.compile(rb"<rdf:RDF\b")
_HAS_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def _from_struct(parsed: Any) -> datetime | None:
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (OverflowError, ValueError, TypeError):
        return None


def _from_iso(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)


def _bozo_reason(result: Any) -> str:
    error = result.get("bozo_exception")
    message = str(error) if error is not None else "ill-formed feed"
    return f"{type(error).__name__}: {message}" if error is not None else message


# The feed's own update hints, read from the head of the body whichever parser ran.
_TTL = re.compile(rb"<ttl>\s*(\d+)\s*</ttl>", re.I)
_SY_PERIOD = re.compile(rb"<sy:updatePeriod>\s*(\w+)\s*</sy:updatePeriod>", re.I)
_SY_FREQUENCY = re.compile(rb"<sy:updateFrequency>\s*(\d+)\s*</sy:updateFrequency>", re.I)
_SY_PERIOD_S = {
    "hourly": 3600,
    "daily": 86400,
    "weekly": 604800,
    "monthly": 2592000,
    "yearly": 31536000,
}
_HINT_SCAN_BYTES = 16384


def update_hint(body: bytes) -> int | None:
    """Seconds between updates the feed announces: RSS <ttl> (minutes), or
    sy:updatePeriod / sy:updateFrequency, from the channel head."""
    head = body[:_HINT_SCAN_BYTES]
    hints = []
    if (ttl := _TTL.search(head)) and int(ttl.group(1)) > 0:
        hints.append(int(ttl.group(1)) * 60)
    if period_match := _SY_PERIOD.search(head):
        period = _SY_PERIOD_S.get(period_match.group(1).decode("ascii", "replace").lower())
        if period:
            frequency = _SY_FREQUENCY.search(head)
            hints.append(period // max(1, int(frequency.group(1))) if frequency else period)
    return max(hints) if hints else None

"""Feed polling: conditional GET of the feed, then bytes -> typed entries.

feedparser never fetches URLs itself here: the shared :class:`Fetcher` does,
so deadlines, size caps and conditional headers apply to feeds as to pages.
"""

from __future__ import annotations

import asyncio
import calendar
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser

from .exceptions import FetchError, ParseError
from .fetch import Fetcher, media_type
from .types import Feed, FeedEntry, ParsedFeed
from .urls import is_http_url

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
MAX_ENTRIES_PER_FEED = 2000
# Caps on what one entry may put in the store; longer values are cut (or hashed).
MAX_TITLE_CHARS = 1000
MAX_LINK_CHARS = 4096
MAX_GUID_CHARS = 1000
# Media types that are never a feed: refused before any parsing.
_NOT_FEEDS = ("image/", "audio/", "video/", "font/", "application/pdf", "application/zip")


@dataclass(frozen=True, kw_only=True)
class PollResult:
    """A feed after one poll: ``parsed`` is None when it was not modified (304)."""

    status: int
    etag: str | None
    last_modified: str | None
    parsed: ParsedFeed | None
    # the feed's own "don't poll more often than" (ttl, sy:updatePeriod, max-age), seconds
    hint_s: int | None
    # a permanent redirect's target: the feed's new URL
    moved_to: str | None


async def poll_feed(fetcher: Fetcher, feed: Feed) -> PollResult:
    """Fetch ``feed`` conditionally and parse it off the event loop.

    Raises :class:`FetchError` or :class:`ParseError`.
    """
    response = await fetcher.get(
        feed.url, accept=FEED_ACCEPT, etag=feed.etag, last_modified=feed.last_modified
    )
    if media_type(response.content_type).startswith(_NOT_FEEDS):
        raise FetchError(feed.url, "unsupported_content", f"not a feed: {response.content_type}")
    if response.status == 304:
        return PollResult(
            status=304,
            etag=response.etag or feed.etag,
            last_modified=response.last_modified or feed.last_modified,
            parsed=None,
            hint_s=response.max_age,
            moved_to=response.moved_permanently_to,
        )
    parsed = await asyncio.to_thread(
        parse_feed, response.body, url=response.final_url, content_type=response.content_type
    )
    hints = [h for h in (parsed.update_hint_s, response.max_age) if h]
    return PollResult(
        status=response.status,
        etag=response.etag,
        last_modified=response.last_modified,
        parsed=parsed,
        hint_s=max(hints) if hints else None,
        moved_to=response.moved_permanently_to,
    )


def parse_feed(body: bytes, *, url: str, content_type: str = "") -> ParsedFeed:
    """Entries of an RSS 0.9x/1.0/2.0, Atom or JSON feed body (pure).

    An ill-formed feed that still yields entries is used, with a warning; one
    that yields none raises :class:`ParseError`.
    """
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    result: Any = feedparser.parse(body, response_headers=headers, sanitize_html=False)
    raw_entries = result.entries[:MAX_ENTRIES_PER_FEED]
    warning = _bozo_reason(result) if result.get("bozo") else None
    if not raw_entries and warning is not None:
        raise ParseError(url, f"not a usable feed: {warning}")
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    for raw in raw_entries:
        entry = _entry(raw, base=url)
        if entry.guid not in seen:
            seen.add(entry.guid)
            entries.append(entry)
    title = result.feed.get("title") or None
    return ParsedFeed(
        title=title,
        entries=tuple(entries),
        warning=warning,
        update_hint_s=_update_hint(result.feed),
    )


_SY_PERIOD_S = {
    "hourly": 3600,
    "daily": 86400,
    "weekly": 604800,
    "monthly": 2592000,
    "yearly": 31536000,
}


def _update_hint(channel: Any) -> int | None:
    """Seconds between updates the feed itself announces: RSS <ttl> (minutes), or
    sy:updatePeriod / sy:updateFrequency."""
    hints = []
    ttl = str(channel.get("ttl", "")).strip()
    if ttl.isdigit() and int(ttl) > 0:
        hints.append(int(ttl) * 60)
    period = _SY_PERIOD_S.get(str(channel.get("sy_updateperiod", "")).strip().lower())
    if period:
        frequency = str(channel.get("sy_updatefrequency", "1")).strip()
        hints.append(period // max(1, int(frequency)) if frequency.isdigit() else period)
    return max(hints) if hints else None


def _bozo_reason(result: Any) -> str:
    error = result.get("bozo_exception")
    message = str(error) if error is not None else "ill-formed feed"
    return f"{type(error).__name__}: {message}" if error is not None else message


def _entry(raw: Any, *, base: str) -> FeedEntry:
    link = _link(raw, base=base)
    if link is not None and len(link) > MAX_LINK_CHARS:
        link = None
    title = (raw.get("title") or "").strip()[:MAX_TITLE_CHARS] or None
    published = _datetime(raw.get("published_parsed")) or _datetime(raw.get("updated_parsed"))
    updated = _datetime(raw.get("updated_parsed"))
    guid = (raw.get("id") or "").strip() or link or _fallback_identity(title, published)
    if len(guid) > MAX_GUID_CHARS:
        guid = "sha256:" + hashlib.sha256(guid.encode("utf-8")).hexdigest()[:32]
    return FeedEntry(guid=guid, link=link, title=title, published_at=published, updated_at=updated)


def _link(raw: Any, *, base: str) -> str | None:
    """The entry's page: the first rel=alternate link, else ``link``, resolved."""
    candidates = [
        link.get("href")
        for link in raw.get("links", [])
        if link.get("rel", "alternate") == "alternate" and link.get("href")
    ]
    href = candidates[0] if candidates else raw.get("link")
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


def _datetime(parsed: Any) -> datetime | None:
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (OverflowError, ValueError, TypeError):
        return None

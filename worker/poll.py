"""Feed polling: conditional GET of the feed, then parsing off the event loop.

No parser ever fetches URLs itself here: the shared :class:`Fetcher` does, so
deadlines, size caps and conditional headers apply to feeds as to pages.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import dataclass

from .exceptions import FetchError, ParseError
from .fetch import Fetcher, media_type
from .parse import parse_feed
from .types import Feed, ParsedFeed

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
# Media types that are never a feed: refused before any parsing.
_NOT_FEEDS = ("image/", "audio/", "video/", "font/", "application/pdf", "application/zip")


@dataclass(frozen=True, kw_only=True)
class PollResult:
    """A feed after one poll: ``parsed`` is None when it was not modified (304)."""

    status: int
    etag: str | None
    last_modified: str | None
    parsed: ParsedFeed | None
    body_hash: str | None
    # the feed's own "don't poll more often than" (ttl, sy:updatePeriod, max-age), seconds
    hint_s: int | None
    # a permanent redirect's target: the feed's new URL
    moved_to: str | None
    # CPU seconds spent parsing the body (0 when it was not parsed)
    parse_cpu_s: float = 0.0


async def poll_feed(fetcher: Fetcher, feed: Feed, *, parse_timeout: float) -> PollResult:
    """Fetch ``feed`` conditionally and parse it off the event loop.

    Raises :class:`FetchError` or :class:`ParseError`.
    """
    response = await fetcher.get(
        feed.url, accept=FEED_ACCEPT, etag=feed.etag, last_modified=feed.last_modified
    )
    if media_type(response.content_type).startswith(_NOT_FEEDS):
        raise FetchError(feed.url, "unsupported_content", f"not a feed: {response.content_type}")
    body_hash = (
        hashlib.blake2b(response.body, digest_size=16).hexdigest()
        if response.status != 304
        else feed.body_hash
    )
    if response.status == 304 or body_hash == feed.body_hash:
        # Not modified, by validators or (from servers that ignore them) byte for byte.
        return PollResult(
            status=response.status,
            etag=response.etag or feed.etag,
            last_modified=response.last_modified or feed.last_modified,
            parsed=None,
            body_hash=body_hash,
            hint_s=response.max_age,
            moved_to=response.moved_permanently_to,
        )
    try:
        # The thread cannot be stopped, but the poll stops waiting for it.
        parsed, parse_cpu_s = await asyncio.wait_for(
            asyncio.to_thread(
                _timed_parse, response.body, response.final_url, response.content_type
            ),
            timeout=parse_timeout,
        )
    except TimeoutError as e:
        raise ParseError(feed.url, f"parsing took longer than {parse_timeout:g}s") from e
    hints = [h for h in (parsed.update_hint_s, response.max_age) if h]
    return PollResult(
        status=response.status,
        etag=response.etag,
        last_modified=response.last_modified,
        parsed=parsed,
        body_hash=body_hash,
        hint_s=max(hints) if hints else None,
        moved_to=response.moved_permanently_to,
        parse_cpu_s=parse_cpu_s,
    )


def _timed_parse(body: bytes, url: str, content_type: str) -> tuple[ParsedFeed, float]:
    started = time.thread_time()
    parsed = parse_feed(body, url=url, content_type=content_type)
    return parsed, time.thread_time() - started

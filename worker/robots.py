"""robots.txt: fetched once per host (through the same guarded, polite fetcher),
cached with an expiry, parsed with protego.

Following RFC 9309: a robots.txt that is missing (4xx) allows everything; one
that cannot be fetched (5xx, network failure) means "not now", so the page is
retried later rather than fetched against the site's wishes.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from urllib.parse import urlsplit, urlunsplit

from protego import Protego

from .exceptions import FetchError
from .fetch import Fetcher
from .urls import host_of

ROBOTS_TTL_S = 24 * 3600
# a robots.txt that could not be fetched is not asked for again before this
UNAVAILABLE_TTL_S = 300
MAX_CACHED_HOSTS = 10_000
MAX_ROBOTS_BYTES = 500 * 1024  # what major crawlers read of a robots.txt
_ALLOW_ALL = Protego.parse("")


class RobotsCache:
    def __init__(self, fetcher: Fetcher, *, user_agent: str) -> None:
        self._fetcher = fetcher
        # protego matches the product token: "feedworker/0.1 (+url)" -> "feedworker"
        self._agent = user_agent.split("/", 1)[0].split()[0]
        self._cache: OrderedDict[str, tuple[float, Protego | FetchError]] = OrderedDict()
        self._locks: dict[str, asyncio.Lock] = {}

    async def allows(self, url: str) -> bool:
        """True when robots.txt lets us fetch ``url``; FetchError if it is unavailable."""
        rules = await self._rules_for(url)
        return bool(rules.can_fetch(url, self._agent))

    async def _rules_for(self, url: str) -> Protego:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}".lower()
        async with self._locks.setdefault(origin, asyncio.Lock()):
            cached = self._cache.get(origin)
            if cached is None or cached[0] <= time.monotonic():
                robots_url = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
                try:
                    cached = (time.monotonic() + ROBOTS_TTL_S, await self._fetch(url, robots_url))
                except FetchError as e:
                    cached = (time.monotonic() + UNAVAILABLE_TTL_S, e)
                self._cache[origin] = cached
                if len(self._cache) > MAX_CACHED_HOSTS:
                    stale, _ = self._cache.popitem(last=False)
                    self._locks.pop(stale, None)
            self._cache.move_to_end(origin)
        found = cached[1]
        if isinstance(found, FetchError):
            raise FetchError(url, found.kind, found.message)
        return found

    async def _fetch(self, page_url: str, robots_url: str) -> Protego:
        try:
            response = await self._fetcher.get(robots_url, accept="text/plain, */*;q=0.1")
        except FetchError as e:
            if e.kind == "http_error" and e.status is not None and 400 <= e.status < 500:
                return _ALLOW_ALL
            if e.kind == "blocked":
                raise  # the host itself is refused: say so, not "robots unavailable"
            raise FetchError(
                page_url, "robots_unavailable", f"robots.txt not available: {e}"
            ) from e
        text = response.body[:MAX_ROBOTS_BYTES].decode("utf-8", "replace")
        rules = Protego.parse(text)
        if (delay := rules.crawl_delay(self._agent)) is not None:
            self._fetcher.slow_down(host_of(page_url), float(delay))
        return rules

"""HTTP fetching: one shared httpx client, bounded concurrency, hard deadlines, size caps.

Every request runs under a whole-request deadline (connect, redirects and body
together), so a server that drips bytes cannot hold a worker. Bodies are
streamed and abandoned past ``max_bytes`` of *decoded* content.
"""

from __future__ import annotations

import asyncio
import re
import time
import zlib
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any
from urllib.parse import urljoin

import httpx
from charset_normalizer import from_bytes

from . import metrics
from .config import FetchSettings
from .exceptions import FetchError
from .netguard import AddressPolicy, BlockedAddressError, GuardedTransport, parse_networks
from .types import Response
from .urls import host_of, is_http_url

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
MAX_RETRY_AFTER_S = 6 * 3600.0
MAX_CRAWL_DELAY_S = 10.0
_SINGLE_BYTE_LATIN = frozenset(
    {
        "iso-8859-1",
        "latin-1",
        "latin1",
        "iso-8859-15",
        "windows-1252",
        "cp1252",
        "us-ascii",
        "ascii",
    }
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


class _Host:
    """Politeness state of one host: requests in flight, and when the next may start."""

    def __init__(self, concurrency: int, delay: float) -> None:
        self.slots = asyncio.Semaphore(concurrency)
        self.delay = delay
        self.next_start = 0.0

    def reserve_start(self, now: float, *, longest_wait: float) -> float | None:
        """Seconds to wait before this request may start, booking its turn; None (and
        nothing booked) when that would be longer than ``longest_wait``."""
        start = max(now, self.next_start)
        if start - now > longest_wait:
            return None
        self.next_start = start + self.delay
        return start - now

    def back_off(self, now: float, seconds: float) -> None:
        self.next_start = max(self.next_start, now + seconds)


class Fetcher:
    """Async HTTP GET with global and per-host limits; use as an async context manager.

    Per host: at most ``per_host_concurrency`` requests at once, request starts
    ``per_host_delay`` seconds apart (longer when robots.txt asks a Crawl-delay),
    and a ``Retry-After`` from a 429 or 503 holds the host back for that long.
    """

    def __init__(self, settings: FetchSettings) -> None:
        self._settings = settings
        self._global = asyncio.Semaphore(settings.concurrency)
        self._hosts: defaultdict[str, _Host] = defaultdict(
            lambda: _Host(settings.per_host_concurrency, settings.per_host_delay)
        )
        limits = httpx.Limits(
            max_connections=settings.concurrency, max_keepalive_connections=settings.concurrency
        )
        policy = AddressPolicy(
            allow_private=settings.allow_private_networks,
            allowed=parse_networks(settings.allowed_networks),
        )
        self._client = httpx.AsyncClient(
            headers={"User-Agent": settings.user_agent},
            timeout=httpx.Timeout(settings.timeout),
            follow_redirects=False,
            transport=GuardedTransport(policy, limits=limits),
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._client.aclose()

    async def get(
        self,
        url: str,
        *,
        accept: str,
        etag: str | None = None,
        last_modified: str | None = None,
        follow: Callable[[str], Awaitable[bool]] | None = None,
    ) -> Response:
        """GET ``url``, following redirects; a 304 comes back with an empty body.

        The deadline runs from the moment the first request may go out (time
        spent queued behind the concurrency limits does not count) to the
        last byte. ``follow(target)`` may veto a redirect hop (the caller
        already has that page): the redirect itself is then returned, with an
        empty body and ``final_url`` set to the target. Raises
        :class:`FetchError` for every failure, with a ``kind``.
        """
        headers = {"Accept": accept, "Accept-Encoding": "gzip, deflate"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        redirects: list[str] = []
        all_permanent = True
        current = url
        deadline: float | None = None
        while True:
            if not is_http_url(current):
                raise FetchError(url, "invalid_url", f"refusing non-http(s) URL {current!r}")
            host = self._hosts[host_of(current)]
            async with host.slots:
                await self._wait_turn(url, host)
                async with self._global:
                    deadline = (
                        deadline or asyncio.get_running_loop().time() + self._settings.timeout
                    )
                    result = await self._send(url, current, headers, host, deadline)
            if isinstance(result, _Body):
                return Response(
                    final_url=current,
                    status=result.status,
                    content_type=result.content_type,
                    body=result.body,
                    etag=result.etag,
                    last_modified=result.last_modified,
                    max_age=result.max_age,
                    redirects=tuple(redirects),
                    moved_permanently_to=current if redirects and all_permanent else None,
                )
            all_permanent = all_permanent and result.status in PERMANENT_REDIRECTS
            target = urljoin(current, result.location)
            if target in redirects or target == url:
                raise FetchError(url, "too_many_redirects", f"redirect loop at {target}")
            redirects.append(target)
            if follow is not None and not await follow(target):
                return Response(
                    final_url=target,
                    status=result.status,
                    content_type="",
                    body=b"",
                    etag=None,
                    last_modified=None,
                    max_age=None,
                    redirects=tuple(redirects),
                    moved_permanently_to=None,
                )
            if len(redirects) > self._settings.max_redirects:
                raise FetchError(
                    url, "too_many_redirects", f"more than {self._settings.max_redirects} redirects"
                )
            current = target

    def slow_down(self, host: str, delay: float) -> None:
        """Space requests to ``host`` at least ``delay`` seconds apart (robots Crawl-delay)."""
        state = self._hosts[host]
        state.delay = max(state.delay, min(delay, MAX_CRAWL_DELAY_S))

    async def _wait_turn(self, url: str, host: _Host) -> None:
        now = asyncio.get_running_loop().time()
        wait = host.reserve_start(now, longest_wait=self._settings.timeout)
        if wait is None:
            # Held back (Retry-After) for longer than a request may take: try again later.
            hold = host.next_start - now
            raise FetchError(
                url, "rate_limited", f"host asked us to wait {hold:.0f}s", retry_after=hold
            )
        if wait > 0:
            await asyncio.sleep(wait)

    async def _send(
        self, url: str, current: str, headers: dict[str, str], host: _Host, deadline: float
    ) -> _Body | _Redirect:
        started = time.monotonic()
        try:
            async with asyncio.timeout_at(deadline):
                result = await self._request(url, current, headers)
        except TimeoutError as e:
            raise FetchError(
                url, "timeout", f"no complete response within {self._settings.timeout:g}s"
            ) from e
        except FetchError as e:
            if e.retry_after is not None:
                host.back_off(asyncio.get_running_loop().time(), e.retry_after)
            raise
        if isinstance(result, _Body):
            metrics.FETCH_SECONDS.observe(time.monotonic() - started)
            metrics.FETCH_BYTES.observe(len(result.body))
        return result

    async def _request(self, url: str, current: str, headers: dict[str, str]) -> _Body | _Redirect:
        """One hop: the body, or the redirect to follow."""
        try:
            async with self._client.stream("GET", current, headers=headers) as r:
                if r.status_code in REDIRECT_STATUSES and "location" in r.headers:
                    return _Redirect(status=r.status_code, location=r.headers["location"])
                if r.status_code >= 400:
                    raise FetchError(
                        url,
                        "http_error",
                        f"HTTP {r.status_code} from {current}",
                        status=r.status_code,
                        retry_after=_retry_after(r) if r.status_code in {429, 503} else None,
                    )
                if r.status_code == 304:
                    # A 304 has no body, but httpcore hands the connection back to the pool
                    # only once the response is read to its end: unread, it is closed.
                    await r.aread()
                    body = b""
                else:
                    body = await self._read_capped(url, r)
                return _Body(
                    status=r.status_code,
                    content_type=r.headers.get("content-type", ""),
                    body=body,
                    etag=r.headers.get("etag"),
                    last_modified=r.headers.get("last-modified"),
                    max_age=_max_age(r.headers.get("cache-control", "")),
                )
        except BlockedAddressError as e:
            raise FetchError(url, "blocked", f"refused {current}: {e}") from e
        except httpx.TimeoutException as e:
            raise FetchError(url, "timeout", f"{type(e).__name__} from {current}") from e
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as e:
            raise FetchError(url, "invalid_url", str(e)) from e
        except httpx.TransportError as e:
            raise FetchError(url, "connect", f"{type(e).__name__} from {current}: {e}") from e

    async def _read_capped(self, url: str, r: httpx.Response) -> bytes:
        """The decoded body, refused as soon as it would pass ``max_bytes``.

        Decompression is done here, chunk by chunk with an output cap, so a
        compression bomb never inflates past the limit in memory.
        """
        limit = self._settings.max_bytes
        declared = r.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(url, "too_large", f"Content-Length {declared} exceeds {limit} bytes")
        decoder = _decoder(url, r.headers.get("content-encoding", ""))
        chunks: list[bytes] = []
        size = 0
        async for raw in r.aiter_raw():
            pending = raw
            while pending:
                if decoder is None:
                    data, pending = pending, b""
                else:
                    try:
                        data = decoder.decompress(pending, limit - size + 1)
                    except zlib.error as e:
                        raise FetchError(url, "decoding", f"corrupt compressed body: {e}") from e
                    pending = decoder.unconsumed_tail
                size += len(data)
                if size > limit:
                    raise FetchError(url, "too_large", f"body exceeds {limit} bytes")
                chunks.append(data)
        if decoder is not None and not decoder.eof:
            raise FetchError(url, "decoding", "compressed body ends early (truncated)")
        return b"".join(chunks)


@dataclass(frozen=True)
class _Body:
    status: int
    content_type: str
    body: bytes
    etag: str | None
    last_modified: str | None
    max_age: int | None


@dataclass(frozen=True)
class _Redirect:
    status: int
    location: str


def _max_age(cache_control: str) -> int | None:
    for directive in cache_control.lower().split(","):
        name, _, value = directive.strip().partition("=")
        if name in {"max-age", "s-maxage"} and value.strip().isdigit():
            return int(value.strip())
    return None


def _retry_after(r: httpx.Response) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), capped."""
    value = r.headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            seconds = (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds()
        except (TypeError, ValueError):
            return None
    return max(0.0, min(seconds, MAX_RETRY_AFTER_S))


def _decoder(url: str, content_encoding: str) -> Any:
    encoding = content_encoding.strip().lower()
    if encoding in {"", "identity"}:
        return None
    if encoding in {"gzip", "x-gzip"}:
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj(zlib.MAX_WBITS)
    raise FetchError(url, "decoding", f"unsupported Content-Encoding {content_encoding!r}")


def media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def is_html(response: Response) -> bool:
    kind = media_type(response.content_type)
    return kind in {"text/html", "application/xhtml+xml"} or (
        not kind and _looks_like_html(response)
    )


def _looks_like_html(response: Response) -> bool:
    head = response.body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html"))


def decode_html(body: bytes, content_type: str) -> str:
    """Text of an HTML body: header charset, then ``<meta>`` charset, then detection.

    A declared charset that the bytes contradict (strict decoding fails) is
    skipped rather than trusted, and a single-byte label on a body that is
    valid non-ASCII UTF-8 (a common server default) yields to UTF-8, so
    mislabelled pages still read correctly.
    """
    utf8_text = _strict_utf8(body)
    for declared in (_header_charset(content_type), _meta_charset(body)):
        if not declared:
            continue
        if utf8_text is not None and not body.isascii() and _is_single_byte_latin(declared):
            return utf8_text
        try:
            return body.decode(declared)
        except (LookupError, UnicodeDecodeError):
            continue
    if utf8_text is not None:
        return utf8_text
    best = from_bytes(body).best()
    return str(best) if best is not None else body.decode("utf-8", "replace")


def _strict_utf8(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _is_single_byte_latin(charset: str) -> bool:
    return charset.lower().replace("_", "-") in _SINGLE_BYTE_LATIN


def _header_charset(content_type: str) -> str | None:
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:4096])
    return match.group(1).decode("ascii") if match else None

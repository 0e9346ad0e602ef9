"""A small loopback HTTP server for the demo site and the test suite.

Serves a table of routes with ETag / Last-Modified validation (304s), gzip on
request, redirects, and arbitrary handlers, and records every request so
callers can see what a client sent.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import ClassVar

Handler = Callable[[BaseHTTPRequestHandler], None]

# One fixed Last-Modified for static routes keeps conditional GETs deterministic.
STATIC_LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    validators: bool = True  # send ETag and Last-Modified, answer 304 when they match
    delay: float = 0.0  # seconds to wait before answering: a slow server
    handler: Handler | None = None  # full control, for faults and odd servers

    @classmethod
    def redirect(cls, location: str, status: int = 301) -> Route:
        return cls(status=status, headers={"Location": location}, validators=False)


@dataclass(frozen=True)
class SeenRequest:
    path: str
    headers: dict[str, str]
    at: float  # time.monotonic() when it arrived


class SiteServer:
    """``with SiteServer(routes) as server: server.url("/feed.xml")``."""

    def __init__(self, routes: dict[str, Route] | None = None) -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self.requests: list[SeenRequest] = []
        self._lock = threading.Lock()
        site = self

        class _Handler(_RouteHandler):
            server_site: ClassVar[SiteServer] = site

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def requests_for(self, path: str) -> list[SeenRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def start(self) -> SiteServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _record(self, path: str, headers: dict[str, str]) -> None:
        with self._lock:
            self.requests.append(SeenRequest(path=path, headers=headers, at=time.monotonic()))


class _RouteHandler(BaseHTTPRequestHandler):
    server_site: ClassVar[SiteServer]
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test and demo output clean

    def do_GET(self) -> None:
        site = self.server_site
        site._record(self.path, {k.lower(): v for k, v in self.headers.items()})
        route = site.routes.get(self.path) or site.routes.get(self.path.split("?", 1)[0])
        if route is None:
            self._send(404, b"not found", {"Content-Type": "text/plain"})
            return
        if route.delay:
            time.sleep(route.delay)
        if route.handler is not None:
            route.handler(self)
            return
        headers = {"Content-Type": route.content_type, **route.headers}
        if route.validators and route.status == 200:
            etag = '"' + hashlib.sha256(route.body).hexdigest()[:16] + '"'
            headers |= {"ETag": etag, "Last-Modified": STATIC_LAST_MODIFIED}
            if self.headers.get("If-None-Match") == etag or (
                "If-None-Match" not in self.headers
                and self.headers.get("If-Modified-Since") == STATIC_LAST_MODIFIED
            ):
                self._send(304, b"", {"ETag": etag, "Last-Modified": STATIC_LAST_MODIFIED})
                return
        body = route.body
        if (
            "gzip" in self.headers.get("Accept-Encoding", "")
            and len(body) > 512
            and "Content-Encoding" not in headers
        ):
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        self._send(route.status, body, headers)

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if status != 304:
            # the client may hang up mid-body: a fetch deadline or size cap cut it off
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

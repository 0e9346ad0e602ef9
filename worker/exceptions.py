"""One error tree for feedworker.

::

    FeedworkerError
     +-- ConfigError        bad configuration file or value (names the key)
     +-- StorageError       database missing, locked, read-only or corrupt
     +-- FetchError         a feed or page could not be fetched (url, kind)
     +-- ParseError         a feed body yielded no entries (url)
     +-- ExtractError       a page yielded no article text (url)
          +-- WorkerDiedError   the cleaning worker died holding the page (retried later)

Feed and page errors are data: the pipeline records them on the feed or entry
and goes on. Configuration and storage errors stop `run --once` and the CLI
commands (exit 2); the daemon logs a failed cycle and tries again at the next tick.
"""

from __future__ import annotations


class FeedworkerError(Exception):
    """Root of every error feedworker raises on purpose."""


class ConfigError(FeedworkerError):
    """The configuration is unusable; the message names the offending key."""


class StorageError(FeedworkerError):
    """The database cannot be opened, migrated or written."""


class _UrlError(FeedworkerError):
    kind: str = "error"

    def __init__(self, url: str, message: str) -> None:
        super().__init__(message)
        self.url = url
        self.message = message

    def __str__(self) -> str:
        return f"{self.kind}: {self.message}"


class FetchError(_UrlError):
    """A request failed; ``kind`` is a short machine-readable class of failure.

    Kinds: ``timeout``, ``too_large``, ``http_error``, ``connect``, ``decoding``,
    ``too_many_redirects``, ``unsupported_content``, ``invalid_url``, ``blocked``
    (private-network guard), ``rate_limited`` (Retry-After longer than a request may
    wait), ``robots`` (disallowed), ``robots_unavailable``.
    """

    def __init__(
        self,
        url: str,
        kind: str,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(url, message)
        self.kind = kind
        self.status = status
        # seconds the server asked us to wait (Retry-After on 429 / 503)
        self.retry_after = retry_after


class ParseError(_UrlError):
    """A feed body could not be turned into entries."""

    kind = "parse"


class ExtractError(_UrlError):
    """A page held no extractable article."""

    kind = "extract"

    def __reduce__(self) -> tuple[type[ExtractError], tuple[str, str]]:
        # raised in cleaning worker processes and re-raised in the parent
        return (type(self), (self.url, self.message))


class WorkerDiedError(ExtractError):
    """The cleaning worker process died while it held the page: killed, out of memory,
    or crashed in C code on this page or on another it held at the same time."""

    kind = "worker_died"

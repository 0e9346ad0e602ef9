"""Cleaning pages in worker processes, so extraction uses every core.

Cleaning (:func:`worker.clean.prepare_page`) is the pipeline's CPU-bound stage;
the event loop only fetches and stores. The workers are *spawned*, not forked
(the parent runs an event loop and threads), and get the rules as read, not
compiled (a spawn whose start-up data outgrew the pipe would wait for the child
to import everything). They ignore SIGINT and SIGTERM (the parent decides when
to stop, and lets them finish the page in hand), and on Linux die with the
process that started them, so a ``kill -9`` of the worker leaves no orphans.

The pool is replaced after :data:`PAGES_PER_WORKER` pages per worker, so that a
leak in an extraction library cannot grow without bound. (Not with
``max_tasks_per_child``: on Python 3.11 a retiring worker is not always
replaced, and the pages queued behind it then wait forever, CPython gh-115634.)
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from .clean import prepare_page
from .config import Settings, SiteRule
from .exceptions import ExtractError, WorkerDiedError
from .logs import configure_logging, event, logger
from .syndication import RuleSet, RuleSource, rule_source
from .types import CleanedPage

PAGES_PER_WORKER = 2000
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class _Job:
    sites: tuple[SiteRule, ...]
    rules: RuleSet
    keep_html: bool


_worker_job: _Job | None = None  # set in each worker process by _start_worker


def _clean_guarded(body: bytes, content_type: str, url: str, job: _Job) -> CleanedPage:
    """:func:`prepare_page`; any crash in third-party extraction code is an ExtractError
    (hostile pages must not stop the queue)."""
    try:
        return prepare_page(
            body, content_type, url, sites=job.sites, rules=job.rules, keep_html=job.keep_html
        )
    except ExtractError:
        raise
    except Exception as e:
        event(logging.ERROR, "extractor_crashed", url=url, error=repr(e))
        raise ExtractError(url, f"extractor crashed: {type(e).__name__}: {e}") from None


def _start_worker(
    parent_pid: int,
    sites: tuple[SiteRule, ...],
    rules: RuleSource,
    keep_html: bool,
    log_level: int,
) -> None:
    if sys.platform.startswith("linux"):
        # Tied to the parent thread that spawned this process: the event loop's, or
        # for a replacement the executor's manager thread, which outlives its workers.
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before the line above
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    configure_logging(log_level)
    global _worker_job
    _worker_job = _Job(sites=sites, rules=rules.load(), keep_html=keep_html)


def _clean_in_worker(body: bytes, content_type: str, url: str) -> CleanedPage:
    assert _worker_job is not None, "worker started without _start_worker"
    return _clean_guarded(body, content_type, url, _worker_job)


class Cleaner:
    """Cleans fetched pages on ``workers`` processes (0: on a thread of this one)."""

    def __init__(
        self,
        *,
        workers: int,
        sites: Iterable[SiteRule],
        rules: RuleSource,
        keep_html: bool,
    ) -> None:
        self._workers = workers
        self._sites = tuple(sites)
        self._rules = rules
        self._keep_html = keep_html
        self._thread_job: _Job | None = None  # made when first needed
        self._pool: ProcessPoolExecutor | None = None
        self._pages_on_pool = 0

    @property
    def in_process(self) -> bool:
        """Pages are cleaned on a thread of this process (its CPU is this process's)."""
        return self._workers == 0

    async def clean(self, body: bytes, content_type: str, url: str) -> CleanedPage:
        """Raises :class:`ExtractError` when the page holds no article, and
        :class:`WorkerDiedError` (worth retrying later) when its worker died."""
        if self.in_process:
            if self._thread_job is None:
                self._thread_job = _Job(
                    sites=self._sites, rules=self._rules.load(), keep_html=self._keep_html
                )
            return await asyncio.to_thread(
                _clean_guarded, body, content_type, url, self._thread_job
            )
        for attempt in (1, 2):
            pool = self._pool_for_next_page()
            try:
                return await asyncio.wrap_future(
                    pool.submit(_clean_in_worker, body, content_type, url)
                )
            # BrokenProcessPool: a worker died (killed, out of memory, crashed in C code),
            # failing every page the pool held; OSError: a worker could not be started
            # (or died while being started); RuntimeError: the pool was shut down.
            except (BrokenProcessPool, OSError, RuntimeError) as e:
                self._discard(pool)
                event(
                    logging.WARNING,
                    "cleaning_worker_died",
                    url=url,
                    attempt=attempt,
                    error=f"{type(e).__name__}: {e}",
                )
        raise WorkerDiedError(url, "the cleaning worker died twice while holding this page")

    def _pool_for_next_page(self) -> ProcessPoolExecutor:
        if self._pool is not None and self._pages_on_pool >= self._workers * PAGES_PER_WORKER:
            # Fresh workers from here on; the old ones finish what they hold, then exit.
            self._pool.shutdown(wait=False)
            self._pool = None
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self._workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(
                    os.getpid(),
                    self._sites,
                    self._rules,
                    self._keep_html,
                    logger.getEffectiveLevel(),
                ),
            )
            self._pages_on_pool = 0
        self._pages_on_pool += 1
        return self._pool

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        if self._pool is pool:
            self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the workers, without waiting here: pages being cleaned are finished
        (the interpreter waits for them at exit), queued ones are dropped."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> Cleaner:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def rules_source(settings: Settings) -> RuleSource:
    """The configured rules (bundled, with the user's file over them), read once."""
    rules_file = settings.syndication.rules_file
    return rule_source(
        Path(rules_file) if rules_file else None, threshold=settings.syndication.threshold
    )


def cleaner_for(settings: Settings, rules: RuleSource) -> Cleaner:
    return Cleaner(
        workers=settings.extract.workers,
        sites=settings.sites,
        rules=rules,
        keep_html=settings.store.keep_html,
    )

"""Cleaning pages in worker processes, so extraction uses every core.

Cleaning (:func:`worker.clean.prepare_page`) is the pipeline's CPU-bound stage;
the event loop only fetches and stores. The workers are *spawned*, not forked
(the parent runs an event loop and threads), load the rules once at start (a
loader is sent, not the compiled rules: a spawn whose start-up data outgrows the
pipe would block the event loop until the child has imported everything),
are replaced after :data:`PAGES_PER_WORKER` pages so that a leak in an
extraction library cannot grow without bound, ignore SIGINT and SIGTERM (the
parent decides when to stop, and lets them finish the page in hand), and on
Linux die with the process that started them, so a ``kill -9`` of the worker
leaves no orphans behind.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import TracebackType

from .clean import prepare_page
from .config import Settings, SiteRule
from .exceptions import ExtractError
from .logs import configure_logging, event, logger
from .syndication import RuleSet, load_rules
from .types import CleanedPage

PAGES_PER_WORKER = 2000
_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class _Job:
    sites: tuple[SiteRule, ...]
    rules: RuleSet
    keep_html: bool


_job: _Job | None = None  # set in each worker process by _start_worker


def clean_guarded(body: bytes, content_type: str, url: str, job: _Job) -> CleanedPage:
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
    rules: Callable[[], RuleSet],
    keep_html: bool,
    log_level: int,
) -> None:
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before the line above
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    configure_logging(log_level)
    global _job
    _job = _Job(sites=sites, rules=rules(), keep_html=keep_html)


def _clean_in_worker(body: bytes, content_type: str, url: str) -> CleanedPage:
    assert _job is not None, "worker started without _start_worker"
    return clean_guarded(body, content_type, url, _job)


class Cleaner:
    """Cleans fetched pages on ``workers`` processes (0: on a thread of this one).

    ``rules`` loads the rule set; it is sent to each worker, so it must pickle
    (a module-level function, or a :func:`functools.partial` of one).
    """

    def __init__(
        self,
        *,
        workers: int,
        sites: Iterable[SiteRule],
        rules: Callable[[], RuleSet],
        keep_html: bool,
    ) -> None:
        self._workers = workers
        self._sites = tuple(sites)
        self._rules = rules
        self._keep_html = keep_html
        self._job: _Job | None = None  # for cleaning on a thread, made when first needed
        self._pool: ProcessPoolExecutor | None = None

    async def clean(self, body: bytes, content_type: str, url: str) -> CleanedPage:
        """Raises :class:`ExtractError` when the page holds no article."""
        if self._workers == 0:
            if self._job is None:
                self._job = _Job(sites=self._sites, rules=self._rules(), keep_html=self._keep_html)
            return await asyncio.to_thread(clean_guarded, body, content_type, url, self._job)
        for attempt in (1, 2):
            pool = self._pool or self._start()
            try:
                return await asyncio.wrap_future(
                    pool.submit(_clean_in_worker, body, content_type, url)
                )
            # BrokenPipeError: the worker being spawned for this page died first
            except (BrokenProcessPool, BrokenPipeError):
                # A worker died (killed, out of memory, crashed in C code): every page it
                # held fails with this; start afresh and try each of them once more.
                if self._pool is pool:
                    self._pool = None
                    pool.shutdown(wait=False, cancel_futures=True)
                event(logging.WARNING, "cleaning_worker_died", url=url, attempt=attempt)
        raise ExtractError(url, "a cleaning worker died on this page twice")

    def _start(self) -> ProcessPoolExecutor:
        self._pool = ProcessPoolExecutor(
            max_workers=self._workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(os.getpid(), self._sites, self._rules, self._keep_html, logger.level),
            max_tasks_per_child=PAGES_PER_WORKER,
        )
        return self._pool

    def close(self) -> None:
        """Stop the workers; pages they are cleaning are finished first."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
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


def rules_loader(settings: Settings) -> Callable[[], RuleSet]:
    """Loads the configured rules (bundled, with the user's file over them); picklable."""
    rules_file = settings.syndication.rules_file
    return partial(
        load_rules,
        Path(rules_file) if rules_file else None,
        threshold=settings.syndication.threshold,
    )


def cleaner_for(settings: Settings) -> Cleaner:
    return Cleaner(
        workers=settings.extract.workers,
        sites=settings.sites,
        rules=rules_loader(settings),
        keep_html=settings.store.keep_html,
    )

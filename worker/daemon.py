"""``feedworker run``: the long-running service (APScheduler on asyncio).

The schedule lives in the database: each tick, one job asks for the feeds whose
``next_poll_at`` has passed (an indexed query, at most ``[schedule] batch``)
instead of holding a job per feed, so 100,000 feeds cost no memory and a
restart resumes where the last run left off. Housekeeping (WAL checkpoint,
``PRAGMA optimize``, retention) runs on the same scheduler.

Signals: SIGTERM/SIGINT stop new work, give in-flight requests
``[daemon] shutdown_grace`` seconds, then abandon the rest (it stays pending
and is done next time) and exit 0; a second signal exits at once (SQLite's
journal keeps the store intact). SIGHUP re-reads the config's feed list.
With systemd ``Type=notify`` it reports READY, WATCHDOG pings and STOPPING.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from . import metrics
from .cleaner import Cleaner, cleaner_for
from .config import Settings
from .fetch import Fetcher
from .logs import event
from .pipeline import Ingestor
from .store import Store, iso
from .syndication import RuleSource

LAST_CYCLE_KEY = "last_cycle_at"
EXIT_INTERRUPTED = 130


def run_daemon(
    settings: Settings, store: Store, rules: RuleSource, *, reload_feeds: Callable[[], None]
) -> None:
    asyncio.run(_Daemon(settings, store, rules, reload_feeds).serve())


def notify(message: str) -> None:
    """sd_notify(3): tell systemd about our state, when it listens."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return
    if address.startswith("@"):
        address = "\0" + address[1:]  # abstract namespace
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.connect(address)
            sock.sendall(message.encode("utf-8"))
    except OSError as e:
        event(logging.WARNING, "notify_failed", message=message, error=str(e))


class _Daemon:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        rules: RuleSource,
        reload_feeds: Callable[[], None],
    ) -> None:
        self._settings = settings
        self._store = store
        self._rule_source = rules
        self._rules = rules.load()
        self._reload_feeds = reload_feeds
        self._stopping = asyncio.Event()
        self._cycle: asyncio.Task[None] | None = None
        self._ingestor: Ingestor | None = None

    async def serve(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, self._on_stop_signal)
        loop.add_signal_handler(signal.SIGHUP, self._on_reload_signal)
        daemon = self._settings.daemon
        if daemon.metrics_port:
            metrics.serve(daemon.metrics_address, daemon.metrics_port)
        async with Fetcher(self._settings.fetch) as fetcher:
            with cleaner_for(self._settings, self._rule_source) as cleaner:
                await self._serve(fetcher, cleaner)

    async def _serve(self, fetcher: Fetcher, cleaner: Cleaner) -> None:
        daemon = self._settings.daemon
        self._ingestor = Ingestor(self._settings, self._store, fetcher, cleaner, rules=self._rules)
        scheduler = self._scheduler()
        scheduler.start()
        notify("READY=1")
        event(logging.INFO, "daemon_started", tick_s=self._settings.schedule.tick)
        await self._stopping.wait()
        notify("STOPPING=1")
        event(logging.INFO, "daemon_stopping", grace_s=daemon.shutdown_grace)
        # Launch nothing new, let the running cycle finish its in-flight work within
        # the grace period, and only then stop the scheduler (which would cancel it).
        scheduler.pause()
        self._ingestor.stop()
        await self._finish_cycle(daemon.shutdown_grace)
        scheduler.shutdown(wait=False)
        event(logging.INFO, "daemon_stopped")

    def _scheduler(self) -> AsyncIOScheduler:
        scheduler = AsyncIOScheduler(timezone=UTC)
        now = datetime.now(UTC)
        # One cycle at a time (max_instances=1); ticks missed while one runs coalesce.
        scheduler.add_job(
            self._run_cycle,
            "interval",
            seconds=self._settings.schedule.tick,
            id="cycle",
            max_instances=1,
            coalesce=True,
            next_run_time=now,
        )
        housekeeping = self._settings.daemon.housekeeping_interval
        scheduler.add_job(
            self._housekeeping,
            "interval",
            seconds=housekeeping,
            id="housekeeping",
            max_instances=1,
            coalesce=True,
            next_run_time=now + timedelta(seconds=housekeeping),
        )
        watchdog_usec = os.environ.get("WATCHDOG_USEC", "")
        if watchdog_usec.isdigit():
            # Pinged from the scheduler's own loop: a stuck loop stops the pings.
            scheduler.add_job(
                notify,
                "interval",
                args=["WATCHDOG=1"],
                id="watchdog",
                seconds=max(1.0, int(watchdog_usec) / 2e6),
                next_run_time=now,
            )
        return scheduler

    async def _run_cycle(self) -> None:
        if self._stopping.is_set() or self._ingestor is None:
            return
        self._cycle = asyncio.current_task()
        started = time.monotonic()
        now = datetime.now(UTC)
        try:
            report = await self._ingestor.run_cycle(
                due_before=now, limit=self._settings.schedule.batch
            )
        finally:
            self._cycle = None
        if self._stopping.is_set():
            return  # an interrupted cycle is not a completed one
        finished = datetime.now(UTC)
        self._store.set_state(LAST_CYCLE_KEY, iso(finished) or "")
        counts = self._store.feed_counts(now=finished)
        metrics.LAST_CYCLE.set(finished.timestamp())
        metrics.CYCLE_SECONDS.set(time.monotonic() - started)
        metrics.FEEDS_DUE.set(counts["due"])
        metrics.FEEDS_PARKED.set(counts["parked"])
        event(
            logging.INFO,
            "cycle_done",
            feeds=report.feeds_polled,
            new_entries=report.new_entries,
            duration_s=round(time.monotonic() - started, 3),
            feeds_due=counts["due"],
            feeds_parked=counts["parked"],
            cpu_s={stage: round(cpu, 3) for stage, cpu in sorted(report.cpu_s.items())},
            **dict(report.outcomes),
        )

    async def _housekeeping(self) -> None:
        self._store.checkpoint_and_optimize()
        keep_days = self._settings.store.keep_days
        if keep_days:
            now = datetime.now(UTC)
            purged = self._store.purge_older_than(now - timedelta(days=keep_days), now=now)
            event(logging.INFO, "retention", purged=purged, keep_days=keep_days)

    async def _finish_cycle(self, grace: float) -> None:
        cycle = self._cycle
        if cycle is None:
            return
        done, _ = await asyncio.wait([cycle], timeout=grace)
        if not done:
            event(logging.WARNING, "shutdown_abandoning_work", grace_s=grace)
            cycle.cancel()
            await asyncio.gather(cycle, return_exceptions=True)

    def _on_stop_signal(self) -> None:
        if self._stopping.is_set():
            event(logging.WARNING, "daemon_killed", reason="second signal")
            os._exit(EXIT_INTERRUPTED)
        self._stopping.set()

    def _on_reload_signal(self) -> None:
        event(logging.INFO, "reloading_feeds")
        try:
            self._reload_feeds()
        except Exception as e:
            # a broken config on reload must not take the running service down
            event(logging.ERROR, "reload_failed", error=str(e))

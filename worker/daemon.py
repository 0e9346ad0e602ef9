"""``feedworker run``: the scheduling daemon (APScheduler, asyncio).

One scheduler job ticks every ``[schedule] tick`` seconds and runs a cycle over
the feeds that are due, found with an indexed query on ``feeds.next_poll_at``
rather than one job per feed, so the schedule lives in the database and a
restart resumes it.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from .config import Settings
from .fetch import Fetcher
from .logs import event
from .pipeline import Ingestor
from .store import Store
from .syndication import RuleSet

SHUTDOWN_GRACE_S = 10.0


def run_daemon(settings: Settings, store: Store, rules: RuleSet) -> None:
    asyncio.run(_serve(settings, store, rules))


async def _serve(settings: Settings, store: Store, rules: RuleSet) -> None:
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)

    async with Fetcher(settings.fetch) as fetcher:
        ingestor = Ingestor(settings, store, fetcher, rules=rules)
        running: set[asyncio.Task[None]] = set()

        async def cycle() -> None:
            task = asyncio.current_task()
            assert task is not None
            running.add(task)
            try:
                report = await ingestor.run_cycle(due_before=datetime.now(UTC))
                event(
                    logging.INFO,
                    "cycle_done",
                    feeds=report.feeds_polled,
                    new_entries=report.new_entries,
                    **dict(report.outcomes),
                )
            finally:
                running.discard(task)

        scheduler = AsyncIOScheduler(timezone=UTC)
        scheduler.add_job(
            cycle,
            "interval",
            seconds=settings.schedule.tick,
            id="cycle",
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(UTC),
        )
        scheduler.start()
        event(logging.INFO, "daemon_started", tick_s=settings.schedule.tick)
        await stopping.wait()
        event(logging.INFO, "daemon_stopping")
        scheduler.shutdown(wait=False)
        if running:
            _, unfinished = await asyncio.wait(running, timeout=SHUTDOWN_GRACE_S)
            for task in unfinished:
                task.cancel()
            await asyncio.gather(*unfinished, return_exceptions=True)
    event(logging.INFO, "daemon_stopped")

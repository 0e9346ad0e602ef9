"""When to poll a feed next, and when to give up on it (pure: every function takes ``now``).

Intervals adapt: a poll that brings new entries shortens the feed's interval,
an empty one lengthens it, always within ``[min_interval, max_interval]`` and
never below what the feed itself asks for (RSS ``<ttl>``, ``sy:updatePeriod``,
``Cache-Control: max-age``).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

MAX_BACKOFF_S = 24 * 3600
JITTER_FRACTION = 0.1
FASTER = 0.75  # interval factor after a poll with new entries
SLOWER = 1.25  # ... after a poll without
FIRST_POLL_SPREAD_S = 600


def next_interval(
    current_s: int, *, new_entries: int, hint_s: int | None, bounds: tuple[int, int]
) -> int:
    """The feed's interval after a successful poll."""
    lowest, highest = bounds
    proposed = current_s * (FASTER if new_entries else SLOWER)
    floor = max(lowest, min(hint_s or 0, highest))
    return int(min(highest, max(floor, proposed)))


def with_jitter(now: datetime, interval_s: int, *, rng: random.Random) -> datetime:
    """``now + interval`` plus up to 10% so feeds drift apart instead of moving in lockstep."""
    return now + timedelta(seconds=interval_s * (1 + JITTER_FRACTION * rng.random()))


def first_poll(now: datetime, interval_s: int, *, rng: random.Random) -> datetime:
    """When a newly imported feed is first polled: spread over the first minutes, so
    importing thousands of feeds does not poll them all in the same second."""
    return now + timedelta(seconds=rng.uniform(0, min(interval_s, FIRST_POLL_SPREAD_S)))


def next_poll_after_failure(
    now: datetime, interval_s: int, error_count: int, *, retry_after_s: float | None = None
) -> datetime:
    """Exponential backoff from the feed's interval, capped at a day, and never sooner
    than a Retry-After. ``error_count`` counts consecutive failures including this one."""
    delay = min(interval_s * 2 ** max(0, error_count - 1), max(MAX_BACKOFF_S, interval_s))
    return now + timedelta(seconds=max(delay, retry_after_s or 0))


def should_park(*, error_count: int, status: int | None, park_after: int) -> bool:
    """Stop polling a feed that is gone (410) or has failed ``park_after`` times running."""
    return status == 410 or error_count >= park_after


def next_attempt_after_failure(now: datetime, attempts: int, base_s: int) -> datetime:
    """When to retry a page that failed for the ``attempts``-th time: base, x4, x16, ..."""
    return now + timedelta(seconds=min(base_s * 4 ** max(0, attempts - 1), MAX_BACKOFF_S))

"""When to poll a feed next (pure: every function takes ``now``)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

MAX_BACKOFF_S = 24 * 3600
JITTER_FRACTION = 0.1


def next_poll_after_success(now: datetime, interval_s: int, *, rng: random.Random) -> datetime:
    """The feed's own interval, with a little jitter so feeds don't move in lockstep."""
    jitter = interval_s * JITTER_FRACTION * rng.random()
    return now + timedelta(seconds=interval_s + jitter)


def next_attempt_after_failure(now: datetime, attempts: int, base_s: int) -> datetime:
    """When to retry a page that failed for the ``attempts``-th time: base, x4, x16, ..."""
    return now + timedelta(seconds=min(base_s * 4 ** max(0, attempts - 1), MAX_BACKOFF_S))


def next_poll_after_failure(now: datetime, interval_s: int, error_count: int) -> datetime:
    """Exponential backoff from the feed's interval, capped at a day.

    ``error_count`` counts consecutive failures including this one.
    """
    delay = min(interval_s * 2 ** max(0, error_count - 1), max(MAX_BACKOFF_S, interval_s))
    return now + timedelta(seconds=delay)

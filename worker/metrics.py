"""Prometheus metrics, served by the daemon on ``[daemon] metrics_port`` (off by default).

Stages only increment; :func:`serve` exposes them. One registry of our own, so
nothing else in the process leaks into the scrape.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

REGISTRY = CollectorRegistry()

POLLS = Counter(
    "feedworker_polls",
    "Feed polls by outcome: the HTTP status (200, 304) or the error kind.",
    ["outcome"],
    registry=REGISTRY,
)
ENTRIES = Counter(
    "feedworker_entries",
    "Entries processed, by status (stored, duplicate_url, duplicate_content, failed, skipped).",
    ["status"],
    registry=REGISTRY,
)
SYNDICATED = Counter(
    "feedworker_syndicated_articles", "Articles stored flagged as syndicated.", registry=REGISTRY
)
FETCH_SECONDS = Histogram(
    "feedworker_fetch_seconds",
    "Time from sending a request to the last byte of its body.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
    registry=REGISTRY,
)
FETCH_BYTES = Histogram(
    "feedworker_fetch_bytes",
    "Decoded size of fetched bodies.",
    buckets=(1e3, 1e4, 3e4, 1e5, 3e5, 1e6, 3e6, 1e7),
    registry=REGISTRY,
)
FEEDS_DUE = Gauge("feedworker_feeds_due", "Feeds due for a poll.", registry=REGISTRY)
FEEDS_PARKED = Gauge("feedworker_feeds_parked", "Feeds parked after failures.", registry=REGISTRY)
LAST_CYCLE = Gauge(
    "feedworker_last_cycle_timestamp_seconds",
    "When the last poll cycle completed (Unix time).",
    registry=REGISTRY,
)
CYCLE_SECONDS = Gauge(
    "feedworker_last_cycle_duration_seconds", "How long the last cycle took.", registry=REGISTRY
)


def serve(address: str, port: int) -> None:
    start_http_server(port, addr=address, registry=REGISTRY)

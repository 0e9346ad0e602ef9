"""Settings: frozen dataclasses loaded from a TOML file, every key checked.

Unknown keys and bad values raise :class:`ConfigError` naming the key, so a
typo in a deployment never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cssselect import GenericTranslator, SelectorError

from .exceptions import ConfigError
from .urls import is_http_url

DEFAULT_CONFIG_PATH = Path("config/feedworker.toml")
CONFIG_ENV_VAR = "FEEDWORKER_CONFIG"

DEFAULT_STORE_PATH = "feedworker.db"
DEFAULT_USER_AGENT = "feedworker/0.1 (+https://github.com/feedworker/feedworker)"
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_CONCURRENCY = 16
DEFAULT_PER_HOST_CONCURRENCY = 2
DEFAULT_MAX_REDIRECTS = 5
DEFAULT_PER_HOST_DELAY_S = 0.5
DEFAULT_INTERVAL_S = 30 * 60
DEFAULT_TICK_S = 30
DEFAULT_MIN_INTERVAL_S = 5 * 60
DEFAULT_MAX_INTERVAL_S = 24 * 3600
DEFAULT_PARK_AFTER = 10
DEFAULT_BATCH = 1000
DEFAULT_SHUTDOWN_GRACE_S = 10.0
DEFAULT_HEALTH_MAX_AGE_S = 15 * 60
DEFAULT_HOUSEKEEPING_INTERVAL_S = 3600
DEFAULT_RETRY_BACKOFF_S = 60
DEFAULT_SYNDICATION_THRESHOLD = 0.5
DEFAULT_NEAR_DUPLICATE_SIMILARITY = 0.5

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}


def parse_duration(value: object, *, key: str) -> int:
    """Seconds from ``90``, ``"90s"``, ``"10m"``, ``"1h"`` or ``"1d"``."""
    if isinstance(value, bool):
        raise ConfigError(f"{key}: expected a duration such as '10m', got {value!r}")
    if isinstance(value, int | float) and math.isfinite(value):
        seconds = float(value)
    elif isinstance(value, str) and (match := _DURATION.match(value)):
        seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    else:
        raise ConfigError(f"{key}: expected a duration such as '10m', got {value!r}")
    if seconds < 1:
        raise ConfigError(f"{key}: must be at least 1 second, got {value!r}")
    return int(seconds)


@dataclass(frozen=True, kw_only=True)
class StoreSettings:
    path: str = DEFAULT_STORE_PATH
    # keep each fetched page, compressed, so `feedworker reprocess` needs no refetch
    keep_html: bool = True
    # articles older than this are purged (tombstones stop them coming back); 0: keep all
    keep_days: int = 0


@dataclass(frozen=True, kw_only=True)
class SyndicationSettings:
    rules_file: str | None = None
    threshold: float = DEFAULT_SYNDICATION_THRESHOLD
    # word-shingle Jaccard at or above which two texts are copies of one story
    near_duplicate_similarity: float = DEFAULT_NEAR_DUPLICATE_SIMILARITY


@dataclass(frozen=True, kw_only=True)
class FetchSettings:
    user_agent: str = DEFAULT_USER_AGENT
    timeout: float = DEFAULT_TIMEOUT_S
    max_bytes: int = DEFAULT_MAX_BYTES
    concurrency: int = DEFAULT_CONCURRENCY
    per_host_concurrency: int = DEFAULT_PER_HOST_CONCURRENCY
    max_redirects: int = DEFAULT_MAX_REDIRECTS
    # seconds between the starts of two requests to one host (0: no delay)
    per_host_delay: float = DEFAULT_PER_HOST_DELAY_S
    respect_robots: bool = True
    # by default nothing is fetched from loopback, private, link-local, ... addresses
    allow_private_networks: bool = False
    allowed_networks: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ScheduleSettings:
    default_interval: int = DEFAULT_INTERVAL_S
    # bounds of every feed's adaptive interval
    min_interval: int = DEFAULT_MIN_INTERVAL_S
    max_interval: int = DEFAULT_MAX_INTERVAL_S
    tick: int = DEFAULT_TICK_S
    # first wait before a failed page is tried again (then x4 each time, 3 attempts)
    retry_backoff: int = DEFAULT_RETRY_BACKOFF_S
    # consecutive failures after which a feed is parked (410 Gone parks at once)
    park_after: int = DEFAULT_PARK_AFTER
    # feeds polled per daemon cycle at most; the rest wait for the next tick
    batch: int = DEFAULT_BATCH


@dataclass(frozen=True, kw_only=True)
class DaemonSettings:
    # seconds in-flight work may take to finish after SIGTERM / SIGINT
    shutdown_grace: float = DEFAULT_SHUTDOWN_GRACE_S
    # Prometheus metrics on http://metrics_address:metrics_port/ (0: off)
    metrics_port: int = 0
    metrics_address: str = "127.0.0.1"
    # `feedworker health` fails when the last completed cycle is older than this
    health_max_age: int = DEFAULT_HEALTH_MAX_AGE_S
    # WAL checkpoint, PRAGMA optimize and retention run this often
    housekeeping_interval: int = DEFAULT_HOUSEKEEPING_INTERVAL_S


def usable_cpus() -> int:
    """CPUs this process may run on (a container's or systemd's CPU affinity included)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


@dataclass(frozen=True, kw_only=True)
class ExtractSettings:
    # processes that clean pages; 0 cleans on a thread of the main process
    workers: int = field(default_factory=usable_cpus)


@dataclass(frozen=True, kw_only=True)
class SiteRule:
    """Per-site cleaning fixes for pages the extractor gets wrong."""

    host: str
    drop: tuple[str, ...] = ()
    keep: str | None = None


@dataclass(frozen=True, kw_only=True)
class FeedSettings:
    url: str
    name: str | None = None
    interval: int | None = None


@dataclass(frozen=True, kw_only=True)
class Settings:
    store: StoreSettings = field(default_factory=StoreSettings)
    fetch: FetchSettings = field(default_factory=FetchSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    syndication: SyndicationSettings = field(default_factory=SyndicationSettings)
    daemon: DaemonSettings = field(default_factory=DaemonSettings)
    extract: ExtractSettings = field(default_factory=ExtractSettings)
    sites: tuple[SiteRule, ...] = ()
    feeds: tuple[FeedSettings, ...] = ()
    source: Path | None = None


def config_path_from(explicit: str | None) -> Path | None:
    """The config file to read: ``--config``, then the env var, then the default if present."""
    if explicit:
        return Path(explicit)
    if env := os.environ.get(CONFIG_ENV_VAR):
        return Path(env)
    return DEFAULT_CONFIG_PATH if DEFAULT_CONFIG_PATH.is_file() else None


def load_settings(path: Path | None) -> Settings:
    """Read and validate a TOML config; ``None`` gives the built-in defaults."""
    if path is None:
        return Settings()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise ConfigError(f"config file not found: {path}") from e
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read config file {path}: {e}") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML: {e}") from e
    settings = settings_from_mapping(raw)
    return dataclasses.replace(settings, source=path)


def settings_from_mapping(raw: Mapping[str, Any]) -> Settings:
    _reject_unknown(
        raw,
        {"store", "fetch", "schedule", "syndication", "daemon", "extract", "sites", "feeds"},
        prefix="",
    )
    store = _section(raw, "store")
    fetch = _section(raw, "fetch")
    schedule = _section(raw, "schedule")
    syndication = _section(raw, "syndication")
    daemon = _section(raw, "daemon")
    extract = _section(raw, "extract")
    _reject_unknown(extract, {"workers"}, prefix="extract.")
    _reject_unknown(store, {"path", "keep_html", "keep_days"}, prefix="store.")
    _reject_unknown(daemon, {f.name for f in dataclasses.fields(DaemonSettings)}, prefix="daemon.")
    _reject_unknown(
        syndication,
        {f.name for f in dataclasses.fields(SyndicationSettings)},
        prefix="syndication.",
    )
    _reject_unknown(fetch, {f.name for f in dataclasses.fields(FetchSettings)}, prefix="fetch.")
    _reject_unknown(
        schedule, {f.name for f in dataclasses.fields(ScheduleSettings)}, prefix="schedule."
    )
    fetch_settings = FetchSettings(
        user_agent=_string(fetch, "user_agent", "fetch.", DEFAULT_USER_AGENT),
        timeout=_number(fetch, "timeout", "fetch.", DEFAULT_TIMEOUT_S, minimum=0.1),
        max_bytes=_integer(fetch, "max_bytes", "fetch.", DEFAULT_MAX_BYTES, minimum=1024),
        concurrency=_integer(fetch, "concurrency", "fetch.", DEFAULT_CONCURRENCY, minimum=1),
        per_host_concurrency=_integer(
            fetch, "per_host_concurrency", "fetch.", DEFAULT_PER_HOST_CONCURRENCY, minimum=1
        ),
        max_redirects=_integer(fetch, "max_redirects", "fetch.", DEFAULT_MAX_REDIRECTS, minimum=0),
        per_host_delay=_number(
            fetch, "per_host_delay", "fetch.", DEFAULT_PER_HOST_DELAY_S, minimum=0.0
        ),
        respect_robots=_boolean(fetch, "respect_robots", "fetch.", True),
        allow_private_networks=_boolean(fetch, "allow_private_networks", "fetch.", False),
        allowed_networks=_networks(fetch.get("allowed_networks", [])),
    )
    schedule_settings = ScheduleSettings(
        default_interval=parse_duration(
            schedule.get("default_interval", DEFAULT_INTERVAL_S), key="schedule.default_interval"
        ),
        min_interval=parse_duration(
            schedule.get("min_interval", DEFAULT_MIN_INTERVAL_S), key="schedule.min_interval"
        ),
        max_interval=parse_duration(
            schedule.get("max_interval", DEFAULT_MAX_INTERVAL_S), key="schedule.max_interval"
        ),
        tick=parse_duration(schedule.get("tick", DEFAULT_TICK_S), key="schedule.tick"),
        retry_backoff=parse_duration(
            schedule.get("retry_backoff", DEFAULT_RETRY_BACKOFF_S), key="schedule.retry_backoff"
        ),
        park_after=_integer(schedule, "park_after", "schedule.", DEFAULT_PARK_AFTER, minimum=1),
        batch=_integer(schedule, "batch", "schedule.", DEFAULT_BATCH, minimum=1),
    )
    if schedule_settings.min_interval > schedule_settings.max_interval:
        raise ConfigError("schedule.min_interval: must not exceed schedule.max_interval")
    daemon_settings = DaemonSettings(
        shutdown_grace=_number(
            daemon, "shutdown_grace", "daemon.", DEFAULT_SHUTDOWN_GRACE_S, minimum=0.0
        ),
        metrics_port=_integer(daemon, "metrics_port", "daemon.", 0, minimum=0),
        metrics_address=_string(daemon, "metrics_address", "daemon.", "127.0.0.1"),
        health_max_age=parse_duration(
            daemon.get("health_max_age", DEFAULT_HEALTH_MAX_AGE_S), key="daemon.health_max_age"
        ),
        housekeeping_interval=parse_duration(
            daemon.get("housekeeping_interval", DEFAULT_HOUSEKEEPING_INTERVAL_S),
            key="daemon.housekeeping_interval",
        ),
    )
    return Settings(
        store=StoreSettings(
            path=_string(store, "path", "store.", DEFAULT_STORE_PATH),
            keep_html=_boolean(store, "keep_html", "store.", True),
            keep_days=_integer(store, "keep_days", "store.", 0, minimum=0),
        ),
        daemon=daemon_settings,
        extract=ExtractSettings(
            workers=_integer(extract, "workers", "extract.", usable_cpus(), minimum=0)
        ),
        syndication=SyndicationSettings(
            rules_file=_string(syndication, "rules_file", "syndication.", "-")
            if "rules_file" in syndication
            else None,
            threshold=_fraction(syndication, "threshold", DEFAULT_SYNDICATION_THRESHOLD),
            near_duplicate_similarity=_fraction(
                syndication, "near_duplicate_similarity", DEFAULT_NEAR_DUPLICATE_SIMILARITY
            ),
        ),
        fetch=fetch_settings,
        schedule=schedule_settings,
        sites=tuple(_site_rule(item, i) for i, item in enumerate(_table_list(raw, "sites"))),
        feeds=tuple(_feed(item, i) for i, item in enumerate(_table_list(raw, "feeds"))),
    )


def check_feed_url(url: str, *, key: str) -> None:
    """Reject anything but an absolute http(s) URL with a host."""
    if not is_http_url(url):
        raise ConfigError(f"{key}: must be an http(s) URL with a host, got {url!r}")


def _section(raw: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    value = raw.get(name, {})
    if not isinstance(value, Mapping):
        raise ConfigError(f"{name}: expected a table [{name}]")
    return value


def _table_list(raw: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    value = raw.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise ConfigError(f"{name}: expected an array of tables [[{name}]]")
    return value


def _reject_unknown(table: Mapping[str, Any], known: set[str], *, prefix: str) -> None:
    for key in table:
        if key not in known:
            raise ConfigError(f"{prefix}{key}: unknown key (known: {', '.join(sorted(known))})")


def _string(table: Mapping[str, Any], key: str, prefix: str, default: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{prefix}{key}: expected a non-empty string, got {value!r}")
    return value


def _number(
    table: Mapping[str, Any], key: str, prefix: str, default: float, *, minimum: float
) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"{prefix}{key}: expected a number, got {value!r}")
    if value < minimum:
        raise ConfigError(f"{prefix}{key}: must be at least {minimum}, got {value!r}")
    return float(value)


def _integer(table: Mapping[str, Any], key: str, prefix: str, default: int, *, minimum: int) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{prefix}{key}: expected a whole number, got {value!r}")
    if value < minimum:
        raise ConfigError(f"{prefix}{key}: must be at least {minimum}, got {value!r}")
    return value


def _networks(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError("fetch.allowed_networks: expected a list of CIDR strings")
    for cidr in value:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError as e:
            raise ConfigError(f"fetch.allowed_networks: {cidr!r} is not a network: {e}") from e
    return tuple(value)


def _boolean(table: Mapping[str, Any], key: str, prefix: str, default: bool) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{prefix}{key}: expected true or false, got {value!r}")
    return value


def _fraction(table: Mapping[str, Any], key: str, default: float) -> float:
    value = _number(table, key, "syndication.", default, minimum=0.0)
    if value > 1:
        raise ConfigError(f"syndication.{key}: must be between 0 and 1, got {value!r}")
    return value


def _site_rule(item: Mapping[str, Any], index: int) -> SiteRule:
    prefix = f"sites[{index}]."
    _reject_unknown(item, {"host", "drop", "keep"}, prefix=prefix)
    if "host" not in item:
        raise ConfigError(f"{prefix}host: required")
    drop = item.get("drop", [])
    if not isinstance(drop, list) or not all(isinstance(s, str) for s in drop):
        raise ConfigError(f"{prefix}drop: expected a list of CSS selectors")
    keep = item.get("keep")
    if keep is not None and not isinstance(keep, str):
        raise ConfigError(f"{prefix}keep: expected a CSS selector string")
    for key, selector in [("drop", s) for s in drop] + ([("keep", keep)] if keep else []):
        try:
            css_to_xpath(selector)
        except SelectorError as e:
            raise ConfigError(f"{prefix}{key}: invalid CSS selector {selector!r}: {e}") from e
    return SiteRule(host=_string(item, "host", prefix, "").lower(), drop=tuple(drop), keep=keep)


def css_to_xpath(selector: str) -> str:
    """XPath for a CSS selector; raises ``cssselect.SelectorError`` when it is invalid."""
    return str(GenericTranslator().css_to_xpath(selector))


def _feed(item: Mapping[str, Any], index: int) -> FeedSettings:
    prefix = f"feeds[{index}]."
    _reject_unknown(item, {"url", "name", "interval"}, prefix=prefix)
    if "url" not in item:
        raise ConfigError(f"{prefix}url: required")
    url = _string(item, "url", prefix, "")
    check_feed_url(url, key=f"{prefix}url")
    name = item.get("name")
    if name is not None and not isinstance(name, str):
        raise ConfigError(f"{prefix}name: expected a string")
    interval = item.get("interval")
    return FeedSettings(
        url=url,
        name=name,
        interval=None if interval is None else parse_duration(interval, key=f"{prefix}interval"),
    )

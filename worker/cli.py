"""The ``feedworker`` command line: a thin layer over config, store and pipeline."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from .cleaner import cleaner_for, rules_source
from .config import (
    FeedSettings,
    FetchSettings,
    Settings,
    StoreSettings,
    check_feed_url,
    config_path_from,
    load_settings,
    parse_duration,
)
from .daemon import LAST_CYCLE_KEY, run_daemon
from .demo import SiteServer, demo_feed_paths, demo_routes
from .exceptions import ConfigError, FeedworkerError, StorageError
from .fetch import Fetcher
from .logs import configure_logging, event
from .opml import Subscription, parse_opml, render_opml
from .pipeline import Ingestor, RunReport, reprocess
from .schedule import first_poll
from .store import Store, is_demo_database, mark_as_demo
from .syndication import RuleSource, rule_source

EXIT_USAGE = 2
DEMO_DB = "feedworker-demo.db"


@dataclass
class _Context:
    config: str | None
    db: str | None

    def settings(self) -> Settings:
        settings = load_settings(config_path_from(self.config))
        if self.db:
            settings = replace(settings, store=replace(settings.store, path=self.db))
        return settings

    def rules(self, settings: Settings) -> RuleSource:
        """The configured rules as read (once: the cleaning workers compile the same)."""
        return rules_source(settings)

    @contextmanager
    def store(self, settings: Settings | None = None, *, create: bool = True) -> Iterator[Store]:
        """The store, with the config's feeds synced in; ``create=False`` for commands
        that only read and should not leave an empty database behind."""
        settings = settings or self.settings()
        store = Store(settings.store.path, create=create)
        try:
            sync_feeds(store, settings)
            yield store
        finally:
            store.close()


def sync_feeds(store: Store, settings: Settings) -> None:
    """Bring the config's [[feeds]] into the store; new ones first polled spread out."""
    now = datetime.now(UTC)
    rng = random.Random()
    store.sync_config_feeds(
        settings.feeds,
        default_interval_s=settings.schedule.default_interval,
        now=now,
        first_poll=lambda interval: first_poll(now, interval, rng=rng),
    )


class _Group(click.Group):
    """Turns configuration and storage errors into one line and exit status 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (ConfigError, StorageError) as e:
            click.echo(f"feedworker: error: {e}", err=True)
            ctx.exit(EXIT_USAGE)
        except FeedworkerError as e:
            click.echo(f"feedworker: error: {e}", err=True)
            ctx.exit(1)


@click.group(cls=_Group)
@click.option(
    "--config",
    "config_path",
    metavar="PATH",
    envvar="FEEDWORKER_CONFIG",
    help="TOML config (default: config/feedworker.toml when present, else built-in defaults).",
)
@click.option("--db", metavar="PATH", help="Database file, overriding [store] path.")
@click.option("-v", "--verbose", count=True, help="Log per-feed events (-vv for debug).")
@click.version_option(package_name="feedworker")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, db: str | None, verbose: int) -> None:
    """Poll news feeds, store one clean copy of every article in SQLite, flag wire copy."""
    configure_logging(
        logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    )
    ctx.obj = _Context(config=config_path, db=db)


@main.command()
@click.option("--once", is_flag=True, help="Poll every enabled feed now, fetch, store and exit.")
@click.option(
    "--feeds-only",
    is_flag=True,
    help="With --once: poll feeds and record their entries, fetch no pages.",
)
@click.pass_obj
def run(obj: _Context, once: bool, feeds_only: bool) -> None:
    """Run the worker: one cycle with --once, else the scheduling daemon."""
    if feeds_only and not once:
        raise click.UsageError("--feeds-only needs --once")
    settings = obj.settings()
    rules = obj.rules(settings)
    with obj.store(settings) as store:
        if once:
            report = asyncio.run(_run_once(settings, store, rules, fetch_pages=not feeds_only))
            _print_report(report)
        else:

            def reload_feeds() -> None:
                sync_feeds(store, obj.settings())

            run_daemon(settings, store, rules, reload_feeds=reload_feeds)


async def _run_once(
    settings: Settings, store: Store, rules: RuleSource, *, fetch_pages: bool = True
) -> RunReport:
    async with Fetcher(settings.fetch) as fetcher:
        progress = _ProgressBar() if sys.stderr.isatty() else None
        try:
            with cleaner_for(settings, rules) as cleaner:
                ingestor = Ingestor(
                    settings, store, fetcher, cleaner, rules=rules.load(), progress=progress
                )
                report = await ingestor.run_cycle(fetch_pages=fetch_pages)
        finally:
            if progress is not None:
                progress.close()
    event(
        logging.INFO,
        "run_done",
        feeds=report.feeds_polled,
        new_entries=report.new_entries,
        cpu_s={stage: round(cpu, 3) for stage, cpu in sorted(report.cpu_s.items())},
        **dict(report.outcomes),
    )
    return report


class _ProgressBar:
    """A click progress bar per phase, on stderr, only on a terminal."""

    def __init__(self) -> None:
        self._bar: Any = None

    def begin(self, label: str, total: int) -> None:
        self.close()
        self._bar = click.progressbar(length=max(total, 1), label=label, file=sys.stderr)
        self._bar.__enter__()

    def advance(self) -> None:
        if self._bar is not None:
            self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def _print_report(report: RunReport) -> None:
    outcomes = report.outcomes
    feed_failures = sum(report.feed_errors.values())
    click.echo(
        f"Polled {report.feeds_polled + feed_failures} feeds "
        f"({report.feeds_not_modified} not modified, {feed_failures} failed); "
        f"{report.new_entries} new entries.",
        err=True,
    )
    click.echo(
        f"Articles: {outcomes['stored']} stored, {outcomes['duplicate_url']} duplicate URLs, "
        f"{outcomes['duplicate_content']} duplicate texts, {outcomes['failed']} failed, "
        f"{outcomes['skipped']} skipped.",
        err=True,
    )
    for line in report.failures[:20]:
        click.echo(f"  {line}", err=True)
    if len(report.failures) > 20:
        click.echo(f"  ... and {len(report.failures) - 20} more (see the entries table)", err=True)


@main.group()
def feeds() -> None:
    """Add, list, remove, import and export feeds."""


@feeds.command("add")
@click.argument("urls", metavar="URL...", nargs=-1, required=True)
@click.option("--name", help="A display name (with one URL).")
@click.option("--interval", help="Poll interval such as 10m, 1h (default: [schedule]).")
@click.pass_obj
def feeds_add(obj: _Context, urls: tuple[str, ...], name: str | None, interval: str | None) -> None:
    """Register the feeds at URL... (every URL's form is checked first: a malformed one adds
    none; nothing is fetched until the next poll)."""
    for url in urls:
        check_feed_url(url, key="URL")
    if name is not None and len(urls) > 1:
        raise click.UsageError("--name names one feed: give it one URL")
    settings = obj.settings()
    interval_s = (
        parse_duration(interval, key="--interval")
        if interval
        else settings.schedule.default_interval
    )
    with obj.store(settings) as store:
        now = datetime.now(UTC)
        added = store.add_feeds(
            [(url, name, interval_s) for url in urls],
            source="cli",
            now=now,
            first_poll=lambda _: now,
        )
    for url, (feed_id, created) in zip(urls, added, strict=True):
        click.echo(f"{'Added' if created else 'Already registered'}: feed {feed_id} {url}")


@feeds.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per feed.")
@click.pass_obj
def feeds_list(obj: _Context, as_json: bool) -> None:
    """Show every feed with its state and last error."""
    with obj.store(create=False) as store:
        rows = store.feed_rows()
    if as_json:
        for row in rows:
            click.echo(json.dumps(row))
        return
    for row in rows:
        state = "parked" if row["parked_at"] else "enabled" if row["enabled"] else "disabled"
        error = (
            f"  error: {row['last_error_kind']}: {row['last_error']}" if row["last_error"] else ""
        )
        click.echo(
            f"{row['id']:>5}  {state:8}  every {row['poll_interval_s'] or row['interval_s']}s  "
            f"last {row['last_status'] or '-'}  {row['name'] or row['title'] or ''}  {row['url']}"
            f"{error}"
        )


@feeds.command("enable")
@click.argument("url_or_id")
@click.pass_obj
def feeds_enable(obj: _Context, url_or_id: str) -> None:
    """Enable a feed, or revive a parked one: it is polled at the next tick."""
    _set_enabled(obj, url_or_id, enabled=True)


@feeds.command("disable")
@click.argument("url_or_id")
@click.pass_obj
def feeds_disable(obj: _Context, url_or_id: str) -> None:
    """Stop polling a feed (its entries and articles stay)."""
    _set_enabled(obj, url_or_id, enabled=False)


def _set_enabled(obj: _Context, url_or_id: str, *, enabled: bool) -> None:
    with obj.store(create=False) as store:
        feed_id = store.find_feed_id(url_or_id)
        if feed_id is None:
            raise click.ClickException(f"no such feed: {url_or_id}")
        store.set_feed_enabled(feed_id, enabled, now=datetime.now(UTC))
    click.echo(f"{'Enabled' if enabled else 'Disabled'} feed {feed_id}")


@feeds.command("remove")
@click.argument("url_or_id")
@click.pass_obj
def feeds_remove(obj: _Context, url_or_id: str) -> None:
    """Forget a feed (by URL or id) and its entries; stored articles stay."""
    settings = obj.settings()
    with obj.store(settings) as store:
        feed_id = store.find_feed_id(url_or_id)
        if feed_id is None:
            raise click.ClickException(f"no such feed: {url_or_id}")
        configured = {feed.url for feed in settings.feeds}
        if store.feed_url(feed_id) in configured:
            # it would be synced back in at the next start
            raise ConfigError(
                f"feed {feed_id} is listed in {settings.source}; remove it from [[feeds]] there"
            )
        store.remove_feed(feed_id)
    click.echo(f"Removed feed {feed_id}")


@feeds.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def feeds_import(obj: _Context, file: Path) -> None:
    """Register every feed listed in an OPML file."""
    subscriptions = parse_opml(file.read_bytes(), source=str(file))
    settings = obj.settings()
    interval = settings.schedule.default_interval
    now = datetime.now(UTC)
    rng = random.Random()
    with obj.store(settings) as store:
        results = store.add_feeds(
            [(sub.url, sub.title, interval) for sub in subscriptions],
            source="opml",
            now=now,
            first_poll=lambda interval: first_poll(now, interval, rng=rng),
        )
    added = sum(created for _, created in results)
    click.echo(f"Imported {added} new feeds ({len(subscriptions) - added} already registered)")


@feeds.command("export")
@click.pass_obj
def feeds_export(obj: _Context) -> None:
    """Write every feed as OPML to stdout."""
    with obj.store(create=False) as store:
        rows = store.feed_rows()
    subscriptions = [Subscription(url=r["url"], title=r["name"] or r["title"]) for r in rows]
    click.echo(render_opml(subscriptions), nl=False)


@main.command()
@click.option("--max-age", help="Fail when the last completed cycle is older (default: config).")
@click.pass_obj
def health(obj: _Context, max_age: str | None) -> None:
    """Exit 0 when the last poll cycle is recent and the database writable (for HEALTHCHECK)."""
    settings = obj.settings()
    limit = parse_duration(max_age, key="--max-age") if max_age else settings.daemon.health_max_age
    with obj.store(settings, create=False) as store:
        store.check_writable()
        last = store.state(LAST_CYCLE_KEY)
    if last is None:
        raise click.ClickException("unhealthy: no poll cycle has completed yet")
    age = (datetime.now(UTC) - datetime.fromisoformat(last)).total_seconds()
    if age > limit:
        raise click.ClickException(
            f"unhealthy: last poll cycle completed {age:.0f}s ago (limit {limit}s)"
        )
    click.echo(f"ok: last poll cycle completed {age:.0f}s ago; database writable")


@main.command("reprocess")
@click.option(
    "--since", type=click.DateTime(), help="Only pages fetched at or after this date (UTC)."
)
@click.pass_obj
def reprocess_command(obj: _Context, since: datetime | None) -> None:
    """Re-run cleaning, syndication flags and clustering over stored pages (no refetch)."""
    settings = obj.settings()
    rules = obj.rules(settings).load()
    with obj.store(settings) as store:
        report = reprocess(
            store, settings, rules, since=since.replace(tzinfo=UTC) if since else None
        )
    click.echo(
        f"Reprocessed {report.pages} pages: {report.changed} changed, "
        f"{report.unchanged} unchanged, "
        f"{report.clashes} left as they were (text equals another article), "
        f"{report.failed} without article text."
    )


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_obj
def stats(obj: _Context, as_json: bool) -> None:
    """Feeds, entries, articles, duplicates avoided, syndicated items, errors by kind."""
    with obj.store(create=False) as store:
        figures = store.stats()
    if as_json:
        click.echo(json.dumps(figures, indent=2))
        return
    click.echo(f"feeds:              {figures['feeds']} ({figures['feeds_enabled']} enabled)")
    click.echo(f"entries:            {figures['entries']}")
    for status, count in sorted(figures["entries_by_status"].items()):
        click.echo(f"  {status + ':':18}{count}")
    click.echo(f"articles:           {figures['articles']}")
    click.echo(f"duplicates avoided: {figures['duplicates_avoided']}")
    click.echo(f"syndicated:         {figures['syndicated']}")
    for label, errors in (
        ("feed errors", figures["feed_errors"]),
        ("entry errors", figures["entry_errors"]),
    ):
        if errors:
            click.echo(f"{label}:")
            for kind, count in sorted(errors.items()):
                click.echo(f"  {kind + ':':18}{count}")


@main.command()
@click.pass_obj
def demo(obj: _Context) -> None:
    """Serve the bundled sample news site on 127.0.0.1 and ingest it.

    The demo database (--db, default feedworker-demo.db) is recreated each time.
    """
    path = Path(obj.db or DEMO_DB)
    _remove_old_demo_database(path)
    with SiteServer() as server:
        server.routes.update(demo_routes(server.base_url))
        settings = replace(
            Settings(),
            store=StoreSettings(path=str(path)),
            # the demo site is our own, on loopback: allow it, and no politeness delay
            fetch=FetchSettings(allowed_networks=("127.0.0.1/32",), per_host_delay=0),
            feeds=tuple(FeedSettings(url=server.url(p)) for p in demo_feed_paths()),
        )
        click.echo(f"Serving the demo site at {server.base_url}", err=True)
        with _Context(config=None, db=None).store(settings) as store:
            mark_as_demo(store)
            report = asyncio.run(_run_once(settings, store, rule_source(None)))
            _print_report(report)
            figures = store.stats()
    click.echo(
        f"\nDemo database: {path}  ({figures['feeds']} feeds, {figures['articles']} articles, "
        f"{figures['syndicated']} syndicated, {figures['duplicates_avoided']} duplicates avoided)"
    )
    tool = _installed_beside_python("sqlite-utils")
    click.echo("Look at it with:")
    click.echo(f"  {tool} tables {path} --counts")
    click.echo(f'  {tool} {path} "select id, title, source_agency, syndicated from articles" -t')
    click.echo(f"  {tool} search {path} articles ferry -c title")


def _installed_beside_python(name: str) -> str:
    """How to call a script of this environment: bare when it is on PATH, else its path."""
    beside = Path(sys.executable).parent / name
    on_path = shutil.which(name)
    if not beside.exists() or (on_path and Path(on_path).resolve() == beside.resolve()):
        return name
    try:
        return str(beside.relative_to(Path.cwd()))
    except ValueError:
        return str(beside)


def _remove_old_demo_database(path: Path) -> None:
    """Delete a previous demo database, and refuse to touch any other file."""
    if path.exists() and not is_demo_database(path):
        raise StorageError(
            f"{path} exists and was not made by `feedworker demo`; choose another --db"
        )
    for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        stale.unlink(missing_ok=True)

"""The daemon as an operator runs it: a subprocess against a loopback site, 1-second ticks."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import REPO, Cli, article_page, feed_route, html_route, paragraphs, rss

from worker.demo.server import Route, SiteServer

FAST = (
    "[schedule]\ntick = 1\ndefault_interval = 1\nmin_interval = 1\nretry_backoff = 1\n"
    "[fetch]\nrespect_robots = false\n"
)


class Daemon:
    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process

    def stop(self, timeout: float = 30) -> tuple[int, str]:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        _, stderr = self.process.communicate(timeout=timeout)
        return self.process.returncode, stderr


@contextmanager
def daemon(cli: Cli, config: str = FAST, env: dict[str, str] | None = None) -> Iterator[Daemon]:
    path = cli.write_config(config)
    process = subprocess.Popen(
        [sys.executable, "-m", "worker", "-v", "--config", str(path), "--db", str(cli.db), "run"],
        cwd=cli.workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    running = Daemon(process)
    try:
        yield running
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


# A ceiling, not a timing test: a daemon on a loaded machine first spawns its cleaning
# workers, which can take many seconds; passing runs return as soon as the condition holds.
def wait_for(condition: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def _state(cli: Cli, key: str) -> str | None:
    try:
        rows = cli.rows("select value from worker_state where key = ?", [key])
    except sqlite3.OperationalError:  # not migrated yet
        return None
    return rows[0]["value"] if rows else None


def _story(site: SiteServer, path: str, topic: str) -> None:
    site.routes[path] = html_route(article_page(f"Story about {topic}", paragraphs(topic)))


def test_feeds_are_polled_on_their_own_intervals(site: SiteServer, cli: Cli) -> None:
    _story(site, "/a.html", "often")
    site.routes["/often.xml"] = feed_route(rss([{"link": site.url("/a.html")}]))
    site.routes["/rarely.xml"] = feed_route(rss([{"link": site.url("/a.html"), "guid": "r"}]))
    cli("feeds", "add", site.url("/often.xml"), "--interval", "1s", config=FAST)
    cli("feeds", "add", site.url("/rarely.xml"), "--interval", "1h", config=FAST)
    with daemon(cli) as running:
        wait_for(lambda: len(site.requests_for("/often.xml")) >= 4)
        code, stderr = running.stop()
    assert code == 0, stderr
    assert len(site.requests_for("/rarely.xml")) == 1
    feeds = {r["url"].rsplit("/", 1)[1]: r for r in cli.rows("select * from feeds")}
    # it brought a new entry, so its interval shrank (x0.75) from the configured hour
    assert feeds["rarely.xml"]["poll_interval_s"] == 2700
    next_poll = datetime.fromisoformat(feeds["rarely.xml"]["next_poll_at"])
    assert next_poll > datetime.now(UTC) + timedelta(minutes=40)
    assert cli.rows("select count(*) as n from articles") == [{"n": 1}]


def test_failing_feeds_back_off_and_gone_feeds_are_parked(site: SiteServer, cli: Cli) -> None:
    site.routes["/broken.xml"] = Route(body=b"oops", status=500, content_type="text/plain")
    site.routes["/gone.xml"] = Route(body=b"gone", status=410, content_type="text/plain")
    config = FAST + "[daemon]\nhealth_max_age = 60\n"
    config = config.replace("[schedule]\n", "[schedule]\npark_after = 3\n")
    cli("feeds", "add", site.url("/broken.xml"), site.url("/gone.xml"), config=config)
    with daemon(cli, config) as running:
        wait_for(lambda: len(site.requests_for("/broken.xml")) >= 3)
        time.sleep(2)
        code, stderr = running.stop()
    assert code == 0, stderr
    # backoff 1 s, 2 s, then parked after the third failure; 410 parks at once
    assert len(site.requests_for("/broken.xml")) == 3
    assert len(site.requests_for("/gone.xml")) == 1
    listing = cli("feeds", "list", config=config).stdout
    assert listing.count("parked") == 2 and "http_error: HTTP 500" in listing
    cli("feeds", "enable", site.url("/gone.xml"), config=config)
    gone = next(
        line
        for line in cli("feeds", "list", config=config).stdout.splitlines()
        if "gone.xml" in line
    )
    assert "parked" not in gone


def test_feed_added_while_running_is_picked_up(site: SiteServer, cli: Cli) -> None:
    _story(site, "/late.html", "latecomers")
    site.routes["/late.xml"] = feed_route(rss([{"link": site.url("/late.html")}]))
    cli("stats", check=False)
    cli("feeds", "list", config=FAST, check=False)
    cli("feeds", "add", site.url("/late.xml"), config=FAST)
    cli("feeds", "disable", "1", config=FAST)
    with daemon(cli) as running:
        time.sleep(2.5)
        assert site.requests_for("/late.xml") == []
        cli("feeds", "enable", "1", config=FAST)
        wait_for(lambda: cli.rows("select count(*) as n from articles") == [{"n": 1}])
        code, stderr = running.stop()
    assert code == 0, stderr


def test_health_and_metrics_report_a_running_daemon(site: SiteServer, cli: Cli) -> None:
    _story(site, "/a.html", "observability")
    site.routes["/feed.xml"] = feed_route(rss([{"link": site.url("/a.html")}]))
    cli("feeds", "add", site.url("/feed.xml"), config=FAST)
    unhealthy = cli("health", config=FAST, check=False)
    assert unhealthy.returncode == 1 and "no poll cycle has completed yet" in unhealthy.stderr
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = FAST + f"[daemon]\nmetrics_port = {port}\n"
    with daemon(cli, config) as running:
        wait_for(lambda: cli.rows("select count(*) as n from articles") == [{"n": 1}])
        wait_for(lambda: cli("health", config=config, check=False).returncode == 0)
        scrape = (
            urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
        )
        code, stderr = running.stop()
    assert code == 0, stderr
    assert 'feedworker_polls_total{outcome="200"}' in scrape
    assert 'feedworker_entries_total{status="stored"} 1.0' in scrape
    assert "feedworker_fetch_seconds_bucket" in scrape and "feedworker_feeds_due" in scrape
    assert "feedworker_last_cycle_timestamp_seconds" in scrape
    stale = cli("health", "--max-age", "1s", config=config, check=False)
    time.sleep(1.5)
    stale = cli("health", "--max-age", "1s", config=config, check=False)
    assert stale.returncode == 1 and "unhealthy: last poll cycle completed" in stale.stderr
    events = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    polled = [e for e in events if e["event"] == "polled"]
    assert polled and {"feed_id", "url", "status", "duration_s"} <= set(polled[0])


def test_sigterm_in_a_busy_cycle_exits_cleanly_and_a_restart_resumes(
    site: SiteServer, cli: Cli
) -> None:
    def slow_page(topic: str) -> Route:
        return html_route(article_page(f"Story about {topic}", paragraphs(topic)), delay=0.5)

    paths = [f"/busy{i}.html" for i in range(40)]
    for path in paths:
        site.routes[path] = slow_page(path)
    site.routes["/feed.xml"] = feed_route(rss([{"link": site.url(p)} for p in paths]))
    config = FAST.replace("default_interval = 1", "default_interval = 3600") + (
        "[daemon]\nshutdown_grace = 2\n[extract]\nworkers = 1\n"
    )
    cli("feeds", "add", site.url("/feed.xml"), config=config)
    with daemon(cli, config) as running:
        wait_for(lambda: cli.rows("select count(*) as n from articles")[0]["n"] >= 3)
        started = time.monotonic()
        code, stderr = running.stop()
        stopped_in = time.monotonic() - started
    assert code == 0, stderr
    assert stopped_in < 2 + 5
    assert cli.rows("pragma integrity_check") == [{"integrity_check": "ok"}]
    stored = cli.rows("select count(*) as n from articles")[0]["n"]
    assert 3 <= stored < 40
    assert cli.rows("select count(*) as n from entries where status = 'stored'") == [{"n": stored}]
    fetched_before = {p: len(site.requests_for(p)) for p in paths}
    with daemon(cli, config) as running:
        wait_for(lambda: cli.rows("select count(*) as n from articles") == [{"n": 40}])
        code, stderr = running.stop()
    assert code == 0, stderr
    assert len(site.requests_for("/feed.xml")) == 1  # the schedule was kept: no re-poll
    stored_before = [
        p
        for p, n in fetched_before.items()
        if n and cli.rows("select count(*) as n from articles where url = ?", [site.url(p)])[0]["n"]
    ]
    assert all(len(site.requests_for(p)) == fetched_before[p] for p in stored_before[:3])


def test_systemd_notifications(site: SiteServer, cli: Cli, tmp_path: Path) -> None:
    site.routes["/feed.xml"] = feed_route(rss([]))
    cli("feeds", "add", site.url("/feed.xml"), config=FAST)
    address = str(tmp_path / "notify.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(address)
        listener.settimeout(10)
        env = {"NOTIFY_SOCKET": address, "WATCHDOG_USEC": "2000000"}
        with daemon(cli, FAST, env=env) as running:
            messages = [listener.recv(256).decode() for _ in range(3)]
            code, stderr = running.stop()
            while "STOPPING=1" not in messages:
                messages.append(listener.recv(256).decode())
    assert code == 0, stderr
    assert "READY=1" in messages and "WATCHDOG=1" in messages and messages[-1] == "STOPPING=1"


def test_sighup_rereads_the_configured_feeds(site: SiteServer, cli: Cli) -> None:
    site.routes["/new.xml"] = feed_route(rss([]))
    with daemon(cli) as running:
        # a completed cycle: the daemon's signal handlers are in place (a SIGHUP before
        # then would end it, as it ends any process that has not asked for it)
        wait_for(lambda: cli.db.exists() and _state(cli, "last_cycle_at") is not None)
        cli.write_config(
            FAST + f'[[feeds]]\nurl = "{site.url("/new.xml")}"\nname = "Added on HUP"\n'
        )
        running.process.send_signal(signal.SIGHUP)
        wait_for(lambda: len(site.requests_for("/new.xml")) >= 1)
        code, stderr = running.stop()
    assert code == 0, stderr
    assert cli.rows("select name from feeds") == [{"name": "Added on HUP"}]


def test_retention_purges_old_stories_and_keeps_them_out(site: SiteServer, cli: Cli) -> None:
    _story(site, "/old.html", "old news")
    site.routes["/feed.xml"] = feed_route(rss([{"link": site.url("/old.html"), "guid": "old"}]))
    cli("feeds", "add", site.url("/feed.xml"), config=FAST)
    cli("run", "--once", config=FAST)
    with sqlite3.connect(cli.db) as conn:
        conn.execute("update articles set fetched_at = '2020-01-01T00:00:00+00:00'")
    config = FAST.replace(
        "[fetch]", "[store]\nkeep_days = 30\n[daemon]\nhousekeeping_interval = 1\n[fetch]"
    )
    with daemon(cli, config) as running:
        wait_for(lambda: cli.rows("select count(*) as n from articles") == [{"n": 0}])
        # the story comes back under another guid and URL spelling: it stays out
        site.routes["/feed.xml"] = feed_route(
            rss(
                [
                    {"link": site.url("/old.html"), "guid": "old"},
                    {"link": site.url("/old.html?utm_source=again"), "guid": "again"},
                ]
            )
        )
        wait_for(
            lambda: (
                cli.rows("select status from entries where guid = 'again'")
                == [{"status": "skipped"}]
            )
        )
        code, stderr = running.stop()
    assert code == 0, stderr
    assert cli.rows("select count(*) as n from articles_fts") == [{"n": 0}]
    assert cli.rows("select count(*) as n from tombstones") == [{"n": 1}]
    assert cli.rows("select status from entries where guid = 'old'") == [{"status": "purged"}]
    assert len(site.requests_for("/old.html")) == 1


def test_permanent_redirect_moves_the_feed(site: SiteServer, cli: Cli) -> None:
    site.routes["/old-feed.xml"] = Route.redirect(site.url("/new-feed.xml"), status=301)
    site.routes["/new-feed.xml"] = feed_route(rss([]))
    cli("feeds", "add", site.url("/old-feed.xml"), config=FAST)
    cli("run", "--once", config=FAST)
    assert cli.rows("select url from feeds") == [{"url": site.url("/new-feed.xml")}]


def test_feed_hints_set_a_floor_under_the_interval(site: SiteServer, cli: Cli) -> None:
    site.routes["/ttl.xml"] = feed_route(rss([]).replace("<channel>", "<channel><ttl>90</ttl>"))
    cli("feeds", "add", site.url("/ttl.xml"), "--interval", "10m", config=FAST)
    cli("run", "--once", config=FAST)
    assert cli.rows("select poll_interval_s from feeds") == [{"poll_interval_s": 5400}]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_systemd_unit_verifies(tmp_path: Path) -> None:
    unit = (REPO / "deploy" / "systemd" / "feedworker.service").read_text()
    executable = shutil.which("feedworker", path=str(Path(sys.executable).parent))
    assert executable is not None
    copy = tmp_path / "feedworker.service"
    copy.write_text(unit.replace("/opt/feedworker/bin/feedworker", executable))
    result = subprocess.run(
        ["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr


def test_in_flight_work_finishes_within_the_shutdown_grace(site: SiteServer, cli: Cli) -> None:
    site.routes["/slow.html"] = html_route(
        article_page("Patience", paragraphs("patience")), delay=3
    )
    site.routes["/feed.xml"] = feed_route(rss([{"link": site.url("/slow.html")}]))
    # a generous grace: the daemon exits as soon as the work is done, and a loaded machine
    # may take several seconds to start a cleaning process
    config = FAST + "[daemon]\nshutdown_grace = 60\n[extract]\nworkers = 1\n"
    cli("feeds", "add", site.url("/feed.xml"), config=config)
    with daemon(cli, config) as running:
        wait_for(lambda: len(site.requests_for("/slow.html")) == 1)
        code, stderr = running.stop()
    assert code == 0, stderr
    assert cli.rows("select status from entries") == [{"status": "stored"}]
    assert "Traceback" not in stderr


def test_a_second_signal_exits_at_once_without_corrupting_the_store(
    site: SiteServer, cli: Cli
) -> None:
    site.routes["/slow.html"] = html_route("<p>never sent in time</p>", delay=20)
    _story(site, "/quick.html", "quick exits")
    site.routes["/feed.xml"] = feed_route(
        rss([{"link": site.url("/quick.html")}, {"link": site.url("/slow.html")}])
    )
    config = FAST + "[daemon]\nshutdown_grace = 60\n[extract]\nworkers = 1\n"
    cli("feeds", "add", site.url("/feed.xml"), config=config)
    with daemon(cli, config) as running:
        wait_for(lambda: len(site.requests_for("/slow.html")) == 1)
        running.process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        started = time.monotonic()
        running.process.send_signal(signal.SIGTERM)
        running.process.wait(timeout=10)
        assert time.monotonic() - started < 5
    assert running.process.returncode == 130
    assert cli.rows("pragma integrity_check") == [{"integrity_check": "ok"}]
    assert cli.rows("select status from entries where link like '%slow%'") == [
        {"status": "pending"}
    ]

"""Crash safety: kill -9 at any moment, two workers on one file, an unwritable store."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Cli, article_page, feed_route, html_route, paragraphs, rss

from tests.benchmarks.ingest_benchmark import process_tree
from worker.demo.server import Route, SiteServer

STORIES = 120
FEEDS = 6


def _slow_story(topic: str) -> Route:
    return html_route(article_page(f"Story about {topic}", paragraphs(topic)), delay=0.02)


def _newsroom(site: SiteServer, cli: Cli) -> None:
    """STORIES pages spread over FEEDS feeds, every story in two feeds (one a URL variant)."""
    for i in range(STORIES):
        site.routes[f"/s{i}.html"] = _slow_story(f"crash topic {i}")
    for f in range(FEEDS):
        items = [
            {
                "link": site.url(f"/s{i}.html") + (f"?utm_source=f{f}" if i % 2 else ""),
                "guid": f"f{f}-s{i}",
            }
            for i in range(STORIES)
            if i % FEEDS in (f, (f + 1) % FEEDS)
        ]
        site.routes[f"/f{f}.xml"] = feed_route(rss(items))
    cli("feeds", "add", *(site.url(f"/f{f}.xml") for f in range(FEEDS)))


def _check_store(cli: Cli) -> None:
    assert cli.rows("pragma integrity_check") == [{"integrity_check": "ok"}]
    assert cli.rows("select count(*) as n from articles") == [{"n": STORIES}]
    assert cli.rows("select count(distinct url) as n from articles") == [{"n": STORIES}]
    assert cli.rows("select count(*) as n from articles_fts") == [{"n": STORIES}]
    assert cli.rows("select count(*) as n from articles where clustered = 0") == [{"n": 0}]
    with sqlite3.connect(cli.db) as conn:  # raises if the FTS index disagrees with articles
        conn.execute("insert into articles_fts(articles_fts) values('integrity-check')")
    unfinished = cli.rows(
        "select status, count(*) as n from entries "
        "where article_id is null and error_kind is null group by status"
    )
    assert unfinished == []
    assert cli.rows("select count(*) as n from entries") == [{"n": STORIES * 2}]


def _descendants(pid: int) -> set[int]:
    return set(process_tree(pid)) - {pid}


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _cleaning_workers(pid: int) -> list[int]:
    workers = []
    for child in _descendants(pid):
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in cmdline and b"resource_tracker" not in cmdline:
            workers.append(child)
    return workers


def _wait_until(condition: Callable[[], bool], timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.mark.heavy
def test_kill_9_at_random_moments_loses_nothing(site: SiteServer, cli: Cli) -> None:
    _newsroom(site, cli)
    config = str(cli.write_config("[extract]\nworkers = 1\n"))
    rng = random.Random(20261128)
    for _ in range(4):
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "worker",
                "--config",
                config,
                "--db",
                str(cli.db),
                "run",
                "--once",
            ],
            cwd=cli.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.3, 2.5))
        helpers = _descendants(process.pid)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        # the cleaning workers die with it: nothing is left running
        assert _wait_until(lambda: not any(_alive(p) for p in helpers)), helpers  # noqa: B023
        assert cli.rows("pragma integrity_check") == [{"integrity_check": "ok"}]
    cli("run", "--once")
    _check_store(cli)
    fetched = len([r for r in site.requests if r.path.startswith("/s")])
    cli("run", "--once")
    assert len([r for r in site.requests if r.path.startswith("/s")]) == fetched


@pytest.mark.heavy
def test_a_cleaning_worker_killed_mid_run_costs_no_article(site: SiteServer, cli: Cli) -> None:
    _newsroom(site, cli)
    config = str(cli.write_config("[extract]\nworkers = 2\n"))
    process = subprocess.Popen(
        [sys.executable, "-m", "worker", "--config", config, "--db", str(cli.db), "run", "--once"],
        cwd=cli.workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert _wait_until(lambda: bool(_cleaning_workers(process.pid)), timeout=60)
    time.sleep(0.5)  # let it take pages
    workers = _cleaning_workers(process.pid)
    assert workers, "the run ended before a worker could be killed"
    os.kill(workers[0], signal.SIGKILL)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    assert "cleaning_worker_died" in stderr
    assert "Traceback" not in stderr
    _check_store(cli)


def test_two_workers_on_one_database_store_each_story_once(site: SiteServer, cli: Cli) -> None:
    _newsroom(site, cli)
    config = str(cli.write_config(""))
    argv = [
        sys.executable,
        "-m",
        "worker",
        "--config",
        config,
        "--db",
        str(cli.db),
        "run",
        "--once",
    ]
    workers = [
        subprocess.Popen(
            argv, cwd=cli.workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    for worker in workers:
        _, stderr = worker.communicate(timeout=120)
        assert worker.returncode == 0, stderr
        assert "Traceback" not in stderr
    _check_store(cli)


@pytest.mark.skipif(shutil.which("chattr") is None, reason="needs chattr")
def test_an_unwritable_database_stops_with_a_clear_message(cli: Cli, tmp_path: Path) -> None:
    cli("feeds", "add", "https://news.example.com/rss")
    before = cli.db.read_bytes()
    locked = subprocess.run(["chattr", "+i", str(cli.db)], capture_output=True)
    if locked.returncode != 0:
        pytest.skip("filesystem does not support the immutable flag")
    try:
        result = cli("run", "--once", check=False)
    finally:
        subprocess.run(["chattr", "-i", str(cli.db)], check=True)
    assert result.returncode == 2
    assert result.stderr.startswith("feedworker: error:") and "database" in result.stderr
    assert "Traceback" not in result.stderr
    assert cli.db.read_bytes() == before

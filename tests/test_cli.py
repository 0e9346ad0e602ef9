"""The command line as a user drives it: feeds, config errors, stats, the daemon."""

from __future__ import annotations

import json
import os
import pty
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import (
    Cli,
    article_page,
    feed_route,
    html_route,
    paragraphs,
    rss,
    with_loopback_allowed,
)

from worker.demo.server import SiteServer


def test_feeds_add_list_remove(cli: Cli) -> None:
    added = cli(
        "feeds", "add", "https://news.example.com/rss", "--name", "Example", "--interval", "10m"
    )
    assert "Added: feed 1" in added.stdout
    again = cli("feeds", "add", "https://news.example.com/rss")
    assert "Already registered" in again.stdout
    listing = cli("feeds", "list").stdout
    assert "Example" in listing and "every 600s" in listing
    rows = [json.loads(line) for line in cli("feeds", "list", "--json").stdout.splitlines()]
    assert rows[0]["url"] == "https://news.example.com/rss" and rows[0]["interval_s"] == 600
    cli("feeds", "remove", "1")
    assert cli("feeds", "list").stdout == ""
    missing = cli("feeds", "remove", "https://nowhere.example/", check=False)
    assert missing.returncode == 1 and "no such feed" in missing.stderr


def test_feeds_add_takes_several_urls_and_adds_none_if_one_is_bad(cli: Cli) -> None:
    urls = ("https://a.example/rss", "https://b.example/atom.xml")
    added = cli("feeds", "add", *urls).stdout.splitlines()
    assert added == [f"Added: feed {i} {url}" for i, url in enumerate(urls, start=1)]
    bad = cli("feeds", "add", "https://c.example/rss", "ftp://d.example/rss", check=False)
    assert bad.returncode == 2 and "URL" in bad.stderr
    named = cli("feeds", "add", "https://c.example/rss", *urls, "--name", "C", check=False)
    assert named.returncode == 2 and "--name" in named.stderr
    assert [r["url"] for r in cli.rows("select url from feeds order by id")] == list(urls)


def test_opml_import_and_export_round_trip(cli: Cli, tmp_path: Path) -> None:
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        '<outline text="News"><outline text="A &amp; B" xmlUrl="https://a.example/feed"/>'
        '<outline text="C" xmlUrl="https://c.example/rss"/></outline>'
        '<outline text="not a feed"/></body></opml>',
        encoding="utf-8",
    )
    assert "Imported 2 new feeds" in cli("feeds", "import", str(opml)).stdout
    assert "Imported 0 new feeds (2 already registered)" in cli("feeds", "import", str(opml)).stdout
    exported = cli("feeds", "export").stdout
    assert 'xmlUrl="https://a.example/feed"' in exported and 'title="A &amp; B"' in exported
    reimport = tmp_path / "exported.opml"
    reimport.write_text(exported, encoding="utf-8")
    other = Cli(tmp_path / "other")
    other.workdir.mkdir()
    other("feeds", "import", str(reimport))
    assert [r["url"] for r in other.rows("select url from feeds order by id")] == [
        "https://a.example/feed",
        "https://c.example/rss",
    ]


def test_malformed_opml_is_a_clear_error(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.opml"
    bad.write_text("<opml><body><outline", encoding="utf-8")
    result = cli("feeds", "import", str(bad), check=False)
    assert result.returncode == 2
    assert "not valid OPML" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("config", "named"),
    [
        ("[fetch]\ntimout = 3\n", "fetch.timout"),
        ("[fetch]\ntimeout = -1\n", "fetch.timeout"),
        ("[fetch]\nconcurrency = 'many'\n", "fetch.concurrency"),
        ("[schedule]\ndefault_interval = '10x'\n", "schedule.default_interval"),
        ("[[feeds]]\nurl = 'ftp://example.com/feed'\n", "feeds[0].url"),
        ("[[feeds]]\nurl = 'https://e.example/f'\nintervall = '1h'\n", "feeds[0].intervall"),
        ("[stor]\npath = 'x.db'\n", "stor"),
        ("[fetch\n", "invalid TOML"),
    ],
)
def test_bad_config_exits_2_naming_the_key(cli: Cli, config: str, named: str) -> None:
    result = cli("run", "--once", config=config, check=False)
    assert result.returncode == 2
    assert named in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_unusable_database_exits_2(cli: Cli, tmp_path: Path) -> None:
    cli.db = tmp_path / "a-directory.db"
    cli.db.mkdir()
    result = cli("run", "--once", check=False)
    assert result.returncode == 2
    assert "cannot use database" in result.stderr and "Traceback" not in result.stderr
    not_sqlite = tmp_path / "text.db"
    not_sqlite.write_text("this is not a database\n" * 100)
    cli.db = not_sqlite
    result = cli("stats", check=False)
    assert result.returncode == 2 and "cannot use database" in result.stderr


def test_config_feeds_are_synced_and_env_var_selects_config(cli: Cli, site: SiteServer) -> None:
    site.routes["/a.html"] = html_route(article_page("A", paragraphs("dunes")))
    site.routes["/feed.xml"] = feed_route(rss([{"link": site.url("/a.html")}]))
    config = cli.workdir / "elsewhere.toml"
    config.write_text(
        with_loopback_allowed(
            f'[[feeds]]\nurl = "{site.url("/feed.xml")}"\nname = "Dunes"\ninterval = "2h"\n'
        )
    )
    env = {**os.environ, "FEEDWORKER_CONFIG": str(config)}
    subprocess.run(
        [sys.executable, "-m", "worker", "--db", str(cli.db), "run", "--once"],
        cwd=cli.workdir,
        env=env,
        check=True,
        capture_output=True,
    )
    feed = cli.rows("select name, interval_s from feeds")[0]
    assert feed == {"name": "Dunes", "interval_s": 7200}
    assert cli.rows("select count(*) as n from articles")[0]["n"] == 1


def test_stats_and_sqlite_utils_tools_read_the_store(cli: Cli, site: SiteServer) -> None:
    site.routes["/a.html"] = html_route(article_page("Lighthouse keepers", paragraphs("keepers")))
    site.routes["/feed.xml"] = feed_route(
        rss([{"link": site.url("/a.html")}, {"link": site.url("/a.html?utm_source=x")}])
    )
    cli("feeds", "add", site.url("/feed.xml"))
    cli("run", "--once")
    stats = cli("stats").stdout
    assert "articles:           1" in stats and "duplicates avoided: 1" in stats
    figures = json.loads(cli("stats", "--json").stdout)
    assert figures["entries_by_status"] == {"stored": 1, "duplicate_url": 1}
    sqlite_utils = shutil.which("sqlite-utils", path=str(Path(sys.executable).parent))
    assert sqlite_utils is not None
    counts = subprocess.run(
        [sqlite_utils, "tables", str(cli.db), "--counts"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert '"table": "articles", "count": 1' in counts
    found = subprocess.run(
        [sqlite_utils, "search", str(cli.db), "articles", "keepers", "-c", "title"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Lighthouse keepers" in found
    rows = subprocess.run(
        [sqlite_utils, "rows", str(cli.db), "entries"], capture_output=True, text=True, check=True
    ).stdout
    assert len(json.loads(rows)) == 2


def test_database_file_is_owner_only(cli: Cli) -> None:
    cli("feeds", "add", "https://news.example.com/rss")
    assert (cli.db.stat().st_mode & 0o777) == 0o600


def test_console_script_and_module_entry_points(cli: Cli) -> None:
    script = shutil.which("feedworker", path=str(Path(sys.executable).parent))
    assert script is not None
    for argv in ([script, "--help"], [sys.executable, "-m", "worker", "--help"]):
        out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
        for command in ("run", "feeds", "stats", "demo"):
            assert command in out


def test_daemon_polls_then_stops_cleanly_on_sigterm(cli: Cli, site: SiteServer) -> None:
    site.routes["/a.html"] = html_route(article_page("Daemon", paragraphs("daemons")))
    site.routes["/feed.xml"] = feed_route(rss([{"link": site.url("/a.html")}]))
    config = "[schedule]\ntick = 1\ndefault_interval = 1\nmin_interval = 1\n"
    cli("feeds", "add", site.url("/feed.xml"), config=config)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "worker",
            "--config",
            str(cli.workdir / "feedworker.toml"),
            "--db",
            str(cli.db),
            "run",
        ],
        cwd=cli.workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(site.requests_for("/feed.xml")) < 2:
            time.sleep(0.2)
        assert len(site.requests_for("/feed.xml")) >= 2, "feed was not re-polled on schedule"
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    assert process.returncode == 0, stderr
    assert cli.rows("select count(*) as n from articles")[0]["n"] == 1
    assert cli.rows("pragma integrity_check")[0]["integrity_check"] == "ok"


def test_demo_refuses_to_overwrite_any_other_file(cli: Cli) -> None:
    cli("feeds", "add", "https://news.example.com/rss")
    result = cli("demo", check=False)
    assert result.returncode == 2 and "not made by `feedworker demo`" in result.stderr
    assert cli.rows("select url from feeds") == [{"url": "https://news.example.com/rss"}]
    notes = cli.workdir / "notes.db"
    sqlite3.connect(notes).execute("create table notes (t text)").connection.commit()
    cli.db = notes
    assert cli("demo", check=False).returncode == 2
    assert cli.rows("select name from sqlite_master") == [{"name": "notes"}]


def test_demo_replaces_its_own_database(cli: Cli) -> None:
    cli("demo")
    cli("demo")
    assert cli.rows("select count(*) as n from articles")[0]["n"] == 11


def test_read_only_commands_do_not_create_a_database(cli: Cli) -> None:
    result = cli("stats", check=False)
    assert result.returncode == 2 and "no database at" in result.stderr
    assert not cli.db.exists()


def test_progress_bar_only_on_a_terminal(cli: Cli, site: SiteServer) -> None:
    site.routes["/a.html"] = html_route(article_page("Bar", paragraphs("progress")))
    site.routes["/feed.xml"] = feed_route(rss([{"link": site.url("/a.html")}]))
    cli("feeds", "add", site.url("/feed.xml"))
    quiet = cli("run", "--once")
    assert "Fetching articles" not in quiet.stderr
    leader, follower = pty.openpty()
    config = str(cli.write_config(""))
    subprocess.run(
        [sys.executable, "-m", "worker", "--config", config, "--db", str(cli.db), "run", "--once"],
        cwd=cli.workdir,
        stderr=follower,
        stdout=subprocess.DEVNULL,
        check=True,
        timeout=60,
    )
    os.close(follower)
    shown = os.read(leader, 65536).decode("utf-8", "replace")
    os.close(leader)
    assert "Polling feeds" in shown and "100%" in shown


def test_a_feed_from_the_config_is_removed_in_the_config(cli: Cli) -> None:
    config = '[[feeds]]\nurl = "https://news.example.com/rss"\n'
    cli("feeds", "add", "https://other.example.com/rss", config=config)
    result = cli("feeds", "remove", "1", config=config, check=False)
    assert result.returncode == 2 and "remove it from [[feeds]]" in result.stderr
    assert len(cli.rows("select id from feeds")) == 2

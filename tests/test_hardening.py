"""Hostile input and faults: nothing reaches what it shouldn't, nothing is lost.

Fault-injecting routes on the loopback server: slow drip, endless body, reset
mid-body, TLS on a plain port, redirects to blocked addresses, 429 with
Retry-After, robots.txt rules, billion laughs, wrong content types.
"""

from __future__ import annotations

import itertools
import socket
import time
from http.server import BaseHTTPRequestHandler

import pytest
from conftest import Cli, article_page, feed_route, html_route, paragraphs, rss

from worker.demo.server import Route, SiteServer


def _story(site: SiteServer, path: str, topic: str) -> None:
    site.routes[path] = html_route(article_page(f"Story about {topic}", paragraphs(topic)))


def _entries(cli: Cli) -> dict[str, tuple[str, str | None]]:
    return {
        r["link"].rsplit("/", 1)[1]: (r["status"], r["error_kind"])
        for r in cli.rows("select link, status, error_kind from entries")
    }


# --- private-network guard ------------------------------------------------------


def test_loopback_is_refused_unless_allowed(site: SiteServer, cli: Cli) -> None:
    _story(site, "/a.html", "guards")
    site.routes["/feed.xml"] = feed_route(rss([{"link": site.url("/a.html")}]))
    cli("feeds", "add", site.url("/feed.xml"), allow_loopback=False)
    result = cli("run", "--once", allow_loopback=False)
    assert result.returncode == 0
    feed = cli.rows("select last_error_kind, last_error from feeds")[0]
    assert feed["last_error_kind"] == "blocked" and "non-public address" in feed["last_error"]
    assert site.requests == []


def test_redirects_to_blocked_or_non_http_targets_are_refused(site: SiteServer, cli: Cli) -> None:
    port = site.base_url.rsplit(":", 1)[1]
    site.routes["/to-metadata"] = Route.redirect("http://169.254.169.254/latest/meta-data/")
    site.routes["/to-other-loopback"] = Route.redirect(f"http://127.0.0.2:{port}/a.html")
    site.routes["/to-file"] = Route.redirect("file:///etc/passwd")
    site.routes["/feed.xml"] = feed_route(
        rss([{"link": site.url(p)} for p in ("/to-metadata", "/to-other-loopback", "/to-file")])
    )
    config = '[fetch]\nallowed_networks = ["127.0.0.1/32"]\nper_host_delay = 0\n'
    cli("feeds", "add", site.url("/feed.xml"), config=config, allow_loopback=False)
    cli("run", "--once", config=config, allow_loopback=False)
    assert _entries(cli) == {
        "to-metadata": ("failed", "blocked"),
        "to-other-loopback": ("failed", "blocked"),
        "to-file": ("failed", "invalid_url"),
    }


def test_non_http_links_in_feeds_are_never_requested(site: SiteServer, cli: Cli) -> None:
    site.routes["/feed.xml"] = feed_route(
        rss(
            [
                {"link": "file:///etc/passwd", "guid": "f"},
                {"link": "javascript:alert(1)", "guid": "j"},
            ]
        )
    )
    cli("feeds", "add", site.url("/feed.xml"))
    cli("run", "--once")
    assert [r["error_kind"] for r in cli.rows("select error_kind from entries")] == [
        "no_link",
        "no_link",
    ]


# --- robots.txt and politeness --------------------------------------------------


def test_robots_disallow_skips_pages_and_is_fetched_once(site: SiteServer, cli: Cli) -> None:
    site.routes["/robots.txt"] = Route(
        body=b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"
    )
    for path in ("/private/a.html", "/public/b.html", "/public/c.html"):
        _story(site, path, path.strip("/").replace("/", " "))
    site.routes["/feed.xml"] = feed_route(
        rss(
            [{"link": site.url(p)} for p in ("/private/a.html", "/public/b.html", "/public/c.html")]
        )
    )
    cli("feeds", "add", site.url("/feed.xml"))
    cli("run", "--once")
    assert _entries(cli) == {
        "a.html": ("skipped", "robots"),
        "b.html": ("stored", None),
        "c.html": ("stored", None),
    }
    assert site.requests_for("/private/a.html") == []
    assert len(site.requests_for("/robots.txt")) == 1


def test_unreachable_robots_means_not_now(site: SiteServer, cli: Cli) -> None:
    site.routes["/robots.txt"] = Route(body=b"oops", status=503, content_type="text/plain")
    _story(site, "/a.html", "robots")
    site.routes["/feed.xml"] = feed_route(rss([{"link": site.url("/a.html")}]))
    cli("feeds", "add", site.url("/feed.xml"))
    cli("run", "--once")
    assert _entries(cli) == {"a.html": ("failed", "robots_unavailable")}
    assert site.requests_for("/a.html") == []


def test_robots_can_be_ignored_by_config(site: SiteServer, cli: Cli) -> None:
    site.routes["/robots.txt"] = Route(
        body=b"User-agent: *\nDisallow: /\n", content_type="text/plain"
    )
    _story(site, "/a.html", "robots")
    site.routes["/feed.xml"] = feed_route(rss([{"link": site.url("/a.html")}]))
    config = "[fetch]\nrespect_robots = false\n"
    cli("feeds", "add", site.url("/feed.xml"), config=config)
    cli("run", "--once", config=config)
    assert _entries(cli) == {"a.html": ("stored", None)}


def test_requests_to_one_host_are_spaced_by_the_per_host_delay(site: SiteServer, cli: Cli) -> None:
    paths = [f"/p{i}.html" for i in range(4)]
    for path in paths:
        _story(site, path, f"spacing {path}")
    site.routes["/feed.xml"] = feed_route(rss([{"link": site.url(p)} for p in paths]))
    config = "[fetch]\nper_host_delay = 0.3\nrespect_robots = false\n"
    cli("feeds", "add", site.url("/feed.xml"), config=config.replace("0.3", "0"))
    cli("run", "--once", config=config)
    starts = sorted(r.at for r in site.requests if r.path in paths)
    assert len(starts) == 4
    assert all(b - a >= 0.25 for a, b in itertools.pairwise(starts)), starts


def test_retry_after_holds_the_host_back(site: SiteServer, cli: Cli) -> None:
    site.routes["/busy.html"] = Route(
        body=b"slow down", status=429, content_type="text/plain", headers={"Retry-After": "120"}
    )
    for path in ("/x.html", "/y.html"):
        _story(site, path, path)
    site.routes["/feed.xml"] = feed_route(
        rss([{"link": site.url(p)} for p in ("/busy.html", "/x.html", "/y.html")])
    )
    config = "[fetch]\nper_host_concurrency = 1\nrespect_robots = false\ntimeout = 5\n"
    cli("feeds", "add", site.url("/feed.xml"), config=config)
    cli("run", "--once", config=config)
    assert _entries(cli) == {
        "busy.html": ("failed", "http_error"),
        "x.html": ("failed", "rate_limited"),
        "y.html": ("failed", "rate_limited"),
    }
    assert site.requests_for("/x.html") == [] and site.requests_for("/y.html") == []


# --- resource limits and network faults -------------------------------------------


def _endless(h: BaseHTTPRequestHandler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.end_headers()
    try:
        while True:
            h.wfile.write(b"<p>" + b"x" * 65536 + b"</p>")
    except OSError:
        pass


def _reset_mid_body(h: BaseHTTPRequestHandler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", "100000")
    h.end_headers()
    h.wfile.write(b"<html><body><p>the start of a page")
    h.wfile.flush()
    h.close_connection = True
    h.connection.shutdown(socket.SHUT_RDWR)  # the peer sees the body end 100 kB early


def test_network_faults_are_classified_on_their_entries(site: SiteServer, cli: Cli) -> None:
    site.routes["/endless.html"] = Route(handler=_endless)
    site.routes["/reset.html"] = Route(handler=_reset_mid_body)
    site.routes["/teapot.html"] = Route(body=b"no", status=418, content_type="text/plain")
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    refused_url = f"http://127.0.0.1:{closed.getsockname()[1]}/refused.html"
    closed.close()
    tls_url = site.url("/tls.html").replace("http://", "https://")
    links = [
        site.url("/endless.html"),
        site.url("/reset.html"),
        site.url("/teapot.html"),
        refused_url,
        tls_url,
    ]
    site.routes["/feed.xml"] = feed_route(rss([{"link": link} for link in links]))
    config = "[fetch]\nmax_bytes = 2000000\ntimeout = 10\nrespect_robots = false\n"
    cli("feeds", "add", site.url("/feed.xml"), config=config)
    cli("run", "--once", config=config)
    assert _entries(cli) == {
        "endless.html": ("failed", "too_large"),
        "reset.html": ("failed", "connect"),
        "teapot.html": ("failed", "http_error"),
        "refused.html": ("failed", "connect"),
        "tls.html": ("failed", "connect"),
    }
    assert cli.rows("select count(*) as n from articles") == [{"n": 0}]


def test_one_slow_host_does_not_stall_the_others(site: SiteServer, cli: Cli) -> None:
    def drip(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.end_headers()
        try:
            for _ in range(100):
                h.wfile.write(b" ")
                h.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass

    slow = [f"/slow{i}.html" for i in range(4)]
    fast = [f"/fast{i}.html" for i in range(8)]
    for path in slow:
        site.routes[path] = Route(handler=drip)
    for path in fast:
        _story(site, path, f"speed {path}")
    other_host = site.base_url.replace("127.0.0.1", "localhost")
    links = [site.url(p) for p in slow] + [other_host + p for p in fast]
    site.routes["/feed.xml"] = feed_route(rss([{"link": link} for link in links]))
    config = "[fetch]\ntimeout = 2\nper_host_concurrency = 2\nrespect_robots = false\n"
    cli("feeds", "add", site.url("/feed.xml"), config=config)
    cli("run", "--once", config=config)
    entries = _entries(cli)
    assert all(entries[p.strip("/")] == ("stored", None) for p in fast)
    assert all(entries[p.strip("/")] == ("failed", "timeout") for p in slow)


# --- hostile feeds ------------------------------------------------------------------

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + ']><rss version="2.0"><channel><title>&lol9;</title>'
    "<item><title>&lol9;</title><guid>laughs</guid></item></channel></rss>"
)


def test_entity_expansion_feed_is_not_expanded(site: SiteServer, cli: Cli) -> None:
    site.routes["/lol.xml"] = feed_route(BILLION_LAUGHS)
    cli("feeds", "add", site.url("/lol.xml"))
    started = time.monotonic()
    cli("run", "--once")
    assert time.monotonic() - started < 30
    titles = [r["title"] for r in cli.rows("select title from entries")]
    assert all(t is None or len(t) < 100 for t in titles)


def test_feed_with_a_non_feed_content_type_is_refused(site: SiteServer, cli: Cli) -> None:
    site.routes["/image.xml"] = Route(
        body=b"\x89PNG\r\n\x1a\n" + b"\0" * 100, content_type="image/png"
    )
    cli("feeds", "add", site.url("/image.xml"))
    cli("run", "--once")
    assert cli.rows("select last_error_kind from feeds") == [
        {"last_error_kind": "unsupported_content"}
    ]


def test_huge_entry_fields_are_capped(site: SiteServer, cli: Cli) -> None:
    long_title = "T" * 100_000
    long_guid = "g" * 5000
    site.routes["/feed.xml"] = feed_route(
        rss([{"title": long_title, "link": site.url("/x") + "?" + "q" * 10_000, "guid": long_guid}])
    )
    cli("feeds", "add", site.url("/feed.xml"))
    cli("run", "--once")
    entry = cli.rows("select title, guid, link from entries")[0]
    assert len(entry["title"]) == 1000
    assert entry["guid"].startswith("sha256:") and entry["link"] is None


@pytest.mark.heavy
def test_duplicate_storm_fetches_each_page_once(site: SiteServer, cli: Cli) -> None:
    stories = [f"/s{i}.html" for i in range(10)]
    for path in stories:
        _story(site, path, f"storm {path}")
    for feed in range(20):
        variants = [
            site.url(p) + (f"?utm_source=f{feed}" if feed % 2 else f"#c{feed}") for p in stories
        ]
        site.routes[f"/f{feed}.xml"] = feed_route(
            rss([{"link": link, "guid": f"{feed}-{link}"} for link in variants])
        )
    cli("feeds", "add", *(site.url(f"/f{feed}.xml") for feed in range(20)))
    cli("run", "--once")
    assert cli.rows("select count(*) as n from articles") == [{"n": 10}]
    assert cli.rows("select count(*) as n from entries") == [{"n": 200}]
    for path in stories:
        assert len([r for r in site.requests if r.path.split("?")[0] == path]) == 1


def test_pages_redirecting_to_each_other_do_not_hang_the_run(site: SiteServer, cli: Cli) -> None:
    site.routes["/a"] = Route.redirect(site.url("/b"))
    site.routes["/b"] = Route.redirect(site.url("/a"))
    site.routes["/feed.xml"] = feed_route(rss([{"link": site.url("/a")}, {"link": site.url("/b")}]))
    config = "[fetch]\ntimeout = 5\nrespect_robots = false\n"
    cli("feeds", "add", site.url("/feed.xml"), config=config)
    started = time.monotonic()
    cli("run", "--once", config=config, timeout=60)
    assert time.monotonic() - started < 30
    assert set(_entries(cli).values()) == {("failed", "too_many_redirects")}


def test_fast_hosts_are_not_queued_behind_a_slow_one(site: SiteServer, cli: Cli) -> None:
    slow_paths = [f"/slow{i}.html" for i in range(12)]
    for path in slow_paths:
        site.routes[path] = html_route(article_page("Slow", paragraphs("slowness")), delay=1)
    _story(site, "/fast.html", "fast lanes")
    other_host = site.base_url.replace("127.0.0.1", "localhost")
    # the slow host's pages come first in the feed
    links = [site.url(p) for p in slow_paths] + [other_host + "/fast.html"]
    site.routes["/feed.xml"] = feed_route(rss([{"link": link} for link in links]))
    config = "[fetch]\nper_host_concurrency = 2\nconcurrency = 8\nrespect_robots = false\n"
    cli("feeds", "add", site.url("/feed.xml"), config=config)
    cli("run", "--once", config=config)
    first_slow = min(r.at for r in site.requests if r.path.startswith("/slow"))
    fast = next(r.at for r in site.requests if r.path == "/fast.html")
    assert fast - first_slow < 1.0  # not after the slow host's pages, two at a time
    assert _entries(cli)["fast.html"] == ("stored", None)


def test_redirect_targets_obey_robots_txt(site: SiteServer, cli: Cli) -> None:
    site.routes["/robots.txt"] = Route(
        body=b"User-agent: *\nDisallow: /private/\n", content_type="text/plain"
    )
    site.routes["/go/1"] = Route.redirect(site.url("/private/story.html"))
    _story(site, "/private/story.html", "secrets")
    site.routes["/feed.xml"] = feed_route(rss([{"link": site.url("/go/1")}]))
    cli("feeds", "add", site.url("/feed.xml"))
    cli("run", "--once")
    assert _entries(cli) == {"1": ("skipped", "robots")}
    assert site.requests_for("/private/story.html") == []


def test_a_blocked_host_is_recorded_as_blocked_and_robots_asked_once(
    site: SiteServer, cli: Cli
) -> None:
    links = [f"http://169.254.169.254/latest/{i}" for i in range(3)]
    site.routes["/feed.xml"] = feed_route(rss([{"link": link} for link in links]))
    cli("feeds", "add", site.url("/feed.xml"))
    cli("run", "--once")
    assert set(_entries(cli).values()) == {("failed", "blocked")}

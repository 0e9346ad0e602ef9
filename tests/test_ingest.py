"""End to end: real loopback server, real CLI subprocess, real SQLite file."""

from __future__ import annotations

import gzip
import json
import time
from http.server import BaseHTTPRequestHandler

from conftest import Cli, article_page, feed_route, html_route, paragraphs, rss

from worker.demo.server import Route, SiteServer


def _serve_story(site: SiteServer, path: str, topic: str, **page_kwargs: str) -> list[str]:
    body = paragraphs(topic)
    site.routes[path] = html_route(article_page(f"Story about {topic}", body, **page_kwargs))
    return body


def test_every_new_article_is_stored_once(site: SiteServer, cli: Cli) -> None:
    _serve_story(site, "/a.html", "tramlines")
    _serve_story(site, "/b.html", "seawalls")
    site.routes["/feed.xml"] = feed_route(
        rss(
            [
                {"title": "A", "link": site.url("/a.html"), "guid": "a"},
                {"title": "B", "link": site.url("/b.html"), "guid": "b"},
            ]
        )
    )
    cli("feeds", "add", site.url("/feed.xml"))
    result = cli("run", "--once")
    assert "2 stored" in result.stderr
    rows = cli.rows("select url, title, text from articles order by url")
    assert [r["url"] for r in rows] == [site.url("/a.html"), site.url("/b.html")]
    assert "Paragraph 1 about tramlines" in rows[0]["text"]
    for boilerplate in (
        "TRENDING",
        "prize-winning marrow",
        "Subscribe to our newsletter",
        "All rights reserved",
        "Contact us",
        "Staff Reporter",
    ):
        assert boilerplate not in rows[0]["text"]


def test_second_run_sends_validators_and_fetches_nothing_new(site: SiteServer, cli: Cli) -> None:
    _serve_story(site, "/a.html", "lighthouses")
    site.routes["/feed.xml"] = feed_route(rss([{"title": "A", "link": site.url("/a.html")}]))
    cli("feeds", "add", site.url("/feed.xml"))
    cli("run", "--once")
    first_feed_request = site.requests_for("/feed.xml")[0]
    assert "if-none-match" not in first_feed_request.headers
    cli("run", "--once")
    second = site.requests_for("/feed.xml")[1]
    assert second.headers["if-none-match"].startswith('"')
    assert "if-modified-since" in second.headers
    assert len(site.requests_for("/a.html")) == 1
    assert cli.rows("select last_status from feeds")[0]["last_status"] == "304"
    assert cli.rows("select count(*) as n from articles")[0]["n"] == 1


def test_url_variants_across_feeds_are_linked_not_refetched(site: SiteServer, cli: Cli) -> None:
    _serve_story(site, "/story.html", "ferries")
    site.routes["/go"] = Route.redirect(site.url("/story.html"))
    site.routes["/one.xml"] = feed_route(rss([{"link": site.url("/story.html"), "guid": "1"}]))
    site.routes["/two.xml"] = feed_route(
        rss(
            [
                {
                    "link": site.url("/story.html?utm_source=rss&utm_medium=feed&fbclid=x"),
                    "guid": "2",
                },
                {"link": site.url("/story.html#comments"), "guid": "3"},
                {"link": site.url("/go"), "guid": "4"},
            ]
        )
    )
    cli("feeds", "add", site.url("/one.xml"))
    cli("feeds", "add", site.url("/two.xml"))
    cli("run", "--once")
    assert cli.rows("select count(*) as n from articles")[0]["n"] == 1
    statuses = sorted(r["status"] for r in cli.rows("select status from entries"))
    assert statuses == ["duplicate_url", "duplicate_url", "duplicate_url", "stored"]
    assert len({r["article_id"] for r in cli.rows("select article_id from entries")}) == 1
    page_requests = [r for r in site.requests if r.path.split("?")[0] == "/story.html"]
    assert len(page_requests) == 1


def test_same_text_at_two_urls_is_stored_once(site: SiteServer, cli: Cli) -> None:
    body = paragraphs("bridges")
    site.routes["/news/bridge"] = html_route(article_page("Bridge", body))
    site.routes["/amp/bridge"] = html_route(
        article_page("Bridge", body, byline="By Ada Lovelace, Staff Reporter | AMP edition")
    )
    site.routes["/feed.xml"] = feed_route(
        rss(
            [
                {"link": site.url("/news/bridge"), "guid": "n"},
                {"link": site.url("/amp/bridge"), "guid": "amp"},
            ]
        )
    )
    cli("feeds", "add", site.url("/feed.xml"))
    cli("run", "--once")
    assert cli.rows("select count(*) as n from articles")[0]["n"] == 1
    statuses = sorted(r["status"] for r in cli.rows("select status from entries"))
    assert statuses == ["duplicate_content", "stored"]


def test_page_canonical_link_on_same_site_wins(site: SiteServer, cli: Cli) -> None:
    head = f'<link rel="canonical" href="{site.url("/canonical/story")}">'
    _serve_story(site, "/print/story?page=1", "canals", head=head)
    site.routes["/feed.xml"] = feed_route(rss([{"link": site.url("/print/story?page=1")}]))
    cli("feeds", "add", site.url("/feed.xml"))
    cli("run", "--once")
    assert cli.rows("select url from articles")[0]["url"] == site.url("/canonical/story")


def test_changed_text_at_same_url_updates_in_place(site: SiteServer, cli: Cli) -> None:
    def atom(updated: str) -> Route:
        return Route(
            body=(
                '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
                f"<id>urn:f</id><updated>{updated}</updated><entry><title>A</title><id>urn:a</id>"
                f'<link rel="alternate" href="{site.url("/a.html")}"/>'
                f"<published>2026-03-02T10:00:00Z</published><updated>{updated}</updated>"
                "</entry></feed>"
            ).encode(),
            content_type="application/atom+xml",
        )

    _serve_story(site, "/a.html", "harbours")
    site.routes["/feed.xml"] = atom("2026-03-02T10:00:00Z")
    cli("feeds", "add", site.url("/feed.xml"))
    cli("run", "--once")
    _serve_story(site, "/a.html", "harbours and a late correction")
    site.routes["/feed.xml"] = atom("2026-03-03T10:00:00Z")
    cli("run", "--once")
    rows = cli.rows("select id, text from articles")
    assert len(rows) == 1
    assert "late correction" in rows[0]["text"]
    fts = cli.rows("select rowid from articles_fts where articles_fts match 'correction'")
    assert [r["rowid"] for r in fts] == [rows[0]["id"]]


def test_broken_feeds_are_recorded_and_the_run_goes_on(site: SiteServer, cli: Cli) -> None:
    _serve_story(site, "/good.html", "orchards")
    site.routes["/good.xml"] = feed_route(rss([{"link": site.url("/good.html")}]))
    site.routes["/broken.xml"] = feed_route("<rss><channel><title>oops</ti")
    site.routes["/error.xml"] = Route(body=b"boom", status=500, content_type="text/plain")
    site.routes["/html.xml"] = html_route("<html><body><p>Not a feed at all</p></body></html>")
    paths = ("/good.xml", "/broken.xml", "/error.xml", "/html.xml", "/missing.xml")
    cli("feeds", "add", *(site.url(path) for path in paths))
    result = cli("run", "--once")
    assert result.returncode == 0
    feeds = {r["url"].rsplit("/", 1)[1]: r for r in cli.rows("select * from feeds")}
    assert feeds["good.xml"]["last_error"] is None
    assert feeds["error.xml"]["last_status"] == "500"
    assert feeds["error.xml"]["last_error_kind"] == "http_error"
    assert feeds["missing.xml"]["last_status"] == "404"
    assert feeds["broken.xml"]["last_error_kind"] == "parse"
    assert feeds["html.xml"]["last_error_kind"] == "parse"
    assert all(feeds[name]["error_count"] == 1 for name in ("error.xml", "broken.xml"))
    assert cli.rows("select count(*) as n from articles")[0]["n"] == 1
    assert "4 failed" in result.stderr and "error.xml" in result.stderr


def test_ill_formed_feed_that_still_has_entries_is_used(site: SiteServer, cli: Cli) -> None:
    _serve_story(site, "/a.html", "quays")
    xml = rss([{"link": site.url("/a.html"), "title": "A &nbsp; B"}])
    site.routes["/feed.xml"] = feed_route(xml)
    cli("feeds", "add", site.url("/feed.xml"))
    cli("run", "--once")
    assert cli.rows("select count(*) as n from articles")[0]["n"] == 1
    # feedparser records why it was ill-formed; the fast path may read it cleanly
    assert cli.rows("select last_error_kind from feeds")[0]["last_error_kind"] in (None, "bozo")


def test_relative_links_resolve_against_atom_xml_base(site: SiteServer, cli: Cli) -> None:
    _serve_story(site, "/news/deep/a.html", "estuaries")
    atom = (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:base="{site.url("/news/")}">'
        "<title>t</title><id>urn:t</id><updated>2026-01-01T00:00:00Z</updated>"
        "<entry><title>A</title><id>urn:a</id><updated>2026-01-01T00:00:00Z</updated>"
        '<link rel="enclosure" href="img/a.jpg"/><link rel="alternate" href="deep/a.html"/>'
        "</entry></feed>"
    )
    site.routes["/feed.atom"] = Route(body=atom.encode(), content_type="application/atom+xml")
    cli("feeds", "add", site.url("/feed.atom"))
    cli("run", "--once")
    assert cli.rows("select link from entries")[0]["link"] == site.url("/news/deep/a.html")
    assert cli.rows("select count(*) as n from articles")[0]["n"] == 1


def test_entries_without_guid_keep_a_stable_identity(site: SiteServer, cli: Cli) -> None:
    _serve_story(site, "/a.html", "piers")
    items = [{"link": site.url("/a.html"), "title": "A"}, {"title": "No link at all"}]
    site.routes["/feed.xml"] = Route(
        body=rss(items).encode(), validators=False, content_type="application/rss+xml"
    )
    cli("feeds", "add", site.url("/feed.xml"))
    cli("run", "--once")
    site.routes["/feed.xml"] = Route(
        body=rss(items[::-1]).encode(), validators=False, content_type="application/rss+xml"
    )
    cli("run", "--once")
    entries = cli.rows("select guid, status, error_kind from entries order by id")
    assert len(entries) == 2
    assert entries[0]["guid"] == site.url("/a.html")
    assert entries[1]["guid"].startswith("sha256:")
    assert entries[1]["status"] == "skipped" and entries[1]["error_kind"] == "no_link"


def test_gzip_and_mislabelled_charsets_are_decoded(site: SiteServer, cli: Cli) -> None:
    accented = [
        "Le café de la gare a rouvert ses portes après des travaux: " + p
        for p in paragraphs("the café")
    ]
    cp1252_page = article_page("Café", accented, charset="windows-1252")
    site.routes["/cp1252.html"] = Route(body=cp1252_page.encode("cp1252"), content_type="text/html")
    utf8_page = article_page("Crème", [p.replace("café", "crème brûlée") for p in accented])
    site.routes["/latin1-header.html"] = Route(
        body=utf8_page.encode("utf-8"), content_type="text/html; charset=iso-8859-1"
    )
    site.routes["/feed.xml"] = feed_route(
        rss(
            [
                {"link": site.url("/cp1252.html")},
                {"link": site.url("/latin1-header.html")},
            ]
        )
    )
    cli("feeds", "add", site.url("/feed.xml"))
    cli("run", "--once")
    texts = {
        r["url"].rsplit("/", 1)[1]: r["text"] for r in cli.rows("select url, text from articles")
    }
    assert "Le café de la gare a rouvert ses portes après" in texts["cp1252.html"]
    assert "crème brûlée" in texts["latin1-header.html"]
    page_request = site.requests_for("/cp1252.html")[0]
    assert "gzip" in page_request.headers["accept-encoding"]


def test_page_failures_are_recorded_on_their_entries(site: SiteServer, cli: Cli) -> None:
    def slow(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.end_headers()
        try:
            for _ in range(50):  # drips far past the 1 s deadline
                handler.wfile.write(b"<p>")
                handler.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass  # the worker hung up at its deadline, as it should

    site.routes["/slow.html"] = Route(handler=slow)
    site.routes["/huge.html"] = html_route("<html><body>" + "<p>x</p>" * 300_000 + "</body></html>")
    site.routes["/bomb.html"] = Route(
        body=gzip.compress(b"<html>" + b" " * 20_000_000),
        validators=False,
        headers={"Content-Encoding": "gzip"},
    )
    site.routes["/loop1"] = Route.redirect(site.url("/loop2"))
    site.routes["/loop2"] = Route.redirect(site.url("/loop1"))
    site.routes["/doc.pdf"] = Route(body=b"%PDF-1.4", content_type="application/pdf")
    site.routes["/gone.html"] = Route(body=b"", status=410)
    site.routes["/empty.html"] = html_route("<html><body><nav>Home</nav></body></html>")
    links = [
        "/slow.html",
        "/huge.html",
        "/bomb.html",
        "/loop1",
        "/doc.pdf",
        "/gone.html",
        "/empty.html",
    ]
    site.routes["/feed.xml"] = feed_route(rss([{"link": site.url(p)} for p in links]))
    config = "[fetch]\ntimeout = 1\nmax_bytes = 1000000\n"
    cli("feeds", "add", site.url("/feed.xml"), config=config)
    started = time.monotonic()
    result = cli("run", "--once", config=config)
    assert time.monotonic() - started < 30
    kinds = {
        r["link"].rsplit("/", 1)[1]: (r["status"], r["error_kind"])
        for r in cli.rows("select link, status, error_kind from entries")
    }
    assert kinds == {
        "slow.html": ("failed", "timeout"),
        "huge.html": ("failed", "too_large"),
        "bomb.html": ("failed", "too_large"),
        "loop1": ("failed", "too_many_redirects"),
        "doc.pdf": ("skipped", "unsupported_content"),
        "gone.html": ("failed", "http_error"),
        "empty.html": ("skipped", "extract"),
    }
    assert cli.rows("select count(*) as n from articles")[0]["n"] == 0
    assert "too_large" in result.stderr
    stats = json.loads(cli("stats", "--json").stdout)
    assert stats["entry_errors"]["timeout"] == 1


def test_failed_pages_are_retried_after_a_backoff(site: SiteServer, cli: Cli) -> None:
    site.routes["/flaky.html"] = Route(body=b"down", status=503, content_type="text/plain")
    site.routes["/feed.xml"] = feed_route(rss([{"link": site.url("/flaky.html")}]))
    # long enough that the next run, a process start-up later, comes too soon even on a
    # loaded machine
    config = "[schedule]\nretry_backoff = 15\n"
    cli("feeds", "add", site.url("/feed.xml"), config=config)
    cli("run", "--once", config=config)
    failed_at = time.monotonic()
    assert cli.rows("select status, next_attempt_at is not null as later from entries") == [
        {"status": "failed", "later": 1}
    ]
    _serve_story(site, "/flaky.html", "retries")
    cli("run", "--once", config=config)  # too soon: not retried yet
    assert len(site.requests_for("/flaky.html")) == 1
    time.sleep(max(0.0, failed_at + 15.1 - time.monotonic()))
    cli("run", "--once", config=config)
    assert cli.rows("select status from entries")[0]["status"] == "stored"


def test_waiting_for_a_connection_slot_does_not_count_against_the_deadline(
    site: SiteServer, cli: Cli
) -> None:
    topics = [f"queue{i}" for i in range(8)]
    for topic in topics:
        page = article_page(f"Story about {topic}", paragraphs(topic))
        site.routes[f"/{topic}.html"] = html_route(page, delay=1)
    site.routes["/feed.xml"] = feed_route(rss([{"link": site.url(f"/{t}.html")} for t in topics]))
    config = "[fetch]\ntimeout = 3\nper_host_concurrency = 2\n"
    cli("feeds", "add", site.url("/feed.xml"), config=config)
    cli("run", "--once", config=config)
    assert cli.rows("select count(*) as n from articles")[0]["n"] == 8


def test_pages_that_crash_the_extractor_are_skipped_and_the_run_goes_on(
    site: SiteServer, cli: Cli
) -> None:
    broken_canonical = article_page(
        "Bad link", paragraphs("bad links"), head='<link rel="canonical" href="http://[::1">'
    )
    site.routes["/canonical.html"] = html_route(broken_canonical)
    site.routes["/svg.html"] = html_route(
        '<svg xmlns="http://www.w3.org/2000/svg"><text>x</text></svg>'
    )
    _serve_story(site, "/fine.html", "resilience")
    site.routes["/feed.xml"] = feed_route(
        rss([{"link": site.url(p)} for p in ("/canonical.html", "/svg.html", "/fine.html")])
    )
    cli("feeds", "add", site.url("/feed.xml"))
    result = cli("run", "--once")
    assert result.returncode == 0
    statuses = {
        r["link"].rsplit("/", 1)[1]: r["status"]
        for r in cli.rows("select link, status from entries")
    }
    assert statuses["fine.html"] == "stored"
    assert statuses["canonical.html"] == "stored"  # the malformed canonical is ignored
    assert statuses["svg.html"] == "skipped"
    assert cli("run", "--once").returncode == 0


def test_truncated_gzip_is_a_decoding_failure(site: SiteServer, cli: Cli) -> None:
    whole = gzip.compress(article_page("Cut", paragraphs("truncation")).encode())
    site.routes["/cut.html"] = Route(
        body=whole[: len(whole) // 2], validators=False, headers={"Content-Encoding": "gzip"}
    )
    site.routes["/feed.xml"] = feed_route(rss([{"link": site.url("/cut.html")}]))
    cli("feeds", "add", site.url("/feed.xml"))
    cli("run", "--once")
    assert cli.rows("select status, error_kind from entries") == [
        {"status": "failed", "error_kind": "decoding"}
    ]


def test_redirects_are_recorded_on_the_entry(site: SiteServer, cli: Cli) -> None:
    _serve_story(site, "/final.html", "redirects")
    site.routes["/short"] = Route.redirect(site.url("/final.html"), status=302)
    site.routes["/feed.xml"] = feed_route(rss([{"link": site.url("/short")}]))
    cli("feeds", "add", site.url("/feed.xml"))
    cli("run", "--once")
    assert cli.rows("select redirected_to, status from entries") == [
        {"redirected_to": site.url("/final.html"), "status": "stored"}
    ]
    assert cli.rows("select url from articles") == [{"url": site.url("/final.html")}]


def test_an_unchanged_body_from_a_server_ignoring_validators_is_not_parsed_again(
    site: SiteServer, cli: Cli
) -> None:
    _serve_story(site, "/a.html", "repeats")
    body = rss([{"link": site.url("/a.html")}]).encode()
    site.routes["/feed.xml"] = Route(
        body=body, validators=False, content_type="application/rss+xml"
    )
    cli("feeds", "add", site.url("/feed.xml"))
    cli("run", "--once")
    second = cli("run", "--once")
    assert "(1 not modified, 0 failed); 0 new entries" in second.stderr
    assert cli.rows("select last_status, body_hash is not null as hashed from feeds") == [
        {"last_status": "200", "hashed": 1}
    ]
    site.routes["/feed.xml"] = Route(
        body=body.replace(
            b"</channel>",
            b"<item><link>" + site.url("/b.html").encode() + b"</link></item></channel>",
        ),
        validators=False,
        content_type="application/rss+xml",
    )
    _serve_story(site, "/b.html", "novelties")
    assert "1 new entries" in cli("run", "--once").stderr

"""Syndication end to end: clusters across outlets, user rules, reprocessing stored pages."""

from __future__ import annotations

import json

from conftest import Cli, article_page, feed_route, html_route, paragraphs, rss

from worker.clean import clean_page
from worker.demo.server import SiteServer
from worker.syndication import load_rules
from worker.types import Article

WIRE_BODY = [
    "WASHINGTON (Reuters) - " + paragraphs("tariffs", 1)[0],
    *paragraphs("tariffs", 6)[1:],
]


def _other_outlet(site: SiteServer, path: str) -> str:
    """The same loopback server under another host name: another site to the worker."""
    return site.url(path).replace("127.0.0.1", "localhost")


def test_stripped_wire_copy_on_another_site_is_flagged_and_clustered(
    site: SiteServer, cli: Cli
) -> None:
    site.routes["/wire.html"] = html_route(article_page("Tariffs rise", WIRE_BODY))
    stripped = [WIRE_BODY[0].removeprefix("WASHINGTON (Reuters) - "), *WIRE_BODY[1:-1]]
    site.routes["/copy.html"] = html_route(
        article_page("New tariffs announced", stripped, byline="By Web Desk")
    )
    site.routes["/other.html"] = html_route(article_page("Budget", paragraphs("budgets", 6)))
    site.routes["/a.xml"] = feed_route(rss([{"link": site.url("/wire.html")}]))
    site.routes["/b.xml"] = feed_route(
        rss(
            [
                {"link": _other_outlet(site, "/copy.html")},
                {"link": _other_outlet(site, "/other.html")},
            ]
        )
    )
    cli("feeds", "add", site.url("/a.xml"))
    cli("feeds", "add", site.url("/b.xml"))
    cli("run", "--once")
    rows = {
        r["url"].rsplit("/", 1)[1]: r
        for r in cli.rows(
            "select url, syndicated, source_agency, cluster_id, syndication_evidence from articles"
        )
    }
    assert rows["wire.html"]["syndicated"] == 1
    copy = rows["copy.html"]
    assert copy["syndicated"] == 1 and copy["source_agency"] == "Reuters"
    evidence = json.loads(copy["syndication_evidence"])
    assert evidence[0]["rule"] == "near_duplicate_of"
    assert evidence[0]["similarity"] >= 0.5
    assert copy["cluster_id"] is not None and copy["cluster_id"] == rows["wire.html"]["cluster_id"]
    assert rows["other.html"]["cluster_id"] is None and rows["other.html"]["syndicated"] == 0
    assert cli.rows("select size from story_clusters") == [{"size": 2}]
    # reprocessing unchanged pages keeps the flag and the cluster, and reports no change
    before = cli.rows("select * from articles order by id")
    assert "3 pages: 0 changed, 3 unchanged" in cli("reprocess").stdout
    assert cli.rows("select * from articles order by id") == before


def test_same_story_on_the_same_site_is_clustered_but_not_flagged(
    site: SiteServer, cli: Cli
) -> None:
    body = paragraphs("parks", 6)
    site.routes["/v1.html"] = html_route(article_page("Parks", body))
    site.routes["/v2.html"] = html_route(
        article_page("Parks (updated)", [*body, *paragraphs("late news", 2)])
    )
    site.routes["/feed.xml"] = feed_route(
        rss([{"link": site.url("/v1.html")}, {"link": site.url("/v2.html")}])
    )
    cli("feeds", "add", site.url("/feed.xml"))
    cli("run", "--once")
    rows = cli.rows("select cluster_id, syndicated from articles order by id")
    assert len(rows) == 2 and rows[0]["cluster_id"] == rows[1]["cluster_id"] is not None
    assert all(r["syndicated"] == 0 for r in rows)


def test_stories_sharing_one_quoted_paragraph_stay_apart(site: SiteServer, cli: Cli) -> None:
    quote = paragraphs("a quoted statement", 1)[0]
    site.routes["/one.html"] = html_route(article_page("One", [*paragraphs("floods", 4), quote]))
    site.routes["/two.html"] = html_route(article_page("Two", [*paragraphs("hospitals", 4), quote]))
    site.routes["/feed.xml"] = feed_route(
        rss([{"link": site.url("/one.html")}, {"link": _other_outlet(site, "/two.html")}])
    )
    cli("feeds", "add", site.url("/feed.xml"))
    cli("run", "--once")
    assert [r["cluster_id"] for r in cli.rows("select cluster_id from articles")] == [None, None]


def test_user_rules_and_reprocess_reflag_stored_pages_without_refetching(
    site: SiteServer, cli: Cli
) -> None:
    body = [*paragraphs("orchards", 4), "Supplied by WireCo Syndication Partners."]
    site.routes["/a.html"] = html_route(article_page("Orchards", body))
    site.routes["/feed.xml"] = feed_route(rss([{"link": site.url("/a.html")}]))
    cli("feeds", "add", site.url("/feed.xml"))
    cli("run", "--once")
    assert cli.rows("select syndicated from articles") == [{"syndicated": 0}]
    rules = cli.workdir / "my-rules.toml"
    rules.write_text(
        "[[rule]]\n"
        'name = "wireco"\nfamily = "disclaimer"\nwhere = "end"\nweight = 0.9\nremove = true\n'
        "pattern = '''^Supplied by WireCo\\b'''\n"
        '[[agency]]\nname = "WireCo"\naliases = ["WireCo"]\n'
    )
    config = f'[syndication]\nrules_file = "{rules}"\n'
    result = cli("reprocess", config=config)
    assert "Reprocessed 1 pages: 1 changed, 0 unchanged" in result.stdout
    row = cli.rows(
        "select syndicated, syndication_score, source_agency, text, syndication_evidence from articles"
    )[0]
    assert row["syndicated"] == 1 and row["syndication_score"] == 0.9
    assert row["source_agency"] == "WireCo"
    assert "WireCo" not in row["text"]
    assert json.loads(row["syndication_evidence"])[0]["rule"] == "wireco"
    assert len(site.requests_for("/a.html")) == 1
    hits = cli.rows("select rowid from articles_fts where articles_fts match 'WireCo'")
    assert hits == []
    # the same rules again: nothing to change, and the report says so
    again = cli("reprocess", config=config)
    assert "Reprocessed 1 pages: 0 changed, 1 unchanged" in again.stdout


def test_bad_user_rules_exit_2_naming_the_rule(cli: Cli) -> None:
    rules = cli.workdir / "bad.toml"
    rules.write_text('[[rule]]\nname = "broken"\npattern = "(unclosed"\n')
    result = cli("run", "--once", config=f'[syndication]\nrules_file = "{rules}"\n', check=False)
    assert result.returncode == 2 and "'broken'" in result.stderr


def test_pages_are_not_kept_when_keep_html_is_off(site: SiteServer, cli: Cli) -> None:
    site.routes["/a.html"] = html_route(article_page("Quays", paragraphs("quays")))
    site.routes["/feed.xml"] = feed_route(rss([{"link": site.url("/a.html")}]))
    config = "[store]\nkeep_html = false\n"
    cli("feeds", "add", site.url("/feed.xml"), config=config)
    cli("run", "--once", config=config)
    assert cli.rows("select count(*) as n from pages") == [{"n": 0}]
    assert "Reprocessed 0 pages" in cli("reprocess", config=config).stdout


# --- from HTML: notes beside the article and bylines, as extraction finds them ---------

_STORY = "".join(f"<p>{p}</p>" for p in paragraphs("harbours", 5))


def _clean(body: str, url: str = "https://www.example-daily.example/news/harbour-1") -> Article:
    html = f"<html lang='es'><head><title>Puerto</title></head><body>{body}</body></html>"
    return clean_page(html, url, sites=(), rules=load_rules())


def test_a_notice_box_with_a_label_beside_the_story_is_read_as_one_note() -> None:
    notice = (
        "<div class='notice-box'><strong>Aviso</strong><p>Noticia publicada automáticamente "
        "desde el servicio de la agencia EFE, sin edición de la redacción.</p></div>"
    )
    article = _clean(f"<article><h1>Puerto</h1>{_STORY}</article><aside>{notice}</aside>")
    assert article.syndicated and article.source_agency == "EFE"
    assert article.evidence[0].position == "note"


def test_a_photo_credit_in_a_figure_is_not_the_byline() -> None:
    figure = "<figure><img src='x.jpg'><figcaption class='credit'>EFE</figcaption></figure>"
    article = _clean(f"<article><h1>Puerto</h1>{figure}{_STORY}</article>")
    assert not article.syndicated and article.source_agency is None

"""Every feed of the shared corpus, served over loopback, is handled: entries or an error.

../shared/feeds/ holds feedparser's own test corpus (well- and ill-formed feeds,
odd encodings, entities) and about 400 real feeds. A run over all of them must
finish with no crash and no hang, and leave every feed with entries or a
recorded error.
"""

from __future__ import annotations

import json
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest
from conftest import SHARED, Cli

from worker.demo.server import Route, SiteServer

CORPUS = SHARED / "feeds"
CONTENT_TYPES = {".json": "application/json", ".atom": "application/atom+xml"}


def _corpus_files() -> list[Path]:
    return sorted(
        path
        for path in CORPUS.rglob("*")
        if path.is_file() and path.name not in {"LICENSE", "ORIGIN.txt"}
    )


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/feeds not present")
@pytest.mark.heavy
def test_every_corpus_feed_yields_entries_or_a_recorded_error(
    site: SiteServer, cli: Cli, tmp_path: Path
) -> None:
    files = _corpus_files()
    assert len(files) > 2000
    outlines = []
    for index, path in enumerate(files):
        route = f"/corpus/{index}{path.suffix}"
        site.routes[route] = Route(
            body=path.read_bytes(),
            content_type=CONTENT_TYPES.get(path.suffix, "application/xml"),
        )
        outlines.append(
            f"<outline text={quoteattr(path.name)} xmlUrl={quoteattr(site.url(route))}/>"
        )
    opml = tmp_path / "corpus.opml"
    opml.write_text(
        f"<opml version='2.0'><body>{''.join(outlines)}</body></opml>", encoding="utf-8"
    )
    config = "[fetch]\nconcurrency = 8\nper_host_concurrency = 8\n"
    cli("feeds", "import", str(opml), config=config)
    result = cli("run", "--once", "--feeds-only", config=config, timeout=900)
    assert result.returncode == 0
    feeds = cli.rows(
        "select f.id, f.url, f.last_status, f.last_error_kind, count(e.id) as entries "
        "from feeds f left join entries e on e.feed_id = f.id group by f.id"
    )
    assert len(feeds) == len(files)
    unaccounted = [
        f
        for f in feeds
        if f["entries"] == 0 and f["last_error_kind"] is None and f["last_status"] is None
    ]
    assert unaccounted == [], unaccounted[:5]
    assert all(f["last_status"] is not None for f in feeds)
    with_entries = sum(1 for f in feeds if f["entries"] > 0)
    assert with_entries > len(files) * 0.5
    stats = json.loads(cli("stats", "--json", config=config).stdout)
    assert stats["entries"] > 10_000
    assert cli.rows("pragma integrity_check") == [{"integrity_check": "ok"}]

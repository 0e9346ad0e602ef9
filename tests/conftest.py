"""Shared fixtures: a real loopback HTTP server, temp databases, the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

from worker.demo.server import Route, SiteServer


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The longest tests first: xdist hands tests out in this order, and a two-minute test
    # handed out last keeps the suite waiting on one worker while the others sit idle.
    items.sort(key=lambda item: item.get_closest_marker("heavy") is None)


REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"  # read-only reference material beside the checkout


@pytest.fixture
def site() -> Iterator[SiteServer]:
    with SiteServer() as server:
        yield server


class Cli:
    """Runs ``python -m worker`` in a subprocess, in a temp working directory."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.db = workdir / "feeds.db"

    def __call__(
        self,
        *args: str,
        config: str | None = None,
        timeout: float = 120,
        check: bool = True,
        allow_loopback: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        path = self.write_config(config or "", allow_loopback=allow_loopback)
        argv = [sys.executable, "-m", "worker", "--config", str(path)]
        argv += ["--db", str(self.db), *args]
        env = {k: v for k, v in os.environ.items() if k != "FEEDWORKER_CONFIG"}
        result = subprocess.run(
            argv, cwd=self.workdir, capture_output=True, text=True, timeout=timeout, env=env
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"feedworker {' '.join(args)} exited {result.returncode}\n"
                f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
            )
        return result

    def write_config(self, config: str, *, allow_loopback: bool = True) -> Path:
        """The test's config, plus what nearly every test here needs: its loopback
        server is allowed past the private-network guard, and no politeness delay.
        Pages are cleaned on a thread of the run's own process unless the test says
        otherwise: a cleaning worker's start-up (imports, compiling the rules) costs more
        CPU than a small run's pages. The tests about the worker pool, and those that
        kill or stop a run, ask for workers."""
        if "[extract]" not in config:
            config += "\n[extract]\nworkers = 0\n"
        path = self.workdir / "feedworker.toml"
        path.write_text(with_loopback_allowed(config) if allow_loopback else config, "utf-8")
        return path

    def rows(self, sql: str, params: Any = ()) -> list[dict[str, Any]]:
        db = sqlite_utils.Database(self.db)
        try:
            return list(db.query(sql, params))
        finally:
            db.close()


LOOPBACK_FETCH = {"allowed_networks": '["127.0.0.0/8"]', "per_host_delay": "0"}


def with_loopback_allowed(config: str) -> str:
    """Add the loopback allowance (and no delay) to ``config`` unless it sets them."""
    lines = "".join(f"{k} = {v}\n" for k, v in LOOPBACK_FETCH.items() if f"{k} =" not in config)
    if "[fetch]" in config:
        return config.replace("[fetch]\n", "[fetch]\n" + lines, 1)
    return config + "\n[fetch]\n" + lines


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)


def article_page(
    title: str,
    paragraphs: list[str],
    *,
    byline: str = "By Ada Lovelace, Staff Reporter",
    head: str = "",
    lang: str = "en",
    charset: str = "utf-8",
) -> str:
    """A news page with the furniture real sites put around a story."""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="{charset}"><title>{title} | Test Gazette</title>
<meta property="og:site_name" content="Test Gazette">{head}</head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/culture">Culture</a></li></ul></nav>
<main><article><h1>{title}</h1><p class="byline">{byline}</p>
{body}
</article>
<aside><h2>TRENDING</h2><ul><li><a href="/t1">Teaser about a prize-winning marrow</a></li>
<li><a href="/t2">Teaser about the harbour fireworks budget</a></li></ul></aside>
<section><h2>Latest News</h2><p><a href="/l1">Snippet of another story that ends in...</a></p></section>
<div class="newsletter">Subscribe to our newsletter for the morning briefing.</div>
</main>
<footer><p>Contact us: desk@gazette.example</p><p>© 2026 Test Gazette. All rights reserved.</p></footer>
</body></html>"""


def paragraphs(topic: str, count: int = 4) -> list[str]:
    """Distinct prose paragraphs long enough for a main-text extractor to keep."""
    return [
        f"Paragraph {i} about {topic}: officials in the district said on Tuesday that the work "
        f"on {topic} would continue through the winter, with crews rotating every fortnight and "
        f"a review of the budget planned before the spring. Residents told reporters they had "
        f"mixed feelings about the plan number {i} for {topic}."
        for i in range(1, count + 1)
    ]


def rss(items: list[dict[str, str]], *, title: str = "Test feed") -> str:
    """An RSS 2.0 document; each item may have title, link, guid, pubDate."""
    parts = []
    for item in items:
        fields = "".join(f"<{key}>{value}</{key}>" for key, value in item.items() if key != "guid")
        if "guid" in item:
            fields += f'<guid isPermaLink="false">{item["guid"]}</guid>'
        parts.append(f"<item>{fields}</item>")
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>http://127.0.0.1/</link><description>d</description>"
        + "".join(parts)
        + "</channel></rss>"
    )


def html_route(html: str, **kwargs: Any) -> Route:
    return Route(body=html.encode(kwargs.pop("encoding", "utf-8")), **kwargs)


def feed_route(xml: str) -> Route:
    return Route(body=xml.encode("utf-8"), content_type="application/rss+xml; charset=utf-8")

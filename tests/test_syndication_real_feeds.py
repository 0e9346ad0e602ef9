"""The syndication flag on real news feeds' items: only items judged to be agency copy are flagged."""

from __future__ import annotations

import tomllib
from pathlib import Path

import feedparser
import pytest
from conftest import SHARED

from worker.clean import clean_page
from worker.exceptions import ExtractError
from worker.syndication import load_rules

FEEDS = SHARED / "feeds" / "realworld"
GOLDEN = Path(__file__).parent / "data" / "real_feed_items_flagged.toml"


@pytest.mark.skipif(not FEEDS.is_dir(), reason="needs ../shared")
def test_real_feed_items_flagged_are_exactly_those_judged_agency_copy() -> None:
    golden = tomllib.loads(GOLDEN.read_text(encoding="utf-8"))
    expected = {item["link"]: item["agency"] or None for item in golden["flagged"]}
    rules = load_rules()
    flagged: dict[str, str | None] = {}
    for feed in golden["feeds"]:
        for entry in feedparser.parse((FEEDS / feed).read_bytes()).entries:
            content = (entry.get("content") or [{}])[0].get("value") or entry.get("summary")
            if not content or not entry.get("link"):
                continue
            html = f"<html><body><article>{content}</article></body></html>"
            try:
                article = clean_page(html, entry["link"], sites=(), rules=rules)
            except ExtractError:
                continue
            if article.syndicated:
                flagged[entry["link"]] = article.source_agency
    assert flagged == expected

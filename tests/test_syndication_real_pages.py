"""The syndication flag on real news pages: only pages judged to be republished copy are flagged."""

from __future__ import annotations

import gzip
import json
import tomllib
from pathlib import Path

import pytest
from conftest import SHARED

from worker.clean import clean_page
from worker.exceptions import ExtractError
from worker.syndication import load_rules

BENCHMARK = SHARED / "extraction-benchmark"
GOLDEN = Path(__file__).parent / "data" / "real_pages_flagged.toml"


@pytest.mark.skipif(not BENCHMARK.is_dir(), reason="needs ../shared")
def test_real_pages_flagged_are_exactly_those_judged_republished() -> None:
    expected = {
        page["page"]: page["agency"] or None
        for page in tomllib.loads(GOLDEN.read_text(encoding="utf-8"))["flagged"]
    }
    truth = json.loads((BENCHMARK / "ground-truth.json").read_text(encoding="utf-8"))
    rules = load_rules()
    flagged: dict[str, str | None] = {}
    for name, page in truth.items():
        html = gzip.decompress((BENCHMARK / "html" / f"{name}.html.gz").read_bytes())
        try:
            article = clean_page(
                html.decode("utf-8", "replace"), page["url"], sites=(), rules=rules
            )
        except ExtractError:
            continue
        if article.syndicated:
            flagged[name[:8]] = article.source_agency
    assert flagged == expected

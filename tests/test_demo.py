"""`feedworker demo` ingests the bundled site exactly as the golden file says."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import sqlite_utils

GOLDEN = tomllib.loads((Path(__file__).parent / "data" / "demo_expected.toml").read_text("utf-8"))


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> sqlite_utils.Database:
    workdir = tmp_path_factory.mktemp("demo")
    result = subprocess.run(
        [sys.executable, "-m", "worker", "--db", "demo.db", "demo"],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "sqlite-utils tables demo.db --counts" in result.stdout  # runnable as printed
    return sqlite_utils.Database(workdir / "demo.db")


def test_demo_stores_each_distinct_story_once(demo_db: sqlite_utils.Database) -> None:
    summary = GOLDEN["summary"]
    assert demo_db["feeds"].count == summary["feeds"]
    assert demo_db["articles"].count == summary["articles"]
    assert (
        demo_db.execute("select count(*) from articles where syndicated = 1").fetchone()[0]
        == (summary["syndicated"])
    )


def test_every_feed_item_has_an_entry_with_a_final_status(demo_db: sqlite_utils.Database) -> None:
    statuses = {row["status"] for row in demo_db["entries"].rows}
    assert statuses <= {"stored", "duplicate_url", "duplicate_content"}
    assert (
        demo_db.execute("select count(*) from entries where article_id is null").fetchone()[0] == 0
    )


@pytest.mark.parametrize("expected", GOLDEN["article"], ids=lambda a: a["path"])
def test_demo_article_matches_golden(
    demo_db: sqlite_utils.Database, expected: dict[str, Any]
) -> None:
    rows = {row["url"].split("/", 3)[3]: row for row in demo_db["articles"].rows}
    # The twin pages carry the same text at two URLs: whichever is fetched first is stored.
    twins = {row["title"]: row for row in demo_db["articles"].rows}
    row = rows.get(expected["path"].lstrip("/")) or twins[expected["title"]]
    assert row["title"] == expected["title"]
    assert row["author"] == expected.get("author")
    assert row["source_agency"] == expected.get("source_agency")
    assert row["published_at"] == expected.get("published_at")
    assert row["language"] == expected["language"]
    assert row["site_name"] == "The Harbour Ledger"
    assert bool(row["syndicated"]) is expected["syndicated"]
    for fragment in expected["present"]:
        assert fragment in row["text"], f"missing body text: {fragment!r}"
    for fragment in expected["absent"]:
        assert fragment not in row["text"], f"boilerplate kept: {fragment!r}"
    evidence = json.loads(row["syndication_evidence"])
    assert bool(evidence) is expected["syndicated"]
    assert all({"rule", "family", "match", "position"} <= set(item) for item in evidence)
    assert (row["syndication_score"] >= 0.5) is expected["syndicated"]
    assert "\n\n" in row["text"] and "\n\n\n" not in row["text"]
    assert row["word_count"] == len(row["text"].split())

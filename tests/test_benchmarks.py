"""The benchmark scripts run end to end at a small size (their figures are in the README)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import REPO, SHARED

BENCHMARKS = REPO / "tests" / "benchmarks"


def _run(script: str, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.skipif(not (SHARED / "extraction-benchmark").is_dir(), reason="needs ../shared")
@pytest.mark.heavy
def test_ingest_benchmark_runs_at_a_small_size() -> None:
    out = _run(
        "ingest_benchmark.py",
        *("--articles", "8", "--feeds", "1", "--runs", "1"),
        *("--repoll-feeds", "5", "--repoll-runs", "1", "--floor-pages", "3"),
        *("--shared", str(SHARED)),
    )
    assert "ingest median:" in out
    assert "0 pages fetched" in out  # the re-poll of unchanged feeds fetches no page
    for peer in ("(a) extraction alone", "(b) sequential", "(c) trafilatura's CLI"):
        assert peer in out


def test_store_scale_benchmark_runs_at_a_small_size() -> None:
    out = _run("store_scale.py", "--articles", "3000", "--sample", "300")
    assert "lookup by URL" in out and "FTS queries" in out

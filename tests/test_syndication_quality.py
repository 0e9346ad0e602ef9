"""The syndication flag and story clusters, measured on the labelled pages in tests/data/."""

from __future__ import annotations

import pytest

from tests.benchmarks.syndication_eval import DATA, evaluate


# tuning2 reaches 22 of 24: its two misses are old table-layout pages whose story the
# main-text extraction merges with the navigation (see the README), not missing rules.
@pytest.mark.parametrize(
    ("split", "min_recall", "agency_misses"),
    [("dev", 0.93, 0), ("tuning", 0.93, 0), ("tuning2", 0.91, 2)],
)
def test_flag_and_clusters_meet_targets_on_development_pages(
    split: str, min_recall: float, agency_misses: int
) -> None:
    scores = evaluate(split)
    assert scores.precision >= 0.97, scores.mistakes
    assert scores.recall >= min_recall, scores.mistakes
    assert scores.cluster_precision >= 0.95, scores.mistakes
    assert scores.cluster_recall >= 0.9, scores.mistakes
    assert scores.agency_right >= scores.agency_total - agency_misses, scores.mistakes


@pytest.mark.parametrize("split", ["heldout", "heldout2"])
def test_held_out_pages_are_scored(split: str) -> None:
    # No threshold on purpose: rules are never tuned on these pages; the figures
    # are reported in the README (python tests/benchmarks/syndication_eval.py).
    if not (DATA / split).is_dir():
        pytest.skip(f"{split} pages not present")
    scores = evaluate(split)
    assert scores.pages >= 40

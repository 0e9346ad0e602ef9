"""Measure the syndication flag and story clustering on the labelled evaluation set.

    python tests/benchmarks/syndication_eval.py            # every split
    python tests/benchmarks/syndication_eval.py --split tuning2 --verbose

Each split of ``tests/data/syndication/<split>/`` is a folder of pages written
for the project with ``labels.toml`` (truth: syndicated, agency, cluster).
Pages go through the real pipeline stages, in file order, into a fresh
SQLite store: cleaning and marker rules, then near-duplicate clustering.
``dev`` and ``tuning*`` are development splits (each ``tuning`` split was
scored once blind, then used). The ``heldout*`` splits are kept out of rule
development (never run with ``--verbose``, pages never read): their figures
are the ones that predict real use.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path

from worker.clean import clean_page
from worker.config import Settings
from worker.exceptions import ExtractError
from worker.pipeline import link_near_duplicates
from worker.store import Store
from worker.syndication import RuleSet, load_rules
from worker.types import FeedEntry

DATA = Path(__file__).resolve().parent.parent / "data" / "syndication"
# development splits first, then the held-out ones
SPLITS = tuple(
    sorted(
        (folder.name for folder in DATA.iterdir() if (folder / "labels.toml").is_file()),
        key=lambda name: (name.startswith("heldout"), name),
    )
)


@dataclass
class Scores:
    split: str
    pages: int = 0
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    agency_right: int = 0
    agency_total: int = 0
    pair_true_positive: int = 0
    pair_false_positive: int = 0
    pair_false_negative: int = 0
    mistakes: list[str] = field(default_factory=list)
    wrong_pages: list[str] = field(default_factory=list)  # false positives and negatives

    @property
    def precision(self) -> float:
        flagged = self.true_positive + self.false_positive
        return self.true_positive / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        relevant = self.true_positive + self.false_negative
        return self.true_positive / relevant if relevant else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def cluster_precision(self) -> float:
        found = self.pair_true_positive + self.pair_false_positive
        return self.pair_true_positive / found if found else 1.0

    @property
    def cluster_recall(self) -> float:
        relevant = self.pair_true_positive + self.pair_false_negative
        return self.pair_true_positive / relevant if relevant else 1.0

    def summary(self) -> str:
        return (
            f"{self.split:8} pages {self.pages:3}  syndicated: precision {self.precision:.3f} "
            f"recall {self.recall:.3f} F1 {self.f1:.3f} (tp {self.true_positive}, "
            f"fp {self.false_positive}, fn {self.false_negative}); agency right "
            f"{self.agency_right}/{self.agency_total}; cluster pairs: precision "
            f"{self.cluster_precision:.3f} recall {self.cluster_recall:.3f}"
        )


def evaluate(split: str, rules: RuleSet | None = None) -> Scores:
    folder = DATA / split
    labels = tomllib.loads((folder / "labels.toml").read_text(encoding="utf-8"))["page"]
    rules = rules or load_rules()
    settings = Settings()
    scores = Scores(split=split)
    known_agencies = {agency.name for agency in rules.agencies}
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "eval.db") as store:
        now = datetime.now(UTC)
        [(feed_id, _)] = store.add_feeds(
            [("https://eval.invalid/feed", split, 3600)],
            source="eval",
            now=now,
            first_poll=lambda _: now,
        )
        article_of: dict[str, int] = {}
        for label in labels:
            html = (folder / label["file"]).read_text(encoding="utf-8")
            store.add_entries(
                feed_id,
                [
                    FeedEntry(
                        guid=label["file"],
                        link=label["url"],
                        title=None,
                        published_at=None,
                        updated_at=None,
                    )
                ],
                now=now,
            )
            entry = store.pending_entries(now=now)[0]
            try:
                article = clean_page(html, label["url"], sites=settings.sites, rules=rules)
            except ExtractError as e:
                store.mark_entry(entry.id, "skipped", kind=e.kind, error=e.message)
                continue
            outcome = store.store_article(
                entry.id, article, fetched_at=now, refetch=False, packed_html=None
            )
            article_of[label["file"]] = outcome.article_id
            if outcome.status == "stored":
                link_near_duplicates(store, outcome.article_id, article, rules, settings)
        stored = {
            row["id"]: row
            for row in store.db.query(
                "select id, syndicated, source_agency, cluster_id, syndication_evidence from articles"
            )
        }
    for label in labels:
        scores.pages += 1
        row = stored.get(article_of.get(label["file"], -1))
        flagged = bool(row and row["syndicated"])
        truth = bool(label["syndicated"])
        if flagged and truth:
            scores.true_positive += 1
        elif flagged:
            scores.false_positive += 1
            scores.wrong_pages.append(label["file"])
            scores.mistakes.append(
                f"FP {label['file']} ({label.get('kind')}): "
                f"{row['syndication_evidence'] if row else ''}"
            )
        elif truth:
            scores.false_negative += 1
            scores.wrong_pages.append(label["file"])
            scores.mistakes.append(f"FN {label['file']} ({label.get('kind')}): {label.get('note')}")
        # only agencies the rules know can be named (not a partner outlet's name)
        if truth and label.get("agency") in known_agencies:
            scores.agency_total += 1
            if row and row["source_agency"] == label["agency"]:
                scores.agency_right += 1
            else:
                scores.mistakes.append(
                    f"agency {label['file']}: got "
                    f"{row['source_agency'] if row else None}, "
                    f"want {label['agency']}"
                )
    for a, b in itertools.combinations(labels, 2):
        same_truth = a.get("cluster") is not None and a.get("cluster") == b.get("cluster")
        row_a = stored.get(article_of.get(a["file"], -1))
        row_b = stored.get(article_of.get(b["file"], -1))
        same_found = bool(
            row_a
            and row_b
            and (
                row_a["id"] == row_b["id"]
                or (row_a["cluster_id"] is not None and row_a["cluster_id"] == row_b["cluster_id"])
            )
        )
        if same_truth and same_found:
            scores.pair_true_positive += 1
        elif same_found:
            scores.pair_false_positive += 1
            scores.mistakes.append(f"cluster FP {a['file']} + {b['file']}")
        elif same_truth:
            scores.pair_false_negative += 1
            scores.mistakes.append(f"cluster FN {a['file']} + {b['file']}")
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=SPLITS, action="append")
    parser.add_argument("--verbose", action="store_true", help="list every mistake")
    args = parser.parse_args(argv)
    held_out, development = [], []
    for split in args.split or SPLITS:
        scores = evaluate(split)
        print(scores.summary())
        if args.verbose:
            for mistake in scores.mistakes:
                print("   ", mistake)
        (held_out if split.startswith("heldout") else development).append(scores)
    for name, group in (("all dev", development), ("all held", held_out)):
        if len(group) > 1:
            print(pooled(name, group).summary())
    return 0


def pooled(name: str, group: list[Scores]) -> Scores:
    """The splits' pages counted as one set."""
    total = Scores(name)
    for scores in group:
        for counter in fields(Scores):
            value = getattr(scores, counter.name)
            if isinstance(value, int):
                setattr(total, counter.name, getattr(total, counter.name) + value)
    return total


if __name__ == "__main__":
    sys.exit(main())

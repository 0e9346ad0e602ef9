"""Main-text quality on the public extraction benchmark, beside plain trafilatura.

    python tests/benchmarks/extraction_benchmark.py [--limit N] [--shared PATH]

Reads ``../shared/extraction-benchmark/`` (181 real pages with human-marked
article bodies) and scores, by the benchmark's own method, what feedworker
stores as ``text`` against ``trafilatura.extract`` with its defaults and with
the settings feedworker starts from, all in the same run.

Scoring (the benchmark's method): words are ``\\w+`` runs, units are
overlapping 4-word shingles compared as multisets; per page the true
positive, false positive and false negative counts are divided by their sum
so every page weighs the same; precision sums over pages with any output,
recall over pages with any truth (a page with nothing extra and nothing
missing counts 1 for both); F1 comes from the two.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import trafilatura

from worker.clean import clean_page
from worker.config import Settings
from worker.exceptions import ExtractError
from worker.syndication import load_rules

DEFAULT_SHARED = Path(__file__).resolve().parents[3] / "shared"
_WORD = re.compile(r"\w+")


def shingles(text: str) -> Counter[tuple[str, ...]]:
    words = _WORD.findall(text)
    return Counter(tuple(words[i : i + 4]) for i in range(len(words) - 3))


@dataclass
class Score:
    name: str
    tp: float = 0.0  # normalised, summed over pages
    fp: float = 0.0
    fn: float = 0.0
    p_tp: float = 0.0  # over pages with output
    p_fp: float = 0.0
    r_tp: float = 0.0  # over pages with truth
    r_fn: float = 0.0
    seconds: float = 0.0
    pages: int = 0

    def add(self, extracted: str, truth: str) -> None:
        got, want = shingles(extracted), shingles(truth)
        tp = sum((got & want).values())
        fp = sum((got - want).values())
        fn = sum((want - got).values())
        total = tp + fp + fn
        ntp, nfp, nfn = (1.0, 0.0, 0.0) if total == 0 else (tp / total, fp / total, fn / total)
        self.pages += 1
        if got or total == 0:
            self.p_tp += ntp
            self.p_fp += nfp
        if want or total == 0:
            self.r_tp += ntp
            self.r_fn += nfn

    @property
    def precision(self) -> float:
        return self.p_tp / (self.p_tp + self.p_fp) if self.p_tp + self.p_fp else 0.0

    @property
    def recall(self) -> float:
        return self.r_tp / (self.r_tp + self.r_fn) if self.r_tp + self.r_fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def row(self) -> str:
        rate = self.pages / self.seconds if self.seconds else 0.0
        return (
            f"| {self.name} | {self.precision:.3f} | {self.recall:.3f} | {self.f1:.3f} "
            f"| {rate:.1f} |"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    args = parser.parse_args(argv)
    root = args.shared / "extraction-benchmark"
    if not root.is_dir():
        parser.error(f"no benchmark at {root}: pass --shared PATH (the folder holding it)")
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)[: args.limit]
    rules = load_rules()
    settings = Settings()

    def feedworker_text(html: str, url: str) -> str:
        try:
            return clean_page(html, url, sites=settings.sites, rules=rules).text
        except ExtractError:
            return ""

    tools: dict[str, Callable[[str, str], str]] = {
        "feedworker (stored text)": feedworker_text,
        "trafilatura.extract, defaults": lambda html, url: trafilatura.extract(html, url=url) or "",
        "trafilatura.extract, favor_precision, no comments": lambda html, url: (
            trafilatura.extract(html, url=url, favor_precision=True, include_comments=False) or ""
        ),
    }
    scores = {name: Score(name) for name in tools}
    for page_id in ids:
        html = gzip.decompress((root / "html" / f"{page_id}.html.gz").read_bytes()).decode(
            "utf-8", "replace"
        )
        url = truth[page_id].get("url") or "https://example.invalid/"
        for name, extract in tools.items():
            started = time.process_time()
            text = extract(html, url)
            scores[name].seconds += time.process_time() - started
            scores[name].add(text, truth[page_id]["articleBody"])
    print(f"{len(ids)} pages from {root}")
    print("| extractor | precision | recall | F1 | pages/s (CPU) |")
    print("| --- | --- | --- | --- | --- |")
    for score in scores.values():
        print(score.row())
    return 0


if __name__ == "__main__":
    sys.exit(main())

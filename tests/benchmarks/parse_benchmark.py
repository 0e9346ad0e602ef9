"""Feed-parsing cost: the worker's parsing stage beside feedparser and fastfeedparser alone.

    python tests/benchmarks/parse_benchmark.py [--shared PATH] [--runs 3]

Parses the 200 full-size real feeds of
``../shared/feeds/realworld/fastfeedparser/benchmark_data/`` in one process,
each tool over all of them in turn, and prints CPU seconds (median of
``--runs``), entries found, and how many feeds the worker's fast path took.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fastfeedparser
import feedparser

from worker.exceptions import ParseError
from worker.parse import parse_feed

DEFAULT_SHARED = Path(__file__).resolve().parents[3] / "shared"


def _timed(
    parse: Callable[[bytes, str], int], bodies: list[tuple[str, bytes]]
) -> tuple[float, int]:
    started = time.process_time()
    entries = sum(parse(body, f"http://127.0.0.1/{name}") for name, body in bodies)
    return time.process_time() - started, entries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    folder = args.shared / "feeds" / "realworld" / "fastfeedparser" / "benchmark_data"
    if not folder.is_dir():
        parser.error(f"no feeds at {folder}: pass --shared PATH (the folder holding them)")
    bodies = [
        (p.name, p.read_bytes())
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name not in {"LICENSE", "ORIGIN.txt"}
    ]
    parsers_used: Counter[str] = Counter()

    def worker(body: bytes, url: str) -> int:
        try:
            parsed = parse_feed(body, url=url)
        except ParseError:
            return 0
        parsers_used[parsed.parser] += 1
        return len(parsed.entries)

    def feedparser_alone(body: bytes, url: str) -> int:
        result: Any = feedparser.parse(body, response_headers={"content-location": url})
        return len(result.entries)

    def fastfeedparser_alone(body: bytes, url: str) -> int:
        try:
            return len(fastfeedparser.parse(body).entries)
        except Exception:
            return 0

    tools = {
        "worker parsing stage": worker,
        "feedparser alone": feedparser_alone,
        "fastfeedparser alone": fastfeedparser_alone,
    }
    results = {}
    for name, tool in tools.items():
        runs = [_timed(tool, bodies) for _ in range(args.runs)]
        results[name] = (statistics.median(r[0] for r in runs), runs[0][1])
    size = sum(len(body) for _, body in bodies) / 1e6
    print(f"{len(bodies)} real feeds, {size:.0f} MB, CPU seconds (median of {args.runs} runs)")
    print("| parser | CPU s | entries | vs feedparser |")
    print("| --- | --- | --- | --- |")
    reference = results["feedparser alone"][0]
    for name, (seconds, entries) in results.items():
        print(f"| {name} | {seconds:.2f} | {entries} | {reference / seconds:.1f}x |")
    runs = args.runs
    print(
        f"worker fast path on {parsers_used['fastfeedparser'] // runs} feeds, "
        f"feedparser fallback on {parsers_used['feedparser'] // runs}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""End-to-end ingest cost on a synthetic news site served over loopback.

    python tests/benchmarks/ingest_benchmark.py [--feeds 10] [--shared PATH]

The site's article pages are the 181 real news pages of
``../shared/extraction-benchmark/`` (30-200 KB each); F feeds list them, with a
fifth of the items repeated in a second feed under a tracking-parameter URL.
Measured from an empty database, each in a fresh process:

1. ingest: ``feedworker run --once``: wall time, articles stored per second,
   CPU seconds of the run, peak RSS;
2. re-poll with nothing changed (304 path), and again against a server that
   ignores conditional headers and re-sends the same bytes: CPU per feed;
3. beside it: (a) feedworker's cleaning alone over the same pages in one process
   (the CPU floor), and (b) a plain sequential script (httpx + feedparser +
   trafilatura, one page at a time), as ratios to feedworker's ingest rate.
"""

from __future__ import annotations

import argparse
import gzip
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import feedparser
import httpx
import trafilatura

from worker.clean import clean_page
from worker.demo.server import Route, SiteServer
from worker.exceptions import ExtractError
from worker.syndication import load_rules

DEFAULT_SHARED = Path(__file__).resolve().parents[3] / "shared"


def _rss(items: list[str]) -> bytes:
    body = "".join(f"<item><link>{link}</link><guid>{link}</guid></item>" for link in items)
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>bench</title>'
        f"<link>http://127.0.0.1/</link><description>d</description>{body}</channel></rss>"
    ).encode()


def _children_usage() -> tuple[float, float]:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _run(args: list[str], cwd: Path) -> tuple[float, float, str]:
    cpu_before, _ = _children_usage()
    started = time.perf_counter()
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    cpu_after, _ = _children_usage()
    return wall, cpu_after - cpu_before, result.stderr


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--feeds", type=int, default=10)
    args = parser.parse_args(argv)
    root = args.shared / "extraction-benchmark"
    if not root.is_dir():
        parser.error(f"no benchmark pages at {root}: pass --shared PATH")
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {
        f"/a/{page_id}.html": gzip.decompress((root / "html" / f"{page_id}.html.gz").read_bytes())
        for page_id in sorted(truth)
    }
    with SiteServer() as site, tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for path, body in pages.items():
            site.routes[path] = Route(body=body)
        paths = list(pages)
        for f in range(args.feeds):
            own = [site.url(p) for i, p in enumerate(paths) if i % args.feeds == f]
            repeats = [
                site.url(p) + f"?utm_source=f{f}"
                for i, p in enumerate(paths)
                if i % 5 == 0 and i % args.feeds == (f + 1) % args.feeds
            ]
            site.routes[f"/feed{f}.xml"] = Route(
                body=_rss(own + repeats), content_type="application/rss+xml"
            )
        config = workdir / "feedworker.toml"
        config.write_text(
            '[fetch]\nallowed_networks = ["127.0.0.0/8"]\nper_host_delay = 0\n'
            "per_host_concurrency = 16\nrespect_robots = false\n"
            + "".join(
                f'[[feeds]]\nurl = "{site.url(f"/feed{f}.xml")}"\n' for f in range(args.feeds)
            )
        )
        cli = [
            sys.executable,
            "-m",
            "worker",
            "--config",
            str(config),
            "--db",
            str(workdir / "bench.db"),
        ]
        wall, cpu, _ = _run([*cli, "run", "--once"], workdir)
        _, peak_rss = _children_usage()
        stored = int(
            subprocess.run([*cli, "stats", "--json"], capture_output=True, text=True, check=True)
            .stdout.split('"articles": ')[1]
            .split(",")[0]
        )
        print(
            f"ingest: {stored} articles from {args.feeds} feeds in {wall:.1f} s wall "
            f"= {stored / wall:.1f} articles/s; CPU {cpu:.1f} s ({cpu / stored * 1000:.0f} ms "
            f"per article, both cores); peak RSS {peak_rss:.0f} MB"
        )
        wall2, cpu2, _ = _run([*cli, "run", "--once"], workdir)
        print(
            f"re-poll, 304 path: {wall2:.2f} s wall, {cpu2:.2f} s CPU for {args.feeds} feeds "
            "(mostly interpreter start-up)"
        )
        for f in range(args.feeds):
            site.routes[f"/feed{f}.xml"].validators = False
        wall3, cpu3, _ = _run([*cli, "run", "--once"], workdir)
        print(f"re-poll, validators ignored, same bytes: {wall3:.2f} s wall, {cpu3:.2f} s CPU")

        rules = load_rules()
        started = time.process_time()
        cleaned = 0
        for path, body in pages.items():
            try:
                clean_page(body.decode("utf-8", "replace"), site.url(path), sites=(), rules=rules)
                cleaned += 1
            except ExtractError:
                pass
        floor = len(pages) / (time.process_time() - started)
        print(
            f"(a) cleaning alone, one process: {floor:.1f} pages/s "
            f"-> feedworker ingest is {stored / wall / floor:.2f}x the single-process floor"
        )

        started = time.perf_counter()
        baseline_stored = 0
        with httpx.Client() as client:
            for f in range(args.feeds):
                feed = feedparser.parse(client.get(site.url(f"/feed{f}.xml")).content)
                for entry in feed.entries:
                    html = client.get(entry.link).text
                    if trafilatura.extract(html, url=entry.link):
                        baseline_stored += 1
        baseline = baseline_stored / (time.perf_counter() - started)
        print(
            f"(b) sequential feedparser + httpx + trafilatura: {baseline:.1f} pages/s "
            f"-> feedworker is {stored / wall / baseline:.2f}x (it also dedupes, so it "
            f"extracts {stored} where the script extracts {baseline_stored})"
        )
        print("(c) trafilatura's feed mode: not measured here (see README)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""End-to-end ingest cost on a synthetic news site served over loopback, beside its peers.

    python tests/benchmarks/ingest_benchmark.py                       # the README's figures
    python tests/benchmarks/ingest_benchmark.py --articles 60 --feeds 4 --repoll-feeds 100 --runs 1
    python tests/benchmarks/ingest_benchmark.py --long 50000          # memory over a long run
    python tests/benchmarks/ingest_benchmark.py --parts repoll        # one part (ingest, repoll, peers)

The site's article pages are the 181 real news pages of
``../shared/extraction-benchmark/`` (30-200 KB each, with their navigation,
teasers and footers). Past the first 181 articles each page is served again as
a new story: every letter of its text (not of its markup) goes through a
per-copy substitution, so the copy has the page's structure and cost but words,
content hash and shingles of its own. F feeds list the A articles; a fifth of
the items is listed again in another feed under a tracking-parameter URL
(``duplicate_url``) and a twentieth under a second path with the same page
(``duplicate_content``). Bodies are gzipped once, as a web server's cache would.

Measured from an empty database, each run a fresh ``feedworker run --once``:

1. ingest: wall time, articles stored per second, CPU of the run (all its
   processes) and by stage from the run's ``run_done`` event, peak RSS of the
   process tree;
2. re-poll with nothing changed, the same feeds again (304 path: no parsing, no
   page fetch), then against a server that ignores conditional headers and
   re-sends the same bytes; and the 304 path over ``--repoll-feeds`` feeds
   (10,000), as worker CPU per feed net of interpreter start-up;
3. beside it, on the same machine in the same run: (a) feedworker's extraction
   alone (``clean_page``) over the same pages in one process, the CPU floor; (b)
   a plain sequential script (httpx + feedparser + trafilatura, one page at a
   time), and (c) trafilatura's own command line (see ``trafilatura_peer.py``),
   both over a quarter of the feeds, compared by feed entries handled per second.

``--long N`` instead ingests N articles (pages made on the fly) and reports the
RSS of the worker's main process and of its whole process tree after 5,000 and
after N articles.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import feedparser
import httpx
import trafilatura

# `python tests/benchmarks/ingest_benchmark.py` from a checkout, as the README runs it
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.benchmarks.trafilatura_peer import run_trafilatura_feeds
from worker.clean import clean_page
from worker.demo.server import Route, SiteServer
from worker.exceptions import ExtractError
from worker.syndication import load_rules

DEFAULT_SHARED = Path(__file__).resolve().parents[3] / "shared"
_MARKUP = re.compile(rb"(<[^>]*>)")
_LETTERS = b"abcdefghijklmnopqrstuvwxyz"


def new_story(page: bytes, copy: int) -> bytes:
    """``page`` with every letter outside its tags substituted by a per-``copy`` cipher."""
    if copy == 0:
        return page
    shuffled = bytearray(_LETTERS)
    random.Random(copy).shuffle(shuffled)
    table = bytes.maketrans(_LETTERS + _LETTERS.upper(), bytes(shuffled) + shuffled.upper())
    parts = _MARKUP.split(page)
    parts[::2] = [text.translate(table) for text in parts[::2]]
    return b"".join(parts)


@dataclass
class Site:
    """Feeds and article paths of the synthetic site (paths only; bodies are served)."""

    feeds: dict[str, list[str]] = field(default_factory=dict)  # feed path -> item paths
    articles: int = 0
    entries: int = 0


def plan_site(articles: int, feeds: int, base_ids: list[str]) -> Site:
    site = Site(feeds={f"/feed{f}.xml": [] for f in range(feeds)}, articles=articles)
    names = list(site.feeds)
    for j in range(articles):
        path = f"/a/{j // len(base_ids)}/{base_ids[j % len(base_ids)]}.html"
        site.feeds[names[j % feeds]].append(path)
        if j % 5 == 0:  # the same story in another feed, with a tracking parameter
            site.feeds[names[(j + 1) % feeds]].append(path + "?utm_source=bench&utm_medium=rss")
        if j % 20 == 0:  # the same page under a second URL
            site.feeds[names[(j + 2) % feeds]].append(path.replace("/a/", "/b/", 1))
    site.entries = sum(len(items) for items in site.feeds.values())
    return site


def _rss(base_url: str, items: list[str]) -> bytes:
    body = "".join(
        f"<item><title>Story {i}</title><link>{base_url}{path}</link>"
        f"<guid>{base_url}{path}</guid></item>"
        for i, path in enumerate(items)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>bench</title>'
        f"<link>{base_url}/</link><description>d</description>{body}</channel></rss>"
    ).encode()


def _page_route(body: bytes) -> Route:
    return Route(body=gzip.compress(body, 6), headers={"Content-Encoding": "gzip"})


def serve_site(server: SiteServer, site: Site, pages: dict[str, bytes], *, lazy: bool) -> None:
    """Register the site's routes; ``lazy`` makes each page on request (for long runs)."""
    base_ids = list(pages)

    def body_of(path: str) -> bytes:
        _, _, copy, name = path.split("?")[0].split("/")
        return new_story(pages[name.removesuffix(".html")], int(copy))

    def lazy_page(handler: BaseHTTPRequestHandler) -> None:
        body = gzip.compress(body_of(handler.path), 1)
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    for j in range(site.articles):
        path = f"/a/{j // len(base_ids)}/{base_ids[j % len(base_ids)]}.html"
        route = Route(handler=lazy_page) if lazy else _page_route(body_of(path))
        server.routes[path] = route
        if j % 20 == 0:
            server.routes[path.replace("/a/", "/b/", 1)] = route
    for feed_path, items in site.feeds.items():
        server.routes[feed_path] = Route(
            body=_rss(server.base_url, items), content_type="application/rss+xml"
        )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_tree(pid: int) -> list[int]:
    """``pid`` and every process below it, read from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(parents.get(current, []))
    return found


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class RunResult:
    wall_s: float
    cpu_s: float
    peak_rss_mb: float  # the process tree, summed
    peak_main_rss_mb: float
    done: dict[str, object]  # the run_done event
    samples: list[tuple[float, float, float]] = field(default_factory=list)  # t, main, tree


def run_worker(
    cli: list[str],
    *args: str,
    on_sample: Callable[[int, float, float], None] | None = None,
) -> RunResult:
    """One ``feedworker -v ...`` run, sampling the RSS of its process tree."""
    cpu_before = _children_cpu()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*cli, "-v", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr or []), daemon=True)
    reader.start()
    peak = peak_main = 0.0
    samples = []
    while proc.poll() is None:
        main = _rss_mb(proc.pid)
        tree = sum(_rss_mb(p) for p in process_tree(proc.pid))
        peak, peak_main = max(peak, tree), max(peak_main, main)
        samples.append((time.perf_counter() - started, main, tree))
        if on_sample is not None:
            on_sample(proc.pid, main, tree)
        time.sleep(0.2)
    wall = time.perf_counter() - started
    reader.join()
    if proc.returncode != 0:
        raise RuntimeError(
            f"feedworker {' '.join(args)} exited {proc.returncode}:\n{''.join(lines)[-3000:]}"
        )
    done: dict[str, object] = {}
    for line in lines:
        if '"run_done"' in line:
            done = json.loads(line)
    return RunResult(
        wall_s=wall,
        cpu_s=_children_cpu() - cpu_before,
        peak_rss_mb=peak,
        peak_main_rss_mb=peak_main,
        done=done,
        samples=samples,
    )


def _config(workdir: Path, feed_urls: list[str], *, keep_html: bool = True) -> Path:
    # One loopback host serves everything, where real feeds span many hosts: lift the
    # per-host limits that would otherwise make this a politeness benchmark.
    config = workdir / "feedworker.toml"
    config.write_text(
        '[fetch]\nallowed_networks = ["127.0.0.0/8"]\nper_host_delay = 0\n'
        "per_host_concurrency = 16\nrespect_robots = false\n"
        f"[store]\nkeep_html = {'true' if keep_html else 'false'}\n"
        + "".join(f'[[feeds]]\nurl = "{url}"\n' for url in feed_urls)
    )
    return config


def _cli(config: Path, db: Path) -> list[str]:
    return [sys.executable, "-m", "worker", "--config", str(config), "--db", str(db)]


def _stored(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return int(conn.execute("select count(*) from articles").fetchone()[0])


@contextmanager
def _workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(tmp)


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def measure_ingest(server: SiteServer, site: Site, runs: int) -> tuple[list[RunResult], int]:
    feed_urls = [server.url(path) for path in site.feeds]
    results = []
    stored = 0
    for run in range(runs):
        with _workdir() as workdir:
            config = _config(workdir, feed_urls)
            db = workdir / "bench.db"
            cli = _cli(config, db)
            result = run_worker(cli, "run", "--once")
            stored = _stored(db)
            results.append(result)
            stages = result.done.get("cpu_s", {})
            print(
                f"  run {run + 1}: {stored} articles, {site.entries} entries in "
                f"{result.wall_s:.1f} s = {stored / result.wall_s:.1f} articles/s; "
                f"CPU {result.cpu_s:.1f} s; stages {stages}; peak RSS "
                f"{result.peak_rss_mb:.0f} MB (main {result.peak_main_rss_mb:.0f} MB)",
                flush=True,
            )
            if run == runs - 1:
                measure_repoll_same_site(server, site, cli, stored)
    return results, stored


def measure_repoll_same_site(server: SiteServer, site: Site, cli: list[str], stored: int) -> None:
    requests_before = len(server.requests)
    again = run_worker(cli, "run", "--once")
    pages_fetched = sum(1 for r in server.requests[requests_before:] if "/feed" not in r.path)
    print(
        f"  re-poll, nothing changed: {len(site.feeds)} feeds in {again.wall_s:.2f} s wall, "
        f"{again.cpu_s:.2f} s CPU, {pages_fetched} pages fetched, entries "
        f"{ {k: v for k, v in again.done.items() if k in ('stored', 'new_entries')} }"
    )
    for path in site.feeds:
        server.routes[path].validators = False
    same = run_worker(cli, "run", "--once")
    for path in site.feeds:
        server.routes[path].validators = True
    print(
        f"  re-poll, validators ignored, same bytes: {same.wall_s:.2f} s wall, "
        f"{same.cpu_s:.2f} s CPU, poll stage CPU {same.done.get('cpu_s', {})}"
    )


def measure_repoll_many(server: SiteServer, feeds: int, repeats: int) -> None:
    """The 304 path over ``feeds`` feeds: worker CPU per feed, net of start-up."""
    paths = [f"/many/{i}.xml" for i in range(feeds)]
    for i, path in enumerate(paths):
        items = [f"/many/{i}/story-{n}.html" for n in range(5)]
        server.routes[path] = Route(
            body=_rss(server.base_url, items), content_type="application/rss+xml"
        )
    with _workdir() as workdir:
        empty = _cli(_config(workdir, []), workdir / "empty.db")
        start_up = _median([run_worker(empty, "run", "--once").cpu_s for _ in range(repeats)])
        config = _config(workdir, [server.url(p) for p in paths])
        cli = _cli(config, workdir / "many.db")
        first = run_worker(cli, "run", "--once", "--feeds-only")
        repolls = [run_worker(cli, "run", "--once", "--feeds-only") for _ in range(repeats)]
        cpu = _median([r.cpu_s for r in repolls])
        wall = _median([r.wall_s for r in repolls])
    per_feed_ms = (cpu - start_up) / feeds * 1000
    print(
        f"re-poll of {feeds} unchanged feeds (304): {wall:.1f} s wall, {cpu:.2f} s CPU, "
        f"start-up alone {start_up:.2f} s -> {per_feed_ms:.2f} ms worker CPU per feed "
        f"(first poll with parsing: {(first.cpu_s - start_up) / feeds * 1000:.2f} ms per feed)"
    )


def measure_floor(server: SiteServer, site: Site, pages: dict[str, bytes], limit: int) -> float:
    """feedworker's extraction alone, one process, over the site's first pages: pages/s."""
    rules = load_rules()
    paths = [p for items in site.feeds.values() for p in items if "?" not in p and "/a/" in p]
    paths = sorted(set(paths), key=lambda p: (int(p.split("/")[2]), p))[:limit]
    bodies = []
    for path in paths:
        _, _, copy, name = path.split("/")
        bodies.append(new_story(pages[name.removesuffix(".html")], int(copy)).decode())
    started = time.process_time()
    for path, body in zip(paths, bodies, strict=True):
        with suppress(ExtractError):
            clean_page(body, server.url(path), sites=(), rules=rules)
    return len(bodies) / (time.process_time() - started)


def measure_sequential(server: SiteServer, feed_paths: list[str]) -> tuple[float, int, int]:
    """The script a user would write: wall seconds, entries handled, pages extracted."""
    started = time.perf_counter()
    entries = extracted = 0
    with httpx.Client() as client:
        for path in feed_paths:
            feed = feedparser.parse(client.get(server.url(path)).content)
            for entry in feed.entries:
                entries += 1
                html = client.get(entry.link).text
                if trafilatura.extract(html, url=entry.link):
                    extracted += 1
    return time.perf_counter() - started, entries, extracted


def measure_long(server: SiteServer, site: Site, checkpoints: list[int]) -> None:
    feed_urls = [server.url(path) for path in site.feeds]
    with _workdir() as workdir:
        db = workdir / "long.db"
        cli = _cli(_config(workdir, feed_urls), db)
        seen: dict[int, tuple[float, float]] = {}
        last_check = [0.0]
        last: list[float] = []  # the last sample: articles stored, main RSS, tree RSS

        def on_sample(pid: int, main: float, tree: float) -> None:
            if time.monotonic() - last_check[0] < 2 or not db.exists():
                return
            last_check[0] = time.monotonic()
            try:
                count = _stored(db)
            except sqlite3.Error:
                return
            last[:] = [count, main, tree]
            for checkpoint in checkpoints:
                if count >= checkpoint and checkpoint not in seen:
                    seen[checkpoint] = (main, tree)
                    print(
                        f"  {count} articles stored: main RSS {main:.0f} MB, "
                        f"process tree {tree:.0f} MB",
                        flush=True,
                    )

        result = run_worker(cli, "run", "--once", on_sample=on_sample)
        stored = _stored(db)
    print(
        f"long run: {stored} articles in {result.wall_s:.0f} s "
        f"({stored / result.wall_s:.1f}/s), CPU {result.cpu_s:.0f} s, peak tree RSS "
        f"{result.peak_rss_mb:.0f} MB, peak main RSS {result.peak_main_rss_mb:.0f} MB"
    )
    if last and int(last[0]) not in seen:  # pages that yield no article: N is not reached
        seen[int(last[0])] = (last[1], last[2])
        print(
            f"  {int(last[0])} articles stored (last sample): main RSS {last[1]:.0f} MB, "
            f"process tree {last[2]:.0f} MB"
        )
    if len(seen) >= 2:
        (first_main, first_tree), (last_main, last_tree) = seen[checkpoints[0]], seen[max(seen)]
        print(
            f"RSS growth from {checkpoints[0]} to {max(seen)} articles: main "
            f"{(last_main / first_main - 1) * 100:+.0f}%, tree {(last_tree / first_tree - 1) * 100:+.0f}%"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--feeds", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3, help="ingest runs (median reported)")
    parser.add_argument("--repoll-feeds", type=int, default=10_000)
    parser.add_argument(
        "--repoll-runs", type=int, default=3, help="re-polls (and bare start-ups) per median"
    )
    parser.add_argument("--floor-pages", type=int, default=400)
    parser.add_argument("--long", type=int, default=0, metavar="N", help="only the long run")
    parser.add_argument(
        "--parts",
        default="ingest,repoll,peers",
        help="comma-separated: ingest (1), repoll (2, the many-feeds part), peers (3)",
    )
    args = parser.parse_args(argv)
    root = args.shared / "extraction-benchmark"
    if not root.is_dir():
        parser.error(f"no benchmark pages at {root}: pass --shared PATH")
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {
        page_id: gzip.decompress((root / "html" / f"{page_id}.html.gz").read_bytes())
        for page_id in sorted(truth)
    }
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    with SiteServer() as server:
        if args.long:
            site = plan_site(args.long, max(args.feeds, args.long // 500), list(pages))
            serve_site(server, site, pages, lazy=True)
            measure_long(server, site, [5000, args.long])
            return 0
        parts = set(args.parts.split(","))
        if "repoll" in parts:
            print("2. re-poll:")
            measure_repoll_many(server, args.repoll_feeds, args.repoll_runs)
        if not parts & {"ingest", "peers"}:
            return 0
        site = plan_site(args.articles, args.feeds, list(pages))
        serve_site(server, site, pages, lazy=False)
        print(f"site: {site.articles} articles, {len(site.feeds)} feeds, {site.entries} entries")
        print("1. ingest, feedworker run --once from an empty database:")
        results, stored = measure_ingest(server, site, args.runs)
        rate = _median([stored / r.wall_s for r in results])
        entry_rate = _median([site.entries / r.wall_s for r in results])
        print(
            f"ingest median: {rate:.1f} articles/s ({entry_rate:.1f} entries/s), CPU "
            f"{_median([r.cpu_s for r in results]) / stored * 1000:.1f} ms per article, "
            f"peak RSS {_median([r.peak_rss_mb for r in results]):.0f} MB"
        )
        if "peers" not in parts:
            return 0
        print("3. limit and peers:")
        floor = measure_floor(server, site, pages, args.floor_pages)
        print(
            f"(a) extraction alone (clean_page), one process: {floor:.1f} pages/s "
            f"-> ingest is {rate / floor:.2f}x this floor"
        )
        subset = list(site.feeds)[: max(1, len(site.feeds) // 4)]
        wall, entries, extracted = measure_sequential(server, subset)
        print(
            f"(b) sequential feedparser + httpx + trafilatura over {len(subset)} feeds: "
            f"{entries} entries ({extracted} extracted) in {wall:.1f} s = "
            f"{entries / wall:.1f} entries/s -> feedworker is {entry_rate / (entries / wall):.2f}x"
        )
        with _workdir() as workdir:
            peer = run_trafilatura_feeds([server.url(p) for p in subset], workdir)
        subset_entries = sum(len(site.feeds[p]) for p in subset)
        print(
            f"(c) trafilatura's CLI over the same {len(subset)} feeds: {peer.urls_submitted} "
            f"URLs, {peer.pages_written} written, {peer.wall_s:.1f} s wall, CPU "
            f"{peer.cpu_s:.1f} s = {subset_entries / peer.wall_s:.1f} entries/s "
            f"-> feedworker is {entry_rate / (subset_entries / peer.wall_s):.2f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

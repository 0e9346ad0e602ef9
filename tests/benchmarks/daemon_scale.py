"""Memory and idle CPU of the daemon carrying many registered feeds.

    python tests/benchmarks/daemon_scale.py [--feeds 100000] [--seconds 60]

Registers the feeds (none due for the next hour), shows the query plan and time
of the due-feeds query, then runs ``feedworker run`` with a 1-second tick (the
worst case for an idle daemon) and samples its RSS and CPU time from /proc.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from worker.store import Store, iso


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args(argv)
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "scale.db"
        now = datetime.now(UTC)
        started = time.perf_counter()
        with Store(db) as store:
            store.add_feeds(
                (
                    (f"https://feeds{i % 5000}.example/{i}.xml", None, 1800)
                    for i in range(args.feeds)
                ),
                source="benchmark",
                now=now,
                first_poll=lambda _: now + timedelta(seconds=rng.uniform(3600, 7200)),
            )
            print(f"registered {args.feeds} feeds in {time.perf_counter() - started:.1f} s")
            due_sql = (
                "SELECT id FROM feeds WHERE enabled = 1 AND parked_at IS NULL "
                "AND next_poll_at <= ? ORDER BY next_poll_at, id LIMIT 1000"
            )
            plan = store.db.execute("EXPLAIN QUERY PLAN " + due_sql, [iso(now)]).fetchall()
            print("due-feeds query plan:", "; ".join(row[-1] for row in plan))
            timings = []
            for _ in range(50):
                t = time.perf_counter()
                store.feeds_to_poll(due_before=datetime.now(UTC), limit=1000)
                timings.append(time.perf_counter() - t)
            print(f"due-feeds query: median {sorted(timings)[25] * 1000:.2f} ms")
            later = now + timedelta(seconds=5400)
            t = time.perf_counter()
            half = store.feeds_to_poll(due_before=later, limit=1000)
            print(
                f"due-feeds query with ~half the feeds due: {len(half)} rows (LIMIT 1000) "
                f"in {(time.perf_counter() - t) * 1000:.2f} ms"
            )
        config = Path(tmp) / "feedworker.toml"
        config.write_text("[schedule]\ntick = 1\n")
        daemon = subprocess.Popen(
            [sys.executable, "-m", "worker", "--config", str(config), "--db", str(db), "run"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            time.sleep(5)
            cpu_start, rss_start = _cpu_seconds(daemon.pid), _rss_mb(daemon.pid)
            time.sleep(args.seconds)
            cpu = _cpu_seconds(daemon.pid) - cpu_start
            rss_end = _rss_mb(daemon.pid)
        finally:
            daemon.terminate()
            daemon.wait(timeout=30)
        print(
            f"daemon RSS: {rss_start:.0f} MB after start-up, {rss_end:.0f} MB after "
            f"{args.seconds:.0f} s idle with {args.feeds} feeds (1 s tick)"
        )
        print(
            f"idle CPU: {cpu:.2f} s over {args.seconds:.0f} s = {100 * cpu / args.seconds:.2f}% "
            "of one core"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""trafilatura's own command line as the packaged peer of ``feedworker run --once``.

``run_trafilatura_feeds(feed_urls, workdir)`` runs the trafilatura CLI in a
subprocess over the articles of the given feeds and reports wall time, CPU time
and the number of documents it wrote. What it runs, and why, from trafilatura's
source (2.3, ``cli.py``, ``cli_utils.py``, ``downloads.py``, ``feeds.py``):

* **Feed mode cannot read a loopback feed, so URL-list mode runs.** ``--feed``
  does take several feeds in one run (``--feed -i feeds.txt``), but it hands each
  URL to courlan's ``get_hostinfo``, which finds no domain in an IP literal with a
  port (``127.0.0.1:PORT``): it logs "Invalid URL", fetches nothing and exits 0.
  courlan's ``check_url`` drops every item link of such a feed for the same
  reason. So the feeds are read here the way feed mode reads them (its own
  ``find_links``, links resolved and passed through ``check_url``'s cleaning:
  ``scrub_url`` then ``normalize_url``, which strips tracking parameters such as
  ``utm_source``; links without a path, like the channel's home page, dropped as
  in ``extract_links``; de-duplicated) and the item URLs go to
  ``trafilatura -i urls.txt -o DIR``, the download-and-extract half that feed
  mode ends in (``cli_discovery`` -> ``url_processing_pipeline``). The
  de-duplication matters: fed the raw links, ``-i`` normalises *after* its own
  de-duplication and so downloads and extracts a ``?utm_source=`` copy twice.
  Fetching the feeds is timed (wall) and its thread CPU is added to ``cpu_s``.
* **Config file** (``--config-file``): ``SLEEP_TIME = 0``, because every page
  comes from one loopback host and the default 5 s is a per-host wait between
  downloads (``load_download_buffer``); ``SSRF_PROTECTION = off``, because this
  build refuses non-public peers by default (every loopback download fails,
  exit 126).
* **One host, several spellings.** With the wait at 0 the per-host politeness
  still serialises: courlan's ``UrlStore.get_download_urls`` hands out one URL
  per host per round, and the main thread extracts that page before the next
  round, so against one host trafilatura waits for every download in turn (about
  half the wall time over the loopback server, which gzips each page). A user's
  real feeds span many hosts, and trafilatura interleaves them. To give it that
  here, item URLs on ``127.0.0.1`` are spread round-robin over ``host_spellings``
  numeric spellings of the same address (``127.1``, ``2130706433``,
  ``0x7f000001``, ...; the resolver maps them all to 127.0.0.1 and the server
  ignores the Host header); each page keeps one spelling, so nothing is fetched
  twice. ``host_spellings=1`` turns this off.
* ``--parallel 2``, one download thread per core. It sizes only the download
  thread pool; extraction runs serially in the main thread (one core), so more
  threads buy nothing on 2 cores.
* ``--precision --no-comments``, text output without metadata: the same
  ``favor_precision`` / ``include_comments=False`` / no-metadata extraction that
  ``worker.extract`` asks of trafilatura. ``--deduplicate`` stays off.
* Proxy variables are removed from the child's environment: with ``http_proxy``
  set, trafilatura sends every download through a SOCKS proxy.
* ``pages_written`` counts the files under the output directory. trafilatura
  names each file after a hash of its extracted text, so two URLs with identical
  text write one file; documents that fail extraction write nothing.
"""

from __future__ import annotations

import os
import resource
import shlex
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from courlan import normalize_url, scrub_url
from trafilatura.feeds import FeedParameters, find_links
from trafilatura.utils import safe_relative_url

PARALLEL = 2  # download threads: one per core of the 2-core benchmark machine
PEER_CONFIG = """\
[DEFAULT]
# one loopback host: no per-host politeness wait between downloads
SLEEP_TIME = 0
# the loopback test server is a non-public address
SSRF_PROTECTION = off
"""
_PROXY_VARS = frozenset({"http_proxy", "https_proxy", "all_proxy", "no_proxy"})
# numeric spellings of 127.0.0.1 that inet_aton accepts, distinct to courlan's UrlStore
LOOPBACK_SPELLINGS = (
    "127.0.0.1",
    "127.1",
    "127.0.1",
    "2130706433",
    "0x7f000001",
    "0177.0.0.1",
    "127.00.0.1",
    "0x7f.1",
)
HOST_SPELLINGS = 8  # enough for the downloads to keep up with one extracting core


@dataclass(frozen=True)
class PeerResult:
    wall_s: float  # reading the feeds plus the trafilatura run
    cpu_s: float  # the trafilatura process (user + system) plus reading the feeds
    pages_written: int  # extracted documents in the output directory
    urls_submitted: int  # distinct item URLs handed to trafilatura
    returncode: int  # 0, or 1 when some URLs gave no result
    command: str
    output_dir: Path


def _trafilatura_cli() -> list[str]:
    script = Path(sys.executable).with_name("trafilatura")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from trafilatura.cli import main; main()"]


def _item_urls(feed_urls: list[str]) -> list[str]:
    """The article URLs of the feeds, as trafilatura's feed mode would queue them."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    urls: dict[str, None] = {}
    for feed_url in feed_urls:
        with opener.open(feed_url, timeout=30) as response:
            feed = response.read().decode("utf-8", "replace")
        params = FeedParameters(feed_url, "", feed_url)
        for link in find_links(feed.strip(), params):
            url = normalize_url(scrub_url(safe_relative_url(feed_url, link)))
            if url != feed_url and url.count("/") > 2:
                urls[url] = None
    return list(urls)


def _spread_hosts(urls: list[str], spellings: int) -> list[str]:
    """Round-robin the 127.0.0.1 URLs over ``spellings`` names of that address."""
    names = LOOPBACK_SPELLINGS[: max(1, spellings)]
    out = []
    for i, url in enumerate(urls):
        parts = urlsplit(url)
        if parts.hostname == "127.0.0.1":
            netloc = names[i % len(names)] + (f":{parts.port}" if parts.port else "")
            url = parts._replace(netloc=netloc).geturl()
        out.append(url)
    return out


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_trafilatura_feeds(
    feed_urls: list[str],
    workdir: Path,
    *,
    parallel: int = PARALLEL,
    host_spellings: int = HOST_SPELLINGS,
) -> PeerResult:
    """Download and extract the feeds' articles with trafilatura's CLI into ``workdir``."""
    rundir = Path(tempfile.mkdtemp(prefix="trafilatura-", dir=workdir))
    config = rundir / "settings.cfg"
    config.write_text(PEER_CONFIG, encoding="utf-8")
    url_file = rundir / "urls.txt"
    output_dir = rundir / "out"
    command = [
        *_trafilatura_cli(),
        "-i",
        str(url_file),
        "-o",
        str(output_dir),
        "--config-file",
        str(config),
        "--parallel",
        str(parallel),
        "--precision",
        "--no-comments",
    ]
    env = {k: v for k, v in os.environ.items() if k.lower() not in _PROXY_VARS}

    started = time.perf_counter()
    thread_cpu = time.thread_time()
    urls = _spread_hosts(_item_urls(feed_urls), host_spellings)
    url_file.write_text("".join(u + "\n" for u in urls), encoding="utf-8")
    feed_cpu = time.thread_time() - thread_cpu
    cpu_before = _children_cpu()
    proc = subprocess.run(command, cwd=rundir, env=env, capture_output=True, text=True)
    cpu = _children_cpu() - cpu_before + feed_cpu
    wall = time.perf_counter() - started

    # 1: some URLs gave no result; 126: more than 99 % failed; other: a crash
    if proc.returncode not in (0, 1):
        raise RuntimeError(
            f"{shlex.join(command)} exited {proc.returncode}:\n{proc.stderr[-2000:]}"
        )
    written = sum(1 for p in output_dir.rglob("*") if p.is_file()) if output_dir.is_dir() else 0
    return PeerResult(
        wall_s=wall,
        cpu_s=cpu,
        pages_written=written,
        urls_submitted=len(urls),
        returncode=proc.returncode,
        command=shlex.join(command),
        output_dir=output_dir,
    )

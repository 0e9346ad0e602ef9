"""One ingestion cycle: poll feeds -> record entries -> fetch pages -> clean -> store.

The CPU-bound work of a page (:func:`worker.clean.prepare_page`) runs in the
cleaning workers (:mod:`worker.cleaner`); this module only sequences stages,
records every outcome on its feed or entry, and accounts for the CPU each
stage took.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections import Counter, defaultdict, deque
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Generic, Protocol, TypeVar

from . import metrics
from .clean import clean_page
from .cleaner import Cleaner
from .config import Settings
from .exceptions import ExtractError, FetchError, ParseError, WorkerDiedError
from .fetch import REDIRECT_STATUSES, Fetcher, is_html
from .logs import event
from .neardup import band_keys, shingles, similarity
from .poll import poll_feed
from .robots import RobotsCache
from .schedule import (
    next_attempt_after_failure,
    next_interval,
    next_poll_after_failure,
    should_park,
    with_jitter,
)
from .store import (
    STATUS_DUPLICATE_URL,
    STATUS_FAILED,
    STATUS_SKIPPED,
    STATUS_STORED,
    ArticleUpdate,
    PendingEntry,
    Store,
)
from .syndication import RuleSet, near_duplicate_flags
from .types import Article, Feed, StoredCopy
from .urls import canonicalize_url, host_of, is_http_url

T = TypeVar("T")

PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"


class Progress(Protocol):
    def begin(self, label: str, total: int) -> None: ...
    def advance(self) -> None: ...


class _NoProgress:
    def begin(self, label: str, total: int) -> None:
        pass

    def advance(self) -> None:
        pass


@dataclass
class RunReport:
    """What one cycle did, for the CLI summary and the daemon's logs."""

    feeds_polled: int = 0
    feeds_not_modified: int = 0
    feed_errors: Counter[str] = field(default_factory=Counter)
    new_entries: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    entry_errors: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    # CPU seconds by stage: poll (feed parsing), extract (cleaning, in its workers),
    # dedupe (near-duplicate lookup and clustering), store (article and poll writes),
    # fetch (the rest of this process: HTTP, the event loop, small lookups)
    cpu_s: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))


@contextmanager
def _cpu(report: RunReport, stage: str) -> Iterator[None]:
    """Charge the CPU of a synchronous block on the event loop's thread to ``stage``."""
    started = time.thread_time()
    try:
        yield
    finally:
        report.cpu_s[stage] += time.thread_time() - started


def link_near_duplicates(
    store: Store,
    article_id: int,
    article: Article,
    rules: RuleSet,
    settings: Settings,
    *,
    keys: Sequence[int] | None = None,
) -> int | None:
    """Put a stored article in its story cluster and flag marker-less wire copies.

    ``keys`` are the text's band keys when the cleaning stage computed them.
    Returns the cluster id, or None when the text has no near-duplicate.
    """
    new = StoredCopy(
        article_id=article_id,
        url=article.url,
        text=article.text,
        cluster_id=None,
        source_agency=article.source_agency,
        evidence=article.evidence,
    )
    return _cluster(store, new, rules, settings, keys=keys)


def _cluster(
    store: Store,
    new: StoredCopy,
    rules: RuleSet,
    settings: Settings,
    *,
    keys: Sequence[int] | None = None,
) -> int | None:
    if keys is None:
        keys = band_keys(shingles(new.text))
    candidates = store.near_duplicate_candidates(list(keys), exclude=new.article_id)
    matches: list[tuple[StoredCopy, float]] = []
    if candidates:  # most texts have none: their shingles are not needed
        own = shingles(new.text)
        threshold = settings.syndication.near_duplicate_similarity
        matches = [
            (copy, score)
            for copy in candidates
            if (score := similarity(own, shingles(copy.text))) >= threshold
        ]
    flags = near_duplicate_flags(new, matches, rules)
    return store.record_near_duplicates(
        new.article_id, list(keys), matches, flags, now=datetime.now(UTC)
    )


def cluster_leftovers(store: Store, rules: RuleSet, settings: Settings) -> int:
    """Cluster articles stored but never clustered (a crash between the two steps)."""
    leftovers = store.unclustered(limit=1000)
    for copy in leftovers:
        _cluster(store, copy, rules, settings)
    return len(leftovers)


class _HostQueue(Generic[T]):
    """Items grouped by host, handed out round-robin to hosts below their limit."""

    def __init__(
        self, items: Iterable[T], url_of: Callable[[T], str | None], *, per_host: int
    ) -> None:
        self._by_host: dict[str, deque[T]] = {}
        for item in items:
            self._by_host.setdefault(host_of(url_of(item) or ""), deque()).append(item)
        self._hosts = deque(self._by_host)
        self._busy: Counter[str] = Counter()
        self._per_host = per_host
        self._freed = asyncio.Event()

    async def take(self) -> tuple[str, T] | None:
        while self._hosts:
            for _ in range(len(self._hosts)):
                host = self._hosts[0]
                self._hosts.rotate(-1)
                if self._busy[host] < self._per_host:
                    items = self._by_host[host]
                    item = items.popleft()
                    if not items:
                        self._hosts.remove(host)
                    self._busy[host] += 1
                    return host, item
            self._freed.clear()
            await self._freed.wait()  # every host with work left is at its limit
        return None

    def done(self, host: str) -> None:
        self._busy[host] -= 1
        self._freed.set()


@dataclass
class ReprocessReport:
    pages: int = 0
    # text, metadata or marker evidence differ from what was stored
    changed: int = 0
    unchanged: int = 0
    # new text equals another stored article: left as it was
    clashes: int = 0
    failed: int = 0


def reprocess(
    store: Store, settings: Settings, rules: RuleSet, *, since: datetime | None
) -> ReprocessReport:
    """Re-run cleaning, flagging and clustering over stored pages, without refetching."""
    report = ReprocessReport()
    for page in store.pages(since=since):
        report.pages += 1
        try:
            article = clean_page(page.html, page.url, sites=settings.sites, rules=rules)
        except ExtractError as e:
            report.failed += 1
            event(logging.WARNING, "reprocess_failed", url=page.url, error=e.message)
            continue
        update = store.update_article(page.article_id, article)
        if update is ArticleUpdate.CLASH:
            report.clashes += 1
            continue
        if update is ArticleUpdate.CHANGED:
            report.changed += 1
        else:
            report.unchanged += 1
        link_near_duplicates(store, page.article_id, article, rules, settings)
    return report


class Ingestor:
    """Runs ingestion cycles against one store with one shared HTTP client."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        fetcher: Fetcher,
        cleaner: Cleaner,
        *,
        rules: RuleSet,
        progress: Progress | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self._settings = settings
        self._rules = rules
        self._store = store
        self._fetcher = fetcher
        self._cleaner = cleaner
        self._progress = progress or _NoProgress()
        self._rng = rng or random.Random()
        self._url_locks: dict[str, asyncio.Lock] = {}
        self._stopping = False

        self._robots = (
            RobotsCache(fetcher, user_agent=settings.fetch.user_agent)
            if settings.fetch.respect_robots
            else None
        )

    def stop(self) -> None:
        """Take no new feed or entry; work already started goes on."""
        self._stopping = True

    async def run_cycle(
        self,
        *,
        due_before: datetime | None = None,
        limit: int | None = None,
        fetch_pages: bool = True,
    ) -> RunReport:
        """Poll the feeds (all enabled, or at most ``limit`` of those due), then process
        every pending entry (unless ``fetch_pages`` is false: entries are only recorded)."""
        report = RunReport()
        started = time.process_time()
        try:
            await self._poll_and_fetch(report, due_before, limit, fetch_pages)
        finally:
            self._url_locks.clear()
            # This process's CPU not charged to a stage (nor cleaned on its threads).
            measured = sum(cpu for stage, cpu in report.cpu_s.items() if stage != "extract")
            if self._cleaner.in_process:
                measured += report.cpu_s["extract"]
            report.cpu_s["fetch"] += max(0.0, time.process_time() - started - measured)
        return report

    async def _poll_and_fetch(
        self, report: RunReport, due_before: datetime | None, limit: int | None, fetch_pages: bool
    ) -> None:
        with _cpu(report, "dedupe"):
            cluster_leftovers(self._store, self._rules, self._settings)
        feeds = self._store.feeds_to_poll(due_before=due_before, limit=limit)
        self._progress.begin("Polling feeds", len(feeds))
        await self._run_all(
            feeds, lambda feed: self._poll(feed, report), url_of=lambda feed: feed.url
        )
        if not fetch_pages:
            return
        pending = self._store.pending_entries(now=datetime.now(UTC))
        self._progress.begin("Fetching articles", len(pending))
        await self._run_all(
            pending, lambda entry: self._process(entry, report), url_of=lambda e: e.link
        )

    async def _run_all(
        self,
        items: Sequence[T],
        handle: Callable[[T], Awaitable[None]],
        *,
        url_of: Callable[[T], str | None],
    ) -> None:
        """``handle`` every item, at most ``[fetch] concurrency`` at once and at most
        ``per_host_concurrency`` per host, so one slow host holds only its own share
        of the workers while the others keep going."""
        queue = _HostQueue(items, url_of, per_host=self._settings.fetch.per_host_concurrency)

        async def work() -> None:
            while not self._stopping and (taken := await queue.take()) is not None:
                host, item = taken
                try:
                    await handle(item)
                finally:
                    queue.done(host)
                self._progress.advance()

        workers = min(self._settings.fetch.concurrency, len(items))
        # a TaskGroup: an error in one worker cancels the others instead of orphaning them
        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(workers):
                    group.create_task(work())
        except ExceptionGroup as errors:
            raise errors.exceptions[0] from None

    async def _poll(self, feed: Feed, report: RunReport) -> None:
        started = time.monotonic()
        now = datetime.now(UTC)
        schedule = self._settings.schedule
        try:
            result = await poll_feed(
                self._fetcher, feed, parse_timeout=self._settings.fetch.timeout
            )
        except (FetchError, ParseError) as e:
            status = e.status if isinstance(e, FetchError) else None
            retry_after = e.retry_after if isinstance(e, FetchError) else None
            errors = feed.error_count + 1
            self._store.record_poll_failure(
                feed,
                e,
                now=now,
                next_poll_at=next_poll_after_failure(
                    now, feed.interval_s, errors, retry_after_s=retry_after
                ),
                park=should_park(error_count=errors, status=status, park_after=schedule.park_after),
            )
            metrics.POLLS.labels(outcome=e.kind).inc()
            report.feed_errors[e.kind] += 1
            report.failures.append(f"feed {feed.url}: {e}")
            event(
                logging.WARNING,
                "poll_failed",
                feed_id=feed.id,
                url=feed.url,
                error_kind=e.kind,
                error=e.message,
            )
            return
        parsed = result.parsed
        if result.moved_to and result.moved_to != feed.url:
            moved = self._store.move_feed(feed.id, result.moved_to)
            event(
                logging.INFO,
                "feed_moved",
                feed_id=feed.id,
                url=feed.url,
                to=result.moved_to,
                updated=moved,
            )

        def plan(new_entries: int) -> tuple[int, datetime]:
            interval = next_interval(
                feed.interval_s,
                new_entries=new_entries,
                hint_s=result.hint_s,
                bounds=(schedule.min_interval, schedule.max_interval),
            )
            return interval, with_jitter(now, interval, rng=self._rng)

        report.cpu_s["poll"] += result.parse_cpu_s
        with _cpu(report, "store"):
            new, interval = self._store.record_poll(
                feed,
                status=result.status,
                title=parsed.title if parsed else None,
                etag=result.etag,
                last_modified=result.last_modified,
                warning=parsed.warning if parsed else None,
                parser=parsed.parser if parsed else None,
                body_hash=result.body_hash,
                entries=parsed.entries if parsed else (),
                now=now,
                plan=plan,
            )
        metrics.POLLS.labels(outcome=str(result.status)).inc()
        report.feeds_polled += 1
        report.new_entries += new
        if parsed is None:
            report.feeds_not_modified += 1
        event(
            logging.INFO,
            "polled",
            feed_id=feed.id,
            url=feed.url,
            status=result.status,
            entries=len(parsed.entries) if parsed else 0,
            new_entries=new,
            next_interval_s=interval,
            duration_s=round(time.monotonic() - started, 3),
        )

    async def _process(self, entry: PendingEntry, report: RunReport) -> None:
        if not entry.link:
            self._fail(entry, report, STATUS_SKIPPED, "no_link", "entry has no usable link")
            return
        canonical = canonicalize_url(entry.link)
        # One lock per canonical URL for the whole cycle (cleared when it ends), so
        # two entries for one page never fetch it twice.
        if self._store.is_tombstoned(url=canonical):
            self._fail(entry, report, STATUS_SKIPPED, "purged", "story purged by retention")
            return
        async with self._url_locks.setdefault(canonical, asyncio.Lock()):
            # An updated entry of a stored story is refetched and updated in place.
            if entry.article_id is None and (stored := self._store.article_id_for_url(canonical)):
                self._link_duplicate(entry, stored, report)
                return
            await self._fetch_and_store(entry, canonical, report)

    async def _fetch_and_store(
        self, entry: PendingEntry, canonical: str, report: RunReport
    ) -> None:
        started = time.monotonic()
        link = entry.link or canonical
        try:
            if self._robots is not None and not await self._robots.allows(link):
                self._fail(entry, report, STATUS_SKIPPED, "robots", "disallowed by robots.txt")
                return
            response = await self._fetcher.get(
                link, accept=PAGE_ACCEPT, follow=self._redirect_checker(entry)
            )
            if response.redirects:
                self._store.record_redirect(entry.id, response.final_url)
            if response.status in REDIRECT_STATUSES:
                stored = self._store.article_id_for_url(canonicalize_url(response.final_url))
                if stored is not None:
                    self._link_duplicate(entry, stored, report)
                    return
            if not is_html(response):
                raise FetchError(
                    link,
                    "unsupported_content",
                    f"not HTML: {response.content_type or 'no content type'}",
                )
            final = canonicalize_url(response.final_url)
            if (
                entry.article_id is None
                and final != canonical
                and (stored := self._store.article_id_for_url(final))
            ):
                self._link_duplicate(entry, stored, report)
                return
            cleaned = await self._cleaner.clean(
                response.body, response.content_type, response.final_url
            )
            report.cpu_s["extract"] += cleaned.cpu_s
        except FetchError as e:
            status = (
                STATUS_SKIPPED if e.kind in {"unsupported_content", "robots"} else STATUS_FAILED
            )
            self._fail(entry, report, status, e.kind, e.message, retry_after=e.retry_after)
            return
        except WorkerDiedError as e:
            self._fail(entry, report, STATUS_FAILED, e.kind, e.message)
            return
        except ExtractError as e:
            self._fail(entry, report, STATUS_SKIPPED, e.kind, e.message)
            return
        article = cleaned.article
        if entry.article_id is None and (stored := self._store.article_id_for_url(article.url)):
            self._link_duplicate(entry, stored, report)
            return
        if self._store.is_tombstoned(url=article.url, content_hash=article.content_hash):
            self._fail(entry, report, STATUS_SKIPPED, "purged", "story purged by retention")
            return
        with _cpu(report, "store"):
            outcome = self._store.store_article(
                entry.id,
                article,
                fetched_at=datetime.now(UTC),
                refetch=entry.article_id is not None,
                packed_html=cleaned.packed_html,
            )
        self._outcome(report, outcome.status)
        if outcome.status == STATUS_STORED and article.syndicated:
            metrics.SYNDICATED.inc()
        if outcome.status == STATUS_STORED:
            with _cpu(report, "dedupe"):
                link_near_duplicates(
                    self._store,
                    outcome.article_id,
                    article,
                    self._rules,
                    self._settings,
                    keys=cleaned.near_duplicate_keys,
                )
        event(
            logging.INFO,
            "article",
            feed_id=entry.feed_id,
            url=article.url,
            status=outcome.status,
            article_id=outcome.article_id,
            syndicated=article.syndicated,
            link=entry.link,
            redirects=list(response.redirects) or None,
            duration_s=round(time.monotonic() - started, 3),
        )

    @staticmethod
    def _outcome(report: RunReport, status: str) -> None:
        report.outcomes[status] += 1
        metrics.ENTRIES.labels(status=status).inc()

    def _link_duplicate(self, entry: PendingEntry, article_id: int, report: RunReport) -> None:
        self._store.link_entry(entry.id, article_id, STATUS_DUPLICATE_URL)
        self._outcome(report, STATUS_DUPLICATE_URL)

    def _redirect_checker(self, entry: PendingEntry) -> Callable[[str], Awaitable[bool]]:
        """Stop following a redirect to a page already stored, or one robots.txt forbids."""

        async def follow(target: str) -> bool:
            # Never wait here for another entry's fetch: two pages redirecting to each
            # other would wait on each other. A copy fetched twice is still stored once.
            if (
                self._robots is not None
                and is_http_url(target)  # other schemes are refused by the fetcher itself
                and not await self._robots.allows(target)
            ):
                raise FetchError(target, "robots", "redirect target disallowed by robots.txt")
            if entry.article_id is not None:
                return True  # refetching a stored story to update it
            return self._store.article_id_for_url(canonicalize_url(target)) is None

        return follow

    def _fail(
        self,
        entry: PendingEntry,
        report: RunReport,
        status: str,
        kind: str,
        message: str,
        *,
        retry_after: float | None = None,
    ) -> None:
        now = datetime.now(UTC)
        retry_at = None
        if status == STATUS_FAILED:
            retry_at = next_attempt_after_failure(
                now, entry.attempts + 1, self._settings.schedule.retry_backoff
            )
            if retry_after is not None:
                retry_at = max(retry_at, now + timedelta(seconds=retry_after))
        # Being held back by the host is not the page failing: it costs no attempt.
        self._store.mark_entry(
            entry.id,
            status,
            kind=kind,
            error=message,
            retry_at=retry_at,
            count_attempt=kind != "rate_limited",
        )
        self._outcome(report, status)
        report.entry_errors[kind] += 1
        report.failures.append(f"entry {entry.link}: {kind}: {message}")
        event(
            logging.WARNING,
            "entry_" + status,
            feed_id=entry.feed_id,
            url=entry.link,
            error_kind=kind,
            error=message,
        )

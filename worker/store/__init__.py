"""The SQLite store: schema (sqlite-utils Migrations), feeds, entries, articles.

The schema is a public interface (see the README). Each article is written in
one transaction together with the entry that links to it and its FTS row, so
an interrupted run never leaves a half-stored article.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any, cast

from sqlite_utils import Database

from ..config import FeedSettings
from ..exceptions import FetchError, ParseError, StorageError
from ..types import Article, Evidence, Feed, FeedEntry, FlagUpdate, StoredCopy
from .schema import STATUS_PENDING, migrations
from .schema import table as _table

BUSY_TIMEOUT_MS = 30_000
# near-duplicate candidates confirmed per new article (each costs its text's shingles)
MAX_NEAR_DUPLICATE_CANDIDATES = 10
MAX_ENTRY_ATTEMPTS = 3

STATUS_STORED = "stored"
STATUS_DUPLICATE_URL = "duplicate_url"
STATUS_DUPLICATE_CONTENT = "duplicate_content"
STATUS_FAILED = "failed"
STATUS_SKIPPED = "skipped"
STATUS_PURGED = "purged"


class ArticleUpdate(Enum):
    """What reprocessing did to a stored article."""

    CHANGED = "changed"
    # cleaning and marker flags gave what was stored: rewritten all the same
    UNCHANGED = "unchanged"
    # the new text is stored as another article: left alone
    CLASH = "clash"


@dataclass(frozen=True, kw_only=True)
class PendingEntry:
    """An entry whose page still has to be fetched."""

    id: int
    feed_id: int
    link: str | None
    attempts: int
    # set when a stored story's feed entry was updated: refetch, update in place
    article_id: int | None


@dataclass(frozen=True, kw_only=True)
class StoredPage:
    article_id: int
    url: str
    fetched_at: str
    html: str


@dataclass(frozen=True, kw_only=True)
class StoreOutcome:
    article_id: int
    status: str


# Fast zlib: pages shrink ~4x at level 1, ~5x at level 6 for more than twice the CPU.
PAGE_COMPRESSION_LEVEL = 1


def pack_html(html: str) -> bytes:
    """A page as ``pages.html`` keeps it (done by the cleaning workers, off the store)."""
    return zlib.compress(html.encode("utf-8"), PAGE_COMPRESSION_LEVEL)


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment is not None else None


class Store:
    """All reads and writes of the feedworker database."""

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.exists():
            raise StorageError(f"no database at {self.path} (run `feedworker run --once` first)")
        try:
            _create_private(self.path)
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
            self.db = Database(conn)
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            self.db.execute("PRAGMA foreign_keys = ON")
            migrations.apply(self.db)
        except (sqlite3.Error, OSError) as e:
            raise StorageError(f"cannot use database {self.path}: {e}") from e

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def _writing(self) -> Iterator[Database]:
        """One write transaction. It takes the write lock at BEGIN (waiting up to the
        busy timeout), so two workers on one file never read a snapshot they then
        cannot write on; the work itself runs in ``db.atomic()``."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                with self.db.atomic() as db:
                    yield db
                self.db.execute("COMMIT")
            except BaseException:
                if self.db.conn.in_transaction:
                    self.db.conn.rollback()
                raise
        except sqlite3.Error as e:
            raise StorageError(f"database write failed ({self.path}): {e}") from e

    # feeds -----------------------------------------------------------------

    def add_feeds(
        self,
        feeds: Iterable[tuple[str, str | None, int]],
        *,
        source: str,
        now: datetime,
        first_poll: Callable[[int], datetime],
    ) -> list[tuple[int, bool]]:
        """Register ``(url, name, interval_s)`` feeds in one transaction; returns
        ``(feed id, created)`` for each. Existing feeds are left as they are."""
        results = []
        with self._writing() as db:
            for url, name, interval_s in feeds:
                row = db.execute("SELECT id FROM feeds WHERE url = ?", [url]).fetchone()
                if row is not None:
                    results.append((int(row[0]), False))
                    continue
                table = _table(db, "feeds")
                table.insert(
                    {
                        "url": url,
                        "name": name,
                        "interval_s": interval_s,
                        "enabled": 1,
                        "error_count": 0,
                        "added_at": iso(now),
                        "source": source,
                        "next_poll_at": iso(first_poll(interval_s)),
                    }
                )
                results.append((int(cast(int, table.last_pk)), True))
        return results

    def sync_config_feeds(
        self,
        feeds: Iterable[FeedSettings],
        *,
        default_interval_s: int,
        now: datetime,
        first_poll: Callable[[int], datetime],
    ) -> None:
        """Make the database match the config's ``[[feeds]]``: new ones are added, names
        and intervals updated (a changed interval restarts the adaptive one from it),
        and feeds that came from the config but are no longer in it disabled."""
        configured = [(f.url, f.name, f.interval or default_interval_s) for f in feeds]
        self.add_feeds(configured, source="config", now=now, first_poll=first_poll)
        with self._writing() as db:
            # a feed taken out of the config stops being polled (its data stays)
            urls = [url for url, _, _ in configured]
            db.execute(
                "UPDATE feeds SET enabled = 0 WHERE source = 'config' "
                f"AND url NOT IN ({', '.join('?' for _ in urls)})",
                urls,
            )
            for url, name, interval_s in configured:
                db.execute(
                    "UPDATE feeds SET name = coalesce(?, name), interval_s = ?, "
                    "poll_interval_s = CASE WHEN interval_s = ? THEN poll_interval_s END "
                    "WHERE url = ?",
                    [name, interval_s, interval_s, url],
                )

    def find_feed_id(self, url_or_id: str) -> int | None:
        if url_or_id.isdigit():
            row = self.db.execute("SELECT id FROM feeds WHERE id = ?", [int(url_or_id)]).fetchone()
        else:
            row = self.db.execute("SELECT id FROM feeds WHERE url = ?", [url_or_id]).fetchone()
        return int(row[0]) if row else None

    def feed_url(self, feed_id: int) -> str | None:
        row = self.db.execute("SELECT url FROM feeds WHERE id = ?", [feed_id]).fetchone()
        return str(row[0]) if row else None

    def remove_feed(self, feed_id: int) -> None:
        """Forget a feed and its entries; stored articles stay."""
        with self._writing() as db:
            db.execute("DELETE FROM entries WHERE feed_id = ?", [feed_id])
            db.execute("DELETE FROM feeds WHERE id = ?", [feed_id])

    def feed_rows(self) -> list[dict[str, Any]]:
        return list(_table(self.db, "feeds").rows_where(order_by="id"))

    def feeds_to_poll(self, *, due_before: datetime | None, limit: int | None = None) -> list[Feed]:
        """Enabled, unparked feeds, optionally only those due by ``due_before``, most
        overdue first (an indexed range query, never a scan of every feed)."""
        sql = (
            "SELECT id, url, coalesce(poll_interval_s, interval_s), etag, last_modified, "
            "error_count, body_hash FROM feeds WHERE enabled = 1 AND parked_at IS NULL"
        )
        params: list[Any] = []
        if due_before is not None:
            sql += " AND next_poll_at <= ?"
            params.append(iso(due_before))
        sql += " ORDER BY next_poll_at, id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [
            Feed(
                id=row[0],
                url=row[1],
                interval_s=row[2],
                etag=row[3],
                last_modified=row[4],
                error_count=row[5],
                body_hash=row[6],
            )
            for row in self.db.execute(sql, params).fetchall()
        ]

    def record_poll(
        self,
        feed: Feed,
        *,
        status: int,
        title: str | None,
        etag: str | None,
        last_modified: str | None,
        warning: str | None,
        parser: str | None,
        body_hash: str | None,
        entries: Iterable[FeedEntry],
        now: datetime,
        plan: Callable[[int], tuple[int, datetime]],
    ) -> tuple[int, int]:
        """Record a successful poll and its entries in one transaction, so a crash can
        never keep the new ETag while losing the entries it stands for.

        ``plan(queued)`` gives the feed's next interval and poll time from the number
        of entries queued (new or updated); returns ``(queued, interval)``.
        """
        with self._writing() as db:
            if not db.execute("SELECT 1 FROM feeds WHERE id = ?", [feed.id]).fetchone():
                return 0, feed.interval_s  # removed while it was being polled
            queued = _add_entries(db, feed.id, entries, now=now)
            interval_s, next_poll_at = plan(queued)
            db.execute(
                "UPDATE feeds SET title = coalesce(?, title), etag = ?, last_modified = ?, "
                "last_parser = coalesce(?, last_parser), body_hash = ?, "
                "poll_interval_s = ?, last_polled_at = ?, next_poll_at = ?, last_status = ?, "
                "error_count = 0, "
                "last_error_kind = CASE WHEN ? IS NULL THEN NULL ELSE 'bozo' END, last_error = ? "
                "WHERE id = ?",
                [
                    title,
                    etag,
                    last_modified,
                    parser,
                    body_hash,
                    interval_s,
                    iso(now),
                    iso(next_poll_at),
                    str(status),
                    warning,
                    warning,
                    feed.id,
                ],
            )
        return queued, interval_s

    def record_poll_failure(
        self,
        feed: Feed,
        error: FetchError | ParseError,
        *,
        now: datetime,
        next_poll_at: datetime,
        park: bool,
    ) -> None:
        status = str(error.status) if isinstance(error, FetchError) and error.status else "error"
        with self._writing() as db:
            db.execute(
                "UPDATE feeds SET last_polled_at = ?, next_poll_at = ?, last_status = ?, "
                "error_count = error_count + 1, last_error_kind = ?, last_error = ?, "
                "parked_at = CASE WHEN ? THEN ? ELSE parked_at END WHERE id = ?",
                [
                    iso(now),
                    iso(next_poll_at),
                    status,
                    error.kind,
                    error.message,
                    park,
                    iso(now),
                    feed.id,
                ],
            )

    def move_feed(self, feed_id: int, new_url: str) -> bool:
        """Follow a permanent redirect: the feed's URL becomes ``new_url`` unless another
        registered feed already has it."""
        with self._writing() as db:
            if db.execute("SELECT 1 FROM feeds WHERE url = ?", [new_url]).fetchone():
                return False
            db.execute("UPDATE feeds SET url = ? WHERE id = ?", [new_url, feed_id])
        return True

    def set_feed_enabled(self, feed_id: int, enabled: bool, *, now: datetime) -> None:
        """Enable (also unparks it and polls it at the next tick) or disable a feed."""
        with self._writing() as db:
            if enabled:
                db.execute(
                    "UPDATE feeds SET enabled = 1, parked_at = NULL, error_count = 0, "
                    "next_poll_at = ? WHERE id = ?",
                    [iso(now), feed_id],
                )
            else:
                db.execute("UPDATE feeds SET enabled = 0 WHERE id = ?", [feed_id])

    def feed_counts(self, *, now: datetime) -> dict[str, int]:
        """Feeds due now and parked, for metrics (indexed counts)."""
        due = self.db.execute(
            "SELECT count(*) FROM feeds WHERE enabled = 1 AND parked_at IS NULL "
            "AND next_poll_at <= ?",
            [iso(now)],
        ).fetchone()[0]
        parked = self.db.execute(
            "SELECT count(*) FROM feeds WHERE parked_at IS NOT NULL"
        ).fetchone()[0]
        return {"due": int(due), "parked": int(parked)}

    # entries ---------------------------------------------------------------

    def add_entries(self, feed_id: int, entries: Iterable[FeedEntry], *, now: datetime) -> int:
        """Record every entry not seen before; an entry updated since is queued again.

        Returns how many entries were queued (new or updated).
        """
        with self._writing() as db:
            return _add_entries(db, feed_id, entries, now=now)

    def pending_entries(self, *, now: datetime) -> list[PendingEntry]:
        """Entries still to process: new ones, and failed ones whose retry is due."""
        rows = self.db.execute(
            "SELECT id, feed_id, link, article_id, attempts FROM entries WHERE status = ? OR "
            "(status = ? AND attempts < ? AND (next_attempt_at IS NULL OR next_attempt_at <= ?)) "
            "ORDER BY id",
            [STATUS_PENDING, STATUS_FAILED, MAX_ENTRY_ATTEMPTS, iso(now)],
        ).fetchall()
        return [
            PendingEntry(id=r[0], feed_id=r[1], link=r[2], article_id=r[3], attempts=r[4])
            for r in rows
        ]

    def mark_entry(
        self,
        entry_id: int,
        status: str,
        *,
        kind: str | None,
        error: str | None,
        retry_at: datetime | None = None,
        count_attempt: bool = True,
    ) -> None:
        with self._writing() as db:
            db.execute(
                "UPDATE entries SET status = ?, error_kind = ?, error = ?, next_attempt_at = ?, "
                "attempts = attempts + ? WHERE id = ?",
                [status, kind, error, iso(retry_at), int(count_attempt), entry_id],
            )

    def link_entry(self, entry_id: int, article_id: int, status: str) -> None:
        with self._writing() as db:
            _link_entry(db, entry_id, article_id, status)

    def record_redirect(self, entry_id: int, final_url: str) -> None:
        with self._writing() as db:
            db.execute("UPDATE entries SET redirected_to = ? WHERE id = ?", [final_url, entry_id])

    # articles --------------------------------------------------------------

    def article_id_for_url(self, url: str) -> int | None:
        row = self.db.execute("SELECT id FROM articles WHERE url = ?", [url]).fetchone()
        return int(row[0]) if row else None

    def store_article(
        self,
        entry_id: int,
        article: Article,
        *,
        fetched_at: datetime,
        refetch: bool,
        packed_html: bytes | None,
    ) -> StoreOutcome:
        """Insert or update ``article`` and link the entry, in one transaction.

        Same URL: the article is updated in place. Same text under another URL:
        the entry is linked to the stored copy (``duplicate_content``). A
        ``refetch`` is an updated entry of a story already stored. ``packed_html``
        (see :func:`pack_html`), when given, is kept for ``feedworker reprocess``.
        """
        record = {
            "url": article.url,
            "title": article.title,
            "author": article.author,
            "published_at": iso(article.published_at),
            "fetched_at": iso(fetched_at),
            "text": article.text,
            "content_hash": article.content_hash,
            "language": article.language,
            "site_name": article.site_name,
            "source_agency": article.source_agency,
            "syndicated": int(article.syndicated),
            "syndication_score": article.syndication_score,
            "syndication_evidence": evidence_json(article.evidence),
            "word_count": article.word_count,
            "clustered": 0,
        }
        with self._writing() as db:
            same_text = db.execute(
                "SELECT id, url FROM articles WHERE content_hash = ?", [article.content_hash]
            ).fetchone()
            same_url = db.execute("SELECT id FROM articles WHERE url = ?", [article.url]).fetchone()
            if same_text is not None and (same_url is None or same_text[0] == same_url[0]):
                if same_text[1] != article.url:
                    status = STATUS_DUPLICATE_CONTENT
                else:
                    status = STATUS_STORED if refetch else STATUS_DUPLICATE_URL
                article_id = int(same_text[0])
            elif same_url is not None and same_text is None:
                article_id = int(same_url[0])
                _table(db, "articles").update(article_id, record)
                status = STATUS_STORED
            elif same_url is not None:
                # New text at this URL equals another stored story: keep both rows apart.
                article_id = int(same_text[0])
                status = STATUS_DUPLICATE_CONTENT
            else:
                table = _table(db, "articles")
                table.insert(record)
                article_id = int(cast(int, table.last_pk))
                status = STATUS_STORED
            _link_entry(db, entry_id, article_id, status)
            if status == STATUS_STORED and packed_html is not None:
                _save_page(db, article_id, article.url, packed_html, fetched_at)
        return StoreOutcome(article_id=article_id, status=status)

    def update_article(self, article_id: int, article: Article) -> ArticleUpdate:
        """Replace a stored article's cleaned fields (reprocessing), unless its new
        text is already stored as another article."""
        with self._writing() as db:
            clash = db.execute(
                "SELECT id FROM articles WHERE content_hash = ? AND id != ?",
                [article.content_hash, article_id],
            ).fetchone()
            if clash is not None:
                return ArticleUpdate.CLASH
            stored = db.execute(
                "SELECT title, author, published_at, text, language, site_name, "
                "syndication_evidence FROM articles WHERE id = ?",
                [article_id],
            ).fetchone()
            db.execute(
                "UPDATE articles SET title = ?, author = ?, published_at = ?, text = ?, "
                "content_hash = ?, language = ?, site_name = ?, source_agency = ?, "
                "syndicated = ?, syndication_score = ?, syndication_evidence = ?, "
                "word_count = ?, clustered = 0 WHERE id = ?",
                [
                    article.title,
                    article.author,
                    iso(article.published_at),
                    article.text,
                    article.content_hash,
                    article.language,
                    article.site_name,
                    article.source_agency,
                    int(article.syndicated),
                    article.syndication_score,
                    evidence_json(article.evidence),
                    article.word_count,
                    article_id,
                ],
            )
        cleaned = (
            article.title,
            article.author,
            iso(article.published_at),
            article.text,
            article.language,
            article.site_name,
        )
        if stored is None or tuple(stored[:6]) != cleaned:
            return ArticleUpdate.CHANGED
        # evidence naming another article comes from clustering, which runs again after this
        markers = tuple(e for e in evidence_from_json(stored[6]) if e.article_id is None)
        return ArticleUpdate.UNCHANGED if markers == article.evidence else ArticleUpdate.CHANGED

    # pages -------------------------------------------------------------------

    def pages(self, *, since: datetime | None, batch: int = 100) -> Iterator[StoredPage]:
        """Stored pages fetched at or after ``since``, read in batches so writes may interleave."""
        last_id = 0
        while True:
            sql = "SELECT article_id, url, fetched_at, html FROM pages WHERE article_id > ?"
            params: list[Any] = [last_id]
            if since is not None:
                sql += " AND fetched_at >= ?"
                params.append(iso(since))
            rows = self.db.execute(sql + " ORDER BY article_id LIMIT ?", [*params, batch])
            fetched = rows.fetchall()
            if not fetched:
                return
            for row in fetched:
                yield StoredPage(
                    article_id=row[0],
                    url=row[1],
                    fetched_at=row[2],
                    html=zlib.decompress(row[3]).decode("utf-8"),
                )
            last_id = fetched[-1][0]

    # near-duplicates -----------------------------------------------------------

    def unclustered(self, *, limit: int) -> list[StoredCopy]:
        rows = self.db.execute(
            "SELECT id, url, text, cluster_id, source_agency, syndication_evidence FROM articles "
            "WHERE clustered = 0 ORDER BY id LIMIT ?",
            [limit],
        ).fetchall()
        return [_stored_copy(row) for row in rows]

    def near_duplicate_candidates(
        self, keys: list[int], *, exclude: int, limit: int = MAX_NEAR_DUPLICATE_CANDIDATES
    ) -> list[StoredCopy]:
        """Articles sharing at least one LSH band key with ``keys`` (an indexed lookup),
        at most ``limit`` of them: those sharing the most keys (the most alike) first,
        and among equals those naming an agency, so a story copied a thousand times, or
        a page template, costs a few texts to compare, and the copy with the wire's
        markers is among them."""
        if not keys:
            return []
        placeholders = ", ".join("?" for _ in keys)
        rows = self.db.execute(
            "WITH shared AS (SELECT article_id, count(*) AS n FROM near_duplicate_keys "
            f"WHERE key IN ({placeholders}) AND article_id != ? GROUP BY article_id), "
            "best AS (SELECT s.article_id, s.n, a.source_agency IS NULL AS unmarked "
            "FROM shared AS s JOIN articles AS a ON a.id = s.article_id "
            "ORDER BY s.n DESC, unmarked, s.article_id LIMIT ?) "
            "SELECT a.id, a.url, a.text, a.cluster_id, a.source_agency, a.syndication_evidence "
            "FROM best JOIN articles AS a ON a.id = best.article_id "
            "ORDER BY best.n DESC, best.unmarked, a.id",
            [*keys, exclude, limit],
        ).fetchall()
        return [_stored_copy(row) for row in rows]

    def record_near_duplicates(
        self,
        article_id: int,
        keys: list[int],
        matches: list[tuple[StoredCopy, float]],
        flags: list[FlagUpdate],
        *,
        now: datetime,
    ) -> int | None:
        """Index ``article_id``'s band keys, put it in its best match's story cluster
        and apply near-duplicate flags, in one transaction. Returns the cluster id."""
        with self._writing() as db:
            db.execute("DELETE FROM near_duplicate_keys WHERE article_id = ?", [article_id])
            db.execute("UPDATE articles SET clustered = 1 WHERE id = ?", [article_id])
            db.conn.executemany(
                "INSERT OR IGNORE INTO near_duplicate_keys (key, article_id) VALUES (?, ?)",
                [(key, article_id) for key in keys],
            )
            cluster_id = None
            if matches:
                best, similarity = max(matches, key=lambda m: m[1])
                cluster_id = best.cluster_id
                if cluster_id is None:
                    clusters = _table(db, "story_clusters")
                    clusters.insert(
                        {
                            "first_article_id": best.article_id,
                            "size": 1,
                            "created_at": iso(now),
                            "updated_at": iso(now),
                        }
                    )
                    cluster_id = int(cast(int, clusters.last_pk))
                    db.execute(
                        "UPDATE articles SET cluster_id = ?, cluster_similarity = 1.0 WHERE id = ?",
                        [cluster_id, best.article_id],
                    )
                db.execute(
                    "UPDATE articles SET cluster_id = ?, cluster_similarity = ? WHERE id = ?",
                    [cluster_id, similarity, article_id],
                )
                db.execute(
                    "UPDATE story_clusters SET updated_at = ?, size = "
                    "(SELECT count(*) FROM articles WHERE cluster_id = ?) WHERE id = ?",
                    [iso(now), cluster_id, cluster_id],
                )
            for flag in flags:
                db.execute(
                    "UPDATE articles SET syndication_evidence = ?, syndication_score = ?, "
                    "syndicated = ?, source_agency = coalesce(source_agency, ?) WHERE id = ?",
                    [
                        evidence_json(flag.evidence),
                        flag.score,
                        int(flag.syndicated),
                        flag.source_agency,
                        flag.article_id,
                    ],
                )
        return cluster_id

    # housekeeping ------------------------------------------------------------

    def is_tombstoned(self, *, url: str | None = None, content_hash: str | None = None) -> bool:
        """True when a story with this canonical URL or text was purged by retention."""
        if (
            url is not None
            and self.db.execute(
                "SELECT 1 FROM tombstones WHERE url_hash = ?", [url_hash(url)]
            ).fetchone()
        ):
            return True
        return content_hash is not None and bool(
            self.db.execute(
                "SELECT 1 FROM tombstones WHERE content_hash = ?", [content_hash]
            ).fetchone()
        )

    def purge_older_than(self, cutoff: datetime, *, now: datetime, batch: int = 500) -> int:
        """Delete articles fetched before ``cutoff`` with their FTS rows, pages, index keys
        and cluster places, leaving a tombstone each; entries stay, marked ``purged``."""
        purged = 0
        while True:
            with self._writing() as db:
                rows = db.execute(
                    "SELECT id, url, content_hash FROM articles WHERE fetched_at < ? LIMIT ?",
                    [iso(cutoff), batch],
                ).fetchall()
                if not rows:
                    return purged
                ids = [row[0] for row in rows]
                marks = ", ".join("?" for _ in ids)
                db.conn.executemany(
                    "INSERT INTO tombstones (url_hash, content_hash, purged_at) VALUES (?, ?, ?)",
                    [(url_hash(row[1]), row[2], iso(now)) for row in rows],
                )
                db.execute(f"DELETE FROM near_duplicate_keys WHERE article_id IN ({marks})", ids)
                db.execute(f"DELETE FROM pages WHERE article_id IN ({marks})", ids)
                db.execute(
                    "UPDATE entries SET status = ?, article_id = NULL "
                    f"WHERE article_id IN ({marks})",
                    [STATUS_PURGED, *ids],
                )
                db.execute(f"DELETE FROM articles WHERE id IN ({marks})", ids)  # FTS by trigger
                db.execute(
                    "UPDATE story_clusters SET size = "
                    "(SELECT count(*) FROM articles WHERE cluster_id = story_clusters.id)"
                )
                db.execute("DELETE FROM story_clusters WHERE size < 2")
                db.execute(
                    "UPDATE articles SET cluster_id = NULL, cluster_similarity = NULL "
                    "WHERE cluster_id IS NOT NULL "
                    "AND cluster_id NOT IN (SELECT id FROM story_clusters)"
                )
                purged += len(rows)

    def checkpoint_and_optimize(self) -> None:
        """Fold the WAL back into the database file and refresh the query planner's stats."""
        try:
            self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self.db.execute("PRAGMA optimize")
        except sqlite3.Error as e:
            raise StorageError(f"housekeeping failed ({self.path}): {e}") from e

    def set_state(self, key: str, value: str) -> None:
        with self._writing() as db:
            db.execute(
                "INSERT INTO worker_state (key, value) VALUES (?, ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )

    def state(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM worker_state WHERE key = ?", [key]).fetchone()
        return str(row[0]) if row else None

    def check_writable(self) -> None:
        """Raise StorageError unless a write transaction can be taken (nothing is written)."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.conn.rollback()
        except sqlite3.Error as e:
            raise StorageError(f"database is not writable ({self.path}): {e}") from e

    # reporting -------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        def scalar(sql: str) -> int:
            return int(self.db.execute(sql).fetchone()[0] or 0)

        entries_by_status = dict(
            self.db.execute("SELECT status, count(*) FROM entries GROUP BY status").fetchall()
        )
        feed_errors = dict(
            self.db.execute(
                "SELECT last_error_kind, count(*) FROM feeds "
                "WHERE last_error_kind IS NOT NULL GROUP BY last_error_kind"
            ).fetchall()
        )
        entry_errors = dict(
            self.db.execute(
                "SELECT error_kind, count(*) FROM entries "
                "WHERE error_kind IS NOT NULL GROUP BY error_kind"
            ).fetchall()
        )
        return {
            "feeds": scalar("SELECT count(*) FROM feeds"),
            "feeds_enabled": scalar("SELECT count(*) FROM feeds WHERE enabled = 1"),
            "entries": scalar("SELECT count(*) FROM entries"),
            "entries_by_status": entries_by_status,
            "articles": scalar("SELECT count(*) FROM articles"),
            "duplicates_avoided": entries_by_status.get(STATUS_DUPLICATE_URL, 0)
            + entries_by_status.get(STATUS_DUPLICATE_CONTENT, 0),
            "syndicated": scalar("SELECT count(*) FROM articles WHERE syndicated = 1"),
            "feed_errors": feed_errors,
            "entry_errors": entry_errors,
        }


# PRAGMA application_id of databases made by `feedworker demo` ("FWD0"): the demo
# replaces such a file and refuses to touch any other.
DEMO_APPLICATION_ID = 0x46574430


def mark_as_demo(store: Store) -> None:
    store.db.execute(f"PRAGMA application_id = {DEMO_APPLICATION_ID}")


def is_demo_database(path: Path) -> bool:
    """True for a file made by ``feedworker demo`` (read without changing it)."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return bool(conn.execute("PRAGMA application_id").fetchone()[0] == DEMO_APPLICATION_ID)
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def _add_entries(db: Database, feed_id: int, entries: Iterable[FeedEntry], *, now: datetime) -> int:
    queued = 0
    for entry in entries:
        cursor = db.execute(
            "INSERT INTO entries (feed_id, guid, link, title, published_at, updated_at, "
            "first_seen_at, status, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0) "
            "ON CONFLICT (feed_id, guid) DO UPDATE SET "
            "  link = excluded.link, title = excluded.title, "
            "  updated_at = excluded.updated_at, status = ?, attempts = 0 "
            "WHERE excluded.updated_at > entries.updated_at",
            [
                feed_id,
                entry.guid,
                entry.link,
                entry.title,
                iso(entry.published_at),
                iso(entry.updated_at),
                iso(now),
                STATUS_PENDING,
                STATUS_PENDING,
            ],
        )
        queued += cursor.rowcount
    return queued


def url_hash(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def _link_entry(db: Database, entry_id: int, article_id: int, status: str) -> None:
    db.execute(
        "UPDATE entries SET status = ?, article_id = ?, error_kind = NULL, error = NULL, "
        "attempts = attempts + 1 WHERE id = ?",
        [status, article_id, entry_id],
    )


def _stored_copy(row: Any) -> StoredCopy:
    return StoredCopy(
        article_id=row[0],
        url=row[1],
        text=row[2],
        cluster_id=row[3],
        source_agency=row[4],
        evidence=evidence_from_json(row[5]),
    )


def evidence_json(evidence: Iterable[Evidence]) -> str:
    return json.dumps([e.as_json() for e in evidence], ensure_ascii=False)


def evidence_from_json(text: str | None) -> tuple[Evidence, ...]:
    return tuple(Evidence(**item) for item in json.loads(text or "[]"))


def _save_page(
    db: Database, article_id: int, url: str, packed_html: bytes, fetched_at: datetime
) -> None:
    db.execute(
        "INSERT INTO pages (article_id, url, fetched_at, html) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (article_id) DO UPDATE SET url = excluded.url, "
        "fetched_at = excluded.fetched_at, html = excluded.html",
        [article_id, url, iso(fetched_at), packed_html],
    )


def _create_private(path: Path) -> None:
    """Create the database file owner-only before SQLite opens it."""
    if str(path) == ":memory:" or path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))

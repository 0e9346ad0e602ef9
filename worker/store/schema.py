"""The store's schema, created and evolved with sqlite-utils ``Migrations``: one
function per change, applied in order, each in its own transaction. Never edit a
released migration; add the next one."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.db import Table
from sqlite_utils.migrations import Migrations

# an entry seen but not processed yet (the column default)
STATUS_PENDING = "pending"

migrations = Migrations("feedworker")


@migrations()
def m001_initial(db: Database) -> None:
    table(db, "feeds").create(
        {
            "id": int,
            "url": str,
            "name": str,
            "title": str,
            "enabled": int,
            "interval_s": int,
            "etag": str,
            "last_modified": str,
            "last_polled_at": str,
            "next_poll_at": str,
            "last_status": str,
            "error_count": int,
            "last_error_kind": str,
            "last_error": str,
            "added_at": str,
            "source": str,
        },
        pk="id",
        not_null={"url", "enabled", "error_count"},
        defaults={"enabled": 1, "error_count": 0},
    )
    table(db, "feeds").create_index(["url"], unique=True)
    table(db, "feeds").create_index(["enabled", "next_poll_at"])
    table(db, "articles").create(
        {
            "id": int,
            "url": str,
            "title": str,
            "author": str,
            "published_at": str,
            "fetched_at": str,
            "text": str,
            "content_hash": str,
            "language": str,
            "site_name": str,
            "source_agency": str,
            "syndicated": int,
            "syndication_evidence": str,
            "word_count": int,
        },
        pk="id",
        not_null={"url", "text", "content_hash", "syndicated"},
        defaults={"syndicated": 0},
    )
    table(db, "articles").create_index(["url"], unique=True)
    table(db, "articles").create_index(["content_hash"], unique=True)
    table(db, "entries").create(
        {
            "id": int,
            "feed_id": int,
            "guid": str,
            "link": str,
            "title": str,
            "published_at": str,
            "updated_at": str,
            "first_seen_at": str,
            "article_id": int,
            "status": str,
            "error_kind": str,
            "error": str,
            "attempts": int,
        },
        pk="id",
        not_null={"feed_id", "guid", "status", "attempts"},
        defaults={"status": STATUS_PENDING, "attempts": 0},
        foreign_keys=[("feed_id", "feeds", "id"), ("article_id", "articles", "id")],
    )
    table(db, "entries").create_index(["feed_id", "guid"], unique=True)
    table(db, "entries").create_index(["status"])
    table(db, "entries").create_index(["article_id"])
    table(db, "articles").enable_fts(["title", "text"], create_triggers=True)


@migrations()
def m002_syndication_clusters_pages(db: Database) -> None:
    articles = table(db, "articles")
    articles.add_column("syndication_score", float, not_null_default=0.0)
    articles.add_column("cluster_id", int)
    articles.add_column("cluster_similarity", float)
    articles.create_index(["cluster_id"])
    table(db, "story_clusters").create(
        {"id": int, "first_article_id": int, "size": int, "created_at": str, "updated_at": str},
        pk="id",
        not_null={"size"},
    )
    # LSH band keys of each article's MinHash: candidates for near-duplicates
    db.execute(
        "CREATE TABLE near_duplicate_keys (key INTEGER NOT NULL, article_id INTEGER NOT NULL "
        "REFERENCES articles(id), PRIMARY KEY (key, article_id)) WITHOUT ROWID"
    )
    db.execute("CREATE INDEX near_duplicate_keys_article ON near_duplicate_keys (article_id)")
    table(db, "entries").add_column("redirected_to", str)
    table(db, "pages").create(
        {"article_id": int, "url": str, "fetched_at": str, "html": bytes},
        pk="article_id",
        not_null={"url", "html"},
        foreign_keys=[("article_id", "articles", "id")],
    )


@migrations()
def m003_entry_retry_time(db: Database) -> None:
    table(db, "entries").add_column("next_attempt_at", str)


@migrations()
def m004_daemon(db: Database) -> None:
    feeds = table(db, "feeds")
    feeds.add_column("poll_interval_s", int)
    feeds.add_column("parked_at", str)
    db.execute("DROP INDEX IF EXISTS idx_feeds_enabled_next_poll_at")
    db.execute(
        "CREATE INDEX feeds_due ON feeds (next_poll_at, id) WHERE enabled = 1 AND parked_at IS NULL"
    )
    # purged stories leave these behind, so a feed that still lists one cannot bring it back
    table(db, "tombstones").create(
        {"url_hash": str, "content_hash": str, "purged_at": str}, not_null={"url_hash"}
    )
    table(db, "tombstones").create_index(["url_hash"])
    table(db, "tombstones").create_index(["content_hash"])
    table(db, "worker_state").create({"key": str, "value": str}, pk="key")


@migrations()
def m005_feed_parser(db: Database) -> None:
    # which parser read the feed at its last poll: "fastfeedparser" or "feedparser"
    table(db, "feeds").add_column("last_parser", str)


@migrations()
def m006_clustered_flag(db: Database) -> None:
    # 0 between storing an article and clustering it: a crash there is repaired later
    table(db, "articles").add_column("clustered", int, not_null_default=1)


@migrations()
def m007_feed_body_hash(db: Database) -> None:
    table(db, "feeds").add_column("body_hash", str)


@migrations()
def m008_retention_index(db: Database) -> None:
    # retention finds old articles by fetch time
    table(db, "articles").create_index(["fetched_at"])


@migrations()
def m009_fts_update_trigger_on_text_only(db: Database) -> None:
    # The trigger enable_fts makes re-indexes an article on every UPDATE; clustering and
    # flagging update other columns of every new article, so it fires only on title/text.
    db.execute("DROP TRIGGER IF EXISTS articles_au")
    db.execute(
        'CREATE TRIGGER "articles_au" AFTER UPDATE OF "title", "text" ON "articles" BEGIN\n'
        '  INSERT INTO "articles_fts" ("articles_fts", rowid, "title", "text") '
        'VALUES(\'delete\', old.rowid, old."title", old."text");\n'
        '  INSERT INTO "articles_fts" (rowid, "title", "text") '
        'VALUES (new.rowid, new."title", new."text");\n'
        "END"
    )


def table(db: Database, name: str) -> Table:
    return db.table(name)

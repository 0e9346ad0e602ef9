"""Frozen dataclasses that cross stage boundaries: feed -> entries -> page -> article."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, kw_only=True)
class Feed:
    """A registered feed as the store holds it."""

    id: int
    url: str
    # the adaptive interval in force (starts at the configured one)
    interval_s: int
    etag: str | None
    last_modified: str | None
    error_count: int
    # hash of the last feed body parsed: the same body again is not parsed again
    body_hash: str | None


@dataclass(frozen=True, kw_only=True)
class FeedEntry:
    """One item of a parsed feed, with a stable identity."""

    guid: str
    link: str | None
    title: str | None
    published_at: datetime | None
    updated_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class ParsedFeed:
    title: str | None
    entries: tuple[FeedEntry, ...]
    # feedparser's "bozo" reason when the feed was ill-formed but still usable
    warning: str | None
    # seconds between updates the feed announces (RSS <ttl>, sy:updatePeriod/Frequency)
    update_hint_s: int | None
    # which parser produced the entries: "fastfeedparser" or "feedparser"
    parser: str


@dataclass(frozen=True, kw_only=True)
class Response:
    """A fetched body (bytes, content-encoding removed) and the redirects that led to it."""

    final_url: str
    status: int
    content_type: str
    body: bytes
    etag: str | None
    last_modified: str | None
    # Cache-Control max-age, seconds: a hint for how often to poll a feed
    max_age: int | None
    redirects: tuple[str, ...]
    # where every redirect hop was permanent (301/308): the resource's new address
    moved_permanently_to: str | None


@dataclass(frozen=True, kw_only=True)
class ExtractedPage:
    """What cleaning found on a page (pure function of html and url)."""

    title: str | None
    author: str | None
    byline: str | None
    published_at: datetime | None
    text: str
    # short notes beside the article text (asides, small print), not part of it
    notes: tuple[str, ...]
    language: str | None
    site_name: str | None
    declared_url: str | None
    # passages set as quotations (<blockquote>), whitespace collapsed
    quotations: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Evidence:
    """Why an article was flagged as syndicated: the rule, what it matched, and where."""

    rule: str
    family: str
    match: str
    position: str | None = None
    # for near-duplicate evidence: the copy it matched and how closely
    article_id: int | None = None
    similarity: float | None = None

    def as_json(self) -> dict[str, object]:
        return {k: v for k, v in vars(self).items() if v is not None}


@dataclass(frozen=True, kw_only=True)
class SyndicationVerdict:
    syndicated: bool
    score: float
    source_agency: str | None
    evidence: tuple[Evidence, ...]
    # article text with disclaimer / sign-off lines removed
    text: str


@dataclass(frozen=True, kw_only=True)
class Article:
    """One distinct story, ready to store."""

    url: str
    title: str | None
    author: str | None
    published_at: datetime | None
    text: str
    content_hash: str
    language: str | None
    site_name: str | None
    source_agency: str | None
    syndicated: bool
    syndication_score: float
    evidence: tuple[Evidence, ...]
    word_count: int


@dataclass(frozen=True, kw_only=True)
class CleanedPage:
    """What the cleaning stage hands the store for one fetched page."""

    article: Article
    # LSH band keys of the text, for near-duplicate lookup (empty for short texts)
    near_duplicate_keys: tuple[int, ...]
    # the page as the store keeps it for reprocessing (compressed), or None
    packed_html: bytes | None
    # CPU seconds the cleaning took, wherever it ran
    cpu_s: float


@dataclass(frozen=True, kw_only=True)
class StoredCopy:
    """A stored article as near-duplicate detection sees it."""

    article_id: int
    url: str
    text: str
    cluster_id: int | None
    source_agency: str | None
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True, kw_only=True)
class FlagUpdate:
    """New syndication state of a stored article after near-duplicate detection."""

    article_id: int
    evidence: tuple[Evidence, ...]
    score: float
    syndicated: bool
    source_agency: str | None

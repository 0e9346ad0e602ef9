"""Frozen dataclasses that cross stage boundaries: feed -> entries -> page -> article."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, kw_only=True)
class Feed:
    """A registered feed as the store holds it."""

    id: int
    url: str
    name: str | None
    enabled: bool
    interval_s: int
    etag: str | None
    last_modified: str | None
    error_count: int


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


@dataclass(frozen=True, kw_only=True)
class Response:
    """A fetched body, decoded to text, with the redirect chain that led to it."""

    url: str
    final_url: str
    status: int
    content_type: str
    body: bytes
    etag: str | None
    last_modified: str | None
    redirects: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ExtractedPage:
    """What cleaning found on a page (pure function of html and url)."""

    title: str | None
    author: str | None
    byline: str | None
    published_at: datetime | None
    text: str
    language: str | None
    site_name: str | None
    declared_url: str | None


@dataclass(frozen=True, kw_only=True)
class Evidence:
    """Why an article was flagged as syndicated: the rule and the text it matched."""

    rule: str
    match: str


@dataclass(frozen=True, kw_only=True)
class SyndicationVerdict:
    syndicated: bool
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
    evidence: tuple[Evidence, ...]
    word_count: int

"""Cleaning: page HTML -> a storable article (pure and CPU-bound, so it runs in the
worker processes of :mod:`worker.cleaner`): decoding, extraction, syndication flags,
canonical URL, content hash, and the near-duplicate keys and packed page the store needs."""

from __future__ import annotations

import time
from collections.abc import Iterable

from .config import SiteRule
from .dedupe import content_hash, word_count
from .extract import extract_page
from .fetch import decode_html
from .neardup import band_keys, shingles
from .store import pack_html
from .syndication import RuleSet, assess
from .types import Article, CleanedPage
from .urls import canonicalize_url, same_site


def clean_page(html: str, url: str, *, sites: Iterable[SiteRule], rules: RuleSet) -> Article:
    """Page HTML -> a storable article (pure and CPU-bound).

    The page's own ``rel=canonical`` / ``og:url`` wins over the fetched URL
    when it points at the same site.
    """
    page = extract_page(html, url, sites)
    canonical = canonicalize_url(url)
    if page.declared_url and same_site(page.declared_url, url):
        canonical = canonicalize_url(page.declared_url)
    verdict = assess(page, canonical, rules)
    author = rules.people_in(page.author)
    return Article(
        url=canonical,
        title=page.title,
        author=author,
        published_at=page.published_at,
        text=verdict.text,
        content_hash=content_hash(verdict.text),
        language=page.language,
        site_name=page.site_name,
        source_agency=verdict.source_agency,
        syndicated=verdict.syndicated,
        syndication_score=verdict.score,
        evidence=verdict.evidence,
        word_count=word_count(verdict.text),
    )


def prepare_page(
    body: bytes,
    content_type: str,
    url: str,
    *,
    sites: Iterable[SiteRule],
    rules: RuleSet,
    keep_html: bool,
) -> CleanedPage:
    """A fetched HTML body -> everything the store needs for it, all the CPU-bound work
    of one page in one call (so a worker process does it all)."""
    started = time.thread_time()
    html = decode_html(body, content_type)
    article = clean_page(html, url, sites=sites, rules=rules)
    return CleanedPage(
        article=article,
        near_duplicate_keys=tuple(band_keys(shingles(article.text))),
        packed_html=pack_html(html) if keep_html else None,
        cpu_s=time.thread_time() - started,
    )

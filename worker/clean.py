"""Cleaning: page HTML -> a storable article (pure and CPU-bound, so it can run in a
worker process): extraction, syndication flags, canonical URL and content hash."""

from __future__ import annotations

from collections.abc import Iterable

from .config import SiteRule
from .dedupe import content_hash, word_count
from .extract import extract_page
from .syndication import RuleSet, assess
from .types import Article
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

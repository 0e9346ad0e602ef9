"""Cleaning in worker processes gives what cleaning in-process gives, errors included."""

from __future__ import annotations

import asyncio
import zlib

import pytest
from conftest import article_page, paragraphs

from worker import cleaner
from worker.clean import prepare_page
from worker.cleaner import Cleaner
from worker.exceptions import ExtractError
from worker.neardup import band_keys, shingles
from worker.syndication import load_rules, rule_source
from worker.types import CleanedPage

URL = "https://news.example.com/2026/harbour"
PAGE = article_page("Harbour dredging resumes", paragraphs("dredging", 6)).encode("utf-8")


def _clean(workers: int, body: bytes, *, keep_html: bool = True) -> CleanedPage:
    async def run() -> CleanedPage:
        with Cleaner(workers=workers, sites=(), rules=rule_source(None), keep_html=keep_html) as c:
            return await c.clean(body, "text/html; charset=utf-8", URL)

    return asyncio.run(run())


@pytest.mark.parametrize("workers", [0, 1])
def test_a_page_cleaned_by_a_worker_equals_one_cleaned_here(workers: int) -> None:
    here = prepare_page(
        PAGE, "text/html; charset=utf-8", URL, sites=(), rules=load_rules(), keep_html=True
    )
    there = _clean(workers, PAGE)
    assert there.article == here.article
    assert there.near_duplicate_keys == tuple(band_keys(shingles(here.article.text)))
    assert zlib.decompress(there.packed_html).decode() == PAGE.decode()
    assert there.cpu_s > 0


def test_no_page_is_kept_when_the_store_keeps_none() -> None:
    assert _clean(1, PAGE, keep_html=False).packed_html is None


def test_a_page_without_an_article_fails_with_its_url_across_the_process_boundary() -> None:
    with pytest.raises(ExtractError) as raised:
        _clean(1, b"<html><body><nav>Home | World | Sport</nav></body></html>")
    assert raised.value.url == URL
    assert raised.value.kind == "extract"


def test_workers_are_replaced_after_their_share_of_pages_and_no_page_waits_forever(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(cleaner, "PAGES_PER_WORKER", 2)

    async def run() -> list[CleanedPage]:
        with Cleaner(workers=1, sites=(), rules=rule_source(None), keep_html=False) as c:
            pages = [c.clean(PAGE, "text/html", f"{URL}/{i}") for i in range(7)]
            return await asyncio.wait_for(asyncio.gather(*pages), timeout=120)

    cleaned = asyncio.run(run())
    assert [page.article.url for page in cleaned] == [f"{URL}/{i}" for i in range(7)]

"""Claims about worker.dedupe and worker.neardup: the same story text hashes the same however it was spelled."""

from __future__ import annotations

import hashlib
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worker.dedupe import content_hash, normalise_text, word_count
from worker.neardup import band_keys, shingles

STORY = 'The central bank raised rates on Thursday, saying inflation was "too high".'


@pytest.mark.parametrize(
    ("a", "b"),
    [
        pytest.param(STORY, STORY.upper(), id="case"),
        pytest.param(STORY, STORY.replace(" ", "   "), id="repeated-spaces"),
        pytest.param(STORY, STORY.replace(" ", "\n"), id="newlines"),
        pytest.param(STORY, f"\n\t  {STORY}  \n", id="surrounding-whitespace"),
        pytest.param(STORY, STORY.replace(" ", "\u00a0"), id="non-breaking-spaces"),
        pytest.param(STORY, STORY.replace('"too high"', "\u201ctoo high\u201d"), id="curly-quotes"),
        pytest.param("It's the bank's call", "It\u2019s the bank\u2019s call", id="apostrophes"),
        pytest.param(
            "Hello World",
            "\uff28\uff45\uff4c\uff4c\uff4f \uff37\uff4f\uff52\uff4c\uff44",
            id="full-width",
        ),
        pytest.param("financial", "\ufb01nancial", id="ligature"),
        pytest.param("caf\u00e9", "cafe\u0301", id="combining-accent"),
        pytest.param("Stra\u00dfe", "STRASSE", id="casefold"),
        pytest.param("rates rose - again", "rates rose \u2014 again", id="dashes"),
    ],
)
def test_content_hash_is_equal_across_spelling_variants(a: str, b: str) -> None:
    assert content_hash(a) == content_hash(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The central bank raised rates", "The central bank cut rates"),
        ("rates rose", "rose rates"),
        ("2021", "2022"),
        ("a story", ""),
    ],
)
def test_different_texts_hash_differently(a: str, b: str) -> None:
    assert content_hash(a) != content_hash(b)


def test_content_hash_is_versioned_sha256() -> None:
    digest = content_hash(STORY)
    assert digest.startswith("v1:")
    assert re.fullmatch(r"v1:[0-9a-f]{64}", digest)


def test_content_hash_is_pinned_so_stored_hashes_stay_valid() -> None:
    expected = hashlib.sha256(b"hello world").hexdigest()
    assert content_hash("Hello,   World!") == f"v1:{expected}"


def test_normalised_text_is_lower_case_words_single_spaced() -> None:
    assert normalise_text("  Hello,\u00a0 WORLD!\n\nBye.  ") == "hello world bye"


def test_word_count_counts_whitespace_separated_words() -> None:
    assert word_count("one  two\nthree\tfour ") == 4


def test_word_count_counts_each_chinese_or_japanese_character() -> None:
    # written without spaces: a 40-character story is not a 1-word page
    assert word_count("新华社北京3月10日电 记者10日获悉") == 16
    assert word_count("AFP通信によると") == 7
    assert word_count("") == 0


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_normalise_text_is_idempotent_and_never_raises(text: str) -> None:
    once = normalise_text(text)
    assert normalise_text(once) == once
    assert once == once.strip()
    assert "  " not in once


_WHITESPACE = st.sampled_from([" ", "  ", "\n", "\n\n", "\t", "\r\n", "\u00a0", "\u2003", "\u3000"])


@settings(max_examples=200, deadline=None)
@given(st.text(), st.lists(_WHITESPACE, min_size=1), _WHITESPACE, _WHITESPACE)
def test_content_hash_is_stable_under_respacing(
    text: str, separators: list[str], lead: str, trail: str
) -> None:
    words = text.split()
    respaced = (
        lead + "".join(w + separators[i % len(separators)] for i, w in enumerate(words)) + trail
    )
    assert content_hash(respaced) == content_hash(text)


def test_near_duplicate_band_keys_stay_the_same_across_releases() -> None:
    # Stored in near_duplicate_keys: a change here would split new copies of a story
    # from the clusters of the copies already stored.
    text = " ".join(
        f"The harbour authority said crane number {i} would be repaired before the winter storms."
        for i in range(8)
    )
    keys = band_keys(shingles(text))
    assert len(keys) == 32
    assert keys[:3] == [3913860770909856653, -3493531844966558991, -1163606879368069171]

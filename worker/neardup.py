"""Near-duplicate texts: MinHash signatures, LSH band keys and similarity (pure).

Copies of one wire story on different sites differ by a headline, a trimmed
paragraph or a few words, so exact hashes miss them. Each text becomes a set
of 5-word shingles; a 128-permutation MinHash (datasketch) cut into 32 bands
of 4 rows gives band keys that two texts share with high probability when
their Jaccard similarity is above ~0.45. The store indexes those keys, so a
new article finds its candidates with one indexed query, never a rescan;
candidates are then confirmed on their real shingle sets.
"""

from __future__ import annotations

import hashlib
import re
import struct
from functools import cache
from typing import Any

from .dedupe import HAN_KANA, normalise_text

SHINGLE_WORDS = 5
NUM_PERM = 128
BANDS = 32
ROWS_PER_BAND = NUM_PERM // BANDS
# An update that appends paragraphs keeps the original inside it: same story.
CONTAINMENT_SAME_STORY = 0.8
MIN_SHINGLES = 20  # shorter texts are too small to compare meaningfully

# a word, or one Chinese or Japanese character (they write no spaces)
_WORD = re.compile(f"[{HAN_KANA}]|[^\\W{HAN_KANA}]+")


@cache
def _permutations() -> Any:
    """Drawing the permutations is most of a MinHash's set-up cost, and they depend only
    on the seed: drawn once."""
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM, seed=1).permutations


def shingles(text: str) -> frozenset[bytes]:
    words = _WORD.findall(normalise_text(text))
    if len(words) < SHINGLE_WORDS:
        return frozenset()
    return frozenset(
        " ".join(words[i : i + SHINGLE_WORDS]).encode("utf-8")
        for i in range(len(words) - SHINGLE_WORDS + 1)
    )


def band_keys(shingle_set: frozenset[bytes]) -> list[int]:
    """One signed 64-bit key per LSH band (empty for texts too short to compare)."""
    if len(shingle_set) < MIN_SHINGLES:
        return []
    # Imported here, not at the top: datasketch pulls in scipy, 0.6 s of every
    # command's start-up otherwise. affine32 is datasketch 2's default scheme.
    from datasketch import MinHash

    minhash = MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32", permutations=_permutations())
    minhash.update_batch(sorted(shingle_set))
    values = minhash.hashvalues
    keys = []
    for band in range(BANDS):
        rows = values[band * ROWS_PER_BAND : (band + 1) * ROWS_PER_BAND]
        digest = hashlib.blake2b(
            struct.pack(f">H{ROWS_PER_BAND}Q", band, *(int(v) for v in rows)), digest_size=8
        ).digest()
        keys.append(int.from_bytes(digest, "big", signed=True))
    return keys


def similarity(a: frozenset[bytes], b: frozenset[bytes]) -> float:
    """Jaccard similarity, or containment of the smaller text when that says "same story"."""
    if not a or not b:
        return 0.0
    shared = len(a & b)
    jaccard = shared / len(a | b)
    containment = shared / min(len(a), len(b))
    return round(max(jaccard, containment if containment >= CONTAINMENT_SAME_STORY else 0.0), 4)

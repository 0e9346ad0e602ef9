"""Content identity: the same story text hashes the same however it was spelled (pure)."""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Bump when normalisation changes, so old hashes are not mistaken for new content.
CONTENT_HASH_VERSION = 1

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise_text(text: str) -> str:
    """NFKC, case-folded, punctuation and whitespace folded to single spaces."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _NON_WORD.sub(" ", folded).strip()


def content_hash(text: str) -> str:
    digest = hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()
    return f"v{CONTENT_HASH_VERSION}:{digest}"


# Chinese and Japanese write words without spaces between them: each of their
# characters counts as a word (a fair stand-in for their word length).
HAN_KANA = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
_HAN_KANA_CHAR = re.compile(f"[{HAN_KANA}]")


def word_count(text: str) -> int:
    return len(_HAN_KANA_CHAR.sub(" ", text).split()) + len(_HAN_KANA_CHAR.findall(text))

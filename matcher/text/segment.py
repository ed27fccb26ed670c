"""Word segmentation (underthesea) and the token streams the lexical channel indexes.

Why syllables AND compounds: measured on paraphrases (shared/NOTES-models.md), BM25 over
underthesea words alone loses recall ("nước_thải" never meets "nước bẩn"), plain syllables lose
precision on compounds; indexing both recovers most of each. underthesea loads lazily: its
import alone takes seconds.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from matcher.text.normalize import canonical_i, fold, lower

_TOKEN_RE = re.compile(r"\w+(?:[.,]\d+)*", re.UNICODE)


@lru_cache(maxsize=1)
def _word_tokenize() -> Any:
    from underthesea import word_tokenize  # heavy import, done once on first use

    return word_tokenize


def compounds(text: str) -> list[str]:
    """Multi-syllable words found by underthesea, lower-cased, syllables joined by "_"."""
    if not text.strip():
        return []
    segmented = _word_tokenize()(text, format="text")
    out = []
    for token in segmented.split():
        if "_" in token:
            parts = [p for p in _TOKEN_RE.findall(token.replace("_", " ")) if p]
            if len(parts) > 1:
                out.append(canonical_i("_".join(p.lower() for p in parts)))
    return out


def syllables(text: str) -> list[str]:
    """Lower-cased syllables (and numbers, kept whole: "4.000", "0,3")."""
    return [t.lower() for t in _TOKEN_RE.findall(text)]


def lexical_tokens(text: str, *, folded: bool, segmented: Sequence[str] | None = None) -> list[str]:
    """Tokens for BM25: syllables plus compounds, on the accented or the folded form.

    `segmented` lets a caller reuse compounds already computed for the same text.
    """
    comps = list(segmented) if segmented is not None else compounds(text)
    base = fold(text) if folded else lower(text)
    toks = syllables(base)
    toks += [fold(c) for c in comps] if folded else comps
    return toks

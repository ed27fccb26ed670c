"""Dense (FAISS) and lexical (bm25s) channels, including filtering during search."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from matcher.index.dense import DenseIndex, auto_ef_search, choose_kind
from matcher.index.lexical import LexicalIndex
from matcher.text.segment import lexical_tokens


def _unit(rng: np.random.Generator, n: int, d: int = 16) -> np.ndarray:
    v = rng.standard_normal((n, d)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_dense_search_finds_itself_and_respects_filter(kind: str, tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    vectors = _unit(rng, 200)
    index = DenseIndex.build(vectors, kind)  # type: ignore[arg-type]
    scores, ids = index.search(vectors[:3], 5)
    assert list(ids[:, 0]) == [0, 1, 2]
    assert scores[0, 0] == pytest.approx(1.0, abs=1e-5)
    allowed = np.zeros(200, dtype=bool)
    allowed[[10, 20, 30, 40, 50, 60]] = True
    _, ids = index.search(vectors[:1], 5, allowed)
    assert set(ids[0]) <= {10, 20, 30, 40, 50, 60}
    assert len([i for i in ids[0] if i >= 0]) == 5  # still k results when enough are allowed
    index.save(tmp_path)
    again = DenseIndex.load(tmp_path, kind)  # type: ignore[arg-type]
    assert again.size == 200
    np.testing.assert_allclose(again.exact_scores(vectors[0], np.array([0])), [1.0], atol=1e-5)


def test_dense_empty_filter_returns_nothing() -> None:
    index = DenseIndex.build(_unit(np.random.default_rng(1), 10), "flat")
    _, ids = index.search(_unit(np.random.default_rng(2), 1), 3, np.zeros(10, dtype=bool))
    assert ids.shape == (1, 0)


def test_choose_kind_by_size() -> None:
    assert choose_kind(1000, 50_000) == "flat"
    assert choose_kind(60_000, 50_000) == "hnsw"


def test_ef_search_grows_with_the_catalog_and_never_below_k() -> None:
    assert auto_ef_search(100_000) == 256 and auto_ef_search(1_000_000) == 3072
    rng = np.random.default_rng(5)
    vectors = _unit(rng, 500)
    hnsw = DenseIndex.build(vectors, "hnsw")
    exact = DenseIndex.build(vectors, "flat")
    # efSearch 16 asked for 100 results: the search widens to k, so all 100 come back and match.
    _, ids = hnsw.search(vectors[:2], 100, ef_search=16)
    _, truth = exact.search(vectors[:2], 100)
    assert (ids >= 0).all()
    overlap = [len(set(a) & set(b)) / 100 for a, b in zip(ids, truth, strict=True)]
    assert min(overlap) > 0.9


DOCS = [
    "Hệ thống xử lý nước thải ao nuôi tôm bằng màng sinh học MBBR",
    "Lò đốt chất thải rắn sinh hoạt công suất 500 kg/h",
    "Tự động hóa cảng container với cần trục điều khiển từ xa",
]


def test_lexical_folded_channel_serves_unaccented_needs(tmp_path: Path) -> None:
    acc = [lexical_tokens(d, folded=False) for d in DOCS]
    fol = [lexical_tokens(d, folded=True) for d in DOCS]
    lex = LexicalIndex.build(acc, fol)
    need = "xu ly nuoc thai nuoi tom"
    scores = lex.scores(lexical_tokens(need, folded=False), lexical_tokens(need, folded=True), accented=False)
    assert int(np.argmax(scores)) == 0
    assert lex.accented_scores(lexical_tokens(need, folded=False)).max() == 0  # plain BM25 misses it
    lex.save(tmp_path)
    again = LexicalIndex.load(tmp_path)
    np.testing.assert_allclose(
        again.folded_scores(lexical_tokens(need, folded=True)),
        lex.folded_scores(lexical_tokens(need, folded=True)),
    )


def test_lexical_unknown_tokens_score_zero() -> None:
    lex = LexicalIndex.build([["a"]], [["a"]])
    assert lex.scores(["zzz"], ["zzz"], accented=True).tolist() == [0.0]
    assert lex.scores([], [], accented=True).tolist() == [0.0]

"""The dense channel: FAISS over L2-normalised vectors (inner product = cosine).

Exact `IndexFlatIP` by default; above `approximate_above` entries an HNSW graph (chosen by the
benchmark in README.md: recall@10 and latency at 100k / 1M). Filters are applied *during* the
search with a FAISS ID selector, so a filtered top-k is still k results when enough exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import faiss
import numpy as np

DenseKind = Literal["flat", "hnsw"]
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80


def auto_ef_search(n: int) -> int:
    """HNSW efSearch for a catalog of n entries, read off `matcher bench --parts ann`.

    Measured on this 2-core machine (README): at 100k, efSearch 256 gives recall@10 0.981 at
    0.8 ms p95; at 1M, 2048 gives 0.951 (too close to the 0.95 target to trust on 136 queries)
    and 3072 gives 0.985 at 13.9 ms p95, inside the 20 ms budget. A graph of n <= 200k is at
    most twice the measured 100k one, so 256 keeps a margin there.
    """
    return 256 if n <= 200_000 else 3072


def choose_kind(n: int, approximate_above: int) -> DenseKind:
    """Exact search while it is fast enough; HNSW beyond (see `matcher bench`)."""
    return "hnsw" if n > approximate_above else "flat"


class DenseIndex:
    """A FAISS index plus the raw vectors (kept for exact per-candidate scores in explanations)."""

    def __init__(self, index: faiss.Index, vectors: np.ndarray, kind: DenseKind) -> None:
        self.index = index
        self.vectors = vectors
        self.kind = kind

    @property
    def size(self) -> int:
        return int(self.index.ntotal)

    @property
    def dim(self) -> int:
        return int(self.index.d)

    @classmethod
    def build(cls, vectors: np.ndarray, kind: DenseKind = "flat") -> DenseIndex:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[0] == 0:
            raise ValueError(f"vectors must be a non-empty (n, dim) array, got shape {vectors.shape}")
        dim = vectors.shape[1]
        if kind == "flat":
            index: faiss.Index = faiss.IndexFlatIP(dim)
        elif kind == "hnsw":
            index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        else:
            raise ValueError(f"unknown dense index kind {kind!r}; valid: flat, hnsw")
        index.add(vectors)
        return cls(index, vectors, kind)

    def search(
        self,
        queries: np.ndarray,
        k: int,
        allowed: np.ndarray | None = None,
        *,
        ef_search: int | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k (scores, ids) per query among the allowed ids (boolean mask over the catalog).

        `ef_search` is HNSW's candidate-list length (ignored by exact search); None chooses it by
        catalog size (`auto_ef_search`), the one policy for every caller. It never goes below k:
        a graph walk that keeps fewer than k candidates cannot return k good ones.
        """
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        k = max(1, min(k, self.size))
        ef = max(int(ef_search or auto_ef_search(self.size)), k)
        params = None
        if allowed is not None and bool(np.all(allowed)):
            allowed = None  # nothing filtered out: a selector would only slow the search down
        if allowed is not None:
            if not np.any(allowed):
                n = queries.shape[0]
                return np.zeros((n, 0), np.float32), np.zeros((n, 0), np.int64)
            # A bitmap over the catalog, not a list of allowed ids: O(n/8) bytes to build and an
            # O(1) test per candidate (an IDSelectorBatch of a million ids costs ~150 ms per query).
            bits = np.packbits(np.asarray(allowed, dtype=bool), bitorder="little")
            selector = faiss.IDSelectorBitmap(len(allowed), faiss.swig_ptr(bits))
            if self.kind == "hnsw":
                params = faiss.SearchParametersHNSW(sel=selector, efSearch=ef)
            else:
                params = faiss.SearchParameters(sel=selector)
        elif self.kind == "hnsw":
            params = faiss.SearchParametersHNSW(efSearch=ef)
        scores, ids = self.index.search(queries, k, params=params)
        return scores, ids

    def exact_scores(self, query: np.ndarray, ids: np.ndarray) -> np.ndarray:
        """Cosine of one query with chosen catalog entries (for explanations and fusion)."""
        return self.vectors[ids] @ np.asarray(query, dtype=np.float32)

    def save(self, directory: Path) -> list[Path]:
        faiss_path = directory / "dense.faiss"
        vec_path = directory / "vectors.npy"
        faiss.write_index(self.index, str(faiss_path))
        np.save(vec_path, self.vectors, allow_pickle=False)
        return [faiss_path, vec_path]

    @classmethod
    def load(cls, directory: Path, kind: DenseKind) -> DenseIndex:
        index = faiss.read_index(str(directory / "dense.faiss"))
        vectors = np.load(directory / "vectors.npy", mmap_mode="r", allow_pickle=False)
        return cls(index, vectors, kind)

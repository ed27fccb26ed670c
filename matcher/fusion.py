"""Fusing the dense and lexical rankings into one.

Reciprocal-rank fusion is the default: it needs no score calibration between cosine and BM25
(whose scale depends on the query length), and on the dev split it beat a tuned convex
combination (README, "Fusion"). The convex form is kept for the evaluation that justifies it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def rrf(rankings: Sequence[Sequence[int]], weights: Sequence[float], k: int = 60) -> dict[int, float]:
    """score(d) = sum_i w_i / (k + rank_i(d)), ranks from 1; absent documents add nothing."""
    if len(rankings) != len(weights):
        raise ValueError("one weight per ranking is required")
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, doc in enumerate(ranking, start=1):
            fused[doc] = fused.get(doc, 0.0) + weight / (k + rank)
    return fused


def minmax(scores: Mapping[int, float]) -> dict[int, float]:
    """Scale scores to [0, 1] over the candidate set (a constant set maps to 1)."""
    if not scores:
        return {}
    values = np.fromiter(scores.values(), dtype=np.float64)
    lo, hi = float(values.min()), float(values.max())
    span = hi - lo
    return {d: (1.0 if span == 0 else (s - lo) / span) for d, s in scores.items()}


def convex(dense: Mapping[int, float], lexical: Mapping[int, float], alpha: float) -> dict[int, float]:
    """alpha * minmax(dense) + (1 - alpha) * minmax(lexical) over the union of candidates."""
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    d, lx = minmax(dense), minmax(lexical)
    return {doc: alpha * d.get(doc, 0.0) + (1 - alpha) * lx.get(doc, 0.0) for doc in set(d) | set(lx)}

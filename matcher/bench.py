"""The benchmark: every figure side by side with its baseline, measured in one run.

Why subprocesses: peak memory (ru_maxrss) is per process and only grows, so each build or
backend measurement runs in a fresh spawned process to report its own peak.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import resource
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np


def percentiles(samples_s: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99 in milliseconds."""
    arr = np.asarray(samples_s) * 1000.0
    return {f"p{p}": float(np.percentile(arr, p)) for p in (50, 95, 99)}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _in_subprocess(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    with ctx.Pool(1) as pool:
        return pool.apply(fn, args)


def bench_latency(matcher: Any, texts: Sequence[str], rounds: int = 3) -> dict[str, Any]:
    """Single-need latency of `match` next to the bare query embedding of the same text."""
    embedder = matcher.embedder
    prepared = [matcher.prepare(t).semantic_text for t in texts]
    for t in texts[:5]:  # warm caches (underthesea, FAISS, BM25)
        matcher.match(t)
    embed_s: list[float] = []
    match_s: list[float] = []
    for _ in range(rounds):
        for text, semantic in zip(texts, prepared, strict=True):
            t0 = time.perf_counter()
            embedder.embed_queries([semantic])
            embed_s.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            matcher.match(text)
            match_s.append(time.perf_counter() - t0)
    e, m = percentiles(embed_s), percentiles(match_s)
    return {
        "n": len(match_s),
        "embed_ms": e,
        "match_ms": m,
        "overhead_p50": (m["p50"] - e["p50"]) / e["p50"],
    }


def bench_text_pipeline(matcher: Any, texts: Sequence[str], rounds: int = 5) -> dict[str, Any]:
    """Milliseconds per need of the text pipeline (`Matcher.prepare`: normalise, restore, correct
    spelling, write out abbreviations, segment), with spelling correction and without, timed need
    by need one after the other so both see the same machine."""
    without = matcher.with_settings(correct_spelling=False)
    for t in texts:  # warm caches on both sides
        matcher.prepare(t)
        without.prepare(t)
    on_s = off_s = 0.0
    for _ in range(rounds):
        for t in texts:
            t0 = time.perf_counter()
            matcher.prepare(t)
            t1 = time.perf_counter()
            without.prepare(t)
            on_s += t1 - t0
            off_s += time.perf_counter() - t1
    n = rounds * len(texts)
    return {"n": n, "with_spelling_ms": 1000 * on_s / n, "without_spelling_ms": 1000 * off_s / n}


def bench_throughput(matcher: Any, texts: Sequence[str], chunk: int = 64, rounds: int = 3) -> dict[str, Any]:
    """Needs/s of `match_batch` next to bare `embed_queries` on the same texts and chunks.

    The two are timed chunk by chunk, one right after the other, and the ratio reported is the
    median over chunks and rounds of each pair's ratio (the overall one is kept too). On a shared
    machine whose speed drifts within a minute, timing all embeddings and then all matches let
    the ratio swing from 72% to 114% between runs of the same code.
    """
    embedder = matcher.embedder
    semantic = [matcher.prepare(t).semantic_text for t in texts]
    matcher.match_batch(list(texts[:chunk]))  # warm caches (underthesea, FAISS, BM25)
    embed_s = match_s = 0.0
    pair_ratios: list[float] = []
    for _ in range(rounds):
        for i in range(0, len(texts), chunk):
            t0 = time.perf_counter()
            embedder.embed_queries(semantic[i : i + chunk])
            t1 = time.perf_counter()
            matcher.match_batch(list(texts[i : i + chunk]))
            t2 = time.perf_counter()
            embed_s += t1 - t0
            match_s += t2 - t1
            pair_ratios.append((t1 - t0) / (t2 - t1))
    n = rounds * len(texts)
    embed_rate, match_rate = n / embed_s, n / match_s
    return {
        "n": n,
        "encode_per_s": embed_rate,
        "batch_per_s": match_rate,
        "ratio": float(np.median(pair_ratios)),
        "ratio_overall": match_rate / embed_rate,
        "pairs": len(pair_ratios),
    }


def synthetic_vectors(base: np.ndarray, n: int, noise: float = 0.35, seed: int = 0) -> np.ndarray:
    """n unit vectors scattered around real catalog embeddings (clustered like real catalogs).

    Uniform random vectors would make approximate search look worse than on real data, and
    copies of real vectors would make it look better; noise around real points sits between.
    """
    rng = np.random.default_rng(seed)
    out = np.empty((n, base.shape[1]), dtype=np.float32)
    step = 100_000
    for start in range(0, n, step):
        m = min(step, n - start)
        picks = base[rng.integers(0, len(base), m)]
        block = picks + noise * rng.standard_normal((m, base.shape[1])).astype(np.float32) / np.sqrt(
            base.shape[1]
        )
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        out[start : start + m] = block
    return out


def _build_worker(n: int, base_path: str, docs_path: str, approximate_above: int) -> dict[str, Any]:
    import json

    from matcher.index.dense import DenseIndex, choose_kind
    from matcher.index.lexical import LexicalIndex

    base = np.load(base_path)
    docs = json.loads(Path(docs_path).read_text(encoding="utf-8"))
    vectors = synthetic_vectors(base, n)
    rng = np.random.default_rng(1)
    tokens = [docs[i] for i in rng.integers(0, len(docs), n)]
    gc.collect()
    rss0 = peak_rss_mb()
    kind = choose_kind(n, approximate_above)
    t0 = time.perf_counter()
    DenseIndex.build(vectors, kind)
    dense_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    LexicalIndex.build(tokens, tokens)
    lexical_s = time.perf_counter() - t0
    return {
        "n": n,
        "dense_kind": kind,
        "dense_build_s": dense_s,
        "lexical_build_s": lexical_s,
        "peak_rss_mb": peak_rss_mb(),
        "rss_before_build_mb": rss0,
    }


EF_SWEEP = (128, 256, 512, 1024, 2048, 4096)


def _ann_worker(
    n: int, base_path: str, queries_path: str, k: int = 10, ef_values: Sequence[int] = EF_SWEEP
) -> dict[str, Any]:
    """Exact search against one HNSW graph searched at several efSearch values.

    One graph, several breadths: build time dominates at 1M, and efSearch is a query-time knob,
    so the sweep shows the recall/latency trade-off the setting `hnsw_ef_search` picks from.
    """
    import faiss

    from matcher.index.dense import DenseIndex

    base = np.load(base_path)
    queries = np.load(queries_path)
    vectors = synthetic_vectors(base, n)
    flat = DenseIndex.build(vectors, "flat")
    _, exact_ids = flat.search(queries, k)
    exact_s = []
    for q in queries:
        t0 = time.perf_counter()
        flat.search(q[None, :], k)
        exact_s.append(time.perf_counter() - t0)
    del flat
    gc.collect()
    t0 = time.perf_counter()
    hnsw = DenseIndex.build(vectors, "hnsw")
    build_s = time.perf_counter() - t0
    sweep = []
    for ef in ef_values:
        ann_s = []
        found = []
        for q in queries:
            t0 = time.perf_counter()
            _, ids = hnsw.search(q[None, :], k, ef_search=ef)
            ann_s.append(time.perf_counter() - t0)
            found.append(ids[0])
        recall = float(np.mean([len(set(f) & set(e)) / k for f, e in zip(found, exact_ids, strict=True)]))
        sweep.append({"ef_search": ef, "hnsw_ms": percentiles(ann_s), "recall@10": recall})
    size_mb = faiss.serialize_index(hnsw.index).nbytes / 2**20
    return {
        "n": n,
        "queries": len(queries),
        "exact_ms": percentiles(exact_s),
        "sweep": sweep,
        "hnsw_build_s": build_s,
        "hnsw_index_mb": size_mb,
        "vectors_mb": vectors.nbytes / 2**20,
        "peak_rss_mb": peak_rss_mb(),
    }


def _backend_worker(name: str, texts: list[str]) -> dict[str, Any]:
    from matcher.embed.base import get_embedder
    from matcher.settings import Settings

    embedder = get_embedder(Settings(embedder=name))
    t0 = time.perf_counter()
    embedder.embed_queries(["khởi động mô hình"])
    load_s = time.perf_counter() - t0
    single = []
    for t in texts[:40]:
        t0 = time.perf_counter()
        embedder.embed_queries([t])
        single.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    for i in range(0, len(texts), 32):
        embedder.embed_passages(texts[i : i + 32])
    rate = len(texts) / (time.perf_counter() - t0)
    return {
        "backend": name,
        "model_id": embedder.model_id,
        "load_s": load_s,
        "single_ms": percentiles(single),
        "batch32_per_s": rate,
        "peak_rss_mb": peak_rss_mb(),
    }


def bench_filters(matcher: Any, n: int, rounds: int = 50) -> dict[str, Any]:
    """A filtered request's mask on an n-entry catalog (the shipped entries repeated, new ids):
    read from `FilterTables` next to reading every entry, the way filters worked before them.

    The filter is the shipped catalog's most common field and two institutes, so the mask is
    neither empty nor everything.
    """
    from collections import Counter

    from matcher.filters import Filters, FilterTables, filter_mask
    from matcher.text.normalize import fold

    base, base_verdicts = matcher.technologies, matcher.index.verdicts
    techs = [base[i % len(base)].model_copy(update={"id": f"S{i}"}) for i in range(n)]
    verdicts = [base_verdicts[i % len(base)] for i in range(n)]
    field = Counter(t.field for t in base).most_common(1)[0][0]
    institutes = [name for name, _ in Counter(t.institute for t in base).most_common(2)]
    filters = Filters(field=[field], institute=institutes)

    def read_every_entry() -> np.ndarray:
        mask = np.ones(n, dtype=bool)
        for column, wanted in (("field", filters.field), ("institute", filters.institute)):
            keys = {fold(w) for w in wanted}
            mask &= np.array([fold(str(t.column(column))) in keys for t in techs], dtype=bool)
        return mask

    t0 = time.perf_counter()
    expected = read_every_entry()
    scan_s = time.perf_counter() - t0
    tables = FilterTables(techs, verdicts)
    t0 = time.perf_counter()
    first = filter_mask(filters, tables, matcher.sector_names)
    build_s = time.perf_counter() - t0
    later = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        mask = filter_mask(filters, tables, matcher.sector_names)
        later.append(time.perf_counter() - t0)
    if (
        first is None
        or mask is None
        or not (np.array_equal(first, expected) and np.array_equal(mask, expected))
    ):
        raise RuntimeError("FilterTables gave another mask than reading every entry")
    return {
        "n": n,
        "allowed": int(expected.sum()),
        "read_every_entry_ms": scan_s * 1000,
        "first_request_ms": build_s * 1000,
        "later_request_ms": percentiles(later),
        "browse": _bench_browse(tables, verdicts, filters, matcher.sector_names, rounds),
    }


def _bench_browse(
    tables: Any, verdicts: Sequence[Any], filters: Any, sector_names: dict[str, str], rounds: int
) -> dict[str, Any]:
    """A page of catalog browsing (`GET /v1/technologies`: the filters + verdict "no", no search
    words): rows from the tables' masks next to the loop over every verdict it replaced."""
    from matcher.filters import browse_rows, filter_mask

    def loop_over_verdicts() -> list[int]:
        mask = filter_mask(filters, tables, sector_names)
        return [
            i
            for i, verdict in enumerate(verdicts)
            if (mask is None or mask[i]) and verdict.restricted == "no"
        ]

    looped, masked = [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        expected = loop_over_verdicts()
        looped.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        rows = browse_rows(tables, filters, sector_names, restricted="no")
        masked.append(time.perf_counter() - t0)
        if rows.tolist() != expected:
            raise RuntimeError("browse_rows gave other rows than the loop over every verdict")
    return {"rows": len(expected), "loop_ms": percentiles(looped), "tables_ms": percentiles(masked)}


def run_in_subprocess(kind: str, *args: Any) -> dict[str, Any]:
    worker = {"build": _build_worker, "ann": _ann_worker, "backend": _backend_worker}[kind]
    return _in_subprocess(worker, *args)


def median(xs: Sequence[float]) -> float:
    return statistics.median(xs)

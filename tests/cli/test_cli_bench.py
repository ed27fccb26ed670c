"""`matcher bench` is a command, not a timed test: here only its parts and helpers are checked."""

from __future__ import annotations

import numpy as np
from typer.testing import CliRunner

from matcher.bench import _ann_worker, percentiles, synthetic_vectors
from matcher.cli.main import app

runner = CliRunner()


def test_unknown_part_is_refused_before_anything_runs() -> None:
    result = runner.invoke(app, ["bench", "--parts", "latency,nhanh"])
    assert result.exit_code == 2
    assert "nhanh" in result.output and "latency" in result.output


def test_synthetic_vectors_are_unit_norm_and_clustered() -> None:
    rng = np.random.default_rng(3)
    base = rng.standard_normal((5, 32)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    vectors = synthetic_vectors(base, 1000)
    assert vectors.shape == (1000, 32) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    nearest = (vectors @ base.T).max(axis=1)
    assert nearest.min() > 0.8  # each point stays close to one real vector


def test_ann_sweep_reports_recall_per_ef(tmp_path) -> None:
    rng = np.random.default_rng(4)
    base = rng.standard_normal((20, 32)).astype(np.float32)
    base /= np.linalg.norm(base, axis=1, keepdims=True)
    queries = base[:8] + 0.05 * rng.standard_normal((8, 32)).astype(np.float32)
    np.save(tmp_path / "base.npy", base)
    np.save(tmp_path / "q.npy", queries.astype(np.float32))
    report = _ann_worker(3000, str(tmp_path / "base.npy"), str(tmp_path / "q.npy"), ef_values=(10, 200))
    assert [row["ef_search"] for row in report["sweep"]] == [10, 200]
    recalls = [row["recall@10"] for row in report["sweep"]]
    assert all(0.0 <= r <= 1.0 for r in recalls)
    assert recalls[0] < recalls[1] and recalls[1] > 0.9  # a wider search finds more of the true top-10
    assert report["queries"] == 8 and report["hnsw_index_mb"] > 0


def test_percentiles_of_known_samples() -> None:
    p = percentiles([i / 1000 for i in range(1, 101)])  # 1..100 ms
    assert 49.0 <= p["p50"] <= 51.0 and 98.0 <= p["p99"] <= 100.0


def test_filter_bench_checks_the_tables_against_reading_every_entry(small_matcher) -> None:
    from matcher.bench import bench_filters

    report = bench_filters(small_matcher, 500, rounds=3)  # raises if the two masks differ
    assert report["n"] == 500 and 0 < report["allowed"] < 500


def test_text_pipeline_and_throughput_benches_time_both_sides(small_matcher) -> None:
    from matcher.bench import bench_text_pipeline, bench_throughput

    needs = ["hệ thống sử lý nước thải ao nuôi tôm", "lo dot rac thai sinh hoat"]
    text = bench_text_pipeline(small_matcher, needs, rounds=2)
    assert text["n"] == 4 and text["with_spelling_ms"] > 0 and text["without_spelling_ms"] > 0
    thr = bench_throughput(small_matcher, needs * 3, chunk=2, rounds=2)
    assert (thr["n"], thr["pairs"]) == (12, 6) and thr["encode_per_s"] > 0 and thr["batch_per_s"] > 0
    assert thr["ratio_overall"] == thr["batch_per_s"] / thr["encode_per_s"] and thr["ratio"] > 0

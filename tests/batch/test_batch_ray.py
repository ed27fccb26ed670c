"""Ray Data engine: the same results, byte for byte, as the local engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from survey_files import XLSX

from matcher.batch.runner import run_batch

pytestmark = pytest.mark.slow  # ray is in the [test] extra: if it is missing the test fails


def test_ray_equals_local(small_matcher, xlsx_run, tmp_path: Path) -> None:
    local, _ = xlsx_run
    ray_summary = run_batch(
        XLSX, tmp_path / "ray.xlsx", matcher=small_matcher, top_k=5, chunk_size=4, engine="ray", workers=2
    )
    assert ray_summary.engine == "ray" and ray_summary.needs == 20
    assert Path(ray_summary.results_path).read_bytes() == Path(local.results_path).read_bytes()
    assert (
        Path(ray_summary.results_path).with_name("skipped.jsonl").read_bytes()
        == Path(local.results_path).with_name("skipped.jsonl").read_bytes()
    )

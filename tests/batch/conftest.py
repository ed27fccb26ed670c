"""Fixtures of the batch tests: one real batch run over the committed XLSX survey, shared by the
report, writer and notebook tests (the real model over tests/data/small_catalog.csv)."""

from __future__ import annotations

import pytest
from survey_files import XLSX


@pytest.fixture(scope="session")
def xlsx_run(small_matcher, tmp_path_factory: pytest.TempPathFactory):
    """(summary, output folder) of one real run over the department's XLSX template."""
    from matcher.batch.runner import run_batch

    out = tmp_path_factory.mktemp("xlsx_run")
    summary = run_batch(XLSX, out / "ket-qua.xlsx", matcher=small_matcher, top_k=5, chunk_size=8)
    return summary, out

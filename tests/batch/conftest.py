"""Fixtures of the batch tests: the committed survey files and one real batch run shared by the
report, writer and notebook tests (the real model over tests/data/small_catalog.csv)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

SURVEYS = Path(__file__).resolve().parents[1] / "data" / "surveys"
XLSX = SURVEYS / "khao_sat_so_cong_thuong.xlsx"
CP1258 = SURVEYS / "khao_sat_cp1258.csv"
TCVN3 = SURVEYS / "khao_sat_tcvn3.csv"


def fixture_module():
    sys.path.insert(0, str(SURVEYS))
    try:
        import make_fixtures
    finally:
        sys.path.remove(str(SURVEYS))
    return make_fixtures


@pytest.fixture(scope="session")
def xlsx_run(small_matcher, tmp_path_factory: pytest.TempPathFactory):
    """(summary, output folder) of one real run over the department's XLSX template."""
    from matcher.batch.runner import run_batch

    out = tmp_path_factory.mktemp("xlsx_run")
    summary = run_batch(XLSX, out / "ket-qua.xlsx", matcher=small_matcher, top_k=5, chunk_size=8)
    return summary, out

"""The committed survey files of the batch tests, importable by name.

Kept out of conftest.py: several test folders have a conftest.py, and `from conftest import`
picks whichever of them was imported first when folders run together.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

SURVEYS = Path(__file__).resolve().parents[1] / "data" / "surveys"
XLSX = SURVEYS / "khao_sat_so_cong_thuong.xlsx"
CP1258 = SURVEYS / "khao_sat_cp1258.csv"
TCVN3 = SURVEYS / "khao_sat_tcvn3.csv"


def fixture_module() -> ModuleType:
    """tests/data/surveys/make_fixtures.py, which writes the survey files (and broken ones)."""
    sys.path.insert(0, str(SURVEYS))
    try:
        import make_fixtures
    finally:
        sys.path.remove(str(SURVEYS))
    return make_fixtures

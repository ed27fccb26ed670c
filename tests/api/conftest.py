"""API fixtures: the app over the session's small real index, with the real model.

The app gets the session's warmed-up Matcher, so the model and index load once for all tests.
Admin tests that swap catalogs use their own index name, so they never change what the other
tests (and test modules) see.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from matcher.settings import Settings

ADMIN_TOKEN = "test-admin-token-123"
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture(scope="session")
def api_settings(small_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Small API-only limits so that limit tests stay cheap; text limits are the library's."""
    return small_settings.model_copy(
        update={
            "admin_token": ADMIN_TOKEN,
            "data_dir": tmp_path_factory.mktemp("api-data"),
            "max_batch": 8,
            "max_upload_bytes": 256 * 1024,
        }
    )


@pytest.fixture(scope="session")
def client(api_settings: Settings, small_matcher) -> Iterator[TestClient]:
    from api.app import create_app

    app = create_app(api_settings, matcher=small_matcher)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="session")
def data_dir(api_settings: Settings) -> Path:
    return api_settings.data_dir

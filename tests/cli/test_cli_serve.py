"""`matcher serve` refuses, in one Vietnamese line, a data folder another service owns."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.jobs import JobRegistry
from matcher.cli.main import app
from matcher.settings import get_settings


def test_serve_on_a_data_folder_in_use_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TECHMATCH_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    running = JobRegistry(tmp_path / "jobs")  # the service already serving this folder
    try:
        result = CliRunner().invoke(app, ["serve", "--port", "8765"])
    finally:
        running.shutdown()
        get_settings.cache_clear()
    assert result.exit_code == 1, result.output
    assert "đang được một dịch vụ techmatch khác dùng" in result.output
    assert "TECHMATCH_DATA_DIR" in result.output and "Traceback" not in result.output

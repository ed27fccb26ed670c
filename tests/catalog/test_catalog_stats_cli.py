"""Catalog statistics and the `matcher catalog` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matcher.catalog.readers import load_catalog
from matcher.catalog.stats import NONE_KEY, catalog_stats
from matcher.cli.catalog import app

runner = CliRunner()


def test_stats_counts(data: Path) -> None:
    techs = load_catalog(data / "vast_utf8.csv").technologies
    stats = catalog_stats(techs)
    assert stats.total == 5
    assert stats.by_field == {"Công nghệ sinh học": 2, "Môi trường": 1, "Nông nghiệp": 1, "Vật liệu mới": 1}
    assert stats.by_sector == {"moi_truong": 3, "nong_nghiep_thuy_san": 2, "luyen_kim_thep": 1}
    assert stats.by_institute["Viện Khoa học vật liệu ứng dụng"] == 2
    assert stats.by_trl == {"6": 1, "7": 1, "8": 1, "9": 2}
    assert stats.with_keywords == 5


def test_stats_of_missing_values(data: Path) -> None:
    techs = load_catalog(data / "fixable.csv").technologies
    assert catalog_stats(techs).by_trl == {"8": 1, "9": 1, NONE_KEY: 1}
    assert catalog_stats([]).total == 0


def test_cli_validate_ok(data: Path) -> None:
    result = runner.invoke(app, ["validate", str(data / "fixable.csv")])
    assert result.exit_code == 0, result.output
    assert "Danh mục hợp lệ" in result.output and "3 công nghệ" in result.output
    assert "Đã tự sửa 2 chỗ, bỏ qua 2 nhóm dòng trống" in result.output
    assert "TRL '12'" in result.output


def test_cli_validate_with_columns(data: Path) -> None:
    result = runner.invoke(
        app, ["validate", str(data / "vast_utf8.csv"), "--columns", "name=Tên công nghệ,id=Mã"]
    )
    assert result.exit_code == 0, result.output
    assert "5 công nghệ" in result.output


def test_cli_validate_invalid_lists_every_error(data: Path) -> None:
    result = runner.invoke(app, ["validate", str(data / "empty_required.csv")])
    assert result.exit_code == 1
    assert "Danh mục không hợp lệ" in result.output and "2 lỗi" in result.output
    assert "thiếu mô tả" in result.output and "thiếu đơn vị" in result.output


def test_cli_validate_missing_columns_is_exit_1(data: Path) -> None:
    result = runner.invoke(app, ["validate", str(data / "missing_columns.csv")])
    assert result.exit_code == 1
    assert "Thiếu cột bắt buộc" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["validate", "khong-co.csv"], "Không tìm thấy tệp"),
        (["validate", "{data}/vast_utf8.csv", "--columns", "name"], "--columns cần dạng"),
        (["validate", "{data}/make_fixtures.py"], "Không hỗ trợ định dạng"),
    ],
)
def test_cli_bad_usage_is_exit_2(data: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, [a.format(data=data) for a in args])
    assert result.exit_code == 2
    assert message in result.output


def test_cli_stats_of_a_file(data: Path) -> None:
    result = runner.invoke(app, ["stats", str(data / "vast_merged_header.xlsx")])
    assert result.exit_code == 0, result.output
    assert "5 công nghệ" in result.output
    assert "Công nghệ sinh học" in result.output
    assert "Môi trường (moi_truong)" in result.output


def test_cli_stats_json(data: Path) -> None:
    result = runner.invoke(app, ["stats", str(data / "vast.json"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["by_trl"] == {"6": 1, "7": 1, "8": 1, "9": 2}


def test_cli_stats_defaults_to_the_shipped_catalog(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from matcher.settings import get_settings

    monkeypatch.setenv("TECHMATCH_DEFAULT_CATALOG", str(data / "vast_utf8.csv"))
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["stats"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert "vast_utf8.csv" in result.output and "5 công nghệ" in result.output


def test_cli_glossary_lists_terms_english_needs_cannot_reach(data: Path, tmp_path: Path, monkeypatch) -> None:
    from matcher.settings import get_settings

    args = ["glossary", str(data / "vast_utf8.csv"), "--json", "--top", "100"]
    get_settings.cache_clear()
    shipped = runner.invoke(app, args)
    glossary = tmp_path / "glossary.yaml"
    glossary.write_text("nước thải: [wastewater]\n", encoding="utf-8")
    monkeypatch.setenv("TECHMATCH_GLOSSARY_PATH", str(glossary))
    get_settings.cache_clear()
    try:
        own = runner.invoke(app, args)
    finally:
        get_settings.cache_clear()
    assert shipped.exit_code == 0 and own.exit_code == 0, shipped.output + own.output
    counts = json.loads(own.stdout)
    uncovered = dict(counts["uncovered"])
    assert "nước thải" not in uncovered and uncovered  # what it knows is covered, the rest listed
    assert all(not term.isascii() for term in uncovered)  # loanwords are typed as they are
    assert counts["covered"] + len(counts["uncovered"]) == counts["terms"]
    assert json.loads(shipped.stdout)["covered"] > counts["covered"]  # the shipped glossary knows more


def test_cli_glossary_refuses_a_broken_glossary(data: Path, tmp_path: Path, monkeypatch) -> None:
    from matcher.settings import get_settings

    broken = tmp_path / "glossary.yaml"
    broken.write_text("sơn: [paint]\nsơn: [coating]\n", encoding="utf-8")
    monkeypatch.setenv("TECHMATCH_GLOSSARY_PATH", str(broken))
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["glossary", str(data / "vast_utf8.csv")])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "lặp lại" in result.output

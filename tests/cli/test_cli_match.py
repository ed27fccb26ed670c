"""The `matcher` command as a user runs it: build, match (table and JSON), errors and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matcher.cli.main import app
from matcher.settings import get_settings

pytestmark = pytest.mark.slow
SMALL_CATALOG = Path(__file__).parents[1] / "data" / "small_catalog.csv"
runner = CliRunner()


@pytest.fixture(scope="module")
def cli_env(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("cli-indexes")
    mp = pytest.MonkeyPatch()
    mp.setenv("TECHMATCH_INDEX_ROOT", str(root))
    mp.setenv("TECHMATCH_DEFAULT_CATALOG", str(SMALL_CATALOG))
    get_settings.cache_clear()
    result = runner.invoke(app, ["index", "build"])
    assert result.exit_code == 0, result.output
    assert "28 công nghệ" in result.output
    yield root
    mp.undo()
    get_settings.cache_clear()


def test_match_prints_a_readable_table(cli_env: Path) -> None:
    result = runner.invoke(app, ["match", "xu ly nuoc thai ao nuoi tom", "--top-k", "3"])
    assert result.exit_code == 0, result.output
    assert "Đã khôi phục dấu" in result.output
    assert "VAST-084" in result.output


def test_narrow_terminal_gets_cards_wide_gets_a_table(cli_env: Path) -> None:
    from rich.console import Console

    from matcher.cli.render import print_match
    from matcher.matcher import Matcher

    result = Matcher().match("xu ly nuoc thai ao nuoi tom", top_k=2)
    narrow = Console(width=80, record=True, color_system=None)
    print_match(narrow, result)
    text = narrow.export_text()
    first = result.results[0]
    assert f" 1. {first.tech_id}  {first.name[:30]}" in text  # the name stays readable on one line
    assert "từ khớp:" in text and "┏" not in text
    wide = Console(width=160, record=True, color_system=None)
    print_match(wide, result)
    table = wide.export_text()
    assert "┏" in table and first.tech_id in table


def test_match_says_when_a_foreign_need_was_searched_by_meaning_only(cli_env: Path) -> None:
    from matcher.cli.render import UNTRANSLATED

    result = runner.invoke(app, ["match", "Guitar lessons for kids", "--top-k", "2"])
    assert result.exit_code == 0, result.output
    assert " ".join(UNTRANSLATED.split()[:6]) in " ".join(result.output.split())
    translated = runner.invoke(app, ["match", "shrimp pond wastewater treatment", "--top-k", "2"])
    assert (
        "Tìm theo thuật ngữ đã dịch" in translated.output
        and "chỉ tìm theo ngữ nghĩa" not in translated.output
    )


def test_match_shows_the_abbreviations_it_read(cli_env: Path) -> None:
    result = runner.invoke(app, ["match", "hệ thống XLNT ao nuôi tôm", "--top-k", "2"])
    assert result.exit_code == 0, result.output
    assert "Đã hiểu chữ viết tắt: XLNT → xử lý nước thải" in " ".join(result.output.split())


def test_match_shows_the_spelling_it_mended(cli_env: Path) -> None:
    result = runner.invoke(app, ["match", "hệ thống sử lý nước thải ao nuôi tôm", "--top-k", "2"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "Đã sửa chính tả: sử → xử" in out
    assert "Đã hiểu là: hệ thống xử lý nước thải ao nuôi tôm" in out


def test_match_json_is_machine_readable(cli_env: Path) -> None:
    result = runner.invoke(app, ["match", "lò đốt rác sinh hoạt", "--top-k", "2", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert len(data["results"]) == 2
    first = data["results"][0]
    assert {"rank", "tech_id", "name", "score", "restricted", "priority", "explanation", "verdict"} <= set(
        first
    )
    assert all(r["restricted"] != "yes" for r in data["results"])


def test_match_includes_restricted_only_when_asked(cli_env: Path) -> None:
    asked = runner.invoke(app, ["match", "lò đốt rác 200 kg/h cho xã", "--include-restricted", "--json"])
    ids = [r["tech_id"] for r in json.loads(asked.output)["results"]]
    assert "VAST-119" in ids
    default = runner.invoke(app, ["match", "lò đốt rác 200 kg/h cho xã", "--json"])
    assert "VAST-119" not in [r["tech_id"] for r in json.loads(default.output)["results"]]


def test_restricted_need_gets_a_warning_with_replacements(cli_env: Path) -> None:
    result = runner.invoke(app, ["match", "muốn mở rộng lò nung gạch đất sét thủ công đốt than", "--json"])
    data = json.loads(result.output)
    assert data["warnings"], "a need for a restricted technology must be warned about"
    warning = data["warnings"][0]
    assert warning["rule"]["rule_id"].startswith("R-IV1b-")
    assert {"VAST-070", "VAST-071"} & {r["tech_id"] for r in warning["replacements"]}


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["match", "   "], 2, "trống"),
        (["match", "máy CNC", "--top-k", "0"], 2, "top_k"),
        (["match", "máy CNC", "--field", "Không có"], 2, "Giá trị hợp lệ"),
        (["match", "máy CNC", "--index", "khong-co"], 1, "matcher index build"),
        (["index", "build", "--catalog", "/khong/co.csv"], 1, "Không tìm thấy tệp|không tồn tại"),
        (["index", "build", "--columns", "sai"], 2, "--columns"),
    ],
)
def test_errors_are_one_vietnamese_line_with_exit_code(
    cli_env: Path, args: list[str], code: int, message: str
) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == code, result.output
    assert result.output.strip().startswith("Lỗi:")
    import re

    assert re.search(message, result.output)


def test_index_verify_hashes_every_file_and_names_a_damaged_one(cli_env: Path) -> None:
    result = runner.invoke(app, ["index", "verify"])
    assert result.exit_code == 0, result.output
    assert "checksum đều đúng" in " ".join(result.output.split())  # rich wraps long lines
    from matcher.index.store import IndexStore

    store = IndexStore(cli_env)
    version = store.current_version("default")
    assert version is not None
    meta = store.version_dir("default", version) / "lexical.json"
    original = meta.read_bytes()
    try:
        meta.write_bytes(original.replace(b"size", b"sizf"))  # same length, other bytes
        result = runner.invoke(app, ["index", "verify"])
        assert result.exit_code == 1
        assert "lexical.json" in result.output and "checksum" in result.output
    finally:
        meta.write_bytes(original)


def test_english_need_shows_its_translated_terms(cli_env: Path) -> None:
    result = runner.invoke(
        app, ["match", "We need a water-based anticorrosion paint for steel structures", "--top-k", "2"]
    )
    assert result.exit_code == 0, result.output
    assert "Tìm theo thuật ngữ đã dịch" in result.output and "gốc nước" in result.output


def test_index_prune_keeps_the_newest_versions(cli_env: Path) -> None:
    import shutil

    from matcher.index.store import IndexStore

    store = IndexStore(cli_env)
    name = get_settings().default_index
    live = store.current_version(name)
    older = store.version_dir(name, live).parent / "19990101T000000-000001"
    shutil.copytree(store.version_dir(name, live), older)
    result = runner.invoke(app, ["index", "prune", "--keep", "1"])
    assert result.exit_code == 0, result.output
    assert "Đã xóa 1 phiên bản cũ" in result.output and older.name in result.output
    assert store.versions(name) == [live] and store.current_version(name) == live
    again = runner.invoke(app, ["index", "prune", "--keep", "1"])
    assert again.exit_code == 0 and "Không có phiên bản nào cần xóa" in again.output

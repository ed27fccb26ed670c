"""load_catalog: every format yields the same technologies; every problem is reported by line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from matcher.catalog.readers import catalog_checksum, load_catalog, save_catalog_jsonl
from matcher.catalog.schema import Technology
from matcher.catalog.validate import CatalogValidationError, parse_trl, split_sectors
from matcher.errors import CatalogError

SECTORS = {
    "nong_nghiep_thuy_san": "Nông nghiệp, thủy sản",
    "moi_truong": "Môi trường",
    "luyen_kim_thep": "Đúc, luyện kim, cán, kéo thép",
}
FULL = [
    "vast_utf8.csv",
    "vast_utf8_bom.csv",
    "vast_utf16.txt",
    "vast_cp1258.csv",
    "vast_vni.csv",
    "vast_merged_header.xlsx",
    "vast.json",
]


@pytest.mark.parametrize("name", FULL)
def test_every_format_gives_the_same_catalog(data: Path, rows: list[dict[str, str]], name: str) -> None:
    result = load_catalog(data / name)
    reference = load_catalog(data / "vast_utf8.csv")
    assert result.technologies == reference.technologies
    assert result.checksum == reference.checksum
    assert result.issues == []
    first = result.technologies[0]
    assert first.id == rows[0]["id"] and first.name == rows[0]["name"]
    assert first.trl == 7
    assert first.keywords == ("xử lý đất", "ô nhiễm dầu", "chế phẩm vi sinh")
    assert result.technologies[3].sectors == ("luyen_kim_thep", "moi_truong")
    assert first.extra == {"Ghi chú": "Giải pháp hữu ích"}


def test_tcvn3_docx_and_semicolon_files_load(data: Path) -> None:
    assert len(load_catalog(data / "vast_tcvn3.csv").technologies) == 5
    assert len(load_catalog(data / "vast_table.docx").technologies) == 4
    result = load_catalog(data / "vast_semicolon.csv")
    assert result.columns["name"] == "TEN CONG NGHE" and len(result.technologies) == 3


def test_explicit_columns(data: Path) -> None:
    result = load_catalog(data / "vast_utf8.csv", columns={"name": "Mô tả", "description": "Tên công nghệ"})
    assert result.technologies[0].description.startswith("Chế phẩm vi sinh xử lý đất")


def test_missing_columns(data: Path) -> None:
    with pytest.raises(
        CatalogError, match=r"Thiếu cột bắt buộc.*description.*institute.*Các cột của tệp: 'Mã'"
    ):
        load_catalog(data / "missing_columns.csv")


def test_duplicate_ids_name_both_lines(data: Path) -> None:
    with pytest.raises(CatalogValidationError, match=r"Mã 'VAST-CNSH-01' bị trùng ở dòng 2 và dòng 4"):
        load_catalog(data / "duplicate_ids.csv")


def test_empty_required_fields_all_listed(data: Path) -> None:
    with pytest.raises(CatalogValidationError) as info:
        load_catalog(data / "empty_required.csv")
    message = str(info.value)
    assert "có 2 lỗi nên chưa được nhập" in message
    assert "Dòng 3: thiếu mô tả (cột 'Mô tả' để trống)" in message
    assert "Dòng 4: thiếu đơn vị (cột 'Đơn vị chủ trì' để trống)" in message
    assert [i.line for i in info.value.issues if i.severity == "error"] == [3, 4]


def test_over_long_field(data: Path, tmp_path: Path) -> None:
    text = (
        (data / "vast_utf8.csv")
        .read_text(encoding="utf-8")
        .replace("Hệ thống khử mặn", "Hệ thống " + "rất " * 40)
    )
    (tmp_path / "long.csv").write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError, match=r"Dòng 3: cột 'Mô tả' dài \d+ ký tự, vượt giới hạn 200 ký tự"):
        load_catalog(tmp_path / "long.csv", max_field_chars=200)


def test_schema_limit_applies_below_max_field_chars(tmp_path: Path) -> None:
    long_id = "X" * 70
    (tmp_path / "id.csv").write_text(
        f"Mã,Tên,Mô tả,Đơn vị,Lĩnh vực\n{long_id},Lọc nước,Hệ thống lọc nước,Viện Hóa học,Môi trường\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogError, match=r"Dòng 2: cột 'Mã' dài 70 ký tự, vượt giới hạn 64"):
        load_catalog(tmp_path / "id.csv")


def test_at_most_50_errors_are_listed(tmp_path: Path) -> None:
    lines = ["Mã,Tên,Mô tả,Đơn vị,Lĩnh vực"] + [f"M{i},Tên {i},,Viện Hóa học,Môi trường" for i in range(60)]
    (tmp_path / "many.csv").write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(CatalogValidationError, match=r"(?s)có 60 lỗi.*… và 10 lỗi khác\.") as info:
        load_catalog(tmp_path / "many.csv")
    assert str(info.value).count("- Dòng") == 50
    assert len(info.value.issues) == 60


def test_fixable_problems_are_fixed_and_reported(data: Path) -> None:
    result = load_catalog(data / "fixable.csv")
    assert [t.trl for t in result.technologies] == [None, 8, 9]
    assert result.technologies[2].name == "Mồi sinh học diệt ốc bươu vàng hòa hợp môi trường"
    got = [(i.line, i.severity) for i in result.issues]
    assert got == [(2, "fixed"), (3, "skipped"), (5, "fixed"), (6, "skipped")]
    assert "TRL '12' không hợp lệ" in result.issues[0].message_vi
    assert result.issues[3].message_vi == "Bỏ qua 3 dòng trống (dòng 6–8)."


def test_only_spacing_and_nfc_changes_are_not_reported(tmp_path: Path) -> None:
    import unicodedata

    desc = unicodedata.normalize("NFD", "Hệ thống   lọc nước ")
    (tmp_path / "s.csv").write_text(
        f"Mã,Tên,Mô tả,Đơn vị,Lĩnh vực\nA, Lọc nước ,{desc},Viện Hóa học,Môi trường\n", encoding="utf-8"
    )
    result = load_catalog(tmp_path / "s.csv")
    assert result.issues == []
    assert result.technologies[0].description == "Hệ thống lọc nước"


def test_header_only_catalog(data: Path) -> None:
    with pytest.raises(CatalogError, match="không có dòng dữ liệu nào"):
        load_catalog(data / "header_only.csv")


def test_parse_trl() -> None:
    assert [parse_trl(t) for t in ("5", "5.0", "TRL 7", "trl9", "6/9", "0", "10", "cao", "6-7")] == [
        5,
        5,
        7,
        9,
        6,
        None,
        None,
        None,
        None,
    ]


def test_sector_names_with_commas_become_ids() -> None:
    assert split_sectors("Nông nghiệp, thủy sản; Môi trường", SECTORS) == [
        "nong_nghiep_thuy_san",
        "moi_truong",
    ]
    assert split_sectors("Đúc, luyện kim, cán, kéo thép, moi_truong", SECTORS) == [
        "luyen_kim_thep",
        "moi_truong",
    ]
    assert split_sectors("nong nghiep, thuy san", SECTORS) == ["nong_nghiep_thuy_san"]
    assert split_sectors("Hóa dầu, Môi trường", SECTORS) == ["Hóa dầu", "moi_truong"]
    assert split_sectors("a, b; b", None) == ["a", "b"]


def test_checksum_is_canonical(data: Path) -> None:
    techs = load_catalog(data / "vast_utf8.csv").technologies
    # The same catalog read from another format and encoding has the same checksum.
    assert catalog_checksum(techs) == catalog_checksum(load_catalog(data / "vast_cp1258.csv").technologies)
    assert catalog_checksum(techs) != catalog_checksum(techs[::-1])
    assert len(catalog_checksum(techs)) == 64


def test_save_catalog_jsonl_round_trip(data: Path, tmp_path: Path) -> None:
    result = load_catalog(data / "vast_utf8.csv")
    out = tmp_path / "catalog.jsonl"
    save_catalog_jsonl(result.technologies, out)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [Technology.model_validate_json(line) for line in lines] == result.technologies
    assert "Chế phẩm" in lines[0]  # stored as UTF-8, not \\u escapes
    assert load_catalog(out).technologies == result.technologies  # and readable as a catalog again
    assert [p.name for p in tmp_path.iterdir()] == ["catalog.jsonl"]


def test_interrupted_save_keeps_the_old_file(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    techs = load_catalog(data / "vast_utf8.csv").technologies
    out = tmp_path / "catalog.jsonl"
    save_catalog_jsonl(techs[:1], out)
    before = out.read_bytes()

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        save_catalog_jsonl(techs, out)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["catalog.jsonl"]
    assert json.loads(before)["id"] == "VAST-CNSH-01"

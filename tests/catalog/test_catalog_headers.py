"""Header recognition: Vietnamese with or without diacritics, English, and explicit mappings."""

from __future__ import annotations

import pytest

from matcher.catalog.headers import (
    header_key,
    parse_columns_option,
    recognise,
    require_fields,
    resolve_columns,
)
from matcher.errors import CatalogError


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["Mã số", "Tên công nghệ", "Mô tả công nghệ", "Cơ quan chủ trì", "Lĩnh vực"],
            {
                "id": "Mã số",
                "name": "Tên công nghệ",
                "description": "Mô tả công nghệ",
                "institute": "Cơ quan chủ trì",
                "field": "Lĩnh vực",
            },
        ),
        (
            [
                "MA CONG NGHE",
                "ten san pham",
                "Tom tat",
                "don vi",
                "NHOM",
                "nganh/linh vuc quy hoach",
                "Muc do san sang",
            ],
            {
                "id": "MA CONG NGHE",
                "name": "ten san pham",
                "description": "Tom tat",
                "institute": "don vi",
                "field": "NHOM",
                "sectors": "nganh/linh vuc quy hoach",
                "trl": "Muc do san sang",
            },
        ),
        (
            ["id", "Name", "DESCRIPTION", "Institute", "Field", "Transfer form", "Keywords"],
            {
                "id": "id",
                "name": "Name",
                "description": "DESCRIPTION",
                "institute": "Institute",
                "field": "Field",
                "transfer_form": "Transfer form",
                "keywords": "Keywords",
            },
        ),
    ],
)
def test_recognise(headers: list[str], expected: dict[str, str]) -> None:
    assert recognise(headers) == expected


def test_longer_headers_match_by_their_longest_synonym() -> None:
    found = recognise(["Tên đơn vị chủ trì", "Tên công nghệ/sản phẩm", "Mức độ sẵn sàng công nghệ (TRL)"])
    assert found == {
        "institute": "Tên đơn vị chủ trì",
        "name": "Tên công nghệ/sản phẩm",
        "trl": "Mức độ sẵn sàng công nghệ (TRL)",
    }


def test_stt_is_the_id_only_when_nothing_else_is() -> None:
    assert recognise(["STT", "Mã", "Tên"])["id"] == "Mã"
    assert recognise(["STT", "Tên"])["id"] == "STT"


def test_two_row_header_is_recognised_by_its_last_part() -> None:
    assert recognise(["Thông tin chuyển giao / Hình thức chuyển giao"]) == {
        "transfer_form": "Thông tin chuyển giao / Hình thức chuyển giao"
    }


def test_header_key() -> None:
    assert header_key("  Mô tả   Công NGHỆ: ") == "mo ta cong nghe"
    assert header_key("Đơn vị") == "don vi"


def test_mapping_wins_over_recognition() -> None:
    headers = ["Tên", "Tên đầy đủ", "Mô tả", "Tóm tắt ngắn", "Đơn vị", "Lĩnh vực", "Mã"]
    cols = resolve_columns(headers, {"name": "tên đầy đủ", "description": "Tóm tắt ngắn"})
    assert cols.fields["name"] == "Tên đầy đủ"
    assert cols.fields["description"] == "Tóm tắt ngắn"
    assert "Tên" in cols.extra and "Mô tả" in cols.extra


def test_mapping_to_a_missing_column_lists_the_headers() -> None:
    with pytest.raises(CatalogError, match=r"name=Tên SP.*Các cột của tệp: 'Tên', 'Mô tả'"):
        resolve_columns(["Tên", "Mô tả"], {"name": "Tên SP"})


def test_mapping_with_an_unknown_field() -> None:
    with pytest.raises(CatalogError, match=r"trường không biết: gia.*Các trường hợp lệ: id, name"):
        resolve_columns(["Tên"], {"gia": "Tên"})


def test_missing_required_fields_are_all_named() -> None:
    cols = resolve_columns(["Tên", "Ghi chú"])
    with pytest.raises(
        CatalogError, match=r"Thiếu cột bắt buộc.*id .*description .*institute .*field .*'Tên', 'Ghi chú'"
    ):
        require_fields(cols, ["Tên", "Ghi chú"])


def test_parse_columns_option() -> None:
    assert parse_columns_option("name=Tên, description=Mô tả") == {"name": "Tên", "description": "Mô tả"}
    assert parse_columns_option("") is None
    with pytest.raises(ValueError, match="--columns cần dạng"):
        parse_columns_option("name")

"""Reading tables: every format gives the same rows, with the row numbers a person sees."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.catalog.tables import iter_table, read_table, sniff_delimiter
from matcher.errors import CatalogError

HEADERS = [
    "Mã",
    "Tên công nghệ",
    "Mô tả",
    "Đơn vị chủ trì",
    "Lĩnh vực",
    "Ngành",
    "TRL",
    "Hình thức chuyển giao",
    "Từ khóa",
    "Ghi chú",
]


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("vast_utf8.csv", "utf-8"),
        ("vast_utf8_bom.csv", "utf-8-sig"),
        ("vast_utf16.txt", "utf-16"),
        ("vast_cp1258.csv", "cp1258"),
        ("vast_vni.csv", "vni"),
    ],
)
def test_csv_in_every_encoding(data: Path, rows: list[dict[str, str]], name: str, encoding: str) -> None:
    table = read_table(data / name)
    assert table.source_format == "csv"
    assert table.encoding == encoding
    assert table.headers == HEADERS
    assert [r.line for r in table.rows] == [2, 3, 4, 5, 6]
    assert [r.cells["Tên công nghệ"] for r in table.rows] == [r["name"] for r in rows]
    assert table.rows[4].cells["Đơn vị chủ trì"] == "Viện Nghiên cứu và Ứng dụng công nghệ Nha Trang"


def test_tcvn3_csv(data: Path, rows: list[dict[str, str]]) -> None:
    table = read_table(data / "vast_tcvn3.csv")
    assert table.encoding == "tcvn3"
    assert table.headers == HEADERS
    assert [r.cells["Mô tả"] for r in table.rows] == [r["description"] for r in rows]
    # TCVN3 has no uppercase toned letters: "Ứng" comes back as "ứng".
    assert table.rows[4].cells["Đơn vị chủ trì"] == "Viện Nghiên cứu và ứng dụng công nghệ Nha Trang"


def test_semicolon_csv_without_diacritics(data: Path, rows: list[dict[str, str]]) -> None:
    table = read_table(data / "vast_semicolon.csv")
    assert table.headers[:3] == ["Ma so", "TEN CONG NGHE", "mo ta"]
    assert table.rows[0].cells["mo ta"] == rows[0]["description"]  # commas inside the cell survive


def test_sniff_delimiter() -> None:
    assert sniff_delimiter("a;b;c\n1;2,5;3\n") == ";"
    assert sniff_delimiter("a\tb\n1\t2\n") == "\t"
    assert sniff_delimiter('a,b\n"x; y",2\n') == ","


def test_xlsx_with_title_and_merged_two_row_header(data: Path, rows: list[dict[str, str]]) -> None:
    table = read_table(data / "vast_merged_header.xlsx")
    assert table.source_format == "xlsx"
    assert table.headers == [
        "Mã",
        "Tên công nghệ",
        "Mô tả",
        "Đơn vị chủ trì",
        "Lĩnh vực",
        "Ngành",
        "Thông tin chuyển giao / TRL",
        "Thông tin chuyển giao / Hình thức chuyển giao",
        "Thông tin chuyển giao / Từ khóa",
        "Ghi chú",
    ]
    assert [r.line for r in table.rows] == [5, 6, 7, 8, 9]  # Excel row numbers: title, blank, 2 header rows
    assert table.rows[0].cells["Thông tin chuyển giao / TRL"] == "7"  # the number 7, not "7.0"
    assert table.rows[1].cells["Ghi chú"] == ""


def test_xlsx_sheet_by_name_and_missing_sheet(data: Path) -> None:
    assert read_table(data / "vast_merged_header.xlsx", sheet="Danh mục").rows
    with pytest.raises(CatalogError, match=r"không có trang tính 'Khác'.*Danh mục, Ghi chú"):
        read_table(data / "vast_merged_header.xlsx", sheet="Khác")


def test_xlsx_cells_typed_in_tcvn3_fonts_are_converted(data: Path, rows: list[dict[str, str]]) -> None:
    table = read_table(data / "vast_tcvn3_cells.xlsx")
    assert table.encoding == "unicode+tcvn3"
    assert table.headers == HEADERS
    assert table.rows[0].cells["Tên công nghệ"] == rows[0]["name"]


def test_json_lines_point_at_each_object(data: Path, rows: list[dict[str, str]]) -> None:
    table = read_table(data / "vast.json")
    assert table.source_format == "json"
    assert table.headers[:5] == ["id", "name", "description", "institute", "field"]
    assert [r.line for r in table.rows] == [4, 22, 39, 55, 74]
    lines = (data / "vast.json").read_text(encoding="utf-8").splitlines()
    assert all(lines[r.line - 1].strip() == "{" for r in table.rows)
    assert table.rows[0].cells["keywords"] == "xử lý đất; ô nhiễm dầu; chế phẩm vi sinh"
    assert table.rows[0].cells["trl"] == "7"


def test_json_top_level_list_and_jsonl(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(
        '[{"Tên": "Lọc nước"},\n {"Tên": "Mạ điện", "TRL": 5}]', encoding="utf-8"
    )
    table = read_table(tmp_path / "a.json")
    assert table.headers == ["Tên", "TRL"]
    assert [(r.line, r.cells["TRL"]) for r in table.rows] == [(1, ""), (2, "5")]
    (tmp_path / "a.jsonl").write_text('{"Tên": "Lọc nước"}\n\n{"Tên": "Mạ điện"}\n', encoding="utf-8")
    assert [r.line for r in read_table(tmp_path / "a.jsonl").rows] == [1, 3]


def test_docx_first_catalog_table_with_merged_cells(data: Path, rows: list[dict[str, str]]) -> None:
    table = read_table(data / "vast_table.docx")
    assert table.source_format == "docx"
    assert table.headers == HEADERS
    assert [r.line for r in table.rows] == [2, 3, 4, 5]
    institutes = [r.cells["Đơn vị chủ trì"] for r in table.rows]
    assert institutes[1] == institutes[2] == "Viện Khoa học vật liệu ứng dụng"  # merged down: both rows


def test_iter_table_streams_csv_and_xlsx(data: Path) -> None:
    with iter_table(data / "vast_utf8.csv") as stream:
        assert stream.headers == HEADERS
        first = next(iter(stream))
        assert first.line == 2
    with iter_table(data / "vast_merged_header.xlsx") as stream:
        assert [r.line for r in stream] == [5, 6, 7, 8, 9]


def test_iter_table_large_csv_detects_from_a_sample(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    line = "Hệ thống lọc nước biển thành nước uống bằng thẩm thấu ngược"
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("Mã;Nhu cầu\n")
        for i in range(40_000):
            f.write(f"{i};{line}\n")
    assert path.stat().st_size > 2 * (1 << 20)
    with iter_table(path) as stream:
        count = 0
        for row in stream:
            count += 1
            last = row
    assert count == 40_000
    assert last.line == 40_001 and last.cells["Nhu cầu"] == line


def test_extra_cells_past_the_header_get_a_column_name(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("Tên,Mô tả\nLọc nước,Hệ thống,thừa\n", encoding="utf-8")
    table = read_table(tmp_path / "a.csv")
    assert table.rows[0].cells["Cột 3"] == "thừa"
    assert table.headers == ["Tên", "Mô tả", "Cột 3"]


@pytest.mark.parametrize(
    ("name", "pattern"),
    [
        ("empty.csv", r"rỗng \(0 byte\)"),
        ("undecodable.csv", r"Không nhận ra bảng mã"),
        ("broken.json", r"sai cú pháp ở dòng 2, cột 34"),
        ("corrupt.xlsx", r"Không mở được tệp Excel.*tệp hỏng"),
    ],
)
def test_unreadable_files(data: Path, name: str, pattern: str) -> None:
    with pytest.raises(CatalogError, match=pattern):
        read_table(data / name)


def test_unsupported_extension_and_missing_file(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    with pytest.raises(CatalogError, match=r"Không hỗ trợ định dạng tệp '.pdf'.*\.xlsx"):
        read_table(tmp_path / "a.pdf")
    with pytest.raises(CatalogError, match="Không tìm thấy tệp"):
        read_table(tmp_path / "none.csv")


def test_no_header_row(tmp_path: Path) -> None:
    (tmp_path / "n.csv").write_text("1,2,3\n4,5,6\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="Không tìm thấy dòng tiêu đề"):
        read_table(tmp_path / "n.csv")


def test_whitespace_only_file(tmp_path: Path) -> None:
    (tmp_path / "w.csv").write_text("\n  \n", encoding="utf-8")
    with pytest.raises(CatalogError, match="không có nội dung"):
        read_table(tmp_path / "w.csv")


def test_json_wrong_shape(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text('{"items": []}', encoding="utf-8")
    with pytest.raises(CatalogError, match='khóa "technologies"'):
        read_table(tmp_path / "s.json")
    (tmp_path / "t.json").write_text('[\n{"a": 1},\n 5\n]', encoding="utf-8")
    with pytest.raises(CatalogError, match="dòng 3: mỗi phần tử phải là một đối tượng"):
        read_table(tmp_path / "t.json")


@pytest.mark.parametrize("name", ["s.jsonl", "s.json"])
def test_json_lone_surrogate_is_refused_with_its_line_and_column(tmp_path: Path, name: str) -> None:
    # "\\ud800" is valid JSON syntax but half a UTF-16 pair: no UTF-8 writer downstream can store it.
    body = '{"Nhu cầu": "xử lý nước thải"}\n{"Nhu cầu": "nuoi tom \\ud800 sach"}\n'
    if name.endswith(".json"):
        body = "[" + body.replace("}\n{", "},\n{").rstrip() + "]"
    (tmp_path / name).write_text(body, encoding="utf-8")
    with pytest.raises(CatalogError, match=r"dòng 2, cột 'Nhu cầu': .*nửa cặp surrogate"):
        read_table(tmp_path / name)


def test_docx_without_tables(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Không có bảng")
    document.save(tmp_path / "x.docx")
    with pytest.raises(CatalogError, match="không có bảng nào"):
        read_table(tmp_path / "x.docx")

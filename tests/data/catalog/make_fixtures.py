"""Generate the catalog test files in this folder: `python tests/data/catalog/make_fixtures.py`.

The rows are real technologies of Vietnam Academy of Science and Technology institutes, as
reported publicly (shared/data/REFERENCE-catalogs.md), written in our own words. Each file holds
the same rows in a different format or encoding, so every reader is checked against `ROWS`.
The generated files are committed; rerun this script only when the rows change.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))  # the repository root, so `matcher` imports when run directly

from matcher.catalog.encodings import TCVN3, VNI, encode_cp1258, encode_legacy  # noqa: E402

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
FIELDS = [
    "id",
    "name",
    "description",
    "institute",
    "field",
    "sectors",
    "trl",
    "transfer_form",
    "keywords",
    "note",
]

ROWS: list[dict[str, str]] = [
    {
        "id": "VAST-CNSH-01",
        "name": "Chế phẩm vi sinh xử lý đất ô nhiễm dầu trên giá thể than sinh học",
        "description": (
            "Chế phẩm vi sinh vật tạo màng sinh học trên giá thể than sinh học, dùng để làm sạch đất bị "
            "ô nhiễm hydrocarbon từ dầu mỏ tại kho xăng dầu, cảng và bãi thải. Đã được cấp bằng giải pháp "
            "hữu ích; quyền sử dụng đã chuyển giao cho doanh nghiệp năm 2023."
        ),
        "institute": "Viện Công nghệ sinh học",
        "field": "Công nghệ sinh học",
        "sectors": "moi_truong",
        "trl": "7",
        "transfer_form": "Chuyển nhượng quyền sử dụng",
        "keywords": "xử lý đất; ô nhiễm dầu; chế phẩm vi sinh",
        "note": "Giải pháp hữu ích",
    },
    {
        "id": "VAST-KHVLUD-01",
        "name": "Hệ thống lọc nước biển thành nước uống bằng thẩm thấu ngược",
        "description": (
            "Hệ thống khử mặn nước biển và nước lợ bằng màng thẩm thấu ngược, công suất từ vài mét khối "
            "đến hàng trăm mét khối mỗi ngày, cấp nước uống cho đảo và vùng ven biển."
        ),
        "institute": "Viện Khoa học vật liệu ứng dụng",
        "field": "Môi trường",
        "sectors": "moi_truong",
        "trl": "8",
        "transfer_form": "Chuyển giao trọn gói",
        "keywords": "khử mặn; nước uống; thẩm thấu ngược",
        "note": "",
    },
    {
        "id": "VAST-KHVLUD-02",
        "name": "Mồi sinh học diệt ốc bươu vàng",
        "description": (
            "Mồi bả sinh học diệt ốc bươu vàng hại lúa, ít độc với cá và môi trường, đã được đăng ký lưu "
            "hành; dùng cho ruộng lúa và ao nuôi."
        ),
        "institute": "Viện Khoa học vật liệu ứng dụng",
        "field": "Nông nghiệp",
        "sectors": "nong_nghiep_thuy_san",
        "trl": "9",
        "transfer_form": "Li-xăng không độc quyền",
        "keywords": "ốc bươu vàng; bảo vệ thực vật",
        "note": "",
    },
    {
        "id": "VAST-KHVL-01",
        "name": "Thu hồi niken độ tinh khiết cao từ chất thải mạ điện",
        "description": (
            "Quy trình tách và thu hồi niken có độ tinh khiết cao từ bùn thải và dung dịch thải của xưởng "
            "mạ điện, giảm chất thải nguy hại; đã được cấp bằng độc quyền sáng chế."
        ),
        "institute": "Viện Khoa học vật liệu",
        "field": "Vật liệu mới",
        "sectors": "luyen_kim_thep; moi_truong",
        "trl": "6",
        "transfer_form": "Li-xăng độc quyền",
        "keywords": "niken; mạ điện; thu hồi kim loại",
        "note": "Bằng sáng chế",
    },
    {
        "id": "VAST-NT-01",
        "name": "Chiết xuất fucoidan từ rong nâu",
        "description": (
            "Công nghệ chiết xuất và tinh chế fucoidan từ rong nâu Việt Nam làm nguyên liệu thực phẩm chức "
            "năng; thương mại hóa qua doanh nghiệp spin-off từ năm 2010."
        ),
        "institute": "Viện Nghiên cứu và Ứng dụng công nghệ Nha Trang",
        "field": "Công nghệ sinh học",
        "sectors": "nong_nghiep_thuy_san",
        "trl": "9",
        "transfer_form": "Góp vốn liên doanh",
        "keywords": "fucoidan; rong nâu; thực phẩm chức năng",
        "note": "",
    },
]


def _csv_text(rows: list[dict[str, str]], delimiter: str = ",", headers: list[str] = HEADERS) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row[f] for f in FIELDS])
    return buf.getvalue()


def write_csvs() -> None:
    text = _csv_text(ROWS)
    (HERE / "vast_utf8.csv").write_bytes(text.encode("utf-8"))
    (HERE / "vast_utf8_bom.csv").write_bytes(text.encode("utf-8-sig"))
    (HERE / "vast_utf16.txt").write_bytes(_csv_text(ROWS, "\t").encode("utf-16"))  # Excel "Unicode text"
    (HERE / "vast_cp1258.csv").write_bytes(encode_cp1258(text))
    (HERE / "vast_tcvn3.csv").write_bytes(encode_legacy(text, TCVN3))
    (HERE / "vast_vni.csv").write_bytes(encode_legacy(text, VNI))
    plain = [
        "Ma so",
        "TEN CONG NGHE",
        "mo ta",
        "Don vi chu tri",
        "Linh vuc",
        "Nganh",
        "TRL",
        "Hinh thuc chuyen giao",
        "Tu khoa",
        "Ghi chu",
    ]
    (HERE / "vast_semicolon.csv").write_bytes(_csv_text(ROWS[:3], ";", plain).encode("utf-8"))


def write_problem_csvs() -> None:
    rows = [dict(r) for r in ROWS[:3]]
    missing = io.StringIO()
    csv.writer(missing, lineterminator="\n").writerows(
        [["Mã", "Tên công nghệ", "Lĩnh vực"], *[[r["id"], r["name"], r["field"]] for r in rows]]
    )
    (HERE / "missing_columns.csv").write_text(missing.getvalue(), encoding="utf-8")
    dup = [dict(r) for r in rows]
    dup[2]["id"] = dup[0]["id"]
    (HERE / "duplicate_ids.csv").write_text(_csv_text(dup), encoding="utf-8")
    empty = [dict(r) for r in rows]
    empty[1]["description"] = "   "
    empty[2]["institute"] = ""
    (HERE / "empty_required.csv").write_text(_csv_text(empty), encoding="utf-8")
    fixable = [dict(r) for r in rows]
    fixable[0]["trl"] = "12"
    fixable[1]["trl"] = "TRL 8"
    fixable[2]["name"] = "Mồi sinh học diệt ốc bươu vàng hoà hợp môi trường"  # "hoà" -> "hòa"
    text = _csv_text(fixable).split("\r\n")
    text.insert(2, ",,,,,,,,,")  # a blank row between data rows (line 3)
    (HERE / "fixable.csv").write_text("\r\n".join(text) + "\r\n,,,,,,,,,\r\n,,,,,,,,,\r\n", encoding="utf-8")
    (HERE / "header_only.csv").write_text(",".join(HEADERS) + "\n", encoding="utf-8")
    (HERE / "empty.csv").write_bytes(b"")
    (HERE / "undecodable.csv").write_bytes(bytes(range(256)) * 8)
    (HERE / "broken.json").write_text(
        '{"technologies": [\n  {"id": "A", "name": "Lọc nước",}\n]}\n', encoding="utf-8"
    )
    (HERE / "corrupt.xlsx").write_bytes(b"PK\x03\x04 this is not really a workbook")


def write_xlsx() -> None:
    """A sheet as offices make them: a merged title, a blank row, a two-row merged header."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Danh mục"
    ws.append(["DANH MỤC CÔNG NGHỆ SẴN SÀNG CHUYỂN GIAO NĂM 2026"])
    ws.merge_cells("A1:J1")
    ws.append([])
    top = [
        "Mã",
        "Tên công nghệ",
        "Mô tả",
        "Đơn vị chủ trì",
        "Lĩnh vực",
        "Ngành",
        "Thông tin chuyển giao",
        None,
        None,
        "Ghi chú",
    ]
    sub = [None, None, None, None, None, None, "TRL", "Hình thức chuyển giao", "Từ khóa", None]
    ws.append(top)
    ws.append(sub)
    for col in "ABCDEFJ":
        ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("G3:I3")
    order = [
        "id",
        "name",
        "description",
        "institute",
        "field",
        "sectors",
        "trl",
        "transfer_form",
        "keywords",
        "note",
    ]
    for row in ROWS:
        ws.append([int(row[f]) if f == "trl" else (row[f] or None) for f in order])
    wb.create_sheet("Ghi chú").append(["Bảng này chỉ để thử."])
    wb.save(HERE / "vast_merged_header.xlsx")

    legacy = openpyxl.Workbook()  # typed in .VnTime fonts: the cells hold TCVN3 characters
    ls = legacy.active
    ls.append([encode_legacy(h, TCVN3).decode("latin-1") for h in HEADERS])
    for row in ROWS[:3]:
        ls.append([encode_legacy(row[f], TCVN3).decode("latin-1") for f in FIELDS])
    legacy.save(HERE / "vast_tcvn3_cells.xlsx")


def write_json() -> None:
    items = []
    for row in ROWS:
        item: dict[str, object] = {k: row[k] for k in ("id", "name", "description", "institute", "field")}
        item["sectors"] = [s.strip() for s in row["sectors"].split(";")]
        item["trl"] = int(row["trl"])
        item["transfer_form"] = row["transfer_form"]
        item["keywords"] = [k.strip() for k in row["keywords"].split(";")]
        if row["note"]:
            item["Ghi chú"] = row["note"]
        items.append(item)
    text = json.dumps({"source": "VAST (thử nghiệm)", "technologies": items}, ensure_ascii=False, indent=2)
    (HERE / "vast.json").write_text(text + "\n", encoding="utf-8")


def write_docx() -> None:
    """A Word catalog: a one-cell note table first, then the catalog table (institute merged down)."""
    import docx

    document = docx.Document()
    document.add_paragraph("DANH MỤC CÔNG NGHỆ SẴN SÀNG CHUYỂN GIAO")
    document.add_table(rows=1, cols=1).cell(0, 0).text = "Ghi chú: bảng dưới đây là danh mục."
    table = document.add_table(rows=1 + len(ROWS[:4]), cols=len(HEADERS))
    for j, header in enumerate(HEADERS):
        table.cell(0, j).text = header
    for i, row in enumerate(ROWS[:4], start=1):
        for j, f in enumerate(FIELDS):
            table.cell(i, j).text = row[f]
    merged = table.cell(2, 3).merge(table.cell(3, 3))  # rows 2-3 share "Viện Khoa học vật liệu ứng dụng"
    merged.text = ROWS[1]["institute"]
    document.save(HERE / "vast_table.docx")


def main() -> None:
    write_csvs()
    write_problem_csvs()
    write_xlsx()
    write_json()
    write_docx()


if __name__ == "__main__":
    main()

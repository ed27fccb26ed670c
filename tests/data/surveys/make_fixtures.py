"""Build the survey fixtures of tests/batch from one list of answers (run: python make_fixtures.py).

The answers are written the way Hai Phong businesses fill in a department's survey: short,
sometimes without diacritics, some asking for what plan 16 restricts (lead battery recycling,
fired clay bricks, scented candles), one asking for something the catalog does not have. Each
file is saved as a real survey tool or office PC saves it:

- khao_sat_so_cong_thuong.xlsx: title rows, a two-row merged header, blank, "no need" and
  duplicate rows (the department's Excel template);
- khao_sat_cp1258.csv: Windows-1258 with combining tone marks (Excel "CSV" on a Vietnamese PC);
- khao_sat_tcvn3.csv: TCVN3/ABC bytes (typed in .VnTime fonts), semicolon-separated.

The files are committed; rerun this script after changing ANSWERS and commit the result.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from matcher.catalog.encodings import TCVN3, encode_cp1258, encode_legacy  # noqa: E402

#: (company, field of activity, technology need, difficulty): one respondent each.
ANSWERS: list[tuple[str, str, str, str]] = [
    (
        "Công ty TNHH Cơ khí Đông Hải",
        "Sửa chữa, đóng mới tàu",
        "Cần công nghệ làm sạch vỏ tàu thay cho phun cát",
        "Phun cát gây bụi, bị phường nhắc nhở nhiều lần",
    ),
    (
        "Cty CP Cang Dinh Vu Xanh",
        "khai thac cang container",
        "can he thong doc so container tu dong o cong cang",
        "xe cho lau o cong, nhap tay so cont hay sai",
    ),
    (
        "Công ty CP Thủy sản Cát Hải",
        "Chế biến thủy sản xuất khẩu",
        "Xử lý nước thải nhà máy chế biến cá đạt quy chuẩn",
        "Nước thải có mùi, chưa đạt QCVN",
    ),
    (
        "Cơ sở thu gom phế liệu Hưng Thịnh",
        "Thu gom phế liệu",
        "Muốn đầu tư dây chuyền tái chế ắc quy chì cũ để thu hồi chì",
        "",
    ),
    (
        "HTX gạch Tân Tiến",
        "Sản xuất gạch",
        "Cải tạo lò gạch nung đất sét Hoffman để tăng công suất",
        "Than ngày càng đắt",
    ),
    (
        "Trang trại Thủy sản Tiên Lãng",
        "nuoi trong thuy san",
        "nuoi tom the chan trang trong nha mang tuan hoan khep kin",
        "tom hay bi benh do nuoc o nhiem",
    ),
    (
        "Công ty Kho lạnh Hải Phòng",
        "Kho lạnh, dịch vụ logistics",
        "Chuyển đổi môi chất lạnh R22 của kho cấp đông sang môi chất mới",
        "Gas R22 sắp bị cấm nhập khẩu",
    ),
    (
        "Công ty TNHH Điện tử An Dương",
        "Lắp ráp linh kiện điện tử",
        "Nâng cấp dây chuyền sản xuất bo mạch in nhiều lớp",
        "",
    ),
    (
        "Công ty Kho vận Nam Đình Vũ",
        "Kho ngoại quan",
        "Xe tự hành chở pallet trong kho thay xe nâng người lái",
        "Thiếu công nhân lái xe nâng",
    ),
    (
        "Cơ sở quà tặng Thủy Nguyên",
        "Sản xuất đồ thủ công mỹ nghệ",
        "Công nghệ sản xuất nến thơm để xuất khẩu",
        "",
    ),
    (
        "Homestay Cát Bà Xanh",
        "Dịch vụ du lịch, lưu trú",
        "Phần mềm quản lý đặt phòng trực tuyến cho homestay",
        "Khách đặt qua nhiều kênh, hay bị trùng phòng",
    ),
    (
        "HTX Nông nghiệp An Lão",
        "Trồng lúa",
        "Ủ rơm rạ làm phân bón hữu cơ vi sinh",
        "Rơm rạ đốt ngoài đồng gây khói",
    ),
    (
        "Trang trai lon Kien Thuy",
        "chan nuoi lon",
        "xu ly chat thai chan nuoi lon bang biogas va phat dien",
        "",
    ),
    (
        "Công ty Thép Đình Vũ",
        "Luyện thép lò điện",
        "Giảm tiêu hao điện năng của lò điện hồ quang",
        "Tiền điện chiếm khoảng 30% giá thành phôi",
    ),
    (
        "Ban quản lý đặc khu Bạch Long Vĩ",
        "Dịch vụ hậu cần nghề cá",
        "Lọc nước biển thành nước ngọt cho dân trên đảo",
        "Mùa khô thiếu nước ngọt",
    ),
    (
        "Công ty Kết cấu thép Hải An",
        "Chế tạo kết cấu thép",
        "Sơn chống ăn mòn gốc nước cho kết cấu thép ven biển",
        "Sơn dung môi độc hại cho công nhân",
    ),
    ("Xưởng cơ khí chính xác Kiến An", "Gia công cơ khí", "Máy phay CNC 5 trục gia công khuôn mẫu", ""),
    (
        "Công ty May Tiên Lãng",
        "May mặc xuất khẩu",
        "Kiểm soát xe tải ra vào cổng nhà máy bằng camera đọc biển số",
        "Bảo vệ ghi sổ tay, hay nhầm",
    ),
    ("Gara ô tô Lê Chân", "Sửa chữa ô tô", "Tái chế dầu nhớt thải thành dầu gốc", "Dầu thải nhiều, bán rẻ"),
    (
        "UBND xã Cấp Tiến",
        "Quản lý môi trường xã",
        "lo dot rac sinh hoat quy mo nho cho xa",
        "rac ton dong, bai rac qua tai",
    ),
]
HEADERS = ["STT", "Mã phiếu", "Tên doanh nghiệp", "Lĩnh vực hoạt động", "Nhu cầu công nghệ", "Mô tả khó khăn"]


def survey_rows(n: int | None = None) -> list[list[str]]:
    """Data rows (id "HP-0001"...), cycling through ANSWERS for `n` rows (default: one each)."""
    n = len(ANSWERS) if n is None else n
    rows = []
    for i in range(n):
        company, field, need, difficulty = ANSWERS[i % len(ANSWERS)]
        suffix = "" if i < len(ANSWERS) else f" (cơ sở {i // len(ANSWERS) + 1})"
        rows.append([str(i + 1), f"HP-{i + 1:04d}", company + suffix, field, need, difficulty])
    return rows


def with_bad_rows(rows: list[list[str]]) -> list[list[str]]:
    """Insert what real exports contain: a blank line, a "no need" answer, a duplicated response."""
    out = list(rows)
    out.insert(3, ["", "", "", "", "", ""])
    out.insert(7, [str(len(rows) + 1), "HP-9001", "Công ty Vận tải Hồng Bàng", "Vận tải", "Không có", ""])
    out.insert(12, list(rows[1]))  # the same form submitted twice
    return out


def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return buf.getvalue()


def write_xlsx(path: Path, rows: list[list[str]]) -> None:
    """The department's template: two title rows, then a header merged over two rows."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Phiếu khảo sát"
    ws.append(["SỞ KHOA HỌC VÀ CÔNG NGHỆ THÀNH PHỐ HẢI PHÒNG"])
    ws.merge_cells("A1:F1")
    ws.append(["TỔNG HỢP PHIẾU KHẢO SÁT NHU CẦU ĐỔI MỚI CÔNG NGHỆ NĂM 2026"])
    ws.merge_cells("A2:F2")
    ws.append(["STT", "Mã phiếu", "Tên doanh nghiệp", "Thông tin nhu cầu", None, None])
    ws.append([None, None, None, "Lĩnh vực hoạt động", "Nhu cầu công nghệ", "Mô tả khó khăn"])
    for col in "ABC":
        ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("D3:F3")
    for row in rows:
        ws.append([int(row[0]) if row[0] else None, *row[1:]])
    wb.save(path)


def build(directory: Path = HERE) -> list[Path]:
    rows = with_bad_rows(survey_rows())
    paths = {
        "xlsx": directory / "khao_sat_so_cong_thuong.xlsx",
        "cp1258": directory / "khao_sat_cp1258.csv",
        "tcvn3": directory / "khao_sat_tcvn3.csv",
    }
    write_xlsx(paths["xlsx"], rows)
    paths["cp1258"].write_bytes(encode_cp1258(csv_text(rows)))
    paths["tcvn3"].write_bytes(encode_legacy(csv_text(rows, delimiter=";"), TCVN3))
    return list(paths.values())


if __name__ == "__main__":
    for p in build():
        print(p)

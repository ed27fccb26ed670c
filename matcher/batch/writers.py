"""Write a batch run's output (JSONL, CSV or XLSX, by the output's extension) from its checkpoint.

The output is always rendered from the checkpoint's JSONL files, never from results held in
memory: the same code serves a run that went through in one go and one resumed five times, and
memory stays flat (records are streamed; XLSX uses openpyxl's write-only mode). Rows come out in
survey order, each survey row exactly once: matched needs (one line per proposed technology) and
skipped rows (with their reason) are merged by row number.

Officers open these files in Excel: Vietnamese headers, a BOM on the CSV so Excel reads UTF-8,
and text starting with = + - @ kept as text so a need typed by a business cannot become a formula.
"""

from __future__ import annotations

import heapq
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from matcher.batch.checkpoint import read_jsonl
from matcher.batch.records import SKIP_KIND_VI
from matcher.batch.summary import BatchSummary
from matcher.errors import InputError
from matcher.fileio import atomic_path
from matcher.result_table import columns, record_rows
from matcher.spreadsheet import write_csv_rows, xlsx_cell

OUTPUT_FORMATS = (".jsonl", ".csv", ".xlsx")
#: The result table (`matcher.result_table`), after the columns that place a need in the survey.
COLUMNS = columns((("row", "Dòng"), ("need_id", "Mã nhu cầu"), ("company", "Doanh nghiệp")))


def output_format(path: Path) -> str:
    """The output format named by the extension; InputError listing the valid ones otherwise."""
    suffix = path.suffix.lower()
    if suffix not in OUTPUT_FORMATS:
        raise InputError(
            f"Không hỗ trợ định dạng kết quả '{suffix or path.name}'. "
            f"Hãy dùng một trong: {', '.join(OUTPUT_FORMATS)}."
        )
    return suffix[1:]


def flat_rows(
    records: Iterable[dict[str, Any]], skipped: Iterable[dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    """One row per (need, technology), skipped rows in between, all in survey order."""
    tagged = heapq.merge(
        ((r["row"], 0, r) for r in records), ((s["row"], 1, s) for s in skipped), key=lambda t: (t[0], t[1])
    )
    for _, kind, rec in tagged:
        if kind == 1:
            yield {
                "row": rec["row"],
                "need_id": rec["need_id"],
                "status": f"bỏ qua ({SKIP_KIND_VI.get(rec['kind'], rec['kind'])})",
                "explanation": rec["reason"],
            }
            continue
        yield from record_rows(
            rec, {"row": rec["row"], "need_id": rec["need_id"], "company": rec.get("company", "")}
        )


def write_jsonl(results_path: Path, output: Path) -> None:
    with atomic_path(output) as tmp, results_path.open("rb") as src, tmp.open("wb") as dst:
        shutil.copyfileobj(src, dst)


def write_csv(rows: Iterable[dict[str, Any]], output: Path) -> None:
    with atomic_path(output) as tmp, tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        write_csv_rows(
            fh, [label for _, label in COLUMNS], ([row.get(key, "") for key, _ in COLUMNS] for row in rows)
        )


def _sheet_writer(wb: Any, title: str, headers: list[str], widths: list[int]) -> Callable[[list[Any]], None]:
    """A write-only sheet with a bold header; returns `append(values)` that keeps text as text."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    bold = Font(bold=True)

    def cell(value: Any, font: Any = None) -> Any:
        c = WriteOnlyCell(ws, value=xlsx_cell(value))
        if isinstance(value, str):
            c.data_type = "s"  # never a formula
        if font is not None:
            c.font = font
        return c

    ws.append([cell(h, bold) for h in headers])
    return lambda values: ws.append([cell(v) for v in values])


def write_xlsx(
    rows: Iterable[dict[str, Any]], skipped: Iterable[dict[str, Any]], summary: BatchSummary, output: Path
) -> None:
    """Sheets: Kết quả (every survey row), Tổng hợp, Nhu cầu hạn chế, Chưa phù hợp, Dòng bỏ qua."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    wide = {
        "text": 50,
        "name": 45,
        "explanation": 60,
        "institute": 30,
        "warnings": 50,
        "replacements": 45,
        "company": 30,
        "status": 22,
        "read_as": 40,
        "field": 20,
        "sectors": 25,
        "matched_terms": 30,
    }
    put = _sheet_writer(wb, "Kết quả", [label for _, label in COLUMNS], [wide.get(k, 12) for k, _ in COLUMNS])
    for row in rows:
        put([row.get(key) for key, _ in COLUMNS])
    _summary_sheet(wb, summary)
    put = _sheet_writer(
        wb,
        "Nhu cầu hạn chế",
        [
            "Dòng",
            "Mã nhu cầu",
            "Doanh nghiệp",
            "Nhu cầu",
            "Quy định của Kế hoạch 16",
            "Công nghệ thay thế đề xuất",
        ],
        [8, 14, 30, 50, 60, 60],
    )
    for n in summary.restricted_needs:
        put(
            [
                n["row"],
                n["need_id"],
                n["company"],
                n["text"],
                "\n".join(n["rules"]),
                "\n".join(n["replacements"]),
            ]
        )
    put = _sheet_writer(
        wb,
        "Chưa phù hợp",
        ["Dòng", "Mã nhu cầu", "Doanh nghiệp", "Nhu cầu", "Độ tương đồng cao nhất", "Công nghệ gần nhất"],
        [8, 14, 30, 50, 14, 45],
    )
    for n in summary.no_match_needs:
        put([n["row"], n["need_id"], n["company"], n["text"], n["top_dense"], n["best"]])
    put = _sheet_writer(wb, "Dòng bỏ qua", ["Dòng", "Mã nhu cầu", "Loại", "Lý do"], [8, 14, 18, 90])
    for s in skipped:
        put([s["row"], s["need_id"], SKIP_KIND_VI.get(s["kind"], s["kind"]), s["reason"]])
    with atomic_path(output) as tmp:
        wb.save(tmp)


def _summary_sheet(wb: Any, s: BatchSummary) -> None:
    put = _sheet_writer(wb, "Tổng hợp", ["Mục", "Giá trị", "Ghi chú"], [45, 18, 60])
    put(["Số nhu cầu đã so khớp", s.needs, ""])
    put(
        [
            "Số dòng bỏ qua",
            s.skipped,
            ", ".join(f"{SKIP_KIND_VI.get(k, k)}: {v}" for k, v in s.skipped_by_kind.items()),
        ]
    )
    put(["Nhu cầu hỏi công nghệ hạn chế", s.with_warnings, "xem trang 'Nhu cầu hạn chế'"])
    put(
        [
            "Nhu cầu chưa có công nghệ phù hợp",
            s.no_good_match,
            f"độ tương đồng (cosine) của kết quả đầu < {s.threshold:.2f}; xem trang 'Chưa phù hợp'",
        ]
    )
    put(["Nhu cầu gõ không dấu (đã khôi phục dấu)", s.diacritics_restored, ""])
    put(["Nhu cầu có lỗi chính tả đã sửa", s.spelling_corrected, "xem cột 'Hệ thống đã hiểu là'"])
    put(["Nhu cầu không viết bằng tiếng Việt (tiếng Anh)", s.not_vietnamese, ""])
    put(["  trong đó tìm theo thuật ngữ đã dịch sang tiếng Việt", s.english_translated, ""])
    put(
        [
            "  trong đó chưa dịch được thuật ngữ nào",
            s.not_translated,
            "chỉ tìm theo ngữ nghĩa: nên xem lại kết quả",
        ]
    )
    put(["", "", ""])
    put(["Nhu cầu theo ngành (Kế hoạch 16)", "Số nhu cầu", ""])
    for name, n in s.needs_by_sector.items():
        put([name, n, ""])
    put(["", "", ""])
    put(["Công nghệ được đề xuất nhiều nhất", "Số lần xếp đầu", "Số lần trong 3 kết quả đầu"])
    for t in s.top_technologies:
        put([f"{t['tech_id']} {t['name']}", t["first"], t["top3"]])
    put(["", "", ""])
    put(["Đơn vị chuyển giao được đề xuất nhiều nhất", "Số lần xếp đầu", ""])
    for i in s.top_institutes:
        put([i["institute"], i["first"], ""])


def write_output(results_path: Path, skipped_path: Path, summary: BatchSummary, output: Path) -> None:
    """Render `output` (format by extension) from the checkpoint files."""
    fmt = output_format(output)
    if fmt == "jsonl":
        write_jsonl(results_path, output)
        return
    rows = flat_rows(read_jsonl(results_path), read_jsonl(skipped_path))
    if fmt == "csv":
        write_csv(rows, output)
    else:
        write_xlsx(rows, read_jsonl(skipped_path), summary, output)

"""Match results as a flat table (one row per need x technology) in CSV or XLSX.

Officers open these in Excel: headers are Vietnamese, CSV carries a BOM so Excel reads UTF-8,
and XLSX cells that start with = + - @ are written as text so that a need typed by a business
cannot become a formula (CSV/formula injection).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any, Literal

from matcher.batch.readers import SurveyNeed
from matcher.batch.records import need_record
from matcher.result_table import columns, record_rows
from matcher.results import MatchResult
from matcher.spreadsheet import is_formula_like, write_csv_rows, xlsx_cell

ExportFormat = Literal["csv", "xlsx"]
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: The result table (`matcher.result_table`, the same as `matcher batch` writes), after the
#: need's number in the request.
COLUMNS = columns((("need_no", "STT nhu cầu"),))


def rows(results: Sequence[MatchResult]) -> list[dict[str, Any]]:
    """One row per ranked technology; a need with no result still gets one row (so it is not lost).

    Each result goes through the batch run's JSON record first, so that both exports render the
    same cells from the same data.
    """
    out: list[dict[str, Any]] = []
    for i, result in enumerate(results):
        need = SurveyNeed(seq=i, row=i + 1, need_id="", text=result.need_text)
        out.extend(record_rows(need_record(need, result), {"need_no": i + 1}))
    return out


def to_csv(table: list[dict[str, Any]]) -> bytes:
    buf = io.StringIO()
    buf.write("\ufeff")
    write_csv_rows(
        buf, [label for _, label in COLUMNS], ([row.get(key, "") for key, _ in COLUMNS] for row in table)
    )
    return buf.getvalue().encode("utf-8")


def to_xlsx(table: list[dict[str, Any]], sheet_title: str = "Kết quả") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title
    ws.append([label for _, label in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in table:
        ws.append([xlsx_cell(row.get(key, "")) for key, _ in COLUMNS])
        for cell in ws[ws.max_row]:
            if is_formula_like(cell.value):
                cell.data_type = "s"  # text, never a formula
    widths = {
        "text": 40,
        "name": 40,
        "explanation": 60,
        "institute": 28,
        "warnings": 40,
        "replacements": 40,
        "matched_terms": 30,
        "sectors": 25,
        "field": 20,
        "status": 22,
        "read_as": 40,
    }
    for i, (key, _) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = widths.get(key, 14)
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def render(table: list[dict[str, Any]], fmt: ExportFormat) -> bytes:
    return to_csv(table) if fmt == "csv" else to_xlsx(table)

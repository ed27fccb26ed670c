"""Cell values that are safe to hand to Excel: no formulas, no characters XLSX cannot store.

Both the batch writers and the API's export write needs that businesses typed. Two things can go
wrong with such text, and both are fixed here, once:
- text starting with = + - @ would run as a formula when a CSV is opened in Excel (formula
  injection): it is written with a leading apostrophe in CSV and as a text cell in XLSX;
- C0 control characters (other than tab, newline, carriage return) are not allowed in XLSX
  XML, and openpyxl refuses the whole workbook: they are dropped from XLSX cells.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from typing import IO, Any

FORMULA_START = ("=", "+", "-", "@")
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def csv_cell(value: Any) -> Any:
    """A CSV field that Excel will show as text, never evaluate."""
    return "'" + value if is_formula_like(value) else value


def write_csv_rows(fh: IO[str], headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A CSV for Excel: header row, CRLF lines, every cell through `csv_cell`.

    The caller opens `fh` with newline="" and encoding "utf-8-sig" (or writes "\ufeff" first),
    so that Excel reads the Vietnamese as UTF-8.
    """
    writer = csv.writer(fh, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([csv_cell("" if v is None else v) for v in row])


def xlsx_cell(value: Any) -> Any:
    """A value openpyxl can store: None as empty text, control characters removed."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _XLSX_ILLEGAL.sub("", value)
    return value


def is_formula_like(value: Any) -> bool:
    """True when openpyxl would store the value as a formula unless told it is text."""
    return isinstance(value, str) and value.startswith(FORMULA_START)

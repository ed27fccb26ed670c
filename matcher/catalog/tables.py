"""Read any table an officer may hand us (CSV, XLSX, JSON/JSONL, DOCX) as rows of text cells.

This module knows nothing about technologies: the catalog importer and the survey batch runner
both use it. Every format is reduced to the same thing, a grid of text rows each tagged with the
row number a person sees in the source (Excel row, CSV record, DOCX table row, JSON line), so
error messages can say "dòng 12". The header row is found the same way for every grid format,
because real files put titles above it and split it over two merged rows.

`iter_table` streams rows (CSV read incrementally, XLSX through openpyxl's read-only mode) so a
survey of hundreds of thousands of rows is read in bounded memory; `read_table` is the same
stream collected into a list.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from itertools import islice
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from matcher.catalog.encodings import (
    LEGACY_ENCODINGS,
    convert_legacy,
    decode_bytes,
    decode_with,
    detect_encoding,
    legacy_fixer,
)
from matcher.errors import CatalogError
from matcher.text.normalize import normalize

#: File extension -> format name.
FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".json": "json",
    ".jsonl": "jsonl",
    ".docx": "docx",
}
#: How many leading rows are searched for the header (titles and notes may come first).
HEADER_SEARCH_ROWS = 15
#: Bytes of a CSV read to detect its encoding and delimiter when streaming.
STREAM_SAMPLE_BYTES = 1 << 20
_DELIMITERS = (",", ";", "\t")
_NUMBER_RE = re.compile(r"^[+-]?\d+(?:[.,]\d+)*%?$")
_MAX_SUBHEADER_CHARS = 60

RawRow = tuple[int, list[str]]


@dataclass(frozen=True)
class Row:
    """One data row: its human row number in the source and its cells by header."""

    line: int
    cells: dict[str, str]


@dataclass
class Table:
    """A whole table in memory."""

    headers: list[str]
    rows: list[Row]
    source_format: str
    encoding: str


@dataclass
class TableStream:
    """Rows of a table read lazily; use as a context manager so the file is closed."""

    headers: list[str]
    source_format: str
    encoding: str
    _rows: Iterator[Row]
    _close: Callable[[], None] = field(default=lambda: None)

    def __iter__(self) -> Iterator[Row]:
        return self._rows

    def close(self) -> None:
        self._close()

    def __enter__(self) -> TableStream:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def read_table(path: Path | str, sheet: str | None = None) -> Table:
    """Read a whole table (see module docstring). Raises CatalogError in Vietnamese."""
    with _open(Path(path), sheet, sample_bytes=None) as stream:
        rows = list(stream)
        headers = list(stream.headers)
    for row in rows:  # cells past the header width get names of their own ("Cột 9")
        headers.extend(k for k in row.cells if k not in headers)
    return Table(headers=headers, rows=rows, source_format=stream.source_format, encoding=stream.encoding)


def iter_table(path: Path | str, sheet: str | None = None) -> TableStream:
    """Stream a table's rows in bounded memory (CSV and XLSX; JSON and DOCX are read whole)."""
    return _open(Path(path), sheet, sample_bytes=STREAM_SAMPLE_BYTES)


def _open(path: Path, sheet: str | None, sample_bytes: int | None) -> TableStream:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise CatalogError(
            f"Không hỗ trợ định dạng tệp '{path.suffix or path.name}' ({path}). "
            f"Hãy dùng một trong: {', '.join(sorted(FORMATS))}."
        )
    if not path.is_file():
        raise CatalogError(f"Không tìm thấy tệp {path}.")
    if path.stat().st_size == 0:
        raise CatalogError(f"Tệp {path} rỗng (0 byte).")
    if fmt == "csv":
        return _open_csv(path, sample_bytes)
    if fmt == "xlsx":
        return _open_xlsx(path, sheet)
    if fmt == "docx":
        return _open_docx(path)
    return _open_json(path, lines=fmt == "jsonl")


# ---- cell values -----------------------------------------------------------------------------
def cell_text(value: Any) -> str:
    """The text of a spreadsheet or JSON value: 5.0 -> "5", dates as ISO, lists joined with "; "."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "; ".join(t for t in (cell_text(v) for v in value) if t)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return unicodedata.normalize("NFC", str(value))


# ---- header detection ------------------------------------------------------------------------
def _is_texty(value: str) -> bool:
    return bool(value) and not _NUMBER_RE.match(value.strip())


def _width(rows: list[list[str]]) -> int:
    return max((max((j + 1 for j, v in enumerate(r) if v), default=0) for r in rows), default=0)


def _find_header_row(grid: list[list[str]], width: int) -> int | None:
    """First row whose cells are mostly non-empty text (title rows above it are merged, so sparse)."""
    need = max(1, math.ceil(0.5 * width))
    for i, row in enumerate(grid):
        filled = [v for v in row if v]
        if len(filled) >= need and sum(_is_texty(v) for v in filled) >= 0.8 * len(filled):
            return i
    return None


def _is_subheader(top: list[str], sub: list[str], width: int) -> bool:
    """True when `sub` completes `top` as the second row of a merged two-row header.

    The top row then has holes (a group title merged across several columns) that only the
    second row fills, and the second row repeats or leaves empty the cells merged vertically.
    A data row is rejected by its long or numeric cells.
    """
    if any(v and (not _is_texty(v) or len(v) > _MAX_SUBHEADER_CHARS) for v in sub):
        return False
    fills_hole = any(not top[j] and sub[j] for j in range(width))
    merged_down = any(top[j] and (not sub[j] or sub[j] == top[j]) for j in range(width))
    return fills_hole and merged_down


def _combine_headers(top: list[str], sub: list[str], width: int) -> list[str]:
    """ "Group / Sub" under a group title, the single title where a cell spans both rows."""
    names: list[str] = []
    group = ""
    for j in range(width):
        t, s = top[j], sub[j]
        if t and s and s != t:
            group = t
            names.append(f"{t} / {s}")
        elif t:
            group = ""
            names.append(t)
        elif s:
            names.append(f"{group} / {s}" if group else s)
        else:
            names.append("")
    return names


def _unique_names(names: list[str]) -> list[str]:
    """Name unnamed columns "Cột N" and make repeated names unique: "Ghi chú", "Ghi chú (2)"."""
    seen: Counter[str] = Counter()
    out: list[str] = []
    for j, name in enumerate(names):
        name = name or f"Cột {j + 1}"
        seen[name] += 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def _pad(row: list[str], width: int) -> list[str]:
    return row + [""] * (width - len(row)) if len(row) < width else row


def locate_header(grid: list[list[str]], source: str) -> tuple[int, list[str]]:
    """(index of the first data row in `grid`, header names) for the first rows of a file."""
    width = _width(grid)
    h = _find_header_row(grid, width) if width else None
    if h is None:
        raise CatalogError(
            f"Không tìm thấy dòng tiêu đề trong {source}: {HEADER_SEARCH_ROWS} dòng đầu không có dòng nào "
            "mà phần lớn các ô là tên cột. Hãy đặt tên cột ở dòng đầu của bảng."
        )
    top = _pad(grid[h], width)
    sub = _pad(grid[h + 1], width) if h + 1 < len(grid) else None
    if sub is not None and _is_subheader(top, sub, width):
        return h + 2, _unique_names(_combine_headers(top, sub, width))
    return h + 1, _unique_names(top[:width])


def _rows_from_grid(
    raw: Iterator[RawRow], source: str, fix: Callable[[str], str] | None = None
) -> tuple[list[str], Iterator[Row], str | None]:
    """Find the header among the first raw rows, then map every later row onto it lazily.

    Without `fix`, the first rows decide whether the cells are legacy-font text (returned third).
    """
    head = list(islice(raw, HEADER_SEARCH_ROWS))
    legacy = None
    if fix is None:
        fix, legacy = legacy_fixer(" ".join(v for _, r in head for v in r))
    if fix is not None:
        head = [(line, [fix(v) for v in values]) for line, values in head]
    grid = [[v.strip() for v in values] for _, values in head]
    start, names = locate_header(grid, source)
    headers = [normalize(n) or f"Cột {j + 1}" for j, n in enumerate(names)]
    headers = _unique_names(headers)

    def rows() -> Iterator[Row]:
        for line, values in head[start:]:
            yield _make_row(line, values, headers)
        for line, values in raw:
            yield _make_row(line, [fix(v) for v in values] if fix else values, headers)

    return headers, rows(), legacy


def _make_row(line: int, values: list[str], headers: list[str]) -> Row:
    cells = dict(zip(headers, _pad(values, len(headers)), strict=False))
    for j in range(len(headers), len(values)):
        if values[j].strip():
            cells[f"Cột {j + 1}"] = values[j]
    return Row(line=line, cells=cells)


# ---- CSV -------------------------------------------------------------------------------------
def sniff_delimiter(sample: str) -> str:
    """The delimiter among , ; tab that splits the first lines into the most consistent columns."""
    lines = sample.splitlines()[:30]
    best, best_key = ",", (0.0, 0)
    for delim in _DELIMITERS:
        counts = [len(r) for r in csv.reader(lines, delimiter=delim) if r]
        if not counts:
            continue
        mode, freq = Counter(counts).most_common(1)[0]
        if mode < 2:
            continue
        key = (round(freq / len(counts), 1), mode)
        if key > best_key:
            best, best_key = delim, key
    return best


def _text_lines(stream: IO[str], encoding: str, path: Path) -> Iterator[str]:
    """Lines of a decoded CSV stream, legacy fonts converted, decoding errors reported by line."""
    n = 0
    try:
        for n, line in enumerate(stream, start=1):  # noqa: B007 - n is read after the loop
            if encoding in LEGACY_ENCODINGS:
                line = convert_legacy(line, encoding)
            elif encoding == "cp1258":
                line = unicodedata.normalize("NFC", line)
            yield line
    except UnicodeDecodeError as e:
        raise CatalogError(
            f"Tệp {path} đổi bảng mã giữa chừng (khoảng dòng {n + 1}): phần đầu đọc được bằng {encoding} "
            'nhưng phần sau thì không. Hãy lưu lại toàn bộ tệp dạng "CSV UTF-8".'
        ) from e


def _csv_records(lines: Iterable[str], delimiter: str) -> Iterator[RawRow]:
    """CSV records numbered as a spreadsheet numbers rows (one per record, blank lines included)."""
    yield from enumerate(csv.reader(lines, delimiter=delimiter), start=1)


def _open_csv(path: Path, sample_bytes: int | None) -> TableStream:
    size = path.stat().st_size
    with path.open("rb") as f:
        sample = f.read(sample_bytes) if sample_bytes else f.read()
    final = len(sample) >= size
    encoding = detect_encoding(sample, final=final, source=str(path))
    try:
        sample_text = decode_with(sample, encoding, final=final)
    except UnicodeDecodeError as e:
        raise CatalogError(f"Không đọc được tệp {path} bằng bảng mã {encoding}.") from e
    if not sample_text.strip("\ufeff \r\n\t"):
        raise CatalogError(f"Tệp {path} không có nội dung (chỉ có khoảng trắng).")
    delimiter = sniff_delimiter(sample_text.lstrip("\ufeff"))
    codec = "latin-1" if encoding in LEGACY_ENCODINGS else encoding
    stream = io.TextIOWrapper(path.open("rb"), encoding=codecs.lookup(codec).name, newline="")
    try:
        lines = _text_lines(stream, encoding, path)
        fix = None
        if encoding.startswith("utf"):  # UTF-8 text may still be legacy-font text saved as Unicode
            fix, legacy = legacy_fixer(sample_text[:200_000])
            encoding = f"{encoding}+{legacy}" if legacy else encoding
        records = _csv_records(_strip_bom(lines), delimiter)
        headers, rows, _ = _rows_from_grid(records, str(path), fix or _identity)
    except BaseException:
        stream.close()
        raise
    return TableStream(headers, "csv", encoding, rows, stream.close)


def _identity(text: str) -> str:
    return text


def _strip_bom(lines: Iterator[str]) -> Iterator[str]:
    first = next(lines, None)
    if first is None:
        return
    yield first.lstrip("\ufeff")
    yield from lines


# ---- XLSX ------------------------------------------------------------------------------------
def _open_xlsx(path: Path, sheet: str | None) -> TableStream:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises zipfile, KeyError, XML and its own errors on bad files
        raise CatalogError(
            f"Không mở được tệp Excel {path}: tệp hỏng hoặc không phải .xlsx ({type(e).__name__}). "
            'Hãy mở bằng Excel và lưu lại dạng "Excel Workbook (.xlsx)".'
        ) from e
    try:
        ws = _pick_sheet(wb, sheet, path)
        numbered = enumerate(ws.iter_rows(values_only=True), start=1)
        raw = ((n, [cell_text(v) for v in values]) for n, values in numbered)
        headers, rows, legacy = _rows_from_grid(raw, f"{path} (trang '{ws.title}')")
    except BaseException:
        wb.close()
        raise
    return TableStream(headers, "xlsx", _unicode_label(legacy), rows, wb.close)


def _unicode_label(legacy: str | None) -> str:
    """Encoding label of a format that stores Unicode (XLSX, DOCX): "unicode" or "unicode+tcvn3"."""
    return f"unicode+{legacy}" if legacy else "unicode"


def _pick_sheet(wb: Any, sheet: str | None, path: Path) -> Any:
    if sheet is None:
        return wb.worksheets[0]
    if sheet not in wb.sheetnames:
        raise CatalogError(
            f"Tệp {path} không có trang tính '{sheet}'. Các trang có: {', '.join(wb.sheetnames)}."
        )
    return wb[sheet]


# ---- DOCX ------------------------------------------------------------------------------------
def _docx_grid(table: Any) -> list[list[str]]:
    """Texts of a Word table; a cell merged across columns is kept in its first column only
    (python-docx repeats it), a cell merged down keeps its text in every row it covers."""
    grid: list[list[str]] = []
    for row in table.rows:
        values: list[str] = []
        previous = None
        for cell in row.cells:
            values.append("" if cell._tc is previous else cell_text(cell.text))
            previous = cell._tc
        grid.append(values)
    return grid


def _open_docx(path: Path) -> TableStream:
    import docx

    try:
        document = docx.Document(str(path))
    except Exception as e:  # python-docx raises zipfile, KeyError and its own errors on bad files
        raise CatalogError(
            f"Không mở được tệp Word {path}: tệp hỏng hoặc không phải .docx ({type(e).__name__})."
        ) from e
    errors: list[str] = []
    for k, table in enumerate(document.tables, start=1):
        grid = _docx_grid(table)
        raw = iter([(n, values) for n, values in enumerate(grid, start=1)])
        try:
            headers, rows, legacy = _rows_from_grid(raw, f"{path} (bảng {k})")
        except CatalogError as e:
            errors.append(str(e))
            continue
        if len(headers) >= 2:
            return TableStream(headers, "docx", _unicode_label(legacy), rows)
    if not document.tables:
        raise CatalogError(f"Tệp Word {path} không có bảng nào. Danh mục phải nằm trong một bảng.")
    raise CatalogError(f"Không có bảng nào trong {path} có dòng tiêu đề. " + " ".join(errors[:1]))


# ---- JSON ------------------------------------------------------------------------------------
_WS = " \t\r\n"


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WS:
        i += 1
    return i


def _array_start(text: str, key: str) -> int:
    """Position of the top-level array, or of the array under `key` in a top-level object."""
    decoder = json.JSONDecoder()
    i = _skip_ws(text, 0)
    if text[i] == "[":
        return i
    i = _skip_ws(text, i + 1)
    while text[i] != "}":
        name, i = decoder.raw_decode(text, i)
        i = _skip_ws(text, _skip_ws(text, i) + 1)  # past the colon
        if name == key:
            return i
        _, i = decoder.raw_decode(text, i)
        i = _skip_ws(text, i)
        if text[i] == ",":
            i = _skip_ws(text, i + 1)
    raise KeyError(key)


def _item_lines(text: str, start: int) -> Iterator[int]:
    """Line number where each element of the (already validated) array at `start` begins."""
    decoder = json.JSONDecoder()
    i = _skip_ws(text, start + 1)
    line, counted = 1, 0
    while i < len(text) and text[i] != "]":
        line += text.count("\n", counted, i)
        counted = i
        yield line
        _, i = decoder.raw_decode(text, i)
        i = _skip_ws(text, i)
        if i < len(text) and text[i] == ",":
            i = _skip_ws(text, i + 1)


def _json_items(text: str, path: Path) -> list[tuple[int, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise CatalogError(f"Tệp JSON {path} sai cú pháp ở dòng {e.lineno}, cột {e.colno}: {e.msg}.") from e
    if isinstance(data, dict) and isinstance(data.get("technologies"), list):
        items = data["technologies"]
        start = _array_start(text, "technologies")
    elif isinstance(data, list):
        items = data
        start = _array_start(text, "")
    else:
        raise CatalogError(
            f'Tệp JSON {path} phải là một danh sách đối tượng, hoặc một đối tượng có khóa "technologies" '
            "chứa danh sách đó."
        )
    return list(zip(_item_lines(text, start), items, strict=True))


def _jsonl_items(text: str, path: Path) -> list[tuple[int, Any]]:
    items: list[tuple[int, Any]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            items.append((n, json.loads(line)))
        except json.JSONDecodeError as e:
            raise CatalogError(f"Tệp JSONL {path} sai cú pháp ở dòng {n}, cột {e.colno}: {e.msg}.") from e
    return items


def _flatten(obj: dict[str, Any]) -> dict[str, str]:
    """Object -> cells; a nested "extra" object (as `save_catalog_jsonl` writes) becomes columns."""
    cells: dict[str, str] = {}
    for key, value in obj.items():
        if key == "extra" and isinstance(value, dict):
            cells.update({str(k): cell_text(v) for k, v in value.items()})
        else:
            cells[normalize(str(key))] = cell_text(value)
    return cells


_SURROGATE_RE = re.compile(r"[\ud800-\udfff]")


def _refuse_lone_surrogates(cells: dict[str, str], line: int, path: Path) -> None:
    """JSON may escape half a UTF-16 pair ("\\ud800"); Python decodes it to a lone surrogate that
    no UTF-8 writer (checkpoint, index, export) can store, so refuse the file here, naming the cell,
    rather than crash halfway through a run or drop the character silently."""
    for key, value in cells.items():
        if _SURROGATE_RE.search(key) or _SURROGATE_RE.search(value):
            shown = _SURROGATE_RE.sub("\ufffd", key)
            raise CatalogError(
                f"Tệp {path}, dòng {line}, cột '{shown[:64]}': có ký tự Unicode không hợp lệ (nửa cặp "
                "surrogate, ví dụ \\ud800 trong JSON). Hãy sửa ô đó hoặc xuất lại tệp ở dạng UTF-8 chuẩn."
            )


def _open_json(path: Path, lines: bool) -> TableStream:
    decoded = decode_bytes(path.read_bytes(), source=str(path))
    text = decoded.text
    if not text.strip():
        raise CatalogError(f"Tệp {path} không có nội dung (chỉ có khoảng trắng).")
    items = _jsonl_items(text, path) if lines else _json_items(text, path)
    if not items:
        raise CatalogError(f"Tệp {path} không có phần tử nào.")
    for line, item in items:
        if not isinstance(item, dict):
            raise CatalogError(
                f'Tệp {path}, dòng {line}: mỗi phần tử phải là một đối tượng {{"tên cột": giá trị}}.'
            )
    flat = [(line, _flatten(item)) for line, item in items]
    for line, cells in flat:
        _refuse_lone_surrogates(cells, line, path)
    headers = list(dict.fromkeys(k for _, cells in flat for k in cells))
    fix, legacy = legacy_fixer(" ".join(v for _, cells in flat[:200] for v in cells.values()))
    encoding = f"{decoded.encoding}+{legacy}" if legacy else decoded.encoding
    if fix is not None:
        headers = [fix(h) for h in headers]
        flat = [(line, {fix(k): fix(v) for k, v in cells.items()}) for line, cells in flat]
    rows = (Row(line, {h: cells.get(h, "") for h in headers}) for line, cells in flat)
    return TableStream(headers, "jsonl" if lines else "json", encoding, rows)

"""Check catalog rows and turn them into `Technology` records, reporting every problem by line.

Policy: a catalog is all or nothing. Structural problems (an empty required cell, an over-long
cell, a duplicate id) make the load fail with one CatalogError that lists every problem with its
line, so an officer fixes the file in one pass and no half-built index ever exists. Harmless
problems are repaired and reported: blank rows are skipped, an impossible TRL is cleared,
misplaced tone marks and control characters are normalised.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from annotated_types import MaxLen
from pydantic import ValidationError

from matcher.catalog.headers import ColumnMap
from matcher.catalog.schema import REQUIRED_FIELDS, Technology
from matcher.catalog.tables import Row
from matcher.errors import CatalogError
from matcher.text.normalize import fold, normalize

Severity = Literal["error", "fixed", "skipped"]
#: Errors listed in full in the exception message; the rest are counted.
MAX_LISTED_ERRORS = 50
#: How many comma-separated pieces a sector name may itself contain ("Đúc, luyện kim, cán, kéo thép").
_MAX_SECTOR_PIECES = 5
_TRL_RE = re.compile(r"^(?:trl\s*)?(\d+)(?:[.,]0+)?(?:\s*/\s*9)?$", re.IGNORECASE)

FIELD_VI: dict[str, str] = {
    "id": "mã",
    "name": "tên",
    "description": "mô tả",
    "institute": "đơn vị",
    "field": "lĩnh vực",
    "sectors": "ngành",
    "trl": "TRL",
    "transfer_form": "hình thức chuyển giao",
    "keywords": "từ khóa",
}


@dataclass(frozen=True)
class RowIssue:
    """One problem found in one row. `line` is the row number a person sees in the source file."""

    line: int
    column: str
    severity: Severity
    message_vi: str


class CatalogValidationError(CatalogError):
    """The catalog has structural problems; `issues` holds all of them (the message lists 50)."""

    def __init__(self, message: str, issues: list[RowIssue]) -> None:
        super().__init__(message)
        self.issues = issues


def field_limits(max_field_chars: int) -> dict[str, int]:
    """Longest text allowed per field: the schema's own limit, never above `max_field_chars`."""
    limits: dict[str, int] = {}
    for name, info in Technology.model_fields.items():
        schema_max = next((m.max_length for m in info.metadata if isinstance(m, MaxLen)), max_field_chars)
        limits[name] = min(schema_max, max_field_chars)
    return limits


def parse_trl(text: str) -> int | None:
    """ "5", "5.0", "TRL 5", "5/9" -> 5; anything else (or outside 1-9) -> None."""
    match = _TRL_RE.match(text.strip())
    if not match:
        return None
    value = int(match.group(1))
    return value if 1 <= value <= 9 else None


def split_list(text: str) -> list[str]:
    """Items of a "; " or ", " separated cell, without empties or repeats."""
    parts = re.split(r"[;,\n]", text)
    return list(dict.fromkeys(p.strip() for p in parts if p.strip()))


@lru_cache(maxsize=8)
def _sector_keys(names: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Folded sector id or name -> id; built once per sector list, not once per catalog row."""
    return {fold(k): k for k, _ in names} | {fold(v): k for k, v in names}


def split_sectors(text: str, sector_names: Mapping[str, str] | None) -> list[str]:
    """Sector ids of a cell. Plan sector names contain commas ("Nông nghiệp, thủy sản"), so pieces
    are re-joined when together they spell a known sector name; known names become their ids."""
    if not sector_names:
        return split_list(text)
    by_key = _sector_keys(tuple(sector_names.items()))
    pieces = [p.strip() for p in re.split(r"[;,\n]", text)]
    found: list[str] = []
    i = 0
    while i < len(pieces):
        for size in range(min(_MAX_SECTOR_PIECES, len(pieces) - i), 0, -1):
            joined = ", ".join(pieces[i : i + size])
            key = fold(joined)
            if size == 1 or key in by_key:
                if joined:
                    found.append(by_key.get(key, joined))
                i += size
                break
    return list(dict.fromkeys(found))


def _is_meaningful_fix(raw: str, normalized: str) -> bool:
    """A fix worth telling the officer about: not mere spacing or an invisible NFC change."""
    return " ".join(unicodedata.normalize("NFC", raw).split()) != normalized


@dataclass
class _RowCheck:
    """Normalised cells of one row and the issues found in it."""

    line: int
    values: dict[str, str]
    issues: list[RowIssue]

    def add(self, column: str, severity: Severity, message: str) -> None:
        self.issues.append(RowIssue(self.line, column, severity, message))


def _normalise_row(row: Row) -> _RowCheck:
    check = _RowCheck(row.line, {}, [])
    fixed: list[str] = []
    for header, raw in row.cells.items():
        value = normalize(raw)
        check.values[header] = value
        if value and _is_meaningful_fix(raw, value):
            fixed.append(header)
    if fixed:
        check.add(
            ", ".join(fixed),
            "fixed",
            f"Dòng {row.line}: đã chuẩn hóa vị trí dấu thanh / bỏ ký tự điều khiển ở cột {', '.join(fixed)}.",
        )
    return check


def _check_required(check: _RowCheck, columns: ColumnMap) -> None:
    for fld in REQUIRED_FIELDS:
        header = columns.fields[fld]
        if not check.values.get(header):
            check.add(header, "error", f"Dòng {check.line}: thiếu {FIELD_VI[fld]} (cột '{header}' để trống).")


def _check_lengths(check: _RowCheck, columns: ColumnMap, limits: dict[str, int], max_chars: int) -> None:
    field_of = {h: f for f, h in columns.fields.items()}
    for header, value in check.values.items():
        limit = limits.get(field_of.get(header, ""), max_chars)
        if len(value) > limit:
            check.add(
                header,
                "error",
                f"Dòng {check.line}: cột '{header}' dài {len(value)} ký tự, vượt giới hạn {limit} ký tự.",
            )


def _trl(check: _RowCheck, header: str | None) -> int | None:
    text = check.values.get(header, "") if header else ""
    if not text:
        return None
    value = parse_trl(text)
    if value is None:
        check.add(
            header or "",
            "fixed",
            f"Dòng {check.line}: TRL '{text}' không hợp lệ (phải từ 1 đến 9), đã bỏ trống.",
        )
    return value


def _build(check: _RowCheck, columns: ColumnMap, sector_names: Mapping[str, str] | None) -> Technology | None:
    get = {f: check.values.get(h, "") for f, h in columns.fields.items()}
    try:
        return Technology(
            id=get["id"],
            name=get["name"],
            description=get["description"],
            institute=get["institute"],
            field=get["field"],
            sectors=tuple(split_sectors(get.get("sectors", ""), sector_names)),
            trl=_trl(check, columns.fields.get("trl")),
            transfer_form=get.get("transfer_form", ""),
            keywords=tuple(split_list(get.get("keywords", ""))),
            extra={h: check.values[h] for h in columns.extra if check.values.get(h)},
        )
    except ValidationError as e:
        problems = "; ".join(f"{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in e.errors())
        check.add("", "error", f"Dòng {check.line}: dữ liệu không hợp lệ ({problems}).")
        return None


def _blank_issue(lines: list[int]) -> RowIssue:
    where = f"dòng {lines[0]}" if len(lines) == 1 else f"dòng {lines[0]}–{lines[-1]}"
    return RowIssue(lines[0], "", "skipped", f"Bỏ qua {len(lines)} dòng trống ({where}).")


def _blank_runs(lines: list[int]) -> list[RowIssue]:
    """One issue per run of consecutive blank rows (Excel files end with hundreds of them)."""
    runs: list[list[int]] = []
    for line in lines:
        if runs and line == runs[-1][-1] + 1:
            runs[-1].append(line)
        else:
            runs.append([line])
    return [_blank_issue(run) for run in runs]


def _check_duplicates(techs: list[tuple[int, Technology]]) -> list[RowIssue]:
    first: dict[str, int] = {}
    issues: list[RowIssue] = []
    for line, tech in techs:
        if tech.id in first:
            issues.append(
                RowIssue(
                    line, "id", "error", f"Mã '{tech.id}' bị trùng ở dòng {first[tech.id]} và dòng {line}."
                )
            )
        else:
            first[tech.id] = line
    return issues


def _failure_message(source: str, errors: list[RowIssue]) -> str:
    lines = [
        f"Danh mục {source} có {len(errors)} lỗi nên chưa được nhập (không ghi gì). Hãy sửa tệp rồi thử lại:"
    ]
    lines += [f"- {e.message_vi}" for e in errors[:MAX_LISTED_ERRORS]]
    if len(errors) > MAX_LISTED_ERRORS:
        lines.append(f"… và {len(errors) - MAX_LISTED_ERRORS} lỗi khác.")
    return "\n".join(lines)


def validate_rows(
    rows: Iterable[Row],
    columns: ColumnMap,
    *,
    source: str = "",
    max_field_chars: int = 10_000,
    sector_names: Mapping[str, str] | None = None,
) -> tuple[list[Technology], list[RowIssue]]:
    """All technologies and the non-fatal issues, or CatalogValidationError listing every error."""
    limits = field_limits(max_field_chars)
    built: list[tuple[int, Technology]] = []
    issues: list[RowIssue] = []
    blank: list[int] = []
    for row in rows:
        check = _normalise_row(row)
        if not any(check.values.values()):
            blank.append(row.line)
            continue
        _check_required(check, columns)
        _check_lengths(check, columns, limits, max_field_chars)
        if not any(i.severity == "error" for i in check.issues):
            tech = _build(check, columns, sector_names)
            if tech is not None:
                built.append((row.line, tech))
        issues.extend(check.issues)
    issues.extend(_check_duplicates(built))
    issues.extend(_blank_runs(blank))
    issues.sort(key=lambda i: (i.line, i.severity != "error"))
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        raise CatalogValidationError(_failure_message(source, errors), issues)
    if not built:
        raise CatalogError(f"Danh mục {source} không có dòng dữ liệu nào (chỉ có tiêu đề hoặc dòng trống).")
    return [t for _, t in built], issues

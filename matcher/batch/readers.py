"""Survey files as a stream of needs: which columns hold the need, who answered, which rows to skip.

Survey tools (Google Forms, KoboToolbox, the departments' own Excel templates) export one row per
respondent with the need spread over several free-text columns ("Lĩnh vực hoạt động", "Nhu cầu
công nghệ", "Mô tả khó khăn"). Reading the bytes (encodings, merged two-row headers, titles above
the header) is `matcher.catalog.tables.iter_table`'s job; this module only decides what a row
*means* for matching, and reports every row it will not match with its row number and a reason,
so nothing is dropped silently.

Every data row becomes exactly one event, a `SurveyNeed` or a `SkippedRow`, numbered by `seq`
(0-based position among data rows). `seq` is the resume cursor: a run that stopped after event
N restarts by reading the same file again and skipping N events, which is why the events of a
file must be deterministic (they are: duplicates are judged only against earlier rows).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import Literal

from matcher.catalog.headers import header_key
from matcher.catalog.tables import Row, TableStream, iter_table
from matcher.errors import InputError
from matcher.text.need_text import text_problem
from matcher.text.normalize import fold, normalize

#: Folded header fragments that mark a free-text column describing the need.
TEXT_HINTS: tuple[str, ...] = (
    "nhu cau",
    "mo ta",
    "kho khan",
    "linh vuc hoat dong",
    "van de",
    "yeu cau cong nghe",
    "de xuat",
)
#: Folded headers (exact, then contained) that identify a respondent or a form.
ID_HINTS: tuple[str, ...] = ("ma phieu", "ma doanh nghiep", "ma so thue", "mst", "ma dn", "id", "ma", "stt")
#: Folded header fragments naming the company (kept in the results so officers can call back).
COMPANY_HINTS: tuple[str, ...] = tuple(
    fold(h) for h in ("tên doanh nghiệp", "doanh nghiệp", "tên công ty", "công ty", "đơn vị")
)
#: Answers that mean "no need" rather than a need (folded, punctuation removed).
NO_NEED_ANSWERS = frozenset(
    {
        "khong",
        "khong co",
        "chua co",
        "khong co nhu cau",
        "chua co nhu cau",
        "khong co y kien",
        "n a",
        "na",
        "x",
        "0",
        "khong ro",
    }
)

SkipKind = Literal["blank", "no_need", "duplicate", "too_long"]


@dataclass(frozen=True)
class SurveyNeed:
    """One need to match: where it came from and the text built from its columns."""

    seq: int
    row: int
    need_id: str
    text: str
    company: str = ""


@dataclass(frozen=True)
class SkippedRow:
    """A data row that will not be matched, and why (Vietnamese, for the officer)."""

    seq: int
    row: int
    need_id: str
    kind: SkipKind
    reason: str


SurveyEvent = SurveyNeed | SkippedRow


@dataclass(frozen=True)
class SurveyColumns:
    """The columns a survey is read with (resolved to the file's own header names)."""

    text: list[str]
    id: str | None = None
    company: str | None = None

    @cached_property
    def primary(self) -> str | None:
        """The column that asks for the need itself ("Nhu cầu công nghệ"), if one is read.

        An explicit "Không có" there means no need, even when context columns are filled.
        """
        return next((c for c in self.text if " nhu cau " in f" {header_key(c.split(' / ')[-1])} "), None)


def _match_header(headers: Sequence[str], wanted: str) -> str | None:
    """`wanted` exactly, else ignoring case/diacritics, else as the sub-header of a merged group."""
    if wanted in headers:
        return wanted
    key = header_key(wanted)
    for h in headers:
        if header_key(h) == key:
            return h
    subs = [h for h in headers if " / " in h and header_key(h.split(" / ")[-1]) == key]
    if len(subs) == 1:
        return subs[0]
    return None


def _find_by_hints(headers: Sequence[str], hints: Sequence[str], exclude: set[str]) -> str | None:
    keys = {h: header_key(h) for h in headers if h not in exclude}
    for hint in hints:
        for h, k in keys.items():
            if k == hint:
                return h
    for hint in hints:
        if len(hint) < 3:  # "ma", "id" inside longer headers ("mã ngành") mean something else
            continue
        for h, k in keys.items():
            if f" {hint} " in f" {k} ":
                return h
    return None


def resolve_columns(
    headers: Sequence[str],
    text_columns: Sequence[str] | None = None,
    id_column: str | None = None,
    company_column: str | None = None,
    source: str = "",
) -> SurveyColumns:
    """Decide which columns hold the need, the respondent id and the company.

    Explicit names win; they may be written without diacritics or in another case, and a
    sub-header of a merged group ("Nhu cầu công nghệ") finds "Thông tin nhu cầu / Nhu cầu công nghệ".
    Without explicit names the need columns are recognised by their headers (TEXT_HINTS).
    """
    shown = ", ".join(f"'{h}'" for h in headers)
    where = f" trong {source}" if source else ""
    if text_columns:
        chosen: list[str] = []
        missing: list[str] = []
        for wanted in text_columns:
            found = _match_header(headers, wanted)
            (chosen.append(found) if found else missing.append(wanted))
        if missing:
            raise InputError(
                f"Không có cột {', '.join(repr(m) for m in missing)}{where}. Các cột của tệp: {shown}."
            )
    else:
        chosen = [h for h in headers if any(f" {hint} " in f" {header_key(h)} " for hint in TEXT_HINTS)]
        if not chosen:
            raise InputError(
                f"Không nhận ra cột nhu cầu{where} (tiêu đề như 'Nhu cầu công nghệ', 'Mô tả khó khăn'). "
                f"Hãy chỉ rõ bằng --text-columns. Các cột của tệp: {shown}."
            )
    taken = set(chosen)
    if id_column:
        ident = _match_header(headers, id_column)
        if ident is None:
            raise InputError(f"Không có cột mã '{id_column}'{where}. Các cột của tệp: {shown}.")
    else:
        ident = _find_by_hints(headers, ID_HINTS, taken)
    if ident:
        taken.add(ident)
    if company_column:
        company = _match_header(headers, company_column)
        if company is None:
            raise InputError(
                f"Không có cột doanh nghiệp '{company_column}'{where}. Các cột của tệp: {shown}."
            )
    else:
        company = _find_by_hints(headers, COMPANY_HINTS, taken)
    return SurveyColumns(text=list(dict.fromkeys(chosen)), id=ident, company=company)


def combine_text(values: Sequence[str]) -> str:
    """Join the answers of several columns into one need: "A. B. C".

    Column labels are not repeated: the same words on every need would only add noise to
    both the lexical and the dense channel.
    """
    parts = [normalize(v).strip().rstrip(".;,").strip() for v in values]
    return ". ".join(p for p in parts if p)


def _folded_answer(text: str) -> str:
    return " ".join(fold(text).replace(".", " ").replace("/", " ").split())


@dataclass
class SurveyReader:
    """Iterate a survey file's events; a context manager so the file is closed."""

    path: Path
    columns: SurveyColumns
    stream: TableStream
    max_text_chars: int = 5_000
    _seen: dict[bytes, int] = field(default_factory=dict)

    @property
    def headers(self) -> list[str]:
        return self.stream.headers

    @property
    def encoding(self) -> str:
        return self.stream.encoding

    @property
    def source_format(self) -> str:
        return self.stream.source_format

    def __iter__(self) -> Iterator[SurveyEvent]:
        for seq, row in enumerate(self.stream):
            yield self._event(seq, row)

    def _event(self, seq: int, row: Row) -> SurveyEvent:
        cells = row.cells
        raw_id = cells.get(self.columns.id, "").strip() if self.columns.id else ""
        need_id = raw_id or f"dòng {row.line}"
        company = cells.get(self.columns.company, "").strip() if self.columns.company else ""
        text = combine_text([cells.get(c, "") for c in self.columns.text])
        if not text:
            return SkippedRow(
                seq,
                row.line,
                need_id,
                "blank",
                f"Dòng {row.line}: các cột nhu cầu ({', '.join(self.columns.text)}) đều trống.",
            )
        problem = text_problem(text, self.max_text_chars)
        if problem is not None and problem.kind == "blank":
            return SkippedRow(
                seq, row.line, need_id, "blank", f"Dòng {row.line}: nhu cầu {problem.reason} ({text[:40]!r})."
            )
        primary = self.columns.primary
        folded = _folded_answer(text)
        answer = cells.get(primary, "").strip() if primary else text
        if (_folded_answer(answer) if primary else folded) in NO_NEED_ANSWERS:
            return SkippedRow(
                seq,
                row.line,
                need_id,
                "no_need",
                f'Dòng {row.line}: câu trả lời "{answer}" không nêu nhu cầu công nghệ.',
            )
        if problem is not None:  # too long: said after "no need", which a long text may also be
            return SkippedRow(
                seq, row.line, need_id, problem.kind, f"Dòng {row.line}: nhu cầu {problem.reason}."
            )
        # 8-byte digests keep the duplicate check at ~100 bytes per row (10 MB for 100k rows).
        key = hashlib.blake2b(f"{raw_id}\x1f{fold(company)}\x1f{folded}".encode(), digest_size=8).digest()
        first = self._seen.setdefault(key, row.line)
        if first != row.line:
            return SkippedRow(
                seq,
                row.line,
                need_id,
                "duplicate",
                f"Dòng {row.line}: trùng với dòng {first} (cùng mã, doanh nghiệp và nội dung).",
            )
        return SurveyNeed(seq, row.line, need_id, text, company)

    def close(self) -> None:
        self.stream.close()

    def __enter__(self) -> SurveyReader:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def open_survey(
    path: Path | str,
    *,
    text_columns: Sequence[str] | None = None,
    id_column: str | None = None,
    company_column: str | None = None,
    sheet: str | None = None,
    max_text_chars: int = 5_000,
) -> SurveyReader:
    """Open a survey (CSV/XLSX/JSON, any Vietnamese encoding) for streaming."""
    path = Path(path)
    stream = iter_table(path, sheet=sheet)
    try:
        columns = resolve_columns(stream.headers, text_columns, id_column, company_column, source=str(path))
    except BaseException:
        stream.close()
        raise
    return SurveyReader(path, columns, stream, max_text_chars)


@dataclass
class SurveyPreview:
    """What `matcher batch --dry-run` shows: how the file was read and its first events."""

    path: Path
    source_format: str
    encoding: str
    headers: list[str]
    columns: SurveyColumns
    events: list[SurveyEvent]


def preview_survey(path: Path | str, rows: int = 5, **kwargs: object) -> SurveyPreview:
    """Read only the first `rows` data rows, the way a full run would read them."""
    with open_survey(path, **kwargs) as reader:  # type: ignore[arg-type]
        events: list[SurveyEvent] = []
        for event in reader:
            events.append(event)
            if len(events) >= rows:
                break
        return SurveyPreview(
            Path(path), reader.source_format, reader.encoding, list(reader.headers), reader.columns, events
        )

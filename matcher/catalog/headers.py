"""Map a file's column headers onto `Technology` fields.

Officers' files name columns in Vietnamese, with or without diacritics, in any case ("MÔ TẢ",
"mo ta", "Mô tả công nghệ"), or in English. Headers are compared by their folded form (no
diacritics, lower case, punctuation as spaces). An exact synonym wins; otherwise a header that
*contains* a multi-word synonym ("Tên đơn vị chủ trì" contains "đơn vị chủ trì") is taken, the
longest synonym first, so "Tên đơn vị" never becomes the name. An explicit mapping from the user
always wins over recognition.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

from matcher.catalog.schema import OPTIONAL_FIELDS, REQUIRED_FIELDS
from matcher.errors import CatalogError
from matcher.text.normalize import fold

KNOWN_FIELDS: tuple[str, ...] = REQUIRED_FIELDS + OPTIONAL_FIELDS

#: Synonyms per field, written as people write them; compared folded.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": (
        "id",
        "mã",
        "mã số",
        "mã công nghệ",
        "mã số công nghệ",
        "mã cn",
        "code",
        "tech id",
        "technology id",
    ),
    "name": (
        "name",
        "tên",
        "tên công nghệ",
        "tên sản phẩm",
        "tên công nghệ sản phẩm",
        "tên sản phẩm công nghệ",
        "tên cn",
        "title",
        "technology name",
        "technology",
    ),
    "description": (
        "description",
        "mô tả",
        "mô tả công nghệ",
        "tóm tắt",
        "nội dung",
        "mô tả tóm tắt",
        "tóm tắt công nghệ",
        "nội dung công nghệ",
        "nội dung có thể chuyển giao",
        "summary",
        "abstract",
    ),
    "institute": (
        "institute",
        "đơn vị",
        "đơn vị chủ trì",
        "cơ quan chủ trì",
        "viện",
        "chủ sở hữu",
        "đơn vị sở hữu",
        "tổ chức chủ trì",
        "đơn vị chuyển giao",
        "owner",
        "organization",
        "organisation",
    ),
    "field": ("field", "lĩnh vực", "nhóm", "danh mục", "lĩnh vực công nghệ", "nhóm công nghệ", "category"),
    "sectors": (
        "sectors",
        "sector",
        "ngành",
        "ngành lĩnh vực quy hoạch",
        "ngành quy hoạch",
        "ngành kế hoạch",
        "plan sectors",
    ),
    "trl": (
        "trl",
        "mức độ sẵn sàng",
        "mức sẵn sàng công nghệ",
        "mức độ sẵn sàng công nghệ",
        "mức độ hoàn thiện",
    ),
    "transfer_form": (
        "hình thức chuyển giao",
        "transfer form",
        "transfer_form",
        "phương thức chuyển giao",
        "transfer type",
    ),
    "keywords": ("từ khóa", "từ khoá", "keywords", "keyword", "tags"),
}
#: Single words distinctive enough to be recognised inside a longer header ("Mức TRL").
_CONTAINED_SINGLE_WORDS = {"trl", "keywords"}
#: Row-number columns: an id only when the file has nothing better.
_ROW_NUMBER_HEADERS = {"stt", "so tt", "so thu tu", "tt", "no", "#"}
_NON_ALNUM_RE = re.compile(r"[^0-9a-z#]+")


def header_key(header: str) -> str:
    """Folded comparison key: "Mô tả  công nghệ:" -> "mo ta cong nghe"."""
    return _NON_ALNUM_RE.sub(" ", fold(header).replace("_", " ")).strip()


@dataclass
class ColumnMap:
    """Which header holds each field (`fields`), and the headers left as extra columns."""

    fields: dict[str, str]
    extra: list[str] = field(default_factory=list)
    recognised: dict[str, str] = field(default_factory=dict)  # field -> header found automatically

    def missing(self, required: Sequence[str] = REQUIRED_FIELDS) -> list[str]:
        return [f for f in required if f not in self.fields]


@cache
def _synonym_keys() -> tuple[tuple[str, str], ...]:
    """(folded synonym, field), longest synonym first."""
    pairs = {(header_key(s), f) for f, syns in SYNONYMS.items() for s in syns}
    return tuple(sorted(pairs, key=lambda p: (-len(p[0]), p[0])))


def _contains(key: str, synonym: str) -> bool:
    return f" {synonym} " in f" {key} "


def _candidates(headers: Sequence[str]) -> list[tuple[int, int, str, str]]:
    """(rank, -synonym length, field, header): rank 0 = exact match, 1 = contained, 2 = last part."""
    out: list[tuple[int, int, str, str]] = []
    for header in headers:
        key = header_key(header)
        last = header_key(header.split(" / ")[-1]) if " / " in header else None
        for synonym, fld in _synonym_keys():
            if key == synonym:
                out.append((0, -len(synonym), fld, header))
            elif last == synonym:
                out.append((1, -len(synonym), fld, header))
            elif (" " in synonym or synonym in _CONTAINED_SINGLE_WORDS) and _contains(key, synonym):
                out.append((2, -len(synonym), fld, header))
    return sorted(out, key=lambda c: (c[0], c[1], headers.index(c[3])))


def recognise(headers: Sequence[str]) -> dict[str, str]:
    """field -> header, by the synonyms above; each field and each header used at most once."""
    chosen: dict[str, str] = {}
    used: set[str] = set()
    for _, _, fld, header in _candidates(headers):
        if fld not in chosen and header not in used:
            chosen[fld] = header
            used.add(header)
    if "id" not in chosen:
        row_number = next(
            (h for h in headers if h not in used and header_key(h) in _ROW_NUMBER_HEADERS), None
        )
        if row_number is not None:
            chosen["id"] = row_number
    return chosen


def _find_header(headers: Sequence[str], wanted: str) -> str | None:
    """The header named `wanted`: exactly, else ignoring case, diacritics and spacing."""
    if wanted in headers:
        return wanted
    key = header_key(wanted)
    return next((h for h in headers if header_key(h) == key), None)


def _apply_mapping(headers: Sequence[str], mapping: Mapping[str, str], source: str) -> dict[str, str]:
    unknown = [k for k in mapping if k not in KNOWN_FIELDS]
    if unknown:
        raise CatalogError(
            f"Ánh xạ cột có trường không biết: {', '.join(unknown)}. "
            f"Các trường hợp lệ: {', '.join(KNOWN_FIELDS)}."
        )
    chosen: dict[str, str] = {}
    absent: list[str] = []
    for fld, wanted in mapping.items():
        header = _find_header(headers, wanted)
        if header is None:
            absent.append(f"{fld}={wanted}")
        else:
            chosen[fld] = header
    if absent:
        raise CatalogError(
            f"Ánh xạ cột chỉ tới cột không có trong {source or 'tệp'}: {', '.join(absent)}. "
            f"Các cột của tệp: {format_headers(headers)}."
        )
    return chosen


def format_headers(headers: Sequence[str]) -> str:
    return ", ".join(f"'{h}'" for h in headers) or "(không có)"


def resolve_columns(
    headers: Sequence[str], mapping: Mapping[str, str] | None = None, source: str = ""
) -> ColumnMap:
    """Decide which header holds each field: the explicit `mapping` first, then recognition."""
    explicit = _apply_mapping(headers, mapping, source) if mapping else {}
    taken = set(explicit.values())
    rest = [h for h in headers if h not in taken]
    recognised = {f: h for f, h in recognise(rest).items() if f not in explicit}
    fields = {**recognised, **explicit}
    ordered = {f: fields[f] for f in KNOWN_FIELDS if f in fields}
    extra = [h for h in headers if h not in ordered.values()]
    return ColumnMap(fields=ordered, extra=extra, recognised=recognised)


def require_fields(columns: ColumnMap, headers: Sequence[str], source: str = "") -> None:
    """CatalogError naming every missing required field and the headers the file does have."""
    missing = columns.missing()
    if not missing:
        return
    hints = "; ".join(f"{f} (vd. '{SYNONYMS[f][1]}')" for f in missing)
    raise CatalogError(
        f"Thiếu cột bắt buộc trong {source or 'tệp'}: {hints}. Các cột của tệp: {format_headers(headers)}. "
        "Hãy đổi tên cột, hoặc chỉ rõ bằng --columns, ví dụ --columns name=Tên,description=Mô tả."
    )


def parse_columns_option(spec: str | None) -> dict[str, str] | None:
    """`name=Tên,description=Mô tả` -> {"name": "Tên", "description": "Mô tả"}; ValueError if malformed."""
    if not spec or not spec.strip():
        return None
    mapping: dict[str, str] = {}
    for part in spec.split(","):
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ValueError(
                f"--columns cần dạng truong=Tên cột (cách nhau bằng dấu phẩy), nhận được {part!r}."
            )
        mapping[key.strip()] = value.strip()
    return mapping

"""The officer's result table: one row per (need, technology), with the same columns everywhere.

Two exports write it: `matcher batch` (CSV/XLSX streamed from the checkpoint's JSON records) and
the API's `/v1/export` (results of one request). Officers put those files side by side in their
reports, so both are built here from the same JSON record (`matcher.batch.records.need_record`)
with the same columns, labels and cell text; only the first columns, which say where a need came
from (survey row and company, or its number in the request), differ.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from matcher.batch.records import RESTRICTED_VI

Columns = tuple[tuple[str, str], ...]

#: The need as typed and as the service read it, after the columns that say where it came from.
NEED_COLUMNS: Columns = (("text", "Nhu cầu"), ("read_as", "Hệ thống đã hiểu là"), ("status", "Trạng thái"))
#: One proposed technology.
RESULT_COLUMNS: Columns = (
    ("rank", "Hạng"),
    ("tech_id", "Mã công nghệ"),
    ("name", "Tên công nghệ"),
    ("institute", "Đơn vị chuyển giao"),
    ("field", "Lĩnh vực"),
    ("sectors", "Ngành"),
    ("trl", "TRL"),
    ("score", "Điểm xếp hạng"),
    ("dense_score", "Độ tương đồng"),
    ("priority", "Ưu tiên"),
    ("restricted", "Hạn chế"),
    ("matched_terms", "Từ khớp"),
    ("explanation", "Giải thích"),
)
#: What plan 16 says about the need itself (repeated on each of its rows, so a filter keeps it).
PLAN_COLUMNS: Columns = (
    ("warnings", "Cảnh báo theo Kế hoạch 16"),
    ("replacements", "Công nghệ thay thế đề xuất"),
)
#: Decimals shown for scores in a table (the JSON record keeps six).
SCORE_DECIMALS = 4

STATUS_MATCHED = "đã so khớp"
STATUS_NO_GOOD_MATCH = "chưa có công nghệ phù hợp"
NO_RESULT = "Không tìm thấy công nghệ nào trong danh mục."


def columns(source: Columns) -> Columns:
    """The full column list: the export's own source columns, then the shared ones."""
    return source + NEED_COLUMNS + RESULT_COLUMNS + PLAN_COLUMNS


def _score(value: float | None) -> float | str:
    return "" if value is None else round(value, SCORE_DECIMALS)


def result_cells(result: dict[str, Any]) -> dict[str, Any]:
    """The cells of one proposed technology (an item of a record's `results`)."""
    return {
        "rank": result["rank"],
        "tech_id": result["tech_id"],
        "name": result["name"],
        "institute": result["institute"],
        "field": result.get("field", ""),
        "sectors": "; ".join(result.get("sectors", [])),
        "trl": "" if result.get("trl") is None else result["trl"],
        "score": _score(result["score"]),
        "dense_score": _score(result["dense_score"]),
        "priority": "có" if result["priority"] else "không",
        "restricted": RESTRICTED_VI.get(result["restricted"], result["restricted"]),
        "matched_terms": ", ".join(result.get("matched_terms", [])),
        "explanation": result["explanation"],
    }


def read_as(record: dict[str, Any]) -> str:
    """How the need was read, when not as typed: diacritics restored, spelling mistakes mended,
    abbreviations written out, English terms searched as catalog words. An officer checks these
    before trusting a result."""
    parts = []
    if record.get("restored_text"):
        parts.append(f"thêm dấu: {record['restored_text']}")
    if record.get("spelling_corrections"):
        parts.append(f"sửa chính tả: {'; '.join(record['spelling_corrections'])}")
    if record.get("abbreviations"):
        parts.append(f"viết tắt: {'; '.join(record['abbreviations'])}")
    if record.get("translated_terms"):
        parts.append(f"thuật ngữ dịch: {'; '.join(record['translated_terms'])}")
    return " | ".join(parts)


def record_rows(record: dict[str, Any], source: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """One row per proposed technology of a need record; a need with none still gets one row.

    `source` holds the cells of the export's own source columns (survey row, need id, ...).
    """
    base = {
        **source,
        "text": record["text"],
        "read_as": read_as(record),
        "status": STATUS_NO_GOOD_MATCH if record["no_good_match"] else STATUS_MATCHED,
        "warnings": " | ".join(w["message"] for w in record["warnings"]),
        "replacements": "; ".join(
            f"{r['tech_id']} {r['name']}" for w in record["warnings"] for r in w.get("replacements", [])
        ),
    }
    if not record["results"]:
        yield {**base, "explanation": NO_RESULT}
    for result in record["results"]:
        yield {**base, **result_cells(result)}

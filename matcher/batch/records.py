"""One JSON object per need: the stable machine format of a batch run (results.jsonl).

Records are plain JSON (not pickled pydantic models) because they outlive the code: the
checkpoint, the XLSX/CSV writers, the HTML report, the notebook and other departments' tools
all read them. The full catalog record of each technology is left out (it is in the catalog);
what an officer needs to act on a result is kept.

"No good match" is defined on the dense channel only: the cosine similarity between the need and
the top-ranked technology (e5 "query:"/"passage:" embeddings). Fused RRF scores depend on ranks,
so they are high for the best of a bad lot; BM25 scores depend on the length of the text. The
cosine is comparable across needs and catalogs built with the same model. multilingual-e5-small
compresses cosines into a narrow band: on tests/data/surveys against tests/data/small_catalog.csv,
needs the catalog does answer score 0.835-0.94 with their right technology, needs it does not
answer (homestay booking software, wedding services, English classes, online clothes shops) still
score 0.80-0.845 with the least bad one. 0.85 flags all of the latter and only the weakest true
matches; it is a review list for officers, so a few false alarms cost less than a miss. Change it
with `--threshold` (and in the report) when a catalog or model shows another band. A top result
outside the dense candidates has no cosine and counts as no good match.
"""

from __future__ import annotations

from typing import Any

from matcher.batch.readers import SkippedRow, SurveyNeed
from matcher.results import MatchResult

#: Vietnamese labels shared by every output (XLSX, CSV, HTML report, API export).
RESTRICTED_VI = {"yes": "có", "no": "không", "review": "cần xem xét"}
SKIP_KIND_VI = {
    "blank": "dòng trống",
    "no_need": "không nêu nhu cầu",
    "duplicate": "trùng lặp",
    "too_long": "quá dài",
}

#: Default threshold on the top result's dense cosine under which a need has "no good match".
NO_MATCH_THRESHOLD = 0.85
#: How many of a need's plan sectors are kept in its record.
SECTORS_KEPT = 3


def top_dense(result: MatchResult) -> float | None:
    """The dense cosine of a need's top result; None when it came from outside the dense candidates."""
    return result.results[0].explanation.dense_score if result.results else None


def no_good_match(top: float | None, threshold: float = NO_MATCH_THRESHOLD) -> bool:
    """The "no good match" rule of the module docstring, for a top result's dense cosine."""
    return top is None or top < threshold


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 6)


def need_record(
    need: SurveyNeed, result: MatchResult, threshold: float = NO_MATCH_THRESHOLD
) -> dict[str, Any]:
    """The JSON record of one matched need (see module docstring for `no_good_match`)."""
    top = top_dense(result)
    return {
        "row": need.row,
        "need_id": need.need_id,
        "company": need.company,
        "text": need.text,
        "restored_text": result.restored_text,
        "translated_terms": result.translated_terms,
        "abbreviations": result.abbreviations,
        "spelling_corrections": result.spelling_corrections,
        "vietnamese": result.vietnamese,
        "sectors": [
            {"sector_id": s.sector_id, "name": s.name, "score": _round(s.score), "priority": s.priority}
            for s in sorted(result.sectors, key=lambda s: -s.score)[:SECTORS_KEPT]
        ],
        "warnings": [
            {
                "rule_id": w.rule.rule_id,
                "section": w.rule.section,
                "rule_text": w.rule.text,
                "message": w.message,
                "replacements": [
                    {"tech_id": r.tech_id, "name": r.name, "score": _round(r.score)} for r in w.replacements
                ],
            }
            for w in result.warnings
        ],
        "top_dense": _round(top),
        "no_good_match": no_good_match(top, threshold),
        "results": [
            {
                "rank": r.rank,
                "tech_id": r.tech_id,
                "name": r.name,
                "institute": r.institute,
                "field": r.field,
                "sectors": list(r.sectors),
                "trl": r.trl,
                "score": _round(r.score),
                "dense_score": _round(r.explanation.dense_score),
                "lexical_score": _round(r.explanation.lexical_score),
                "restricted": r.restricted,
                "priority": r.priority,
                "matched_terms": list(r.explanation.matched_terms),
                "explanation": r.explanation.summary,
            }
            for r in result.results
        ],
    }


def skipped_record(row: SkippedRow) -> dict[str, Any]:
    return {"row": row.row, "need_id": row.need_id, "kind": row.kind, "reason": row.reason}

"""The synthesis a department reports to the steering committee, computed in one streaming pass.

Counts are exact however many needs there are; the lists of individual needs (restricted asks,
needs with no good match) keep the first `LIST_CAP` for the summary sheet and the report, and
their full counts, so the summary stays small for a 100k-row survey. The full lists are in the
results file (filter on `warnings` / `no_good_match`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from matcher.batch.records import NO_MATCH_THRESHOLD, no_good_match

#: Individual needs kept per list in the summary (counts are always complete).
LIST_CAP = 500
#: Width of the bins of the top-result cosine histogram.
SCORE_BIN = 0.02
UNKNOWN_SECTOR = "Chưa xác định"


@dataclass
class BatchSummary:
    """Totals of one batch run (also returned by `run_batch`)."""

    needs: int = 0
    skipped: int = 0
    skipped_by_kind: dict[str, int] = field(default_factory=dict)
    threshold: float = NO_MATCH_THRESHOLD
    needs_by_sector: dict[str, int] = field(default_factory=dict)
    top_technologies: list[dict[str, Any]] = field(default_factory=list)  # by needs ranking it first
    top_institutes: list[dict[str, Any]] = field(default_factory=list)
    with_warnings: int = 0
    restricted_needs: list[dict[str, Any]] = field(default_factory=list)
    no_good_match: int = 0
    no_match_needs: list[dict[str, Any]] = field(default_factory=list)
    score_histogram: dict[str, int] = field(
        default_factory=dict
    )  # "0.82" -> needs whose top cosine is in [0.82, 0.84)
    diacritics_restored: int = 0
    spelling_corrected: int = 0  # needs with a spelling mistake mended before matching
    not_vietnamese: int = 0  # needs read as another language (English)
    english_translated: int = 0  # of those, needs searched through the glossary's terms

    @property
    def not_translated(self) -> int:
        """Needs in another language whose words the glossary did not know: dense search only."""
        return max(self.not_vietnamese - self.english_translated, 0)

    # Filled by the runner: where things are and how the run went.
    input_path: str = ""
    output_path: str = ""
    results_path: str = ""
    engine: str = "local"
    resumed_from_row: int = 0  # survey data rows already done when this run started
    matched_this_run: int = 0
    elapsed_s: float = 0.0

    @property
    def needs_per_s(self) -> float:
        return self.matched_this_run / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "not_translated": self.not_translated,
            "needs_per_s": round(self.needs_per_s, 2),
        }


def _bin(score: float) -> str:
    k = int(min(max(score, 0.0), 0.999999) / SCORE_BIN)
    return f"{k * SCORE_BIN:.2f}"


def summarize(
    records: Iterable[dict[str, Any]],
    skipped: Iterable[dict[str, Any]] = (),
    *,
    threshold: float | None = None,
    top_n: int = 15,
) -> BatchSummary:
    """Aggregate need records (and skipped rows). `threshold` overrides the one the run used."""
    s = BatchSummary(threshold=NO_MATCH_THRESHOLD if threshold is None else threshold)
    sectors: Counter[str] = Counter()
    techs: Counter[str] = Counter()
    in_top3: Counter[str] = Counter()
    tech_info: dict[str, tuple[str, str]] = {}
    institutes: Counter[str] = Counter()
    hist: Counter[str] = Counter()
    for rec in records:
        s.needs += 1
        s.diacritics_restored += bool(rec.get("restored_text"))
        s.spelling_corrected += bool(rec.get("spelling_corrections"))
        translated = bool(rec.get("translated_terms"))
        s.english_translated += translated
        # records written before the flag existed: a translated need was not Vietnamese
        s.not_vietnamese += not rec.get("vietnamese", not translated)
        sector = rec["sectors"][0]["name"] if rec.get("sectors") else UNKNOWN_SECTOR
        sectors[sector] += 1
        results = rec.get("results", [])
        if results:
            best = results[0]
            techs[best["tech_id"]] += 1
            institutes[best["institute"]] += 1
            for r in results:
                tech_info.setdefault(r["tech_id"], (r["name"], r["institute"]))
            for r in results[:3]:
                in_top3[r["tech_id"]] += 1
        top = rec.get("top_dense")
        if top is not None:
            hist[_bin(top)] += 1
        bad = rec["no_good_match"] if threshold is None else no_good_match(top, threshold)
        if bad:
            s.no_good_match += 1
            if len(s.no_match_needs) < LIST_CAP:
                s.no_match_needs.append(
                    {
                        "row": rec["row"],
                        "need_id": rec["need_id"],
                        "company": rec.get("company", ""),
                        "text": rec["text"],
                        "top_dense": top,
                        "best": results[0]["name"] if results else "",
                    }
                )
        if rec.get("warnings"):
            s.with_warnings += 1
            if len(s.restricted_needs) < LIST_CAP:
                s.restricted_needs.append(
                    {
                        "row": rec["row"],
                        "need_id": rec["need_id"],
                        "company": rec.get("company", ""),
                        "text": rec["text"],
                        "rules": [
                            f"{w['rule_id']} ({w['section']}): {w['rule_text']}" for w in rec["warnings"]
                        ],
                        "replacements": [
                            f"{r['tech_id']} {r['name']}"
                            for w in rec["warnings"]
                            for r in w.get("replacements", [])
                        ],
                    }
                )
    kinds: Counter[str] = Counter()
    for row in skipped:
        s.skipped += 1
        kinds[row["kind"]] += 1
    s.skipped_by_kind = dict(kinds.most_common())
    s.needs_by_sector = dict(sectors.most_common())
    s.top_technologies = [
        {"tech_id": t, "name": tech_info[t][0], "institute": tech_info[t][1], "first": n, "top3": in_top3[t]}
        for t, n in techs.most_common(top_n)
    ]
    s.top_institutes = [{"institute": i, "first": n} for i, n in institutes.most_common(top_n)]
    s.score_histogram = dict(sorted(hist.items()))
    return s

"""Ranking quality on the labelled needs of corpora/eval: metrics, systems, groups, misses.

Every design choice (fusion, tokenisation, boosts, restoration) is decided with this module on
the `dev` split and reported on `test`. Graded relevance 0-3; nDCG uses the grades
(gain 2^g - 1); Recall/MRR/success count grade >= 2 as relevant.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from matcher.batch.records import no_good_match, top_dense
from matcher.errors import InputError
from matcher.results import MatchResult
from matcher.text.diacritics import DiacriticRestorer, syllable_accuracy
from matcher.text.misspellings import misspell
from matcher.text.normalize import canonical_i

K = 10
RELEVANT = 2
Split = Literal["dev", "test", "all"]


class EvalNeed(BaseModel):
    """One labelled need."""

    model_config = ConfigDict(extra="forbid")

    id: str
    split: Literal["dev", "test"]
    text: str
    lang: Literal["vi", "en"] = "vi"
    diacritics: bool = True
    twin: str | None = None  # for a need typed without diacritics: its accented twin's id
    kind: Literal["normal", "no_answer", "restricted"] = "normal"
    relevant: dict[str, int] = Field(default_factory=dict)  # tech id -> grade 1..3
    restricted_rules: list[str] = Field(default_factory=list)  # expected warnings (rule ids)
    notes: str = ""
    # How the need was written ("short", "typos", "code_mixed"...), where the set records it, so
    # results can be read by kind of writing as well as by language.
    tags: list[str] = Field(default_factory=list)
    source: str = ""  # the labelled set (file name) the need was read from; set on loading

    @property
    def group(self) -> str:
        if self.lang == "en":
            return "english"
        return "vi_accented" if self.diacritics else "vi_unaccented"


def load_eval_set(path: Path, split: Split = "all", catalog_ids: set[str] | None = None) -> list[EvalNeed]:
    """Read and check the labelled set; every judged id must exist in the catalog."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    needs = [EvalNeed.model_validate(n) for n in data["needs"]]
    dupes = _duplicate_ids(needs)
    if dupes:
        raise InputError(f"Bộ đánh giá có mã trùng: {dupes}")
    by_id = {n.id: n for n in needs}
    for n in needs:
        if n.twin and n.twin not in by_id:
            raise InputError(f"Nhu cầu {n.id} trỏ tới bản có dấu {n.twin} không tồn tại.")
        if catalog_ids is not None:
            missing = set(n.relevant) - catalog_ids
            if missing:
                raise InputError(
                    f"Nhu cầu {n.id} chấm điểm công nghệ không có trong danh mục: {sorted(missing)}"
                )
    return [
        n.model_copy(update={"source": Path(path).name}) for n in needs if split == "all" or n.split == split
    ]


def load_eval_sets(
    paths: Sequence[Path], split: Split = "all", catalog_ids: set[str] | None = None
) -> list[EvalNeed]:
    """Several labelled sets read as one (ids must be unique across them), each need knowing its set."""
    needs = [n for path in paths for n in load_eval_set(path, split, catalog_ids)]
    dupes = _duplicate_ids(needs)
    if dupes:
        raise InputError(f"Các bộ đánh giá dùng trùng mã nhu cầu: {dupes}")
    return needs


def _duplicate_ids(needs: Sequence[EvalNeed]) -> list[str]:
    counts = Counter(n.id for n in needs)
    return sorted(i for i, c in counts.items() if c > 1)


def dcg(grades: Sequence[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades))


def metrics_for(ranked_ids: Sequence[str], relevant: dict[str, int], k: int = K) -> dict[str, float]:
    """nDCG@k, Recall@k, MRR@k, success@1 for one need with at least one relevant entry."""
    top = list(ranked_ids[:k])
    grades = [relevant.get(t, 0) for t in top]
    ideal = dcg(sorted(relevant.values(), reverse=True)[:k])
    rel_set = {t for t, g in relevant.items() if g >= RELEVANT}
    first = next((i for i, t in enumerate(top, start=1) if t in rel_set), None)
    return {
        "ndcg@10": dcg(grades) / ideal if ideal > 0 else 0.0,
        "recall@10": (len(rel_set & set(top)) / len(rel_set)) if rel_set else 0.0,
        "mrr@10": 1.0 / first if first else 0.0,
        "success@1": 1.0 if top and top[0] in rel_set else 0.0,
    }


def mean_metrics(rows: Sequence[dict[str, float]]) -> dict[str, float]:
    if not rows:
        return {}
    return {key: sum(r[key] for r in rows) / len(rows) for key in rows[0]} | {"n": float(len(rows))}


@dataclass
class SystemSpec:
    """A named way of ranking: a search mode, with or without the plan's rules."""

    name: str
    mode: str
    use_rules: bool
    label: str


SYSTEMS: tuple[SystemSpec, ...] = (
    SystemSpec("bm25", "bm25", False, "BM25 (syllables+compounds, accented)"),
    SystemSpec("bm25_folded", "bm25_folded", False, "BM25 over diacritic-folded text"),
    SystemSpec("dense", "dense", False, "dense only (e5-small, restored diacritics)"),
    SystemSpec("hybrid", "hybrid", False, "hybrid: dense + BM25, RRF"),
    SystemSpec("hybrid_rules", "hybrid", True, "hybrid + plan rules"),
)


@dataclass
class NeedOutcome:
    need: EvalNeed
    result: MatchResult
    metrics: dict[str, float] | None


@dataclass
class SystemReport:
    spec: SystemSpec
    outcomes: list[NeedOutcome] = field(default_factory=list)

    def group_metrics(self) -> dict[str, dict[str, float]]:
        groups: dict[str, list[dict[str, float]]] = {"all": []}
        for o in self.outcomes:
            if o.metrics is None:
                continue
            groups["all"].append(o.metrics)
            groups.setdefault(o.need.group, []).append(o.metrics)
            if o.need.group != "english":  # the English target is stated against all Vietnamese needs
                groups.setdefault("vietnamese", []).append(o.metrics)
        return {g: mean_metrics(rows) for g, rows in groups.items()}

    def source_metrics(self) -> dict[str, dict[str, float]]:
        """Metrics over all needs of each labelled set, for a report that reads several."""
        rows: dict[str, list[dict[str, float]]] = {}
        for o in self.outcomes:
            if o.metrics is not None:
                rows.setdefault(o.need.source, []).append(o.metrics)
        return {source: mean_metrics(r) for source, r in rows.items()}

    def restricted_in_results(self) -> list[tuple[str, str]]:
        """(need id, tech id) for every restricted catalog entry shown in a result list."""
        return [
            (o.need.id, r.tech_id) for o in self.outcomes for r in o.result.results if r.restricted == "yes"
        ]


RunFn = Callable[[Sequence[str], SystemSpec], list[MatchResult]]


def evaluate(
    needs: Sequence[EvalNeed], run: RunFn, systems: Sequence[SystemSpec] = SYSTEMS
) -> list[SystemReport]:
    """Run every system over every need; needs without relevant entries get no ranking metrics."""
    texts = [n.text for n in needs]
    reports = []
    for spec in systems:
        results = run(texts, spec)
        report = SystemReport(spec)
        for need, result in zip(needs, results, strict=True):
            ranked = [r.tech_id for r in result.results]
            m = metrics_for(ranked, need.relevant) if any(g >= 1 for g in need.relevant.values()) else None
            report.outcomes.append(NeedOutcome(need, result, m))
        reports.append(report)
    return reports


def twin_gap(report: SystemReport) -> dict[str, float]:
    """nDCG@10 of unaccented needs against their accented twins (same needs, same judgements)."""
    by_id = {o.need.id: o for o in report.outcomes}
    pairs = [
        (o.metrics["ndcg@10"], by_id[o.need.twin].metrics["ndcg@10"])  # type: ignore[index]
        for o in report.outcomes
        if o.need.twin
        and o.metrics is not None
        and o.need.twin in by_id
        and by_id[o.need.twin].metrics is not None
    ]
    if not pairs:
        return {}
    unacc = sum(p[0] for p in pairs) / len(pairs)
    acc = sum(p[1] for p in pairs) / len(pairs)
    return {"pairs": float(len(pairs)), "unaccented": unacc, "accented_twins": acc, "gap": acc - unacc}


def twin_restoration(needs: Sequence[EvalNeed], restorer: DiacriticRestorer) -> dict[str, float]:
    """Share of syllables the restorer gets exactly right on the needs typed without diacritics,
    judged by their accented twins: restoration measured on how businesses write, beside the
    held-out plan text of `matcher eval --diacritics` (formal prose, no first person)."""
    by_id = {n.id: n for n in needs}
    gold = [by_id[n.twin].text for n in needs if n.twin and n.twin in by_id]
    if not gold:
        return {}
    accuracy, syllables = syllable_accuracy(restorer, gold)
    return {"pairs": float(len(gold)), "syllables": float(syllables), "accuracy": accuracy}


def spelling_variants(needs: Sequence[EvalNeed]) -> list[EvalNeed]:
    """Each need with an i/y syllable (lý/lí, kỹ/kĩ, quy/qui, công ty/ti, tỷ/tỉ: both spellings are
    accepted and writers mix them), respelt with i (id + "~i", same judgements).

    The eval needs were written with the catalog's spelling (y); these copies measure what a
    business that writes "xử lí" or "qui trình" gets, without writing a second set by hand.
    """
    out = []
    for n in needs:
        respelt = canonical_i(n.text)
        if respelt != n.text:
            out.append(n.model_copy(update={"id": f"{n.id}~i", "text": respelt}))
    return out


def misspelt_variants(needs: Sequence[EvalNeed], rate: float = 0.1) -> list[EvalNeed]:
    """Each Vietnamese need with about `rate` of its syllables misspelt the way writers misspell them
    (`matcher.text.misspellings`: dialect confusions and keyboard slips), id + "~typo", same
    judgements. Deterministic: the need's id seeds the mistakes."""
    out = []
    for n in needs:
        if n.lang != "vi":
            continue
        text, changed = misspell(n.text, n.id, rate=rate)
        if changed:
            out.append(n.model_copy(update={"id": f"{n.id}~typo", "text": text}))
    return out


def variant_gap(originals: SystemReport, variants: SystemReport, suffix: str) -> dict[str, float]:
    """nDCG@10 of variant needs (id + `suffix`) against the same needs as written (pairs with
    judgements): the cost of writing them that way."""
    by_id = {o.need.id: o.metrics for o in originals.outcomes}
    pairs = [
        (by_id[o.need.id[: -len(suffix)]]["ndcg@10"], o.metrics["ndcg@10"])  # type: ignore[index]
        for o in variants.outcomes
        if o.metrics is not None and by_id.get(o.need.id[: -len(suffix)]) is not None
    ]
    if not pairs:
        return {}
    written = sum(p[0] for p in pairs) / len(pairs)
    variant = sum(p[1] for p in pairs) / len(pairs)
    return {"pairs": float(len(pairs)), "as_written": written, "variant": variant, "gap": written - variant}


def probe(
    matcher: Any, originals: SystemReport, variants: Sequence[EvalNeed], suffix: str
) -> dict[str, float]:
    """Run `originals`' system on variant copies of its needs (ids + `suffix`) and compare
    nDCG@10 with the needs as written (`variant_gap`); {} when there are no copies."""
    if not variants:
        return {}
    (report,) = run_eval(matcher, variants, [originals.spec])
    return variant_gap(originals, report, suffix)


def warnings_recall(report: SystemReport) -> dict[str, float]:
    """Share of needs labelled as asking for restricted technology that got a warning citing it."""
    rows = [o for o in report.outcomes if o.need.restricted_rules]
    if not rows:
        return {}
    hit = sum(1 for o in rows if set(o.need.restricted_rules) & {w.rule.rule_id for w in o.result.warnings})
    false_alarm = sum(
        1
        for o in report.outcomes
        if not o.need.restricted_rules and o.need.kind != "restricted" and o.result.warnings
    )
    return {"needs": float(len(rows)), "warned": hit / len(rows), "false_warnings": float(false_alarm)}


def no_match_flags(report: SystemReport, threshold: float) -> dict[str, float]:
    """How the batch's "no good match" flag (top result's dense cosine under `threshold`) sorts
    the labelled needs: how many of those the catalog cannot answer (kind no_answer) it flags,
    and how many answerable ones (an entry graded 2 or more) it flags wrongly, English apart,
    since cross-lingual cosines run lower."""

    def flagged(o: NeedOutcome) -> bool:
        return no_good_match(top_dense(o.result), threshold)

    no_answer = [o for o in report.outcomes if o.need.kind == "no_answer"]
    answerable = [o for o in report.outcomes if any(g >= 2 for g in o.need.relevant.values())]
    if not no_answer and not answerable:
        return {}
    return {
        "threshold": threshold,
        "no_answer": float(len(no_answer)),
        "no_answer_flagged": float(sum(map(flagged, no_answer))),
        "answerable": float(len(answerable)),
        "answerable_flagged": float(sum(map(flagged, answerable))),
        "answerable_flagged_english": float(sum(flagged(o) for o in answerable if o.need.lang == "en")),
    }


def misses(report: SystemReport, below: int = 3) -> list[dict[str, Any]]:
    """Needs whose first relevant technology is below rank `below`, with what ranked above it and why."""
    out = []
    for o in report.outcomes:
        if o.metrics is None:
            continue
        rel = {t for t, g in o.need.relevant.items() if g >= RELEVANT}
        ranked = o.result.results
        first = next((r.rank for r in ranked if r.tech_id in rel), None)
        if first is not None and first <= below:
            continue
        above = ranked[: (first - 1) if first else min(len(ranked), 5)]
        out.append(
            {
                "need_id": o.need.id,
                "text": o.need.text,
                "restored": o.result.restored_text,
                "first_relevant_rank": first,
                "relevant": sorted(rel),
                "above": [
                    {
                        "rank": r.rank,
                        "tech_id": r.tech_id,
                        "name": r.name,
                        "grade": o.need.relevant.get(r.tech_id, 0),
                        "dense": r.explanation.dense_score,
                        "dense_rank": r.explanation.dense_rank,
                        "bm25": r.explanation.lexical_score,
                        "bm25_rank": r.explanation.lexical_rank,
                        "boost": r.explanation.boost,
                        "restricted": r.restricted,
                    }
                    for r in above
                ],
            }
        )
    return out


def run_eval(
    matcher: Any, needs: Sequence[EvalNeed], systems: Sequence[SystemSpec] = SYSTEMS
) -> list[SystemReport]:
    """Evaluate a Matcher: each system is a search mode with or without the plan's rules."""

    def run(texts: Sequence[str], spec: SystemSpec) -> list[MatchResult]:
        return matcher.match_batch(
            list(texts), top_k=K, mode=spec.mode, use_rules=spec.use_rules, with_warnings=spec.use_rules
        )

    return evaluate(needs, run, systems)

"""How well the rule engine labels a set of cases (tests/data/rules_cases.yaml).

Two readings of "restricted": flagged (yes or review: an officer looks at it) and strict (yes
only). Threshold cases must all be right: a wrong side of 300 kg/h is a wrong answer, not noise.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from matcher.errors import InputError
from matcher.rules.engine import RuleEngine


class RuleCase(BaseModel):
    """One labelled text: the expected verdict and the rules that must produce it."""

    model_config = ConfigDict(extra="forbid")

    text: str
    restricted: Literal["yes", "no", "review"]
    rules: list[str] = Field(default_factory=list)  # restricted rules expected among yes/review hits
    priority: list[str] = Field(default_factory=list)  # priority rules expected among hits
    tags: list[str] = Field(default_factory=list)


class PR(BaseModel):
    precision: float
    recall: float
    tp: int
    fp: int
    fn: int


class CaseResult(BaseModel):
    text: str
    expected: str
    got: str
    ok: bool
    missing_rules: list[str]
    tags: list[str]


class EvalReport(BaseModel):
    n: int
    accuracy: float  # exact label (yes/no/review) and expected rules found
    flagged: PR  # restricted = yes or review
    strict: PR  # restricted = yes only
    threshold_accuracy: float
    per_tag: dict[str, float]
    failures: list[CaseResult]


def load_cases(path: Path) -> list[RuleCase]:
    """Cases from YAML (a list, or a mapping with `cases`)."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise InputError(f"Không đọc được tệp ca kiểm thử {path}: {e}") from e
    rows = data.get("cases") if isinstance(data, dict) else data
    if not isinstance(rows, list):
        raise InputError(f"Tệp {path} phải chứa danh sách `cases`")
    return [RuleCase.model_validate(r) for r in rows]


def _pr(pairs: list[tuple[bool, bool]]) -> PR:
    tp = sum(1 for exp, got in pairs if exp and got)
    fp = sum(1 for exp, got in pairs if not exp and got)
    fn = sum(1 for exp, got in pairs if exp and not got)
    return PR(
        precision=round(tp / (tp + fp), 4) if tp + fp else 1.0,
        recall=round(tp / (tp + fn), 4) if tp + fn else 1.0,
        tp=tp,
        fp=fp,
        fn=fn,
    )


def evaluate_cases(engine: RuleEngine, cases: Sequence[RuleCase]) -> EvalReport:
    """Run the engine on every case and score it."""
    if not cases:
        raise InputError("Không có ca kiểm thử nào để đánh giá")
    verdicts = engine.check_batch([c.text for c in cases])
    results: list[CaseResult] = []
    for case, v in zip(cases, verdicts, strict=True):
        flagged_ids = {h.rule_id for h in v.restricted_rules if h.verdict in ("yes", "review")}
        priority_ids = {h.rule_id for h in v.priority_rules}
        missing = [r for r in case.rules if r not in flagged_ids]
        missing += [p for p in case.priority if p not in priority_ids]
        ok = v.restricted == case.restricted and not missing
        results.append(
            CaseResult(
                text=case.text,
                expected=case.restricted,
                got=v.restricted,
                ok=ok,
                missing_rules=missing,
                tags=case.tags,
            )
        )
    by_tag: dict[str, list[bool]] = defaultdict(list)
    for r in results:
        for tag in r.tags:
            by_tag[tag].append(r.ok)
    threshold = by_tag.get("threshold", [])
    return EvalReport(
        n=len(results),
        accuracy=round(sum(r.ok for r in results) / len(results), 4),
        flagged=_pr([(r.expected != "no", r.got != "no") for r in results]),
        strict=_pr([(r.expected == "yes", r.got == "yes") for r in results]),
        threshold_accuracy=round(sum(threshold) / len(threshold), 4) if threshold else 1.0,
        per_tag={t: round(sum(v) / len(v), 4) for t, v in sorted(by_tag.items())},
        failures=[r for r in results if not r.ok],
    )

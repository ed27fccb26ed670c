"""What the plan asks instead of a restricted technology: the roadmap's "replace X by Y" items.

The roadmap (IV.2 a-h) names replacements in prose ("chuyển đổi ... sang sản xuất gạch không
nung"); roadmap.yaml records them as `replace.to` phrases linked to restricted rules through
`replace.from_rules`. A need that asks for a restricted technology is answered with these
phrases as catalog queries (the facade runs the search) and a Vietnamese message.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from matcher.results import NeedWarning, RuleHit
from matcher.rules.model import RestrictedRule, RuleBook


@dataclass(frozen=True)
class ReplacementPlan:
    """Queries to search the catalog with, and the roadmap items that justify them."""

    queries: list[str]
    roadmap_ids: list[str]
    from_plan: list[str]  # the subset of `queries` that is plan text (roadmap `replace.to`)
    sectors: list[str]  # where replacements belong: the roadmap items' sectors, else the rule's


def replacement_plan(book: RuleBook, rule: RestrictedRule) -> ReplacementPlan:
    """Roadmap replacements of a restricted rule first, then the rule's own engineering hints."""
    items = book.roadmap_replacing(rule.id)
    from_plan = _unique(p for item in items if item.replace for p in item.replace.to)
    queries = _unique([*from_plan, *rule.replacements_hint])
    sectors = _unique(s for item in items for s in [item.sector, *item.sectors]) or list(rule.sectors)
    return ReplacementPlan(
        queries=queries, roadmap_ids=[i.id for i in items], from_plan=from_plan, sectors=sectors
    )


def need_warning(book: RuleBook, rule: RestrictedRule, hit: RuleHit) -> NeedWarning:
    """A warning for a need that matched a restricted rule (verdict "yes" or "review")."""
    plan = replacement_plan(book, rule)
    return NeedWarning(
        rule=hit,
        message=_message(rule, hit, plan),
        replacement_queries=plan.queries,
        roadmap_ids=plan.roadmap_ids,
        replacement_sectors=plan.sectors,
    )


def _message(rule: RestrictedRule, hit: RuleHit, plan: ReplacementPlan) -> str:
    if hit.verdict == "yes":
        head = "Nhu cầu này thuộc nhóm công nghệ hạn chế chuyển giao"
    else:
        head = "Nhu cầu này có thể thuộc nhóm công nghệ hạn chế chuyển giao"
    parts = [f"{head} theo Kế hoạch 16/KH-UBND (mục {rule.section}, {rule.id}): «{rule.text}»"]
    if hit.verdict != "yes" and hit.reason:
        parts.append(f"Cần kiểm tra: {hit.reason.rstrip('.')}.")
    if plan.from_plan:
        parts.append(
            f"Lộ trình đổi mới công nghệ ({', '.join(plan.roadmap_ids)}) đề xuất thay thế bằng: "
            f"{'; '.join(plan.from_plan)}."
        )
    elif plan.queries:
        parts.append(f"Gợi ý công nghệ thay thế (không trích từ Kế hoạch): {'; '.join(plan.queries)}.")
    else:
        parts.append("Kế hoạch yêu cầu điều chỉnh, đổi mới, thay thế bằng công nghệ tiên tiến phù hợp.")
    return " ".join(parts)


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for x in items:
        seen.setdefault(x, None)
    return list(seen)

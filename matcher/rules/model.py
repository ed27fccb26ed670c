"""The rule records of plan 16/KH-UBND, as typed data (corpora/plan16/*.yaml).

Every model forbids unknown keys: a typo in the YAML ("exclued:") must fail loudly at load time
with the rule's id, not silently switch a veto off. The operator table is fixed here; a rule
cannot bring its own comparison.
"""

from __future__ import annotations

import operator
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from matcher.text.quantities import is_known_unit

#: The only comparisons a threshold may use.
OPERATORS: dict[str, Callable[[float, float], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class MatchHints(_Strict):
    """How a text is recognised: any phrase, or one phrase of every `all_of` group; `exclude` vetoes.

    All lists are matched on folded text (no diacritics), in the same sentence as the trigger,
    except `review`, which is looked for in the whole text.
    """

    phrases: list[str] = Field(default_factory=list)
    synonyms: list[str] = Field(default_factory=list)
    unaccented: list[str] = Field(default_factory=list)
    all_of: list[list[str]] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    # modern forms the roadmap (IV.2) asks for: the rule still fires, but "yes" becomes "review"
    review: list[str] = Field(default_factory=list)
    # For texts written in English (engineering reading of `gloss_en`, not plan text): every word
    # of a phrase, Snowball-stemmed, in one clause before any "instead of / without / -free" cue;
    # `english_exclude` vetoes like `exclude`. English hits are "review": thresholds stay unread.
    english: list[str] = Field(default_factory=list)
    english_exclude: list[str] = Field(default_factory=list)

    def triggers(self) -> list[str]:
        """Every phrase that alone triggers the rule."""
        return [*self.phrases, *self.synonyms, *self.unaccented]


class Condition(_Strict):
    """One numeric threshold: the rule applies when `quantity <op> value` (in `unit`)."""

    quantity: str
    label_vi: str
    unit: str
    op: str
    value: float
    accept: list[str] = Field(min_length=1)  # written units that may be converted to `unit`
    labels: list[str] = Field(default_factory=list)  # words just before the number ("dầu FO")

    @field_validator("op")
    @classmethod
    def _known_op(cls, op: str) -> str:
        if op not in OPERATORS:
            raise ValueError(f"unknown operator {op!r}; valid: {', '.join(OPERATORS)}")
        return op

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, unit: str) -> str:
        if not is_known_unit(unit):
            raise ValueError(f"unknown unit {unit!r}")
        return unit

    @field_validator("accept")
    @classmethod
    def _known_accept(cls, units: list[str]) -> list[str]:
        bad = [u for u in units if not is_known_unit(u)]
        if bad:
            raise ValueError(f"unknown accepted unit(s) {bad}")
        return units

    def holds(self, value: float) -> bool:
        return OPERATORS[self.op](value, self.value)


class Conditions(_Strict):
    """Thresholds combined by `any` (one is enough) or `all` (every one must hold)."""

    any_: list[Condition] = Field(default_factory=list, alias="any")
    all_: list[Condition] = Field(default_factory=list, alias="all")
    missing_reason: str

    @model_validator(mode="after")
    def _one_combinator(self) -> Conditions:
        if bool(self.any_) == bool(self.all_):
            raise ValueError("conditions need exactly one of `any` or `all`")
        return self

    @property
    def mode(self) -> str:
        return "any" if self.any_ else "all"

    @property
    def items(self) -> list[Condition]:
        return self.any_ or self.all_


class Qualifiers(_Strict):
    """Words the text must also contain for a "yes" (e.g. the fuel of a tunnel kiln); else "review"."""

    phrases: list[str] = Field(min_length=1)
    missing_reason: str


class _Record(_Strict):
    id: str = Field(min_length=1)
    section: str
    text: str = Field(min_length=1)
    text_raw: str | None = None
    gloss_en: str = ""
    sectors: list[str] = Field(default_factory=list)
    match: MatchHints = Field(default_factory=MatchHints)


class RestrictedRule(_Record):
    """A bullet of IV.1.b, the technologies whose transfer the city restricts."""

    qualifiers: Qualifiers | None = None
    alternatives: list[str] = Field(default_factory=list)  # phrases that apply the rule without thresholds
    conditions: Conditions | None = None
    replacements_hint: list[str] = Field(default_factory=list)  # engineering suggestions, not plan text


class PriorityRule(_Record):
    """A bullet of IV.1.a; the advanced-materials bullet carries its sub-items."""

    items: list[PriorityRule] = Field(default_factory=list)


class PrioritySector(_Record):
    """A priority sector of the plan (IV.1.a) or of the city's letter."""

    source: str


class Replace(_Strict):
    """A roadmap statement "replace X by Y"; `from_rules` are the restricted rules it answers."""

    from_: list[str] = Field(alias="from", min_length=1)
    to: list[str] = Field(min_length=1)
    from_rules: list[str] = Field(default_factory=list)


class RoadmapItem(_Record):
    """One statement of a sector roadmap (IV.2 a-h) for one period."""

    sector: str
    period: str
    replace: Replace | None = None


class Sector(_Strict):
    id: str
    section: str
    name_vi: str
    name_en: str


class RuleBook(_Strict):
    """The whole plan as data, validated and cross-checked by `load_rulebook`."""

    sectors: list[Sector]
    restricted: list[RestrictedRule]
    priority: list[PriorityRule]
    priority_sectors: list[PrioritySector]
    sector_keywords: dict[str, list[str]]
    roadmap: list[RoadmapItem]
    versions: dict[str, int] = Field(default_factory=dict)

    def sector_name(self, sector_id: str) -> str:
        return next((s.name_vi for s in self.sectors if s.id == sector_id), sector_id)

    def priority_flat(self) -> list[PriorityRule]:
        """Priority bullets and their sub-items, in document order."""
        out: list[PriorityRule] = []
        for rule in self.priority:
            out.append(rule)
            out.extend(rule.items)
        return out

    def roadmap_replacing(self, rule_id: str) -> list[RoadmapItem]:
        """Roadmap statements whose `replace.from_rules` names a restricted rule."""
        return [r for r in self.roadmap if r.replace and rule_id in r.replace.from_rules]

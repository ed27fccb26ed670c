"""What techmatch answers: plain pydantic models, shared by the library, CLI, API and batch.

Field names are English (the API contract); texts inside are Vietnamese.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from matcher.catalog.schema import Technology

RestrictedLabel = Literal["yes", "no", "review"]
HowMatched = Literal["phrase", "semantic", "threshold"]


class QuantityFound(BaseModel):
    """A number with its unit read from a text, converted to the rule's unit."""

    text: str  # as written, e.g. "0,3 tấn/giờ"
    value: float  # in `unit`
    unit: str  # canonical unit, e.g. "kg/h"


class RuleHit(BaseModel):
    """One rule of plan 16 that a text matched, with how and why."""

    rule_id: str
    section: str  # e.g. "IV.1.b"
    text: str  # verbatim Vietnamese text of the plan item
    gloss_en: str = ""
    how: HowMatched
    matched: list[str] = Field(default_factory=list)  # phrases that matched (as in the text)
    similarity: float | None = None  # for semantic matches
    quantities: list[QuantityFound] = Field(default_factory=list)  # for thresholds
    verdict: RestrictedLabel | None = None  # for restricted rules: what this hit concluded
    reason: str = ""  # Vietnamese, one sentence: why this verdict


class SectorScore(BaseModel):
    """How likely a text belongs to a plan sector."""

    sector_id: str
    name: str
    score: float
    priority: bool = False  # a priority sector of the plan / letter


class Verdict(BaseModel):
    """The plan's rules applied to one technology text."""

    restricted: RestrictedLabel = "no"
    restricted_rules: list[RuleHit] = Field(default_factory=list)
    priority_rules: list[RuleHit] = Field(default_factory=list)
    sectors: list[SectorScore] = Field(default_factory=list)

    @property
    def priority(self) -> bool:
        return bool(self.priority_rules) or any(s.priority for s in self.sectors)


class Replacement(BaseModel):
    """A catalog technology that the plan's roadmap names as a replacement."""

    tech_id: str
    name: str
    score: float
    roadmap_id: str  # the roadmap item that asks for the replacement
    roadmap_text: str


class NeedWarning(BaseModel):
    """A need asks for something the plan restricts."""

    kind: Literal["restricted"] = "restricted"
    rule: RuleHit
    message: str  # Vietnamese, for people
    replacement_queries: list[str] = Field(default_factory=list)  # what the roadmap asks instead
    roadmap_ids: list[str] = Field(default_factory=list)
    # Plan sectors the replacements are taken from: the roadmap items' sectors (a clay-brick
    # kiln is replaced within building materials, never by a waste incinerator).
    replacement_sectors: list[str] = Field(default_factory=list)
    replacements: list[Replacement] = Field(default_factory=list)
    related_rules: list[RuleHit] = Field(
        default_factory=list
    )  # other restricted items with the same replacements


class Explanation(BaseModel):
    """Why a technology is where it is in the ranking."""

    dense_score: float | None = None  # cosine similarity, None if outside the dense candidates
    dense_rank: int | None = None
    lexical_score: float | None = None  # BM25 score, None if outside the lexical candidates
    lexical_rank: int | None = None
    fused_score: float
    boost: float = 0.0  # added to the fused score by the priority rules (setting priority_boost)
    boost_reasons: list[str] = Field(default_factory=list)  # the core technologies / sectors behind it
    # The roadmap item that names this entry as the replacement of a restricted need; the entry
    # then took part in the fusion as a third ranking (its share is inside fused_score).
    replacement_roadmap: str | None = None
    matched_terms: list[str] = Field(default_factory=list)  # query words as the user typed them
    summary: str = ""  # one Vietnamese sentence


class RankedTechnology(BaseModel):
    rank: int
    tech_id: str
    name: str
    institute: str
    field: str
    sectors: list[str]
    trl: int | None
    score: float
    restricted: RestrictedLabel
    priority: bool
    verdict: Verdict
    explanation: Explanation
    technology: Technology


class MatchResult(BaseModel):
    """The answer to one need."""

    need_text: str
    normalized_text: str
    diacritics_restored: bool = False
    restored_text: str | None = None  # the need with diacritics restored, when typed without
    # A need not in Vietnamese: its terms and the catalog words they were searched as
    # ("wastewater → nước thải"), from the shipped glossary (matcher/text/crosslingual.py).
    translated_terms: list[str] = Field(default_factory=list)
    # Abbreviations read as what they stand for ("XLNT → xử lý nước thải"), shown to the user.
    abbreviations: list[str] = Field(default_factory=list)
    # Spelling mistakes corrected before the search ("sử → xử", "nươc → nước"), shown to the user;
    # `read_text` is the need as searched after them (and after restoration), when any was made.
    spelling_corrections: list[str] = Field(default_factory=list)
    read_text: str | None = None
    # False when the need read as another language (English): its lexical search used only the
    # glossary's terms, none at all when the glossary knew none of its words (dense search only).
    vietnamese: bool = True
    sectors: list[SectorScore] = Field(default_factory=list)
    warnings: list[NeedWarning] = Field(default_factory=list)
    results: list[RankedTechnology] = Field(default_factory=list)

"""Request and response models of the HTTP API (the contract; field names in English).

Results reuse the library's models (`matcher.results`, `matcher.filters.Filters`) instead of
copying them, so the API can never drift from what the library answers. Every request model
forbids unknown fields: a misspelt option must fail loudly, not be ignored.

Limits that depend on settings (text length, batch size) are checked by the library, which
names the limit in its Vietnamese message; the static bounds here only stop absurd input early.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool

from matcher.catalog.schema import Technology
from matcher.filters import Filters
from matcher.results import MatchResult, NeedWarning, SectorScore, Verdict

__all__ = ["Filters", "MatchFilters", "MatchResult"]


class Strict(BaseModel):
    """Unknown fields rejected: a misspelt option must fail loudly, not be ignored."""

    model_config = ConfigDict(extra="forbid")


def _json_integer(value: object) -> object:
    """JSON Schema's integer: 5 and 5.0 are integers; "5", true and 5.5 are not.

    Pydantic's lax int takes "5" and true, its strict int refuses 5.0; neither is JSON's rule.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("phải là số nguyên")
    if isinstance(value, float) and not value.is_integer():
        raise ValueError("phải là số nguyên")
    return int(value)


#: An integer as JSON Schema defines it (see `_json_integer`).
JsonInt = Annotated[int, BeforeValidator(_json_integer)]


#: A text with at least one character that is not white space. The pattern is unanchored (JSON
#: Schema and pydantic both search), so the contract itself says a blank need is invalid.
NeedText = Annotated[str, Field(pattern=r"\S")]


# ---- matching -----------------------------------------------------------------------------
class MatchFilters(Filters):
    """The library's filters, with booleans that are JSON booleans (0 is not false)."""

    priority_only: StrictBool = False


class MatchOptions(Strict):
    top_k: JsonInt = Field(default=10, ge=1, le=100, description="How many technologies to return.")
    filters: MatchFilters | None = Field(default=None, description="Narrow the catalog before ranking.")
    include_restricted: StrictBool = Field(
        default=False, description="Also return technologies the plan restricts (flagged, never boosted)."
    )


class MatchRequest(MatchOptions):
    text: NeedText = Field(
        description="The business's technology need, Vietnamese with or without diacritics.",
        examples=["xử lý nước thải ao nuôi tôm"],
    )


class BatchMatchRequest(MatchOptions):
    texts: list[NeedText] = Field(
        min_length=1,
        description="Several needs; at most `max_batch` (see /v1/limits).",
        examples=[["xử lý nước thải ao nuôi tôm", "tu dong hoa cang container"]],
    )


class IndexInfo(BaseModel):
    """Which catalog answered: lets a client notice a catalog swap."""

    name: str
    version: str
    n_items: int
    model_id: str
    created_at: str


class MatchResponse(BaseModel):
    index: IndexInfo
    took_ms: float
    result: MatchResult


class BatchMatchResponse(BaseModel):
    index: IndexInfo
    took_ms: float
    results: list[MatchResult]


class Limits(BaseModel):
    max_text_chars: int
    max_batch: int
    max_top_k: int
    max_upload_bytes: int


# ---- catalog ------------------------------------------------------------------------------
class TechnologySummary(BaseModel):
    id: str
    name: str
    institute: str
    field: str
    sectors: list[str]
    trl: int | None
    restricted: Literal["yes", "no", "review"]
    priority: bool


class TechnologyPage(BaseModel):
    total: int
    offset: int
    limit: int
    items: list[TechnologySummary]


class TechnologyDetail(BaseModel):
    technology: Technology
    verdict: Verdict
    priority: bool


class Facets(BaseModel):
    """Values the officer filters can take (fills the web page's drop-downs)."""

    fields: list[str]
    institutes: list[str]
    sectors: dict[str, str]  # id -> Vietnamese name


# ---- rules --------------------------------------------------------------------------------
class RuleCheckRequest(Strict):
    text: NeedText = Field(description="A need or a technology description to check against plan 16.")


class RuleCheckResponse(BaseModel):
    verdict: Verdict
    warnings: list[NeedWarning]
    sectors: list[SectorScore]
    spelling_corrections: list[str] = Field(
        default_factory=list,
        description='Spelling mistakes mended before the check, as in /v1/match ("giác → rác").',
    )
    shorthand: list[str] = Field(
        default_factory=list,
        description='Chat shorthand read as the words it stands for, as in /v1/match ("ko → không").',
    )
    read_text: str | None = Field(
        default=None,
        description="The text as checked, when it differs from the text sent: shorthand read, "
        "diacritics restored or a spelling mistake mended.",
    )


class RulesResponse(BaseModel):
    """The plan's rulebook as data (restricted list, priorities, roadmap, sectors)."""

    rules_checksum: str
    sectors: dict[str, str]
    rulebook: Any


# ---- feedback -----------------------------------------------------------------------------
class FeedbackRequest(Strict):
    """A judgement of one result; the need is named by its text, its survey id, or both."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "anyOf": [
                {"required": ["need_text"], "properties": {"need_text": {"type": "string"}}},
                {"required": ["need_id"], "properties": {"need_id": {"type": "string"}}},
            ]
        },
    )

    need_text: Annotated[str, Field(max_length=20_000, pattern=r"\S")] | None = None
    need_id: Annotated[str, Field(max_length=200, pattern=r"\S")] | None = None
    tech_id: str = Field(min_length=1, max_length=64)
    relevant: StrictBool
    comment: str = Field(default="", max_length=2_000)


class FeedbackCreated(BaseModel):
    id: int
    created_at: str


# ---- export -------------------------------------------------------------------------------
class ExportRequest(MatchOptions):
    """The officer's current query; the server re-runs it so the file matches the ranking exactly."""

    texts: list[NeedText] = Field(min_length=1)


# ---- jobs (catalog rebuilds, survey batches) -----------------------------------------------
JobState = Literal["queued", "running", "done", "failed"]


class JobStatus(BaseModel):
    id: str
    kind: Literal["catalog", "survey"]
    state: JobState
    done: int = 0
    total: int = 0
    progress: float = Field(default=0.0, ge=0, le=1)
    message: str = ""  # Vietnamese, for people
    error: str | None = None  # Vietnamese, for people
    created_at: str
    finished_at: str | None = None
    result: dict[str, Any] = Field(default_factory=dict)
    downloads: dict[str, str] = Field(default_factory=dict)  # format -> URL


class JobAccepted(BaseModel):
    job: JobStatus
    status_url: str


# ---- admin --------------------------------------------------------------------------------
class IndexVersion(BaseModel):
    version: str
    active: bool
    serving: bool
    n_items: int
    created_at: str
    catalog_source: str
    model_id: str


class IndexVersions(BaseModel):
    name: str
    current: str | None
    serving: str | None
    versions: list[IndexVersion]


class RollbackRequest(Strict):
    version: str = Field(min_length=1, max_length=100)


# ---- health -------------------------------------------------------------------------------
class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    ready: bool
    index: IndexInfo | None = None
    detail: str = ""


class ErrorBody(BaseModel):
    """Every error answer: a Vietnamese sentence for people and the id to find it in the logs."""

    detail: str
    request_id: str
    errors: list[dict[str, Any]] | None = None

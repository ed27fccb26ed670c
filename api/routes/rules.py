"""Plan 16's rules as data, and checking any text against them."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import MatcherDep, ServiceDep
from api.schemas import ErrorBody, RuleCheckRequest, RuleCheckResponse, RulesResponse
from matcher.errors import InputError
from matcher.explain import translated_terms
from matcher.text.need_text import text_problem

router = APIRouter(prefix="/v1/rules", tags=["rules"])


@router.get(
    "",
    response_model=RulesResponse,
    responses={503: {"model": ErrorBody}},
    summary="The plan's rulebook: restricted list, priorities, roadmap",
)
def get_rules(matcher: MatcherDep) -> RulesResponse:
    return RulesResponse(
        rules_checksum=matcher.rules_checksum,
        sectors=dict(matcher.sector_names),
        rulebook=matcher.rules.book.model_dump(mode="json"),
    )


@router.post(
    "/check",
    response_model=RuleCheckResponse,
    responses={422: {"model": ErrorBody}, 503: {"model": ErrorBody}},
    summary="Check a text (need or technology) against the plan's rules",
)
def check(req: RuleCheckRequest, matcher: MatcherDep, service: ServiceDep) -> RuleCheckResponse:
    problem = text_problem(req.text, service.settings.max_text_chars)
    if problem is not None:
        raise InputError(f"Văn bản cần kiểm tra {problem.reason}.")
    # read as /v1/match reads a need: a misspelt "lò đốt giác thải 200 kg/h" is the incinerator
    # the plan restricts (the engine writes out abbreviations itself)
    reading = matcher.read(req.text.strip())
    engine = matcher.rules
    verdict = engine.check(reading.text)  # one pass: the verdict carries sectors and warnings
    return RuleCheckResponse(
        verdict=verdict,
        warnings=engine.warnings_for(verdict),
        sectors=verdict.sectors,
        spelling_corrections=[str(f) for f in reading.spelling],
        shorthand=translated_terms(list(reading.shorthand)),
        read_text=reading.changed,
    )

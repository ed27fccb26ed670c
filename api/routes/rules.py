"""Plan 16's rules as data, and checking any text against them."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi import APIRouter

from api.deps import MatcherDep, ServiceDep
from api.schemas import ErrorBody, RuleCheckRequest, RuleCheckResponse, RulesResponse
from matcher.errors import InputError
from matcher.sectors import load_sectors

router = APIRouter(prefix="/v1/rules", tags=["rules"])


def _plain(obj: Any) -> Any:
    """The rulebook as JSON-able data, whatever container the engine keeps it in."""
    if hasattr(obj, "model_dump"):
        return obj.model_dump(mode="json")
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [_plain(v) for v in obj]
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    return str(obj)


@router.get(
    "",
    response_model=RulesResponse,
    responses={503: {"model": ErrorBody}},
    summary="The plan's rulebook: restricted list, priorities, roadmap",
)
def get_rules(matcher: MatcherDep, service: ServiceDep) -> RulesResponse:
    from matcher.index.build import rules_checksum

    engine = matcher.rules
    return RulesResponse(
        rules_checksum=rules_checksum(service.settings.rules_dir),
        sectors=dict(load_sectors(service.settings.rules_dir)),
        rulebook=_plain(getattr(engine, "rulebook", None) or getattr(engine, "book", None)),
    )


@router.post(
    "/check",
    response_model=RuleCheckResponse,
    responses={422: {"model": ErrorBody}, 503: {"model": ErrorBody}},
    summary="Check a text (need or technology) against the plan's rules",
)
def check(req: RuleCheckRequest, matcher: MatcherDep, service: ServiceDep) -> RuleCheckResponse:
    text = req.text.strip()
    if not any(ch.isalnum() for ch in text):
        raise InputError("Văn bản cần kiểm tra trống hoặc không có chữ hay số nào.")
    if len(req.text) > service.settings.max_text_chars:
        raise InputError(
            f"Văn bản dài {len(req.text)} ký tự, vượt giới hạn {service.settings.max_text_chars} ký tự."
        )
    engine = matcher.rules
    return RuleCheckResponse(
        verdict=engine.check(text),
        warnings=engine.need_warnings(text),
        sectors=engine.sector_scores(text),
    )

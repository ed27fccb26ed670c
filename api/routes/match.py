"""Matching needs to the catalog, one or many at a time, and exporting the ranking."""

from __future__ import annotations

from time import perf_counter
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api import export
from api.deps import MatcherDep, ServiceDep
from api.schemas import (
    BatchMatchRequest,
    BatchMatchResponse,
    ErrorBody,
    ExportRequest,
    MatchRequest,
    MatchResponse,
)
from matcher.errors import InputError

router = APIRouter(prefix="/v1", tags=["match"])
ERRORS: dict[int | str, dict] = {
    422: {"model": ErrorBody, "description": "Invalid input (empty or too long text, bad filter...)"},
    503: {"model": ErrorBody, "description": "Model or index not loaded"},
}


def check_batch_size(texts: list[str], max_batch: int) -> None:
    if len(texts) > max_batch:
        raise InputError(f"Quá nhiều nhu cầu trong một lần: {len(texts)}, giới hạn là {max_batch}.")


@router.post(
    "/match", response_model=MatchResponse, responses=ERRORS, summary="Rank technologies for one need"
)
def match(req: MatchRequest, matcher: MatcherDep, service: ServiceDep) -> MatchResponse:
    t0 = perf_counter()
    result = matcher.match_batch(
        [req.text], filters=req.filters, top_k=req.top_k, include_restricted=req.include_restricted
    )[0]
    return MatchResponse(
        index=service.index_info(matcher), took_ms=round((perf_counter() - t0) * 1000, 2), result=result
    )


@router.post(
    "/match/batch",
    response_model=BatchMatchResponse,
    responses=ERRORS,
    summary="Rank technologies for several needs (at most max_batch)",
)
def match_batch(req: BatchMatchRequest, matcher: MatcherDep, service: ServiceDep) -> BatchMatchResponse:
    check_batch_size(req.texts, service.settings.max_batch)
    t0 = perf_counter()
    results = matcher.match_batch(
        req.texts, filters=req.filters, top_k=req.top_k, include_restricted=req.include_restricted
    )
    return BatchMatchResponse(
        index=service.index_info(matcher), took_ms=round((perf_counter() - t0) * 1000, 2), results=results
    )


@router.post(
    "/export",
    responses={
        **ERRORS,
        200: {
            "content": {t: {} for t in export.MEDIA_TYPES.values()},
            "description": "The ranking as a file",
        },
    },
    response_class=Response,
    summary="Run the query and download its ranking as CSV or XLSX",
)
def export_results(
    req: ExportRequest,
    matcher: MatcherDep,
    service: ServiceDep,
    format: Annotated[export.ExportFormat, Query(description="csv or xlsx")] = "xlsx",
) -> Response:
    check_batch_size(req.texts, service.settings.max_batch)
    results = matcher.match_batch(
        req.texts, filters=req.filters, top_k=req.top_k, include_restricted=req.include_restricted
    )
    body = export.render(export.rows(results), format)
    return Response(
        body,
        media_type=export.MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="techmatch-ket-qua.{format}"'},
    )

"""Browsing the catalog: filter, text search, paginate; one technology with its plan verdict."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import MatcherDep
from api.errors import NotFoundError
from api.schemas import ErrorBody, Facets, TechnologyDetail, TechnologyPage, TechnologySummary
from matcher.filters import Filters

router = APIRouter(prefix="/v1", tags=["catalog"])


@router.get(
    "/technologies",
    response_model=TechnologyPage,
    responses={422: {"model": ErrorBody}, 503: {"model": ErrorBody}},
    summary="List catalog technologies (filter, search, paginate)",
)
def list_technologies(
    matcher: MatcherDep,
    q: Annotated[
        str | None, Query(max_length=200, description="Words that must all appear (accents optional)")
    ] = None,
    field: Annotated[list[str] | None, Query(description="Field (lĩnh vực), repeatable")] = None,
    sector: Annotated[list[str] | None, Query(description="Plan sector id or name, repeatable")] = None,
    institute: Annotated[list[str] | None, Query(description="Institute, repeatable")] = None,
    priority_only: bool = False,
    restricted: Annotated[str | None, Query(pattern="^(yes|no|review)$", description="Plan verdict")] = None,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> TechnologyPage:
    techs = matcher.technologies
    verdicts = matcher.index.verdicts
    filters = Filters(
        field=field or [], sector=sector or [], institute=institute or [], priority_only=priority_only
    )
    rows = matcher.browse(filters, restricted=restricted, query=q)
    items = [
        TechnologySummary(
            id=techs[i].id,
            name=techs[i].name,
            institute=techs[i].institute,
            field=techs[i].field,
            sectors=list(techs[i].sectors),
            trl=techs[i].trl,
            restricted=verdicts[i].restricted,
            priority=verdicts[i].priority,
        )
        for i in rows[offset : offset + limit].tolist()  # summaries for the page only
    ]
    return TechnologyPage(total=len(rows), offset=offset, limit=limit, items=items)


@router.get(
    "/technologies/{tech_id}",
    response_model=TechnologyDetail,
    responses={404: {"model": ErrorBody}, 503: {"model": ErrorBody}},
    summary="One technology with its plan-16 verdict",
)
def get_technology(tech_id: str, matcher: MatcherDep) -> TechnologyDetail:
    tech = matcher.get(tech_id)
    verdict = matcher.verdict(tech_id)
    if tech is None or verdict is None:
        raise NotFoundError(f"Không có công nghệ mã '{tech_id[:64]}' trong danh mục hiện tại.")
    return TechnologyDetail(technology=tech, verdict=verdict, priority=verdict.priority)


@router.get(
    "/facets",
    response_model=Facets,
    responses={503: {"model": ErrorBody}},
    summary="Values the filters accept (fields, institutes, plan sectors)",
)
def facets(matcher: MatcherDep) -> Facets:
    techs = matcher.technologies
    return Facets(
        fields=sorted({t.field for t in techs}),
        institutes=sorted({t.institute for t in techs}),
        sectors=dict(matcher.sector_names),
    )

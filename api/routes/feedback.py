"""People's judgements of results, stored for evaluation and exportable for officers.

Recording is open to every visitor; the export is behind the admin token because it holds the
needs and comments businesses typed, which are theirs, not the public's.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from api.deps import AdminDep, MatcherDep, ServiceDep
from api.errors import NotFoundError
from api.schemas import ErrorBody, FeedbackCreated, FeedbackRequest

router = APIRouter(prefix="/v1", tags=["feedback"])


@router.post(
    "/feedback",
    response_model=FeedbackCreated,
    status_code=201,
    responses={404: {"model": ErrorBody}, 422: {"model": ErrorBody}},
    summary="Record whether a technology suited a need",
)
def add_feedback(req: FeedbackRequest, matcher: MatcherDep, service: ServiceDep) -> FeedbackCreated:
    if matcher.get(req.tech_id) is None:
        raise NotFoundError(f"Không có công nghệ mã '{req.tech_id}' trong danh mục hiện tại.")
    rec = service.feedback.add(
        tech_id=req.tech_id,
        relevant=req.relevant,
        need_text=req.need_text,
        need_id=req.need_id,
        comment=req.comment,
        index_version=matcher.index.manifest.version,
    )
    return FeedbackCreated(id=rec.id, created_at=rec.created_at)


@router.get(
    "/feedback.csv",
    response_class=Response,
    summary="All feedback as CSV (admin token required)",
    dependencies=[AdminDep],
    responses={
        200: {"content": {"text/csv": {}}, "description": "UTF-8 CSV with BOM"},
        401: {"model": ErrorBody, "description": "Missing or wrong admin token"},
        403: {"model": ErrorBody, "description": "Admin is disabled (no token configured)"},
    },
)
def feedback_csv(service: ServiceDep) -> Response:
    return Response(
        service.feedback.to_csv().encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="techmatch-phan-hoi.csv"'},
    )

"""Liveness and readiness: a load balancer sends traffic only to replicas that are ready."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import ServiceDep
from api.schemas import Health, Limits, Readiness

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, summary="The process is up")
def healthz() -> Health:
    return Health()


@router.get(
    "/readyz",
    response_model=Readiness,
    summary="Model and index are loaded",
    responses={503: {"model": Readiness, "description": "Not ready yet (or the index failed to load)"}},
)
def readyz(service: ServiceDep) -> Readiness | JSONResponse:
    if not service.ready:
        body = Readiness(ready=False, detail=service.load_error or "Đang nạp mô hình và chỉ mục.")
        return JSONResponse(body.model_dump(), status_code=503)
    return Readiness(ready=True, index=service.index_info(service.current()))


@router.get("/v1/limits", response_model=Limits, tags=["match"], summary="Input limits of this service")
def limits(service: ServiceDep) -> Limits:
    s = service.settings
    return Limits(
        max_text_chars=s.max_text_chars,
        max_batch=s.max_batch,
        max_top_k=s.max_top_k,
        max_upload_bytes=s.max_upload_bytes,
    )

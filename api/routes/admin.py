"""Administration behind the bearer token: new catalog, index versions, roll-back.

A catalog upload is validated with the importer first (a bad file is refused with 422 before
any job starts); the index is then built in a background job beside the live one and swapped in
atomically, so the service keeps answering during the rebuild.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, UploadFile

from api.deps import AdminDep, ServiceDep
from api.errors import NotFoundError, TooLargeError
from api.jobs import JobConflict
from api.schemas import ErrorBody, IndexInfo, IndexVersions, JobAccepted, JobStatus, RollbackRequest

router = APIRouter(
    prefix="/v1/admin",
    tags=["admin"],
    dependencies=[AdminDep],
    responses={
        401: {"model": ErrorBody, "description": "Missing or wrong admin token"},
        403: {"model": ErrorBody, "description": "Admin is disabled (no token configured)"},
    },
)


def read_upload(upload: UploadFile, max_bytes: int) -> bytes:
    """The upload's bytes, refusing more than `max_bytes` without reading the rest."""
    data = upload.file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooLargeError(f"Tệp tải lên vượt giới hạn {max_bytes} byte ({max_bytes / 1048576:.1f} MiB).")
    return data


@router.post(
    "/catalog",
    response_model=JobAccepted,
    status_code=202,
    responses={409: {"model": ErrorBody}, 413: {"model": ErrorBody}, 422: {"model": ErrorBody}},
    summary="Upload a new catalog; it is indexed in the background and swapped in",
)
def upload_catalog(
    file: Annotated[UploadFile, File(description="CSV, XLSX, JSON or DOCX catalog")], service: ServiceDep
) -> JobAccepted:
    running = service.jobs.active("catalog")
    if running is not None:  # refused before the upload is read; submit() re-checks atomically
        raise JobConflict(running)
    data = read_upload(file, service.settings.max_upload_bytes)
    path = service.save_upload(file.filename or "", data)
    n = service.check_upload(path, Path(file.filename or "").name, service.validate_catalog)
    try:
        job = service.jobs.submit(
            "catalog",
            lambda ctx: service.rebuild(path, ctx),
            message=f"Đã nhận danh mục ({n} công nghệ), đang chờ xây chỉ mục.",
            exclusive=True,  # one rebuild at a time, decided atomically
        )
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return JobAccepted(job=job, status_url=f"/v1/admin/jobs/{job.id}")


@router.get(
    "/jobs/{job_id}",
    response_model=JobStatus,
    responses={404: {"model": ErrorBody}},
    summary="Status of a catalog rebuild",
)
def job_status(job_id: str, service: ServiceDep) -> JobStatus:
    job = service.jobs.get(job_id)
    if job is None:
        raise NotFoundError(f"Không có tác vụ '{job_id[:64]}'.")
    return job


@router.get("/index/versions", response_model=IndexVersions, summary="Versions of the served index")
def versions(service: ServiceDep) -> IndexVersions:
    return service.versions()


@router.post(
    "/index/rollback",
    response_model=IndexInfo,
    responses={404: {"model": ErrorBody}, 409: {"model": ErrorBody}, 503: {"model": ErrorBody}},
    summary="Serve another (usually the previous) index version",
)
def rollback(req: RollbackRequest, service: ServiceDep) -> IndexInfo:
    running = service.jobs.active("catalog")
    if running is not None:
        raise JobConflict(running, then=" rồi mới quay lui")
    return service.switch_to(req.version)

"""Survey files: upload a table of needs, match them all in the background, download results."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.responses import FileResponse

from api import export
from api.deps import ServiceDep
from api.errors import NotFoundError
from api.routes.admin import read_upload
from api.schemas import ErrorBody, JobAccepted, JobStatus
from api.survey import SURVEY_SUFFIXES, save_survey, survey_job, survey_request

router = APIRouter(prefix="/v1", tags=["surveys"])


@router.post(
    "/surveys",
    response_model=JobAccepted,
    status_code=202,
    responses={
        413: {"model": ErrorBody},
        422: {"model": ErrorBody},
        429: {"model": ErrorBody},
        503: {"model": ErrorBody},
    },
    summary="Upload a survey (CSV/XLSX, one need per row) for batch matching",
)
def upload_survey(
    service: ServiceDep,
    file: Annotated[UploadFile, File(description=f"Survey table: {', '.join(SURVEY_SUFFIXES)}")],
    top_k: Annotated[int, Form(ge=1, le=100)] = 5,
    column: Annotated[str | None, Form(max_length=200, description="Header of the needs column")] = None,
    include_restricted: Annotated[bool, Form()] = False,
) -> JobAccepted:
    matcher = service.current()
    data = read_upload(file, service.settings.max_upload_bytes)
    name, path, needs_column = save_survey(service, file.filename or "", data, column)
    request = survey_request(path, column, top_k, include_restricted)
    try:
        job = service.jobs.submit(
            "survey",
            survey_job(matcher, request),
            message=f"Đã nhận tệp {name} (cột nhu cầu: {needs_column}), đang chờ so khớp.",
            max_queued=service.settings.max_queued_surveys,
            files={request["input"]: path},  # the upload leaves with the job's folder
            request=request,  # resumable after a restart
        )
    finally:
        path.unlink(missing_ok=True)  # moved into the job's folder, or refused: never left behind
    return JobAccepted(job=job, status_url=f"/v1/jobs/{job.id}")


@router.get(
    "/jobs/{job_id}",
    response_model=JobStatus,
    responses={404: {"model": ErrorBody}},
    summary="Status of a survey batch",
)
def survey_status(job_id: str, service: ServiceDep) -> JobStatus:
    job = service.jobs.get(job_id)
    if job is None or job.kind != "survey":
        raise NotFoundError(f"Không có tác vụ '{job_id[:64]}'.")
    return job


@router.get(
    "/jobs/{job_id}/result.{fmt}",
    response_class=FileResponse,
    responses={404: {"model": ErrorBody}, 200: {"content": {t: {} for t in export.MEDIA_TYPES.values()}}},
    summary="Download a finished survey's results",
)
def survey_result(job_id: str, fmt: export.ExportFormat, service: ServiceDep) -> FileResponse:
    job = service.jobs.get(job_id)
    if job is None or job.kind != "survey":
        raise NotFoundError(f"Không có tác vụ '{job_id[:64]}'.")
    path = service.jobs.workdir(job_id) / f"ket-qua.{fmt}"
    if job.state != "done" or not path.is_file():
        raise NotFoundError(f"Kết quả của tác vụ {job_id} chưa sẵn sàng (trạng thái: {job.state}).")
    return FileResponse(
        path, media_type=export.MEDIA_TYPES[fmt], filename=f"techmatch-khao-sat-{job_id}.{fmt}"
    )

"""Survey files for batch matching from the web page: a thin layer over `matcher.batch`.

The survey's columns are checked when it is uploaded (wrong format, no needs column: 422 at
once), so a job that starts fails only for reasons outside the caller's control. The job runs
the library's batch runner (`run_batch`, the same code path as `matcher batch`): chunked,
checkpointed, with progress, rows it cannot use (empty, too long) reported as skipped rows in
the output instead of failing the whole survey.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.jobs import JobContext, JobFn
from matcher.catalog.tables import FORMATS
from matcher.errors import TechmatchError

if TYPE_CHECKING:
    from api.service import Service
    from matcher.batch.summary import BatchSummary
    from matcher.matcher import Matcher

SURVEY_SUFFIXES = tuple(s for s, kind in FORMATS.items() if kind != "docx")  # tables, not Word
CHUNK = 32
INPUT_STEM = "khao-sat"  # the uploaded survey's name inside its job's folder, plus its suffix
RESTARTED = (
    "Không chạy tiếp được phần đã lưu (chỉ mục đã đổi hoặc tệp trạng thái hỏng) nên tệp khảo sát "
    "được so khớp lại từ đầu."
)


def save_survey(service: Service, filename: str, data: bytes, column: str | None) -> tuple[str, Path, str]:
    """Check and keep an uploaded survey; returns (display name, stored path, needs column).

    The columns are resolved now with the batch reader, so a file without a needs column is
    refused at upload (422) rather than by a job that fails later.
    """
    path = service.store_upload("surveys", filename, data, SURVEY_SUFFIXES, "khảo sát")
    name = Path(filename).name

    def needs_column_of(stored: Path) -> str:
        from matcher.batch.readers import open_survey

        try:
            with open_survey(
                stored,
                text_columns=[column] if column else None,
                max_text_chars=service.settings.max_text_chars,
            ) as reader:
                return reader.columns.primary or ""
        except TechmatchError as e:  # the web form's name for the CLI option
            raise type(e)(str(e).replace("--text-columns", "ô 'Cột nhu cầu'")) from e

    needs_column = service.check_upload(path, name, needs_column_of)
    return name, path, needs_column


def survey_request(stored: Path, column: str | None, top_k: int, include_restricted: bool) -> dict[str, Any]:
    """What a survey job needs to run, and to run again after a restart (saved as JSON)."""
    return {
        "input": INPUT_STEM + stored.suffix.lower(),
        "column": column,
        "top_k": top_k,
        "include_restricted": include_restricted,
    }


def survey_job(matcher: Matcher, request: dict[str, Any]) -> JobFn:
    """The job body for a saved survey request: at submission, and to resume after a restart.

    The request is read strictly (a file name only, typed options), since on a resume it comes
    back from disk.
    """
    name = str(request["input"])
    if Path(name).name != name or not name.startswith(INPUT_STEM):
        raise ValueError(f"unexpected survey input name {name!r}")
    column = request["column"]
    if column is not None and not isinstance(column, str):
        raise TypeError("column must be a string or null")
    top_k, include_restricted = int(request["top_k"]), bool(request["include_restricted"])
    return lambda ctx: run_survey(
        matcher, ctx.workdir / name, column, ctx, top_k=top_k, include_restricted=include_restricted
    )


def run_survey(
    matcher: Matcher,
    path: Path,
    column: str | None,
    ctx: JobContext,
    *,
    top_k: int,
    include_restricted: bool,
) -> dict[str, Any]:
    """Job body: the library's batch runner (the same code path as `matcher batch`), XLSX + CSV out.

    The checkpoint lives in the job's folder, so a job resumed after a restart goes on from its
    last committed chunk; if the index changed in between, the old rows would not match the new
    ones, so the survey is matched again from the start and the message says so.
    """
    from matcher.batch.checkpoint import ResumeMismatch, checkpoint_dir
    from matcher.batch.runner import run_batch
    from matcher.batch.writers import write_output

    def progress(done: int, total: int | None) -> None:
        ctx.progress(done, total or done, f"Đang so khớp {done}/{total if total else '?'} dòng…")

    xlsx = ctx.workdir / "ket-qua.xlsx"

    def run(restart: bool) -> BatchSummary:
        return run_batch(
            path,
            xlsx,
            matcher=matcher,
            text_columns=[column] if column else None,
            top_k=top_k,
            include_restricted=include_restricted,
            chunk_size=min(CHUNK, matcher.settings.max_batch),
            restart=restart,
            progress=progress,
        )

    restarted = False
    try:
        summary = run(restart=False)
    except ResumeMismatch:
        restarted = True
        summary = run(restart=True)
    cp = checkpoint_dir(xlsx)
    write_output(cp / "results.jsonl", cp / "skipped.jsonl", summary, ctx.workdir / "ket-qua.csv")
    return {
        "result": {
            "needs": summary.needs,
            "skipped": summary.skipped,
            "needs_with_warnings": summary.with_warnings,
            "no_good_match": summary.no_good_match,
            "resumed_from_row": summary.resumed_from_row,
        },
        "downloads": {fmt: f"/v1/jobs/{ctx.job_id}/result.{fmt}" for fmt in ("xlsx", "csv")},
        "message": (
            f"Đã so khớp {summary.needs} nhu cầu ({summary.with_warnings} có cảnh báo hạn chế, "
            f"{summary.skipped} dòng bỏ qua)."
            + (f" {RESTARTED}" if restarted else "")
            + (
                f" Đã chạy tiếp từ dòng dữ liệu thứ {summary.resumed_from_row + 1} sau khi dịch vụ khởi động lại."
                if summary.resumed_from_row
                else ""
            )
        ),
    }

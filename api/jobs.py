"""Background jobs (catalog rebuilds, survey batches) with progress that the web page polls.

Jobs run in a small thread pool so the event loop keeps answering queries while an index is
built or a survey is matched. Work is CPU-bound inside native code (the embedder, FAISS) that
releases the GIL, so threads are enough and avoid re-loading the model in another process.
Each job's status is also written to `<root>/<job id>/job.json` at every change of state, so a
restarted service still lists finished jobs and serves their result files; a job that was
queued or running when the service stopped is reported as failed, with a message that says to
submit it again (its thread died with the process), unless it was submitted with a `request`:
such a job (a survey batch, whose runner checkpoints every chunk) is queued again as it was and
`resume` restarts it once the service can run it, so it goes on from its last saved row. Files a
job reads (the uploaded survey) are moved into its folder at submission. Beyond `KEEP_JOBS` jobs, finished jobs
leave the list together with their folder (result files), oldest finish first, so a service
that runs for months does not fill its disk; a job finished less than `KEEP_FINISHED` ago always
stays, so a burst of new submissions cannot delete results someone is about to download.

All of this assumes one registry per folder: a second service started on the same data folder
would mark the first one's running jobs as interrupted and run them again beside it. The registry
therefore holds an exclusive lock on its folder (`filelock`: the operating system releases it when
the process dies, so a crash never leaves a stale lock) and a second one is refused.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from api.schemas import JobStatus
from matcher.errors import TechmatchError
from matcher.fileio import atomic_write_text

log = logging.getLogger("techmatch.api.jobs")
KEEP_JOBS = 200
KEEP_FINISHED = timedelta(hours=24)
STATUS_FILE = "job.json"
LOCK_FILE = ".techmatch.lock"
REQUEST_FILE = "request.json"
INTERRUPTED = "Dịch vụ đã khởi động lại khi tác vụ này đang chạy nên tác vụ đã dừng; hãy gửi lại yêu cầu."
RESUMING = (
    "Dịch vụ đã khởi động lại khi tác vụ này đang chạy; tác vụ sẽ tự chạy tiếp từ dòng đã lưu "
    "khi dịch vụ sẵn sàng."
)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")  # orders jobs of the same second


class JobContext:
    """What a running job sees: a progress reporter and its own output directory."""

    def __init__(self, registry: JobRegistry, job_id: str, workdir: Path) -> None:
        self._registry = registry
        self.job_id = job_id
        self.workdir = workdir

    def progress(self, done: int, total: int, message: str | None = None) -> None:
        self._registry._update(
            self.job_id,
            done=done,
            total=total,
            progress=(min(done / total, 1.0) if total else 0.0),
            **({"message": message} if message is not None else {}),
        )


JobFn = Callable[[JobContext], dict[str, Any]]
#: Rebuilds a job's body from the request it was submitted with (see `JobRegistry.resume`).
JobFactory = Callable[[dict[str, Any]], JobFn]


#: What a job of each kind is doing, for people (messages are Vietnamese; kinds are API values).
KIND_DOING = {"catalog": "xây chỉ mục mới", "survey": "so khớp một tệp khảo sát"}


class JobConflict(TechmatchError):
    """A job of a kind that runs one at a time is already queued or running (HTTP 409)."""

    def __init__(self, running: JobStatus, then: str = "") -> None:
        doing = KIND_DOING.get(running.kind, f"chạy tác vụ {running.kind}")
        super().__init__(f"Đang {doing} (tác vụ {running.id}); hãy chờ xong{then}.")
        self.running = running


class QueueFull(TechmatchError):
    """Too many jobs of a kind are already waiting: the caller should try again later."""


class JobsFolderInUse(TechmatchError):
    """Another running service owns the jobs folder."""


class JobRegistry:
    """Submits jobs, tracks their status, keeps the last `KEEP_JOBS` of them."""

    def __init__(self, root: Path, workers: int = 2) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        # not thread-local: the lifespan that releases it runs on another thread than create_app
        self._owner = FileLock(self.root / LOCK_FILE, thread_local=False)
        try:
            self._owner.acquire(timeout=0)
        except Timeout as e:
            raise JobsFolderInUse(
                f"Thư mục tác vụ {self.root} đang được một dịch vụ techmatch khác dùng. "
                "Hãy dừng dịch vụ đó, hoặc đặt TECHMATCH_DATA_DIR khác cho dịch vụ này."
            ) from e
        self._jobs: OrderedDict[str, JobStatus] = OrderedDict()
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="techmatch-job")
        self._to_resume: list[str] = []  # interrupted jobs with a saved request, oldest first
        self._load_saved()

    def _load_saved(self) -> None:
        """Jobs of earlier runs of the service, oldest first.

        An interrupted job that saved its request waits, queued, for `resume`; any other
        interrupted job becomes failed with a message that says to submit it again.
        """
        saved: list[JobStatus] = []
        for path in self.root.glob(f"*/{STATUS_FILE}"):
            try:
                saved.append(JobStatus.model_validate_json(path.read_bytes()))
            except (OSError, ValueError) as e:
                log.warning("ignoring unreadable job status %s: %s", path, e)
        saved.sort(key=lambda j: j.created_at)
        interrupted = []
        with self._lock:
            for job in saved:
                if job.state in ("queued", "running"):
                    if (self.root / job.id / REQUEST_FILE).is_file():
                        job = job.model_copy(update={"state": "queued", "message": RESUMING})
                        self._to_resume.append(job.id)
                    else:
                        job = job.model_copy(
                            update={"state": "failed", "error": INTERRUPTED, "finished_at": _now()}
                        )
                    interrupted.append(job)
                self._jobs[job.id] = job
            evicted = self._evict()
        for job in interrupted:
            self._save(job)
        for old in evicted:
            self._remove_files(old)

    def _remove_files(self, job_id: str) -> None:
        """Delete an evicted job's folder (status and result files)."""
        shutil.rmtree(self.root / job_id, ignore_errors=True)

    def _evict(self) -> list[str]:
        """Drop finished jobs beyond `KEEP_JOBS`, earliest finish first; the caller holds the lock.

        Queued and running jobs, and jobs finished within `KEEP_FINISHED`, are never dropped.
        """
        cutoff = (datetime.now(UTC) - KEEP_FINISHED).isoformat(timespec="milliseconds")
        old = sorted(
            (
                j
                for j in self._jobs.values()
                if j.state in ("done", "failed") and (j.finished_at or "") <= cutoff
            ),
            key=lambda j: j.finished_at or "",
        )
        evicted = [j.id for j in old[: max(0, len(self._jobs) - KEEP_JOBS)]]
        for job_id in evicted:
            del self._jobs[job_id]
        return evicted

    def _save(self, job: JobStatus) -> None:
        """Write the status beside the job's files, atomically (a crash leaves the old one).

        Under the lock, and only while the job is listed: a job evicted meanwhile must not get
        its folder back with a status that points at deleted files.
        """
        with self._lock:
            current = self._jobs.get(job.id)
            if current is None:
                return
            try:  # the listed status: never an older copy over a newer one
                atomic_write_text(self.root / job.id / STATUS_FILE, current.model_dump_json())
            except OSError as e:  # the job itself must not fail because its status could not be saved
                log.warning("could not save the status of job %s: %s", job.id, e)

    def submit(
        self,
        kind: str,
        fn: JobFn,
        message: str = "",
        *,
        exclusive: bool = False,
        max_queued: int | None = None,
        files: Mapping[str, Path] | None = None,
        request: dict[str, Any] | None = None,
    ) -> JobStatus:
        """Queue a job. With `exclusive`, refuse (JobConflict) while another of its kind is active;
        with `max_queued`, refuse (QueueFull) while that many of its kind wait to start.

        The check and the registration happen under one lock, so two concurrent uploads cannot
        both pass it (checking `active()` first and submitting later leaves that gap open).
        `files` ({name in the job's folder: path}) are moved into the job's folder, so they leave
        with it; `request` (JSON) is saved there, which makes the job resumable after a restart
        by the factory given to `resume` for its kind.
        """
        job_id = uuid.uuid4().hex[:12]
        status = JobStatus(id=job_id, kind=kind, state="queued", created_at=_now(), message=message)  # type: ignore[arg-type]
        with self._lock:
            if exclusive:
                running = self._active(kind)
                if running is not None:
                    raise JobConflict(running)
            if max_queued is not None:
                waiting = sum(1 for j in self._jobs.values() if j.kind == kind and j.state == "queued")
                if waiting >= max_queued:
                    doing = KIND_DOING.get(kind, f"chạy tác vụ {kind}")
                    raise QueueFull(
                        f"Đang có {waiting} tác vụ chờ {doing} (tối đa {max_queued}). Hãy gửi lại sau ít phút."
                    )
            self._jobs[job_id] = status
            evicted = self._evict()
        for old in evicted:
            self._remove_files(old)
        workdir = self.root / job_id
        try:
            workdir.mkdir(parents=True, exist_ok=True)
            for name, source in (files or {}).items():
                os.replace(source, workdir / name)
            if request is not None:
                atomic_write_text(workdir / REQUEST_FILE, json.dumps(request, ensure_ascii=False))
        except OSError:
            with self._lock:
                self._jobs.pop(job_id, None)
            self._remove_files(job_id)
            raise
        self._save(status)
        self._pool.submit(self._run, job_id, fn, workdir)
        return status.model_copy()

    def resume(self, kind: str, factory: JobFactory) -> list[str]:
        """Queue again the interrupted jobs of `kind` that saved a request; returns their ids.

        Called by the service once it can run them (model and index loaded). A request that can
        no longer be read fails its job with the reason instead of leaving it queued forever.
        """
        with self._lock:
            ids = [i for i in self._to_resume if i in self._jobs and self._jobs[i].kind == kind]
            self._to_resume = [i for i in self._to_resume if i not in ids]
        for job_id in ids:
            workdir = self.root / job_id
            try:
                request = json.loads((workdir / REQUEST_FILE).read_text(encoding="utf-8"))
                fn = factory(request)
            except (OSError, ValueError, TypeError, KeyError) as e:
                log.warning("cannot resume job %s: %s", job_id, e)
                self._update(job_id, state="failed", error=INTERRUPTED, finished_at=_now())
                continue
            log.info("resuming job %s (%s) after a restart", job_id, kind)
            self._pool.submit(self._run, job_id, fn, workdir)
        return ids

    def get(self, job_id: str) -> JobStatus | None:
        with self._lock:
            job = self._jobs.get(job_id)
            return None if job is None else job.model_copy(deep=True)

    def list(self, kind: str | None = None) -> list[JobStatus]:
        with self._lock:
            return [j.model_copy(deep=True) for j in reversed(self._jobs.values()) if kind in (None, j.kind)]

    def active(self, kind: str) -> JobStatus | None:
        with self._lock:
            job = self._active(kind)
            return None if job is None else job.model_copy()

    def _active(self, kind: str) -> JobStatus | None:
        """The queued or running job of `kind`; the caller holds the lock."""
        return next(
            (j for j in self._jobs.values() if j.kind == kind and j.state in ("queued", "running")), None
        )

    def workdir(self, job_id: str) -> Path:
        return self.root / job_id

    def shutdown(self) -> None:
        """Stop taking jobs and give the folder up (a service started after this may own it)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._owner.release()

    def _update(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                return
            job = self._jobs[job_id] = job.model_copy(update=changes)
        if "state" in changes:  # progress ticks stay in memory; states are saved
            self._save(job)

    def _run(self, job_id: str, fn: JobFn, workdir: Path) -> None:
        self._update(job_id, state="running")
        try:
            workdir.mkdir(parents=True, exist_ok=True)
            result = fn(JobContext(self, job_id, workdir))
        except TechmatchError as e:
            log.warning("job %s failed: %s", job_id, e)
            self._update(job_id, state="failed", error=str(e), finished_at=_now())
        except Exception as e:  # a job must never die silently: record it, log the trace
            log.exception("job %s crashed", job_id)
            self._update(
                job_id,
                state="failed",
                finished_at=_now(),
                error=f"Lỗi ngoài dự kiến khi chạy tác vụ ({type(e).__name__}). Mã tác vụ: {job_id}.",
            )
        else:
            with self._lock:
                job = self._jobs.get(job_id)
                if job is None:
                    return
                job = self._jobs[job_id] = job.model_copy(
                    update={
                        "state": "done",
                        "finished_at": _now(),
                        "result": result.get("result", {}),
                        "downloads": result.get("downloads", {}),
                        "message": result.get("message", job.message),
                        "progress": 1.0,
                        "done": max(job.done, job.total),
                    }
                )
            self._save(job)

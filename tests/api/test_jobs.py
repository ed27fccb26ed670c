"""Background jobs keep their status on disk: a restarted service still knows them."""

from __future__ import annotations

import json
import time
from pathlib import Path

from api.jobs import INTERRUPTED, STATUS_FILE, JobContext, JobRegistry


def _wait(registry: JobRegistry, job_id: str, timeout: float = 10.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = registry.get(job_id)
        if job is not None and job.state in ("done", "failed"):
            return job.state
        time.sleep(0.02)
    raise AssertionError(f"job {job_id} did not finish")


def test_finished_job_survives_a_restart_with_its_downloads(tmp_path: Path) -> None:
    def work(ctx: JobContext) -> dict:
        ctx.progress(3, 3)
        (ctx.workdir / "ket-qua.csv").write_text("a\n", encoding="utf-8")
        return {"result": {"needs": 3}, "downloads": {"csv": "/v1/jobs/x/result.csv"}}

    first = JobRegistry(tmp_path)
    job = first.submit("survey", work, message="đang chờ")
    assert _wait(first, job.id) == "done"
    first.shutdown()

    again = JobRegistry(tmp_path)
    saved = again.get(job.id)
    assert saved is not None and saved.state == "done"
    assert saved.result == {"needs": 3} and saved.downloads == {"csv": "/v1/jobs/x/result.csv"}
    assert (again.workdir(job.id) / "ket-qua.csv").is_file()
    again.shutdown()


def test_job_running_at_shutdown_is_reported_failed_after_restart(tmp_path: Path) -> None:
    registry = JobRegistry(tmp_path)
    job = registry.submit("catalog", lambda ctx: time.sleep(1.0) or {})
    registry.shutdown()  # the process "dies": the status on disk still says queued/running
    status = json.loads((tmp_path / job.id / STATUS_FILE).read_text(encoding="utf-8"))
    assert status["state"] in ("queued", "running")

    restarted = JobRegistry(tmp_path)
    again = restarted.get(job.id)
    assert again is not None and again.state == "failed" and again.error == INTERRUPTED
    assert restarted.active("catalog") is None  # an interrupted rebuild does not block a new one
    restarted.shutdown()


def test_unreadable_status_file_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "abc").mkdir()
    (tmp_path / "abc" / STATUS_FILE).write_text("{not json", encoding="utf-8")
    registry = JobRegistry(tmp_path)
    assert registry.list() == []
    registry.shutdown()


def test_exclusive_submit_refuses_a_second_job_of_the_kind(tmp_path: Path) -> None:
    import threading

    import pytest

    from api.jobs import JobConflict

    gate = threading.Event()
    registry = JobRegistry(tmp_path)
    first = registry.submit("catalog", lambda ctx: gate.wait(5) and {}, exclusive=True)
    with pytest.raises(JobConflict, match=first.id):
        registry.submit("catalog", lambda ctx: {}, exclusive=True)
    other_kind = registry.submit("survey", lambda ctx: {}, exclusive=True)  # kinds are independent
    gate.set()
    assert _wait(registry, first.id) == "done" and _wait(registry, other_kind.id) == "done"
    registry.submit("catalog", lambda ctx: {}, exclusive=True)  # free again once the first ended
    registry.shutdown()

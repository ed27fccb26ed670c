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


def test_old_jobs_leave_with_their_files(tmp_path: Path, monkeypatch) -> None:
    import datetime as dt

    import api.jobs as jobs

    monkeypatch.setattr(jobs, "KEEP_JOBS", 2)
    monkeypatch.setattr(jobs, "KEEP_FINISHED", dt.timedelta(0))  # every finished job is old enough

    def work(ctx: JobContext) -> dict:
        (ctx.workdir / "ket-qua.csv").write_text("a\n", encoding="utf-8")
        return {}

    registry = JobRegistry(tmp_path)
    ids = []
    for _ in range(3):
        job = registry.submit("survey", work)
        assert _wait(registry, job.id) == "done"
        ids.append(job.id)
    assert registry.get(ids[0]) is None and not (tmp_path / ids[0]).exists()  # evicted with its files
    assert all((tmp_path / i / "ket-qua.csv").is_file() for i in ids[1:])
    registry.shutdown()

    # a folder left from before the limit (or an older version of the service) goes at start-up
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / STATUS_FILE).write_text(
        json.dumps(
            {
                "id": "old",
                "kind": "survey",
                "state": "done",
                "created_at": "2000-01-01T00:00:00+00:00",
                "finished_at": "2000-01-01T00:01:00+00:00",
            }
        ),
        encoding="utf-8",
    )
    restarted = JobRegistry(tmp_path)
    assert {j.id for j in restarted.list()} == {ids[1], ids[2]}
    assert not (tmp_path / "old").exists()
    restarted.shutdown()


def test_recently_finished_results_stay_whatever_is_submitted(tmp_path: Path, monkeypatch) -> None:
    import api.jobs as jobs

    monkeypatch.setattr(jobs, "KEEP_JOBS", 1)
    registry = JobRegistry(tmp_path)
    first = registry.submit("survey", lambda ctx: {})
    assert _wait(registry, first.id) == "done"
    for _ in range(3):  # a burst of submissions
        assert _wait(registry, registry.submit("survey", lambda ctx: {}).id) == "done"
    assert registry.get(first.id) is not None and (tmp_path / first.id / STATUS_FILE).is_file()
    registry.shutdown()


def test_an_active_job_is_never_evicted(tmp_path: Path, monkeypatch) -> None:
    import datetime
    import threading

    import api.jobs as jobs

    monkeypatch.setattr(jobs, "KEEP_JOBS", 1)
    monkeypatch.setattr(jobs, "KEEP_FINISHED", datetime.timedelta(0))
    release = threading.Event()
    registry = JobRegistry(tmp_path, workers=2)
    slow = registry.submit("catalog", lambda ctx: release.wait(5) and {})
    quick = registry.submit("survey", lambda ctx: {})
    assert _wait(registry, quick.id) == "done"
    assert registry.get(slow.id) is not None  # still running: kept although over the limit
    third = registry.submit("survey", lambda ctx: {})
    assert _wait(registry, third.id) == "done"
    assert registry.get(quick.id) is None  # the finished one went instead
    release.set()
    assert _wait(registry, slow.id) == "done"
    registry.shutdown()

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


def _interrupted(root: Path, job_id: str, kind: str, request: dict | None) -> None:
    """What a process that died mid-job leaves on disk: a running status (and maybe its request)."""
    from api.jobs import REQUEST_FILE

    (root / job_id).mkdir(parents=True)
    status = {"id": job_id, "kind": kind, "state": "running", "created_at": "2026-01-01T00:00:00.000+00:00"}
    (root / job_id / STATUS_FILE).write_text(json.dumps(status), encoding="utf-8")
    if request is not None:
        (root / job_id / REQUEST_FILE).write_text(json.dumps(request), encoding="utf-8")


def test_a_job_with_a_saved_request_waits_then_resumes_after_a_restart(tmp_path: Path) -> None:
    from api.jobs import RESUMING

    _interrupted(tmp_path, "survey1", "survey", {"rows": 3})
    _interrupted(tmp_path, "catalog1", "catalog", None)  # no request: cannot be resumed
    registry = JobRegistry(tmp_path)
    waiting = registry.get("survey1")
    assert waiting is not None and waiting.state == "queued" and waiting.message == RESUMING
    assert json.loads((tmp_path / "survey1" / STATUS_FILE).read_text(encoding="utf-8"))["state"] == "queued"
    failed = registry.get("catalog1")
    assert failed is not None and failed.state == "failed" and failed.error == INTERRUPTED

    seen: list[dict] = []

    def factory(request: dict):
        seen.append(request)
        return lambda ctx: {"result": {"rows": request["rows"]}}

    assert registry.resume("catalog", factory) == []  # only the kind asked for
    assert registry.resume("survey", factory) == ["survey1"]
    assert _wait(registry, "survey1") == "done" and registry.get("survey1").result == {"rows": 3}
    assert seen == [{"rows": 3}]
    assert registry.resume("survey", factory) == []  # once only
    registry.shutdown()


def test_a_request_that_cannot_be_read_fails_its_job_instead_of_waiting_forever(tmp_path: Path) -> None:
    _interrupted(tmp_path, "bad", "survey", {"unexpected": True})
    registry = JobRegistry(tmp_path)
    assert registry.resume("survey", lambda request: request["input"]) == ["bad"]  # KeyError
    job = registry.get("bad")
    assert job is not None and job.state == "failed" and job.error == INTERRUPTED
    registry.shutdown()


def test_files_move_into_the_job_folder_and_the_request_is_saved(tmp_path: Path) -> None:
    import threading

    import pytest

    from api.jobs import REQUEST_FILE, QueueFull

    upload = tmp_path / "uploads" / "x.csv"
    upload.parent.mkdir()
    upload.write_text("Nhu cầu\nlọc nước\n", encoding="utf-8")
    gate = threading.Event()
    registry = JobRegistry(tmp_path / "jobs", workers=1)
    first = registry.submit(
        "survey", lambda ctx: gate.wait(5) and {}, files={"khao-sat.csv": upload}, request={"top_k": 5}
    )
    assert not upload.exists()
    assert (tmp_path / "jobs" / first.id / "khao-sat.csv").read_text(encoding="utf-8").startswith("Nhu cầu")
    saved = json.loads((tmp_path / "jobs" / first.id / REQUEST_FILE).read_text(encoding="utf-8"))
    assert saved == {"top_k": 5}

    deadline = time.monotonic() + 5
    while registry.get(first.id).state != "running" and time.monotonic() < deadline:
        time.sleep(0.01)
    second = registry.submit("survey", lambda ctx: {}, max_queued=1)  # the first runs, this one waits
    with pytest.raises(QueueFull, match=r"chờ so khớp một tệp khảo sát \(tối đa 1\)"):
        registry.submit("survey", lambda ctx: {}, max_queued=1)
    registry.submit("catalog", lambda ctx: {}, max_queued=1)  # counted per kind
    gate.set()
    assert _wait(registry, first.id) == "done" and _wait(registry, second.id) == "done"
    registry.shutdown()


def test_a_second_service_on_the_same_folder_is_refused(tmp_path: Path) -> None:
    import pytest

    from api.jobs import JobsFolderInUse

    first = JobRegistry(tmp_path)
    with pytest.raises(JobsFolderInUse, match="TECHMATCH_DATA_DIR"):
        JobRegistry(tmp_path)
    first.shutdown()
    JobRegistry(tmp_path).shutdown()  # free once the first service stopped


def test_a_killed_service_leaves_no_stale_lock(tmp_path: Path) -> None:
    """The lock dies with its process (kill -9 included): the next start is never refused."""
    import signal
    import subprocess
    import sys

    import pytest

    from api.jobs import JobsFolderInUse

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from api.jobs import JobRegistry; registry = JobRegistry(sys.argv[1]); "
            "print('ready', flush=True); time.sleep(60)",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(JobsFolderInUse):
            JobRegistry(tmp_path)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(10)
    JobRegistry(tmp_path).shutdown()

"""Survey upload -> background batch with progress -> results download."""

from __future__ import annotations

import io
import time

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.slow

SURVEY = (
    "Mã phiếu,Doanh nghiệp,Nhu cầu công nghệ\n"
    "KS-01,Công ty A,xử lý nước thải ao nuôi tôm\n"
    "KS-02,Công ty B,tu dong hoa cang container\n"
    "KS-03,Công ty C,\n"
    "KS-04,Công ty D,lò đốt rác sinh hoạt 500 kg/h\n"
)


def finish(c: TestClient, url: str) -> dict:
    for _ in range(600):
        job = c.get(url).json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError("survey job did not finish")


def test_survey_batch_round_trip(client: TestClient) -> None:
    res = client.post(
        "/v1/surveys", files={"file": ("khao-sat.csv", SURVEY.encode(), "text/csv")}, data={"top_k": "3"}
    )
    assert res.status_code == 202, res.text
    job = finish(client, res.json()["status_url"])
    assert job["state"] == "done", job
    assert job["result"]["needs"] == 3 and job["result"]["skipped"] == 1  # KS-03 has no need
    assert job["progress"] == 1.0

    res = client.get(job["downloads"]["xlsx"])
    assert res.status_code == 200
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(res.content)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("Dòng", "Mã nhu cầu")
    assert len(rows) == 1 + 3 * 3 + 1  # three needs x top 3, plus the skipped row
    tech_id = rows[0].index("Mã công nghệ")
    by_need = {(r[1], r[tech_id]) for r in rows[1:]}
    assert ("KS-01", "VAST-084") in by_need and ("KS-04", "VAST-118") in by_need
    csv_text = client.get(job["downloads"]["csv"]).content.decode("utf-8-sig")
    assert "KS-02" in csv_text


def test_survey_xlsx_upload(client: TestClient) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["STT", "Mô tả nhu cầu"])
    wb.active.append([1, "máy phay CNC 5 trục"])
    buf = io.BytesIO()
    wb.save(buf)
    res = client.post("/v1/surveys", files={"file": ("ks.xlsx", buf.getvalue(), "application/octet-stream")})
    assert res.status_code == 202, res.text
    job = finish(client, res.json()["status_url"])
    assert job["state"] == "done" and job["result"]["needs"] == 1


@pytest.mark.parametrize(
    ("filename", "content", "data", "fragment"),
    [
        ("ks.pdf", b"%PDF", {}, ".pdf"),
        ("ks.csv", b"", {}, "trống"),
        ("ks.csv", "Doanh nghiệp,Địa chỉ\nA,Hải Phòng\n".encode(), {}, "Cột nhu cầu"),
        ("ks.csv", SURVEY.encode(), {"column": "Không có"}, "Không có"),
        ("ks.xlsx", b"PK-not-really", {}, ".xlsx"),
        ("ks.csv", SURVEY.encode(), {"top_k": "0"}, "top_k"),
    ],
)
def test_bad_surveys_are_refused_at_upload(
    client: TestClient, filename: str, content: bytes, data: dict, fragment: str
) -> None:
    res = client.post("/v1/surveys", files={"file": (filename, content, "text/csv")}, data=data)
    assert res.status_code == 422, res.text
    assert fragment in res.json()["detail"]
    assert "/surveys/" not in res.json()["detail"]  # no server path leaks


def test_too_long_rows_are_skipped_not_fatal(client: TestClient) -> None:
    content = ("Nhu cầu\nmáy phay CNC 5 trục\n" + "x" * 5001 + "\n").encode()
    res = client.post("/v1/surveys", files={"file": ("ks.csv", content, "text/csv")})
    assert res.status_code == 202, res.text
    job = finish(client, res.json()["status_url"])
    assert job["state"] == "done" and job["result"] == {**job["result"], "needs": 1, "skipped": 1}


def test_unknown_survey_job(client: TestClient) -> None:
    assert client.get("/v1/jobs/nope").status_code == 404
    assert client.get("/v1/jobs/nope/result.xlsx").status_code == 404


def test_the_upload_lives_in_its_job_folder_only(client: TestClient, data_dir) -> None:
    res = client.post("/v1/surveys", files={"file": ("ks.csv", SURVEY.encode(), "text/csv")})
    assert res.status_code == 202, res.text
    job = finish(client, res.json()["status_url"])
    assert job["state"] == "done"
    assert (data_dir / "jobs" / job["id"] / "khao-sat.csv").read_bytes() == SURVEY.encode()
    assert not list((data_dir / "surveys").glob("*")), "uploads must leave with their job's folder"


def test_an_interrupted_survey_goes_on_from_its_checkpoint_after_a_restart(
    api_settings, small_matcher, tmp_path
) -> None:
    import json

    from api.app import create_app
    from api.jobs import STATUS_FILE

    settings = api_settings.model_copy(update={"data_dir": tmp_path})
    with TestClient(create_app(settings, matcher=small_matcher)) as c:
        res = c.post("/v1/surveys", files={"file": ("ks.csv", SURVEY.encode(), "text/csv")})
        job = finish(c, res.json()["status_url"])
    assert job["state"] == "done" and job["result"]["resumed_from_row"] == 0
    folder = tmp_path / "jobs" / job["id"]
    checkpoint = folder / "ket-qua.xlsx.checkpoint"

    def die_after_first_row() -> None:
        """Leave the folder as a process killed after committing the first chunk of one row."""
        first_line = (checkpoint / "results.jsonl").read_bytes().split(b"\n")[0] + b"\n"
        manifest = json.loads((checkpoint / "manifest.json").read_text(encoding="utf-8"))
        manifest.update(
            events_done=1, results_bytes=len(first_line), skipped_bytes=0, needs_done=1, skipped_done=0
        )
        manifest["complete"] = False
        (checkpoint / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        status = json.loads((folder / STATUS_FILE).read_text(encoding="utf-8"))
        status.update(state="running", finished_at=None, result={}, downloads={})
        (folder / STATUS_FILE).write_text(json.dumps(status), encoding="utf-8")
        (folder / "ket-qua.xlsx").unlink()

    die_after_first_row()
    with TestClient(create_app(settings, matcher=small_matcher)) as c:  # the service comes back
        again = finish(c, f"/v1/jobs/{job['id']}")
        assert again["state"] == "done", again
        assert again["result"] == {**job["result"], "resumed_from_row": 1}  # same counts, rows 2-4 only
        assert "dòng dữ liệu thứ 2" in again["message"]
        assert c.get(again["downloads"]["xlsx"]).status_code == 200

    # the index changed while it was down: the old rows would not match, so it starts over
    die_after_first_row()
    manifest = json.loads((checkpoint / "manifest.json").read_text(encoding="utf-8"))
    manifest["args"]["index"] = "another-version"
    (checkpoint / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with TestClient(create_app(settings, matcher=small_matcher)) as c:
        again = finish(c, f"/v1/jobs/{job['id']}")
        assert again["state"] == "done", again
        assert again["result"] == {**job["result"], "resumed_from_row": 0}
        assert "từ đầu" in again["message"]

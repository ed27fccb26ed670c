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
    assert rows[0][:2] == ("Dòng", "Mã nhu cầu") and rows[0][6] == "Mã công nghệ"
    assert len(rows) == 1 + 3 * 3 + 1  # three needs x top 3, plus the skipped row
    by_need = {(r[1], r[6]) for r in rows[1:]}
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

"""/v1/match, /v1/match/batch and /v1/export with the real model on the small real catalog."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.slow


def ids(body: dict) -> list[str]:
    return [r["tech_id"] for r in body["result"]["results"]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("xử lý nước thải ao nuôi tôm", "VAST-084"),
        ("tu dong hoa cang container", "VAST-003"),  # typed without diacritics
        ("lò đốt rác sinh hoạt 500 kg/h", "VAST-118"),
    ],
)
def test_match_finds_the_expected_technology(client: TestClient, text: str, expected: str) -> None:
    res = client.post("/v1/match", json={"text": text, "top_k": 5})
    assert res.status_code == 200, res.text
    body = res.json()
    assert expected in ids(body)[:3]
    assert body["index"]["name"] == "small" and body["index"]["n_items"] == 28
    first = body["result"]["results"][0]
    assert {"score", "verdict", "explanation", "technology", "restricted", "priority"} <= first.keys()
    assert first["explanation"]["summary"]
    assert isinstance(body["result"]["sectors"], list)
    assert res.headers["x-request-id"]


def test_unaccented_need_is_restored(client: TestClient) -> None:
    body = client.post("/v1/match", json={"text": "tu dong hoa cang container"}).json()
    assert body["result"]["diacritics_restored"] is True
    assert body["result"]["restored_text"]


def test_filters_narrow_the_ranking(client: TestClient) -> None:
    body = client.post(
        "/v1/match", json={"text": "xử lý nước thải", "top_k": 20, "filters": {"field": ["Môi trường"]}}
    ).json()
    assert body["result"]["results"]
    assert {r["field"] for r in body["result"]["results"]} == {"Môi trường"}
    body = client.post(
        "/v1/match", json={"text": "xử lý nước thải", "top_k": 20, "filters": {"sector": ["luyen_kim_thep"]}}
    ).json()
    assert body["result"]["results"]  # all() of nothing would pass
    assert all("luyen_kim_thep" in r["sectors"] for r in body["result"]["results"])


def test_batch_matches_each_need(client: TestClient) -> None:
    texts = ["xử lý nước thải ao nuôi tôm", "máy phay CNC 5 trục"]
    res = client.post("/v1/match/batch", json={"texts": texts, "top_k": 3})
    assert res.status_code == 200, res.text
    results = res.json()["results"]
    assert [r["need_text"] for r in results] == texts
    assert "VAST-035" in [r["tech_id"] for r in results[1]["results"]]


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({"text": ""}, "trống"),
        ({"text": "   "}, "trống"),
        ({"text": "x" * 5001}, "5000"),
        ({"text": "nước thải", "top_k": 0}, "top_k"),
        ({"text": "nước thải", "top_k": 101}, "top_k"),
        ({"text": "nước thải", "colour": "red"}, "colour"),
        ({"text": "nước thải", "filters": {"sector": ["khong_co"]}}, "khong_co"),
        ({"text": "nước thải", "filters": {"field": ["Thiên văn"]}}, "Thiên văn"),
        ({"text": "nước thải", "filters": {"bogus": True}}, "bogus"),
        ({"text": 12}, "text"),
        ({}, "text"),
    ],
)
def test_bad_match_requests_are_422_in_vietnamese(client: TestClient, payload: dict, fragment: str) -> None:
    res = client.post("/v1/match", json=payload)
    assert res.status_code == 422, res.text
    body = res.json()
    assert fragment in body["detail"]
    assert body["request_id"] == res.headers["x-request-id"]
    assert "Traceback" not in res.text


def test_invalid_json_is_422(client: TestClient) -> None:
    res = client.post("/v1/match", content=b"{not json", headers={"Content-Type": "application/json"})
    assert res.status_code == 422
    assert "JSON" in res.json()["detail"]


def test_batch_over_the_limit_names_the_limit(client: TestClient) -> None:
    res = client.post("/v1/match/batch", json={"texts": ["nước thải"] * 9})
    assert res.status_code == 422
    assert "8" in res.json()["detail"] and "9" in res.json()["detail"]
    res = client.post("/v1/match/batch", json={"texts": []})
    assert res.status_code == 422


def test_export_csv_and_xlsx(client: TestClient) -> None:
    query = {"texts": ["xử lý nước thải ao nuôi tôm"], "top_k": 5}
    res = client.post("/v1/export?format=csv", json=query)
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("text/csv")
    text = res.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith(
        "STT nhu cầu,Nhu cầu,Hệ thống đã hiểu là,Trạng thái,Hạng,Mã công nghệ"
    )
    assert "VAST-084" in text
    res = client.post("/v1/export?format=xlsx", json=query)
    assert res.status_code == 200
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(res.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:5] == ("STT nhu cầu", "Nhu cầu", "Hệ thống đã hiểu là", "Trạng thái", "Hạng")
    assert len(rows) == 6
    tech_id = rows[0].index("Mã công nghệ")
    assert "VAST-084" in [r[tech_id] for r in rows[1:]]
    assert client.post("/v1/export?format=pdf", json=query).status_code == 422


def test_export_never_writes_formulas(client: TestClient) -> None:
    res = client.post("/v1/export?format=xlsx", json={"texts": ['=HYPERLINK("x") nước thải'], "top_k": 1})
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(res.content)).active
    cell = ws.cell(row=2, column=2)
    assert ws.cell(row=1, column=2).value == "Nhu cầu"
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"
    csv_text = client.post("/v1/export?format=csv", json={"texts": ["=1+1 nước thải"], "top_k": 1}).text
    assert "'=1+1" in csv_text

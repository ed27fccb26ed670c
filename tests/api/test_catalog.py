"""/v1/technologies, /v1/technologies/{id}, /v1/facets."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.slow


def test_list_paginates(client: TestClient) -> None:
    page = client.get("/v1/technologies", params={"limit": 10}).json()
    assert page["total"] == 28 and len(page["items"]) == 10
    rest = client.get("/v1/technologies", params={"limit": 10, "offset": 20}).json()
    assert len(rest["items"]) == 8
    assert {i["id"] for i in page["items"]}.isdisjoint({i["id"] for i in rest["items"]})


def test_list_filters_and_searches(client: TestClient) -> None:
    page = client.get("/v1/technologies", params={"field": "moi truong"}).json()  # folded value works
    assert page["total"] > 0 and {i["field"] for i in page["items"]} == {"Môi trường"}
    page = client.get("/v1/technologies", params={"q": "lo dot"}).json()
    assert {"VAST-118", "VAST-119"} <= {i["id"] for i in page["items"]}
    page = client.get("/v1/technologies", params=[("sector", "luyen_kim_thep")]).json()
    assert {i["id"] for i in page["items"]} == {"VAST-135", "VAST-148"}


def test_list_by_plan_verdict_pages_through_every_entry_once(client: TestClient) -> None:
    every = client.get("/v1/technologies", params={"limit": 200}).json()["items"]
    by_verdict: dict[str, list[str]] = {}
    for verdict in ("yes", "no", "review"):
        page = client.get("/v1/technologies", params={"restricted": verdict, "limit": 200}).json()
        assert page["total"] == len(page["items"]) and {i["restricted"] for i in page["items"]} <= {verdict}
        by_verdict[verdict] = [i["id"] for i in page["items"]]
    assert by_verdict["yes"] and "VAST-119" in by_verdict["yes"]
    assert sorted(i for ids in by_verdict.values() for i in ids) == sorted(i["id"] for i in every)
    page = client.get("/v1/technologies", params={"restricted": "no", "q": "lo dot"}).json()
    assert "VAST-118" in {i["id"] for i in page["items"]} and "VAST-119" not in {
        i["id"] for i in page["items"]
    }


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 1000}, {"offset": -1}, {"restricted": "maybe"}, {"sector": "khong_co"}],
)
def test_list_rejects_bad_parameters(client: TestClient, params: dict) -> None:
    res = client.get("/v1/technologies", params=params)
    assert res.status_code == 422
    assert res.json()["detail"]


def test_detail_and_unknown_id(client: TestClient) -> None:
    body = client.get("/v1/technologies/VAST-084").json()
    assert body["technology"]["id"] == "VAST-084"
    assert body["verdict"]["restricted"] in ("yes", "no", "review")
    res = client.get("/v1/technologies/VAST-999")
    assert res.status_code == 404
    assert "VAST-999" in res.json()["detail"]


def test_facets(client: TestClient) -> None:
    body = client.get("/v1/facets").json()
    assert "Môi trường" in body["fields"]
    assert "Viện Công nghệ môi trường" in body["institutes"]
    assert "moi_truong" in body["sectors"]

"""/v1/rules and /v1/rules/check."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.slow


def test_rulebook(client: TestClient) -> None:
    body = client.get("/v1/rules").json()
    assert len(body["rules_checksum"]) == 64
    assert "moi_truong" in body["sectors"]
    book = body["rulebook"]
    assert len(book["restricted"]) == 49 and book["restricted"][0]["id"] == "R-IV1b-01"
    assert {s["id"] for s in book["sectors"]} == set(body["sectors"])


def test_check_a_restricted_need(client: TestClient) -> None:
    res = client.post("/v1/rules/check", json={"text": "lò nung gạch thủ công đốt than"})
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["verdict"]["restricted"] in ("yes", "review")
    assert body["warnings"]
    assert body["warnings"][0]["message"]


def test_check_an_english_need(client: TestClient) -> None:
    res = client.post(
        "/v1/rules/check",
        json={"text": "Our commune wants a small household waste incinerator, about 150 kg/h"},
    )
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["verdict"]["restricted"] == "review"
    hit = next(h for h in body["verdict"]["restricted_rules"] if h["rule_id"] == "R-IV1b-24")
    assert hit["how"] == "phrase" and hit["matched"] == ["waste incinerator"] and "tiếng Anh" in hit["reason"]
    assert body["warnings"]


def test_check_reads_a_misspelt_need_as_match_does(client: TestClient) -> None:
    body = client.post("/v1/rules/check", json={"text": "lò đốt giác thải 200 kg/h"}).json()
    assert body["spelling_corrections"] == ["giác → rác"]
    assert body["read_text"] == "lò đốt rác thải 200 kg/h"
    hit = next(h for h in body["verdict"]["restricted_rules"] if h["rule_id"] == "R-IV1b-24")
    assert (hit["how"], hit["verdict"]) == ("threshold", "yes")
    plain = client.post("/v1/rules/check", json={"text": "lò nung gạch thủ công đốt than"}).json()
    assert plain["spelling_corrections"] == [] and plain["read_text"] is None


def test_check_reads_chat_shorthand(client: TestClient) -> None:
    body = client.post("/v1/rules/check", json={"text": "ko dùng lò đốt rác 200 kg/h nữa"}).json()
    assert body["shorthand"] == ["ko → không"]
    assert body["read_text"] == "không dùng lò đốt rác 200 kg/h nữa"
    assert all(h["rule_id"] != "R-IV1b-24" for h in body["verdict"]["restricted_rules"])
    assert body["warnings"] == []


def test_check_an_ordinary_need(client: TestClient) -> None:
    body = client.post("/v1/rules/check", json={"text": "phần mềm quản lý kho hàng"}).json()
    assert body["verdict"]["restricted"] == "no"
    assert body["warnings"] == []


@pytest.mark.parametrize("payload", [{"text": ""}, {"text": "x" * 5001}, {"text": "a", "extra": 1}, {}])
def test_check_rejects_bad_input(client: TestClient, payload: dict) -> None:
    res = client.post("/v1/rules/check", json=payload)
    assert res.status_code == 422
    assert res.json()["detail"]

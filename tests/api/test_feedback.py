"""/v1/feedback into SQLite, the CSV export, migrations, and the loader `matcher eval` uses."""

from __future__ import annotations

import csv
import io
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from matcher.feedback import (
    DB_FILENAME,
    MIGRATIONS,
    SCHEMA_VERSION,
    FeedbackError,
    FeedbackStore,
    load_feedback_qrels,
)

NEED = "xử lý nước thải ao nuôi tôm"
AUTH = {"Authorization": "Bearer test-admin-token-123"}  # the token of api_settings (conftest)


@pytest.mark.slow
def test_feedback_is_stored_exported_and_loadable(client: TestClient, data_dir: Path) -> None:
    for relevant in (True, True, False):
        res = client.post(
            "/v1/feedback", json={"need_text": NEED, "tech_id": "VAST-084", "relevant": relevant}
        )
        assert res.status_code == 201, res.text
        assert res.json()["id"] > 0
    res = client.post(
        "/v1/feedback",
        json={"need_id": "KS-7", "tech_id": "VAST-118", "relevant": False, "comment": "quá lớn"},
    )
    assert res.status_code == 201

    assert client.get("/v1/feedback.csv").status_code == 401  # businesses' texts: admin only
    res = client.get("/v1/feedback.csv", headers=AUTH)
    assert res.status_code == 200 and res.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(res.content.decode("utf-8-sig"))))
    assert {"need_text", "tech_id", "relevant", "comment", "index_version"} <= rows[0].keys()
    assert any(r["need_id"] == "KS-7" and r["comment"] == "quá lớn" and r["relevant"] == "0" for r in rows)

    qrels = load_feedback_qrels(data_dir / DB_FILENAME)
    assert qrels[NEED]["VAST-084"] == 2  # two useful votes against one
    assert qrels["id:KS-7"]["VAST-118"] == 0


@pytest.mark.slow
@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"need_text": NEED, "tech_id": "VAST-999", "relevant": True}, 404),
        ({"tech_id": "VAST-084", "relevant": True}, 422),
        ({"need_text": "  ", "tech_id": "VAST-084", "relevant": True}, 422),
        ({"need_text": NEED, "tech_id": "VAST-084"}, 422),
        ({"need_text": NEED, "tech_id": "VAST-084", "relevant": "maybe"}, 422),
        ({"need_text": NEED, "tech_id": "VAST-084", "relevant": True, "stars": 5}, 422),
        ({"need_text": NEED, "tech_id": "VAST-084", "relevant": True, "comment": "x" * 2001}, 422),
    ],
)
def test_bad_feedback(client: TestClient, payload: dict, status: int) -> None:
    res = client.post("/v1/feedback", json=payload)
    assert res.status_code == status, res.text
    assert res.json()["detail"]


def test_old_database_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
    conn.execute(
        "INSERT INTO feedback (created_at, need_text, tech_id, relevant)"
        " VALUES ('2026-01-01', 'lò đốt', 'T1', 1)"
    )
    conn.commit()
    conn.close()
    store = FeedbackStore(path)
    assert store.schema_version() == SCHEMA_VERSION
    assert store.records()[0].index_version is None
    store.add(need_text="lò đốt", tech_id="T1", relevant=False, index_version="v2")
    assert load_feedback_qrels(path) == {"lò đốt": {"T1": 1}}  # one vote each way: a tie


def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / DB_FILENAME
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(FeedbackError, match="mới hơn"):
        FeedbackStore(path).count()


def test_missing_database_means_no_feedback(tmp_path: Path) -> None:
    assert load_feedback_qrels(tmp_path / "none.sqlite3") == {}


def test_feedback_csv_never_carries_a_formula(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    store.add(tech_id="VAST-001", relevant=True, need_text='=HYPERLINK("http://x")', comment="+1 tốt")
    text = store.to_csv()
    assert text.startswith("\ufeff")
    row = next(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert row["need_text"] == '\'=HYPERLINK("http://x")' and row["comment"] == "'+1 tốt"

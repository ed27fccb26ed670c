"""Error handling: one handler, Vietnamese details, request ids, never a stack trace."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from matcher.settings import Settings


@pytest.mark.slow
def test_unexpected_error_is_a_generic_500_with_request_id(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    def boom() -> None:
        raise RuntimeError("secret internal detail /etc/passwd")

    client.app.add_api_route("/v1/_boom", boom)
    with caplog.at_level(logging.ERROR, logger="techmatch.api"):
        res = client.get("/v1/_boom", headers={"X-Request-ID": "abc123"})
    assert res.status_code == 500
    body = res.json()
    assert body["request_id"] == "abc123" == res.headers["x-request-id"]
    assert "Lỗi máy chủ" in body["detail"]
    assert "secret" not in res.text and "Traceback" not in res.text
    assert "abc123" in caplog.text and "secret internal detail" in caplog.text


@pytest.mark.slow
def test_unknown_path_and_method(client: TestClient) -> None:
    res = client.get("/v1/khong-co")
    assert res.status_code == 404 and "Không có đường dẫn" in res.json()["detail"]
    res = client.get("/v1/match")
    assert res.status_code == 405 and "không được hỗ trợ" in res.json()["detail"]


@pytest.mark.slow
def test_body_over_the_upload_limit_is_413(client: TestClient) -> None:
    big = "nước thải " * 30_000  # ~300 KB > 256 KiB
    res = client.post("/v1/match", json={"text": big})
    assert res.status_code == 413
    assert "262144" in res.json()["detail"]


@pytest.mark.slow
def test_health_ready_limits_openapi_and_page(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["ready"] is True and ready["index"]["n_items"] == 28
    assert client.get("/v1/limits").json()["max_batch"] == 8
    spec = client.get("/openapi.json").json()
    assert {"/v1/match", "/v1/match/batch", "/v1/technologies", "/v1/feedback", "/v1/admin/catalog"} <= spec[
        "paths"
    ].keys()
    page = client.get("/")
    assert page.status_code == 200 and 'lang="vi"' in page.text and "xử lý nước thải ao nuôi tôm" in page.text
    assert client.get("/static/app.js").status_code == 200


def test_service_without_an_index_is_alive_but_not_ready(tmp_path: Path, embedder) -> None:
    from api.app import create_app

    settings = Settings(index_root=tmp_path / "indexes", data_dir=tmp_path / "data", default_index="nothing")
    with TestClient(create_app(settings, embedder=embedder), raise_server_exceptions=False) as c:
        assert c.get("/healthz").status_code == 200
        res = c.get("/readyz")
        assert res.status_code == 503 and res.json()["ready"] is False
        assert "nothing" in res.json()["detail"]
        res = c.post("/v1/match", json={"text": "nước thải"})
        assert res.status_code == 503 and "chưa sẵn sàng" in res.json()["detail"]


@pytest.mark.slow
def test_openapi_documents_the_error_body_and_the_configured_limits(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    assert "HTTPValidationError" not in schemas  # every error is ErrorBody, as answered
    for path_item in spec["paths"].values():
        for operation in path_item.values():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    assert response["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/ErrorBody"
                    }
    # Limits from settings (api_settings: max_batch 8) are in the contract, not only in errors.
    assert schemas["BatchMatchRequest"]["properties"]["texts"]["maxItems"] == 8
    text = schemas["MatchRequest"]["properties"]["text"]
    assert text["maxLength"] == client.get("/v1/limits").json()["max_text_chars"]
    assert text["pattern"] == r"\S"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"text": "máy CNC", "top_k": "5"}, "top_k: phải là số nguyên"),
        ({"text": "máy CNC", "top_k": True}, "top_k: phải là số nguyên"),
        ({"text": "máy CNC", "top_k": 2.5}, "top_k: phải là số nguyên"),
        ({"text": "máy CNC", "include_restricted": 0}, "include_restricted: phải là true hoặc false"),
        ({"text": "máy CNC", "filters": {"priority_only": 1}}, "priority_only: phải là true hoặc false"),
        ({"text": "!!! ???"}, "không có chữ hay số"),
        ({"text": "\u0000\u0001"}, "không có chữ hay số"),
    ],
)
def test_json_types_are_not_coerced(client: TestClient, body: dict, fragment: str) -> None:
    res = client.post("/v1/match", json=body)
    assert res.status_code == 422, res.text
    assert fragment in res.json()["detail"]


@pytest.mark.slow
def test_integral_float_is_a_json_integer(client: TestClient) -> None:
    res = client.post("/v1/match", json={"text": "máy CNC", "top_k": 3.0})
    assert res.status_code == 200 and len(res.json()["result"]["results"]) == 3


@pytest.mark.slow
def test_undecodable_body_and_lone_surrogate_are_422_in_vietnamese(client: TestClient) -> None:
    headers = {"Content-Type": "application/json"}
    res = client.post("/v1/match", content=b'{"text": "\xff\xfe\x00"}', headers=headers)
    assert res.status_code == 422 and "UTF-8" in res.json()["detail"]
    broken = {"Content-Type": "multipart/form-data; boundary=b0"}
    res = client.post("/v1/surveys", content=b"--b0\r\nNone--b0--\r\n", headers=broken)
    assert res.status_code == 422 and "multipart" in res.json()["detail"]
    res = client.post("/v1/match", content=b'{"text": "abc\\ud800def"}', headers=headers)
    assert res.status_code == 422 and "Unicode" in res.json()["detail"]


@pytest.mark.slow
def test_xlsx_export_of_text_with_control_characters(client: TestClient) -> None:
    import io

    from openpyxl import load_workbook

    need = "=1+2\u001d xử lý nước thải\u0007 ao nuôi tôm"
    res = client.post("/v1/export?format=xlsx", json={"texts": [need], "top_k": 2})
    assert res.status_code == 200, res.text
    sheet = load_workbook(io.BytesIO(res.content)).active
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(row=2, column=header.index("Nhu cầu") + 1)
    assert cell.value == "=1+2 xử lý nước thải ao nuôi tôm" and cell.data_type == "s"

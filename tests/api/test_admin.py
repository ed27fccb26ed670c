"""Admin: token guard, catalog upload with validation, atomic swap under load, versions, roll-back."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from matcher.settings import Settings

pytestmark = pytest.mark.slow
DATA = Path(__file__).resolve().parent.parent / "data"
SMALL = DATA / "small_catalog.csv"
AUTH = {"Authorization": "Bearer test-admin-token-123"}  # the token of api_settings (conftest)


def subset_csv(n: int) -> bytes:
    """The small catalog's header and first `n` entries, as an uploaded file would arrive."""
    rows = list(csv.reader(io.StringIO(SMALL.read_text(encoding="utf-8"))))
    buf = io.StringIO()
    csv.writer(buf).writerows(rows[: n + 1])
    return buf.getvalue().encode("utf-8")


def wait_job(c: TestClient, url: str, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = c.get(url, headers=AUTH).json()
        if job["state"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {url} did not finish")


@pytest.fixture(scope="module")
def swap_client(
    api_settings: Settings, embedder, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """An app over its own index ('swap') and data folder, so swapping catalogs cannot disturb
    other tests (and the session's `client` keeps owning its own data folder)."""
    from api.app import create_app
    from matcher.index.build import build_index

    settings = api_settings.model_copy(update={"data_dir": tmp_path_factory.mktemp("swap-data")})
    build_index(SMALL, "swap", settings=settings, embedder=embedder)
    app = create_app(settings, index_name="swap", embedder=embedder)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/v1/admin/index/versions"),
        ("post", "/v1/admin/index/rollback"),
        ("post", "/v1/admin/catalog"),
        ("get", "/v1/admin/jobs/abc"),
    ],
)
def test_admin_needs_the_token(client: TestClient, method: str, path: str) -> None:
    res = client.request(method, path)
    assert res.status_code == 401 and "Thiếu mã quản trị" in res.json()["detail"]
    assert res.headers["www-authenticate"] == "Bearer"
    res = client.request(method, path, headers={"Authorization": "Bearer wrong"})
    assert res.status_code == 401 and "không đúng" in res.json()["detail"]


def test_admin_is_disabled_without_a_configured_token(small_matcher, tmp_path: Path) -> None:
    from api.app import create_app

    settings = small_matcher.settings.model_copy(update={"admin_token": None, "data_dir": tmp_path})
    with TestClient(create_app(settings, matcher=small_matcher)) as c:
        res = c.get("/v1/admin/index/versions", headers=AUTH)
        assert res.status_code == 403 and "đang tắt" in res.json()["detail"]


@pytest.mark.parametrize(
    ("filename", "content", "status", "fragment"),
    [
        ("catalog.pdf", b"%PDF-1.4", 422, ".pdf"),
        ("catalog.csv", b"", 422, "trống"),
        ("catalog.csv", b"id,name\nT1,abc\n", 422, "description"),  # missing required columns
        ("catalog.xlsx", b"not a zip at all", 422, "catalog.xlsx"),
        ("catalog.csv", b"x" * (300 * 1024), 413, "262144"),
    ],
)
def test_bad_catalog_uploads(
    client: TestClient, api_settings: Settings, filename: str, content: bytes, status: int, fragment: str
) -> None:
    res = client.post("/v1/admin/catalog", headers=AUTH, files={"file": (filename, content, "text/csv")})
    assert res.status_code == status, res.text
    assert fragment in res.json()["detail"]
    assert "Traceback" not in res.text
    assert str(api_settings.data_dir) not in res.text  # where the server keeps files stays private


def test_upload_without_a_file_is_422(client: TestClient) -> None:
    assert client.post("/v1/admin/catalog", headers=AUTH).status_code == 422


def test_catalog_swap_is_atomic_while_queries_run(swap_client: TestClient) -> None:
    c = swap_client
    before = c.get("/v1/admin/index/versions", headers=AUTH).json()
    assert before["name"] == "swap" and len(before["versions"]) == 1
    old_version = before["current"]

    errors: list[str] = []
    seen_sizes: set[int] = set()
    count = 0
    stop = threading.Event()

    def query() -> None:
        nonlocal count
        while not stop.is_set():
            res = c.post("/v1/match", json={"text": "xử lý nước thải ao nuôi tôm", "top_k": 3})
            if res.status_code != 200:
                errors.append(f"{res.status_code} {res.text[:200]}")
                continue
            body = res.json()
            seen_sizes.add(body["index"]["n_items"])
            if not body["result"]["results"]:
                errors.append("empty result")
            count += 1

    threads = [threading.Thread(target=query) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        res = c.post(
            "/v1/admin/catalog", headers=AUTH, files={"file": ("moi.csv", subset_csv(20), "text/csv")}
        )
        assert res.status_code == 202, res.text
        accepted = res.json()
        # a second upload while the first builds is refused, not queued behind it
        again = c.post(
            "/v1/admin/catalog", headers=AUTH, files={"file": ("moi.csv", subset_csv(20), "text/csv")}
        )
        assert again.status_code == 409, again.text
        assert f"Đang xây chỉ mục mới (tác vụ {accepted['job']['id']})" in again.json()["detail"]
        job = wait_job(c, accepted["status_url"])
        assert job["state"] == "done", job
        time.sleep(0.5)  # let queries run on the new index too
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert errors == []
    assert count > 0
    assert 20 in seen_sizes
    assert seen_sizes <= {28, 20}

    after = c.get("/v1/admin/index/versions", headers=AUTH).json()
    assert after["current"] == after["serving"] != old_version
    assert c.get("/readyz").json()["index"]["n_items"] == 20

    res = c.post("/v1/admin/index/rollback", headers=AUTH, json={"version": old_version})
    assert res.status_code == 200, res.text
    assert res.json()["version"] == old_version and res.json()["n_items"] == 28
    assert c.get("/readyz").json()["index"]["version"] == old_version


def test_rollback_to_an_unknown_version(swap_client: TestClient) -> None:
    res = swap_client.post(
        "/v1/admin/index/rollback", headers=AUTH, json={"version": "19990101T000000-000000"}
    )
    assert res.status_code == 404 and "19990101" in res.json()["detail"]
    res = swap_client.post("/v1/admin/index/rollback", headers=AUTH, json={"version": "x", "force": True})
    assert res.status_code == 422


def test_unknown_job_is_404(client: TestClient) -> None:
    assert client.get("/v1/admin/jobs/nope", headers=AUTH).status_code == 404


def test_rollback_to_a_version_that_cannot_load_keeps_the_live_one(swap_client: TestClient) -> None:
    import shutil

    store = swap_client.app.state.service.store  # type: ignore[attr-defined]
    serving = swap_client.get("/readyz").json()["index"]["version"]
    stale = store.version_dir("swap", serving).parent / "19990101T000000-000001"
    shutil.copytree(store.version_dir("swap", serving), stale)
    try:
        manifest = json.loads((stale / "manifest.json").read_text(encoding="utf-8"))
        manifest["pipeline_version"] = "0"  # built by an older text pipeline: cannot be served
        (stale / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        res = swap_client.post("/v1/admin/index/rollback", headers=AUTH, json={"version": stale.name})
        assert res.status_code == 409, res.text
        assert "Chỉ mục đang dùng không đổi" in res.json()["detail"]
        assert swap_client.get("/readyz").json()["index"]["version"] == serving
        assert store.current_version("swap") == serving
    finally:
        shutil.rmtree(stale)


def test_rollback_to_a_version_pruned_while_it_loads_keeps_the_live_one(
    swap_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rebuild that finishes while a roll-back loads may prune the roll-back's version: the
    roll-back then fails (409) and CURRENT keeps naming a version that exists."""
    import shutil

    from api.errors import UnusableVersionError
    from matcher.matcher import Matcher

    service = swap_client.app.state.service  # type: ignore[attr-defined]
    store = service.store
    serving = swap_client.get("/readyz").json()["index"]["version"]
    target = store.version_dir("swap", serving).parent / "19990101T000000-000002"
    shutil.copytree(store.version_dir("swap", serving), target)
    warm_up = Matcher.warm_up

    def warm_up_then_lose_the_version(self: Matcher) -> Matcher:
        warmed = warm_up(self)
        store.remove_version("swap", target.name)  # what the rebuild's prune does meanwhile
        return warmed

    monkeypatch.setattr(Matcher, "warm_up", warm_up_then_lose_the_version)
    with pytest.raises(UnusableVersionError, match="19990101T000000-000002"):
        service.switch_to(target.name)
    monkeypatch.undo()
    assert not target.exists()
    assert store.current_version("swap") == serving
    assert swap_client.get("/readyz").json()["index"]["version"] == serving
    assert swap_client.post("/v1/match", json={"text": "nước thải", "top_k": 1}).status_code == 200

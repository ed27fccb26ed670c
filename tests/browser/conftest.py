"""A real server (uvicorn on a free loopback port, in a thread) and Debian's headless Chromium.

Playwright drives the system browser (no browser download). Without /usr/bin/chromium or the
playwright package the tests are skipped with the reason; CI installs both.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from matcher.settings import PROJECT_ROOT, Settings

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def server(small_matcher, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    from api.app import create_app

    settings: Settings = small_matcher.settings.model_copy(
        update={"data_dir": tmp_path_factory.mktemp("web-data")}
    )
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings, matcher=small_matcher),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists() and not shutil.which("chromium"):
        message = "Chromium không có: cài bằng `apt-get install -y chromium` để chạy kiểm thử trình duyệt"
        if os.environ.get("TECHMATCH_REQUIRE_BROWSER"):  # set by .ci/run: CI must not skip these
            pytest.fail(message)
        pytest.skip(message)
    from playwright import sync_api  # in the [test] extra: a missing package is a broken install

    executable = str(CHROMIUM) if CHROMIUM.exists() else shutil.which("chromium")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, server: str):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="vi-VN"
    )
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(server + "/")
    yield pg
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"

"""Kill a real `matcher batch` with SIGKILL mid-run, run it again: every row exactly once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from survey_files import fixture_module

from matcher.batch.checkpoint import read_jsonl

pytestmark = pytest.mark.slow
ROWS = 200
TIMEOUT_S = 600


def _env(settings, index: str) -> dict[str, str]:
    return {
        **os.environ,
        "TECHMATCH_INDEX_ROOT": str(settings.index_root),
        "TECHMATCH_DEFAULT_INDEX": index,
        "TECHMATCH_DATA_DIR": str(settings.data_dir),
        "TECHMATCH_EMBEDDER": settings.embedder,
    }


def _cmd(src: Path, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "matcher",
        "batch",
        "--input",
        str(src),
        "--output",
        str(out),
        "--top-k",
        "3",
        "--chunk-size",
        "5",
        "--no-progress",
    ]


def _needs_done(manifest: Path) -> int:
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))["needs_done"]
    except (OSError, ValueError, KeyError):
        return 0


def test_sigkill_then_rerun_gives_every_row_exactly_once(small_settings, small_index, tmp_path: Path) -> None:
    fx = fixture_module()
    data_rows = fx.with_bad_rows(fx.survey_rows(ROWS))
    src = tmp_path / "khao_sat_lon.csv"
    src.write_text(fx.csv_text(data_rows), encoding="utf-8-sig")
    out = tmp_path / "ket-qua.jsonl"
    manifest = out.with_name(out.name + ".checkpoint") / "manifest.json"
    env = _env(small_settings, small_index)

    proc = subprocess.Popen(_cmd(src, out), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + TIMEOUT_S
    while _needs_done(manifest) < ROWS // 4:
        assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else ""
        assert time.monotonic() < deadline, "the run made no progress"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    killed_at = _needs_done(manifest)
    assert 0 < killed_at < ROWS
    # A kill can land in the middle of a write: leave a torn line after the committed chunks.
    with (manifest.parent / "results.jsonl").open("ab") as fh:
        fh.write(b'{"row": 99999, "need_id": "torn')

    done = subprocess.run(_cmd(src, out), env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Tiếp tục lần chạy trước" in done.stdout

    records = list(read_jsonl(out))
    skipped = list(read_jsonl(manifest.parent / "skipped.jsonl"))
    rows = [r["row"] for r in records] + [s["row"] for s in skipped]
    assert len(rows) == len(set(rows)) == len(data_rows)  # no row lost, none duplicated
    assert sorted(rows) == list(range(2, len(data_rows) + 2))
    assert [r["row"] for r in records] == sorted(r["row"] for r in records)  # still in survey order
    assert len(records) == ROWS  # the added blank, "Không có" and duplicated rows are skipped
    assert [s["kind"] for s in skipped] == ["blank", "no_need", "duplicate"]

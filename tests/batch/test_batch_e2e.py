"""End to end with the real model: survey files in, XLSX/CSV/JSONL out, resumable in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from survey_files import CP1258, TCVN3, XLSX

from matcher.batch.checkpoint import read_jsonl
from matcher.batch.runner import run_batch
from matcher.errors import InputError

pytestmark = pytest.mark.slow


def _records(path: Path) -> list[dict]:
    return list(read_jsonl(path))


def test_xlsx_run_accounts_for_every_survey_row(xlsx_run) -> None:
    summary, out = xlsx_run
    assert (summary.needs, summary.skipped) == (20, 3)
    assert summary.skipped_by_kind == {"blank": 1, "no_need": 1, "duplicate": 1}
    records = _records(Path(summary.results_path))
    assert [r["row"] for r in records] == [
        5,
        6,
        7,
        9,
        10,
        11,
        13,
        14,
        15,
        16,
        18,
        19,
        20,
        21,
        22,
        23,
        24,
        25,
        26,
        27,
    ]
    assert all(len(r["results"]) == 5 for r in records)

    from openpyxl import load_workbook

    wb = load_workbook(out / "ket-qua.xlsx", read_only=True)
    assert wb.sheetnames == ["Kết quả", "Tổng hợp", "Nhu cầu hạn chế", "Chưa phù hợp", "Dòng bỏ qua"]
    rows = list(wb["Kết quả"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 20 * 5 + 3  # top-5 per need, one line per skipped row
    assert sorted({r[0] for r in rows}) == sorted([r["row"] for r in records] + [8, 12, 17])
    skipped = list(wb["Dòng bỏ qua"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2]) for r in skipped] == [
        (8, "dòng trống"),
        (12, "không nêu nhu cầu"),
        (17, "trùng lặp"),
    ]


def test_right_technologies_warnings_and_no_good_match(xlsx_run) -> None:
    summary, _ = xlsx_run
    by_id = {r["need_id"]: r for r in _records(Path(summary.results_path))}
    assert by_id["HP-0001"]["results"][0]["tech_id"] in {"VAST-046", "VAST-047"}  # hull cleaning
    assert by_id["HP-0002"]["results"][0]["tech_id"] == "VAST-003"  # typed without diacritics
    assert by_id["HP-0002"]["restored_text"]
    battery = by_id["HP-0004"]  # lead battery recycling: restricted by plan 16 (IV.1.b)
    assert "R-IV1b-02" in [w["rule_id"] for w in battery["warnings"]]
    assert all(r["restricted"] != "yes" for r in battery["results"])
    assert by_id["HP-0011"]["no_good_match"]  # homestay booking software: not in the catalog
    assert not by_id["HP-0003"]["no_good_match"]
    assert summary.no_good_match == sum(r["no_good_match"] for r in by_id.values())
    assert summary.with_warnings == sum(bool(r["warnings"]) for r in by_id.values()) >= 3


def test_csv_and_jsonl_outputs_from_legacy_encodings(small_matcher, xlsx_run, tmp_path: Path) -> None:
    summary, _ = xlsx_run
    s_csv = run_batch(CP1258, tmp_path / "cp1258.csv", matcher=small_matcher, chunk_size=16)
    s_jsonl = run_batch(TCVN3, tmp_path / "tcvn3.jsonl", matcher=small_matcher, chunk_size=16)
    xlsx_top = [r["results"][0]["tech_id"] for r in _records(Path(summary.results_path))]
    csv_top = [r["results"][0]["tech_id"] for r in _records(Path(s_csv.results_path))]
    assert csv_top == xlsx_top
    lines = (tmp_path / "tcvn3.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == s_jsonl.needs == 20
    assert set(json.loads(lines[0])) >= {"need_id", "warnings", "results"}
    assert set(json.loads(lines[0])["results"][0]) >= {
        "rank",
        "tech_id",
        "name",
        "score",
        "restricted",
        "priority",
        "explanation",
    }
    text = (tmp_path / "cp1258.csv").read_text(encoding="utf-8-sig")
    assert text.startswith("Dòng,Mã nhu cầu,Doanh nghiệp,Nhu cầu") and "Dòng 5: các cột nhu cầu" in text


class _Killed(Exception):
    pass


def test_interrupted_run_resumes_to_the_same_bytes(small_matcher, xlsx_run, tmp_path: Path) -> None:
    summary, _ = xlsx_run
    calls = []

    def die_after_two_chunks(done: int, total: int | None) -> None:
        calls.append(done)
        if len(calls) == 2:
            raise _Killed

    out = tmp_path / "resumed.xlsx"
    with pytest.raises(_Killed):
        run_batch(XLSX, out, matcher=small_matcher, top_k=5, chunk_size=8, progress=die_after_two_chunks)
    with pytest.raises(InputError, match="tham số khác"):
        run_batch(XLSX, out, matcher=small_matcher, top_k=3, chunk_size=8)
    resumed = run_batch(XLSX, out, matcher=small_matcher, top_k=5, chunk_size=5)
    assert resumed.resumed_from_row > 0 and resumed.matched_this_run < 20
    assert Path(resumed.results_path).read_bytes() == Path(summary.results_path).read_bytes()
    assert (
        Path(resumed.results_path).with_name("skipped.jsonl").read_bytes()
        == Path(summary.results_path).with_name("skipped.jsonl").read_bytes()
    )

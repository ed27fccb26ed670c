"""The officer's result table is the same in the API's export and in a batch run's files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from api import export
from matcher.batch.readers import SurveyNeed
from matcher.batch.records import need_record
from matcher.batch.writers import COLUMNS as BATCH_COLUMNS
from matcher.batch.writers import flat_rows, write_csv
from matcher.result_table import NEED_COLUMNS, PLAN_COLUMNS, RESULT_COLUMNS, record_rows


def test_both_exports_share_every_column_after_their_source_columns() -> None:
    shared = NEED_COLUMNS + RESULT_COLUMNS + PLAN_COLUMNS
    assert BATCH_COLUMNS[-len(shared) :] == shared
    assert export.COLUMNS[-len(shared) :] == shared
    assert [label for _, label in BATCH_COLUMNS[: -len(shared)]] == ["Dòng", "Mã nhu cầu", "Doanh nghiệp"]
    assert [label for _, label in export.COLUMNS[: -len(shared)]] == ["STT nhu cầu"]


def test_the_same_result_gives_the_same_cells_in_both_exports(small_matcher, tmp_path: Path) -> None:
    text = "lò đốt rác thải sinh hoạt 200 kg/giờ cho xã đảo"
    result = small_matcher.match(text, top_k=3, include_restricted=True)
    api_rows = export.rows([result])
    record = need_record(SurveyNeed(seq=0, row=2, need_id="KS-01", text=text), result)
    batch_rows = list(flat_rows([record], []))
    shared = [key for key, _ in NEED_COLUMNS + RESULT_COLUMNS + PLAN_COLUMNS]
    assert len(api_rows) == len(batch_rows) == 3
    for a, b in zip(api_rows, batch_rows, strict=True):
        assert {k: a.get(k) for k in shared} == {k: b.get(k) for k in shared}
    # the restricted need's plan warning and replacements reach both tables
    assert result.warnings and api_rows[0]["warnings"] == " | ".join(w.message for w in result.warnings)
    assert {r["restricted"] for r in api_rows} <= {"có", "không", "cần xem xét"}
    assert [r["tech_id"] for r in api_rows] == [r.tech_id for r in result.results]

    # and the files say so: same headers, same cells
    write_csv(iter(batch_rows), tmp_path / "batch.csv")
    with (tmp_path / "batch.csv").open(encoding="utf-8-sig", newline="") as fh:
        from_batch = list(csv.DictReader(fh))
    from_api = list(csv.DictReader(io.StringIO(export.to_csv(api_rows).decode("utf-8-sig"), newline="")))
    labels = [label for _, label in NEED_COLUMNS + RESULT_COLUMNS + PLAN_COLUMNS]
    assert [{k: r[k] for k in labels} for r in from_api] == [{k: r[k] for k in labels} for r in from_batch]


def test_a_need_without_results_keeps_one_row_with_its_warning() -> None:
    record = {
        "text": "lò đốt rác 200 kg/h",
        "no_good_match": True,
        "warnings": [
            {"message": "Hạn chế theo mục IV.1.b", "replacements": [{"tech_id": "VAST-9", "name": "Ủ phân"}]}
        ],
        "results": [],
    }
    (row,) = record_rows(record, {"need_no": 1})
    assert row["status"] == "chưa có công nghệ phù hợp"
    assert row["warnings"] == "Hạn chế theo mục IV.1.b" and row["replacements"] == "VAST-9 Ủ phân"
    assert "Không tìm thấy" in row["explanation"] and "tech_id" not in row


def test_how_the_need_was_read_is_in_its_own_column() -> None:
    record = {
        "text": "he thong XLNT ao nuoi tom",
        "restored_text": "hệ thống XLNT ao nuôi tôm",
        "abbreviations": ["XLNT → xử lý nước thải"],
        "translated_terms": [],
        "no_good_match": False,
        "warnings": [],
        "results": [],
    }
    (row,) = record_rows(record, {"need_no": 1})
    assert row["read_as"] == "thêm dấu: hệ thống XLNT ao nuôi tôm | viết tắt: XLNT → xử lý nước thải"
    (plain,) = record_rows({**record, "restored_text": None, "abbreviations": []}, {"need_no": 1})
    assert plain["read_as"] == ""
    (mended,) = record_rows(
        {**record, "restored_text": None, "abbreviations": [], "spelling_corrections": ["sử → xử"]},
        {"need_no": 1},
    )
    assert mended["read_as"] == "sửa chính tả: sử → xử"

"""Writers: survey order, every row once, text never turned into a formula."""

from __future__ import annotations

import csv
from pathlib import Path

from matcher.batch.summary import summarize
from matcher.batch.writers import flat_rows, write_csv, write_xlsx


def _record(row: int, text: str) -> dict:
    return {
        "row": row,
        "need_id": f"HP-{row}",
        "company": "",
        "text": text,
        "restored_text": None,
        "sectors": [],
        "warnings": [],
        "top_dense": 0.9,
        "no_good_match": False,
        "results": [
            {
                "rank": 1,
                "tech_id": "VAST-118",
                "name": "Lò đốt chất thải rắn",
                "institute": "Viện Công nghệ môi trường",
                "field": "",
                "sectors": [],
                "trl": 7,
                "score": 0.03,
                "dense_score": 0.9,
                "lexical_score": 3.1,
                "restricted": "no",
                "priority": False,
                "matched_terms": ["lò đốt"],
                "explanation": "Khớp ngữ nghĩa.",
            }
        ],
    }


def test_rows_merge_matched_and_skipped_in_survey_order() -> None:
    rows = list(
        flat_rows(
            [_record(2, "lò đốt rác"), _record(5, "lò đốt")],
            [{"row": 3, "need_id": "dòng 3", "kind": "blank", "reason": "Dòng 3: trống."}],
        )
    )
    assert [r["row"] for r in rows] == [2, 3, 5]
    assert rows[1]["status"] == "bỏ qua (dòng trống)"


def test_a_need_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    records = [_record(2, '=HYPERLINK("http://x")'), _record(3, "+84 lò đốt")]
    write_csv(flat_rows(records, []), tmp_path / "out.csv")
    with (tmp_path / "out.csv").open(encoding="utf-8-sig") as fh:
        texts = [r["Nhu cầu"] for r in csv.DictReader(fh)]
    assert texts == ['\'=HYPERLINK("http://x")', "'+84 lò đốt"]

    from openpyxl import load_workbook

    write_xlsx(flat_rows(records, []), [], summarize(records), tmp_path / "out.xlsx")
    ws = load_workbook(tmp_path / "out.xlsx")["Kết quả"]
    cell = ws["D2"]
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"


def test_summary_counts_restored_and_english_needs_in_every_output(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from matcher.batch.report import render_report

    restored = _record(2, "lo dot rac") | {"restored_text": "lò đốt rác"}
    english = _record(3, "waste incinerator") | {
        "translated_terms": ["incinerator → lò đốt"],
        "vietnamese": False,
    }
    untranslated = _record(5, "quantum widget") | {"vietnamese": False}
    older = _record(6, "waste incinerator") | {
        "translated_terms": ["incinerator → lò đốt"]
    }  # before the flag
    mended = _record(4, "lò đốt giác") | {"spelling_corrections": ["giác → rác"]}
    records = [restored, english, mended, untranslated, older]
    summary = summarize(records)
    assert (summary.needs, summary.diacritics_restored, summary.spelling_corrected) == (5, 1, 1)
    assert (summary.not_vietnamese, summary.english_translated, summary.not_translated) == (3, 2, 1)
    assert summary.to_dict()["not_translated"] == 1
    write_xlsx(flat_rows(records, []), [], summary, tmp_path / "out.xlsx")
    sheet_rows = [
        [c for c in row if c is not None]
        for ws in load_workbook(tmp_path / "out.xlsx").worksheets
        for row in ws.values
    ]
    assert ["Nhu cầu không viết bằng tiếng Việt (tiếng Anh)", 3] in sheet_rows
    assert ["Nhu cầu có lỗi chính tả đã sửa", 1, "xem cột 'Hệ thống đã hiểu là'"] in sheet_rows
    assert ["  trong đó tìm theo thuật ngữ đã dịch sang tiếng Việt", 2] in sheet_rows
    assert [
        "  trong đó chưa dịch được thuật ngữ nào",
        1,
        "chỉ tìm theo ngữ nghĩa: nên xem lại kết quả",
    ] in sheet_rows
    html = render_report(summary, "khao_sat.xlsx")
    assert '<td class="n" id="so-ngoai-ngu">3</td>' in html
    assert '<td class="n" id="so-sua-chinh-ta">1</td>' in html
    assert (
        '<td class="n" id="so-tieng-anh">2</td>' in html and '<td class="n" id="so-chua-dich">1</td>' in html
    )

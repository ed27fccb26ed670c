"""`matcher rules` through typer's CliRunner (offline, no model)."""

from __future__ import annotations

import csv
import json

from typer.testing import CliRunner

from matcher.catalog.encodings import encode_cp1258
from matcher.cli.rules import app

runner = CliRunner()


def test_check_text_readable():
    result = runner.invoke(app, ["check", "Lò đốt rác sinh hoạt công suất 200 kg/h"])
    assert result.exit_code == 0, result.output
    assert "HẠN CHẾ" in result.output and "R-IV1b-24" in result.output


def test_check_json_has_verdict_warnings_and_sectors():
    result = runner.invoke(app, ["check", "Sản xuất gạch đất sét nung lò thủ công", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["restricted"] == "yes"
    assert {h["rule_id"] for h in data["restricted_rules"]} >= {"R-IV1b-05"}
    assert data["need_warnings"] and data["need_warnings"][0]["replacement_queries"]
    assert data["sectors"][0]["sector_id"] == "vat_lieu_xay_dung"


def test_check_reads_chat_shorthand_and_says_so():
    shown = runner.invoke(app, ["check", "ko dùng lò đốt rác 200 kg/h nữa"])
    assert shown.exit_code == 0, shown.output
    assert "Đã hiểu chữ viết tắt: ko → không" in shown.output and "không hạn chế" in shown.output
    data = json.loads(runner.invoke(app, ["check", "ko dùng lò đốt rác 200 kg/h nữa", "--json"]).output)
    assert data["restricted"] == "no" and data["shorthand"] == ["ko → không"]
    assert data["read_text"] == "không dùng lò đốt rác 200 kg/h nữa"


def test_check_file_writes_jsonl(tmp_path):
    src = tmp_path / "nhu_cau.csv"
    with src.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["ma", "mo_ta"])
        w.writerow(["A1", "Lò điện hồ quang 50 tấn/mẻ luyện thép"])
        w.writerow(["A2", "Trồng rau thủy canh"])
    out = tmp_path / "ket_qua.jsonl"
    result = runner.invoke(
        app,
        ["check", "--input", str(src), "--text-column", "mo_ta", "--id-column", "ma", "--output", str(out)],
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["id"], r["restricted"]) for r in rows] == [("A1", "yes"), ("A2", "no")]
    assert rows[0]["restricted_rules"][0]["rule_id"] == "R-IV1b-37"
    assert rows[1]["priority_rules"][0]["rule_id"] == "P-IV1a-21"


def test_check_xlsx(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["mo_ta"])
    wb.active.append(["Xi măng lò đứng"])
    src = tmp_path / "a.xlsx"
    wb.save(src)
    out = tmp_path / "a.jsonl"
    args = ["check", "--input", str(src), "--text-column", "mo_ta", "--output", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["restricted"] == "yes"


def test_bad_usage_exits_2_with_vietnamese_line(tmp_path):
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 2 and "Lỗi:" in result.output
    src = tmp_path / "x.csv"
    src.write_text("a\nb\n", encoding="utf-8")
    result = runner.invoke(
        app, ["check", "--input", str(src), "--text-column", "mo_ta", "--output", str(tmp_path / "o.jsonl")]
    )
    assert result.exit_code == 2 and "Không có cột 'mo_ta'" in result.output and "'a'" in result.output
    result = runner.invoke(app, ["list", "--kind", "banned"])
    assert result.exit_code == 2 and "--kind" in result.output


def test_check_file_reads_cp1258_reports_blank_rows_and_keeps_old_output(tmp_path):
    src = tmp_path / "khao_sat.csv"
    text = "Mã,Mô tả công nghệ\nB1,Lò đốt rác sinh hoạt 200 kg/h\nB2,\nB3,Gạch không nung từ tro bay\n"
    src.write_bytes(encode_cp1258(text))
    out = tmp_path / "o.jsonl"
    # Header written without diacritics still finds "Mô tả công nghệ".
    args = ["check", "--input", str(src), "--text-column", "mo ta cong nghe", "--id-column", "ma"]
    result = runner.invoke(app, [*args, "--output", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["id"], r["restricted"]) for r in rows] == [("B1", "yes"), ("B3", "no")]
    assert "dòng 3" in result.output  # the blank row is reported with its row number
    # A failing run (unknown column) leaves the previous output untouched and no temp file.
    before = out.read_bytes()
    result = runner.invoke(
        app, ["check", "--input", str(src), "--text-column", "khong co", "--output", str(out)]
    )
    assert result.exit_code == 2
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["khao_sat.csv", "o.jsonl"]  # no temporary left


def test_list_filters_by_kind():
    result = runner.invoke(app, ["list", "--kind", "restricted", "--json"])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    assert len(rows) == 49 and all(r["kind"] == "restricted" for r in rows)


def test_eval_prints_precision_recall():
    result = runner.invoke(app, ["eval"])
    assert result.exit_code == 0, result.output
    assert "precision" in result.output and "recall" in result.output
    data = json.loads(runner.invoke(app, ["eval", "--json"]).output)
    assert data["threshold_accuracy"] == 1.0


def test_check_english_text_without_model_says_how_to_check_it():
    result = runner.invoke(app, ["check", "We want to burn village rubbish in a small furnace"])
    assert result.exit_code == 0, result.output
    assert "--semantic" in result.stderr and "tiếng Anh" in result.stderr  # nothing found: what else to try
    flagged = runner.invoke(app, ["check", "We want a small household waste incinerator for our commune"])
    assert "R-IV1b-24" in flagged.output and "--semantic" not in flagged.stderr  # the English phrase found it
    vietnamese = runner.invoke(app, ["check", "Lò đốt rác sinh hoạt công suất 200 kg/h"])
    assert "--semantic" not in vietnamese.stderr

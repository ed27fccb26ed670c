"""The HTML report: self-contained, in Vietnamese, with the run's counts and its three charts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matcher.cli.main import app

pytestmark = pytest.mark.slow


def test_report_renders_with_the_expected_counts(xlsx_run, tmp_path: Path) -> None:
    summary, out = xlsx_run
    html_path = tmp_path / "bao-cao.html"
    result = CliRunner().invoke(app, ["report", str(out / "ket-qua.xlsx"), "--output", str(html_path)])
    assert result.exit_code == 0, result.output
    html = html_path.read_text(encoding="utf-8")
    assert '<html lang="vi">' in html and "Báo cáo tổng hợp nhu cầu đổi mới công nghệ" in html
    for cell_id, value in (
        ("so-nhu-cau", 20),
        ("so-bo-qua", 3),
        ("so-han-che", summary.with_warnings),
        ("so-chua-phu-hop", summary.no_good_match),
    ):
        assert re.search(rf'id="{cell_id}">{value}<', html), cell_id
    assert html.count("data:image/svg+xml;base64,") == 3  # sectors, technologies, score distribution
    assert not re.search(r'(src|href)="(https?:)?//', html)  # no external asset
    assert "Homestay Cát Bà Xanh" in html  # listed among the needs with no good match
    assert "R-IV1b-02" in html  # lead battery recycling, with its rule


def test_report_on_a_missing_result_says_what_to_give(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["report", str(tmp_path / "khong-co.xlsx")])
    assert result.exit_code == 2 and "Không tìm thấy kết quả" in result.output

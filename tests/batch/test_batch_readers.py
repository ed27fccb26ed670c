"""Reading survey files as officers receive them: merged headers, legacy encodings, bad rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from survey_files import CP1258, TCVN3, XLSX

from matcher.batch.readers import SkippedRow, SurveyNeed, open_survey, preview_survey, resolve_columns
from matcher.errors import InputError


def _events(path: Path, **kwargs: object) -> list[SurveyNeed | SkippedRow]:
    with open_survey(path, **kwargs) as reader:  # type: ignore[arg-type]
        return list(reader)


@pytest.mark.parametrize("path", [XLSX, CP1258, TCVN3], ids=["xlsx-merged", "cp1258", "tcvn3"])
def test_every_format_reads_the_same_needs(path: Path) -> None:
    events = _events(path)
    needs = [e for e in events if isinstance(e, SurveyNeed)]
    assert len(events) == 23 and len(needs) == 20
    assert needs[0].need_id == "HP-0001"
    assert needs[0].company == "Công ty TNHH Cơ khí Đông Hải"
    assert needs[0].text == (
        "Sửa chữa, đóng mới tàu. Cần công nghệ làm sạch vỏ tàu thay cho phun cát. "
        "Phun cát gây bụi, bị phường nhắc nhở nhiều lần"
    )
    assert any(n.text.startswith("khai thac cang container") for n in needs)  # typed without diacritics
    assert [e.seq for e in events] == list(range(23))


def test_same_texts_whatever_the_encoding() -> None:
    texts = [[e.text for e in _events(p) if isinstance(e, SurveyNeed)] for p in (XLSX, CP1258, TCVN3)]
    assert texts[0] == texts[1]
    # TCVN3 has no uppercase toned letters (like a .VnTimeH heading, "Ủ" was typed as "ủ").
    assert [t.lower() for t in texts[2]] == [t.lower() for t in texts[0]]


@pytest.mark.parametrize(("path", "rows"), [(XLSX, (8, 12, 17)), (CP1258, (5, 9, 14))], ids=["xlsx", "csv"])
def test_bad_rows_are_reported_with_their_row_number(path: Path, rows: tuple[int, int, int]) -> None:
    skipped = [e for e in _events(path) if isinstance(e, SkippedRow)]
    assert [(s.row, s.kind) for s in skipped] == list(
        zip(rows, ("blank", "no_need", "duplicate"), strict=True)
    )
    blank, no_need, duplicate = skipped
    assert blank.reason.startswith(f"Dòng {rows[0]}: ") and "đều trống" in blank.reason
    assert '"Không có"' in no_need.reason
    second_data_row = rows[0] - 2  # the form submitted twice is HP-0002
    assert f"trùng với dòng {second_data_row}" in duplicate.reason


def test_columns_by_name_without_diacritics_and_by_sub_header() -> None:
    events = _events(XLSX, text_columns=["nhu cau cong nghe"], id_column="ma phieu")
    need = next(e for e in events if isinstance(e, SurveyNeed))
    assert need.text == "Cần công nghệ làm sạch vỏ tàu thay cho phun cát"


def test_unknown_column_names_the_columns_the_file_has() -> None:
    with pytest.raises(InputError, match=r"Không có cột 'Nhu cau khac'.*'Mã phiếu'"):
        _events(CP1258, text_columns=["Nhu cau khac"])


def test_no_recognisable_need_column_asks_for_text_columns() -> None:
    with pytest.raises(InputError, match="--text-columns"):
        resolve_columns(["STT", "Họ tên", "Số điện thoại"])


def test_preview_shows_how_the_first_rows_are_read() -> None:
    p = preview_survey(TCVN3, rows=4)
    assert p.encoding == "tcvn3" and p.source_format == "csv"
    assert p.columns.text == ["Lĩnh vực hoạt động", "Nhu cầu công nghệ", "Mô tả khó khăn"]
    assert p.columns.id == "Mã phiếu" and p.columns.company == "Tên doanh nghiệp"
    assert [type(e).__name__ for e in p.events] == ["SurveyNeed", "SurveyNeed", "SurveyNeed", "SkippedRow"]


def test_reading_100k_rows_stays_in_bounded_memory(tmp_path: Path) -> None:
    """A 100k-row survey streams: the reader holds one row and an 8-byte digest per row."""
    import csv
    import tracemalloc

    src = tmp_path / "khao_sat_100k.csv"
    with src.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Mã phiếu", "Tên doanh nghiệp", "Nhu cầu công nghệ", "Mô tả khó khăn"])
        for i in range(100_000):
            w.writerow(
                [f"HP-{i:06d}", f"Công ty số {i}", f"Cần công nghệ xử lý nước thải số {i}", "Chi phí cao"]
            )
    size_mb = src.stat().st_size / 2**20
    tracemalloc.start()
    try:
        with open_survey(src) as reader:
            needs = sum(1 for event in reader if isinstance(event, SurveyNeed))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert needs == 100_000
    # The whole file would be ~size_mb on disk and several times that as Python strings.
    assert peak / 2**20 < 32 and peak / 2**20 < size_mb * 2, (
        f"peak {peak / 2**20:.1f} MB for {size_mb:.1f} MB"
    )


def test_row_without_letters_or_digits_is_skipped_with_its_row_number(tmp_path: Path) -> None:
    src = tmp_path / "ks.csv"
    src.write_text("Mã phiếu,Nhu cầu công nghệ\nA1,???\nA2,máy sấy nông sản\n", encoding="utf-8")
    events = _events(src)
    assert isinstance(events[0], SkippedRow) and events[0].kind == "blank"
    assert events[0].reason.startswith("Dòng 2: ") and "không có chữ hay số" in events[0].reason
    assert isinstance(events[1], SurveyNeed) and events[1].text == "máy sấy nông sản"

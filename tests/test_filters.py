"""Catalog filters over lookup tables: same answers as reading every entry, errors that list values."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.catalog.schema import Technology
from matcher.errors import InputError
from matcher.filters import Filters, FilterTables, browse_rows, filter_mask
from matcher.results import SectorScore, Verdict
from matcher.text.normalize import fold

SECTORS = {"cang_bien": "Cảng biển, logistics", "nong_nghiep": "Nông nghiệp"}


def _tech(i: int, field: str, institute: str, sectors: tuple[str, ...] = (), **extra: str) -> Technology:
    return Technology(
        id=f"T{i}",
        name=f"Công nghệ {i}",
        description="Mô tả.",
        institute=institute,
        field=field,
        sectors=sectors,
        extra=extra,
    )


TECHS = [
    _tech(0, "Môi trường", "Viện Hóa học", ("cang_bien",), **{"Tỉnh": "Hải Phòng"}),
    _tech(1, "Nông nghiệp", "Viện Công nghệ sinh học"),
    _tech(2, "Môi trường", "Viện Công nghệ môi trường", **{"Tỉnh": "Hà Nội"}),
    _tech(3, "Cơ khí", "Viện Hóa học", ("cang_bien", "nong_nghiep")),
]
GUESS = SectorScore(sector_id="nong_nghiep", name="Nông nghiệp", score=0.9, priority=True)
VERDICTS = [Verdict(), Verdict(sectors=[GUESS]), Verdict(), Verdict()]


def _rows(filters: Filters) -> list[int]:
    mask = filter_mask(filters, FilterTables(TECHS, VERDICTS), SECTORS)
    assert mask is not None
    return [int(i) for i in np.flatnonzero(mask)]


def test_no_filter_is_no_mask() -> None:
    assert filter_mask(Filters(), FilterTables(TECHS, VERDICTS), SECTORS) is None


def test_values_compare_folded_and_combine() -> None:
    assert _rows(Filters(field=["moi truong"])) == [0, 2]
    assert _rows(Filters(field=["MÔI TRƯỜNG", "co khi"])) == [0, 2, 3]  # values of one filter: OR
    assert _rows(Filters(field=["Môi trường"], institute=["vien hoa hoc"])) == [0]  # filters: AND
    assert _rows(Filters(columns={"Tỉnh": ["hai phong"]})) == [0]


def test_sector_by_id_or_name_declared_else_guessed_and_priority() -> None:
    assert _rows(Filters(sector=["cang_bien"])) == [0, 3]
    assert _rows(Filters(sector=["Nông nghiệp"])) == [1, 3]  # entry 1 by the rules' guess
    assert _rows(Filters(priority_only=True)) == [1]


def test_unknown_values_and_columns_are_errors_that_list_the_valid_ones() -> None:
    with pytest.raises(InputError, match="Giá trị hợp lệ: Cơ khí, Môi trường, Nông nghiệp"):
        _rows(Filters(field=["Hoá dầu"]))
    with pytest.raises(InputError, match=r"Ngành .*cang_bien"):
        _rows(Filters(sector=["hang_khong"]))
    with pytest.raises(InputError, match="không có cột 'Quận'"):
        _rows(Filters(columns={"Quận": ["Lê Chân"]}))


def test_tables_are_built_once_per_column() -> None:
    tables = FilterTables(TECHS, VERDICTS)
    first = tables.column("institute")
    assert tables.column("institute") is first
    assert first["vien hoa hoc"].display == "Viện Hóa học" and list(first["vien hoa hoc"].rows) == [0, 3]


def test_browsing_combines_filters_verdict_and_search_words() -> None:
    verdicts = [Verdict(restricted="yes"), Verdict(sectors=[GUESS]), Verdict(restricted="review"), Verdict()]
    tables = FilterTables(TECHS, verdicts)
    text = {i: fold(f"{t.id} {t.name} {t.institute} {t.field}") for i, t in enumerate(TECHS)}
    reads: list[int] = []

    def search_text(row: int) -> str:
        reads.append(row)
        return text[row]

    def rows(filters: Filters | None = None, restricted: str | None = None, words: tuple = ()) -> list[int]:
        return browse_rows(tables, filters, SECTORS, restricted, words, search_text).tolist()

    assert rows() == [0, 1, 2, 3]
    assert rows(restricted="no") == [1, 3] and rows(restricted="yes") == [0]
    assert rows(Filters(field=["moi truong"]), restricted="no") == []
    assert rows(Filters(institute=["vien hoa hoc"]), restricted="no") == [3]
    assert reads == []  # no search words: no entry text is read
    assert rows(Filters(field=["moi truong"]), words=("vien", "hoc")) == [0]
    assert reads == [0, 2]  # only the rows the filter kept were read
    assert rows(words=("cong", "nghe", "3")) == [3]
    with pytest.raises(InputError, match="moi truongg"):
        rows(Filters(field=["moi truongg"]), restricted="no")

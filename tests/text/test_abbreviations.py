"""Abbreviations are read as what they stand for, only where they are whole words."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.errors import TechmatchError
from matcher.text.abbreviations import expand, load_abbreviations
from matcher.text.crosslingual import TermMatch


def test_abbreviations_are_written_out_in_place() -> None:
    out = expand("Cần hệ thống XLNT cho KCN Đình Vũ, lò đốt CTNH 200 kg/h")
    assert out.text == (
        "Cần hệ thống xử lý nước thải cho khu công nghiệp Đình Vũ, lò đốt chất thải nguy hại 200 kg/h"
    )
    assert out.terms == [
        TermMatch("XLNT", ("xử lý nước thải",)),
        TermMatch("KCN", ("khu công nghiệp",)),
        TermMatch("CTNH", ("chất thải nguy hại",)),
    ]
    assert expand(out.text) == type(out)(out.text)  # written out once: nothing left to expand


@pytest.mark.parametrize("typed", ["TMĐT", "tmđt", "TMDT", "Tmdt"])
def test_any_case_with_or_without_the_d_stroke(typed: str) -> None:
    assert expand(f"sàn {typed} cho hợp tác xã").text == "sàn thương mại điện tử cho hợp tác xã"


@pytest.mark.parametrize(
    "text",
    [
        "máy CNC 5 trục",  # another common reading: left out of the table
        "xu ly nuoc thai ao nuoi tom",  # syllables typed without marks are never abbreviations
        "XLNTX cho nhà máy",  # a longer word is not the abbreviation
        "công ty TNHH",  # who writes, not what is needed: left out
    ],
)
def test_other_words_are_left_alone(text: str) -> None:
    assert expand(text).text == text and expand(text).terms == []


def test_a_bad_table_fails_loudly_naming_the_entry(tmp_path: Path) -> None:
    for body, bad in (("ao: cái ao\n", "ao"), ("xlnt: ''\n", "xlnt"), ("- xlnt\n", "viết tắt")):
        path = tmp_path / f"bang-{len(body)}.yaml"
        path.write_text(body, encoding="utf-8")
        with pytest.raises(TechmatchError, match=bad):
            load_abbreviations(path)


def test_the_shipped_table_loads_and_expands_once() -> None:
    table = load_abbreviations()
    assert table["xlnt"] == "xử lý nước thải" and "cnc" not in table and "dn" not in table
    # no expansion holds another abbreviation: the rule engine expands text the matcher already
    # expanded, and must get the same words back
    for expansion in table.values():
        assert expand(expansion).text == expansion

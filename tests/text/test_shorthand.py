"""Chat shorthand ("ko", "đc", "ntn") read as the words it stands for, only where typed as such."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.errors import TechmatchError
from matcher.text.diacritics import is_vietnamese_syllable
from matcher.text.normalize import fold
from matcher.text.shorthand import expand_shorthand, load_shorthand


def _read(text: str) -> tuple[str, list[str]]:
    out = expand_shorthand(text)
    return out.text, [f"{t.english} → {t.vietnamese[0]}" for t in out.terms]


def test_shorthand_in_an_accented_need_is_written_out_in_place() -> None:
    assert _read("ko dùng lò đốt rác nữa, làm ntn cx đc") == (
        "không dùng lò đốt rác nữa, làm như thế nào cũng được",
        ["ko → không", "ntn → như thế nào", "cx → cũng", "đc → được"],
    )


def test_an_unaccented_need_stays_unaccented_for_the_restorer() -> None:
    # an accented word would make the text look accented, and the restorer would skip it
    assert _read("ko muon dung lo dot rac") == ("khong muon dung lo dot rac", ["ko → không"])


def test_capitalised_only_where_a_sentence_starts() -> None:
    assert _read("Ko biết. Ng dân cần j")[0] == "Không biết. Người dân cần gì"
    assert _read("anh Ng Van A")[0] == "anh Ng Van A"  # a name's initial, mid-sentence


@pytest.mark.parametrize(
    "text",
    [
        "giá 50 k một tấn",  # a unit after a number
        "độ trễ 20 ms",
        "thuật toán k-means cho camera",  # glued to other characters
        "hàng NG phải loại, máy KO",  # upper case: an acronym (NG = no good in QC)
        "We compare solution A vs B for our sensors",  # English: "vs" is versus
    ],
)
def test_words_that_only_look_like_shorthand_are_left(text: str) -> None:
    assert _read(text) == (text, [])


def test_no_key_is_a_word_typed_without_marks() -> None:
    """A key that folds to a Vietnamese syllable of the shipped list would rewrite real words."""
    syllables = Path(__file__).parents[2] / "matcher" / "text" / "data" / "vi_syllables.txt"
    folded = {
        fold(line.split("\t")[0])
        for line in syllables.read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    }
    keys = load_shorthand()
    assert keys and not folded & {fold(k) for k in keys}
    assert any(is_vietnamese_syllable(k) for k in keys)  # why this is not the abbreviation table


def test_a_malformed_table_fails_loudly(tmp_path: Path) -> None:
    bad = tmp_path / "shorthand.yaml"
    bad.write_text("KO: không\n", encoding="utf-8")
    with pytest.raises(TechmatchError, match="KO"):
        load_shorthand(bad)
    bad.write_text("- ko\n", encoding="utf-8")
    with pytest.raises(TechmatchError, match="phải là các dòng"):
        load_shorthand(bad)

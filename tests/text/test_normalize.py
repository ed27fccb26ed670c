"""Normalisation: NFC, one tone-mark placement, folding, numbers kept intact."""

from __future__ import annotations

import unicodedata

import pytest

from matcher.text.normalize import canonical_i, fix_tone_placement, fold, has_diacritics, lower, normalize


@pytest.mark.parametrize(
    ("old", "canonical"),
    [
        ("hoà", "hòa"),
        ("Hoà", "Hòa"),
        ("thuỷ", "thủy"),
        ("qúy", "quý"),
        ("QÚY", "QUÝ"),
        ("khoẻ", "khỏe"),
        ("tuỳ", "tùy"),
        ("oà", "òa"),
        ("hoàng", "hoàng"),
        ("người", "người"),
        ("giữa", "giữa"),
        ("quỳnh", "quỳnh"),
        ("thuở", "thuở"),
        ("khuyến", "khuyến"),
        ("giường", "giường"),
        ("ngoằn", "ngoằn"),
    ],
)
def test_tone_marks_meet(old: str, canonical: str) -> None:
    assert fix_tone_placement(old) == canonical
    assert normalize(old) == canonical


def test_nfd_input_becomes_nfc_and_equal() -> None:
    text = "Xử lý nước thải nuôi thủy sản"
    assert normalize(unicodedata.normalize("NFD", text)) == text
    assert unicodedata.is_normalized("NFC", normalize(unicodedata.normalize("NFD", text)))


def test_whitespace_and_control_characters_cleaned() -> None:
    assert normalize("  xử\u200blý\t\tnước \n thải\x00 ") == "xử lý nước thải"


def test_numbers_kept_for_the_rules() -> None:
    assert normalize("lò 4.000 tấn clanhke/ngày, 0,3 tấn/giờ") == "lò 4.000 tấn clanhke/ngày, 0,3 tấn/giờ"
    assert fold("4.000 TẤN") == "4.000 tan"


def test_fold_removes_every_diacritic_and_d_bar() -> None:
    assert fold("Đường ống dẫn ĐIỆN thuỷ lực") == "duong ong dan dien thuy luc"
    assert fold("xu ly nuoc thai") == fold("xử lý nước thải")


def test_has_diacritics() -> None:
    assert has_diacritics("xử lý")
    assert has_diacritics("đi")
    assert not has_diacritics("xu ly nuoc thai nuoi tom")
    assert not has_diacritics("wastewater treatment")


def test_rejects_non_string() -> None:
    with pytest.raises(TypeError, match="expects str"):
        normalize(None)  # type: ignore[arg-type]


def test_loanwords_written_as_one_word_keep_their_mark() -> None:
    assert normalize("catốt") == "catốt"
    assert normalize("anốt và catốt") == "anốt và catốt"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sản xuất gạch đất sét nung\nGạch không nung", "Sản xuất gạch đất sét nung. Gạch không nung"),
        ("- lò gạch đất sét nung\n- gạch không nung", "- lò gạch đất sét nung. - gạch không nung"),
        ("công nghệ sản xuất gạch\nđất sét nung", "công nghệ sản xuất gạch đất sét nung"),  # wrapped line
        ("đã có dấu chấm.\nCâu sau", "đã có dấu chấm. Câu sau"),
        ("đoạn một\n\nđoạn hai", "đoạn một. đoạn hai"),
        ("cuối dòng  \n  ", "cuối dòng"),
    ],
)
def test_line_breaks_that_end_sentences_become_full_stops(text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize(
    "text", ["Lò gạch. \nDây chuyền mới", "Lò gạch.\r\nDây chuyền mới", "Lò gạch\r\nDây chuyền mới"]
)
def test_line_break_after_a_sentence_end_adds_no_second_stop(text: str) -> None:
    assert normalize(text) == "Lò gạch. Dây chuyền mới"


@pytest.mark.parametrize(
    ("y_spelling", "i_spelling"),
    [
        ("Xử lý nước thải", "xử lí nước thải"),
        ("kỹ thuật", "kĩ thuật"),
        ("quy trình", "qui trình"),
        ("Công ty TNHH", "công ti TNHH"),
        ("tỷ lệ", "tỉ lệ"),
        ("nước Mỹ", "nước Mĩ"),
        ("hy vọng", "hi vọng"),
        ("bác sỹ", "bác sĩ"),
    ],
)
def test_both_i_y_spellings_share_one_key(y_spelling: str, i_spelling: str) -> None:
    assert fold(y_spelling) == fold(i_spelling)
    assert lower(y_spelling) == lower(i_spelling)
    assert normalize(y_spelling) == y_spelling  # what people see keeps the writer's spelling


@pytest.mark.parametrize(
    "text",
    ["thủy lợi", "tuy nhiên", "hay", "yêu cầu", "ý kiến", "khuyến nông", "xuyên", "thuyền", "Huy", "Khuy"],
)
def test_y_inside_a_longer_vowel_is_not_respelt(text: str) -> None:
    assert canonical_i(text) == text and canonical_i(text.lower()) == text.lower()


def test_case_is_kept_and_compounds_count_as_words() -> None:
    assert canonical_i("Xử Lý, KỸ THUẬT, Quy trình, Mỹ") == "Xử Lí, KĨ THUẬT, Qui trình, Mĩ"
    assert canonical_i("ly_tâm xử_lý") == "li_tâm xử_lí"  # "_" joins compound syllables


def test_canonical_i_keeps_offsets() -> None:
    text = "công ty xử lý, quy mô 2 tỷ; kỹ sư mỹ"  # lower case, as fold and lower pass it
    assert len(canonical_i(text)) == len(text)
    assert canonical_i(text) == "công ti xử lí, qui mô 2 tỉ; kĩ sư mĩ"

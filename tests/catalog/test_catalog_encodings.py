"""Decoding catalog bytes: UTF-8/16, cp1258 and the legacy TCVN3/VNI font encodings."""

from __future__ import annotations

import unicodedata

import pytest

from matcher.catalog.encodings import (
    TCVN3,
    VNI,
    convert_legacy,
    decode_bytes,
    detect_legacy_text,
    encode_cp1258,
    encode_legacy,
    is_vietnamese_syllable,
    tcvn3_table,
    vietnamese_score,
    vni_table,
)
from matcher.errors import CatalogError

SENTENCES = [
    "Chế phẩm vi sinh tạo màng sinh học trên giá thể than sinh học để xử lý đất ô nhiễm dầu.",
    "Hệ thống khử mặn nước biển bằng màng thẩm thấu ngược cấp nước uống cho đảo.",
    "Mồi sinh học diệt ốc bươu vàng, ít độc với cá; quỵ lụy, ẳng ẵng, khuỷu tay, người ưỡn ngực.",
    "Thu hồi niken độ tinh khiết cao từ chất thải mạ điện của xưởng ở Hải Phòng.",
]


def test_tables_cover_every_vietnamese_letter() -> None:
    # 12 vowels x 5 tones + 6 plain vowel letters + đ = 67 lowercase letters.
    assert len(tcvn3_table()) == 67 + 7
    assert len(vni_table()) == 2 * 67
    assert tcvn3_table()["ẳ"] == "\xbc"
    assert vni_table()["ẳ"] == "aú" and vni_table()["Ẳ"] == "AÚ"
    assert vni_table()["ỵ"] == "î" and vni_table()["đ"] == "ñ"


@pytest.mark.parametrize("sentence", SENTENCES)
@pytest.mark.parametrize("encoding", [TCVN3, VNI])
def test_legacy_round_trip(sentence: str, encoding: str) -> None:
    surfaced = encode_legacy(sentence, encoding).decode("latin-1")
    assert surfaced != sentence
    assert convert_legacy(surfaced, encoding) == sentence


def test_vni_round_trip_keeps_uppercase() -> None:
    text = "ĐỒNG BẰNG SÔNG CỬU LONG ỨNG DỤNG CÔNG NGHỆ"
    assert convert_legacy(encode_legacy(text, VNI).decode("latin-1"), VNI) == text


def test_tcvn3_uppercase_toned_letters_come_back_lowercase() -> None:
    # TCVN3 has no uppercase toned letters (.VnTimeH draws lowercase codes as capitals).
    assert (
        convert_legacy(encode_legacy("ỨNG DỤNG Đà Nẵng", TCVN3).decode("latin-1"), TCVN3)
        == "ứNG DụNG Đà Nẵng"
    )


def test_known_legacy_spellings() -> None:
    assert convert_legacy("C«ng nghÖ", TCVN3) == "Công nghệ"
    assert convert_legacy("Coâng ngheä", VNI) == "Công nghệ"


@pytest.mark.parametrize(
    ("encode", "expected"),
    [
        (lambda s: s.encode("utf-8"), "utf-8"),
        (lambda s: s.encode("utf-8-sig"), "utf-8-sig"),
        (lambda s: s.encode("utf-16"), "utf-16"),
        (encode_cp1258, "cp1258"),
        (lambda s: encode_legacy(s, TCVN3), TCVN3),
        (lambda s: encode_legacy(s, VNI), VNI),
    ],
)
def test_decode_bytes_detects_encoding(encode, expected: str) -> None:
    text = "\n".join(SENTENCES)
    decoded = decode_bytes(encode(text))
    assert decoded.encoding == expected
    assert decoded.text == text
    assert unicodedata.is_normalized("NFC", decoded.text)


def test_cp1258_uses_combining_marks_and_is_nfc_after_decoding() -> None:
    raw = encode_cp1258("Việt Nam")
    assert b"\xf2" in raw  # the dot below is a separate combining byte in cp1258
    assert decode_bytes(raw).text == "Việt Nam"


def test_non_vietnamese_windows_text_still_decodes() -> None:
    text = "Résumé of the café’s “naïve” design"
    assert decode_bytes(text.encode("cp1252")).text == text


def test_undecodable_bytes_raise_in_vietnamese() -> None:
    with pytest.raises(CatalogError, match=r"Không nhận ra bảng mã.*TCVN3.*VNI.*CSV UTF-8"):
        decode_bytes(bytes(range(256)) * 4, source="x.csv")


def test_syllable_check() -> None:
    for word in ("nghiêng", "khuỷu", "quốc", "gì", "người", "Hải", "ĐƯỜNG"):
        assert is_vietnamese_syllable(word), word
    for word in ("C«ng", "Coâng", "nghÖ", "technology", "aaá"):
        assert not is_vietnamese_syllable(word), word
    assert vietnamese_score(SENTENCES[0]) > 0.9
    assert vietnamese_score("C«ng nghÖ xö lý n­íc th¶i") < 0.5


def test_legacy_text_inside_unicode_is_detected() -> None:
    assert detect_legacy_text(encode_legacy(SENTENCES[0], TCVN3).decode("latin-1")) == TCVN3
    assert detect_legacy_text(encode_legacy(SENTENCES[0], VNI).decode("latin-1")) == VNI
    assert detect_legacy_text(SENTENCES[0]) is None
    assert detect_legacy_text("plain ascii") is None

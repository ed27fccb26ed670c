"""The English -> Vietnamese glossary that lets the lexical channel search English needs."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import pytest
import yaml

from matcher.text.crosslingual import GLOSSARY_PATH, Glossary, GlossaryError, load_glossary, mostly_english
from matcher.text.normalize import fold

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "corpora" / "catalog" / "vast_demo_2026.csv"
PLAN_SOURCES = ROOT / "corpora" / "plan16" / "source"


def vi(text: str) -> list[str]:
    return [vi for m in load_glossary().matches(text) for vi in m.vietnamese]


def test_stemmed_phrases_match_plurals_and_verb_forms() -> None:
    assert "cảm biến rung" in vi("we want vibration sensors on the gearboxes")
    assert "hộp số" in vi("we want vibration sensors on the gearboxes")
    assert "quạt" in vi("the fans keep failing")
    assert "quạt" in vi("a fan failed")
    assert "dự đoán" in vi("predicting failures") and "dự đoán" in vi("predictive")


def test_longest_phrase_wins_over_its_words() -> None:
    matches = load_glossary().matches("looking for rooftop solar")
    assert [m.english for m in matches] == ["rooftop solar"]
    assert matches[0].vietnamese == ("điện mặt trời mái nhà",)


def test_each_phrase_once_in_order_of_appearance() -> None:
    terms = vi("wastewater from the plant; more wastewater than the plant can treat")
    assert terms.index("nước thải") < terms.index("nhà máy")
    assert terms.count("nước thải") == 1


def test_stemming_traps_stay_out() -> None:
    # "customers" and "customs" share a stem: only whole customs phrases mean hải quan.
    assert "hải quan" not in vi("our customers want faster delivery")
    assert "hải quan" in vi("customs clearance takes days")
    # "it" the pronoun is not "information technology".
    assert "công nghệ thông tin" not in vi("we need it quickly")


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("the important thing is speed", "nhập khẩu"),  # import
        ("our engineering team", "động cơ"),  # engine
        ("the shrimp are dying after rain", "khuôn"),  # die
        ("we are located in Deep C", "định vị"),  # location
        ("our trucks carry containers", "kiểm soát"),  # containment
        ("we distribute consumer goods", "vật tư"),  # consumables
        ("parts produced on our lines", "nông sản"),  # produce
        ("a fabricated steel frame", "vải"),  # fabric
        ("the machine stops", "gia công"),  # machining
        ("drying fish", "sắt hoàn nguyên trực tiếp"),  # DRI
        ("we need it in the following weeks", "theo dõi"),  # follow
    ],
)
def test_words_sharing_a_stem_with_another_meaning_are_matched_exactly(text: str, absent: str) -> None:
    assert absent not in vi(text)


def test_exact_phrases_still_match_as_written() -> None:
    assert vi("we import resin") == ["nhập khẩu", "nhựa"]
    assert "khuôn" in vi("stamping dies wear out") and "động cơ" in vi("diesel engines")
    own = Glossary({"nhập khẩu": ["=import", "=imports"], "nhựa": ["resin"]})
    assert [m.english for m in own.matches("Imports of resins; important")] == ["imports", "resins"]


def test_vietnamese_text_translates_to_nothing() -> None:
    assert vi("Cần hệ thống xử lý nước thải cho ao nuôi tôm") == []
    assert vi("") == []


def test_every_term_is_catalog_or_plan_vocabulary() -> None:
    """The glossary is written from the catalog's (and the plan's) own words, not from needs."""
    catalog = " ".join(" ".join(row.values()) for row in csv.DictReader(CATALOG.open(encoding="utf-8")))
    plan = " ".join(p.read_text(encoding="utf-8") for p in PLAN_SOURCES.glob("*.txt"))
    haystack = fold(unicodedata.normalize("NFC", catalog + " " + plan)).lower()
    data = yaml.safe_load(GLOSSARY_PATH.read_text(encoding="utf-8"))
    missing = [term for term in data if fold(term).lower() not in haystack]
    assert not missing, f"glossary terms absent from catalog and plan: {missing}"
    assert all(unicodedata.is_normalized("NFC", term) for term in data)
    assert sum(len(v) for v in data.values()) > 1400  # English phrases (1,476)


def test_duplicate_terms_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "g.yaml"
    path.write_text("sơn: [paint]\nsơn: [coating]\n", encoding="utf-8")
    with pytest.raises(GlossaryError, match="'sơn' lặp lại"):
        Glossary.load(path)


@pytest.mark.parametrize(
    "content",
    ["sơn: []\n", "sơn: paint\n", "sơn: ['---']\n", "- sơn\n", "", "sơn: [paint\n"],
)
def test_malformed_glossaries_are_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "g.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(GlossaryError):
        Glossary.load(path)


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("Our cement plant in Thủy Nguyên needs vibration sensors for the mill fans", True),
        ("We need IoT temperature tracking for reefer containers", True),
        ("Cần hệ thống xử lý nước thải cho ao nuôi tôm", False),
        ("Nhà máy cần robot cho dây chuyền SMT với AOI và MES", False),  # loanwords, Vietnamese grammar
        ("can he thong xu ly nuoc thai cho ao nuoi tom", False),  # no English function words
        ("A tannery for cow leather", True),  # short: one function word is enough
        ("", False),
    ],
)
def test_mostly_english_survives_vietnamese_place_names(text: str, english: bool) -> None:
    assert mostly_english(text) is english


def test_mostly_english_agrees_with_every_labelled_need() -> None:
    needs = yaml.safe_load((ROOT / "corpora" / "eval" / "needs.yaml").read_text(encoding="utf-8"))["needs"]
    wrong = [n["id"] for n in needs if mostly_english(n["text"]) != (n["lang"] == "en")]
    assert not wrong


def test_missing_or_undecodable_glossary_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(GlossaryError, match="Không tìm thấy bảng thuật ngữ"):
        Glossary.load(tmp_path / "none.yaml")
    utf16 = tmp_path / "utf16.yaml"
    utf16.write_bytes("sơn: [paint]\n".encode("utf-16"))
    with pytest.raises(GlossaryError, match="UTF-8"):
        Glossary.load(utf16)


def test_english_sentence_keeps_what_is_asked_apart_from_what_is_rejected() -> None:
    from matcher.text.crosslingual import english_sentence, english_stems

    rejected = english_sentence("we want water jetting instead of grit blasting".split())
    assert set(english_stems("grit blasting")) <= rejected.words
    assert not set(english_stems("grit blasting")) & rejected.asked  # after "instead of"
    swapped = english_sentence("replace our grit blasting with water jetting".split())
    assert set(english_stems("water jetting")) <= swapped.asked  # "with" ends the rejected span
    assert "grit" not in swapped.asked
    free = english_sentence("mercury free paint".split())
    assert "mercuri" in free.words and "mercuri" not in free.asked and "paint" in free.asked
    assert free.contains(tuple(english_stems("free paint"))) and not free.contains(("paint", "free"))

"""Spelling correction: the mistakes Vietnamese writers make are mended, correct text is left alone."""

from __future__ import annotations

import pytest

from matcher.settings import PROJECT_ROOT, Settings
from matcher.text.diacritics import DiacriticRestorer
from matcher.text.misspellings import held_out_spelling, misspell
from matcher.text.normalize import normalize
from matcher.text.spelling import SpellingCorrector, confusions

SEEDS = PROJECT_ROOT / "corpora" / "plan16" / "source"  # the plan and the letter, verbatim
CATALOG = PROJECT_ROOT / "corpora" / "catalog" / "vast_demo_2026.csv"
PLAN = SEEDS / "ke-hoach-16-KH-UBND-2026.txt"
PENALTY = Settings.model_fields["spelling_penalty"].default  # the shipped default, whatever the env says


@pytest.fixture(scope="module")
def corrector() -> SpellingCorrector:
    """The corrector as an index has it: a restorer trained on the catalog and the plan texts."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    texts.append(CATALOG.read_text(encoding="utf-8"))
    return SpellingCorrector(DiacriticRestorer.from_texts(texts), penalty=PENALTY)


def test_confusions_are_the_dialect_merges() -> None:
    assert confusions("sử") == {"xử", "sữ"}
    assert confusions("trế") == {"chế"}
    assert confusions("thãi") == {"thải"}  # hỏi / ngã
    assert confusions("rác") == {"dác", "giác", "rát"}  # d/gi/r onset, c/t coda
    assert confusions("lên") == {"nên", "lêng"}  # l/n onset, n/ng coda
    assert confusions("nghiêng") == {"nghiên"}  # "ngh" is one onset, not n + gh
    assert confusions("mạnh") == set()  # nothing a dialect merges


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("sử lý nước thải ao nuôi tôm", "xử lý nước thải ao nuôi tôm"),  # s/x
        ("trế biến thủy sản xuất khẩu", "chế biến thủy sản xuất khẩu"),  # ch/tr
        ("chất thãi rắn công nghiệp", "chất thải rắn công nghiệp"),  # hỏi/ngã
        ("nâng cao năng xuất lúa", "nâng cao năng suất lúa"),  # x/s, the other way
        ("lò đốt giác thải", "lò đốt rác thải"),  # gi/r
        ("hệ thống xử lý nươc thải", "hệ thống xử lý nước thải"),  # no syllable: a mark left off
        ("hệ thống xử lý nuoc thải", "hệ thống xử lý nước thải"),  # one word typed bare
        ("nnước thải ao nuôi", "nước thải ao nuôi"),  # a key pressed twice
        ("Sử lý nước thải", "Xử lý nước thải"),  # case kept
    ],
)
def test_mends_writers_mistakes(corrector: SpellingCorrector, typed: str, expected: str) -> None:
    assert corrector.correct(normalize(typed)).text == expected


def test_two_neighbouring_mistakes_are_mended_together(corrector: SpellingCorrector) -> None:
    out = corrector.correct("sử lý chất thãi")
    assert out.text == "xử lý chất thải"
    assert [str(f) for f in out.fixes] == ["sử → xử", "thãi → thải"]


@pytest.mark.parametrize(
    "text",
    [
        "công suất lò hơi 10 tấn/giờ và xuất khẩu thủy sản",  # suất and xuất, both right
        "Cảng container ở Đình Vũ, kho ngoại quan Nam Đình Vũ",  # names and English words
        "Cát Hải nuôi cá lồng bè, bão về là mất trắng",  # bão (storm), not the commoner bảo
        "dữ liệu ko đồng bộ, cần PLC và SCADA",  # chat shorthand and acronyms are not slips
        "phân urê và khí nitơ",  # loanwords written with marks
        "máy sấy nông sản dùng năng lượng mặt trời",
        "qui trình xử lí nước thải",  # the accepted i spellings of "quy trình xử lý"
        "dầu nhớt thải, tái chế rác thải nhựa",
    ],
)
def test_leaves_correct_text_alone(corrector: SpellingCorrector, text: str) -> None:
    out = corrector.correct(text)
    assert out.text == text and out.fixes == ()


def test_a_commoner_word_pays_for_its_frequency(corrector: SpellingCorrector) -> None:
    """Being the more frequent word is no evidence the writer meant it: "bảo" (bảo vệ, bảo quản)
    is far commoner than "bão" (storm), so reading "bão" as "bảo" costs more than the penalty,
    while the rarer reading costs the penalty alone."""
    options = dict(corrector._candidates("bão", guessed_marks=False))
    assert options["bão"] == 0.0 and options["bảo"] > PENALTY + 2
    assert dict(corrector._candidates("bảo", guessed_marks=False))["bão"] == PENALTY


def test_catalog_passages_are_left_as_written(corrector: SpellingCorrector) -> None:
    """The catalog is correct Vietnamese: nothing in it may read as a mistake."""
    import csv

    with CATALOG.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 160
    changed = {row["id"]: corrector.correct(normalize(" ".join(row.values()))).fixes for row in rows}
    assert {k: v for k, v in changed.items() if v} == {}


def test_unaccented_need_is_corrected_after_restoration(corrector: SpellingCorrector) -> None:
    typed = "su ly nuoc thai ao nuoi tom"
    restored = corrector.model.restore(typed)
    out = corrector.correct(restored, typed=typed)
    assert out.text == "xử lý nước thải ao nuôi tôm"
    assert [f.typed for f in out.fixes] == ["su"]  # the word as the writer typed it
    with pytest.raises(ValueError, match="typed"):
        corrector.correct(restored, typed=typed + " x")


def test_rejects_non_text(corrector: SpellingCorrector) -> None:
    with pytest.raises(TypeError):
        corrector.correct(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        SpellingCorrector(corrector.model, penalty=-1)


def test_misspell_is_deterministic_and_touches_only_words() -> None:
    text = "Cảng Đình Vũ cần hệ thống xử lý nước thải 500 m3/ngày cho PLC và container"
    first, n = misspell(text, "N001", rate=0.5)
    assert (first, n) == misspell(text, "N001", rate=0.5)
    assert n >= 1 and first != text
    for kept in ("Cảng", "Đình", "Vũ", "500", "m3", "PLC", "container"):
        assert kept in first
    assert misspell("PLC 500", "x") == ("PLC 500", 0)


def test_held_out_plan_text() -> None:
    """The figures `matcher eval --diacritics` prints, which chose the penalty: most mistakes
    mended, almost no correct syllable changed, restoration of bare text helped, not hurt."""
    s = held_out_spelling(PLAN.read_text(encoding="utf-8"), penalty=PENALTY)
    assert s.misspelt > 500
    assert s.fixed > 0.5
    assert s.broken < 0.001 and s.clean_changed <= 2
    assert s.unaccented_corrected > s.unaccented_misspelt + 0.02
    assert s.unaccented_clean > 0.95
    # the measure sees mistakes at all: uncorrected, misspelt bare text restores worse
    assert s.unaccented_misspelt < s.unaccented_clean - 0.1

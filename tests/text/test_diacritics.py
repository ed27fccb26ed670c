"""Diacritic restoration: unaccented needs come back accented, everything else is left alone."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from matcher.settings import PROJECT_ROOT
from matcher.text.diacritics import DiacriticRestorer, held_out_accuracy, is_vietnamese_syllable
from matcher.text.normalize import strip_diacritics

SEEDS = PROJECT_ROOT / "corpora" / "plan16" / "source"  # the plan and the letter, verbatim
PLAN = SEEDS / "ke-hoach-16-KH-UBND-2026.txt"  # plan 16/KH-UBND: 403 lines of technical Vietnamese

NEEDS = [
    "Cần tìm công nghệ xử lý nước thải nuôi tôm công suất 500 m3/ngày đêm.",
    "Kho lạnh bảo quản hải sản tại cảng container, giám sát nhiệt độ bằng cảm biến IoT.",
    "Lò đốt rác thải sinh hoạt và gạch không nung từ tro xỉ.",
    "Điện năng lượng mặt trời áp mái cho nhà máy phân bón hữu cơ.",
    "Robot hàn tự động cho nhà máy đóng tàu, điều khiển bằng PLC.",
]


def _seed_texts() -> list[str]:
    paths = sorted(SEEDS.glob("*.txt"))
    assert paths, f"seed texts missing under {SEEDS}"
    return [p.read_text(encoding="utf-8") for p in paths]


@pytest.fixture(scope="module")
def restorer() -> DiacriticRestorer:
    return DiacriticRestorer.from_texts([*_seed_texts(), *NEEDS])


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("xu ly nuoc thai nuoi tom", "xử lý nước thải nuôi tôm"),
        ("kho lanh bao quan hai san tai cang container", "kho lạnh bảo quản hải sản tại cảng container"),
        ("lo dot rac thai sinh hoat", "lò đốt rác thải sinh hoạt"),
        ("dien nang luong mat troi cho nha may phan bon", "điện năng lượng mặt trời cho nhà máy phân bón"),
        ("robot han tu dong cho nha may dong tau", "robot hàn tự động cho nhà máy đóng tàu"),
    ],
)
def test_restores_domain_needs(restorer: DiacriticRestorer, typed: str, expected: str) -> None:
    assert restorer.restore(typed) == expected


def test_casing_spacing_and_punctuation_kept(restorer: DiacriticRestorer) -> None:
    typed = "Xu Ly  nuoc thai, NUOI tom!"
    restored = restorer.restore(typed)
    # Only letters change: same length, same non-letters at the same offsets.
    assert len(restored) == len(typed)
    assert [c for c in restored if not c.isalpha()] == [c for c in typed if not c.isalpha()]
    assert restored.startswith("Xử Lý  nước thải, ")
    # "NUOI" in mixed-case text reads as an acronym and is left alone.
    assert restored.endswith("NUOI tôm!")


def test_all_caps_text_is_restored_in_caps(restorer: DiacriticRestorer) -> None:
    assert restorer.restore("XU LY NUOC THAI NUOI TOM") == "XỬ LÝ NƯỚC THẢI NUÔI TÔM"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("he thong IoT giam sat kho lanh 4.000 tan", "hệ thống IoT giám sát kho lạnh 4.000 tấn"),
        ("dieu khien bang PLC, cong suat 0,3 MW", "điều khiển bằng PLC, công suất 0,3 MW"),
        ("xu ly nuoc thai theo QCVN 40:2011/BTNMT", "xử lý nước thải theo QCVN 40:2011/BTNMT"),
        ("cang container va logistics", "cảng container và logistics"),
    ],
)
def test_numbers_codes_and_english_pass_through(
    restorer: DiacriticRestorer, typed: str, expected: str
) -> None:
    assert restorer.restore(typed) == expected


@pytest.mark.parametrize("text", [*NEEDS, "công nghệ cao", "Kế hoạch số 16/KH-UBND", ""])
def test_accented_text_is_returned_unchanged(restorer: DiacriticRestorer, text: str) -> None:
    assert restorer.restore(text) == text


@pytest.mark.parametrize(
    "text",
    ["xu ly nuoc thai nuoi tom", "can may say nong san", "XU LY NUOC THAI", "he thong IoT giam sat kho lanh"],
)
def test_looks_unaccented_vietnamese_true(restorer: DiacriticRestorer, text: str) -> None:
    assert restorer.looks_unaccented_vietnamese(text)


@pytest.mark.parametrize(
    "text",
    [
        "we need wastewater treatment for shrimp ponds",
        "solar power for a cold storage warehouse",
        "xử lý nước thải nuôi tôm",  # already accented
        "IoT PLC 4.000",  # nothing to judge by
        "",
    ],
)
def test_looks_unaccented_vietnamese_false(restorer: DiacriticRestorer, text: str) -> None:
    assert not restorer.looks_unaccented_vietnamese(text)


def test_restore_if_unaccented_leaves_english_alone(restorer: DiacriticRestorer) -> None:
    english = "we need a machine to dry the shrimp"
    assert restorer.restore_if_unaccented(english) == english
    assert restorer.restore_if_unaccented("may say tom") == "máy sấy tôm"


def test_unseen_common_words_restore_from_shipped_fallback() -> None:
    # Trained on one sentence that lacks every word below: candidates and context come from the
    # shipped syllable and bigram lists.
    model = DiacriticRestorer.from_texts(["Công nghệ xử lý nước thải."])
    assert model.restore("tiet kiem nang luong") == "tiết kiệm năng lượng"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # the domain text and the news-based lists never write in the first person: these read
        # "xương tới", "mượn cớ", "bền êm dạng bị" before general frequencies and request pairs
        ("xuong toi o Thuy Nguyen", "xưởng tôi ở Thủy Nguyên"),
        ("toi muon co may say", "tôi muốn có máy sấy"),
        ("cong ty minh dang can", "công ty mình đang cần"),
        ("ben em dang bi", "bên em đang bị"),
        ("nha toi dang nuoi tom", "nhà tôi đang nuôi tôm"),
        ("bui nhieu qua", "bụi nhiều quá"),
    ],
)
def test_needs_written_in_the_first_person(restorer: DiacriticRestorer, typed: str, expected: str) -> None:
    assert restorer.restore(typed) == expected


def test_without_fallback_unknown_syllables_pass_through() -> None:
    model = DiacriticRestorer.from_texts(["Công nghệ xử lý nước thải."], use_fallback=False)
    assert model.restore("xu ly nuoc thai nuoi tom") == "xử lý nước thải nuoi tom"


def test_unaccented_training_text_is_ignored() -> None:
    # The plan corpus carries unaccented match hints ("lo gach thu cong") beside the accented
    # text; learning from them taught the model that "thu cong" is already right.
    texts = ["Công nghệ lò gạch thủ công đốt than."] + ["lo gach thu cong"] * 50 + ["manual brick kiln"]
    model = DiacriticRestorer.from_texts(texts)
    assert model.restore("lo gach thu cong") == "lò gạch thủ công"
    assert "cong" not in model.to_dict()["unigrams"]


def test_round_trip_through_json(restorer: DiacriticRestorer) -> None:
    clone = DiacriticRestorer.from_dict(json.loads(json.dumps(restorer.to_dict(), ensure_ascii=False)))
    typed = [strip_diacritics(n) for n in NEEDS]
    assert [clone.restore(t) for t in typed] == [restorer.restore(t) for t in typed]


def test_from_dict_refuses_other_format(restorer: DiacriticRestorer) -> None:
    data = restorer.to_dict() | {"format_version": 999}
    with pytest.raises(ValueError, match=r"format 999 is not supported.*rebuild the index"):
        DiacriticRestorer.from_dict(data)


def test_untrained_model_says_how_to_build() -> None:
    with pytest.raises(RuntimeError, match="from_texts"):
        DiacriticRestorer().restore("xu ly")


@pytest.mark.parametrize(
    ("kwargs", "message"), [({"discount": 1.5}, "discount"), ({"prior_strength": -1}, "prior_strength")]
)
def test_bad_parameters_are_named(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DiacriticRestorer(**kwargs)


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("nuoc", True),
        ("nghieng", True),
        ("gi", True),
        ("quynh", True),
        ("Thuong", True),
        ("container", False),
        ("wastewater", False),
        ("UBND", False),
        ("shrimp", False),
    ],
)
def test_syllable_shape(token: str, expected: bool) -> None:
    assert is_vietnamese_syllable(token) is expected


def test_held_out_plan_accuracy() -> None:
    """Train on plan lines 1-240, restore lines 241-403 typed without marks.

    `matcher eval --diacritics` prints this figure (0.956 when written; 0.891 without the shipped
    bigram list). The floor sits just under it so a real regression fails.
    """
    accuracy, syllables = held_out_accuracy(PLAN.read_text(encoding="utf-8"))
    assert syllables > 4000, f"held-out set too small: {syllables} syllables"
    assert accuracy >= 0.95, f"held-out syllable accuracy {accuracy:.3f}"


def test_speed(restorer: DiacriticRestorer) -> None:
    need = (
        "can tim cong nghe xu ly nuoc thai nuoi tom cong suat 500 m3 ngay dem uu tien he thong "
        "tu dong giam sat IoT tiet kiem dien nang va chi phi van hanh thap cho trang trai"
    )
    assert len(need.split()) >= 30
    restorer.restore(need)
    start = time.perf_counter()
    for _ in range(20):
        restorer.restore(need)
    assert (time.perf_counter() - start) / 20 < 0.005


def test_fit_is_fast_on_200k_words() -> None:
    texts = _seed_texts() * 14
    assert sum(len(t.split()) for t in texts) > 150_000
    start = time.perf_counter()
    DiacriticRestorer.from_texts(texts)
    assert time.perf_counter() - start < 1.0


def test_shipped_lists_stay_small() -> None:
    data = Path(__file__).resolve().parents[2] / "matcher" / "text" / "data"
    for name in ("vi_syllables.txt", "vi_bigrams.txt"):
        assert (data / name).stat().st_size < 200_000, name


class _Stub:
    """A restorer whose answers are known: the gold text for the inputs in `gold`, else the input."""

    def __init__(self, gold: dict[str, str] | None = None) -> None:
        self.gold = gold or {}

    def restore(self, text: str) -> str:
        return self.gold.get(text, text)


def test_syllable_accuracy_by_hand() -> None:
    from matcher.text.diacritics import syllable_accuracy

    # "xe" has no marks, so echoing the unaccented text gets 1 of the 3 syllables right;
    # the code "PLC" and the number are not scored.
    assert syllable_accuracy(_Stub(), ["Xe chở rác PLC 200"]) == (pytest.approx(1 / 3), 3)
    assert syllable_accuracy(_Stub({"Xe cho rac": "Xe chở rác"}), ["Xe chở rác"]) == (1.0, 3)


def test_held_out_accuracy_scores_only_the_lines_after_training(monkeypatch) -> None:
    import matcher.text.diacritics as d

    seen: list[list[str]] = []

    def fake_from_texts(lines):
        seen.append(list(lines))
        return _Stub()

    monkeypatch.setattr(d.DiacriticRestorer, "from_texts", staticmethod(fake_from_texts))
    accuracy, scored = d.held_out_accuracy("Lò đốt rác\nXe chở hàng\nXe chở rác", train_lines=2)
    assert seen == [["Lò đốt rác", "Xe chở hàng"]]  # trained on the first lines only
    assert scored == 3 and accuracy == pytest.approx(1 / 3)  # scored on the last line only

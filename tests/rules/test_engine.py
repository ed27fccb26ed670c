"""The rule engine: verdicts on both sides of every threshold, look-alikes, warnings, sectors."""

from __future__ import annotations

import time
import zlib
from pathlib import Path

import numpy as np
import pytest

from matcher.rules.engine import RuleEngine, load_rule_engine
from matcher.rules.evaluate import evaluate_cases, load_cases
from matcher.rules.load import load_rulebook
from matcher.text.normalize import fold

CASES = Path(__file__).parents[1] / "data" / "rules_cases.yaml"


@pytest.fixture(scope="module")
def engine() -> RuleEngine:
    return load_rule_engine()


def _ids(verdict, label=("yes", "review")):
    return {h.rule_id for h in verdict.restricted_rules if h.verdict in label}


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Lò đốt rác thải sinh hoạt công suất 200 kg/h", "yes"),
        ("Lò đốt rác thải sinh hoạt công suất 500 kg/h", "no"),
        ("Luyện thép lò điện hồ quang 150 tấn/mẻ", "no"),
        ("Luyện thép lò điện hồ quang 50 tấn/mẻ", "yes"),
    ],
)
def test_both_sides_of_thresholds(engine, text, label):
    assert engine.check(text).restricted == label


def test_threshold_hit_explains_itself(engine):
    v = engine.check("Lò đốt rác sinh hoạt công suất 0,25 tấn/giờ")
    (hit,) = v.restricted_rules
    assert (hit.rule_id, hit.verdict, hit.how) == ("R-IV1b-24", "yes", "threshold")
    assert hit.quantities[0].value == pytest.approx(250) and hit.quantities[0].unit == "kg/h"
    assert "300 kg/h" in hit.reason and hit.text.startswith("Công nghệ sử dụng lò đốt")


def test_missing_quantity_asks_for_review(engine):
    (hit,) = engine.check("Lò đốt rác sinh hoạt cho khu dân cư").restricted_rules
    assert hit.verdict == "review"
    assert hit.reason == "Văn bản không nêu công suất lò đốt; cần kiểm tra ngưỡng 300 kg/h"


@pytest.mark.parametrize(
    "text",
    [
        "Sản xuất gạch không nung thay thế gạch đất sét nung",
        "Tái chế chai PET thành sợi polyester",
        "Môi chất lạnh HFO thay thế HCFC cho điều hòa",
        "Thu hồi nhiệt thải lò nung clinker xi măng lò quay để phát điện",
        "Lò điện hồ quang 150 tấn luyện thép",
    ],
)
def test_look_alikes_are_not_restricted(engine, text):
    assert engine.check(text).restricted == "no"


def test_unaccented_text_matches(engine):
    assert "R-IV1b-05" in _ids(engine.check("san xuat gach dat set nung lo thu cong"))


def test_accented_words_must_match_accented(engine):
    # "đất đen" folds to the same letters as "đất đèn" (calcium carbide), but is soil
    assert engine.check("Cải tạo đất đen trồng rau").restricted == "no"
    assert engine.check("san xuat dat den").restricted == "yes"


def test_every_restricted_rule_recognises_its_own_text(engine):
    for rule in engine.book.restricted:
        hits = {h.rule_id: h for h in engine.check(rule.text).restricted_rules}
        assert rule.id in hits, rule.id
        if rule.conditions is None:
            assert hits[rule.id].verdict in ("yes", "review"), rule.id


def test_every_priority_item_recognises_its_own_text(engine):
    for rec in [*engine.book.priority_flat(), *engine.book.priority_sectors]:
        assert rec.id in {h.rule_id for h in engine.check(rec.text).priority_rules}, rec.id


def test_priority_and_sectors(engine):
    v = engine.check("Robot tự hành AGV bốc xếp container tại cảng biển")
    assert {"P-IV1a-24", "PS-07"} <= {h.rule_id for h in v.priority_rules}
    assert v.priority and v.restricted == "no"
    top = engine.sector_scores("Robot tự hành AGV bốc xếp container tại cảng biển", top=2)
    assert top[0].sector_id == "dich_vu_cang_bien_logistics" and top[0].priority
    assert all(0.0 <= s.score <= 1.0 for s in top) and len(top) <= 2


def test_need_warning_cites_rule_and_roadmap(engine):
    warnings = engine.need_warnings("Cần chuyển giao công nghệ lò nung gạch đất sét thủ công")
    assert {w.rule.rule_id for w in warnings} == {"R-IV1b-05", "R-IV1b-23"}
    w = warnings[0]
    assert "L-IV2e-2026-01" in w.roadmap_ids
    assert "gạch không nung" in w.replacement_queries
    assert w.message.startswith("Nhu cầu này thuộc nhóm công nghệ hạn chế") and w.replacements == []


def test_need_warning_without_roadmap_uses_marked_hints(engine):
    (w,) = engine.need_warnings("Tìm công nghệ làm sạch vỏ tàu bằng hạt Nix")
    assert w.roadmap_ids == [] and any("nước" in q for q in w.replacement_queries)
    assert "không trích từ Kế hoạch" in w.message


def test_no_warning_for_a_need_that_moves_away(engine):
    assert engine.need_warnings("Cần thay thế môi chất lạnh HCFC bằng HFO") == []


def test_labelled_cases(engine):
    report = evaluate_cases(engine, load_cases(CASES))
    assert report.n >= 70
    assert report.threshold_accuracy == 1.0, [f.text for f in report.failures if "threshold" in f.tags]
    assert report.flagged.recall == 1.0 and report.flagged.precision >= 0.95
    assert report.per_tag["negative"] == 1.0


def test_check_batch_equals_check(engine):
    texts = ["Xi măng lò đứng", "Trồng rau thủy canh", "Lò đốt rác 100 kg/h"]
    assert engine.check_batch(texts) == [engine.check(t) for t in texts]


def test_check_is_fast(engine):
    text = " ".join(
        [
            "Công nghệ sản xuất gạch đất sét nung bằng lò tuynel sử dụng than, có hệ thống xử lý"
            " khí thải, tự động hóa và robot bốc xếp cho nhà máy tại Hải Phòng."
        ]
        * 6
    )
    engine.check(text)
    n = 100
    start = time.perf_counter()
    for _ in range(n):
        engine.check(text)
    per_call = (time.perf_counter() - start) / n
    assert per_call < 0.005, f"{per_call * 1000:.2f} ms per check"


class _KeywordEmbedder:
    """Deterministic test embedder: bag of folded words hashed into 64 dimensions."""

    model_id = "test-hash"
    dim = 64

    def _embed(self, texts):
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in fold(t).split():
                out[i, zlib.crc32(w.encode()) % self.dim] += 1.0  # hash() varies by process
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)

    def embed_queries(self, texts):
        return self._embed(texts)

    def embed_passages(self, texts):
        return self._embed(texts)


def test_semantic_match_is_review_never_yes():
    engine = RuleEngine(load_rulebook(), embedder=_KeywordEmbedder(), semantic_threshold=0.6)
    text = "Công nghệ in, sắp chữ bằng bản kẽm."  # close to R-IV1b-14's wording, no trigger phrase
    v = engine.check(text)
    semantic = [h for h in v.restricted_rules if h.how == "semantic"]
    assert semantic and all(h.verdict == "review" and h.similarity for h in semantic)
    assert v.restricted == "review"


def test_semantic_channel_does_not_override_vetoes():
    engine = RuleEngine(load_rulebook(), embedder=_KeywordEmbedder(), semantic_threshold=0.5)
    v = engine.check("Công nghệ sản xuất gạch không nung.")
    assert "R-IV1b-05" not in _ids(v)


def test_bad_threshold_is_refused():
    with pytest.raises(ValueError, match="semantic_threshold"):
        RuleEngine(load_rulebook(), semantic_threshold=1.5)


def test_one_item_per_line_is_one_sentence_each(engine):
    # An exclusion on the next line ("gạch không nung") must not cancel this line's trigger.
    assert engine.check("Sản xuất gạch đất sét nung\nGạch không nung").restricted == "yes"
    assert engine.check("- lò gạch đất sét nung thủ công\n- gạch không nung").restricted == "yes"


@pytest.mark.parametrize(
    ("y_spelling", "i_spelling"),
    [
        ("Xưởng tái chế ắc quy chì cũ", "Xưởng tái chế ắc qui chì cũ"),
        ("xuong tai che ac quy", "xuong tai che ac qui"),
    ],
)
def test_both_i_y_spellings_meet_the_same_rule(engine, y_spelling, i_spelling):
    assert _ids(engine.check(y_spelling)) == _ids(engine.check(i_spelling)) != set()


def test_abbreviations_are_read_as_their_words(engine):
    written_out = engine.check("Lò đốt chất thải rắn sinh hoạt công suất 200 kg/h")
    abbreviated = engine.check("Lò đốt CTRSH công suất 200 kg/h")
    assert abbreviated.restricted == written_out.restricted == "yes"
    assert _ids(abbreviated) == _ids(written_out)

"""The evaluation's arithmetic: metrics by hand, groups, twins, the labelled set's checks."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from matcher.errors import InputError
from matcher.evaluate import (
    EvalNeed,
    SystemReport,
    SystemSpec,
    evaluate,
    load_eval_set,
    load_eval_sets,
    metrics_for,
    misspelt_variants,
    no_match_flags,
    spelling_variants,
    twin_gap,
    twin_restoration,
    variant_gap,
)
from matcher.results import Explanation, MatchResult, RankedTechnology
from matcher.text.diacritics import DiacriticRestorer


def test_metrics_by_hand() -> None:
    # ranked: a(0) b(3) c(1); ideal: 3, 1
    m = metrics_for(["a", "b", "c"], {"b": 3, "c": 1})
    dcg = 7 / math.log2(3) + 1 / math.log2(4)
    ideal = 7 / math.log2(2) + 1 / math.log2(3)
    assert m["ndcg@10"] == pytest.approx(dcg / ideal)
    assert m["recall@10"] == 1.0  # grade >= 2 counts as relevant: only b
    assert m["mrr@10"] == 0.5 and m["success@1"] == 0.0
    assert metrics_for(["x"], {"b": 3}) == {"ndcg@10": 0.0, "recall@10": 0.0, "mrr@10": 0.0, "success@1": 0.0}


def _need(nid: str, lang: str = "vi", diacritics: bool = True, twin: str | None = None) -> EvalNeed:
    return EvalNeed(
        id=nid, split="dev", text=nid, lang=lang, diacritics=diacritics, twin=twin, relevant={"T1": 3}
    )


def test_groups_twins_and_the_vietnamese_group() -> None:
    needs = [_need("A"), _need("U", diacritics=False, twin="A"), _need("E", lang="en")]
    ranked = {"A": ["T1"], "U": ["X", "T1"], "E": ["X", "Y", "T1"]}

    def run(texts, spec):
        return [MatchResult(need_text=t, normalized_text=t) for t in texts]

    report: SystemReport = evaluate(needs, run, [SystemSpec("s", "hybrid", True, "s")])[0]
    for o in report.outcomes:  # rankings without building result objects
        o.metrics = metrics_for(ranked[o.need.id], o.need.relevant)
    groups = report.group_metrics()
    ndcg = {g: groups[g]["ndcg@10"] for g in groups}
    assert ndcg["vi_accented"] == 1.0 and ndcg["english"] == pytest.approx(7 / math.log2(4) / 7)
    assert ndcg["vietnamese"] == pytest.approx((1.0 + 1 / math.log2(3)) / 2)  # A and U, not E
    assert groups["all"]["n"] == 3 and groups["vietnamese"]["n"] == 2
    gap = twin_gap(report)
    assert gap["pairs"] == 1 and gap["gap"] == pytest.approx(1.0 - 1 / math.log2(3))


def test_restoration_is_scored_against_the_accented_twins() -> None:
    model = DiacriticRestorer.from_texts(["Xử lý nước thải ao nuôi tôm.", "Nuôi tôm thẻ chân trắng."])
    accented = EvalNeed(id="A", split="dev", text="Xử lý nước thải ao nuôi tôm")
    twin = accented.model_copy(update={"id": "U", "text": "Xu ly nuoc thai ao nuoi tom", "twin": "A"})
    score = twin_restoration([accented, twin], model)
    assert score == {"pairs": 1.0, "syllables": 7.0, "accuracy": 1.0}
    assert twin_restoration([accented], model) == {}  # no twin: nothing to judge by


def test_labelled_set_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "needs.yaml"
    path.write_text(
        "needs:\n"
        "  - {id: N1, split: dev, text: a, relevant: {T1: 3}}\n"
        "  - {id: N2, split: test, text: b, diacritics: false, twin: N1}\n",
        encoding="utf-8",
    )
    assert [n.id for n in load_eval_set(path, "test")] == ["N2"]
    with pytest.raises(InputError, match="không có trong danh mục"):
        load_eval_set(path, catalog_ids={"T2"})
    path.write_text(path.read_text(encoding="utf-8").replace("twin: N1", "twin: N9"), encoding="utf-8")
    with pytest.raises(InputError, match="N9"):
        load_eval_set(path)


def test_several_sets_are_read_as_one_and_reported_by_set(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("needs:\n  - {id: N1, split: test, text: a, relevant: {T1: 3}}\n", encoding="utf-8")
    second.write_text("needs:\n  - {id: I1, split: test, text: b, relevant: {T1: 3}}\n", encoding="utf-8")
    needs = load_eval_sets([first, second], "test")
    assert [(n.id, n.source) for n in needs] == [("N1", "a.yaml"), ("I1", "b.yaml")]

    def run(texts, spec):
        return [MatchResult(need_text=t, normalized_text=t) for t in texts]

    report = evaluate(needs, run, [SystemSpec("s", "hybrid", True, "s")])[0]
    report.outcomes[0].metrics = metrics_for(["T1"], {"T1": 3})
    report.outcomes[1].metrics = metrics_for(["X"], {"T1": 3})
    by_set = report.source_metrics()
    assert by_set["a.yaml"]["ndcg@10"] == 1.0 and by_set["b.yaml"]["ndcg@10"] == 0.0
    second.write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(InputError, match="N1"):
        load_eval_sets([first, second])


def test_no_match_flag_is_scored_on_no_answer_and_answerable_needs() -> None:
    needs = [
        EvalNeed(id="X", split="dev", text="x", kind="no_answer"),  # nothing in the catalog
        EvalNeed(id="Y", split="dev", text="y", kind="no_answer"),
        EvalNeed(id="A", split="dev", text="a", relevant={"T1": 3}),
        EvalNeed(id="E", split="dev", text="e", lang="en", relevant={"T1": 2}),
        EvalNeed(id="P", split="dev", text="p", relevant={"T1": 1}),  # only adjacent: neither side
    ]
    top = {"x": 0.80, "y": 0.90, "a": 0.88, "e": 0.82, "p": 0.70}

    def run(texts, spec):
        return [
            MatchResult(
                need_text=t,
                normalized_text=t,
                results=[
                    RankedTechnology.model_construct(
                        tech_id="T1", explanation=Explanation(dense_score=top[t], fused_score=1.0)
                    )
                ],
            )
            for t in texts
        ]

    report = evaluate(needs, run, [SystemSpec("s", "hybrid", True, "s")])[0]
    assert no_match_flags(report, 0.85) == {
        "threshold": 0.85,
        "no_answer": 2.0,
        "no_answer_flagged": 1.0,
        "answerable": 2.0,
        "answerable_flagged": 1.0,
        "answerable_flagged_english": 1.0,
    }


def test_i_spelling_variants_of_the_needs() -> None:
    needs = [_need("A"), _need("B")]
    needs[0] = needs[0].model_copy(update={"text": "xử lý nước thải"})
    needs[1] = needs[1].model_copy(update={"text": "thủy lợi, tuy nhiên, yêu cầu"})
    (variant,) = spelling_variants(needs)  # B has no i/y syllable: no copy
    assert variant.id == "A~i" and variant.text == "xử lí nước thải" and variant.relevant == needs[0].relevant

    def run(texts, spec):
        return [MatchResult(need_text=t, normalized_text=t) for t in texts]

    spec = SystemSpec("s", "hybrid", True, "s")
    originals, respelt = evaluate(needs, run, [spec])[0], evaluate([variant], run, [spec])[0]
    originals.outcomes[0].metrics = metrics_for(["T1"], {"T1": 3})
    respelt.outcomes[0].metrics = metrics_for(["X", "T1"], {"T1": 3})
    gap = variant_gap(originals, respelt, "~i")
    assert gap["pairs"] == 1 and gap["gap"] == pytest.approx(1.0 - 1 / math.log2(3))


def test_misspelt_variants_of_the_vietnamese_needs() -> None:
    needs = [_need("A"), _need("B"), _need("C")]
    needs[0] = needs[0].model_copy(update={"text": "cần hệ thống xử lý nước thải cho ao nuôi tôm"})
    needs[1] = needs[1].model_copy(update={"text": "wastewater treatment for shrimp ponds", "lang": "en"})
    needs[2] = needs[2].model_copy(update={"text": "PLC 500"})  # nothing to misspell: no copy
    (variant,) = misspelt_variants(needs)
    assert variant.id == "A~typo" and variant.relevant == needs[0].relevant
    assert variant.text != needs[0].text and len(variant.text.split()) == len(needs[0].text.split())
    assert misspelt_variants(needs) == [variant]  # the need's id seeds the mistakes

    def run(texts, spec):
        return [MatchResult(need_text=t, normalized_text=t) for t in texts]

    spec = SystemSpec("s", "hybrid", True, "s")
    originals, misspelt = evaluate(needs[:1], run, [spec])[0], evaluate([variant], run, [spec])[0]
    originals.outcomes[0].metrics = metrics_for(["T1"], {"T1": 3})
    misspelt.outcomes[0].metrics = metrics_for(["X", "T1"], {"T1": 3})
    gap = variant_gap(originals, misspelt, "~typo")
    assert gap["pairs"] == 1 and gap["variant"] == pytest.approx(1 / math.log2(3))
    assert gap["gap"] == pytest.approx(1.0 - 1 / math.log2(3))


def test_probe_runs_the_same_system_on_the_copies() -> None:
    from matcher.evaluate import probe, run_eval
    from matcher.results import RankedTechnology

    class Ranker:
        """Ranks T1 first for a need as written and second for its respelt copy."""

        def __init__(self) -> None:
            self.calls: list[tuple[list[str], str, bool]] = []

        def match_batch(self, texts, top_k, mode, use_rules, with_warnings):
            self.calls.append((list(texts), mode, use_rules))
            ranked = {True: ["X", "T1"], False: ["T1"]}
            return [
                MatchResult.model_construct(
                    results=[RankedTechnology.model_construct(tech_id=t) for t in ranked[text.endswith("lí")]]
                )
                for text in texts
            ]

    needs = [_need("A").model_copy(update={"text": "xử lý"}), _need("B").model_copy(update={"text": "tàu"})]
    ranker = Ranker()
    hr = next(r for r in run_eval(ranker, needs) if r.spec.name == "hybrid_rules")
    gap = probe(ranker, hr, spelling_variants(needs), "~i")
    assert ranker.calls[-1] == (["xử lí"], "hybrid", True)  # only the copy, with the same system
    assert gap["pairs"] == 1 and gap["as_written"] == 1.0
    assert gap["variant"] == pytest.approx(1 / math.log2(3))
    assert probe(ranker, hr, [], "~i") == {}

"""The rule engine on needs typed in English: `english` phrases per item and, with the real
model, cosine to the items' English glosses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher.rules.engine import DEFAULT_ENGLISH_THRESHOLD, RuleEngine
from matcher.rules.evaluate import evaluate_cases, load_cases
from matcher.rules.load import load_rulebook

DATA = Path(__file__).parents[1] / "data"
CASES = DATA / "rules_cases_en.yaml"


@pytest.fixture(scope="module")
def phrase_engine() -> RuleEngine:
    return RuleEngine(load_rulebook())


@pytest.fixture(scope="module")
def semantic_engine(embedder) -> RuleEngine:
    return RuleEngine(load_rulebook(), embedder=embedder)


MISSED = ["Investor plans a coal power station of 600 MW near the port"]  # no phrase, gloss 0.87


def test_english_phrases_flag_restricted_needs_without_the_model(phrase_engine: RuleEngine) -> None:
    cases = load_cases(CASES)
    report = evaluate_cases(phrase_engine, cases)
    assert [f.text for f in report.failures] == MISSED  # 39/40: the right label and the right item
    held_out = evaluate_cases(phrase_engine, [c for c in cases if "heldout" in c.tags])
    assert held_out.flagged.fp == 0 and (held_out.flagged.tp, held_out.flagged.fn) == (9, 1)


def test_english_phrase_hit_is_a_review_that_says_why(phrase_engine: RuleEngine) -> None:
    verdict = phrase_engine.check("We would like to make asbestos cement roof sheets")
    hit = next(h for h in verdict.restricted_rules if h.rule_id == "R-IV1b-06")
    assert (hit.how, hit.verdict, hit.matched) == ("phrase", "review", ["asbestos"])
    assert "tiếng Anh" in hit.reason and "cần cán bộ kiểm tra" in hit.reason


@pytest.mark.parametrize(
    "text",
    [
        "We want to replace our asbestos roofing with lightweight panels",  # cue: replace
        "Roof panels instead of asbestos sheets for our warehouse",  # cue: instead of
        "Asbestos-free fibre cement roof sheets",  # "-free" negates the word before it
        "A mercury-free antifouling coating for our fishing fleet",
        "Biodegradable shopping bags from cassava starch",  # english_exclude: biodegradable
    ],
)
def test_english_look_alikes_stay_clear(phrase_engine: RuleEngine, text: str) -> None:
    assert phrase_engine.check(text).restricted == "no"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        # English cues are in the shared cue table: a Vietnamese loanword trigger honours them
        ("We want solar panels instead of a coal power plant.", "no"),
        # a vetoed sentence does not hide a later one, in either order
        ("Replace the old tannery. We need a new tannery in Thuy Nguyen.", "review"),
        ("We need a new tannery in Thuy Nguyen. Replace the old tannery.", "review"),
        # "replace X with Y": Y is wanted
        ("Replace our boiler with a waste incinerator", "review"),
        # no English function word to tell the language: typed without diacritics is enough
        ("Battery recycling plant", "review"),
        # exclusions are whole phrases ("medical waste"), not words anywhere in the sentence
        ("We need an incinerator for medical waste", "no"),
        ("We need asbestos roofing sheets with free delivery", "review"),
    ],
)
def test_english_reading_of_sentences_and_cues(phrase_engine: RuleEngine, text: str, label: str) -> None:
    assert phrase_engine.check(text).restricted == label


def test_english_phrases_outside_restricted_items_are_refused(tmp_path: Path) -> None:
    import shutil

    from matcher.errors import RulesError
    from matcher.rules.load import default_rules_dir

    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules)
    priority = rules / "priority.yaml"
    text = priority.read_text(encoding="utf-8")
    priority.write_text(
        text.replace(
            "      synonyms: []", '      english: ["artificial intelligence"]\n      synonyms: []', 1
        ),
        encoding="utf-8",
    )
    with pytest.raises(RulesError, match="chỉ dùng cho mục hạn chế"):
        load_rulebook(rules)


def test_accented_vietnamese_text_never_uses_the_english_phrases(phrase_engine: RuleEngine) -> None:
    # "asbestos" is an English phrase of R-IV1b-06; typed with diacritics the text is Vietnamese.
    assert phrase_engine.check("Tấm lợp không chứa asbestos cho nhà xưởng").restricted == "no"


def test_the_model_changes_no_case(semantic_engine: RuleEngine) -> None:
    report = evaluate_cases(semantic_engine, load_cases(CASES))
    assert [f.text for f in report.failures] == MISSED
    assert report.strict.precision == 1.0  # "yes" only from the Vietnamese phrases (loanwords)


GLOSS_ONLY = "We want to produce paint with mercury to stop barnacles on boats"  # no English phrase of R-15


def test_gloss_hit_is_a_review_that_cites_the_gloss(
    phrase_engine: RuleEngine, semantic_engine: RuleEngine
) -> None:
    assert phrase_engine.check(GLOSS_ONLY).restricted == "no"  # the phrases do not see it
    hit = next(h for h in semantic_engine.check(GLOSS_ONLY).restricted_rules if h.rule_id == "R-IV1b-15")
    assert (hit.how, hit.verdict) == ("semantic", "review") and "tiếng Anh" in hit.reason
    assert hit.similarity is not None and DEFAULT_ENGLISH_THRESHOLD <= hit.similarity < 0.93
    stricter = RuleEngine(load_rulebook(), embedder=semantic_engine.embedder, english_threshold=0.93)
    assert stricter.check(GLOSS_ONLY).restricted == "no"  # the threshold decides


def test_a_phrase_hit_silences_the_gloss_for_its_item(semantic_engine: RuleEngine) -> None:
    loose = RuleEngine(load_rulebook(), embedder=semantic_engine.embedder, english_threshold=0.5)
    hits = loose.check("We need a workshop to make scented candles for hotels").restricted_rules
    assert [h.how for h in hits if h.rule_id == "R-IV1b-04"] == ["phrase"]
    assert any(h.how == "semantic" for h in hits)  # at 0.5 the other items do come in


def test_vietnamese_cases_unchanged_with_the_model(semantic_engine: RuleEngine) -> None:
    """The English channels are only for English text: the Vietnamese cases stay exact."""
    report = evaluate_cases(semantic_engine, load_cases(DATA / "rules_cases.yaml"))
    assert report.accuracy == 1.0, [f.text for f in report.failures]


def test_bad_english_threshold_is_refused() -> None:
    with pytest.raises(ValueError, match="english_threshold"):
        RuleEngine(load_rulebook(), english_threshold=1.5)


def test_cli_check_semantic_flags_an_english_need(embedder) -> None:
    from typer.testing import CliRunner

    from matcher.cli.rules import app

    result = CliRunner().invoke(
        app,
        [
            "check",
            "Our commune wants a small household waste incinerator, about 150 kg/h",
            "--semantic",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["restricted"] == "review"
    assert "R-IV1b-24" in {h["rule_id"] for h in data["restricted_rules"]}
    assert "--semantic" not in result.stderr

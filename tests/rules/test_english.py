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


def test_english_phrases_flag_restricted_needs_without_the_model(phrase_engine: RuleEngine) -> None:
    cases = load_cases(CASES)
    report = evaluate_cases(phrase_engine, cases)
    assert report.flagged.fp == 0 and report.flagged.recall >= 0.95  # measured: 19/20, 0 false
    held_out = evaluate_cases(phrase_engine, [c for c in cases if "heldout" in c.tags])
    assert held_out.flagged.fp == 0 and held_out.flagged.recall >= 0.9  # measured: 9/10


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


def test_vietnamese_text_never_uses_the_english_phrases(phrase_engine: RuleEngine) -> None:
    assert phrase_engine.check("Tấm lợp fibro xi măng không amiăng").restricted == "no"


def test_with_the_model_every_case_holds(semantic_engine: RuleEngine) -> None:
    report = evaluate_cases(semantic_engine, load_cases(CASES))
    assert report.flagged.fp == 0 and report.flagged.recall >= 0.95
    assert report.strict.precision == 1.0  # "yes" only from the Vietnamese phrases (loanwords)


def test_gloss_hit_is_a_review_that_cites_the_gloss(semantic_engine: RuleEngine) -> None:
    text = "We need a workshop to make scented candles for hotels"
    phrase_hit = next(h for h in semantic_engine.check(text).restricted_rules if h.rule_id == "R-IV1b-04")
    assert phrase_hit.how == "phrase"  # the phrase saw it: no second, semantic hit for the same item
    engine = RuleEngine(load_rulebook(), embedder=semantic_engine.embedder, english_threshold=0.5)
    gloss_hits = [
        h for h in engine.check("Our company wants to make toys").restricted_rules if h.how == "semantic"
    ]
    assert gloss_hits and all(h.verdict == "review" and "tiếng Anh" in h.reason for h in gloss_hits)
    assert all(h.similarity is not None and h.similarity >= 0.5 for h in gloss_hits)
    assert DEFAULT_ENGLISH_THRESHOLD == 0.90


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

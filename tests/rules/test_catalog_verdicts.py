"""The shipped demo catalog through the rule engine (phrases and thresholds, no embedder).

Seven entries are what plan 16 restricts (IV.1.b); everything else, including technologies that
mention a restricted thing only to replace it, leave it out or treat its waste, must not be "yes",
and at most a handful may ask an officer to look ("review").
"""

from __future__ import annotations

import pytest

from matcher.catalog.readers import load_catalog
from matcher.rules.engine import load_rule_engine
from matcher.settings import PROJECT_ROOT

CATALOG = PROJECT_ROOT / "corpora" / "catalog" / "vast_demo_2026.csv"

TRULY_RESTRICTED = {
    "VAST-047": "R-IV1b-39",  # ship hull cleaning with Nix grit
    "VAST-062": "R-IV1b-46",  # wet-process particle board 50.000 m3/năm
    "VAST-078": "R-IV1b-23",  # Hoffman clay-brick kiln on coal
    "VAST-116": "R-IV1b-49",  # used-oil re-refining by heat and adsorption
    "VAST-117": "R-IV1b-28",  # manual rotary-pan NPK, 800 t/năm
    "VAST-119": "R-IV1b-24",  # 200 kg/h domestic waste incinerator
    "VAST-135": "R-IV1b-02",  # lead-acid battery recycling
}
MAX_REVIEW = 3


@pytest.fixture(scope="module")
def verdicts():
    techs = load_catalog(CATALOG).technologies
    assert len(techs) == 160
    engine = load_rule_engine()
    verdicts = engine.check_batch([t.passage_text() for t in techs])
    return dict(zip((t.id for t in techs), verdicts, strict=True))


def test_truly_restricted_entries_are_yes(verdicts):
    for tech_id, rule_id in TRULY_RESTRICTED.items():
        v = verdicts[tech_id]
        assert v.restricted == "yes", tech_id
        assert rule_id in {h.rule_id for h in v.restricted_rules if h.verdict == "yes"}, tech_id


def test_no_other_entry_is_yes(verdicts):
    extra = {
        i: [h.rule_id for h in v.restricted_rules if h.verdict == "yes"]
        for i, v in verdicts.items()
        if v.restricted == "yes" and i not in TRULY_RESTRICTED
    }
    assert extra == {}


def test_few_entries_ask_for_review(verdicts):
    review = {
        i: [(h.rule_id, h.reason) for h in v.restricted_rules if h.verdict == "review"]
        for i, v in verdicts.items()
        if v.restricted == "review"
    }
    assert len(review) <= MAX_REVIEW, review


def test_waterless_dyeing_is_a_reasoned_review(verdicts):
    v = verdicts["VAST-065"]
    (hit,) = [h for h in v.restricted_rules if h.verdict == "review"]
    assert v.restricted == "review" and hit.rule_id == "R-IV1b-07"
    assert "IV.2.f" in hit.reason and "nhuộm không nước" in hit.reason

"""The plan as data matches the plan as written: every bullet of IV.1.a/IV.1.b has its record."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from matcher.errors import RulesError
from matcher.rules.load import load_rulebook
from matcher.settings import PROJECT_ROOT

SEED = PROJECT_ROOT / "corpora" / "plan16" / "source" / "ke-hoach-16-KH-UBND-2026.txt"
RULES_DIR = PROJECT_ROOT / "corpora" / "plan16"


@pytest.fixture(scope="module")
def book():
    return load_rulebook(RULES_DIR)


@pytest.fixture(scope="module")
def seed() -> str:
    assert SEED.is_file(), f"the plan's verbatim text is missing at {SEED}"
    return SEED.read_text(encoding="utf-8")


def _section_bullets(seed: str, start: str, end: str) -> list[str]:
    """The "- " bullets between two headings of the seed."""
    body = seed[seed.index(start) : seed.index(end)]
    return re.findall(r"^- (.+)$", body, flags=re.MULTILINE)


def _clean(text: str) -> str:
    text = re.sub(r"\s*\$H_2SO_4\$\s*", " H2SO4 ", text)
    text = re.sub(r"\s*\$m\^([23])\$\s*", r" m\1", text)
    return re.sub(r" {2,}", " ", text)


def test_every_restricted_bullet_has_its_record(book, seed):
    bullets = _section_bullets(seed, "**b. Nhóm công nghệ hạn chế**", "**2. Lộ trình đổi mới")
    assert len(bullets) == len(book.restricted) == 49
    for n, (bullet, rule) in enumerate(zip(bullets, book.restricted, strict=True), 1):
        assert rule.id == f"R-IV1b-{n:02d}"
        assert rule.text == _clean(bullet), rule.id
        assert rule.text_raw in (None, bullet)


def test_every_priority_bullet_has_its_record(book, seed):
    bullets = _section_bullets(seed, "**a. Nhóm công nghệ ưu tiên", "**b. Nhóm công nghệ hạn chế**")
    assert [r.text for r in book.priority] == bullets
    assert [r.id for r in book.priority] == [f"P-IV1a-{n:02d}" for n in range(1, 25)]


def test_advanced_materials_bullet_is_split_into_its_sub_items(book):
    parent = next(r for r in book.priority if r.text.startswith("Công nghệ chế tạo vật liệu tiên tiến:"))
    assert len(parent.items) == 14
    for item in parent.items:
        assert item.text in parent.text
        assert item.id.startswith(parent.id + "-")


def test_roadmap_items_are_verbatim_pieces_of_their_period(book, seed):
    flat = re.sub(r"\s+", " ", seed)
    for item in book.roadmap:
        assert (item.text_raw or item.text) in flat, item.id
        assert item.period in ("2026-2030", "2031-2035")
    letters = {item.section for item in book.roadmap}
    assert letters == {f"IV.2.{c}" for c in "abcdefgh"}


def test_priority_sectors_quote_the_plan_and_the_letter(book, seed):
    letter = (SEED.parent / "cong-van-SKHCN-chon-cong-nghe-VAST-2026.txt").read_text(encoding="utf-8")
    for ps in book.priority_sectors:
        assert ps.text in (seed if ps.section == "IV.1.a" else letter), ps.id
    assert {ps.id for ps in book.priority_sectors} >= {f"PS-{n:02d}" for n in range(1, 11)}


@pytest.mark.parametrize(
    ("rule_id", "conditions"),
    [
        ("R-IV1b-24", [("kg/h", "<", 300)]),
        ("R-IV1b-22", [("t/day", "<", 4000)]),
        ("R-IV1b-37", [("t/heat", "<", 70)]),
        ("R-IV1b-40", [("m2/year", "<", 3_000_000)]),
        ("R-IV1b-43", [("t/year", "<", 1000)]),
        ("R-IV1b-46", [("m3/year", "<", 100_000)]),
        ("R-IV1b-42", [("kg/t", ">", 160), ("kg/t", ">", 0.5), ("kWh/t", ">", 100)]),
    ],
)
def test_thresholds_have_explicit_structure(book, rule_id, conditions):
    rule = next(r for r in book.restricted if r.id == rule_id)
    assert rule.conditions is not None and rule.conditions.mode == "any"
    assert [(c.unit, c.op, c.value) for c in rule.conditions.items] == conditions
    assert rule.conditions.missing_reason.startswith("Văn bản không nêu")


def test_wet_process_board_is_an_alternative(book):
    board = next(r for r in book.restricted if r.id == "R-IV1b-46")
    assert "phương pháp ướt" in board.alternatives


def test_roadmap_replacements_link_restricted_rules(book):
    assert {i.id for i in book.roadmap_replacing("R-IV1b-05")} == {"L-IV2e-2026-01"}
    assert {i.id for i in book.roadmap_replacing("R-IV1b-31")} == {"L-IV2b-2026-03"}
    eaf = book.roadmap_replacing("R-IV1b-37")[0]
    assert eaf.replace is not None and "lò điện hồ quang" in eaf.replace.to


def _copy_rules(tmp_path: Path) -> Path:
    for f in RULES_DIR.glob("*.yaml"):
        (tmp_path / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def _edit(path: Path, old: str, new: str, count: int = -1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} no longer contains {old!r}: update the test's edit"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_unknown_key_names_the_rule(tmp_path):
    d = _copy_rules(tmp_path)
    _edit(d / "restricted.yaml", "      exclude: []", "      exclued: []", 1)
    with pytest.raises(RulesError, match=r"R-IV1b-01.*exclued"):
        load_rulebook(d)


def test_unknown_operator_names_the_rule(tmp_path):
    d = _copy_rules(tmp_path)
    _edit(d / "restricted.yaml", 'op: "<", value: 300', 'op: "~", value: 300')
    with pytest.raises(RulesError, match=r"R-IV1b-24.*operator"):
        load_rulebook(d)


def test_unknown_sector_names_the_rule(tmp_path):
    d = _copy_rules(tmp_path)
    _edit(d / "priority.yaml", 'sectors: ["nang_luong"]', 'sectors: ["hat_nhan"]', 1)
    with pytest.raises(RulesError, match=r"P-IV1a-09.*hat_nhan"):
        load_rulebook(d)


def test_duplicate_id_names_the_rule(tmp_path):
    d = _copy_rules(tmp_path)
    _edit(d / "restricted.yaml", "id: R-IV1b-02", "id: R-IV1b-01")
    with pytest.raises(RulesError, match=r"R-IV1b-01.*trùng"):
        load_rulebook(d)

"""Read corpora/plan16/*.yaml into a validated `RuleBook`, or fail naming the bad rule.

Validation is per record so that an error says which rule to fix ("R-IV1b-24: ..."), then the
book is cross-checked: ids unique, sector ids known, `from_rules` pointing at real rules.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from matcher.errors import RulesError
from matcher.rules.model import (
    PriorityRule,
    PrioritySector,
    RestrictedRule,
    RoadmapItem,
    RuleBook,
    Sector,
)

FILES = ("sectors.yaml", "restricted.yaml", "priority.yaml", "priority_sectors.yaml", "roadmap.yaml")
M = TypeVar("M", bound=BaseModel)


def default_rules_dir() -> Path:
    """corpora/plan16 of this checkout (settings.rules_dir says the same)."""
    from matcher.settings import get_settings

    return get_settings().rules_dir


def _read_yaml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise RulesError(f"Thiếu tệp quy tắc {path}; cần đủ các tệp {', '.join(FILES)}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise RulesError(f"Tệp {path.name} không phải YAML hợp lệ: {e}") from e
    if not isinstance(data, dict) or "version" not in data:
        raise RulesError(f"Tệp {path.name} phải là một bảng có trường `version`")
    return data


def _records(data: dict[str, Any], key: str, model: type[M], file: str) -> list[M]:
    rows = data.get(key)
    if not isinstance(rows, list):
        raise RulesError(f"Tệp {file}: thiếu danh sách `{key}`")
    out: list[M] = []
    for i, row in enumerate(rows):
        rid = row.get("id", f"#{i + 1}") if isinstance(row, dict) else f"#{i + 1}"
        try:
            out.append(model.model_validate(row))
        except ValidationError as e:
            problems = "; ".join(f"{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in e.errors())
            raise RulesError(f"Quy tắc {rid} ({file}) không hợp lệ: {problems}") from e
    return out


def _check_ids(book: RuleBook) -> None:
    seen: set[str] = set()
    records = [*book.restricted, *book.priority_flat(), *book.priority_sectors, *book.roadmap]
    for rec in records:
        if rec.id in seen:
            raise RulesError(f"Quy tắc {rec.id}: mã bị trùng; mỗi quy tắc cần một mã riêng")
        seen.add(rec.id)


def _check_sectors(book: RuleBook) -> None:
    known = {s.id for s in book.sectors}
    records = [*book.restricted, *book.priority_flat(), *book.priority_sectors, *book.roadmap]
    for rec in records:
        sectors = [*rec.sectors, *([rec.sector] if isinstance(rec, RoadmapItem) else [])]
        bad = [s for s in sectors if s not in known]
        if bad:
            raise RulesError(f"Quy tắc {rec.id}: mã ngành không có trong sectors.yaml: {', '.join(bad)}")
    bad_kw = [s for s in book.sector_keywords if s not in known]
    if bad_kw:
        raise RulesError(f"sector_keywords: mã ngành không có trong sectors.yaml: {', '.join(bad_kw)}")


def _check_links(book: RuleBook) -> None:
    restricted = {r.id for r in book.restricted}
    for item in book.roadmap:
        if item.replace:
            bad = [r for r in item.replace.from_rules if r not in restricted]
            if bad:
                raise RulesError(
                    f"Quy tắc {item.id}: from_rules trỏ tới quy tắc không tồn tại: {', '.join(bad)}"
                )


def load_rulebook(rules_dir: Path | str | None = None) -> RuleBook:
    """The plan's rules from a directory of YAML files, validated; raises RulesError otherwise."""
    base = Path(rules_dir) if rules_dir is not None else default_rules_dir()
    raw = {name: _read_yaml(base / name) for name in FILES}
    ps = raw["priority_sectors.yaml"]
    keywords = ps.get("sector_keywords") or {}
    if not isinstance(keywords, dict):
        raise RulesError("priority_sectors.yaml: `sector_keywords` phải là bảng mã ngành -> từ khóa")
    book = RuleBook(
        sectors=_records(raw["sectors.yaml"], "sectors", Sector, "sectors.yaml"),
        restricted=_records(raw["restricted.yaml"], "rules", RestrictedRule, "restricted.yaml"),
        priority=_records(raw["priority.yaml"], "rules", PriorityRule, "priority.yaml"),
        priority_sectors=_records(ps, "priority_sectors", PrioritySector, "priority_sectors.yaml"),
        sector_keywords={str(k): [str(x) for x in v] for k, v in keywords.items()},
        roadmap=_records(raw["roadmap.yaml"], "items", RoadmapItem, "roadmap.yaml"),
        versions={name: int(data["version"]) for name, data in raw.items()},
    )
    _check_ids(book)
    _check_sectors(book)
    _check_links(book)
    _check_english(book)
    return book


def _check_english(book: RuleBook) -> None:
    """English phrases are read on restricted items only: elsewhere they would be ignored silently."""
    others = [*book.priority_flat(), *book.priority_sectors, *book.roadmap]
    stray = [r.id for r in others if r.match.english or r.match.english_exclude]
    if stray:
        raise RulesError(
            f"`english`/`english_exclude` chỉ dùng cho mục hạn chế (restricted.yaml); hãy bỏ ở: {', '.join(stray)}"
        )

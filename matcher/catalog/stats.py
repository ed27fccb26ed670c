"""Counts over a catalog: how many technologies per field, plan sector, institute and TRL.

Officers use these to see at a glance whether a catalog covers the plan's sectors before they
index it; the CLI prints them and the API can return them as they are (plain dicts, JSON-ready).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from matcher.catalog.schema import Technology

#: Key used for technologies without a value (no sector, no TRL).
NONE_KEY = "(không có)"


@dataclass
class CatalogStats:
    """Counts per value, most common first (ties in alphabetical order)."""

    total: int
    by_field: dict[str, int] = field(default_factory=dict)
    by_sector: dict[str, int] = field(default_factory=dict)
    by_institute: dict[str, int] = field(default_factory=dict)
    by_trl: dict[str, int] = field(default_factory=dict)
    with_keywords: int = 0


def _ordered(counter: Counter[str]) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def catalog_stats(technologies: Sequence[Technology]) -> CatalogStats:
    """Count technologies; one with several sectors counts once under each."""
    sectors: Counter[str] = Counter()
    for tech in technologies:
        sectors.update(tech.sectors or (NONE_KEY,))
    trl = Counter(str(t.trl) if t.trl is not None else NONE_KEY for t in technologies)
    return CatalogStats(
        total=len(technologies),
        by_field=_ordered(Counter(t.field for t in technologies)),
        by_sector=_ordered(sectors),
        by_institute=_ordered(Counter(t.institute for t in technologies)),
        by_trl=dict(sorted(trl.items(), key=lambda kv: (kv[0] == NONE_KEY, kv[0]))),
        with_keywords=sum(1 for t in technologies if t.keywords),
    )

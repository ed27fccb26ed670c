"""Catalog filters (field, sector, institute, priority, any column) as a boolean mask.

Values compare on their folded form, so "moi truong" selects "Môi trường". An unknown value is
an error that lists the valid ones: a typo must not silently return nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from matcher.catalog.schema import Technology
from matcher.errors import InputError
from matcher.results import Verdict
from matcher.text.normalize import fold


class Filters(BaseModel):
    """What an officer narrows the catalog to. Empty lists mean "no filter"."""

    model_config = ConfigDict(extra="forbid")

    field: list[str] = Field(default_factory=list)
    sector: list[str] = Field(default_factory=list)
    institute: list[str] = Field(default_factory=list)
    priority_only: bool = False
    columns: dict[str, list[str]] = Field(default_factory=dict)

    def is_empty(self) -> bool:
        return not (self.field or self.sector or self.institute or self.priority_only or self.columns)


def _values(tech: Technology, column: str) -> list[str]:
    value = tech.column(column)
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def _select(techs: Sequence[Technology], column: str, wanted: Sequence[str], label: str) -> np.ndarray:
    folded_wanted = {fold(w) for w in wanted if w.strip()}
    present: dict[str, str] = {}
    rows = []
    for tech in techs:
        vals = {fold(v): v for v in _values(tech, column)}
        present.update(vals)
        rows.append(bool(folded_wanted & vals.keys()))
    unknown = [w for w in wanted if w.strip() and fold(w) not in present]
    if unknown:
        valid = ", ".join(sorted(set(present.values()))[:40])
        raise InputError(
            f"Giá trị lọc {label} không có trong danh mục: {', '.join(unknown)}. Giá trị hợp lệ: {valid}"
        )
    return np.array(rows, dtype=bool)


def technology_sectors(tech: Technology, verdict: Verdict) -> set[str]:
    """The plan sectors a catalog entry belongs to: the ones it declares, else the best guess.

    Institutes usually state their sectors; an imported catalog without that column still
    filters by sector through the rule engine's most likely sector for the entry's text.
    """
    if tech.sectors:
        return set(tech.sectors)
    return {verdict.sectors[0].sector_id} if verdict.sectors else set()


def filter_mask(
    filters: Filters | None,
    techs: Sequence[Technology],
    verdicts: Sequence[Verdict],
    sector_names: dict[str, str],
) -> np.ndarray | None:
    """Boolean mask of the entries the filters allow, or None when nothing is filtered."""
    if filters is None or filters.is_empty():
        return None
    mask = np.ones(len(techs), dtype=bool)
    if filters.field:
        mask &= _select(techs, "field", filters.field, "lĩnh vực (field)")
    if filters.institute:
        mask &= _select(techs, "institute", filters.institute, "đơn vị (institute)")
    if filters.sector:
        by_name = {fold(name): sid for sid, name in sector_names.items()}
        ids = [by_name.get(fold(s), s) for s in filters.sector]
        unknown = [s for s, i in zip(filters.sector, ids, strict=True) if i not in sector_names]
        if unknown:
            raise InputError(
                f"Ngành (sector) không hợp lệ: {', '.join(unknown)}. Giá trị hợp lệ: {', '.join(sector_names)}"
            )
        wanted = set(ids)
        mask &= np.array(
            [bool(wanted & technology_sectors(t, v)) for t, v in zip(techs, verdicts, strict=True)],
            dtype=bool,
        )
    if filters.priority_only:
        mask &= np.array([v.priority for v in verdicts], dtype=bool)
    for column, wanted in filters.columns.items():
        if not any(t.column(column) is not None for t in techs):
            raise InputError(f"Danh mục không có cột '{column}' để lọc.")
        mask &= _select(techs, column, wanted, f"cột '{column}'")
    return mask

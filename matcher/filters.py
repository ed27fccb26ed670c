"""Catalog filters (field, sector, institute, priority, any column) as a boolean mask.

Values compare on their folded form, so "moi truong" selects "Môi trường". An unknown value is
an error that lists the valid ones: a typo must not silently return nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

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


@dataclass
class ValueRows:
    """One catalog value as written, and the rows that hold it."""

    display: str
    rows: np.ndarray  # int64 row numbers


class FilterTables:
    """Per-catalog lookup tables behind the filters, each built once, on first use.

    Without them every filtered request folds every catalog value in Python (seconds at a million
    entries). A table maps each folded value to the rows holding it (row lists, not one boolean
    mask per value: a column with thousands of distinct institutes would take gigabytes of masks
    at a million entries), so a filter costs a few numpy assignments. Column tables depend on the
    catalog only; sector and priority tables on the rule verdicts too, so the owner makes new
    tables when verdicts change (`LoadedIndex.set_verdicts`).
    """

    def __init__(self, techs: Sequence[Technology], verdicts: Sequence[Verdict]) -> None:
        self._techs = techs
        self._verdicts = verdicts
        self._columns: dict[str, dict[str, ValueRows]] = {}
        self._sectors: dict[str, np.ndarray] | None = None
        self._priority: np.ndarray | None = None
        self._restricted: np.ndarray | None = None

    @property
    def size(self) -> int:
        return len(self._techs)

    def column(self, column: str) -> dict[str, ValueRows]:
        """Folded value -> its rows, for one catalog column (empty when no entry has the column)."""
        table = self._columns.get(column)
        if table is None:
            rows: dict[str, list[int]] = {}
            display: dict[str, str] = {}
            for i, tech in enumerate(self._techs):
                for value in _values(tech, column):
                    key = fold(value)
                    if key and (not rows.get(key) or rows[key][-1] != i):
                        rows.setdefault(key, []).append(i)
                        display.setdefault(key, value)
            table = {k: ValueRows(display[k], np.asarray(v, dtype=np.int64)) for k, v in rows.items()}
            self._columns[column] = table  # one dict assignment: safe when two threads race
        return table

    def sector(self, sector_id: str) -> np.ndarray:
        """Rows of a plan sector (declared by the entry, else the rules' best guess)."""
        if self._sectors is None:
            rows: dict[str, list[int]] = {}
            for i, (tech, verdict) in enumerate(zip(self._techs, self._verdicts, strict=True)):
                for sid in technology_sectors(tech, verdict):
                    rows.setdefault(sid, []).append(i)
            self._sectors = {k: np.asarray(v, dtype=np.int64) for k, v in rows.items()}
        return self._sectors.get(sector_id, np.zeros(0, dtype=np.int64))

    def priority(self) -> np.ndarray:
        """Mask of the entries in a priority group of the plan."""
        if self._priority is None:
            self._priority = np.array([v.priority for v in self._verdicts], dtype=bool)
        return self._priority

    def restricted(self, verdict: str) -> np.ndarray:
        """Mask of the entries whose plan verdict is `verdict` (yes / no / review)."""
        if self._restricted is None:
            self._restricted = np.array([v.restricted for v in self._verdicts], dtype=str)
        return self._restricted == verdict


def _rows_mask(size: int, row_sets: Iterable[np.ndarray]) -> np.ndarray:
    mask = np.zeros(size, dtype=bool)
    for rows in row_sets:
        mask[rows] = True
    return mask


def _select(tables: FilterTables, column: str, wanted: Sequence[str], label: str) -> np.ndarray:
    table = tables.column(column)
    keys = [fold(w) for w in wanted if w.strip()]
    unknown = [w for w in wanted if w.strip() and fold(w) not in table]
    if unknown:
        valid = ", ".join(sorted({v.display for v in table.values()})[:40])
        raise InputError(
            f"Giá trị lọc {label} không có trong danh mục: {', '.join(unknown)}. Giá trị hợp lệ: {valid}"
        )
    return _rows_mask(tables.size, (table[k].rows for k in keys))


def technology_sectors(tech: Technology, verdict: Verdict) -> set[str]:
    """The plan sectors a catalog entry belongs to: the ones it declares, else the best guess.

    Institutes usually state their sectors; an imported catalog without that column still
    filters by sector through the rule engine's most likely sector for the entry's text.
    """
    if tech.sectors:
        return set(tech.sectors)
    return {verdict.sectors[0].sector_id} if verdict.sectors else set()


def filter_mask(
    filters: Filters | None, tables: FilterTables, sector_names: dict[str, str]
) -> np.ndarray | None:
    """Boolean mask of the entries the filters allow, or None when nothing is filtered."""
    if filters is None or filters.is_empty():
        return None
    mask = np.ones(tables.size, dtype=bool)
    if filters.field:
        mask &= _select(tables, "field", filters.field, "lĩnh vực (field)")
    if filters.institute:
        mask &= _select(tables, "institute", filters.institute, "đơn vị (institute)")
    if filters.sector:
        by_name = {fold(name): sid for sid, name in sector_names.items()}
        ids = [by_name.get(fold(s), s) for s in filters.sector]
        unknown = [s for s, i in zip(filters.sector, ids, strict=True) if i not in sector_names]
        if unknown:
            raise InputError(
                f"Ngành (sector) không hợp lệ: {', '.join(unknown)}. Giá trị hợp lệ: {', '.join(sector_names)}"
            )
        mask &= _rows_mask(tables.size, (tables.sector(i) for i in set(ids)))
    if filters.priority_only:
        mask &= tables.priority()
    for column, wanted in filters.columns.items():
        if not tables.column(column):
            raise InputError(f"Danh mục không có cột '{column}' để lọc.")
        mask &= _select(tables, column, wanted, f"cột '{column}'")
    return mask


def browse_rows(
    tables: FilterTables,
    filters: Filters | None,
    sector_names: dict[str, str],
    restricted: str | None = None,
    words: Sequence[str] = (),
    search_text: Callable[[int], str] | None = None,
) -> np.ndarray:
    """Rows an officer browsing the catalog sees, in catalog order (`GET /v1/technologies`).

    Filters and the plan verdict are masks from the tables, so paging through a large catalog
    without a search costs numpy work, not a Python loop over every entry. Search words (folded)
    must each appear in `search_text(row)`; only the rows the masks keep are read.
    """
    mask = filter_mask(filters, tables, sector_names)
    if restricted is not None:
        by_verdict = tables.restricted(restricted)
        mask = by_verdict if mask is None else mask & by_verdict
    rows = np.arange(tables.size, dtype=np.int64) if mask is None else np.flatnonzero(mask)
    if words:
        if search_text is None:
            raise ValueError("search_text is needed to search words")
        rows = np.array([i for i in rows.tolist() if _has_all(search_text(i), words)], dtype=np.int64)
    return rows


def _has_all(text: str, words: Sequence[str]) -> bool:
    return all(w in text for w in words)

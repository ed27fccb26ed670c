"""Load a catalog file (CSV/XLSX/JSON/JSONL/DOCX, any Vietnamese encoding) into `Technology` records.

The one entry point the index builder, the CLI and the API use: `load_catalog`. It reads the
table (`tables.py`), maps headers onto fields (`headers.py`) and validates every row
(`validate.py`); it either returns the whole catalog or raises a CatalogError that lists every
problem, so nothing downstream ever sees half a catalog. `save_catalog_jsonl` writes records
atomically, so a crash never leaves a truncated catalog behind.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from matcher.catalog.headers import require_fields, resolve_columns
from matcher.catalog.schema import Technology
from matcher.catalog.tables import read_table
from matcher.catalog.validate import RowIssue, validate_rows
from matcher.fileio import atomic_path


@dataclass
class CatalogLoadResult:
    """A loaded catalog: records, the issues that were fixed or skipped, and where it came from."""

    technologies: list[Technology]
    issues: list[RowIssue]
    checksum: str  # sha256 of the canonical JSON of the records (see `catalog_checksum`)
    source: str
    encoding: str
    source_format: str = ""
    columns: dict[str, str] = field(default_factory=dict)  # field -> header used


def catalog_checksum(technologies: Sequence[Technology]) -> str:
    """sha256 of the records as canonical JSON (sorted keys, no spaces, UTF-8).

    Depends on the content only, not on the file's format or encoding: the same catalog saved
    as XLSX or as CSV gets the same checksum, so an index is not rebuilt for nothing.
    """
    records = [t.model_dump(mode="json") for t in technologies]
    canonical = json.dumps(records, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def default_sector_names() -> dict[str, str] | None:
    """The plan's sectors (id -> Vietnamese name) from the configured rules directory, if shipped."""
    from matcher.sectors import load_sectors
    from matcher.settings import get_settings

    rules_dir = get_settings().rules_dir
    return load_sectors(rules_dir) if (rules_dir / "sectors.yaml").is_file() else None


def load_catalog(
    path: Path | str,
    columns: Mapping[str, str] | None = None,
    max_field_chars: int = 10_000,
    *,
    sheet: str | None = None,
    sector_names: Mapping[str, str] | None = None,
) -> CatalogLoadResult:
    """Read and validate a catalog file; CatalogError (Vietnamese, every problem by line) if unusable.

    `columns` maps fields to headers ({"name": "Tên"}) and wins over header recognition.
    `sector_names` (id -> name) turns sector names in the file into plan sector ids; by default the
    plan's own list is used.
    """
    path = Path(path)
    source = str(path)
    table = read_table(path, sheet=sheet)
    column_map = resolve_columns(table.headers, columns, source)
    require_fields(column_map, table.headers, source)
    names = sector_names if sector_names is not None else default_sector_names()
    techs, issues = validate_rows(
        table.rows, column_map, source=source, max_field_chars=max_field_chars, sector_names=names
    )
    return CatalogLoadResult(
        technologies=techs,
        issues=issues,
        checksum=catalog_checksum(techs),
        source=source,
        encoding=table.encoding,
        source_format=table.source_format,
        columns=dict(column_map.fields),
    )


def save_catalog_jsonl(technologies: Sequence[Technology], path: Path | str) -> None:
    """Write one JSON record per line, atomically (`matcher.fileio.atomic_path`)."""
    with atomic_path(Path(path)) as tmp, tmp.open("w", encoding="utf-8", newline="\n") as f:
        for tech in technologies:
            f.write(tech.model_dump_json() + "\n")

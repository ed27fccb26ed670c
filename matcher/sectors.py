"""The plan's sector list (corpora/plan16/sectors.yaml): ids and Vietnamese names."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from matcher.errors import RulesError


@lru_cache(maxsize=8)
def load_sectors(rules_dir: Path) -> dict[str, str]:
    """sector id -> Vietnamese name, in file order."""
    path = Path(rules_dir) / "sectors.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return {s["id"]: s["name_vi"] for s in data["sectors"]}
    except (OSError, KeyError, TypeError, yaml.YAMLError) as e:
        raise RulesError(f"Không đọc được danh sách ngành {path}: {e}") from e

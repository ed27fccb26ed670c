"""Opening an index version for search, refusing it when it does not fit the running setup."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from matcher.catalog.schema import Technology
from matcher.errors import IndexError_
from matcher.fileio import sha256_file
from matcher.filters import FilterTables
from matcher.index.build import rules_checksum
from matcher.index.dense import DenseIndex
from matcher.index.lexical import LexicalIndex
from matcher.index.store import IndexStore, Manifest
from matcher.results import Verdict
from matcher.text.diacritics import DiacriticRestorer
from matcher.text.normalize import PIPELINE_VERSION, fold, words


@dataclass
class LoadedIndex:
    """Everything search needs about one catalog, in memory (vectors memory-mapped)."""

    manifest: Manifest
    technologies: list[Technology]
    dense: DenseIndex
    lexical: LexicalIndex
    verdicts: list[Verdict]
    restorer: DiacriticRestorer
    catalog_queries: np.ndarray | None = None  # query-side vectors of the entries (rules' semantic channel)
    rules_vectors: dict[str, np.ndarray] = field(default_factory=dict)  # embedded rule/sector texts
    position: dict[str, int] = field(default_factory=dict)  # tech id -> row
    _vocab: dict[int, frozenset[str]] = field(default_factory=dict, repr=False)
    _search_text: dict[int, str] = field(default_factory=dict, repr=False)
    _not_restricted: np.ndarray | None = field(default=None, repr=False)
    _filter_tables: FilterTables | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.position:
            self.position = {t.id: i for i, t in enumerate(self.technologies)}

    def folded_vocab(self, row: int) -> frozenset[str]:
        """Folded words of one entry, for "matched terms"; computed when a row is first shown.

        Only result rows are ever explained, so folding the whole catalog at load time (minutes
        at a million entries) would be work thrown away.
        """
        vocab = self._vocab.get(row)
        if vocab is None:
            vocab = self._vocab[row] = frozenset(words(fold(self.technologies[row].passage_text())))
        return vocab

    def search_text(self, row: int) -> str:
        """Folded id, text, institute and field of one entry, for word search in the catalog.

        Cached per row: folding is the costly part, and browsing the catalog repeats it.
        """
        text = self._search_text.get(row)
        if text is None:
            t = self.technologies[row]
            text = self._search_text[row] = fold(f"{t.id} {t.passage_text()} {t.institute} {t.field}")
        return text

    def not_restricted(self) -> np.ndarray:
        """Mask of the entries the plan does not restrict (the default result set), cached."""
        if self._not_restricted is None or len(self._not_restricted) != len(self.verdicts):
            self._not_restricted = np.array([v.restricted != "yes" for v in self.verdicts], dtype=bool)
        return self._not_restricted

    @property
    def filter_tables(self) -> FilterTables:
        """The catalog's filter lookup tables (each built on first use, then kept)."""
        if self._filter_tables is None:
            self._filter_tables = FilterTables(self.technologies, self.verdicts)
        return self._filter_tables

    def set_verdicts(self, verdicts: list[Verdict]) -> None:
        """Replace the rule verdicts (rules changed since the build) and drop what depends on them."""
        self.verdicts = verdicts
        self._not_restricted = None
        self._filter_tables = None

    @property
    def size(self) -> int:
        return len(self.technologies)


def _rebuild_hint(name: str, manifest: Manifest | None) -> str:
    source = manifest.catalog_source if manifest else "<tệp danh mục>"
    return f"Hãy xây lại chỉ mục: matcher index build --catalog {source} --name {name}"


def open_index(
    store: IndexStore,
    name: str,
    *,
    model_id: str,
    rules_dir: Path | None = None,
    version: str | None = None,
    check_catalog_file: bool = True,
) -> tuple[LoadedIndex, bool]:
    """Load index `name` (its active version unless `version` is given).

    Returns the index and whether its stored rule verdicts are stale (rules changed since the
    build; the caller re-evaluates them: verdicts are cheap, embeddings are not).
    Raises IndexError_ with the command to rebuild when the index is missing, built with another
    model or text pipeline, built from a catalog file that has changed since, or corrupt.
    """
    version = version or store.current_version(name)
    if version is None:
        raise IndexError_(
            f"Chưa có chỉ mục '{name}' trong {store.root}. "
            f"Hãy xây nó: matcher index build --catalog corpora/catalog/vast_demo_2026.csv --name {name}"
        )
    manifest = store.read_manifest(name, version)
    if manifest.model_id != model_id:
        raise IndexError_(
            f"Chỉ mục '{name}' được xây bằng mô hình '{manifest.model_id}', nhưng cấu hình hiện tại dùng "
            f"'{model_id}'. {_rebuild_hint(name, manifest)}"
        )
    if manifest.pipeline_version != PIPELINE_VERSION:
        raise IndexError_(
            f"Chỉ mục '{name}' được xây với phiên bản xử lý văn bản {manifest.pipeline_version}, "
            f"phiên bản hiện tại là {PIPELINE_VERSION}. {_rebuild_hint(name, manifest)}"
        )
    source = Path(manifest.catalog_source)
    if check_catalog_file and source.is_file() and sha256_file(source) != manifest.catalog_file_sha256:
        raise IndexError_(
            f"Tệp danh mục {source} đã thay đổi từ khi xây chỉ mục '{name}' (chỉ mục đã cũ). "
            f"{_rebuild_hint(name, manifest)}"
        )
    store.verify_files(name, version, manifest)
    vdir = store.version_dir(name, version)
    try:
        techs = [
            Technology.model_validate_json(line)
            for line in (vdir / "catalog.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        verdicts = [
            Verdict.model_validate(v)
            for v in json.loads((vdir / "verdicts.json").read_text(encoding="utf-8"))
        ]
        restorer = DiacriticRestorer.from_dict(
            json.loads((vdir / "restorer.json").read_text(encoding="utf-8"))
        )
        catalog_queries = np.load(vdir / "catalog_queries.npy", allow_pickle=False)
        with np.load(vdir / "rules_vectors.npz", allow_pickle=False) as npz:
            rules_vectors = {k: npz[k] for k in npz.files}
        dense = DenseIndex.load(vdir, manifest.dense_kind)  # type: ignore[arg-type]
        lexical = LexicalIndex.load(vdir)
    except (OSError, ValueError, KeyError) as e:
        raise IndexError_(
            f"Không đọc được chỉ mục '{name}' ({vdir}): {e}. {_rebuild_hint(name, manifest)}"
        ) from e
    if not (len(techs) == len(verdicts) == dense.size == lexical.size == manifest.n_items):
        raise IndexError_(
            f"Chỉ mục '{name}' không nhất quán (số mục khác nhau). {_rebuild_hint(name, manifest)}"
        )
    stale_rules = rules_dir is not None and manifest.rules_checksum != rules_checksum(rules_dir)
    loaded = LoadedIndex(
        manifest,
        techs,
        dense,
        lexical,
        verdicts,
        restorer,
        catalog_queries=catalog_queries,
        rules_vectors={} if stale_rules else rules_vectors,
    )
    return loaded, stale_rules

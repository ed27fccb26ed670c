"""Building an index version from a catalog file: the catalog side of the pipeline, run once.

normalise -> segment -> embed ("passage: ") -> FAISS + BM25 -> rule verdicts of every entry ->
diacritic-restoration model trained on the catalog and plan texts -> manifest, atomically.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from matcher.catalog.readers import load_catalog, save_catalog_jsonl
from matcher.catalog.schema import Technology
from matcher.embed.base import Embedder
from matcher.fileio import sha256_file
from matcher.index.dense import DenseIndex, choose_kind
from matcher.index.lexical import LexicalIndex
from matcher.index.store import IndexStore, Manifest
from matcher.results import SectorScore, Verdict
from matcher.settings import Settings
from matcher.text.abbreviations import expand as expand_abbreviations
from matcher.text.diacritics import DiacriticRestorer
from matcher.text.normalize import PIPELINE_VERSION, normalize
from matcher.text.segment import compounds, lexical_tokens

ProgressFn = Callable[[int, int], None]
EMBED_BATCH = 32


def rules_checksum(rules_dir: Path) -> str:
    """One digest over every rules file, so a changed rule set is noticed at load."""
    digest = hashlib.sha256()
    for path in sorted(Path(rules_dir).glob("*.yaml")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def rule_texts(rules_dir: Path) -> list[str]:
    """Every Vietnamese text of the plan corpus (trains the diacritic restorer)."""
    import yaml

    texts: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, str):
            texts.append(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted(Path(rules_dir).glob("*.yaml")):
        walk(yaml.safe_load(path.read_text(encoding="utf-8")))
    return texts


def catalog_verdicts(
    engine: Any, techs: Sequence[Technology], texts: Sequence[str], vectors: np.ndarray | None = None
) -> list[Verdict]:
    """Rule verdicts of catalog entries; an entry that declares its plan sectors keeps them.

    The catalog's sector column is the institute's own statement and beats a guess from the
    text (the guess put a waste incinerator in mechanical engineering).
    """
    book = engine.book
    known = {s.id for s in book.sectors}
    priority_ids = {s for r in book.priority_sectors for s in r.sectors}
    verdicts = engine.check_batch(texts, vectors)
    for tech, verdict in zip(techs, verdicts, strict=True):
        declared = [s for s in tech.sectors if s in known]
        if declared:
            verdict.sectors = [
                SectorScore(sector_id=s, name=book.sector_name(s), score=1.0, priority=s in priority_ids)
                for s in declared
            ]
    return verdicts


def passages(techs: Sequence[Technology]) -> list[str]:
    """What is searched of each entry: its text normalised, abbreviations written out (as in needs)."""
    return [expand_abbreviations(normalize(t.passage_text())).text for t in techs]


def embed_passages(
    embedder: Embedder, texts: Sequence[str], progress: ProgressFn | None = None
) -> np.ndarray:
    out = []
    for start in range(0, len(texts), EMBED_BATCH):
        out.append(embedder.embed_passages(texts[start : start + EMBED_BATCH]))
        if progress:
            progress(min(start + EMBED_BATCH, len(texts)), len(texts))
    return np.vstack(out).astype(np.float32)


def embed_queries(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    out = [embedder.embed_queries(texts[i : i + EMBED_BATCH]) for i in range(0, len(texts), EMBED_BATCH)]
    return np.vstack(out).astype(np.float32)


def build_index(
    catalog_path: Path,
    name: str,
    *,
    settings: Settings,
    embedder: Embedder,
    columns: dict[str, str] | None = None,
    activate: bool = True,
    progress: ProgressFn | None = None,
) -> Manifest:
    """Build a new version of index `name` from a catalog file; the old version stays until activated."""
    from matcher.rules.engine import load_rule_engine

    catalog_path = Path(catalog_path)
    loaded = load_catalog(catalog_path, columns=columns)
    techs = loaded.technologies
    texts = passages(techs)
    segmented = [compounds(t) for t in texts]
    accented = [lexical_tokens(t, folded=False, segmented=s) for t, s in zip(texts, segmented, strict=True)]
    folded = [lexical_tokens(t, folded=True, segmented=s) for t, s in zip(texts, segmented, strict=True)]

    vectors = embed_passages(embedder, texts, progress)
    kind = choose_kind(len(techs), settings.approximate_above)
    dense = DenseIndex.build(vectors, kind)
    lexical = LexicalIndex.build(accented, folded)

    engine = load_rule_engine(settings.rules_dir, embedder=embedder)
    # The entries' query-side vectors feed the rules' semantic channel; stored so that a rules
    # change re-evaluates verdicts at load without embedding the catalog again.
    query_vectors = embed_queries(embedder, texts)
    verdicts = catalog_verdicts(engine, techs, texts, query_vectors)
    plan_texts = rule_texts(settings.rules_dir)
    restorer = DiacriticRestorer.from_texts([*texts, *plan_texts])

    store = IndexStore(settings.index_root)
    with store.writing(name) as (tmp, version):
        dense.save(tmp)
        lexical.save(tmp)
        np.save(tmp / "catalog_queries.npy", query_vectors, allow_pickle=False)
        np.savez(tmp / "rules_vectors.npz", **engine.semantic_state())
        save_catalog_jsonl(techs, tmp / "catalog.jsonl")
        (tmp / "verdicts.json").write_text(
            json.dumps([v.model_dump(mode="json") for v in verdicts], ensure_ascii=False), encoding="utf-8"
        )
        (tmp / "restorer.json").write_text(
            json.dumps(restorer.to_dict(), ensure_ascii=False), encoding="utf-8"
        )
        manifest = IndexStore.finish_manifest(
            tmp,
            {
                "name": name,
                "version": version,
                "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "model_id": embedder.model_id,
                "dim": int(vectors.shape[1]),
                "pipeline_version": PIPELINE_VERSION,
                "catalog_checksum": loaded.checksum,
                "catalog_source": str(catalog_path.resolve()),
                "catalog_file_sha256": sha256_file(catalog_path),
                "rules_checksum": rules_checksum(settings.rules_dir),
                "n_items": len(techs),
                "dense_kind": kind,
            },
        )
    if activate:
        store.activate(name, version)
    return manifest

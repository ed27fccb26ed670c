"""Index directories: atomic versions, manifests, checksums, activation and roll-back."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.errors import IndexError_
from matcher.index.store import IndexStore

FIELDS = {
    "name": "t",
    "version": "v",
    "created_at": "now",
    "model_id": "m",
    "dim": 3,
    "pipeline_version": "1",
    "catalog_checksum": "c",
    "catalog_source": "/x.csv",
    "catalog_file_sha256": "s",
    "n_items": 1,
    "dense_kind": "flat",
}


def _build(store: IndexStore, content: str = "data") -> str:
    with store.writing("t") as (tmp, version):
        (tmp / "a.bin").write_text(content)
        IndexStore.finish_manifest(tmp, {**FIELDS, "version": version})
    return version


def test_build_activate_and_roll_back(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    assert store.current_version("t") is None
    v1 = _build(store, "one")
    assert store.current_version("t") is None  # building does not activate
    store.activate("t", v1)
    v2 = _build(store, "two")
    store.activate("t", v2)
    assert store.versions("t") == sorted([v1, v2])
    assert store.current_version("t") == v2
    store.activate("t", v1)  # roll back
    assert store.current_version("t") == v1
    manifest = store.read_manifest("t", v1)
    assert set(manifest.files) == {"a.bin"}
    store.verify_files("t", v1, manifest)


def test_failed_build_leaves_nothing(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    with pytest.raises(RuntimeError), store.writing("t") as (tmp, _):
        (tmp / "half.bin").write_text("half")
        raise RuntimeError("crash in the middle of a build")
    assert store.versions("t") == []
    assert list((tmp_path / "t" / "versions").iterdir()) == []


def test_build_without_manifest_is_refused(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    with pytest.raises(IndexError_, match="manifest"), store.writing("t") as (tmp, _):
        (tmp / "a.bin").write_text("x")
    assert store.versions("t") == []


def test_tampered_file_is_refused(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    v = _build(store)
    (store.version_dir("t", v) / "a.bin").write_text("tampered")
    with pytest.raises(IndexError_, match="checksum"):
        store.verify_files("t", v, store.read_manifest("t", v))
    (store.version_dir("t", v) / "a.bin").unlink()
    with pytest.raises(IndexError_, match="thiếu tệp"):
        store.verify_files("t", v, store.read_manifest("t", v))


def test_unknown_version_and_bad_names(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    with pytest.raises(IndexError_, match="không có phiên bản"):
        store.activate("t", "nope")
    for bad in ("../etc", "", "a/b", "x" * 80):
        with pytest.raises(IndexError_, match="Tên chỉ mục không hợp lệ"):
            store.index_dir(bad)


def test_active_version_cannot_be_removed(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    v = _build(store)
    store.activate("t", v)
    with pytest.raises(IndexError_, match="đang dùng"):
        store.remove_version("t", v)

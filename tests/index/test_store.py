"""Index directories: atomic versions, manifests, checksums, activation and roll-back."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.errors import IndexError_
from matcher.index import store as store_module
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
    path = store.version_dir("t", v) / "a.bin"
    path.write_text("dbta")  # same size: only the checksum sees it (small index: always hashed)
    with pytest.raises(IndexError_, match="checksum"):
        store.verify_files("t", v, store.read_manifest("t", v))
    path.write_text("tampered")
    with pytest.raises(IndexError_, match="kích thước"):
        store.verify_files("t", v, store.read_manifest("t", v))
    path.unlink()
    with pytest.raises(IndexError_, match="thiếu tệp"):
        store.verify_files("t", v, store.read_manifest("t", v))


def test_large_index_loads_on_sizes_and_hashes_on_demand(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "FULL_VERIFY_MAX_BYTES", 0)  # every index counts as large
    store = IndexStore(tmp_path)
    v = _build(store)
    manifest = store.read_manifest("t", v)
    assert manifest.sizes == {"a.bin": 4}
    (store.version_dir("t", v) / "a.bin").write_text("dbta")
    store.verify_files("t", v, manifest)  # a load: sizes agree, no hashing
    with pytest.raises(IndexError_, match="checksum"):
        store.verify_files("t", v, manifest, full=True)  # `matcher index verify`
    (store.version_dir("t", v) / "a.bin").write_text("truncated-or-grown")
    with pytest.raises(IndexError_, match="kích thước"):
        store.verify_files("t", v, manifest)


def test_index_built_before_sizes_is_always_hashed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_module, "FULL_VERIFY_MAX_BYTES", 0)
    store = IndexStore(tmp_path)
    v = _build(store)
    old = store.read_manifest("t", v).model_copy(update={"sizes": {}})
    (store.version_dir("t", v) / "a.bin").write_text("dbta")
    with pytest.raises(IndexError_, match="checksum"):
        store.verify_files("t", v, old)


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


def test_prune_keeps_the_newest_and_the_active_version(tmp_path: Path) -> None:
    store = IndexStore(tmp_path)
    versions = [_build(store, str(i)) for i in range(5)]
    store.activate("t", versions[0])  # rolled back to the oldest: it must stay
    assert store.prune("t", keep=0) == []  # 0 keeps everything
    assert store.prune("t", keep=2) == versions[1:3]
    assert store.versions("t") == [versions[0], *versions[3:]]
    assert store.prune("t", keep=2) == []  # nothing more to remove
    store.verify_files("t", versions[0], store.read_manifest("t", versions[0]))


def test_version_changes_wait_for_another_process_holding_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`matcher index prune` in a shell and a roll-back in the service exclude each other."""
    import subprocess
    import sys

    store = IndexStore(tmp_path)
    old, new = _build(store, "old"), _build(store, "new")
    store.activate("t", new)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from matcher.index.store import IndexStore; "
            "lock = IndexStore(sys.argv[1]).changing_versions('t'); lock.__enter__(); "
            "print('ready', flush=True); sys.stdin.readline()",
            str(tmp_path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        monkeypatch.setattr(store_module, "LOCK_WAIT_S", 0.2)
        with pytest.raises(IndexError_, match="đang được thay đổi phiên bản"):
            store.activate("t", old)  # a roll-back while another process prunes
        with pytest.raises(IndexError_, match="đang được thay đổi phiên bản"):
            store.prune("t", keep=1)
        assert store.current_version("t") == new and store.versions("t") == [old, new]
    finally:
        holder.communicate("\n", timeout=10)  # the other process finishes and lets go
    store.activate("t", old)
    assert store.current_version("t") == old
    assert store.prune("t", keep=1) == []  # the active (old) and the newest stay

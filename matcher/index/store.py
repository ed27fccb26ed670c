"""Index directories on disk: versions, manifests, checksums, atomic writes.

Layout::

    indexes/<name>/
        CURRENT                 the active version id (replaced atomically)
        versions/<version>/     one immutable build: manifest.json + data files

A build is written into a temporary sibling directory, fsynced, then renamed into place, so a
crash never leaves a half-written version; switching the active version is one atomic file
replace, so a running service can swap catalogs while it answers (and roll back the same way).

Activating and removing versions take one lock per index (a file lock, so it also holds between
the service and `matcher index ...` run beside it): a roll-back checks that its version exists
and writes CURRENT in one step, and a prune reads CURRENT and deletes in one step, so CURRENT can
never name a version that a prune deleted at the same moment.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from pydantic import BaseModel

from matcher.errors import IndexError_
from matcher.fileio import atomic_write_text, file_problem, fsync_path, sha256_file

MANIFEST = "manifest.json"
CURRENT = "CURRENT"
LOCK = ".versions.lock"
#: How long a change of versions waits for another one (a prune deleting gigabytes) to finish.
LOCK_WAIT_S = 120.0
FORMAT_VERSION = 1
#: Up to this many bytes of index files, every load checks every file's sha256 (see verify_files).
FULL_VERIFY_MAX_BYTES = 256 * 1024 * 1024
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class Manifest(BaseModel):
    """What an index was built from; loading checks it against the running configuration."""

    format_version: int = FORMAT_VERSION
    name: str
    version: str
    created_at: str
    model_id: str
    dim: int
    pipeline_version: str
    catalog_checksum: str  # sha256 of the canonical catalog records
    catalog_source: str  # path of the catalog file it was built from
    catalog_file_sha256: str  # sha256 of that file's bytes (staleness check)
    rules_checksum: str = ""
    n_items: int
    dense_kind: str
    files: dict[str, str]  # relative path -> sha256
    sizes: dict[str, int] = {}  # relative path -> bytes (absent in indexes built before sizes)
    extra: dict[str, Any] = {}


def check_name(name: str) -> str:
    if not _NAME_RE.match(name):
        raise IndexError_(
            f"Tên chỉ mục không hợp lệ: {name!r}. Chỉ dùng chữ cái, chữ số, '_', '-', '.' (tối đa 64 ký tự)."
        )
    return name


def new_version_id() -> str:
    now = datetime.now(UTC)
    return now.strftime("%Y%m%dT%H%M%S") + f"-{now.microsecond:06d}"


class IndexStore:
    """All indexes under one root directory."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def index_dir(self, name: str) -> Path:
        return self.root / check_name(name)

    def versions(self, name: str) -> list[str]:
        vdir = self.index_dir(name) / "versions"
        if not vdir.is_dir():
            return []
        return sorted(p.name for p in vdir.iterdir() if p.is_dir() and (p / MANIFEST).is_file())

    def current_version(self, name: str) -> str | None:
        pointer = self.index_dir(name) / CURRENT
        if not pointer.is_file():
            return None
        version = pointer.read_text(encoding="utf-8").strip()
        return version or None

    def version_dir(self, name: str, version: str) -> Path:
        return self.index_dir(name) / "versions" / version

    def exists(self, name: str) -> bool:
        return self.current_version(name) is not None

    @contextmanager
    def changing_versions(self, name: str) -> Iterator[None]:
        """Hold the index's version lock (see the module docstring)."""
        index_dir = self.index_dir(name)
        if not index_dir.is_dir():  # no versions yet: nothing to race on, and no folder to create
            yield
            return
        lock = FileLock(index_dir / LOCK, thread_local=False)
        try:
            lock.acquire(timeout=LOCK_WAIT_S)
        except Timeout as e:
            raise IndexError_(
                f"Chỉ mục '{name}' đang được thay đổi phiên bản quá {LOCK_WAIT_S:.0f} giây (khóa {lock.lock_file}); "
                "hãy thử lại sau."
            ) from e
        try:
            yield
        finally:
            lock.release()

    def activate(self, name: str, version: str) -> None:
        """Make `version` the active one (also used for roll-back)."""
        with self.changing_versions(name):
            if version not in self.versions(name):
                raise IndexError_(
                    f"Chỉ mục '{name}' không có phiên bản '{version}'. Các phiên bản: {', '.join(self.versions(name)) or '(không có)'}."
                )
            atomic_write_text(self.index_dir(name) / CURRENT, version + "\n")

    def read_manifest(self, name: str, version: str) -> Manifest:
        path = self.version_dir(name, version) / MANIFEST
        try:
            return Manifest.model_validate_json(path.read_text(encoding="utf-8"))
        except FileNotFoundError as e:
            raise IndexError_(f"Thiếu tệp manifest của chỉ mục '{name}' ({path}).") from e
        except ValueError as e:
            raise IndexError_(f"Manifest của chỉ mục '{name}' bị hỏng ({path}): {e}") from e

    @contextmanager
    def writing(self, name: str) -> Iterator[tuple[Path, str]]:
        """Yield (temp dir, version id); on success the dir becomes versions/<version> atomically.

        The caller writes every data file and then calls `finish_manifest`. Nothing is activated
        here: the caller decides when the new version goes live.
        """
        versions_dir = self.index_dir(name) / "versions"
        versions_dir.mkdir(parents=True, exist_ok=True)
        version = new_version_id()
        tmp = Path(tempfile.mkdtemp(prefix=f".build-{version}-", dir=versions_dir))
        try:
            yield tmp, version
            if not (tmp / MANIFEST).is_file():
                raise IndexError_("internal: an index build finished without writing its manifest")
            for f in tmp.rglob("*"):
                if f.is_file():
                    fsync_path(f)
            fsync_path(tmp)
            os.replace(tmp, versions_dir / version)
            fsync_path(versions_dir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    @staticmethod
    def finish_manifest(directory: Path, manifest_fields: dict[str, Any]) -> Manifest:
        """Checksum every file in `directory` and write the manifest last."""
        paths = [p for p in sorted(directory.rglob("*")) if p.is_file() and p.name != MANIFEST]
        files = {str(p.relative_to(directory)): sha256_file(p) for p in paths}
        sizes = {str(p.relative_to(directory)): p.stat().st_size for p in paths}
        manifest = Manifest(files=files, sizes=sizes, **manifest_fields)
        (directory / MANIFEST).write_text(manifest.model_dump_json(indent=2), encoding="utf-8")
        return manifest

    def verify_files(self, name: str, version: str, manifest: Manifest, *, full: bool | None = None) -> None:
        """Refuse an index whose files were changed or lost since it was built.

        Presence and size are always checked. The sha256 of every file is checked when `full`,
        or (`full=None`) when the index is small enough that hashing costs little: hashing time
        grows with the index and would be paid on every load and catalog swap, while a truncated
        or missing file, the usual damage, already shows in its size. `matcher index verify`
        always hashes; a file without a recorded size (an index built before sizes) always is.
        """
        vdir = self.version_dir(name, version)
        if full is None:
            full = sum(manifest.sizes.values()) <= FULL_VERIFY_MAX_BYTES
        for rel, digest in manifest.files.items():
            size = manifest.sizes.get(rel)
            problem = file_problem(vdir / rel, size=size, sha256=digest, hash_it=full or size is None)
            if problem == "missing":
                raise IndexError_(
                    f"Chỉ mục '{name}' thiếu tệp {rel}. Hãy xây lại: matcher index build --name {name}"
                )
            if problem is not None:
                what = "sai kích thước" if problem == "size" else "sai checksum"
                raise IndexError_(
                    f"Tệp {rel} của chỉ mục '{name}' đã bị thay đổi ({what}). "
                    f"Hãy xây lại: matcher index build --name {name}"
                )

    def remove_version(self, name: str, version: str) -> None:
        with self.changing_versions(name):
            if version == self.current_version(name):
                raise IndexError_(f"Không thể xóa phiên bản đang dùng '{version}' của chỉ mục '{name}'.")
            shutil.rmtree(self.version_dir(name, version))

    def prune(self, name: str, keep: int) -> list[str]:
        """Remove all but the newest `keep` versions (the active one always stays); returns the removed.

        Every build adds a version and each holds a full copy of the vectors (gigabytes for a large
        catalog), so a service that takes monthly uploads would fill its disk; a few recent ones
        are enough to roll back. `keep` = 0 keeps everything. Version ids sort by build time.
        """
        if keep <= 0:
            return []
        with self.changing_versions(name):
            current = self.current_version(name)
            removed = []
            for version in self.versions(name)[:-keep]:
                if version != current:
                    shutil.rmtree(self.version_dir(name, version), ignore_errors=True)
                    removed.append(version)
        return removed

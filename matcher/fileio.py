"""Durable file writes and file digests, written once for every module that stores data.

Indexes, the saved catalog, batch outputs, the model folder and API uploads must never be seen
half-written: each is written beside its target, flushed to disk, renamed over it, and the
rename made durable by syncing the directory.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in chunks (index files can be gigabytes)."""
    with Path(path).open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


FileProblem = Literal["missing", "size", "checksum"]


def file_problem(path: Path, *, size: int | None, sha256: str | None, hash_it: bool) -> FileProblem | None:
    """What is wrong with a built file against its recorded size and digest, or None.

    One check for index versions and the model folder: size always (a truncated or replaced file
    shows at no cost), the digest only when `hash_it` (its cost grows with the file).
    """
    try:
        actual = path.stat()
    except OSError:
        return "missing"
    if not path.is_file():
        return "missing"
    if size is not None and actual.st_size != size:
        return "size"
    if hash_it and sha256_file(path) != sha256:
        return "checksum"
    return None


def fsync_path(path: Path) -> None:
    """fsync a file or a directory.

    A file that cannot be synced is an error (its data may not be on disk); a directory that
    cannot is not (some filesystems refuse to open or sync directories), so that is skipped.
    """
    is_dir = Path(path).is_dir()
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        if is_dir:
            return
        raise
    try:
        os.fsync(fd)
    except OSError:
        if not is_dir:
            raise
    finally:
        os.close(fd)


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside `path`; renamed over it, durably, only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        fsync_path(tmp)
        os.replace(tmp, path)
        fsync_path(path.parent)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Readers see the old content or the new, never a mix."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def atomic_write_text(path: Path, text: str) -> None:
    """`atomic_write_bytes` for UTF-8 text."""
    atomic_write_bytes(path, text.encode("utf-8"))

"""Durable writes: a failed write leaves the old file and no temporary behind."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from matcher.fileio import atomic_path, atomic_write_bytes, atomic_write_text, sha256_file


def test_write_and_digest(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "a.txt"
    atomic_write_text(target, "xử lý nước thải")
    assert target.read_text(encoding="utf-8") == "xử lý nước thải"
    assert sha256_file(target) == hashlib.sha256("xử lý nước thải".encode()).hexdigest()
    assert [p.name for p in target.parent.iterdir()] == ["a.txt"]


def test_failed_block_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "a.bin"
    atomic_write_bytes(target, b"old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("interrupted")
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["a.bin"]


def test_failed_rename_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a.bin"
    atomic_write_bytes(target, b"old")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["a.bin"]


def test_a_file_that_cannot_be_synced_is_an_error_a_directory_is_not(tmp_path: Path, monkeypatch) -> None:
    from matcher.fileio import fsync_path

    def failing_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    fsync_path(tmp_path)  # directories: skipped where the filesystem refuses
    with pytest.raises(OSError):
        atomic_write_text(tmp_path / "a.txt", "data")
    assert not (tmp_path / "a.txt").exists()  # nothing half-durable left in its place


def test_file_problem_checks_presence_size_then_digest_only_when_asked(tmp_path: Path) -> None:
    from matcher.fileio import file_problem, sha256_file

    path = tmp_path / "vectors.npy"
    path.write_bytes(b"abcdef")
    digest = sha256_file(path)
    assert file_problem(path, size=6, sha256=digest, hash_it=True) is None
    assert file_problem(tmp_path / "gone.npy", size=6, sha256=digest, hash_it=True) == "missing"
    assert file_problem(tmp_path, size=None, sha256=None, hash_it=False) == "missing"  # a folder is no file
    assert file_problem(path, size=5, sha256=digest, hash_it=True) == "size"
    path.write_bytes(b"abcdeX")  # same size, other bytes
    assert file_problem(path, size=6, sha256=digest, hash_it=False) is None  # sizes only: not seen
    assert file_problem(path, size=6, sha256=digest, hash_it=True) == "checksum"
    assert file_problem(path, size=None, sha256=digest, hash_it=True) == "checksum"

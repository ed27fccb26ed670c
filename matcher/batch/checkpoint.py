"""A batch run's durable state, so a run killed at any moment (even `kill -9`) resumes exactly.

Layout, next to the output file::

    <output>.checkpoint/
        manifest.json   input checksum, the arguments that shape results, committed progress
        results.jsonl   one matched need per line (the stable machine format)
        skipped.jsonl   one skipped row per line, with its row number and reason
        lock            held (flock) while a run writes here

Commit protocol (a small write-ahead log): each chunk's lines are appended to the two JSONL
files and fsynced, *then* the manifest is replaced atomically with the new byte lengths and the
number of survey rows consumed. On open, both files are truncated back to the lengths the
manifest recorded. Whatever a kill left after the last commit (a torn last line, half a chunk)
is cut away and redone, and the rows before it are never redone: no lost and no duplicated rows,
and the results stay in the survey's order.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from pydantic import BaseModel

from matcher.errors import InputError
from matcher.fileio import atomic_write_text, sha256_file

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
RESULTS = "results.jsonl"
SKIPPED = "skipped.jsonl"
LOCK = "lock"


class ResumeMismatch(InputError):
    """The checkpoint on disk was written for another input, other arguments, or is damaged."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class RunManifest(BaseModel):
    """What a run reads, with which arguments, and how far it has durably got."""

    format_version: int = FORMAT_VERSION
    input_path: str
    input_sha256: str
    input_size: int
    args: dict[str, Any]  # only the arguments that change the results (see runner.result_args)
    created_at: str
    updated_at: str
    events_done: int = 0  # survey data rows consumed (matched or skipped): the resume cursor
    results_bytes: int = 0
    skipped_bytes: int = 0
    needs_done: int = 0
    skipped_done: int = 0
    complete: bool = False


def checkpoint_dir(output: Path) -> Path:
    return output.with_name(output.name + ".checkpoint")


def _describe_diff(old: dict[str, Any], new: dict[str, Any]) -> str:
    keys = sorted(set(old) | set(new))
    return "; ".join(
        f"{k}: lần trước {old.get(k)!r}, lần này {new.get(k)!r}" for k in keys if old.get(k) != new.get(k)
    )


class Checkpoint:
    """Open with `Checkpoint.open`; then `commit` after every chunk and `finish` at the end."""

    def __init__(self, directory: Path, manifest: RunManifest, lock_fd: int) -> None:
        self.dir = directory
        self.manifest = manifest
        self._lock_fd = lock_fd
        self._results: BinaryIO = (directory / RESULTS).open("ab")
        self._skipped: BinaryIO = (directory / SKIPPED).open("ab")

    @property
    def results_path(self) -> Path:
        return self.dir / RESULTS

    @property
    def skipped_path(self) -> Path:
        return self.dir / SKIPPED

    @classmethod
    def open(
        cls, directory: Path, *, input_path: Path, args: dict[str, Any], restart: bool = False
    ) -> Checkpoint:
        """Start a new run, or resume the one recorded in `directory` if it read the same input
        with the same arguments; refuse (InputError, in Vietnamese) when they differ."""
        directory.mkdir(parents=True, exist_ok=True)
        lock_fd = os.open(directory / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            os.close(lock_fd)
            raise InputError(
                f"Một lần chạy khác đang ghi vào {directory}. Hãy đợi nó xong hoặc chọn --output khác."
            ) from e
        try:
            manifest = cls._load_or_create(directory, input_path, args, restart)
        except BaseException:
            os.close(lock_fd)
            raise
        return cls(directory, manifest, lock_fd)

    @staticmethod
    def _load_or_create(
        directory: Path, input_path: Path, args: dict[str, Any], restart: bool
    ) -> RunManifest:
        path = directory / MANIFEST
        checksum = sha256_file(input_path)
        if path.exists() and not restart:
            try:
                old = RunManifest.model_validate_json(path.read_text(encoding="utf-8"))
            except ValueError as e:
                raise ResumeMismatch(
                    f"Tệp trạng thái {path} bị hỏng. Hãy chạy lại với --restart để làm lại từ đầu."
                ) from e
            if old.input_sha256 != checksum:
                raise ResumeMismatch(
                    f"Không thể chạy tiếp: tệp đầu vào đã khác với lần chạy trước ({old.input_path}, "
                    f"đã xử lý {old.events_done} dòng). Hãy dùng --output khác, "
                    "hoặc --restart để làm lại từ đầu."
                )
            if old.args != args:
                raise ResumeMismatch(
                    f"Không thể chạy tiếp với tham số khác lần trước ({_describe_diff(old.args, args)}). "
                    "Hãy chạy lại với đúng tham số cũ, dùng --output khác, hoặc --restart để làm lại từ đầu."
                )
            for name, size in ((RESULTS, old.results_bytes), (SKIPPED, old.skipped_bytes)):
                _truncate(directory / name, size)
            return old
        for name in (RESULTS, SKIPPED, MANIFEST):
            (directory / name).unlink(missing_ok=True)
        now = _now()
        manifest = RunManifest(
            input_path=str(input_path),
            input_sha256=checksum,
            input_size=input_path.stat().st_size,
            args=args,
            created_at=now,
            updated_at=now,
        )
        for name in (RESULTS, SKIPPED):
            (directory / name).touch()
        atomic_write_text(path, manifest.model_dump_json(indent=2))
        return manifest

    def commit(self, results: Sequence[str], skipped: Sequence[str], events_done: int) -> None:
        """Append one chunk (JSON lines without newline) durably, then record the new cursor."""
        m = self.manifest
        for fh, lines in ((self._skipped, skipped), (self._results, results)):
            if lines:
                data = ("\n".join(lines) + "\n").encode("utf-8")
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
                if fh is self._results:
                    m.results_bytes += len(data)
                else:
                    m.skipped_bytes += len(data)
        m.needs_done += len(results)
        m.skipped_done += len(skipped)
        m.events_done = events_done
        m.updated_at = _now()
        atomic_write_text(self.dir / MANIFEST, m.model_dump_json(indent=2))

    def finish(self) -> None:
        self.manifest.complete = True
        self.manifest.updated_at = _now()
        atomic_write_text(self.dir / MANIFEST, self.manifest.model_dump_json(indent=2))

    def close(self) -> None:
        self._results.close()
        self._skipped.close()
        os.close(self._lock_fd)

    def __enter__(self) -> Checkpoint:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _truncate(path: Path, size: int) -> None:
    """Cut a JSONL file back to its last committed byte (drops torn lines and uncommitted chunks)."""
    if not path.exists():
        if size:
            raise ResumeMismatch(f"Thiếu tệp {path} của lần chạy trước. Hãy chạy lại với --restart.")
        path.touch()
        return
    actual = path.stat().st_size
    if actual < size:
        raise ResumeMismatch(
            f"Tệp {path} ngắn hơn mức đã ghi nhận ({actual} < {size} byte): trạng thái không nhất quán. "
            "Hãy chạy lại với --restart."
        )
    if actual > size:
        with path.open("r+b") as fh:
            fh.truncate(size)
            fh.flush()
            os.fsync(fh.fileno())


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Records of a results/skipped file one at a time; a torn last line (no newline) is ignored."""
    with path.open("rb") as fh:
        for raw in fh:
            if not raw.endswith(b"\n"):
                break
            if raw.strip():
                yield json.loads(raw)


def remove(directory: Path) -> None:
    shutil.rmtree(directory, ignore_errors=True)

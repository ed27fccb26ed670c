"""Relevance feedback from people (businesses, officers), kept in an embedded SQLite database.

The API writes it (`POST /v1/feedback`); `matcher eval` reads it back as extra graded judgements
through `load_feedback_qrels`. The file format belongs to the library rather than to the API so
that both sides go through one schema and one list of migrations.

Schema changes are append-only migrations numbered by SQLite's `PRAGMA user_version`: opening
an older file upgrades it in place inside one transaction; a file written by a newer release is
refused instead of being silently misread.
"""

from __future__ import annotations

import io
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel

from matcher.errors import InputError, TechmatchError
from matcher.spreadsheet import write_csv_rows

DB_FILENAME = "feedback.sqlite3"

# Each entry upgrades the schema from version i to i + 1. Never edit a shipped entry: add one.
MIGRATIONS: tuple[str, ...] = (
    # 1: the feedback table.
    """
    CREATE TABLE feedback (
        id          INTEGER PRIMARY KEY AUTOINCREMENT,
        created_at  TEXT    NOT NULL,
        need_text   TEXT,
        need_id     TEXT,
        tech_id     TEXT    NOT NULL,
        relevant    INTEGER NOT NULL CHECK (relevant IN (0, 1)),
        comment     TEXT    NOT NULL DEFAULT '',
        CHECK (need_text IS NOT NULL OR need_id IS NOT NULL)
    );
    """,
    # 2: which catalog version the judgement was made against, and a lookup index for qrels.
    """
    ALTER TABLE feedback ADD COLUMN index_version TEXT;
    CREATE INDEX feedback_need_tech ON feedback (need_text, need_id, tech_id);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)
CSV_COLUMNS = ("id", "created_at", "need_text", "need_id", "tech_id", "relevant", "comment", "index_version")

# Grades on the evaluation scale (0-3, relevant from 2): a majority of "useful" votes counts as
# relevant, a tie as partially relevant, a majority of "not suitable" as not relevant.
GRADE_RELEVANT = 2
GRADE_TIE = 1
GRADE_NOT_RELEVANT = 0


class FeedbackError(TechmatchError):
    """The feedback database cannot be opened or written."""


class FeedbackRecord(BaseModel):
    """One stored judgement."""

    id: int
    created_at: str
    need_text: str | None
    need_id: str | None
    tech_id: str
    relevant: bool
    comment: str
    index_version: str | None


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise FeedbackError(
            f"Cơ sở dữ liệu phản hồi {path} có phiên bản lược đồ {version}, mới hơn phiên bản "
            f"{SCHEMA_VERSION} mà chương trình này hiểu: hãy cập nhật techmatch."
        )
    for target in range(version + 1, SCHEMA_VERSION + 1):
        # executescript commits implicitly, so the migration and its version bump share one script.
        conn.executescript(f"BEGIN;\n{MIGRATIONS[target - 1]}\nPRAGMA user_version = {target};\nCOMMIT;")


class FeedbackStore:
    """The feedback database file; safe to share between threads (one connection per call)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._migrated = False
        self._lock = threading.Lock()

    @classmethod
    def in_dir(cls, data_dir: Path) -> FeedbackStore:
        return cls(Path(data_dir) / DB_FILENAME)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection to an up-to-date schema; commits on success, rolls back on error."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        except (OSError, sqlite3.Error) as e:
            raise FeedbackError(f"Không mở được cơ sở dữ liệu phản hồi {self.path}: {e}") from e
        try:
            conn.row_factory = sqlite3.Row
            if not self._migrated:
                with self._lock:
                    if not self._migrated:
                        conn.execute("PRAGMA journal_mode=WAL")
                        _migrate(conn, self.path)
                        self._migrated = True
            yield conn
        except sqlite3.Error as e:
            raise FeedbackError(f"Lỗi cơ sở dữ liệu phản hồi {self.path}: {e}") from e
        finally:
            conn.close()

    def schema_version(self) -> int:
        with self.connect() as conn:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])

    def add(
        self,
        *,
        tech_id: str,
        relevant: bool,
        need_text: str | None = None,
        need_id: str | None = None,
        comment: str = "",
        index_version: str | None = None,
    ) -> FeedbackRecord:
        need_text = (need_text or "").strip() or None
        need_id = (need_id or "").strip() or None
        if need_text is None and need_id is None:
            raise InputError("Phản hồi cần nội dung nhu cầu (need_text) hoặc mã nhu cầu (need_id).")
        created_at = datetime.now(UTC).isoformat(timespec="seconds")
        with self.connect() as conn:
            cur = conn.execute(
                "INSERT INTO feedback (created_at, need_text, need_id, tech_id, relevant, comment,"
                " index_version) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (created_at, need_text, need_id, tech_id, int(relevant), comment, index_version),
            )
            row_id = int(cur.lastrowid or 0)
        return FeedbackRecord(
            id=row_id,
            created_at=created_at,
            need_text=need_text,
            need_id=need_id,
            tech_id=tech_id,
            relevant=relevant,
            comment=comment,
            index_version=index_version,
        )

    def records(self) -> list[FeedbackRecord]:
        with self.connect() as conn:
            rows = conn.execute(f"SELECT {', '.join(CSV_COLUMNS)} FROM feedback ORDER BY id").fetchall()
        return [FeedbackRecord(**{**dict(r), "relevant": bool(r["relevant"])}) for r in rows]

    def count(self) -> int:
        with self.connect() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])

    def to_csv(self) -> str:
        """All feedback as CSV (UTF-8 with BOM so that Excel shows Vietnamese correctly)."""
        buf = io.StringIO()
        buf.write("\ufeff")
        rows = ({**rec.model_dump(), "relevant": int(rec.relevant)} for rec in self.records())
        # need_text and comment are typed by anonymous visitors: never formulas in Excel
        write_csv_rows(buf, CSV_COLUMNS, ([row[c] for c in CSV_COLUMNS] for row in rows))
        return buf.getvalue()


def grade(useful: int, not_useful: int) -> int:
    """Votes on one (need, technology) pair -> a grade on the evaluation scale."""
    if useful > not_useful:
        return GRADE_RELEVANT
    if useful == not_useful:
        return GRADE_TIE
    return GRADE_NOT_RELEVANT


def load_feedback_qrels(db_path: Path) -> dict[str, dict[str, int]]:
    """Feedback as graded judgements: {need: {tech id: grade}} for `matcher eval`.

    The need key is the need's text, or `id:<need_id>` when only an id was given (an id of the
    labelled set or of a survey row, which the caller can map to its text). A missing database
    means "no feedback yet" and gives an empty dict, not an error.
    """
    path = Path(db_path)
    if not path.exists():
        return {}
    votes: dict[str, dict[str, list[int]]] = {}
    for rec in FeedbackStore(path).records():
        key = rec.need_text if rec.need_text is not None else f"id:{rec.need_id}"
        counts = votes.setdefault(key, {}).setdefault(rec.tech_id, [0, 0])
        counts[0 if rec.relevant else 1] += 1
    return {need: {tid: grade(u, n) for tid, (u, n) in techs.items()} for need, techs in votes.items()}

"""The commit protocol: torn lines and uncommitted chunks are cut away; other inputs are refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher.batch.checkpoint import Checkpoint, read_jsonl
from matcher.errors import InputError

ARGS = {"text_columns": ["Nhu cầu"], "top_k": 5}


def _input(tmp_path: Path, text: str = "Nhu cầu\nlò đốt rác\n") -> Path:
    path = tmp_path / "khao_sat.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _line(row: int) -> str:
    return json.dumps({"row": row, "need_id": f"HP-{row}"}, ensure_ascii=False)


def test_resume_cuts_a_torn_line_and_an_uncommitted_chunk(tmp_path: Path) -> None:
    src, cp_dir = _input(tmp_path), tmp_path / "out.jsonl.checkpoint"
    with Checkpoint.open(cp_dir, input_path=src, args=ARGS) as cp:
        cp.commit([_line(2), _line(3)], ['{"row": 4, "kind": "blank"}'], events_done=3)
    with (cp_dir / "results.jsonl").open("a", encoding="utf-8") as fh:  # a chunk written, then killed
        fh.write(_line(5) + "\n" + '{"row": 6, "need_')
    with Checkpoint.open(cp_dir, input_path=src, args=ARGS) as cp:
        assert cp.manifest.events_done == 3 and cp.manifest.needs_done == 2
        assert [r["row"] for r in read_jsonl(cp.results_path)] == [2, 3]
        cp.commit([_line(5)], [], events_done=4)
        assert [r["row"] for r in read_jsonl(cp.results_path)] == [2, 3, 5]


def test_resume_with_other_arguments_is_refused(tmp_path: Path) -> None:
    src, cp_dir = _input(tmp_path), tmp_path / "out.xlsx.checkpoint"
    Checkpoint.open(cp_dir, input_path=src, args=ARGS).close()
    with pytest.raises(InputError, match=r"tham số khác lần trước \(top_k: lần trước 5, lần này 10\)"):
        Checkpoint.open(cp_dir, input_path=src, args={**ARGS, "top_k": 10})


def test_resume_with_another_input_is_refused_unless_restarted(tmp_path: Path) -> None:
    src, cp_dir = _input(tmp_path), tmp_path / "out.xlsx.checkpoint"
    with Checkpoint.open(cp_dir, input_path=src, args=ARGS) as cp:
        cp.commit([_line(2)], [], events_done=1)
    _input(tmp_path, "Nhu cầu\nmáy phay CNC\n")
    with pytest.raises(InputError, match="tệp đầu vào đã khác"):
        Checkpoint.open(cp_dir, input_path=src, args=ARGS)
    with Checkpoint.open(cp_dir, input_path=src, args=ARGS, restart=True) as cp:
        assert cp.manifest.events_done == 0 and cp.results_path.stat().st_size == 0


def test_two_runs_cannot_write_the_same_checkpoint(tmp_path: Path) -> None:
    src, cp_dir = _input(tmp_path), tmp_path / "out.xlsx.checkpoint"
    with Checkpoint.open(cp_dir, input_path=src, args=ARGS), pytest.raises(InputError, match="đang ghi"):
        Checkpoint.open(cp_dir, input_path=src, args=ARGS)

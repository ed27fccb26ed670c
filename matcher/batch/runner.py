"""Batch matching of a survey file: stream, match in chunks, commit each chunk, render the output.

`run_batch` is the one entry point (CLI `matcher batch`, the API's jobs, scripts). The flow:

    survey file --open_survey--> events (needs and skipped rows, numbered by seq)
      --skip the events a previous run committed--> engine (local or Ray) --> chunks of records
      --Checkpoint.commit (fsync, then manifest)--> results.jsonl / skipped.jsonl
      --write_output--> OUTPUT (.jsonl / .csv / .xlsx)

Both engines yield the records of each chunk in survey order, so the commit protocol (see
checkpoint.py) is the same for both and a run may be resumed with the other engine or another
chunk size: only the arguments that change the results are fingerprinted (`result_args`).
"""

from __future__ import annotations

import itertools
import json
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from matcher.batch.checkpoint import Checkpoint, checkpoint_dir, read_jsonl
from matcher.batch.readers import SkippedRow, SurveyColumns, SurveyNeed, open_survey
from matcher.batch.records import NO_MATCH_THRESHOLD, need_record, skipped_record
from matcher.batch.summary import BatchSummary, summarize
from matcher.batch.writers import output_format, write_output
from matcher.catalog.tables import iter_table
from matcher.errors import InputError

if TYPE_CHECKING:
    from matcher.matcher import Matcher
    from matcher.settings import Settings

Engine = Literal["local", "ray"]
ENGINES: tuple[Engine, ...] = ("local", "ray")
#: Settings that change what a need is matched to (fingerprinted with the run).
RESULT_SETTINGS = (
    "embedder",
    "model_path",
    "query_prompt",
    "candidates",
    "fusion",
    "convex_alpha",
    "rrf_k",
    "dense_weight",
    "lexical_weight",
    "priority_boost",
    "replacement_results",
)
#: A chunk's records: (seq of the survey row, JSON line), in survey order.
Chunk = list[tuple[int, str]]
ProgressFn = Callable[[int, int | None], None]


@dataclass(frozen=True)
class MatchOptions:
    """How each need is matched; identical on every engine and worker."""

    top_k: int = 5
    include_restricted: bool = False
    threshold: float = NO_MATCH_THRESHOLD

    def check(self, max_top_k: int) -> None:
        if not 1 <= self.top_k <= max_top_k:
            raise InputError(f"--top-k phải trong khoảng 1..{max_top_k}, nhận được {self.top_k}.")
        if not 0.0 < self.threshold < 1.0:
            raise InputError(f"Ngưỡng phù hợp phải trong khoảng (0, 1), nhận được {self.threshold}.")


def match_chunk(matcher: Matcher, needs: Sequence[SurveyNeed], options: MatchOptions) -> Chunk:
    """Match one chunk of needs into JSON lines: the unit of work of both engines."""
    results = matcher.match_batch(
        [n.text for n in needs], top_k=options.top_k, include_restricted=options.include_restricted
    )
    return [
        (n.seq, json.dumps(need_record(n, r, options.threshold), ensure_ascii=False))
        for n, r in zip(needs, results, strict=True)
    ]


def batched(items: Iterable[SurveyNeed], size: int) -> Iterator[list[SurveyNeed]]:
    it = iter(items)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


@dataclass
class LocalEngine:
    """Matches in this process, one chunk at a time (memory: one chunk of results)."""

    matcher: Matcher
    options: MatchOptions
    chunk_size: int

    def run(self, needs: Iterable[SurveyNeed]) -> Iterator[Chunk]:
        for chunk in batched(needs, self.chunk_size):
            yield match_chunk(self.matcher, chunk, self.options)


def index_fingerprint(settings: Settings, index_name: str, version: str | None = None) -> dict[str, Any]:
    """Identity of the index a run matches against, read from its manifest (the index is not loaded)."""
    from matcher.errors import IndexError_
    from matcher.index.store import IndexStore

    store = IndexStore(settings.index_root)
    version = version or store.current_version(index_name)
    if version is None:
        raise IndexError_(
            f"Chưa có chỉ mục '{index_name}' trong {settings.index_root}. "
            f"Hãy xây chỉ mục trước: matcher index build --name {index_name}"
        )
    m = store.read_manifest(index_name, version)
    return {
        "name": index_name,
        "version": m.version,
        "catalog_checksum": m.catalog_checksum,
        "model_id": m.model_id,
    }


def result_args(
    columns: SurveyColumns,
    sheet: str | None,
    options: MatchOptions,
    index: dict[str, Any],
    settings: Settings,
) -> dict[str, Any]:
    """The arguments a resumed run must share with the run it continues (JSON-comparable)."""
    tuned = settings.model_dump(mode="json", include=set(RESULT_SETTINGS))
    return {
        "text_columns": list(columns.text),
        "id_column": columns.id,
        "company_column": columns.company,
        "sheet": sheet,
        "top_k": options.top_k,
        "include_restricted": options.include_restricted,
        "threshold": options.threshold,
        "index": index,
        "settings": tuned,
    }


def count_rows(path: Path, sheet: str | None = None) -> int:
    """Data rows of a survey (one streaming pass), so the progress bar can show an ETA."""
    with iter_table(path, sheet=sheet) as stream:
        return sum(1 for _ in stream)


@dataclass
class _Events:
    """Splits the survey's events: needs go to the engine, skipped rows wait to be committed in order."""

    events: Iterator[SurveyNeed | SkippedRow]
    consumed: int = 0
    pending: deque[SkippedRow] = field(default_factory=deque)

    def needs(self) -> Iterator[SurveyNeed]:
        for event in self.events:
            self.consumed += 1
            if isinstance(event, SkippedRow):
                self.pending.append(event)
            else:
                yield event

    def skipped_before(self, seq: int | None) -> list[str]:
        out = []
        while self.pending and (seq is None or self.pending[0].seq < seq):
            out.append(json.dumps(skipped_record(self.pending.popleft()), ensure_ascii=False))
        return out


def _make_engine(
    engine: str,
    matcher: Matcher,
    options: MatchOptions,
    chunk_size: int,
    workers: int,
    ray_address: str | None,
) -> Any:
    if engine == "local":
        return LocalEngine(matcher.warm_up(), options, chunk_size)
    if engine == "ray":
        from matcher.batch.ray_engine import RayEngine

        return RayEngine(
            matcher.index_name,
            matcher.settings,
            options,
            chunk_size,
            workers,
            ray_address,
            version=matcher.version,
        )
    raise InputError(f"Engine không hợp lệ: {engine!r}. Hợp lệ: {', '.join(ENGINES)}.")


def run_batch(
    input_path: Path | str,
    output_path: Path | str,
    *,
    matcher: Matcher,
    text_columns: Sequence[str] | None = None,
    id_column: str | None = None,
    company_column: str | None = None,
    sheet: str | None = None,
    top_k: int = 5,
    include_restricted: bool = False,
    threshold: float = NO_MATCH_THRESHOLD,
    chunk_size: int = 64,
    engine: str = "local",
    workers: int = 2,
    ray_address: str | None = None,
    restart: bool = False,
    progress: bool | ProgressFn = False,
) -> BatchSummary:
    """Match every need of a survey file and write OUTPUT; resumes a run stopped on the same output.

    `matcher` gives the index and settings (the local engine uses it directly; Ray workers build
    their own from its index name and settings). `progress=True` shows a tqdm bar; a callable
    receives (rows done, total rows or None).
    """
    input_path, output_path = Path(input_path), Path(output_path)
    output_format(output_path)
    if not 1 <= chunk_size <= matcher.settings.max_batch:
        raise InputError(
            f"--chunk-size phải trong khoảng 1..{matcher.settings.max_batch}, nhận được {chunk_size}."
        )
    if workers < 1:
        raise InputError(f"--workers phải ≥ 1, nhận được {workers}.")
    options = MatchOptions(top_k=top_k, include_restricted=include_restricted, threshold=threshold)
    options.check(matcher.settings.max_top_k)
    reader = open_survey(
        input_path,
        text_columns=text_columns,
        id_column=id_column,
        company_column=company_column,
        sheet=sheet,
        max_text_chars=matcher.settings.max_text_chars,
    )
    with reader:
        index = index_fingerprint(matcher.settings, matcher.index_name, matcher.version)
        args = result_args(reader.columns, sheet, options, index, matcher.settings)
        with Checkpoint.open(
            checkpoint_dir(output_path), input_path=input_path, args=args, restart=restart
        ) as cp:
            start = cp.manifest.events_done
            matched = 0
            t0 = time.perf_counter()
            if not cp.manifest.complete:
                total = count_rows(input_path, sheet) if progress else None
                runner = _make_engine(engine, matcher, options, chunk_size, workers, ray_address)
                t0 = time.perf_counter()  # the local model is loaded: measure matching only
                report = _progress(progress, total, start)
                events = _Events(itertools.islice(iter(reader), start, None))
                for chunk in runner.run(events.needs()):
                    last_seq = chunk[-1][0]
                    cp.commit([line for _, line in chunk], events.skipped_before(last_seq), last_seq + 1)
                    matched += len(chunk)
                    report(last_seq + 1)
                cp.commit([], events.skipped_before(None), start + events.consumed)
                report(start + events.consumed)
                report(-1)
                cp.finish()
            elapsed = time.perf_counter() - t0
            summary = summarize(read_jsonl(cp.results_path), read_jsonl(cp.skipped_path), threshold=threshold)
            write_output(cp.results_path, cp.skipped_path, summary, output_path)
            summary.input_path, summary.output_path = str(input_path), str(output_path)
            summary.results_path = str(cp.results_path)
            summary.engine, summary.resumed_from_row = engine, start
            summary.matched_this_run, summary.elapsed_s = matched, elapsed
            return summary


def _progress(progress: bool | ProgressFn, total: int | None, start: int) -> Callable[[int], None]:
    """`report(done)`; `report(-1)` closes the bar."""
    if callable(progress):
        fn = progress
        return lambda done: fn(done, total) if done >= 0 else None
    if not progress:
        return lambda done: None
    from tqdm import tqdm

    bar = tqdm(total=total, initial=start, unit="dòng", desc="So khớp nhu cầu", dynamic_ncols=True)

    def report(done: int) -> None:
        if done < 0:
            bar.close()
        else:
            bar.update(done - bar.n)

    return report

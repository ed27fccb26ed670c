"""Throughput of batch matching (needs/s): the local engine, then Ray with 1 and 2 workers.

Run: python -m matcher.batch.bench SURVEY [--rows N] [--workers 1 2] [--index NAME]

The survey's needs are repeated (with distinct ids) up to `--rows` so every engine matches the
same number of needs. Timings include what each engine must pay per run: nothing for the local
engine (its model is loaded before the clock starts), Ray's cluster start and one model load
per worker for Ray. Numbers are printed, never asserted in tests: they depend on the machine.
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import time
from pathlib import Path

from matcher.batch.readers import SurveyNeed, open_survey
from matcher.batch.runner import run_batch


def replicate(survey: Path, rows: int, target: Path) -> Path:
    """A CSV with `rows` needs taken cyclically from `survey` (each with its own id)."""
    with open_survey(survey) as reader:
        needs = [e for e in reader if isinstance(e, SurveyNeed)]
    with target.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Mã phiếu", "Nhu cầu công nghệ"])
        for i in range(rows):
            writer.writerow([f"B-{i + 1:06d}", needs[i % len(needs)].text])
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("survey", type=Path)
    parser.add_argument("--rows", type=int, default=400)
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--chunk-size", type=int, default=32)
    parser.add_argument("--index", default=None)
    args = parser.parse_args(argv)

    from matcher.matcher import Matcher

    matcher = Matcher(args.index).warm_up()
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        src = replicate(args.survey, args.rows, Path(tmp) / "bench.csv")
        runs = [("local", 1)] + [("ray", w) for w in args.workers]
        for engine, workers in runs:
            t0 = time.perf_counter()
            s = run_batch(
                src,
                Path(tmp) / f"{engine}-{workers}.jsonl",
                matcher=matcher,
                engine=engine,
                workers=workers,
                chunk_size=args.chunk_size,
            )
            wall = time.perf_counter() - t0
            figures.append(
                {
                    "engine": engine,
                    "workers": workers,
                    "needs": s.needs,
                    "matching_s": round(s.elapsed_s, 2),
                    "needs_per_s": round(s.needs_per_s, 2),
                    "wall_s": round(wall, 2),
                }
            )
            print(json.dumps(figures[-1], ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()

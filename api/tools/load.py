"""Load run on loopback: N concurrent clients POST /v1/match for D seconds; prints errors, p50/p99.

    matcher serve --port 8000 &
    python -m api.tools.load --url http://127.0.0.1:8000 --clients 32 --seconds 60

Exits 1 if any request failed, so it can gate a release.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import statistics
import sys
import time

import httpx

NEEDS = (
    "xử lý nước thải ao nuôi tôm",
    "tu dong hoa cang container",
    "lò đốt rác sinh hoạt 500 kg/h",
    "máy phay CNC 5 trục gia công khuôn",
    "tái chế dầu nhớt thải",
    "bê tông khí chưng áp",
)


async def client(
    http: httpx.AsyncClient, url: str, deadline: float, latencies: list[float], errors: list[str], offset: int
) -> None:
    for text in itertools.islice(itertools.cycle(NEEDS), offset, None):
        if time.monotonic() >= deadline:
            return
        t0 = time.perf_counter()
        try:
            res = await http.post(url + "/v1/match", json={"text": text, "top_k": 10})
            if res.status_code != 200:
                errors.append(f"{res.status_code}: {res.text[:200]}")
        except httpx.HTTPError as e:
            errors.append(f"{type(e).__name__}: {e}")
        latencies.append((time.perf_counter() - t0) * 1000)


async def main(url: str, clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        (await http.get(url + "/readyz")).raise_for_status()
        t0 = time.monotonic()
        deadline = t0 + seconds
        await asyncio.gather(*(client(http, url, deadline, latencies, errors, i) for i in range(clients)))
        elapsed = time.monotonic() - t0
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": len(latencies),
        "errors": len(errors),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(q[49], 1),
        "p99_ms": round(q[98], 1),
        "max_ms": round(max(latencies, default=0), 1),
        "first_errors": errors[:5],
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    report = asyncio.run(main(args.url.rstrip("/"), args.clients, args.seconds))
    print(json.dumps(report, ensure_ascii=False, indent=2))
    sys.exit(1 if report["errors"] else 0)

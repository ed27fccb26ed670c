"""Load run on loopback: N concurrent clients POST /v1/match for D seconds; prints errors, p50/p99.

    matcher serve --port 8000 &
    python -m api.tools.load --url http://127.0.0.1:8000 --clients 32 --seconds 60

With `--swap-catalog FILE` (and the admin token in TECHMATCH_ADMIN_TOKEN or --admin-token), a
new catalog is uploaded `--swap-after` seconds into the run: the index is rebuilt beside the live
one and swapped in while the clients keep querying, and the report says which index version
served before and after. Exits 1 if any request failed or the swap did not complete, so it can
gate a release.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import sys
import time
from pathlib import Path

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


async def served_version(http: httpx.AsyncClient, url: str) -> str:
    res = await http.get(url + "/readyz")
    res.raise_for_status()
    return str(res.json()["index"]["version"])


async def swap(
    http: httpx.AsyncClient, url: str, catalog: Path, token: str, after: float, report: dict
) -> None:
    """Upload a catalog `after` seconds in, then follow the rebuild job until it ends."""
    await asyncio.sleep(after)
    report["version_before"] = await served_version(http, url)
    auth = {"Authorization": f"Bearer {token}"}
    t0 = time.monotonic()
    files = {"file": (catalog.name, catalog.read_bytes(), "application/octet-stream")}
    res = await http.post(url + "/v1/admin/catalog", files=files, headers=auth)
    if res.status_code != 202:
        report["state"] = f"upload refused: {res.status_code} {res.text[:200]}"
        return
    status_url = url + res.json()["status_url"]
    while True:
        await asyncio.sleep(0.5)
        job = (await http.get(status_url, headers=auth)).json()
        if job["state"] not in ("queued", "running"):
            break
    report["state"] = job["state"]
    report["error"] = job.get("error")
    report["seconds"] = round(time.monotonic() - t0, 1)
    report["version_after"] = await served_version(http, url)


async def main(
    url: str,
    clients: int,
    seconds: float,
    swap_catalog: Path | None = None,
    admin_token: str = "",
    swap_after: float = 10.0,
) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    swap_report: dict = {}
    limits = httpx.Limits(max_connections=clients + 2, max_keepalive_connections=clients + 2)
    async with httpx.AsyncClient(timeout=120, limits=limits) as http:
        (await http.get(url + "/readyz")).raise_for_status()
        t0 = time.monotonic()
        deadline = t0 + seconds
        tasks = [client(http, url, deadline, latencies, errors, i) for i in range(clients)]
        if swap_catalog is not None:
            tasks.append(swap(http, url, swap_catalog, admin_token, swap_after, swap_report))
        await asyncio.gather(*tasks)
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
        **({"swap": swap_report} if swap_catalog is not None else {}),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--swap-catalog", type=Path, help="catalog to upload during the run")
    parser.add_argument("--swap-after", type=float, default=10.0, help="seconds before the upload")
    parser.add_argument("--admin-token", default=os.environ.get("TECHMATCH_ADMIN_TOKEN", ""))
    args = parser.parse_args()
    if args.swap_catalog is not None and not args.admin_token:
        parser.error("--swap-catalog needs the admin token (--admin-token or TECHMATCH_ADMIN_TOKEN)")
    report = asyncio.run(
        main(
            args.url.rstrip("/"),
            args.clients,
            args.seconds,
            args.swap_catalog,
            args.admin_token,
            args.swap_after,
        )
    )
    print(json.dumps(report, ensure_ascii=False, indent=2))
    swapped = report.get("swap", {}).get("state", "done") == "done"
    sys.exit(1 if report["errors"] or not swapped else 0)

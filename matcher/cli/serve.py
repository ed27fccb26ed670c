"""`matcher serve`: the HTTP API and web page (uvicorn over api.app)."""

from __future__ import annotations

from typing import Annotated

import typer

from matcher.cli.common import handle_errors


def register(app: typer.Typer) -> None:
    """Add the `serve` command to the main CLI (called by matcher.cli.main)."""

    @app.command()
    @handle_errors
    def serve(
        index: Annotated[
            str | None, typer.Option(help="Tên chỉ mục; mặc định: chỉ mục của danh mục mẫu.")
        ] = None,
        host: Annotated[str, typer.Option(help="Địa chỉ lắng nghe.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(min=1, max=65535, help="Cổng.")] = 8000,
        log_level: Annotated[str, typer.Option(help="Mức ghi log của uvicorn.")] = "info",
    ) -> None:
        """Chạy dịch vụ API và trang web (mô hình và chỉ mục nạp một lần khi khởi động)."""
        import uvicorn

        from api.app import create_app

        uvicorn.run(create_app(index_name=index), host=host, port=port, log_level=log_level)

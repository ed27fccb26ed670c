"""`matcher report`: the HTML report of a batch run. Logic is in matcher.batch.report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

out = Console()


def register(app: typer.Typer) -> None:
    from matcher.cli.main import handle_errors

    @app.command("report")
    @handle_errors
    def report(
        results: Annotated[
            Path,
            typer.Argument(
                help="Kết quả của `matcher batch`: tệp .jsonl, thư mục .checkpoint hoặc tệp .xlsx/.csv."
            ),
        ],
        output: Annotated[Path, typer.Option("--output", "-o", help="Tệp báo cáo HTML.")] = Path(
            "bao-cao.html"
        ),
        threshold: Annotated[
            float | None,
            typer.Option(help="Ngưỡng 'chưa có công nghệ phù hợp'; mặc định: ngưỡng của lần chạy."),
        ] = None,
        title: Annotated[str | None, typer.Option(help="Tiêu đề báo cáo.")] = None,
    ) -> None:
        """Lập báo cáo HTML (tiếng Việt, có biểu đồ, không cần tệp ngoài) từ kết quả so khớp hàng loạt."""
        from matcher.batch.report import write_report

        summary = write_report(results, output, threshold=threshold, title=title)
        out.print(
            f"Đã lập báo cáo [bold]{output}[/]: {summary.needs} nhu cầu, {summary.skipped} dòng bỏ qua, "
            f"{summary.with_warnings} nhu cầu hạn chế, {summary.no_good_match} nhu cầu chưa phù hợp."
        )

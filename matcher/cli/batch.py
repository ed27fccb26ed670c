"""`matcher batch`: match every need of a survey file (CSV/XLSX), resumably. Logic is in matcher.batch."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from matcher.batch.readers import SkippedRow, SurveyPreview
from matcher.batch.records import NO_MATCH_THRESHOLD
from matcher.batch.summary import BatchSummary
from matcher.errors import InputError

out = Console()
SKIPPED_SHOWN = 20


def split_columns(repeated: list[str] | None, joined: str | None) -> list[str] | None:
    """`--text-column A --text-column B` and/or `--text-columns "A,B"` -> ["A", "B"]."""
    names = list(repeated or [])
    if joined:
        names += [p.strip() for p in joined.split(",")]
    names = [n for n in names if n]
    return names or None


def print_preview(console: Console, p: SurveyPreview) -> None:
    """How the file is read: format, encoding, columns, and the first rows as they will be matched."""
    console.print(f"Tệp [bold]{p.path}[/]: định dạng {p.source_format}, bảng mã {p.encoding}.")
    console.print("Các cột: " + ", ".join(f"'{h}'" for h in p.headers), highlight=False)
    console.print(
        "Cột nhu cầu (ghép theo thứ tự): " + ", ".join(f"'{c}'" for c in p.columns.text), highlight=False
    )
    console.print(
        f"Cột mã: {p.columns.id or '(không có: dùng số dòng)'}; "
        f"cột doanh nghiệp: {p.columns.company or '(không có)'}.",
        highlight=False,
    )
    table = Table("Dòng", "Mã", "Doanh nghiệp", "Nhu cầu sẽ so khớp / lý do bỏ qua", show_lines=True)
    for e in p.events:
        if isinstance(e, SkippedRow):
            table.add_row(str(e.row), e.need_id, "", f"[yellow]bỏ qua:[/] {e.reason}")
        else:
            table.add_row(str(e.row), e.need_id, e.company, e.text)
    console.print(table)


def print_summary(console: Console, s: BatchSummary) -> None:
    """The run's totals, the skipped rows with their row numbers, and where the files are."""
    from matcher.batch.checkpoint import read_jsonl

    if s.resumed_from_row:
        console.print(f"Tiếp tục lần chạy trước từ dòng dữ liệu thứ {s.resumed_from_row + 1}.")
    console.print(
        f"Đã so khớp [bold]{s.needs}[/] nhu cầu, bỏ qua [bold]{s.skipped}[/] dòng; "
        f"{s.with_warnings} nhu cầu hỏi công nghệ hạn chế; "
        f"{s.no_good_match} nhu cầu chưa có công nghệ phù hợp "
        f"(độ tương đồng < {s.threshold:.2f})."
    )
    if s.matched_this_run:
        console.print(
            f"Lần chạy này: {s.matched_this_run} nhu cầu trong {s.elapsed_s:.1f} giây "
            f"({s.needs_per_s:.1f} nhu cầu/giây, engine {s.engine})."
        )
    if s.skipped:
        skipped_path = Path(s.results_path).with_name("skipped.jsonl")
        for i, row in enumerate(read_jsonl(skipped_path)):
            if i == SKIPPED_SHOWN:
                console.print(f"  … và {s.skipped - SKIPPED_SHOWN} dòng khác (xem {skipped_path}).")
                break
            console.print(f"  [yellow]Bỏ qua[/] {row['reason']}", highlight=False)
    console.print(f"Kết quả: [bold]{s.output_path}[/] (JSONL đầy đủ: {s.results_path}).")


def register(app: typer.Typer) -> None:
    from matcher.cli.main import handle_errors

    @app.command("batch")
    @handle_errors
    def batch(
        input: Annotated[
            Path, typer.Option("--input", "-i", help="Tệp khảo sát (CSV/XLSX), mọi bảng mã tiếng Việt.")
        ],
        output: Annotated[
            Path | None,
            typer.Option("--output", "-o", help="Tệp kết quả: .xlsx, .csv hoặc .jsonl (theo đuôi tệp)."),
        ] = None,
        text_columns: Annotated[
            str | None,
            typer.Option(
                "--text-columns",
                help="Các cột nội dung nhu cầu, cách nhau bằng dấu phẩy; mặc định: tự nhận ra.",
            ),
        ] = None,
        text_column: Annotated[
            list[str] | None, typer.Option("--text-column", help="Một cột nội dung nhu cầu (lặp lại được).")
        ] = None,
        id_column: Annotated[
            str | None, typer.Option("--id-column", help="Cột mã phiếu/mã doanh nghiệp.")
        ] = None,
        company_column: Annotated[
            str | None, typer.Option("--company-column", help="Cột tên doanh nghiệp.")
        ] = None,
        sheet: Annotated[
            str | None, typer.Option(help="Trang tính của tệp Excel; mặc định: trang đầu.")
        ] = None,
        index: Annotated[
            str | None, typer.Option(help="Tên chỉ mục; mặc định: chỉ mục của danh mục mẫu.")
        ] = None,
        top_k: Annotated[int, typer.Option("--top-k", help="Số công nghệ đề xuất cho mỗi nhu cầu.")] = 5,
        include_restricted: Annotated[bool, typer.Option(help="Đề xuất cả công nghệ hạn chế.")] = False,
        threshold: Annotated[
            float,
            typer.Option(
                help="Ngưỡng độ tương đồng (cosine) của kết quả đầu; "
                "dưới ngưỡng là 'chưa có công nghệ phù hợp'."
            ),
        ] = NO_MATCH_THRESHOLD,
        chunk_size: Annotated[int, typer.Option("--chunk-size", help="Số nhu cầu mỗi lần ghi kết quả.")] = 64,
        engine: Annotated[str, typer.Option(help="local (máy này) hoặc ray (cụm Ray).")] = "local",
        workers: Annotated[int, typer.Option(help="Số worker Ray (với --engine ray).")] = 2,
        ray_address: Annotated[
            str | None, typer.Option("--ray-address", help="Địa chỉ cụm Ray; mặc định: cụm cục bộ.")
        ] = None,
        restart: Annotated[
            bool, typer.Option(help="Bỏ kết quả của lần chạy dở trước và làm lại từ đầu.")
        ] = False,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Chỉ xem trước cách đọc các dòng đầu, không so khớp.")
        ] = False,
        preview_rows: Annotated[int, typer.Option("--preview-rows", help="Số dòng xem trước.")] = 8,
        progress: Annotated[bool, typer.Option(help="Hiện thanh tiến độ.")] = True,
    ) -> None:
        """So khớp mọi nhu cầu trong tệp khảo sát; chạy lại cùng lệnh để tiếp tục lần chạy bị dừng."""
        from matcher.settings import get_settings

        columns = split_columns(text_column, text_columns)
        if dry_run:
            from matcher.batch.readers import preview_survey

            preview = preview_survey(
                input,
                rows=preview_rows,
                text_columns=columns,
                id_column=id_column,
                company_column=company_column,
                sheet=sheet,
                max_text_chars=get_settings().max_text_chars,
            )
            print_preview(out, preview)
            return
        if output is None:
            raise InputError("Thiếu --output: hãy chỉ tệp kết quả (.xlsx, .csv hoặc .jsonl).")
        from matcher.batch.runner import run_batch
        from matcher.matcher import Matcher

        summary = run_batch(
            input,
            output,
            matcher=Matcher(index),
            text_columns=columns,
            id_column=id_column,
            company_column=company_column,
            sheet=sheet,
            top_k=top_k,
            include_restricted=include_restricted,
            threshold=threshold,
            chunk_size=chunk_size,
            engine=engine,
            workers=workers,
            ray_address=ray_address,
            restart=restart,
            progress=progress,
        )
        print_summary(out, summary)

"""`matcher catalog`: check a catalog file before indexing it, and count what it holds.

Only argument checking and printing live here; reading and validation are `matcher.catalog`.
Exit codes: 0 valid, 1 invalid catalog, 2 bad usage (missing file, unsupported format, bad
--columns).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from matcher.catalog.schema import Technology
from matcher.catalog.validate import RowIssue
from matcher.cli.common import handle_errors

app = typer.Typer(
    help="Kiểm tra và thống kê tệp danh mục.", no_args_is_help=True, pretty_exceptions_enable=False
)

_SEVERITY_VI = {"error": "[red]lỗi[/]", "fixed": "[yellow]đã sửa[/]", "skipped": "[dim]bỏ qua[/]"}
ColumnsOption = Annotated[
    str | None, typer.Option("--columns", help="Ánh xạ cột, ví dụ name=Tên,description=Mô tả.")
]
SheetOption = Annotated[
    str | None, typer.Option("--sheet", help="Tên trang tính (XLSX); mặc định: trang đầu.")
]
CatalogFileArg = Annotated[
    Path | None, typer.Argument(help="Tệp danh mục; mặc định: danh mục mẫu đi kèm.", show_default=False)
]
JsonOption = Annotated[bool, typer.Option("--json", help="In JSON.")]


def _out() -> Console:
    return Console(soft_wrap=True, highlight=False)


def _fail(message: str, code: int) -> None:
    Console(stderr=True, soft_wrap=True, highlight=False).print(f"[bold red]Lỗi:[/] {message}")
    raise typer.Exit(code)


def _check_usage(file: Path, columns: str | None) -> dict[str, str] | None:
    """Problems that are the caller's, not the catalog's: exit 2 with a Vietnamese message."""
    from matcher.catalog.headers import parse_columns_option
    from matcher.catalog.tables import FORMATS

    if not file.is_file():
        _fail(f"Không tìm thấy tệp: {file}", 2)
    if file.suffix.lower() not in FORMATS:
        _fail(
            f"Không hỗ trợ định dạng '{file.suffix or file.name}'. Hãy dùng: {', '.join(sorted(FORMATS))}.", 2
        )
    try:
        return parse_columns_option(columns)
    except ValueError as e:
        _fail(str(e), 2)
    return None


def _issues_table(issues: Sequence[RowIssue], limit: int = 200) -> Table:
    table = Table("dòng", "mức", "cột", "nội dung", title="Các vấn đề", title_justify="left")
    for issue in issues[:limit]:
        table.add_row(str(issue.line), _SEVERITY_VI[issue.severity], issue.column, issue.message_vi)
    if len(issues) > limit:
        table.add_row("…", "", "", f"và {len(issues) - limit} vấn đề khác")
    return table


def _columns_table(columns: Mapping[str, str]) -> Table:
    from matcher.catalog.validate import FIELD_VI

    table = Table("trường", "cột trong tệp", title="Ánh xạ cột", title_justify="left")
    for fld, header in columns.items():
        table.add_row(f"{fld} ({FIELD_VI.get(fld, fld)})", header)
    return table


@app.command("validate")
def validate(
    file: Annotated[Path, typer.Argument(help="Tệp danh mục (CSV/XLSX/JSON/JSONL/DOCX).")],
    columns: ColumnsOption = None,
    sheet: SheetOption = None,
    max_field_chars: Annotated[int, typer.Option(help="Độ dài tối đa của một ô.", min=100)] = 10_000,
) -> None:
    """Kiểm tra một tệp danh mục: đọc, nhận cột, báo mọi lỗi theo số dòng."""
    from matcher.catalog.readers import load_catalog
    from matcher.catalog.validate import CatalogValidationError
    from matcher.errors import CatalogError

    mapping = _check_usage(file, columns)
    out = _out()
    try:
        result = load_catalog(file, columns=mapping, max_field_chars=max_field_chars, sheet=sheet)
    except CatalogValidationError as e:
        errors = [i for i in e.issues if i.severity == "error"]
        out.print(f"[bold red]Danh mục không hợp lệ:[/] {file} có {len(errors)} lỗi; chưa nhập gì.")
        out.print(_issues_table(e.issues))
        raise typer.Exit(1) from e
    except CatalogError as e:
        _fail(str(e), 1)
        return
    out.print(
        f"[bold green]Danh mục hợp lệ:[/] {file} — {len(result.technologies)} công nghệ "
        f"(định dạng {result.source_format}, bảng mã {result.encoding})."
    )
    fixed = sum(i.severity == "fixed" for i in result.issues)
    skipped = sum(i.severity == "skipped" for i in result.issues)
    out.print(
        f"Đã tự sửa {fixed} chỗ, bỏ qua {skipped} nhóm dòng trống. Mã kiểm tra: {result.checksum[:16]}…"
    )
    out.print(_columns_table(result.columns))
    if result.issues:
        out.print(_issues_table(result.issues))


def _counts_table(title: str, counts: Mapping[str, int], total: int, limit: int = 30) -> Table:
    table = Table(title, "số công nghệ", "tỉ lệ", title=f"Theo {title}", title_justify="left")
    for key, n in list(counts.items())[:limit]:
        table.add_row(key, str(n), f"{100 * n / total:.0f}%" if total else "")
    if len(counts) > limit:
        table.add_row(f"… và {len(counts) - limit} giá trị khác", "", "")
    return table


def _load_or_fail(file: Path | None, columns: str | None, sheet: str | None) -> tuple[Path, list[Technology]]:
    """The catalog's technologies (the shipped one by default); an unusable file exits 1 or 2."""
    from matcher.catalog.readers import load_catalog
    from matcher.errors import CatalogError
    from matcher.settings import get_settings

    file = file or get_settings().default_catalog
    mapping = _check_usage(file, columns)
    try:
        return file, load_catalog(file, columns=mapping, sheet=sheet).technologies
    except CatalogError as e:
        _fail(f"{e}\nHãy chạy: matcher catalog validate {file}", 1)
        raise  # _fail exits; this line only tells type checkers so


@app.command("stats")
def stats(
    file: CatalogFileArg = None,
    columns: ColumnsOption = None,
    sheet: SheetOption = None,
    as_json: JsonOption = False,
) -> None:
    """Thống kê danh mục theo lĩnh vực, ngành, đơn vị và TRL."""
    from matcher.catalog.stats import catalog_stats

    file, technologies = _load_or_fail(file, columns, sheet)
    counts = catalog_stats(technologies)
    if as_json:
        sys.stdout.write(json.dumps(asdict(counts), ensure_ascii=False, indent=2) + "\n")
        return
    out = _out()
    out.print(f"[bold]{file}[/]: {counts.total} công nghệ, {counts.with_keywords} có từ khóa.")
    out.print(_counts_table("lĩnh vực", counts.by_field, counts.total))
    out.print(_counts_table("ngành", _sector_labels(counts.by_sector), counts.total))
    out.print(_counts_table("đơn vị", counts.by_institute, counts.total))
    out.print(_counts_table("TRL", counts.by_trl, counts.total))


@app.command("glossary")
@handle_errors
def glossary(
    file: CatalogFileArg = None,
    columns: ColumnsOption = None,
    sheet: SheetOption = None,
    top: Annotated[int, typer.Option(min=1, help="Số thuật ngữ chưa có bản dịch được in.")] = 40,
    as_json: JsonOption = False,
) -> None:
    """Thuật ngữ của danh mục chưa có trong bảng thuật ngữ Anh-Việt (nhu cầu tiếng Anh không tới được)."""
    from matcher.settings import get_settings
    from matcher.text.crosslingual import glossary_coverage, load_glossary

    terms = load_glossary(get_settings().glossary_path)  # a broken glossary: one line, exit 1
    file, technologies = _load_or_fail(file, columns, sheet)
    coverage = glossary_coverage((". ".join([t.name, *t.keywords]) for t in technologies), terms)
    if as_json:
        data = {
            "glossary_terms": len(terms.vietnamese_terms),
            "terms": coverage.terms,
            "covered": coverage.covered,
            "uncovered": coverage.uncovered[:top],
        }
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    out = _out()
    out.print(
        f"[bold]{file}[/]: {coverage.covered}/{coverage.terms} thuật ngữ ({coverage.share:.0%}) trong tên và "
        f"từ khóa công nghệ có bản dịch tiếng Anh (bảng thuật ngữ: {len(terms.vietnamese_terms)} thuật ngữ)."
    )
    table = Table("thuật ngữ chưa có bản dịch", "số công nghệ dùng")
    for term, n in coverage.uncovered[:top]:
        table.add_row(term, str(n))
    out.print(table)
    out.print(
        "Thêm vào một bản sao của matcher/text/data/glossary_en_vi.yaml rồi đặt TECHMATCH_GLOSSARY_PATH."
    )


def _sector_labels(by_sector: Mapping[str, int]) -> dict[str, int]:
    """Sector ids shown with their Vietnamese names where the plan's list is available."""
    from matcher.catalog.readers import default_sector_names

    names = default_sector_names() or {}
    return {(f"{names[k]} ({k})" if k in names else k): n for k, n in by_sector.items()}

"""Readable terminal output of match results (rich tables, Vietnamese labels)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from matcher.results import MatchResult, RankedTechnology

_WIDE = 120  # below this many columns results print as cards, not a table
_FLAG = {"yes": "[red]HẠN CHẾ[/]", "review": "[yellow]cần rà soát[/]", "no": ""}


def _num(x: float | None, digits: int = 3) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


#: A need read as another language whose words the glossary does not know: dense search only.
UNTRANSLATED = "Không nhận ra tiếng Việt và không dịch được thuật ngữ nào: chỉ tìm theo ngữ nghĩa, hãy kiểm tra kỹ kết quả."


def print_match(console: Console, result: MatchResult) -> None:
    """The need, its restored text, sectors, warnings, then the ranked table."""
    console.print(f"[bold]Nhu cầu:[/] {result.need_text}", highlight=False)
    if result.diacritics_restored:
        console.print(f"[dim]Đã khôi phục dấu:[/] {result.restored_text}", highlight=False)
    if result.spelling_corrections:
        console.print(f"[dim]Đã sửa chính tả:[/] {'; '.join(result.spelling_corrections)}", highlight=False)
        if not result.diacritics_restored:
            console.print(f"[dim]Đã hiểu là:[/] {result.read_text}", highlight=False)
    if result.abbreviations:
        console.print(f"[dim]Đã hiểu chữ viết tắt:[/] {'; '.join(result.abbreviations)}", highlight=False)
    if result.translated_terms:
        console.print(
            f"[dim]Tìm theo thuật ngữ đã dịch:[/] {'; '.join(result.translated_terms)}", highlight=False
        )
    elif not result.vietnamese:
        console.print(f"[dim]{UNTRANSLATED}[/]", highlight=False)
    if result.sectors:
        console.print(
            "[bold]Ngành có khả năng:[/] "
            + ", ".join(
                f"{s.name} ({s.score:.2f}{', ưu tiên' if s.priority else ''})" for s in result.sectors
            ),
            highlight=False,
        )
    for w in result.warnings:
        console.print(f"[bold red]Cảnh báo:[/] {w.message}", highlight=False)
        console.print(f"  [dim]{w.rule.rule_id} ({w.rule.section}):[/] {w.rule.text}", highlight=False)
        for r in w.replacements:
            console.print(f"  → thay thế: [bold]{r.tech_id}[/] {r.name}", highlight=False)
    if console.width < _WIDE:
        _print_cards(console, result)
    else:
        _print_table(console, result)
    if not result.results:
        console.print("Không tìm thấy công nghệ phù hợp với bộ lọc đã chọn.")


def _flags(r: RankedTechnology) -> list[str]:
    flags = [_FLAG[r.restricted]] if r.restricted != "no" else []
    if r.priority:
        flags.append("[green]ưu tiên[/]")
    if r.explanation.replacement_roadmap:
        flags.append(f"[cyan]thay thế ({r.explanation.replacement_roadmap})[/]")
    if r.explanation.boost:
        flags.append(f"+{r.explanation.boost:.4f} (ưu tiên)")
    return flags


def _print_cards(console: Console, result: MatchResult) -> None:
    """One short block per result: a nine-column table is unreadable in an 80-column terminal."""
    for r in result.results:
        console.print(f"[bold]{r.rank:>2}. {r.tech_id}[/]  {r.name}", highlight=False)
        facts = [
            r.institute,
            f"điểm {_num(r.score, 4)}",
            f"cosine {_num(r.explanation.dense_score)}",
            f"BM25 {_num(r.explanation.lexical_score, 2)}",
            *_flags(r),
        ]
        console.print("    " + " · ".join(f for f in facts if f), highlight=False)
        if r.explanation.matched_terms:
            console.print(
                "    [dim]từ khớp:[/] " + ", ".join(r.explanation.matched_terms[:8]), highlight=False
            )


def _print_table(console: Console, result: MatchResult) -> None:
    table = Table(show_lines=False)
    table.add_column("#", no_wrap=True)
    table.add_column("mã", no_wrap=True, min_width=8)
    for name in ("công nghệ", "đơn vị"):
        table.add_column(name, ratio=3, overflow="fold")
    for name in ("điểm", "cosine", "BM25"):
        table.add_column(name, no_wrap=True, justify="right")
    table.add_column("quy tắc")
    table.add_column("từ khớp", ratio=1)
    for r in result.results:
        table.add_row(
            str(r.rank),
            r.tech_id,
            r.name,
            r.institute,
            _num(r.score, 4),
            _num(r.explanation.dense_score),
            _num(r.explanation.lexical_score, 2),
            " ".join(_flags(r)),
            ", ".join(r.explanation.matched_terms[:6]),
        )
    console.print(table)

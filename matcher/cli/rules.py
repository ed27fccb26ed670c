"""`matcher rules ...`: check texts against plan 16, list its rules, evaluate the engine.

A thin shell: it checks arguments, calls `matcher.rules`, prints. Messages for officers are in
Vietnamese; bad usage exits with code 2 and one line on stderr.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from matcher.cli.common import handle_errors, out
from matcher.errors import InputError
from matcher.explain import translated_terms
from matcher.results import RuleHit, Verdict
from matcher.rules.engine import RuleEngine, load_rule_engine
from matcher.rules.evaluate import evaluate_cases, load_cases
from matcher.rules.load import load_rulebook
from matcher.settings import PROJECT_ROOT
from matcher.text.crosslingual import mostly_english
from matcher.text.normalize import normalize
from matcher.text.shorthand import expand_shorthand

app = typer.Typer(
    help="Quy tắc Kế hoạch 16/KH-UBND: công nghệ hạn chế, ưu tiên, lộ trình đổi mới.", no_args_is_help=True
)
DEFAULT_CASES = PROJECT_ROOT / "tests" / "data" / "rules_cases.yaml"
KINDS = ("restricted", "priority", "roadmap", "sectors")
RulesDir = Annotated[Path | None, typer.Option("--rules-dir", help="Thư mục quy tắc (mặc định plan16).")]
AsJson = Annotated[bool, typer.Option("--json", help="In JSON.")]
_LABEL_VI = {"yes": "HẠN CHẾ", "review": "CẦN KIỂM TRA", "no": "không hạn chế"}


SemanticOption = Annotated[
    bool,
    typer.Option(
        "--semantic",
        help="Bật kênh ngữ nghĩa (nạp mô hình): so nghĩa với nội dung mục hạn chế, "
        "và với bản dịch tiếng Anh của mục cho văn bản tiếng Anh.",
    ),
]
ENGLISH_NOTE = (
    "Ghi chú: văn bản viết bằng tiếng Anh; đã đối chiếu cụm từ tiếng Anh của các mục hạn chế. "
    "Thêm --semantic để so thêm nghĩa với bản dịch tiếng Anh của từng mục."
)


def _engine(rules_dir: Path | None, semantic: bool = False) -> RuleEngine:
    """The rule engine; with the embedding model when `semantic` (a RulesError exits 1 with its line)."""
    if not semantic:
        return load_rule_engine(rules_dir)
    from matcher.embed.base import get_embedder
    from matcher.settings import get_settings

    return load_rule_engine(rules_dir, embedder=get_embedder(get_settings()))


# --------------------------------------------------------------------------- check
def _hit_json(hit: RuleHit) -> dict[str, Any]:
    return hit.model_dump(exclude_none=True)


def _row_json(row_id: str, verdict: Verdict) -> dict[str, Any]:
    return {
        "id": row_id,
        "restricted": verdict.restricted,
        "restricted_rules": [_hit_json(h) for h in verdict.restricted_rules],
        "priority_rules": [_hit_json(h) for h in verdict.priority_rules],
        "sectors": [s.model_dump() for s in verdict.sectors],
    }


def _print_verdict(console: Console, verdict: Verdict) -> None:
    console.print(
        f"Kết luận: [bold]{_LABEL_VI[verdict.restricted]}[/bold]"
        + ("  (thuộc nhóm ưu tiên)" if verdict.priority else "")
    )
    if verdict.restricted_rules or verdict.priority_rules:
        table = Table("Mã", "Loại", "Kết luận", "Cách khớp", "Nội dung Kế hoạch", "Lý do")
        for h in verdict.restricted_rules:
            table.add_row(h.rule_id, "hạn chế", _LABEL_VI[h.verdict or "no"], h.how, h.text, h.reason)
        for h in verdict.priority_rules:
            table.add_row(h.rule_id, "ưu tiên", "", h.how, h.text, ", ".join(h.matched))
        console.print(table)
    if verdict.sectors:
        console.print(
            "Ngành: "
            + "; ".join(
                f"{s.name} ({s.score:.2f}{', ưu tiên' if s.priority else ''})" for s in verdict.sectors
            )
        )


CHECK_CHUNK = 256  # texts per rule-engine call: bounded memory, one embedding batch each


def _check_file(
    engine: RuleEngine, src: Path, text_col: str, id_col: str | None, out: Path
) -> tuple[int, list[str]]:
    """Verdicts for one text column of a CSV/XLSX/JSON table, written as JSONL.

    The file is read by the catalog importer's table reader (UTF-8/16, cp1258, TCVN3/VNI,
    merged headers) and streamed in chunks. Blank rows are reported with their row number and
    left out; the output is written beside the target and renamed, so a failed run never leaves
    a half-written file in its place.
    """
    from contextlib import closing

    from matcher.batch.readers import resolve_columns
    from matcher.catalog.tables import iter_table
    from matcher.fileio import atomic_path

    skipped: list[str] = []
    written = 0
    with atomic_path(out) as tmp, closing(iter_table(src)) as stream, tmp.open("w", encoding="utf-8") as f:
        columns = resolve_columns(stream.headers, [text_col], id_col, None, source=src.name)
        column = columns.text[0]
        chunk: list[tuple[str, str]] = []

        def flush() -> None:
            nonlocal written
            verdicts = engine.check_batch([expand_shorthand(normalize(text)).text for _, text in chunk])
            for (row_id, _), verdict in zip(chunk, verdicts, strict=True):
                f.write(json.dumps(_row_json(row_id, verdict), ensure_ascii=False) + "\n")
            written += len(chunk)
            chunk.clear()

        for row in stream:
            text = row.cells.get(column, "").strip()
            row_id = (row.cells.get(columns.id, "").strip() if id_col and columns.id else "") or str(row.line)
            if not text:
                skipped.append(f"dòng {row.line}: cột «{column}» trống, bỏ qua")
                continue
            chunk.append((row_id, text))
            if len(chunk) >= CHECK_CHUNK:
                flush()
        if chunk:
            flush()
    return written, skipped


@app.command()
@handle_errors
def check(
    text: Annotated[str | None, typer.Argument(help="Văn bản mô tả công nghệ hoặc nhu cầu.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In JSON (Verdict, cảnh báo, ngành).")] = False,
    input_file: Annotated[Path | None, typer.Option("--input", help="Tệp CSV/XLSX cần kiểm tra.")] = None,
    text_column: Annotated[str | None, typer.Option("--text-column", help="Cột chứa văn bản.")] = None,
    id_column: Annotated[str | None, typer.Option("--id-column", help="Cột mã dòng.")] = None,
    output: Annotated[Path | None, typer.Option("--output", help="Tệp JSONL kết quả.")] = None,
    rules_dir: RulesDir = None,
    semantic: SemanticOption = False,
) -> None:
    """Kiểm tra một văn bản (hoặc cả tệp) theo danh mục hạn chế, ưu tiên của Kế hoạch 16."""
    if input_file is not None:
        if text is not None:
            raise InputError("chỉ dùng một trong hai: văn bản hoặc --input")
        if not text_column or output is None:
            raise InputError("--input cần kèm --text-column và --output")
        if not input_file.is_file():
            raise InputError(f"Không tìm thấy tệp {input_file}")
        n, skipped = _check_file(_engine(rules_dir, semantic), input_file, text_column, id_column, output)
        for line in skipped:
            typer.echo(f"Cảnh báo: {line}", err=True)
        typer.echo(f"Đã kiểm tra {n} dòng, kết quả ghi vào {output}")
        return
    if not text or not text.strip():
        raise InputError("cần một văn bản để kiểm tra, hoặc --input TỆP")
    engine = _engine(rules_dir, semantic)
    # chat shorthand is read as /v1/rules/check reads it ("ko dùng" is "không dùng"); diacritic
    # restoration and spelling need an index's language model, which this command does not load
    read = expand_shorthand(normalize(text))
    verdict = engine.check(read.text)
    warnings = engine.warnings_for(verdict)
    shorthand = translated_terms(read.terms)
    if not semantic and verdict.restricted == "no" and mostly_english(text):
        typer.echo(ENGLISH_NOTE, err=True)  # nothing found in English text: say what else to try
    if as_json:
        payload = verdict.model_dump(exclude_none=True)
        payload["need_warnings"] = [w.model_dump(exclude_none=True) for w in warnings]
        if shorthand:
            payload["shorthand"], payload["read_text"] = shorthand, read.text
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    if shorthand:
        out.print(f"[dim]Đã hiểu chữ viết tắt:[/] {'; '.join(shorthand)}", highlight=False)
    _print_verdict(out, verdict)
    for w in warnings:
        out.print(f"[yellow]Cảnh báo:[/yellow] {w.message}")


# --------------------------------------------------------------------------- list
@app.command("list")
@handle_errors
def list_rules(
    kind: Annotated[str | None, typer.Option("--kind", help=f"Lọc theo loại: {', '.join(KINDS)}.")] = None,
    as_json: AsJson = False,
    rules_dir: RulesDir = None,
) -> None:
    """Liệt kê các quy tắc của Kế hoạch 16 với mã, mục và nội dung nguyên văn."""
    if kind is not None and kind not in KINDS:
        raise InputError(f"--kind phải là một trong {', '.join(KINDS)}, nhận được «{kind}»")
    book = load_rulebook(rules_dir)
    groups: dict[str, list[Any]] = {
        "restricted": book.restricted,
        "priority": book.priority_flat(),
        "roadmap": book.roadmap,
        "sectors": book.priority_sectors,
    }
    rows = [(k, r) for k, recs in groups.items() if kind in (None, k) for r in recs]
    if as_json:
        listing = [{"kind": k, "id": r.id, "section": r.section, "text": r.text} for k, r in rows]
        typer.echo(json.dumps(listing, ensure_ascii=False, indent=2))
        return
    table = Table("Mã", "Mục", "Nội dung")
    for _, r in rows:
        table.add_row(r.id, r.section, r.text)
    out.print(table)


# --------------------------------------------------------------------------- eval
@app.command("eval")
@handle_errors
def eval_rules(
    cases: Annotated[Path, typer.Option("--cases", help="Tệp YAML các ca đã gán nhãn.")] = DEFAULT_CASES,
    as_json: AsJson = False,
    rules_dir: RulesDir = None,
    semantic: SemanticOption = False,
) -> None:
    """Đo độ chính xác (precision) và độ phủ (recall) của bộ quy tắc trên các ca gán nhãn."""
    if not cases.is_file():
        raise InputError(f"không tìm thấy tệp ca kiểm thử {cases}")
    report = evaluate_cases(_engine(rules_dir, semantic), load_cases(cases))
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
        return
    f, s = report.flagged, report.strict
    typer.echo(f"Số ca: {report.n}; đúng hoàn toàn: {report.accuracy:.1%}")
    typer.echo(
        f"Hạn chế (yes+review): precision {f.precision:.3f}, recall {f.recall:.3f} "
        f"(tp={f.tp}, fp={f.fp}, fn={f.fn})"
    )
    typer.echo(
        f"Hạn chế chắc chắn (yes): precision {s.precision:.3f}, recall {s.recall:.3f} "
        f"(tp={s.tp}, fp={s.fp}, fn={s.fn})"
    )
    typer.echo(f"Ca ngưỡng định lượng: {report.threshold_accuracy:.1%}")
    typer.echo("Theo nhãn: " + ", ".join(f"{t} {v:.0%}" for t, v in report.per_tag.items()))
    for fail in report.failures:
        typer.echo(f"  SAI: «{fail.text}» cần {fail.expected}, được {fail.got} {fail.missing_rules}")

"""`matcher eval`: ranking quality of every system on the labelled needs, as a table and JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from matcher.batch.records import NO_MATCH_THRESHOLD
from matcher.cli.common import handle_errors
from matcher.evaluate import (
    SYSTEMS,
    SystemReport,
    load_eval_sets,
    misses,
    misspelt_variants,
    no_match_flags,
    probe,
    run_eval,
    spelling_variants,
    twin_gap,
    twin_restoration,
    warnings_recall,
)
from matcher.settings import PROJECT_ROOT

PLAN_TEXT = PROJECT_ROOT / "corpora" / "plan16" / "source" / "ke-hoach-16-KH-UBND-2026.txt"
#: The labelled sets read by default, as one: needs written by reading the catalog, and needs
#: written by a writer who never saw it (corpora/eval/needs_independent.yaml, its description).
DEFAULT_SETS = [
    PROJECT_ROOT / "corpora" / "eval" / "needs.yaml",
    PROJECT_ROOT / "corpora" / "eval" / "needs_independent.yaml",
]
GROUPS = ("all", "vietnamese", "vi_accented", "vi_unaccented", "english")
out = Console()


def _table(reports: Sequence[SystemReport], title: str) -> Table:
    table = Table(title=title)
    table.add_column("system")
    table.add_column("group")
    for m in ("nDCG@10", "Recall@10", "MRR@10", "success@1", "n"):
        table.add_column(m, justify="right")
    for rep in reports:
        gm = rep.group_metrics()
        for g in GROUPS:
            if g not in gm or not gm[g]:
                continue
            row = gm[g]
            table.add_row(
                rep.spec.name if g == "all" else "",
                g,
                *(f"{row[k]:.3f}" for k in ("ndcg@10", "recall@10", "mrr@10", "success@1")),
                str(int(row["n"])),
            )
    return table


def _by_set_table(reports: Sequence[SystemReport]) -> Table:
    """nDCG@10 of every system on each labelled set: the sets differ in how they were written."""
    sources = list(reports[0].source_metrics())
    table = Table("system", *(f"nDCG@10 {s} (n)" for s in sources), title="Theo từng bộ nhu cầu")
    for rep in reports:
        by_set = rep.source_metrics()
        table.add_row(
            rep.spec.name, *(f"{by_set[s]['ndcg@10']:.3f} ({int(by_set[s]['n'])})" for s in sources)
        )
    return table


def report_json(reports: Sequence[SystemReport], split: str) -> dict:
    hybrid_rules = next((r for r in reports if r.spec.name == "hybrid_rules"), None)
    return {
        "split": split,
        "systems": {
            r.spec.name: {
                "label": r.spec.label,
                "groups": r.group_metrics(),
                "by_set": r.source_metrics(),
                "twin_gap": twin_gap(r),
            }
            for r in reports
        },
        "restricted_in_default_results": hybrid_rules.restricted_in_results() if hybrid_rules else None,
        "warnings": warnings_recall(hybrid_rules) if hybrid_rules else None,
        "misses": misses(hybrid_rules) if hybrid_rules else None,
    }


def register(app: typer.Typer) -> None:
    @app.command("eval")
    @handle_errors
    def eval_command(
        split: Annotated[str, typer.Option(help="dev | test | all")] = "test",
        eval_set: Annotated[
            list[Path] | None,
            typer.Option(
                help="Bộ nhu cầu có nhãn (YAML); lặp lại để đọc nhiều bộ cùng lúc. Mặc định: cả hai bộ."
            ),
        ] = None,
        index: Annotated[str | None, typer.Option(help="Tên chỉ mục.")] = None,
        json_out: Annotated[Path | None, typer.Option("--json-out", help="Ghi báo cáo JSON.")] = None,
        show_misses: Annotated[
            bool, typer.Option("--show-misses", help="Liệt kê nhu cầu xếp hạng kém.")
        ] = False,
        sweep: Annotated[
            bool, typer.Option(help="Quét tham số hợp nhất và điểm cộng ưu tiên (dùng trên dev).")
        ] = False,
        diacritics: Annotated[
            bool,
            typer.Option(
                "--diacritics", help="Chỉ đo khôi phục dấu: học 240 dòng đầu Kế hoạch 16, thử phần còn lại."
            ),
        ] = False,
    ) -> None:
        """Đánh giá chất lượng xếp hạng: BM25, BM25 bỏ dấu, dense, hybrid, hybrid + quy tắc."""
        from matcher.errors import InputError
        from matcher.matcher import Matcher

        if diacritics:
            from matcher.settings import get_settings
            from matcher.text.diacritics import held_out_accuracy
            from matcher.text.misspellings import held_out_spelling

            accuracy, syllables = held_out_accuracy(PLAN_TEXT.read_text(encoding="utf-8"))
            out.print(
                f"Khôi phục dấu trên phần giữ lại của Kế hoạch 16: {accuracy:.1%} đúng "
                f"trên {syllables} âm tiết (học dòng 1-240, thử dòng 241-hết)."
            )
            s = held_out_spelling(PLAN_TEXT.read_text(encoding="utf-8"), get_settings().spelling_penalty)
            out.print(
                f"Sửa chính tả trên cùng phần giữ lại (~15% âm tiết viết sai): sửa đúng {s.fixed:.1%} "
                f"của {s.misspelt} âm tiết sai, làm hỏng {s.broken:.2%} âm tiết đúng; văn bản đúng: "
                f"đổi {s.clean_changed}/{s.clean_syllables} âm tiết; gõ không dấu: khôi phục đúng "
                f"{s.unaccented_clean:.1%} (không lỗi), {s.unaccented_misspelt:.1%} có lỗi không sửa, "
                f"{s.unaccented_corrected:.1%} có lỗi đã sửa."
            )
            return

        if split not in ("dev", "test", "all"):
            raise InputError(f"--split phải là dev, test hoặc all; nhận được {split!r}.")
        matcher = Matcher(index).warm_up()
        sets = eval_set or DEFAULT_SETS
        needs = load_eval_sets(sets, split, {t.id for t in matcher.technologies})  # type: ignore[arg-type]
        reports = run_eval(matcher, needs)
        names = " + ".join(p.name for p in sets)
        out.print(_table(reports, f"techmatch eval — split {split} ({len(needs)} nhu cầu: {names})"))
        data = report_json(reports, split)
        data["eval_sets"] = [str(p) for p in sets]
        if len(sets) > 1:
            out.print(_by_set_table(reports))
        hr = next(r for r in reports if r.spec.name == "hybrid_rules")
        gap = twin_gap(hr)
        if gap:
            out.print(
                f"Không dấu so với bản có dấu (hybrid + rules, {int(gap['pairs'])} cặp): "
                f"{gap['unaccented']:.3f} vs {gap['accented_twins']:.3f} (chênh {gap['gap']:+.3f})"
            )
        data["twin_restoration"] = restoration = twin_restoration(needs, matcher.index.restorer)
        if restoration:
            out.print(
                f"Khôi phục dấu trên {int(restoration['pairs'])} nhu cầu gõ không dấu (so với bản có dấu): "
                f"{restoration['accuracy']:.1%} của {int(restoration['syllables'])} âm tiết đúng"
            )
        data["spelling_gap"] = spell = probe(matcher, hr, spelling_variants(needs), "~i")
        if spell:
            out.print(
                f"Viết i thay y (lí/lý, kĩ/kỹ, qui/quy, ti/ty; hybrid + rules, {int(spell['pairs'])} cặp): "
                f"{spell['variant']:.3f} vs {spell['as_written']:.3f} như đã viết (chênh {spell['gap']:+.3f})"
            )
        misspelt = misspelt_variants(needs)
        on = probe(matcher, hr, misspelt, "~typo")
        if on:
            off = probe(matcher.with_settings(correct_spelling=False), hr, misspelt, "~typo")
            data["misspelling_gap"] = {**on, "variant_uncorrected": off["variant"]}
            out.print(
                f"Lỗi chính tả (~10% âm tiết viết sai; hybrid + rules, {int(on['pairs'])} cặp): "
                f"{on['variant']:.3f} có sửa, {off['variant']:.3f} không sửa, vs {on['as_written']:.3f} như đã viết"
            )
        groups = hr.group_metrics()
        if groups.get("english") and groups.get("vietnamese"):
            en, vi = groups["english"]["ndcg@10"], groups["vietnamese"]["ndcg@10"]
            out.print(
                f"Tiếng Anh so với tiếng Việt (hybrid + rules, nDCG@10): {en:.3f} vs {vi:.3f} (chênh {vi - en:+.3f})"
            )
        data["no_match_flags"] = flags = no_match_flags(hr, NO_MATCH_THRESHOLD)
        if flags:
            out.print(
                f"Cờ «chưa có công nghệ phù hợp» (cosine dense của kết quả đầu < {NO_MATCH_THRESHOLD}): bắt "
                f"{int(flags['no_answer_flagged'])}/{int(flags['no_answer'])} nhu cầu danh mục không đáp ứng, "
                f"báo nhầm {int(flags['answerable_flagged'])}/{int(flags['answerable'])} nhu cầu có đáp án "
                f"({int(flags['answerable_flagged_english'])} bằng tiếng Anh)"
            )
        out.print(f"Công nghệ hạn chế trong kết quả mặc định: {len(data['restricted_in_default_results'])}")
        if data["warnings"]:
            w = data["warnings"]
            out.print(
                f"Cảnh báo nhu cầu hạn chế: {w['warned']:.0%} của {int(w['needs'])} nhu cầu; cảnh báo thừa: {int(w['false_warnings'])}"
            )
        if sweep:
            data["sweep"] = _sweep(matcher, needs)
        if show_misses:
            for m in data["misses"]:
                out.print(
                    f"\n[bold]{m['need_id']}[/] {m['text']}  (hạng đầu tiên đúng: {m['first_relevant_rank']}, cần: {', '.join(m['relevant'])})",
                    highlight=False,
                )
                for a in m["above"]:
                    out.print(
                        f"   {a['rank']}. {a['tech_id']} {a['name']} [dim]grade={a['grade']} dense={a['dense']} "
                        f"(#{a['dense_rank']}) bm25={a['bm25']} (#{a['bm25_rank']}) boost={a['boost']} restricted={a['restricted']}[/]",
                        highlight=False,
                    )
        if json_out:
            json_out.parent.mkdir(parents=True, exist_ok=True)
            json_out.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
            out.print(f"Đã ghi {json_out}")


def _sweep(matcher, needs) -> list[dict]:
    """nDCG@10 of hybrid+rules across fusion settings and priority boosts (for the dev split)."""
    spec = next(s for s in SYSTEMS if s.name == "hybrid_rules")
    configs: list[dict] = []
    for k in (10, 30, 60, 100):
        for wd in (0.5, 0.8, 1.0, 1.25, 1.5, 2.0):
            configs.append({"fusion": "rrf", "rrf_k": k, "dense_weight": wd, "lexical_weight": 1.0})
    for alpha in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        configs.append({"fusion": "convex", "convex_alpha": alpha})
    for weight in (0.0, 0.25, 0.5, 0.75, 1.0, 1.5):  # BM25's share for English needs the glossary translates
        configs.append({"translated_lexical_weight": weight})
    for weight in (0.0, 0.5, 1.0):  # BM25's share for foreign needs it cannot translate
        configs.append({"foreign_lexical_weight": weight})
    for weight in (0.0, 0.5, 1.0):  # roadmap replacements as a third ranking (0 = filtering only)
        configs.append({"replacement_weight": weight})
    for boost in (0.0, 0.0003, 0.001, 0.002, 0.005, 0.01):
        configs.append({"priority_boost": boost})
    rows = []
    table = Table("config", "nDCG@10", "MRR@10", "unaccented nDCG", "english nDCG")
    for cfg in configs:
        sib = matcher.with_settings(**cfg)
        rep = run_eval(sib, needs, [spec])[0]
        gm = rep.group_metrics()
        row = {"config": cfg, "groups": gm}
        rows.append(row)
        table.add_row(
            json.dumps(cfg),
            f"{gm['all']['ndcg@10']:.3f}",
            f"{gm['all']['mrr@10']:.3f}",
            f"{gm.get('vi_unaccented', {}).get('ndcg@10', float('nan')):.3f}",
            f"{gm.get('english', {}).get('ndcg@10', float('nan')):.3f}",
        )
    out.print(table)
    return rows

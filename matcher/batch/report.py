"""A self-contained HTML report in Vietnamese of a batch run, ready to attach to an official report.

Self-contained means one file with no external asset: styles inline, charts drawn by matplotlib
as SVG with text converted to paths (so Vietnamese diacritics render without any font on the
reader's machine) and embedded as data URIs (so the ids inside different charts cannot clash).
Everything shown comes from `summarize` over the results file, the same numbers as the XLSX
summary sheet.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from matcher.batch.checkpoint import RESULTS, SKIPPED, checkpoint_dir, read_jsonl
from matcher.batch.records import SKIP_KIND_VI
from matcher.batch.summary import BatchSummary, summarize
from matcher.errors import InputError

TEMPLATE = """<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>{{ title }}</title>
<style>
 body { font-family: "Times New Roman", "DejaVu Serif", serif; max-width: 60rem; margin: 2rem auto;
        color: #111; line-height: 1.45; padding: 0 1rem; }
 h1 { font-size: 1.5rem; text-align: center; text-transform: uppercase; }
 h2 { font-size: 1.15rem; border-bottom: 1px solid #999; margin-top: 2rem; }
 table { border-collapse: collapse; width: 100%; margin: .5rem 0; font-size: .92rem; }
 th, td { border: 1px solid #999; padding: .25rem .4rem; vertical-align: top; text-align: left; }
 th { background: #eee; } td.n { text-align: right; white-space: nowrap; }
 .meta { text-align: center; color: #444; } figure { margin: 1rem 0; text-align: center; }
 figure img { max-width: 100%; } figcaption { font-style: italic; font-size: .9rem; }
 .note { font-size: .88rem; color: #333; }
</style>
</head>
<body>
<h1>{{ title }}</h1>
<p class="meta">Nguồn: {{ source }} — lập lúc {{ generated }}</p>

<h2>1. Số liệu chung</h2>
<table id="tong-hop">
 <tr><th>Chỉ tiêu</th><th>Số lượng</th></tr>
 <tr><td>Nhu cầu đã so khớp với danh mục</td><td class="n" id="so-nhu-cau">{{ s.needs }}</td></tr>
 <tr><td>Dòng bỏ qua{% if skipped_detail %} ({{ skipped_detail }}){% endif %}</td>
     <td class="n" id="so-bo-qua">{{ s.skipped }}</td></tr>
 <tr><td>Nhu cầu hỏi công nghệ thuộc nhóm hạn chế (mục IV.1.b Kế hoạch 16)</td>
     <td class="n" id="so-han-che">{{ s.with_warnings }}</td></tr>
 <tr><td>Nhu cầu chưa có công nghệ phù hợp trong danh mục</td>
     <td class="n" id="so-chua-phu-hop">{{ s.no_good_match }}</td></tr>
 <tr><td>Nhu cầu gõ không dấu (đã khôi phục dấu trước khi so khớp)</td>
     <td class="n">{{ s.diacritics_restored }}</td></tr>
 <tr><td>Nhu cầu có lỗi chính tả đã sửa (xem cột "Hệ thống đã hiểu là")</td>
     <td class="n" id="so-sua-chinh-ta">{{ s.spelling_corrected }}</td></tr>
 <tr><td>Nhu cầu không viết bằng tiếng Việt (tiếng Anh)</td>
     <td class="n" id="so-ngoai-ngu">{{ s.not_vietnamese }}</td></tr>
 <tr><td>&nbsp;&nbsp;trong đó tìm theo thuật ngữ đã dịch sang tiếng Việt</td>
     <td class="n" id="so-tieng-anh">{{ s.english_translated }}</td></tr>
 <tr><td>&nbsp;&nbsp;trong đó chưa dịch được thuật ngữ nào (chỉ tìm theo ngữ nghĩa: nên xem lại)</td>
     <td class="n" id="so-chua-dich">{{ s.not_translated }}</td></tr>
</table>

<h2>2. Nhu cầu theo ngành, lĩnh vực của Kế hoạch 16</h2>
{% if charts.sector %}<figure><img alt="Nhu cầu theo ngành" src="{{ charts.sector }}">
<figcaption>Hình 1. Số nhu cầu theo ngành (ngành có điểm cao nhất của mỗi nhu cầu)</figcaption>
</figure>{% endif %}
<table><tr><th>Ngành</th><th>Số nhu cầu</th><th>Tỷ lệ</th></tr>
{% for name, n in s.needs_by_sector.items() %}<tr><td>{{ name }}</td><td class="n">{{ n }}</td>
<td class="n">{{ pct(n) }}</td></tr>
{% endfor %}</table>

<h2>3. Công nghệ và đơn vị được đề xuất nhiều nhất</h2>
{% if charts.tech %}<figure><img alt="Công nghệ được đề xuất nhiều nhất" src="{{ charts.tech }}">
<figcaption>Hình 2. Công nghệ xếp hạng đầu cho nhiều nhu cầu nhất</figcaption></figure>{% endif %}
<table><tr><th>Mã</th><th>Công nghệ</th><th>Đơn vị chuyển giao</th><th>Xếp đầu</th><th>Trong 3 đầu</th></tr>
{% for t in s.top_technologies %}<tr><td>{{ t.tech_id }}</td><td>{{ t.name }}</td><td>{{ t.institute }}</td>
<td class="n">{{ t.first }}</td><td class="n">{{ t.top3 }}</td></tr>
{% endfor %}</table>
<table><tr><th>Đơn vị chuyển giao</th><th>Số nhu cầu có công nghệ của đơn vị xếp đầu</th></tr>
{% for i in s.top_institutes %}<tr><td>{{ i.institute }}</td><td class="n">{{ i.first }}</td></tr>
{% endfor %}</table>

<h2>4. Nhu cầu hỏi công nghệ hạn chế và công nghệ thay thế đề xuất</h2>
{% if s.restricted_needs %}<table><tr><th>Dòng</th><th>Mã</th><th>Doanh nghiệp</th><th>Nhu cầu</th>
<th>Quy định</th><th>Công nghệ thay thế đề xuất</th></tr>
{% for n in s.restricted_needs %}<tr><td class="n">{{ n.row }}</td><td>{{ n.need_id }}</td>
<td>{{ n.company }}</td>
<td>{{ n.text }}</td><td>{{ n.rules | join("; ") }}</td><td>{{ n.replacements | join("; ") or "—" }}</td></tr>
{% endfor %}</table>{% if s.with_warnings > s.restricted_needs|length %}<p class="note">Bảng liệt kê
{{ s.restricted_needs|length }}/{{ s.with_warnings }} nhu cầu đầu tiên; danh sách đủ ở tệp kết quả.</p>
{% endif %}
{% else %}<p>Không có nhu cầu nào hỏi công nghệ thuộc nhóm hạn chế.</p>{% endif %}

<h2>5. Nhu cầu chưa có công nghệ phù hợp</h2>
{% if charts.score %}<figure><img alt="Phân bố độ tương đồng" src="{{ charts.score }}">
<figcaption>Hình 3. Phân bố độ tương đồng của công nghệ xếp đầu; đường đỏ: ngưỡng
{{ "%.2f"|format(s.threshold) }}</figcaption></figure>{% endif %}
{% if s.no_match_needs %}<table><tr><th>Dòng</th><th>Mã</th><th>Doanh nghiệp</th><th>Nhu cầu</th>
<th>Độ tương đồng cao nhất</th><th>Công nghệ gần nhất</th></tr>
{% for n in s.no_match_needs %}<tr><td class="n">{{ n.row }}</td><td>{{ n.need_id }}</td>
<td>{{ n.company }}</td>
<td>{{ n.text }}</td><td class="n">{{ "%.3f"|format(n.top_dense) if n.top_dense is not none else "—" }}</td>
<td>{{ n.best }}</td></tr>
{% endfor %}</table>{% else %}<p>Mọi nhu cầu đều có công nghệ phù hợp.</p>{% endif %}

<h2>Ghi chú phương pháp</h2>
<p class="note">Mỗi nhu cầu được so khớp với danh mục công nghệ bằng tìm kiếm ngữ nghĩa (mô hình
multilingual-e5-small) kết hợp tìm kiếm từ khóa (BM25), sau đó áp dụng các quy định của Kế hoạch
16/KH-UBND (công nghệ hạn chế, ưu tiên, lộ trình thay thế). "Chưa có công nghệ phù hợp": độ tương
đồng cosine giữa nhu cầu và công nghệ xếp đầu nhỏ hơn {{ "%.2f"|format(s.threshold) }}. Kết quả là gợi ý
để cán bộ xem xét, không thay thế thẩm định chuyên môn.</p>
</body>
</html>
"""


def resolve_results(path: Path) -> tuple[Path, Path | None]:
    """(results.jsonl, skipped.jsonl or None) for a results JSONL, a checkpoint folder, or a batch output."""
    path = Path(path)
    candidates = [path / RESULTS] if path.is_dir() else [checkpoint_dir(path) / RESULTS]
    if path.is_file() and path.suffix.lower() == ".jsonl":
        candidates.insert(0, path)
    for results in candidates:
        if results.is_file():
            skipped = results.with_name(SKIPPED)
            same_dir = results.parent.name.endswith(".checkpoint") or results.name == RESULTS
            return results, skipped if same_dir and skipped.is_file() else None
    raise InputError(
        f"Không tìm thấy kết quả so khớp ở {path}. Hãy chỉ tệp .jsonl do `matcher batch` ghi, "
        "thư mục .checkpoint của nó, hoặc tệp kết quả (.xlsx/.csv) bên cạnh thư mục đó."
    )


def _data_uri(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _barh(labels: Sequence[str], values: Sequence[int], xlabel: str) -> str:
    from matplotlib.figure import Figure

    labels = [lb if len(lb) <= 60 else lb[:57] + "…" for lb in labels]
    fig = Figure(figsize=(8, 0.45 * len(labels) + 1.2))
    ax = fig.add_subplot()
    ax.barh(range(len(labels)), values, color="#2b6cb0")
    ax.set_yticks(range(len(labels)), labels)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    for i, v in enumerate(values):
        ax.text(v, i, f" {v}", va="center", fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    return _data_uri(fig)


def _histogram(hist: dict[str, int], bin_width: float, threshold: float) -> str:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 3.2))
    ax = fig.add_subplot()
    lefts = [float(k) for k in hist]
    ax.bar(lefts, list(hist.values()), width=bin_width, align="edge", color="#4a5568", edgecolor="white")
    ax.axvline(threshold, color="#c53030", linestyle="--")
    ax.set_xlabel("Độ tương đồng (cosine) của công nghệ xếp đầu")
    ax.set_ylabel("Số nhu cầu")
    ax.spines[["top", "right"]].set_visible(False)
    return _data_uri(fig)


def charts(s: BatchSummary) -> dict[str, str]:
    """The three charts as SVG data URIs (empty string when there is nothing to draw)."""
    import matplotlib

    from matcher.batch.summary import SCORE_BIN

    with matplotlib.rc_context({"svg.fonttype": "path", "font.family": "DejaVu Sans", "font.size": 10}):
        sectors = list(s.needs_by_sector.items())[:12]
        techs = s.top_technologies[:10]
        return {
            "sector": _barh([k for k, _ in sectors], [v for _, v in sectors], "Số nhu cầu")
            if sectors
            else "",
            "tech": _barh(
                [f"{t['tech_id']} {t['name']}" for t in techs],
                [t["first"] for t in techs],
                "Số nhu cầu xếp công nghệ này đầu tiên",
            )
            if techs
            else "",
            "score": _histogram(s.score_histogram, SCORE_BIN, s.threshold) if s.score_histogram else "",
        }


def render_report(summary: BatchSummary, source: str, title: str | None = None) -> str:
    """The HTML text of the report for an already computed summary."""
    from jinja2 import Environment

    env = Environment(autoescape=True)
    detail = ", ".join(f"{SKIP_KIND_VI.get(k, k)}: {v}" for k, v in summary.skipped_by_kind.items())
    return env.from_string(TEMPLATE).render(
        title=title or "Báo cáo tổng hợp nhu cầu đổi mới công nghệ của doanh nghiệp",
        source=source,
        generated=datetime.now().strftime("%d/%m/%Y %H:%M"),
        s=summary,
        skipped_detail=detail,
        charts=charts(summary),
        pct=lambda n: f"{100 * n / summary.needs:.1f}%" if summary.needs else "—",
    )


def write_report(
    results: Path, output: Path, *, threshold: float | None = None, title: str | None = None
) -> BatchSummary:
    """Read a batch result (see `resolve_results`), write the HTML report, return its summary."""
    results_path, skipped_path = resolve_results(results)
    skipped = read_jsonl(skipped_path) if skipped_path else ()
    summary = summarize(read_jsonl(results_path), skipped, threshold=threshold)
    if threshold is None:  # the run's threshold, as recorded in the records' flags
        summary.threshold = _recorded_threshold(results_path) or summary.threshold
    html = render_report(summary, source=str(results), title=title)
    from matcher.fileio import atomic_write_text

    atomic_write_text(Path(output), html)
    return summary


def _recorded_threshold(results_path: Path) -> float | None:
    manifest = results_path.parent / "manifest.json"
    if not manifest.is_file():
        return None
    import json

    return json.loads(manifest.read_text(encoding="utf-8")).get("args", {}).get("threshold")

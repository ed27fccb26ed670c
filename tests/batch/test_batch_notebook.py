"""notebooks/batch_analysis.ipynb runs on a real batch result (so it never goes stale)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "batch_analysis.ipynb"


def test_notebook_executes_on_a_real_run(xlsx_run, monkeypatch: pytest.MonkeyPatch) -> None:
    import nbclient  # in the [test] extra: missing means a broken install, not a skip
    import nbformat

    summary, _ = xlsx_run
    monkeypatch.setenv("TECHMATCH_BATCH_RESULTS", summary.results_path)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    ).execute()
    outputs = "".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
    )
    assert "20 nhu cầu, 3 dòng bỏ qua" in outputs
    images = sum("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))
    assert images == 4

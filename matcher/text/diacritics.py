"""Restore Vietnamese diacritics on text typed without them ("xu ly nuoc thai" -> "xử lý nước thải").

Why: businesses often type needs without diacritics, and the dense embedding model collapses on
such text (nDCG 0.87 -> 0.15 in our evaluation), so a need is restored before it is embedded.
The lexical channel does not need this (it matches on `fold`), only the dense one does.

Why this model: every unaccented syllable has a handful of accented readings ("tom" -> tôm, tơm,
tóm, ...), and the neighbouring syllable almost always decides ("nuôi tôm", "tóm tắt"). A syllable
bigram language model trained on the catalog and the plan texts, decoded with Viterbi, gets the
domain vocabulary right (> 90 % of syllables on held-out plan text) in well under a millisecond
per need, with no model file to download. A shipped list of common syllables with frequencies
(`data/vi_syllables.txt`) supplies candidates and a unigram prior for words the catalog lacks.
That prior is half the shipped counts and half the general Vietnamese frequencies of `wordfreq`
(web, subtitles, chat): the shipped counts come from news and a word list, so conversational
words lost to rarer readings ("muon co" read "mượn cớ", "xuong toi" read "xương tới").

Only letters change: the output has the input's length, spacing, punctuation and casing, so
offsets computed on either text stay valid. Tokens that are not Vietnamese syllables (English
words, numbers, codes such as "IoT", "PLC", "4.000") pass through unchanged.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from importlib import resources
from itertools import pairwise
from typing import Any

import yaml

from matcher.text.normalize import (
    VI_MARKED_LETTERS,
    canonical_i,
    has_diacritics,
    normalize,
    strip_diacritics,
    words,
)

__all__ = ["DiacriticRestorer", "is_vietnamese_syllable"]

#: Bumped whenever the model format or the decoding changes; `from_dict` refuses other versions.
FORMAT_VERSION = 1

_BOUNDARY = "<s>"
_TOKEN_RE = re.compile(r"\w+", re.UNICODE)
# Shape of a Vietnamese syllable once folded: onset, 1-3 vowel letters (glides included), coda.
# Loose on purpose (it admits some impossible vowel clusters); its job is to keep "container",
# "wastewater" or "UBND" out of the candidate table, not to validate spelling.
_SYLLABLE_RE = re.compile(
    r"(?:(?:ngh|ng|gh|kh|nh|ph|qu|th|tr|ch|gi|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?"
    r"|gi(?:ch|ng|nh|[cmnpt])?)"
)
# Frequent English words. Several are also unaccented Vietnamese ("an", "do", "to", "can", "may");
# such a token counts for neither language when judging what a text is written in.
_ENGLISH_TEXT = """a about after all also an and any are as at be been but by can could do does for from get
    had has have he her his how i if in into is it its just me more most my need needs new no not
    of on or our out over so some such than that the their them then there these they this those
    to up us use used using want we what when where which who will with would you your
    system systems solution solutions treatment water waste wastewater energy power solar plant
    plants farm farming shrimp fish port ports cold storage machine machines sensor sensors
    monitoring technology technologies process production equipment control smart data"""
_ENGLISH_WORDS = frozenset(_ENGLISH_TEXT.split())
_SYLLABLE_FILE = "vi_syllables.txt"
_BIGRAM_FILE = "vi_bigrams.txt"
_REQUESTS_FILE = "vi_requests.yaml"
#: How often each pair of `vi_requests.yaml` counts as seen (as the hand-written phrases do).
_REQUEST_PAIR_COUNT = 3
#: Share of the unigram prior taken from wordfreq's general Vietnamese frequencies (the rest is
#: the shipped counts). Half and half keeps the shipped list's technical vocabulary in play; with
#: it, `matcher eval --split dev` restores 84.3 % / 83.1 % of the syllables of the needs typed
#: without marks (needs.yaml / needs_independent.yaml; 82.8 % / 80.3 % before), and the held-out
#: plan text of `matcher eval --diacritics` stays at 95.6 %.
GENERAL_FREQUENCY_SHARE = 0.5


def _build_fold_table() -> dict[int, str]:
    """`str.translate` table from every Vietnamese letter to its bare letter (đ -> d).

    Why: `fold` normalises the whole text and decomposes it; training calls this per token on
    ~200k tokens, where one C-level translate is an order of magnitude faster.
    """
    table: dict[int, str] = {}
    for ch in VI_MARKED_LETTERS + VI_MARKED_LETTERS.upper():
        table[ord(ch)] = strip_diacritics(ch)
    return table


_FOLD_TABLE = _build_fold_table()


def _fold_token(token: str) -> str:
    """Lower-case, diacritic-free key of one NFC token, i/y one way (= `fold` of one syllable):
    "xu li" and "xu ly" both restore from what the catalog wrote, "xử lý"."""
    return canonical_i(token.lower().translate(_FOLD_TABLE))


def is_vietnamese_syllable(token: str) -> bool:
    """True when the token, folded, has the shape of a Vietnamese syllable ("nuoc", "nghieng")."""
    return _SYLLABLE_RE.fullmatch(_fold_token(token)) is not None


def _word_shaped(token: str, shouting: bool) -> bool:
    """True for "nuoc", "Nuoc" (and "NUOC" when the whole text is upper case).

    Why: an all-caps token inside mixed-case text is an acronym ("AI", "CO", "PLC"), a lone
    capital is a label ("loai A") and a mixed-case token is a brand or code ("IoT", "iPhone");
    none of them is a word typed without marks.
    """
    if token.islower() or (len(token) > 1 and token[1:].islower()):
        return True
    return shouting and token.isupper()


def _apply_case(pattern: str, word: str) -> str:
    """Copy the letter-by-letter casing of `pattern` onto `word` (same length: NFC letters map 1:1)."""
    return "".join(w.upper() if p.isupper() else w for p, w in zip(pattern, word, strict=True))


def _data_lines(name: str) -> Iterable[tuple[int, str]]:
    """Numbered non-comment lines of a file shipped in `matcher/text/data/`."""
    text = resources.files("matcher.text").joinpath("data", name).read_text(encoding="utf-8")
    for line_no, line in enumerate(text.splitlines(), start=1):
        if line and not line.startswith("#"):
            yield line_no, line


def _load_fallback() -> tuple[dict[str, int], dict[str, dict[str, int]]]:
    """Read the shipped syllable counts and bigram counts (formats in the files' headers).

    Why bigrams too: most errors of a domain-only model are common compounds the domain text
    happens to lack ("tối ưu" read as "tội ưu"); ~25k general bigrams lift held-out accuracy
    from ~91 % to ~95 %.
    """
    unigrams: dict[str, int] = {}
    for line_no, line in _data_lines(_SYLLABLE_FILE):
        try:
            syllable, count = line.split("\t")
            unigrams[syllable] = int(count)
        except ValueError as e:
            raise ValueError(
                f"{_SYLLABLE_FILE} line {line_no}: expected 'syllable<TAB>count', got {line!r}"
            ) from e
    unigrams = _with_general_frequencies(unigrams)
    bigrams: dict[str, dict[str, int]] = {}
    for line_no, line in _data_lines(_BIGRAM_FILE):
        try:
            first, rest = line.split("\t")
            nexts: dict[str, int] = {}
            for item in rest.split(" "):
                second, _, count = item.partition(":")
                nexts[second] = int(count) if count else 1
            bigrams[first] = nexts
        except ValueError as e:
            raise ValueError(
                f"{_BIGRAM_FILE} line {line_no}: expected 'first<TAB>second[:count] ...', got {line!r}"
            ) from e
    for first, second in _request_pairs():
        nexts = bigrams.setdefault(first, {})
        nexts[second] = nexts.get(second, 0) + _REQUEST_PAIR_COUNT
    return unigrams, bigrams


def _request_pairs() -> set[tuple[str, str]]:
    """Syllable pairs of how people write a request (`data/vi_requests.yaml`, format in its header)."""
    raw = resources.files("matcher.text").joinpath("data", _REQUESTS_FILE).read_text(encoding="utf-8")
    pairs: set[tuple[str, str]] = set()
    for group in yaml.safe_load(raw)["pairs"]:
        for left in group["left"]:
            for right in group["right"]:
                syllables = normalize(f"{left} {right}").lower().split()
                pairs.update(pairwise(syllables))
    return pairs


def _with_general_frequencies(shipped: dict[str, int], scale: int = 10_000_000) -> dict[str, int]:
    """The shipped syllable counts re-weighted towards general usage (`GENERAL_FREQUENCY_SHARE`).

    Only syllables of the shipped list are kept: wordfreq's Vietnamese list also holds English
    words of syllable shape ("you", "that") and variant spellings, which must not become
    readings. Returned as integer pseudo-counts on a common scale (only proportions matter).
    """
    from wordfreq import get_frequency_dict  # a maintained frequency list; its data ships in the wheel

    general: dict[str, float] = defaultdict(float)
    for word, freq in get_frequency_dict("vi", "best").items():
        general[normalize(word).lower()] += freq  # one tone placement, as the shipped list writes it
    general_total = sum(general.get(w, 0.0) for w in shipped)
    shipped_total = sum(shipped.values())
    share = GENERAL_FREQUENCY_SHARE if general_total > 0 else 0.0
    mixed = {
        w: round(
            scale * ((1 - share) * c / shipped_total + share * general.get(w, 0.0) / (general_total or 1.0))
        )
        for w, c in shipped.items()
    }
    return {w: c for w, c in mixed.items() if c > 0}


class DiacriticRestorer:
    """Syllable-bigram model that puts diacritics back on unaccented Vietnamese.

    Build it with `DiacriticRestorer.from_texts(texts)` from accented Vietnamese (the catalog and
    the plan); store it with `to_dict()` next to an index and reload it with `from_dict()` so a
    query is restored by the same model the index was built with.

    Smoothing: interpolated absolute discounting, backing off to a unigram distribution that is
    itself the training counts with a Dirichlet prior from the shipped syllable frequencies. The
    prior lets unseen-but-common words restore; its strength (`prior_strength`, in pseudo-tokens)
    decides how soon the domain text outweighs it.
    """

    def __init__(
        self, *, discount: float = 0.75, prior_strength: float = 20000.0, use_fallback: bool = True
    ) -> None:
        if not 0.0 < discount < 1.0:
            raise ValueError(f"discount must be in (0, 1), got {discount}")
        if prior_strength < 0:
            raise ValueError(f"prior_strength must be >= 0, got {prior_strength}")
        self.discount = discount
        self.prior_strength = prior_strength
        self.use_fallback = use_fallback
        self._unigrams: dict[str, int] = {}
        self._bigrams: dict[str, dict[str, int]] = {}
        self._fallback: dict[str, int] = {}
        self._fallback_bigrams: dict[str, dict[str, int]] = {}
        self._fitted = False
        self._derive()

    # ------------------------------------------------------------------ building
    @classmethod
    def from_texts(cls, texts: Iterable[str], **kwargs: Any) -> DiacriticRestorer:
        """Train on accented Vietnamese texts (catalog entries, plan paragraphs)."""
        return cls(**kwargs).fit(texts)

    def fit(self, texts: Iterable[str]) -> DiacriticRestorer:
        """Count syllable unigrams and bigrams; replaces any earlier training. Returns self.

        Texts without a single diacritic are skipped: they are unaccented spellings or another
        language, and learning from them would teach the model to leave syllables bare.
        """
        unigrams: Counter[str] = Counter()
        bigrams: dict[str, Counter[str]] = defaultdict(Counter)
        token_cache: dict[str, str | None] = {}
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"fit expects an iterable of str, got {type(text).__name__}")
            text = unicodedata.normalize("NFC", text)
            if not has_diacritics(text):
                # Unaccented hints ("lo gach thu cong") and English glosses teach the model that
                # bare syllables follow each other, so it would "restore" text to itself.
                continue
            for run in self._runs(text, token_cache):
                prev = _BOUNDARY
                for word in run:
                    unigrams[word] += 1
                    bigrams[prev][word] += 1
                    prev = word
                bigrams[prev][_BOUNDARY] += 1
                unigrams[_BOUNDARY] += 1
        self._unigrams = dict(unigrams)
        self._bigrams = {prev: dict(nexts) for prev, nexts in bigrams.items()}
        self._fallback, self._fallback_bigrams = _load_fallback() if self.use_fallback else ({}, {})
        self._fitted = True
        self._derive()
        return self

    @staticmethod
    def _runs(text: str, cache: dict[str, str | None]) -> Iterable[list[str]]:
        """Runs of Vietnamese syllables separated only by whitespace, lower-cased, tone-normalised.

        Punctuation, numbers and foreign words end a run, exactly as they do when decoding, so
        the bigrams the model learns are the ones it is asked about.
        """
        run: list[str] = []
        last_end = 0
        for m in _TOKEN_RE.finditer(text):
            token = m.group(0)
            word = cache.get(token, "")
            if word == "":
                ok = token.isalpha() and is_vietnamese_syllable(token)
                word = normalize(token).lower() if ok else None
                cache[token] = word
            if run and (word is None or not text[last_end : m.start()].isspace()):
                yield run
                run = []
            if word is not None:
                run.append(word)
            last_end = m.end()
        if run:
            yield run

    def _derive(self) -> None:
        """Precompute what decoding reads: candidates per folded key and log-probability parts."""
        fallback_total = sum(self._fallback.values())
        train_total = sum(c for w, c in self._unigrams.items() if w != _BOUNDARY)
        k = self.prior_strength if fallback_total else 0.0
        denom = train_total + k
        vocab = set(self._unigrams) | set(self._fallback)
        vocab.discard(_BOUNDARY)
        self._p_uni: dict[str, float] = {}
        for w in vocab:
            prior = self._fallback.get(w, 0) / fallback_total if fallback_total else 0.0
            p = (self._unigrams.get(w, 0) + k * prior) / denom if denom else 0.0
            self._p_uni[w] = max(p, 1e-9)
        # The boundary is predicted from every context; give it a plain sentence-length prior.
        self._p_uni[_BOUNDARY] = max(self._unigrams.get(_BOUNDARY, 0) / denom, 1e-3) if denom else 1e-3
        self._log_uni = {w: math.log(p) for w, p in self._p_uni.items()}
        # Most probable first, ties by spelling: decoding must not depend on set order.
        candidates: dict[str, list[str]] = defaultdict(list)
        for w in sorted(vocab, key=lambda w: (-self._p_uni[w], w)):
            candidates[_fold_token(w)].append(w)
        self._candidates = dict(candidates)
        # Fallback bigrams count as if seen in training: each is one more observed pair.
        merged: dict[str, dict[str, int]] = {v: dict(nexts) for v, nexts in self._bigrams.items()}
        for v, nexts in self._fallback_bigrams.items():
            target = merged.setdefault(v, {})
            for w, c in nexts.items():
                target[w] = target.get(w, 0) + c
        # Per context: (total count, back-off mass D * N1+(v .) / c(v), bigram counts).
        self._contexts = {
            v: (sum(nexts.values()), self.discount * len(nexts) / sum(nexts.values()), nexts)
            for v, nexts in merged.items()
        }

    # ------------------------------------------------------------------ scoring
    def _logp(self, prev: str, word: str) -> float:
        """log P(word | prev), interpolated absolute discounting over the unigram prior."""
        ctx = self._contexts.get(prev)
        if ctx is None:
            return self._log_uni[word]
        total, backoff, nexts = ctx
        count = nexts.get(word, 0)
        return math.log(max(count - self.discount, 0.0) / total + backoff * self._p_uni[word])

    def _decode(self, keys: Sequence[str]) -> list[str]:
        """Viterbi over the candidates of each folded key; returns the best accented sequence."""
        scores: dict[str, float] = {_BOUNDARY: 0.0}
        back: list[dict[str, str]] = []
        for key in keys:
            new_scores: dict[str, float] = {}
            pointers: dict[str, str] = {}
            for word in self._candidates[key]:
                best_prev, best = "", -math.inf
                for prev, score in scores.items():
                    s = score + self._logp(prev, word)
                    if s > best:
                        best_prev, best = prev, s
                new_scores[word] = best
                pointers[word] = best_prev
            scores = new_scores
            back.append(pointers)
        last = max(scores, key=lambda w: scores[w] + self._logp(w, _BOUNDARY))
        path = [last]
        for pointers in reversed(back[1:]):
            path.append(pointers[path[-1]])
        path.reverse()
        return path

    # ------------------------------------------------------------------ the language model, read-only
    # Spelling correction (matcher/text/spelling.py) scores its candidates with the same model, so a
    # need is restored and corrected by what one index was built with.
    def knows(self, word: str) -> bool:
        """True when `word` (lower-case, NFC, one tone placement) is a syllable of the model."""
        return word in self._log_uni and word != _BOUNDARY

    def readings(self, key: str) -> list[str]:
        """The accented syllables whose folded key is `key` ("tom" -> tôm, tơm, tóm...), most probable first."""
        return self._candidates.get(key, [])

    def seen_together(self, prev: str, word: str) -> bool:
        """True when the bigram "prev word" occurs in the training text or the shipped counts."""
        ctx = self._contexts.get(prev)
        return ctx is not None and word in ctx[2]

    def log_frequency(self, word: str) -> float:
        """log P(word) with no context: how common the syllable is overall."""
        return self._log_uni[word]

    def log_prob(self, prev: str | None, word: str | None) -> float:
        """log P(word | prev); None stands for a text boundary (start or end of a run)."""
        if self._fitted is False:
            raise RuntimeError("DiacriticRestorer is not trained: build it with from_texts() or from_dict()")
        return self._logp(prev or _BOUNDARY, word or _BOUNDARY)

    # ------------------------------------------------------------------ public API
    def restore(self, text: str) -> str:
        """Return `text` with diacritics put back; text that already has any is returned as is.

        Why all-or-nothing: in accented text, syllables without marks ("công nghệ cao") are
        correct as written, and "fixing" them could only do harm. Gate calls with
        `looks_unaccented_vietnamese` so English needs are not touched either.
        """
        if not isinstance(text, str):
            raise TypeError(f"restore expects str, got {type(text).__name__}")
        if not self._fitted:
            raise RuntimeError("DiacriticRestorer is not trained: build it with from_texts() or from_dict()")
        if not text or has_diacritics(unicodedata.normalize("NFC", text)):
            return text
        shouting = not any(c.islower() for c in text)
        out = list(text)
        run: list[re.Match[str]] = []
        last_end = 0

        def flush() -> None:
            if not run:
                return
            decoded = self._decode([_fold_token(m.group(0)) for m in run])
            for m, word in zip(run, decoded, strict=True):
                out[m.start() : m.end()] = _apply_case(m.group(0), word)
            run.clear()

        for m in _TOKEN_RE.finditer(text):
            token = m.group(0)
            restorable = (
                token.isascii()
                and token.isalpha()
                and _word_shaped(token, shouting)
                and _fold_token(token) in self._candidates
            )
            if run and (not restorable or not text[last_end : m.start()].isspace()):
                flush()
            if restorable:
                run.append(m)
            last_end = m.end()
        flush()
        return "".join(out)

    def restore_if_unaccented(self, text: str) -> str:
        """Restore only when `looks_unaccented_vietnamese(text)`; otherwise return it unchanged."""
        return self.restore(text) if self.looks_unaccented_vietnamese(text) else text

    def looks_unaccented_vietnamese(self, text: str, *, min_ratio: float = 0.6) -> bool:
        """True when the text has no diacritics and reads as Vietnamese typed without them.

        Counts alphabetic tokens (acronyms such as "IoT" or "PLC" and numbers left out) that are
        Vietnamese syllables the model knows, against those that are not. Tokens that are both a
        common English word and a Vietnamese syllable ("an", "do", "to", "can") count for neither
        side, so "we need wastewater treatment for shrimp ponds" is English while "can may xu ly
        nuoc thai" is Vietnamese.
        """
        if not isinstance(text, str):
            raise TypeError(f"looks_unaccented_vietnamese expects str, got {type(text).__name__}")
        if has_diacritics(unicodedata.normalize("NFC", text)):
            return False
        shouting = not any(c.islower() for c in text)
        vietnamese = other = ambiguous = 0
        for token in _TOKEN_RE.findall(text):
            if not token.isalpha() or not token.isascii():
                continue
            if not _word_shaped(token, shouting):
                continue  # acronym or brand: IoT, PLC, UBND, iPhone
            key = token.lower()
            is_vi = key in self._candidates and _SYLLABLE_RE.fullmatch(key) is not None
            is_en = key in _ENGLISH_WORDS
            if is_vi and is_en:
                ambiguous += 1
            elif is_vi:
                vietnamese += 1
            else:
                other += 1
        if vietnamese + other == 0:
            return False  # nothing to judge by (empty, codes only, or only "to do" words)
        return vietnamese / (vietnamese + other) >= min_ratio

    # ------------------------------------------------------------------ persistence
    def to_dict(self) -> dict[str, Any]:
        """JSON-safe snapshot (fallback counts included, so a later data file cannot change it)."""
        if not self._fitted:
            raise RuntimeError("DiacriticRestorer is not trained: nothing to serialise")
        return {
            "format_version": FORMAT_VERSION,
            "discount": self.discount,
            "prior_strength": self.prior_strength,
            "use_fallback": self.use_fallback,
            "unigrams": dict(self._unigrams),
            "bigrams": {v: dict(nexts) for v, nexts in self._bigrams.items()},
            "fallback": dict(self._fallback),
            "fallback_bigrams": {v: dict(nexts) for v, nexts in self._fallback_bigrams.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DiacriticRestorer:
        """Rebuild a model saved with `to_dict`; refuses another format version."""
        version = data.get("format_version")
        if version != FORMAT_VERSION:
            raise ValueError(
                f"diacritic model format {version!r} is not supported (expected {FORMAT_VERSION}); "
                "rebuild the index so the model is retrained"
            )
        model = cls(
            discount=float(data["discount"]),
            prior_strength=float(data["prior_strength"]),
            use_fallback=bool(data["use_fallback"]),
        )
        model._unigrams = {str(w): int(c) for w, c in data["unigrams"].items()}
        model._bigrams = {str(v): {str(w): int(c) for w, c in n.items()} for v, n in data["bigrams"].items()}
        model._fallback = {str(w): int(c) for w, c in data["fallback"].items()}
        model._fallback_bigrams = {
            str(v): {str(w): int(c) for w, c in n.items()} for v, n in data["fallback_bigrams"].items()
        }
        model._fitted = True
        model._derive()
        return model


# ---------------------------------------------------------------------- measurement
def syllable_accuracy(model: DiacriticRestorer, lines: Sequence[str]) -> tuple[float, int]:
    """Share of Vietnamese syllables restored exactly when `lines` are typed without marks.

    Returns (accuracy, number of syllables scored). Only alphabetic Vietnamese syllables count:
    numbers, codes and foreign words pass through unchanged and would flatter the figure.
    """
    correct = total = 0
    for line in lines:
        gold = normalize(line)
        restored = model.restore(strip_diacritics(gold))
        for gold_word, restored_word in zip(words(gold), words(restored), strict=True):
            if gold_word.isalpha() and is_vietnamese_syllable(gold_word):
                total += 1
                correct += gold_word == restored_word
    return (correct / total if total else 0.0), total


def held_out_accuracy(text: str, train_lines: int = 240) -> tuple[float, int]:
    """Train on the first `train_lines` lines of a document, score restoration on the rest.

    On plan 16 (`corpora/plan16/source/`) this is the figure the README reports.
    """
    lines = text.splitlines()
    model = DiacriticRestorer.from_texts(lines[:train_lines])
    return syllable_accuracy(model, lines[train_lines:])

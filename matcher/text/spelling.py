"""Correct the spelling mistakes Vietnamese writers make, with the diacritic restorer's language model.

Why: needs are typed fast, and Vietnamese spelling mistakes are not random. Dialects merge sounds
that the spelling keeps apart, so writers confuse s/x, ch/tr, d/gi/r and l/n at the start of a
syllable, c/t and n/ng at its end, and the hỏi/ngã tones ("sử lý", "trế biến", "chất thãi");
keyboards add slips that leave a string no syllable has ("nươc", "thảii"). BM25 then misses the
word ("sử_lý" is not "xử_lý") and the embedding drifts.

How: a noisy channel over syllables, decoded jointly (Viterbi) so neighbouring mistakes are
mended together. Each syllable may be a confusion of another (`confusions`); one that is no
syllable of the model at all may also be a slip one edit away, or a word typed without its marks
inside accented text ("nuoc"). The language model is the syllable bigram model that restores
diacritics (trained per index on the catalog and the plan, plus shipped general counts). A known
syllable is replaced only when
- the replacement is more probable between its neighbours by more than `penalty` nats (the cost
  of assuming a mistake) plus how much more frequent it is overall (being the commoner word is no
  evidence the writer meant it: "bão về", a storm, must not become "bảo về"), and
- the replacement occurs next to one of its neighbours somewhere in the model's text.
The penalty was chosen on held-out plan text and the dev needs, never the test needs
(`matcher eval --diacritics` prints the held-out rates). Names (a capital letter inside a
sentence), acronyms, numbers, foreign words and loanwords that are no syllable ("nitơ") are never
touched, and a writer's i/y spelling ("xử lí") is never a mistake.

Why hand-written: spelling libraries (SymSpell, hunspell dictionaries) rank by edit distance and
word frequency, which cannot tell "sử lý" from "xử lý" (both syllables exist; only the pair is
wrong), and ship no model of Vietnamese dialect confusions. The model here is the one the index
already carries, so a need is restored and corrected by what its index was built with.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from matcher.text.diacritics import DiacriticRestorer, is_vietnamese_syllable
from matcher.text.normalize import (
    VI_MARKED_LETTERS,
    canonical_i,
    fix_tone_placement,
    has_diacritics,
    strip_diacritics,
)

__all__ = ["Corrected", "SpellingCorrector", "SpellingFix", "confusions"]

_TOKEN_RE = re.compile(r"\w+", re.UNICODE)
# Onsets, longest first, so "ngh" is not read as "n" + "gh".
_ONSETS = ("ngh", "ng", "gh", "gi", "kh", "nh", "ph", "qu", "th", "tr", "ch")
# Onsets that dialects merge: Northern s/x, ch/tr, d/gi/r and l/n.
_ONSET_CONFUSIONS = {
    "s": ("x",),
    "x": ("s",),
    "ch": ("tr",),
    "tr": ("ch",),
    "d": ("gi", "r"),
    "gi": ("d", "r"),
    "r": ("d", "gi"),
    "l": ("n",),
    "n": ("l",),
}
# hỏi (hook above) <-> ngã (tilde), swapped on the decomposed text: the marks, not a letter table
_HOI_NGA = str.maketrans({"\u0309": "\u0303", "\u0303": "\u0309"})
_ASCII_LETTERS = "abcdeghiklmnopqrstuvxy"
_VI_LETTERS = _ASCII_LETTERS + VI_MARKED_LETTERS
_SENTENCE_END = ".!?;:\n"
# Readings of a confused key worth trying (most probable first): keeps Viterbi small.
_READINGS_PER_KEY = 4
# Shorter strings are not mended by edits: one edit from "ko" or "đc" (chat shorthand for "không",
# "được") reaches dozens of syllables, and the model would pick a frequent one ("có", "đó").
_MIN_EDITED = 3
# Candidate lists kept per corrector (a need has tens of syllables, most of them recurring).
_CACHE_SIZE = 50_000


def _split_onset(word: str) -> tuple[str, str]:
    for onset in _ONSETS:
        if word.startswith(onset) and len(word) > len(onset):
            return onset, word[len(onset) :]
    if word[:1] in "bcdđghklmnprstvx" and len(word) > 1:
        return word[0], word[1:]
    return "", word


def confusions(word: str) -> set[str]:
    """The syllables a writer may have meant by `word` (lower case, NFC): onset s/x, ch/tr, d/gi/r,
    l/n; coda c/t, n/ng; tone hỏi/ngã. Unchecked: the caller keeps those its model knows."""
    out: set[str] = set()
    onset, rest = _split_onset(word)
    for other in _ONSET_CONFUSIONS.get(onset, ()):
        out.add(other + rest)
    if word.endswith("ng"):
        out.add(word[:-1])
    elif word.endswith("n"):
        out.add(word + "g")
    elif word.endswith("c") and not word.endswith("ch"):
        out.add(word[:-1] + "t")
    elif word.endswith("t"):
        out.add(word[:-1] + "c")
    swapped = unicodedata.normalize("NFC", unicodedata.normalize("NFD", word).translate(_HOI_NGA))
    if swapped != word:
        out.add(swapped)
    out.discard(word)
    return {fix_tone_placement(w) for w in out}


def _edits(word: str, alphabet: str) -> set[str]:
    """Strings one deletion, transposition, replacement or insertion away (Norvig's edits1)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in alphabet}
    inserts = {a + c + b for a, b in splits for c in alphabet}
    return (deletes | transposes | replaces | inserts) - {word}


@dataclass(frozen=True)
class SpellingFix:
    """One syllable replaced: as it stood in the text, and what it became."""

    typed: str
    corrected: str

    def __str__(self) -> str:
        return f"{self.typed} → {self.corrected}"


@dataclass(frozen=True)
class Corrected:
    """A text after correction, with each change (empty when nothing changed)."""

    text: str
    fixes: tuple[SpellingFix, ...] = ()


@dataclass
class _Token:
    start: int
    end: int
    text: str  # as in the text
    typed: str  # lower case, NFC
    word: str  # what the model reads: `typed`, or `typed` with a doubled key pressed once
    correctable: bool


class SpellingCorrector:
    """Noisy-channel syllable corrector over a `DiacriticRestorer`'s bigram model.

    `penalty` is the log-probability gain (nats) a confusion must bring in context before a known
    syllable is replaced; a string that is no syllable takes its most probable candidate outright.
    """

    def __init__(self, model: DiacriticRestorer, *, penalty: float) -> None:
        if penalty < 0:
            raise ValueError(f"penalty must be >= 0, got {penalty}")
        self.model = model
        self.penalty = penalty
        self._cache: dict[tuple[str, bool], list[tuple[str, float]]] = {}
        self._words: dict[str, str | None] = {}

    # ---- candidates -------------------------------------------------------------------------
    def _candidates(self, word: str, guessed_marks: bool) -> list[tuple[str, float]]:
        """What the writer may have meant by one lower-case token, each with its cost in nats.

        A known syllable is itself at no cost, a confusion of it at `penalty`. A string that is no
        syllable of the model has no reading of its own: its readings (same letters, other marks)
        cost nothing, confusions and one-edit slips cost `penalty`, and the best of them wins.
        `guessed_marks`: the writer typed no marks and the restorer chose them, so a variant may
        take any marks (the readings of its folded key), not only the ones the restorer put.
        """
        cache_key = (word, guessed_marks)
        hit = self._cache.get(cache_key)
        if hit is not None:
            return hit
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()  # a long-running service sees endless new strings: stay bounded
        model = self.model
        known = model.knows(word)
        costs: dict[str, float] = {word: 0.0} if known else {}

        def add(found: Iterable[str], cost: float) -> None:
            for w in found:
                if model.knows(w) and costs.get(w, cost + 1) > cost:
                    costs[w] = cost

        bare = not has_diacritics(word)
        if guessed_marks or (bare and not known):
            # no marks typed: readings of the key (when the bare string is no word), then the
            # likeliest readings of each confused key
            key = canonical_i(strip_diacritics(word))
            if not known:
                add(model.readings(key), 0.0)
            for k in sorted(confusions(key)):
                for w in model.readings(k)[:_READINGS_PER_KEY]:
                    add([w], self.penalty + (self._advantage(w, word) if known else 0.0))
            if not known and not costs and len(key) >= _MIN_EDITED:
                for k in sorted(_edits(key, _ASCII_LETTERS)):
                    add(model.readings(k)[:_READINGS_PER_KEY], self.penalty)
        else:
            for w in confusions(word):
                if model.knows(w):
                    add([w], self.penalty + (self._advantage(w, word) if known else 0.0))
            if not known and not costs and len(word) >= _MIN_EDITED:
                add(sorted({fix_tone_placement(w) for w in _edits(word, _VI_LETTERS)}), self.penalty)
        result = sorted(costs.items())
        self._cache[cache_key] = result
        return result

    def _advantage(self, candidate: str, word: str) -> float:
        """How much more frequent `candidate` is than `word` (nats, >= 0), added to its cost.

        Being the more frequent word is no evidence that the writer meant it; only the neighbours
        may argue for it. Without this a storm ("bão về") became "bảo về", because the catalog says
        "bảo" (bảo vệ, bảo quản) far more often than "bão".
        """
        return max(self.model.log_frequency(candidate) - self.model.log_frequency(word), 0.0)

    # ---- text ----------------------------------------------------------------------------------
    def _runs(self, text: str) -> list[list[_Token]]:
        """Runs of word tokens separated only by spaces: the neighbours a bigram model can use."""
        shouting = not any(c.islower() for c in text)
        runs: list[list[_Token]] = []
        run: list[_Token] = []
        last_end = 0
        sentence_start = True
        for m in _TOKEN_RE.finditer(text):
            token = m.group(0)
            gap = text[last_end : m.start()]
            if run and not gap.isspace():
                runs.append(run)
                run = []
            if any(c in _SENTENCE_END for c in gap):
                sentence_start = True
            word = self._word(token)
            name = token[:1].isupper() and not token.isupper() and not sentence_start
            cased_ok = token.islower() or (token[:1].isupper() and token[1:].islower()) or shouting
            if word is not None and ((cased_ok and not name) or self.model.knows(word)):
                typed = unicodedata.normalize("NFC", token).lower()
                run.append(_Token(m.start(), m.end(), token, typed, word, cased_ok and not name))
            elif run:
                runs.append(run)
                run = []
            sentence_start = False
            last_end = m.end()
        if run:
            runs.append(run)
        return runs

    def _word(self, token: str) -> str | None:
        """The syllable the model reads for a token, or None when it is no Vietnamese syllable.

        Only what has the shape of a syllable: "nitơ", "urê" (loanwords written with marks),
        "container" or "PLC" are not misspelt syllables. One key pressed twice ("nhhọn", "ttự")
        is the one misshapen slip that is mended, by pressing it once. Cached: needs repeat words.
        """
        if token in self._words:
            return self._words[token]
        found = None
        if token.isalpha():
            word = unicodedata.normalize("NFC", token).lower()
            if not is_vietnamese_syllable(word):
                single = _undouble(word)
                word = single if self.model.knows(single) else word
            if is_vietnamese_syllable(word):
                found = self._usual_spelling(word)
        if len(self._words) >= _CACHE_SIZE:
            self._words.clear()
        self._words[token] = found
        return found

    def _usual_spelling(self, word: str) -> str:
        """The model's most frequent spelling of `word` among its accepted i/y spellings ("lí" ->
        "lý" when the catalog writes "xử lý"): the model counts each spelling apart, and a
        spelling it rarely saw must not read as a mistake. The writer's spelling is what is shown."""
        canon = canonical_i(word)
        for reading in self.model.readings(canonical_i(strip_diacritics(word))):
            if canonical_i(reading) == canon:
                return reading  # readings are most probable first
        return word

    def _decode(self, options: list[list[tuple[str, float]]]) -> list[str]:
        """Viterbi over the options of each position: the sequence with the best log-probability
        minus costs. Joint, so two neighbouring mistakes ("xử rụng") are mended together."""
        log_prob = self.model.log_prob
        scores: dict[str | None, float] = {None: 0.0}
        back: list[dict[str, str | None]] = []
        for opts in options:
            new_scores: dict[str | None, float] = {}
            pointers: dict[str, str | None] = {}
            for word, cost in opts:
                best_prev, best = None, -math.inf
                for prev, score in scores.items():
                    s = score + log_prob(prev, word)
                    if s > best:
                        best_prev, best = prev, s
                new_scores[word] = best - cost
                pointers[word] = best_prev
            scores = new_scores
            back.append(pointers)
        last = max(scores, key=lambda w: (scores[w] + log_prob(w, None), w or ""))
        path = [last]
        for pointers in reversed(back[1:]):
            path.append(pointers[path[-1]])  # type: ignore[index]
        path.reverse()
        return [w for w in path if w is not None]

    def _mend(self, segment: list[tuple[_Token, list[tuple[str, float]]]]) -> list[tuple[_Token, str]]:
        """The changes Viterbi makes to one segment, keeping only those its neighbours vouch for.

        A known syllable is replaced only when the replacement occurs next to one of its decoded
        neighbours somewhere in the model's text ("xử lý", "chế biến"): where neither pair was
        ever seen, the model's preference is a guess from smoothing, not evidence of a mistake.
        """
        if not segment:
            return []
        options = [o for _, o in segment]
        decoded = [o[0][0] for o in options] if all(len(o) == 1 for o in options) else self._decode(options)
        model = self.model
        out = []
        for i, ((tok, _), word) in enumerate(zip(segment, decoded, strict=True)):
            if canonical_i(word) == canonical_i(tok.typed):
                continue  # the same word, in the writer's i/y spelling
            if word != tok.word and model.knows(tok.word):
                prev = decoded[i - 1] if i > 0 else None
                nxt = decoded[i + 1] if i + 1 < len(decoded) else None
                vouched = (prev is not None and model.seen_together(prev, word)) or (
                    nxt is not None and model.seen_together(word, nxt)
                )
                if not vouched:
                    continue
            out.append((tok, word))
        return out

    def correct(self, text: str, *, typed: str | None = None) -> Corrected:
        """Return `text` with likely misspellings replaced (case kept), and what changed.

        `typed`: when `text` is what the restorer made of a need typed without marks, the need as
        typed (the restorer keeps offsets). Its marks were guesses, so a correction may change
        them too, and each fix shows the word as the writer typed it ("su → xử").
        """
        if not isinstance(text, str):
            raise TypeError(f"correct expects str, got {type(text).__name__}")
        if typed is not None and len(typed) != len(text):
            raise ValueError("typed must be the text before restoration (restoration keeps its length)")
        guessed_marks = typed is not None
        edits: list[tuple[_Token, str]] = []
        for run in self._runs(text):
            segment: list[tuple[_Token, list[tuple[str, float]]]] = []
            for tok in run:
                # a name (known to the model, or `_runs` left it out) is scored as it stands
                opts = self._candidates(tok.word, guessed_marks) if tok.correctable else [(tok.word, 0.0)]
                if opts:
                    segment.append((tok, opts))
                else:  # an unknown token nothing can mend splits the run: the model cannot score it
                    edits.extend(self._mend(segment))
                    segment = []
            edits.extend(self._mend(segment))
        if not edits:
            return Corrected(text)
        out = []
        fixes = []
        last = 0
        for tok, best in edits:
            shown = _with_case(tok.text, best)
            out.append(text[last : tok.start])
            out.append(shown)
            fixes.append(SpellingFix(tok.text if typed is None else typed[tok.start : tok.end], shown))
            last = tok.end
        out.append(text[last:])
        return Corrected("".join(out), tuple(fixes))


def _undouble(word: str) -> str:
    """`word` with each letter typed twice in a row typed once ("nhhọn" -> "nhọn")."""
    return re.sub(r"(\w)\1", r"\1", word)


def _with_case(pattern: str, word: str) -> str:
    """`word` cased like `pattern`: all caps, a capital first letter, or lower case."""
    if pattern.isupper() and len(pattern) > 1:
        return word.upper()
    if pattern[:1].isupper():
        return word[:1].upper() + word[1:]
    return word

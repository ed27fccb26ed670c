"""English needs -> Vietnamese search terms, through a shipped technical glossary.

Why: the catalog is Vietnamese. For a need typed in English the BM25 channel matches only
acronyms (IoT, SMT, OEE), so the dense channel carried English needs alone; e5-small finds the
right entry (recall@10 1.0 on the eval's English needs) but ranks it too low. Translating the
need's technical terms into the catalog's words lets the lexical channel vote again.

Why a glossary and not a translation model: nothing may be downloaded at run time and no
offline English->Vietnamese model ships on PyPI; the terms that decide a match are a closed,
technical vocabulary, which a reviewed word list covers and explains ("wastewater -> nước thải").
English words are compared after Snowball stemming (snowballstemmer), so "sensors", "sensing"
and "sensor" meet; the longest glossary phrase wins at each position.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import snowballstemmer
import yaml

from matcher.errors import TechmatchError
from matcher.text.normalize import lower, normalize

GLOSSARY_PATH = Path(__file__).parent / "data" / "glossary_en_vi.yaml"
_WORD = re.compile(r"[a-z0-9]+")
_LETTERS = re.compile(r"[^\W\d_]+")
# English function words that are never a Vietnamese syllable, with or without marks: what
# `mostly_english` counts.
_ENGLISH_ONLY = frozenset(
    "and the with for our we is are was were from this that these which would should could will "
    "of their your you they have has been need needs want wants looking about into than".split()
)
#: Every English function word a need may contain, including those that are also folded
#: Vietnamese syllables ("so", "can", "to", "an"): never a reason a result matched.
ENGLISH_FUNCTION_WORDS = _ENGLISH_ONLY | frozenset(
    "so can to do in on an as at by or is it be no up us out not but all new now more use too very "
    "them its also then".split()
)


#: English phrases after which a sentence names what the need moves away from ("... instead of
#: grit blasting", "without mercury", "replace our clay kiln"); the rule engine's cue table holds
#: them too, so Vietnamese loanword triggers in English text ("coal power plant") honour them.
ENGLISH_AWAY_CUES = (
    "instead of",
    "rather than",
    "without",
    "replace",
    "replaces",
    "replacing",
    "replaced",
    "replacement of",
    "avoid",
    "avoiding",
    "alternative to",
    "alternatives to",
)
#: Words after which what follows is wanted again ("replace our boiler with a heat pump").
ENGLISH_SCOPE_END = ("with", "by")


_local = threading.local()


def _english_stemmer() -> Any:
    """One Snowball stemmer per thread: a stemmer keeps its working string on itself, so two API
    threads sharing one would corrupt each other's stems."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("english")
    return stemmer


@lru_cache(maxsize=65_536)
def _stem(word: str) -> str:
    return _english_stemmer().stemWord(word)


def stem_words(words: Sequence[str]) -> list[str]:
    """Snowball stems of lower-case English words ("incinerators" -> "inciner").

    Each word is stemmed once per process: the pure-Python stemmer costs ~0.1 ms a word, and the
    rule engine stems every sentence of an English need again (`matcher bench` profile).
    """
    return [_stem(w) for w in words]


def english_stems(text: str) -> list[str]:
    """Lower-cased, Snowball-stemmed English words of a text."""
    return stem_words(_WORD.findall(text.lower()))


_CUT_STEMS = frozenset(stem_words([cue.split()[0] for cue in ENGLISH_AWAY_CUES]))
_END_STEMS = frozenset(stem_words(ENGLISH_SCOPE_END))


@dataclass(frozen=True)
class EnglishSentence:
    """One sentence of an English text, stemmed: all its words in order, and those asked for."""

    stems: tuple[str, ...]
    asked: frozenset[str]
    words: frozenset[str]  # the stems as a set: every restricted item's phrases are tested on it

    def contains(self, phrase: tuple[str, ...]) -> bool:
        """Whether the stems of `phrase` occur here in a row (for exclusions: "medical waste")."""
        n = len(phrase)
        return any(self.stems[i : i + n] == phrase for i in range(len(self.stems) - n + 1))


def english_sentence(words: Sequence[str]) -> EnglishSentence:
    """One sentence's lower-case words -> its stems, and the stems it asks for.

    A cue ("instead of", "without", "replace", ...) starts a span of what the need moves away
    from, which "with"/"by" end; "-free" negates the word before it ("mercury-free"). This is the
    English counterpart of the rule engine's cue scopes ("thay vì", "không dùng").
    """
    stems = stem_words(words)
    asked: list[str] = []
    rejecting = False
    for stem in stems:
        if stem in _CUT_STEMS:
            rejecting = True
        elif stem in _END_STEMS:
            rejecting = False
        elif stem == "free":
            if asked:
                asked.pop()
        elif not rejecting:
            asked.append(stem)
    return EnglishSentence(tuple(stems), frozenset(asked), frozenset(stems))


def mostly_english(text: str) -> bool:
    """True for English text even when it carries a few Vietnamese names ("our plant in Thủy Nguyên").

    Diacritics alone mark a need as Vietnamese; a foreign manager who writes the place names
    properly would then lose the glossary. English here means: at least three words in four
    without Vietnamese letters, and at least two distinct English-only function words (one in a
    text of fewer than eight words: "A tannery for cow leather").
    """
    words = _LETTERS.findall(text.lower())
    if not words:
        return False
    plain = sum(1 for w in words if w.isascii())
    function_words = {w for w in words if w in _ENGLISH_ONLY}
    return plain / len(words) >= 0.75 and len(function_words) >= (1 if len(words) < 8 else 2)


class GlossaryError(TechmatchError, ValueError):
    """The glossary file is missing or malformed (duplicate or empty entries): fix the file."""


@dataclass(frozen=True)
class TermMatch:
    """One English phrase of the need and the Vietnamese catalog terms it stands for."""

    english: str
    vietnamese: tuple[str, ...]


class _UniqueKeyLoader(yaml.SafeLoader):
    """YAML loader that refuses duplicate keys (a silent overwrite would drop a translation)."""


def _construct_unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict:
    mapping: dict = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node)
        if key in mapping:
            raise GlossaryError(
                f"Bảng thuật ngữ: thuật ngữ {key!r} lặp lại (dòng {key_node.start_mark.line + 1}); gộp hai dòng làm một."
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping)


class Glossary:
    """Stemmed English phrases -> Vietnamese terms."""

    def __init__(self, entries: dict[str, list[str]]) -> None:
        # Two keyings: Snowball stems (the default: "sensors" finds "sensor"), and the lower-case
        # words themselves for a phrase written "=word", whose stem other words share with
        # another meaning ("important" stems to "import").
        self._phrases: dict[tuple[str, ...], list[str]] = {}
        self._exact: dict[tuple[str, ...], list[str]] = {}
        for vietnamese, english_phrases in entries.items():
            if not isinstance(vietnamese, str) or not vietnamese.strip():
                raise GlossaryError(f"Bảng thuật ngữ: thuật ngữ rỗng hoặc không phải chữ: {vietnamese!r}.")
            if not isinstance(english_phrases, list) or not english_phrases:
                raise GlossaryError(
                    f"Bảng thuật ngữ: {vietnamese!r} cần một danh sách cụm từ tiếng Anh, ví dụ [wastewater]."
                )
            vi = normalize(vietnamese)  # one tone-mark placement, as the catalog's text gets
            for phrase in english_phrases:
                text = str(phrase)
                exact = text.startswith("=")
                key = tuple(_WORD.findall(text[1:].lower())) if exact else tuple(english_stems(text))
                if not key:
                    raise GlossaryError(
                        f"Bảng thuật ngữ: {vietnamese!r} có cụm từ tiếng Anh rỗng: {phrase!r}."
                    )
                targets = (self._exact if exact else self._phrases).setdefault(key, [])
                if vi not in targets:
                    targets.append(vi)
        self._longest = max((len(k) for k in [*self._phrases, *self._exact]), default=0)
        self.vietnamese_terms = frozenset(
            vi for table in (self._phrases, self._exact) for targets in table.values() for vi in targets
        )

    @classmethod
    def load(cls, path: Path = GLOSSARY_PATH) -> Glossary:
        if not path.is_file():
            raise GlossaryError(f"Không tìm thấy bảng thuật ngữ Anh-Việt {path} (TECHMATCH_GLOSSARY_PATH).")
        try:  # _UniqueKeyLoader is a SafeLoader: no arbitrary objects
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise GlossaryError(f"Bảng thuật ngữ {path} không phải YAML UTF-8 hợp lệ: {exc}") from exc
        if not isinstance(data, dict) or not data:
            raise GlossaryError(
                f"Bảng thuật ngữ {path} phải là một bảng `thuật ngữ tiếng Việt: [cụm từ tiếng Anh, ...]`."
            )
        return cls(data)

    def matches(self, text: str) -> list[TermMatch]:
        """Glossary phrases found in `text`, left to right, longest first, each phrase once."""
        words = _WORD.findall(text.lower())
        stems = english_stems(text)
        found: list[TermMatch] = []
        seen: set[tuple[str, ...]] = set()
        i = 0
        while i < len(stems):
            for length in range(min(self._longest, len(stems) - i), 0, -1):
                key = tuple(stems[i : i + length])
                targets = self._exact.get(tuple(words[i : i + length])) or self._phrases.get(key)
                if targets:
                    if key not in seen:
                        seen.add(key)
                        found.append(TermMatch(" ".join(words[i : i + length]), tuple(targets)))
                    i += length
                    break
            else:
                i += 1
        return found


@dataclass(frozen=True)
class GlossaryCoverage:
    """Which of a catalog's terms an English need can reach through the glossary."""

    terms: int  # distinct multi-syllable terms in the entries' names and keywords
    covered: int
    uncovered: list[tuple[str, int]]  # (term, number of entries using it), most used first

    @property
    def share(self) -> float:
        return self.covered / self.terms if self.terms else 1.0


def glossary_coverage(entry_texts: Iterable[str], glossary: Glossary) -> GlossaryCoverage:
    """Catalog terms without an English phrase, for whoever extends the glossary for a catalog.

    Terms are underthesea compounds of each entry's name and keywords (names carry the domain
    words; descriptions add function words). A term counts as covered when it is a glossary term
    or a whole-word part of one ("mái nhà" inside "điện mặt trời mái nhà"), or when it is written
    in plain ASCII ("digital twin", "opc ua"): an English need types those as they are.
    """
    from matcher.text.segment import compounds  # underthesea: heavy, only when asked

    known = [f" {lower(t)} " for t in glossary.vietnamese_terms]
    counts: Counter[str] = Counter()
    for text in entry_texts:
        counts.update({c.replace("_", " ") for c in compounds(normalize(text))})
    uncovered = [
        (term, n)
        for term, n in counts.most_common()
        if not term.isascii() and not any(f" {term} " in k for k in known)
    ]
    return GlossaryCoverage(terms=len(counts), covered=len(counts) - len(uncovered), uncovered=uncovered)


@lru_cache(maxsize=4)
def load_glossary(path: Path | None = None) -> Glossary:
    """The glossary at `path` (None: the shipped one), loaded once per process."""
    return Glossary.load(path or GLOSSARY_PATH)

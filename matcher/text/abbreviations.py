"""Vietnamese abbreviations read as what they stand for: "XLNT" -> "xử lý nước thải".

Businesses write "cần hệ thống XLNT cho KCN" or "thuốc BVTV sinh học"; the catalog writes the
words in full. Neither BM25 nor the embedding model can tell that "CTNH" means "chất thải nguy
hại", so a need written with abbreviations missed the entries about exactly that. The table
(`data/abbreviations_vi.yaml`) holds only subject-matter abbreviations with one reading; no
key has the shape of a Vietnamese syllable, so none collides with a word typed without marks.

Expansion replaces the abbreviation in place, so that the words stay next to their neighbours
for the rules' phrases ("lò đốt CTNH" reads "lò đốt chất thải nguy hại"). It runs on needs (after
diacritic restoration, which leaves acronyms alone), on catalog passages at index build and
inside the rule engine, so all three read the same words. People see what was read as what.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from matcher.errors import TechmatchError
from matcher.text.crosslingual import TermMatch
from matcher.text.diacritics import is_vietnamese_syllable
from matcher.text.normalize import fold, fold_word, normalize

_WORD_RE = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Expanded:
    """A text with its abbreviations written out, and which ones were, as the glossary's term
    matches are (typed word -> the catalog words it was read as), so explanations show both."""

    text: str
    terms: list[TermMatch] = field(default_factory=list)


@lru_cache(maxsize=4)
def load_abbreviations(path: Path | None = None) -> dict[str, str]:
    """Folded abbreviation -> expansion. A malformed table fails loudly, naming the entry."""
    if path is None:
        raw = (
            resources.files("matcher.text").joinpath("data/abbreviations_vi.yaml").read_text(encoding="utf-8")
        )
        where = "matcher/text/data/abbreviations_vi.yaml"
    else:
        raw, where = Path(path).read_text(encoding="utf-8"), str(path)
    data = yaml.safe_load(raw) or {}
    if not isinstance(data, dict):
        raise TechmatchError(f"Bảng viết tắt {where} phải là các dòng 'viết tắt: từ đầy đủ'.")
    table: dict[str, str] = {}
    for key, value in data.items():
        folded = fold(str(key))
        if (
            not folded.isalnum()
            or is_vietnamese_syllable(folded)
            or not isinstance(value, str)
            or not value.strip()
        ):
            raise TechmatchError(
                f"Bảng viết tắt {where}: mục {key!r} không hợp lệ (viết tắt là một từ không thể là "
                "âm tiết tiếng Việt, kèm từ đầy đủ không trống)."
            )
        if folded in table:
            raise TechmatchError(f"Bảng viết tắt {where}: '{key}' bị lặp.")
        table[folded] = normalize(value)
    return table


def expand(text: str, table: dict[str, str] | None = None) -> Expanded:
    """`text` with every abbreviation of the table replaced by its expansion (idempotent)."""
    table = load_abbreviations() if table is None else table
    terms: list[TermMatch] = []

    def one(match: re.Match[str]) -> str:
        word = match.group(0)
        expansion = table.get(fold_word(word))  # cached: this runs on every word
        if expansion is None:
            return word
        term = TermMatch(word, (expansion,))
        if term not in terms:
            terms.append(term)
        return expansion

    out = _WORD_RE.sub(one, text)
    return Expanded(out, terms) if terms else Expanded(text)

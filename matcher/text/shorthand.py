"""Chat shorthand read as the words it stands for: "ko dùng lò đốt nữa" -> "không dùng lò đốt nữa".

Needs arrive from phones and survey forms, where "ko", "đc", "cx", "ntn" are how people write
"không", "được", "cũng", "như thế nào". Left as typed, "ko" is no word to any channel: the
rules' cue "không dùng" did not apply, so a business moving away from a small incinerator was
warned as if it wanted one; the diacritic restorer counted "ko" and "ntn" as foreign words, so a
chatty unaccented need could fail its "is this Vietnamese" test and be searched unrestored.

The table (`data/shorthand_vi.yaml`) is separate from the abbreviation table because its keys
may have a syllable's shape, which that table refuses. What makes reading them safe is where:
only a word typed in lower case (capitalised at the start of a sentence), not glued to other
characters ("k-means"), not after a number ("50 k", "20 ms" are units), and not in a text
written mostly in English ("A vs B"). Hand-written because no maintained library reads
Vietnamese chat shorthand.

Expansion runs before diacritic restoration. In a text typed without marks the words go in
without marks too ("ko muon" -> "khong muon"), so the text stays unaccented and the restorer
puts the marks back with the context it needs; the user is shown the accented reading.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from matcher.errors import TechmatchError
from matcher.text.abbreviations import Expanded
from matcher.text.crosslingual import TermMatch, mostly_english
from matcher.text.normalize import fold, has_diacritics, normalize

# A whole word: not glued by a hyphen, slash, dot, apostrophe or @ to other characters.
_WORD_RE = re.compile(r"(?<![\w\-/.@'&])\w+(?![\w\-/@'&]|\.\w)", re.UNICODE)
_NUMBER_BEFORE_RE = re.compile(r"\d[\d.,]*\s*$")
_SENTENCE_START_RE = re.compile(r"(?:^|[.!?…:;\n]\s*)$")


@lru_cache(maxsize=4)
def load_shorthand(path: Path | None = None) -> dict[str, str]:
    """Lower-case shorthand -> its words (NFC). A malformed table fails loudly, naming the entry."""
    if path is None:
        raw = resources.files("matcher.text").joinpath("data/shorthand_vi.yaml").read_text(encoding="utf-8")
        where = "matcher/text/data/shorthand_vi.yaml"
    else:
        raw, where = Path(path).read_text(encoding="utf-8"), str(path)
    data = yaml.safe_load(raw) or {}
    if not isinstance(data, dict):
        raise TechmatchError(
            f"Bảng chữ viết tắt khi nhắn tin {where} phải là các dòng 'viết tắt: từ đầy đủ'."
        )
    table: dict[str, str] = {}
    for key, value in data.items():
        word = normalize(str(key))
        if not word.isalnum() or word != word.lower() or not isinstance(value, str) or not value.strip():
            raise TechmatchError(
                f"Bảng chữ viết tắt khi nhắn tin {where}: mục {key!r} không hợp lệ (viết tắt là một từ "
                "viết thường, kèm từ đầy đủ không trống)."
            )
        table[word] = normalize(value)
    return table


def expand_shorthand(text: str, table: dict[str, str] | None = None) -> Expanded:
    """`text` (NFC) with its chat shorthand written out, and which words were read as what."""
    table = load_shorthand() if table is None else table
    if not text or mostly_english(text):
        return Expanded(text)
    unaccented = not has_diacritics(text)
    terms: list[TermMatch] = []

    def one(match: re.Match[str]) -> str:
        word = match.group(0)
        key = word.lower()
        words = table.get(key)
        if words is None or not _typed_as_shorthand(word, text, match.start()):
            return word
        term = TermMatch(word, (words,))
        if term not in terms:
            terms.append(term)
        written = fold(words) if unaccented else words
        return written[0].upper() + written[1:] if word[0].isupper() else written

    out = _WORD_RE.sub(one, text)
    return Expanded(out, terms) if terms else Expanded(text)


def _typed_as_shorthand(word: str, text: str, start: int) -> bool:
    """Lower case, or capitalised where a sentence starts; and not a unit after a number."""
    before = text[:start]
    if _NUMBER_BEFORE_RE.search(before):
        return False
    if word.islower():
        return True
    return (
        len(word) > 1 and word[0].isupper() and word[1:].islower() and bool(_SENTENCE_START_RE.search(before))
    )

"""Vietnamese text normalisation: the one place that decides what "the same text" means.

Why hand-written: Vietnamese has two tone-mark placements in common use ("hoà"/"hòa",
"thuỷ"/"thủy") and keyboards produce misplaced marks ("qúy"); no maintained library exposes a
small, fast, side-effect-free function for just that (underthesea's `text_normalize` also
re-spaces punctuation and is slower), so the syllable rule below is ours. Everything else
(NFC, case folding) is the standard library.

Every text entering techmatch goes through `normalize`; the lexical channel and the rule
matcher also use `fold` (no diacritics, đ -> d), so that "xu ly nuoc thai" meets "xử lý nước
thải". Numbers are left untouched ("4.000", "0,3") because the rules read them.

Matching keys (`fold`, `lower`) also write the i/y spelling variants one way: Vietnamese
accepts both "xử lý" and "xử lí", "kỹ thuật" and "kĩ thuật", "quy trình" and "qui trình",
"công ty" and "công ti", and writers (and catalogs) mix them, so a syllable whose whole vowel
is y after one of the consonants that take either spelling (h k l m s t v, qu) is keyed with i.
Words where y is part of a longer vowel ("thủy", "tuy", "hay", "yêu") or cannot be written with
i are untouched. Text shown to people keeps the writer's spelling (`normalize` does not do it).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

#: Bumped whenever normalisation output changes; indexes record it and refuse a mismatch.
#: 2: a line break that ends a sentence becomes ". "; 3: never ". ." after one; 4: i/y spellings;
#: 5: abbreviations written out in passages (matcher/text/abbreviations.py)
PIPELINE_VERSION = "5"

# Combining tone marks (the five Vietnamese tones other than level).
_TONE_MARKS = {
    "\u0300": "grave",  # huyền
    "\u0301": "acute",  # sắc
    "\u0303": "tilde",  # ngã
    "\u0309": "hook",  # hỏi
    "\u0323": "dot",  # nặng
}
# Combining marks that change the vowel itself (kept on their letter).
_VOWEL_MARKS = {"\u0302", "\u0306", "\u031b"}  # circumflex, breve, horn
_CONTROL_RE = re.compile(
    r"[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202f\u2060\ufeff]"
)
_SPACE_RE = re.compile(r"\s+")
# A line break ends a sentence when the next line is a list item, starts with a capital letter
# or follows a blank line; a lower-case next line continues the sentence (text wrapped by hand).
_LINE_BREAK_RE = re.compile(r"[ \t]*\r?\n(\s*)(?=[-•*+–]|\d+[.)]\s|[^\W\d_])")
_SENTENCE_PUNCT = ".!?;:"
_WORD_RE = re.compile(r"\w+", re.UNICODE)
# A lower-case syllable "consonant + y" whose y may also be written i (see the module docstring).
# "_" counts as a boundary: compounds join their syllables with it ("xử_lý").
_I_OR_Y_RE = re.compile(r"(?<![^\W_])(h|k|l|m|s|t|v|qu)([yýỳỷỹỵ])(?![^\W_])", re.IGNORECASE)
_ANY_Y_RE = re.compile("[yýỳỷỹỵYÝỲỶỸỴ]")
_Y_TO_I = str.maketrans("yýỳỷỹỵYÝỲỶỸỴ", "iíìỉĩịIÍÌỈĨỊ")


def _decompose_syllable(word: str) -> tuple[list[str], str | None]:
    """Split a word into base letters with their vowel marks, and its tone mark (if any)."""
    letters: list[str] = []
    tone: str | None = None
    for ch in unicodedata.normalize("NFD", word):
        if ch in _TONE_MARKS:
            tone = ch
        elif unicodedata.combining(ch) and letters:
            letters[-1] += ch
        else:
            letters.append(ch)
    return letters, tone


def _tone_position(letters: list[str]) -> int | None:
    """Index of the letter that carries the tone, by the traditional ("hòa", "thủy") rule."""
    lower = [unicodedata.normalize("NFD", letter.lower()) for letter in letters]
    vowel_idx = [i for i, letter in enumerate(lower) if letter[0] in "aeiouy"]
    if not vowel_idx:
        return None
    # A syllable has one vowel nucleus; a word with two ("catốt", a loanword written as one
    # word) is not a syllable, so its mark is left where the writer put it.
    if vowel_idx[-1] - vowel_idx[0] + 1 != len(vowel_idx):
        return None
    run = vowel_idx
    # "qu" and "gi": the u / i belongs to the consonant when another vowel follows.
    if len(run) > 1 and run[0] > 0:
        first = lower[run[0]][0]
        prev = lower[run[0] - 1][0]
        if (prev == "q" and first == "u") or (prev == "g" and first == "i"):
            run = run[1:]
    # A vowel carrying its own mark (â ă ê ô ơ ư) takes the tone; for "ươ" it is the ơ.
    marked = [i for i in run if any(m in lower[i] for m in _VOWEL_MARKS)]
    if marked:
        return marked[-1]
    has_final = run[-1] < len(letters) - 1
    if len(run) == 1:
        return run[0]
    if len(run) >= 3:
        return run[1]
    # Two plain vowels: on the second when a final consonant follows, otherwise on the first.
    return run[1] if has_final else run[0]


@lru_cache(maxsize=65_536)
def fix_tone_placement(word: str) -> str:
    """Move a misplaced tone mark to its canonical letter: "hoà" -> "hòa", "qúy" -> "quý"."""
    letters, tone = _decompose_syllable(word)
    if tone is None or not any(c.isalpha() for c in word):
        return word
    pos = _tone_position(letters)
    if pos is None:
        return word
    letters[pos] = letters[pos] + tone
    return unicodedata.normalize("NFC", "".join(letters))


def _fix_word(match: re.Match[str]) -> str:
    word = match.group(0)
    if word.isascii():
        return word
    return fix_tone_placement(word)


def _line_break(match: re.Match[str]) -> str:
    """ ". " where a line break ends a sentence, else " ": joining lines must not merge sentences.

    Bullet lists ("- gạch đất sét nung" / "- gạch không nung") are one item per line; read as
    one sentence, an exclusion on one line would cancel a rule's trigger on another.
    """
    text, k = match.string, match.start() - 1
    while k >= 0 and text[k].isspace():
        k -= 1
    if k >= 0 and text[k] in _SENTENCE_PUNCT:  # already ended ("foo. \r\nBar"): just a space
        return " "
    following = match.string[match.end() : match.end() + 1]
    blank_line = "\n" in match.group(1)
    ends = blank_line or not following.isalpha() or following.isupper()
    return ". " if ends else " "


def normalize(text: str) -> str:
    """NFC, one tone-mark placement, no control characters, single spaces. Case is kept.

    Line breaks become spaces, or ". " where they end a sentence (see `_line_break`).
    """
    if not isinstance(text, str):
        raise TypeError(f"normalize expects str, got {type(text).__name__}")
    text = unicodedata.normalize("NFC", text)
    if "\n" in text:
        text = _LINE_BREAK_RE.sub(_line_break, text)
    text = _CONTROL_RE.sub(" ", text)
    text = _WORD_RE.sub(_fix_word, text)
    return _SPACE_RE.sub(" ", text).strip()


def strip_diacritics(text: str) -> str:
    """Remove every Vietnamese diacritic (tone and vowel marks, đ -> d); case is kept."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def canonical_i(text: str) -> str:
    """The text with the i/y spelling variants written with i, case kept: "Xử lý" -> "Xử lí".

    The matching keys apply it to lower-cased text; `matcher eval` uses it to respell needs the
    way a writer who prefers i types them. Keeps the length, so offsets into the text stay valid
    (the rule engine relies on it).
    """
    if _ANY_Y_RE.search(text) is None:
        return text
    return _I_OR_Y_RE.sub(lambda m: m.group(1) + m.group(2).translate(_Y_TO_I), text)


def fold(text: str) -> str:
    """The lexical key of a text: normalised, lower-cased, without diacritics, i/y one way."""
    return canonical_i(strip_diacritics(normalize(text).lower()))


@lru_cache(maxsize=65_536)
def fold_word(word: str) -> str:
    """`fold` of one word, cached: explanations fold the same need words for every result shown,
    and a catalog's vocabulary is small, so this is most of their cost without a cache."""
    return fold(word)


def lower(text: str) -> str:
    """The accented lexical key: normalised, lower-cased, diacritics kept, i/y one way."""
    return canonical_i(normalize(text).lower())


def words(text: str) -> list[str]:
    """Alphanumeric runs of a text (Vietnamese letters included), in order."""
    return _WORD_RE.findall(text)


#: Every lower-case Vietnamese letter that carries a mark (đ included): the one list of them.
VI_MARKED_LETTERS = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
_VI_MARKED_CHARS = frozenset(VI_MARKED_LETTERS)


def has_diacritics(text: str) -> bool:
    """True when the text carries at least one Vietnamese diacritic (or đ)."""
    return any(c in _VI_MARKED_CHARS for c in text.lower())

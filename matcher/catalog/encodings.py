"""Turn the bytes of a catalog file into Unicode text, whatever Vietnamese encoding it was saved in.

Vietnamese offices still produce files in five encodings: UTF-8 (with or without BOM), UTF-16
(Excel's "Unicode text"), Windows-1258 (which stores tones as *combining* marks), and the two
legacy font encodings TCVN3/ABC (.VnTime fonts) and VNI (VNI-Times fonts). The legacy ones are
not encodings Python knows: the bytes are plain Windows-1252 and only the font draws them as
Vietnamese, so a naive decode gives "C«ng nghÖ" (TCVN3) or "Coâng ngheä" (VNI).

Detection: BOM, then strict UTF-8, then every candidate (cp1258, TCVN3, VNI, cp1252 and
charset-normalizer's own guess) is decoded and scored by how many of its words are valid
Vietnamese syllables; the most Vietnamese reading wins. charset-normalizer alone cannot do this:
it has no notion of TCVN3/VNI and confuses cp1258 with cp1252.

Why the TCVN3/VNI tables are hand-written: the one maintained PyPI package that converts them
(viparse 0.1.x) is a whole RAG document loader in beta with one maintainer, and its VNI table
deliberately leaves out "ẳ". Both encodings are small, fixed, published layouts (TCVN 5712:1993
VN3; the VNI-Windows font chart), so the tables below are generated from their rules and tested
round-trip on real sentences (tests/catalog/test_encodings.py). Our TCVN3 table agrees entry
for entry with viparse's corpus-derived one.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from matcher.errors import CatalogError

#: Names used in `DecodedText.encoding` for the two font encodings Python has no codec for.
TCVN3 = "tcvn3"
VNI = "vni"
LEGACY_ENCODINGS = (TCVN3, VNI)
#: The candidates tried (in this order, which also breaks ties) when a file is not UTF-8.
CANDIDATES: tuple[str, ...] = ("cp1258", TCVN3, VNI, "cp1252")
#: Below this share of valid syllables a text is not considered Vietnamese at all.
VIETNAMESE_MIN_SCORE = 0.3

_TRIED_VI = "UTF-8, UTF-8 có BOM, UTF-16, Windows-1258 (cp1258), TCVN3 (ABC), VNI, Windows-1252"
_FIX_VI = (
    'Hãy mở tệp bằng Excel hoặc Notepad và lưu lại dạng "CSV UTF-8" (nếu tệp gõ bằng phông '
    ".VnTime/VNI-Times, hãy chuyển mã sang Unicode bằng Unikey trước)."
)


@dataclass(frozen=True)
class DecodedText:
    """Decoded text (NFC) and the name of the encoding it was read as."""

    text: str
    encoding: str


# ---- legacy tables ---------------------------------------------------------------------------
# Tone order used by both tables below: grave (huyền), hook (hỏi), tilde (ngã), acute (sắc), dot (nặng).
_TONES = ("\u0300", "\u0309", "\u0303", "\u0301", "\u0323")

# TCVN 5712:1993 VN3 ("ABC"): one byte per lowercase letter; uppercase exists only for the
# seven letters without a tone (headings typed in .VnTimeH fonts come back lowercase).
_TCVN3_TONED = {
    "a": (0xB5, 0xB6, 0xB7, 0xB8, 0xB9),
    "ă": (0xBB, 0xBC, 0xBD, 0xBE, 0xC6),
    "â": (0xC7, 0xC8, 0xC9, 0xCA, 0xCB),
    "e": (0xCC, 0xCE, 0xCF, 0xD0, 0xD1),
    "ê": (0xD2, 0xD3, 0xD4, 0xD5, 0xD6),
    "i": (0xD7, 0xD8, 0xDC, 0xDD, 0xDE),
    "o": (0xDF, 0xE1, 0xE2, 0xE3, 0xE4),
    "ô": (0xE5, 0xE6, 0xE7, 0xE8, 0xE9),
    "ơ": (0xEA, 0xEB, 0xEC, 0xED, 0xEE),
    "u": (0xEF, 0xF1, 0xF2, 0xF3, 0xF4),
    "ư": (0xF5, 0xF6, 0xF7, 0xF8, 0xF9),
    "y": (0xFA, 0xFB, 0xFC, 0xFD, 0xFE),
}
_TCVN3_PLAIN = {
    "Ă": 0xA1,
    "Â": 0xA2,
    "Ê": 0xA3,
    "Ô": 0xA4,
    "Ơ": 0xA5,
    "Ư": 0xA6,
    "Đ": 0xA7,
    "ă": 0xA8,
    "â": 0xA9,
    "ê": 0xAA,
    "ô": 0xAB,
    "ơ": 0xAC,
    "ư": 0xAD,
    "đ": 0xAE,
}

# VNI-Windows: a base Latin letter followed by a mark character; uppercase letters pair an
# uppercase base with the uppercase mark (the mark's code minus 0x20).
_VNI_TONE = ("ø", "û", "õ", "ù", "ï")
_VNI_CIRCUMFLEX = ("à", "å", "ã", "á", "ä")  # â ê ô + tone
_VNI_BREVE = ("è", "ú", "ü", "é", "ë")  # ă + tone
_VNI_I = ("ì", "æ", "ó", "í", "ò")  # i + tone is one character
_VNI_BASE = {"ơ": "ô", "ư": "ö", "đ": "ñ"}


def _with_tone(letter: str, tone_index: int) -> str:
    return unicodedata.normalize("NFC", letter + _TONES[tone_index])


@cache
def tcvn3_table() -> dict[str, str]:
    """Unicode letter -> TCVN3 character (as the Latin-1 character of its byte)."""
    table = {u: chr(b) for u, b in _TCVN3_PLAIN.items()}
    for base, codes in _TCVN3_TONED.items():
        for tone, code in enumerate(codes):
            table[_with_tone(base, tone)] = chr(code)
    return table


def _vni_lower(letter: str) -> str | None:
    """VNI spelling of one lowercase Vietnamese letter, None if it is plain ASCII."""
    if letter in _VNI_BASE:
        return _VNI_BASE[letter]
    decomposed = unicodedata.normalize("NFD", letter)
    base = decomposed[0]
    marks = decomposed[1:]
    tone = next((i for i, t in enumerate(_TONES) if t in marks), None)
    vowel_mark = next((m for m in marks if m in "\u0302\u0306\u031b"), None)
    if vowel_mark == "\u031b":  # horn: ơ/ư are base characters of their own
        head = _VNI_BASE[unicodedata.normalize("NFC", base + vowel_mark)]
        return head + ("" if tone is None else _VNI_TONE[tone])
    if vowel_mark == "\u0302":
        return base + ("â" if tone is None else _VNI_CIRCUMFLEX[tone])
    if vowel_mark == "\u0306":
        return base + ("ê" if tone is None else _VNI_BREVE[tone])
    if tone is None:
        return None
    if base == "i":
        return _VNI_I[tone]
    if base == "y" and tone == 4:
        return "î"
    return base + _VNI_TONE[tone]


def _vietnamese_letters() -> list[str]:
    letters = ["đ"]
    for base in ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"):
        if not base.isascii():
            letters.append(base)
        letters.extend(_with_tone(base, t) for t in range(5))
    return letters


@cache
def vni_table() -> dict[str, str]:
    """Unicode letter -> VNI spelling (one or two Latin-1 characters), both cases."""
    table: dict[str, str] = {}
    for letter in _vietnamese_letters():
        spelled = _vni_lower(letter)
        if spelled is None:
            continue
        table[letter] = spelled
        upper = "".join(c.upper() if c.isascii() else chr(ord(c) - 0x20) for c in spelled)
        table[letter.upper()] = upper
    return table


@cache
def _decode_maps() -> dict[str, dict[str, str]]:
    """Inverse tables, legacy spelling -> Unicode. VNI also accepts an uppercase base letter
    with a lowercase mark, which Vietnamese typists produce with Caps Lock off."""
    tcvn3 = {v: k for k, v in tcvn3_table().items()}
    vni = {v: k for k, v in vni_table().items()}
    for letter, spelled in vni_table().items():
        if letter.islower() and len(spelled) == 2 and spelled[0].isascii():
            vni.setdefault(spelled[0].upper() + spelled[1], letter.upper())
    vni.setdefault("yï", "ỵ")
    vni.setdefault("Yï", "Ỵ")
    vni.setdefault("YÏ", "Ỵ")
    return {TCVN3: tcvn3, VNI: vni}


# Bytes 0x80-0x9F: Windows-1252 punctuation (curly quotes, dashes) rather than C1 controls.
_CP1252_C1 = {
    chr(b): bytes([b]).decode("cp1252") for b in range(0x80, 0xA0) if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}


@cache
def _legacy_converters() -> dict[str, Callable[[str], str]]:
    maps = _decode_maps()
    tcvn3 = str.maketrans({**_CP1252_C1, **maps[TCVN3]})
    vni_map = {**_CP1252_C1, **maps[VNI]}
    vni_re = re.compile("|".join(re.escape(k) for k in sorted(vni_map, key=len, reverse=True)))
    return {
        TCVN3: lambda text: text.translate(tcvn3),
        VNI: lambda text: vni_re.sub(lambda m: vni_map[m.group(0)], text),
    }


def convert_legacy(text: str, encoding: str) -> str:
    """Convert text whose characters are the Latin-1 reading of TCVN3 or VNI bytes to Unicode.

    Works on any piece of text (a line, a cell) because no legacy spelling spans a line break;
    that is what lets the streaming reader convert row by row.
    """
    return unicodedata.normalize("NFC", _legacy_converters()[encoding](text))


def encode_legacy(text: str, encoding: str) -> bytes:
    """Unicode -> TCVN3/VNI bytes (the inverse of `convert_legacy`); used to build test files.

    TCVN3 has no uppercase toned letters: like a .VnTimeH heading, they are written lowercase.
    """
    table = tcvn3_table() if encoding == TCVN3 else vni_table()
    chars = (table.get(c) or table.get(c.lower(), c) for c in unicodedata.normalize("NFC", text))
    return "".join(chars).encode("latin-1")


def encode_cp1258(text: str) -> bytes:
    """Unicode -> Windows-1258 the way Windows writes it: a precomposed letter where the code page
    has one, otherwise the base letter followed by a combining tone mark (used to build test files)."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", ch)
            tones = "".join(c for c in decomposed if c in _TONE_SET)
            base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_SET))
            out += (base + tones).encode("cp1258")
    return bytes(out)


# ---- how Vietnamese a text looks -------------------------------------------------------------
_ONSET = "ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x"
_NUCLEUS = (
    "iêu|oai|oao|oay|oeo|uây|uôi|uya|uyê|uyu|ươi|ươu|yêu|"
    "ai|ao|au|ay|âu|ây|eo|êu|ia|iê|iu|oa|oă|oe|oi|oo|ôi|ơi|ua|uâ|uê|ui|uô|uơ|uy|ưa|ưi|ươ|ưu|yê|"
    "a|ă|â|e|ê|i|o|ô|ơ|u|ư|y"
)
_CODA = "ch|ng|nh|c|m|n|p|t"
_SYLLABLE_RE = re.compile(f"^(?:{_ONSET})?(?:{_NUCLEUS})(?:{_CODA})?$")
_TONE_SET = set(_TONES)
_EDGE_PUNCT = "\"'()[]{}.,;:!?-–—/\\*•…“”‘’<>«»"


def is_vietnamese_syllable(word: str) -> bool:
    """True when `word` is spelled like one Vietnamese syllable (at most one tone mark)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    if sum(c in _TONE_SET for c in decomposed) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_SET))
    return bool(_SYLLABLE_RE.match(bare))


def vietnamese_score(text: str, max_words: int = 20_000) -> float:
    """Share of the words of `text` that are valid Vietnamese syllables (0 when it has no words).

    A wrong decoding of Vietnamese splits syllables with symbols ("C«ng") or leaves stray marks
    ("Coâng"), so the right decoding scores far higher than any wrong one.
    """
    total = valid = 0
    for raw in text.split():
        word = raw.strip(_EDGE_PUNCT)
        if not word or any(c.isdigit() for c in word):
            continue
        total += 1
        valid += is_vietnamese_syllable(word)
        if total >= max_words:
            break
    return valid / total if total else 0.0


# ---- decoding bytes --------------------------------------------------------------------------
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_BAD_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def bom_encoding(data: bytes) -> str | None:
    """The encoding announced by a byte-order mark, if any."""
    return next((enc for bom, enc in _BOMS if data.startswith(bom)), None)


def decode_with(data: bytes, encoding: str, final: bool = True) -> str:
    """Decode with a Python codec or a legacy table; raises UnicodeDecodeError on a bad codec read.

    `final=False` tolerates a multi-byte sequence cut at the end (a sample of a larger file).
    """
    if encoding in LEGACY_ENCODINGS:
        return convert_legacy(data.decode("latin-1"), encoding)
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    return unicodedata.normalize("NFC", decoder.decode(data, final=final))


def _charset_normalizer_guess(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return None if best is None else codecs.lookup(best.encoding).name


def _readings(data: bytes, final: bool) -> dict[str, str]:
    """Every candidate decoding that succeeds, by encoding name."""
    names = list(CANDIDATES)
    guess = _charset_normalizer_guess(data)
    if guess and guess not in names:
        names.append(guess)
    readings: dict[str, str] = {}
    for name in names:
        try:
            readings[name] = decode_with(data, name, final=final)
        except (UnicodeDecodeError, LookupError):
            continue
    if guess and guess in readings:  # charset-normalizer's pick goes first so it wins ties
        readings = {guess: readings.pop(guess), **readings}
    return readings


def _looks_binary(text: str) -> bool:
    sample = text[:100_000]
    return bool(sample) and len(_BAD_CONTROL_RE.findall(sample)) > 0.01 * len(sample)


def undecodable_error(source: str) -> CatalogError:
    where = f"tệp {source}" if source else "tệp"
    return CatalogError(f"Không nhận ra bảng mã của {where}. Đã thử: {_TRIED_VI}. {_FIX_VI}")


def detect_encoding(data: bytes, final: bool = True, source: str = "") -> str:
    """Name of the encoding `data` is most plausibly written in (see module docstring)."""
    bom = bom_encoding(data)
    if bom:
        return bom
    try:
        decode_with(data, "utf-8", final=final)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    readings = _readings(data, final)
    scored = {name: vietnamese_score(text) for name, text in readings.items() if not _looks_binary(text)}
    if not scored:
        raise undecodable_error(source)
    # Vietnamese first: the most Vietnamese reading, ties going to the order of CANDIDATES.
    ordered = [name for name in CANDIDATES if name in scored] + [n for n in scored if n not in CANDIDATES]
    best = max(ordered, key=lambda name: scored[name])
    if scored[best] >= VIETNAMESE_MIN_SCORE:
        return best
    # Not Vietnamese: charset-normalizer's guess if it is one of ours, else Windows-1252; its other
    # guesses (cp1250...) are wrong too often on short texts, so they serve only when nothing of
    # ours reads the bytes (UTF-16 without BOM, where our readings are full of NULs).
    guess = next(iter(scored))
    if guess in CANDIDATES:
        return guess
    return "cp1252" if "cp1252" in scored else guess


def decode_bytes(data: bytes, source: str = "") -> DecodedText:
    """Decode a whole file's bytes to NFC text; CatalogError (in Vietnamese) when nothing fits."""
    encoding = detect_encoding(data, final=True, source=source)
    try:
        text = decode_with(data, encoding)
    except UnicodeDecodeError as e:
        raise undecodable_error(source) from e
    if text.startswith("\ufeff"):
        text = text[1:]
    if _looks_binary(text):
        raise undecodable_error(source)
    return DecodedText(text=text, encoding=encoding)


# ---- legacy text inside Unicode files --------------------------------------------------------
_LEGACY_HINT_RE = re.compile(r"[\u00a1-\u00ff]")


def detect_legacy_text(sample: str) -> str | None:
    """TCVN3 or VNI when Unicode `sample` is really legacy-font text, else None.

    An XLSX/DOCX typed in .VnTime or VNI-Times fonts stores Latin-1 characters such as
    "C«ng nghÖ"; the file is valid Unicode, so only the plausibility score can tell.
    """
    if not _LEGACY_HINT_RE.search(sample):
        return None
    base = vietnamese_score(sample)
    best, best_score = None, base
    for encoding in LEGACY_ENCODINGS:
        score = vietnamese_score(convert_legacy(sample, encoding))
        if score > best_score + 0.1:
            best, best_score = encoding, score
    return best


def legacy_fixer(sample: str) -> tuple[Callable[[str], str] | None, str | None]:
    """(converter, encoding name) to apply to every cell of a table whose sample is legacy text."""
    encoding = detect_legacy_text(sample)
    if encoding is None:
        return None, None
    return (lambda s: convert_legacy(s, encoding)), encoding

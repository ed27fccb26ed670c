"""Numbers with units in Vietnamese technical text: "0,3 tấn/giờ", "4 nghìn tấn clinker mỗi ngày".

Why hand-written: the restricted list of plan 16 has thresholds (300 kg/h, 4.000 tấn clanhke/ngày,
70 tấn/mẻ, 3 triệu m2/năm...) and officers write capacities in many ways. No maintained
library parses Vietnamese number conventions ("." for thousands, "," for decimals, the words
nghìn/ngàn/triệu/tỷ) together with Vietnamese unit words, so the small grammar below does it.

Matching runs on the folded text (`fold`: lower case, no diacritics), which keeps character
offsets of the normalised text, so a quantity's `start`/`end` can be compared with the offsets
of rule phrases found by the engine on the same folded text.

A quantity is numerator / denominator. Units are reduced to a base per dimension (kg, m2, m3,
kWh over h, heat or tonne of product), so conversion is a ratio of factors, and a rule says
explicitly which written units it accepts (see `Quantity.to`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from matcher.text.normalize import normalize, strip_diacritics

# name -> (dimension, factor to the dimension's base)
_NUMERATORS: dict[str, tuple[str, float]] = {
    "g": ("mass", 0.001),
    "kg": ("mass", 1.0),
    "t": ("mass", 1000.0),
    "m2": ("area", 1.0),
    "m3": ("volume", 1.0),
    "kWh": ("energy", 1.0),
    "MWh": ("energy", 1000.0),
}
_DENOMINATORS: dict[str, tuple[str, float]] = {
    "h": ("time", 1.0),
    "day": ("time", 24.0),
    "month": ("time", 730.0),
    "year": ("time", 8760.0),
    "heat": ("heat", 1.0),
    "t": ("product", 1000.0),
    "kg": ("product", 1.0),
}

# Written forms (folded) -> canonical name. Longest alternatives first in the regexes.
_NUM_WORDS: dict[str, str] = {
    "kg": "kg",
    "kilogam": "kg",
    "kilogram": "kg",
    "g": "g",
    "gam": "g",
    "tan": "t",
    "t": "t",
    "ton": "t",
    "tons": "t",
    "tonne": "t",
    "tonnes": "t",
    "m2": "m2",
    "m²": "m2",
    "m^2": "m2",
    "$m^2$": "m2",
    "met vuong": "m2",
    "m3": "m3",
    "m³": "m3",
    "m^3": "m3",
    "$m^3$": "m3",
    "met khoi": "m3",
    "kwh": "kWh",
    "mwh": "MWh",
}
_DEN_WORDS: dict[str, str] = {
    "h": "h",
    "gio": "h",
    "hour": "h",
    "hr": "h",
    "ngay dem": "day",
    "ngay": "day",
    "day": "day",
    "d": "day",
    "thang": "month",
    "month": "month",
    "nam": "year",
    "year": "year",
    "yr": "year",
    "me": "heat",
    "heat": "heat",
    "batch": "heat",
    "lo": "heat",
    "tan": "t",
    "t": "t",
    "ton": "t",
    "tonne": "t",
    "kg": "kg",
}
_ENGLISH_UNITS = {"t", "ton", "tons", "tonne", "tonnes", "day", "hour", "hr", "year", "yr", "heat", "batch"}
_MULTIPLIERS: dict[str, float] = {
    "nghin": 1e3,
    "ngan": 1e3,
    "thousand": 1e3,
    "trieu": 1e6,
    "million": 1e6,
    "ty": 1e9,
    "ti": 1e9,
    "billion": 1e9,
}


def _alt(words: dict[str, str] | dict[str, float]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_NUMBER = r"(?<![\w.,])(?P<num>\d{1,3}(?:[.,]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
_MULT = rf"(?:\s*(?P<mult>{_alt(_MULTIPLIERS)})\b)?"
_NUM_UNIT = rf"\s*(?P<nu>{_alt(_NUM_WORDS)})(?![\w²³])"
# Up to three filler words between the unit and the per-part: "tấn clinker/ngày", "kg/tấn sản phẩm".
_FILLER = r"(?:\s+(?!moi\b|mot\b|tren\b|per\b)[a-z]+){0,3}?"
_PER = r"\s*(?:/|\bmoi\b|\bmot\b|\btren\b|\bper\b)\s*"
_DEN_UNIT = rf"(?P<du>{_alt(_DEN_WORDS)})(?![\w²³])"
_QUANTITY_RE = re.compile(_NUMBER + _MULT + _NUM_UNIT + rf"(?:{_FILLER}{_PER}{_DEN_UNIT})?")


@dataclass(frozen=True)
class Quantity:
    """A number with its unit as found in a text; `value` is in `unit` as written."""

    text: str  # as written in the text (normalised), e.g. "0,3 tấn/giờ"
    value: float
    unit: str  # canonical written unit, e.g. "t/h", "t" (a bare mass), "kWh/t"
    start: int  # offsets in the normalised text (same as in its folded form)
    end: int

    def to(self, unit: str, bare_means_per: bool = False) -> float | None:
        """The value in `unit`, or None when the dimensions differ (t/heat is not kg/h).

        `bare_means_per`: a bare amount ("lò 150 tấn") is read as the per-part of `unit`
        ("150 tấn/mẻ"); a rule opts in explicitly because only some capacities are written so.
        """
        src, dst = _factors(self.unit), _factors(unit)
        if src is None or dst is None or src[0] != dst[0]:
            return None
        if bare_means_per and not src[2]:
            return self.value * src[1] / dst[1]
        if src[2] != dst[2]:
            return None
        return self.value * (src[1] / dst[1]) / (src[3] / dst[3])


def _factors(unit: str) -> tuple[str, float, str, float] | None:
    """(numerator dimension, factor, denominator dimension, factor) of a canonical unit."""
    num, _, den = unit.partition("/")
    if num not in _NUMERATORS or (den and den not in _DENOMINATORS):
        return None
    n_dim, n_f = _NUMERATORS[num]
    d_dim, d_f = _DENOMINATORS[den] if den else ("", 1.0)
    return n_dim, n_f, d_dim, d_f


def is_known_unit(unit: str) -> bool:
    """True for units this module can convert (rules are validated against it)."""
    return _factors(unit) is not None


def parse_number(raw: str, english: bool = False) -> float:
    """Read "4.000", "0,3", "5.000.000", "1,2" the Vietnamese way; "4,000" the English way if asked.

    Vietnamese writes "." between thousands and "," before decimals. A single "," followed by
    exactly three digits is read as thousands only when the unit is English ("4,000 t/day").
    """
    if "." in raw and "," in raw:
        dec = "." if raw.rfind(".") > raw.rfind(",") else ","
        thousands = "," if dec == "." else "."
        return float(raw.replace(thousands, "").replace(dec, "."))
    for sep, is_vi_thousands in ((".", True), (",", False)):
        if sep not in raw:
            continue
        head, *groups = raw.split(sep)
        grouped = head != "0" and all(len(g) == 3 for g in groups)
        if grouped and (len(groups) > 1 or is_vi_thousands or english):
            return float(raw.replace(sep, ""))
        return float(raw.replace(sep, "."))
    return float(raw)


def find_quantities(text: str) -> list[Quantity]:
    """Every number-with-unit in a text, in order. Numbers without a unit are ignored."""
    shown = normalize(text)
    return find_quantities_in(shown, strip_diacritics(shown.lower()))


def find_quantities_in(shown: str, folded: str) -> list[Quantity]:
    """`find_quantities` for a text already normalised (`shown`) and folded: normalise once."""
    aligned = len(folded) == len(shown)
    found: list[Quantity] = []
    for m in _QUANTITY_RE.finditer(folded):
        num_unit = _NUM_WORDS[m.group("nu")]
        den_word = m.group("du")
        den_unit = _DEN_WORDS[den_word] if den_word else ""
        if den_unit == "heat" and den_word == "lo" and num_unit != "t":
            continue  # "lò" as a per-part only makes sense for furnace capacity in tonnes
        english = m.group("nu") in _ENGLISH_UNITS or (den_word or "") in _ENGLISH_UNITS
        value = parse_number(m.group("num"), english=english)
        if m.group("mult"):
            value *= _MULTIPLIERS[m.group("mult")]
        unit = f"{num_unit}/{den_unit}" if den_unit else num_unit
        if _factors(unit) is None:
            continue
        written = (shown if aligned else folded)[m.start() : m.end()]
        found.append(Quantity(text=written, value=value, unit=unit, start=m.start(), end=m.end()))
    return found

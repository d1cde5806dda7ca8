"""The agency and task shortcuts of issue #2 (round 4) give exactly what the simple code they
replace gives: role-cue starts by one Aho-Corasick pass over the squeezed view (the regex scan
is the oracle), task bodies squeezed by ``str.replace`` and slicing (``split``/``join`` is the
oracle), assignment headings from their matches found once (every agency of the heading found
plainly, ``oracles.agency_heading_reference``, is the oracle), candidates with their pattern's facts
looked up once (the former per-match lookups, kept below, are the oracle)."""
from __future__ import annotations

import dataclasses
import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vbgraph.ingest import agencies, gazetteer, tasks, topics
from vbgraph.ingest.agencies import _Cand, _guard_ok, _inside_code, _kind_index, _patterns
from vbgraph.ingest.gazetteer import match_view
from vbgraph.ingest.localities import foreign_name_regex, province_name_regex
from vbgraph.ingest.pipeline import _hooks
from vbgraph.ingest.tasks import extract_tasks
from vbgraph.ingest.provinces import Province, province_by_name
from vbgraph.ingest.sections import parse_outline
from vbgraph.ingest.text import fold, nfc

import importlib.util as _ilu
from pathlib import Path

_spec = _ilu.spec_from_file_location("ingest_oracles", Path(__file__).with_name("oracles.py"))
oracles = _ilu.module_from_spec(_spec)
_spec.loader.exec_module(oracles)



@pytest.fixture(scope="module")
def documents(extracted_plans) -> list[tuple[str, str | None]]:
    """The seeds and generated plans, cleaned as the pipeline cleans them, with their province."""
    return extracted_plans(25, 7)


# -- role-cue starts: Aho-Corasick over the squeezed view == the regex scan ----------------------
CUE_PARTS = ["Sở Ngoại vụ", "chủ trì", "Chủ trì", "phối hợp", "phối hợp chặt chẽ với", "phối hợp\nvới",
             "phối  hợp tốt", "đề nghị", "Đề\nnghị", "giao", "ngoại giao", "giao lưu", "tham mưu",
             "làm cơ quan đầu mối", "là cơ quan thường trực", "là đầu mối", "chịu trách nhiệm chính",
             "yêu cầu", "cơ quan\u00a0đầu mối", "x", "/giao", "1737/CT-TTg", "“giao”", "(chủ trì)", "2giao"]
CUE_SEPS = [" ", ", ", "; ", ". ", ": ", "\n", "\n- ", "\na) ", "/", "-", "  \n  ", "\t", "\u3000", ""]


@st.composite
def cue_views(draw):
    parts = draw(st.lists(st.tuples(st.sampled_from(CUE_PARTS), st.sampled_from(CUE_SEPS)), max_size=40))
    text = nfc("".join(w + s for w, s in parts))
    return match_view(text), draw(st.integers(0, len(text) + 1))


def _regex_cue_starts(view: str, pos: int) -> tuple[int, ...]:
    """The simple version: the trie regex scanned over the view."""
    return tuple(m.start() for m in agencies._cue_start_regex().finditer(view, pos))


@given(cue_views())
def test_cue_starts_from_the_squeeze_equal_the_regex_scan(case):
    view, pos = case
    squeezed = gazetteer._squeeze(view)
    expected = _regex_cue_starts(view, pos)
    assert agencies.cue_starts(view, pos, squeezed) == expected
    assert agencies.cue_starts(view, pos) == expected
    # each native scanner on its own (cue_starts takes the first one installed)
    assert agencies._cue_starts_scanned(squeezed, agencies._cue_scanner("py"), pos) == expected
    if gazetteer.ahocorasick_rs is not None:         # ahocorasick-rs installed
        assert agencies._cue_starts_scanned(squeezed, agencies._cue_scanner("rs"), pos) == expected


def test_both_native_cue_scanners_are_built():
    assert agencies._cue_scanner("py") is not None
    pytest.importorskip("ahocorasick_rs")
    assert agencies._cue_scanner("rs") is not None
    assert agencies._cue_scanner().backend == "rs"                   # the preferred one


def test_cue_starts_of_the_documents_equal_the_regex_scan(documents):
    found = 0
    for text, province in documents:
        document = agencies.document_agencies(text, province)
        assert document.squeezed is not None           # documents are long: squeezed once
        assert document.squeezed[0] == gazetteer._squeeze(document.view)[0]
        for pos in (0, 1, len(text) // 3):
            got = agencies.cue_starts(document.view, pos, document.squeezed)
            assert got == _regex_cue_starts(document.view, pos)
            assert agencies._cue_starts_scanned(document.squeezed, agencies._cue_scanner("py"), pos) == got
            found += len(got)
    assert found > 100


def test_short_views_carry_no_squeeze_and_still_find_their_cues():
    text = "Sở Ngoại vụ chủ trì, phối hợp với Công an tỉnh."
    document = agencies.document_agencies(text, "Kiên Giang")
    assert document.squeezed is None
    assert agencies.cue_starts(document.view) == _regex_cue_starts(document.view, 0) != ()


# -- task bodies: the squeeze by str.replace and slicing == split and join ------------------------
PLAIN_PARTS = ["Sở", "Ngoại vụ", "a", "ĐỊNH KỲ", "|", "**x**", "–—", ".", " ", "  ", "\n", "\n  ", "\n\n", "𝐀"]


@st.composite
def plain_texts(draw):
    """Texts whose only whitespace is spaces and line breaks (cleaned text: the str path)."""
    text = nfc("".join(draw(st.lists(st.sampled_from(PLAIN_PARTS), max_size=40))))
    start = draw(st.integers(0, len(text)))
    return text, start, draw(st.integers(start, len(text)))


@given(plain_texts())
def test_squeezed_plain_text_equals_splitting_and_joining(case):
    text, start, end = case
    folded = fold(text)
    assert tasks._Squeezed(text, folded).span(start, end) == \
        (" ".join(text[start:end].split()), " ".join(folded[start:end].split()))


@settings(max_examples=20)
@given(st.integers(1, 3), st.sampled_from(["  ", " \n", "\n\n\n", "\t ", "\u00a0 "]))
def test_squeezed_text_with_many_runs_equals_splitting_and_joining(extra, run):
    """More dropped characters than ``_FEW_DROPPED``: the numpy mask path."""
    text = nfc(("Sở Ngoại vụ" + run) * (tasks._FEW_DROPPED + extra) + "x")
    folded = fold(text)
    squeezed = tasks._Squeezed(text, folded)
    assert len(squeezed._dropped) > tasks._FEW_DROPPED
    for start in range(0, len(text), 97):
        for end in (start, start + 1, start + 40, len(text)):
            assert squeezed.span(start, end) == \
                (" ".join(text[start:end].split()), " ".join(folded[start:end].split()))


def test_the_space_class_table_is_str_isspace():
    table = tasks._SPACE_CLASS
    for c in range(sys.maxunicode + 1):
        got = table[min(c, len(table) - 1)]
        ch = chr(c)
        assert got == ((1 if ch in " \n" else 2) if ch.isspace() else 0), hex(c)


# -- headings: the matches found once == the rule written plainly (tests/ingest/oracles.py) ---------
HEADING_PARTS = ["1.", "8.", "a)", "Đề nghị", "Sở Ngoại vụ", "Sở Văn hóa và Thể thao", "Công an tỉnh",
                 "Kiên Giang", "thành phố Huế", "UBND", "UBND các huyện, thị xã, thành phố", "Các sở, ban, ngành;",
                 "Đại học Huế", "Bộ Ngoại giao", "Lào", "tỉnh Salavan", "chủ trì", ":", "Nhiệm vụ", "cán bộ y tế",
                 "Bộ Y tế", "Tỉnh ủy", "Thành ủy", "UBND huyện Phú Quốc", "(PACCOM)", "Ban Điều phối viện trợ nhân dân"]


@given(st.lists(st.sampled_from(HEADING_PARTS), max_size=8), st.sampled_from([" ", ", ", "\n", " - "]),
       st.sampled_from([None, "Kiên Giang", "Thừa Thiên Huế", "Đà Nẵng"]))
def test_agency_heading_equals_the_plain_rule_memoised_or_not(parts, sep, province):
    heading = sep.join(parts)
    expected = oracles.agency_heading_reference(heading, province)
    assert agencies._agency_heading(heading, province) == expected      # not memoised
    assert agencies.agency_heading(heading, province) == expected
    assert agencies.agency_heading(heading, province) == expected       # from the memo


def test_agency_heading_on_every_section_title_of_the_documents(documents):
    named = 0
    for text, province in documents:
        outline = parse_outline(text)
        for sec in _sections(outline.sections):
            if sec.title:
                got = agencies._agency_heading(sec.title, province)
                assert got == oracles.agency_heading_reference(sec.title, province)
                assert agencies.agency_heading(sec.title, province) == got
                named += got is not None
    assert named > 20


def _sections(sections):
    for sec in sections:
        yield sec
        yield from _sections(sec.children)


# -- candidates: per-pattern facts looked up once == looked up per match ---------------------------
_BLANK_LINE = re.compile(r"\n\s*\n")
_UNIT_WORD = re.compile(r"\s+(?:tinh|thanh\s+pho)" + agencies._LA)


def _candidates_reference(text: str, view: str, home: Province | None) -> list[_Cand]:
    """``_candidates`` as it was (the agency patterns' part): kind, guard and scope looked up
    at every match."""
    kinds = _kind_index()
    pq = province_name_regex()
    foreign = foreign_name_regex()
    needs_name = set(agencies._data()["requires_province_name"])
    out: list[_Cand] = []
    patterns = _patterns()
    for index, m in agencies.pattern_index().matches(view):
        if index == len(patterns):
            continue
        pat = patterns[index]
        kind = kinds[pat.kind]
        s, e = m.start(), m.end()
        if pat.capital and not text[s].isupper():
            continue
        if not _guard_ok(pat.kind, text, view, s, e) or _inside_code(text, s, e):
            continue
        if foreign.match(view, e):
            continue
        prov, explicit = home, False
        if kind.scope in ("province", "collective"):
            q = pq.match(view, e)
            if (q and text[q.start("pname") if q.group("pname") else q.start("bname")].isupper()
                    and not _BLANK_LINE.search(text, e, q.end())):
                name = q.group("pname") or q.group("bname")
                prov, explicit, e = province_by_name(name), True, q.end()
                prefix = q.group("prefix") or ""
                if prov is not None and not prov.is_city and (pat.city_variant or prefix.startswith(("thanh", "tp"))):
                    continue
            elif pat.kind in needs_name:
                continue
            elif pat.city_variant and not (home and home.is_city):
                continue
            else:
                t = _UNIT_WORD.match(view[e:e + 12])
                if t and kind.scope == "province" and not view[s:e].endswith("tinh"):
                    e += t.end()
        out.append(_Cand(s, e, pat.kind, prov, None, explicit))
    return out


CAND_PARTS = ["Sở Ngoại vụ", "Công an tỉnh", "Công an thành phố", "Kiên Giang", "Đà Nẵng", "tỉnh Salavan",
              "Tỉnh ủy", "Thành ủy", "Bộ Y tế", "cán bộ y tế", "UBND tỉnh", "UBND các huyện, thị xã", "tỉnh",
              "thành phố", "8791/VPCP-QHQT", "Sở LĐ-TB&XH", "Bộ Chỉ huy Quân sự tỉnh", "Lào", "\n\n", "Hậu Giang"]


@given(st.lists(st.sampled_from(CAND_PARTS), max_size=12), st.sampled_from([" ", ", ", "\n", "-"]),
       st.sampled_from([None, "Kiên Giang", "Đà Nẵng"]))
def test_candidates_equal_the_per_match_lookups(parts, sep, province):
    text = nfc(sep.join(parts))
    view = match_view(text)
    home = agencies._resolve_province(province)
    ref = _candidates_reference(text, view, home)
    # the district-unit candidates (unchanged code) come after the pattern ones
    assert agencies._candidates(text, view, home)[:len(ref)] == ref


def test_candidates_of_the_documents_equal_the_per_match_lookups(documents):
    for text, province in documents:
        view = match_view(text)
        home = agencies._resolve_province(province)
        ref = _candidates_reference(text, view, home)
        assert agencies._candidates(text, view, home)[:len(ref)] == ref


# -- a task's mentions by bisection == every mention inside the range ----------------------------
def test_between_equals_every_mention_inside_the_range(documents):
    for text, province in documents[:8]:
        document = agencies.document_agencies(text, province)
        mentions = document.mentions
        assert len(mentions) > 3
        cuts = sorted({0, len(text)} | {m.start for m in mentions[::3]} | {m.end for m in mentions[1::3]}
                      | {m.start + 1 for m in mentions[2::3]} | {m.end - 1 for m in mentions[::4]})
        for a in cuts[::2]:
            for b in cuts:
                if b >= a:
                    assert document.between(a, b) == [m for m in mentions if m.start >= a and m.end <= b]


# -- topics: the ahocorasick-rs DFA == pyahocorasick == the trie regex ---------------------------
TOPIC_WORDS = ["bảo hộ công dân", "công dân", "bảo hộ", "thông tin đối ngoại", "đối ngoại", "PCPNN",
               "phi chính phủ nước ngoài", "biên giới", "các tỉnh giáp biên giới", "hội nghị",
               "hội thảo quốc tế", "tàu cá", "bắt giữ", "ngư dân", "lao động", "làm việc ở nước ngoài",
               "đào tạo", "cán bộ", "làm công tác đối ngoại", "xuất khẩu các sản phẩm", "và", "x", "2024", "Đ"]
TOPIC_SEPS = [" ", "\n", ", ", ". ", "; ", " (", ") ", "-", "  ", "\u00a0", "/", "–", " “", "” ", ""]


@given(st.lists(st.tuples(st.sampled_from(TOPIC_WORDS), st.sampled_from(TOPIC_SEPS)), max_size=20))
def test_topic_dfa_equals_the_automaton_and_the_trie_regex(parts):
    folded = fold(nfc("".join(w + s for w, s in parts)))
    expected = topics._found_regex(folded)
    if topics._rs_scanner() is not None:        # ahocorasick-rs installed
        assert topics._found_rs(folded, topics._rs_scanner()) == expected
    assert topics._found_scanned(folded, topics._automaton()) == expected
    assert topics._word_bytes(folded).decode("ascii") == topics._word_string(folded)


@given(st.lists(st.tuples(st.sampled_from(TOPIC_WORDS), st.sampled_from(TOPIC_SEPS)), max_size=20),
       st.integers(0, 400), st.integers(0, 400))
def test_document_word_string_cut_by_span_equals_the_span_s_own(parts, a, b):
    """DocumentTopics cuts a span's word string out of the document's: the same bytes as the
    word string of the span's fold (spans starting or ending inside a word included)."""
    text = nfc("".join(w + s for w, s in parts))
    folded = fold(text)
    a, b = sorted((min(a, len(text)), min(b, len(text))))
    document = topics.DocumentTopics(folded)
    assert document.words(a, b) == topics._word_bytes(folded[a:b])
    body = " ".join(text[a:b].split())
    assert document(fold(body), a, b) == topics.tag_topics(body)


NOT_IN_WORDS = ["các tỉnh giáp biên giới", "tỉnh giáp biên giới", "các tỉnh, thành giáp biên giới", "biên giới",
                "huyện biên giới", "xã", "tỉnh", "giáp", "thành", "bảo vệ biên giới", "Biên Giới", "cáctỉnh"]


@given(st.lists(st.tuples(st.sampled_from(NOT_IN_WORDS + TOPIC_WORDS), st.sampled_from(TOPIC_SEPS)),
                max_size=14))
def test_not_in_phrases_on_the_word_string_equal_the_regex(parts):
    folded = fold(nfc("".join(w + s for w, s in parts)))
    words = topics._word_bytes(folded)
    regex = topics._not_in()[0]
    assert regex is not None
    assert topics._holds_not_in(folded, words) == (regex.search(folded) is not None)
    assert topics._holds_not_in(folded, None) == (regex.search(folded) is not None)
    found = topics._found(folded)
    assert topics._tagged(folded, found, words) == topics._tagged(folded, found)


def test_not_in_keeps_border_tasks_apart():
    partner = "Hợp tác với các tỉnh giáp biên giới của Lào trong đào tạo cán bộ"
    border = "Bảo vệ biên giới và quản lý các tỉnh giáp biên giới"
    assert "topic:bien-gioi-lanh-tho" not in topics.tag_topics(partner)
    assert "topic:bien-gioi-lanh-tho" in topics.tag_topics(border)
    for text in (partner, border):
        folded = fold(text)
        assert topics.tag_folded(folded, topics._word_bytes(folded)) == topics.tag_topics(text)


def test_document_topics_of_every_task_span_equal_tag_topics(documents):
    checked = tagged = 0
    for text, _province in documents:
        outline = parse_outline(text)
        document = topics.DocumentTopics(outline.folded)
        for _sec, a, b in tasks._select(text, outline):
            body = " ".join(text[a:b].split())
            found = document(fold(body), a, b)
            assert found == topics.tag_topics(body)
            checked += 1
            tagged += bool(found)
    assert checked > 300 and tagged > 100


def test_tasks_with_and_without_span_topics_are_the_same(documents):
    for text, province in documents[:10]:
        outline = parse_outline(text)
        hooks = _hooks(text, province, [])
        assert hooks.bind_topics is not None
        plain = dataclasses.replace(hooks, bind_topics=None)
        assert (extract_tasks(text, outline, "doc:x", hooks=hooks)
                == extract_tasks(text, outline, "doc:x", hooks=plain))


def test_topic_dfa_on_every_paragraph_of_the_documents(documents):
    pytest.importorskip("ahocorasick_rs")
    scanner = topics._rs_scanner()
    assert scanner is not None
    tagged: set[int] = set()
    for text, _province in documents:
        for para in text.split("\n"):
            folded = fold(para)
            found = topics._found_rs(folded, scanner)
            assert found == topics._found_regex(folded)
            tagged |= found
    assert len(tagged) > 15


# -- where join_wrapped may do more: the table lookup == the _JOIN_SLOW regex ---------------------
SLOW_PARTS = ["Sở", "a", "|", "*", "**", "-", "--", "_", "=", ".", "..", "...", "–", "—", "–—", ".-", "x.",
              " ", "\n", "\u00a0", "\t", "𝐀", "、", "-|", "|-", "*.", "=="]


@given(st.lists(st.sampled_from(SLOW_PARTS), max_size=30))
def test_slow_starts_by_table_equal_the_regex(parts):
    text = nfc("".join(parts))
    assert tasks._Squeezed(text, fold(text)).slow == tasks._join_slow_starts(text)


def test_slow_starts_of_the_documents_equal_the_regex(documents):
    total = 0
    for text, _province in documents:
        slow = tasks._Squeezed(text, fold(text)).slow
        assert slow == tasks._join_slow_starts(text)
        total += len(slow)
    assert total > 20


# -- deadlines: the digit needs by substring tests never skip a text the regex would match ---------
@given(st.text(alphabet=st.sampled_from("ab 09٣５𝟗x\n/.") | st.characters(), max_size=40))
def test_texts_said_to_hold_no_digit_hold_none(text):
    if not tasks._may_hold_digits(text):
        assert re.search(r"\d", text) is None
    if re.search(r"\d", text) is not None:
        assert tasks._may_hold_digits(text)


def test_digit_needs_on_examples():
    assert not tasks._may_hold_digits("truoc ngay muoi thang")
    assert tasks._may_hold_digits("truoc ngay 25/5") and tasks._may_hold_digits("nam ٢٠٢٤")
    assert tasks.find_deadline("Báo cáo trước ngày 25/5 hằng năm") == "trước ngày 25/5 hằng năm"


# -- overlapping candidates: settled per cluster == one greedy pass over all -----------------------
def _disjoint_reference(cands: list[_Cand]) -> list[_Cand]:
    """The former selection: every candidate in priority order, kept unless it overlaps one
    kept before it; the kept ones by start."""
    ordered = sorted(cands, key=lambda c: (-(c.end - c.start), c.start, c.kind == "ubnd-cap-huyen"))
    taken: list[_Cand] = []
    spans = agencies.DisjointSpans()
    for c in ordered:
        if spans.overlaps(c.start, c.end):
            continue
        spans.add(c.start, c.end)
        taken.append(c)
    taken.sort(key=lambda c: c.start)
    return taken


@st.composite
def candidate_lists(draw):
    out = []
    for n in range(draw(st.integers(0, 14))):
        start = draw(st.integers(0, 40))
        end = start + draw(st.integers(1, 12))         # a candidate holds a character at least
        kind = draw(st.sampled_from(["so-ngoai-vu", "ubnd-cap-huyen", "ubnd-tinh"]))
        out.append(_Cand(start, end, kind, None, f"u{n}", False))   # unit tells equal spans apart
    return out


@given(candidate_lists())
def test_disjoint_candidates_equal_one_greedy_pass(cands):
    assert agencies._disjoint(list(cands)) == _disjoint_reference(list(cands))


def test_disjoint_candidates_of_the_documents(documents):
    for text, province in documents[:10]:
        view = match_view(text)
        cands = agencies._candidates(text, view, agencies._resolve_province(province))
        assert all(c.end > c.start for c in cands)
        assert agencies._disjoint(list(cands)) == _disjoint_reference(list(cands))


def test_spaces_and_line_breaks_fold_to_themselves():
    """What the squeeze's plain path rests on (short texts and the long texts' table alike)."""
    for text in (" \n", " \n" * 300, "Sở Ngoại vụ\n \n" * 100):
        folded = fold(text)
        assert [folded[k] for k, ch in enumerate(text) if ch in " \n"] == [ch for ch in text if ch in " \n"]

"""The citation finder's shortcuts give exactly what the plain code they replace gives.

Each reference below is the code as it was before the shortcut (written out here), compared on
generated texts (hypothesis) and on the seeds: the vectorised number scan, the look-back test
before each number, the remembered symbol parses, the relation verbs without groups, the
title stop in two searches, the last clause boundary taken in C, the issuer key read off the
document's fold, and the remembered title keys and slugs."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vbgraph.ingest.citations import dates, find, grammar, resolve
from vbgraph.ingest.citations import tables as tables_mod
from vbgraph.ingest.citations.canonical import congress_title_key, title_id
from vbgraph.ingest.citations.grammar import SYMBOL_SCAN
from vbgraph.ingest.citations.models import CitationContext
from vbgraph.ingest.citations.tables import tables
from vbgraph.ingest.text import fold, match_key, nfc, slugify
from vbgraph.ontology.vocab import CitationRelation

_WS, _SP = r"\s", r"\s{1,4}"


def _spans(matches):
    return [(m.span(), m.groupdict()) for m in matches]


@pytest.fixture(scope="module")
def seed_texts(seed_paths) -> list[str]:
    return [nfc(p.read_text(encoding="utf-8")) for p in seed_paths.values()]


# -- number starts ----------------------------------------------------------------------------
def _number_starts_reference(folded: str) -> list[int]:
    return [m.start() for m in re.finditer(r"[0-9]+", folded)]


@given(st.text(alphabet="0123456789 a/-:\n\u0663\u00a0“đ\U0001d7d8", max_size=60))
def test_number_starts_equal_a_scan_for_digit_runs(folded):
    """ASCII digit runs only (a Unicode digit does not start one), also in strings with
    characters beyond the Basic Multilingual Plane."""
    assert find._number_starts(folded) == _number_starts_reference(folded)


def test_number_starts_on_seeds(seed_texts):
    for text in seed_texts:
        folded = fold(text)
        assert find._number_starts(folded) == _number_starts_reference(folded)


# -- leading phrases: the look-back before each number ----------------------------------------
LEAD_PARTS = ["quyết định", "Kế hoạch", "chương trình hành động", "Thông tư liên tịch", "luật",
              "bộ luật", "hướng dẫn", "thông báo kết luận", "số", "so", ":", " :", " ", "  ",
              "     ", "\t", "\n", "\u00a0", "\u2003", "12", "272-QĐ/TW", "2023", "/", "-", "x",
              "tich", "ban", "dan", "quyet", "luan"]


@st.composite
def lead_texts(draw):
    parts = draw(st.lists(st.sampled_from(LEAD_PARTS), max_size=20))
    return fold(nfc("".join(parts)))


@settings(max_examples=400)
@given(lead_texts())
def test_leading_phrases_with_the_look_back_equal_a_whole_scan(folded):
    assert _spans(find._leading_matches(folded)) == _spans(find._leading_re().finditer(folded))


def _leads_reference(folded: str) -> dict[int, tuple[int, str]]:
    """What ``_find_cores`` read off a whole forward scan: per match end, its start and name."""
    return {m.end(): (m.start(), " ".join(m.group("lead").split()))
            for m in find._leading_re().finditer(folded)}


@settings(max_examples=400)
@given(lead_texts())
def test_leading_phrases_read_backwards_from_each_number_equal_a_whole_scan(folded):
    assert find._leads(folded, find._number_starts(folded)) == _leads_reference(folded)


def test_leading_phrases_read_backwards_on_seeds(seed_texts):
    for text in seed_texts:
        folded = fold(text)
        want = _leads_reference(folded)
        assert want and find._leads(folded, find._number_starts(folded)) == want


def test_the_backward_reading_needs_no_type_name_ending_in_so():
    """Its docstring's premise: ``số`` after a name is then read the same way both ways."""
    assert not [name for name in tables().leading if name.endswith("so")]


# -- document numbers: remembered parses --------------------------------------------------------
SYMBOL_PARTS = ["272-QĐ/TW", "272-QD/TW", "12/2012/NĐ-CP", "64/KH-UBND", "8791/VPCP-QHQT",
                "16/2021/QH15", "3/ha", "02-HD/BĐNTW", "31/NQ-CP - nghị", "Số: 64/KH-UBND",
                "885-CV/TU", "1431/UBND-NV", " ", "\n", "x", "/", "-", "QĐ"]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(SYMBOL_PARTS), max_size=12),
       st.sampled_from([None, "qd", "kh", "nq", "ct", "hd"]))
def test_remembered_symbol_parses_equal_parsing_afresh(parts, prefer):
    text = nfc(" ".join(parts))
    folded = fold(text)
    for m in SYMBOL_SCAN.finditer(folded):
        fresh = grammar._parse_symbol_match(m, text, prefer)
        assert grammar.parse_symbol_match(m, text, prefer) == fresh     # first time
        assert grammar.parse_symbol_match(m, text, prefer) == fresh     # remembered


def test_a_remembered_parse_takes_the_offsets_of_each_match():
    text = nfc("Quyết định 272-QĐ/TW và Quyết định 272-QĐ/TW")
    found = [grammar.parse_symbol_match(m, text, "qd") for m in SYMBOL_SCAN.finditer(fold(text))]
    assert [(s.start, s.end, s.number) for s in found] == [
        (11, 20, "272-QĐ/TW"), (35, 44, "272-QĐ/TW")]


# -- relation verbs ---------------------------------------------------------------------------
_KEYWORDS_REFERENCE = re.compile(
    rf"(?P<mention>xet{_SP}de{_SP}nghi|theo{_SP}de{_SP}nghi|kem{_SP}theo)(?![a-z])|"
    rf"(?P<basis>can{_SP}cu)(?![a-z])|(?P<impl>thuc{_SP}hien|trien{_SP}khai|quan{_SP}triet|"
    rf"theo(?:{_SP}dung)?{_SP}tinh{_SP}than|cu{_SP}the{_SP}hoa|thi{_SP}hanh)(?![a-z])")


def _keyword_relation_reference(folded_lead: str) -> CitationRelation | None:
    last = None
    for m in _KEYWORDS_REFERENCE.finditer(folded_lead):
        last = m
    if last is None:
        return None
    if last.group("mention"):
        return CitationRelation.MENTIONS
    return CitationRelation.BASIS if last.group("basis") else CitationRelation.IMPLEMENTS


VERB_PARTS = ["xet", "de", "nghi", "theo", "kem", "can", "cu", "thuc", "hien", "trien", "khai",
              "quan", "triet", "dung", "tinh", "than", "the", "hoa", "thi", "hanh", " ", "  ",
              "     ", "\n", "x", "cux", ","]


@settings(max_examples=500)
@given(st.lists(st.sampled_from(VERB_PARTS), max_size=24), st.lists(st.sampled_from(["", " "]),
                                                                    min_size=24, max_size=24))
def test_relation_verbs_equal_the_grouped_alternation(parts, seps):
    folded = "".join(p + s for p, s in zip(parts, seps))
    assert find._keyword_relation(folded) == _keyword_relation_reference(folded)


def test_relation_verbs_on_seed_clauses(seed_texts):
    for text in seed_texts:
        folded = fold(text)
        for a in range(0, len(folded), 97):
            lead = folded[a:a + 400]
            assert find._keyword_relation(lead) == _keyword_relation_reference(lead)


# -- title stops ------------------------------------------------------------------------------
_TITLE_STOP_REFERENCE = re.compile(
    r";|:(?=\s)|\.(?:/\.)?(?=\s|$)|\n[ \t]*\n|,(?=\s{1,3}[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ])"
    r"|\s(?=và\s+các\s+(?:văn\s+bản|chỉ\s+đạo|quy\s+định|nghị\s+quyết|chỉ\s+thị|chương\s+trình|đề\s+án|kế\s+hoạch)(?!\w))"
    r"|\n(?=[ \t]*(?:[a-zđ]\)|[-+•]|\d{1,2}(?:\.\d{1,2})*\.|[IVXLC]{1,6}\.)[ \t])")


def _title_stop_reference(text: str, start: int, limit: int) -> int:
    stop = _TITLE_STOP_REFERENCE.search(text, start, limit)
    return stop.start() if stop else limit


STOP_PARTS = ["và các văn bản", "và các kế hoạch", "và các", "và", "các chỉ thị", " ", "  ", "\n",
              "\t", "\u00a0", ";", ":", ". ", ".", "./.", ",", ", Quyết", ",  Ủy", "x", "a) ",
              "1. ", "II. ", "- ", "văn bản", "\n\n"]


@settings(max_examples=1000)
@given(st.lists(st.sampled_from(STOP_PARTS), max_size=20), st.data())
def test_title_stop_equals_the_single_alternation(parts, data):
    text = "".join(parts)
    start = data.draw(st.integers(0, len(text)))
    limit = data.draw(st.integers(start, len(text)))
    assert find._title_stop(text, start, limit) == _title_stop_reference(text, start, limit)


@settings(max_examples=500)
@given(st.lists(st.sampled_from(["và các văn bản", "và các kế hoạch", "và các", "và", " ", "  ",
                                 "\n", "\u00a0", "x", ";", "bản", "các"]), max_size=12), st.data())
def test_title_stop_before_a_list_of_documents(parts, data):
    """``… và các văn bản …``: the stop found from its ``và`` (the whitespace before it)."""
    text = "".join(parts)
    start = data.draw(st.integers(0, len(text)))
    limit = data.draw(st.integers(start, len(text)))
    assert find._title_stop(text, start, limit) == _title_stop_reference(text, start, limit)


def test_title_stop_on_seeds(seed_texts):
    for text in seed_texts:
        for start in range(0, len(text), 11):
            limit = min(len(text), start + find._MAX_TITLE)
            assert find._title_stop(text, start, limit) == _title_stop_reference(text, start, limit)


# -- clause starts ----------------------------------------------------------------------------
def _clause_start_reference(text: str, pos: int) -> tuple[int, bool]:
    floor = max(0, pos - find._MAX_LOOKBACK)
    last = None
    for m in find._BOUNDARY.finditer(text, floor, pos):
        last = m
    if last is None:
        return floor, False
    header = last.group(0).startswith("\n") and text[floor:last.start()].rstrip().endswith(":")
    return last.end(), header


@given(st.lists(st.sampled_from(STOP_PARTS + ["Căn cứ:", ":\n", "\n- ", "\n\n  \n"]), max_size=30),
       st.data())
def test_clause_start_equals_taking_the_last_boundary_in_a_loop(parts, data):
    text = "".join(parts)
    pos = data.draw(st.integers(0, len(text)))
    assert find._clause_start(text, pos) == _clause_start_reference(text, pos)


# -- issuers: the phrase key read off the document's fold --------------------------------------
ISSUER_PARTS = ["của", "do", "Bộ Chính trị", "BỘ CHÍNH TRỊ", "Ủy ban nhân dân", "UBND", "Uỷ ban",
                "tỉnh", "Kiên Giang", "Thừa Thiên Huế", "Chính phủ", "Thủ tướng Chính phủ", "  ",
                " ", "\n", ",", "Ban Bí thư", "(khóa XII)", "x"]


def _issuer_reference(text: str, folded: str, pos: int):
    """The issuer fields as ``_attach_tail`` set them, keyed by ``match_key`` of the NFC phrase."""
    m = find._issuer_re().match(folded, pos)
    if m is None:
        return None
    phrase = find._collapse(text[m.start("phrase"):m.end("phrase")])
    name_end = m.end("prov") if m.group("prov") else m.end("phrase")
    name = find._collapse(text[m.start("phrase"):name_end])
    code = province = None
    iss = tables().issuer_phrases.get(match_key(phrase))
    if iss is not None:
        code = iss.code
        if iss.provincial and m.group("prov"):
            province = tables().provinces.get(" ".join(m.group("prov").split()))
    return name, code, province, m.end()


@settings(max_examples=300)
@given(st.lists(st.sampled_from(ISSUER_PARTS), max_size=8), st.lists(st.sampled_from([" ", "  ", "\n"]),
                                                                     min_size=8, max_size=8))
def test_issuer_from_the_documents_fold_equals_the_match_key_of_the_phrase(parts, seps):
    text = nfc("Chỉ thị 38" + "".join(s + p for p, s in zip(parts, seps)))
    folded = fold(text)
    d = find._Draft(start=0, core_end=len("Chỉ thị 38"), kind="short", dtype=None)
    find._attach_tail(d, text, folded, None)
    want = _issuer_reference(text, folded, d.core_end)
    got = None if d.issuer_name is None else (d.issuer_name, d.issuer_code, d.province)
    assert got == (None if want is None else want[:3])


# -- remembered keys --------------------------------------------------------------------------
@given(st.sampled_from(["Nghị quyết Đại hội XIII của Đảng", "Nghị quyết Đại hội Đảng bộ tỉnh lần thứ XVI",
                        "Luật Tổ chức chính quyền địa phương", "Chiến lược (KTXH) đến năm 2030"]),
       st.sampled_from([None, "Kiên Giang", "Hậu Giang"]))
def test_remembered_title_key_equals_the_title_id(title, province):
    key_province = province if congress_title_key(title) else None
    assert find._title_key(title, province) == title_id(title, key_province)[len("doc:title:"):]


@given(st.text(alphabet="aĐđ-ÔỒ Q/&1\u00a0", max_size=20))
def test_remembered_slugs_and_code_folds_equal_computing_them(code):
    assert tables_mod.slug(code) == slugify(code)
    assert tables_mod._fold_code(code) == fold(code)
    assert tables().issuer(code) == tables().issuers_by_code.get(fold(code))


# -- the finder as a whole --------------------------------------------------------------------
@pytest.mark.interpreted            # (patches a module global)
def test_find_in_nfc_equals_find_citations_and_hands_back_the_fold(seed_texts, monkeypatch):
    given_back = []
    monkeypatch.setattr(find, "fold_known", lambda text, folded: given_back.append((text, folded)))
    for text in seed_texts:
        assert find.find_in_nfc(text) == find.find_citations(text)
        assert given_back[-1][0] is text and given_back[-1][1] == fold(text)


def test_last_boundary_in_c_keeps_the_header_flag():
    text = "Căn cứ:\n- Quyết định 272-QĐ/TW"
    pos = text.index("Quyết")
    assert find._clause_start(text, pos) == _clause_start_reference(text, pos) == (text.index("\n") + 1, True)


# -- the document's own number; dates ---------------------------------------------------------
@given(st.lists(st.sampled_from(["so", "số", ":", " ", "  ", "\n", "x", "Số:", "1"]), max_size=8))
def test_own_number_test_equals_the_plain_search(parts):
    folded = fold(nfc("".join(parts) + "64/KH-UBND"))
    at = len(folded) - len("64/kh-ubnd")
    want = find._HEADER_NUMBER.search(folded, max(0, at - 8), at) is not None
    assert find._is_own_number(folded, at) == want


@given(st.integers(-1, 40), st.integers(-1, 14), st.integers(1, 2200))
def test_remembered_iso_dates_equal_computing_them(day, month, year):
    try:
        want = dt.date(year, month, day).isoformat()
    except ValueError:
        want = None
    assert dates.to_iso(day, month, year) == want
    assert dates.to_iso(day, month, year) == want       # remembered


# -- resolution within a document: complete references looked up by type and number ----------
def _resolve_reference(citations):
    """``resolve_in_document`` trying every complete reference."""
    full = [c for c in citations if c.key.complete and c.key.title_key is None]
    out = []
    for c in citations:
        if c.key.complete:
            out.append(c)
            continue
        matches = {f.key.id: f for f in full if resolve._compatible(c, f)}
        if len(matches) == 1:
            f = next(iter(matches.values()))
            out.append(dataclasses.replace(
                c, key=f.key, number=c.number or f.number, year=f.year,
                date=c.date or f.date, issuer=c.issuer or f.issuer,
                issuer_code=f.issuer_code, province=f.province, type=c.type or f.type,
                title=c.title or f.title))
        elif len(matches) > 1:
            out.append(dataclasses.replace(c, ambiguous=True, candidates=tuple(sorted(matches))))
        else:
            out.append(c)
    return out


REF_PARTS = ["Quyết định 272", "Quyết định số 272-QĐ/TW ngày 21/01/2015", "Chỉ thị 38",
             "Chỉ thị số 38-CT/TW", "Chỉ thị số 38-CT/TU ngày 1/2/2019", "Chỉ thị số 04-CT/TW",
             "Kế hoạch 64", "Kế hoạch số 64/KH-UBND ngày 16/4/2019", "Nghị định 12/2012",
             "Nghị định số 12/2012/NĐ-CP", "Quyết định số 272-QĐ/TU ngày 2/3/2016", "Luật Đầu tư",
             "của Bộ Chính trị", "của UBND tỉnh Kiên Giang", "; ", ", ", " và "]


@settings(max_examples=200)
@given(st.lists(st.sampled_from(REF_PARTS), max_size=12),
       st.sampled_from([None, "Kiên Giang", "Hậu Giang"]))
def test_resolution_by_type_and_number_equals_trying_every_complete_reference(parts, province):
    found = find.find_citations(nfc("Căn cứ " + " ".join(parts)), CitationContext(province=province))
    assert resolve.resolve_in_document(found) == _resolve_reference(found)


def test_resolution_on_seeds(seed_texts):
    for text in seed_texts:
        found = find.find_citations(text)
        assert resolve.resolve_in_document(found) == _resolve_reference(found)


BOUNDARY_PARTS = ["\n", "\n\n", " \n", "\n \n", "\t", " ", "  ", ".", "./.", "/", ":", ": \n", ":\r\n",
                  "\n- ", "\na) ", "\n1.2. ", "\nII. ", "1.2", "v.v", "x", "Căn cứ", "Quyết định", "\r\n"]


@settings(max_examples=1000)
@given(st.lists(st.sampled_from(BOUNDARY_PARTS), max_size=60), st.data())
def test_clause_start_with_blank_line_runs_and_item_breaks(parts, data):
    """Blank-line runs and ``./.`` make the scan's matches depend on where it starts."""
    text = "".join(parts)
    pos = data.draw(st.integers(0, len(text)))
    assert find._clause_start(text, pos) == _clause_start_reference(text, pos)


@settings(max_examples=200)
@given(st.lists(st.sampled_from(BOUNDARY_PARTS + ["văn bản " * 12]), min_size=20, max_size=80), st.data())
def test_clause_start_beyond_the_look_back(parts, data):
    """Texts longer than the look-back: the floor cuts runs and ``./.`` too."""
    text = "".join(parts)
    pos = data.draw(st.integers(0, len(text)))
    assert find._clause_start(text, pos) == _clause_start_reference(text, pos)


def test_clause_start_on_seeds(seed_texts):
    for text in seed_texts:
        for pos in range(0, len(text), 7):
            assert find._clause_start(text, pos) == _clause_start_reference(text, pos)


@settings(max_examples=1000)
@given(st.lists(st.sampled_from(BOUNDARY_PARTS + STOP_PARTS), max_size=60), st.data())
def test_last_boundary_by_three_patterns_equals_the_single_alternation(parts, data):
    text = "".join(parts)
    floor = data.draw(st.integers(0, len(text)))
    pos = data.draw(st.integers(floor, len(text)))
    want = None
    for m in find._BOUNDARY.finditer(text, floor, pos):
        want = m
    got = find._last_boundary(text, floor, pos)
    assert (got and (got.span(), got.group())) == (want and (want.span(), want.group()))

"""The locality finder's shortcuts give exactly what the plain code they replace gives.

Oracles (the code as it was, written out here): the sentence of a mention from all the
document's boundaries (no remembered sentence), the partner-cue search done for every mention
(no per-sentence answer, and also for names already found as partners), the case test computed
afresh (no memo), and the guards' word tests as regexes over slices."""
from __future__ import annotations

import bisect
import importlib.util as _ilu
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vbgraph.ingest import localities
from vbgraph.ingest.localities import LocalityKind, LocalityRelation, _Bounds, find_localities
from vbgraph.ingest.gazetteer import match_view
from vbgraph.ingest.text import nfc
from vbgraph.ontology.records import Locality

_spec = _ilu.spec_from_file_location("ingest_oracles", Path(__file__).with_name("oracles.py"))
oracles = _ilu.module_from_spec(_spec)
_spec.loader.exec_module(oracles)


def _sentence_reference(text: str, pos: int) -> tuple[int, int]:
    """The sentence around ``pos`` from every boundary of the document."""
    found = list(localities._SENTENCE_END.finditer(text))
    ends, starts = [m.end() for m in found], [m.start() for m in found]
    i = bisect.bisect_right(ends, pos)
    j = bisect.bisect_left(starts, pos)
    return (ends[i - 1] if i else 0), (starts[j] if j < len(starts) else len(text))


def _is_partner_reference(bounds, view, hit) -> bool:
    if hit.entry.kind is LocalityKind.VIETNAMESE_PLACE:
        return False
    partner, prospective = localities._cue_regexes()
    s0, s1 = _sentence_reference(bounds.text, hit.start)
    if not partner.search(view, s0, s1):
        return False
    c0 = bounds.clause_start(hit.start)
    return not prospective.search(view, max(c0, s0), hit.start)


def _hits_reference(text, view):
    """``_hits`` with the reference guards."""
    cands = []
    surfaces = localities._surfaces()
    for index, m in localities.surface_index().matches(view):
        cands.append((m.start(), m.end(), surfaces[index]))
    cands.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    taken = localities.DisjointSpans()
    out = []
    for start, end, s in cands:
        if taken.overlaps(start, end):
            continue
        if not oracles.locality_guards_reference(s, text, view, start, end):
            continue
        taken.add(start, end)
        if s.entry is not None:
            out.append((s.entry, start, end))
    out.sort(key=lambda h: h[1])
    return out


def _find_localities_reference(text, section_at, home_province):
    """``find_localities`` with the reference sentence, partner test, case test and guards,
    the partner test asked for every mention."""
    view = match_view(text)
    home = localities.province_by_name(home_province)
    bounds = _Bounds(text)
    best = {}
    for hit in (localities._Hit(*h) for h in _hits_reference(text, view)):
        e = hit.entry
        if home is not None and e.kind is LocalityKind.VIETNAMESE_PLACE and localities.province_by_name(e.name) == home:
            continue
        rel = LocalityRelation.PARTNER if _is_partner_reference(bounds, view, hit) else LocalityRelation.MENTION
        have = best.get(e.id)
        if have is None or (have[0] is LocalityRelation.MENTION and rel is LocalityRelation.PARTNER):
            best[e.id] = (rel, hit)
    out = [Locality(id=f"locality:{h.entry.id}", name=h.entry.name, kind=h.entry.kind,
                    country=h.entry.country, relation=rel, start=h.start, end=h.end,
                    section=section_at(h.start))
           for rel, h in best.values()]
    out.sort(key=lambda loc: loc.start)
    return tuple(out)


SENTENCE_PARTS = ["Lào", "Salavan", "kết nghĩa", "hợp tác hữu nghị", "nghiên cứu", "thiết lập",
                  "Hàn Quốc", "Campuchia", "Việt Nam", "Pháp", " ", "  ", "\n", "\n\n", "\n- ", "\na) ",
                  "\n1. ", ". ", ".", "!", "? ", ";", ",", "x", "Vân Nam", "(Trung Quốc)", "Lào Cai"]


@settings(max_examples=400)
@given(st.lists(st.sampled_from(SENTENCE_PARTS), max_size=40).map("".join), st.data())
def test_remembered_sentences_equal_the_documents_boundaries(text, data):
    """Asked in ascending order (as the mentions are), and at any offset."""
    text = nfc(text)
    positions = sorted(data.draw(st.lists(st.integers(0, max(0, len(text) - 1)), max_size=20)))
    bounds = _Bounds(text)
    for pos in positions:
        assert bounds.sentence(pos) == _sentence_reference(text, pos), pos


@settings(max_examples=300)
@given(st.lists(st.sampled_from(SENTENCE_PARTS), max_size=40).map("".join),
       st.sampled_from([None, "Lạng Sơn", "Kiên Giang", "Lào Cai"]))
def test_find_localities_equals_the_plain_code(text, home):
    text = nfc(text)
    assert find_localities(text, lambda i: "s", home) == _find_localities_reference(text, lambda i: "s", home)


def test_find_localities_on_the_seeds(seed_paths):
    for p in seed_paths.values():
        text = nfc(p.read_text(encoding="utf-8"))
        want = _find_localities_reference(text, lambda i: "s", "Kiên Giang")
        assert want and find_localities(text, lambda i: "s", "Kiên Giang") == want
        bounds = _Bounds(text)
        for hit in localities._hits(text, match_view(text)):
            assert bounds.sentence(hit.start) == _sentence_reference(text, hit.start)


@given(st.sampled_from(["Lào", "Hàn Quốc", "Vân Nam", "Salavan", "Lào Cai", "Pháp", "CHDCND Lào"]),
       st.text(alphabet="lLàÀoOhHnNqQ \n", max_size=12))
def test_remembered_case_test_equals_computing_it(written, original):
    assert localities._case_ok(written, original) == oracles.locality_case_ok_reference(written, original)
    assert localities._case_ok(written, original) == oracles.locality_case_ok_reference(written, original)


@pytest.mark.parametrize("text,partner", [
    ("Hợp tác hữu nghị với Lào, Campuchia và Thái Lan.", True),
    ("Nghiên cứu thiết lập quan hệ hữu nghị với Lào, Campuchia.", False),
])
def test_names_of_one_sentence_share_its_cue(text, partner):
    out = find_localities(nfc(text), lambda i: "", None)
    assert len(out) >= 2
    assert {x.relation is LocalityRelation.PARTNER for x in out} == {partner}


# -- the guards' word tests --------------------------------------------------------------------
WORD_TEST_ALPHABET = "aAbĐđÀàỳỲ19_²Ⓐⅷ \t\n.,;-"


@settings(max_examples=500)
@given(st.text(alphabet=WORD_TEST_ALPHABET, max_size=40), st.data())
def test_word_before_equals_the_regex(text, data):
    hi = data.draw(st.integers(0, len(text)))
    lo = data.draw(st.integers(0, hi))
    m = oracles.CAP_WORD_BEFORE.search(text[lo:hi])
    assert localities._word_before(text, lo, hi) == (m.group(1) if m else None)


@settings(max_examples=500)
@given(st.text(alphabet=WORD_TEST_ALPHABET, max_size=40), st.data())
def test_capital_after_equals_the_regex(text, data):
    lo = data.draw(st.integers(0, len(text)))
    hi = data.draw(st.integers(lo, len(text) + 5))
    m = oracles.CAP_WORD_AFTER.search(text[lo:hi])
    assert localities._capital_after(text, lo, hi) == bool(m and m.group(1)[:1].isupper())


@settings(max_examples=500)
@given(st.text(alphabet="abz09 /\n.Àx_", max_size=40), st.data())
def test_last_view_word_equals_the_regex(view, data):
    hi = data.draw(st.integers(0, len(view)))
    lo = data.draw(st.integers(0, hi))
    words = oracles.VIEW_WORD.findall(view, lo, hi)
    assert localities._last_view_word(view, lo, hi) == (words[-1] if words else None)


def test_word_tests_see_what_they_should():
    assert localities._word_before("Tỉnh Savannakhet  ", 0, 18) == "Savannakhet"
    assert localities._word_before("Bắc \n", 0, 5) == "Bắc"
    assert localities._word_before("ab1 ", 0, 4) is None
    assert localities._capital_after("Lào Cai", 3, 33) is True
    assert localities._capital_after("Lào cai", 3, 33) is False
    assert localities._last_view_word("nuoc  ", 0, 6) == "nuoc"


GUARD_PARTS = ["Lào", "lào", "Lào Cai", "Pháp", "pháp luật", "Anh", "anh", "Ý", "y tế", "Bỉ",
               "Hàn Quốc", "Trung Quốc", "Vân Nam", "nước", "Bắc", "Thượng", "Tỉnh", " ", "\t",
               "\n", ", ", ". ", "1", "CHDCND", "Cộng hòa", "x"]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(GUARD_PARTS), max_size=30).map("".join))
def test_hits_equal_the_regex_guards(text):
    text = nfc(text)
    view = match_view(text)
    got = [(h.entry, h.start, h.end) for h in localities._hits(text, view)]
    assert got == _hits_reference(text, view)


def _candidates_reference(view):
    surfaces = localities._surfaces()
    return [(m.start(), m.end(), surfaces[i]) for i, m in localities.surface_index().matches(view)]


LONG_PARTS = GUARD_PARTS + ["Thái Lan", "Campuchia", "Việt Nam", "Xiêng Khoảng", "Hủa Phăn",
                            "Luông Pha Băng", "Lào\nCai", "Vân\n  Nam", "/", "(", "Cam-pu-chia"]


@settings(max_examples=200)
@given(st.lists(st.sampled_from(LONG_PARTS), min_size=60, max_size=120).map("".join))
def test_candidates_read_off_the_automaton_equal_the_regex_matches(text):
    """Document-sized views (the automaton path): every surface match, same ends, same order."""
    text = nfc(text)
    view = match_view(text)
    assert len(view) >= 256 or localities.surface_index()._hits(view) is None
    assert localities._candidates(view) == _candidates_reference(view)
    got = [(h.entry, h.start, h.end) for h in localities._hits(text, view)]
    assert got == _hits_reference(text, view)


def test_candidates_on_the_seeds(seed_paths):
    for p in seed_paths.values():
        view = match_view(nfc(p.read_text(encoding="utf-8")))
        assert localities.surface_index()._hits(view) is not None
        want = _candidates_reference(view)
        assert len(want) > 20 and localities._candidates(view) == want

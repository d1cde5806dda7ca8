"""The locality finder's shortcuts give exactly what the plain code they replace gives.

Oracles (the code as it was, written out here): the sentence of a mention from all the
document's boundaries (no remembered sentence), the partner-cue search done for every mention
(no per-sentence answer), and the case test computed afresh (no memo)."""
from __future__ import annotations

import bisect

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vbgraph.ingest import localities
from vbgraph.ingest.localities import LocalityKind, LocalityRelation, _Bounds, find_localities
from vbgraph.ingest.gazetteer import match_view
from vbgraph.ingest.text import nfc
from vbgraph.ontology.records import Locality


def _sentence_reference(text: str, pos: int) -> tuple[int, int]:
    """The sentence around ``pos`` from every boundary of the document."""
    found = list(localities._SENTENCE_END.finditer(text))
    ends, starts = [m.end() for m in found], [m.start() for m in found]
    i = bisect.bisect_right(ends, pos)
    j = bisect.bisect_left(starts, pos)
    return (ends[i - 1] if i else 0), (starts[j] if j < len(starts) else len(text))


def _case_ok_reference(written: str, original: str) -> bool:
    want = tuple(w[:1].isupper() for w in localities.words_with_case(written))
    got = localities.words_with_case(original)
    if len(want) != len(got):
        return bool(got) and got[0][:1].isupper()
    return all(not w or g[:1].isupper() for w, g in zip(want, got))


def _is_partner_reference(bounds, view, hit) -> bool:
    if hit.entry.kind is LocalityKind.VIETNAMESE_PLACE:
        return False
    partner, prospective = localities._cue_regexes()
    s0, s1 = _sentence_reference(bounds.text, hit.start)
    if not partner.search(view, s0, s1):
        return False
    c0 = bounds.clause_start(hit.start)
    return not prospective.search(view, max(c0, s0), hit.start)


def _find_localities_reference(text, section_at, home_province):
    """``find_localities`` with the reference sentence, partner test and case test."""
    view = match_view(text)
    home = localities.province_by_name(home_province)
    bounds = _Bounds(text)
    best = {}
    for hit in localities._hits(text, view):
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
    assert localities._case_ok(written, original) == _case_ok_reference(written, original)
    assert localities._case_ok(written, original) == _case_ok_reference(written, original)


@pytest.mark.parametrize("text,partner", [
    ("Hợp tác hữu nghị với Lào, Campuchia và Thái Lan.", True),
    ("Nghiên cứu thiết lập quan hệ hữu nghị với Lào, Campuchia.", False),
])
def test_names_of_one_sentence_share_its_cue(text, partner):
    out = find_localities(nfc(text), lambda i: "", None)
    assert len(out) >= 2
    assert {x.relation is LocalityRelation.PARTNER for x in out} == {partner}

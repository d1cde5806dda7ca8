"""Resolution of short/yearless forms in a document and across the corpus."""
from __future__ import annotations

from vbgraph.ingest.citations import (
    CitationContext,
    extract_citations,
    find_citations,
    known_by_yearless,
    resolve_in_document,
    resolve_yearless,
)


def _resolved(text, ctx=None):
    return resolve_in_document(find_citations(text, ctx))


def test_short_form_after_full():
    text = ("thực hiện Quyết định số 272-QĐ/TW ngày 21/01/2015 của Bộ Chính trị. Quy chế của tỉnh "
            "ban hành theo Quyết định 272 của\nBộ Chính trị.")
    full, short = _resolved(text)
    assert short.id == full.id == "doc:qd-272-tw-2015"
    assert short.number == "272-QĐ/TW" and short.date == "2015-01-21" and short.year == 2015
    assert short.surface == "Quyết định 272 của\nBộ Chính trị"


def test_undated_full_form_before_dated_one():
    text = ("theo tinh thần Chỉ thị số 38-CT/TW của Bộ Chính trị. Sau đó: Chỉ thị số 38-CT/TW "
            "ngày 21/7/2014 của Bộ Chính trị về tăng cường quản lý các đoàn đi nước ngoài.")
    first, second = _resolved(text)
    assert first.id == second.id == "doc:ct-38-tw-2014"
    assert first.date == "2014-07-21"


def test_short_without_issuer_resolves_by_type_and_number():
    text = "Chỉ thị 38 nêu rõ. Chỉ thị số 38-CT/TW ngày 21/7/2014 của Bộ Chính trị."
    a, b = _resolved(text)
    assert a.id == b.id == "doc:ct-38-tw-2014" and not a.ambiguous


def test_unresolved_stays_yearless():
    (c,) = _resolved("theo Chỉ thị số 04-CT/TW của Ban Bí thư.")
    assert c.id == "doc:ct-04-tw" and c.year is None and not c.ambiguous


def test_two_dated_candidates_in_one_document_is_ambiguous():
    text = ("Chỉ thị số 04-CT/TW ngày 06/7/2011 của Ban Bí thư; Chỉ thị số 04-CT/TW ngày 02/3/1998 "
            "của Bộ Chính trị; và Chỉ thị số 04-CT/TW.")
    a, b, c = _resolved(text)
    assert a.id == "doc:ct-04-tw-2011" and b.id == "doc:ct-04-tw-1998"
    assert c.ambiguous and c.candidates == ("doc:ct-04-tw-1998", "doc:ct-04-tw-2011")
    assert c.id == "doc:ct-04-tw"


def test_different_type_same_number_not_merged():
    _a, b = _resolved("Chỉ thị số 272-CT/TW ngày 01/01/2015. Quyết định 272 của Bộ Chính trị.")
    assert b.id == "doc:qd-272-tw"


def test_provinces_keep_party_numbers_apart():
    text = "Quyết định số 76-QĐ/TU ngày 31/12/2015 của Tỉnh ủy Kiên Giang; Quyết định số 76-QĐ/TU."
    a, b = _resolved(text, CitationContext(province="Hậu Giang"))
    assert a.id == "doc:qd-76-tu-kien-giang-2015"
    # the context province differs from the named one: not merged blindly
    assert b.id == "doc:qd-76-tu-hau-giang"


def test_corpus_party_number_ambiguity():
    docs = [
        "Chỉ thị số 04-CT/TW ngày 06/7/2011 của Ban Bí thư về đối ngoại nhân dân.",
        "Chỉ thị số 04-CT/TW ngày 02/3/1998 của Bộ Chính trị.",
        "theo Chỉ thị số 04-CT/TW.",
    ]
    ids = [c.id for d in docs for c in extract_citations(d, lambda _p: "")]
    known = known_by_yearless(ids)
    assert known == {"doc:ct-04-tw": ["doc:ct-04-tw-2011", "doc:ct-04-tw-1998"]}
    assert resolve_yearless("doc:ct-04-tw", known) == (
        "doc:ct-04-tw", True, ("doc:ct-04-tw-1998", "doc:ct-04-tw-2011"))
    one = known_by_yearless(ids[:1])
    assert resolve_yearless("doc:ct-04-tw", one) == ("doc:ct-04-tw-2011", False, ("doc:ct-04-tw-2011",))
    assert resolve_yearless("doc:ct-38-tw", known) == ("doc:ct-38-tw", False, ())
    assert resolve_yearless("doc:ct-04-tw-2011", known) == ("doc:ct-04-tw-2011", False, ())


def test_extract_records_carry_resolution():
    text = ("Chỉ thị số 04-CT/TW ngày 06/7/2011 của Ban Bí thư; Chỉ thị số 04-CT/TW ngày 02/3/1998; "
            "và Chỉ thị số 04-CT/TW.")
    recs = extract_citations(text, lambda p: "I.1")
    assert recs[-1].ambiguous and len(recs[-1].candidates) == 2
    assert all(r.section == "I.1" for r in recs)

"""parse_reference: what users type in ``cites``; ReferenceQuery.matches."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from vbgraph.ingest.citations import parse_reference

QUERIES = [
    ("272-QĐ/TW", "qd", "272", None, "tw", None),
    ("Quyết định 272", "qd", "272", None, None, None),
    ("quyet dinh 272-QD/TW", "qd", "272", None, "tw", None),
    ("QĐ 272/TW", "qd", "272", None, "tw", None),
    ("NĐ 12/2012", "nd", "12", 2012, None, None),
    ("Nghị định 12/2012/NĐ-CP", "nd", "12", 2012, "cp", None),
    ("nghi dinh so 12/2012/nd-cp", "nd", "12", 2012, "cp", None),
    ("Chỉ thị 38", "ct", "38", None, None, None),
    ("chi thi 04", "ct", "04", None, None, None),
    ("chỉ thị 4", "ct", "04", None, None, None),
    ("CT 38-CT/TW", "ct", "38", None, "tw", None),
    ("64/KH-UBND", "kh", "64", None, "ubnd", None),
    ("8791/VPCP-QHQT", "cv", "8791", None, "vpcp-qhqt", None),
    ("Luật Tổ chức chính quyền địa phương", "luat", None, None, None,
     "luat-to-chuc-chinh-quyen-dia-phuong"),
    ("luat to chuc chinh quyen dia phuong", "luat", None, None, None,
     "luat-to-chuc-chinh-quyen-dia-phuong"),
    ("Nghị quyết Đại hội XIII của Đảng", "nq", None, None, None,
     "nghi-quyet-dai-hoi-dang-toan-quoc-xiii"),
]


@pytest.mark.parametrize("query,type_code,number,year,issuer,title", QUERIES)
def test_parse(query, type_code, number, year, issuer, title):
    q = parse_reference(query)
    assert (q.type_code, q.number, q.year, q.issuer_code, q.title_key) == (
        type_code, number, year, issuer, title)


@pytest.mark.parametrize("query", ["", "   ", "hello world", "272", "Quyết định", "QĐ 272/XYZ",
                                   "x" * 400])
def test_unparseable(query):
    with pytest.raises(ValueError):
        parse_reference(query)


CANDIDATES = {
    "qd272": {"id": "doc:qd-272-tw-2015", "number": "272-QĐ/TW", "type": "Quyết định", "year": 2015},
    "ct38": {"id": "doc:ct-38-tw-2014", "number": "38-CT/TW", "type": "Chỉ thị", "year": 2014},
    "ct04y": {"id": "doc:ct-04-tw", "number": "04-CT/TW", "type": "Chỉ thị", "year": None},
    "nd12": {"id": "doc:nd-12-cp-2012", "number": "12/2012/NĐ-CP", "type": "Nghị định", "year": 2012},
    "qd76": {"id": "doc:qd-76-tu-kien-giang-2015", "number": "76-QĐ/TU", "type": "Quyết định"},
    "kh64": {"id": "doc:kh-64-ubnd-kien-giang-2019", "number": "64/KH-UBND", "type": "Kế hoạch"},
    "law": {"id": "doc:title:luat-to-chuc-chinh-quyen-dia-phuong", "number": None, "type": "Luật"},
}


@pytest.mark.parametrize("query,expected", [
    ("272-QĐ/TW", {"qd272"}),
    ("Quyết định 272", {"qd272"}),
    ("QĐ 272/TW", {"qd272"}),
    ("Quyết định 76", {"qd76"}),
    ("NĐ 12/2012", {"nd12"}),
    ("NĐ 12/2013", set()),
    ("Chỉ thị 38", {"ct38"}),
    ("chi thi 04", {"ct04y"}),
    ("CT 38-CT/TW", {"ct38"}),
    ("64/KH-UBND", {"kh64"}),
    ("Luật Tổ chức chính quyền địa phương", {"law"}),
])
def test_matches(query, expected):
    q = parse_reference(query)
    assert {k for k, cand in CANDIDATES.items() if q.matches(cand)} == expected


def test_matches_objects():
    from vbgraph.ontology.records import Citation
    from vbgraph.ontology.vocab import CitationRelation
    c = Citation(id="doc:qd-272-tw-2015", number="272-QĐ/TW", type="Quyết định", date=None,
                 issuer=None, title=None, relation=CitationRelation.MENTIONS, surface="",
                 start=0, end=0, section="", year=2015)
    assert parse_reference("quyet dinh 272").matches(c)
    assert not parse_reference("Chỉ thị 272").matches(c)


@given(st.text(max_size=80))
def test_random_queries_parse_or_raise_valueerror(text):
    try:
        parse_reference(text)
    except ValueError:
        pass

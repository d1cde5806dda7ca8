"""The one province table (``ingest/provinces.py``) and its users: header, citations, agencies,
localities agree on every province, in every spelling."""
from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vbgraph.ingest.agencies import make_agency
from vbgraph.ingest.citations import CitationContext, extract_citations
from vbgraph.ingest.citations.tables import tables
from vbgraph.ingest.header import find_province, parse_header
from vbgraph.ingest.provinces import (
    load_provinces, numbering_units, province_by_name, province_id, province_keys,
)
from vbgraph.ingest.text import canonical_tones, fold, nfc

PROVINCES = load_provinces()


def test_table_shape():
    assert len(PROVINCES) == 63
    assert len({p.slug for p in PROVINCES}) == 63
    assert sum(p.is_city for p in PROVINCES) == 5
    assert {p.name for p in PROVINCES if p.is_city} == {"Hà Nội", "Hồ Chí Minh", "Hải Phòng",
                                                        "Đà Nẵng", "Cần Thơ"}
    for p in PROVINCES:
        for name in p.names:                      # every spelling leads back to its province
            assert province_by_name(name) is p
            assert province_by_name(f"{p.prefix} {name}") is p
        assert province_by_name(p.slug) is p
        assert province_id(p.name) == f"province:{p.slug}"


def _new_tones(s: str) -> str:
    """New-style tone placement (hoà, thuỷ) where the old style puts it elsewhere."""
    return s.replace("òa", "oà").replace("óa", "oá").replace("ỏa", "oả").replace("ủy", "uỷ")


@given(st.sampled_from(PROVINCES), st.sampled_from(["plain", "fold", "upper", "new", "wrap"]))
def test_header_citations_agencies_localities_agree(p, how):
    name = {"plain": p.name, "fold": fold(p.name), "upper": p.name.upper(),
            "new": _new_tones(p.name), "wrap": p.name.replace(" ", "\n", 1)}[how]
    unit = p.prefix
    assert province_by_name(name) is p                               # agencies, localities
    assert find_province(f"UBND {unit} {name}")[0] == p.name          # header
    assert tables().province(canonical_tones(name)) == p.name         # citations
    agency = make_agency("so-ngoai-vu", name)
    assert agency.id == f"agency:so-ngoai-vu:{p.slug}" and agency.province == p.name


def test_place_aliases_count_in_the_header_only():
    hue = province_by_name("Thừa Thiên Huế")
    assert "Huế" in hue.place_aliases
    assert province_by_name("Huế") is None               # "UBND thành phố Huế" is the city
    assert province_keys(place=True)["hue"] is hue
    assert "hue" not in province_keys()
    assert find_province("Huế, ngày 19 tháng 9 năm 2022", need_unit=False)[0] == "Thừa Thiên Huế"
    assert find_province("Sài Gòn, ngày 2 tháng 1 năm 2020", need_unit=False)[0] == "Hồ Chí Minh"


def test_header_of_a_city_plan_in_other_spelling():
    text = nfc("ỦY BAN NHÂN DÂN\nTHÀNH PHỐ ĐÀ NẴNG\n|\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
               "Độc lập - Tự do - Hạnh phúc\n|\nSố: 215/KH-UBND\n|\nĐà Nẵng, ngày 05 tháng 10 năm 2021\n"
               "\nKẾ HOẠCH\nTriển khai công tác đối ngoại năm 2022\n\nI. MỤC ĐÍCH\n1. Nội dung.\n")
    h = parse_header(text)
    assert (h.province, h.issuer, h.number, h.date, h.type) == (
        "Đà Nẵng", "Ủy ban nhân dân thành phố Đà Nẵng", "215/KH-UBND", "2021-10-05", "Kế hoạch")


def test_numbering_units_key_citations_on_the_unit():
    assert ("Huế", "hue") in numbering_units()
    found = extract_citations(
        nfc("Căn cứ Quyết định số 12/QĐ-UBND ngày 03/02/2020 của UBND thành phố Huế; căn cứ "
            "Quyết định số 15/QĐ-UBND ngày 04/02/2020 của UBND tỉnh Thừa Thiên Huế."),
        lambda _i: "", CitationContext(province="Thừa Thiên Huế", year=2020))
    assert [c.id for c in found] == ["doc:qd-12-ubnd-hue-2020", "doc:qd-15-ubnd-thua-thien-hue-2020"]


@pytest.mark.parametrize("symbol,expected", [
    ("/KH-UBND", "Kế hoạch"), ("/QĐ-UBND", "Quyết định"), ("/QD-UBND", "Quyết định"),
    ("/CTr-UBND", "Chương trình"), ("/CTR-UBND", "Chương trình"), ("/HD-UBND", "Hướng dẫn"),
    ("/TTr-SNgV", "Tờ trình"), ("/BC-UBND", "Báo cáo"), ("/XYZ-UBND", None), (None, None),
])
def test_header_symbol_types_come_from_the_citation_table(symbol, expected):
    from vbgraph.ingest.header import _symbol_type

    assert _symbol_type(symbol) == expected


def test_header_type_names_are_the_citation_type_names():
    from vbgraph.ingest.header import _tables

    names = set(_tables()["types"].values())
    assert {"Kế hoạch", "Quyết định", "Chỉ thị", "Chương trình", "Luật", "Chiến lược"} <= names
    assert names == {t.name for t in tables().types}
    assert all(unicodedata.is_normalized("NFC", n) for n in names)

"""Agencies and roles on real phrasing from other provinces, plus property tests."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vbgraph.ingest.agencies import (
    agency_heading, agency_kind_scheme, find_agencies, issuer_agency, make_agency, roles_for_task,
)
from vbgraph.ingest.text import fold, nfc


def ids(text, province):
    return [m.agency.id for m in find_agencies(nfc(text), province)]


@pytest.mark.parametrize("text,province,expected", [
    ("Sở Ngoại vụ chủ trì, phối hợp với Sở Công Thương", "Quảng Ninh",
     ["agency:so-ngoai-vu:quang-ninh", "agency:so-cong-thuong:quang-ninh"]),
    ("Sở\nNgoại vụ thành phố Đà Nẵng", None, ["agency:so-ngoai-vu:da-nang"]),
    ("Công an thành phố phối hợp", "Đà Nẵng", ["agency:cong-an-tinh:da-nang"]),
    ("Bộ Chỉ huy BĐBP tỉnh Lạng Sơn", None, ["agency:bo-chi-huy-bo-doi-bien-phong-tinh:lang-son"]),
    ("BCH Bộ đội Biên phòng tỉnh", "Lạng Sơn", ["agency:bo-chi-huy-bo-doi-bien-phong-tinh:lang-son"]),
    ("Sở LĐ-TB&XH, Sở NN&PTNT, Sở TN&MT", "An Giang",
     ["agency:so-lao-dong-thuong-binh-va-xa-hoi:an-giang",
      "agency:so-nong-nghiep-va-phat-trien-nong-thon:an-giang", "agency:so-tai-nguyen-va-moi-truong:an-giang"]),
    ("Sở Văn hóa, Thể thao và Du lịch", "Lạng Sơn", ["agency:so-van-hoa-the-thao-va-du-lich:lang-son"]),
    ("UBND các huyện, thị xã, thành phố", "Quảng Ninh", ["agency:ubnd-cac-huyen:quang-ninh"]),
    ("UBND các quận, huyện", "Đà Nẵng", ["agency:ubnd-cac-huyen:da-nang"]),
    ("Ủy ban MTTQ Việt Nam tỉnh, Tỉnh đoàn, Hội Liên hiệp Phụ nữ tỉnh", "Cao Bằng",
     ["agency:uy-ban-mttq-tinh:cao-bang", "agency:tinh-doan:cao-bang", "agency:hoi-lien-hiep-phu-nu-tinh:cao-bang"]),
    ("Báo Quảng Ninh, Đài Phát thanh và Truyền hình Quảng Ninh", "Quảng Ninh",
     ["agency:bao-tinh:quang-ninh", "agency:dai-phat-thanh-va-truyen-hinh-tinh:quang-ninh"]),
    ("Bộ Ngoại\ngiao, Ban Đối ngoại TW và Văn phòng Chính phủ", "Lạng Sơn",
     ["agency:bo-ngoai-giao", "agency:ban-doi-ngoai-trung-uong", "agency:van-phong-chinh-phu"]),
    ("UBND thành phố Hạ Long", "Quảng Ninh", ["agency:ubnd-thanh-pho-ha-long:quang-ninh"]),
    ("Ủy ban nhân dân thành phố Đà Nẵng", None, ["agency:ubnd-tinh:da-nang"]),
    ("Thành ủy Đà Nẵng", None, ["agency:tinh-uy:da-nang"]),
])
def test_variants_from_other_provinces(text, province, expected):
    assert ids(text, province) == expected


@pytest.mark.parametrize("text", [
    "cán bộ y tế, các tổ chức phi chính phủ nước ngoài, hai Chính phủ",
    "Bộ Chỉ huy Quân sự tỉnh Salavan (CHDCND Lào)",
    "Bộ Ngoại giao Lào",
    "theo Chỉ thị số 1737/CT-TTg và Công văn 8791/VPCP-QHQT",
    "nguồn vốn từ Chính phủ các nước",
    "toàn tỉnh đoàn kết",
    "các sở, ban, ngành và các cơ quan liên quan",
])
def test_not_agencies(text):
    assert ids(text, "Kiên Giang") == []


def test_instance_naming():
    a = make_agency("so-ngoai-vu", "Kiên Giang")
    assert (a.id, a.name, a.kind_label, a.province) == (
        "agency:so-ngoai-vu:kien-giang", "Sở Ngoại vụ tỉnh Kiên Giang", "Sở Ngoại vụ", "Kiên Giang")
    assert make_agency("bo-ngoai-giao", "Kiên Giang").province is None
    assert make_agency("tinh-uy", "Đà Nẵng").name == "Thành ủy Đà Nẵng"
    assert make_agency("cong-an-tinh", "Đà Nẵng").name == "Công an thành phố Đà Nẵng"


@pytest.mark.parametrize("heading,expected", [
    ("8. Sở Văn hóa và Thể thao", "agency:so-van-hoa-va-the-thao:quang-ninh"),
    ("14. Công an tỉnh", "agency:cong-an-tinh:quang-ninh"),
    ("3. Bộ Chỉ huy Bộ đội Biên phòng tỉnh:", "agency:bo-chi-huy-bo-doi-bien-phong-tinh:quang-ninh"),
    ("1. Sở Ngoại vụ: Chủ trì, phối hợp với Công an tỉnh", "agency:so-ngoai-vu:quang-ninh"),
    ("5. Đề nghị Ủy ban MTTQ Việt Nam tỉnh", "agency:uy-ban-mttq-tinh:quang-ninh"),
    ("9. Các sở, ban, ngành; UBND các huyện, thị xã, thành phố", "agency:ubnd-cac-huyen:quang-ninh"),
    ("10. Các sở, ban, ngành, đoàn thể tỉnh", None),
    ("2. Tăng cường phối hợp với Bộ Ngoại giao", None),
    ("1. Mục đích", None),
])
def test_agency_heading(heading, expected):
    got = agency_heading(heading, "Quảng Ninh")
    assert (got.id if got else None) == expected


def roles(text, heading=None, province="Lạng Sơn"):
    text = nfc(text)
    h = agency_heading(heading, province) if heading else None
    lead, coop = roles_for_task(text, 0, len(text), province, h)
    return [a.kind for a in lead], [a.kind for a in coop]


@pytest.mark.parametrize("text,heading,lead,coop", [
    ("Sở Ngoại vụ chủ trì, phối hợp với Công an tỉnh, Bộ Chỉ huy Bộ đội Biên phòng tỉnh và các cơ quan "
     "liên quan tổ chức tuần tra biên giới.", None,
     ["so-ngoai-vu"], ["cong-an-tinh", "bo-chi-huy-bo-doi-bien-phong-tinh"]),
    ("a) Chủ trì, phối hợp với Sở Tài chính tham mưu UBND tỉnh bố trí kinh phí.", "4. Sở Kế hoạch và Đầu tư",
     ["so-ke-hoach-va-dau-tu"], ["so-tai-chinh"]),
    ("b) Phối hợp với Sở Ngoại vụ tuyên truyền về biên giới.", "6. Bộ Chỉ huy Bộ đội Biên phòng tỉnh",
     ["so-ngoai-vu"], ["bo-chi-huy-bo-doi-bien-phong-tinh"]),
    ("c) Phối hợp với Bộ Ngoại giao tổ chức tập huấn.", "1. Sở Ngoại vụ", ["so-ngoai-vu"], ["bo-ngoai-giao"]),
    ("d) Tham mưu UBND tỉnh ban hành quy chế; báo cáo kết quả về Sở Ngoại vụ.", "7. Sở Nội vụ", ["so-noi-vu"], []),
    ("Là cơ quan thường trực, phối hợp với Liên hiệp các tổ chức hữu nghị tỉnh.", "2. Sở Ngoại vụ",
     ["so-ngoai-vu"], ["lien-hiep-cac-to-chuc-huu-nghi-tinh"]),
    ("g) UBND thành phố Lạng Sơn chủ trì, phối hợp Sở Du lịch tổ chức lễ hội.",
     "9. Các sở, ban, ngành; UBND các huyện, thành phố", ["ubnd-cap-huyen"], ["so-du-lich"]),
    ("Đề nghị Ủy ban MTTQ Việt Nam tỉnh, Tỉnh đoàn tăng cường giao lưu nhân dân.", None,
     ["uy-ban-mttq-tinh", "tinh-doan"], []),
    ("Tăng cường phối hợp với Bộ Ngoại giao, cơ quan đại diện Việt Nam ở nước ngoài.", None,
     [], ["bo-ngoai-giao", "co-quan-dai-dien-viet-nam-o-nuoc-ngoai"]),
    ("Chỉ đạo, xây dựng kế hoạch phối hợp với lực lượng Công an triển khai phương án.", "5. Bộ Chỉ huy Quân sự tỉnh",
     ["bo-chi-huy-quan-su-tinh"], ["cong-an-tinh"]),
    ("Thực hiện tốt công tác phân giới cắm mốc.", "3. Công an tỉnh", ["cong-an-tinh"], []),
])
def test_roles(text, heading, lead, coop):
    assert roles(text, heading) == (lead, coop)


def test_issuer():
    assert issuer_agency("Ủy ban nhân dân tỉnh Kiên Giang", None).id == "agency:ubnd-tinh:kien-giang"
    assert issuer_agency("UBND tỉnh", "Lai Châu").id == "agency:ubnd-tinh:lai-chau"
    assert issuer_agency("Bộ Chính trị", "Lai Châu").id == "agency:bo-chinh-tri"
    assert issuer_agency("Tỉnh ủy Khánh Hòa", None).id == "agency:tinh-uy:khanh-hoa"
    assert issuer_agency("Hội nghị", None) is None


def test_scheme_is_consistent():
    scheme = agency_kind_scheme()
    known = {k.id for k in scheme.concepts}
    for k in scheme.concepts:
        assert set(k.broader) <= known
        assert k.scope in {"group", "central", "province", "collective", "district", "named"}
        if k.scope != "group":
            assert k.pref_label and k.en_label


NAMES = ["Sở Ngoại vụ", "Sở Văn hóa và Thể thao", "Bộ Chỉ huy Bộ đội Biên phòng tỉnh", "Sở Tài nguyên và Môi trường",
         "Ủy ban nhân dân tỉnh", "Liên hiệp các tổ chức hữu nghị tỉnh", "Sở Thông tin và Truyền thông"]


def _old_to_new_tones(s: str) -> str:
    return s.replace("hóa", "hoá").replace("hòa", "hoà").replace("Hòa", "Hoà")


@given(st.sampled_from(NAMES), st.sampled_from(["plain", "fold", "tones", "upper", "wrap"]))
def test_variants_map_to_same_id(name, variant):
    base = ids(name, "Kiên Giang")
    assert len(base) == 1
    if variant == "fold":
        # diacritic-free input (users, scraped text): first letter kept upper case
        text = fold(name)
        text = text[0].upper() + text[1:]
    elif variant == "tones":
        text = _old_to_new_tones(name)
    elif variant == "upper":
        text = name.upper()
    elif variant == "wrap":
        text = name.replace(" ", "\n", 1)
    else:
        text = name
    assert ids(text, "Kiên Giang") == base


@given(st.text(alphabet=st.sampled_from(list("Sở Ngoại vụ Bộ Công an tỉnh UBND,.;:\n-()/phối hợp chủ trì")), max_size=120))
def test_random_text_never_crashes_and_spans_slice(text):
    text = nfc(text)
    for m in find_agencies(text, "Kiên Giang"):
        assert text[m.start:m.end] == m.surface
        assert 0 <= m.start < m.end <= len(text)
    lead, coop = roles_for_task(text, 0, len(text), "Kiên Giang", None)
    assert not set(lead) & set(coop)


@given(st.text(max_size=200))
def test_arbitrary_unicode_never_crashes(text):
    text = nfc(text)
    find_agencies(text, None)
    agency_heading(text, None)
    roles_for_task(text, 0, len(text), None, None)


def test_a_partner_list_ends_at_the_next_role_cue():
    text = ("III. TỔ CHỨC THỰC HIỆN\n1. Sở Ngoại vụ\n"
            "a) Phối hợp với Sở Tư pháp tổ chức tập huấn, Sở Nội vụ chủ trì thẩm định.\n")
    start = text.index("a)")
    heading = agency_heading("Sở Ngoại vụ", "Quảng Ninh")
    lead, coop = roles_for_task(text, start, len(text), "Quảng Ninh", heading)
    kinds_lead = {a.kind for a in lead}
    kinds_coop = {a.kind for a in coop}
    assert "so-noi-vu" in kinds_lead          # "Sở Nội vụ chủ trì": its own cue
    assert "so-noi-vu" not in kinds_coop      # not swallowed into the "phối hợp với" list

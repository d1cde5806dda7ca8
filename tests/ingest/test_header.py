"""Header metadata on the five seeds (read by hand) and on synthetic documents."""
from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from vbgraph.ingest.header import find_province, parse_header

SYNTHETIC = Path(__file__).with_name("synthetic")


def header(seed_paths, key):
    return parse_header(seed_paths[key].read_text(encoding="utf-8"))


def test_kien_giang(seed_paths):
    h = header(seed_paths, "kien_giang")
    assert (h.number, h.type, h.date) == ("64/KH-UBND", "Kế hoạch", "2019-04-16")
    assert h.issuer == "Ủy ban nhân dân tỉnh Kiên Giang" and h.province == "Kiên Giang"
    assert (h.signer_capacity, h.signer) == ("KT. CHỦ TỊCH / PHÓ CHỦ TỊCH", "Mai Anh Nhịn")
    assert h.title == "HÀNH ĐỘNG CÔNG TÁC ĐỐI NGOẠI GIAI ĐOẠN 2019 - 2021"
    assert h.recipients == ("Bộ Ngoại giao", "CT và các PCT. UBND tỉnh",
                            "Các cơ quan, đơn vị có tên tại Mục III của Kế hoạch", "LĐVP, P. NCPC")
    assert h.missing == () and h.warnings == () and not h.is_report


def test_thua_thien_hue(seed_paths):
    h = header(seed_paths, "thua_thien_hue")
    assert (h.number, h.date, h.province) == ("342/KH-UBND", "2022-09-19", "Thừa Thiên Huế")
    assert h.issuer == "Ủy ban nhân dân tỉnh Thừa Thiên Huế"
    assert (h.signer_capacity, h.signer) == ("TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH", "Nguyễn Văn Phương")
    assert h.title.endswith("VÀ CÁC NĂM TIẾP THEO CỦA TỈNH THỪA THIÊN HUẾ")
    assert len(h.recipients) == 9 and h.recipients[-1] == "VPUB : LĐ và các CV"


def test_khanh_hoa_has_no_header(seed_paths):
    h = header(seed_paths, "khanh_hoa")
    assert h.number is None and h.date is None and h.signer is None  # never invented
    assert h.type == "Kế hoạch" and h.province == "Khánh Hòa"
    assert h.issuer == "Ủy ban nhân dân tỉnh Khánh Hòa"  # "… Ủy ban nhân dân tỉnh Khánh Hòa ban hành"
    assert h.missing == ("number", "date", "signer", "signer_capacity", "recipients")


def test_lai_chau_draft(seed_paths):
    h = header(seed_paths, "lai_chau")
    assert h.number is None and h.date is None
    assert "number" in h.missing and "date" in h.missing
    assert any("2022-12" in w for w in h.warnings) and any("/KH-UBND" in w for w in h.warnings)
    assert h.year == 2022 and h.type == "Kế hoạch" and h.province == "Lai Châu"
    assert h.title == "Công tác đối ngoại trên địa bàn tỉnh Lai Châu năm 2023"
    assert h.signer == "Hà Trọng Hải"
    assert h.signer_capacity == "TM. ỦY BAN NHÂN DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"
    assert h.issuer == "Ủy ban nhân dân tỉnh Lai Châu"
    assert h.recipients[0] == "Văn phòng Chính phủ" and "TT. Tỉnh ủy (B/c)" in h.recipients


def test_hau_giang_news_article(seed_paths):
    h = header(seed_paths, "hau_giang")
    assert h.is_report
    assert (h.number, h.type, h.date) == ("1112/KH-UBND", "Kế hoạch", "2020-06-03")  # not 25-06-2020
    assert h.issuer == "Ủy ban nhân dân tỉnh Hậu Giang" and h.province == "Hậu Giang"
    assert h.title == "về công tác đối ngoại trên địa bàn tỉnh Hậu Gian năm 2020"
    assert h.signer is None and any("report" in w for w in h.warnings)


def test_decision_with_articles():
    h = parse_header((SYNTHETIC / "qd_quang_nam.txt").read_text(encoding="utf-8"))
    assert (h.number, h.type, h.date) == ("1520/QĐ-UBND", "Quyết định", "2021-05-05")
    assert h.issuer == "Ủy ban nhân dân tỉnh Quảng Nam"
    assert h.title == "Về việc ban hành Kế hoạch hợp tác với tỉnh Sê Kông (Lào) năm 2021"
    assert (h.signer_capacity, h.signer) == ("KT. CHỦ TỊCH / PHÓ CHỦ TỊCH", "Trần Văn Tân")
    assert h.recipients == ("Như Điều 3", "Bộ Ngoại giao")


def test_directive_short_issuer_and_slash_date():
    h = parse_header((SYNTHETIC / "dieu_lao_cai.txt").read_text(encoding="utf-8"))
    assert (h.number, h.type, h.date) == ("08/CT-UBND", "Chỉ thị", "2020-03-12")
    assert h.issuer == "Ủy ban nhân dân tỉnh Lào Cai" and h.province == "Lào Cai"
    assert (h.signer_capacity, h.signer) == ("CHỦ TỊCH", "Đặng Xuân Phong")


def test_blank_line_layout_plan():
    h = parse_header((SYNTHETIC / "ke_hoach_an_giang_blank.txt").read_text(encoding="utf-8"))
    assert (h.number, h.date, h.issuer) == ("215/KH-UBND", "2022-02-28", "Ủy ban nhân dân tỉnh An Giang")
    assert h.title == "Thông tin đối ngoại tỉnh An Giang năm 2022"


def test_city_and_diacritic_free_province():
    h = parse_header("UY BAN NHAN DAN\nTHANH PHO DA NANG\nSo: 5/KH-UBND\nDa Nang, ngay 2 thang 1 nam 2024\n"
                     "KE HOACH\nHop tac quoc te\nI. NHIEM VU\n1. So Ngoai vu chu tri.\n")
    assert h.province == "Đà Nẵng" and h.issuer == "Ủy ban nhân dân thành phố Đà Nẵng"
    assert h.date == "2024-01-02" and h.number == "5/KH-UBND"
    assert find_province("tỉnh Khánh Hoà")[0] == "Khánh Hòa"
    assert find_province("thành phố Huế") is None  # a city inside a province, not a province


@given(st.text(max_size=300))
def test_never_crashes_and_never_invents(text):
    h = parse_header(text)
    assert set(h.missing) <= {"number", "type", "date", "issuer", "province", "signer",
                              "signer_capacity", "title", "recipients"}
    if h.date:
        assert h.date[:4] in text or h.date[:4] in text.replace(" ", "")
    if h.number:
        assert h.number.split("/")[0] in text

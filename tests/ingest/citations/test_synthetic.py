"""Synthetic plans imitating other provinces' layouts and other decrees."""
from __future__ import annotations

from vbgraph.ingest.citations import CitationContext, document_id, extract_citations
from vbgraph.ontology.vocab import CitationRelation as R

QUANG_NINH = """ỦY BAN NHÂN DÂN
TỈNH QUẢNG NINH
Số: 215/KH-UBND
Quảng Ninh, ngày 05 tháng 10 năm 2021
KẾ HOẠCH
Triển khai công tác đối ngoại năm 2022
Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015; Luật sửa đổi, bổ sung một số
điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương ngày 22/11/2019;
Căn cứ Nghị định số 56/2019/NĐ-CP ngày 24/6/2019 của Chính phủ quy định chi tiết thi hành
một số điều của Luật Quản lý, sử dụng vũ khí;
Căn cứ Thông tư số 01/2020/TT-BNG ngày 21/02/2020 của Bộ Ngoại giao;
Thực hiện Quyết định số 272-QĐ/TW ngày 21/01/2015 của Bộ Chính trị; Quy định số 08-QĐi/TW
ngày 25/10/2018 của Ban Chấp hành Trung ương, Ủy ban nhân dân tỉnh ban hành Kế hoạch như sau:
I. MỤC ĐÍCH
1. Quán triệt Nghị quyết Đại hội đại biểu toàn quốc lần thứ XIII của Đảng.
2. Năm 2020, tỉnh đã tổng kết Chỉ thị 38 của Bộ Chính trị.
"""

DONG_THAP = """KẾ HOẠCH
Công tác thông tin đối ngoại tỉnh Đồng Tháp năm 2024
Căn cứ:
- Nghị định số 72/2015/NĐ-CP ngày 07/9/2015 của Chính phủ về quản lý hoạt động thông tin đối ngoại;
- Quyết định số 45/QĐ-TTg ngày 09/01/2020 của Thủ tướng Chính phủ;
- Kế hoạch số 88-KH/TU ngày 12/3/2021 của Ban Thường vụ Tỉnh ủy về thực hiện Chiến lược
thông tin tuyên truyền đối ngoại giai đoạn 2021-2025.
Ủy ban nhân dân tỉnh ban hành Kế hoạch thực hiện như sau:
II. NHIỆM VỤ
1. Tiếp tục triển khai Quyết định 45 của Thủ tướng Chính phủ và Kế hoạch số 88-KH/TU.
2. Báo cáo theo Kế hoạch số 12/KH-UBND ngày 05/01/2023 của UBND tỉnh.
"""

DIACRITIC_FREE = """UY BAN NHAN DAN TINH LAO CAI
KE HOACH
Thuc hien Chi thi so 04-CT/TW ngay 06/7/2011 cua Ban Bi thu ve tiep tuc doi moi cong tac
doi ngoai nhan dan; Ket luan so 12-KL/TW ngay 12/8/2021 cua Bo Chinh tri.
Can cu Nghi dinh so 12/2012/ND-CP cua Chinh phu, UBND tinh ban hanh ke hoach.
"""


def _ids_relations(text, ctx):
    return [(r.id, r.relation) for r in extract_citations(text, lambda _p: "", ctx)]


def test_quang_ninh_basis_list_and_party_rules():
    ctx = CitationContext(province="Quảng Ninh", year=2021, number="215/KH-UBND")
    got = _ids_relations(QUANG_NINH, ctx)
    assert got == [
        ("doc:title:luat-to-chuc-chinh-quyen-dia-phuong", R.BASIS),
        ("doc:title:luat-to-chuc-chinh-phu", R.BASIS),
        ("doc:title:luat-to-chuc-chinh-quyen-dia-phuong", R.BASIS),
        ("doc:nd-56-cp-2019", R.BASIS),
        ("doc:title:luat-quan-ly-su-dung-vu-khi", R.MENTIONS),
        ("doc:tt-01-bng-2020", R.BASIS),
        ("doc:qd-272-tw-2015", R.IMPLEMENTS),
        ("doc:qdi-08-tw-2018", R.IMPLEMENTS),
        ("doc:title:nghi-quyet-dai-hoi-dang-toan-quoc-xiii", R.IMPLEMENTS),
        ("doc:ct-38-tw", R.MENTIONS),
    ]
    recs = extract_citations(QUANG_NINH, lambda _p: "", ctx)
    assert recs[0].date == "2015-06-19" and recs[0].year == 2015
    assert recs[7].type == "Quy định" and recs[7].number == "08-QĐi/TW"


def test_dong_thap_header_list_and_short_forms():
    ctx = CitationContext(province="Đồng Tháp", year=2024)
    recs = extract_citations(DONG_THAP, lambda _p: "", ctx)
    got = [(r.id, r.relation) for r in recs]
    assert got == [
        ("doc:nd-72-cp-2015", R.BASIS),
        ("doc:qd-45-ttg-2020", R.BASIS),
        ("doc:kh-88-tu-dong-thap-2021", R.BASIS),
        ("doc:title:chien-luoc-thong-tin-tuyen-truyen-doi-ngoai-giai-doan-2021-2025", R.MENTIONS),
        ("doc:qd-45-ttg-2020", R.IMPLEMENTS),        # "Quyết định 45 của Thủ tướng" resolved
        ("doc:kh-88-tu-dong-thap-2021", R.IMPLEMENTS),
        ("doc:kh-12-ubnd-dong-thap-2023", R.MENTIONS),
    ]
    assert recs[4].number == "45/QĐ-TTg" and recs[4].date == "2020-01-09"
    # the plan cited as KH-UBND of this province is the same node as that plan ingested
    assert recs[6].id == document_id("12/KH-UBND", "Kế hoạch", "Ủy ban nhân dân tỉnh Đồng Tháp",
                                     2023)


def test_diacritic_free_document():
    ctx = CitationContext(province="Lào Cai")
    recs = extract_citations(DIACRITIC_FREE, lambda _p: "", ctx)
    assert [(r.id, r.relation, r.number, r.type) for r in recs] == [
        ("doc:ct-04-tw-2011", R.IMPLEMENTS, "04-CT/TW", "Chỉ thị"),
        ("doc:kl-12-tw-2021", R.IMPLEMENTS, "12-KL/TW", "Kết luận"),
        ("doc:nd-12-cp-2012", R.BASIS, "12/2012/NĐ-CP", "Nghị định"),
    ]


def test_document_id_scheme():
    assert document_id("64/KH-UBND", "Kế hoạch", "Ủy ban nhân dân tỉnh Kiên Giang", 2019) == \
        "doc:kh-64-ubnd-kien-giang-2019"
    assert document_id("272-QĐ/TW", year=2015) == "doc:qd-272-tw-2015"
    assert document_id("12/2012/NĐ-CP") == "doc:nd-12-cp-2012"
    assert document_id("4-CT/TW", year="2011-07-06") == "doc:ct-04-tw-2011"
    assert document_id("04-CT/TW") == "doc:ct-04-tw"
    assert document_id("342/KH-UBND", "Kế hoạch", None, 2022, province="Thừa Thiên Huế") == \
        "doc:kh-342-ubnd-thua-thien-hue-2022"
    assert document_id(None, "Kế hoạch", title="Kế hoạch đối ngoại nhân dân 2017-2020") == \
        "doc:title:ke-hoach-doi-ngoai-nhan-dan-2017-2020"

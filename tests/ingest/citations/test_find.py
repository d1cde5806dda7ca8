"""find_citations: spellings, short and title-only forms, relations, robustness."""
from __future__ import annotations

import random
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st
from vbgraph.ingest.citations import CitationContext, find_citations
from vbgraph.ontology.vocab import CitationRelation as R

# (text, id, surface, type, date, issuer) — one reference per text, eyecite-style table
CASES = [
    ("thực hiện Quyết định số 272-QĐ/TW ngày 21/01/2015 của Bộ Chính trị về việc ban hành Quy chế.",
     "doc:qd-272-tw-2015", "Quyết định số 272-QĐ/TW ngày 21/01/2015 của Bộ Chính trị",
     "Quyết định", "2015-01-21", "Bộ Chính trị"),
    ("theo Quyết định số\n76-QĐ/TU ngày 31/12/2015 của Tỉnh ủy Kiên Giang về ban hành",
     "doc:qd-76-tu-kien-giang-2015", "Quyết định số\n76-QĐ/TU ngày 31/12/2015 của Tỉnh ủy Kiên Giang",
     "Quyết định", "2015-12-31", "Tỉnh ủy Kiên Giang"),
    ("Đẩy mạnh triển khai thực hiện Nghị\nquyết số 31/NQ-CP ngày 13/5/2014 của Chính phủ;",
     "doc:nq-31-cp-2014", "Nghị\nquyết số 31/NQ-CP ngày 13/5/2014 của Chính phủ", "Nghị quyết",
     "2014-05-13", "Chính phủ"),
    ("Căn cứ Nghị định số 12/2012/NĐ-CP của Chính phủ;", "doc:nd-12-cp-2012",
     "Nghị định số 12/2012/NĐ-CP của Chính phủ", "Nghị định", None, "Chính phủ"),
    ("Căn cu Nghi dinh so 12/2012/ND-CP cua Chinh phu;", "doc:nd-12-cp-2012",
     "Nghi dinh so 12/2012/ND-CP cua Chinh phu", "Nghị định", None, "Chinh phu"),
    ("căn cứ nghị định số 12 / 2012 / nđ - cp;", "doc:nd-12-cp-2012",
     "nghị định số 12 / 2012 / nđ - cp", "Nghị định", None, "Chính phủ"),
    ("Nghị quyết số 29/2021/NQ-HĐND ngày 26/8/2021 của Hội đồng nhân dân tỉnh Quảng Nam về",
     "doc:nq-29-hdnd-quang-nam-2021",
     "Nghị quyết số 29/2021/NQ-HĐND ngày 26/8/2021 của Hội đồng nhân dân tỉnh Quảng Nam",
     "Nghị quyết", "2021-08-26", "Hội đồng nhân dân tỉnh Quảng Nam"),
    ("tại Công văn số 8791/VPCP-QHQT ngày 13/9/2018 của Văn phòng Chính phủ về việc",
     "doc:cv-8791-vpcp-qhqt-2018", "Công văn số 8791/VPCP-QHQT ngày 13/9/2018 của Văn phòng Chính phủ",
     "Công văn", "2018-09-13", "Văn phòng Chính phủ"),
    ("theo Thông tư liên tịch số 02/2009/TTLT-BNG-BNV ngày 27/5/2009 của Bộ Ngoại giao",
     "doc:ttlt-02-bng-bnv-2009",
     "Thông tư liên tịch số 02/2009/TTLT-BNG-BNV ngày 27/5/2009 của Bộ Ngoại giao",
     "Thông tư liên tịch", "2009-05-27", "Bộ Ngoại giao"),
    ("Chỉ thị số 15/CT-TTg ngày 07/7/2015 của Thủ tướng\nChính phủ về việc",
     "doc:ct-15-ttg-2015", "Chỉ thị số 15/CT-TTg ngày 07/7/2015 của Thủ tướng\nChính phủ",
     "Chỉ thị", "2015-07-07", "Thủ tướng Chính phủ"),
    ("Chỉ thị số 1737/CT-TTg ngày 20 tháng 9 năm 2010 của Thủ tướng Chính phủ",
     "doc:ct-1737-ttg-2010", "Chỉ thị số 1737/CT-TTg ngày 20 tháng 9 năm 2010 của Thủ tướng Chính phủ",
     "Chỉ thị", "2010-09-20", "Thủ tướng Chính phủ"),
    ("Kế hoạch số 64/KH-UBND ngày 16/4/2019 của UBND tỉnh về", "doc:kh-64-ubnd-kien-giang-2019",
     "Kế hoạch số 64/KH-UBND ngày 16/4/2019 của UBND tỉnh", "Kế hoạch", "2019-04-16", "UBND tỉnh"),
    ("Kế hoạch số 103/KH-UBND ngày 09 tháng 12 năm 2014 của UBND tỉnh Hậu Giang về",
     "doc:kh-103-ubnd-hau-giang-2014",
     "Kế hoạch số 103/KH-UBND ngày 09 tháng 12 năm 2014 của UBND tỉnh Hậu Giang",
     "Kế hoạch", "2014-12-09", "UBND tỉnh Hậu Giang"),
    ("Chỉ thị số 04-CT/TW ngày 06/7/2011 của Ban Bí thư về", "doc:ct-04-tw-2011",
     "Chỉ thị số 04-CT/TW ngày 06/7/2011 của Ban Bí thư", "Chỉ thị", "2011-07-06", "Ban Bí thư"),
    ("Kết luận số 12-KL/TW ngày 12/8/2021 của Bộ Chính trị", "doc:kl-12-tw-2021",
     "Kết luận số 12-KL/TW ngày 12/8/2021 của Bộ Chính trị", "Kết luận", "2021-08-12", "Bộ Chính trị"),
    ("Nghị quyết số 22-NQ/TW ngày 10 tháng 4 năm 2013 của Bộ Chính trị\n(khóa XI) về",
     "doc:nq-22-tw-2013", "Nghị quyết số 22-NQ/TW ngày 10 tháng 4 năm 2013 của Bộ Chính trị\n(khóa XI)",
     "Nghị quyết", "2013-04-10", "Bộ Chính trị"),
    ("Công văn số 885-CV/TU ngày 08 tháng 02 năm 2017 của Tỉnh ủy Khánh Hòa",
     "doc:cv-885-tu-khanh-hoa-2017", "Công văn số 885-CV/TU ngày 08 tháng 02 năm 2017 của Tỉnh ủy Khánh Hòa",
     "Công văn", "2017-02-08", "Tỉnh ủy Khánh Hòa"),
    ("Hướng dẫn số 02-HD/BĐNTW ngày 16 tháng 01 năm 2017 của Ban Đối ngoại Trung ương",
     "doc:hd-02-bdntw-2017",
     "Hướng dẫn số 02-HD/BĐNTW ngày 16 tháng 01 năm 2017 của Ban Đối ngoại Trung ương",
     "Hướng dẫn", "2017-01-16", "Ban Đối ngoại Trung ương"),
    ("Quy chế số 05-QC/TU ngày 10 tháng 02 năm 2017 của Ban Thường vụ Tỉnh ủy Sóc Trăng về",
     "doc:qc-05-tu-soc-trang-2017",
     "Quy chế số 05-QC/TU ngày 10 tháng 02 năm 2017 của Ban Thường vụ Tỉnh ủy Sóc Trăng",
     "Quy chế", "2017-02-10", "Ban Thường vụ Tỉnh ủy Sóc Trăng"),
    ("theo Hướng dẫn số 36-HD/VPTW ngày 03/4/2018 của Văn phòng Trung ương Đảng",
     "doc:hd-36-vptw-2018", "Hướng dẫn số 36-HD/VPTW ngày 03/4/2018 của Văn phòng Trung ương Đảng",
     "Hướng dẫn", "2018-04-03", "Văn phòng Trung ương Đảng"),
    ("Đề án số 05-ĐA/TU ngày 15/11/2021 của Ban Chấp hành Đảng bộ tỉnh về",
     "doc:da-05-tu-kien-giang-2021", "Đề án số 05-ĐA/TU ngày 15/11/2021 của Ban Chấp hành Đảng bộ tỉnh",
     "Đề án", "2021-11-15", "Ban Chấp hành Đảng bộ tỉnh"),
    ("quyet dinh so 272-qd/tw ngay 21/01/2015 cua bo chinh tri", "doc:qd-272-tw-2015",
     "quyet dinh so 272-qd/tw ngay 21/01/2015 cua bo chinh tri", "Quyết định", "2015-01-21",
     "bo chinh tri"),
    ("Nghị quyết số 16/2021/QH15 ngày 27/7/2021 của Quốc hội về", "doc:nq-16-qh15-2021",
     "Nghị quyết số 16/2021/QH15 ngày 27/7/2021 của Quốc hội", "Nghị quyết", "2021-07-27", "Quốc hội"),
    # short forms
    ("Quyết định 272 của Bộ Chính trị.", "doc:qd-272-tw",
     "Quyết định 272 của Bộ Chính trị", "Quyết định", None, "Bộ Chính trị"),
    ("theo tinh thần Chỉ thị 38, các đoàn", "doc:ct-38", "Chỉ thị 38", "Chỉ thị", None, None),
    ("Nghị định 56/2019 của Chính phủ", "doc:nd-56-cp-2019", "Nghị định 56/2019 của Chính phủ",
     "Nghị định", None, "Chính phủ"),
    # title-only
    ("Quán triệt Nghị quyết Đại hội XIII của Đảng,", "doc:title:nghi-quyet-dai-hoi-dang-toan-quoc-xiii",
     "Nghị quyết Đại hội XIII của Đảng", "Nghị quyết", None, None),
    ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015;",
     "doc:title:luat-to-chuc-chinh-quyen-dia-phuong",
     "Luật Tổ chức chính quyền địa phương ngày 19/6/2015", "Luật", "2015-06-19", None),
    ("Căn cứ Luật Điều ước quốc tế ngày 09 tháng 4 năm 2016;", "doc:title:luat-dieu-uoc-quoc-te",
     "Luật Điều ước quốc tế ngày 09 tháng 4 năm 2016", "Luật", "2016-04-09", None),
]


@pytest.mark.parametrize("text,doc_id,surface,type_,date,issuer", CASES)
def test_reference_table(text, doc_id, surface, type_, date, issuer):
    found = find_citations(text, CitationContext(province="Kiên Giang"))
    assert len(found) == 1, found
    c = found[0]
    assert c.id == doc_id
    assert c.surface == surface == text[c.start:c.end]
    assert c.type == type_
    assert c.date == date
    assert c.issuer == issuer


def test_law_with_number():
    (c,) = find_citations("Căn cứ Luật Tổ chức Chính phủ số 76/2015/QH13 ngày 19/6/2015;")
    assert c.id == "doc:luat-76-qh13-2015"
    assert c.number == "76/2015/QH13" and c.type == "Luật"
    assert c.relation is R.BASIS


def test_title():
    (c,) = find_citations("Quyết định số 272-QĐ/TW ngày 21/01/2015 của Bộ Chính trị về việc ban "
                          "hành Quy chế quản lý thống nhất\ncác hoạt động đối ngoại; Chỉ thị")
    assert c.title == "về việc ban hành Quy chế quản lý thống nhất các hoạt động đối ngoại"


@pytest.mark.parametrize("text", [
    "Kế hoạch 5 năm 2021-2025 của tỉnh",
    "Kế hoạch 2023 của tỉnh",
    "04 Nghị quyết của Tỉnh ủy về xây dựng",
    "kế hoạch.\n2. Công an tỉnh",
    "(05/9/1962 - 05/9/2022)",
    "Ngày 25-06-2020",
    "tôn trọng luật pháp quốc tế và thực hiện theo luật định",
    "3. Thực hiện chiến lược ngoại giao văn hóa đến năm 2020",
    "Số: 64/KH-UBND",
    "diện tích 3/ha, tỷ lệ 1/2",
])
def test_not_references(text):
    assert find_citations(text) == []


# --- relations -------------------------------------------------------------------------
RELATIONS = [
    ("Căn cứ Nghị định số 56/2019/NĐ-CP ngày 24/6/2019 của Chính phủ;", [R.BASIS]),
    ("Thực hiện Chỉ thị số 38-CT/TW ngày 21/7/2014 của Bộ Chính trị, UBND tỉnh ban hành", [R.IMPLEMENTS]),
    ("Triển khai Kế hoạch số 12-KH/TU của Tỉnh ủy, Sở Ngoại vụ", [R.IMPLEMENTS]),
    ("Tiếp tục quán triệt Kết luận số 12-KL/TW của Bộ Chính trị.", [R.IMPLEMENTS]),
    ("Xác định nhiệm vụ theo đúng tinh thần Chỉ thị số 04-CT/TW của Ban Bí thư.", [R.IMPLEMENTS]),
    ("Năm 2020, Chỉ thị số 04-CT/TW đã được sơ kết.", [R.MENTIONS]),
    # a list after one verb shares it
    ("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19/6/2015; Nghị định số 56/2019/NĐ-CP "
     "ngày 24/6/2019 của Chính phủ và Thông tư số 01/2015/TT-BNG của Bộ Ngoại giao;",
     [R.BASIS, R.BASIS, R.BASIS]),
    ("thực hiện nghiêm Quyết định số 272-QĐ/TW ngày 21/01/2015 của Bộ Chính trị; Chỉ thị số "
     "04-CT/TW ngày 06/7/2011 của Ban Bí thư về tiếp tục đổi mới; Chỉ thị số 38-CT/TW.",
     [R.IMPLEMENTS, R.IMPLEMENTS, R.IMPLEMENTS]),
    # a new verb in the same sentence
    ("Triển khai Công văn số 885-CV/TU ngày 08/02/2017 của Tỉnh ủy; xét đề nghị của Sở Ngoại vụ "
     "tại Văn bản số 377/SNgV-TTĐN ngày 31/3/2017, UBND tỉnh ban hành", [R.IMPLEMENTS, R.MENTIONS]),
    # nested in a title → mention
    ("Thực hiện Nghị quyết số 31/NQ-CP ngày 13/5/2014 của Chính phủ về ban hành Chương trình hành "
     "động thực hiện Nghị quyết số 22-NQ/TW ngày 10/4/2013 của Bộ Chính trị về hội nhập quốc tế;",
     [R.IMPLEMENTS, R.MENTIONS]),
    # a sentence boundary resets
    ("Căn cứ Nghị định số 56/2019/NĐ-CP của Chính phủ. Năm qua, Quyết định số 272-QĐ/TW được "
     "sơ kết.", [R.BASIS, R.MENTIONS]),
    # "Căn cứ:" header over a list
    ("Căn cứ:\n- Luật Tổ chức chính quyền địa phương ngày 19/6/2015;\n- Nghị định số "
     "56/2019/NĐ-CP ngày 24/6/2019 của Chính phủ;\nỦy ban nhân dân tỉnh ban hành", [R.BASIS, R.BASIS]),
]


@pytest.mark.parametrize("text,relations", RELATIONS)
def test_relations(text, relations):
    assert [c.relation for c in find_citations(text)] == relations


# --- robustness ------------------------------------------------------------------------
@given(st.text(max_size=300))
def test_random_unicode_never_crashes(text):
    from vbgraph.ingest.text import nfc
    norm = nfc(text)
    for c in find_citations(text):
        assert 0 <= c.start < c.end <= len(norm)
        assert norm[c.start:c.end] == c.surface


ALPHABET = list("0123456789/-. \n,;:()") + ["QĐ", "TW", "NĐ", "CP", "số ", "ngày ", "của ",
                                             "Quyết định ", "Chỉ thị ", "Bộ Chính trị", "về ",
                                             "tháng ", "năm ", "Căn cứ ", "Luật ", "Nghị quyết Đại hội "]


@given(st.lists(st.sampled_from(ALPHABET), max_size=80))
def test_random_citation_soup(parts):
    from vbgraph.ingest.text import nfc
    text = nfc("".join(parts))
    previous_end = -1
    for c in find_citations(text):
        assert text[c.start:c.end] == c.surface
        assert c.start >= previous_end          # in text order, never overlapping
        assert c.id.startswith("doc:")
        previous_end = c.end


HANG_GUARD = """
import sys
from vbgraph.ingest.citations import find_citations, parse_reference
inputs = [
    "1/1/1/1-" * 25000,
    "Quyết định số " * 15000,
    "1-" * 100000,
    ("12 / " * 40000) + "NĐ-CP",
    "Căn cứ " * 30000,
    "Chiến lược " * 20000,
    "của Bộ Chính trị " * 12000,
    ("Quyết định số 272-QĐ/TW; " * 8000),
]
for s in inputs:
    find_citations(s)
print("ok")
"""


def test_adversarial_inputs_complete():
    """Hang guard (not a timing assertion): pathological inputs finish."""
    proc = subprocess.run([sys.executable, "-c", HANG_GUARD], capture_output=True, text=True, check=False,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_shuffled_seed_lines_never_crash(seed_paths):
    rng = random.Random(7)
    for path in seed_paths.values():
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        rng.shuffle(lines)
        text = "".join(lines)
        for c in find_citations(text):
            assert text[c.start:c.end] == c.surface

"""Outline parsing on the five seeds, synthetic layouts, and properties on random text."""
from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from vbgraph.ingest.sections import PATH_RE, join_wrapped, parse_outline

SYNTHETIC = Path(__file__).with_name("synthetic")


def outline(seed_paths, key):
    text = seed_paths[key].read_text(encoding="utf-8")
    return text, parse_outline(text)


def test_kien_giang_outline(seed_paths):
    text, o = outline(seed_paths, "kien_giang")
    assert o.layout == "wrapped"
    assert [(s.path, s.title) for s in o.sections] == [
        ("I", "MỤC ĐÍCH, YÊU CẦU"), ("II", "NỘI DUNG THỰC HIỆN"), ("III", "TỔ CHỨC THỰC HIỆN")]
    assert [c.label for c in o.find("II.2").children] == ["a", "b", "c", "d", "đ", "e", "g"]
    assert o.find("III.5").title == "Sở Lao động - Thương binh và Xã hội"
    assert o.find("III.3").title == "Bộ Chỉ huy Bộ đội Biên phòng tỉnh"
    assert join_wrapped(text, *o.find("III.3").body[0]).startswith("Chủ trì, phối hợp với Công an tỉnh, Sở Ngoại vụ")
    assert o.find("III.10").title == "Các sở, ban, ngành, đoàn thể cấp tỉnh, Ủy ban nhân dân các huyện, thành phố"
    # the closing paragraph and the recipients are outside every section
    assert o.section_at(text.index("Trong quá trình thực hiện, nếu có khó")) == ""
    assert o.section_at(text.index("- Bộ Ngoại giao;")) == ""
    assert o.section_at(text.index("Cửa khẩu quốc tế Hà Tiên")) == "II.2.d"
    assert o.section_at(text.index("Số: 64")) == ""


def test_thua_thien_hue_outline(seed_paths):
    text, o = outline(seed_paths, "thua_thien_hue")
    assert [s.label for s in o.sections] == ["I", "II", "III", "IV", "V"]
    assert o.find("II").title == "NHIỆM VỤ TRỌNG TÂM VÀ GIẢI PHÁP"
    assert len(o.find("III").children) == 19
    assert o.find("III.18").title == "Đề nghị Bệnh viện Trung ương Huế"
    assert [c.path for c in o.find("III.15").children] == ["III.15.-1", "III.15.-2"]
    assert o.find("I.1").children[0].path == "I.1.-1"
    # "- công nghệ" and "- Thành phố Festival …" are wrapped text, not items
    assert o.section_at(text.index("- công nghệ, y tế")) == "II.2"
    assert o.section_at(text.index("- Thành phố Festival đặc trưng của Việt Nam, Huế - Thành phố bền")) == "III.12.b"
    assert o.find("V.1").title == "Sở Ngoại vụ"  # inline "1. Sở Ngoại vụ: Chủ trì …"
    assert o.find("V.2").title.endswith("các ban ngành, đoàn thể cấp tỉnh")
    assert o.section_at(text.index("Trên đây là Kế hoạch")) == ""


def test_khanh_hoa_outline(seed_paths):
    text, o = outline(seed_paths, "khanh_hoa")
    assert o.layout == "line"
    assert [s.title for s in o.sections] == ["Mục đích, yêu cầu", "Nội dung triển khai", "Tổ chức thực hiện"]
    assert len(o.find("III.5").children) == 8  # dashes written "-\xa0…"
    assert o.find("III.3").title == "Sở Kế hoạch và Đầu tư"
    assert o.section_at(text.index("Trên cơ sở nhiệm vụ được phân công")) == ""


def test_lai_chau_outline(seed_paths):
    text, o = outline(seed_paths, "lai_chau")
    assert o.layout == "blank"
    assert [s.label for s in o.sections] == ["I", "II", "IV"]  # the draft skips III
    sec = o.find("II.1")
    assert sec.title == "Nâng cao hiệu quả quản lý hoạt động đối ngoại" and len(sec.body) == 2
    assert o.find("II.2").title.startswith("Duy trì các mối quan hệ đối ngoại đã được thiết lập")
    assert len(o.find("II.2").body) == 4
    # a paragraph broken by a page break ("… công thông\n\ntin điện tử") stays one paragraph
    sec = o.find("II.5")
    assert len(sec.body) == 3 and "công thông tin điện tử" in join_wrapped(text, *sec.body[0])


def test_hau_giang_news_paragraphs(seed_paths):
    text, o = outline(seed_paths, "hau_giang")
    assert [s.path for s in o.sections] == [f"p{i}" for i in range(1, 8)]
    assert o.sections[0].title == "Về công tác đoàn ra"
    assert o.section_at(text.index("Hàng năm nhiều đoàn, tổ chức")) == ""  # a photo caption
    assert o.section_at(text.index("Đang online")) == ""


def test_decision_with_attached_plan():
    text = (SYNTHETIC / "qd_quang_nam.txt").read_text(encoding="utf-8")
    o = parse_outline(text)
    assert [s.path for s in o.sections] == ["art1", "art2", "art3", "I", "II", "III", "IV"]
    assert o.section_at(text.index("- Như Điều 3")) == ""  # recipients between articles and plan
    assert o.find("III.2.-1") is not None and o.find("II.1").title == "Lĩnh vực giáo dục và đào tạo"


def test_dotted_numbering_and_chapters():
    text = ("Chương I\nQUY ĐỊNH CHUNG\n1. Phạm vi\n1.1. Áp dụng cho các sở.\n1.2. Áp dụng cho huyện.\n"
            "2. Đối tượng\nChương II\nNHIỆM VỤ\n1. Sở Ngoại vụ\na) Chủ trì.\n")
    o = parse_outline(text)
    assert [s.path for s in o.flat] == ["ch1", "ch1.1", "ch1.1.1", "ch1.1.2", "ch1.2", "ch2", "ch2.1", "ch2.1.a"]


def test_out_of_sequence_numbers_are_text():
    text = "I. NHIỆM VỤ\n1. Làm việc với\n2020. Năm bản lề\na) Đầu tiên\nc) không phải mục\nb) Thứ hai\n"
    o = parse_outline(text)
    assert [s.path for s in o.flat] == ["I", "I.1", "I.1.a", "I.1.b"]


LINES = st.sampled_from([
    "I. MỤC ĐÍCH", "II. NỘI DUNG", "1. Sở Ngoại vụ", "2. Công an tỉnh", "a) Chủ trì thực hiện.",
    "b) Phối hợp với Sở Tài chính", "- Tăng cường quản lý.", "+ Chi tiết", "Điều 1. Ban hành", "|",
    "", "---", "văn bản tiếp theo dòng", "Về công tác đoàn ra: Tiếp tục.", "Chương II", "Nơi nhận:",
    "KT. CHỦ TỊCH", "1.1. Mục con", "đ) Mục đ", "  ", "III. TỔ CHỨC\nTHỰC HIỆN",
])


@given(st.lists(st.one_of(LINES, st.text(max_size=30)), max_size=40))
def test_outline_properties(lines):
    text = "\n".join(lines)
    o = parse_outline(text)
    for sec in o.flat:
        assert PATH_RE.fullmatch(sec.path), sec.path
        assert 0 <= sec.start <= sec.end <= len(text)
        assert sec.start <= sec.title_start <= sec.title_end <= len(text)
        for a, b in sec.body:
            assert sec.start <= a < b <= sec.end
        for child in sec.children:
            assert sec.start <= child.start and child.end <= sec.end
            assert child.path.startswith(sec.path + ".")
    for offset in range(0, len(text) + 1, 7):
        path = o.section_at(offset)
        assert path == "" or o.find(path) is not None

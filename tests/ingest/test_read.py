"""Readers: every format, legacy encodings, and every broken input -> the exact IngestError."""
from __future__ import annotations

import importlib.util
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vbgraph.ingest.errors import IngestError
from vbgraph.ingest.legacy import convert_tcvn3, guess_mojibake, is_vietnamese_syllable
from vbgraph.ingest.read import clean_text, decode_text, read_bytes, read_document

_spec = importlib.util.spec_from_file_location("ingest_helpers", Path(__file__).with_name("helpers.py"))
helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(helpers)

SAMPLE = ("KẾ HOẠCH\nCông tác đối ngoại trên địa bàn tỉnh Quảng Ngãi năm 2024\n"
          "1. Sở Ngoại vụ chủ trì, phối hợp với Công an tỉnh quản lý đoàn ra, đoàn vào; "
          "định kỳ 6 tháng báo cáo Ủy ban nhân dân tỉnh.\n"
          "2. Sở Văn hóa, Thể thao và Du lịch quảng bá hình ảnh của tỉnh với bạn bè quốc tế.\n")


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


# -- text -------------------------------------------------------------------------------
def test_seed_txt_is_kept_as_is(seed_paths):
    for path in seed_paths.values():
        raw = read_document(path)
        assert raw.text == path.read_text(encoding="utf-8")  # seeds are NFC, LF, clean
        assert raw.encoding == "utf-8" and raw.warnings == ()
        assert len(raw.sha256) == 64


@pytest.mark.parametrize("encoding,bom", [("utf-8-sig", b""), ("utf-16", b""), ("utf-16-be", b"\xfe\xff"),
                                          ("utf-32", b"")])
def test_boms(tmp_path, encoding, bom):
    raw = read_document(write(tmp_path, "a.txt", bom + SAMPLE.encode(encoding)))
    assert raw.text == SAMPLE


def test_crlf_nfd_and_control_characters(tmp_path):
    data = unicodedata.normalize("NFD", SAMPLE).replace("\n", "\r\n").replace("Sở", "S\x07ở")
    raw = read_document(write(tmp_path, "a.txt", data.encode("utf-8")))
    assert raw.text == SAMPLE
    assert clean_text("a\tb\x00c\rd") == "a\tbc\nd"


@pytest.mark.parametrize("encode,name", [(helpers.encode_tcvn3, "tcvn3"), (helpers.encode_vni, "vni"),
                                         (helpers.encode_cp1258, "cp1258")])
def test_legacy_encodings_are_converted(tmp_path, encode, name):
    raw = read_document(write(tmp_path, "legacy.txt", encode(SAMPLE)))
    assert raw.encoding == name
    if name == "tcvn3":  # no toned capitals in TCVN3: "Ủy" comes back as "ủy"
        assert raw.text.lower() == SAMPLE.lower() and raw.text.startswith("KẾ HOẠCH\n")
    else:
        assert raw.text == SAMPLE
    assert any(name in w for w in raw.warnings)


def test_legacy_seed_round_trip(seed_paths):
    text = seed_paths["kien_giang"].read_text(encoding="utf-8")
    assert decode_text(helpers.encode_vni(text))[0] == text
    assert decode_text(helpers.encode_cp1258(text))[0] == text
    lowered = text.lower()  # TCVN3 has no toned capitals: compare in lower case
    assert decode_text(helpers.encode_tcvn3(lowered))[0] == lowered


def test_tcvn3_restores_capitals():
    assert convert_tcvn3("KÕ HO¹CH") == "KẾ HOẠCH"
    assert convert_tcvn3("KÕ ho¹ch") == "Kế hoạch"
    assert convert_tcvn3("TØNH LAI CH¢U") == "TỈNH LAI CHÂU"


def test_utf8_mojibake_is_repaired_or_refused(tmp_path):
    mojibake = helpers.encode_tcvn3(SAMPLE).decode("cp1252")  # TCVN3 shown as cp1252, saved as UTF-8
    assert "¸" in mojibake or "µ" in mojibake or "Õ" in mojibake
    raw = read_document(write(tmp_path, "m.txt", mojibake.encode("utf-8")))
    assert raw.encoding == "tcvn3" and raw.text.lower() == SAMPLE.lower()
    double = SAMPLE.encode("utf-8").decode("cp1252", errors="ignore")  # UTF-8 read as cp1252
    raw = read_document(write(tmp_path, "d.txt", double.encode("utf-8")))
    assert "Quảng Ngãi" in raw.text or raw.encoding != "utf-8"
    garbage = "ÿþ ÆØ ¿¿ ÐÑ " * 40 + "Kế hoạch"
    with pytest.raises(IngestError, match="mojibake"):
        read_document(write(tmp_path, "g.txt", garbage.encode("utf-8")))


def test_unknown_8bit_is_refused(tmp_path):
    data = bytes(range(0x80, 0x100)) * 20
    with pytest.raises(IngestError, match="not UTF-8 and not recognisable as TCVN3, VNI or Windows-1258"):
        read_document(write(tmp_path, "x.txt", data))


@pytest.mark.parametrize("name,data,reason", [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b"  \n\n ", "empty file"),
    ("bin.txt", b"PK\x03\x04\x00\x00binary", "binary file (NUL bytes), not text"),
    ("a.doc", b"whatever", "unsupported file type '.doc'"),
    ("noext", b"whatever", "unsupported file type '(no extension)'"),
    ("bad.docx", b"not a zip at all", "not a valid .docx (not a zip archive)"),
    ("bad.pdf", b"%PDF-1.4 garbage", "cannot read PDF"),
])
def test_broken_inputs(tmp_path, name, data, reason):
    path = write(tmp_path, name, data)
    with pytest.raises(IngestError) as info:
        read_document(path)
    assert info.value.path == str(path)
    assert reason in info.value.reason
    assert "\n" not in str(info.value) and str(info.value).startswith(str(path) + ": ")


def test_missing_file_and_size_limit(tmp_path):
    with pytest.raises(IngestError, match="no such file"):
        read_document(tmp_path / "nope.txt")
    path = write(tmp_path, "big.txt", SAMPLE.encode("utf-8") * 10)
    with pytest.raises(IngestError, match=r"file too large \(\d+ bytes > limit 100\)"):
        read_document(path, max_bytes=100)


# -- docx, pdf, html --------------------------------------------------------------------
def test_docx_paragraphs_and_tables_in_body_order(tmp_path):
    data = helpers.make_docx(
        [("ỦY BAN NHÂN DÂN\nTỈNH BÌNH ĐỊNH", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
         ("Số: 77/KH-UBND", "Bình Định, ngày 3 tháng 3 năm 2023")],
        ["KẾ HOẠCH", "Hợp tác với tỉnh Champasak năm 2023", "I. NHIỆM VỤ",
         "1. Sở Ngoại vụ chủ trì tổ chức đoàn công tác sang tỉnh Champasak."])
    raw = read_document(write(tmp_path, "plan.docx", data))
    assert raw.encoding == "docx"
    lines = raw.text.split("\n")
    assert lines[:3] == ["ỦY BAN NHÂN DÂN", "TỈNH BÌNH ĐỊNH", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]
    assert lines.index("Số: 77/KH-UBND") < lines.index("KẾ HOẠCH") < lines.index("I. NHIỆM VỤ")


def test_docx_zip_bomb_refused(tmp_path):
    path = write(tmp_path, "bomb.docx", helpers.make_zip_bomb(50_000_000))
    assert path.stat().st_size < 1_000_000
    with pytest.raises(IngestError, match="zip bomb"):
        read_document(path)


def test_pdf_text_layer(tmp_path):
    lines = ["ỦY BAN NHÂN DÂN TỈNH NGHỆ AN", "Số: 12/KH-UBND", "KẾ HOẠCH",
             "Hợp tác với tỉnh Xiêng Khoảng năm 2022"]
    raw = read_document(write(tmp_path, "p.pdf", helpers.make_pdf(lines)))
    assert raw.encoding == "pdf"
    assert [ln.strip() for ln in raw.text.split("\n") if ln.strip()] == lines


def test_pdf_without_text_layer_needs_ocr(tmp_path):
    with pytest.raises(IngestError, match="no text layer .* needs OCR"):
        read_document(write(tmp_path, "scan.pdf", helpers.make_image_pdf()))


PORTAL = """<!doctype html><html><head><meta charset="utf-8"><title>Văn bản</title>
<style>.x{color:red}</style><script>var tracking = "Sở Ngoại vụ";</script></head>
<body><header><div class="logo">CỔNG THÔNG TIN ĐIỆN TỬ</div></header>
<nav class="menu"><a href="/">Trang chủ</a><a>Văn bản pháp luật</a></nav>
<div id="sidebar">Tin mới nhất</div>
<div class="content-detail"><p>ỦY BAN NHÂN DÂN<br>TỈNH ĐỒNG THÁP</p>
<table><tr><td>Số: 90/KH-UBND</td><td>Đồng Tháp, ngày 10 tháng 4 năm 2021</td></tr></table>
<p><b>KẾ HOẠCH</b></p><p>Công tác đối ngoại năm 2021</p>
<p>1. Sở Ngoại vụ chủ trì tổ chức đoàn ra.</p><script>alert(1)</script></div>
<div class="share-buttons">Chia sẻ Facebook</div>
<footer>Bản quyền thuộc Sở Thông tin và Truyền thông</footer></body></html>"""


def test_html_portal_page_keeps_main_text(tmp_path):
    raw = read_document(write(tmp_path, "page.html", PORTAL.encode("utf-8")))
    assert raw.text.split("\n") == [
        "ỦY BAN NHÂN DÂN", "TỈNH ĐỒNG THÁP", "Số: 90/KH-UBND", "Đồng Tháp, ngày 10 tháng 4 năm 2021",
        "KẾ HOẠCH", "Công tác đối ngoại năm 2021", "1. Sở Ngoại vụ chủ trì tổ chức đoàn ra."]
    for chrome in ("Trang chủ", "tracking", "alert", "Chia sẻ", "Bản quyền", "Tin mới", "color"):
        assert chrome not in raw.text


def test_html_in_windows_1258(tmp_path):
    page = PORTAL.replace('charset="utf-8"', 'charset="windows-1258"')
    raw = read_document(write(tmp_path, "p.htm", helpers.encode_cp1258(page)))
    assert "TỈNH ĐỒNG THÁP" in raw.text


# -- properties -------------------------------------------------------------------------
@given(st.binary(max_size=400))
def test_any_bytes_read_or_refused(data):
    try:
        raw = read_bytes(data, "x.txt")
    except IngestError as exc:
        assert "\n" not in str(exc)
    else:
        assert unicodedata.is_normalized("NFC", raw.text)
        assert "\r" not in raw.text and "\x00" not in raw.text


@given(st.text(alphabet="aăâeêioôơuưyđbcdghklmnpqrstvx" "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ ",
               min_size=1, max_size=200))
def test_vietnamese_letters_survive_all_three_legacy_encodings(text):
    for encode in (helpers.encode_vni, helpers.encode_cp1258):
        try:
            decoded = decode_text(encode(text))[0]
        except IngestError:
            continue  # too few well-formed words to trust a guess: refusing is right
        assert decoded == clean_text(text)  # a trusted guess is the right one


@pytest.mark.parametrize("word,ok", [("người", True), ("quốc", True), ("giữ", True), ("gìn", True),
                                     ("khuya", True), ("hoà", True), ("kêthôn", False), ("tØnh", False),
                                     ("aø", False), ("Kinh", True)])
def test_syllables(word, ok):
    assert is_vietnamese_syllable(word) is ok


def test_clean_vietnamese_is_not_mojibake(seed_paths):
    for path in seed_paths.values():
        assert guess_mojibake(path.read_text(encoding="utf-8")) is None

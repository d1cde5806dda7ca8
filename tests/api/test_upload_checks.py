"""Pure upload validation: safe file names and type checks by extension AND content."""
from __future__ import annotations

import io
import unicodedata
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st
from vbgraph.api.http import ApiError, check_upload, safe_filename

PLAN_TEXT = ("ỦY BAN NHÂN DÂN TỈNH LẠNG SƠN\nSố: 88/KH-UBND\nLạng Sơn, ngày 05 tháng 4 năm 2022\n"
             "KẾ HOẠCH\nCông tác đối ngoại năm 2022\n").encode()


# -- file names --------------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("ke-hoach-64.txt", "ke-hoach-64.txt"),
    ("Kế hoạch 64 KH-UBND.docx", "Kế hoạch 64 KH-UBND.docx"),
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\windows\\system32\\evil.pdf", "evil.pdf"),
    ("/abs/path/plan.html", "plan.html"),
    (".bashrc.txt", "bashrc.txt"),
    ("plan;rm -rf ~.txt", "plan_rm -rf.txt"),
    ("a<b>|c:d*?.txt", "a_b_c_d.txt"),
    ("tab\tand\nnewline.txt", "tabandnewline.txt"),
    ("Ke hoa\u0300ch.txt", "Ke hoàch.txt"),          # NFD input -> NFC
])
def test_safe_filename_examples(name: str, expected: str) -> None:
    assert safe_filename(name) == expected


@pytest.mark.parametrize("name", ["", "..", "../", "/", "....", "\x00\x01", "$$$"])
def test_safe_filename_rejects_unusable(name: str) -> None:
    with pytest.raises(ApiError) as info:
        safe_filename(name)
    assert info.value.status == 400 and info.value.code == "bad_filename"


@given(st.text(max_size=300))
def test_safe_filename_never_escapes_the_folder(name: str) -> None:
    try:
        out = safe_filename(name)
    except ApiError as exc:
        assert exc.status == 400
        return
    assert out and "/" not in out and "\\" not in out
    assert not out.startswith(".") and out not in (".", "..")
    assert len(out) <= 131
    assert unicodedata.normalize("NFC", out) == out
    assert all(unicodedata.category(ch)[0] != "C" for ch in out)


# -- content checks ------------------------------------------------------------------------

def _docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH")
    document.add_paragraph("KẾ HOẠCH Công tác đối ngoại năm 2021")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
               b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


@pytest.mark.parametrize("name, data, kind", [
    ("plan.txt", PLAN_TEXT, "text"),
    ("plan.TXT", PLAN_TEXT, "text"),
    ("plan.txt", "\ufeff".encode("utf-8") + PLAN_TEXT, "text"),
    ("plan.txt", PLAN_TEXT.decode("utf-8").encode("utf-16"), "text"),
    ("plan.txt", "Ke hoach doi ngoai (TCVN3): ¸ µ ¶ ·".encode("cp1252"), "text"),
    ("page.html", b"<!doctype html><html><body><p>K\xe1\xba\xbf ho\xe1\xba\xa1ch</p></body></html>",
     "html"),
    ("page.htm", b"<div class='content'>" + PLAN_TEXT + b"</div>", "html"),
    ("plan.pdf", MINIMAL_PDF, "pdf"),
    ("plan.docx", _docx_bytes(), "docx"),
])
def test_check_upload_accepts_real_types(name: str, data: bytes, kind: str) -> None:
    assert check_upload(name, data) == kind


@pytest.mark.parametrize("name, data, status, code", [
    ("plan.exe", b"MZ\x90\x00", 415, "unsupported_type"),
    ("plan", PLAN_TEXT, 415, "unsupported_type"),
    ("plan.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, 415, "unsupported_type"),
    ("plan.txt", b"", 400, "empty_file"),
    ("plan.txt", b"  \n\t ", 400, "empty_file"),
    ("plan.txt", b"\x00\x01\x02\x03binary\x00" * 20, 415, "binary_content"),
    ("plan.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, 415, "binary_content"),
    ("plan.txt", MINIMAL_PDF, 415, "binary_content"),
    ("plan.txt", _zip_bytes({"a.txt": b"x"}), 415, "binary_content"),
    ("plan.pdf", PLAN_TEXT, 415, "content_mismatch"),
    ("plan.docx", PLAN_TEXT, 415, "content_mismatch"),
    ("plan.docx", _zip_bytes({"a.txt": b"not word"}), 415, "content_mismatch"),
    ("plan.docx", b"PK\x03\x04 truncated zip", 415, "content_mismatch"),
    ("page.html", PLAN_TEXT, 415, "content_mismatch"),
    ("page.html", b"\x7fELF\x02\x01\x01" + b"\x00" * 60, 415, "binary_content"),
])
def test_check_upload_rejects(name: str, data: bytes, status: int, code: str) -> None:
    with pytest.raises(ApiError) as info:
        check_upload(name, data)
    assert (info.value.status, info.value.code) == (status, code)
    assert info.value.message


def test_check_upload_size_limit() -> None:
    check_upload("plan.txt", PLAN_TEXT, max_bytes=len(PLAN_TEXT))
    with pytest.raises(ApiError) as info:
        check_upload("plan.txt", PLAN_TEXT, max_bytes=len(PLAN_TEXT) - 1)
    assert info.value.status == 413


@given(st.text(min_size=1, max_size=2000).filter(lambda s: s.strip()))
def test_any_printable_unicode_text_is_accepted_as_text(text: str) -> None:
    cleaned = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\n\t")
    if not cleaned.strip():
        return
    assert check_upload("x.txt", cleaned.encode("utf-8")) == "text"


@given(st.binary(min_size=1, max_size=2000))
def test_bytes_with_nul_are_never_text(data: bytes) -> None:
    data = data + b"\x00"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        data = b"x" + data
    with pytest.raises(ApiError) as info:
        check_upload("x.txt", data)
    assert info.value.status in (400, 415)

"""Builders for test inputs: legacy encodings, a PDF with a text layer, a .docx, zip bombs.

Loaded by path by the ingest tests (``--import-mode=importlib`` puts no test folder on
``sys.path``)."""
from __future__ import annotations

import io
import json
import unicodedata
import zipfile
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "ingest" / "data"
TONES = "\u0300\u0301\u0303\u0309\u0323"


def encode_tcvn3(text: str) -> bytes:
    table = json.loads((DATA / "legacy_tcvn3.json").read_text(encoding="utf-8"))["bytes"]
    rev = {v: int(k, 16) for k, v in table.items()}
    out = bytearray()
    for ch in text:
        if ch in rev:
            out.append(rev[ch])
        elif ch.lower() in rev:  # toned capitals: the .VnTimeH font draws the lower-case code
            out.append(rev[ch.lower()])
        else:
            out.extend(ch.encode("ascii"))
    return bytes(out)


def encode_vni(text: str) -> bytes:
    table = json.loads((DATA / "legacy_vni.json").read_text(encoding="utf-8"))["letters"]
    return "".join(table.get(ch, ch) for ch in text).encode("cp1252")


def encode_cp1258(text: str) -> bytes:
    out = []
    for ch in text:
        d = unicodedata.normalize("NFD", ch)
        tone = "".join(c for c in d if c in TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in d if c not in TONES))
        out.append(base + tone)
    return "".join(out).encode("cp1258")


def make_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds ``lines`` (a simple font with a ToUnicode map, so
    any Unicode text round-trips through text extraction)."""
    chars = sorted({ch for line in lines for ch in line})
    assert len(chars) < 255
    code = {ch: i + 1 for i, ch in enumerate(chars)}
    cmap_lines = [f"<{code[ch]:02X}> <{ch.encode('utf-16-be').hex().upper()}>" for ch in chars]
    cmap = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
            "/CMapName /Test def /CMapType 2 def\n1 begincodespacerange <01> <FF> endcodespacerange\n"
            f"{len(cmap_lines)} beginbfchar\n" + "\n".join(cmap_lines) +
            "\nendbfchar\nendcmap CMapName currentdict /CMap defineresource pop end end\n")
    content = ["BT /F1 11 Tf 40 800 Td 14 TL"]
    for line in lines:
        content.append("<" + "".join(f"{code[ch]:02X}" for ch in line) + "> Tj T*")
    content.append("ET")
    stream = "\n".join(content)
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream.encode('latin-1'))} >>\nstream\n{stream}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /FirstChar 1 /LastChar 255 "
        f"/Widths [{' '.join(['500'] * 255)}] /ToUnicode 6 0 R >>",
        f"<< /Length {len(cmap)} >>\nstream\n{cmap}endstream",
    ]
    return _pdf(objects)


def make_image_pdf() -> bytes:
    """A PDF page with a drawing but no text: what a scan without OCR looks like."""
    stream = "0 0 1 rg 10 10 200 200 re f"
    return _pdf([
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
    ])


def _pdf(objects: list[str]) -> bytes:
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n{obj}\nendobj\n".encode("latin-1"))
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer << /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
              .encode())
    return out.getvalue()


def make_docx(header_cells: list[tuple[str, str]], paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    table = document.add_table(rows=len(header_cells), cols=2)
    for row, (left, right) in zip(table.rows, header_cells):
        row.cells[0].text = left
        row.cells[1].text = right
    for p in paragraphs:
        document.add_paragraph(p)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def make_zip_bomb(size: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"\0" * size)
    return buf.getvalue()


"""Readers: a file on disk -> :class:`RawDocument` (NFC text every span points into).

Formats: ``.txt`` (UTF-8, UTF-8/16/32 with BOM, legacy TCVN3/VNI/Windows-1258), ``.docx``
(python-docx, paragraphs and tables in body order), ``.pdf`` with a text layer (pypdf) and
``.html``/``.htm`` pages of legal portals (BeautifulSoup + lxml, site chrome dropped).

A file that cannot be read raises :class:`~vbgraph.ingest.errors.IngestError` with a one-line
reason; nothing is ever ingested as mojibake. ``.txt`` text is kept as it is (NFC, CRLF -> LF,
control characters dropped) so a user can find a span in the file; layout artefacts are the
parsers' business.
"""
from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from typing import Any
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import IngestError
from .legacy import guess_legacy_bytes, guess_mojibake
from .text import fold_if_clean, nfc

__all__ = [
    "DEFAULT_MAX_BYTES", "MEDIA_TYPES", "RawDocument", "clean_text", "decode_text",
    "read_bytes", "read_document",
]

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
#: a .docx whose parts inflate beyond this (or far beyond its own size) is refused
DOCX_MAX_UNCOMPRESSED = 200 * 1024 * 1024
DOCX_MAX_RATIO = 200

MEDIA_TYPES = {
    ".txt": "text/plain",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
    ".html": "text/html",
    ".htm": "text/html",
}


@dataclass(frozen=True, slots=True)
class RawDocument:
    text: str                      # NFC, LF line ends, no control characters but \n and \t
    media_type: str
    encoding: str                  # "utf-8", "utf-16", "tcvn3", "vni", "cp1258", "docx", …
    warnings: tuple[str, ...] = ()
    sha256: str = ""               # of the file's bytes (the incremental-ingest key)


# -- text clean-up ----------------------------------------------------------------------
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff]")


def clean_text(text: str) -> str:
    """NFC, CRLF/CR -> LF, control characters (but newline and tab) and BOMs removed.

    A text that needs none of it (most do not) is told by one numpy pass over its code units,
    which also folds it (:func:`~vbgraph.ingest.text.fold_if_clean`; the outline folds the
    cleaned document next) and is returned as it is."""
    if fold_if_clean(text) is not None:
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return nfc(_CONTROL.sub("", text))


def _check_mojibake(text: str, path: str, warnings: list[str]) -> tuple[str, str | None]:
    guess = guess_mojibake(text)
    if guess is None:
        return text, None
    if guess.trusted:
        warnings.append(
            f"text was {guess.encoding} mojibake; converted to Unicode "
            f"({guess.ratio:.0%} of accented words well-formed after conversion)"
        )
        return guess.text, guess.encoding
    raise IngestError(
        path, f"text looks like mojibake of an unknown Vietnamese encoding "
        f"(only {guess.ratio:.0%} of accented words are well-formed); convert it to Unicode first"
    )


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "utf-32"),
    (b"\xff\xfe", "utf-16-le", "utf-16"),
    (b"\xfe\xff", "utf-16-be", "utf-16"),
)


def decode_text(data: bytes, path: str = "<bytes>") -> tuple[str, str, tuple[str, ...]]:
    """Bytes of a plain-text file -> ``(clean text, encoding, warnings)``."""
    warnings: list[str] = []
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(codec)
            except UnicodeDecodeError as exc:
                raise IngestError(path, f"invalid {name} after a {name} byte-order mark "
                                        f"(byte {exc.start + len(bom)})") from None
            encoding = name
            break
    else:
        if b"\x00" in data:
            raise IngestError(path, "binary file (NUL bytes), not text")
        try:
            text = data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            guess = guess_legacy_bytes(data)
            if not guess.trusted:
                raise IngestError(
                    path, "not UTF-8 and not recognisable as TCVN3, VNI or Windows-1258 "
                    f"(best guess {guess.encoding}: {guess.ratio:.0%} of accented words "
                    "well-formed); binary or unknown encoding") from None
            warnings.append(
                f"file is in the legacy {guess.encoding} encoding; converted to Unicode "
                f"({guess.ratio:.0%} of accented words well-formed)"
            )
            return clean_text(guess.text), guess.encoding, tuple(warnings)
    text = clean_text(text)
    text, repaired = _check_mojibake(text, path, warnings)
    return text, repaired or encoding, tuple(warnings)


# -- formats ----------------------------------------------------------------------------
def _read_txt(data: bytes, path: str) -> RawDocument:
    text, encoding, warnings = decode_text(data, path)
    return RawDocument(text, MEDIA_TYPES[".txt"], encoding, warnings)


def _check_zip(data: bytes, path: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile:
        raise IngestError(path, "not a valid .docx (not a zip archive)") from None
    total = sum(i.file_size for i in infos)
    if total > DOCX_MAX_UNCOMPRESSED or total > max(len(data), 1) * DOCX_MAX_RATIO:
        raise IngestError(
            path, f"refusing .docx: parts inflate to {total} bytes from {len(data)} "
                  "(zip bomb?)")
    if not any(i.filename == "word/document.xml" for i in infos):
        raise IngestError(path, "not a valid .docx (no word/document.xml)")


def _docx_text(data: bytes, path: str) -> str:
    import docx  # python-docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several types for broken parts
        raise IngestError(path, f"cannot open .docx: {type(exc).__name__}") from None

    lines: list[str] = []

    def table_lines(table: Table) -> None:
        for row in table.rows:
            seen: set[int] = set()
            for cell in row.cells:
                if id(cell._tc) in seen:  # a merged cell repeats across the row
                    continue
                seen.add(id(cell._tc))
                for block in cell.iter_inner_content():
                    if isinstance(block, Paragraph):
                        lines.append(block.text)
                    else:
                        table_lines(block)

    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            table_lines(block)
    return "\n".join(lines)


def _read_docx(data: bytes, path: str) -> RawDocument:
    _check_zip(data, path)
    warnings: list[str] = []
    text = clean_text(_docx_text(data, path))
    if not text.strip():
        raise IngestError(path, "the .docx has no text")
    text, repaired = _check_mojibake(text, path, warnings)
    return RawDocument(text, MEDIA_TYPES[".docx"], repaired or "docx", tuple(warnings))


def _read_pdf(data: bytes, path: str) -> RawDocument:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError(path, "encrypted PDF (password protected)")
        pages = [page.extract_text() or "" for page in reader.pages]
    except IngestError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise IngestError(path, f"cannot read PDF: {type(exc).__name__}") from None
    text = clean_text("\n".join(pages))
    if not text.strip():
        raise IngestError(path, f"PDF has no text layer ({len(pages)} page(s) of images?): "
                                "it needs OCR first")
    warnings: list[str] = []
    text, repaired = _check_mojibake(text, path, warnings)
    return RawDocument(text, MEDIA_TYPES[".pdf"], repaired or "pdf", tuple(warnings))


_CHROME_TAGS = ("script", "style", "noscript", "template", "nav", "header", "footer", "aside",
                "form", "iframe", "svg", "button", "select", "menu", "head")
_CHROME_HINT = re.compile(
    r"(^|[-_ ])(nav|navbar|menu|header|footer|sidebar|breadcrumbs?|banner|share|social|"
    r"comments?|advert|ads|login|search|related|toolbar|copyright|counter|portlet-?title)"
    r"($|[-_ \d])", re.I)
_CONTENT_HINT = re.compile(
    r"(content|noidung|toanvan|vanban|article|detail|chitiet|main|fulltext|body-?text)", re.I)
_BLOCK_TAGS = ("p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
               "table", "section", "article", "blockquote", "pre", "dd", "dt", "ul", "ol")


def _marks(tag: Any, *attributes: str) -> str:
    """The values of ``tag``'s ``attributes`` joined by spaces: a missing one an empty string,
    but a missing ``class`` nothing (``class`` is a list of words)."""
    out: list[str] = []
    for name in attributes:
        value = tag.get(name)
        if isinstance(value, str):
            out.append(value)
        elif value:
            out.extend(str(v) for v in value)
        elif name != "class":
            out.append("")
    return " ".join(out)


def _html_text(data: bytes, path: str) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "lxml")
    for tag in soup.find_all(_CHROME_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed or tag.name in ("html", "body"):
            continue
        marks = _marks(tag, "id", "class", "role")
        if marks.strip() and _CHROME_HINT.search(marks) and not _CONTENT_HINT.search(marks):
            tag.decompose()
    root = soup.find("main") or soup.find("article")
    if root is None:
        hinted = [t for t in soup.find_all(["div", "section", "td"])
                  if _CONTENT_HINT.search(_marks(t, "id", "class"))]
        if hinted:
            root = max(hinted, key=lambda t: len(t.get_text()))
    if root is None:
        root = soup.body or soup
    for br in root.find_all("br"):
        br.replace_with("\n")
    for tag in root.find_all(_BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    raw = root.get_text("")
    lines = (" ".join(line.split()) for line in raw.split("\n"))
    return "\n".join(line for line in lines if line)


def _read_html(data: bytes, path: str) -> RawDocument:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestError(path, "binary file (NUL bytes), not HTML")
    text = clean_text(_html_text(data, path))
    if not text.strip():
        raise IngestError(path, "the HTML page has no text")
    warnings: list[str] = []
    text, repaired = _check_mojibake(text, path, warnings)
    return RawDocument(text, MEDIA_TYPES[".html"], repaired or "html", tuple(warnings))


_READERS = {".txt": _read_txt, ".docx": _read_docx, ".pdf": _read_pdf,
            ".html": _read_html, ".htm": _read_html}


def read_bytes(data: bytes, name: str) -> RawDocument:
    """Pure reader: the bytes of a file called ``name`` (its extension picks the format)."""
    suffix = Path(name).suffix.lower()
    reader = _READERS.get(suffix)
    if reader is None:
        known = ", ".join(sorted(_READERS))
        raise IngestError(name, f"unsupported file type {suffix or '(no extension)'!r} "
                                f"(supported: {known})")
    if not data.strip():
        raise IngestError(name, "empty file")
    raw = reader(data, name)
    if not raw.text.strip():
        raise IngestError(name, "empty file (no text)")
    assert unicodedata.is_normalized("NFC", raw.text)
    return replace(raw, sha256=hashlib.sha256(data).hexdigest())


def read_document(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> RawDocument:
    """Read one file; raise :class:`IngestError` with a one-line reason when it cannot be."""
    name = str(path)
    p = Path(path)
    if p.suffix.lower() not in _READERS:
        read_bytes(b"", name)  # raises the unsupported-type error
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise IngestError(name, "no such file") from None
    except OSError as exc:
        raise IngestError(name, f"cannot stat file: {exc.strerror or exc}") from None
    if not p.is_file():
        raise IngestError(name, "not a regular file")
    if size > max_bytes:
        raise IngestError(name, f"file too large ({size} bytes > limit {max_bytes})")
    if size == 0:
        raise IngestError(name, "empty file")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise IngestError(name, f"cannot read file: {exc.strerror or exc}") from None
    return read_bytes(data, name)

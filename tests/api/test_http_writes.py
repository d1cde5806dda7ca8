"""Writes and attacks: uploads with the token, rejected input leaves the store untouched,
SPARQL stays read-only, blocking work runs off the event loop."""
from __future__ import annotations

import io
import threading
import zipfile
from pathlib import Path

import pytest
from vbgraph.ingest.text import fold

TOKEN = "test-token-doi-ngoai-7f3a"  # HTTP headers carry latin-1: tokens are ASCII
AUTH = {"Authorization": f"Bearer {TOKEN}"}

# A plan imitating another province's phrasing (not a seed): it cites 272-QĐ/TW and 38-CT/TW.
QUANG_NINH = """ỦY BAN NHÂN DÂN
TỈNH QUẢNG NINH
Số: 215/KH-UBND
Quảng Ninh, ngày 12 tháng 3 năm 2021

KẾ HOẠCH
Triển khai công tác đối ngoại năm 2021

Căn cứ Quyết định số 272-QĐ/TW ngày 21/01/2015 của Bộ Chính trị về việc ban hành Quy chế quản lý thống nhất các hoạt động đối ngoại;
Thực hiện Chỉ thị số 38-CT/TW ngày 21/7/2014 của Ban Bí thư, Ủy ban nhân dân tỉnh ban hành Kế hoạch như sau:

I. MỤC ĐÍCH, YÊU CẦU
Nâng cao hiệu quả công tác đối ngoại của tỉnh.

II. NHIỆM VỤ
1. Sở Ngoại vụ chủ trì, phối hợp với Công an tỉnh, Bộ Chỉ huy Bộ đội Biên phòng tỉnh tăng cường công tác bảo hộ công dân, hỗ trợ ngư dân bị nước ngoài bắt giữ.
2. Sở Kế hoạch và Đầu tư chủ trì xúc tiến đầu tư, thu hút các dự án có vốn đầu tư nước ngoài.

III. TỔ CHỨC THỰC HIỆN
Sở Ngoại vụ là cơ quan thường trực, theo dõi, đôn đốc việc thực hiện Kế hoạch này.

KT. CHỦ TỊCH
PHÓ CHỦ TỊCH
Nguyễn Văn A
"""


def _error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


def _snapshot(client, data_dir: Path) -> tuple:
    """What a write would change: stats, the documents list, files in the data dir."""
    files = sorted(str(p.relative_to(data_dir)) for p in data_dir.rglob("*")
                   if p.is_file() and not p.name.endswith(".lock"))
    return (client.get("/stats").json(), client.get("/documents").json(), files)


def _upload(client, name: str, data: bytes, headers=AUTH, content_type="text/plain"):
    return client.post("/documents", files={"file": (name, data, content_type)},
                       headers=headers or {})


# -- token --------------------------------------------------------------------------------

def test_upload_needs_the_token(http_writable) -> None:
    data_dir, _, client = http_writable
    before = _snapshot(client, data_dir)
    err = _error(_upload(client, "qn.txt", QUANG_NINH.encode(), headers={}), 401, "missing_token")
    assert "token" in err["message"]
    _error(_upload(client, "qn.txt", QUANG_NINH.encode(),
                   headers={"Authorization": "Bearer wrong"}), 401, "invalid_token")
    _error(_upload(client, "qn.txt", QUANG_NINH.encode(),
                   headers={"Authorization": f"Bearer {TOKEN}x"}), 401, "invalid_token")
    _error(_upload(client, "qn.txt", QUANG_NINH.encode(),
                   headers={"Authorization": f"Basic {TOKEN}"}), 401, "missing_token")
    _error(_upload(client, "qn.txt", QUANG_NINH.encode(),
                   headers={"X-API-Token": "nope"}), 401, "invalid_token")
    assert _snapshot(client, data_dir) == before


def test_uploads_are_disabled_without_a_configured_token(http_writable, monkeypatch) -> None:
    from fastapi.testclient import TestClient
    from vbgraph.api.http import create_app

    data_dir, workspace, _ = http_writable
    monkeypatch.delenv("VBGRAPH_API_TOKEN", raising=False)
    with TestClient(create_app(workspace), raise_server_exceptions=False) as client:
        before = _snapshot(client, data_dir)
        _error(_upload(client, "qn.txt", QUANG_NINH.encode()), 403, "writes_disabled")
        assert _snapshot(client, data_dir) == before
    monkeypatch.setenv("VBGRAPH_API_TOKEN", "from-env")
    with TestClient(create_app(workspace), raise_server_exceptions=False) as client:
        _error(_upload(client, "qn.txt", QUANG_NINH.encode()), 401, "invalid_token")
        response = _upload(client, "bad.exe", b"MZ", headers={"X-API-Token": "from-env"})
        _error(response, 415, "unsupported_type")       # token accepted, file refused


# -- rejected uploads write nothing --------------------------------------------------------

def _docx_without_word() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("payload.txt", "hello")
    return buf.getvalue()


@pytest.mark.parametrize("name, data, status, code", [
    ("big.txt", ("Kế hoạch đối ngoại. " * 20000).encode(), 413, "file_too_large"),
    ("binary.txt", bytes(range(256)) * 8, 415, "binary_content"),
    ("tool.exe", b"MZ\x90\x00\x03", 415, "unsupported_type"),
    ("fake.pdf", QUANG_NINH.encode(), 415, "content_mismatch"),
    ("fake.docx", _docx_without_word(), 415, "content_mismatch"),
    ("empty.txt", b"", 400, "empty_file"),
    ("...", QUANG_NINH.encode(), 400, "bad_filename"),
])
def test_rejected_uploads_leave_the_store_unchanged(http_writable, name, data, status, code):
    data_dir, _, client = http_writable
    before = _snapshot(client, data_dir)
    _error(_upload(client, name, data), status, code)
    assert _snapshot(client, data_dir) == before
    assert client.get("/stats").status_code == 200          # still serving


def test_malformed_multipart_and_missing_file(http_writable) -> None:
    data_dir, _, client = http_writable
    before = _snapshot(client, data_dir)
    _error(client.post("/documents", content=b"--xx\r\nbroken", headers={
        **AUTH, "content-type": "multipart/form-data; boundary=xx"}), 400)
    _error(client.post("/documents", data={"note": "no file"}, files={"other": ("a.txt", b"x")},
                       headers=AUTH), 400, "missing_file")
    _error(client.post("/documents", content=QUANG_NINH.encode(),
                       headers={**AUTH, "content-type": "text/plain"}), 415)
    _error(client.post("/documents", content=b"x" * 10,
                       headers={**AUTH, "content-type": "multipart/form-data; boundary=x",
                                "content-length": str(10 ** 9)}), 413, "file_too_large")
    assert _snapshot(client, data_dir) == before


# -- accepted upload ----------------------------------------------------------------------

def test_upload_ingests_a_new_plan_and_graph_and_search_see_it(http_writable) -> None:
    data_dir, _, client = http_writable
    n_before = len(client.get("/documents").json())
    response = _upload(client, "../../../etc/Kế hoạch QN.txt", QUANG_NINH.encode())
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "ingested"
    stored = data_dir / "uploads" / body["stored_as"]
    assert stored.is_file() and stored.parent == data_dir / "uploads"
    assert "/" not in body["stored_as"] and body["stored_as"].endswith("Kế hoạch QN.txt")
    assert stored.read_bytes() == QUANG_NINH.encode()
    assert len(client.get("/documents").json()) == n_before + 1
    plans = client.get("/cites", params={"ref": "272-QĐ/TW"}).json()["plans"]
    assert "quang ninh" in {fold(p["province"] or "") for p in plans}
    assert len(plans) == 4
    hits = client.get("/search", params={"q": "ngư dân bị bắt giữ", "k": 5,
                                         "province": "Quảng Ninh"}).json()
    assert hits and fold(hits[0]["document"]["province"]) == "quang ninh"

    # the same bytes again change nothing
    stats = client.get("/stats").json()
    again = _upload(client, "copy.txt", QUANG_NINH.encode())
    assert again.status_code == 201 and again.json()["status"] == "unchanged"
    assert client.get("/stats").json() == stats


# -- SPARQL is read-only --------------------------------------------------------------------

@pytest.mark.parametrize("query", [
    "SELECT ?s WHERE { ?s ?p }",                                   # malformed
    "this is not sparql",
    "PREFIX x: <http://x/> INSERT DATA { x:a x:b x:c }",
    "DELETE WHERE { ?s ?p ?o }",
    "CLEAR ALL",
    "DROP ALL",
    "LOAD <http://example.org/data.ttl>",
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
])
def test_sparql_rejects_bad_and_writing_queries(http_writable, query: str) -> None:
    data_dir, _, client = http_writable
    before = _snapshot(client, data_dir)
    export_before = client.get("/export", params={"format": "ttl"}).content
    response = client.post("/sparql", json={"query": query})
    _error(response, 400)
    assert _snapshot(client, data_dir) == before
    assert client.get("/export", params={"format": "ttl"}).content == export_before


@pytest.mark.parametrize("kwargs, status", [
    ({"json": {"query": ""}}, 400),
    ({"json": {"nope": 1}}, 400),
    ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 400),
    ({"content": b"SELECT * {}", "headers": {"content-type": "image/png"}}, 415),
    ({"json": {"query": "SELECT * WHERE { ?s ?p ?o } #" + "x" * 30000}}, 413),
])
def test_sparql_bad_requests(http_client, kwargs: dict, status: int) -> None:
    _error(http_client.post("/sparql", **kwargs), status)


# -- blocking work does not stall other requests --------------------------------------------

class _SlowIngest:
    """The real workspace, with ``ingest`` held until the test releases it."""

    def __init__(self, workspace) -> None:
        self._workspace = workspace
        self.started = threading.Event()
        self.release = threading.Event()

    def __getattr__(self, name):
        return getattr(self._workspace, name)

    def ingest(self, paths):
        self.started.set()
        assert self.release.wait(timeout=60), "test never released the ingest"
        return self._workspace.ingest(paths)


def test_an_ingest_in_progress_does_not_block_reads(http_writable) -> None:
    from fastapi.testclient import TestClient
    from vbgraph.api.http import create_app

    _, workspace, _ = http_writable
    slow = _SlowIngest(workspace)
    result: dict = {}
    with TestClient(create_app(slow, token=TOKEN), raise_server_exceptions=False) as client:
        def upload() -> None:
            result["response"] = _upload(client, "qn.txt", QUANG_NINH.encode())

        thread = threading.Thread(target=upload, daemon=True)
        thread.start()
        try:
            assert slow.started.wait(timeout=30)
            # while the ingest is held, reads are answered and a second upload is refused
            assert client.get("/stats").status_code == 200
            assert client.get("/search", params={"q": "biên giới", "k": 3}).status_code == 200
            _error(_upload(client, "other.txt", QUANG_NINH.replace("215", "216").encode()),
                   409, "busy")
        finally:
            slow.release.set()
            thread.join(timeout=120)
    assert result["response"].status_code == 201, result["response"].text

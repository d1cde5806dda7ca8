"""The sync's batches on the Bolt server: rows too large for FalkorDB's parameter cap."""
from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from vbgraph.graph.embedded import EmbeddedGraphStore
from vbgraph.graph.testing import sample_documents

pytestmark = pytest.mark.bolt


def test_mirror_writes_rows_over_the_parameter_cap(bolt_driver: Any) -> None:
    from vbgraph.graph.neo4j_store import FALKORDB_PARAM_BUDGET, Neo4jGraphStore, _size

    src = EmbeddedGraphStore()
    src.upsert_documents(sample_documents())
    nodes, edges = list(src.iter_nodes()), list(src.iter_edges())
    long_text = "Nhiệm vụ rất dài của Sở Ngoại vụ, " * 300  # ~10 KB in UTF-8
    task = next(n for n in nodes if n["kind"] == "Task")
    task["text"] = long_text
    cites = next(e for e in edges if e["type"] == "CITES")
    cites["text"] = long_text[::-1]
    assert _size(long_text) > 3 * FALKORDB_PARAM_BUDGET
    dst = Neo4jGraphStore(driver=bolt_driver, database=f"s{uuid.uuid4().hex[:12]}")
    try:
        dst.mirror(nodes, edges)
        assert dst.get_nodes([task["id"]])[task["id"]]["text"] == long_text
        (got,) = [e for e in dst.iter_edges() if e["type"] == "CITES"
                  and e["key"] == cites["key"] and e["source"] == cites["source"]]
        assert got["text"] == long_text[::-1]
        assert dst.counts() == src.counts()
        # the rows carry no duplicated id, the nodes still have theirs
        steps = dst._load_steps(nodes, edges)
        assert all("id" not in r["props"] for phase, (_, p, *_) in steps if phase == "nodes"
                   for r in p["rows"])
        assert {n["id"] for n in dst.iter_nodes()} == {n["id"] for n in nodes}
    finally:
        dst.clear()


# -- the sync's steps are streamed (no Bolt server needed) -------------------------------------

def _graph() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    src = EmbeddedGraphStore()
    src.upsert_documents(sample_documents())
    return list(src.iter_nodes()), list(src.iter_edges())


@pytest.mark.parametrize("batch_size", [1, 7, 1000])
def test_streamed_steps_hold_every_row_once_nodes_first_in_small_batches(batch_size: int) -> None:
    from vbgraph.graph.neo4j_store import Neo4jGraphStore

    nodes, edges = _graph()
    steps = list(Neo4jGraphStore._stream_steps(iter(nodes), iter(edges), batch_size))
    phases = [phase for phase, _ in steps]
    assert phases == sorted(phases, key=lambda p: p != "nodes")  # every node batch first
    assert all(0 < len(p["rows"]) <= batch_size for _, (_, p, *_) in steps)
    node_ids = [r["id"] for ph, (_, p, *_) in steps if ph == "nodes" for r in p["rows"]]
    assert sorted(node_ids) == sorted(n["id"] for n in nodes)
    edge_keys = [(r["source"], r["target"], r["key"]) for ph, (_, p, *_) in steps
                 if ph == "edges" for r in p["rows"]]
    assert sorted(edge_keys) == sorted((e["source"], e["target"], e["key"]) for e in edges)
    for phase, (query, params, target) in steps:  # one label / relationship type per batch
        if phase == "nodes":
            assert f":{target.value} " in query
        else:
            assert f":{target[1].value} " in query
    # the same source gives the same steps (what a checkpoint relies on)
    assert steps == list(Neo4jGraphStore._stream_steps(iter(nodes), iter(edges), batch_size))


def test_streamed_steps_read_the_source_lazily() -> None:
    from vbgraph.graph.neo4j_store import Neo4jGraphStore

    consumed = [0]

    def many_tasks() -> Any:
        for i in range(10**9):   # far more than could ever be held
            consumed[0] += 1
            yield {"kind": "Task", "id": f"doc:x#t{i}", "text": "Nhiệm vụ"}

    stream = Neo4jGraphStore._stream_steps(many_tasks(), iter(()), 50)
    phase, (_, params, _) = next(stream)
    assert phase == "nodes" and len(params["rows"]) == 50 and consumed[0] == 50
    next(stream)
    assert consumed[0] == 100


@pytest.mark.bolt
def test_mirror_from_callables_prunes_only_a_target_that_was_not_empty(
        bolt_driver: Any, monkeypatch: Any, tmp_path: Path) -> None:
    from vbgraph.graph.neo4j_store import Neo4jGraphStore, SyncCheckpoint

    nodes, edges = _graph()
    dst = Neo4jGraphStore(driver=bolt_driver, database=f"s{uuid.uuid4().hex[:12]}")
    dst.clear()
    pruned: list[int] = []
    real = dst._prune
    monkeypatch.setattr(dst, "_prune", lambda n, e: (pruned.append(1), real(n, e))[1])
    passes = [0]

    def node_pass() -> Any:
        passes[0] += 1
        return iter(nodes)

    try:
        dst.mirror(node_pass, lambda: iter(edges), source_key="k1")
        assert pruned == [] and passes[0] == 1   # empty target: one pass, nothing to prune
        assert dst.counts() == {"nodes": len(nodes), "edges": len(edges)}
        dst._write([("CREATE (:Topic {id: 'topic:stale'})", {})])
        stats = dst.mirror(node_pass, lambda: iter(edges), source_key="k1",
                           checkpoint=SyncCheckpoint(tmp_path / "progress.json"))
        assert pruned == [1] and stats.nodes_deleted == 1 and stats.nodes_created == 0
        assert dst.get_nodes(["topic:stale"]) == {}
    finally:
        dst.clear()


def test_streamed_document_rows_carry_the_lookup_keys_of_older_graph_files() -> None:
    """A graph file written before ``yearless``/``number_key`` were stored on document nodes
    still syncs into a graph the server-side ``cites`` can search."""
    from vbgraph.graph.neo4j_store import Neo4jGraphStore

    old = [{"kind": "Document", "id": "doc:qd-272-tw-2015", "number": "272-QĐ/TW"},
           {"kind": "Document", "id": "doc:title:luat-bien-gioi"},
           {"kind": "Document", "id": "doc:ct-04-tw", "yearless": "doc:ct-04-tw",
            "number_key": "04"}]
    (step,) = Neo4jGraphStore._stream_steps(iter(old), iter(()))
    props = {r["id"]: r["props"] for r in step[1][1]["rows"]}
    assert props["doc:qd-272-tw-2015"] == {"number": "272-QĐ/TW", "yearless": "doc:qd-272-tw",
                                           "number_key": "272"}
    assert props["doc:title:luat-bien-gioi"] == {"yearless": "doc:title:luat-bien-gioi"}
    assert props["doc:ct-04-tw"] == {"yearless": "doc:ct-04-tw", "number_key": "04"}

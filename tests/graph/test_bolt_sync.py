"""The sync's batches on the Bolt server: rows too large for FalkorDB's parameter cap."""
from __future__ import annotations

import uuid
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

"""The embedded store's compact storage (shared attribute marks for tasks and assignments,
shared key dicts for property-less edges, the JSON Lines file format) reads back exactly the
rows the plans wrote, falls back to plain dicts for rows of another shape, and still reads
the older node-link files."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import networkx as nx
import pytest
from vbgraph.graph.embedded import (
    _ASG_MARK,
    _TASK_MARK,
    FORMAT,
    FORMAT_NODELINK,
    EmbeddedGraphStore,
    _SharedKeys,
)
from vbgraph.graph.model import build_document_graph
from vbgraph.graph.testing import sample_documents, synthetic_documents
from vbgraph.ontology.vocab import EdgeType, NodeLabel


def snapshot(store: EmbeddedGraphStore) -> tuple[list[str], list[str]]:
    nodes = sorted(json.dumps(n, sort_keys=True, ensure_ascii=False) for n in store.iter_nodes())
    edges = sorted(json.dumps(e, sort_keys=True, ensure_ascii=False) for e in store.iter_edges())
    return nodes, edges


def test_rows_read_back_as_written() -> None:
    """Every owned node and edge of a plan reads back as the plan's row (kind/type added,
    ``None`` dropped), although tasks and assignments are stored compactly."""
    store = EmbeddedGraphStore()
    for doc in sample_documents():
        store.upsert_document(doc)
    compact = {n for n, a in store.g._node.items() if a is _TASK_MARK or a is _ASG_MARK}
    assert compact, "tasks and assignments should be stored compactly"
    for doc in sample_documents():
        plan = build_document_graph(doc)
        for row in plan.owned:
            want = {"kind": row.label.value, **{k: v for k, v in row.props.items()
                                                 if v is not None}}
            assert store.get_nodes([row.id])[row.id] == want
        edges = {(e["source"], e["target"], e["key"]): e for e in store.iter_edges()}
        for e in plan.edges:
            if e.type == EdgeType.CITES:
                continue  # yearless resolution may retarget; checked by the conformance suite
            got = edges[(e.source, e.target, f"{e.type.value}|{e.key}")]
            assert got == {"source": e.source, "target": e.target,
                           "key": f"{e.type.value}|{e.key}", "type": e.type.value,
                           **{k: v for k, v in e.props.items() if v is not None}}


def test_shared_key_dicts_are_copied_before_a_change() -> None:
    """Two tasks of one plan tagged with one topic share a key dict; deleting one edge leaves
    the other, and a second edge on a shared pair gets a private key dict."""
    store = EmbeddedGraphStore()
    doc = synthetic_documents(1, tasks_per_doc=6)[0]
    store.upsert_document(doc)
    topic_edges = [(e["source"], e["target"], e["key"]) for e in store.iter_edges()
                   if e["type"] == EdgeType.HAS_TOPIC.value]
    by_topic: dict[str, list[tuple[str, str, str]]] = {}
    for e in topic_edges:
        by_topic.setdefault(e[1], []).append(e)
    (u1, v, k), (u2, _, _) = next(es for es in by_topic.values() if len(es) > 1)[:2]
    assert store.g._succ[u1][v] is store.g._succ[u2][v]
    assert type(store.g._succ[u1][v]) is _SharedKeys
    before = store.counts()["edges"]
    assert store._del_edge(u1, v, k)
    assert v not in store.g._succ[u1] and k in store.g._succ[u2][v]
    assert store.counts()["edges"] == before - 1
    store._put_edge(u2, v, "extra", {"type": EdgeType.HAS_TOPIC.value, "note": "x"})
    assert type(store.g._succ[u2][v]) is dict and set(store.g._succ[u2][v]) == {k, "extra"}
    assert all(set(store.g._succ[u][v]) == {k} for u, _, _ in by_topic[v][2:])


def test_rows_of_another_shape_stay_plain() -> None:
    """A hand-built graph whose task lacks an owner and whose assignment id does not follow
    ``<task>/<role>/<agency>`` is kept as given."""
    g = nx.MultiDiGraph()
    g.add_node("doc:x", kind=NodeLabel.DOCUMENT.value, id="doc:x", ingested=True)
    g.add_node("doc:x#t1", kind=NodeLabel.TASK.value, id="doc:x#t1", text="việc", start=1)
    g.add_node("a1", kind=NodeLabel.ASSIGNMENT.value, id="a1", role="lead", task="doc:x#t1",
               agency="agency:y", owner="doc:x")
    g.add_node("agency:y", kind=NodeLabel.AGENCY.value, id="agency:y", name="Y")
    g.add_edge("doc:x", "doc:x#t1", key="HAS_TASK|doc:x", type="HAS_TASK", owner="doc:x")
    g.add_edge("doc:x#t1", "a1", key="k", type="HAS_ASSIGNMENT", owner="doc:x", extra=1)
    g.add_edge("a1", "agency:y", key="ASSIGNED_TO|doc:x", type="ASSIGNED_TO", owner="doc:x")
    store = EmbeddedGraphStore(g)
    assert store.g._node["doc:x#t1"] is not _TASK_MARK
    assert store.g._node["a1"] is not _ASG_MARK
    nodes = {n["id"]: n for n in store.iter_nodes()}
    assert nodes == {n: dict(d) for n, d in g.nodes(data=True)}
    assert sorted(map(repr, store.iter_edges())) == sorted(
        repr({"source": u, "target": v, "key": k, **d})
        for u, v, k, d in g.edges(keys=True, data=True))
    assert store._asg_count["agency:y"] == 1
    back = store.to_networkx()
    assert dict(back.nodes(data=True)) == dict(g.nodes(data=True))


def test_dump_is_json_lines_and_round_trips(tmp_path: Path) -> None:
    store = EmbeddedGraphStore()
    for doc in [*sample_documents(), *synthetic_documents(12, tasks_per_doc=4)]:
        store.upsert_document(doc)
    path = tmp_path / "graph-000001.json.gz"
    store.dump(path)
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    assert json.loads(lines[0]) == {"format": FORMAT}
    kinds = [json.loads(line)[0] for line in lines[1:]]
    assert {"nodes", "doctasks", "assignments", "shared", "edges", "tally"} <= set(kinds)
    loaded = EmbeddedGraphStore.load(path)
    assert snapshot(loaded) == snapshot(store)
    assert loaded._tally == store._tally and loaded._citer_order == store._citer_order
    assert loaded.agencies("biên giới") == store.agencies("biên giới")
    assert loaded.cites("272-QĐ/TW") == store.cites("272-QĐ/TW")
    # the loaded store keeps working: replace and remove
    for doc in sample_documents():
        loaded.upsert_document(doc)
        store.upsert_document(doc)
    loaded.remove_document("doc:kh-120-ubnd-quang-ninh-2021")
    store.remove_document("doc:kh-120-ubnd-quang-ninh-2021")
    assert snapshot(loaded) == snapshot(store)


def test_reads_the_older_node_link_format(tmp_path: Path) -> None:
    store = EmbeddedGraphStore()
    for doc in sample_documents():
        store.upsert_document(doc)
    old = {"format": FORMAT_NODELINK,
           "nodes": list(store.iter_nodes()),
           "edges": [[e["source"], e["target"], e["key"],
                      {k: v for k, v in e.items() if k not in ("source", "target", "key")}]
                     for e in store.iter_edges()]}
    path = tmp_path / "old.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        json.dump(old, fh, ensure_ascii=False, separators=(",", ":"))
    loaded = EmbeddedGraphStore.load(path)
    assert snapshot(loaded) == snapshot(store)
    assert any(a is _TASK_MARK for a in loaded.g._node.values())
    assert loaded.agencies("biên giới") == store.agencies("biên giới")
    assert loaded.cites("272-QĐ/TW") == store.cites("272-QĐ/TW")


def test_rejects_other_files(tmp_path: Path) -> None:
    path = tmp_path / "x.json.gz"
    with gzip.open(path, "wt") as fh:
        fh.write('{"format": "something-else"}\n')
    with pytest.raises(ValueError, match="not a vbgraph graph file"):
        EmbeddedGraphStore.load(path)


def test_stats_match_a_row_by_row_count() -> None:
    from vbgraph.graph.base import GraphStore

    store = EmbeddedGraphStore()
    for doc in sample_documents():
        store.upsert_document(doc)
    assert store.stats() == GraphStore.stats(store)


@pytest.mark.parametrize("depth,limit", [(1, 2000), (2, 2000), (2, 7), (3, 25), (1, 3)])
def test_neighborhood_matches_the_generic_walk(depth: int, limit: int) -> None:
    """The embedded walk reads only the kept nodes; the answer is the generic one."""
    from vbgraph.graph.base import GraphStore

    store = EmbeddedGraphStore()
    for doc in [*sample_documents(), *synthetic_documents(20, tasks_per_doc=4)]:
        store.upsert_document(doc)
    for node in ("Quảng Ninh", "doc:qd-272-tw-2015", "topic:bien-gioi-lanh-tho",
                 next(n["id"] for n in store.nodes_with_label(NodeLabel.AGENCY))):
        assert store.neighborhood(node, depth, limit=limit) == GraphStore.neighborhood(
            store, node, depth, limit=limit)

"""Server-side ``cites``/``agencies`` of the Bolt store: the same pages as the embedded store on
a corpus large enough to page through, from a fixed small number of statements."""
from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from vbgraph.graph.base import GraphStore
from vbgraph.graph.embedded import EmbeddedGraphStore
from vbgraph.graph.testing import synthetic_documents

pytestmark = pytest.mark.bolt

TOPICS = ["biên giới", "thông tin đối ngoại", "bảo hộ công dân"]


def _corpus() -> list[Any]:
    docs = synthetic_documents(60, seed=3)
    # some plans undated (ordered last), some dated apart (ordered before the 2023 ones)
    out = []
    for i, d in enumerate(docs):
        if i % 7 == 0:
            d = dataclasses.replace(d, document=dataclasses.replace(d.document, date=None))
        elif i % 5 == 0:
            d = dataclasses.replace(d, document=dataclasses.replace(d.document,
                                                                    date=f"2021-0{i % 9 + 1}-15"))
        out.append(d)
    return out


@pytest.fixture(scope="module")
def pair(bolt_driver: Any) -> Iterator[tuple[GraphStore, GraphStore]]:
    from vbgraph.graph.neo4j_store import Neo4jGraphStore

    docs = _corpus()
    embedded = EmbeddedGraphStore()
    embedded.upsert_documents(docs)
    bolt = Neo4jGraphStore(driver=bolt_driver, database=f"r{uuid.uuid4().hex[:12]}")
    bolt.upsert_documents(docs)
    yield embedded, bolt
    bolt.clear()


def _popular(store: GraphStore) -> list[str]:
    """Numbers of the national documents, most cited first."""
    counts = sorted(((store.cites(d["number"], limit=0)["total"], d["number"])
                     for d in store.documents() if not d.get("ingested")), reverse=True)
    return [n for _, n in counts]


def test_cites_pages_equal_embedded(pair: tuple[GraphStore, GraphStore]) -> None:
    embedded, bolt = pair
    refs = _popular(embedded)
    assert refs and embedded.cites(refs[0], limit=0)["total"] >= 5
    for ref in refs[:6] + ["99999-QĐ/TW"]:
        full = embedded.cites(ref, limit=500)
        assert bolt.cites(ref, limit=500) == full
        for limit, offset in ((2, 0), (2, 2), (3, 4), (1, full["total"] - 1),
                              (5, full["total"]), (0, 0)):
            page = bolt.cites(ref, limit=limit, offset=max(0, offset))
            assert page == embedded.cites(ref, limit=limit, offset=max(0, offset))
            assert page["total"] == full["total"]
            assert page["plans"] == full["plans"][max(0, offset):max(0, offset) + limit]
    # undated plans come last, dated ones by date then id
    keys = [(p["date"] or "9999", p["id"]) for p in bolt.cites(refs[0], limit=500)["plans"]]
    assert keys == sorted(keys) and any(k[0] == "9999" for k in keys)
    with pytest.raises(ValueError):
        bolt.cites(refs[0], limit=-1)


@pytest.mark.parametrize("topic", TOPICS)
def test_agencies_pages_equal_embedded(pair: tuple[GraphStore, GraphStore], topic: str) -> None:
    embedded, bolt = pair
    full = embedded.agencies(topic, limit=500)
    assert len(full) > 10
    assert bolt.agencies(topic, limit=500) == full
    for limit, offset in ((5, 0), (5, 5), (7, 3), (3, len(full) - 1), (4, len(full))):
        assert bolt.agencies(topic, limit=limit, offset=offset) == full[offset:offset + limit]
    assert bolt.agencies(topic) == full[:20]  # default page
    # the evidence cap: same listing, counts untouched, on both stores
    every = embedded.agencies(topic, limit=500, evidence=10_000)
    assert any(a["evidence_total"] > 5 for a in every)  # the cap cuts something here
    for cap in (0, 1, 3, 10_000):
        capped = bolt.agencies(topic, limit=500, evidence=cap)
        assert capped == embedded.agencies(topic, limit=500, evidence=cap)
        assert capped == [{**a, "tasks": a["tasks"][:cap]} for a in every]


def test_agencies_province_and_semantic_hits_equal_embedded(
        pair: tuple[GraphStore, GraphStore]) -> None:
    embedded, bolt = pair
    tasks = sorted(t["id"] for t in embedded.nodes_with_label(
        __import__("vbgraph.ontology.vocab", fromlist=["NodeLabel"]).NodeLabel.TASK))
    hits = tasks[::17][:12]
    for province in ("Kiên Giang", "tỉnh Quảng Ninh", "ha giang", "Không Có Tỉnh"):
        for topic in TOPICS[:2]:
            want = embedded.agencies(topic, province=province, limit=500)
            assert bolt.agencies(topic, province=province, limit=500) == want
            assert bolt.agencies(topic, province=province, task_ids=hits, limit=500) == \
                embedded.agencies(topic, province=province, task_ids=hits, limit=500)
    assert embedded.agencies("biên giới", province="Kiên Giang", limit=500)
    assert bolt.agencies("biên giới", province="Không Có Tỉnh") == []
    # semantic hits alone (no topic) and mixed with the topic, relevance by rank
    alone = bolt.agencies("zzz không có chủ đề", task_ids=hits, limit=500)
    assert alone and alone == embedded.agencies("zzz không có chủ đề", task_ids=hits, limit=500)
    assert {t["relevance"] for a in alone for t in a["tasks"]} > {1.0}
    mixed = bolt.agencies("biên giới", task_ids=hits, limit=500)
    assert mixed == embedded.agencies("biên giới", task_ids=hits, limit=500)
    assert mixed != bolt.agencies("biên giới", limit=500)
    for cap in (0, 1, 2):  # semantic hits and tagged tasks share the cap, in one order
        assert bolt.agencies("biên giới", task_ids=hits, limit=500, evidence=cap) == \
            embedded.agencies("biên giới", task_ids=hits, limit=500, evidence=cap)
        assert bolt.agencies("biên giới", province="Kiên Giang", task_ids=hits, limit=500,
                             evidence=cap) == embedded.agencies(
            "biên giới", province="Kiên Giang", task_ids=hits, limit=500, evidence=cap)


def _traffic(store: Any, fn: Any) -> tuple[int, int]:
    """``(statements sent, rows received)`` while ``fn()`` runs (every statement goes through
    ``store._params`` once, every read through ``store._read``)."""
    calls, rows = [0], [0]
    params, read = store._params, store._read

    def counting_params(p: dict[str, Any]) -> dict[str, Any]:
        calls[0] += 1
        return params(p)

    def counting_read(*a: Any, **kw: Any) -> list[dict[str, Any]]:
        out = read(*a, **kw)
        rows[0] += len(out)
        return out

    store._params, store._read = counting_params, counting_read
    try:
        fn()
    finally:
        del store._params, store._read
    return calls[0], rows[0]


def test_answers_take_a_fixed_small_number_of_statements(
        pair: tuple[GraphStore, GraphStore]) -> None:
    embedded, bolt = pair
    ref = _popular(bolt)[0]
    assert _traffic(bolt, lambda: bolt.cites(ref, limit=500))[0] <= 2
    assert _traffic(bolt, lambda: bolt.cites(ref, limit=5, offset=10_000))[0] <= 3
    assert _traffic(bolt, lambda: bolt.agencies("biên giới", limit=500))[0] <= 4
    assert _traffic(bolt, lambda: bolt.agencies("biên giới", province="Kiên Giang",
                                                task_ids=["doc:kh-1-ubnd-x#t1"]))[0] <= 8
    # one row per agency for the ranking, then only the page's evidence: the generic
    # per-primitive path reads a row per assignment of every tagged task
    page = bolt.agencies("biên giới", limit=3)
    ranked = len(embedded.agencies("biên giới", limit=500))
    topics = len(embedded.nodes_with_label(__import__(
        "vbgraph.ontology.vocab", fromlist=["NodeLabel"]).NodeLabel.TOPIC))
    page_tasks = sum(len(a["tasks"]) for a in page)
    _, rows = _traffic(bolt, lambda: bolt.agencies("biên giới", limit=3))
    assert rows <= topics + ranked + 2 * page_tasks + len(page)
    _, generic = _traffic(bolt, lambda: GraphStore.agencies(bolt, "biên giới", limit=3))
    assert generic > rows

"""``resolve_reference`` compares memoised parsed keys instead of re-parsing every candidate:
the same answers as ``ReferenceQuery.matches``, and no stale key after a remove or a replace."""
from __future__ import annotations

import dataclasses

import pytest

from vbgraph.graph import base
from vbgraph.graph.base import GraphStore, candidate_key, key_matches
from vbgraph.graph.embedded import EmbeddedGraphStore
from vbgraph.graph.testing import sample_documents
from vbgraph.ingest import pipeline
from vbgraph.ingest.citations import parse_reference

QN = "doc:kh-120-ubnd-quang-ninh-2021"

REFS = ["272-QĐ/TW", "Quyết định 272", "quyet dinh 272-QD/TW", "QĐ 272/TW", "NĐ 12/2012",
        "12/2012/NĐ-CP", "Chỉ thị 04", "04-CT/TW", "chi thi 38", "38-CT/TW", "CT 38-CT/TW",
        "120/KH-UBND", "Kế hoạch 120", "kh 45", "64/KH-UBND", "Nghị định 12", "NĐ 12/2013",
        "12/CP", "Quyết định 272/2015", "272/QĐ-TTg", "Chỉ thị 04/2011", "Chỉ thị 04/2021",
        "1112/KH-UBND", "342/KH-UBND", "99999-CT/TW"]

# rows of every shape the store holds: dated and yearless ids, stubs without a number, a type
# only given in words, a year attribute that disagrees with the id, unparseable ids
EXTRA_ROWS = [
    {"id": "doc:qd-272-tw"},
    {"id": "doc:qd-272-tw", "number": "272-QĐ/TW"},
    {"id": "doc:qd-272-ttg-2015", "number": "272/QĐ-TTg", "year": 2015},
    {"id": "doc:ct-04-tw", "type": "Chỉ thị"},
    {"id": "doc:x-04-tw-2011", "type": "Chỉ thị"},
    {"id": "doc:ct-04-tw-2011", "year": 2021},
    {"id": "doc:nd-12-cp-2012", "number": "12/2012/NĐ-CP", "type": "Nghị định"},
    {"id": "doc:title:luat-to-chuc"},
    {"id": "doc:nonsense"},
    {"id": "", "number": "272-QĐ/TW"},
]


@pytest.fixture(scope="module")
def seed_rows(seed_paths) -> list[dict]:
    store = EmbeddedGraphStore()
    store.upsert_documents([pipeline.extract_file(p) for p in seed_paths.values()])
    for d in sample_documents():
        store.upsert_document(d)
    return store.documents()


def test_parsed_keys_match_exactly_what_reference_query_matches(seed_rows) -> None:
    rows = [*seed_rows, *EXTRA_ROWS]
    assert len(seed_rows) > 40
    agree = 0
    for ref in REFS:
        query = parse_reference(ref)
        assert query.title_key is None, ref
        for row in rows:
            candidate = {k: row.get(k) for k in ("id", "number", "type", "year", "issuer",
                                                 "title", "date")}
            want = bool(query.matches(candidate))
            assert key_matches(query, candidate_key(row)) == want, (ref, row["id"])
            agree += want
    assert agree > 30  # the comparison saw matches, not only misses


def test_a_repeated_query_parses_no_candidate_again(store: GraphStore, monkeypatch) -> None:
    for d in sample_documents():
        store.upsert_document(d)
    first = store.cites("272-QĐ/TW")
    calls: list[str] = []
    real = base.candidate_key
    monkeypatch.setattr(base, "candidate_key", lambda d: calls.append(d["id"]) or real(d))
    assert store.cites("272-QĐ/TW") == first
    assert store.cites("Quyết định 272") == {**first, "query": "Quyết định 272"}
    assert calls == []
    assert [r["id"] for r in first["resolved"]] == ["doc:qd-272-tw-2015"]
    assert first["total"] == 2


def test_memo_forgets_removed_documents_and_follows_replacements(store: GraphStore) -> None:
    docs = sample_documents()
    for d in docs:
        store.upsert_document(d)
    assert [r["id"] for r in store.cites("120/KH-UBND")["resolved"]] == [QN]
    assert QN in store.__dict__["_parsed_memo"]
    # replaced under the same id by a decision: the memoised plan key must not answer
    qn = next(d for d in docs if d.document.id == QN)
    as_decision = dataclasses.replace(qn, document=dataclasses.replace(
        qn.document, number="120/QĐ-UBND", type="Quyết định"))
    store.upsert_document(as_decision)
    assert store.cites("120/KH-UBND")["resolved"] == []
    assert [r["id"] for r in store.cites("120/QĐ-UBND")["resolved"]] == [QN]
    store.upsert_document(qn)
    assert [r["id"] for r in store.cites("120/KH-UBND")["resolved"]] == [QN]
    # removed (Móng Cái's plan cites it, so its node stays as a stub): gone once nothing cites it
    store.remove_document("doc:kh-15-ubnd-mong-cai-2021")
    store.remove_document(QN)
    assert store.cites("120/KH-UBND")["resolved"] == []
    assert QN not in store.__dict__["_parsed_memo"]


def test_memo_uses_an_entry_only_while_the_fields_it_was_parsed_from_hold() -> None:
    store = EmbeddedGraphStore()
    row = {"id": "doc:qd-272-tw", "number": "272-QĐ/TW"}
    assert store._parsed_key(row) == ("qd", "272", "tw", None)
    assert store._parsed_key({**row, "year": 2015}) == ("qd", "272", "tw", 2015)
    assert store._parsed_key({**row, "number": "272-CT/TW"})[0] == "ct"
    store._forget_parsed(row["id"])
    assert row["id"] not in store.__dict__["_parsed_memo"]
    store.PARSED_MEMO_SIZE = 2
    for i in range(5):
        store._parsed_key({"id": f"doc:qd-{i}-tw"})
    assert len(store.__dict__["_parsed_memo"]) <= 2

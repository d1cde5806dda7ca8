"""The embedded store's write-time indexes (citing order per cited document, assignment counts,
agency tallies) stay equal to a brute-force recomputation from the graph under any sequence of
upserts, replacements, removals and dump/load round trips; and ``agencies`` answers exactly as
the row-by-row path it replaces."""
from __future__ import annotations

import hashlib
import itertools
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from vbgraph.graph.base import _in_province_names, _province_filter
from vbgraph.graph.embedded import EmbeddedGraphStore
from vbgraph.ontology.records import (
    Agency,
    Citation,
    DocumentMeta,
    ExtractedDocument,
    Task,
)
from vbgraph.ontology.vocab import CitationRelation, EdgeType, Role

PROVINCES = ["Kiên Giang", "Quảng Ninh", "Lào Cai"]
TOPICS = ["topic:bien-gioi-lanh-tho", "topic:thong-tin-doi-ngoai", "topic:bao-ho-cong-dan",
          "topic:kieu-bao"]
KINDS = [("so-ngoai-vu", "Sở Ngoại vụ"), ("cong-an-tinh", "Công an tỉnh"),
         ("bch-bdbp", "Bộ Chỉ huy Bộ đội Biên phòng tỉnh")]
NATIONAL = [(f"doc:qd-{k}-tw-2015", f"{k}-QĐ/TW") for k in (201, 202, 203)]
N_PLANS = 5


def plan_id(i: int) -> str:
    return f"doc:kh-{i + 1}-ubnd-test-2023"


def slug(name: str) -> str:
    return hashlib.md5(name.encode()).hexdigest()[:6]


def agencies_of(province: str) -> list[Agency]:
    return [Agency(id=f"agency:{k}:{slug(province)}", name=f"{label} {province}", kind=k,
                   kind_label=label, province=province) for k, label in KINDS]


def make_doc(i: int, spec: dict[str, Any]) -> ExtractedDocument:
    """Plan ``i``: cites some national documents and other plans (with or without a date),
    tasks with topic sets and lead/cooperating agencies (possibly both roles, possibly an
    agency of another province)."""
    did = plan_id(i)
    province = PROVINCES[spec["province"]]
    parts = ["KẾ HOẠCH\n"]
    cits = []

    def cite(cid: str, number: str, date: str | None) -> None:
        surface = f"Kế hoạch số {number}"
        start = sum(len(p) for p in parts) + len("Căn cứ ")
        parts.append(f"Căn cứ {surface}.\n")
        cits.append(Citation(id=cid, number=number, type="Kế hoạch", date=date, issuer=None,
                             title=None, relation=CitationRelation.BASIS, surface=surface,
                             start=start, end=start + len(surface), section="preamble",
                             year=int(cid[-4:])))

    for k in spec["national"]:
        cite(*NATIONAL[k], None)
    for j, dated in spec["plans"]:
        if j != i:
            cite(plan_id(j), f"{j + 1}/KH-UBND", "2023-02-0" + str(j + 1) if dated else None)
    pool = agencies_of(province) + agencies_of(PROVINCES[(spec["province"] + 1) % 3])[:1]
    tasks = []
    for t, (topics, lead, coop) in enumerate(spec["tasks"]):
        body = f"Nhiệm vụ {t} của kế hoạch {i}."
        start = sum(len(p) for p in parts)
        parts.append(body + "\n")
        tasks.append(Task(id=f"{did}#t{t + 1}", section=f"II.{t + 1}", text=body, start=start,
                          end=start + len(body), lead=tuple(pool[a].id for a in lead),
                          cooperate=tuple(pool[a].id for a in coop),
                          topics=tuple(TOPICS[x] for x in topics)))
    text = "".join(parts)
    return ExtractedDocument(
        source=f"t/{i}.txt", sha256=hashlib.sha256(repr(spec).encode()).hexdigest(), text=text,
        document=DocumentMeta(id=did, number=f"{i + 1}/KH-UBND", type="Kế hoạch",
                              date=spec["date"], issuer=f"Ủy ban nhân dân tỉnh {province}",
                              province=province),
        citations=tuple(cits), agencies=tuple(pool), tasks=tuple(tasks))


agency_sets = st.lists(st.integers(0, 3), max_size=2, unique=True)
specs = st.fixed_dictionaries({
    "province": st.integers(0, 2),
    "date": st.sampled_from([None, "2023-01-01", "2023-03-01", "2022-12-31"]),
    "national": st.lists(st.integers(0, 2), max_size=3),
    "plans": st.lists(st.tuples(st.integers(0, N_PLANS - 1), st.booleans()), max_size=3),
    "tasks": st.lists(st.tuples(st.lists(st.integers(0, 3), max_size=3, unique=True),
                                agency_sets, agency_sets), max_size=5),
})


class RowByRow(EmbeddedGraphStore):
    """The same store answering ``agencies`` from every evidence row (no tallies)."""

    def _tagged_tally(self, topic_ids: Any, province: Any) -> None:
        return None


# -- brute-force recomputations ------------------------------------------------------------
def brute_citers(store: EmbeddedGraphStore) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = defaultdict(Counter)
    for e in store.iter_edges():
        if e["type"] == EdgeType.CITES.value:
            out[e["target"]][e["source"]] += 1
    return out


def brute_tally(store: EmbeddedGraphStore, topics: tuple[str, ...], province: str | None
                ) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for tid, agency, role, tagged, doc_prov, agency_prov in store._topic_assignments(topics, ()):
        assert tagged
        if province is not None and not _in_province_names(province, doc_prov, agency_prov):
            continue
        if out[agency].get(tid) != Role.LEAD.value:
            out[agency][tid] = role
    return dict(out)


QUERIES = [(t,) for t in TOPICS] + [tuple(TOPICS[:2]), tuple(TOPICS), ()]
FILTERS = [None] + [_province_filter(p) for p in PROVINCES]


def check_indexes(store: EmbeddedGraphStore) -> None:
    citers = brute_citers(store)
    for v in set(citers) | set(store._citer_order):
        want = sorted(((store.get_nodes([u])[u].get("date") or "9999"), u) for u in citers[v])
        assert store._citer_order.get(v, []) == want, v
        assert {u: c[0] for u, c in store._citer_count.get(v, {}).items()} == dict(citers[v])
        total, page = store._citing_page([v], 2, 1)
        assert total == len(want) and [p["id"] for p in page] == [u for _, u in want[1:3]]
    docs = sorted(citers)
    for a, b in itertools.combinations(docs[:4], 2):
        union = sorted({(store.get_nodes([u])[u].get("date") or "9999", u)
                        for u in (*citers[a], *citers[b])})
        total, page = store._citing_page([a, b], 3, 0)
        assert total == len(union) and [p["id"] for p in page] == [u for _, u in union[:3]]
    assigned = Counter(e["target"] for e in store.iter_edges()
                       if e["type"] == EdgeType.ASSIGNED_TO.value)
    assert dict(store._asg_count) == dict(assigned)
    for topics in QUERIES:
        for province in FILTERS:
            brute = brute_tally(store, topics, province)
            tally = store._tagged_tally(topics, province)
            assert tally == {a: (len(ts), sum(r == Role.LEAD.value for r in ts.values()))
                             for a, ts in brute.items()}, (topics, province)
            assert store._tagged_evidence(sorted(brute), topics, province) == brute
            for limit in (0, 1, 2):
                assert store._tagged_evidence(sorted(brute), topics, province, limit) == {
                    a: heads(ts, limit) for a, ts in brute.items()}, (topics, province, limit)
    assert store._evidence == brute_evidence(store)


def heads(tasks: dict[str, str], limit: int) -> dict[str, str]:
    """The first ``limit`` lead tasks and the first ``limit`` other tasks, by id."""
    lead = sorted(t for t, r in tasks.items() if r == Role.LEAD.value)[:limit]
    other = sorted(t for t, r in tasks.items() if r != Role.LEAD.value)[:limit]
    return {t: tasks[t] for t in (*lead, *other)}


def brute_evidence(store: EmbeddedGraphStore) -> dict[str, Any]:
    """``agency -> topic set -> document province -> role -> sorted task ids``, recounted
    from the edges and every tagged evidence row."""
    topics_of: dict[str, set[str]] = defaultdict(set)
    for e in store.iter_edges():
        if e["type"] == EdgeType.HAS_TOPIC.value:
            topics_of[e["source"]].add(e["target"])
    roles: dict[tuple[str, str], str] = {}
    prov: dict[str, str | None] = {}
    for tid, agency, role, tagged, doc_prov, _ in store._topic_assignments(tuple(TOPICS), ()):
        assert tagged
        prov[tid] = doc_prov
        if roles.get((agency, tid)) != Role.LEAD.value:
            roles[(agency, tid)] = role
    out: dict[str, Any] = {}
    for (agency, tid), role in roles.items():
        sig = frozenset(topics_of[tid])
        out.setdefault(agency, {}).setdefault(sig, {}).setdefault(prov[tid], {}).setdefault(
            role, []).append(tid)
    for by_sig in out.values():
        for by_prov in by_sig.values():
            for by_role in by_prov.values():
                for ids in by_role.values():
                    ids.sort()
    return out


def answers(store: EmbeddedGraphStore, task_ids: list[str]) -> list[Any]:
    out = []
    for topic in ("biên giới", "thông tin đối ngoại", "bảo hộ công dân", "kiều bào"):
        out.append(store.agencies(topic))
        out.append(store.agencies(topic, limit=2, offset=1))
        out.append(store.agencies(topic, province="Kiên Giang"))
        out.append(store.agencies(topic, task_ids=task_ids))
        out.append(store.agencies(topic, task_ids=task_ids[1:], evidence=1))
        out.append(store.agencies(topic, province="Kiên Giang", evidence=2))
        out.append(store.agencies(topic, evidence=0))
        out.append(store.agencies(topic, province="tỉnh Quảng Ninh", task_ids=task_ids[::-1]))
    out.append(store.agencies("không có chủ đề này", task_ids=task_ids))
    for _, number in NATIONAL:
        out.append(store.cites(number, limit=3, offset=1))
        out.append(store.cites(number))
    return out


@settings(max_examples=25, stateful_step_count=12, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
class IndexMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.fast = EmbeddedGraphStore()
        self.slow = RowByRow()
        self.ingested: set[int] = set()

    @rule(i=st.integers(0, N_PLANS - 1), spec=specs)
    def upsert(self, i: int, spec: dict[str, Any]) -> None:
        doc = make_doc(i, spec)
        self.fast.upsert_document(doc)
        self.slow.upsert_document(doc)
        self.ingested.add(i)

    @precondition(lambda self: bool(self.ingested))
    @rule(data=st.data())
    def remove(self, data: st.DataObject) -> None:
        i = data.draw(st.sampled_from(sorted(self.ingested)))
        self.fast.remove_document(plan_id(i))
        self.slow.remove_document(plan_id(i))
        self.ingested.discard(i)

    @rule()
    def round_trip(self) -> None:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "g.json.gz"
            self.fast.dump(path)
            self.fast = EmbeddedGraphStore.load(path)

    @invariant()
    def indexes_match_recomputation(self) -> None:
        check_indexes(self.fast)

    @invariant()
    def same_answers_as_row_by_row(self) -> None:
        tasks = sorted(t for t in self.slow._tasks)[:6]
        assert answers(self.fast, tasks) == answers(self.slow, tasks)


TestIndexes = IndexMachine.TestCase


def test_citer_moves_when_its_date_is_filled_by_a_citation() -> None:
    """An undated plan that cites 201-QĐ/TW gets its date from another plan's citation: it
    moves from the end (undated) into date order in 201-QĐ/TW's citing list."""
    store = EmbeddedGraphStore()
    base = {"province": 0, "national": [0], "plans": [], "tasks": []}
    store.upsert_document(make_doc(0, {**base, "date": "2023-03-01"}))
    store.upsert_document(make_doc(1, {**base, "date": None}))
    assert [p["id"] for p in store.cites("201-QĐ/TW")["plans"]] == [plan_id(0), plan_id(1)]
    store.upsert_document(make_doc(2, {**base, "date": "2023-05-01", "plans": [(1, True)]}))
    assert store.document(plan_id(1))["date"] == "2023-02-02"
    assert [p["id"] for p in store.cites("201-QĐ/TW")["plans"]] == [
        plan_id(1), plan_id(0), plan_id(2)]
    check_indexes(store)


def test_popular_document_page_and_total() -> None:
    store = EmbeddedGraphStore()
    for i in range(N_PLANS):
        store.upsert_document(make_doc(i, {"province": i % 3, "date": f"2023-0{9 - i}-01",
                                           "national": [0, 0], "plans": [], "tasks": []}))
    out = store.cites("201-QĐ/TW", limit=2, offset=1)
    assert out["total"] == N_PLANS
    assert [p["id"] for p in out["plans"]] == [plan_id(3), plan_id(2)]
    assert all(len(p["mentions"]) == 2 for p in out["plans"])


@pytest.mark.parametrize("province", [None, "Kiên Giang"])
def test_agencies_tally_counts_a_task_once_across_topics(province: str | None) -> None:
    """A task tagged with two topics of the query counts once; an agency both leading and
    co-operating on it counts as lead."""
    store, slow = EmbeddedGraphStore(), RowByRow()
    spec = {"province": 0, "date": "2023-01-01", "national": [], "plans": [],
            "tasks": [([0, 1], [0], [0, 1]), ([0], [], [1]), ([2], [1], [])]}
    for s in (store, slow):
        s.upsert_document(make_doc(0, spec))
    topics = (TOPICS[0], TOPICS[1])
    tally = store._tagged_tally(topics, _province_filter(province))
    a0, a1 = agencies_of(PROVINCES[0])[0].id, agencies_of(PROVINCES[0])[1].id
    assert tally == {a0: (1, 1), a1: (2, 0)}
    assert store.agencies("biên giới", province) == slow.agencies("biên giới", province)


def test_file_without_evidence_lists_rebuilds_them(tmp_path: Path) -> None:
    """A graph file written before the per-agency evidence lists (tallies, no ``evidence``
    chunk) loads with both rebuilt from the graph, answering as before."""
    import gzip

    store = EmbeddedGraphStore()
    spec = {"province": 0, "date": "2023-01-01", "national": [], "plans": [],
            "tasks": [([0, 1], [0], [0, 1]), ([0], [], [1]), ([2], [1], []), ([0], [2], [0])]}
    store.upsert_document(make_doc(0, spec))
    store.upsert_document(make_doc(1, {**spec, "province": 1}))
    path, old = tmp_path / "g.json.gz", tmp_path / "old.json.gz"
    store.dump(path)
    with gzip.open(path, "rt") as fh:
        lines = fh.readlines()
    kept = [line for line in lines if not line.startswith('["evidence"')]
    assert len(kept) < len(lines)
    with gzip.open(old, "wt") as fh:
        fh.writelines(kept)
    loaded = EmbeddedGraphStore.load(old)
    assert loaded._evidence == store._evidence != {}
    assert loaded._tally == store._tally
    check_indexes(loaded)
    assert loaded.agencies("biên giới", evidence=1) == store.agencies("biên giới", evidence=1)

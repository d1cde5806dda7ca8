"""The graph store interface and the queries every backend shares.

A backend implements the write primitives (:meth:`GraphStore._write_document`,
:meth:`GraphStore.remove_document`) and a handful of read primitives (``_adjacent``,
``_citing``, ``_cited``, ``_topic_tasks`` …); the user-facing queries (``cites``, ``cited_by``,
``citation_chain``, ``agencies``, ``neighborhood``, ``path``, ``stats``) are written once here on
top of them, so the embedded and the Bolt stores answer identically (the conformance suite
checks it). Results are plain dicts, ready for ``json.dumps``.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ..ingest.text import fold, match_key
from ..ontology.records import ExtractedDocument
from ..ontology.vocab import EdgeType, NodeLabel, Role
from .model import (DocumentGraph, build_document_graph, clean, number_key, province_id, slugify,
                    yearless_key)

__all__ = ["EVIDENCE_PER_AGENCY", "MAX_EVIDENCE", "GraphStore", "NodeNotFound", "WriteStats",
           "candidate_key", "evidence_order", "key_matches"]

#: safety bound for neighbourhood/path expansion
MAX_NODES = 2000
#: default page sizes of ``cites`` (plans) and ``agencies`` (agencies)
CITES_PAGE = 50
AGENCIES_PAGE = 20
#: default number of evidence tasks listed per agency in ``agencies`` (the counts cover all)
EVIDENCE_PER_AGENCY = 5
#: the largest cap the CLI and the HTTP API accept (a page of 20 agencies × 100 tasks)
MAX_EVIDENCE = 100
#: role weights of the agency score
ROLE_WEIGHT = {Role.LEAD.value: 1.0, Role.COOPERATE.value: 0.5}
#: a semantic-only hit at rank r (0 = best) weighs 1 / (1 + r / SEMANTIC_RANK_SCALE)
SEMANTIC_RANK_SCALE = 5.0


class NodeNotFound(LookupError):
    """The user's node reference matches nothing in the store."""


@dataclass(frozen=True, slots=True)
class WriteStats:
    nodes_created: int = 0
    nodes_deleted: int = 0
    relationships_created: int = 0
    relationships_deleted: int = 0
    properties_set: int = 0

    def __add__(self, other: WriteStats) -> WriteStats:
        return WriteStats(*(a + b for a, b in zip(astuple_(self), astuple_(other), strict=True)))

    def to_json(self) -> dict[str, int]:
        return asdict(self)


def astuple_(stats: WriteStats) -> tuple[int, ...]:
    return (stats.nodes_created, stats.nodes_deleted, stats.relationships_created,
            stats.relationships_deleted, stats.properties_set)



def agency_rows(page: Sequence[tuple[str, float, float, float, int, int]],
                listed: dict[str, list[tuple[str, tuple[str, float]]]],
                agency_nodes: dict[str, dict[str, Any]],
                task_and_document: Callable[[str], tuple[dict[str, Any], dict[str, Any]]]
                ) -> list[dict[str, Any]]:
    """The answer of a ranked ``agencies`` page, the same for every store: ``page`` rows are
    (agency, evidence, specificity, score, lead tasks, evidence tasks), ``listed`` the evidence
    shown per agency, ``task_and_document(task id)`` a task's properties and the fields
    ``number``/``province``/``source`` of its document."""
    out = []
    for agency, evidence_sum, specificity, score, leads, n in page:
        node = agency_nodes.get(agency, {"id": agency})
        tasks = []
        for tid, (role, rel) in listed[agency]:
            t, d = task_and_document(tid)
            tasks.append({
                "id": tid, "role": role, "relevance": round(rel, 3), "text": t.get("text"),
                "section": t.get("section"), "document": t.get("document"),
                "number": d.get("number"), "province": d.get("province"),
                "source": t.get("source") or d.get("source"),
                "start": t.get("start"), "end": t.get("end")})
        out.append({
            "agency": node.get("name") or agency, "id": agency,
            "kind": node.get("agency_kind"), "province": node.get("province"),
            "role": Role.LEAD.value if leads else Role.COOPERATE.value,
            "score": score, "evidence": evidence_sum, "specificity": specificity,
            "lead_tasks": leads, "cooperate_tasks": n - leads, "evidence_total": n,
            "tasks": tasks})
    return out

class GraphStore(ABC):
    """One knowledge graph: documents, citations, tasks, agencies, localities, topics."""

    name: str = "abstract"

    # -- writes ------------------------------------------------------------------------------
    def upsert_document(self, doc: ExtractedDocument) -> WriteStats:
        """Write ``doc``'s subgraph, replacing what an earlier version of it wrote. Yearless
        citations resolve against the store's known documents (one candidate → linked; several
        → an ambiguous node keeping the candidates)."""
        plan = build_document_graph(doc, self._yearless_resolver(doc))
        keys = self._dated_keys(doc) | self._keys_of(doc.document.id)
        stats = self._write_document(plan)
        return stats + self._relink_yearless(keys)

    def _keys_of(self, doc_id: str) -> set[str]:
        """Yearless keys of the dated documents ``doc_id`` currently cites (their candidate
        sets may change when it is replaced or removed)."""
        return {yearless_key(c["id"]) for _, c in self._cited(doc_id)
                if yearless_key(c["id"]) != c["id"]} | (
            {yearless_key(doc_id)} if yearless_key(doc_id) != doc_id else set())

    def upsert_documents(self, docs: Iterable[ExtractedDocument]) -> WriteStats:
        total = WriteStats()
        for doc in docs:
            total = total + self.upsert_document(doc)
        return total

    @abstractmethod
    def _write_document(self, plan: DocumentGraph) -> WriteStats:
        """Delete the owned nodes/edges of ``plan.doc_id``, then write ``plan`` (merging shared
        nodes), as one unit."""

    @abstractmethod
    def remove_document(self, doc_id: str) -> WriteStats:
        """Remove an ingested document's subgraph; its node stays (as a cited stub) while other
        documents cite it; shared nodes nothing refers to any more are removed."""

    # -- read primitives ---------------------------------------------------------------------
    @abstractmethod
    def documents(self, *, ingested_only: bool = False) -> list[dict[str, Any]]:
        """Document node properties (cited stubs too unless ``ingested_only``)."""

    @abstractmethod
    def get_nodes(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """``id -> properties`` (with ``"kind"`` = the node label) for the ids that exist."""

    @abstractmethod
    def nodes_with_label(self, label: NodeLabel) -> list[dict[str, Any]]:
        ...

    @abstractmethod
    def _adjacent(self, ids: Sequence[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Nodes adjacent to ``ids`` (either direction) and the connecting edges
        (``{"source","target","type",...props}``)."""

    @abstractmethod
    def _citing(self, doc_ids: Sequence[str]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """``(CITES edge, citing document)`` for every mention of one of ``doc_ids``."""

    @abstractmethod
    def _cited(self, doc_id: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """``(CITES edge, cited document)`` for every mention ``doc_id`` makes."""

    @abstractmethod
    def _numbered(self, key: str) -> list[dict[str, Any]]:
        """Document nodes whose id carries the number ``key`` (:func:`model.number_key`)."""

    @abstractmethod
    def _citing_page(self, doc_ids: Sequence[str], limit: int, offset: int
                     ) -> tuple[int, list[dict[str, Any]]]:
        """``(total, page)``: how many distinct documents cite one of ``doc_ids``, and those
        at ``offset:offset+limit`` ordered by (date, missing last; id)."""

    @abstractmethod
    def _mentions(self, plan_ids: Sequence[str], doc_ids: Sequence[str]
                  ) -> list[dict[str, Any]]:
        """CITES edges from one of ``plan_ids`` into one of ``doc_ids``."""

    @abstractmethod
    def _topic_assignments(self, topic_ids: Sequence[str], task_ids: Sequence[str]
                           ) -> list[tuple[str, str, str, bool, str | None, str | None]]:
        """Light rows ``(task id, agency id, role, tagged, document province, agency
        province)`` for every assignment of a task tagged with one of ``topic_ids``
        (``tagged``) or listed in ``task_ids``."""

    @abstractmethod
    def _assignment_counts(self, agency_ids: Sequence[str]) -> dict[str, int]:
        """How many tasks each agency is assigned in the whole graph (any topic)."""

    # optional fast path of ``agencies`` for stores that keep tallies at write time
    def _tagged_tally(self, topic_ids: Sequence[str], province: str | None
                      ) -> dict[str, tuple[int, int]] | None:
        """``agency -> (evidence tasks tagged with one of topic_ids, of which it leads)`` —
        a task counts for an agency when the task's document or the agency is in
        ``province`` (a province id; ``None``: everywhere). ``None``: not supported, the
        query reads every evidence row (``_topic_assignments``)."""
        return None

    def _tagged_evidence(self, agency_ids: Sequence[str], topic_ids: Sequence[str],
                         province: str | None, limit: int | None = None
                         ) -> dict[str, dict[str, str]]:
        """``agency -> {task id: role}`` (lead wins) of the tasks ``_tagged_tally`` counted.
        A store may return fewer when ``limit`` is given, as long as the result holds each
        agency's first ``limit`` of them in :func:`evidence_order` (here: all of them)."""
        out: dict[str, dict[str, str]] = {a: {} for a in agency_ids}
        want = set(agency_ids)
        for tid, agency, role, tagged, doc_prov, agency_prov in self._topic_assignments(
                topic_ids, ()):
            if agency not in want or not tagged or (
                    province is not None
                    and not _in_province_names(province, doc_prov, agency_prov)):
                continue
            if out[agency].get(tid) != Role.LEAD.value:
                out[agency][tid] = role
        return out

    def _untagged_rows(self, topic_ids: Sequence[str], task_ids: Sequence[str]
                       ) -> list[tuple[str, str, str, bool, str | None, str | None]]:
        """The ``_topic_assignments`` rows of the ``task_ids`` not tagged with a topic."""
        return [r for r in self._topic_assignments(topic_ids, task_ids) if not r[3]]

    @abstractmethod
    def iter_nodes(self) -> Iterator[dict[str, Any]]:
        """Every node as its properties plus ``"kind"``."""

    @abstractmethod
    def iter_edges(self) -> Iterator[dict[str, Any]]:
        """Every edge as ``{"source","target","type","key",...props}``."""

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """``{"nodes": n, "edges": m}``."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- derived reads -----------------------------------------------------------------------
    def document(self, doc_id: str) -> dict[str, Any] | None:
        node = self.get_nodes([doc_id]).get(doc_id)
        return node if node and node.get("kind") == NodeLabel.DOCUMENT.value else None

    def source_hashes(self) -> dict[str, str]:
        """``source path -> sha256`` of every ingested document."""
        return {d["source"]: d["sha256"] for d in self.documents(ingested_only=True)
                if d.get("source") and d.get("sha256")}

    def source_documents(self) -> dict[str, str]:
        """``source path -> document id`` of every ingested document."""
        return {d["source"]: d["id"] for d in self.documents(ingested_only=True)
                if d.get("source")}

    def _yearless_resolver(self, doc: ExtractedDocument):
        """Known dated documents: the store's, the document itself and what it cites dated."""
        try:
            from ..ingest.citations import resolve_yearless
        except ImportError:  # pragma: no cover - citations package not installed
            return None
        own = [doc.document.id, *(c.id for c in doc.citations)]
        keys = {c.id for c in doc.citations if c.year is None and yearless_key(c.id) == c.id}
        known: dict[str, list[str]] = defaultdict(list)
        for key, ids in self._dated_ids(sorted(keys)).items():
            known[key].extend(ids)
        for did in own:
            key = yearless_key(did)
            if did != key and did not in known[key]:
                known[key].append(did)

        def resolve(cid: str) -> tuple[str, bool, tuple[str, ...]]:
            rid, ambiguous, candidates = resolve_yearless(cid, known)
            return rid, bool(ambiguous), tuple(candidates or ())
        return resolve

    @abstractmethod
    def _dated_ids(self, keys: Sequence[str]) -> dict[str, list[str]]:
        """``yearless key -> dated document ids`` present in the store (``doc:ct-04-tw`` →
        ``["doc:ct-04-tw-2011", …]``)."""

    @abstractmethod
    def _retarget_cites(self, key: str, ids: Sequence[str], target: str,
                        stub: dict[str, Any] | None) -> WriteStats:
        """Point every CITES edge into ``ids`` that was written for the yearless reference
        ``key`` (edge property ``cited_as``) at ``target``; ``stub`` = properties of the
        yearless node when ``target == key`` (created or updated). Nodes left unused are
        collected."""

    def _relink_yearless(self, keys: Iterable[str]) -> WriteStats:
        """Make yearless references independent of ingest order: after dated documents appear
        or vanish, every mention written as ``key`` points at the one dated document, or at the
        yearless node — ambiguous with the candidates when there are several."""
        keys = sorted({k for k in keys if k and not k.startswith("doc:title:")})
        stats = WriteStats()
        if not keys:
            return stats
        dated = self._dated_ids(keys)
        for key in keys:
            cands = sorted(set(dated.get(key, ())))
            if len(cands) == 1:
                stats = stats + self._retarget_cites(key, [key], cands[0], None)
            else:
                stub = {"id": key, "ambiguous": len(cands) > 1, "candidates": cands,
                        "ingested": False, "yearless": key, "number_key": number_key(key)}
                stats = stats + self._retarget_cites(key, [key, *cands], key, stub)
        return stats

    @staticmethod
    def _dated_keys(doc: ExtractedDocument) -> set[str]:
        """Yearless keys whose candidates ``doc`` may change or use: those of its own and its
        dated citations' ids, and its yearless citations."""
        ids = [doc.document.id, *(c.id for c in doc.citations)]
        keys = {yearless_key(i) for i in ids if yearless_key(i) != i}
        keys |= {clean(c.id) for c in doc.citations
                 if c.year is None and yearless_key(c.id) == c.id
                 and not c.id.startswith("doc:title:")}
        return keys

    # -- cites -------------------------------------------------------------------------------
    def resolve_reference(self, ref: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """``(resolved, candidates)``: the documents the user's reference names, or — when it
        fits several distinct dated documents and states no year — the candidates."""
        from ..ingest.citations import parse_reference

        query = parse_reference(ref)
        number = getattr(query, "number", None)
        # the number is in the canonical id: an indexed lookup, not a scan of every document
        docs = self._numbered(number) if number else self.documents()
        if getattr(query, "title_key", None) is None and hasattr(query, "type_code"):
            # each candidate's id and number parsed once (memoised), then compared
            matched = [d for d in docs if key_matches(query, self._parsed_key(d))]
        else:  # a title reference compares titles
            matched = [d for d in docs if _matches(query, d)]
        dated = [d for d in matched if d["id"] != yearless_key(d["id"])]
        years = {d.get("year") for d in dated}
        if len(years) > 1 and getattr(query, "year", None) is None:
            return [], sorted(dated, key=_doc_order)
        if dated:
            matched = [d for d in matched if d in dated or not d.get("ambiguous")]
        return sorted(matched, key=_doc_order), []

    #: parsed keys memoised beyond this many documents are dropped (then parsed again)
    PARSED_MEMO_SIZE = 500_000

    def _parsed_key(self, doc: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """:func:`candidate_key` of a document row, memoised per document id. A memo entry
        holds the fields it was parsed from and is used only while they are unchanged; stores
        drop a document's entry when they delete it (:meth:`_forget_parsed`)."""
        memo: dict[str, tuple[tuple[Any, ...], tuple[Any, ...] | None]] | None = \
            self.__dict__.get("_parsed_memo")
        if memo is None:
            memo = self.__dict__["_parsed_memo"] = {}
        fields = (doc.get("number"), doc.get("type"), doc.get("year"))
        hit = memo.get(doc["id"])
        if hit is not None and hit[0] == fields:
            return hit[1]
        if len(memo) >= self.PARSED_MEMO_SIZE:
            memo.clear()
        key = candidate_key(doc)
        memo[doc["id"]] = (fields, key)
        return key

    def _forget_parsed(self, doc_id: str) -> None:
        """Drop ``doc_id``'s memoised :func:`candidate_key` (the document was deleted)."""
        memo = self.__dict__.get("_parsed_memo")
        if memo:
            memo.pop(doc_id, None)

    def _cites_head(self, ref: str, limit: int, offset: int) -> tuple[dict[str, Any], list[str]]:
        """The part of a ``cites`` answer every store builds alike: the paging bounds checked,
        the reference resolved; returns the answer so far and the resolved documents' ids."""
        if limit < 0 or offset < 0:
            raise ValueError("limit and offset must be ≥ 0")
        resolved, candidates = self.resolve_reference(ref)
        out: dict[str, Any] = {"query": ref, "resolved": [_doc_brief(d) for d in resolved]}
        if candidates:
            out["candidates"] = [_doc_brief(d) for d in candidates]
        return out, [d["id"] for d in resolved]

    def cites(self, ref: str, limit: int = CITES_PAGE, offset: int = 0) -> dict[str, Any]:
        """Which plans cite the document the user names, with the sentences that cite it.

        ``plans`` is one page (``offset``, ``limit``) of the citing documents ordered by date
        (undated last) then id; ``total`` counts them all, so the answer costs the page, not
        the corpus (a popular Chỉ thị is cited by most plans)."""
        out, ids = self._cites_head(ref, limit, offset)
        total, page = self._citing_page(ids, limit, offset) if ids else (0, [])
        plans: dict[str, dict[str, Any]] = {
            c["id"]: {"id": c["id"], "number": c.get("number"), "title": c.get("title"),
                      "province": c.get("province"), "date": c.get("date"),
                      "source": c.get("source"), "mentions": []} for c in page}
        for edge in self._mentions(list(plans), ids) if plans else ():
            plans[edge["source"]]["mentions"].append(_mention(edge))
        for plan in plans.values():
            plan["mentions"].sort(key=lambda m: (m["start"] is None, m["start"] or 0,
                                                 m["end"] or 0))
        out["total"] = total
        out["plans"] = list(plans.values())
        return out

    def find_document(self, ref: str) -> dict[str, Any]:
        """A document by id or by the user's reference (ingested plans preferred)."""
        doc = self.document(ref)
        if doc is not None:
            return doc
        key = match_key(ref)
        for d in self.documents():
            if d.get("number") and match_key(d["number"]) == key:
                return d
        try:
            resolved, candidates = self.resolve_reference(ref)
        except (ImportError, ValueError) as exc:
            raise NodeNotFound(f"no document matches {ref!r}: {exc}") from None
        if candidates:
            ids = ", ".join(d["id"] for d in candidates)
            raise NodeNotFound(f"{ref!r} is ambiguous: {ids}")
        if not resolved:
            raise NodeNotFound(f"no document matches {ref!r}")
        resolved.sort(key=lambda d: (not d.get("ingested"), _doc_order(d)))
        return resolved[0]

    def cited_by(self, plan: str) -> dict[str, Any]:
        """What a plan cites: every cited document with its mentions."""
        doc = self.find_document(plan)
        cited: dict[str, dict[str, Any]] = {}
        for edge, target in self._cited(doc["id"]):
            entry = cited.get(target["id"])
            if entry is None:
                entry = cited[target["id"]] = {**_doc_brief(target), "title": target.get("title"),
                                               "relations": [], "mentions": []}
            if edge.get("relation") not in entry["relations"]:
                entry["relations"].append(edge.get("relation"))
            entry["mentions"].append(_mention(edge))
        for entry in cited.values():
            entry["mentions"].sort(key=lambda m: (m["start"], m["end"]))
            entry["relations"].sort()
        return {"plan": {**_doc_brief(doc), "title": doc.get("title"),
                         "province": doc.get("province"), "source": doc.get("source")},
                "cites": sorted(cited.values(), key=lambda e: min(m["start"] for m in e["mentions"]))}

    def citation_chain(self, doc: str, depth: int = 3, direction: str = "citing"
                       ) -> dict[str, Any]:
        """Documents citing documents, breadth first from ``doc``: ``direction="citing"`` walks
        to the documents that cite it (plans implementing a plan implementing a Chỉ thị),
        ``"cited"`` to what it cites."""
        if direction not in ("citing", "cited"):
            raise ValueError("direction must be 'citing' or 'cited'")
        root = self.find_document(doc)
        nodes = {root["id"]: {**_doc_brief(root), "title": root.get("title"), "level": 0}}
        edges: dict[tuple[str, str], dict[str, Any]] = {}
        frontier = [root["id"]]
        for level in range(1, max(0, depth) + 1):
            nxt: list[str] = []
            for fid in frontier:
                rows = (self._citing([fid]) if direction == "citing" else self._cited(fid))
                for edge, other in rows:
                    key = (edge["source"], edge["target"])
                    rel = edge.get("relation")
                    e = edges.setdefault(key, {"source": key[0], "target": key[1],
                                               "relations": []})
                    if rel not in e["relations"]:
                        e["relations"].append(rel)
                    if other["id"] not in nodes:
                        nodes[other["id"]] = {**_doc_brief(other), "title": other.get("title"),
                                              "level": level}
                        nxt.append(other["id"])
            frontier = nxt
            if not frontier:
                break
        for e in edges.values():
            e["relations"].sort()
        return {"root": root["id"], "direction": direction,
                "nodes": sorted(nodes.values(), key=lambda n: (n["level"], n["id"])),
                "edges": sorted(edges.values(), key=lambda e: (e["source"], e["target"]))}

    # -- agencies ----------------------------------------------------------------------------
    def topic_ids(self, topic: str) -> tuple[str, ...]:
        """The topic ids a user's topic names: the SKOS scheme (``match_topics``: diacritic-free
        input, synonyms) with narrower concepts, plus topics in the graph whose label or id
        contains it."""
        topic_ids: tuple[str, ...] = ()
        try:
            from ..ingest.topics import match_topics, topic_scheme
            topic_ids = tuple(match_topics(topic))
            scheme = topic_scheme()
            # SKOS: a topic includes its narrower concepts
            frontier = list(topic_ids)
            while frontier:
                narrower = [c.id for t in frontier for c in scheme.narrower(t)
                            if c.id not in topic_ids]
                topic_ids += tuple(dict.fromkeys(narrower))
                frontier = narrower
        except ImportError:  # pragma: no cover - ingest.topics not installed
            pass
        key, slug = match_key(topic), slugify(topic)
        if key:  # topics already in the graph, by label or id (free text, no diacritics)
            topic_ids += tuple(
                t["id"] for t in self.nodes_with_label(NodeLabel.TOPIC)
                if t["id"] not in topic_ids and (
                    key in match_key(t.get("name") or "") or (slug and slug in t["id"])))
        return tuple(dict.fromkeys(clean(t) for t in topic_ids))

    def agencies(self, topic: str, province: str | None = None,
                 task_ids: Sequence[str] | None = None, *, limit: int = AGENCIES_PAGE,
                 offset: int = 0, evidence: int = EVIDENCE_PER_AGENCY) -> list[dict[str, Any]]:
        """Agencies ranked for a topic, with the tasks that are the evidence.

        Evidence tasks are those tagged with the topic (SKOS scheme, narrower concepts
        included) and ``task_ids`` — semantic-search hits, best first. Each agency gets one
        score::

            evidence    = Σ over its evidence tasks  relevance(task) × role_weight(role)
            relevance   = 1.0 for a task tagged with the topic;
                          1 / (1 + rank / 5) for a semantic-only hit at rank 0, 1, 2 …
            role_weight = 1.0 when it leads the task, 0.5 when it co-operates
            specificity = evidence tasks / all tasks the agency is assigned in the graph
            score       = evidence × √specificity

        so a border-guard command whose work is mostly border work ranks above a department
        that leads one task mentioning the border among dozens of others, and a police force
        co-operating on several border tasks above a department leading one. Ties: more lead
        tasks, then name. ``role`` is ``lead`` when the agency leads any evidence task;
        ``lead_tasks``/``cooperate_tasks`` count them; ``tasks`` lists lead tasks first, each
        with its ``relevance``, then by relevance, then id — at most ``evidence`` of them
        (``evidence_total`` = ``lead_tasks + cooperate_tasks`` counts them all). Returns the
        page ``offset:offset+limit`` of the ranking; evidence tasks are read only for that
        page, and only the listed ones with their texts."""
        if limit < 0 or offset < 0 or evidence < 0:
            raise ValueError("limit, offset and evidence must be ≥ 0")
        topic_ids = self.topic_ids(topic)
        extra = tuple(dict.fromkeys(clean(t) for t in (task_ids or ())))
        if not topic_ids and not extra:
            return []
        rank = {tid: i for i, tid in reversed(list(enumerate(extra)))}
        want = _province_filter(province)
        # agency -> task -> (role, relevance); lead wins when an agency has both roles
        agg: dict[str, dict[str, tuple[str, float]]] = defaultdict(dict)
        tally = self._tagged_tally(topic_ids, want)
        if tally is None:  # no write-time tallies: every evidence row, then rank
            rows = self._topic_assignments(topic_ids, extra)
        else:  # tagged tasks come counted; only the semantic hits are read row by row
            rows = self._untagged_rows(topic_ids, extra) if extra else []
        for tid, agency, role, tagged, doc_prov, agency_prov in rows:
            if want is not None and not _in_province_names(want, doc_prov, agency_prov):
                continue
            relevance = 1.0 if tagged else 1.0 / (1.0 + rank.get(tid, 0) / SEMANTIC_RANK_SCALE)
            old = agg[agency].get(tid)
            if old is None or (role == Role.LEAD.value and old[0] != Role.LEAD.value):
                agg[agency][tid] = (role, max(relevance, old[1] if old else 0.0))
        counted = tally or {}
        agencies = list(dict.fromkeys([*counted, *agg]))
        if not agencies:
            return []
        totals = self._assignment_counts(agencies)
        ranked = []
        for agency in agencies:
            tasks = agg.get(agency, {})
            n_tagged, led_tagged = counted.get(agency, (0, 0))
            # tagged tasks weigh 1.0 (lead) or 0.5: their partial sum is exact in any order
            weight = sum((rel * ROLE_WEIGHT.get(role, 0.5) for role, rel in tasks.values()),
                         led_tagged + 0.5 * (n_tagged - led_tagged))
            n = n_tagged + len(tasks)
            total = max(totals.get(agency, 0), n, 1)
            specificity = n / total
            leads = led_tagged + sum(1 for role, _ in tasks.values() if role == Role.LEAD.value)
            ranked.append((agency, round(weight, 3), round(specificity, 3),
                           round(weight * specificity ** 0.5, 3), leads, n))
        names = {a: n for a, n in self._agency_names([r[0] for r in ranked]).items()}
        ranked.sort(key=lambda r: (-r[3], -r[4], names.get(r[0]) or r[0], r[0]))
        page = ranked[offset:offset + limit]
        if not page:
            return []
        if tally is not None:  # the tagged evidence tasks of this page's agencies only
            evidence_tasks = self._tagged_evidence([r[0] for r in page], topic_ids, want,
                                                  evidence)
            for agency, *_ in page:
                own = {tid: (role, 1.0) for tid, role in evidence_tasks.get(agency, {}).items()}
                own.update(agg.get(agency, {}))
                agg[agency] = own
        # the listed evidence: lead first, then relevance, then id; only these are read
        listed = {r[0]: evidence_order(agg[r[0]])[:evidence] for r in page}
        task_nodes = self.get_nodes([tid for shown in listed.values() for tid, _ in shown])
        doc_nodes = self.get_nodes({n.get("document") for n in task_nodes.values()
                                    if n.get("document")})
        agency_nodes = self.get_nodes([r[0] for r in page])

        def task_and_document(tid: str) -> tuple[dict[str, Any], dict[str, Any]]:
            t = task_nodes.get(tid, {"id": tid})
            return t, doc_nodes.get(t.get("document"), {})

        return agency_rows(page, listed, agency_nodes, task_and_document)

    def _agency_names(self, agency_ids: Sequence[str]) -> dict[str, str]:
        """Display names for tie-breaking (the store may override with a cheaper read)."""
        return {a: n.get("name") or a for a, n in self.get_nodes(agency_ids).items()}

    # -- neighbourhood and paths -------------------------------------------------------------
    def find_node(self, ref: str) -> dict[str, Any]:
        """Any node by id, or by name/number typed however (``Kiên Giang``, ``salavan``,
        ``272-QĐ/TW``, ``Sở Ngoại vụ tỉnh Kiên Giang``)."""
        node = self.get_nodes([ref]).get(ref)
        if node is not None:
            return node
        key = match_key(ref)
        slug = slugify(ref)
        preference = (NodeLabel.PROVINCE, NodeLabel.LOCALITY, NodeLabel.AGENCY,
                      NodeLabel.TOPIC, NodeLabel.AGENCY_KIND, NodeLabel.DOCUMENT)
        for label in preference:
            for n in self.nodes_with_label(label):
                names = [n.get("name"), n.get("number")]
                if any(x and match_key(x) == key for x in names) or n["id"].endswith(
                        ":" + slug):
                    return n
        try:
            return self.find_document(ref)
        except NodeNotFound:
            pass
        for label in preference[:-1]:
            for n in self.nodes_with_label(label):
                if n.get("name") and key and key in match_key(n["name"]):
                    return n
        raise NodeNotFound(f"no node matches {ref!r}")

    def neighborhood(self, node: str, depth: int = 1, *, limit: int = MAX_NODES
                     ) -> dict[str, Any]:
        """Nodes within ``depth`` hops of ``node`` (either direction) and the edges among them."""
        start = self.find_node(node)
        nodes = {start["id"]: start}
        edges: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        frontier = [start["id"]]
        for _ in range(max(0, depth)):
            if not frontier or len(nodes) >= limit:
                break
            adj_nodes, adj_edges = self._adjacent(frontier)
            nxt = []
            for n in sorted(adj_nodes, key=lambda n: n["id"]):
                if n["id"] not in nodes and len(nodes) < limit:
                    nodes[n["id"]] = n
                    nxt.append(n["id"])
            for e in adj_edges:
                if e["source"] in nodes and e["target"] in nodes:
                    edges[(e["source"], e["target"], e["type"], str(e.get("key")))] = e
            frontier = nxt
        return {"root": start["id"],
                "nodes": [_node_out(n) for n in sorted(nodes.values(), key=lambda n: n["id"])],
                "edges": [_edge_out(e) for _, e in sorted(edges.items())]}

    def path(self, a: str, b: str, *, max_depth: int = 8) -> dict[str, Any]:
        """A shortest undirected path between two entities (bidirectional BFS over
        neighbourhood queries; no ``shortestPath``, which FalkorDB lacks)."""
        src, dst = self.find_node(a), self.find_node(b)
        if src["id"] == dst["id"]:
            return {"found": True, "nodes": [_node_out(src)], "edges": []}
        parents: list[dict[str, tuple[str | None, dict[str, Any] | None]]] = [
            {src["id"]: (None, None)}, {dst["id"]: (None, None)}]
        frontiers = [[src["id"]], [dst["id"]]]
        known: dict[str, dict[str, Any]] = {src["id"]: src, dst["id"]: dst}
        meet = None
        for step in range(max_depth):
            side = 0 if len(frontiers[0]) <= len(frontiers[1]) else 1
            if not frontiers[side]:
                break
            adj_nodes, adj_edges = self._adjacent(frontiers[side])
            for n in adj_nodes:
                known.setdefault(n["id"], n)
            frontier_set = set(frontiers[side])
            nxt = []
            for e in sorted(adj_edges, key=lambda e: (e["source"], e["target"], e["type"])):
                for here, there in ((e["source"], e["target"]), (e["target"], e["source"])):
                    if here in frontier_set and there not in parents[side]:
                        parents[side][there] = (here, e)
                        nxt.append(there)
                        if there in parents[1 - side] and meet is None:
                            meet = there
            frontiers[side] = nxt
            if meet is not None or sum(len(p) for p in parents) > MAX_NODES * 10:
                break
            _ = step
        if meet is None:
            return {"found": False, "nodes": [], "edges": []}
        chain_ids: list[str] = []
        chain_edges: list[dict[str, Any]] = []
        cur: str | None = meet
        while cur is not None:
            chain_ids.insert(0, cur)
            prev, edge = parents[0][cur]
            if edge is not None:
                chain_edges.insert(0, edge)
            cur = prev
        cur = parents[1][meet][0]
        edge = parents[1][meet][1]
        if edge is not None:
            chain_edges.append(edge)
        while cur is not None:
            chain_ids.append(cur)
            prev, edge = parents[1][cur]
            if edge is not None:
                chain_edges.append(edge)
            cur = prev
        return {"found": True, "nodes": [_node_out(known[i]) for i in chain_ids],
                "edges": [_edge_out(e) for e in chain_edges]}

    # -- stats -------------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        labels: Counter[str] = Counter()
        ingested = 0
        for n in self.iter_nodes():
            labels[n["kind"]] += 1
            if n["kind"] == NodeLabel.DOCUMENT.value and n.get("ingested"):
                ingested += 1
        types: Counter[str] = Counter(e["type"] for e in self.iter_edges())
        return {"store": self.name, "nodes": sum(labels.values()), "edges": sum(types.values()),
                "documents_ingested": ingested, "labels": dict(sorted(labels.items())),
                "relationships": dict(sorted(types.items()))}


# -- helpers ---------------------------------------------------------------------------------
def candidate_key(doc: Mapping[str, Any]) -> tuple[Any, ...] | None:
    """``(type code, number, issuer slug, year)`` of a cited-document row, as
    :func:`vbgraph.ingest.citations.parse.candidate_key` derives it (the same derivation
    ``ReferenceQuery.matches`` uses); :meth:`GraphStore._parsed_key` memoises it."""
    from ..ingest.citations.parse import candidate_key as parse_key

    return parse_key(doc)


def key_matches(query: Any, key: tuple[Any, ...] | None) -> bool:
    """Whether a parsed :func:`candidate_key` satisfies a numbered reference's constraints
    (``ReferenceQuery.matches`` without re-parsing; title references are not handled here)."""
    return bool(query.matches_key(key))


def _matches(query: Any, doc: Mapping[str, Any]) -> bool:
    candidate = {k: doc.get(k) for k in ("id", "number", "type", "year", "issuer", "title",
                                         "date")}
    try:
        return bool(query.matches(candidate))
    except (AttributeError, TypeError, KeyError):
        from types import SimpleNamespace
        return bool(query.matches(SimpleNamespace(**candidate)))


def evidence_order(tasks: Mapping[str, tuple[str, float]]) -> list[tuple[str, tuple[str, float]]]:
    """An agency's evidence ``task id -> (role, relevance)`` in listing order: lead tasks
    first, then by relevance (highest first), then by id."""
    return sorted(tasks.items(), key=lambda kv: (kv[1][0] != Role.LEAD.value, -round(kv[1][1], 3),
                                                 kv[0]))


def _doc_order(d: Mapping[str, Any]) -> tuple[str, str]:
    return (d.get("date") or "9999", d["id"])


def _doc_brief(d: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": d["id"], "number": d.get("number"), "type": d.get("type"),
            "date": d.get("date"), "issuer": d.get("issuer")}


def _mention(edge: Mapping[str, Any]) -> dict[str, Any]:
    return {"text": edge.get("text"), "section": edge.get("section"),
            "start": edge.get("start"), "end": edge.get("end"),
            "relation": edge.get("relation"), "surface": edge.get("surface")}


def _province_filter(province: str | None) -> str | None:
    if not province:
        return None
    name = province.strip()
    folded = fold(name)
    for prefix in ("tinh ", "thanh pho ", "tp. ", "tp "):
        if folded.startswith(prefix):
            name = name[len(prefix):]
            break
    return province_id(name)


def _in_province_names(want: str, *names: str | None) -> bool:
    return any(name and province_id(name) == want for name in names)


def _display(n: Mapping[str, Any]) -> str:
    kind = n.get("kind")
    if kind == NodeLabel.DOCUMENT.value:
        head = " ".join(x for x in (n.get("type"), n.get("number")) if x)
        return head or n.get("title") or n["id"]
    if kind == NodeLabel.TASK.value:
        text = n.get("text") or ""
        return text[:80] + ("…" if len(text) > 80 else "")
    if kind == NodeLabel.ASSIGNMENT.value:
        return n.get("role") or n["id"]
    return n.get("name") or n["id"]


def _node_out(n: Mapping[str, Any]) -> dict[str, Any]:
    out = {"id": n["id"], "label": _display(n), "kind": n.get("kind")}
    for k, v in n.items():
        if k not in out and k not in ("owner",):
            out[k] = v
    return out


def _edge_out(e: Mapping[str, Any]) -> dict[str, Any]:
    out = {"source": e["source"], "target": e["target"], "type": e["type"]}
    for k, v in e.items():
        if k not in out and k != "key":
            out[k] = v
    return out


__all__ += ["EdgeType"]

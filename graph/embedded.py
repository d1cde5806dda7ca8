"""The embedded store: a networkx ``MultiDiGraph`` in process, persisted as one gzip JSON file.

Node attributes are the node's properties plus ``kind`` (the :class:`NodeLabel` value); edge
attributes are the edge's properties plus ``type`` (the :class:`EdgeType` value), keyed by the
edge ``key``. An index ``owner -> edges`` makes replacing a document proportional to its size.

``dump(path)`` writes one file (the caller — :class:`vbgraph.api.service.Workspace` — writes it
under a new generation name and swaps the manifest, so the write is atomic); ``load(path)``
reads it back.
"""
from __future__ import annotations

import gzip
import json
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import networkx as nx

from ..ontology.vocab import EdgeType, LocalityKind, NodeLabel
from .base import GraphStore, WriteStats
from .model import DocumentGraph, clean, number_key

__all__ = ["EmbeddedGraphStore", "FORMAT"]

FORMAT = "vbgraph-nodelink-1"

# labels of shared nodes that are removed when nothing refers to them any more
_GC_FIRST = (NodeLabel.DOCUMENT.value, NodeLabel.AGENCY.value, NodeLabel.TOPIC.value,
             NodeLabel.LOCALITY.value)
_GC_LEAVES = (NodeLabel.PROVINCE.value, NodeLabel.AGENCY_KIND.value, NodeLabel.LOCALITY.value)


class EmbeddedGraphStore(GraphStore):
    name = "embedded"

    def __init__(self, graph: nx.MultiDiGraph | None = None) -> None:
        self.g: nx.MultiDiGraph = graph if graph is not None else nx.MultiDiGraph()
        self._owned_edges: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
        self._owned_nodes: dict[str, set[str]] = defaultdict(set)
        self._by_kind: dict[str, set[str]] = defaultdict(set)
        self._by_yearless: dict[str, set[str]] = defaultdict(set)
        self._by_number: dict[str, set[str]] = defaultdict(set)
        # read caches (citing plans in date order, assignment counts), dropped on every write
        self._cache: dict[tuple[Any, ...], Any] = {}
        self._reindex()

    def _reindex(self) -> None:
        self._owned_edges.clear()
        self._owned_nodes.clear()
        self._by_kind.clear()
        self._by_yearless.clear()
        self._by_number.clear()
        self._cache.clear()
        for nid, data in self.g.nodes(data=True):
            self._by_kind[data["kind"]].add(nid)
            if data["kind"] == NodeLabel.DOCUMENT.value:
                self._index_number(nid)
            if data.get("yearless"):
                self._by_yearless[data["yearless"]].add(nid)
            if data.get("owner"):
                self._owned_nodes[data["owner"]].add(nid)
        for u, v, k, data in self.g.edges(keys=True, data=True):
            if data.get("owner"):
                self._owned_edges[data["owner"]].add((u, v, k))

    # -- persistence ---------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> EmbeddedGraphStore:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
        if data.get("format") != FORMAT:
            raise ValueError(f"{path}: not a vbgraph graph file (format {data.get('format')!r})")
        g = nx.MultiDiGraph()
        g.add_nodes_from((n["id"], n) for n in data["nodes"])
        g.add_edges_from((s, t, k, d) for s, t, k, d in data["edges"])
        return cls(g)

    def dump(self, path: str | os.PathLike[str]) -> None:
        """Write the whole graph to ``path`` (gzip JSON) and fsync it."""
        data = {
            "format": FORMAT,
            "nodes": [attrs for _, attrs in self.g.nodes(data=True)],
            "edges": [[u, v, k, d] for u, v, k, d in self.g.edges(keys=True, data=True)],
        }
        path = Path(path)
        with open(path, "wb") as raw:
            with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=3, mtime=0) as gz:
                gz.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())
            raw.flush()
            os.fsync(raw.fileno())

    # -- writes --------------------------------------------------------------------------
    def _index_number(self, nid: str) -> None:
        key = number_key(nid)
        if key is not None:
            self._by_number[key].add(nid)

    def _remove_owned(self, doc_id: str) -> WriteStats:
        edges = self._owned_edges.pop(doc_id, set())
        rel_deleted = 0
        for u, v, k in edges:
            if self.g.has_edge(u, v, k):
                self.g.remove_edge(u, v, k)
                rel_deleted += 1
        nodes_deleted = 0
        for nid in self._owned_nodes.pop(doc_id, set()):
            if nid in self.g:
                rel_deleted += self.g.degree(nid)
                self._by_kind[self.g.nodes[nid]["kind"]].discard(nid)
                self.g.remove_node(nid)
                nodes_deleted += 1
        return WriteStats(nodes_deleted=nodes_deleted, relationships_deleted=rel_deleted)

    def _add_edge(self, u: str, v: str, etype: EdgeType, key: str, props: dict[str, Any]
                  ) -> int:
        ekey = f"{etype.value}|{key}"
        created = 0 if self.g.has_edge(u, v, ekey) else 1
        self.g.add_edge(u, v, key=ekey, type=etype.value, **props)
        owner = props.get("owner")
        if owner:
            self._owned_edges[owner].add((u, v, ekey))
        return created

    def _touched(self, doc_id: str) -> set[str]:
        if doc_id not in self.g:
            return set()
        touched = {v for _, v, d in self.g.out_edges(doc_id, data=True)
                   if d.get("owner") == doc_id}
        for nid in self._owned_nodes.get(doc_id, ()):
            touched.update(self.g.successors(nid))
        return touched

    def _write_document(self, plan: DocumentGraph) -> WriteStats:
        self._cache.clear()
        touched = self._touched(plan.doc_id) - plan.node_ids()
        stats = self._remove_owned(plan.doc_id)
        created = props = rels = 0
        doc = plan.document
        if doc.id in self.g:
            self.g.nodes[doc.id].clear()
        else:
            created += 1
        self.g.add_node(doc.id, kind=doc.label.value, **{k: v for k, v in doc.props.items()
                                                          if v is not None})
        self._by_kind[doc.label.value].add(doc.id)
        self._index_number(doc.id)
        if doc.props.get("yearless"):
            self._by_yearless[doc.props["yearless"]].add(doc.id)
        props += len(doc.props)
        for row in plan.stubs:
            if row.id not in self.g:
                created += 1
                self.g.add_node(row.id, kind=row.label.value)
                self._by_kind[row.label.value].add(row.id)
                self._index_number(row.id)
            attrs = self.g.nodes[row.id]
            for k, v in row.props.items():
                if v is not None and attrs.get(k) is None:
                    attrs[k] = v
                    props += 1
            if attrs.get("yearless"):
                self._by_yearless[attrs["yearless"]].add(row.id)
        for row in plan.shared:
            if row.id not in self.g:
                created += 1
                self.g.add_node(row.id, kind=row.label.value)
                self._by_kind[row.label.value].add(row.id)
            attrs = self.g.nodes[row.id]
            for k, v in row.props.items():
                if v is not None and attrs.get(k) != v:
                    attrs[k] = v
                    props += 1
        for row in plan.owned:
            created += 1
            self.g.add_node(row.id, kind=row.label.value,
                            **{k: v for k, v in row.props.items() if v is not None})
            self._by_kind[row.label.value].add(row.id)
            self._owned_nodes[plan.doc_id].add(row.id)
            props += len(row.props)
        for e in (*plan.structural, *plan.edges):
            rels += self._add_edge(e.source, e.target, e.type, e.key,
                                   {k: v for k, v in e.props.items() if v is not None})
        deleted, rels_deleted = self._collect_garbage(touched) if touched else (0, 0)
        return stats + WriteStats(nodes_created=created, nodes_deleted=deleted,
                                  relationships_created=rels,
                                  relationships_deleted=rels_deleted, properties_set=props)

    def remove_document(self, doc_id: str) -> WriteStats:
        doc_id = clean(doc_id)
        if doc_id not in self.g or not self.g.nodes[doc_id].get("ingested"):
            return WriteStats()
        keys = self._keys_of(doc_id)
        stats = self._remove_document(doc_id)
        return stats + self._relink_yearless(keys)

    def _dated_ids(self, keys: Sequence[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for key in keys:
            ids = [n for n in self._by_yearless.get(key, ()) if n != key and n in self.g]
            if ids:
                out[key] = sorted(ids)
        return out

    def _retarget_cites(self, key: str, ids: Sequence[str], target: str,
                        stub: dict[str, Any] | None) -> WriteStats:
        self._cache.clear()
        moves = []
        for nid in ids:
            if nid not in self.g or nid == target:
                continue
            for u, v, k, d in self.g.in_edges(nid, keys=True, data=True):
                if d.get("type") == EdgeType.CITES.value and d.get("cited_as") == key:
                    moves.append((u, v, k, dict(d)))
        created = 0
        if stub is not None and (moves or target in self.g):
            if target not in self.g:
                self.g.add_node(target, kind=NodeLabel.DOCUMENT.value)
                self._by_kind[NodeLabel.DOCUMENT.value].add(target)
                self._by_yearless[key].add(target)
                self._index_number(target)
                created += 1
            self.g.nodes[target].update({k: v for k, v in stub.items() if v is not None})
        rels = 0
        for u, v, k, d in moves:
            self.g.remove_edge(u, v, k)
            self.g.add_edge(u, target, key=k, **d)
            owner = d.get("owner")
            if owner:
                self._owned_edges[owner].discard((u, v, k))
                self._owned_edges[owner].add((u, target, k))
            rels += 1
        deleted, r2 = self._collect_garbage({v for _, v, _, _ in moves})
        return WriteStats(nodes_created=created, nodes_deleted=deleted,
                          relationships_created=rels, relationships_deleted=rels + r2)

    def _remove_document(self, doc_id: str) -> WriteStats:
        self._cache.clear()
        touched = self._touched(doc_id)
        stats = self._remove_owned(doc_id)
        deleted = rels = 0
        if self.g.in_degree(doc_id) == 0:
            rels += self.g.degree(doc_id)
            self._delete_node(doc_id)
            deleted += 1
        else:  # still cited: back to a stub
            attrs = self.g.nodes[doc_id]
            for k in ("source", "sha256", "signer", "signer_capacity", "recipients", "missing",
                      "province"):
                attrs.pop(k, None)
            attrs["ingested"] = False
        d2, r2 = self._collect_garbage(touched)
        return stats + WriteStats(nodes_deleted=deleted + d2, relationships_deleted=rels + r2)

    def _delete_node(self, nid: str) -> None:
        self._by_kind[self.g.nodes[nid]["kind"]].discard(nid)
        if self.g.nodes[nid].get("yearless"):
            self._by_yearless[self.g.nodes[nid]["yearless"]].discard(nid)
        key = number_key(nid)
        if key is not None:
            self._by_number[key].discard(nid)
        self.g.remove_node(nid)

    def _has_owned_edge(self, nid: str) -> bool:
        return any(d.get("owner") for _, _, d in self.g.in_edges(nid, data=True)) or any(
            d.get("owner") for _, _, d in self.g.out_edges(nid, data=True))

    def _collect_garbage(self, touched: Iterable[str]) -> tuple[int, int]:
        deleted = rels = 0
        touched = set(touched)
        leaves: set[str] = set(touched)
        for nid in touched:
            if nid not in self.g:
                continue
            attrs = self.g.nodes[nid]
            if attrs["kind"] not in _GC_FIRST or attrs.get("ingested"):
                continue
            if attrs.get("locality_kind") == LocalityKind.COUNTRY.value:
                leaves.add(nid)
                continue
            if not self._has_owned_edge(nid):
                leaves.update(self.g.successors(nid))
                rels += self.g.degree(nid)
                self._delete_node(nid)
                deleted += 1
        for nid in leaves:
            if nid in self.g and self.g.nodes[nid]["kind"] in _GC_LEAVES and \
                    self.g.degree(nid) == 0:
                self._delete_node(nid)
                deleted += 1
        return deleted, rels

    # -- reads ---------------------------------------------------------------------------
    def _node(self, nid: str) -> dict[str, Any]:
        return dict(self.g.nodes[nid])

    def documents(self, *, ingested_only: bool = False) -> list[dict[str, Any]]:
        out = []
        for nid in self._by_kind.get(NodeLabel.DOCUMENT.value, ()):
            attrs = self.g.nodes[nid]
            if not ingested_only or attrs.get("ingested"):
                out.append(dict(attrs))
        return sorted(out, key=lambda d: d["id"])

    def get_nodes(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        out = {}
        for nid in ids:
            if isinstance(nid, str) and nid in self.g:
                out[nid] = self._node(nid)
        return out

    def nodes_with_label(self, label: NodeLabel) -> list[dict[str, Any]]:
        return sorted((self._node(n) for n in self._by_kind.get(label.value, ())),
                      key=lambda d: d["id"])

    @staticmethod
    def _edge(u: str, v: str, k: str, d: dict[str, Any]) -> dict[str, Any]:
        return {"source": u, "target": v, "key": k, **d}

    def _adjacent(self, ids: Sequence[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        nodes: dict[str, dict[str, Any]] = {}
        edges = []
        for nid in ids:
            if nid not in self.g:
                continue
            for u, v, k, d in self.g.out_edges(nid, keys=True, data=True):
                edges.append(self._edge(u, v, k, d))
                nodes.setdefault(v, self._node(v))
            for u, v, k, d in self.g.in_edges(nid, keys=True, data=True):
                edges.append(self._edge(u, v, k, d))
                nodes.setdefault(u, self._node(u))
        return list(nodes.values()), edges

    def _citing(self, doc_ids: Sequence[str]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        out = []
        for did in doc_ids:
            if did not in self.g:
                continue
            for u, v, k, d in self.g.in_edges(did, keys=True, data=True):
                if d["type"] == EdgeType.CITES.value:
                    out.append((self._edge(u, v, k, d), self._node(u)))
        return out

    def _cited(self, doc_id: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        if doc_id not in self.g:
            return []
        return [(self._edge(u, v, k, d), self._node(v))
                for u, v, k, d in self.g.out_edges(doc_id, keys=True, data=True)
                if d["type"] == EdgeType.CITES.value]

    def _numbered(self, key: str) -> list[dict[str, Any]]:
        return sorted((self._node(n) for n in self._by_number.get(key, ()) if n in self.g),
                      key=lambda d: d["id"])

    def _citers(self, doc_ids: Sequence[str]) -> list[str]:
        """Distinct documents citing ``doc_ids``, by (date, undated last; id); cached until
        the next write."""
        ck = ("citers", tuple(sorted(doc_ids)))
        hit = self._cache.get(ck)
        if hit is not None:
            return hit
        cites = EdgeType.CITES.value
        pred, nodes = self.g._pred, self.g._node  # hot path, no views
        citers: set[str] = set()
        for did in doc_ids:
            for u, keyed in pred.get(did, {}).items():
                if u not in citers and any(d["type"] == cites for d in keyed.values()):
                    citers.add(u)
        out = sorted(citers, key=lambda u: (nodes[u].get("date") or "9999", u))
        self._cache[ck] = out
        return out

    def _citing_page(self, doc_ids: Sequence[str], limit: int, offset: int
                     ) -> tuple[int, list[dict[str, Any]]]:
        citers = self._citers(doc_ids)
        return len(citers), [self._node(u) for u in citers[offset:offset + limit]]

    def _mentions(self, plan_ids: Sequence[str], doc_ids: Sequence[str]
                  ) -> list[dict[str, Any]]:
        succ = self.g._succ
        out = []
        for p in plan_ids:
            adj = succ.get(p, {})
            for did in doc_ids:
                for k, d in adj.get(did, {}).items():
                    if d["type"] == EdgeType.CITES.value:
                        out.append(self._edge(p, did, k, d))
        return out

    def _topic_assignments(self, topic_ids: Sequence[str], task_ids: Sequence[str]
                           ) -> list[tuple[str, str, str, bool, str | None, str | None]]:
        pred, nodes = self.g._pred, self.g._node
        has_topic, task_kind = EdgeType.HAS_TOPIC.value, NodeLabel.TASK.value
        rows: list[tuple[str, str, str, bool, str | None, str | None]] = []
        seen: set[str] = set()
        for topic in topic_ids:  # per-topic rows are cached until the next write
            ck = ("topic", topic)
            cached = self._cache.get(ck)
            if cached is None:
                tasks = [u for u, keyed in pred.get(topic, {}).items()
                         if any(d["type"] == has_topic for d in keyed.values())]
                cached = self._cache[ck] = (frozenset(tasks), self._task_rows(tasks, True))
            rows.extend(r for r in cached[1] if r[0] not in seen)
            seen |= cached[0]
        extra = [t for t in dict.fromkeys(task_ids) if t not in seen and t in nodes
                 and nodes[t]["kind"] == task_kind]
        rows.extend(self._task_rows(extra, False))
        return rows

    def _task_rows(self, tasks: Iterable[str], tagged: bool
                   ) -> list[tuple[str, str, str, bool, str | None, str | None]]:
        succ, nodes = self.g._succ, self.g._node
        has_asg, assigned = EdgeType.HAS_ASSIGNMENT.value, EdgeType.ASSIGNED_TO.value
        rows = []
        for tid in tasks:
            doc = nodes.get(nodes[tid].get("document") or "")
            doc_prov = doc.get("province") if doc else None
            for asg, keyed in succ[tid].items():
                if not any(d["type"] == has_asg for d in keyed.values()):
                    continue
                role = nodes[asg]["role"]
                for agency, keyed2 in succ[asg].items():
                    if any(d["type"] == assigned for d in keyed2.values()):
                        rows.append((tid, agency, role, tagged, doc_prov,
                                     nodes[agency].get("province")))
        return rows

    def _assignment_counts(self, agency_ids: Sequence[str]) -> dict[str, int]:
        counts: dict[str, int] = self._cache.setdefault(("assignments",), {})
        pred = self.g._pred
        assigned = EdgeType.ASSIGNED_TO.value
        out = {}
        for a in agency_ids:
            if a not in pred:
                continue
            n = counts.get(a)
            if n is None:
                n = counts[a] = sum(1 for keyed in pred[a].values() for d in keyed.values()
                                    if d["type"] == assigned)
            out[a] = n
        return out

    def _agency_names(self, agency_ids: Sequence[str]) -> dict[str, str]:
        nodes = self.g._node
        return {a: nodes[a].get("name") or a for a in agency_ids if a in nodes}

    def iter_nodes(self) -> Iterator[dict[str, Any]]:
        for _, attrs in self.g.nodes(data=True):
            yield dict(attrs)

    def iter_edges(self) -> Iterator[dict[str, Any]]:
        for u, v, k, d in self.g.edges(keys=True, data=True):
            yield self._edge(u, v, k, d)

    def counts(self) -> dict[str, int]:
        return {"nodes": self.g.number_of_nodes(), "edges": self.g.number_of_edges()}

    # -- bulk ----------------------------------------------------------------------------
    def to_networkx(self) -> nx.MultiDiGraph:
        return self.g

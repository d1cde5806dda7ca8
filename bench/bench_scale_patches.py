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
3. and 4. (graph: yearless-id index, number-key lookup in ``resolve_reference``) are in
   ``graph/`` now (``EmbeddedGraphStore._by_yearless``/``_by_number``, the Neo4j
   ``number_key`` index in ``graph/ddl.py``); only the ingest patches remain here.
"""
from __future__ import annotations

import functools
import importlib

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


def apply(*, ingest: bool = True, graph: bool = True) -> tuple[str, ...]:
    """Apply the ingest patches. ``graph`` is accepted for old command lines: the graph fixes
    (yearless-id index, number-key lookup, paged ``cites``) now live in ``graph/``."""
    if ingest and "fold-table" not in _APPLIED:
        _patch_fold()
        _patch_match_view()
    return applied()

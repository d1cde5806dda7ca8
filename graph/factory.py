"""Pick a graph store from configuration: ``--store``, else ``VBGRAPH_STORE``, else embedded."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .base import GraphStore

__all__ = ["STORES", "create_store", "store_kind"]

STORES = ("embedded", "neo4j")


def store_kind(kind: str | None = None) -> str:
    kind = (kind or os.environ.get("VBGRAPH_STORE") or "embedded").strip().lower()
    if kind in ("bolt", "falkordb"):
        kind = "neo4j"
    if kind not in STORES:
        raise ValueError(f"unknown store {kind!r}: choose one of {', '.join(STORES)}")
    return kind


def create_store(kind: str | None = None, *, path: str | Path | None = None,
                 **options: Any) -> GraphStore:
    """``embedded`` (loaded from ``path`` when it exists) or ``neo4j`` (``NEO4J_URI`` …)."""
    kind = store_kind(kind)
    if kind == "embedded":
        from .embedded import EmbeddedGraphStore

        if path is not None and Path(path).exists():
            return EmbeddedGraphStore.load(path)
        return EmbeddedGraphStore()
    from .neo4j_store import Neo4jGraphStore

    return Neo4jGraphStore(**options)

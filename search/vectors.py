"""FAISS vector index with stable int64 ids, incremental add/remove and size-driven type.

Kinds (chosen by ``factory.choose_index_kind``):
- ``flat``: ``IndexIDMap2(IndexFlatIP)`` — exact; ``remove_ids`` is native.
- ``hnsw``: ``IndexIDMap2(IndexHNSWFlat(M=32, inner product))``. HNSW cannot delete, so removed
  ids become tombstones excluded at search time through an ``IDSelector``; when tombstones
  exceed :data:`COMPACT_FRACTION` of the stored vectors the graph is rebuilt from the stored
  (exact, float32) vectors.
- ``hnsw_sq8``: same graph with 8-bit scalar-quantised storage (4× smaller vectors) for
  corpora where ``hnsw`` would not fit the memory budget.

A search restricted to a small ``allowed`` id set (filters) is answered exactly by brute force
over the reconstructed vectors: graph search with a very selective filter loses recall.
"""
from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import faiss
import numpy as np

from .base import VectorIndex
from .factory import (  # measured: see factory
    HNSW_EF_CONSTRUCTION,
    HNSW_EF_SEARCH,
    HNSW_M,
)

KINDS = ("flat", "hnsw", "hnsw_sq8")
#: rebuild an HNSW index when this fraction of its stored vectors are tombstones
COMPACT_FRACTION = 0.2
#: filtered searches over at most this many allowed ids are done exactly
EXACT_FILTER_MAX = 20_000


def _new_base(dim: int, kind: str) -> faiss.Index:
    if kind == "flat":
        return faiss.IndexFlatIP(dim)
    if kind == "hnsw":
        base = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
    elif kind == "hnsw_sq8":
        base = faiss.IndexHNSWSQ(dim, faiss.ScalarQuantizer.QT_8bit, HNSW_M,
                                 faiss.METRIC_INNER_PRODUCT)
    else:
        raise ValueError(f"unknown vector index kind {kind!r}; expected one of {KINDS}")
    base.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    base.hnsw.efSearch = HNSW_EF_SEARCH
    return base


def _as_ids(ids) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(list(ids) if not isinstance(ids, np.ndarray) else ids,
                                           dtype=np.int64).reshape(-1))


class FaissVectorIndex(VectorIndex):
    def __init__(self, dim: int, kind: str = "flat", *, _index: faiss.Index | None = None,
                 _tombstones: np.ndarray | None = None) -> None:
        self.dim = int(dim)
        self.kind = kind
        self.ef_search = HNSW_EF_SEARCH
        self._index = _index if _index is not None else faiss.IndexIDMap2(_new_base(self.dim, kind))
        self._tombstones: set[int] = set(int(i) for i in (_tombstones if _tombstones is not None
                                                          else ()))

    # -- state --------------------------------------------------------------------------
    @property
    def ntotal(self) -> int:
        return int(self._index.ntotal) - len(self._tombstones)

    @property
    def stored(self) -> int:
        """Vectors physically stored (live + tombstones)."""
        return int(self._index.ntotal)

    def _all_ids(self) -> np.ndarray:
        return faiss.vector_to_array(self._index.id_map).astype(np.int64)

    def ids(self) -> np.ndarray:
        ids = self._all_ids()
        if self._tombstones:
            ids = ids[~np.isin(ids, np.fromiter(self._tombstones, dtype=np.int64))]
        return ids

    def reconstruct(self, ids) -> np.ndarray:
        ids = _as_ids(ids)
        if len(ids) == 0:
            return np.empty((0, self.dim), dtype=np.float32)
        return self._index.reconstruct_batch(ids)

    def memory_bytes(self) -> int:
        """Serialised size of the index (≈ its resident memory)."""
        return int(faiss.serialize_index(self._index).nbytes)

    # -- updates ------------------------------------------------------------------------
    def add(self, ids, vectors: np.ndarray) -> None:
        ids = _as_ids(ids)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(ids), self.dim)
        if len(ids) == 0:
            return
        revived = [int(i) for i in ids if int(i) in self._tombstones]
        if revived:  # an id may only be stored once: drop the tombstoned copy first
            self._compact()
        if not self._index.is_trained:  # SQ8 learns its value ranges from the first batch
            self._index.train(vectors)
        self._index.add_with_ids(vectors, ids)

    def remove(self, ids: Collection[int]) -> int:
        ids = _as_ids(ids)
        if len(ids) == 0:
            return 0
        if self.kind == "flat":
            return int(self._index.remove_ids(ids))
        present = set(self._all_ids().tolist()) - self._tombstones
        hit = [int(i) for i in ids if int(i) in present]
        self._tombstones.update(hit)
        if self._index.ntotal and len(self._tombstones) > COMPACT_FRACTION * self._index.ntotal:
            self._compact()
        return len(hit)

    def _compact(self) -> None:
        """Rebuild without tombstones (HNSW only)."""
        self.rebuild(self.kind)

    def rebuild(self, kind: str) -> None:
        """Re-create the index as ``kind`` from the live stored vectors."""
        live = self.ids()
        vectors = self.reconstruct(live)
        self.kind = kind
        self._index = faiss.IndexIDMap2(_new_base(self.dim, kind))
        self._tombstones = set()
        if len(live):
            if not self._index.is_trained:
                self._index.train(vectors)
            self._index.add_with_ids(vectors, live)

    # -- search -------------------------------------------------------------------------
    def search(self, queries: np.ndarray, k: int,
               allowed: Collection[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
        queries = np.ascontiguousarray(queries, dtype=np.float32).reshape(-1, self.dim)
        nq = len(queries)
        k = int(k)
        if k <= 0 or self.ntotal == 0:
            return np.empty((nq, 0), np.float32), np.empty((nq, 0), np.int64)
        if allowed is not None:
            allowed_ids = _as_ids(allowed)
            if self._tombstones:
                allowed_ids = allowed_ids[~np.isin(
                    allowed_ids, np.fromiter(self._tombstones, dtype=np.int64))]
            if len(allowed_ids) <= EXACT_FILTER_MAX:
                return self._exact(queries, k, allowed_ids)
            selector = faiss.IDSelectorBatch(allowed_ids)
        elif self._tombstones:
            selector = faiss.IDSelectorNot(faiss.IDSelectorBatch(
                np.fromiter(self._tombstones, dtype=np.int64)))
        else:
            selector = None
        k_eff = min(k, self.ntotal)
        if self.kind == "flat":
            params = faiss.SearchParameters(sel=selector) if selector is not None else None
        else:
            params = faiss.SearchParametersHNSW(efSearch=max(self.ef_search, k_eff))
            if selector is not None:
                params.sel = selector
        scores, ids = self._index.search(queries, k_eff, params=params)
        return scores, ids

    def _exact(self, queries: np.ndarray, k: int, allowed_ids: np.ndarray):
        nq = len(queries)
        if len(allowed_ids) == 0:
            return np.empty((nq, 0), np.float32), np.empty((nq, 0), np.int64)
        present = np.isin(allowed_ids, self._all_ids())
        allowed_ids = np.unique(allowed_ids[present])
        if len(allowed_ids) == 0:
            return np.empty((nq, 0), np.float32), np.empty((nq, 0), np.int64)
        vectors = self.reconstruct(allowed_ids)
        sims = queries @ vectors.T
        k_eff = min(k, len(allowed_ids))
        top = np.argpartition(-sims, k_eff - 1, axis=1)[:, :k_eff]
        top_scores = np.take_along_axis(sims, top, axis=1)
        order = np.argsort(-top_scores, axis=1, kind="stable")
        top = np.take_along_axis(top, order, axis=1)
        return np.take_along_axis(top_scores, order, axis=1), allowed_ids[top]

    # -- persistence --------------------------------------------------------------------
    def save(self, path: Path) -> None:
        path = Path(path)
        faiss.write_index(self._index, str(path))
        np.save(path.with_suffix(".tombstones.npy"),
                np.fromiter(sorted(self._tombstones), dtype=np.int64))

    @classmethod
    def load(cls, path: Path, dim: int, kind: str) -> FaissVectorIndex:
        path = Path(path)
        index = faiss.read_index(str(path))
        if index.d != dim:
            raise ValueError(f"{path}: stored vectors have dimension {index.d}, expected {dim}")
        tomb_path = path.with_suffix(".tombstones.npy")
        tombs = np.load(tomb_path) if tomb_path.exists() else None
        return cls(dim, kind, _index=index, _tombstones=tombs)

"""Interfaces of the search subsystem (txtai-style: one ``base.py``, backends beside it).

- :class:`Embedder` turns queries and passages into L2-normalised float32 vectors.
- :class:`VectorIndex` stores vectors under int64 ids, supports incremental add/remove
  and top-k inner-product search, and persists itself.
- :class:`LexicalIndex` scores token bags (BM25) over the same ids.
- :class:`SearchFilters` is the filter set of ``TaskIndex.search``.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["Embedder", "LexicalIndex", "ModelMismatchError", "SearchFilters", "VectorIndex"]


class ModelMismatchError(ValueError):
    """An index was opened with an embedding model other than the one that built it."""


class Embedder(ABC):
    """A text embedding model. Vectors are float32, shape ``(n, dim)``, L2-normalised."""

    #: spec string that recreates this embedder through ``search.factory.create_embedder``
    name: str
    dim: int

    @abstractmethod
    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed search queries (the model's query prompt applied)."""

    @abstractmethod
    def encode_passages(self, texts: Sequence[str], *, batch_size: int = 64,
                        show_progress: bool | None = None) -> np.ndarray:
        """Embed passages (the model's passage prompt applied), in batches; a progress bar
        is shown when ``show_progress`` is true, or when it is ``None`` and the input is long."""

    def encode_query(self, text: str) -> np.ndarray:
        return self.encode_queries([text])[0]


class VectorIndex(ABC):
    """Vectors under int64 ids with inner-product search."""

    kind: str
    dim: int

    @property
    @abstractmethod
    def ntotal(self) -> int:
        """Number of live vectors."""

    @abstractmethod
    def ids(self) -> np.ndarray:
        """The live ids (int64)."""

    @abstractmethod
    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None: ...

    @abstractmethod
    def remove(self, ids: Collection[int]) -> int:
        """Remove ids; returns how many were present."""

    @abstractmethod
    def search(self, queries: np.ndarray, k: int,
               allowed: Collection[int] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` (scores, ids) per query row; missing slots have id ``-1``.
        ``allowed`` restricts the result to those ids."""

    @abstractmethod
    def save(self, path: Path) -> None: ...


class LexicalIndex(ABC):
    """A bag-of-tokens ranker over int64 ids."""

    @abstractmethod
    def set_documents(self, ids: Sequence[int], token_lists: Sequence[Sequence[str]]) -> None:
        """(Re)build the index over these documents."""

    @abstractmethod
    def search(self, query_tokens: Sequence[str], k: int,
               allowed: Collection[int] | None = None) -> list[tuple[int, float]]:
        """Top-``k`` ``(id, score)`` with score > 0, best first."""


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Restrict a search. Text filters are fold-tolerant (``Kien Giang`` = ``Kiên Giang``).

    ``agency`` is an agency id (``agency:so-ngoai-vu:kien-giang``) or a name/part of a name
    (``Sở Ngoại vụ``); ``role`` (``lead``/``cooperate``) restricts which assignment the agency
    must hold, and alone keeps tasks that have any agency in that role.
    """

    province: str | None = None
    agency: str | None = None
    role: str | None = None
    document_type: str | None = None
    year: int | None = None
    topic: str | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, f) is None for f in self.__slots__)

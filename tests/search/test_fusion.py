from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vbgraph.search.fusion import rrf

ranking = st.lists(st.integers(0, 30), unique=True, max_size=20)


@given(st.lists(ranking, min_size=1, max_size=4), st.floats(1, 200))
def test_rrf_scores_sorted_and_complete(rankings, k):
    fused = rrf(rankings, k=k)
    scores = [s for _, s in fused]
    assert scores == sorted(scores, reverse=True)
    assert {i for i, _ in fused} == set().union(*map(set, rankings))
    for item, score in fused:
        expected = sum(1 / (k + r.index(item) + 1) for r in rankings if item in r)
        assert score == pytest.approx(expected)


@given(ranking, ranking)
def test_rrf_symmetric_in_list_order(a, b):
    assert dict(rrf([a, b])) == pytest.approx(dict(rrf([b, a])))


@given(ranking.filter(lambda r: len(r) >= 2), st.data())
def test_rrf_promoting_an_item_never_lowers_it(a, data):
    other = data.draw(ranking)
    i = data.draw(st.integers(1, len(a) - 1))
    promoted = a[:i - 1] + [a[i]] + [a[i - 1]] + a[i + 1:]
    before = dict(rrf([a, other]))[a[i]]
    after = dict(rrf([promoted, other]))[a[i]]
    assert after > before


@given(st.lists(ranking.filter(bool), min_size=1, max_size=4))
def test_item_first_everywhere_wins(rankings):
    top = rankings[0][0]
    rankings = [[top] + [x for x in r if x != top] for r in rankings]
    assert rrf(rankings)[0][0] == top


def test_rrf_weights_and_validation():
    fused = dict(rrf([["a", "b"], ["b", "a"]], weights=[2.0, 1.0]))
    assert fused["a"] > fused["b"]
    with pytest.raises(ValueError):
        rrf([["a"]], weights=[1.0, 2.0])
    with pytest.raises(ValueError):
        rrf([["a"]], k=0)
    assert rrf([]) == []

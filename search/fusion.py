"""Rank fusion of the vector and lexical result lists.

Reciprocal-rank fusion (Cormack, Clarke & Büttcher 2009): ``score(d) = Σ_i w_i / (k + rank_i(d))``
with 1-based ranks; documents absent from a list get nothing from it. Ties are broken by the
first list's order, then by id, so the output is deterministic.
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence

#: the constant from the RRF paper; tuned value in README (bench/search_eval.py --tune)
RRF_K = 60


def rrf(rankings: Sequence[Sequence[Hashable]], *, k: float = RRF_K,
        weights: Sequence[float] | None = None) -> list[tuple[Hashable, float]]:
    """Fuse ranked lists (best first, no duplicates within a list) into ``[(id, score)]``
    best first."""
    if weights is None:
        weights = [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking")
    if k <= 0:
        raise ValueError("k must be positive")
    scores: dict[Hashable, float] = {}
    first_seen: dict[Hashable, tuple[int, int]] = {}
    for li, (ranking, weight) in enumerate(zip(rankings, weights)):
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + weight / (k + rank)
            first_seen.setdefault(item, (li, rank))
    return sorted(scores.items(), key=lambda kv: (-kv[1], first_seen[kv[0]], str(kv[0])))

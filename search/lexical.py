"""Lexical side: BM25 (``bm25s``) over folded Vietnamese syllables (+ syllable bigrams).

Tokens are syllables of ``fold(canonical_tones(text))``: lower case, no diacritics, so
``bao ho cong dan`` = ``bảo hộ công dân`` and ``hoà`` = ``hòa``. Vietnamese words are mostly
two syllables (``công dân``, ``đối ngoại``): adjacent syllable pairs are added as bigram tokens
(``cong_dan``) so phrase matches outrank scattered syllables — measured in
``bench/search_eval.py --lexical-variants`` (README).

Abbreviations (``PCPNN`` ↔ ``phi chính phủ nước ngoài``, ``KTXH``, ``NVNONN`` …) are handled
by query expansion in both directions: an abbreviation in the query adds its expansions'
tokens, an expansion phrase in the query adds the abbreviation's token.
"""
from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from functools import lru_cache

import numpy as np

from ..ingest.text import canonical_tones, fold
from .base import LexicalIndex

_TOKEN = re.compile(r"\w+", re.UNICODE)
BIGRAM_JOIN = "_"


def syllables(text: str) -> list[str]:
    """Folded syllables (and numbers) of ``text``; underscores never occur in tokens."""
    return [t for t in _TOKEN.findall(fold(canonical_tones(text)).replace("_", " ")) if t]


def tokenize(text: str, *, bigrams: bool = True) -> list[str]:
    """BM25 tokens: syllables, plus adjacent-syllable bigrams when ``bigrams``."""
    syl = syllables(text)
    if not bigrams:
        return syl
    return syl + [a + BIGRAM_JOIN + b for a, b in zip(syl, syl[1:])]


@lru_cache(maxsize=1)
def load_abbreviation_table() -> Mapping[str, tuple[str, ...]]:
    """``{abbreviation: expansions}``: the ingest package's table (``ingest/data/abbreviations.json``)."""
    from ..ingest.abbreviations import load_abbreviations

    return dict(load_abbreviations())


@lru_cache(maxsize=1)
def _folded_abbreviations() -> tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]:
    out = []
    for abbr, expansions in load_abbreviation_table().items():
        key = "".join(syllables(abbr))
        if not key:
            continue
        out.append((key, tuple(tuple(syllables(e)) for e in expansions if syllables(e))))
    return tuple(out)


def _contains(seq: Sequence[str], sub: Sequence[str]) -> bool:
    n = len(sub)
    return n > 0 and any(list(seq[i:i + n]) == list(sub) for i in range(len(seq) - n + 1))


def expand_query(query: str, *, bigrams: bool = True,
                 table: Mapping[str, tuple[str, ...]] | None = None) -> list[str]:
    """Query tokens with abbreviation expansions added (each token once)."""
    syl = syllables(query)
    entries = _folded_abbreviations() if table is None else tuple(
        ("".join(syllables(a)), tuple(tuple(syllables(e)) for e in exps))
        for a, exps in table.items())
    extra: list[list[str]] = []
    # abbreviations written with separators (KT-XH, KT - XH) fold to several syllables
    joined = {"".join(syl[i:j]) for i in range(len(syl)) for j in range(i + 1, min(i + 4, len(syl)) + 1)}
    for key, expansions in entries:
        if key in joined:
            extra.extend(list(e) for e in expansions)
        elif any(_contains(syl, e) for e in expansions):
            extra.append([key])
    tokens = tokenize(query, bigrams=bigrams)
    for phrase in extra:
        tokens.extend(phrase)
        if bigrams:
            tokens.extend(a + BIGRAM_JOIN + b for a, b in zip(phrase, phrase[1:]))
    return list(dict.fromkeys(tokens))


def document_tokens(text: str, *, bigrams: bool = True) -> list[str]:
    """Tokens indexed for a task: the text's tokens, plus the joined form of abbreviations
    written with separators (``KT-XH`` → ``ktxh``) so they match the bare abbreviation."""
    tokens = tokenize(text, bigrams=bigrams)
    syl = syllables(text)
    keys = {key for key, _ in _folded_abbreviations()}
    for n in (2, 3, 4):
        for i in range(len(syl) - n + 1):
            joined = "".join(syl[i:i + n])
            if joined in keys and all(len(s) <= 3 for s in syl[i:i + n]):
                tokens.append(joined)
    return tokens


class BM25Lexical(LexicalIndex):
    """``bm25s`` BM25 (Lucene variant). bm25s has no incremental update: the caller rebuilds
    (``set_documents``) lazily before the first search after a change — cheap next to
    embedding (measured in bench/bench_search.py)."""

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self._ids = np.empty(0, dtype=np.int64)
        self._row_of: dict[int, int] = {}
        self._bm25 = None

    def set_documents(self, ids: Sequence[int], token_lists: Sequence[Sequence[str]]) -> None:
        import bm25s

        self._ids = np.asarray(list(ids), dtype=np.int64)
        self._row_of = {int(i): r for r, i in enumerate(self._ids)}
        if len(self._ids) == 0:
            self._bm25 = None
            return
        bm25 = bm25s.BM25(k1=self.k1, b=self.b)
        bm25.index([list(t) if t else [""] for t in token_lists], show_progress=False)
        self._bm25 = bm25

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        if self._bm25 is None:
            return np.zeros(0, dtype=np.float32)
        ids = self._bm25.get_tokens_ids([t for t in query_tokens if t])
        if not ids:
            return np.zeros(len(self._ids), dtype=np.float32)
        return np.asarray(self._bm25.get_scores_from_ids(ids), dtype=np.float32)

    def search(self, query_tokens: Sequence[str], k: int,
               allowed: Collection[int] | None = None) -> list[tuple[int, float]]:
        scores = self.scores(query_tokens)
        if len(scores) == 0 or k <= 0:
            return []
        if allowed is not None:
            mask = np.zeros(len(scores), dtype=bool)
            rows = [self._row_of[int(i)] for i in allowed if int(i) in self._row_of]
            mask[rows] = True
            scores = np.where(mask, scores, 0.0)
        positive = np.flatnonzero(scores > 0)
        if len(positive) == 0:
            return []
        k = min(k, len(positive))
        top = positive[np.argpartition(-scores[positive], k - 1)[:k]]
        top = top[np.lexsort((self._ids[top], -scores[top]))]
        return [(int(self._ids[r]), float(scores[r])) for r in top]

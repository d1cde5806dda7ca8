"""Restore diacritics of a query typed without them, from the indexed corpus' own words.

The multilingual embedder sees ``bao ho cong dan`` as unrelated to ``bảo hộ công dân`` (nDCG@10
of vector search on diacritic-free queries 0.16 vs 0.85 with diacritics on the judged set),
so before embedding, a diacritic-free Vietnamese query is rewritten with the most frequent
accented form of its syllable n-grams (longest match first, up to trigrams) seen in the
indexed task texts. BM25 needs no such step: it matches folded tokens.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from ..ingest.text import canonical_tones, fold

MAX_N = 3
#: restore only when at least this share of the query's words are known Vietnamese syllables
#: (keeps English queries untouched)
MIN_KNOWN_SHARE = 0.7
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def has_diacritics(text: str) -> bool:
    return fold(text) != text.lower()


class DiacriticRestorer:
    def __init__(self, texts: Iterable[str] = ()) -> None:
        self._forms: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
        for text in texts:
            self.add(text)

    def add(self, text: str) -> None:
        words = [w.lower() for w in _WORD.findall(canonical_tones(text))]
        keys = [fold(w) for w in words]
        for n in range(1, MAX_N + 1):
            for i in range(len(words) - n + 1):
                self._forms[tuple(keys[i:i + n])][" ".join(words[i:i + n])] += 1

    def known_share(self, query: str) -> float:
        words = _WORD.findall(query)
        if not words:
            return 0.0
        return sum(1 for w in words if (fold(w),) in self._forms) / len(words)

    def restore(self, query: str) -> str:
        """``query`` with diacritics put back, or unchanged when it has diacritics already or
        does not look Vietnamese."""
        if has_diacritics(query) or self.known_share(query) < MIN_KNOWN_SHARE:
            return query
        matches = list(_WORD.finditer(query))
        keys = [fold(m.group(0)) for m in matches]
        out, last, i = [], 0, 0
        while i < len(matches):
            for n in range(min(MAX_N, len(matches) - i), 0, -1):
                # only join words separated by plain spaces
                gap_ok = all(query[matches[j].end():matches[j + 1].start()].isspace()
                             for j in range(i, i + n - 1))
                forms = self._forms.get(tuple(keys[i:i + n])) if gap_ok else None
                if forms:
                    best = forms.most_common(1)[0][0]
                    out.append(query[last:matches[i].start()])
                    out.append(_match_case(query[matches[i].start():matches[i + n - 1].end()],
                                           best))
                    last = matches[i + n - 1].end()
                    i += n
                    break
            else:
                i += 1
        out.append(query[last:])
        return "".join(out)


def _match_case(original: str, form: str) -> str:
    """Copy the capitalisation of ``original`` word by word onto ``form``."""
    words, forms = original.split(), form.split()
    if len(words) != len(forms):
        return form
    return " ".join(f.capitalize() if w[:1].isupper() else f for w, f in zip(words, forms))

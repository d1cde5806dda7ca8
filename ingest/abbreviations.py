"""Abbreviations of Vietnamese administrative writing (``ingest/data/abbreviations.json``).

:func:`expand_abbreviations` is for lexical search: every abbreviation in the text is kept and
followed by its expansion in brackets (``PCPNN`` → ``PCPNN (phi chính phủ nước ngoài)``), so a
query written either way finds the passage. An abbreviation already spelled out just before it
(``phi chính phủ nước ngoài (PCPNN)``) and abbreviations inside document numbers
(``64/KH-UBND``) are left alone. Matching ignores diacritics and case (``hdnd`` = ``HĐND``)
except for the keys listed as case-sensitive (``NGO`` is not ``ngô``).
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from .text import fold, nfc

__all__ = ["expand_abbreviations", "load_abbreviations"]

_FILE = Path(__file__).parent / "data" / "abbreviations.json"


@lru_cache(maxsize=1)
def _raw() -> dict:
    return json.loads(_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def load_abbreviations() -> Mapping[str, tuple[str, ...]]:
    """``"PCPNN"`` → ``("phi chính phủ nước ngoài",)`` …, keys as written in documents."""
    return MappingProxyType({nfc(k): tuple(map(nfc, v)) for k, v in _raw()["abbreviations"].items()})


@lru_cache(maxsize=1)
def _index() -> tuple[re.Pattern[str], dict[str, tuple[str, tuple[str, ...]]]]:
    by_fold: dict[str, tuple[str, tuple[str, ...]]] = {}
    for key, exp in load_abbreviations().items():
        by_fold.setdefault(fold(key), (key, exp))
    alts = sorted(by_fold, key=len, reverse=True)
    rx = re.compile(r"(?<![\w])(?:" + "|".join(re.escape(a) for a in alts) + r")(?![\w])")
    return rx, by_fold


def _in_code(text: str, start: int, end: int) -> bool:
    if start > 1 and text[start - 1] in "/-" and text[start - 2].isalnum():
        return True
    return end + 1 < len(text) and text[end] in "/-" and text[end + 1].isalnum()


def expand_abbreviations(text: str) -> str:
    """``text`` (NFC) with each abbreviation followed by ``" (expansion; …)"``."""
    text = nfc(text)
    folded = fold(text)
    rx, by_fold = _index()
    sensitive = {nfc(k) for k in _raw()["case_sensitive"]}
    out: list[str] = []
    last = 0
    for m in rx.finditer(folded):
        key, expansions = by_fold[m.group(0)]
        written = text[m.start():m.end()]
        if key in sensitive and written != key:
            continue
        if _in_code(text, m.start(), m.end()):
            continue
        window = folded[max(0, m.start() - 120):m.start()]
        if any(" ".join(fold(e).split()) in " ".join(window.split()) for e in expansions):
            continue
        out.append(text[last:m.end()])
        out.append(" (" + "; ".join(expansions) + ")")
        last = m.end()
    out.append(text[last:])
    return "".join(out)

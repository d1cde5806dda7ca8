"""Dates as Vietnamese documents write them, to ISO ``YYYY-MM-DD``.

``ngày 21/01/2015``, ``ngày 10 tháng 4 năm 2013``, ``21/01/2015``, ``21-01-2015``,
``21.01.2015``, ``ngày 06/7/2011``; spaces and line breaks may sit anywhere between the parts.
Patterns run on folded text (``tháng`` → ``thang``), so unaccented input works too.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from ..text import fold, nfc

__all__ = ["DATE_RE", "FoundDate", "find_dates", "match_date_at", "parse_date", "to_iso"]

_W = r"\s{1,4}"
_O = r"\s{0,4}"
_NUMERIC = (rf"(?P<d1>\d{{1,2}}){_O}(?P<s1>[/.\-]){_O}(?P<m1>\d{{1,2}}){_O}(?P=s1){_O}"
            rf"(?P<y1>\d{{4}})")
_WORDS = (rf"(?P<d2>\d{{1,2}}){_W}thang{_W}(?P<m2>\d{{1,2}}){_W}nam{_W}(?P<y2>\d{{4}})")
#: one date (folded text); an optional leading ``ngày`` is part of the match
DATE_RE = re.compile(rf"(?<![\w/.\-])(?:ngay{_W})?(?:{_NUMERIC}|{_WORDS})(?![\d/\-]\d)")


@dataclass(frozen=True, slots=True)
class FoundDate:
    iso: str
    start: int
    end: int


@lru_cache(maxsize=4096)
def to_iso(day: int, month: int, year: int) -> str | None:
    """``YYYY-MM-DD``, or ``None`` for no such day (pure; the same dates recur: remembered)."""
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _iso(m: re.Match[str]) -> str | None:
    if m.group("d1") is not None:
        return to_iso(int(m.group("d1")), int(m.group("m1")), int(m.group("y1")))
    return to_iso(int(m.group("d2")), int(m.group("m2")), int(m.group("y2")))


def match_date_at(folded: str, pos: int) -> FoundDate | None:
    """The valid date starting exactly at ``pos`` of folded text, if any."""
    m = DATE_RE.match(folded, pos)
    if m is None:
        return None
    iso = _iso(m)
    return FoundDate(iso, m.start(), m.end()) if iso else None


def find_dates(text: str) -> list[FoundDate]:
    """Every valid date in ``text`` (spans into ``nfc(text)``)."""
    folded = fold(nfc(text))
    out = []
    for m in DATE_RE.finditer(folded):
        iso = _iso(m)
        if iso:
            out.append(FoundDate(iso, m.start(), m.end()))
    return out


def parse_date(text: str) -> str | None:
    """ISO form of a string that is one date (``ngày 10 tháng 4 năm 2013`` → ``2013-04-10``)."""
    folded = fold(nfc(text)).strip()
    m = DATE_RE.fullmatch(folded)
    return _iso(m) if m else None

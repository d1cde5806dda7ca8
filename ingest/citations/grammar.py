"""Vietnamese document-number grammar (số, ký hiệu).

Shapes (Nghị định 30/2020/NĐ-CP Phụ lục I–III; Hướng dẫn 36-HD/VPTW):

- state, normative: ``N/YYYY/TYPE-ISSUER``      ``12/2012/NĐ-CP``, ``02/2009/TTLT-BNG-BNV``
- state, National Assembly: ``N/YYYY/QHnn``      ``16/2021/QH15``
- state, administrative: ``N/TYPE-ISSUER``       ``31/NQ-CP``, ``64/KH-UBND``, ``15/CT-TTg``
- state, công văn: ``N/ISSUER-UNIT``             ``8791/VPCP-QHQT``, ``1431/UBND-NV``
- Party: ``N-TYPE/ISSUER``                       ``272-QĐ/TW``, ``885-CV/TU``, ``02-HD/BĐNTW``

Patterns run on :func:`~vbgraph.ingest.text.fold` of the NFC text (1:1 offsets), so
lower case, missing diacritics (``QD``, ``ND``) and ``Đ``/``D`` confusions match; spaces and
one line break are allowed around ``-`` and ``/``. Classification then looks the codes up in
the tables, preferring the exact NFC spelling. Every quantifier is bounded and no two
adjacent sub-patterns can match the same characters, so matching is linear in the input.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..gazetteer import WordStartRegex
from ..text import fold, nfc
from .tables import DocType, slug, tables

__all__ = ["SYMBOL_RE", "Symbol", "normalise_number", "parse_symbol", "parse_symbol_match"]

#: spaces/tabs with at most one line break: what may sit around ``-`` and ``/``
SEP = r"[^\S\r\n]{0,3}(?:\r?\n[^\S\r\n]{0,3})?"
NUM = r"\d{1,6}"
CODE = r"[a-z][a-z0-9&]{0,14}"

_PARTY = (rf"(?P<pnum>{NUM}){SEP}-{SEP}(?P<ptype>{CODE}){SEP}/{SEP}"
          rf"(?P<piss>{CODE}(?:-{CODE}){{0,2}})")
_STATE = (rf"(?P<snum>{NUM}){SEP}/{SEP}(?:(?P<syear>(?:19|20)\d\d){SEP}/{SEP})?"
          rf"(?P<scodes>{CODE}(?:{SEP}-{SEP}{CODE}){{0,4}})")
#: one document symbol, on folded text
SYMBOL_RE = re.compile(rf"(?<![\w/.\-])(?:{_PARTY}|{_STATE})(?![a-z0-9&])")
#: the same matches, scanned fast (for ``finditer`` over whole documents)
SYMBOL_SCAN = WordStartRegex(rf"(?:{_PARTY}|{_STATE})(?![a-z0-9&])", r"\w/.\-", first="0-9")
_CODE_SPLIT = re.compile(r"\s*-\s*")
# National Assembly / its Standing Committee with the term number: QH15, UBTVQH14
_QH = re.compile(r"^(ubtvqh|qh)(\d{1,2})$")


@dataclass(frozen=True, slots=True)
class Symbol:
    """A parsed document number."""

    number: str                     # canonical, NFC, no spaces: "272-QĐ/TW"
    digits: str                     # "272" as written (leading zeros kept)
    system: str                     # "party" | "state"
    type: DocType | None            # from the symbol's type abbreviation, if any
    issuer: str                     # canonical issuer part: "TW", "BNG-BNV", "VPCP-QHQT"
    issuer_head: str                # first issuer code: "TW", "BNG", "VPCP"
    year: int | None                # from N/YYYY/… only
    start: int
    end: int

    @property
    def issuer_slug(self) -> str:
        return slug(self.issuer)


def normalise_number(digits: str) -> str:
    """Number as it appears in canonical ids: no leading zeros, padded to two digits
    (``4`` and ``04`` are the same Chỉ thị; ``272`` stays ``272``)."""
    return f"{int(digits):02d}" if digits.isdigit() else digits


@lru_cache(maxsize=4096)
def _canon_code(original: str) -> tuple[str, bool]:
    """Canonical spelling of one code and whether the tables know it (pure, and the same
    few codes recur in every document: remembered)."""
    t = tables()
    key = fold(original)
    iss = t.issuer(original)
    if iss is not None:
        return iss.code, True
    m = _QH.match(key)
    if m:
        return ("UBTVQH" if m.group(1) == "ubtvqh" else "QH") + m.group(2), True
    types = t.types_by_abbr.get(key)
    if types:
        exact = [ty for ty in types if ty.abbr == nfc(original)]
        return (exact or list(types))[0].abbr or original.upper(), True
    if key in t.units:
        return nfc(original).upper(), True
    return nfc(original).upper(), False


def _looks_written_as_code(original: str) -> bool:
    """All letters upper case (a symbol code as printed), e.g. ``TTĐN&HTQT``."""
    letters = [c for c in original if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _accept_code(original: str) -> bool:
    return _canon_code(original)[1] or _looks_written_as_code(original)


#: :func:`parse_symbol_match` results by what they depend on, with offsets relative to the
#: match start (the same numbers recur within and across documents)
_PARSED: dict[tuple, Symbol | None] = {}
_PARSED_LIMIT = 8192


def parse_symbol_match(m: re.Match[str], text: str, prefer_type: str | None = None) -> Symbol | None:
    """Classify one :data:`SYMBOL_RE` match (found on ``fold(text)``) against ``text``.

    Returns ``None`` when the codes are neither known abbreviations nor printed in capitals
    (``3/ha`` is not a document number). Trailing ``-CODE`` parts that fail the test are cut
    off (``272-QĐ/TW - nghị …``).

    Remembered: the result depends only on the pattern, the matched text (as written and
    folded) and ``prefer_type``. Given its span, a match's groups are a function of the
    matched characters (every path ending at the same place sees the same look-around), and
    the classification reads nothing outside the match but the tables."""
    start, end = m.span()
    key = (m.re, text[start:end], m.group(), prefer_type)
    try:
        rel = _PARSED[key]
    except KeyError:
        sym = _parse_symbol_match(m, text, prefer_type)
        if len(_PARSED) >= _PARSED_LIMIT:
            _PARSED.clear()
        rel = _PARSED[key] = None if sym is None else Symbol(
            sym.number, sym.digits, sym.system, sym.type, sym.issuer, sym.issuer_head,
            sym.year, sym.start - start, sym.end - start)
        return sym
    if rel is None:
        return None
    return Symbol(rel.number, rel.digits, rel.system, rel.type, rel.issuer, rel.issuer_head,
                  rel.year, rel.start + start, rel.end + start)


def _parse_symbol_match(m: re.Match[str], text: str, prefer_type: str | None) -> Symbol | None:
    """:func:`parse_symbol_match` itself (not remembered)."""
    t = tables()
    if m.group("pnum") is not None:
        raw_type = text[m.start("ptype"):m.end("ptype")]
        dtype = t.doc_type(raw_type, "party", prefer_type)
        if dtype is None and not _looks_written_as_code(raw_type):
            return None
        iss_parts = _CODE_SPLIT.split(text[m.start("piss"):m.end("piss")])
        if not _accept_code(iss_parts[0]):
            return None
        kept: list[str] = [iss_parts[0]]
        for part in iss_parts[1:]:
            if not _accept_code(part):
                break
            kept.append(part)
        issuer = "-".join(_canon_code(p)[0] for p in kept)
        digits = text[m.start("pnum"):m.end("pnum")]
        abbr = dtype.abbr if dtype is not None and dtype.abbr else nfc(raw_type).upper()
        number = f"{digits}-{abbr}/{issuer}"
        end = m.start("piss") + _span_len(text[m.start("piss"):m.end("piss")], len(kept))
        return Symbol(number=number, digits=digits, system="party", type=dtype, issuer=issuer,
                      issuer_head=_canon_code(kept[0])[0], year=None, start=m.start(), end=end)

    digits = text[m.start("snum"):m.end("snum")]
    year = int(m.group("syear")) if m.group("syear") else None
    raw_codes_text = text[m.start("scodes"):m.end("scodes")]
    parts = _CODE_SPLIT.split(raw_codes_text)
    kept = []
    for i, part in enumerate(parts):
        if not _accept_code(part):
            if i == 0:
                return None
            break
        kept.append(part)
    end = m.start("scodes") + _span_len(raw_codes_text, len(kept))
    first = kept[0]
    dtype = None
    if len(kept) >= 2:
        dtype = t.doc_type(first, "state", prefer_type)
        if dtype is not None and "state" not in dtype.systems:
            dtype = None
    if dtype is not None:
        issuer_parts = kept[1:]
    else:
        issuer_parts = kept
        if year is not None and not _QH.match(fold(first)) and t.issuer(first) is None:
            # N/YYYY/XX with an unknown first code and no type: not a symbol we understand
            if not _looks_written_as_code(first):
                return None
    issuer = "-".join(_canon_code(p)[0] for p in issuer_parts)
    head = _canon_code(issuer_parts[0])[0]
    middle = f"{year}/" if year is not None else ""
    type_part = f"{dtype.abbr}-" if dtype is not None else ""
    number = f"{digits}/{middle}{type_part}{issuer}"
    return Symbol(number=number, digits=digits, system="state", type=dtype, issuer=issuer,
                  issuer_head=head, year=year, start=m.start(), end=end)


def _span_len(codes_text: str, n_parts: int) -> int:
    """Length of the prefix of ``codes_text`` holding its first ``n_parts`` dash-separated codes."""
    if n_parts <= 0:
        return 0
    seps = list(_CODE_SPLIT.finditer(codes_text))
    if n_parts > len(seps):
        return len(codes_text)
    return seps[n_parts - 1].start()


def parse_symbol(text: str) -> Symbol | None:
    """Parse a string that *is* one document number (surrounding spaces allowed)."""
    text = nfc(text).strip()
    m = SYMBOL_RE.fullmatch(fold(text))
    if m is None:
        return None
    sym = parse_symbol_match(m, text)
    if sym is None or sym.end != len(text):
        return None
    return sym

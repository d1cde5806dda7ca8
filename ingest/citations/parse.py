"""Parse what a user types to name a document (the ``cites`` command): ``parse_reference``.

Accepted: a full number (``272-QĐ/TW``, ``12/2012/NĐ-CP``), a leading word or type
abbreviation with a number (``Quyết định 272``, ``quyet dinh 272-QD/TW``, ``QĐ 272/TW``,
``NĐ 12/2012``, ``Chỉ thị 38``, ``chi thi 04``, ``CT 38-CT/TW``), or a title
(``Luật Tổ chức chính quyền địa phương``, ``Nghị quyết Đại hội XIII``).
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from ..text import fold, match_key, nfc
from .canonical import TITLE_PREFIX, congress_title_key, parse_document_id, title_id
from .grammar import normalise_number, parse_symbol
from .tables import slug, tables

__all__ = ["ReferenceQuery", "candidate_key", "parse_reference"]

_NUMBER_TAIL = re.compile(
    r"^(?P<num>\d{1,6})(?:\s*/\s*(?P<year>(?:19|20)\d\d))?(?:\s*[/-]\s*(?P<code>[a-z][a-z0-9&]{0,14}))?$")
_TITLE_TYPES = frozenset({"luat", "cl", "hp"})


@dataclass(frozen=True, slots=True)
class ReferenceQuery:
    """The constraints a user reference states; ``None`` means unconstrained."""

    text: str
    type_code: str | None = None      # "qd"
    number: str | None = None         # "272" (normalised like canonical ids)
    year: int | None = None
    issuer_code: str | None = None    # issuer slug prefix: "tw", "cp"
    title_key: str | None = None      # slug of a title-only reference

    def matches(self, candidate: Any) -> bool:
        """Whether a cited-document record (mapping or object with ``id``, and optionally
        ``number``/``type``/``year``/``issuer``/``title``) satisfies every constraint."""
        get = candidate.get if isinstance(candidate, Mapping) else (
            lambda k, d=None: getattr(candidate, k, d))
        doc_id = get("id") or ""
        if self.title_key is not None:
            if doc_id == TITLE_PREFIX + self.title_key:
                return True
            if doc_id.startswith(TITLE_PREFIX) and doc_id[len(TITLE_PREFIX):].startswith(
                    self.title_key + "-"):
                return True
            title = get("title")
            return bool(title) and title_id(cast(str, title))[len(TITLE_PREFIX):] == self.title_key
        return self.matches_key(candidate_key(candidate))

    def matches_key(self, key: tuple[Any, ...] | None) -> bool:
        """Whether a parsed :func:`candidate_key` satisfies this numbered reference's
        constraints (title references are decided by :meth:`matches` alone)."""
        if key is None:
            return False
        c_type, c_num, c_issuer, c_year = key
        if self.type_code is not None and c_type != self.type_code:
            return False
        if self.number is not None and c_num != self.number:
            return False
        if self.year is not None and c_year is not None and c_year != self.year:
            return False
        if self.issuer_code is not None and c_issuer is not None:
            return c_issuer == self.issuer_code or c_issuer.startswith(self.issuer_code + "-")
        return True


def candidate_key(candidate: Any) -> tuple[Any, ...] | None:
    """``(type code, number, issuer slug, year)`` a cited-document row (a mapping or an object
    with ``id``/``number``/``type``/``year``) stands for: its canonical id and its ``number``
    parsed, ``year`` and ``type`` filled in; ``None`` when neither the id nor the number parses.
    Pure: a store may keep it per document and match with :meth:`ReferenceQuery.matches_key`."""
    get = candidate.get if isinstance(candidate, Mapping) else (
        lambda k, d=None: getattr(candidate, k, d))
    number = get("number")
    parsed = parse_document_id(get("id") or "")
    sym = parse_symbol(number) if number else None
    if parsed is None and sym is None:
        return None
    c_type, c_num, c_issuer, c_year = parsed if parsed else (None, None, None, None)
    if sym is not None:
        c_type = sym.type.code if sym.type is not None else c_type
        c_num = normalise_number(sym.digits)
        c_issuer = c_issuer or sym.issuer_slug
        c_year = c_year or sym.year
    year = get("year")
    if isinstance(year, int):
        c_year = year
    if c_type is None and get("type"):
        lead = tables().leading.get(match_key(cast(str, get("type"))))
        c_type = lead.code if lead else None
    return (c_type, c_num, c_issuer, c_year)


def _leading(folded: str) -> tuple[str | None, str]:
    """Split a leading type word or abbreviation off the query: (type code, rest)."""
    t = tables()
    for name in sorted(t.leading, key=len, reverse=True):
        if folded == name or folded.startswith(name + " "):
            return t.leading[name].code, folded[len(name):].strip()
    head, _, rest = folded.partition(" ")
    if rest and head in t.types_by_abbr:
        dtype = t.doc_type(head)
        if dtype is not None:
            return dtype.code, rest.strip()
    return None, folded


def parse_reference(query: str) -> ReferenceQuery:
    """Parse a user's reference; raises ``ValueError`` naming what was not understood."""
    text = nfc(query).strip()
    if not text:
        raise ValueError("empty document reference")
    if len(text) > 300:
        raise ValueError(f"document reference too long ({len(text)} characters, at most 300)")
    folded = " ".join(fold(text).split())
    sym = parse_symbol(text)
    if sym is not None:
        return _from_symbol(text, sym, None)
    type_code, rest = _leading(folded)
    rest = re.sub(r"^so\s*:?\s*", "", rest) if type_code else rest
    if type_code is not None and rest:
        # the rest as a full symbol, on the original spelling (case/diacritics for tie-breaks)
        tail = _original_tail(text, rest)
        sym = parse_symbol(tail) if tail else None
        if sym is not None:
            if sym.type is None and tables().issuer(sym.issuer_head) is None and not \
                    sym.issuer_head.startswith(("QH", "UBTVQH")):
                raise ValueError(f"unknown issuer code {sym.issuer_head!r} in document "
                                 f"reference {query!r}")
            return _from_symbol(text, sym, type_code)
        m = _NUMBER_TAIL.match(rest)
        if m is not None:
            issuer = None
            code = m.group("code")
            if code is not None:
                if tables().issuer(code) is None and not re.fullmatch(r"(?:ubtv)?qh\d{1,2}", code):
                    raise ValueError(f"unknown issuer code {code!r} in document reference {query!r}")
                issuer = slug(code)
            return ReferenceQuery(text=text, type_code=type_code,
                                  number=normalise_number(m.group("num")),
                                  year=int(m.group("year")) if m.group("year") else None,
                                  issuer_code=issuer)
    congress = congress_title_key(text)
    if congress is not None:
        return ReferenceQuery(text=text, type_code="nq", title_key=congress)
    if type_code in _TITLE_TYPES and rest and re.search(r"[a-z]", rest) and not re.search(r"\d", rest):
        return ReferenceQuery(text=text, type_code=type_code,
                              title_key=title_id(text)[len(TITLE_PREFIX):])
    raise ValueError(
        f"cannot read {query!r} as a document reference: expected a number such as "
        "'272-QĐ/TW' or '12/2012/NĐ-CP', a type and number such as 'Quyết định 272' or "
        "'NĐ 12/2012', or a title such as 'Luật Tổ chức chính quyền địa phương'")


def _original_tail(text: str, folded_rest: str) -> str | None:
    """The part of ``text`` whose folded, space-collapsed form is ``folded_rest``."""
    folded = fold(text)
    for i in range(len(text)):
        if " ".join(folded[i:].split()) == folded_rest:
            return text[i:]
    return None


def _from_symbol(text: str, sym, lead_code: str | None) -> ReferenceQuery:
    if sym.type is not None:
        type_code = sym.type.code
    elif lead_code is not None:
        type_code = lead_code
    else:
        type_code = "cv" if not sym.issuer_head.startswith(("QH", "UBTVQH")) else None
    return ReferenceQuery(text=text, type_code=type_code, number=normalise_number(sym.digits),
                          year=sym.year, issuer_code=sym.issuer_slug)

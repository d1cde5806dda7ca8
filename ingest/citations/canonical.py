"""Canonical ids of cited (and ingested) documents.

``doc:<typecode>-<number>-<issuercode>[-<province>]-<year>``, ASCII slug:

- ``272-QĐ/TW`` of 21/01/2015 → ``doc:qd-272-tw-2015``; ``12/2012/NĐ-CP`` → ``doc:nd-12-cp-2012``.
- Party numbers restart with each committee term, so the key is (type, number, issuer, year);
  a reference whose year cannot be pinned keeps a *yearless* id (``doc:ct-04-tw``).
- Provincial issuers (UBND, HĐND, Tỉnh ủy, Sở …) number per province: the province slug
  follows the issuer when known (``doc:kh-64-ubnd-kien-giang-2019``).
- Symbols without a type abbreviation (công văn ``8791/VPCP-QHQT``) use ``cv``; numbers lose
  leading zeros but keep two digits (``4``/``04`` → ``04``).
- Title-only references (no number): ``doc:title:<slug of the folded title>``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import fold, match_key, nfc
from .grammar import normalise_number, parse_symbol
from .tables import slug, tables

__all__ = [
    "DocumentKey",
    "congress_title_key",
    "document_id",
    "parse_document_id",
    "province_in",
    "title_id",
    "yearless_id",
]

PREFIX = "doc:"
TITLE_PREFIX = "doc:title:"


@dataclass(frozen=True, slots=True)
class DocumentKey:
    """What identifies a cited document; ``id`` renders it."""

    type_code: str | None = None      # "qd"
    number: str | None = None         # "272" (normalised, see ``normalise_number``)
    issuer: str | None = None         # issuer slug "tw", "vpcp-qhqt"
    province: str | None = None       # province slug "kien-giang" (provincial issuers only)
    year: int | None = None
    title_key: str | None = None      # slug, for title-only references

    @property
    def id(self) -> str:
        if self.title_key is not None:
            return TITLE_PREFIX + self.title_key
        parts = [self.type_code or "vb", self.number or "0"]
        if self.issuer:
            parts.append(self.issuer)
            if self.province:
                parts.append(self.province)
        if self.year is not None:
            parts.append(str(self.year))
        return PREFIX + "-".join(parts)

    @property
    def yearless_id(self) -> str:
        return DocumentKey(self.type_code, self.number, self.issuer, self.province, None,
                           self.title_key).id

    @property
    def complete(self) -> bool:
        """Has everything a full reference gives: a title key, or number+issuer+year."""
        return self.title_key is not None or (
            self.number is not None and self.issuer is not None and self.year is not None)


def province_in(text: str | None) -> str | None:
    """The province a phrase names (``Ủy ban nhân dân tỉnh Kiên Giang`` → ``Kiên Giang``)."""
    if not text:
        return None
    key = match_key(text)
    best: tuple[int, str] | None = None
    for pkey, name in tables().provinces.items():
        for m in re.finditer(rf"(?<![a-z]){re.escape(pkey)}(?![a-z])", key):
            cand = (len(pkey), name)
            if best is None or cand > best:
                best = cand
            break
    return best[1] if best else None


def document_id(number: str | None, type: str | None = None, issuer: str | None = None,
                year: int | str | None = None, *, province: str | None = None,
                title: str | None = None) -> str:
    """Canonical id of a document from its header fields (the same scheme as citations).

    ``number``: the symbol as printed (``64/KH-UBND``); ``type``: a type name or
    abbreviation (``Kế hoạch``, used when the symbol has no type); ``issuer``: the issuing
    body as written (``Ủy ban nhân dân tỉnh Kiên Giang``; its province is used when
    ``province`` is not given); ``year``: int or ISO date. A document without a usable
    number gets a title id when ``title`` is given.
    """
    if isinstance(year, str):
        year = int(year[:4]) if year[:4].isdigit() else None
    sym = parse_symbol(number) if number else None
    t = tables()
    type_code = None
    if type:
        lead = t.leading.get(match_key(type))
        abbr = t.doc_type(type)
        type_code = lead.code if lead else (abbr.code if abbr else slug(type))
    if sym is None:
        if title:
            return title_id(title)
        digits = re.search(r"\d+", number or "")
        key = DocumentKey(type_code, normalise_number(digits.group(0)) if digits else None,
                          slug(issuer) if issuer else None, None, year)
        return key.id
    if sym.type is not None:
        type_code = sym.type.code
    elif type_code is None:
        type_code = "cv"
    prov = province or province_in(issuer)
    iss = t.issuer(sym.issuer_head)
    prov_slug = slug(prov) if (prov and iss is not None and iss.provincial) else None
    return DocumentKey(type_code, normalise_number(sym.digits), sym.issuer_slug, prov_slug,
                       year if year is not None else sym.year).id


def yearless_id(doc_id: str) -> str:
    """``doc:ct-04-tw-2011`` → ``doc:ct-04-tw``; title ids and yearless ids unchanged."""
    parsed = parse_document_id(doc_id)
    if parsed is None or parsed[3] is None:
        return doc_id
    return doc_id[: -5]


def parse_document_id(doc_id: str) -> tuple[str, str, str | None, int | None] | None:
    """``doc:kh-64-ubnd-kien-giang-2019`` → ``("kh", "64", "ubnd-kien-giang", 2019)``;
    ``None`` for title ids and anything else."""
    if not doc_id.startswith(PREFIX) or doc_id.startswith(TITLE_PREFIX):
        return None
    segs = doc_id[len(PREFIX):].split("-")
    if len(segs) < 2:
        return None
    type_code, number, rest = segs[0], segs[1], segs[2:]
    year = None
    if rest and re.fullmatch(r"\d{4}", rest[-1]):
        year = int(rest[-1])
        rest = rest[:-1]
    return type_code, number, "-".join(rest) or None, year


_ROMAN = r"[ivxlc]{1,6}"
_CONGRESS = re.compile(
    rf"^nghi quyet dai hoi(?P<mid>(?: [a-z]+){{0,8}}?) (?:lan thu )?(?P<roman>{_ROMAN})(?P<tail>(?: [a-z]+){{0,6}})$")


def congress_title_key(title: str, province: str | None = None) -> str | None:
    """One key for the spellings of a Party congress resolution.

    ``Nghị quyết Đại hội XII của Đảng``, ``Nghị quyết Đại hội Đảng toàn quốc lần thứ XIII``,
    ``Nghị quyết Đại hội đại biểu toàn quốc lần thứ XIII của Đảng`` → ``nghi-quyet-dai-hoi-
    dang-toan-quoc-<roman>``; ``… Đảng bộ tỉnh lần thứ XVI`` → ``nghi-quyet-dai-hoi-dang-bo-
    tinh-xvi[-<province>]``.
    """
    m = _CONGRESS.match(" ".join(slug(title).split("-")))
    if m is None:
        return None
    words = m.group("mid") + " " + m.group("tail")
    roman = m.group("roman")
    if "dang bo" in words or "tinh" in words.split() or "thanh pho" in words:
        base = f"nghi-quyet-dai-hoi-dang-bo-tinh-{roman}"
        return base + (f"-{slug(province)}" if province else "")
    return f"nghi-quyet-dai-hoi-dang-toan-quoc-{roman}"


def title_id(title: str, province: str | None = None) -> str:
    """``doc:title:<slug>`` for a document known only by its title."""
    key = congress_title_key(title, province)
    if key is None:
        # parenthesised acronyms are spelling noise: "(KTXH)"
        key = slug(re.sub(r"\([^()]{1,12}\)", " ", fold(nfc(title))))
    return TITLE_PREFIX + key

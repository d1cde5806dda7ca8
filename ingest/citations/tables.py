"""The citation data tables (``ingest/data/*.json``), loaded once, indexed for lookup.

Every lookup key is :func:`~vbgraph.ingest.text.match_key` of the spelling, so unaccented,
lower-case and line-broken spellings find the same entry.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..provinces import numbering_units, province_keys
from ..text import canonical_tones, fold, match_key, nfc, slugify

__all__ = [
    "DocType", "Issuer", "Tables", "slug", "tables",
]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

#: ASCII slug of ids (``vbgraph.ingest.text.slugify``); pure, and the same few issuer codes
#: and province names recur in every document: remembered
slug = lru_cache(maxsize=8192)(slugify)
#: ``fold`` of a code or abbreviation looked up (a handful recur: remembered)
_fold_code = lru_cache(maxsize=8192)(fold)


@dataclass(frozen=True, slots=True)
class DocType:
    abbr: str | None          # "QĐ"; None for types without a symbol abbreviation (Luật)
    code: str                 # id slug, unique per type: "qd"
    name: str                 # canonical leading word: "Quyết định"
    names: tuple[str, ...]
    systems: frozenset[str]   # {"state", "party"}
    default: bool


@dataclass(frozen=True, slots=True)
class Issuer:
    code: str                 # "TTg"
    name: str                 # "Thủ tướng Chính phủ"
    system: str
    provincial: bool
    phrases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Tables:
    types: tuple[DocType, ...]
    types_by_abbr: dict[str, tuple[DocType, ...]]     # folded abbr -> candidates
    types_by_code: dict[str, DocType]
    leading: dict[str, DocType]                       # match_key(name) -> type
    issuers_by_code: dict[str, Issuer]                # folded code -> issuer
    issuer_phrases: dict[str, Issuer]                 # match_key(phrase) -> issuer
    units: frozenset[str]                             # folded unit codes
    provinces: dict[str, str]                         # match_key(name) -> canonical name

    def doc_type(self, abbr: str, system: str | None = None,
                 prefer_code: str | None = None) -> DocType | None:
        """The type an abbreviation stands for (``QD``, ``qđ``, ``QĐ`` → Quyết định).

        Ties between abbreviations folding to the same letters (HD/HĐ, DA/ĐA, TT Thông tư /
        Thông tri) are broken by: the type the leading word announced (``prefer_code``), an
        exact spelling match, the symbol system, then the table's ``default`` flag.
        """
        cands = self.types_by_abbr.get(_fold_code(abbr), ())
        if not cands:
            return None
        if len(cands) == 1:
            return cands[0]
        if prefer_code is not None:
            for t in cands:
                if t.code == prefer_code:
                    return t
        exact = tuple(t for t in cands if t.abbr == nfc(abbr))
        if len(exact) == 1:
            return exact[0]
        cands = exact or cands
        if system is not None:
            cands = tuple(t for t in cands if system in t.systems) or cands
        defaults = [t for t in cands if t.default]
        return (defaults or list(cands))[0]

    def issuer(self, code: str) -> Issuer | None:
        return self.issuers_by_code.get(_fold_code(code))

    def province(self, name: str) -> str | None:
        return self.provinces.get(match_key(canonical_tones(name)))


@lru_cache(maxsize=1)
def tables() -> Tables:
    types_raw = json.loads((DATA_DIR / "doc_types.json").read_text(encoding="utf-8"))
    issuers_raw = json.loads((DATA_DIR / "issuers.json").read_text(encoding="utf-8"))

    types: list[DocType] = []
    for row in types_raw["types"]:
        types.append(DocType(abbr=nfc(row["abbr"]), code=row["code"], name=nfc(row["names"][0]),
                             names=tuple(nfc(n) for n in row["names"]),
                             systems=frozenset(row["systems"]), default=bool(row["default"])))
    for row in types_raw["unabbreviated"]:
        if any(t.code == row["code"] for t in types):
            continue
        types.append(DocType(abbr=None, code=row["code"], name=nfc(row["names"][0]),
                             names=tuple(nfc(n) for n in row["names"]),
                             systems=frozenset(), default=True))
    by_abbr: dict[str, list[DocType]] = {}
    for t in types:
        if t.abbr:
            by_abbr.setdefault(fold(t.abbr), []).append(t)
    by_code = {t.code: t for t in types}
    leading: dict[str, DocType] = {}
    # earlier rows win: "Quy định" → QĐi (Party) is listed before QyĐ (state)
    for t in types:
        for n in t.names:
            leading.setdefault(match_key(n), t)
    for row in types_raw["unabbreviated"]:
        for n in row["names"]:
            leading.setdefault(match_key(n), by_code[row["code"]])

    issuers: dict[str, Issuer] = {}
    phrases: dict[str, Issuer] = {}
    for row in issuers_raw["issuers"]:
        iss = Issuer(code=nfc(row["code"]), name=nfc(row["name"]), system=row["system"],
                     provincial=bool(row.get("provincial", False)),
                     phrases=tuple(nfc(p) for p in row["phrases"]))
        issuers[fold(iss.code)] = iss
        for p in iss.phrases:
            phrases.setdefault(match_key(p), iss)
    units = frozenset(fold(u) for u in issuers_raw["units"])

    # province names and spelling variants (the province table), then the units below a
    # province that number their own documents ("UBND thành phố Huế" is not the province's UBND)
    provinces = {key: p.name for key, p in province_keys(tones=True).items()}
    for name, _unit_slug in numbering_units():
        provinces[match_key(canonical_tones(name))] = name

    return Tables(
        types=tuple(types),
        types_by_abbr={k: tuple(v) for k, v in by_abbr.items()},
        types_by_code=by_code,
        leading=leading,
        issuers_by_code=issuers,
        issuer_phrases=phrases,
        units=units,
        provinces=provinces,
    )

"""The provinces of Viet Nam: one table (``ingest/data/provinces.json``), one loader.

Used by the header (the issuing province), citations (provincial issuers in canonical ids),
agencies (province-scoped instances) and localities (the home province is not a locality).

- :class:`Province`: slug (id ``province:<slug>``), name, prefix (``tỉnh``/``thành phố``),
  spelling ``aliases`` valid everywhere, ``place_aliases`` valid only where a text names the
  place itself (``Huế, ngày …``; never after an agency or unit word, where ``thành phố Huế``
  is the district-level city), ``bare_name`` (False: the name counts only after its prefix).
- :func:`province_by_name`: ``Kiên Giang``, ``tỉnh Kiên Giang``, ``Khánh Hoà``,
  ``thua thien hue``, ``TP. Đà Nẵng``, ``kien-giang`` → the province.
- :func:`province_keys`: ``match_key`` of every name → province, for the header's and the
  citations' own patterns; :func:`numbering_units` adds the sub-provincial units that number
  their own documents (citations).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .gazetteer import match_view
from .text import canonical_tones, match_key, nfc, slugify

__all__ = [
    "Province", "load_provinces", "numbering_units", "province_by_name", "province_id",
    "province_keys", "slugify",
]

_FILE = Path(__file__).resolve().parent / "data" / "provinces.json"


@dataclass(frozen=True, slots=True)
class Province:
    slug: str            # "kien-giang"  -> id "province:kien-giang"
    name: str            # "Kiên Giang"
    prefix: str          # "tỉnh" | "thành phố"
    aliases: tuple[str, ...] = ()
    bare_name: bool = True   # the name alone (without its prefix) names the province
    place_aliases: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return f"province:{self.slug}"

    @property
    def is_city(self) -> bool:
        return self.prefix == "thành phố"

    @property
    def full_name(self) -> str:
        return f"{self.prefix} {self.name}"

    @property
    def names(self) -> tuple[str, ...]:
        """The name and its spelling variants (not the place-only aliases)."""
        return (self.name, *self.aliases)


@lru_cache(maxsize=1)
def _raw() -> dict:
    return json.loads(_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def load_provinces() -> tuple[Province, ...]:
    return tuple(Province(p["slug"], nfc(p["name"]), p["prefix"], tuple(map(nfc, p["aliases"])),
                          p.get("bare_name", True), tuple(map(nfc, p.get("place_aliases", ()))))
                 for p in _raw()["provinces"])


def _view_key(name: str) -> str:
    """Folded words of a name, punctuation and dashes as spaces: ``bà rịa-vũng tàu`` →
    ``ba ria vung tau``."""
    return " ".join(match_view(name).split())


@lru_cache(maxsize=1)
def _by_view_key() -> dict[str, Province]:
    keys: dict[str, Province] = {}
    for p in load_provinces():
        for name in p.names:
            keys[_view_key(name)] = p
    for p in load_provinces():      # "TP.HCM" is looked up without its unit word: "hcm"
        for name in p.names:
            keys.setdefault(" ".join(_PREFIX.sub("", _view_key(name)).split()), p)
    return keys


@lru_cache(maxsize=1)
def _by_slug() -> dict[str, Province]:
    return {p.slug: p for p in load_provinces()}


_PREFIX = re.compile(r"^\s*(?:tinh|thanh pho|tp)\s+")


@lru_cache(maxsize=4096)
def province_by_name(name: str | None) -> Province | None:
    """``Kiên Giang``, ``tỉnh Kiên Giang``, ``Khánh Hoà``, ``thua thien hue``, ``TP. Đà Nẵng``,
    ``kien-giang`` → the province; anything else (place-only aliases included) → None."""
    if not name:
        return None
    key = " ".join(_PREFIX.sub("", match_view(name)).split())
    hit = _by_view_key().get(key)
    if hit is None:
        return _by_slug().get(name.strip())
    return hit


def province_id(name: str | None) -> str | None:
    p = province_by_name(name)
    return p.id if p else None


@lru_cache(maxsize=2)
def province_keys(*, place: bool = False, tones: bool = False) -> dict[str, Province]:
    """``match_key`` of every name and alias (and, with ``place``, every place alias) →
    province; with ``tones`` the key is taken after :func:`canonical_tones`."""
    out: dict[str, Province] = {}
    for p in load_provinces():
        for name in (*p.names, *(p.place_aliases if place else ())):
            out.setdefault(match_key(canonical_tones(name) if tones else name), p)
    return out


@lru_cache(maxsize=1)
def numbering_units() -> tuple[tuple[str, str], ...]:
    """``(name, slug)`` of units below a province that number their own documents
    (``thành phố Huế``): a citation of their documents keys on the unit."""
    return tuple((nfc(u["name"]), u["slug"]) for u in _raw()["numbering_units"]["units"])

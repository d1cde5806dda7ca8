"""Provinces of Viet Nam, foreign countries/localities and Vietnamese places a plan names.

Data: ``ingest/data/provinces.json`` (the 63 provinces, pre-2025) and
``ingest/data/localities.json`` (countries, foreign localities with their country, Vietnamese
places of activity, partnership cues).

Matching works on a *view* of the text (:func:`match_view`): :func:`~vbgraph.ingest.text.fold`
(lower case, no diacritics, 1:1 with the NFC text) with ``- – — & , .`` turned into spaces, so
offsets found in the view are offsets in the document, ``hòa``/``hoà``/``hoa`` are the same word,
and names wrapped over lines (``Sê\\nKông``) still match.

Relation rule (one :class:`Locality` per locality per document): a mention is a *partner* when
its sentence states a relationship (``partner_cues``: kết nghĩa, quan hệ hữu nghị, hợp tác hữu
nghị, quan hệ hợp tác, thỏa thuận … đã ký, bản ghi nhớ, quan hệ đối ngoại …) and no prospective
cue (nghiên cứu, thiết lập, tìm kiếm, mở rộng quan hệ …) stands between the start of its clause
(``;``-delimited) and the name; otherwise it is a *mention*. Partner wins over mention; the
record keeps the first mention supporting its relation. Vietnamese places are always mentions
(they are where the province acts, not partners); the home province itself is not a locality.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..ontology.records import Locality
from ..ontology.vocab import LocalityKind, LocalityRelation
from .text import canonical_tones, fold, nfc

__all__ = [
    "GazetteerEntry", "Province", "find_localities", "load_provinces", "locality_entries",
    "match_view", "phrase_regex", "province_by_name", "province_id", "slugify",
]

DATA = Path(__file__).parent / "data"
_VIEW_PUNCT = str.maketrans({c: " " for c in "-–—&,.‐‑"})
_WORD_CHARS = "a-z0-9"
_LB = rf"(?<![{_WORD_CHARS}/])"
_LA = rf"(?![{_WORD_CHARS}])"


# -- shared gazetteer primitives ----------------------------------------------------------------
@lru_cache(maxsize=16)
def match_view(text: str) -> str:
    """Folded text with ``- – — & , .`` as spaces; same length as ``nfc(text)``.

    Memoised: the agency and locality matchers ask for the view of the same document text once
    per task, and folding a whole document per task dominated extraction time."""
    return fold(text).translate(_VIEW_PUNCT)


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def _view_tokens(phrase: str) -> list[str]:
    return match_view(phrase).split()


def phrase_regex(phrase: str, synonyms: dict[tuple[str, ...], list[str]] | None = None,
                 optional_va: bool = True) -> str:
    """Regex (on the match view) for a written phrase: words joined by whitespace runs,
    ``và`` optional, synonym phrases (``ủy ban nhân dân`` → ``ubnd``) as alternatives."""
    tokens = _view_tokens(phrase)
    parts: list[str] = []
    i = 0
    keys = sorted(synonyms or {}, key=len, reverse=True)
    while i < len(tokens):
        for key in keys:
            if tuple(tokens[i:i + len(key)]) == key:
                alts = [phrase_regex(" ".join(key), None, optional_va)]
                alts += [phrase_regex(a, None, optional_va) for a in (synonyms or {})[key]]
                alts.sort(key=len, reverse=True)
                parts.append("(?:" + "|".join(alts) + ")")
                i += len(key)
                break
        else:
            tok = tokens[i]
            if tok == "va" and optional_va and 0 < i < len(tokens) - 1:
                parts.append("(?:va\\s+)?")
                i += 1
                continue
            parts.append(re.escape(tok))
            i += 1
    out = ""
    for k, part in enumerate(parts):
        if k and not out.endswith("?"):
            out += r"\s+"
        out += part
    return out


def words_with_case(original: str) -> list[str]:
    return re.findall(r"[^\W\d_]+", original)


# -- provinces ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Province:
    slug: str            # "kien-giang"  -> id "province:kien-giang"
    name: str            # "Kiên Giang"
    prefix: str          # "tỉnh" | "thành phố"
    aliases: tuple[str, ...] = ()
    bare_name: bool = True   # the name alone (without its prefix) names the province

    @property
    def id(self) -> str:
        return f"province:{self.slug}"

    @property
    def is_city(self) -> bool:
        return self.prefix == "thành phố"

    @property
    def full_name(self) -> str:
        return f"{self.prefix} {self.name}"


@lru_cache(maxsize=1)
def load_provinces() -> tuple[Province, ...]:
    raw = json.loads((DATA / "provinces.json").read_text(encoding="utf-8"))
    return tuple(Province(p["slug"], nfc(p["name"]), p["prefix"], tuple(map(nfc, p["aliases"])),
                          p.get("bare_name", True)) for p in raw["provinces"])


@lru_cache(maxsize=1)
def _province_keys() -> dict[str, Province]:
    keys: dict[str, Province] = {}
    for p in load_provinces():
        for name in (p.name, *p.aliases):
            keys[" ".join(_view_tokens(name))] = p
    return keys


_PREFIX = re.compile(r"^\s*(?:tinh|thanh pho|tp)\s+")


def province_by_name(name: str | None) -> Province | None:
    """``Kiên Giang``, ``tỉnh Kiên Giang``, ``Khánh Hoà``, ``thua thien hue``, ``TP. Đà Nẵng``,
    ``kien-giang`` → the province; anything else → None."""
    if not name:
        return None
    key = " ".join(_view_tokens(_PREFIX.sub("", match_view(name))))
    hit = _province_keys().get(key)
    if hit is None:
        for p in load_provinces():
            if p.slug == name.strip():
                return p
    return hit


def province_id(name: str | None) -> str | None:
    p = province_by_name(name)
    return p.id if p else None


@lru_cache(maxsize=1)
def province_name_regex() -> re.Pattern[str]:
    """``(?P<prefix>…)? (?P<name>…)`` right after an agency name (on the view)."""
    bare, prefixed = [], []
    for p in load_provinces():
        for name in (p.name, *p.aliases):
            rx = phrase_regex(name, optional_va=False)
            (bare if p.bare_name else prefixed).append(rx)
            prefixed.append(rx)
    alt_b = "|".join(sorted(set(bare), key=len, reverse=True))
    alt_p = "|".join(sorted(set(prefixed), key=len, reverse=True))
    return re.compile(rf"\s+(?:(?P<prefix>tinh|thanh\s+pho|tp)\s+(?P<pname>{alt_p})|(?P<bname>{alt_b})){_LA}")


# -- locality gazetteer -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    id: str                      # slug, locality id is "locality:<id>"
    name: str
    kind: LocalityKind
    country: str | None          # Vietnamese country name ("Lào"); "Việt Nam" for places
    aliases: tuple[str, ...]
    exact: bool = False
    isolated: bool = False
    not_after: tuple[str, ...] = ()
    province: str | None = None  # Vietnamese places: the province they lie in


@lru_cache(maxsize=1)
def _raw() -> dict:
    return json.loads((DATA / "localities.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def locality_entries() -> tuple[GazetteerEntry, ...]:
    raw = _raw()
    countries = {c["id"]: nfc(c["name"]) for c in raw["countries"]}
    out: list[GazetteerEntry] = []
    for c in raw["countries"]:
        g = c.get("guard", {})
        out.append(GazetteerEntry(c["id"], nfc(c["name"]), LocalityKind.COUNTRY, None,
                                  tuple(map(nfc, c["aliases"])), g.get("exact", False),
                                  g.get("isolated", False), tuple(g.get("not_after", ()))))
    for f in raw["foreign_localities"]:
        out.append(GazetteerEntry(f["id"], nfc(f["name"]), LocalityKind.FOREIGN_LOCALITY,
                                  countries[f["country"]], tuple(map(nfc, f["aliases"]))))
    for v in raw["vietnamese_places"]:
        out.append(GazetteerEntry(v["id"], nfc(v["name"]), LocalityKind.VIETNAMESE_PLACE,
                                  "Việt Nam", tuple(map(nfc, v["aliases"])),
                                  province=v.get("province")))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class _Surface:
    entry: GazetteerEntry | None       # None: a blocker (Lào Cai …)
    written: str
    regex: re.Pattern[str]
    anchor: str                        # the view token every match starts with ("" = unknown)


@lru_cache(maxsize=1)
def _surfaces() -> tuple[_Surface, ...]:
    out = []
    def surface(entry: GazetteerEntry | None, written: str) -> _Surface:
        first = _ANCHOR_TOKEN.findall(match_view(written))[:1]
        return _Surface(entry, written,
                        re.compile(_LB + phrase_regex(written, optional_va=False) + _LA),
                        first[0] if first else "")
    for e in locality_entries():
        for written in (e.name, *e.aliases):
            out.append(surface(e, written))
    for written in _raw()["not_foreign"]:
        out.append(surface(None, written))
    return tuple(out)


_ANCHOR_TOKEN = re.compile(rf"[{_WORD_CHARS}]+")


def _matches_at(regex: re.Pattern[str], view: str, starts: Iterable[int]) -> Iterable[re.Match[str]]:
    """Non-overlapping matches of ``regex`` that start at one of ``starts`` (sorted): the same
    matches as ``regex.finditer(view)`` when every match must start at one of them."""
    last_end = 0
    for pos in starts:
        if pos < last_end:
            continue
        m = regex.match(view, pos)
        if m:
            last_end = max(m.end(), pos + 1)
            yield m


@lru_cache(maxsize=1)
def foreign_name_regex() -> re.Pattern[str]:
    """Names of foreign countries/localities (view regex), to tell ``Bộ Chỉ huy Quân sự tỉnh
    Salavan`` from a Vietnamese agency."""
    alts = sorted({phrase_regex(w, optional_va=False) for e in locality_entries()
                   if e.kind is not LocalityKind.VIETNAMESE_PLACE
                   for w in (e.name, *e.aliases)}, key=len, reverse=True)
    return re.compile(rf"\s+(?:(?:tinh|thanh\s+pho|tp|nuoc|cua)\s+)?\(?\s*(?:{'|'.join(alts)}){_LA}")


def _case_ok(written: str, original: str) -> bool:
    want = words_with_case(written)
    got = words_with_case(original)
    if len(want) != len(got):
        return bool(got) and got[0][:1].isupper()
    return all(not w[:1].isupper() or g[:1].isupper() for w, g in zip(want, got))


_CAP_WORD_BEFORE = re.compile(r"([^\W\d_]+)[ \t]+$")
_CAP_WORD_AFTER = re.compile(r"^[ \t]+([^\W\d_]+)")


def _guards_ok(s: _Surface, text: str, view: str, start: int, end: int) -> bool:
    e = s.entry
    original = text[start:end]
    if not _case_ok(s.written, original):
        return False
    if e is None:
        return True
    before = re.findall(r"[a-z0-9]+", view[max(0, start - 30):start])
    if before and before[-1] in _raw()["not_before"] and e.kind is LocalityKind.COUNTRY:
        return False
    if e.exact and canonical_tones(" ".join(original.split())) != canonical_tones(s.written):
        return False
    if e.not_after:
        tail = view[end:end + 30]
        if any(re.match(r"\s+" + w.replace(" ", r"\s+") + _LA, tail) for w in e.not_after):
            return False
    if e.isolated:
        directions = set(_raw()["direction_words"])
        m = _CAP_WORD_BEFORE.search(text[max(0, start - 30):start])
        if m and m.group(1)[:1].isupper() and m.group(1) not in directions:
            return False
        m = _CAP_WORD_AFTER.search(text[end:end + 30])
        if m and m.group(1)[:1].isupper():
            return False
    return True


@dataclass(frozen=True, slots=True)
class _Hit:
    entry: GazetteerEntry
    start: int
    end: int


def _hits(text: str) -> list[_Hit]:
    view = match_view(text)
    positions: dict[str, list[int]] = {}
    for m in _ANCHOR_TOKEN.finditer(view):
        positions.setdefault(m.group(), []).append(m.start())
    cands: list[tuple[int, int, _Surface]] = []
    for s in _surfaces():
        if not s.anchor:
            matches: Iterable[re.Match[str]] = s.regex.finditer(view)
        else:               # try the pattern only where its first word stands
            matches = _matches_at(s.regex, view, positions.get(s.anchor, ()))
        for m in matches:
            cands.append((m.start(), m.end(), s))
    # longest first; blockers take their span away from shorter names
    cands.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    taken: list[tuple[int, int]] = []
    out: list[_Hit] = []
    for start, end, s in cands:
        if any(start < e and s_ < end for s_, e in taken):
            continue
        if not _guards_ok(s, text, view, start, end):
            continue
        taken.append((start, end))
        if s.entry is not None:
            out.append(_Hit(s.entry, start, end))
    out.sort(key=lambda h: h.start)
    return out


_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n\s*\n|\n(?=\s*(?:[a-zđ]\)|\d+\.\s|[-+•]\s))")
_CLAUSE_END = re.compile(r";")


def _bounds(pattern: re.Pattern[str], text: str, pos: int) -> tuple[int, int]:
    start = 0
    for m in pattern.finditer(text, 0, pos):
        start = m.end()
    m = pattern.search(text, pos)
    return start, (m.start() if m else len(text))


@lru_cache(maxsize=1)
def _cue_regexes() -> tuple[re.Pattern[str], re.Pattern[str]]:
    raw = _raw()
    def alt(items: Iterable[str]) -> re.Pattern[str]:
        return re.compile(_LB + "(?:" + "|".join(i.replace(" ", r"\s+") for i in items) + ")" + _LA)
    return alt(raw["partner_cues"]), alt(raw["prospective_cues"])


def _is_partner(text: str, view: str, hit: _Hit) -> bool:
    if hit.entry.kind is LocalityKind.VIETNAMESE_PLACE:
        return False
    partner, prospective = _cue_regexes()
    s0, s1 = _bounds(_SENTENCE_END, text, hit.start)
    if not partner.search(view, s0, s1):
        return False
    c0, _ = _bounds(_CLAUSE_END, text[:s1], hit.start)
    return not prospective.search(view, max(c0, s0), hit.start)


def find_localities(text: str, section_at: Callable[[int], str],
                    home_province: str | None) -> tuple[Locality, ...]:
    """Countries, foreign localities and Vietnamese places named in ``text`` (whole NFC
    document), one record per locality, in order of first supporting mention."""
    view = match_view(text)
    home = province_by_name(home_province)
    best: dict[str, tuple[LocalityRelation, _Hit]] = {}
    for hit in _hits(text):
        e = hit.entry
        if home is not None and e.kind is LocalityKind.VIETNAMESE_PLACE and province_by_name(e.name) == home:
            continue
        rel = LocalityRelation.PARTNER if _is_partner(text, view, hit) else LocalityRelation.MENTION
        have = best.get(e.id)
        if have is None or (have[0] is LocalityRelation.MENTION and rel is LocalityRelation.PARTNER):
            best[e.id] = (rel, hit)
    out = [Locality(id=f"locality:{h.entry.id}", name=h.entry.name, kind=h.entry.kind,
                    country=h.entry.country, relation=rel, start=h.start, end=h.end,
                    section=section_at(h.start))
           for rel, h in best.values()]
    out.sort(key=lambda loc: loc.start)
    return tuple(out)

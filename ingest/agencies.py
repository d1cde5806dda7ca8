"""Agencies a plan names, their roles in its tasks, and the agency-kind scheme.

Data: ``ontology/data/agency_kinds.json`` (SKOS scheme of kinds: labels, scope, instance name
template) and ``ingest/data/agencies.json`` (surface forms, abbreviations, guards, role cues).

**Agencies.** A mention is matched on the folded view of the text (diacritic-, tone- and
line-break-insensitive, see :func:`vbgraph.ingest.localities.match_view`) and becomes an
:class:`Agency` instance according to its kind's *scope*:

- ``central``: national bodies (Bộ Ngoại giao, Bộ Chính trị …) → ``agency:<kind>``, province None;
- ``province``: one per province → ``agency:<kind>:<province-slug>``; the province is the one
  written right after the name (``Công an tỉnh Kiên Giang``, ``Tỉnh ủy Khánh Hòa``) or else the
  plan's own; a name followed by a foreign place (``Bộ Chỉ huy Quân sự tỉnh Salavan``,
  ``Bộ Ngoại giao Lào``) is a foreign body and is not returned;
- ``collective``: ``UBND các huyện, thị xã, thành phố`` (also ``UBND thành phố Huế và các
  huyện, thị xã``, ``UBND cấp huyện``) is kept as one collective agency per province,
  ``agency:ubnd-cac-huyen:<province>``, because plans assign it work as a block; generic
  collectives (``các sở, ban, ngành``, ``các cơ quan liên quan``) are *not* agencies;
- ``district``: a named district-level People's Committee (``UBND thành phố Huế``) →
  ``agency:ubnd-<unit-slug>:<province>`` (e.g. ``agency:ubnd-thanh-pho-hue:thua-thien-hue``),
  kind ``ubnd-cap-huyen``;
- ``named``: unique institutions (Đại học Huế, Trung tâm Festival Huế …) → ``agency:<kind>``
  with their seat province.

**Roles** (:func:`roles_for_task`), decided as follows:

- *lead*: the subject of ``chủ trì``, ``làm/là (cơ quan) đầu mối``, ``là cơ quan thường trực``,
  ``tham mưu`` (the body that drafts the proposal owns the work), ``chịu trách nhiệm chính``;
  a task opening with ``Đề nghị``/``Giao`` X → X leads. A lead cue without a written subject
  (``Chủ trì, phối hợp với …``) has the assignment block's heading agency as subject.
- *cooperate*: the agencies listed after ``phối hợp (chặt chẽ) (với)`` up to the end of the list
  (a verb or purpose word such as ``tham mưu``, ``trong``, ``để`` ends it).
- A task in a block that *opens with* ``Phối hợp (với) X …`` (nothing but adverbs such as
  ``Thường xuyên``/``Chủ động`` before it): the heading agency cooperates and the first named
  provincial partner X leads (``phối hợp với X`` means X owns the work); when no partner is a
  provincial body (only central bodies, collectives or generic ones), the heading agency leads.
  The same holds for ``Sở A phối hợp với Sở B …`` written out.
- Otherwise the heading agency leads every task of its block (the block is its assignment).
- Agencies that are only advised, reported to or mentioned (``tham mưu UBND tỉnh``,
  ``gửi Sở Ngoại vụ``, ``(qua Sở Ngoại vụ)``) get no role. Lead and cooperate are disjoint.
"""
from __future__ import annotations


import bisect
import json
import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from ..ontology.records import Agency
from . import gazetteer
from .gazetteer import (LA, LB, DisjointSpans, PhraseIndex, WordStartRegex, literal_prefixes, match_view,
                        phrase_regex, phrase_sequences, trie_regex)
from .localities import foreign_name_regex, province_name_regex, surface_index
from .provinces import Province, province_by_name
from .text import nfc, slugify

__all__ = [
    "AgencyKind", "AgencyKindScheme", "AgencyMention", "DocumentAgencies", "TaskRoles", "agency_heading",
    "agency_kind_scheme", "cue_starts", "document_agencies", "find_agencies", "issuer_agency", "make_agency",
    "roles_for_task",
]

_ROOT = Path(__file__).resolve().parent
_KINDS_FILE = _ROOT.parent / "ontology" / "data" / "agency_kinds.json"
_DATA_FILE = _ROOT / "data" / "agencies.json"
_LB = LB
_LA = LA
_GUARD = "a-z0-9/"          # what _LB excludes before a match


# -- the SKOS scheme ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AgencyKind:
    id: str
    pref_label: str
    alt_labels: tuple[str, ...]
    en_label: str
    broader: tuple[str, ...]
    scope: str                      # group | central | province | collective | district | named
    instance_name: str | None = None
    province: str | None = None     # named institutions: seat province
    topics: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AgencyKindScheme:
    id: str
    pref_label: str
    en_label: str
    concepts: tuple[AgencyKind, ...]

    def get(self, kind_id: str) -> AgencyKind:
        return _kind_index()[kind_id]


@lru_cache(maxsize=1)
def agency_kind_scheme() -> AgencyKindScheme:
    raw = json.loads(_KINDS_FILE.read_text(encoding="utf-8"))
    concepts = tuple(
        AgencyKind(c["id"], nfc(c["pref_label"]), tuple(map(nfc, c.get("alt_labels", ()))),
                   c["en_label"], tuple(c.get("broader", ())), c["scope"],
                   c.get("instance_name"), c.get("province"), tuple(c.get("topics", ())))
        for c in raw["concepts"])
    s = raw["scheme"]
    return AgencyKindScheme(s["id"], s["pref_label"], s["en_label"], concepts)


@lru_cache(maxsize=1)
def _kind_index() -> dict[str, AgencyKind]:
    return {k.id: k for k in agency_kind_scheme().concepts}


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(_DATA_FILE.read_text(encoding="utf-8"))


# -- building Agency records --------------------------------------------------------------------
def _resolve_province(province: str | Province | None) -> Province | None:
    if province is None or isinstance(province, Province):
        return province
    hit = province_by_name(province)
    if hit is None and province.strip():
        return Province(slugify(province), nfc(province.strip()), "tỉnh")
    return hit


@lru_cache(maxsize=4096)
def make_agency(kind_id: str, province: str | Province | None = None,
                unit: str | None = None) -> Agency:
    """The :class:`Agency` of kind ``kind_id`` in ``province`` (ignored for central bodies).
    ``unit`` names a district-level unit for kind ``ubnd-cap-huyen`` (``thành phố Huế``)."""
    kind = _kind_index()[kind_id]
    label = kind.pref_label
    if kind.scope == "central":
        return Agency(f"agency:{kind.id}", label, kind.id, label, None)
    if kind.scope == "named":
        return Agency(f"agency:{kind.id}", label, kind.id, label, kind.province)
    prov = _resolve_province(province)
    if kind.scope == "district":
        unit = nfc(" ".join((unit or "").split()))
        name = (kind.instance_name or "{unit}").format(unit=unit)
        base = f"agency:ubnd-{slugify(unit)}"
        return Agency(base + (f":{prov.slug}" if prov else ""), name, kind.id, label,
                      prov.name if prov else None)
    if prov is None:
        return Agency(f"agency:{kind.id}", label, kind.id, label, None)
    name = (kind.instance_name or label + " {tinh}").format(tinh=prov.full_name, name=prov.name)
    if prov.is_city:
        name = name.replace("Tỉnh ủy", "Thành ủy").replace("Tỉnh đoàn", "Thành đoàn")
    return Agency(f"agency:{kind.id}:{prov.slug}", name, kind.id, label, prov.name)


# -- matching -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class AgencyMention:
    agency: Agency
    start: int
    end: int
    surface: str

    def __init__(self, agency: Agency, start: int, end: int, surface: str) -> None:
        """What the dataclass would write, written out (the generated ``__init__`` stays Python
        when compiled): compiled, the fields are stored directly, as a native class's are
        (mypyc does not consult the frozen ``__setattr__``, which Python code still meets: the
        record stays frozen, tested); interpreted, through ``object.__setattr__``. (As
        ``sections.Section`` does; a document makes dozens of mentions.)"""
        if _STORES_DIRECTLY:
            self.agency = agency  # type: ignore[misc]
            self.start = start  # type: ignore[misc]
            self.end = end  # type: ignore[misc]
            self.surface = surface  # type: ignore[misc]
            return
        set_ = object.__setattr__
        set_(self, "agency", agency)
        set_(self, "start", start)
        set_(self, "end", end)
        set_(self, "surface", surface)


def _probe() -> None:
    """A plain function: its type tells whether this module runs as bytecode."""


#: :class:`AgencyMention`'s ``__init__`` stores its fields directly: compiled only (mypyc
#: compiles functions to native ones); interpreted, the frozen ``__setattr__`` would refuse them
_STORES_DIRECTLY = type(_probe).__name__ != "function"


@dataclass(frozen=True, slots=True)
class _Pattern:
    kind: str
    regex: re.Pattern[str]
    city_variant: bool      # matched "… thành phố" in place of "… tỉnh"
    capital: bool           # written capitalised: the text must be too ("Bộ Y tế", not "cán bộ y tế")
    sequences: frozenset[tuple[str, ...]] | None = None   # the token sequences it matches;
                                                           # None: hand-written regex


def _variants(surface: str) -> list[tuple[str, bool]]:
    out = [(surface, False)]
    for a, b in (("Tỉnh ủy", "Thành ủy"), ("Tỉnh đoàn", "Thành đoàn"), ("Tỉnh Đoàn", "Thành Đoàn")):
        if a in surface:
            out.append((surface.replace(a, b), False))
    words = surface.split()
    if len(words) > 1 and words[-1] == "tỉnh":
        stem = " ".join(words[:-1])
        out += [(stem + " thành phố", True), (stem + " TP", True)]
    return out


@lru_cache(maxsize=1)
def _patterns() -> tuple[_Pattern, ...]:
    data = _data()
    syn = {tuple(k.split()): v for k, v in data["synonyms"].items()}
    out: list[_Pattern] = []
    for kind in agency_kind_scheme().concepts:
        if kind.scope in ("group", "district"):
            continue
        surfaces = [kind.pref_label, *kind.alt_labels, *data["surfaces"].get(kind.id, ())]
        groups: dict[tuple[bool, bool], list[str]] = {}
        sequences: dict[tuple[bool, bool], set[tuple[str, ...]] | None] = {}
        for s in surfaces:
            for v, is_city in _variants(nfc(s)):
                key = (is_city, v[:1].isupper())
                groups.setdefault(key, []).append(phrase_regex(v, syn))
                group_seqs = sequences.setdefault(key, set())
                if group_seqs is not None:
                    group_seqs |= phrase_sequences(v, syn)
        raw_regexes = data["regex"].get(kind.id, ())
        if raw_regexes:
            groups.setdefault((False, False), []).extend(r.replace(" ", r"\s+") for r in raw_regexes)
            sequences[(False, False)] = None
        for (is_city, capital), group in groups.items():
            if group:
                alts = sorted(set(group), key=len, reverse=True)
                found = sequences.get((is_city, capital))
                out.append(_Pattern(kind.id, re.compile(_LB + "(?:" + "|".join(alts) + ")" + _LA),
                                    is_city, capital, frozenset(found) if found is not None else None))
    return tuple(out)


@lru_cache(maxsize=1)
def pattern_index() -> PhraseIndex:
    """Every agency pattern, then the district-unit regex, in one
    :class:`~vbgraph.ingest.gazetteer.PhraseIndex`."""
    return PhraseIndex([(p.regex, p.sequences) for p in _patterns()]
                       + [(_district_regex(), None)])      # last: named district units


@lru_cache(maxsize=1)
def _district_regex() -> re.Pattern[str]:
    return re.compile(_LB + _data()["district_unit_regex"].replace(" ", r"\s+"))


_CAP_NAME = re.compile(r"[ \t\r\n]+([^\W\d_]+)")


_VIEW_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class _Guard:
    capitalized: bool
    not_before: tuple[list[str], ...]          # word lists
    not_after: re.Pattern[str] | None          # any of the words right after the name


@lru_cache(maxsize=1)
def _guards() -> dict[str, _Guard]:
    """The ``guards`` of ``agencies.json``, compiled once per kind."""
    out = {}
    for kind_id, g in _data()["guards"].items():
        if not g:
            continue
        after = g.get("not_after", ())
        out[kind_id] = _Guard(bool(g.get("capitalized")),
                              tuple(w.split() for w in g.get("not_before", ())),
                              re.compile("|".join(r"\s+" + w.replace(" ", r"\s+") + _LA for w in after))
                              if after else None)
    return out


def _guard_ok(kind_id: str, text: str, view: str, start: int, end: int) -> bool:
    g = _guards().get(kind_id)
    if g is None:
        return True
    if g.capitalized and not text[start:start + 1].isupper():
        return False
    if g.not_before:
        before = _VIEW_WORD.findall(view, max(0, start - 40), start)
        for words in g.not_before:
            if before[-len(words):] == words:
                return False
    return g.not_after is None or g.not_after.match(view[end:end + 40]) is None


def _inside_code(text: str, start: int, end: int) -> bool:
    """Part of a document number or code (``8791/VPCP-QHQT``, ``1737/CT-TTg``)."""
    if start > 1 and text[start - 1] in "/-–" and text[start - 2].isalnum():
        return True
    return end + 1 < len(text) and text[end] in "/-" and text[end + 1].isalnum() and text[end + 1].isupper()


class _Cand(NamedTuple):
    """A candidate mention (internal: a NamedTuple, built in C)."""

    start: int
    end: int
    kind: str
    province: Province | None
    unit: str | None = None
    explicit_province: bool = False


_BLANK_LINE = re.compile(r"\n\s*\n")
_UNIT_WORD = re.compile(r"\s+(?:tinh|thanh\s+pho)" + _LA)


class _PatternInfo(NamedTuple):
    """What :func:`_candidates` asks of a pattern's match, looked up once per pattern."""

    kind: str
    capital: bool
    city_variant: bool
    guard: _Guard | None
    named_province: bool        # scope province or collective: a province name may follow
    province_scope: bool        # scope province
    needs_name: bool            # listed in ``requires_province_name``


@lru_cache(maxsize=1)
def _pattern_info() -> tuple[_PatternInfo, ...]:
    kinds = _kind_index()
    guards = _guards()
    needs_name = set(_data()["requires_province_name"])
    return tuple(_PatternInfo(p.kind, p.capital, p.city_variant, guards.get(p.kind),
                              kinds[p.kind].scope in ("province", "collective"),
                              kinds[p.kind].scope == "province", p.kind in needs_name)
                 for p in _patterns())


def _candidates(text: str, view: str, home: Province | None,
                hits: list[tuple[int, re.Match[str]]] | None = None) -> list[_Cand]:
    """``hits``: ``pattern_index().matches(view)``, when the caller has it."""
    pq = province_name_regex()
    foreign_match = foreign_name_regex().match
    out: list[_Cand] = []
    info = _pattern_info()
    n_patterns = len(info)
    districts: list[re.Match[str]] = []
    home_is_city = home is not None and home.is_city
    for index, m in (pattern_index().matches(view) if hits is None else hits):
        if index == n_patterns:
            districts.append(m)
            continue
        pat = info[index]
        s, e = m.start(), m.end()
        if pat.capital and not text[s].isupper():
            continue
        if pat.guard is not None and not _guard_ok(pat.kind, text, view, s, e):
            continue
        if _inside_code(text, s, e):
            continue
        if foreign_match(view, e):
            continue                               # a foreign body (… tỉnh Salavan)
        prov, explicit = home, False
        if pat.named_province:
            q = pq.match(view, e)
            if (q and text[q.start("pname") if q.group("pname") else q.start("bname")].isupper()
                    and not _BLANK_LINE.search(text, e, q.end())):
                name = q.group("pname") or q.group("bname")
                prov, explicit, e = province_by_name(name), True, q.end()
                prefix = q.group("prefix") or ""
                if prov is not None and not prov.is_city and (pat.city_variant or prefix.startswith(("thanh", "tp"))):
                    continue                       # "UBND thành phố Lạng Sơn" is the city, not the province
            elif pat.needs_name:
                continue
            elif pat.city_variant and not home_is_city:
                continue
            else:
                t = _UNIT_WORD.match(view, e, e + 12)
                if t and pat.province_scope and not view[s:e].endswith("tinh"):
                    e += t.end() - t.start()
        out.append(_Cand(s, e, pat.kind, prov, None, explicit))
    for m in districts:        # _district_regex().finditer(view)
        words: list[str] = []
        pos = m.end() - 1
        while len(words) < 4:
            w = _CAP_NAME.match(text, pos)
            if not w or not w.group(1)[:1].isupper():
                break
            words.append(w.group(1))
            pos = w.end()
        if not words:
            continue
        unit_word = text[m.start("unit"):m.end("unit")]
        # the longest run of words that names a province makes it that province's UBND
        for k in range(len(words), 0, -1):
            p = province_by_name(" ".join(words[:k]))
            if p is not None and (p.is_city or unit_word.lower() != "thành phố"):
                if unit_word.lower() in ("thành phố", "tp") and p.is_city:
                    end = _end_of_words(text, m.end() - 1, k)
                    out.append(_Cand(m.start(), end, "ubnd-tinh", p, None, True))
                break
        else:
            end = _end_of_words(text, m.end() - 1, len(words))
            unit = f"{unit_word.lower() if unit_word.lower() != 'tp' else 'thành phố'} {' '.join(words)}"
            out.append(_Cand(m.start(), end, "ubnd-cap-huyen", home, unit))
    return out


def _end_of_words(text: str, pos: int, n: int) -> int:
    for _ in range(n):
        w = _CAP_NAME.match(text, pos)
        assert w is not None
        pos = w.end()
    return pos


@dataclass(frozen=True, slots=True)
class DocumentAgencies:
    """Every agency mention of one document, found once (:func:`document_agencies`), with
    the document's match view: the per-task role rules slice it instead of searching again."""

    text: str
    view: str
    province: str | None
    mentions: tuple[AgencyMention, ...]
    starts: tuple[int, ...]
    #: :func:`vbgraph.ingest.gazetteer._squeeze` of ``view`` when the agency scan made it (a
    #: long view): :func:`cue_starts` reads it
    squeezed: tuple[str, Any] | None = field(default=None, compare=False, repr=False)
    #: :func:`cue_starts` of ``view`` from 0, when the joint scan (:func:`_joint_scanner`)
    #: read the view for the agency scan: the role cues' share of that scan
    cue_starts: tuple[int, ...] | None = field(default=None, compare=False, repr=False)

    def between(self, start: int, end: int) -> list[AgencyMention]:
        """The mentions inside ``[start, end)``, in order."""
        i, j = self._bounds(start, end)
        return list(self.mentions[i:j])

    def _bounds(self, start: int, end: int) -> tuple[int, int]:
        """``(i, j)``: ``mentions[i:j]`` are the mentions inside ``[start, end)``. Mentions are
        disjoint and sorted, so their ends ascend too: of those starting in the range only the
        last can end past it."""
        i = bisect.bisect_left(self.starts, start)
        j = bisect.bisect_left(self.starts, end, i)
        if j > i and self.mentions[j - 1].end > end:
            j -= 1
        return i, j


_OPEN_BRACKET = re.compile(r"\s*\(\s*")


def _by_priority(c: _Cand) -> tuple[int, int, bool]:
    """The longest candidate first, then the leftmost, a named district unit last."""
    return (c.start - c.end, c.start, c.kind == "ubnd-cap-huyen")


def _disjoint(cands: list[_Cand]) -> list[_Cand]:
    """The candidates kept, by start: greedily in :func:`_by_priority` order (ties in the
    given order), each one that overlaps none kept before it.

    A candidate can only clash with one of its own cluster (the candidates chained to it by
    overlaps), so each cluster is settled on its own, and a lone candidate (most of them) is
    kept without a sort or a search: the same choice as one greedy pass over all. (Every
    candidate holds at least one character: kept ones never share a start.)"""
    cands.sort(key=_START)                  # stable: ties keep the given order
    taken: list[_Cand] = []
    n = len(cands)
    k = 0
    while k < n:
        first = cands[k]
        reach = first.end
        m = k + 1
        while m < n and cands[m].start < reach:     # overlaps the cluster so far
            reach = max(reach, cands[m].end)
            m += 1
        if m == k + 1:
            taken.append(first)
        else:
            kept: list[_Cand] = []
            spans = DisjointSpans()
            for c in sorted(cands[k:m], key=_by_priority):
                if not spans.overlaps(c.start, c.end):
                    spans.add(c.start, c.end)
                    kept.append(c)
            kept.sort(key=_START)
            taken += kept
        k = m
    return taken


_START = operator.itemgetter(0)          # a candidate's start (NamedTuple field 0)


def _all_mentions(text: str, view: str, province: str | None,
                  hits: list[tuple[int, re.Match[str]]] | None = None) -> tuple[AgencyMention, ...]:
    home = _resolve_province(province)
    taken = _disjoint(_candidates(text, view, home, hits))
    out: list[AgencyMention] = []
    # per (kind, province object, unit): make_agency's cache hashes the Province record's
    # fields at each call; the candidates of one document share a few province objects
    made: dict[tuple[str, int, str | None], Agency] = {}
    for c in taken:
        # "Ban Điều phối viện trợ nhân dân (PACCOM)": the bracketed abbreviation is the same mention
        if out and out[-1].agency.kind == c.kind and _OPEN_BRACKET.fullmatch(text, out[-1].end, c.start):
            continue
        key = (c.kind, id(c.province), c.unit)
        agency = made.get(key)
        if agency is None:
            agency = made[key] = make_agency(c.kind, c.province, c.unit)
        out.append(AgencyMention(agency, c.start, c.end, text[c.start:c.end]))
    return tuple(out)


def document_agencies(text: str, province: str | None, *, view: str | None = None) -> DocumentAgencies:
    """Every agency named in ``text`` (a whole NFC document), for :func:`roles_for_task`.

    A long view is read once by :func:`_joint_scanner` for the agency index, the role cues and
    the locality index together: the agency scan and the cue starts (kept in the result) take
    their shares of it, and :func:`~vbgraph.ingest.localities.find_localities` of the same view
    takes its own while the scan is remembered."""
    view = match_view(text) if view is None else view
    squeezed: tuple[str, Any] | None = None
    starts: tuple[int, ...] | None = None
    if len(view) >= gazetteer._SQUEEZE_MIN_LENGTH:
        joint = _joint_scanner()
        if joint is not None:
            squeezed = gazetteer._squeeze(view)
            joint.scan(squeezed[0])
    mentions = _all_mentions(text, view, province)
    if squeezed is not None:
        scanner = _cue_scanner()
        assert scanner is not None                  # a member of the joint scan
        starts = _cue_starts_scanned(squeezed, scanner, 0)
    elif len(view) >= gazetteer._SQUEEZE_MIN_LENGTH and _cue_scanner() is not None:
        # the agency scan squeezed a long view (remembered: no second pass); the cue starts read it
        squeezed = gazetteer._squeeze(view)
    return DocumentAgencies(text, view, province, mentions, tuple(m.start for m in mentions), squeezed,
                            starts)


@lru_cache(maxsize=1)
def _joint_scanner() -> gazetteer.JointScanner | None:
    """One :class:`~vbgraph.ingest.gazetteer.JointScanner` for the agency index
    (:func:`pattern_index`), the role cues (:func:`_cue_scanner`) and the locality index
    (:func:`~vbgraph.ingest.localities.surface_index`), which all read a document's view;
    None when one of them has no native scanner (or they differ in backend)."""
    members = [pattern_index().scanner, _cue_scanner(), surface_index().scanner]
    scanners = [m for m in members if m is not None]
    if len(scanners) < len(members) or len({m.backend for m in scanners}) != 1:
        return None
    return gazetteer.JointScanner(scanners)


def find_agencies(text: str, province: str | None, start: int = 0,
                  end: int | None = None) -> list[AgencyMention]:
    """Every agency named in ``text[start:end]`` (offsets into the whole NFC ``text``), in
    order. ``province`` is the plan's province, used for provincial bodies named without one."""
    end = len(text) if end is None else end
    return document_agencies(text, province).between(start, end)


# -- headings and issuers ----------------------------------------------------------------------
@lru_cache(maxsize=4096)
def agency_heading(heading_text: str, province: str | None) -> Agency | None:
    """The agency an assignment-block heading names (``8. Sở Văn hóa và Thể thao``,
    ``17. Đề nghị Đại học Huế …``, ``1. Sở Ngoại vụ: Chủ trì …``), else None. A heading that
    starts with a plural (``Các sở, ban, ngành; UBND các huyện …``) names the collective of
    district People's Committees if it lists it, else nothing (generic collectives).

    Memoised (a pure function of its arguments; :class:`Agency` is immutable): plans of one
    province repeat their assignment headings (``Sở Ngoại vụ``, ``Công an tỉnh`` …), and each
    one otherwise runs the whole candidate machinery on its own text."""
    return _agency_heading(heading_text, province)


def _agency_heading(heading_text: str, province: str | None) -> Agency | None:
    """:func:`agency_heading`, not memoised."""
    heading = nfc(heading_text)
    heading = heading.split(":", 1)[0]
    strip_rx, collective_rx = _heading_regexes()
    strip = strip_rx.match(heading)
    body_start = strip.end() if strip else 0
    view = match_view(heading)
    hits = pattern_index().matches(view)
    if not hits:
        return None                     # no agency name stands in it
    # the heading's mentions (``document_agencies(heading, province, view=view)``), from the
    # matches found once
    mentions = _all_mentions(heading, view, province, hits)
    if collective_rx.match(view[body_start:]):
        for m in mentions:
            if _kind_index()[m.agency.kind].scope == "collective":
                return m.agency
        return None
    for m in mentions:
        if m.start >= body_start and not view[body_start:m.start].strip():
            return m.agency
    return None


@lru_cache(maxsize=1)
def _heading_regexes() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """``heading_strip_regex`` (case-insensitive) and ``collective_heading_regex``, compiled."""
    return (re.compile(_data()["heading_strip_regex"], re.IGNORECASE),
            re.compile(_data()["collective_heading_regex"]))


def issuer_agency(issuer: str, province: str | None) -> Agency | None:
    """``Ủy ban nhân dân tỉnh Kiên Giang`` / ``UBND tỉnh`` / ``Bộ Chính trị`` → its Agency."""
    issuer = nfc(" ".join(issuer.split()))
    mentions = find_agencies(issuer, province)
    if not mentions:
        return None
    return max(mentions, key=lambda m: (m.end - m.start, -m.start)).agency


# -- roles --------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _cue_regexes() -> dict[str, WordStartRegex]:
    cues = _data()["role_cues"]
    return {role: WordStartRegex("(?:" + "|".join(c.replace(" ", r"\s+") for c in items) + ")" + _LA,
                                 _GUARD)
            for role, items in cues.items()}


@lru_cache(maxsize=1)
def _cue_prefixes() -> frozenset[str] | None:
    """The literal openings of every cue regex (:func:`~vbgraph.ingest.gazetteer.literal_prefixes`,
    words joined by single spaces); None when a cue regex has none."""
    openings: set[str] = set()
    for items in _data()["role_cues"].values():
        found = literal_prefixes("(?:" + "|".join(c.replace(" ", r"\s+") for c in items) + ")" + _LA)
        if found is None:
            return None
        openings |= found
    return frozenset(openings)


@lru_cache(maxsize=1)
def _cue_start_regex() -> re.Pattern[str] | None:
    """Where a role cue of any role can start, in one scan: the literal openings of every
    cue regex (:func:`_cue_prefixes`) at a word start, only the first character consumed
    (overlapping starts all reported). None when a cue regex has no literal opening (then
    every task is scanned role by role)."""
    openings = _cue_prefixes()
    if openings is None:
        return None
    return re.compile(trie_regex((p.split(" ") for p in openings), end="", guard=_GUARD, lookahead=True))


def cue_starts(view: str, pos: int = 0,
               squeezed: tuple[str, Any] | None = None) -> tuple[int, ...] | None:
    """Offsets of ``view`` (a whole document's match view) from ``pos`` on where a role cue
    may start: every such offset where one of the cue regexes matches is among them (it may
    match there only when the scan is bounded, as a task's is). None: no such shortcut (see
    :func:`_cue_start_regex`). ``squeezed``: :func:`vbgraph.ingest.gazetteer._squeeze` of
    ``view``, when the caller has it: then one Aho-Corasick pass over it finds them
    (:func:`_cue_starts_scanned`), the same offsets as the regex scan."""
    rx = _cue_start_regex()
    if rx is None:
        return None
    if squeezed is not None:
        scanner = _cue_scanner()
        if scanner is not None:
            return _cue_starts_scanned(squeezed, scanner, pos)
    return tuple(m.start() for m in rx.finditer(view, pos))


@lru_cache(maxsize=1)
def _cue_openings() -> frozenset[str] | None:
    """:func:`_cue_prefixes` when every one is plain words (what the squeeze keeps as it is),
    else None."""
    openings = _cue_prefixes()
    if openings is None or not all(_PLAIN_OPENING.fullmatch(o) for o in openings):
        return None
    return openings


@lru_cache(maxsize=3)
def _cue_scanner(backend: str | None = None) -> gazetteer._KeyScanner | None:
    """The gazetteer's native key scanner over a squeezed view
    (:func:`~vbgraph.ingest.gazetteer._squeeze`) for the literal openings of every cue regex,
    each after a lead (a space or ``\x01``: what stands in the squeezed view where the
    character before a word start is not ``[a-z0-9/]``, or at its start). None without a native
    scanner or plain openings. ``backend``: ``"rs"`` or ``"py"``, the gazetteer's default
    (``gazetteer._BACKEND``) when None."""
    backend = gazetteer._BACKEND if backend is None else backend
    openings = _cue_openings()
    if backend is None or openings is None:
        return None
    keys: dict[str, tuple[int, ...]] = {lead + opening: () for opening in sorted(openings)
                                        for lead in (" ", "\x01")}
    return gazetteer._KeyScanner(keys, backend)


_PLAIN_OPENING = re.compile(r"[a-z]+(?: [a-z]+)*")


def _cue_starts_scanned(squeezed: tuple[str, Any], scanner: gazetteer._KeyScanner,
                        pos: int) -> tuple[int, ...]:
    """:func:`cue_starts` by one pass of :func:`_cue_scanner` over the squeezed view: a key
    found at ``start`` (its lead) is an opening at ``start + 1`` of the squeezed text, the view
    offset ``offsets[start]``. In the squeezed view a whitespace run is one space standing
    where it starts and a word character stays itself, so an opening (words joined by single
    spaces) after a lead stands there exactly where the trie regex of :func:`_cue_start_regex`
    matches in the view."""
    text, offsets = squeezed
    leads = sorted(set(scanner.hits(text)[0]))
    if not leads:
        return ()
    found: list[int] = offsets[leads].tolist()
    if pos:
        found = found[bisect.bisect_left(found, pos):]
    return tuple(found)


@lru_cache(maxsize=1)
def _cue_roles_by_char() -> dict[str, tuple[str, ...]]:
    """Per character a role cue can open with (the first of one of its literal openings), the
    roles whose cues can (in ``_cue_regexes`` order). Only used with :func:`cue_starts`, which
    exists only when every cue regex has literal openings."""
    by_char: dict[str, set[str]] = {}
    for role, items in _data()["role_cues"].items():
        for opening in literal_prefixes("(?:" + "|".join(c.replace(" ", r"\s+") for c in items) + ")" + _LA) or ():
            by_char.setdefault(opening[0], set()).add(role)
    order = list(_cue_regexes())
    return {ch: tuple(r for r in order if r in roles) for ch, roles in by_char.items()}


def _scan_roles(view: str, starts: tuple[int, ...], lo: int, hi: int) -> list[tuple[str, list[re.Match[str]]]]:
    """Per role (``_cue_regexes`` order), ``list(rx.finditer(view, lo, hi))``, trying only the
    offsets of ``starts`` (ascending, a superset of where a cue can match) in ``[lo, hi)``,
    each with the regexes of the roles whose cues can open with the character there."""
    cue_rx = _cue_regexes()
    by_char = _cue_roles_by_char()
    hits: dict[str, list[re.Match[str]]] = {role: [] for role in cue_rx}
    last = dict.fromkeys(cue_rx, lo)
    i = bisect.bisect_left(starts, lo)
    j = bisect.bisect_left(starts, hi, i)
    for k in range(i, j):
        q = starts[k]
        for role in by_char.get(view[q], ()):
            if q < last[role]:
                continue
            m = cue_rx[role].exact.match(view, q, hi)
            if m is not None:
                hits[role].append(m)
                last[role] = max(m.end(), q + 1)
    return list(hits.items())


@lru_cache(maxsize=1)
def _stop_regex() -> WordStartRegex:
    stops = sorted(_data()["partner_list_stops"], key=len, reverse=True)
    return WordStartRegex("(?:" + "|".join(s.replace(" ", r"\s+") for s in stops) + ")" + _LA, _GUARD)


#: ``[.;:!?](?=\s)|\n(?=…)`` with the class spelled as literals, each with its own look-ahead:
#: the same matches, and the engine tries the look-ahead only after those characters
_CLAUSE_BREAK = re.compile(r"\.(?=\s)|;(?=\s)|:(?=\s)|!(?=\s)|\?(?=\s)|\n(?=\s*(?:[-+•]\s|[a-zđ]\)\s|\d+\.\s))")
_ITEM_MARK = re.compile(r"^\s*(?:[a-zđ]\)|\d+(?:\.\d+)*[.)]?|[-+•*])?\s*", re.IGNORECASE)


class _Cue(NamedTuple):
    """A role cue in its clause (internal: a NamedTuple, built in C)."""

    role: str          # lead | cooperate | request
    start: int
    end: int
    clause_start: int
    clause_end: int


def _clauses(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, pos = [], start
    for m in _CLAUSE_BREAK.finditer(text, start, end):
        out.append((pos, m.end()))
        pos = m.end()
    out.append((pos, end))
    return out


def _cue(role: str, m: re.Match[str], view: str, c0: int, c1: int) -> _Cue | None:
    if role == "request" and _ITEM_MARK.sub("", view[c0:m.start()], count=1).strip():
        return None        # "đề nghị"/"giao" counts only at the opening of its clause
    return _Cue(role, m.start(), m.end(), c0, c1)


_VIEW_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")


def _never_opens(text: str, view: str, start: int, m: re.Match[str]) -> bool:
    """Whether the request cue ``m`` (of a task starting at ``start``) surely does not open
    its clause, so that :func:`_cue` drops it whatever the clauses: it is one word (so within
    one clause) and, past whitespace only, a letter precedes it inside the task. No clause
    break lies between (a break is a punctuation mark, or a line break before an item marker,
    and the cue's word is none), so the letter is in the cue's clause before it, and no item
    marker ends with a letter."""
    if not m.group().isalpha():
        return False
    head = text[start:m.start()].rstrip()
    return bool(head) and view[start + len(head) - 1] in _VIEW_LETTERS


def _find_cues(text: str, view: str, start: int, end: int,
               starts: tuple[int, ...] | None = None) -> list[_Cue]:
    """Role cues of ``text[start:end]``, each within its clause, in order.

    One scan per role over the task; only when a cue runs across a clause break is each
    clause scanned on its own (the cues a clause-by-clause scan finds, in the same order).
    The clause breaks are read only up to the end of the clause holding the last hit (the
    later ones bound no hit).
    ``starts``: :func:`cue_starts` of the document's view, when the caller has it: a task
    without any of them holds no cue, and only they are tried."""
    cue_rx = _cue_regexes()
    if starts is not None:
        i = bisect.bisect_left(starts, start)
        if i == len(starts) or starts[i] >= end:
            return []                   # no cue can start in the task
        found = _scan_roles(view, starts, start, end)
    else:
        found = [(role, list(rx.finditer(view, start, end))) for role, rx in cue_rx.items()]
    if not any(hits for _role, hits in found):
        return []                       # no cue at all: the clauses are not needed
    if all(role == "request" and all(_never_opens(text, view, start, m) for m in hits)
           for role, hits in found if hits):
        return []                       # only "giao" in "ngoại giao" …: the clauses are not needed
    # _clauses(text, start, end), as the clause starts and ends, up to the clause of the last
    # hit: the breaks after it are needed only when a cue crosses a break (below)
    last = max(m.start() for _role, hits in found for m in hits)
    clause_starts = [start]
    clause_ends: list[int] = []
    for b in _CLAUSE_BREAK.finditer(text, start, end):
        clause_ends.append(b.end())
        if b.end() > last:
            break                       # the last hit's clause ends here
        clause_starts.append(b.end())
    else:
        clause_ends.append(end)
    cues: list[_Cue] = []
    crossed = False
    for role, hits in found:
        for m in hits:
            k = bisect.bisect_right(clause_starts, m.start()) - 1
            c0, c1 = clause_starts[k], clause_ends[k]
            if m.end() > c1:
                crossed = True
                break
            cue = _cue(role, m, view, c0, c1)
            if cue is not None:
                cues.append(cue)
        if crossed:
            break
    if crossed:
        cues = []
        breaks = [b.end() for b in _CLAUSE_BREAK.finditer(text, start, end)]
        for c0, c1 in zip([start, *breaks], [*breaks, end]):
            clause_hits = ([(role, list(rx.finditer(view, c0, c1))) for role, rx in cue_rx.items()]
                           if starts is None else _scan_roles(view, starts, c0, c1))
            for role, in_clause in clause_hits:
                for m in in_clause:
                    cue = _cue(role, m, view, c0, c1)
                    if cue is not None:
                        cues.append(cue)
    cues.sort(key=lambda c: c.start)
    return cues


def _subject(view: str, mentions: list[AgencyMention], cue: _Cue,
             consumed: set[int] | frozenset[int] = frozenset(),
             starts: list[int] | None = None) -> list[AgencyMention]:
    """The agencies written just before ``cue`` in its clause (``Sở A, Sở B chủ trì …``).
    ``mentions`` are disjoint and sorted; ``starts`` their start offsets (found by bisection,
    so a clause with many mentions costs the chain's length, not the clause's)."""
    gap_ok = _gap_regexes()[0]
    if starts is None:
        starts = [m.start for m in mentions]
    lo = bisect.bisect_left(starts, cue.clause_start)
    chain: list[AgencyMention] = []
    pos = cue.start
    for i in range(bisect.bisect_left(starts, cue.start) - 1, lo - 1, -1):
        m = mentions[i]
        if m.end > cue.start:
            continue
        if m.start in consumed:          # already a partner of an earlier "phối hợp với"
            break
        if not gap_ok.match(view[m.end:pos]):
            break
        chain.insert(0, m)
        pos = m.start
    # "tham mưu giúp UBND tỉnh phối hợp …": an advised / reported-to body is no subject
    if chain and _advised(view, cue.clause_start, chain[0].start):
        return []
    return chain


def _advised(view: str, start: int, end: int) -> bool:
    """Whether ``view[start:end]`` ends with an object marker (``tham mưu``, ``gửi`` …, then
    whitespace only): ``object_markers_regex`` searched in it. When that regex is a plain word
    list (:func:`_object_marker_words`), the same by ``str.endswith`` after the trailing
    whitespace (every marker ends with a letter, so a match ends where the whitespace starts:
    no search over the slice)."""
    words = _object_marker_words()
    if words is None:
        return _gap_regexes()[1].search(view[start:end]) is not None
    while end > start and view[end - 1].isspace():      # what ``\s`` matches
        end -= 1
    return view.endswith(words, start, end)


@lru_cache(maxsize=1)
def _object_marker_words() -> tuple[str, ...] | None:
    r"""The words of ``object_markers_regex`` when it reads ``(?:w|w …)\s*$`` with plain
    words (letters, single inner spaces), else None."""
    m = re.fullmatch(r"\(\?:([a-z]+(?: [a-z]+)*(?:\|[a-z]+(?: [a-z]+)*)*)\)\\s\*\$",
                     _data()["object_markers_regex"])
    return tuple(m.group(1).split("|")) if m is not None else None


@lru_cache(maxsize=1)
def _gap_regexes() -> tuple[re.Pattern[str], re.Pattern[str]]:
    return re.compile(_data()["subject_gap_regex"]), re.compile(_data()["object_markers_regex"])


def _list_after(view: str, mentions: list[AgencyMention], cue: _Cue,
                starts: list[int] | None = None, limit: int | None = None) -> list[AgencyMention]:
    """The agencies listed after ``cue`` up to a stop word (``phối hợp với Sở A, Sở B để …``),
    and never past ``limit`` (where the next role cue of the clause starts)."""
    if starts is None:
        starts = [m.start for m in mentions]
    first = bisect.bisect_left(starts, cue.end)
    stop_at = cue.clause_end if limit is None else min(cue.clause_end, limit)
    for s in _stop_regex().finditer(view, cue.end, stop_at):
        k = bisect.bisect_right(starts, s.start()) - 1      # the mention that may hold it
        inside = (k >= first and mentions[k].start <= s.start() < mentions[k].end
                  and mentions[k].end <= cue.clause_end)
        if not inside:
            stop_at = s.start()
            break
    out: list[AgencyMention] = []
    for m in mentions[first:bisect.bisect_left(starts, stop_at, first)]:
        if m.end <= stop_at:
            out.append(m)
    return out


def _opens(view: str, cue: _Cue) -> bool:
    """Only item markers and adverbs (Thường xuyên, Chủ động …) precede the cue in its clause."""
    head = view[cue.clause_start:cue.start]
    head = _ITEM_MARK.sub("", head, count=1)
    words = head.replace(",", " ").split()
    mods = _data()["opening_modifiers"]
    i = 0
    while i < len(words):
        for mod in mods:
            n = len(mod.split())
            if words[i:i + n] == mod.split():
                i += n
                break
        else:
            return False
    return True


def _eligible_lead(kind_id: str) -> bool:
    return _kind_index()[kind_id].scope in ("province", "named", "district")


def roles_for_task(text: str, start: int, end: int, province: str | None,
                   heading: Agency | None, *, document: DocumentAgencies | None = None,
                   starts: tuple[int, ...] | None = None,
                   ) -> tuple[tuple[Agency, ...], tuple[Agency, ...]]:
    """``(lead, cooperate)`` for the task ``text[start:end]``; ``heading`` is the agency of the
    assignment block the task sits in (None outside blocks). See the module doc for the rules.
    ``document``: :func:`document_agencies` of ``text`` and ``province``, found once per
    document by the caller (else found here); ``starts``: :func:`cue_starts` of its view
    (used only with that ``document``)."""
    if document is None or document.text is not text or document.province != province:
        document = document_agencies(text, province)
        starts = None
    view = document.view
    cues = _find_cues(text, view, start, end, starts)
    if not cues:                        # no role cue: the block's heading agency leads
        return ((heading,) if heading is not None else ()), ()
    i, j = document._bounds(start, end)
    mentions = list(document.mentions[i:j])           # document.between(start, end)
    # a cue inside an agency name is no cue ("Ban Quản lý …", "… cơ quan thường trực …" names)
    mention_starts = list(document.starts[i:j])       # disjoint, sorted: bisection finds the holder

    def in_name(pos: int) -> bool:
        k = bisect.bisect_right(mention_starts, pos) - 1
        return k >= 0 and mentions[k].start <= pos < mentions[k].end

    cues = [c for c in cues if not in_name(c.start)]
    if len(cues) > 1:
        # drop a shorter cue overlapping a longer one ("là cơ quan đầu mối" / "cơ quan đầu mối")
        kept: list[_Cue] = []
        taken = DisjointSpans()
        for c in sorted(cues, key=lambda c: (-(c.end - c.start), c.start)):
            if not taken.overlaps(c.start, c.end):
                kept.append(c)
                taken.add(c.start, c.end)
        cues = sorted(kept, key=lambda c: c.start)

    lead: list[Agency] = []
    coop: list[Agency] = []
    explicit_lead = False
    subjectless_lead = False
    first = cues[0] if cues else None
    opening_partner_rule = False
    consumed: set[int] = set()
    next_start = [c.start for c in cues[1:]] + [end]
    for cue, limit in zip(cues, next_start):
        if cue.role == "request":
            named = _list_after(view, mentions, cue, mention_starts, limit)
            lead += [m.agency for m in named]
            explicit_lead |= bool(named)
        elif cue.role == "lead":
            subj = _subject(view, mentions, cue, consumed, mention_starts)
            if subj:
                lead += [m.agency for m in subj]
                explicit_lead = True
            else:
                subjectless_lead = True
        else:
            partners = _list_after(view, mentions, cue, mention_starts, limit)
            subj = _subject(view, mentions, cue, consumed, mention_starts)
            consumed.update(m.start for m in partners)
            doer = [m.agency for m in subj] or ([heading] if heading and cue is first and _opens(view, cue) else [])
            eligible = [m.agency for m in partners if _eligible_lead(m.agency.kind)]
            if cue is first and doer and eligible:
                opening_partner_rule = True
                lead.append(eligible[0])
                coop += doer
                coop += [m.agency for m in partners if m.agency != eligible[0]]
            else:
                coop += [m.agency for m in subj]
                coop += [m.agency for m in partners]
    if heading is not None and not opening_partner_rule:
        if subjectless_lead and not explicit_lead:
            lead.insert(0, heading)
        elif not lead:
            lead.insert(0, heading)
    lead_out = tuple(dict.fromkeys(lead))
    coop_out = tuple(a for a in dict.fromkeys(coop) if a not in lead_out)
    return lead_out, coop_out


class TaskRoles:
    """:func:`roles_for_task` for the tasks of one document: the document's agency mentions
    (``document``) and where its role cues may start (:func:`cue_starts`, found once, from
    the first task on: tasks come in document order) are shared by every task. Call it as
    ``roles(text, start, end, heading)``."""

    __slots__ = ("document", "_starts", "_from")

    def __init__(self, document: DocumentAgencies):
        self.document = document
        self._starts: tuple[int, ...] | None = None
        self._from: int | None = None          # where the scan for cue starts began

    def starts(self, start: int) -> tuple[int, ...] | None:
        """The cue starts of the document, at least from ``start`` on."""
        if self.document.cue_starts is not None:
            return self.document.cue_starts        # found with the agency scan, from 0 on
        if self._from is None or start < self._from:
            self._starts = cue_starts(self.document.view, start, self.document.squeezed)
            self._from = start
        return self._starts

    def __call__(self, text: str, start: int, end: int,
                 heading: Agency | None) -> tuple[tuple[Agency, ...], tuple[Agency, ...]]:
        document = self.document
        starts = None
        if text is document.text:
            starts = self.starts(start)
            i = bisect.bisect_left(starts, start) if starts is not None else -1
            if starts is not None and (i == len(starts) or starts[i] >= end):
                # no role cue can start in the task: the block's heading agency leads
                return ((heading,) if heading is not None else ()), ()
        return roles_for_task(text, start, end, document.province, heading,
                              document=document, starts=starts)


def agencies_by_id(mentions: list[AgencyMention]) -> Mapping[str, Agency]:
    return {m.agency.id: m.agency for m in mentions}

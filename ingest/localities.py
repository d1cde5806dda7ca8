"""Foreign countries/localities and Vietnamese places a plan names.

Data: the province table (``ingest/provinces.py``) and ``ingest/data/localities.json``
(countries, foreign localities with their country, Vietnamese places of activity, partnership
cues). The gazetteer is matched in one scan (:class:`~vbgraph.ingest.gazetteer.PhraseIndex`).

Matching works on a *view* of the text (:func:`match_view`): :func:`~vbgraph.ingest.text.fold`
(lower case, no diacritics, 1:1 with the NFC text) with ``- – — & , .`` turned into spaces, so
offsets found in the view are offsets in the document, ``hòa``/``hoà``/``hoa`` are the same word,
and names wrapped over lines (``Sê\\nKông``) still match. A document's candidates are read off
the index's automaton hits (:func:`_candidates`, :meth:`PhraseIndex.spans`: a surface's words
between word boundaries, its end read off the view, no regex run), then guarded (case, words
around the name: :func:`_guards_ok`, which reads those words directly) and taken longest first.

Relation rule (one :class:`Locality` per locality per document): a mention is a *partner* when
its sentence states a relationship (``partner_cues``: kết nghĩa, quan hệ hữu nghị, hợp tác hữu
nghị, quan hệ hợp tác, thỏa thuận … đã ký, bản ghi nhớ, quan hệ đối ngoại …) and no prospective
cue (nghiên cứu, thiết lập, tìm kiếm, mở rộng quan hệ …) stands between the start of its clause
(``;``-delimited) and the name; otherwise it is a *mention*. Partner wins over mention; the
record keeps the first mention supporting its relation (so the later mentions of a locality
already a partner are not read). Vietnamese places are always mentions
(they are where the province acts, not partners); the home province itself is not a locality.
"""
from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

from ..ontology.records import Locality
from ..ontology.vocab import LocalityKind, LocalityRelation
from .gazetteer import (
    _VIEW_WORD_CHARS, LA, LB, DisjointSpans, PhraseIndex, WordStartRegex, match_view, phrase_regex,
    phrase_sequences, trie_regex,
)
from .provinces import Province, load_provinces, province_by_name, province_id
from .text import canonical_tones, nfc, slugify

__all__ = [
    "GazetteerEntry", "Province", "find_localities", "load_provinces", "locality_entries",
    "match_view", "phrase_regex", "province_by_name", "province_id", "slugify",
]

DATA = Path(__file__).parent / "data"
#: enum members read per mention (compiled: a constant, not an attribute lookup on the class)
_COUNTRY: Final = LocalityKind.COUNTRY
_VIETNAMESE_PLACE: Final = LocalityKind.VIETNAMESE_PLACE
_PARTNER: Final = LocalityRelation.PARTNER
_MENTION: Final = LocalityRelation.MENTION
_LB = LB
_LA = LA


_LETTER_WORD = re.compile(r"[^\W\d_]+")


def words_with_case(original: str) -> list[str]:
    return _LETTER_WORD.findall(original)


# -- provinces (one table: ``ingest/provinces.py``) ---------------------------------------------
@lru_cache(maxsize=1)
def province_name_regex() -> re.Pattern[str]:
    """``(?P<prefix>…)? (?P<name>…)`` right after an agency name (on the view)."""
    bare: set[tuple[str, ...]] = set()
    prefixed: set[tuple[str, ...]] = set()
    for p in load_provinces():
        for name in (p.name, *p.aliases):
            seqs = phrase_sequences(name, optional_va=False)
            if p.bare_name:
                bare |= seqs
            prefixed |= seqs
    # one trie per group: the longest name that fits (as the longest-first alternation did)
    alt_b, alt_p = trie_regex(bare, end=""), trie_regex(prefixed, end="")
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


@lru_cache(maxsize=1)
def _surfaces() -> tuple[_Surface, ...]:
    out = []
    for e in locality_entries():
        for written in (e.name, *e.aliases):
            out.append(_Surface(e, written, _surface_regex(written)))
    for written in _raw()["not_foreign"]:
        out.append(_Surface(None, written, _surface_regex(written)))
    return tuple(out)


def _surface_regex(written: str) -> re.Pattern[str]:
    return re.compile(_LB + phrase_regex(written, optional_va=False) + _LA)


@lru_cache(maxsize=1)
def surface_index() -> PhraseIndex:
    """Every surface of the gazetteer (and the blockers) in one :class:`PhraseIndex`."""
    return PhraseIndex([(s.regex, phrase_sequences(s.written, optional_va=False))
                        for s in _surfaces()])


@lru_cache(maxsize=1)
def foreign_name_regex() -> re.Pattern[str]:
    """Names of foreign countries/localities (view regex), to tell ``Bộ Chỉ huy Quân sự tỉnh
    Salavan`` from a Vietnamese agency."""
    names = trie_regex(seq for e in locality_entries() if e.kind is not LocalityKind.VIETNAMESE_PLACE
                       for w in (e.name, *e.aliases) for seq in phrase_sequences(w, optional_va=False))
    return re.compile(rf"\s+(?:(?:tinh|thanh\s+pho|tp|nuoc|cua)\s+)?\(?\s*{names}")


@lru_cache(maxsize=4096)
def _capitalised(written: str) -> tuple[bool, ...]:
    """Per word of a gazetteer surface: is it written capitalised (asked per mention)."""
    return tuple(w[:1].isupper() for w in words_with_case(written))


@lru_cache(maxsize=4096)
def _canonical_name(name: str) -> str:
    """``canonical_tones`` of a name (a gazetteer surface, or one as a text writes it: short,
    and the same few recur)."""
    return canonical_tones(name)


@lru_cache(maxsize=8192)
def _case_ok(written: str, original: str) -> bool:
    """Whether ``original`` (a mention as the text writes it) is capitalised where the surface
    ``written`` is (pure; the same few names recur in every document: remembered)."""
    want = _capitalised(written)
    got = words_with_case(original)
    if len(want) != len(got):
        return bool(got) and got[0][:1].isupper()
    return all(not w or g[:1].isupper() for w, g in zip(want, got))


#: ``[ \t]``, as a literal for ``in`` tests (``_VIEW_WORD_CHARS``: ``[a-z0-9]``, a word
#: character of the view)
_BLANKS: Final = " \t"


def _is_letter(ch: str) -> bool:
    r"""``[^\W\d_]`` of ``re`` (a str pattern): alphanumeric, not a decimal digit."""
    return ch.isalnum() and not ch.isdecimal()


def _last_view_word(view: str, lo: int, hi: int) -> str | None:
    """The last ``[a-z0-9]+`` run of ``view[lo:hi]`` (``findall``'s last, as the tests check),
    None when there is none; read backwards from ``hi``."""
    j = hi
    while j > lo and view[j - 1] not in _VIEW_WORD_CHARS:
        j -= 1
    if j == lo:
        return None
    k = j - 1
    while k > lo and view[k - 1] in _VIEW_WORD_CHARS:
        k -= 1
    return view[k:j]


def _word_before(text: str, lo: int, hi: int) -> str | None:
    r"""``group(1)`` of ``([^\W\d_]+)[ \t]+$`` searched in ``text[lo:hi]`` (None: no match),
    without the slice or the engine: ``$`` stands at the end or before a final line break,
    the blanks are the whole run before it, and the leftmost match takes the whole run of
    letters before them (cut at ``lo``)."""
    if hi <= lo:
        return None
    e = hi
    last = text[hi - 1]
    if last == "\n":
        e = hi - 1
    elif last not in _BLANKS:
        return None
    k = e
    while k > lo and text[k - 1] in _BLANKS:
        k -= 1
    if k == e:
        return None
    w = k
    while w > lo and _is_letter(text[w - 1]):
        w -= 1
    if w == k:
        return None
    return text[w:k]


def _capital_after(text: str, lo: int, hi: int) -> bool:
    r"""Whether ``^[ \t]+([^\W\d_]+)`` matches ``text[lo:hi]`` with a capital first letter."""
    i = lo
    hi = min(hi, len(text))
    while i < hi and text[i] in _BLANKS:
        i += 1
    if i == lo or i >= hi:
        return False
    ch = text[i]
    return _is_letter(ch) and ch.isupper()


@lru_cache(maxsize=256)
def _not_after_regex(words: tuple[str, ...]) -> re.Pattern[str]:
    """One of ``words`` right after a name (``not_after`` guards), compiled once."""
    return re.compile("|".join(r"\s+" + w.replace(" ", r"\s+") + _LA for w in words))


@lru_cache(maxsize=1)
def _guard_words() -> tuple[frozenset[str], frozenset[str]]:
    return frozenset(_raw()["not_before"]), frozenset(_raw()["direction_words"])


def _guards_ok(s: _Surface, text: str, view: str, start: int, end: int) -> bool:
    """The guards of a candidate: its case, then (countries) no ``not_before`` word as the
    last word of the 30 characters before it, the exact spelling, no ``not_after`` word
    after it, and (isolated names) no capitalised word right before (but a direction word)
    or right after it within 30 characters. The word tests read the text around the name
    directly (the plain code: a regex per test over a slice, kept in the tests as the
    oracle)."""
    e = s.entry
    original = text[start:end]
    if not _case_ok(s.written, original):
        return False
    if e is None:
        return True
    if e.kind is _COUNTRY:
        before = _last_view_word(view, max(0, start - 30), start)
        if before is not None and before in _guard_words()[0]:
            return False
    if e.exact and _canonical_name(" ".join(original.split())) != _canonical_name(s.written):
        return False
    if e.not_after and _not_after_regex(e.not_after).match(view, end, end + 30):
        return False
    if e.isolated:
        word = _word_before(text, max(0, start - 30), start)
        if word is not None and word[:1].isupper() and word not in _guard_words()[1]:
            return False
        if _capital_after(text, end, end + 30):
            return False
    return True


@dataclass(frozen=True, slots=True)
class _Hit:
    entry: GazetteerEntry
    start: int
    end: int

    def __init__(self, entry: GazetteerEntry, start: int, end: int) -> None:
        """The dataclass's ``__init__`` written out, storing the fields directly when compiled
        (see ``agencies.AgencyMention``: the record stays frozen)."""
        if _STORES_DIRECTLY:
            self.entry = entry  # type: ignore[misc]
            self.start = start  # type: ignore[misc]
            self.end = end  # type: ignore[misc]
            return
        set_ = object.__setattr__
        set_(self, "entry", entry)
        set_(self, "start", start)
        set_(self, "end", end)


def _probe() -> None:
    """A plain function: its type tells whether this module runs as bytecode."""


#: :class:`_Hit`'s ``__init__`` stores its fields directly (compiled only)
_STORES_DIRECTLY = type(_probe).__name__ != "function"


def _candidates(view: str) -> list[tuple[int, int, _Surface]]:
    """Every match of every surface regex as ``(start, end, surface)``, by surface, then
    offset (:meth:`PhraseIndex.spans`: a surface's match read off the view at the automaton's
    hits)."""
    surfaces = _surfaces()
    return [(start, end, surfaces[i]) for i, start, end in surface_index().spans(view)]


def _hits(text: str, view: str | None = None) -> list[_Hit]:
    view = match_view(text) if view is None else view
    cands = _candidates(view)
    # longest first; blockers take their span away from shorter names
    cands.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    taken = DisjointSpans()
    out: list[_Hit] = []
    for start, end, s in cands:
        if taken.overlaps(start, end):
            continue
        if not _guards_ok(s, text, view, start, end):
            continue
        taken.add(start, end)
        if s.entry is not None:
            out.append(_Hit(s.entry, start, end))
    out.sort(key=lambda h: h.start)
    return out


#: ``[.!?](?=\s)|\n\s*\n|\n(?=…)`` with the class spelled as literals: every branch then opens
#: with a literal and the engine skips to those characters in C (a class does not allow it)
_SENTENCE_END = re.compile(r"\.(?=\s)|!(?=\s)|\?(?=\s)|\n\s*\n|\n(?=\s*(?:[a-zđ]\)|\d+\.\s|[-+•]\s))")
_CLAUSE_END = re.compile(r";")
#: a window of text before a mention read to find where its sentence starts (grown if short)
_WINDOW = 256


class _Bounds:
    r"""The sentence and clause around an offset of one document, found near the offset: the
    same spans as the boundaries of the whole document give (``[.!?](?=\s)``, blank lines,
    a line break before an item; ``;`` for clauses), without finding them all.

    A boundary match is a single ``.!?`` or whitespace ending at a line break, and the engine
    tries every position. A mention opens with a letter or a digit, which no match holds: the
    next sentence end is the first match after it. Its sentence starts at the end of the last
    match before it, found in a window before it: a scan from inside a run of blank lines
    ends its match at the same line break as the document's own, and the one match a window
    can miss (begun before the window) matters only when the window holds no other, and then
    the window is widened, up to the start of the text. Any other offset falls back to all
    the document's boundaries (found once)."""

    def __init__(self, text: str):
        self.text = text
        self.length = len(text)
        self._all: tuple[list[int], list[int]] | None = None
        #: the last sentence found from a mention: no boundary match starts inside it, so
        #: every mention inside it has it as its sentence (mentions come in text order)
        self._last = (0, 0)

    def _boundaries(self) -> tuple[list[int], list[int]]:
        if self._all is None:
            found = list(_SENTENCE_END.finditer(self.text))
            self._all = [m.end() for m in found], [m.start() for m in found]
        return self._all

    def sentence(self, pos: int) -> tuple[int, int]:
        text = self.text
        if not 0 <= pos < self.length or text[pos].isspace() or text[pos] in ".!?":
            ends, starts = self._boundaries()
            i = bisect.bisect_right(ends, pos)
            j = bisect.bisect_left(starts, pos)
            return (ends[i - 1] if i else 0), (starts[j] if j < len(starts) else self.length)
        last = self._last
        if last[0] <= pos < last[1]:
            return last
        found = self._sentence(pos)
        self._last = found
        return found

    def _sentence(self, pos: int) -> tuple[int, int]:
        """:meth:`sentence` of a mention's offset (a character neither whitespace nor
        ``.!?``), found near it."""
        text = self.text
        after = _SENTENCE_END.search(text, pos)
        end = after.start() if after is not None else self.length
        window = _WINDOW
        w = pos
        while True:
            w = max(0, w - window)
            start = -1
            for m in _SENTENCE_END.finditer(text, w):
                if m.start() >= pos:
                    break
                start = m.end()
            if start >= 0:
                return start, end
            if w == 0:
                return 0, end
            window *= 4

    def clause_start(self, pos: int) -> int:
        if pos <= 0:
            return 0
        return self.text.rfind(";", 0, pos) + 1      # after the last ";" before it (or 0)


def _cue_source(items: Iterable[str]) -> str:
    """The view regex of a cue list, without its word-start look-behind (:data:`LB`)."""
    return "(?:" + "|".join(i.replace(" ", r"\s+") for i in items) + ")" + _LA


@lru_cache(maxsize=1)
def _cue_regexes() -> tuple[WordStartRegex, WordStartRegex]:
    """Partner and prospective cues: ``LB + _cue_source(cues)``, searched from their literal
    openings (a leading look-behind is otherwise tried at every position of a sentence)."""
    raw = _raw()
    guard = _LB[len("(?<!["):-len("])")]
    return (WordStartRegex(_cue_source(raw["partner_cues"]), guard),
            WordStartRegex(_cue_source(raw["prospective_cues"]), guard))


def _is_partner(bounds: _Bounds, view: str, hit: _Hit,
                cued: dict[tuple[int, int], bool] | None = None) -> bool:
    """``cued``: whether a sentence holds a partner cue, by its span (filled as sentences are
    read: the names of one sentence share the search)."""
    if hit.entry.kind is _VIETNAMESE_PLACE:
        return False
    partner, prospective = _cue_regexes()
    sentence = bounds.sentence(hit.start)
    s0, s1 = sentence
    if cued is None:
        has_cue = partner.search(view, s0, s1) is not None
    else:
        known = cued.get(sentence)
        if known is None:
            known = cued[sentence] = partner.search(view, s0, s1) is not None
        has_cue = known
    if not has_cue:
        return False
    c0 = bounds.clause_start(hit.start)
    return not prospective.search(view, max(c0, s0), hit.start)


def find_localities(text: str, section_at: Callable[[int], str],
                    home_province: str | None, *, view: str | None = None) -> tuple[Locality, ...]:
    """Countries, foreign localities and Vietnamese places named in ``text`` (whole NFC
    document), one record per locality, in order of first supporting mention. ``view``:
    ``match_view(text)`` when the caller has it already."""
    view = match_view(text) if view is None else view
    home = province_by_name(home_province)
    bounds = _Bounds(text)
    cued: dict[tuple[int, int], bool] = {}
    best: dict[str, tuple[LocalityRelation, _Hit]] = {}
    for hit in _hits(text, view):
        e = hit.entry
        if home is not None and e.kind is _VIETNAMESE_PLACE and province_by_name(e.name) == home:
            continue
        have = best.get(e.id)
        if have is not None and have[0] is _PARTNER:
            continue            # the record keeps its first partner mention: nothing to ask
        rel = _PARTNER if _is_partner(bounds, view, hit, cued) else _MENTION
        if have is None or rel is _PARTNER:
            best[e.id] = (rel, hit)
    out = [Locality(id=f"locality:{h.entry.id}", name=h.entry.name, kind=h.entry.kind,
                    country=h.entry.country, relation=rel, start=h.start, end=h.end,
                    section=section_at(h.start))
           for rel, h in best.values()]
    out.sort(key=lambda loc: loc.start)
    return tuple(out)

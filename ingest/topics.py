"""Foreign-affairs topics: the SKOS scheme ``ontology/data/topics.json``, tagging task text and
mapping what a user typed to topic ids.

- :func:`tag_topics` tags a task's text: a concept matches when one of its labels (pref, alt,
  hidden; abbreviations such as ``PCPNN`` included) occurs as whole words in the folded text, or
  one of its ``match_patterns`` does. Only the matched concepts are returned (not their broader
  ones), in scheme order.
- :func:`match_topics` maps free user text, with or without diacritics (``bao ho cong dan``),
  old or new tone placement (``hòa``/``hoà``), abbreviations (``PCPNN``) or English labels, to
  topic ids, best first: the query equal to a label, then the query contained in a label
  (``biên giới`` → ``biên giới lãnh thổ``), then a label or pattern found in the query.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from collections.abc import Iterable
from typing import Any

import numpy as np

from .abbreviations import expand_abbreviations
from . import gazetteer
from .gazetteer import literal_prefixes, trie_regex
from .text import fold, match_key, nfc

#: the native multi-key scanners, as ingest/gazetteer.py found them (None when not installed):
#: pyahocorasick, and ahocorasick-rs (faster, preferred when present)
ahocorasick: Any = gazetteer.ahocorasick
_AHOCORASICK_RS: Any = gazetteer.ahocorasick_rs

__all__ = ["DocumentTopics", "TopicConcept", "TopicScheme", "match_topics", "tag_folded", "tag_topics", "topic_scheme"]

_FILE = Path(__file__).resolve().parent.parent / "ontology" / "data" / "topics.json"


@dataclass(frozen=True, slots=True)
class TopicConcept:
    id: str                          # "topic:bao-ho-cong-dan"
    pref_label: str                  # Vietnamese skos:prefLabel
    alt_labels: tuple[str, ...]
    en_label: str
    broader: tuple[str, ...] = ()
    hidden_labels: tuple[str, ...] = ()
    match_patterns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TopicScheme:
    id: str
    pref_label: str
    en_label: str
    concepts: tuple[TopicConcept, ...]

    def get(self, topic_id: str) -> TopicConcept:
        for c in self.concepts:
            if c.id == topic_id:
                return c
        raise KeyError(topic_id)

    def top_concepts(self) -> tuple[TopicConcept, ...]:
        return tuple(c for c in self.concepts if not c.broader)

    def narrower(self, topic_id: str) -> tuple[TopicConcept, ...]:
        return tuple(c for c in self.concepts if topic_id in c.broader)


@lru_cache(maxsize=1)
def topic_scheme() -> TopicScheme:
    raw = json.loads(_FILE.read_text(encoding="utf-8"))
    concepts = tuple(
        TopicConcept(c["id"], nfc(c["pref_label"]), tuple(map(nfc, c.get("alt_labels", ()))),
                     c["en_label"], tuple(c.get("broader", ())),
                     tuple(map(nfc, c.get("hidden_labels", ()))), tuple(c.get("match_patterns", ())))
        for c in raw["concepts"])
    s = raw["scheme"]
    return TopicScheme(s["id"], nfc(s["pref_label"]), s["en_label"], concepts)


_WORD_RE = re.compile(r"[a-z0-9]+")


def _words(text: str) -> str:
    """Folded words only: punctuation and line breaks become single spaces."""
    return " ".join(_WORD_RE.findall(fold(text)))


@lru_cache(maxsize=1)
def _matchers() -> tuple[tuple[str, tuple[str, ...], tuple[re.Pattern[str], ...]], ...]:
    out = []
    for c in topic_scheme().concepts:
        labels = tuple(dict.fromkeys(_words(x) for x in (c.pref_label, *c.alt_labels, *c.hidden_labels, c.en_label)
                                     if _words(x)))
        pats = tuple(re.compile(p.replace(" ", r"\s+")) for p in c.match_patterns)
        out.append((c.id, labels, pats))
    return tuple(out)


def _contains(hay: str, needle: str) -> bool:
    return f" {needle} " in f" {hay} "


@lru_cache(maxsize=1)
def _label_index() -> tuple[tuple[re.Pattern[str], re.Pattern[str]], dict[str, frozenset[int]],
                            tuple[tuple[int, tuple[re.Pattern[str], ...]], ...]]:
    """All labels in one trie regex, and per label the concepts (scheme positions) of every
    label that is a whole-word prefix of it (itself included).

    Labels matching at one word start are all prefixes of the longest one there, so the
    longest match at each word start (what the trie gives) names every concept found there."""
    owners: dict[str, set[int]] = {}
    for order, (_tid, labels, _pats) in enumerate(_matchers()):
        for lab in labels:
            owners.setdefault(lab, set()).add(order)
    closure: dict[str, frozenset[int]] = {}
    for lab in owners:
        words = lab.split(" ")
        found: set[int] = set()
        for n in range(1, len(words) + 1):
            found |= owners.get(" ".join(words[:n]), set())
        closure[lab] = frozenset(found)
    # on the folded text: a non-word character, then the longest label whose words stand right
    # after it, any non-word run between them (only that character is consumed); the text's
    # first word is tried on its own (``rx_start``)
    trie = trie_regex([lab.split(" ") for lab in owners], sep="[^a-z0-9]+", end="(?![a-z0-9])")
    rx = (re.compile(f"[^a-z0-9](?=({trie}))"), re.compile(f"(?=({trie}))"))
    pats = tuple((order, p) for order, (_tid, _labels, p) in enumerate(_matchers()) if p)
    return rx, closure, pats


@lru_cache(maxsize=1)
def _pattern_hint() -> re.Pattern[str] | None:
    """One regex for the literal openings of every ``match_patterns`` entry: a text without
    any of them matches no pattern (None: some pattern has no literal opening)."""
    openings: set[str] = set()
    for _tid, _labels, pats in _matchers():
        for p in pats:
            found = literal_prefixes(p.pattern)
            if found is None:
                return None
            openings |= found
    return re.compile(trie_regex((), prefixes=openings))


@lru_cache(maxsize=1)
def _not_in() -> tuple[re.Pattern[str] | None, frozenset[int]]:
    """One regex of every concept's ``not_in`` phrases (``các tỉnh giáp biên giới``), and the
    concepts (by order) that have such phrases."""
    raw = json.loads(_FILE.read_text(encoding="utf-8"))
    words: set[str] = set()
    orders: set[int] = set()
    for order, c in enumerate(raw["concepts"]):
        phrases = {" ".join(_WORD_RE.findall(fold(p))) for p in c.get("not_in", ())} - {""}
        if phrases:
            words |= phrases
            orders.add(order)
    if not words:
        return None, frozenset()
    alts = sorted(words, key=len, reverse=True)
    return (re.compile(r"(?<![a-z0-9])(?:" + "|".join(
        r"[^a-z0-9]+".join(map(re.escape, w.split())) for w in alts) + r")(?![a-z0-9])"),
        frozenset(orders))


#: a label as written (the trie's match: its words, whatever stands between them) -> the
#: concepts of its closure; labels are few, their written forms recur
_WRITTEN: dict[str, frozenset[int]] = {}


def _closure_of(written: str) -> frozenset[int]:
    found = _WRITTEN.get(written)
    if found is None:
        found = _label_index()[1][" ".join(_WORD_RE.findall(written))]
        if len(_WRITTEN) < 4096:
            _WRITTEN[written] = found
    return found


#: bytes.translate table: ASCII letters a-z and digits kept, every other byte a space
_WORD_BYTES = bytes(c if 48 <= c <= 57 or 97 <= c <= 122 else 32 for c in range(256))


@lru_cache(maxsize=1)
def _automaton() -> Any:
    """One Aho-Corasick automaton (None without ``pyahocorasick``) over the folded words of a
    text joined by single spaces (:func:`_word_string`), with two kinds of keys:

    - every label, padded with a space each side: it occurs there exactly when the label's
      words stand in the text as whole words, whatever non-word characters lie between them
      (the trie regex's definition); value ``(True, concepts of that label)``;
    - every literal opening of the ``match_patterns`` (:func:`literal_prefixes`, words joined
      by one space), unpadded: a pattern's match opens with one of them, which then occurs in
      the word string (whitespace runs become one space, a word may go on before or after);
      value ``(False, concepts whose patterns open so)``. A concept with a pattern without a
      literal opening is in ``_unhinted()`` (always tried)."""
    if ahocorasick is None:
        return None
    automaton = ahocorasick.Automaton()
    labels: dict[str, set[int]] = {}
    for order, (_tid, labs, _pats) in enumerate(_matchers()):
        for lab in labs:
            labels.setdefault(f" {lab} ", set()).add(order)
    openings = _pattern_openings()[0]
    for key, orders in labels.items():
        automaton.add_word(key, (True, frozenset(orders)))
    for key, orders in openings.items():
        automaton.add_word(key, (False, frozenset(orders)))    # never padded: no clash
    automaton.make_automaton()
    return automaton


_OPENING = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")


@lru_cache(maxsize=1)
def _pattern_openings() -> tuple[dict[str, set[int]], frozenset[int]]:
    """The literal openings of the ``match_patterns`` (words joined by one space) and the
    concepts with them; and the concepts with a pattern that has none, or one holding other
    than words (it would not stand in the word string): their patterns are always tried."""
    openings: dict[str, set[int]] = {}
    unhinted: set[int] = set()
    for order, (_tid, _labs, pats) in enumerate(_matchers()):
        for p in pats:
            found = literal_prefixes(p.pattern)
            if found is None or not all(_OPENING.fullmatch(o) for o in found):
                unhinted.add(order)
                continue
            for opening in found:
                openings.setdefault(opening, set()).add(order)
    return openings, frozenset(unhinted)


def _unhinted() -> frozenset[int]:
    return _pattern_openings()[1]


def _word_string(folded: str) -> str:
    """`` w1 w2 … `` : the ``[a-z0-9]+`` runs of ``folded``, one space between and around."""
    return _word_bytes(folded).decode("ascii")


def _word_bytes(folded: str) -> bytes:
    """:func:`_word_string` as ASCII bytes."""
    words = folded.encode("ascii", "replace").translate(_WORD_BYTES).split()
    return b" " + b" ".join(words) + b" "


@lru_cache(maxsize=1)
def _rs_scanner() -> tuple[Any, tuple[tuple[bool, frozenset[int]], ...]] | None:
    """The keys and values of :func:`_automaton` in an ahocorasick-rs automaton over the word
    bytes (:func:`_word_bytes`), and per key its value; None without ahocorasick-rs (or
    pyahocorasick, whose automaton lists the keys).

    A contiguous NFA, not a DFA: alone over the task texts the DFA scans faster, but its
    tables are many times larger and, between the other stages' scans, fall out of the CPU
    caches: in the pipeline the NFA's compact states make the tasks stage faster (the
    matches are the same, whichever the implementation)."""
    automaton = _automaton()
    if _AHOCORASICK_RS is None or automaton is None:
        return None
    keys: list[bytes] = []
    values: list[tuple[bool, frozenset[int]]] = []
    for key, value in automaton.items():
        keys.append(key.encode("ascii"))
        values.append(value)
    scanner = _AHOCORASICK_RS.BytesAhoCorasick(keys, matchkind=_AHOCORASICK_RS.MatchKind.Standard,
                                              implementation=_AHOCORASICK_RS.Implementation.ContiguousNFA)
    return scanner, tuple(values)


def _found_rs(folded: str, scanner: tuple[Any, tuple[tuple[bool, frozenset[int]], ...]],
              words: bytes | None = None) -> set[int]:
    """:func:`_found_scanned` by the ahocorasick-rs automaton (every occurrence, overlapping ones
    included, as pyahocorasick's ``iter`` reports them): the distinct keys hit, then the same
    pattern checks. ``words``: ``_word_bytes(folded)``, when the caller has it."""
    dfa, values = scanner
    if words is None:
        words = _word_bytes(folded)
    hits = {k for k, _start, _end in dfa.find_matches_as_indexes(words, overlapping=True)}
    return _resolve_hits(folded, [values[k] for k in hits])


def _found_scanned(folded: str, automaton: Any) -> set[int]:
    """:func:`_found_regex` from one Aho-Corasick pass over the text's word string."""
    # the distinct values hit (labels recur: one union per distinct key, not per hit)
    return _resolve_hits(folded, {value for _end, value in automaton.iter(_word_string(folded))})


def _resolve_hits(folded: str, hits: Iterable[tuple[bool, frozenset[int]]]) -> set[int]:
    """The concepts found from the automaton's distinct hits: a label's concepts are found;
    a pattern opening's concepts (and those of ``_unhinted()``) are found if one of their
    patterns matches ``folded``."""
    found: set[int] = set()
    hinted: set[int] = set()
    for is_label, orders in hits:
        if is_label:
            found |= orders
        else:
            hinted |= orders
    unhinted = _unhinted()
    if unhinted:                        # (none in the shipped scheme: no copy per task)
        hinted |= unhinted
    if hinted:
        pats = _matchers()
        for order in sorted(hinted - found):
            if any(p.search(folded) for p in pats[order][2]):
                found.add(order)
    return found


def _found(folded: str, words: bytes | None = None) -> set[int]:
    """The concepts (scheme positions) whose labels or patterns occur in ``folded``
    (``words``: ``_word_bytes(folded)``, when the caller has it)."""
    scanner = _rs_scanner()
    if scanner is not None:
        return _found_rs(folded, scanner, words)
    automaton = _automaton()
    if automaton is None:
        return _found_regex(folded)
    return _found_scanned(folded, automaton)


def _found_regex(folded: str) -> set[int]:
    """:func:`_found` with the standard library only: the labels' trie regex, the patterns
    behind one regex of their openings."""
    (rx, rx_start), _closure, pats = _label_index()
    written = _WRITTEN
    found: set[int] = set()
    first = rx_start.match(folded)
    if first is not None:
        found |= _closure_of(first.group(1))
    for label in rx.findall(folded):   # the trie's single group: the label as written
        hit = written.get(label)
        found |= hit if hit is not None else _closure_of(label)
    hint = _pattern_hint()
    if hint is None or hint.search(folded):
        for order, patterns in pats:
            if order not in found and any(p.search(folded) for p in patterns):
                found.add(order)
    return found


def tag_topics(text: str) -> tuple[str, ...]:
    """Topic ids whose labels or patterns occur in ``text`` (a task's text).

    A concept with ``not_in`` phrases is tagged only if it is still found once those phrases
    are blanked: in ``các tỉnh giáp biên giới`` the word describes a partner, the task is not
    about borders."""
    folded = fold(text)
    return _tagged(folded, _found(folded))


def tag_folded(folded: str, words: bytes) -> tuple[str, ...]:
    """:func:`tag_topics` of a text given its fold and that fold's word string as bytes
    (``words == _word_bytes(folded)``: the caller may cut it out of a whole document's, see
    :class:`DocumentTopics`)."""
    return _tagged(folded, _found(folded, words), words)


#: per code point below 128 the byte it stands as in the word string: itself for ``a-z0-9``,
#: else a space; one more entry, a space, for every code point above
_WORD_TABLE = np.array([c if 48 <= c <= 57 or 97 <= c <= 122 else 32 for c in range(128)] + [32],
                       dtype=np.uint8)


class DocumentTopics:
    """The topics of a document's task spans: ``DocumentTopics(fold(document))(body_folded,
    start, end)`` is ``tag_topics(body)`` for a task whose body is ``document[start:end]`` with
    only its whitespace changed (``body_folded``: its fold).

    The word string the automaton reads (:func:`_word_bytes`: the ``[a-z0-9]+`` runs, one
    space between and around) is cut out of one made for the whole document by a numpy pass:
    every other character a space, each run of spaces one space (standing where the run
    starts). A span's slice of it is its words with one space between them and at most one
    space at each end; stripped and padded, it is the span's word string — no split and join
    of the words per task."""

    __slots__ = ("_words", "_kept")

    def __init__(self, folded: str):
        codes = np.frombuffer(folded.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        mask = np.take(_WORD_TABLE, codes, mode="clip")      # above the table: a space
        keep = np.ones(len(mask), dtype=bool)
        space = mask == 32
        keep[1:] = ~(space[1:] & space[:-1])                 # the first of a run stays
        self._words: bytes = mask[keep].tobytes()
        #: per document offset k, how many characters up to it stay (int32: a smaller array
        #: than the default intp, allocated faster); ``_kept[k - 1]`` is k's offset in ``_words``
        self._kept: np.ndarray = np.cumsum(keep, dtype=np.int32)

    def _at(self, k: int) -> int:
        """The offset in the word string of the document offset ``k``."""
        return int(self._kept[k - 1]) if k > 0 else 0

    def words(self, start: int, end: int) -> bytes:
        """``_word_bytes`` of ``fold(document)[start:end]`` (or of that text with only its
        whitespace changed)."""
        return b" " + self._words[self._at(start):self._at(end)].strip(b" ") + b" "

    def __call__(self, body_folded: str, start: int, end: int) -> tuple[str, ...]:
        return tag_folded(body_folded, self.words(start, end))


@lru_cache(maxsize=1)
def _not_in_keys() -> tuple[bytes, ...]:
    """The ``not_in`` phrases as keys of the word string (words joined by one space, one
    space around): a phrase's regex in :func:`_not_in` matches a fold exactly when its key
    occurs in the fold's word string (as for the labels, see :func:`_automaton`)."""
    raw = json.loads(_FILE.read_text(encoding="utf-8"))
    keys = {" ".join(_WORD_RE.findall(fold(p))) for c in raw["concepts"] for p in c.get("not_in", ())} - {""}
    return tuple(sorted(f" {k} ".encode("ascii") for k in keys))


def _holds_not_in(folded: str, words: bytes | None) -> bool:
    """``_not_in()[0].search(folded)``, by substring tests on ``words`` (``_word_bytes(folded)``)
    when given: the regex opens with a look-behind, which the engine tries at every position."""
    if words is None:
        not_in = _not_in()[0]
        return not_in is not None and not_in.search(folded) is not None
    for key in _not_in_keys():
        if key in words:
            return True
    return False


def _tagged(folded: str, found: set[int], words: bytes | None = None) -> tuple[str, ...]:
    """The topic ids of ``found`` (``_found(folded)``), ``not_in`` phrases applied
    (``words``: ``_word_bytes(folded)``, when the caller has it)."""
    if not found:                       # most tasks: nothing to guard or name
        return ()
    not_in, guarded = _not_in()
    if not_in is not None and found & guarded and _holds_not_in(folded, words):
        blanked = not_in.sub(lambda m: " " * len(m.group(0)), folded)
        found = (found - guarded) | (_found(blanked) & guarded)
    matchers = _matchers()
    return tuple(matchers[order][0] for order in sorted(found))


def match_topics(user_text: str) -> tuple[str, ...]:
    """Topic ids for what a user typed, best first; empty when nothing matches."""
    raw = match_key(user_text)
    if len(raw.replace(" ", "")) < 2:
        return ()
    queries = {_words(user_text), _words(expand_abbreviations(user_text))} - {""}
    scored: dict[str, tuple[int, int]] = {}
    for order, (topic_id, labels, pats) in enumerate(_matchers()):
        best = 0
        for q in queries:
            for lab in labels:
                if q == lab:
                    best = max(best, 4)
                elif _contains(lab, q):
                    best = max(best, 3)
                elif _contains(q, lab):
                    best = max(best, 2)
            if best < 1 and any(p.search(q) for p in pats):
                best = 1
        if best:
            scored[topic_id] = (best, order)
    return tuple(sorted(scored, key=lambda t: (-scored[t][0], scored[t][1])))

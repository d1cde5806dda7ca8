"""Gazetteer matching shared by agencies and localities: the match view, phrase patterns, and
:class:`PhraseIndex`, which finds every match of many phrase patterns in one pass.

**Match view** (:func:`match_view`): :func:`~vbgraph.ingest.text.fold` (lower case, no
diacritics, 1:1 with the NFC text) with ``- – — & , .`` turned into spaces, so offsets found in
the view are offsets in the document and names wrapped over lines still match.

**Phrase patterns** (:func:`phrase_regex`): a written phrase as a view regex, words joined by
whitespace runs, ``và`` optional inside, synonym phrases (``ủy ban nhân dân`` → ``ubnd``) as
alternatives. :func:`phrase_sequences` lists the token sequences the same pattern accepts.

**PhraseIndex**: the gazetteers hold hundreds of patterns; trying each one over the document
(or at each place its first word stands) dominated extraction time. The index compiles the
token sequences of every pattern into one character trie, emitted as a single regex that looks
ahead after each character that can precede a word (``[^a-z0-9/](?=trie)``, which the engine
finds in C): one scan reports exactly the positions where at least one pattern can match. Only
there are the patterns keyed by the word (and the next word) standing at that position tried,
each with its own regex. :meth:`PhraseIndex.matches` returns, per pattern, the same matches as
``pattern.finditer(view)``: non-overlapping, leftmost first. A hand-written regex (no token
sequences) joins the scan through its literal openings (:func:`literal_prefixes`).

That regex scan still tried the trie after every space of a document. For a document-sized
view the index now reads it once with an Aho-Corasick automaton (ahocorasick-rs's DFA when
installed, else pyahocorasick: both native, the first over twice as fast) over
the **squeezed view** (:func:`_squeeze`, one numpy pass, remembered for the last two views so
the agency and locality indexes share it): every whitespace run one space, ``[a-z0-9/]`` kept,
any other character ``\\x01``. Each sequence is a key between a lead (`` ``/``\\x01``: a word
start) and a trail (`` ``/``\\x01``/``/``: a word end), each literal prefix a key after a lead,
so a hit is exactly a place where the trie matches, and the key names the patterns owning it:
only those are tried there, each with its own regex. Short views (headings), and indexes whose
words hold other characters than ``[a-z0-9/]``, keep the regex scan.

**JointScanner**: the automaton's cost is its walk over the bytes, hardly the number of keys,
and the agency index, the role cues and the locality index read the same document view. A
:class:`JointScanner` over their key scanners reads the view once for all three (an automaton
over the union of the keys, each hit handed to the scanners owning its key); each scanner then
takes its share of that scan (remembered for the last two views) instead of a pass of its own.

**WordStartRegex**: the same idea for one regex that opens with a look-behind
(``(?<![a-z])luat …``): jump to its literal openings, then take the real match.

**DisjointSpans**: greedy longest-first selection of non-overlapping matches in O(log n) each.
"""
from __future__ import annotations

import bisect
import importlib
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import product
from typing import Any, Final

import numpy as np

from .text import fold


def _optional_module(name: str) -> Any:
    """The module ``name``, or None when it is not installed."""
    try:
        return importlib.import_module(name)
    except ImportError:                 # pragma: no cover - depends on the installation
        return None


#: native multi-key scanners: ahocorasick-rs (PyPI ``ahocorasick-rs``, Rust), preferred, and
#: pyahocorasick; with neither, the regex scan serves
ahocorasick: Any = _optional_module("ahocorasick")
ahocorasick_rs: Any = _optional_module("ahocorasick_rs")

#: the stdlib's own regex parser and its opcodes (private modules, looked up by name: typeshed
#: does not describe them)
_sre_parser: Any = importlib.import_module("re._parser")
_sre_constants: Any = importlib.import_module("re._constants")

__all__ = [
    "LA", "LB", "DisjointSpans", "PhraseIndex", "match_view", "phrase_regex", "phrase_sequences", "trie_regex",
]

_VIEW_PUNCT = str.maketrans({c: " " for c in "-–—&,.‐‑"})
_WORD_CHARS = "a-z0-9"
#: a view match starts at a word start (not inside a code after ``/``) and ends at a word end
LB = rf"(?<![{_WORD_CHARS}/])"
LA = rf"(?![{_WORD_CHARS}])"
_TOKEN = re.compile(rf"[{_WORD_CHARS}]+")
_NEXT_TOKEN = re.compile(rf"\s+([{_WORD_CHARS}]+)")


_VIEW_PUNCT_CHARS = "-–—&,.‐‑"


def match_view(text: str) -> str:
    """Folded text with ``- – — & , .`` as spaces; same length as ``nfc(text)``.

    Not memoised: the pipeline computes a document's view once and hands it to the agency and
    locality matchers (``document_agencies(view=…)``, ``find_localities(view=…)``)."""
    view = fold(text)
    for ch in _VIEW_PUNCT_CHARS:        # one fast C search each: many times a regex class scan
        if ch in view:
            view = view.replace(ch, " ")
    return view


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


def phrase_sequences(phrase: str, synonyms: dict[tuple[str, ...], list[str]] | None = None,
                     optional_va: bool = True) -> set[tuple[str, ...]]:
    """Every token sequence ``phrase_regex(phrase, synonyms, optional_va)`` matches (the same
    walk over the phrase: longest synonym key first, inner ``và`` optional)."""
    tokens = _view_tokens(phrase)
    slots: list[set[tuple[str, ...]]] = []
    i = 0
    keys = sorted(synonyms or {}, key=len, reverse=True)
    while i < len(tokens):
        for key in keys:
            if tuple(tokens[i:i + len(key)]) == key:
                alts = phrase_sequences(" ".join(key), None, optional_va)
                for a in (synonyms or {})[key]:
                    alts |= phrase_sequences(a, None, optional_va)
                slots.append(alts)
                i += len(key)
                break
        else:
            tok = tokens[i]
            if tok == "va" and optional_va and 0 < i < len(tokens) - 1:
                slots.append({("va",), ()})
            else:
                slots.append({(tok,)})
            i += 1
    return {tuple(t for part in combo for t in part) for combo in product(*slots)}


_PREFIX_END = "\x00"      # trie marker: a literal prefix ends here (no word end needed)


def trie_regex(sequences: Iterable[Sequence[str]], sep: str = r"\s+", end: str = LA, *,
               prefixes: Iterable[str] = (), guard: str | None = None,
               lookahead: bool = False) -> str:
    """One regex matching exactly the given token sequences (tokens separated by ``sep``, the
    last one followed by ``end``), factored as a character trie so that a failing position
    costs one or two character tests. Where one sequence extends another, the longer one is
    tried first: a match is the longest sequence that fits.

    ``prefixes``: literal texts (words separated by single spaces, read as ``sep``) that match
    wherever they stand, with no word end after them. ``guard``: a character class body; the
    match must not follow such a character. It is checked right after the first character,
    so the regex opens with a choice of literal characters and the engine skips every other
    position in C. ``lookahead``: only that first character is consumed, the rest is looked
    ahead at (a scan then reports every position where one sequence starts, overlaps
    included: ``m.start()`` is the position)."""
    trie: dict = {}

    def add(chars: str, marker: str) -> None:
        node = trie
        for ch in chars:
            node = node.setdefault(ch, {})
        node[marker] = {}

    for seq in sequences:
        if seq:
            add(" ".join(seq), "")
    for prefix in prefixes:
        if prefix:
            add(prefix, _PREFIX_END)

    def emit(node: dict) -> str:
        alts = []
        for ch in sorted(k for k in node if k and k != _PREFIX_END):
            head = sep if ch == " " else re.escape(ch)
            alts.append(head + emit(node[ch]))
        if "" in node:
            alts.append(end)
        if _PREFIX_END in node:
            alts.append("")
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    if not trie:
        return "(?!)"
    if guard is None and not lookahead:
        return emit(trie)
    top = []
    for ch in sorted(trie):
        lit = re.escape(ch)
        head = lit + (f"(?<![{guard}]{lit})" if guard is not None else "")
        rest = emit(trie[ch])
        top.append(head + (f"(?={rest})" if lookahead and rest else rest))
    return top[0] if len(top) == 1 else "(?:" + "|".join(top) + ")"


def literal_prefixes(source: str, limit: int = 64, words: int = 3) -> set[str] | None:
    """Literal texts one of which opens every match of the regex ``source`` (on the view:
    whitespace runs read as one space; at most ``words`` words each), or ``None`` when the
    regex can start otherwise (a character class, an empty match) or the set would exceed
    ``limit``."""
    c, parser = _sre_constants, _sre_parser

    overflow = False

    def walk(items: list, prefix: str, out: set[str]) -> None:
        """Add to ``out`` the prefixes of the matches of ``items`` after ``prefix``."""
        nonlocal overflow
        if len(out) > limit:
            overflow = True             # the set is no longer complete: give up
            return
        for k, (op, av) in enumerate(items):
            rest = items[k + 1:]
            if prefix.count(" ") >= words:     # long enough to be selective
                break
            if op is c.LITERAL:
                prefix += chr(av)
            elif op is c.IN and av and all(o is c.LITERAL for o, _ in av):
                for _o, code in av:            # "(?:c|d)" compiles to a set of literals
                    walk(rest, prefix + chr(code), out)
                return
            elif op in (c.ASSERT, c.ASSERT_NOT, c.AT):
                continue                       # consumes nothing
            elif op is c.SUBPATTERN:
                walk(list(av[3]) + rest, prefix, out)
                return
            elif op is c.BRANCH:
                for branch in av[1]:
                    walk(list(branch) + rest, prefix, out)
                return
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
                lo, hi, body = av
                body = list(body)
                if body == [(c.IN, [(c.CATEGORY, c.CATEGORY_SPACE)])] and lo >= 1:
                    walk(rest, prefix + " ", out)
                elif lo == 0 and hi == 1:      # optional: with it, or without it
                    walk(body + rest, prefix, out)
                    walk(rest, prefix, out)
                elif lo >= 1:                  # at least once: its first pass opens the rest
                    walk(body, prefix, out)
                else:
                    out.add(prefix)
                return
            else:                              # a class, a back reference …: stop here
                out.add(prefix)
                return
        out.add(prefix)

    found: set[str] = set()
    walk(list(parser.parse(source)), "", found)
    found = {" ".join(p.split()) if p.strip() else "" for p in found}
    if overflow or "" in found or not found or len(found) > limit:
        return None
    return found


@dataclass(frozen=True, slots=True)
class _Entry:
    regex: re.Pattern[str]
    raw: bool                       # hand-written: tried wherever its literal prefixes stand
    #: the one token sequence of a plain phrase regex (:func:`_plain_tokens`), whose match
    #: :meth:`PhraseIndex.spans` reads off the view without the engine; ``()``: the regex runs
    tokens: tuple[str, ...] = ()


#: the view characters that may not stand right before a match (``LB``) or a word's characters
#: (``LA`` stops at none of them), as literals for ``in`` tests
_NOT_BEFORE_A_MATCH: Final = "abcdefghijklmnopqrstuvwxyz0123456789/"
_VIEW_WORD_CHARS: Final = "abcdefghijklmnopqrstuvwxyz0123456789"


def _plain_tokens(regex: re.Pattern[str], seqs: Sequence[tuple[str, ...]]) -> tuple[str, ...]:
    r"""The token sequence ``seq`` when ``regex`` is exactly ``LB tok1\s+tok2… LA`` over it (a
    phrase of one spelling, as :func:`phrase_regex` writes it); ``()`` for anything else."""
    if len(seqs) != 1 or regex.flags & ~re.UNICODE:
        return ()
    seq = seqs[0]
    if seq and regex.pattern == LB + r"\s+".join(re.escape(t) for t in seq) + LA:
        return seq
    return ()


def _sequence_end(view: str, pos: int, tokens: tuple[str, ...]) -> int:
    r"""Where ``LB tok1\s+tok2… LA`` matched at ``pos`` ends (the tokens, whitespace runs
    between them), read directly; -1 when it does not match there."""
    n = len(view)
    if pos > 0 and view[pos - 1] in _NOT_BEFORE_A_MATCH:
        return -1
    p = pos
    for k, tok in enumerate(tokens):
        if k:
            q = p
            while q < n and view[q].isspace():
                q += 1
            if q == p:
                return -1
            p = q
        if not view.startswith(tok, p):
            return -1
        p += len(tok)
    if p < n and view[p] in _VIEW_WORD_CHARS:
        return -1
    return p


def _by_pattern(hits: tuple[list[int], list[tuple[int, ...]]]) -> list[tuple[int, list[int]]]:
    """The automaton's hits per pattern: ``(pattern, its distinct offsets ascending)``, by
    pattern."""
    tried: dict[int, list[int]] = {}       # pattern -> offsets where it may match
    for pos, ids in zip(*hits):
        for i in ids:
            at = tried.get(i)
            if at is None:
                tried[i] = [pos]
            else:
                at.append(pos)
    return [(i, sorted(set(tried[i]))) for i in sorted(tried)]


class PhraseIndex:
    """Many view patterns matched in one scan (see the module doc).

    ``entries``: per pattern, its compiled regex (which must open with :data:`LB` and whose
    matches start at a word start) and either the token sequences its matches consist of
    (every match is one of them, ending at a word end) or ``None`` for a hand-written regex:
    its literal prefixes (:func:`literal_prefixes`) then join the scan. ``backend``: the
    native scanner of long views (``"rs"``, ``"py"``; see :class:`_KeyScanner`), the best
    installed one by default.
    """

    def __init__(self, entries: Sequence[tuple[re.Pattern[str], Iterable[Sequence[str]] | None]],
                 backend: str | None = None):
        self._entries: list[_Entry] = []
        by_first: dict[str, set[int]] = {}
        by_pair: dict[tuple[str, str], set[int]] = {}
        sequences: set[tuple[str, ...]] = set()
        prefixes: set[str] = set()
        owned: dict[tuple[str, ...], set[int]] = {}     # sequence -> the patterns it is one of
        raw_prefixes: dict[str, set[int]] = {}          # literal prefix -> hand-written patterns
        for i, (regex, seqs) in enumerate(entries):
            if seqs is None:
                found = literal_prefixes(regex.pattern)
                if found is None:
                    raise ValueError(f"pattern {i} has no literal opening: {regex.pattern[:80]!r}")
                self._entries.append(_Entry(regex, True))
                prefixes |= found
                for prefix in found:
                    raw_prefixes.setdefault(prefix, set()).add(i)
                    first = _TOKEN.match(prefix)
                    if first is not None:
                        by_first.setdefault(first.group(), set()).add(i)
                continue
            listed = [tuple(seq) for seq in seqs]
            self._entries.append(_Entry(regex, False, _plain_tokens(regex, listed)))
            for seq in listed:
                if not seq:
                    continue
                sequences.add(seq)
                owned.setdefault(seq, set()).add(i)
                first = _TOKEN.match(seq[0])
                if first is None:
                    continue            # cannot start at a word start: never matches there
                if len(seq) > 1 and _TOKEN.fullmatch(seq[0]) and _TOKEN.fullmatch(seq[1]):
                    by_pair.setdefault((seq[0], seq[1]), set()).add(i)
                else:
                    by_first.setdefault(first.group(), set()).add(i)
        self._by_first = {tok: tuple(sorted(ids)) for tok, ids in by_first.items()}
        self._by_pair = {pair: tuple(sorted(ids)) for pair, ids in by_pair.items()}
        # a match starts at a word start: right after a character that cannot precede one
        # (the engine skips to those in C), or at the very start of the view
        trie = trie_regex(sequences, prefixes=prefixes)
        self._at_start = re.compile(trie)
        self.prefilter = re.compile(f"[^{_WORD_CHARS}/](?={trie})")
        self._automaton = _automaton(owned, raw_prefixes, backend)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def scanner(self) -> _KeyScanner | None:
        """The native key scanner of long views (None: the regex scan serves them)."""
        return self._automaton

    def candidates(self, view: str, pos: int) -> tuple[int, ...]:
        """The patterns that can match at ``pos``: keyed by the word (and the next word)
        standing there."""
        tok = _TOKEN.match(view, pos)
        if tok is None:
            return ()
        first = tok.group()
        ids = self._by_first.get(first, ())
        nxt = _NEXT_TOKEN.match(view, tok.end())
        if nxt is not None:
            ids += self._by_pair.get((first, nxt.group(1)), ())
        return ids

    def _scan(self, view: str) -> Iterator[int]:
        if self._at_start.match(view):
            yield 0
        for m in self.prefilter.finditer(view):
            yield m.end()

    def _hits(self, view: str) -> tuple[list[int], list[tuple[int, ...]]] | None:
        """The automaton's hits over the squeezed view: per hit, the view offset where a
        sequence (or a literal prefix) starts and the patterns it belongs to; ``None`` when
        the regex scan serves (no automaton, or a view too short to repay the squeeze)."""
        automaton = self._automaton
        if automaton is None or len(view) < _SQUEEZE_MIN_LENGTH:
            return None
        squeezed, offsets = _squeeze(view)
        starts, owners = automaton.hits(squeezed)
        if not starts:
            return [], []
        return offsets[starts].tolist(), owners

    def positions(self, view: str) -> list[int]:
        """Offsets where at least one pattern may match (every offset where one does)."""
        hits = self._hits(view)
        if hits is None:
            return list(self._scan(view))
        return sorted(set(hits[0]))

    def matches(self, view: str) -> list[tuple[int, re.Match[str]]]:
        """``(pattern index, match)`` for every match, ordered by pattern then position: per
        pattern exactly the matches of ``regex.finditer(view)``."""
        hits = self._hits(view)
        if hits is None:
            return self._matches_by_scan(view)
        out: list[tuple[int, re.Match[str]]] = []
        entries = self._entries
        for i, offsets in _by_pattern(hits):
            match = entries[i].regex.match
            last_end = 0
            for pos in offsets:
                if pos < last_end:
                    continue
                found = match(view, pos)
                if found is not None:
                    out.append((i, found))
                    last_end = max(found.end(), pos + 1)
        return out

    def spans(self, view: str) -> list[tuple[int, int, int]]:
        """:meth:`matches` as ``(pattern index, start, end)``, in the same order. On a
        document-sized view a plain phrase's match (``_Entry.tokens``) is read off the view at
        each automaton hit instead of by its regex."""
        hits = self._hits(view)
        if hits is None:
            return [(i, m.start(), m.end()) for i, m in self._matches_by_scan(view)]
        out: list[tuple[int, int, int]] = []
        entries = self._entries
        for i, offsets in _by_pattern(hits):
            entry = entries[i]
            tokens = entry.tokens
            match = entry.regex.match
            last_end = 0
            for pos in offsets:
                if pos < last_end:
                    continue
                if tokens:
                    end = _sequence_end(view, pos, tokens)
                else:
                    found = match(view, pos)
                    end = -1 if found is None else found.end()
                if end >= 0:
                    out.append((i, pos, end))
                    last_end = max(end, pos + 1)
        return out

    def _matches_by_scan(self, view: str) -> list[tuple[int, re.Match[str]]]:
        """:meth:`matches` by the regex scan and the first-word keys (short views, no
        automaton)."""
        out: list[tuple[int, re.Match[str]]] = []
        last_end: dict[int, int] = {}
        entries = self._entries
        candidates = self.candidates
        for pos in self._scan(view):
            for i in candidates(view, pos):
                if pos < last_end.get(i, 0):
                    continue
                found = entries[i].regex.match(view, pos)
                if found is not None:
                    out.append((i, found))
                    last_end[i] = max(found.end(), pos + 1)
        out.sort(key=lambda hit: (hit[0], hit[1].start()))
        return out


# -- the automaton scan ------------------------------------------------------------------------
#: views shorter than this are scanned by the regex (the squeeze's numpy round trip would cost
#: more than it saves: headings, single lines)
_SQUEEZE_MIN_LENGTH = 256
#: code points below this are classified by a lookup table (the last whitespace one is U+3000)
_CLASS_LIMIT = 0x3001
#: the code a character of the view becomes in the squeezed view: whitespace a space, a
#: character of ``[a-z0-9/]`` itself, anything else this one (a word boundary that is neither)
_OTHER = 1
_CLEAN_TOKEN = re.compile(r"[a-z0-9/]+")
#: what may stand before a sequence (after the squeeze) and what may follow its last word
_LEADS = (" ", chr(_OTHER))
_TRAILS = (" ", chr(_OTHER), "/")


def _class_table() -> np.ndarray:
    """Per code point below :data:`_CLASS_LIMIT`, its code in the squeezed view; one more
    entry, :data:`_OTHER`, for every code point above (none of them is whitespace)."""
    table = np.full(_CLASS_LIMIT + 1, _OTHER, dtype=np.uint8)     # the last entry: above
    for code in range(_CLASS_LIMIT):
        ch = chr(code)
        if ch.isspace():                 # what ``\s`` matches in a str pattern
            table[code] = 32
        elif ch in "abcdefghijklmnopqrstuvwxyz0123456789/":
            table[code] = code
    return table


_CLASS_TABLE = _class_table()
#: the last views squeezed (at most :data:`_SQUEEZE_SLOTS`, newest first) and their squeezes
#: (strings are immutable: identity is enough); the agency and locality indexes scan the same
#: document view, with the views of long headings squeezed in between
_SQUEEZE_SLOTS = 2
_last_squeezes: tuple[tuple[str, tuple[str, np.ndarray]], ...] = ()


def _squeeze(view: str) -> tuple[str, np.ndarray]:
    """The view as the automaton reads it, and per character of it the view offset it
    stands for (one numpy pass): every whitespace run one space (standing where the run
    starts), ``[a-z0-9/]`` kept, any other character ``\\x01``; one space added before and
    after (the view's start and end are word boundaries). ``offsets[k]`` is the view offset
    of the character at ``k + 1`` of the squeezed text."""
    global _last_squeezes
    last = _last_squeezes                   # one snapshot
    for known, squeeze in last:
        if known is view:
            return squeeze
    codes = np.frombuffer(view.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    classes = np.take(_CLASS_TABLE, codes, mode="clip")   # above the table: its last entry
    space = classes == 32
    keep = np.ones(len(classes), dtype=bool)
    keep[1:] = ~(space[1:] & space[:-1])            # the first of a run stays
    squeezed = " " + classes[keep].tobytes().decode("latin-1") + " "
    out = (squeezed, np.flatnonzero(keep))
    _last_squeezes = ((view, out), *last[:_SQUEEZE_SLOTS - 1])
    return out


#: which native scanner :func:`_automaton` builds: ``"rs"`` (ahocorasick-rs), ``"py"``
#: (pyahocorasick) or ``None`` (neither installed: the regex scan serves)
_BACKEND: str | None = "rs" if ahocorasick_rs is not None else "py" if ahocorasick is not None else None


class _KeyScanner:
    """Every occurrence of a set of keys in a squeezed view (:func:`_squeeze`), overlapping
    ones included, by one native Aho-Corasick pass: :meth:`hits` gives per occurrence the
    squeezed offset of its first character and its key's value, in no particular order.

    ``backend``: ``"rs"`` (ahocorasick-rs: a DFA over the ASCII bytes of the squeezed view,
    several times faster) or ``"py"`` (pyahocorasick); both find the same occurrences.
    ``joint``: the :class:`JointScanner` that took this scanner in (``member``: its place
    there), whose scan of a view, when it has one, serves :meth:`hits`."""

    def __init__(self, keys: dict[str, tuple[int, ...]], backend: str):
        self.backend = backend
        self.keys: list[str] = list(keys)
        self._values = list(keys.values())
        self._rs: Any = None
        self._py: Any = None
        self.joint: JointScanner | None = None
        self.member = -1
        if backend == "rs":
            self._rs = ahocorasick_rs.BytesAhoCorasick(
                [key.encode("ascii") for key in keys], matchkind=ahocorasick_rs.MatchKind.Standard,
                implementation=ahocorasick_rs.Implementation.DFA)
        else:
            automaton = ahocorasick.Automaton()
            for k, key in enumerate(keys):          # the key starts at ``end - len + 1``
                automaton.add_word(key, (len(key) - 1, k))
            automaton.make_automaton()
            self._py = automaton

    def hits(self, squeezed: str) -> tuple[list[int], list[tuple[int, ...]]]:
        """The occurrences in ``squeezed``: the joint scan's when :attr:`joint` read it lately,
        else this scanner's own (:meth:`own_hits`). The lists may be shared: not to be changed."""
        joint = self.joint
        if joint is not None:
            found = joint.found(squeezed, self.member)
            if found is not None:
                return found
        return self.own_hits(squeezed)

    def own_hits(self, squeezed: str) -> tuple[list[int], list[tuple[int, ...]]]:
        """The occurrences in ``squeezed``, found by this scanner's own pass."""
        values = self._values
        starts: list[int] = []
        owners: list[tuple[int, ...]] = []
        if self._rs is not None:        # the squeezed view is ASCII: byte offsets are offsets
            for k, start, _end in self._rs.find_matches_as_indexes(squeezed.encode("ascii"),
                                                                    overlapping=True):
                starts.append(start)
                owners.append(values[k])
            return starts, owners
        for end, (back, k) in self._py.iter(squeezed):
            starts.append(end - back)
            owners.append(values[k])
        return starts, owners


#: how many squeezed views a :class:`JointScanner` remembers its scan of
_JOINT_SLOTS = 2


class JointScanner:
    """Several :class:`_KeyScanner` (``members``, one backend) read in one pass.

    The per-byte walk of the automaton, not the number of keys, is most of a scan's cost, and
    the agency index, the role cues and the locality index all scan the same document view:
    one automaton over the union of their keys, each key's value the ``(member, value)``
    pairs of the members holding it, reads the view once (:meth:`scan`). An occurrence of a
    key of the union is an occurrence of that key for every member holding it, so each
    member's share is exactly what its own scan finds (the same occurrences, perhaps in
    another order). The shares of the last :data:`_JOINT_SLOTS` squeezed views are
    remembered, and a member's :meth:`_KeyScanner.hits` of such a view returns its share
    (:meth:`found`) instead of scanning it again. Taking a scanner in sets its ``joint``."""

    def __init__(self, members: Sequence[_KeyScanner]):
        backends = {m.backend for m in members}
        if len(backends) != 1:
            raise ValueError(f"members of one joint scan need one backend, not {sorted(backends)}")
        union: dict[str, list[tuple[int, tuple[int, ...]]]] = {}
        for m, scanner in enumerate(members):
            for key, value in zip(scanner.keys, scanner._values):
                union.setdefault(key, []).append((m, value))
        self.size = len(members)
        # per key of the union: its member and value when one member holds it (most keys),
        # else member -1 and every (member, value) pair in ``_shared``
        self._member: list[int] = []
        self._value: list[tuple[int, ...]] = []
        self._shared: dict[int, tuple[tuple[int, tuple[int, ...]], ...]] = {}
        for k, owners in enumerate(union.values()):
            single = len(owners) == 1
            self._member.append(owners[0][0] if single else -1)
            self._value.append(owners[0][1] if single else ())
            if not single:
                self._shared[k] = tuple(owners)
        self._scanner = _KeyScanner({key: (k,) for k, key in enumerate(union)}, backends.pop())
        self._last: tuple[tuple[str, list[tuple[list[int], list[tuple[int, ...]]]]], ...] = ()
        for m, scanner in enumerate(members):
            scanner.joint = self
            scanner.member = m

    def scan(self, squeezed: str) -> list[tuple[list[int], list[tuple[int, ...]]]]:
        """Per member, its hits in ``squeezed`` (see :meth:`_KeyScanner.hits`), by one pass
        (none when this view's scan is remembered); remembered for :meth:`found`."""
        for known, remembered in self._last:
            if known == squeezed:
                return remembered
        member, value = self._member, self._value
        shares: list[tuple[list[int], list[tuple[int, ...]]]] = [([], []) for _ in range(self.size)]
        scanner = self._scanner
        found: list[tuple[int, int]] = []           # (key, start) of the occurrences to share out
        if scanner._rs is not None:
            for k, start, _end in scanner._rs.find_matches_as_indexes(squeezed.encode("ascii"),
                                                                       overlapping=True):
                m = member[k]
                if m >= 0:                          # the common case, inline
                    share = shares[m]
                    share[0].append(start)
                    share[1].append(value[k])
                else:
                    found.append((k, start))
        else:
            for end, (back, k) in scanner._py.iter(squeezed):
                found.append((k, end - back))
        for k, start in found:
            m = member[k]
            if m >= 0:
                shares[m][0].append(start)
                shares[m][1].append(value[k])
            else:
                for owner, v in self._shared[k]:
                    shares[owner][0].append(start)
                    shares[owner][1].append(v)
        self._last = ((squeezed, shares), *self._last[:_JOINT_SLOTS - 1])
        return shares

    def found(self, squeezed: str, member: int) -> tuple[list[int], list[tuple[int, ...]]] | None:
        """The share of ``member`` of a remembered scan of ``squeezed``, else None."""
        for known, shares in self._last:
            if known == squeezed:           # the same object, or (evicted squeeze) an equal one
                return shares[member]
        return None


def _automaton(sequences: dict[tuple[str, ...], set[int]], prefixes: dict[str, set[int]],
               backend: str | None = None) -> _KeyScanner | None:
    """One Aho-Corasick scanner over the squeezed view for every sequence (a lead, the
    words joined by single spaces, a trail: exactly where it matches at a word start and ends
    at a word end) and every literal prefix (a lead, the prefix). A key's value is the
    patterns ``ids`` it belongs to: its occurrence starting at ``s`` (the lead) stands for a
    match at the view offset ``offsets[s]`` (see :func:`_squeeze`) of one of them. ``None``
    when a word is not plain ``[a-z0-9/]`` (the squeeze would then blur it: the regex scan
    serves), or no native scanner is installed. ``backend``: :data:`_BACKEND` by default."""
    backend = _BACKEND if backend is None else backend
    if backend is None:
        return None
    keys: dict[str, set[int]] = {}
    for seq, ids in sequences.items():
        if not all(_CLEAN_TOKEN.fullmatch(tok) for tok in seq):
            return None
        core = " ".join(seq)
        for lead in _LEADS:
            for trail in _TRAILS:
                keys.setdefault(lead + core + trail, set()).update(ids)
    for prefix, ids in prefixes.items():
        if not all(_CLEAN_TOKEN.fullmatch(tok) for tok in prefix.split(" ")):
            return None
        for lead in _LEADS:
            keys.setdefault(lead + prefix, set()).update(ids)
    if not keys:
        return None
    return _KeyScanner({key: tuple(sorted(ids)) for key, ids in keys.items()}, backend)


class DisjointSpans:
    """Non-overlapping ``[start, end)`` spans, kept sorted: greedy selection of the longest
    matches in O(log n) per candidate instead of a scan of everything taken so far."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_left(self._starts, end)
        return i > 0 and self._ends[i - 1] > start

    def add(self, start: int, end: int) -> None:
        i = bisect.bisect_left(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)


#: the most opening words :class:`WordStartRegex` looks for before scanning
_MAX_WORDS = 8


def _covering_words(openings: Iterable[str]) -> list[str]:
    """Few words such that each opening (words separated by single spaces) holds one: the
    word in most openings first (then the longest), until every opening is covered."""
    left = [set(opening.split(" ")) - {""} for opening in openings]
    chosen: list[str] = []
    while left:
        counts: dict[str, int] = {}
        for words in left:
            for w in words:
                counts[w] = counts.get(w, 0) + 1
        if not counts:
            return []                  # an opening with no word: nothing to look for
        best = max(counts, key=lambda w: (counts[w], len(w), w))
        chosen.append(best)
        left = [words for words in left if best not in words]
    return chosen


def _has_border(word: str) -> bool:
    """Whether a proper prefix of ``word`` is also its suffix (two copies can overlap)."""
    return any(word[k:] == word[:len(word) - k] for k in range(1, len(word)))


def _opening_regex(openings: set[str], guard: str) -> str:
    """A regex matching where one of ``openings`` (literal texts, words separated by single
    spaces, read as ``\\s+``) stands at a word start (not after a ``guard`` character).

    When the openings share a first-word prefix of two or more characters that cannot overlap
    itself (``nghi``, ``chien``), the regex consumes it: the engine then finds candidates by
    its fast literal-prefix search, and no opening can start inside the consumed text (it
    would overlap the prefix). Otherwise only the first character is consumed (every later
    position is still visited) and the rest is looked ahead at."""
    common = os.path.commonprefix(sorted(openings)).split(" ")[0]
    if len(common) < 2 or _has_border(common):
        return trie_regex((p.split(" ") for p in openings), end="", guard=guard, lookahead=True)
    lit = re.escape(common)
    rest = trie_regex((p[len(common):].split(" ") for p in openings), end="")
    return f"{lit}(?<![{guard}]{lit})" + (f"(?={rest})" if rest else "")


class WordStartRegex:
    """A regex whose matches start where a word may: ``(?<![guard])body``, scanned fast.

    A leading look-behind makes the engine try the pattern at every position of the text.
    This class lets the engine jump (in C) to the few places a match can start — where one
    of the literal openings of ``body`` (:func:`literal_prefixes`) stands at a word start, or
    the characters it opens with (``first``, a character-class body), or else every
    character outside ``guard`` (a character-class body) — and takes the real match there. :meth:`finditer`
    yields exactly what ``exact.finditer`` yields, where ``exact`` is the compiled
    ``(?<![guard])(?:body)``. ``body`` must not match the empty string, and every match of
    it must open with a ``first`` character when ``first`` is given (:meth:`finditer_at`
    then tries ``exact`` at each offset it is given, with no fast check). When the literal
    openings share a first-word prefix (``nghi``, ``chien``), the fast pattern consumes it
    and the engine finds it by its literal-prefix search (:func:`_opening_regex`)."""

    def __init__(self, body: str, guard: str, flags: int = 0, first: str | None = None):
        self.exact = re.compile(f"(?<![{guard}])(?:{body})", flags)
        self.pattern = self.exact.pattern
        opening = literal_prefixes(body) if first is None and not flags & re.IGNORECASE else None
        self._opening = first is not None or opening is not None
        self._first = first is not None
        if first is not None:   # an opening character not preceded by a guard character
            self._fast = re.compile(f"[{first}](?<![{guard}][\\s\\S])", flags)
        elif opening is not None:
            self._fast = re.compile(_opening_regex(opening, guard), flags)
        else:                   # a non-guard character followed by a match
            self._fast = re.compile(f"[^{guard}](?=(?:{body}))", flags)
        # words one of which every literal opening holds: a range holding none of them holds
        # no match, which a few substring searches tell faster than a scan
        words = _covering_words(opening) if opening is not None else []
        self._words = tuple(words) if 0 < len(words) <= _MAX_WORDS else ()

    def match(self, string: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        return self.exact.match(string, pos, len(string) if endpos is None else endpos)

    def finditer_at(self, string: str, positions: Iterable[int]) -> Iterator[re.Match[str]]:
        """What ``finditer(string)`` yields, trying only ``positions`` (ascending), which must
        include every offset where a match can start (found by the caller more cheaply than
        by a scan: a shared scan for numbers, a substring search for a rare word …)."""
        exact, fast, opening = self.exact, self._fast, self._opening
        check = not self._first       # an exact match opens with a ``first`` character
        last_end = 0                  # after no guard one: the fast pattern stands there
        for q in positions:
            if q < last_end:
                continue
            # as finditer: only where the fast pattern stands (it consumes the character
            # before the match when the regex has no opening, and there is none at 0)
            if opening:
                if check and fast.match(string, q) is None:
                    continue
            elif q and fast.match(string, q - 1) is None:
                continue
            m = exact.match(string, q)
            if m is not None:
                yield m
                last_end = max(m.end(), q + 1)

    def search(self, string: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        return next(self.finditer(string, pos, endpos), None)

    def finditer(self, string: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match[str]]:
        endpos = len(string) if endpos is None else min(endpos, len(string))
        if self._words:
            for word in self._words:
                if string.find(word, pos, endpos) >= 0:
                    break
            else:
                return
        exact = self.exact
        last_end = pos
        if self._opening:
            for f in self._fast.finditer(string, pos, endpos):
                q = f.start()
                if q < last_end:
                    continue
                m = exact.match(string, q, endpos)
                if m is not None:
                    yield m
                    last_end = max(m.end(), q + 1)
            return
        if pos == 0:
            m = exact.match(string, 0, endpos)
            if m is not None:
                yield m
                last_end = max(m.end(), 1)
        for f in self._fast.finditer(string, max(pos - 1, 0), endpos):
            q = f.end()
            if q < last_end:
                continue
            m = exact.match(string, q, endpos)
            if m is not None:
                yield m
                last_end = max(m.end(), q + 1)

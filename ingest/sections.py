"""The outline of a document: numbered parts as a tree of frozen :class:`Section` records.

Recognised markers, outermost first: ``Chương I``; ``I.``/``II.`` (roman, titles may wrap:
``II. NỘI DUNG THỰC\\nHIỆN``) and ``Điều 1.``; ``1.``/``2.`` (and ``2.1.``); ``a)``/``đ)``;
``-`` items; ``+`` items. A news article with ``Về công tác …:`` paragraphs and no numbering
gets one ``p<n>`` section per such paragraph.

Paths join the labels: ``II.1.a``; dash and plus items are numbered among their siblings
(``III.1.-2``, ``II.3.a.+1``), articles are ``art<n>``, chapters ``ch<n>``, news paragraphs
``p<n>``. :meth:`Outline.section_at` maps a text offset to the deepest path (``""`` outside
every section).

Layouts (all five seeds): text scraped from portals wraps lines mid-sentence (``wrapped``);
some texts keep one paragraph per line (``line``); others separate paragraphs with blank lines
and break pages mid-sentence (``blank``). The layout decides where a body paragraph ends.
Parsing is pure and never rewrites the text: every span points into the input.
"""
from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .text import fold

__all__ = ["Outline", "Section", "fold", "join_wrapped", "parse_outline", "PATH_RE"]


_DATA = Path(__file__).with_name("data")

#: a well-formed section path
_COMPONENT = r"(?:ch\d+|art\d+|p\d+|[IVXLC]+|\d+|[a-zđ]|[-+]\d+)"
PATH_RE = re.compile(rf"(?:{_COMPONENT}(?:\.{_COMPONENT})*)?")

_RANK = {"chapter": 0.0, "roman": 1.0, "article": 1.0, "para": 1.0, "arabic": 2.0, "letter": 3.0,
         "dash": 4.0, "plus": 5.0}
_LETTERS = "abcdđeghiklmnopqrstuvxy"
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}

_ROMAN_RE = re.compile(r"[ \t\u00a0]*([IVXLC]{1,6})[ \t\u00a0]*[.:\-–)][ \t\u00a0]*(?=[^\W\d_]|[\"“(*])")
_ARTICLE_RE = re.compile(r"[ \t\u00a0]*Điều[ \t\u00a0]+(\d{1,3})[ \t\u00a0]*(?:[.:]|$)[ \t\u00a0]*", re.IGNORECASE)
_CHAPTER_RE = re.compile(r"[ \t\u00a0]*Chương[ \t\u00a0]+([IVXLC]{1,6}|\d{1,2})\b[ \t\u00a0]*[.:\-–]?[ \t\u00a0]*",
                         re.IGNORECASE)
_ARABIC_RE = re.compile(r"[ \t\u00a0]*(\d{1,2}(?:\.\d{1,2}){0,3})[ \t\u00a0]*[.)][ \t\u00a0]*(?=[^\W\d_]|[\"“(*])")
_LETTER_RE = re.compile(r"[ \t\u00a0]*([a-zđ])[ \t\u00a0]*(\))[ \t\u00a0]*(?=\S)|[ \t\u00a0]*([a-zđ])(\.)[ \t\u00a0]+(?=[A-ZĐ])")
_DASH_RE = re.compile(r"[ \t\u00a0]*[-–—•·][ \t\u00a0]*(?=\S)")
_PLUS_RE = re.compile(r"[ \t\u00a0]*\+[ \t\u00a0]*(?=\S)")
_ARTEFACT_RE = re.compile(r"[ \t\u00a0]*(?:\||[-_=*.]{3,}|[-–—]{2,})?[ \t\u00a0]*")
#: the characters a non-blank artefact line opens with once stripped (a cheap test first)
_ARTEFACT_FIRST = frozenset("|-_=*.–—")
_TERMINAL = ".;:!?…)]\"”’/"
_TERMINAL_TUPLE = tuple(_TERMINAL)
_FUNCTION_WORDS = frozenset(
    "và với của các về cho trong tại theo để có là những đến từ hoặc như trên dưới ở nhằm "
    "bằng khi do mà thì thuộc qua giữa cùng".split()
)


@lru_cache(maxsize=1)
def _patterns() -> dict:
    data = json.loads((_DATA / "outline.json").read_text(encoding="utf-8"))
    return {
        "closing": re.compile("|".join(f"(?:{p})" for p in data["closing_line"])),
        "news": re.compile(data["news_paragraph"]),
    }


@dataclass(frozen=True, slots=True)
class Section:
    path: str                                   # "II.1.a"
    kind: str                                   # chapter|roman|article|para|arabic|letter|dash|plus
    label: str                                  # "II", "1", "a", "-2", "art1", "p3"
    number: int                                 # ordinal among siblings of its kind
    title: str                                  # heading text, wrap-joined; "" if none
    start: int                                  # offset of the marker
    end: int                                    # end of the section (children included)
    title_start: int
    title_end: int
    body: tuple[tuple[int, int], ...] = ()      # own body paragraphs (children excluded)
    children: tuple[Section, ...] = ()

    def __init__(self, path: str, kind: str, label: str, number: int, title: str, start: int,
                 end: int, title_start: int, title_end: int,
                 body: tuple[tuple[int, int], ...] = (), children: tuple[Section, ...] = ()) -> None:
        """What the dataclass would write (each field through ``object.__setattr__``), written
        out: the dataclasses module keeps it, and mypyc compiles it (the generated one stays
        Python). Compiled, the fields are stored as a native class's attributes are, directly:
        mypyc writes them to the instance without consulting the frozen ``__setattr__`` (which
        Python code still meets: the record stays frozen, tested), eleven C stores instead of
        eleven ``object.__setattr__`` calls (a sixth of the time: ~0.15 against ~1 us)."""
        if _STORES_DIRECTLY:
            self.path = path  # type: ignore[misc]
            self.kind = kind  # type: ignore[misc]
            self.label = label  # type: ignore[misc]
            self.number = number  # type: ignore[misc]
            self.title = title  # type: ignore[misc]
            self.start = start  # type: ignore[misc]
            self.end = end  # type: ignore[misc]
            self.title_start = title_start  # type: ignore[misc]
            self.title_end = title_end  # type: ignore[misc]
            self.body = body  # type: ignore[misc]
            self.children = children  # type: ignore[misc]
            return
        set_ = object.__setattr__
        set_(self, "path", path)
        set_(self, "kind", kind)
        set_(self, "label", label)
        set_(self, "number", number)
        set_(self, "title", title)
        set_(self, "start", start)
        set_(self, "end", end)
        set_(self, "title_start", title_start)
        set_(self, "title_end", title_end)
        set_(self, "body", body)
        set_(self, "children", children)

    @property
    def depth(self) -> int:
        return self.path.count(".") + 1

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def _probe() -> None:
    """A plain function: its type tells whether this module runs as bytecode."""


#: this module runs interpreted (mypyc compiles functions to native ones, and builds its native
#: classes fast, but refuses ``object.__new__`` on them: :func:`_new_section` then calls the class)
_INTERPRETED = type(_probe).__name__ == "function"
#: :class:`Section`'s ``__init__`` stores its fields directly (compiled only: interpreted, the
#: frozen ``__setattr__`` would refuse them); fixed at import, whatever ``_INTERPRETED`` is set to
_STORES_DIRECTLY = not _INTERPRETED

#: the slot descriptors' setters of :class:`Section`, in field order
(_SET_PATH, _SET_KIND, _SET_LABEL, _SET_NUMBER, _SET_TITLE, _SET_START, _SET_END, _SET_TITLE_START,
 _SET_TITLE_END, _SET_BODY, _SET_CHILDREN) = (getattr(Section, f).__set__ for f in Section.__dataclass_fields__)


def _new_section(path: str, kind: str, label: str, number: int, title: str, start: int, end: int,
                 title_start: int, title_end: int, body: tuple, children: tuple, *,
                 _new=object.__new__, _path=_SET_PATH, _kind=_SET_KIND, _label=_SET_LABEL,
                 _number=_SET_NUMBER, _title=_SET_TITLE, _start=_SET_START, _end=_SET_END,
                 _title_start=_SET_TITLE_START, _title_end=_SET_TITLE_END, _body=_SET_BODY,
                 _children=_SET_CHILDREN) -> Section:
    """``Section(...)`` without the frozen dataclass's ``__init__`` (which sets each field
    through ``object.__setattr__``): the slots are set directly, about half the time. The
    outline builds one per section of every document. Compiled, the class itself is called."""
    if not _INTERPRETED:
        return Section(path, kind, label, number, title, start, end, title_start, title_end, body,
                       children)
    sec = _new(Section)
    _path(sec, path)
    _kind(sec, kind)
    _label(sec, label)
    _number(sec, number)
    _title(sec, title)
    _start(sec, start)
    _end(sec, end)
    _title_start(sec, title_start)
    _title_end(sec, title_end)
    _body(sec, body)
    _children(sec, children)
    return sec


@dataclass(frozen=True, slots=True)
class Outline:
    text_length: int
    layout: str                                 # wrapped | line | blank
    sections: tuple[Section, ...]               # top level
    flat: tuple[Section, ...] = ()              # every section, document order
    body_start: int = 0                         # first section (0 if none)
    body_end: int = 0                           # end of the last section
    _starts: tuple[int, ...] = field(default=(), repr=False, compare=False)
    _parents: tuple[int, ...] = field(default=(), repr=False, compare=False)
    _by_path: dict[str, Section] = field(default_factory=dict, repr=False, compare=False)
    folded: str = field(default="", repr=False, compare=False)   # fold(text), same offsets
    _ancestry: dict[str, tuple[Section, ...]] = field(default_factory=dict, repr=False, compare=False)

    def section_at(self, offset: int) -> str:
        """The deepest section path containing ``offset`` (``""`` when none does)."""
        i = bisect.bisect_right(self._starts, offset) - 1
        while i >= 0:
            sec = self.flat[i]
            if sec.start <= offset < sec.end:
                return sec.path
            i = self._parents[i]
        return ""

    def find(self, path: str) -> Section | None:
        return self._by_path.get(path)

    def ancestors(self, path: str) -> list[Section]:
        """The sections on the way to ``path``, outermost first (``path`` itself last)."""
        known = self._ancestry.get(path)       # every task of a section asks again
        if known is None:
            parts = path.split(".")
            found = (self._by_path.get(".".join(parts[:i])) for i in range(1, len(parts) + 1))
            known = self._ancestry[path] = tuple(sec for sec in found if sec is not None)
        return list(known)


# -- lines --------------------------------------------------------------------------------
# The parser's own records are plain classes with ``__slots__`` and an ``__init__`` of their
# own: as fast as a slotted dataclass when interpreted, and native classes when compiled by
# mypyc (whose dataclasses keep the ``__init__`` the dataclasses module writes in Python, five
# times slower to call: one record per line of every document).
class _Line:
    __slots__ = ("start", "end", "text", "blank", "artefact", "lo", "hi")

    def __init__(self, start: int, end: int, text: str, blank: bool, artefact: bool, lo: int,
                 hi: int) -> None:
        self.start = start
        self.end = end
        self.text = text
        self.blank = blank
        self.artefact = artefact
        self.lo = lo     # offset of its first non-space character (``end`` if blank)
        self.hi = hi     # offset after its last non-space character (``start`` if blank)


def _lines(text: str) -> list[_Line]:
    """The lines of ``text``. Interpreted, each record is made by ``object.__new__`` and its
    slots set in the loop (no ``__init__`` call: a fifth of the time); compiled, mypyc builds
    its native class fast (and refuses ``object.__new__`` on it): :func:`_lines_plain`."""
    if not _INTERPRETED:
        return _lines_plain(text)
    out: list[_Line] = []
    append = out.append
    new = object.__new__
    pos = 0
    for raw in text.split("\n"):
        end = pos + len(raw)
        ln = new(_Line)
        ln.start = pos
        ln.end = end
        ln.text = raw
        stripped = raw.strip()
        if stripped:
            first = stripped[0]
            lo = pos + raw.find(first)       # every character before it is whitespace
            ln.blank = False
            ln.artefact = first in _ARTEFACT_FIRST and _ARTEFACT_RE.fullmatch(raw) is not None
            ln.lo = lo
            ln.hi = lo + len(stripped)
        else:
            ln.blank = True
            ln.artefact = False
            ln.lo = end
            ln.hi = pos
        append(ln)
        pos = end + 1
    return out


def _lines_plain(text: str) -> list[_Line]:
    """:func:`_lines` through the class's ``__init__``."""
    out: list[_Line] = []
    append = out.append
    pos = 0
    for raw in text.split("\n"):
        end = pos + len(raw)
        stripped = raw.strip()
        if stripped:
            first = stripped[0]
            lo = pos + raw.find(first)       # every character before it is whitespace
            append(_Line(pos, end, raw, False,
                         first in _ARTEFACT_FIRST and _ARTEFACT_RE.fullmatch(raw) is not None,
                         lo, lo + len(stripped)))
        else:
            append(_Line(pos, end, raw, True, False, end, pos))
        pos = end + 1
    return out


def _text_lines(lines: list[_Line]) -> list[int]:
    """Indices of the lines holding text (neither blank nor an artefact), in order."""
    return [j for j, ln in enumerate(lines) if not ln.blank and not ln.artefact]


def _layout(lines: list[_Line], texts: list[int] | None = None) -> str:
    if texts is None:
        texts = _text_lines(lines)
    if len(texts) < 2:
        return "wrapped"
    # a gap: a non-blank line (an artefact too) right after a blank one, not the first
    # non-blank line (which follows a blank one when the text opens with blank lines)
    gaps = sum(1 for prev, ln in zip(lines, lines[1:]) if prev.blank and not ln.blank)
    if lines[0].blank:          # (some line is not blank: ``texts`` holds two)
        gaps -= 1
    if gaps >= 0.3 * (len(texts) - 1):
        return "blank"
    long_lines = sum(1 for j in texts if lines[j].hi - lines[j].lo > 150)
    if long_lines >= 0.3 * len(texts):
        return "line"
    return "wrapped"


def _roman_value(s: str) -> int:
    total = 0
    for i, ch in enumerate(s):
        v = _ROMAN[ch]
        total += -v if i + 1 < len(s) and _ROMAN[s[i + 1]] > v else v
    return total if _to_roman(total) == s else 0


def _to_roman(n: int) -> str:
    out = []
    for value, sym in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"),
                       (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


def _starts_upper(s: str) -> bool:
    for ch in s:
        if ch.isalpha():
            return ch.isupper()
        if ch.isdigit():
            return False
    return False


def _is_upper_line(s: str) -> bool:
    return s == s.upper() and s != s.lower()


class _Marker:
    __slots__ = ("kind", "label", "number", "depth", "content")

    def __init__(self, kind: str, label: str, number: int, depth: int, content: int) -> None:
        self.kind = kind
        self.label = label       # raw label ("II", "1", "2.1", "a", "-", "+", "art1", "p1")
        self.number = number
        self.depth = depth       # arabic dotted depth
        self.content = content   # offset where the text after the marker begins

    def _key(self) -> tuple[str, str, int, int, int]:
        return self.kind, self.label, self.number, self.depth, self.content

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Marker) and self._key() == other._key()

    def __repr__(self) -> str:
        return "_Marker(%r, %r, %r, %r, %r)" % self._key()


def _marker(line: _Line, news: bool) -> _Marker | None:
    s = line.text
    first = s.lstrip()[:1]
    if not first:
        return None
    if first in "IVXLC":
        m = _ROMAN_RE.match(s)
        if m and _roman_value(m.group(1)):
            return _Marker("roman", m.group(1), _roman_value(m.group(1)), 1, line.start + m.end())
    if first in "ĐđDd":
        m = _ARTICLE_RE.match(s)
        if m:
            n = int(m.group(1))
            return _Marker("article", f"art{n}", n, 1, line.start + m.end())
    if first in "Cc":
        m = _CHAPTER_RE.match(s)
        if m:
            raw = m.group(1)
            n = int(raw) if raw.isdigit() else _roman_value(raw.upper())
            if n:
                return _Marker("chapter", f"ch{n}", n, 1, line.start + m.end())
    if first.isdigit():
        m = _ARABIC_RE.match(s)
        if m:
            parts = m.group(1).split(".")
            return _Marker("arabic", m.group(1), int(parts[-1]), len(parts), line.start + m.end())
        return None
    if first in _LETTERS:
        m = _LETTER_RE.match(s)
        if m:
            letter = m.group(1) or m.group(3)
            return _Marker("letter", letter, _LETTERS.index(letter) + 1, 1, line.start + m.end())
    if first in "-–—•·":
        m = _DASH_RE.match(s)
        if m:
            return _Marker("dash", "-", 0, 1, line.start + m.end())
    if first == "+":
        m = _PLUS_RE.match(s)
        if m:
            return _Marker("plus", "+", 0, 1, line.start + m.end())
    if news and first in "Vv":
        m = _patterns()["news"].match(fold(s))
        if m:
            return _Marker("para", "p", 0, 1, line.start + len(s) - len(s.lstrip()))
    return None


class _Node:
    __slots__ = ("marker", "line", "parent", "rank", "children", "end_line", "label")

    def __init__(self, marker: _Marker, line: int, parent: int, rank: float) -> None:
        self.marker = marker
        self.line = line                     # index of the marker line
        self.parent = parent                 # index into nodes, -1 for top level
        self.rank = rank
        self.children: list[int] = []
        self.end_line = -1                   # exclusive
        self.label = ""


def _prev_text_line(lines: list[_Line], i: int) -> tuple[_Line | None, bool]:
    """The previous non-blank, non-artefact line and whether a blank line separates them."""
    blank = False
    j = i - 1
    while j >= 0:
        if lines[j].blank:
            blank = True
        elif not lines[j].artefact:
            return lines[j], blank
        j -= 1
    return None, blank


def _accept_bullet(lines: list[_Line], i: int, m: _Marker, marker_lines: set[int]) -> bool:
    """A ``-``/``+`` line is an item only if it starts a clause: capitalised (or a number,
    quote) and after a line that ended one, after a heading, or after a blank line."""
    rest = lines[i].text[m.content - lines[i].start:]
    if not rest or rest[0].islower():
        return False
    prev, blank = _prev_text_line(lines, i)
    if prev is None or blank:
        return True
    tail = prev.text.rstrip()
    if tail.endswith(_TERMINAL_TUPLE):
        return True
    if prev.start in marker_lines:
        return True
    return len(tail.strip()) < 60 and not tail.endswith(",")


_MAJOR = ("roman", "article", "chapter")
_MARKER_RES = (("roman", _ROMAN_RE), ("article", _ARTICLE_RE), ("chapter", _CHAPTER_RE),
               ("arabic", _ARABIC_RE), ("letter", _LETTER_RE), ("dash", _DASH_RE), ("plus", _PLUS_RE))
#: every character a (non-news) marker regex but the letter one can open with after its spaces
_MARKER_FIRST = r"IVXLCĐđDdc\d\-–—•·+"


@lru_cache(maxsize=1)
def _line_scans() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str] | None]:
    """Scans over the whole text (or its fold) that find, in C, the lines the marker loop
    must look at: ``structure`` (a roman or article marker opens a line), ``markers`` (a line
    opening with a non-news marker: a superset of the lines :func:`_marker` accepts) and
    ``closing`` (a folded line opening with a literal opening of a closing pattern: a superset
    of the closing lines; ``None`` when those openings cannot be listed). Every marker regex
    stays inside its line (none consumes a newline; ``$`` and the look-aheads read a newline as
    the end of the line), so a match at a line start is a match on the line alone.

    ``markers`` is one alternation of the kinds (one named group each), in two branches, each
    behind a look-ahead at the line's first characters: a letter marker (most lines of a
    wrapped text open with a lower case letter, which fail its look-ahead at the next
    character), then every other kind (whose look-ahead they fail at once), instead of trying
    each kind in turn. No line opens with two kinds of marker (each kind's first characters,
    and for ``c``/``đ`` the next ones, tell them apart: ``c)``/``chương``, ``đ)``/``điều``), so
    the order of the branches does not change what matches. (One pass over the text: two
    scans, one per branch, cost a tenth more.)"""
    from .gazetteer import literal_prefixes, trie_regex  # gazetteer imports .text only

    def ci(regex: re.Pattern[str]) -> str:
        return f"(?i:{regex.pattern})" if regex.flags & re.IGNORECASE else f"(?:{regex.pattern})"

    # each opens with a newline, which the engine finds with a fast literal search (a
    # multi-line ``^`` is tried at every position); the first line is matched on its own
    structure = re.compile(f"\n(?:{ci(_ROMAN_RE)}|{ci(_ARTICLE_RE)})", re.MULTILINE)
    others = "|".join(f"(?P<{kind}>{ci(regex)})" for kind, regex in _MARKER_RES if kind != "letter")
    markers = re.compile(
        f"\n(?:(?=[ \t\u00a0]*[a-zđ][ \t\u00a0]*[).])(?P<letter>{ci(_LETTER_RE)})"
        f"|(?=[ \t\u00a0]*[{_MARKER_FIRST}])(?:{others}))", re.MULTILINE)
    openings = literal_prefixes(_patterns()["closing"].pattern)
    closing = None
    if openings is not None:
        closing = re.compile(r"\n[^\S\n]*" + trie_regex((), end="", prefixes=openings))
    return structure, markers, closing


def _scanned_marker(m: re.Match[str], content: int, line: _Line) -> _Marker | None:
    """The marker of ``line`` from the ``markers`` scan's match ``m`` (``content``: the text
    offset of its end): what :func:`_marker` gives, read from the kind's group; the few
    matches :func:`_marker` looks past (a roman numeral of no value, chapter 0, a letter
    that is no item label) are handed to it."""
    kind = m.lastgroup or ""                      # (one kind's group always took part)
    at = (m.lastindex or 0) + 1       # the kind's own first group (``lastgroup`` names ``lastindex``)                 # the kind's own first group
    if kind == "roman":
        label = m.group(at)
        n = _roman_value(label)
        if n:
            return _Marker("roman", label, n, 1, content)
    elif kind == "article":
        n = int(m.group(at))
        return _Marker("article", f"art{n}", n, 1, content)
    elif kind == "chapter":
        raw = m.group(at)
        n = int(raw) if raw.isdigit() else _roman_value(raw.upper())
        if n:
            return _Marker("chapter", f"ch{n}", n, 1, content)
    elif kind == "arabic":
        label = m.group(at)
        parts = label.split(".")
        return _Marker("arabic", label, int(parts[-1]), len(parts), content)
    elif kind == "letter":
        letter = m.group(at) or m.group(at + 2)
        if letter in _LETTERS:
            return _Marker("letter", letter, _LETTERS.index(letter) + 1, 1, content)
    elif kind == "dash":
        return _Marker("dash", "-", 0, 1, content)
    elif kind == "plus":
        return _Marker("plus", "+", 0, 1, content)
    return _marker(line, False)


def _event_lines(lines: list[_Line], text: str, folded_text: str
                 ) -> tuple[list[int], set[int], dict[int, _Marker | None]] | None:
    """The lines the marker loop must look at: in order, the lines that may hold a (non-news)
    marker or a closing line; those that may be closing lines; the marker of each line the
    scan found one on (:func:`_marker` of the line). ``None`` when every line must be looked
    at."""
    _, markers, closing = _line_scans()
    if closing is None or len(folded_text) != len(text):   # (not NFC: offsets differ)
        return None
    # a match opens with the newline before its line: its index is found by walking on from
    # the previous match's line (the lines are in order; compiled, a native loop reading an
    # attribute of each line: cheaper than a map of line starts, or counting newlines)
    found: dict[int, _Marker | None] = {}
    first = markers.match("\n" + lines[0].text)
    if first is not None:
        found[0] = _scanned_marker(first, first.end() - 1, lines[0])
    i = 0
    for m in markers.finditer(text):
        nl = m.start() + 1
        while lines[i].start < nl:
            i += 1
        found[i] = _scanned_marker(m, m.end(), lines[i])
    closing_lines: set[int] = set()
    i = 0
    for m in closing.finditer(folded_text):
        nl = m.start() + 1
        while lines[i].start < nl:
            i += 1
        closing_lines.add(i)
    if closing.match("\n" + folded_text[:lines[0].end]):
        closing_lines.add(0)
    return sorted(closing_lines.union(found)), closing_lines, found


def _build_nodes(lines: list[_Line], text: str, folded_text: str,
                 every_line: bool = False) -> tuple[list[_Node], list[int]]:
    """Markers -> nodes with parents; returns nodes and the barrier (closing) line indices.

    Only the lines :func:`_event_lines` lists are looked at (any other line is neither a marker
    nor a closing line, and only news paragraphs care about blank lines): ``every_line`` looks
    at each line, the reference the tests compare with."""
    closing = _patterns()["closing"]
    structure = _line_scans()[0]       # news: no roman or article marker opens a line
    news = not lines or (structure.match("\n" + lines[0].text) is None and structure.search(text) is None)
    if news:
        news_re = _patterns()["news"]
        news_count = sum(1 for ln in lines if ln.text.lstrip()[:1] in "Vv"
                         and news_re.match(folded_text[ln.start:ln.end]))
        news = news_count >= 2
    events = None if news or every_line else _event_lines(lines, text, folded_text)
    order, closing_lines, scanned = (None, None, None) if events is None else events
    nodes: list[_Node] = []
    stack: list[int] = []
    barriers: list[int] = []
    closed = False
    marker_lines: set[int] = set()
    last_number: dict[tuple[int, str, int], int] = {}   # (parent, kind, depth) -> last number
    for i in (range(len(lines)) if order is None else order):
        ln = lines[i]
        if ln.blank or ln.artefact:
            if ln.blank and news:  # a news paragraph ends with its paragraph (and so do its items)
                paras = [k for k, idx in enumerate(stack) if nodes[idx].marker.kind == "para"]
                if paras:
                    del stack[paras[0]:]
            continue
        m = _marker(ln, news) if scanned is None else scanned.get(i)
        if ((m is None or m.kind not in _MAJOR) and (closing_lines is None or i in closing_lines)
                and closing.match(folded_text[ln.lo:ln.hi])):
            barriers.append(i)
            closed = True
            stack.clear()
            continue
        if m is None:
            continue
        kind = m.kind
        if closed and kind not in _MAJOR:
            continue
        if kind in ("dash", "plus") and not _accept_bullet(lines, i, m, marker_lines):
            continue
        if kind == "roman" and not _starts_upper(ln.text[m.content - ln.start:]):
            continue
        if kind == "chapter" and ln.text[m.content - ln.start:].strip() and \
                not _starts_upper(ln.text[m.content - ln.start:]):
            continue
        rank = _RANK[kind] + (m.depth - 1) * 0.1 if kind == "arabic" else _RANK[kind]
        # where would it attach? (under stack[:top])
        top = len(stack)
        while top and nodes[stack[top - 1]].rank >= rank:
            top -= 1
        parent = stack[top - 1] if top else -1
        if kind not in ("dash", "plus", "para"):
            last = last_number.get((parent, kind, m.depth))
            if kind == "arabic" and m.depth > 1:
                prefix = m.label.rsplit(".", 1)[0]
                if parent < 0 or nodes[parent].marker.kind != "arabic" or \
                        nodes[parent].marker.label != prefix:
                    continue
            if kind == "letter":  # a) b) c) d) đ) e): only "đ" may be skipped
                n = last or 0
                ok = m.number == n + 1 or (m.number == n + 2 and _LETTERS[n] == "đ")
            else:
                limit = 3 if kind in _MAJOR else 2
                n = last or 0
                ok = n < m.number <= n + limit and (last is not None or m.number <= limit)
            if not ok:
                continue
        closed = False
        del stack[top:]
        node = _Node(m, i, parent, rank)
        nodes.append(node)
        idx = len(nodes) - 1
        if parent >= 0:
            nodes[parent].children.append(idx)
        last_number[(parent, kind, m.depth)] = m.number
        stack.append(idx)
        marker_lines.add(ln.start)
    return nodes, barriers


def _next_not_lower(ranks: list[float]) -> list[int]:
    """For each marker, the index of the next one ranked at or above it (rank <=), or -1:
    one right-to-left pass with a stack instead of a scan per marker."""
    out = [-1] * len(ranks)
    stack: list[int] = []
    for k in range(len(ranks) - 1, -1, -1):
        while stack and ranks[stack[-1]] > ranks[k]:
            stack.pop()
        if stack:
            out[k] = stack[-1]
        stack.append(k)
    return out


def _end_lines(nodes: list[_Node], lines: list[_Line], barriers: list[int]) -> None:
    n_lines = len(lines)
    following = _next_not_lower([node.rank for node in nodes])
    for k, node in enumerate(nodes):
        end = nodes[following[k]].line if following[k] >= 0 else n_lines
        b = bisect.bisect_right(barriers, node.line)
        if b < len(barriers):
            end = min(end, barriers[b])
        if node.marker.kind == "para":  # a news paragraph ends with its paragraph
            j = node.line + 1
            while j < end and not lines[j].blank:
                j += 1
            end = j
        if node.parent >= 0:
            end = min(end, nodes[node.parent].end_line)
        node.end_line = end


def _trim(lines: list[_Line], first: int, end: int) -> int:
    """The offset just after the last real text line in ``[first, end)``."""
    j = end - 1
    while j > first and (lines[j].blank or lines[j].artefact):
        j -= 1
    return lines[j].hi


def _split_paragraphs(lines: list[_Line], a: int, b: int, layout: str,
                      from_offset: int | None = None,
                      texts: list[int] | None = None) -> list[tuple[int, int]]:
    """Paragraph spans of lines ``[a, b)`` (optionally starting mid-line at ``from_offset``).

    ``texts``: :func:`_text_lines` of ``lines``; given, the ``wrapped`` (one paragraph) and
    ``line`` (one per text line) layouts take the text lines of the range by bisection."""
    if texts is not None and layout != "blank":
        i = bisect.bisect_left(texts, a)
        k = bisect.bisect_left(texts, b)
        if i >= k:
            return []
        j = texts[i]
        first = lines[j].lo
        if j == a and from_offset is not None:
            ln = lines[a]
            start = from_offset
            while start < ln.end and ln.text[start - ln.start].isspace():
                start += 1
            if start < ln.end:
                first = start
            else:
                i += 1
                if i >= k:
                    return []
                j = texts[i]
                first = lines[j].lo
        if layout == "line":
            per_line = [(first, lines[j].hi)]
            per_line += [(lines[t].lo, lines[t].hi) for t in texts[i + 1:k]]
            if per_line[-1][1] <= per_line[-1][0]:
                per_line.pop()
            return per_line
        end = lines[texts[k - 1]].hi
        return [(first, end)] if end > first else []
    paras: list[tuple[int, int]] = []
    cur_start = cur_end = -1                 # no paragraph yet (offsets are >= 0)
    pending_blank = False
    for j in range(a, b):
        ln = lines[j]
        if ln.blank or ln.artefact:
            pending_blank = pending_blank or ln.blank
            continue
        start = ln.lo
        if j == a and from_offset is not None:
            start = from_offset
            while start < ln.end and ln.text[start - ln.start].isspace():
                start += 1
            if start >= ln.end:
                continue
        end = ln.hi
        new_para = cur_start < 0
        if not new_para:
            if layout == "line":
                new_para = True
            elif layout == "blank":
                new_para = pending_blank and not ln.text[ln.lo - ln.start].islower()
        if new_para:
            if cur_start >= 0:
                paras.append((cur_start, cur_end))
            cur_start = start
        cur_end = end
        pending_blank = False
    if cur_start >= 0 and cur_end > cur_start:
        paras.append((cur_start, cur_end))
    return paras


def _heading_lines(lines: list[_Line], node: _Node, own_end: int) -> int:
    """Index one past the last line of the heading that starts at the marker line."""
    first = lines[node.line]
    title = first.text[node.marker.content - first.start:]
    upper = _is_upper_line(title) and node.marker.kind in _MAJOR
    j = node.line + 1
    while j < own_end:
        ln = lines[j]
        if ln.blank or ln.artefact:
            break
        if upper:
            if not _is_upper_line(ln.text.strip()):
                break
        else:
            c = ln.text[ln.lo - ln.start]           # its first non-space character
            if not c.islower() and not c.isdigit():
                # a short capitalised tail right before a marker/the end ("…Trung ương\nHuế")
                prev = lines[j - 1].text.rstrip()
                nxt = j + 1
                if (len(ln.text.split()) <= 3 and not prev.endswith(_TERMINAL_TUPLE)
                        and (nxt >= own_end or lines[nxt].blank)):
                    j += 1
                    continue
                break
        j += 1
    return j


def _leaf_heading(text: str, lines: list[_Line], node: _Node, own_end: int,
                  layout: str, texts: list[int] | None = None
                  ) -> tuple[str, int, int, int, int | None] | None:
    """A heading on an item without children: ``3. Bộ Chỉ huy Bộ đội Biên phòng tỉnh`` on its
    own line(s) before the body, or inline ``1. Sở Ngoại vụ: Chủ trì, …``.
    Returns ``(title, title_start, title_end, body_line, body_from)``."""
    m = node.marker
    # inline "<agency or topic>: body"
    own_text_end = lines[own_end - 1].end if own_end > node.line else lines[node.line].end
    colon = text.find(":", m.content, min(own_text_end, m.content + 400))
    if colon > m.content:
        before = join_wrapped(text, m.content, colon)
        if (before and len(before.split()) <= 40
                and _inline_heading_re().match(fold(before))):
            line_of_colon = node.line
            while line_of_colon + 1 < len(lines) and lines[line_of_colon].end < colon:
                line_of_colon += 1
            return before, m.content, colon, line_of_colon, colon + 1
    if m.kind != "arabic":
        return None
    if layout != "wrapped":
        paras = _split_paragraphs(lines, node.line, own_end, layout, m.content, texts)
        if len(paras) < 2:
            return None
        cand_end = paras[0][1]
        limit = 40
        body_line = node.line
        while body_line < own_end and lines[body_line].start < paras[1][0]:
            body_line += 1
        body_from: int | None = None
    else:
        h_end = _heading_lines(lines, node, own_end)
        if h_end >= own_end:
            return None
        cand_end = _trim(lines, node.line, h_end)
        limit = 15
        body_line, body_from = h_end, None
    cand = join_wrapped(text, m.content, cand_end)
    words = cand.split()
    if not cand or len(words) > limit or cand.endswith(_TERMINAL_TUPLE):
        return None
    if words[-1].lower() in _FUNCTION_WORDS:
        return None
    j = body_line                                   # the first text line of the body
    while j < own_end and (lines[j].blank or lines[j].artefact):
        j += 1
    if j >= own_end:
        return None
    nxt = lines[j]
    first_word = nxt.text.split(None, 1)[0]         # a text line holds a word
    letters = [ch for ch in first_word if ch.isalpha()]
    if len(letters) >= 2 and all(ch.isupper() for ch in letters):  # "UBND tỉnh; …" goes on
        return None
    return cand, m.content, cand_end, body_line, body_from


@lru_cache(maxsize=1)
def _inline_heading_re() -> re.Pattern[str]:
    data = json.loads((_DATA / "outline.json").read_text(encoding="utf-8"))
    return re.compile("(?:" + "|".join(data["inline_heading_start"]) + r")\b")


_EMPHASIS_RE = re.compile(r"(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])")


def join_wrapped(text: str, start: int, end: int) -> str:
    """Display text of a span: lines joined with spaces, ``|``/rule lines and markdown
    ``*emphasis*`` markers dropped, whitespace collapsed."""
    parts = []
    for raw in text[start:end].split("\n"):
        s = raw.strip()
        if not s or (s[0] in _ARTEFACT_FIRST and _ARTEFACT_RE.fullmatch(s)):
            continue
        parts.append(s)
    joined = " ".join(parts)
    if "*" not in joined:
        return " ".join(joined.split())
    joined = _EMPHASIS_RE.sub("", joined)
    return " ".join(joined.split())


def join_wrapped_folded(text: str, folded: str, start: int, end: int) -> tuple[str, str]:
    """``join_wrapped(text, start, end)`` and its :func:`fold`, given ``folded == fold(text)``.

    When nothing but whitespace was changed (no rule line, no ``*`` dropped) the span's text is
    its words joined by single spaces; ``fold`` is 1:1 and keeps whitespace whitespace (tested),
    so the fold is the document's fold of the span, words joined the same way. The joined text
    is a subsequence of the span's words joined by spaces: equal lengths mean equal texts."""
    body = join_wrapped(text, start, end)
    if len(folded) == len(text):
        candidate = " ".join(folded[start:end].split())
        if len(candidate) == len(body):
            return body, candidate
    return body, fold(body)


def _title_of(text: str, start: int, end: int, kind: str) -> tuple[str, int, int]:
    title = join_wrapped(text, start, end)
    if kind == "para":
        title = title.split(":", 1)[0].strip()
        colon = text.find(":", start, end)
        end = colon if colon >= 0 else end
    return title.rstrip(" :"), start, end


_ITEM_SYMBOL = {"dash": "-", "plus": "+", "para": "p"}


def parse_outline(text: str) -> Outline:
    """Parse the numbered structure of ``text`` (pure; never raises on any input)."""
    lines = _lines(text)
    texts = _text_lines(lines)
    layout = _layout(lines, texts)
    folded = fold(text)
    nodes, barriers = _build_nodes(lines, text, folded)
    _end_lines(nodes, lines, barriers)
    # labels/paths
    counters: dict[tuple[int, str], int] = {}
    for k, node in enumerate(nodes):
        m = node.marker
        if m.kind in ("dash", "plus", "para"):
            key = (node.parent, m.kind)
            counters[key] = counters.get(key, 0) + 1
            sym = _ITEM_SYMBOL[m.kind]
            node.label = f"{sym}{counters[key]}"
            m.number = counters[key]
        elif m.kind == "arabic":
            node.label = m.label.rsplit(".", 1)[-1]
        else:
            node.label = m.label
    paths: list[str] = []
    for node in nodes:
        paths.append(node.label if node.parent < 0 else f"{paths[node.parent]}.{node.label}")

    built: dict[int, Section] = {}
    for k in range(len(nodes) - 1, -1, -1):
        node = nodes[k]
        m = node.marker
        own_end = nodes[node.children[0]].line if node.children else node.end_line
        first = lines[node.line]
        # heading
        if m.kind in ("roman", "article", "chapter", "para"):
            h_end = _heading_lines(lines, node, own_end) if m.kind != "para" else node.line + 1
            t_end_off = _trim(lines, node.line, h_end)
            title, t_s, t_e = _title_of(text, m.content, t_end_off, m.kind)
            body_from = (t_e + 1) if m.kind == "para" else None
            body_line = node.line if m.kind == "para" else h_end
        elif node.children:
            t_end_off = _trim(lines, node.line, own_end)
            paras = _split_paragraphs(lines, node.line, own_end, layout, m.content, texts)
            if len(paras) > 1:
                t_end_off = paras[0][1]
            title, t_s, t_e = _title_of(text, m.content, t_end_off, m.kind)
            body_line, body_from = own_end, None
            if len(paras) > 1:
                body_line = node.line
                body_from = paras[1][0]
        else:
            title, t_s, t_e = "", m.content, m.content
            body_line, body_from = node.line, m.content
            found = _leaf_heading(text, lines, node, own_end, layout, texts)
            if found is not None:
                title, t_s, t_e, body_line, body_from = found
        if body_from is not None:
            body = _split_paragraphs(lines, body_line, own_end, layout, body_from, texts)
        else:
            body = _split_paragraphs(lines, body_line, own_end, layout, None, texts)
        start = first.lo
        end = max(_trim(lines, node.line, node.end_line), t_e)
        # (every paragraph is non-empty: it holds a non-space character)
        if _INTERPRETED:
            built[k] = _new_section(paths[k], m.kind, node.label, m.number, title, start, end, t_s,
                                    max(t_s, t_e), tuple(body), tuple([built[c] for c in node.children]))
        else:                  # (compiled: the class itself; a call through _new_section costs more)
            built[k] = Section(paths[k], m.kind, node.label, m.number, title, start, end, t_s,
                               max(t_s, t_e), tuple(body), tuple([built[c] for c in node.children]))
    flat = tuple([built[k] for k in range(len(nodes))])
    parents = tuple([n.parent for n in nodes])          # (-1 for the top level)
    top = tuple(built[k] for k, n in enumerate(nodes) if n.parent < 0)
    return Outline(
        text_length=len(text), layout=layout, sections=top, flat=flat,
        body_start=flat[0].start if flat else 0,
        body_end=max((s.end for s in top), default=0),
        _starts=tuple(s.start for s in flat), _parents=parents,
        _by_path={s.path: s for s in flat}, folded=folded,
    )

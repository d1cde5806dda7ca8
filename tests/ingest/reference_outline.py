"""Reference for tests/ingest/test_outline_fast.py: ``ingest/sections.py`` as it was before the
throughput work (main c261243), kept verbatim apart from its imports. The fast outline parser
must give exactly what this gives. Loaded by path (``--import-mode=importlib``)."""
from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from vbgraph.ingest.text import fold

__all__ = ["Outline", "Section", "fold", "join_wrapped", "parse_outline", "PATH_RE"]


_DATA = Path(__file__).resolve().parents[2] / "ingest" / "data"

#: a well-formed section path
_COMPONENT = r"(?:ch\d+|art\d+|p\d+|[IVXLC]+|\d+|[a-zđ]|[-+]\d+)"
PATH_RE = re.compile(rf"(?:{_COMPONENT}(?:\.{_COMPONENT})*)?")

_RANK = {"chapter": 0, "roman": 1, "article": 1, "para": 1, "arabic": 2, "letter": 3,
         "dash": 4, "plus": 5}
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

    @property
    def depth(self) -> int:
        return self.path.count(".") + 1

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


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
@dataclass(slots=True)
class _Line:
    start: int
    end: int
    text: str
    blank: bool
    artefact: bool


def _lines(text: str) -> list[_Line]:
    out = []
    pos = 0
    for raw in text.split("\n"):
        end = pos + len(raw)
        stripped = raw.strip()
        out.append(_Line(pos, end, raw, not stripped,
                         bool(stripped) and stripped[0] in _ARTEFACT_FIRST
                         and _ARTEFACT_RE.fullmatch(raw) is not None))
        pos = end + 1
    return out


def _layout(lines: list[_Line]) -> str:
    texts = [ln for ln in lines if not ln.blank and not ln.artefact]
    if len(texts) < 2:
        return "wrapped"
    gaps = 0
    prev_text = None
    blank_between = False
    for ln in lines:
        if ln.blank:
            blank_between = True
            continue
        if prev_text is not None and blank_between:
            gaps += 1
        prev_text, blank_between = ln, False
    if gaps >= 0.3 * (len(texts) - 1):
        return "blank"
    long_lines = sum(1 for ln in texts if len(ln.text.strip()) > 150)
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


@dataclass(slots=True)
class _Marker:
    kind: str
    label: str           # raw label ("II", "1", "2.1", "a", "-", "+", "art1", "p1")
    number: int
    depth: int           # arabic dotted depth
    content: int         # offset where the text after the marker begins


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


def _rank(kind: str, depth: int) -> float:
    return _RANK[kind] + (depth - 1) * 0.1 if kind == "arabic" else _RANK[kind]


@dataclass(slots=True)
class _Node:
    marker: _Marker
    line: int                        # index of the marker line
    parent: int                      # index into nodes, -1 for top level
    rank: float
    children: list[int] = field(default_factory=list)
    end_line: int = -1               # exclusive
    label: str = ""


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
    if tail.endswith(tuple(_TERMINAL)):
        return True
    if prev.start in marker_lines:
        return True
    return len(tail.strip()) < 60 and not tail.endswith(",")


def _build_nodes(lines: list[_Line], text: str, folded_text: str) -> tuple[list[_Node], list[int]]:
    """Markers -> nodes with parents; returns nodes and the barrier (closing) line indices."""
    closing = _patterns()["closing"]
    has_structure = any(
        (ln.text.lstrip()[:1] in "IVXLCĐđ") and (_ROMAN_RE.match(ln.text) or _ARTICLE_RE.match(ln.text))
        for ln in lines if not ln.blank
    )
    news = not has_structure
    if news:
        news_count = sum(1 for ln in lines if ln.text.lstrip()[:1] in "Vv"
                         and _patterns()["news"].match(folded_text[ln.start:ln.end]))
        news = news_count >= 2
    nodes: list[_Node] = []
    stack: list[int] = []
    barriers: list[int] = []
    closed = False
    marker_lines: set[int] = set()
    for i, ln in enumerate(lines):
        if ln.blank or ln.artefact:
            if ln.blank:  # a news paragraph ends with its paragraph (and so do its items)
                paras = [k for k, idx in enumerate(stack) if nodes[idx].marker.kind == "para"]
                if paras:
                    del stack[paras[0]:]
            continue
        m = _marker(ln, news)
        stripped = ln.text.strip()
        if m is None or m.kind not in ("roman", "article", "chapter"):
            lead = len(ln.text) - len(ln.text.lstrip())
            key = folded_text[ln.start + lead:ln.start + lead + len(stripped)]
            if closing.match(key):
                barriers.append(i)
                closed = True
                stack.clear()
                continue
        if m is None:
            continue
        if closed and m.kind not in ("roman", "article", "chapter"):
            continue
        if m.kind in ("dash", "plus") and not _accept_bullet(lines, i, m, marker_lines):
            continue
        if m.kind == "roman" and not _starts_upper(ln.text[m.content - ln.start:]):
            continue
        if m.kind == "chapter" and ln.text[m.content - ln.start:].strip() and \
                not _starts_upper(ln.text[m.content - ln.start:]):
            continue
        rank = _rank(m.kind, m.depth)
        # where would it attach?
        probe = list(stack)
        while probe and nodes[probe[-1]].rank >= rank:
            probe.pop()
        parent = probe[-1] if probe else -1
        siblings = nodes[parent].children if parent >= 0 else [
            k for k, n in enumerate(nodes) if n.parent == -1]
        same = [nodes[k] for k in siblings if nodes[k].marker.kind == m.kind
                and nodes[k].marker.depth == m.depth]
        if m.kind in ("roman", "article", "chapter", "arabic", "letter"):
            last = same[-1].marker.number if same else 0
            if m.kind == "arabic" and m.depth > 1:
                prefix = m.label.rsplit(".", 1)[0]
                if parent < 0 or nodes[parent].marker.kind != "arabic" or \
                        nodes[parent].marker.label != prefix:
                    continue
            if m.kind == "letter":  # a) b) c) d) đ) e): only "đ" may be skipped
                ok = m.number == last + 1 or (m.number == last + 2 and _LETTERS[last] == "đ")
            else:
                limit = 3 if m.kind in ("roman", "article", "chapter") else 2
                ok = last < m.number <= last + limit and (same or m.number <= limit)
            if not ok:
                continue
        closed = False
        stack = probe
        node = _Node(m, i, parent, rank)
        nodes.append(node)
        idx = len(nodes) - 1
        if parent >= 0:
            nodes[parent].children.append(idx)
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
    return lines[j].start + len(lines[j].text.rstrip())


def _split_paragraphs(lines: list[_Line], a: int, b: int, layout: str,
                      from_offset: int | None = None) -> list[tuple[int, int]]:
    """Paragraph spans of lines ``[a, b)`` (optionally starting mid-line at ``from_offset``)."""
    paras: list[tuple[int, int]] = []
    cur_start = cur_end = None
    pending_blank = False
    for j in range(a, b):
        ln = lines[j]
        if ln.blank or ln.artefact:
            pending_blank = pending_blank or ln.blank
            continue
        start = ln.start + (len(ln.text) - len(ln.text.lstrip()))
        if j == a and from_offset is not None:
            start = from_offset
            while start < ln.end and ln.text[start - ln.start].isspace():
                start += 1
            if start >= ln.end:
                continue
        end = ln.start + len(ln.text.rstrip())
        new_para = cur_start is None
        if not new_para:
            if layout == "line":
                new_para = True
            elif layout == "blank":
                new_para = pending_blank and not ln.text.lstrip()[:1].islower()
        if new_para:
            if cur_start is not None:
                paras.append((cur_start, cur_end))
            cur_start = start
        cur_end = end
        pending_blank = False
    if cur_start is not None and cur_end > cur_start:
        paras.append((cur_start, cur_end))
    return paras


def _heading_lines(lines: list[_Line], node: _Node, own_end: int) -> int:
    """Index one past the last line of the heading that starts at the marker line."""
    first = lines[node.line]
    title = first.text[node.marker.content - first.start:]
    upper = _is_upper_line(title)
    j = node.line + 1
    while j < own_end:
        ln = lines[j]
        if ln.blank or ln.artefact:
            break
        s = ln.text.strip()
        if upper and node.marker.kind in ("roman", "article", "chapter"):
            if not _is_upper_line(s):
                break
        elif not s[:1].islower() and not s[:1].isdigit():
            # a short capitalised tail right before a marker/the end ("…Trung ương\nHuế")
            prev = lines[j - 1].text.rstrip()
            nxt = j + 1
            if (len(s.split()) <= 3 and not prev.endswith(tuple(_TERMINAL))
                    and (nxt >= own_end or lines[nxt].blank)):
                j += 1
                continue
            break
        j += 1
    return j


def _leaf_heading(text: str, lines: list[_Line], node: _Node, own_end: int,
                  layout: str) -> tuple[str, int, int, int, int | None] | None:
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
    h_end = _heading_lines(lines, node, own_end)
    if layout != "wrapped":
        paras = _split_paragraphs(lines, node.line, own_end, layout, m.content)
        if len(paras) < 2:
            return None
        cand_end = paras[0][1]
        limit = 40
        body_line = node.line
        while body_line < own_end and lines[body_line].start < paras[1][0]:
            body_line += 1
        body_from: int | None = None
    else:
        if h_end >= own_end:
            return None
        cand_end = _trim(lines, node.line, h_end)
        limit = 15
        body_line, body_from = h_end, None
    cand = join_wrapped(text, m.content, cand_end)
    words = cand.split()
    if not cand or len(words) > limit or cand.endswith(tuple(_TERMINAL)):
        return None
    if words[-1].lower() in _FUNCTION_WORDS:
        return None
    nxt = next((ln for ln in lines[body_line:own_end] if not ln.blank and not ln.artefact), None)
    if nxt is None:
        return None
    first_word = nxt.text.split()[0] if nxt.text.split() else ""
    letters = [ch for ch in first_word if ch.isalpha()]
    if len(letters) >= 2 and all(ch.isupper() for ch in letters):  # "UBND tỉnh; …" goes on
        return None
    return cand, m.content, cand_end, body_line, body_from


@lru_cache(maxsize=1)
def _inline_heading_re() -> re.Pattern[str]:
    data = json.loads((_DATA / "outline.json").read_text(encoding="utf-8"))
    return re.compile("(?:" + "|".join(data["inline_heading_start"]) + r")\b")


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
    joined = re.sub(r"(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*])", "", joined)
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


def parse_outline(text: str) -> Outline:
    """Parse the numbered structure of ``text`` (pure; never raises on any input)."""
    lines = _lines(text)
    layout = _layout(lines)
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
            sym = {"dash": "-", "plus": "+", "para": "p"}[m.kind]
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
            paras = _split_paragraphs(lines, node.line, own_end, layout, m.content)
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
            found = _leaf_heading(text, lines, node, own_end, layout)
            if found is not None:
                title, t_s, t_e, body_line, body_from = found
        if body_from is not None:
            body = _split_paragraphs(lines, body_line, own_end, layout, body_from)
        else:
            body = _split_paragraphs(lines, body_line, own_end, layout)
        start = first.start + (len(first.text) - len(first.text.lstrip()))
        end = max(_trim(lines, node.line, node.end_line), t_e)
        built[k] = Section(
            path=paths[k], kind=m.kind, label=node.label, number=m.number, title=title,
            start=start, end=end, title_start=t_s, title_end=max(t_s, t_e),
            body=tuple((a, b) for a, b in body if b > a),
            children=tuple(built[c] for c in node.children),
        )
    flat = tuple(built[k] for k in range(len(nodes)))
    index = {k: k for k in range(len(nodes))}
    parents = tuple(index[n.parent] if n.parent >= 0 else -1 for n in nodes)
    top = tuple(built[k] for k, n in enumerate(nodes) if n.parent < 0)
    return Outline(
        text_length=len(text), layout=layout, sections=top, flat=flat,
        body_start=flat[0].start if flat else 0,
        body_end=max((s.end for s in top), default=0),
        _starts=tuple(s.start for s in flat), _parents=parents,
        _by_path={s.path: s for s in flat}, folded=folded,
    )

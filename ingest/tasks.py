"""Tasks: the plan's work items, from the content and implementation sections.

Which parts hold tasks: every top-level part whose title is not excluded (mục đích, yêu cầu,
kinh phí … — see ``ingest/data/outline.json``); if nothing is left, every part but kinh phí.
Within them every leaf item (``a)``, ``-``, ``1.`` without children …) gives one task per body
paragraph; an intro ending in ``:`` is not a task; a news article's ``Về công tác …:``
paragraphs are one task each.

Agencies and topics come through injected callables (:class:`TaskHooks`) so this module stays
pure and testable; the pipeline binds them to ``ingest.agencies`` and ``ingest.topics``.
"""
from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..ontology.records import Agency, Task
from .gazetteer import WordStartRegex, literal_prefixes
from .sections import Outline, Section, fold, join_wrapped_folded
from .text import fold_known

__all__ = ["SpanTopicsFn", "TaskHooks", "extract_tasks", "find_deadline", "plan_period"]

_DATA = Path(__file__).with_name("data")

HeadingFn = Callable[[str], "Agency | None"]
RolesFn = Callable[[str, int, int, "Agency | None"], tuple[tuple[Agency, ...], tuple[Agency, ...]]]
TopicsFn = Callable[[str], tuple[str, ...]]
#: the topics of a task whose body is the document's ``[start, end)`` with only its whitespace
#: changed: ``(body fold, start, end) -> topic ids``
SpanTopicsFn = Callable[[str, int, int], tuple[str, ...]]


def _no_heading(_title: str) -> Agency | None:
    return None


def _no_roles(_text: str, _start: int, _end: int,
              heading: Agency | None) -> tuple[tuple[Agency, ...], tuple[Agency, ...]]:
    return ((heading,) if heading is not None else ()), ()


def _no_topics(_text: str) -> tuple[str, ...]:
    return ()


@dataclass(frozen=True)
class TaskHooks:
    """How tasks get agencies and topics (defaults: block heading agency as lead, no topics).

    ``bind_roles``: when given, called once per :func:`extract_tasks` call for the roles
    function of that document (one that precomputes per-document data, used in place of
    ``roles``). ``bind_topics``: likewise, given the document's fold, for the topics of the
    tasks whose body is a span of the document with only its whitespace changed (must give
    what ``topics`` gives on that body; ``topics`` serves the others)."""

    heading_agency: HeadingFn = field(default=_no_heading)
    roles: RolesFn = field(default=_no_roles)
    topics: TopicsFn = field(default=_no_topics)
    bind_roles: Callable[[], RolesFn] | None = None
    bind_topics: Callable[[str], SpanTopicsFn] | None = None


@lru_cache(maxsize=1)
def _lists() -> dict:
    data = json.loads((_DATA / "outline.json").read_text(encoding="utf-8"))
    return {
        "excluded": tuple(data["section_kinds_excluded_from_tasks"]),
        "with_tasks": tuple(data["section_kinds_with_tasks"]),
        "boilerplate": re.compile("|".join(f"(?:{p})" for p in data["article_boilerplate"])),
        "closing": re.compile("|".join(f"(?:{p})" for p in data["closing_line"])),
    }


def _excluded(title: str) -> bool:
    """A part whose title *starts* with an excluded kind ("Mục đích, yêu cầu", "Kinh phí …",
    "Tình hình …"). Only the head counts: "… đối ngoại trong tình hình mới" is a task part."""
    lists = _lists()
    head = _head(title, _head_length())
    if head.startswith(lists["with_tasks"]):       # str.startswith tries each of a tuple
        return False
    return head.startswith(lists["excluded"])


_HEAD_WORD = re.compile(r"[a-z0-9]+")


@lru_cache(maxsize=1)
def _head_length() -> int:
    """The longest listed kind: how much of a title's head :func:`_excluded` reads."""
    lists = _lists()
    return max(len(k) for k in (*lists["with_tasks"], *lists["excluded"]))


def _head(title: str, length: int) -> str:
    """The words of ``fold(title)`` joined by one space, or a prefix of that string at least
    ``length`` long (the same answer to every ``startswith`` of at most ``length`` characters).
    Only the title's words before a space past ``length + 8`` characters are folded, when they
    give that much: a space is a starter nothing composes with, so the fold of the text before
    it is the start of the whole fold, ending at a word's end (long titles are cut short)."""
    cut = title.find(" ", length + 8) if len(title) > length + 8 else -1
    if cut > 0:
        head = " ".join(_HEAD_WORD.findall(fold(title[:cut])))
        if len(head) >= length:
            return head
    return " ".join(_HEAD_WORD.findall(fold(title)))


def _is_budget(title: str) -> bool:
    return "kinh phi" in fold(title)


# -- deadlines --------------------------------------------------------------------------
_DATE = r"\d{1,2}\s*(?:/\s*\d{1,2}(?:\s*/\s*\d{4})?|\s+thang\s+\d{1,2}(?:\s+nam\s+\d{4})?)"
_EVERY = r"(?:hang|hang)\s+(?:nam|quy|thang|tuan)"
_PAREN = r"\s*\((?:truoc\s+ngay\s+" + _DATE + r"|khi\s+co\s+yeu\s+cau|truoc\s+[^)]{1,30})\)"
_PERIOD = (r"(?:\d+\s+thang|6\s+thang|quy|nam|cuoi\s+nam|dau\s+nam|hang\s+(?:nam|quy|thang)|"
           r"dot\s+xuat|bao\s+cao\s+nam|bao\s+cao\s+6\s+thang)")
_DEADLINE_RES: tuple[re.Pattern[str] | WordStartRegex, ...] = (
    # định kỳ 6 tháng (trước ngày 25/5) và báo cáo năm (trước ngày 10/10); định kỳ trước ngày …
    re.compile(
        r"dinh\s+k[yi]\s+(?:" + _PERIOD + r"(?:" + _PAREN + r")?"
        r"(?:\s*(?:,|va)\s*" + _PERIOD + r"(?:" + _PAREN + r")?)*"
        r"|truoc\s+ngay\s+" + _DATE + r"(?:\s+" + _EVERY + r")?)"),
    re.compile(r"truoc\s+ngay\s+" + _DATE + r"(?:\s+" + _EVERY + r")?"),
    re.compile(r"(?:trong\s+(?:thoi\s+gian|thoi\s+han|vong)|chậm\s+nhat|cham\s+nhat)\s+\d+\s+ngay"
               r"(?:\s+(?:lam\s+viec\s+)?ke\s+tu\s+ngay\s+[^,;.()]{1,60})?"),
    re.compile(r"(?:trong|truoc|ngay\s+trong)\s+(?:quy\s+[ivx1-4]+\s+(?:nam\s+)?\d{4}|nam\s+\d{4})"
               r"|(?:trong|truoc)\s+quy\s+[ivx1-4]+/\d{4}"),
    WordStartRegex(_EVERY + r"(?![a-z])", "a-z"),      # (?<![a-z])hằng năm …, scanned fast
)


class _LiteralJump:
    """``regex.finditer`` for a regex every match of which opens with one of a few literal
    words (its :func:`~vbgraph.ingest.gazetteer.literal_prefixes`, cut at the first space):
    the engine would try an opening alternation (``(?:trong|truoc|ngay …)``) at every
    position; here ``str.find`` jumps to those words and the regex is tried there only,
    leftmost first, each match resuming the scan at its end (the same matches)."""

    __slots__ = ("regex", "words")

    def __init__(self, regex: re.Pattern[str]):
        found = literal_prefixes(regex.pattern)
        words = {p.split(" ")[0] for p in found} if found is not None else set()
        if not words or "" in words:
            raise ValueError(f"no literal opening: {regex.pattern[:60]!r}")
        self.regex = regex
        self.words = tuple(sorted(words))

    def finditer(self, text: str) -> list[re.Match[str]]:
        starts: list[int] = []
        for word in self.words:
            k = text.find(word)
            while k >= 0:
                starts.append(k)
                k = text.find(word, k + 1)
        if not starts:
            return []
        if len(self.words) > 1:
            starts.sort()
        out: list[re.Match[str]] = []
        match = self.regex.match
        last_end = 0
        for k in starts:
            if k < last_end:
                continue
            m = match(text, k)
            if m is not None:
                out.append(m)
                last_end = max(m.end(), k + 1)
        return out


def _scanned(regex: re.Pattern[str] | WordStartRegex) -> re.Pattern[str] | WordStartRegex | _LiteralJump:
    """How a deadline pattern is scanned: one that opens with a choice of literal words jumps
    to them (:class:`_LiteralJump`); one word, the engine's own literal-prefix search serves."""
    if isinstance(regex, re.Pattern):
        found = literal_prefixes(regex.pattern)
        if found is not None and len({p.split(" ")[0] for p in found}) > 1:
            return _LiteralJump(regex)
    return regex


#: the deadline patterns as scanned
_DEADLINE_SCANS: tuple[re.Pattern[str] | WordStartRegex | _LiteralJump, ...] = tuple(
    _scanned(r) for r in _DEADLINE_RES)


#: a word every deadline pattern holds: texts without one are not scanned further
_DEADLINE_HINT = re.compile(r"dinh\s+k|truoc|trong|cham|chậm|hang")
#: per pattern of ``_DEADLINE_RES``, words its every match holds: groups of alternatives, one
#: of each group must be in the text for the pattern to be tried (a substring test is cheaper
#: than a scan that opens with a choice of common letters)
_DEADLINE_NEEDS: tuple[tuple[tuple[str, ...], ...], ...] = (
    (("dinh",),),
    (("truoc",),),
    (("ngay",), ("trong", "cham", "chậm")),
    (("trong", "truoc"), ("quy", "nam")),
    (("hang",),),
)


def _may_match(folded: str, needs: tuple[tuple[str, ...], ...]) -> bool:
    for group in needs:
        for word in group:
            if word in folded:
                break
        else:
            return False
    return True


#: per pattern of ``_DEADLINE_RES``, whether its every match holds a digit (a date's day, a
#: count of days, a year): a text surely without one (:func:`_may_hold_digits`) is not scanned
#: for it. (A regex search for the digits themselves would cost more than the scans it saves:
#: ``\d`` asks the Unicode database at every character.)
_DEADLINE_NEEDS_DIGITS: tuple[bool, ...] = (False, True, True, True, False)
#: the words of ``_DEADLINE_HINT`` that stand alone (``dinh\s+k`` is checked on its own)
_HINT_WORDS = ("truoc", "trong", "cham", "chậm", "hang")
_DINH_K = re.compile(r"dinh\s+k")


def _hinted(folded: str) -> bool:
    """``_DEADLINE_HINT.search(folded)`` by substring tests (one scan only for ``dinh``)."""
    for word in _HINT_WORDS:
        if word in folded:
            return True
    return "dinh" in folded and _DINH_K.search(folded) is not None


def _may_hold_digits(folded: str) -> bool:
    """False when ``folded`` surely holds no ``\\d`` (a Unicode decimal digit): it is ASCII
    and none of ``0``-``9`` is in it (ten substring tests: many times a regex scan, whose
    ``\\d`` asks the Unicode database at every character)."""
    for digit in "0123456789":
        if digit in folded:
            return True
    return not folded.isascii()


def find_deadline(text: str) -> str | None:
    """The deadline or reporting period a task states, as written (``None`` if none)."""
    return _deadline(text, fold(text))


def _deadline(text: str, folded: str) -> str | None:
    """:func:`find_deadline` given ``folded == fold(text)``."""
    if not _hinted(folded):
        return None
    aligned = len(folded) == len(text)
    best: tuple[int, str] | None = None
    digits: bool | None = None          # _may_hold_digits(folded), when asked
    for rank, (regex, needs) in enumerate(zip(_DEADLINE_SCANS, _DEADLINE_NEEDS)):
        missing = False
        for group in needs:                 # _may_match(folded, needs), inlined
            for word in group:
                if word in folded:
                    break
            else:
                missing = True
                break
        if missing:
            continue
        if _DEADLINE_NEEDS_DIGITS[rank]:
            if digits is None:
                digits = _may_hold_digits(folded)
            if not digits:
                continue
        for m in regex.finditer(folded):
            surface = " ".join(text[m.start():m.end()].split())
            # fold is 1:1 on NFC text and keeps whitespace whitespace: the surface's fold
            # is then the match's, whitespace collapsed
            surface_folded = (" ".join(folded[m.start():m.end()].split()) if aligned
                              else fold(surface))
            score = (("truoc ngay" in surface_folded) * 100 + any(c.isdigit() for c in surface) * 50
                     + len(surface) - rank * 10)
            if best is None or score > best[0]:
                best = (score, surface)
    return best[1] if best else None


_PERIOD_RE = re.compile(r"(?<![a-z])nam\s+(\d{4})\s*$")


def plan_period(title: str | None) -> str | None:
    """The period of an annual plan from its title (``… năm 2023`` -> ``năm 2023``)."""
    if not title:
        return None
    m = _PERIOD_RE.search(fold(title).rstrip(" ."))
    return f"năm {m.group(1)}" if m else None


# -- selection --------------------------------------------------------------------------
def _is_note(text: str, a: int, b: int) -> bool:
    s = text[a:b].strip().strip("*").strip()
    return s.startswith("(") and s.endswith(")")


def _folded(text: str, folded: str | None, start: int, end: int) -> str:
    """``fold(text[start:end])``: a slice of the document's fold when the caller has it
    (``fold`` is 1:1 on NFC text, so offsets carry over)."""
    return fold(text[start:end]) if folded is None else folded[start:end]


def _leaf_spans(text: str, sec: Section, folded: str | None = None) -> list[tuple[int, int]]:
    if sec.kind == "para":
        return [(sec.start, sec.end)]
    if sec.kind == "article" and not sec.children:
        start = sec.title_start
        if _lists()["boilerplate"].search(_folded(text, folded, start, sec.end)):
            return []
        if sec.body and sec.title and not sec.title.endswith((".", ";", ":")):
            return list(sec.body)  # "Điều 2. Sở Ngoại vụ" + body
        return [(start, sec.end)] if sec.end > start else []
    return list(sec.body)


def _candidate_spans(text: str, sec: Section, folded: str | None = None,
                     out: list[tuple[Section, int, int]] | None = None) -> list[tuple[Section, int, int]]:
    """The task spans under ``sec`` in document order (appended to ``out`` when given).
    ``folded``: ``fold(text)``, when the caller has it."""
    out = [] if out is None else out
    if sec.children:
        for a, b in sec.body:  # an intro before the items
            tail = text[a:b].rstrip()
            if not tail.endswith(":") and not _is_note(text, a, b) and sec.kind != "article":
                out.append((sec, a, b))
        for child in sec.children:
            _candidate_spans(text, child, folded, out)
    else:
        closing = _lists()["closing"]
        for a, b in _leaf_spans(text, sec, folded):
            # whitespace folds to whitespace (tested), so the slice's fold can be stripped
            if not _is_note(text, a, b) and not closing.match(_folded(text, folded, a, min(b, a + 200)).lstrip()):
                out.append((sec, a, b))
    return out


def _select(text: str, outline: Outline) -> list[tuple[Section, int, int]]:
    included: list[tuple[Section, int, int]] = []
    fallback: list[tuple[Section, int, int]] = []
    folded = outline.folded if len(outline.folded) == len(text) else None
    for top in outline.sections:
        if _is_budget(top.title):
            continue
        if top.kind == "article" and not top.children:
            if _lists()["boilerplate"].search(_folded(text, folded, top.title_start, top.end)):
                continue
        _candidate_spans(text, top, folded, fallback if _excluded(top.title) else included)
    # inside included parts, drop sub-parts that are themselves excluded (e.g. "1. Mục đích")
    memo: dict[str, bool] = {}
    below: dict[str, bool] = {}          # per section path (its tasks ask alike)
    kept = []
    for c in included:
        path = c[0].path
        if path not in below:
            below[path] = _has_excluded_ancestor(outline, c[0], memo)
        if not below[path]:
            kept.append(c)
    included = kept
    return included or fallback


def _has_excluded_ancestor(outline: Outline, sec: Section, memo: dict[str, bool]) -> bool:
    """A sub-part titled like an excluded part ("1. Mục đích") inside an included one
    (``memo``: the answer per section path, shared by the items of one document)."""
    for s in outline.ancestors(sec.path)[1:]:
        if s.path not in memo:
            memo[s.path] = bool(s.title) and _excluded(s.title)
        if memo[s.path]:
            return True
    return False


# -- extraction -------------------------------------------------------------------------
def extract_tasks(
    text: str,
    outline: Outline,
    doc_id: str,
    *,
    plan_title: str | None = None,
    hooks: TaskHooks | None = None,
) -> tuple[tuple[Task, ...], tuple[Agency, ...]]:
    """Tasks of the plan in document order, and every agency they assign (lead first)."""
    hooks = hooks or TaskHooks()
    default_period = plan_period(plan_title)
    heading_cache: dict[str, Agency | None] = {}
    heading_of: dict[str, Agency | None] = {}        # per section path: the tasks of a
                                                     # section share their heading

    def _heading_for(sec: Section) -> Agency | None:
        for s in reversed(outline.ancestors(sec.path)):
            if not s.title or s.kind in ("roman", "chapter", "para"):
                continue
            if s.path not in heading_cache:
                heading_cache[s.path] = hooks.heading_agency(s.title)
            if heading_cache[s.path] is not None:
                return heading_cache[s.path]
        return None

    tasks: list[Task] = []
    agencies: dict[str, Agency] = {}
    folded = outline.folded if len(outline.folded) == len(text) else fold(text)
    aligned = len(folded) == len(text)
    # one pass over the document: where join_wrapped may do more than collapse whitespace,
    # and the document squeezed (each fast task's body is then a slice)
    squeezed = _Squeezed(text, folded) if aligned else None
    slow = squeezed.slow if squeezed is not None else []
    roles = hooks.bind_roles() if hooks.bind_roles is not None else hooks.roles
    topics = hooks.topics
    span_topics = hooks.bind_topics(folded) if hooks.bind_topics is not None and aligned else None
    for sec, a, b in _select(text, outline):
        i = bisect.bisect_left(slow, a)
        plain = aligned and (i == len(slow) or slow[i] >= b)
        if plain:
            # nothing for join_wrapped to drop: the span's words, and their fold
            assert squeezed is not None
            body, body_folded = squeezed.span(a, b)
        else:
            body, body_folded = join_wrapped_folded(text, folded, a, b)
        if not body:
            continue
        path = sec.path
        if path in heading_of:          # heading_for(sec), inlined
            heading = heading_of[path]
        else:
            heading = heading_of[path] = _heading_for(sec)
        lead, coop = roles(text, a, b, heading)
        for ag in (*lead, *coop):
            agencies.setdefault(ag.id, ag)
        if plain and span_topics is not None:
            task_topics = span_topics(body_folded, a, b)
        else:
            fold_known(body, body_folded)    # topics fold the body: reuse this one
            task_topics = tuple(topics(body))
        lead_ids = tuple(dict.fromkeys([ag.id for ag in lead]))
        coop_ids = (tuple([i for i in dict.fromkeys([ag.id for ag in coop]) if i not in lead_ids])
                    if coop else ())
        tasks.append(Task(
            id=f"{doc_id}#t{len(tasks) + 1}", section=sec.path, text=body, start=a, end=b,
            lead=lead_ids, cooperate=coop_ids, topics=task_topics,
            deadline=_deadline(body, body_folded) or default_period,
        ))
    return tuple(tasks), tuple(agencies.values())


#: where :func:`~vbgraph.ingest.sections.join_wrapped` may do more than collapse whitespace:
#: a ``|`` or ``*``, or the first of two artefact characters in a row (a dropped rule line
#: holds one of these); the character class first, so the engine skips to it in C
_JOIN_SLOW = re.compile(r"[-|*_=.\u2013\u2014](?:(?<=[|*])|(?=[-_=.\u2013\u2014]))")


def _join_slow_starts(text: str) -> list[int]:
    """Starts of the ``_JOIN_SLOW`` matches of ``text`` (one scan). A span ``[a, b)`` with
    none in it is joined by collapsing its whitespace: every ``|``/``*`` in it is a match,
    and so is the first of every pair of artefact characters in it."""
    return [m.start() for m in _JOIN_SLOW.finditer(text)]


#: per code point below 0x3001 (the last whitespace one), its whitespace class: 0 not
#: whitespace (``str.isspace``), 1 a space or a line break, 2 other whitespace; one more entry,
#: 0, for every code point above
_SPACE_CLASS = np.array([(1 if chr(c) in " \n" else 2) if chr(c).isspace() else 0 for c in range(0x3001)] + [0],
                        dtype=np.uint8)
#: the same: whether ``str.isspace``
_SPACE_LUT = _SPACE_CLASS != 0
#: the bits :class:`_Squeezed` reads per code point: whitespace (:data:`_SPACE_CLASS`, bits
#: 0-1), an artefact character that may follow another (``-_=.–—``, ``_PAIRED``), ``|`` or
#: ``*`` (``_BAR``): ``_JOIN_SLOW`` by table lookups
_PAIRED, _BAR = 4, 8
_CLASS_BITS = _SPACE_CLASS.copy()
for _ch in "-_=.\u2013\u2014":
    _CLASS_BITS[ord(_ch)] |= _PAIRED
for _ch in "|*":
    _CLASS_BITS[ord(_ch)] |= _BAR


class _Squeezed:
    """A document and its fold with every whitespace run made one space (``folded``:
    ``fold(text)``, same length, whitespace exactly where ``text`` has it).

    A run's space stands where the run starts, so the squeezed slice of ``[a, b)`` holds the
    span's words with one space between them, plus at most one space at each end (a run that
    starts inside the span; one that starts before it is not in the slice): stripped, it is
    ``" ".join(text[a:b].split())`` (and likewise for the fold), without a split and a join
    per task.

    One numpy pass finds the whitespace (a lookup table over the UTF-32 code units) and the
    dropped characters (every whitespace character right after another, usually few); the
    squeezed strings are then made by ``str.replace`` (each whitespace character but the
    space, usually only the line break) and slicing when few characters drop, else by a
    numpy mask. An offset maps to the squeezed strings by subtracting the dropped characters
    before it (a bisection).

    The same table lookup gives ``slow``: :func:`_join_slow_starts` of ``text`` (the offsets
    of every ``|``/``*`` and of every artefact character followed by a paired one)."""

    __slots__ = ("_dropped", "_text", "_folded", "slow")

    def __init__(self, text: str, folded: str):
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        bits = np.take(_CLASS_BITS, codes, mode="clip")        # above the table: its last entry
        # _join_slow_starts(text): a bar, or an artefact character before a paired one
        artefact = (bits & (_PAIRED | _BAR)) != 0
        slow = (bits & _BAR) != 0
        slow[:-1] |= artefact[:-1] & ((bits[1:] & _PAIRED) != 0)
        self.slow: list[int] = np.flatnonzero(slow).tolist()
        classes = bits & 3
        space = classes != 0
        dropped = np.flatnonzero(space[1:] & space[:-1]) + 1   # the first of a run stays
        self._dropped: list[int] = dropped.tolist()
        if len(self._dropped) <= _FEW_DROPPED:
            if not len(classes) or int(classes.max()) < 2:      # spaces and line breaks only
                # (which fold to themselves: the fold has them where the text has them)
                self._text = _drop(text.replace("\n", " "), self._dropped)
                self._folded = _drop(folded.replace("\n", " "), self._dropped)
            else:        # other whitespace characters too (no-break spaces): each replaced
                other = np.flatnonzero(classes == 2).tolist()
                self._text = _drop(_spaced(text, other), self._dropped)
                self._folded = _drop(_spaced(folded, other), self._dropped)
        else:
            keep = np.ones(len(codes), dtype=bool)
            keep[dropped] = False
            fcodes = np.frombuffer(folded.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
            self._text = _squeeze(codes, space, keep)
            self._folded = _squeeze(fcodes, space, keep)

    def span(self, start: int, end: int) -> tuple[str, str]:
        """``(" ".join(text[start:end].split()), " ".join(folded[start:end].split()))``."""
        dropped = self._dropped
        i = start - bisect.bisect_left(dropped, start)
        j = end - bisect.bisect_left(dropped, end)
        return self._text[i:j].strip(), self._folded[i:j].strip()


def _spaced(text: str, other: list[int]) -> str:
    """``text`` with every whitespace character made a space: its line breaks, and the
    characters at the offsets ``other`` (those of the other whitespace of the document, which
    ``text`` has whitespace at too; a space and a line break fold to themselves)."""
    text = text.replace("\n", " ")
    for ch in {text[k] for k in other}:
        if ch != " ":
            text = text.replace(ch, " ")
    return text


#: up to this many dropped characters, the squeezed strings are cut out of the text by slicing
_FEW_DROPPED = 512


def _drop(text: str, dropped: list[int]) -> str:
    """``text`` without the characters at the offsets ``dropped`` (ascending)."""
    if not dropped:
        return text
    parts: list[str] = []
    last = 0
    for k in dropped:
        if k > last:
            parts.append(text[last:k])
        last = k + 1
    parts.append(text[last:])
    return "".join(parts)


def _squeeze(codes: np.ndarray, space: np.ndarray, keep: np.ndarray) -> str:
    out: str = np.where(space, np.uint32(32), codes)[keep].tobytes().decode("utf-32-le", "surrogatepass")
    return out

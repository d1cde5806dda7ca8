"""Plain reference versions of extraction steps whose fast paths the tests compare against
(shared by several test modules; loaded by path, like ``helpers.py``)."""
from __future__ import annotations

import re
from typing import Any

from vbgraph.ingest import agencies, localities, tasks
from vbgraph.ingest.gazetteer import match_view
from vbgraph.ingest.text import fold, nfc


def cues_reference(text: str, view: str, start: int, end: int) -> list[Any]:
    """Every clause scanned on its own with every role's regex (the rule, written plainly)."""
    out = []
    for c0, c1 in agencies._clauses(text, start, end):
        for role, rx in agencies._cue_regexes().items():
            for m in rx.exact.finditer(view, c0, c1):
                cue = agencies._cue(role, m, view, c0, c1)
                if cue is not None:
                    out.append(cue)
    out.sort(key=lambda c: c.start)
    return out


def find_deadline_reference(text: str, *, hint: bool = True) -> str | None:
    """Every deadline pattern tried on the whole text (after the hint regex unless ``hint`` is
    false), the best-scored surface kept."""
    folded = fold(text)
    if hint and not tasks._DEADLINE_HINT.search(folded):
        return None
    best = None
    for rank, regex in enumerate(tasks._DEADLINE_RES):
        for m in regex.finditer(folded):
            surface = " ".join(text[m.start():m.end()].split())
            score = (("truoc ngay" in fold(surface)) * 100 + any(c.isdigit() for c in surface) * 50
                     + len(surface) - rank * 10)
            if best is None or score > best[0]:
                best = (score, surface)
    return best[1] if best else None


def agency_heading_reference(heading_text: str, province: str | None) -> Any:
    """The agency an assignment heading names, by the rule written plainly: every agency found
    in the heading (``find_agencies``); a collective heading names its collective, any other the
    agency standing right after the heading's marker."""
    heading = nfc(heading_text).split(":", 1)[0]
    strip = re.match(agencies._data()["heading_strip_regex"], heading, re.IGNORECASE)
    body_start = strip.end() if strip else 0
    mentions = agencies.find_agencies(heading, province)
    view = match_view(heading)
    if re.match(agencies._data()["collective_heading_regex"], view[body_start:]):
        for m in mentions:
            if agencies._kind_index()[m.agency.kind].scope == "collective":
                return m.agency
        return None
    for m in mentions:
        if m.start >= body_start and not view[body_start:m.start].strip():
            return m.agency
    return None


VIEW_WORD = re.compile(r"[a-z0-9]+")
CAP_WORD_BEFORE = re.compile(r"([^\W\d_]+)[ \t]+$")
CAP_WORD_AFTER = re.compile(r"^[ \t]+([^\W\d_]+)")


def locality_case_ok_reference(written: str, original: str) -> bool:
    """``localities._case_ok`` without its memo."""
    want = localities.words_with_case(written)
    got = localities.words_with_case(original)
    if len(want) != len(got):
        return bool(got) and got[0][:1].isupper()
    return all(not w[:1].isupper() or g[:1].isupper() for w, g in zip(want, got))


def locality_guards_reference(s: Any, text: str, view: str, start: int, end: int) -> bool:
    """``localities._guards_ok`` as the rules read: a regex per word test, over slices, the
    guard words read from the data file."""
    e = s.entry
    original = text[start:end]
    if not locality_case_ok_reference(s.written, original):
        return False
    if e is None:
        return True
    before = VIEW_WORD.findall(view[max(0, start - 30):start])
    if before and before[-1] in localities._raw()["not_before"] and e.kind is localities.LocalityKind.COUNTRY:
        return False
    if e.exact and localities.canonical_tones(" ".join(original.split())) != localities.canonical_tones(s.written):
        return False
    if e.not_after:
        tail = view[end:end + 30]
        if any(re.match(r"\s+" + w.replace(" ", r"\s+") + localities._LA, tail) for w in e.not_after):
            return False
    if e.isolated:
        directions = set(localities._raw()["direction_words"])
        m = CAP_WORD_BEFORE.search(text[max(0, start - 30):start])
        if m and m.group(1)[:1].isupper() and m.group(1) not in directions:
            return False
        m = CAP_WORD_AFTER.search(text[end:end + 30])
        if m and m.group(1)[:1].isupper():
            return False
    return True

"""Plain reference versions of extraction steps whose fast paths the tests compare against
(shared by several test modules; loaded by path, like ``helpers.py``)."""
from __future__ import annotations

import re
from typing import Any

from vbgraph.ingest import agencies, tasks
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

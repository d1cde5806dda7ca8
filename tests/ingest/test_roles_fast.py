"""Role-rule shortcuts of issue #2 (round 5) give what the simple code they replace gives: the
clause breaks by a regex whose branches open with literals (the character-class regex, kept
below, is the oracle) and the object-marker test by ``str.endswith`` (the data file's regex
searched in the slice is the oracle)."""
from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from vbgraph.ingest import agencies

#: the former clause-break regex: the oracle
CLAUSE_BREAK_REFERENCE = re.compile(r"[.;:!?](?=\s)|\n(?=\s*(?:[-+•]\s|[a-zđ]\)\s|\d+\.\s))")

CLAUSE_PARTS = [".", ";", ":", "!", "?", "\n", " ", "\t", "\xa0", "- ", "+ ", "• ", "a) ", "đ) ", "1. ", "12. ",
                "x", "Sở", "1", ")", "\n\n", "...", "\u3000"]


@given(st.lists(st.sampled_from(CLAUSE_PARTS), max_size=40).map("".join), st.data())
def test_clause_breaks_equal_the_character_class_regex(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    got = [m.span() for m in agencies._CLAUSE_BREAK.finditer(text, start, end)]
    assert got == [m.span() for m in CLAUSE_BREAK_REFERENCE.finditer(text, start, end)]


def test_clause_breaks_on_the_documents(seed_paths):
    found = 0
    for path in seed_paths.values():
        text = path.read_text(encoding="utf-8")
        got = [m.span() for m in agencies._CLAUSE_BREAK.finditer(text)]
        assert got == [m.span() for m in CLAUSE_BREAK_REFERENCE.finditer(text)]
        found += len(got)
    assert found > 100


MARKER_PARTS = ["tham muu", "giup", "bao cao", "trinh", "de xuat", "gui", "qua", "cua", "ve", "ngui", "tham",
                "muu", "so ngoai vu", " ", "  ", "\n", "\t", "\xa0", ",", "x", "\u2028", "\x1c"]


@given(st.lists(st.sampled_from(MARKER_PARTS), max_size=12).map("".join), st.data())
def test_advised_equals_the_object_marker_regex(view, data):
    start = data.draw(st.integers(0, len(view)))
    end = data.draw(st.integers(start, len(view)))
    expected = re.search(agencies._data()["object_markers_regex"], view[start:end]) is not None
    assert agencies._advised(view, start, end) == expected


def test_object_markers_are_read_as_words():
    assert agencies._object_marker_words() is not None          # the str.endswith path serves
    assert "tham muu" in agencies._object_marker_words()

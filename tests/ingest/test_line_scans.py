"""Regexes rewritten so that the engine can skip ahead in C (header, localities) match exactly
what the regexes they replace match (the originals are written out here), and the fold of a
document is remembered for that document only."""
from __future__ import annotations

import bisect
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from vbgraph.ingest import header, localities
from vbgraph.ingest import text as text_module
from vbgraph.ingest.text import fold, fold_known

PIECES = ["so", "Số", "so:", "số: 12/KH-UBND", "/QĐ-UBND", "noi nhan", "noi nhan:", "Nơi nhận",
          "\n", "\n\n", " ", "\t", "\u00a0", "|", "a", "x", "12", ":", ".", "!", "?", "; ", "a) ",
          "1. ", "- ", "+ ", "• ", "iso:", "kso :", "3/2024"]


@st.composite
def texts(draw) -> str:
    return "".join(draw(st.lists(st.sampled_from(PIECES), max_size=30)))


def _spans(matches) -> list[tuple]:
    return [(m.start(), m.end(), m.groups()) for m in matches]


@settings(max_examples=300)
@given(texts(), st.data())
def test_line_start_regex_equals_a_multiline_caret(s, data):
    pos = data.draw(st.integers(0, len(s)))
    endpos = data.draw(st.integers(pos, len(s)))
    number_ref = re.compile(r"(?m)^[ \t\u00a0|]*so\s*:?[ \t\u00a0]*([0-9][0-9A-Za-zĐđ./\-]*[0-9A-Za-zĐđ]|[0-9]+)?"
                            r"[ \t\u00a0]*(/[A-Za-zĐđ][A-Za-zĐđ0-9\-/]*)?", re.IGNORECASE)
    recipients_ref = re.compile(r"(?m)^[ \t]*noi nhan\s*:?")
    for fast, ref in ((header._NUMBER_RE, number_ref), (header._RECIPIENTS_RE, recipients_ref)):
        for string in (s, s.lower()):
            want = ref.search(string, pos, endpos)
            got, start = fast.search(string, pos, endpos)
            if want is None:
                assert got is None and start == -1
            else:
                assert start == want.start()
                assert (got.end(), got.groups()) == (want.end(), want.groups())
                assert [got.span(g) for g in range(1, ref.groups + 1)] == \
                       [want.span(g) for g in range(1, ref.groups + 1)]


@given(texts(), st.data())
def test_so_colon_regex_equals_its_look_behind_form(s, data):
    stop = data.draw(st.integers(0, len(s)))
    s = s.lower()
    ref = re.search(r"(?<![a-z])so\s*:", s[:stop])
    got = header._SO_RE.search(s, 0, stop)
    assert (got and got.span()) == (ref and ref.span())


SENTENCE_END_REFERENCE = re.compile(r"[.!?](?=\s)|\n\s*\n|\n(?=\s*(?:[a-zđ]\)|\d+\.\s|[-+•]\s))")


class BoundsReference:
    """The sentence and clause boundaries of the whole document, then two binary searches
    (the code before the boundaries were found near each mention)."""

    def __init__(self, text: str):
        self.length = len(text)
        sentence = list(SENTENCE_END_REFERENCE.finditer(text))
        self.sentence_ends = [m.end() for m in sentence]
        self.sentence_starts = [m.start() for m in sentence]
        self.clause_ends = [m.end() for m in re.finditer(";", text)]

    def sentence(self, pos: int) -> tuple[int, int]:
        i = bisect.bisect_right(self.sentence_ends, pos)
        start = self.sentence_ends[i - 1] if i else 0
        j = bisect.bisect_left(self.sentence_starts, pos)
        end = self.sentence_starts[j] if j < len(self.sentence_starts) else self.length
        return start, end

    def clause_start(self, pos: int) -> int:
        i = bisect.bisect_right(self.clause_ends, pos)
        return self.clause_ends[i - 1] if i else 0


@settings(max_examples=300)
@given(texts())
def test_sentence_end_regex_equals_the_class_form(s):
    assert [m.span() for m in localities._SENTENCE_END.finditer(s)] == \
           [m.span() for m in SENTENCE_END_REFERENCE.finditer(s)]


SENTENCE_PIECES = PIECES + ["Lào", "Salavan", "kết nghĩa", "\n\n\n", " \n \n", "\n   ", ".\n",
                            "\n+ ", "\n• ", "b) ", "\n12. ", "…", "x" * 300, "y " * 200]


@settings(max_examples=400)
@given(st.lists(st.sampled_from(SENTENCE_PIECES), max_size=40))
def test_bounds_near_each_offset_equal_the_whole_documents_boundaries(parts):
    s = "".join(parts)
    fast, ref = localities._Bounds(s), BoundsReference(s)
    for pos in range(-2, len(s) + 3):
        assert fast.sentence(pos) == ref.sentence(pos), pos
        assert fast.clause_start(pos) == ref.clause_start(pos), pos


@settings(max_examples=300)
@given(st.lists(st.sampled_from(SENTENCE_PIECES[:-2]), max_size=30), st.integers(1, 6))
def test_bounds_with_tiny_windows(parts, window):
    """Windows of a few characters start anywhere (inside whitespace runs, right after a
    ``.``): the start is moved back to a clean one, or the answer would differ."""
    s = "".join(parts)
    saved = localities._WINDOW
    localities._WINDOW = window
    try:
        fast, ref = localities._Bounds(s), BoundsReference(s)
        for pos in range(len(s) + 1):
            assert fast.sentence(pos) == ref.sentence(pos), pos
    finally:
        localities._WINDOW = saved


def test_bounds_on_the_seeds(seed_paths):
    for p in seed_paths.values():
        s = p.read_text(encoding="utf-8")
        fast, ref = localities._Bounds(s), BoundsReference(s)
        for pos in range(0, len(s), 7):
            assert fast.sentence(pos) == ref.sentence(pos)
            assert fast.clause_start(pos) == ref.clause_start(pos)


# -- a document's fold, remembered -------------------------------------------------------------
def test_a_documents_fold_is_remembered_for_that_document_only():
    doc = "Bảo hộ công dân và pháp nhân Việt Nam ở nước ngoài.\n" * 200
    assert len(doc) >= text_module._DOCUMENT_LENGTH
    first = fold(doc)
    assert first == "bao ho cong dan va phap nhan viet nam o nuoc ngoai.\n" * 200
    fold("ngắn " * 30)                          # a short fold in between (a task's text)
    assert fold(doc) is first                   # the same document: its fold, not a new one
    copy = "".join(doc)                         # equal, another object
    assert copy is not doc
    again = fold(copy)
    assert again == first and again is not first


def test_only_the_last_documents_are_remembered():
    docs = [f"Văn bản số {i}. " * 400 for i in range(text_module._DOCUMENT_SLOTS + 1)]
    fold_known(docs[0], "x" * len(docs[0]))     # a wrong fold, to see whether it is returned
    try:
        assert fold(docs[0]) == "x" * len(docs[0])
        for d in docs[1:]:
            fold(d)
        assert fold(docs[0]) == fold("".join(docs[0]))       # forgotten: folded afresh
    finally:
        text_module._document_folds = ()
        fold_known("", "")


# -- partner / prospective cues ---------------------------------------------------------------
CUE_PIECES = ["ket nghia", "ket  nghia", "quan he\nhuu nghi", "thoa thuan hop tac", "thoa thuan x da ky",
              "da ki ket y thoa thuan", "ban ghi nho", "nghien cuu", "thiet lap", "mo rong quan he",
              "tiem nang", "lao", "salavan", " ", "  ", "\n", ";", ".", "/", "x", "ab", "9", "tket nghia"]


@settings(max_examples=300)
@given(st.lists(st.sampled_from(CUE_PIECES), max_size=20), st.data())
def test_cue_search_equals_the_look_behind_regex(parts, data):
    view = " ".join(parts) if data.draw(st.booleans()) else "".join(parts)
    pos = data.draw(st.integers(0, len(view)))
    endpos = data.draw(st.integers(pos, len(view)))
    raw = localities._raw()
    for fast, key in zip(localities._cue_regexes(), ("partner_cues", "prospective_cues")):
        ref = re.compile(localities._LB + "(?:" + "|".join(i.replace(" ", r"\s+") for i in raw[key])
                         + ")" + localities._LA)
        want = ref.search(view, pos, endpos)
        got = fast.search(view, pos, endpos)
        assert (got and got.span()) == (want and want.span())

"""The shared matching structures (``ingest/gazetteer.py``) against the straightforward code
they replace: per-pattern ``finditer``, look-behind regexes, greedy overlap scans.

Random texts are built from the gazetteers' own names (in several spellings), filler words,
and the separators documents put between them, so the fast paths are exercised where they
differ from the slow ones: names at the very start, names glued to ``/`` or digits, names
wrapped over lines, overlapping names, prefixes of names."""
from __future__ import annotations

import os
import random
import re
from contextlib import contextmanager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vbgraph.ingest import agencies, localities, tasks
from vbgraph.ingest import gazetteer as gazetteer_mod
from vbgraph.ingest.citations import find as citation_find
from vbgraph.ingest.citations import grammar
from vbgraph.ingest.gazetteer import (
    LA, LB, DisjointSpans, PhraseIndex, WordStartRegex, literal_prefixes, match_view, phrase_regex,
    phrase_sequences, trie_regex,
)
from vbgraph.ingest.text import _FOLD_TABLE, fold, nfc

FILLER = ["và", "các", "với", "tỉnh", "thành phố", "Sở", "UBND", "phối hợp", "chủ trì", "của",
          "Bộ", "nước", "ngoài", "năm", "2023", "12", "huyện", "hữu nghị", "kết nghĩa", "đề nghị"]
SEPARATORS = [" ", " ", " ", "\n", "  ", ", ", ". ", "; ", "/", "-", " (", ") ", "\n- ", ": ", "\n\n"]


def _names() -> list[str]:
    out = []
    for kind in agencies.agency_kind_scheme().concepts:
        out += [kind.pref_label, *kind.alt_labels]
    for surfaces in agencies._data()["surfaces"].values():
        out += surfaces
    for e in localities.locality_entries():
        out += [e.name, *e.aliases]
    return sorted(set(out))


NAMES = _names()


def _spell(name: str, how: int) -> str:
    return [name, name.upper(), fold(name), name.lower(), name.replace(" ", "\n")][how % 5]


@st.composite
def documents(draw, vocabulary=None, max_parts=30, separators=None):
    """A text of gazetteer names (in several spellings) and filler between separators."""
    vocabulary = vocabulary or NAMES
    parts = draw(st.lists(st.tuples(st.sampled_from(vocabulary + FILLER), st.integers(0, 4),
                                    st.sampled_from(separators or SEPARATORS)), max_size=max_parts))
    return nfc("".join(_spell(w, how) + sep for w, how, sep in parts))


def _reference(entries, view):
    """Per pattern, its ``finditer`` matches: what the index must reproduce."""
    out = []
    for i, (regex, _seqs) in enumerate(entries):
        out += [(i, m.start(), m.end()) for m in regex.finditer(view)]
    return sorted(out)


def _index_result(index, view):
    return sorted((i, m.start(), m.end()) for i, m in index.matches(view))


@given(documents())
def test_locality_index_finds_what_each_surface_regex_finds(text):
    view = match_view(text)
    entries = [(s.regex, None) for s in localities._surfaces()]
    assert _index_result(localities.surface_index(), view) == _reference(entries, view)


@given(documents())
def test_agency_index_finds_what_each_pattern_regex_finds(text):
    view = match_view(text)
    entries = [(p.regex, None) for p in agencies._patterns()] + [(agencies._district_regex(), None)]
    assert _index_result(agencies.pattern_index(), view) == _reference(entries, view)


def test_agency_index_on_the_seeds(seed_paths):
    entries = [(p.regex, None) for p in agencies._patterns()] + [(agencies._district_regex(), None)]
    for path in seed_paths.values():
        view = match_view(path.read_text(encoding="utf-8"))
        found = _index_result(agencies.pattern_index(), view)
        assert found == _reference(entries, view)
        assert found                                   # every seed names agencies


SYN = {("uy", "ban", "nhan", "dan"): ["ubnd"], ("van", "hoa"): ["vh"]}


@given(st.lists(st.sampled_from(["Ủy ban nhân dân", "văn hóa", "và", "Sở", "thể thao", "du lịch",
                                 "tỉnh", "Bộ"]), min_size=1, max_size=6),
       st.booleans(), documents(vocabulary=["UBND", "VH", "và", "văn hóa", "thể thao", "Sở",
                                            "du lịch", "Ủy ban nhân dân", "tỉnh", "Bộ"]))
def test_phrase_sequences_are_exactly_what_phrase_regex_matches(words, optional_va, text):
    phrase = " ".join(words)
    regex = re.compile(phrase_regex(phrase, SYN, optional_va))
    seqs = phrase_sequences(phrase, SYN, optional_va)
    for seq in seqs:                                   # each sequence is matched …
        assert regex.fullmatch(" ".join(seq))
    view = match_view(text)                            # … and each match is a sequence
    for m in re.finditer(regex.pattern, view):
        assert tuple(m.group().split()) in seqs


TOKENS = ["a", "ab", "abc", "b", "ba", "c", "so", "so1"]


@given(st.sets(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=3).map(tuple), max_size=8),
       st.lists(st.sampled_from(TOKENS), min_size=1, max_size=4))
def test_trie_regex_matches_exactly_its_sequences_longest_first(seqs, probe):
    text = " ".join(probe)
    assert bool(re.compile(trie_regex(seqs) + r"\Z").match(text)) == (tuple(probe) in seqs)
    m = re.compile(trie_regex(seqs)).match(text)
    heads = [s for s in seqs if tuple(probe[:len(s)]) == s]
    if not heads:
        assert m is None
    else:
        assert tuple(m.group().split()) == max(heads, key=len)


def test_trie_regex_prefers_the_longest_sequence():
    rx = re.compile(trie_regex([("nghi", "quyet"), ("nghi", "quyet", "lien", "tich")], end=""))
    assert rx.match("nghi quyet lien tich so 1").group() == "nghi quyet lien tich"
    assert rx.match("nghi quyet so 1").group() == "nghi quyet"
    assert re.compile(trie_regex([])).match("x") is None


# -- literal_prefixes and WordStartRegex -------------------------------------------------------
@pytest.mark.parametrize("source,expected", [
    (r"(?<![a-z])ab\s+(?:c|d)e", {"ab ce", "ab de"}),
    (r"(?:x\s+)?y", {"x y", "y"}),
    (r"a(?:b|)c", {"abc", "ac"}),
    (r"ab*c", {"a"}),
    (r"[a-z]+x", None),                  # a class opens it: no literal opening
    (r"x?", None),                       # may match empty
    (r"uy\s+ban\s+nhan\s+dan\s+tinh", {"uy ban nhan"}),   # three words are enough
])
def test_literal_prefixes(source, expected):
    assert literal_prefixes(source) == expected


def test_literal_prefixes_gives_up_rather_than_miss_one():
    source = "(?:" + "|".join(f"w{i} x" for i in range(100)) + ")"
    assert literal_prefixes(source, limit=20) is None
    assert len(literal_prefixes(source, limit=200)) == 100


RAW_SAMPLES = ["ubnd cac huyen thi xa thanh pho", "uy ban nhan dan cap huyen",
               "co quan dai dien viet nam o nuoc ngoai", "cqdd vn tai nuoc ngoai",
               "trung tam xuc tien dau tu thuong mai va du lich", "cac huyen thi xa", "ubnd tp hue"]


@given(st.lists(st.sampled_from(RAW_SAMPLES + ["cac", "so", "huyen", "ubnd"]), max_size=8),
       st.lists(st.sampled_from([" ", "\n", "  ", ", "]), min_size=8, max_size=8))
def test_literal_prefixes_open_every_match_of_the_hand_written_agency_regexes(words, seps):
    view = "".join(w + s for w, s in zip(words, seps))
    for p in agencies._patterns():
        if p.sequences is not None:
            continue
        prefixes = literal_prefixes(p.regex.pattern)
        assert prefixes
        for m in p.regex.finditer(view):
            opening = " ".join(view[m.start():].split())
            assert any(opening.startswith(x) for x in prefixes), (p.kind, m.group())


def _word_start_regexes() -> list[WordStartRegex]:
    out = list(agencies._cue_regexes().values()) + [agencies._stop_regex()]
    out += [citation_find._leading_re(), citation_find._CONGRESS, citation_find._LAW,
            citation_find._STRATEGY, grammar.SYMBOL_SCAN]
    out += [r for r in tasks._DEADLINE_RES if isinstance(r, WordStartRegex)]
    return out


CUE_WORDS = ["chủ trì", "phối hợp", "phối hợp chặt chẽ với", "đề nghị", "giao", "tham mưu",
             "làm cơ quan đầu mối", "Nghị quyết Đại hội XIII của Đảng", "Luật Đầu tư", "Bộ luật",
             "Chiến lược", "Quyết định số", "Chỉ thị", "272-QĐ/TW", "12/2012/NĐ-CP", "hằng năm",
             "Kế hoạch 64", "số 8791/VPCP-QHQT", "x12", "a/", "hằng quý"]


@given(documents(vocabulary=CUE_WORDS), st.data())
def test_word_start_regexes_find_what_their_look_behind_form_finds(text, data):
    view = match_view(text)
    folded = fold(text)
    for rx in _word_start_regexes():
        for s in (view, folded):
            pos = data.draw(st.integers(0, len(s)))
            end = data.draw(st.integers(pos, len(s)))
            want = [(m.start(), m.end()) for m in rx.exact.finditer(s, pos, end)]
            assert [(m.start(), m.end()) for m in rx.finditer(s, pos, end)] == want
            assert [(m.start(), m.end()) for m in rx.finditer(s)] == \
                [(m.start(), m.end()) for m in rx.exact.finditer(s)]


def test_word_start_regex_scans_for_literal_openings():
    rx = WordStartRegex(r"chien\s+luoc", "a-z")
    assert rx._opening
    assert [m.start() for m in rx.finditer("chien luoc; xchien luoc, chien  luoc")] == [0, 25]
    digits = WordStartRegex(r"\d+a", "a-z0-9", first="0-9")
    assert [m.group() for m in digits.finditer("12a x12a 7a")] == ["12a", "7a"]


# -- small pieces ------------------------------------------------------------------------------
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(1, 8)), max_size=40))
def test_disjoint_spans_agree_with_a_scan_of_everything_taken(spans):
    fast, taken = DisjointSpans(), []
    for start, length in spans:
        end = start + length
        slow = any(start < e and s < end for s, e in taken)
        assert fast.overlaps(start, end) == slow
        if not slow:
            fast.add(start, end)
            taken.append((start, end))


@given(st.text(alphabet=st.characters(max_codepoint=0x2FFF, blacklist_categories=("Cs",)),
               min_size=0, max_size=400))
def test_fold_table_path_equals_translate(text):
    text = nfc(text)
    assert fold(text) == text.translate(_FOLD_TABLE)
    assert len(fold(text)) == len(text)


def test_fold_of_long_texts_beyond_the_table():
    text = nfc("Hội nghị 会議 😀 Ủy ban " * 20)
    assert fold(text) == text.translate(_FOLD_TABLE)


@given(documents())
def test_match_view_folds_and_blanks_punctuation(text):
    view = match_view(text)
    assert view == fold(text).translate(str.maketrans({c: " " for c in "-–—&,.‐‑"}))


def test_seed_views(seed_paths):
    rnd = random.Random(7)
    for path in seed_paths.values():
        text = path.read_text(encoding="utf-8")
        assert match_view(text) == fold(text).translate(str.maketrans({c: " " for c in "-–—&,.‐‑"}))
        i = rnd.randrange(len(text))
        assert fold(text[i:i + 100]) == nfc(text[i:i + 100]).translate(_FOLD_TABLE)


def test_phrase_index_rejects_a_pattern_without_literal_opening():
    with pytest.raises(ValueError):
        PhraseIndex([(re.compile(r"[a-z]+"), None)])


def test_every_code_point_of_the_table_folds_as_translate_does():
    text = "".join(chr(c) for c in range(0x20, 0x3000) if not 0xD800 <= c < 0xE000)
    assert fold(text) == nfc(text).translate(_FOLD_TABLE)


def test_fold_reuses_only_the_very_same_string():
    a = nfc("Bảo hộ công dân và pháp nhân Việt Nam ở nước ngoài " * 3)
    b = nfc("Thông tin đối ngoại và ngoại giao văn hóa trong tình hình mới " * 3)
    assert fold(a) == fold(a) == a.translate(_FOLD_TABLE)
    assert fold(b) == b.translate(_FOLD_TABLE)          # not the remembered fold of a
    assert fold(a + "") == a.translate(_FOLD_TABLE)


# -- WordStartRegex: openings sharing a first-word prefix, windows, opening characters --------
#: bodies whose literal openings share a prefix (consumed by the fast pattern) or do not, or
#: share one that can overlap itself ("aa", "abab"): each mode of the fast pattern
SHARED_OPENING_BODIES = [
    (r"nghi\s{1,4}quyet\s{1,4}dai", "a-z"), (r"chien\s{1,4}luoc(?![a-z])", "a-z"),
    (r"ab(?:c|d\s+e)", "a-z"), (r"ab|abc\s+d", "a-z/"), (r"aa\s+b", "a-z"), (r"abab\s*c", "a-z"),
    (r"(?:bo\s{1,4})?luat\s{1,4}(?=[a-z])", "a-z"), (r"ab\s+(?:x|y)|b", "a-z"),
    (r"aa(?:a\s+b|\s+c)", "/"), (r"abab(?:ab\s+x|\s+y)", "/"), (r"aa(?:\s+c)?\d", "/"),
    (r"abab\s*\d", "/"),
]


@pytest.mark.parametrize("body,guard", SHARED_OPENING_BODIES)
def test_fast_pattern_consumes_only_a_prefix_that_cannot_overlap_itself(body, guard):
    rx = WordStartRegex(body, guard)
    openings = literal_prefixes(body)
    common = os.path.commonprefix(sorted(openings)).split(" ")[0]
    consumes = rx._fast.pattern.startswith(re.escape(common)) and len(common) >= 2
    assert consumes == (len(common) >= 2 and not gazetteer_mod._has_border(common))


@settings(max_examples=300)
@given(st.one_of(st.text(alphabet="abcdexy1 luatbonghiquyetdaichenuo/\n", max_size=60),
                 st.text(alphabet="abc1 /", max_size=16)), st.data())
def test_word_start_regex_with_a_shared_opening_equals_the_exact_scan(string, data):
    """``finditer``, ``finditer_at`` (every offset) and ``search`` give
    what the plain look-behind regex gives, in every mode of the fast pattern."""
    for body, guard in SHARED_OPENING_BODIES:
        rx = WordStartRegex(body, guard)
        exact = [m.span() for m in rx.exact.finditer(string)]
        assert [m.span() for m in rx.finditer(string)] == exact
        assert [m.span() for m in rx.finditer_at(string, range(len(string) + 1))] == exact
        pos = data.draw(st.integers(0, len(string)))
        end = data.draw(st.integers(pos, len(string)))
        assert [m.span() for m in rx.finditer(string, pos, end)] == [
            m.span() for m in rx.exact.finditer(string, pos, end)]


@pytest.mark.parametrize("body,string", [
    (r"aa(?:\s+c)?\d", "aaa1"), (r"aa(?:\s+c)?\d", "aaaa c1"), (r"aa(?:\s+c)?\d", "/aaa1 aa1"),
    (r"abab\s*\d", "ababab7"), (r"abab\s*\d", "abababab 1")])
def test_a_prefix_that_can_overlap_itself_is_not_consumed(body, string):
    """``aa…``: a match may start inside an ``aa`` that did not open one (``aaa1``)."""
    rx = WordStartRegex(body, "/")
    want = [m.span() for m in rx.exact.finditer(string)]
    assert want and [m.span() for m in rx.finditer(string)] == want


def test_has_border():
    assert [gazetteer_mod._has_border(w) for w in ("aa", "abab", "aba", "ab", "nghi", "luat", "chien")] == [
        True, True, True, False, False, False, False]


@given(st.text(alphabet="a1b/ 2", max_size=30))
def test_finditer_at_with_an_opening_character_needs_no_fast_check(string):
    """With ``first``, an exact match already opens with such a character after no guard
    character: trying the exact regex at every offset gives what ``finditer`` gives."""
    rx = WordStartRegex("1[ab]*", "a-z0-9", first="1")
    assert [m.span() for m in rx.finditer_at(string, range(len(string) + 1))] == [
        m.span() for m in rx.exact.finditer(string)]


# -- the automaton scan of PhraseIndex (Aho-Corasick over the squeezed view) ----------------------
# Oracles: the regex scan it replaces for long views (``_scan`` + ``_matches_by_scan``, kept for
# short views) and, above all, each pattern's own ``finditer``.

needs_automaton = pytest.mark.skipif(gazetteer_mod.ahocorasick is None, reason="no pyahocorasick")


@contextmanager
def _automaton_for_every_view():
    """The automaton scan even for views shorter than the squeeze threshold."""
    saved = gazetteer_mod._SQUEEZE_MIN_LENGTH
    gazetteer_mod._SQUEEZE_MIN_LENGTH = 0
    try:
        yield
    finally:
        gazetteer_mod._SQUEEZE_MIN_LENGTH = saved


_WHITESPACE = [c for c in map(chr, range(0x110000)) if re.fullmatch(r"\s", c)]


def _reference_squeeze(view: str) -> tuple[str, list[int]]:
    """:func:`gazetteer._squeeze` character by character: whitespace runs one space (at the
    run's start), ``[a-z0-9/]`` kept, anything else ``\\x01``, a space at each end."""
    out, offsets = [" "], []
    for i, ch in enumerate(view):
        space = re.fullmatch(r"\s", ch) is not None
        if space and i and re.fullmatch(r"\s", view[i - 1]):
            continue
        out.append(" " if space else ch if re.fullmatch(r"[a-z0-9/]", ch) else "\x01")
        offsets.append(i)
    return "".join(out) + " ", offsets


ODD_CHARS = ["\xa0", "\t", "\u3000", "\u2028", "\x1c", "\x85", "\x01", "(", ")", "/", ":", "“",
             "é", "Ư", "\ud800", "\U0001f600", "\u3001", "1"]


@given(st.lists(st.sampled_from(["a", "b", "z", "0", "9", " ", "\n", "  "] + ODD_CHARS),
                max_size=60).map("".join))
def test_squeeze_equals_a_walk_over_the_characters(view):
    gazetteer_mod._last_squeezes = ()                        # no memo from an earlier example
    squeezed, offsets = gazetteer_mod._squeeze(view)
    assert (squeezed, offsets.tolist()) == _reference_squeeze(view)
    assert gazetteer_mod._squeeze(view)[0] == squeezed     # the memo gives the same


def test_squeeze_memo_keeps_the_document_view_across_a_heading_s():
    """A long heading squeezed between the agency and the locality scans of a document does
    not evict the document's squeeze (two slots); a third view does evict the oldest."""
    document, heading, other = "so ngoai vu " * 40, "uy ban nhan dan " * 20, "cong an tinh " * 30
    # the offsets array is the memo's own object (the compiled build re-boxes the tuple)
    first = gazetteer_mod._squeeze(document)
    gazetteer_mod._squeeze(heading)
    assert gazetteer_mod._squeeze(document)[1] is first[1]
    gazetteer_mod._squeeze(heading)
    gazetteer_mod._squeeze(other)
    again = gazetteer_mod._squeeze(document)
    assert again[1] is not first[1] and again[0] == first[0] and again[1].tolist() == first[1].tolist()


def test_the_class_table_reads_whitespace_as_the_regex_engine_does():
    table = gazetteer_mod._CLASS_TABLE
    spaces = {ord(c) for c in _WHITESPACE}
    assert max(spaces) < gazetteer_mod._CLASS_LIMIT      # the table's last entry stands for
    assert table[-1] == gazetteer_mod._OTHER             # every code point above it
    for code in range(gazetteer_mod._CLASS_LIMIT):
        ch = chr(code)
        want = 32 if code in spaces else code if re.fullmatch(r"[a-z0-9/]", ch) else 1
        assert table[code] == want, hex(code)


ODD_SEPARATORS = SEPARATORS + ["\xa0", "\t ", "\u3000", " \n\t ", "(", "“", "/", "1", "\x01",
                               "", "é"]


@needs_automaton
@settings(max_examples=150)
@given(documents(max_parts=40, separators=ODD_SEPARATORS))
def test_automaton_scan_equals_the_regex_scan_and_finditer_on_gazetteer_texts(text):
    view = match_view(text)
    agency_entries = [(p.regex, None) for p in agencies._patterns()] + [(agencies._district_regex(), None)]
    locality_entries = [(s.regex, None) for s in localities._surfaces()]
    for index, entries in ((agencies.pattern_index(), agency_entries),
                           (localities.surface_index(), locality_entries)):
        assert index._automaton is not None
        with _automaton_for_every_view():
            found = _index_result(index, view)
            positions = index.positions(view)
        assert found == _reference(entries, view)
        assert found == sorted((i, m.start(), m.end()) for i, m in index._matches_by_scan(view))
        assert positions == list(index._scan(view))


@needs_automaton
def test_automaton_scan_on_the_seeds(seed_paths):
    views = [match_view(p.read_text(encoding="utf-8")) for p in seed_paths.values()]
    locality_entries = [(s.regex, None) for s in localities._surfaces()]
    for index in (agencies.pattern_index(), localities.surface_index()):
        for view in views + views[:1]:                # the memo: back to a view seen before
            assert len(view) >= gazetteer_mod._SQUEEZE_MIN_LENGTH
            found = [(i, m.span()) for i, m in index.matches(view)]
            assert found == [(i, m.span()) for i, m in index._matches_by_scan(view)]
            assert index.positions(view) == list(index._scan(view))
    for view in views:
        assert _index_result(localities.surface_index(), view) == _reference(locality_entries, view)


SMALL_TOKENS = ["a", "ab", "b", "ba", "a1", "1", "a/", "/b"]
SMALL_SEPARATORS = [" ", "  ", "\n", "\xa0", "\t\n ", "/", "(", "", "x", "-", "\u3000"]


@st.composite
def small_indexes(draw):
    """Patterns over a few short, overlapping words: sequences (as a trie regex), sometimes
    with a hand-written regex (literal openings, then a class)."""
    entries = []
    for _ in range(draw(st.integers(1, 5))):
        seqs = draw(st.sets(st.lists(st.sampled_from(SMALL_TOKENS), min_size=1, max_size=3).map(tuple),
                            min_size=1, max_size=4))
        entries.append((re.compile(LB + trie_regex(seqs)), seqs))
    for seq in draw(st.lists(st.lists(st.sampled_from(SMALL_TOKENS), min_size=1, max_size=3).map(tuple),
                             max_size=3)):
        entries.append((re.compile(_plain_regex(seq)), [seq]))      # read off the view by spans
    if draw(st.booleans()):
        entries.append((re.compile(LB + r"(?:ab|b)\s+a[a-z0-9]*(?:\s+b)?"), None))
    return entries


def _plain_regex(seq) -> str:
    """A phrase of one spelling as ``phrase_regex`` writes it, between word boundaries."""
    return LB + r"\s+".join(re.escape(t) for t in seq) + LA


@needs_automaton
@settings(max_examples=300)
@given(small_indexes(),
       st.lists(st.tuples(st.sampled_from(SMALL_TOKENS), st.sampled_from(SMALL_SEPARATORS)), max_size=25))
def test_automaton_scan_equals_finditer_on_small_vocabularies(entries, parts):
    view = "".join(tok + sep for tok, sep in parts)
    index = PhraseIndex(entries)
    assert index._automaton is not None
    with _automaton_for_every_view():
        found = _index_result(index, view)
        positions = index.positions(view)
    assert found == _reference(entries, view)
    assert positions == list(index._scan(view))
    # per pattern, in order of position
    pairs = [(i, m.start()) for i, m in index.matches(view)] if len(view) else []
    assert pairs == sorted(pairs)
    with _automaton_for_every_view():
        assert index.spans(view) == [(i, m.start(), m.end()) for i, m in index.matches(view)]
    # a short view: the regex scan's matches
    assert index.spans(view) == [(i, m.start(), m.end()) for i, m in index._matches_by_scan(view)]


@given(st.lists(st.sampled_from(SMALL_TOKENS), min_size=1, max_size=3).map(tuple),
       st.lists(st.tuples(st.sampled_from(SMALL_TOKENS), st.sampled_from(SMALL_SEPARATORS)),
                max_size=12).map(lambda parts: "".join(t + s for t, s in parts)),
       st.integers(0, 40))
def test_sequence_end_is_the_plain_phrase_regex_s_match(seq, view, pos):
    pos = min(pos, len(view))
    m = re.compile(_plain_regex(seq)).match(view, pos)
    assert gazetteer_mod._sequence_end(view, pos, seq) == (m.end() if m else -1)


def test_sequence_end_reads_the_match():
    view = match_view("ở Lào\n  Cai, Luông  Pha Băng/ x")
    assert gazetteer_mod._sequence_end(view, 2, ("lao", "cai")) == 11
    assert gazetteer_mod._sequence_end(view, 2, ("lao",)) == 5
    assert gazetteer_mod._sequence_end(view, 3, ("ao",)) == -1          # inside a word
    assert gazetteer_mod._sequence_end(view, 13, ("luong", "pha", "bang")) == 28
    assert gazetteer_mod._sequence_end(view, 13, ("luong", "pha", "ban")) == -1   # not at a word end


def test_only_plain_phrase_regexes_are_read_off_the_view():
    plain = re.compile(_plain_regex(("lao", "cai")))
    assert gazetteer_mod._plain_tokens(plain, [("lao", "cai")]) == ("lao", "cai")
    assert gazetteer_mod._plain_tokens(plain, [("lao", "cai"), ("lao",)]) == ()     # two spellings
    assert gazetteer_mod._plain_tokens(re.compile(_plain_regex(("lao",))), [("lao", "cai")]) == ()
    assert gazetteer_mod._plain_tokens(re.compile(LB + "lao" + r"\s+cai"), [("lao", "cai")]) == ()
    assert gazetteer_mod._plain_tokens(re.compile(plain.pattern, re.I), [("lao", "cai")]) == ()
    # every locality surface is one (its candidates never run a regex); no agency pattern is
    assert all(e.tokens for e in localities.surface_index()._entries)
    assert not any(e.tokens for e in agencies.pattern_index()._entries)


@needs_automaton
def test_words_the_squeeze_would_blur_leave_the_regex_scan_in_charge():
    seqs = {("a(b",), ("c",)}
    entries = [(re.compile(LB + trie_regex(seqs)), seqs)]
    index = PhraseIndex(entries)
    assert index._automaton is None
    view = "a(b c a)b x a(b\n" * 40
    with _automaton_for_every_view():
        assert _index_result(index, view) == _reference(entries, view) != []
    raw = PhraseIndex([(re.compile(LB + r"a\(b\s+[a-z]"), None)])
    assert raw._automaton is None


def test_short_views_are_scanned_by_the_regex():
    index = agencies.pattern_index()
    heading = match_view("Sở Văn hóa và Thể thao")
    assert len(heading) < gazetteer_mod._SQUEEZE_MIN_LENGTH
    assert index._hits(heading) is None
    assert index.positions(heading) == [0]
    assert [m.group() for _i, m in index.matches(heading)] == ["so van hoa va the thao"]


# -- the two native scanners: ahocorasick-rs (preferred) and pyahocorasick --------------------
needs_both_scanners = pytest.mark.skipif(
    gazetteer_mod.ahocorasick is None or gazetteer_mod.ahocorasick_rs is None,
    reason="needs pyahocorasick and ahocorasick-rs")


def _sorted_hits(index, view):
    hits = index._hits(view)
    return None if hits is None else sorted(zip(*hits))


@pytest.fixture(scope="module")
def indexes_by_backend():
    """The agency and locality indexes built once with each native scanner."""
    agency_entries = [(p.regex, p.sequences) for p in agencies._patterns()]
    agency_entries += [(agencies._district_regex(), None)]
    locality_entries = [(s.regex, phrase_sequences(s.written, optional_va=False))
                        for s in localities._surfaces()]
    return {backend: [PhraseIndex(agency_entries, backend), PhraseIndex(locality_entries, backend)]
            for backend in ("rs", "py")}


@needs_both_scanners
def test_the_default_scanner_is_ahocorasick_rs():
    assert gazetteer_mod._BACKEND == "rs"
    assert localities.surface_index()._automaton.backend == "rs"


@needs_both_scanners
@settings(max_examples=100)
@given(documents(max_parts=40, separators=ODD_SEPARATORS))
def test_both_scanners_find_the_same_hits(indexes_by_backend, text):
    view = match_view(text)
    with _automaton_for_every_view():
        for rs_index, py_index in zip(indexes_by_backend["rs"], indexes_by_backend["py"]):
            assert rs_index._automaton.backend == "rs" and py_index._automaton.backend == "py"
            assert _sorted_hits(rs_index, view) == _sorted_hits(py_index, view)


@needs_both_scanners
def test_both_scanners_on_the_seeds(indexes_by_backend, seed_paths):
    for p in seed_paths.values():
        view = match_view(p.read_text(encoding="utf-8"))
        for rs_index, py_index in zip(indexes_by_backend["rs"], indexes_by_backend["py"]):
            hits = _sorted_hits(rs_index, view)
            assert hits and hits == _sorted_hits(py_index, view)
            assert rs_index.matches(view) and [(i, m.span()) for i, m in rs_index.matches(view)] == \
                [(i, m.span()) for i, m in py_index.matches(view)]


@needs_both_scanners
@settings(max_examples=200)
@given(small_indexes(),
       st.lists(st.tuples(st.sampled_from(SMALL_TOKENS), st.sampled_from(SMALL_SEPARATORS)), max_size=25))
def test_both_scanners_equal_finditer_on_small_vocabularies(entries, parts):
    view = "".join(tok + sep for tok, sep in parts)
    with _automaton_for_every_view():
        found = {backend: _index_result(PhraseIndex(entries, backend), view) for backend in ("rs", "py")}
    assert found["rs"] == found["py"] == _reference(entries, view)

"""The one-pass fold over UTF-16 code units (:func:`fold`, :func:`fold_if_clean`) and the
clean-up that trusts it (:func:`clean_text`) give what the simple code gives: the oracles below
are the code they replace (NFC, then a per-character fold; the regex clean-up)."""
from __future__ import annotations

import re
import unicodedata

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vbgraph.ingest import text as T
from vbgraph.ingest.read import clean_text
from vbgraph.ingest.text import fold, fold_if_clean

_CONTROL_REFERENCE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff]")


def fold_reference(text: str) -> str:
    """NFC, then each character folded on its own (the code before any table)."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in "đĐ":
            out.append("d")
            continue
        base = unicodedata.normalize("NFD", ch)[0]
        out.append(base.lower() if len(base.lower()) == 1 else ch.lower())
    return "".join(out)


def clean_reference(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", _CONTROL_REFERENCE.sub("", text))


def _forget() -> None:
    T._document_folds = ()
    T.fold_known("", "")


# characters that exercise every branch: Vietnamese (precomposed and decomposed), combining
# marks, starters that compose with the one before (Hangul jamo, Bengali), NFC singletons
# (U+2000, U+212B), controls, CR, BOM, astral and CJK characters, a lone surrogate
ALPHABET = ("aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯ ÀÁẢÃẠàáảãạằắẳẵặầấẩẫậđềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợ"
            "ùúủũụừứửữựỳýỷỹỵ0123456789.,;:-–—()“”\"'|*/\n\t\u00a0\u2003"
            "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b"
            "\u1100\u1161\u11a8\u09c7\u09be\u0b47\u0b3e\u2000\u212b\u0958\u0344\u037e"
            "\r\x00\x0b\x1f\x7f\x85\x9f\ufeff\u3000\u4e2d😀\ud800")


@st.composite
def mixed_texts(draw) -> str:
    size = draw(st.sampled_from([0, 10, 79, 80, 200, 5000]))
    base = draw(st.text(alphabet=ALPHABET, min_size=0, max_size=60))
    filler = "Bảo hộ công dân Việt Nam ở nước ngoài.\n"
    text = (filler * (size // len(filler) + 1))[:size]
    at = draw(st.integers(0, len(text)))
    return text[:at] + base + text[at:]


@settings(max_examples=400, deadline=None)
@given(mixed_texts())
def test_fold_equals_the_reference(text):
    _forget()
    assert fold(text) == fold_reference(text)


@settings(max_examples=400, deadline=None)
@given(mixed_texts())
def test_clean_text_and_fold_if_clean_equal_the_references(text):
    _forget()
    quick = fold_if_clean(text)
    if quick is not None:                     # only for texts the clean-up leaves as they are
        assert quick == fold_reference(text)
        assert clean_reference(text) == text
        assert fold(text) is quick            # remembered for that string
    _forget()
    assert clean_text(text) == clean_reference(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=T._LUT_LIMIT - 1, exclude_categories=("Cs",)),
               min_size=T._LUT_MIN_LENGTH, max_size=200))
def test_fold_of_any_text_below_the_table_limit_equals_the_reference(text):
    _forget()
    assert fold(text) == fold_reference(text)
    _forget()
    assert clean_text(text) == clean_reference(text)


def test_starter_seconds_are_derived_from_unicodedata():
    """Every canonical composition ``(first, second)`` whose second is a starter below the
    table limit has its second listed (Hangul composes by algorithm: its jamo are listed)."""
    derived = set()
    for code in range(0x110000):
        if 0xD800 <= code < 0xE000:
            continue
        dec = unicodedata.decomposition(chr(code))
        if dec and not dec.startswith("<"):
            parts = dec.split()
            second = int(parts[-1], 16)
            if len(parts) == 2 and second < T._LUT_LIMIT and not unicodedata.combining(chr(second)):
                derived.add(second)
    hangul = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))
    assert derived | hangul == set(T._STARTER_SECONDS)


def test_unit_table_holds_folds_of_nfc_stable_characters_only():
    table = T._units()
    lut = T._lut()
    for code in range(0x10000):
        value = int(table[code])
        ch = chr(code)
        if value < T._UNIT_CONTROL:
            assert code < T._LUT_LIMIT and value == int(lut[code])
            assert not unicodedata.combining(ch) and unicodedata.normalize("NFC", ch) == ch
            # next to any first of a composition pair it stays as it is
        elif value == T._UNIT_CONTROL:
            assert _CONTROL_REFERENCE.fullmatch(ch) or ch == "\r"
    assert int(table[ord("\n")]) == ord("\n") and int(table[ord("\t")]) == ord("\t")


@pytest.mark.parametrize("text", [
    "Ba\u0300i viê\u0301t " * 20,                # decomposed: not NFC
    "\u1100\u1161" + "x" * 100,                  # Hangul jamo compose
    "\u09c7\u09be" + "x" * 100,                  # Bengali vowel signs compose
    "\u2000" + "x" * 100,                        # a singleton NFC replaces
    "Việt Nam\r\n" * 20, "Việt\x00Nam " * 20, "\ufeffViệt Nam " * 20, "中文 " * 40, "😀 " * 60,
])
def test_texts_the_quick_pass_must_refuse(text):
    _forget()
    assert fold_if_clean(text) is None
    assert fold(text) == fold_reference(text)
    assert clean_text(text) == clean_reference(text)


def test_a_stable_text_is_nfc():
    stable = [chr(c) for c in range(T._LUT_LIMIT) if int(T._units()[c]) < T._UNIT_CONTROL]
    rng = np.random.default_rng(7)
    for _ in range(200):
        s = "".join(rng.choice(stable, size=50))
        assert unicodedata.is_normalized("NFC", s)


def test_seeds_take_the_quick_pass(seed_paths):
    for p in seed_paths.values():
        text = p.read_text(encoding="utf-8")
        _forget()
        folded = fold_if_clean(text)
        assert folded is not None and folded == fold_reference(text)
        assert clean_text(text) is text

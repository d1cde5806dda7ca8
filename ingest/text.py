"""Vietnamese text normalisation shared by every matcher.

- :func:`nfc` — Unicode NFC, the form every stored text and span uses.
- :func:`canonical_tones` — moves tone marks to one placement, so old-style ``hòa``/``thủy``/
  ``khỏe`` and new-style ``hoà``/``thuỷ``/``khoẻ`` become the same string (old style, which most
  administrative documents use, is the canonical one).
- :func:`fold` — lower case, no diacritics, ``đ`` → ``d``: for diacritic-free matching
  (``bao ho cong dan`` = ``bảo hộ công dân``).
- :func:`match_key` — ``fold`` plus whitespace collapse: the key tolerant matchers compare.

All functions are pure and length-changing only where stated; spans are always computed on
the NFC text, never on folded text (``fold`` keeps a 1:1 character mapping, see its doc).
"""
from __future__ import annotations

import re
import unicodedata

import numpy as np

__all__ = ["canonical_tones", "fold", "fold_if_clean", "fold_known", "match_key", "nfc", "slugify",
           "strip_tones"]

# combining tone marks: grave, acute, tilde, hook above, dot below
_TONES = "\u0300\u0301\u0303\u0309\u0323"
_TONE_SET = frozenset(_TONES)
# vowel letters (base letters after NFD, quality marks kept separately)
_VOWELS = frozenset("aeiouyAEIOUY")
# quality marks: breve (ă), circumflex (â ê ô), horn (ơ ư)
_QUALITY = frozenset("\u0306\u0302\u031b")

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def strip_tones(text: str) -> str:
    """Remove the five tone marks, keep quality marks (``hòa`` → ``hoa``, ``hộ`` → ``hô``)."""
    return nfc("".join(ch for ch in unicodedata.normalize("NFD", text) if ch not in _TONE_SET))


def _fold_char(ch: str) -> str:
    if ch in "đĐ":
        return "d"
    base = unicodedata.normalize("NFD", ch)[0]
    return base.lower() if len(base.lower()) == 1 else ch.lower()


class _FoldTable(dict):
    """``str.translate`` table: each code point folded once, on first sight."""

    def __missing__(self, code: int) -> str:
        value = _fold_char(chr(code))
        self[code] = value
        return value


_FOLD_TABLE = _FoldTable()


#: code points below this fold through a numpy lookup table (Latin, Vietnamese, punctuation)
_LUT_LIMIT = 0x3000
#: below this length ``str.translate`` beats the numpy round trip
_LUT_MIN_LENGTH = 80
_LUT: np.ndarray | None = None
#: the last long string folded and its fold (strings are immutable: identity is enough)
_last_fold: tuple[str | None, str] = (None, "")


#: strings at least this long are documents: the outline, the citation finder and the match
#: view each fold the same document object, with many short folds in between
_DOCUMENT_LENGTH = 4096
#: how many documents' folds are kept (few: a batch cycling through more documents misses)
_DOCUMENT_SLOTS = 2
_document_folds: tuple[tuple[str, str], ...] = ()

#: :data:`_UNITS` marks of a UTF-16 code unit the one-pass fold cannot take
_UNIT_OTHER = 0xFFFF       # a surrogate, a code point from ``_LUT_LIMIT`` on, or NFC may change it
_UNIT_CONTROL = 0xFFFE     # a character :func:`~vbgraph.ingest.read.clean_text` removes (CR too)
#: the characters below ``_LUT_LIMIT`` of canonical composition pairs ``(first, second)`` whose
#: second is a starter (combining class 0): next to their first, NFC composes them, so a text
#: holding one may not be NFC. Hangul vowels and trailing consonants compose by algorithm.
#: (tests/ingest/test_text_fast.py derives the list from ``unicodedata``.)
_STARTER_SECONDS = frozenset([0x09BE, 0x09D7, 0x0B3E, 0x0B56, 0x0B57, 0x0BBE, 0x0BD7, 0x0CC2, 0x0CD5,
                              0x0CD6, 0x0D3E, 0x0D57, 0x0DCF, 0x0DDF, 0x0FB5, 0x0FB7, 0x102E, 0x1B35,
                              *range(0x1161, 0x1176), *range(0x11A8, 0x11C3)])
#: the control characters :func:`~vbgraph.ingest.read.clean_text` removes, and CR, which it
#: rewrites (``[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff]``)
_CONTROL_CODES = (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0), 0xFEFF)
_UNITS: np.ndarray | None = None


def _remember_fold(text: str, folded: str) -> None:
    global _last_fold, _document_folds
    _last_fold = (text, folded)
    if len(text) >= _DOCUMENT_LENGTH:
        _document_folds = ((text, folded), *_document_folds[:_DOCUMENT_SLOTS - 1])


def fold_known(text: str, folded: str) -> None:
    """Tell :func:`fold` that ``folded`` is ``fold(text)`` (found more cheaply by the caller,
    e.g. a slice of a whole document's fold): the next ``fold(text)`` of this very string
    object returns it. One slot, like the memo of long strings."""
    _remember_fold(text, folded)


def _lut() -> np.ndarray:
    global _LUT
    if _LUT is None:
        table = np.arange(_LUT_LIMIT, dtype=np.uint32)
        for code in range(_LUT_LIMIT):
            if not 0xD800 <= code < 0xE000:
                folded = _fold_char(chr(code))
                # every code point below the limit folds to one character (tested)
                assert len(folded) == 1, hex(code)
                table[code] = ord(folded)
        _LUT = table
    return _LUT


def _nfc_stable(code: int) -> bool:
    """Whether a text made of such characters only is NFC whatever their order: a starter
    (combining class 0) that NFC keeps and that composes with no character before it (the
    NFC quick check's "yes" for every character, and no combining class to reorder)."""
    ch = chr(code)
    return (not unicodedata.combining(ch) and code not in _STARTER_SECONDS
            and unicodedata.normalize("NFC", ch) == ch)


def _units() -> np.ndarray:
    """Every UTF-16 code unit -> its fold (below ``_LUT_LIMIT``, NFC-stable characters), else
    ``_UNIT_CONTROL`` (what ``clean_text`` removes or rewrites) or ``_UNIT_OTHER``."""
    global _UNITS
    if _UNITS is None:
        lut = _lut()
        table = np.full(0x10000, _UNIT_OTHER, dtype=np.uint16)
        for code in range(_LUT_LIMIT):
            if _nfc_stable(code):
                table[code] = lut[code]
        table[list(_CONTROL_CODES)] = _UNIT_CONTROL
        _UNITS = table
    return _UNITS


def _unit_fold(text: str) -> str | None:
    """One pass over the UTF-16 code units of ``text`` (not empty) through :func:`_units`:
    ``fold(text)`` when every character is NFC-stable, below ``_LUT_LIMIT`` and no control
    character (then ``text`` is NFC: ``nfc(text) == text``), else ``None``."""
    units = np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
    out = _units().take(units)
    if int(out.max()) >= _UNIT_CONTROL:
        return None
    return out.tobytes().decode("utf-16-le")


def fold_if_clean(text: str) -> str | None:
    """``fold(text)`` when ``text`` is what :func:`~vbgraph.ingest.read.clean_text` leaves
    unchanged by a cheap test (no control character or CR, NFC-stable characters below
    ``_LUT_LIMIT``), else ``None``; a document's fold is remembered as :func:`fold` does.
    One numpy pass answers both questions: the reader cleans a document and the outline
    folds it right after."""
    if len(text) < _LUT_MIN_LENGTH:
        return None
    folded = _unit_fold(text)
    if folded is not None:
        _remember_fold(text, folded)
    return folded


def fold(text: str) -> str:
    """Lower-case and strip all diacritics; ``len(fold(s)) == len(nfc(s))`` for NFC input.

    The 1:1 mapping means an offset found in ``fold(nfc(s))`` is the same offset in ``nfc(s)``.
    Long texts go through a numpy lookup table over their UTF-16 code units (one vectorised
    pass, which also tells that the text is NFC: :func:`_unit_fold`); other long texts are
    made NFC and go through the table over their UTF-32 code units; short ones, and texts
    with code points beyond the table, through ``str.translate`` over a per-code-point memo
    table. All give the same string. The fold of the last long string, and of the last
    :data:`_DOCUMENT_SLOTS` documents, is remembered by identity.
    """
    last = _last_fold                  # one snapshot: (string, its fold)
    if text is last[0]:                # the same string object again (a task's text is
        return last[1]                 # folded by topics, then by deadlines): reuse
    if len(text) >= _DOCUMENT_LENGTH:
        for known, folded in _document_folds:      # a snapshot, like ``last``
            if known is text:
                return folded
    original = text
    if len(text) >= _LUT_MIN_LENGTH:
        quick = _unit_fold(text)
        if quick is not None:
            _remember_fold(original, quick)
            return quick
    text = nfc(text)
    if len(text) >= _LUT_MIN_LENGTH:
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        if int(codes.max()) < _LUT_LIMIT:
            out = _lut()[codes].tobytes().decode("utf-32-le")
            _remember_fold(original, out)
            return out
    return text.translate(_FOLD_TABLE)


_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """ASCII slug: folded, every run of anything but ``[a-z0-9]`` one ``-``, trimmed
    (``Thừa Thiên Huế`` → ``thua-thien-hue``)."""
    return _NON_ALNUM.sub("-", fold(text)).strip("-")


def match_key(text: str) -> str:
    """Tolerant comparison key: folded, whitespace collapsed, trimmed."""
    return " ".join(fold(text).split())


def _place_tone(syllable_nfd: list[list[str]], tone: str) -> None:
    """Attach ``tone`` to the right vowel of a syllable given as clusters [base, marks...]."""
    letters = [c[0].lower() for c in syllable_nfd]
    n = len(letters)
    # vowel nucleus: skip the initial consonant(s); 'qu' and 'gi' + vowel count as initials
    i = 0
    while i < n and letters[i] not in _VOWELS:
        i += 1
    if i < n and i > 0 and letters[i - 1] == "q" and letters[i] == "u":
        i += 1
    elif (i > 0 and letters[i - 1] == "g" and letters[i] == "i" and i + 1 < n
          and letters[i + 1] in _VOWELS):
        i += 1
    j = i
    while j < n and letters[j] in _VOWELS:
        j += 1
    vowels = list(range(i, j))
    if not vowels:  # 'gi' alone (gì), or no vowel: put it on the last vowel-like letter
        cand = [k for k in range(n) if letters[k] in _VOWELS]
        if not cand:
            return
        vowels = cand[-1:]
    has_final = j < n
    marked = [k for k in vowels if any(m in _QUALITY for m in syllable_nfd[k][1:])]
    if marked:
        pos = marked[-1]                       # ươ → on ơ; â, ê, ô, ơ, ư, ă
    elif len(vowels) >= 3:
        pos = vowels[1]                        # oai, uyê (marked), oay → middle
    elif len(vowels) == 2:
        pos = vowels[1] if has_final else vowels[0]   # old style: hòa, thủy, khỏe; hoàn
    else:
        pos = vowels[0]
    syllable_nfd[pos].append(tone)


def _canon_word(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    clusters: list[list[str]] = []
    tone = None
    for ch in decomposed:
        if ch in _TONE_SET:
            tone = ch
        elif unicodedata.combining(ch) and clusters:
            clusters[-1].append(ch)
        else:
            clusters.append([ch])
    if tone is None:
        return word
    _place_tone(clusters, tone)
    return nfc("".join("".join(c) for c in clusters))


def canonical_tones(text: str) -> str:
    """One tone placement for every syllable (old style), NFC. ``hoà`` → ``hòa``."""
    return _WORD.sub(lambda m: _canon_word(m.group(0)), nfc(text))

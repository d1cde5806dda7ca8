"""Legacy Vietnamese encodings: TCVN3 (ABC), VNI-Windows and Windows-1258.

Before Unicode, Vietnamese documents were typed in 8-bit font encodings. Read as UTF-8 they fail
to decode; read as cp1252 (or saved back to UTF-8 that way) they become mojibake such as
``Kinh tÕ`` (TCVN3) or ``Keá hoaïch`` (VNI). This module converts such text with the public
mapping tables in ``ingest/data/legacy_*.json`` and *scores* every candidate by how many of its
words are well-formed Vietnamese syllables, so a wrong guess is never accepted silently.

All functions are pure.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .text import nfc

__all__ = [
    "LegacyGuess", "byte_view", "convert_tcvn3", "convert_vni", "guess_legacy_bytes",
    "guess_mojibake", "is_vietnamese_syllable", "syllable_stats",
]

_DATA = Path(__file__).with_name("data")
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")

#: below this share of well-formed syllables a conversion is not trusted
ACCEPT_RATIO = 0.85
#: UTF-8 text whose accented words are well-formed below this share is checked for mojibake
SUSPECT_RATIO = 0.6


@lru_cache(maxsize=1)
def _tcvn3_table() -> dict[int, str]:
    data = json.loads((_DATA / "legacy_tcvn3.json").read_text(encoding="utf-8"))
    table: dict[int, str] = {}
    for hex_byte, letter in data["bytes"].items():
        seen_as = byte_view(bytes([int(hex_byte, 16)]))
        table[ord(seen_as)] = letter
    return table


@lru_cache(maxsize=1)
def _vni_pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    data = json.loads((_DATA / "legacy_vni.json").read_text(encoding="utf-8"))
    reverse = {seq: letter for letter, seq in data["letters"].items()}
    # longest sequences first so "oá" (ố) wins over "o" + "á"
    alternatives = sorted(reverse, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(a) for a in alternatives))
    return pattern, reverse


def byte_view(data: bytes) -> str:
    """One character per byte: cp1252, with its five undefined bytes kept as Latin-1."""
    return "".join(
        chr(b) if b in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else bytes([b]).decode("cp1252")
        for b in data
    ) if len(data) < 64 else _fast_byte_view(data)


def _fast_byte_view(data: bytes) -> str:
    text = data.decode("cp1252", errors="replace")
    if "\ufffd" not in text:
        return text
    return "".join(
        chr(b) if b in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else bytes([b]).decode("cp1252")
        for b in data
    )


_WORD_RE = re.compile(r"[^\W\d_]+")


def _recase(text: str) -> str:
    """TCVN3 has no toned capitals: ``KÕ HO¹CH`` converts to ``Kế HOạCH``. A word whose plain
    (ASCII) letters are all capitals is upper-cased when it has two of them or stands next to
    such a word on the same line."""
    out = []
    for line in text.split("\n"):
        words = list(_WORD_RE.finditer(line))
        caps = []
        for m in words:
            ascii_letters = [c for c in m.group(0) if c.isascii()]
            caps.append(len([c for c in ascii_letters if c.isupper()])
                        if ascii_letters and all(c.isupper() for c in ascii_letters) else 0)
        pieces, last = [], 0
        for i, m in enumerate(words):
            strong = caps[i] >= 2 or (caps[i] >= 1 and any(
                0 <= j < len(words) and caps[j] >= 2 for j in (i - 1, i + 1)))
            pieces.append(line[last:m.start()])
            pieces.append(m.group(0).upper() if strong else m.group(0))
            last = m.end()
        pieces.append(line[last:])
        out.append("".join(pieces))
    return "\n".join(out)


def convert_tcvn3(text: str) -> str:
    """Convert TCVN3 text (seen through :func:`byte_view`, or TCVN3 mojibake in Unicode)."""
    return nfc(_recase(text.translate(_tcvn3_table())))


def convert_vni(text: str) -> str:
    """Convert VNI-Windows text (seen through :func:`byte_view`, or VNI mojibake)."""
    pattern, reverse = _vni_pattern()
    return nfc(pattern.sub(lambda m: reverse[m.group(0)], text))


# -- well-formed syllables ---------------------------------------------------------------
_NUCLEI = frozenset(
    "a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi oo ua uâ uê ui "
    "uô uơ uy ưa ưi ưu ươ yê ya iêu oai oao oay oeo uây uôi uya uyê uyu ươi ươu yêu".split()
)
_SYLLABLE = re.compile(
    r"(ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|[bcdđghklmnpqrstvx])?"
    r"([aăâeêioôơuưy]+)"
    r"(ch|nh|ng|[cmnpt])?"
)
_TOKEN = re.compile(r"[^\s\d.,;:!?()\[\]{}\"'“”‘’/\\|<>=+*&%#@…–—-]+")


def is_vietnamese_syllable(word: str) -> bool:
    """True for a well-formed Vietnamese syllable (any case, NFC or not, at most one tone)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = sum(1 for ch in decomposed if ch in _TONE_MARKS)
    if tones > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONE_MARKS))
    m = _SYLLABLE.fullmatch(bare)
    if m is None:
        return False
    if m.group(2) in _NUCLEI:
        return True
    if m.group(1) in ("gi", "qu"):  # the i/u may belong to the nucleus instead: "gìn", "quơ"
        alt = _SYLLABLE.fullmatch(bare[1:])
        return alt is not None and alt.group(1) is None and alt.group(2) in _NUCLEI
    return False


def syllable_stats(text: str) -> tuple[int, int]:
    """``(well_formed, accented)``: of the words with a non-ASCII character, how many are
    well-formed Vietnamese syllables."""
    good = total = 0
    for m in _TOKEN.finditer(text):
        word = m.group(0)
        if word.isascii():
            continue
        total += 1
        if is_vietnamese_syllable(word):
            good += 1
    return good, total


def _ratio(text: str) -> tuple[float, int]:
    good, total = syllable_stats(text)
    return (good / total if total else 1.0), total


@dataclass(frozen=True, slots=True)
class LegacyGuess:
    encoding: str        # "tcvn3" | "vni" | "cp1258" | "utf-8 read as cp1252"
    text: str            # the converted text (NFC)
    ratio: float         # share of accented words that are well-formed syllables
    accented: int        # number of accented words seen

    @property
    def trusted(self) -> bool:
        return self.accented >= 3 and self.ratio >= ACCEPT_RATIO


def _best(candidates: dict[str, str]) -> LegacyGuess:
    guesses = []
    for name, text in candidates.items():
        ratio, total = _ratio(text)
        guesses.append(LegacyGuess(name, text, ratio, total))
    # most well-formed words first, then the higher ratio
    return max(guesses, key=lambda g: (g.trusted, round(g.ratio * g.accented), g.ratio))


def guess_legacy_bytes(data: bytes) -> LegacyGuess:
    """Best of TCVN3 / VNI / Windows-1258 for bytes that are not UTF-8 (check ``.trusted``)."""
    view = byte_view(data)
    cp1258 = nfc(data.decode("cp1258", errors="replace"))
    return _best({"tcvn3": convert_tcvn3(view), "vni": convert_vni(view), "cp1258": cp1258})


def guess_mojibake(text: str) -> LegacyGuess | None:
    """For decoded text: ``None`` if it reads as Vietnamese (or has too few accented words to
    tell), else the best repair (check ``.trusted``: an untrusted one is mojibake that cannot be
    repaired)."""
    ratio, total = _ratio(text)
    if total < 5 or ratio >= SUSPECT_RATIO:
        return None
    candidates = {"tcvn3": convert_tcvn3(text), "vni": convert_vni(text)}
    try:
        candidates["utf-8 read as cp1252"] = nfc(text.encode("cp1252").decode("utf-8"))
    except (UnicodeEncodeError, UnicodeDecodeError):
        pass
    best = _best(candidates)
    return best if best.ratio > ratio else LegacyGuess("unknown", text, ratio, total)

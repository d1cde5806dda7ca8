"""Find every reference to another document in a text: ``find_citations``.

Three kinds of reference:

- *full*: a document number (``Quyết định số 272-QĐ/TW``, a bare ``12/2012/NĐ-CP``);
- *short*: a leading word and a bare number (``Quyết định 272 của Bộ Chính trị``,
  ``Chỉ thị 38``, ``Nghị định 12/2012``);
- *title*: no number, named by title (``Nghị quyết Đại hội XIII của Đảng``,
  ``Luật Tổ chức chính quyền địa phương``, ``Chiến lược … đến năm 2020``).

Each gets the date, issuer (``của …``) and title (``về việc …``) adjacent to it, and a
relation to the citing document decided from the clause before it (``căn cứ`` → basis;
``thực hiện``/``triển khai``/``quán triệt``/``theo tinh thần`` → implements; otherwise
mentions); a list after one verb shares it, and a reference nested in another's title
(``… về ban hành Chương trình hành động thực hiện Nghị quyết số 22-NQ/TW``) is a mention.

All matching runs on ``fold(text)`` (same offsets as the NFC text); every pattern is linear
and every look-around is bounded, so any input finishes in time linear in its length.
"""
from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from ...ontology.vocab import CitationRelation
from ..gazetteer import WordStartRegex, trie_regex
from ..text import fold, fold_known, nfc
from .canonical import DocumentKey, congress_title_key, title_id
from .dates import match_date_at
from .grammar import SYMBOL_SCAN, Symbol, normalise_number, parse_symbol_match
from .models import CitationContext, FoundCitation
from .tables import DocType, slug, tables

__all__ = ["find_citations", "find_in_nfc"]

_WS = r"\s"
_SP = _WS + "{1,4}"
_MAX_TITLE = 400
#: types commonly named after a year or period ("Kế hoạch 2023", "Chương trình 2021")
_PERIOD_TYPES = frozenset({"kh", "ctr", "bc", "da", "duan", "tb", "cl", "pa"})
_MAX_LOOKBACK = 400


def _words_pattern(key: str) -> str:
    """A match_key phrase as a pattern tolerant of line breaks/extra spaces between words."""
    return _SP.join(re.escape(w) for w in key.split(" "))


@lru_cache(maxsize=1)
def _leading_re() -> WordStartRegex:
    # one character trie of the type names (longest name first, as a sorted alternation)
    alt = trie_regex((n.split(" ") for n in tables().leading), sep=_SP, end="")
    return WordStartRegex(rf"(?P<lead>{alt})(?:{_SP}so)?{_WS}{{0,4}}:?{_WS}{{0,4}}(?=\d)", "a-z0-9")


@lru_cache(maxsize=1)
def _issuer_re() -> re.Pattern[str]:
    t = tables()
    phrases = sorted(t.issuer_phrases, key=len, reverse=True)
    provinces = sorted(t.provinces, key=len, reverse=True)
    alt = "|".join(_words_pattern(p) for p in phrases)
    prov = "|".join(_words_pattern(p) for p in provinces)
    return re.compile(
        rf"{_WS}{{0,4}},?{_WS}{{0,4}}(?:cua|do){_SP}(?P<phrase>{alt})(?![a-z])"
        rf"(?:{_SP}(?:(?:tinh|thanh{_SP}pho){_SP})?(?P<prov>{prov})(?![a-z]))?"
        rf"(?:{_WS}{{0,4}}\(?{_WS}{{0,3}}khoa{_SP}[ivxlc]{{1,6}}(?![a-z]){_WS}{{0,3}}\)?)?")


@lru_cache(maxsize=1)
def _leading_reach() -> int:
    r"""The most characters a match of :func:`_leading_re` can span: the longest type name with
    its word gaps at their widest (``\s{1,4}``), then ``\s{1,4}so``, ``\s{0,4}``, ``:``,
    ``\s{0,4}``."""
    widest = max(sum(len(w) for w in name.split(" ")) + 4 * name.count(" ")
                 for name in tables().leading)
    return widest + (4 + 2) + 4 + 1 + 4


def _number_starts(folded: str) -> list[int]:
    """Where each run of ASCII digits starts (one scan, shared by the leading phrases and the
    document numbers: both are anchored on a number). Vectorised over the UTF-32 code units:
    a digit whose predecessor is not one (a regex scan for ``[0-9]+`` visits every position
    in the engine's slow search loop, ten times the cost)."""
    codes = np.frombuffer(folded.encode("utf-32-le"), dtype=np.uint32)
    digit = np.empty(len(codes) + 1, dtype=bool)
    digit[0] = False
    np.less(codes - 48, 10, out=digit[1:])          # unsigned: below "0" wraps to huge
    return np.flatnonzero(digit[1:] > digit[:-1]).tolist()


@lru_cache(maxsize=1)
def _leading_back_re() -> re.Pattern[str]:
    r""":func:`_leading_re` read backwards: matched on the *reversed* folded text at a number
    start ``d`` (offset ``len - d``), it matches exactly when a match of :func:`_leading_re`
    ends at ``d``, and spans the same characters (reversed), its ``lead`` group the same name.

    Forwards, the match ending at ``d`` is the one starting leftmost: the longest type name
    that ends there (a longer name extends a shorter one at its front, ``bộ luật``/``luật``)
    and does not follow ``[a-z0-9]``. Backwards the trie tries the longer of two such names
    first and the guard comes last, so the first match is that one. No type name ends in
    ``so``, so the optional ``số`` is read the same way in both directions."""
    rev = trie_regex((name[::-1].split(" ") for name in tables().leading), sep=_SP, end="")
    return re.compile(rf"{_WS}{{0,4}}:?{_WS}{{0,4}}(?:os{_SP})?(?P<lead>{rev})(?![a-z0-9])")


def _leads(folded: str, starts: list[int]) -> dict[int, tuple[int, str]]:
    """Per number start ``d`` (of ``starts``, ascending) where a match of :func:`_leading_re`
    ends, ``(its start, its lead name with single spaces)``: one backward match per number
    (:func:`_leading_back_re`) instead of a forward scan before each. The matches are those
    of ``_leading_re().finditer(folded)``: every match ends right before a digit that starts
    a number and holds no digit, so two of them never overlap and each is found from its end."""
    back = _leading_back_re().match
    rev = folded[::-1]
    size = len(folded)
    out: dict[int, tuple[int, str]] = {}
    for d in starts:
        if d:
            m = back(rev, size - d)
            if m is not None:
                out[d] = (size - m.end(), " ".join(m.group("lead")[::-1].split()))
    return out


def _leading_matches(folded: str, starts: list[int] | None = None) -> list[re.Match[str]]:
    """``list(_leading_re().finditer(folded))``: each match found from its end by
    :func:`_leads`, then taken forwards from its start (the same match object a scan gives)."""
    exact = _leading_re().exact
    found = _leads(folded, _number_starts(folded) if starts is None else starts)
    out: list[re.Match[str]] = []
    for d, (start, _name) in found.items():
        m = exact.match(folded, start, d + 1)
        assert m is not None and m.end() == d
        out.append(m)
    return out


_DATE_LEAD = re.compile(rf"{_WS}{{0,4}},?{_WS}{{0,4}}(?:(?:duoc{_SP})?(?:ban{_SP}hanh|ky){_SP})?")
_TITLE_LEAD = re.compile(
    rf"{_WS}{{0,4}},?{_WS}{{0,4}}(?=(?:ve|ban{_SP}hanh|phe{_SP}duyet|huong{_SP}dan|quy{_SP}dinh)"
    rf"(?![a-z]))")
_SHORT = re.compile(r"(?P<num>\d{1,5})(?:[^\S\r\n]{0,2}/[^\S\r\n]{0,2}(?P<year>(?:19|20)\d\d))?"
                    r"(?![\d/]|[^\S\r\n]{0,2}[/\-][^\S\r\n]{0,2}[a-z0-9])")
_SHORT_FOLLOW = re.compile(
    rf"(?:{_WS}{{0,4}}(?:$|[,;.:()\"“”]|(?:cua|ngay|ve|va|do|da|duoc|ban|theo|tai|nay|tren|nhu|neu|quy|yeu|co|la|cung|khang|nhan)"
    rf"(?![a-z])))")
_CONGRESS = WordStartRegex(
    rf"nghi{_SP}quyet{_SP}dai{_SP}hoi"
    rf"(?:{_SP}(?:dang|bo|tinh|thanh|pho|dai|bieu|toan|quoc|lan|thu|cong|san|viet|nam)){{0,8}}"
    rf"{_SP}[ivxlc]{{1,6}}(?![a-z])"
    rf"(?:{_SP}cua{_SP}dang(?:{_SP}cong{_SP}san{_SP}viet{_SP}nam)?(?![a-z]))?", "a-z")

_LAW = WordStartRegex(rf"(?:bo{_SP})?luat{_SP}(?=[a-z])", "a-z")
_LAW_WORD = re.compile(rf"(?P<comma>,)?{_WS}{{0,4}}(?P<w>[a-z]+)")
_LAW_STOP = frozenset(["ngay", "so", "nam", "va", "da", "duoc", "theo", "tai", "hien", "nay", "do", "ve", "cua", "trong", "nhu", "cac"])
_STRATEGY = WordStartRegex(rf"chien{_SP}luoc(?![a-z])", "a-z")
_STRATEGY_END = re.compile(
    rf"(?:den{_SP}nam{_SP}(?:19|20)\d\d|giai{_SP}doan{_SP}(?:19|20)\d\d{_WS}{{0,3}}-{_WS}{{0,3}}"
    rf"(?:19|20)\d\d|(?:19|20)\d\d{_WS}{{0,3}}-{_WS}{{0,3}}(?:19|20)\d\d)"
    rf"(?:,{_WS}{{0,4}}tam{_SP}nhin{_SP}den{_SP}nam{_SP}(?:19|20)\d\d)?")
_STRATEGY_BAD = re.compile(rf"[;.:,\"“”]|chien{_SP}luoc|\d{{1,6}}{_WS}{{0,3}}[/\-]{_WS}{{0,3}}[a-z]")
_HEADER_NUMBER = re.compile(rf"(?<![a-z])so{_WS}{{0,3}}:{_WS}{{0,4}}$")
_SUBJECT_BEFORE = re.compile(rf"(?:^|[^a-z])ve{_WS}{{0,3}}[\"“]?{_WS}{{0,3}}$")

# clause/sentence boundaries (on the NFC text); scanned as three patterns by _last_boundary
_BOUNDARY = re.compile(
    r"\.(?:/\.)?(?=\s|$)|:(?=[ \t]*\r?\n)|\n[ \t]*\n"
    r"|\n(?=[ \t]*(?:[a-zđ]\)|[-+•*]|\d{1,2}(?:\.\d{1,2})*\.|[IVXLC]{1,6}\.)[ \t])")
# where a title stops: the first place one of these stands (the plain alternation, with
# ``\s(?=và\s+các …)`` among them, is matched as two: one led by punctuation, which the
# engine finds by its first characters, and one by its literal ``và``; see _title_stop)
_TITLE_STOP = re.compile(
    r";|:(?=\s)|\.(?:/\.)?(?=\s|$)|\n[ \t]*\n|,(?=\s{1,3}[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ])"
    r"|\n(?=[ \t]*(?:[a-zđ]\)|[-+•]|\d{1,2}(?:\.\d{1,2})*\.|[IVXLC]{1,6}\.)[ \t])")
#: ``\s(?=và\s+các …)``, matched from the ``và`` (its start is one past the stop)
_TITLE_STOP_VA = re.compile(
    r"và(?<=\svà)(?=\s+các\s+(?:văn\s+bản|chỉ\s+đạo|quy\s+định|nghị\s+quyết|chỉ\s+thị|chương\s+trình|đề\s+án|kế\s+hoạch)(?!\w))")


def _title_stop(text: str, start: int, limit: int) -> int:
    """Where a title starting at ``start`` stops: the first stop in ``text[start:limit]``
    (``limit`` when none)."""
    m = _TITLE_STOP.search(text, start, limit)
    bound = m.start() if m is not None else limit
    va = _TITLE_STOP_VA.search(text, start + 1, limit)
    return va.start() - 1 if va is not None and va.start() <= bound else bound


_SIBLING_GAP = re.compile(r"(?:,|;|(?<![a-z])va(?:\s+cac)?|(?<![a-z])cung)\s*$")
_SEPARATORS_ONLY = re.compile(
    r"^(?:\s|,|;|-|\+|•|\*|(?<![a-z])va(?![a-z])|(?<![a-z])cac(?![a-z])|(?<![a-z])cung(?![a-z])"
    r"|(?<![a-z0-9])[a-z]\)|(?<![a-z0-9])\d{1,2}\.)*$")
#: the relation verbs, one alternation of literal-led branches (no group around them: the
#: engine then skips, in C, every position not holding a first letter ``x t k c q``); at most
#: one branch matches at a position, so the kind is read back from the matched words
_KEYWORDS = re.compile(
    rf"(?:xet{_SP}de{_SP}nghi|theo{_SP}de{_SP}nghi|kem{_SP}theo|can{_SP}cu|thuc{_SP}hien|"
    rf"trien{_SP}khai|quan{_SP}triet|theo(?:{_SP}dung)?{_SP}tinh{_SP}than|cu{_SP}the{_SP}hoa|"
    rf"thi{_SP}hanh)(?![a-z])")


@dataclass(slots=True)
class _Draft:
    """A reference being assembled (mutable while the passes run)."""

    start: int
    core_end: int                    # end of the number / title-only name
    kind: str
    dtype: DocType | None            # type from the leading word
    symbol: Symbol | None = None
    short_number: str | None = None
    short_year: int | None = None
    title_only: str | None = None    # NFC name of a title-only reference
    end: int = 0
    date: str | None = None
    issuer_name: str | None = None
    issuer_code: str | None = None
    province: str | None = None
    title_start: int | None = None
    extent_end: int = 0
    nested: bool = False
    relation: CitationRelation = CitationRelation.MENTIONS


def _collapse(s: str) -> str:
    return " ".join(s.split())


def _is_upper_initial(text: str, pos: int) -> bool:
    return pos < len(text) and text[pos].isupper()


def _is_own_number(folded: str, at: int) -> bool:
    r"""Whether the number at ``at`` follows ``Số:`` (the document's own number): a search for
    ``_HEADER_NUMBER`` in the 8 characters before, done only when a ``:`` stands in the last
    6 (the pattern needs ``so`` before its ``:``, inside those 8)."""
    return folded.find(":", max(0, at - 6), at) >= 0 and \
        _HEADER_NUMBER.search(folded, max(0, at - 8), at) is not None


def _find_cores(text: str, folded: str) -> list[_Draft]:
    t = tables()
    leads: dict[int, tuple[int, DocType]] = {}
    starts = _number_starts(folded)
    for end, (begin, name) in _leads(folded, starts).items():
        dtype = t.leading.get(name)
        if dtype is not None:
            leads[end] = (begin, dtype)

    drafts: list[_Draft] = []
    taken: list[tuple[int, int]] = []
    # a symbol opens with a digit not inside a run of digits: a number start
    for m in SYMBOL_SCAN.finditer_at(folded, starts):
        if _is_own_number(folded, m.start()):
            continue                     # "Số: 64/KH-UBND": the document's own number
        lead = leads.get(m.start())
        sym = parse_symbol_match(m, text, lead[1].code if lead else None)
        if sym is None:
            continue
        start = lead[0] if lead else sym.start
        drafts.append(_Draft(start=start, core_end=sym.end, kind="full",
                             dtype=lead[1] if lead else None, symbol=sym))
        taken.append((sym.start, sym.end))
    symbol_at = {d.symbol.start for d in drafts if d.symbol is not None}

    for num_start, (lead_start, dtype) in leads.items():
        if num_start in symbol_at or not _is_upper_initial(text, lead_start):
            continue
        short = _SHORT.match(folded, num_start)
        if short is None:
            continue
        after = _SHORT_FOLLOW.match(folded, short.end())
        if after is None:
            continue
        num = short.group("num")
        if short.group("year") is None and 1945 <= int(num) <= 2100 and (
                dtype.code in _PERIOD_TYPES or not re.match(
                    rf"{_WS}{{0,4}}(?:cua|ngay)(?![a-z])", folded[short.end():short.end() + 12])):
            continue                     # "Kế hoạch 2023": a year, not a number
        drafts.append(_Draft(start=lead_start, core_end=short.end(), kind="short", dtype=dtype,
                             short_number=num,
                             short_year=int(short.group("year")) if short.group("year") else None))

    drafts.extend(_find_title_only(text, folded, drafts))
    drafts.sort(key=lambda d: (d.start, -d.core_end))
    # drop anything overlapping an earlier reference's core
    out: list[_Draft] = []
    last_end = -1
    for d in drafts:
        if d.start < last_end:
            continue
        out.append(d)
        last_end = d.core_end
    return out


def _law_starts(folded: str) -> list[int]:
    """Every offset where ``_LAW`` (``(?:bo\\s{1,4})?luat\\s{1,4}…``) can match: each ``luat``
    (a substring search, far cheaper than a scan for the openings ``bo``/``luat``) and a
    ``bo`` three to six characters before it (``bo`` and one to four spaces)."""
    out: set[int] = set()
    p = folded.find("luat")
    while p >= 0:
        out.add(p)
        out.update(q for q in range(max(0, p - 6), p - 2) if folded.startswith("bo", q))
        p = folded.find("luat", p + 1)
    return sorted(out)


def _find_title_only(text: str, folded: str, drafts: list[_Draft]) -> list[_Draft]:
    t = tables()
    out: list[_Draft] = []
    by_symbol_start = {d.symbol.start: d for d in drafts if d.symbol is not None}

    for m in _CONGRESS.finditer(folded):
        out.append(_Draft(start=m.start(), core_end=m.end(), kind="title",
                          dtype=t.types_by_code["nq"], title_only=_collapse(text[m.start():m.end()])))

    for m in _LAW.finditer_at(folded, _law_starts(folded)):
        if not _is_upper_initial(text, m.end()):
            continue                     # "luật pháp", "theo luật định"
        pos, words, end = m.end(), 0, m.end()
        while words < 10:
            w = _LAW_WORD.match(folded, pos)
            if w is None or w.group("w") in _LAW_STOP:
                break
            if w.group("comma") and (words == 0 or text[w.start("w")].isupper()):
                break                    # "Luật A, Luật B": a list; "Quản lý, sử dụng …": one title
            words += 1
            end = pos = w.end()
        if words < 2:
            continue
        name = _collapse(text[m.start():end])
        # "Luật … số 77/2015/QH13": the law's number; it becomes the leading phrase
        so = re.match(rf"{_SP}so{_SP}", folded[end:end + 12])
        if so is not None and (end + so.end()) in by_symbol_start:
            d = by_symbol_start[end + so.end()]
            d.start, d.dtype, d.title_only = m.start(), t.types_by_code["luat"], name
            continue
        out.append(_Draft(start=m.start(), core_end=end, kind="title",
                          dtype=t.types_by_code["luat"], title_only=name))

    for m in _STRATEGY.finditer(folded):
        if not _is_upper_initial(text, m.start()):
            continue
        if _SUBJECT_BEFORE.search(folded[max(0, m.start() - 8):m.start()]):
            continue                     # "về “Chiến lược …”": the subject of the cited doc
        window = folded[m.end():m.end() + 160]
        e = _STRATEGY_END.search(window)
        if e is None or _STRATEGY_BAD.search(window[:e.start()]):
            continue
        end = m.end() + e.end()
        out.append(_Draft(start=m.start(), core_end=end, kind="title",
                          dtype=t.types_by_code["cl"], title_only=_collapse(text[m.start():end])))
    return out


def _attach_tail(d: _Draft, text: str, folded: str, ctx: CitationContext | None) -> None:
    """Date, issuer and title start adjacent to the reference (in this order)."""
    pos = d.core_end
    lead = _DATE_LEAD.match(folded, pos)
    date = match_date_at(folded, lead.end()) if lead else None
    if date is not None:
        d.date = date.iso
        pos = date.end
    elif d.kind == "title" and d.dtype is not None and d.dtype.code == "luat":
        y = re.match(rf"{_SP}nam{_SP}((?:19|20)\d\d)(?!\d)", folded[pos:pos + 16])
        if y:
            d.short_year = int(y.group(1))
            pos += y.end()
    m = _issuer_re().match(folded, pos)
    if m is not None:
        prov = m.group("prov")
        name_end = m.end("prov") if prov else m.end("phrase")
        d.issuer_name = _collapse(text[m.start("phrase"):name_end])
        # the phrase's match key, read off the document's fold (``match_key`` of the NFC
        # phrase: fold is 1:1 and keeps whitespace whitespace)
        iss = tables().issuer_phrases.get(" ".join(m.group("phrase").split()))
        if iss is not None:
            d.issuer_code = iss.code
            if iss.provincial and prov:
                d.province = tables().provinces.get(" ".join(prov.split()))
        pos = m.end()
    d.end = pos
    # trailing spaces/commas never belong to the surface
    while d.end > d.start and text[d.end - 1] in " \t\r\n,":
        d.end -= 1
    tl = _TITLE_LEAD.match(folded, pos)
    if tl is not None:
        d.title_start = tl.end()
    d.extent_end = d.end


def _title_bounds(drafts: list[_Draft], text: str, folded: str) -> None:
    """Titles run to a clause boundary; a later reference inside that range is a sibling when
    a list separator precedes it (the title stops there) and nested otherwise."""
    for i, d in enumerate(drafts):
        if d.title_start is None:
            continue
        limit = min(len(text), d.title_start + _MAX_TITLE)
        bound = _title_stop(text, d.title_start, limit)
        for j in range(i + 1, len(drafts)):
            other = drafts[j]
            if other.start >= bound:
                break
            if other.start < d.title_start:
                continue
            gap = folded[d.title_start:other.start]
            sep = _SIBLING_GAP.search(gap)
            if sep is not None:
                bound = d.title_start + sep.start()
                break
            other.nested = True
        end = bound
        while end > d.title_start and text[end - 1] in " \t\r\n,":
            end -= 1
        d.extent_end = max(d.end, end)


#: :data:`_BOUNDARY` as three patterns, one per opening character (its branches open with
#: ``.``, ``:`` or a line break; the two of the line break keep their order): the engine finds
#: each by a fast search for its literal first character, where the single alternation makes it
#: test the whole pattern at every position
_BOUNDARY_DOT = re.compile(r"\.(?:/\.)?(?=\s|$)")
_BOUNDARY_COLON = re.compile(r":(?=[ \t]*\r?\n)")
_BOUNDARY_BREAK = re.compile(
    r"\n(?:[ \t]*\n|(?=[ \t]*(?:[a-zđ]\)|[-+•*]|\d{1,2}(?:\.\d{1,2})*\.|[IVXLC]{1,6}\.)[ \t]))")


def _last_boundary(text: str, floor: int, pos: int) -> re.Match[str] | None:
    """The last match of ``_BOUNDARY.finditer(text, floor, pos)``: the same walk (from each
    match's end, the leftmost next match), its next match the first of the three patterns'
    next matches (no two open at one position)."""
    dot, colon, brk = _BOUNDARY_DOT.search, _BOUNDARY_COLON.search, _BOUNDARY_BREAK.search
    a, b, c = dot(text, floor, pos), colon(text, floor, pos), brk(text, floor, pos)
    last: re.Match[str] | None = None
    cursor = floor
    while True:
        if a is not None and a.start() < cursor:
            a = dot(text, cursor, pos)
        if b is not None and b.start() < cursor:
            b = colon(text, cursor, pos)
        if c is not None and c.start() < cursor:
            c = brk(text, cursor, pos)
        best = a
        if b is not None and (best is None or b.start() < best.start()):
            best = b
        if c is not None and (best is None or c.start() < best.start()):
            best = c
        if best is None:
            return last
        last = best
        cursor = best.end()


def _clause_start(text: str, pos: int) -> tuple[int, bool]:
    """Start of the clause holding ``pos``; and whether it is a list item under a ``:`` header."""
    floor = max(0, pos - _MAX_LOOKBACK)
    last = _last_boundary(text, floor, pos)
    if last is None:
        return floor, False
    start = last.end()
    header = last.group(0).startswith("\n") and text[floor:last.start()].rstrip().endswith(":")
    return start, header


def _keyword_relation(folded_lead: str) -> CitationRelation | None:
    """The relation the last verb of ``folded_lead`` announces, if any."""
    found = deque(_KEYWORDS.finditer(folded_lead), maxlen=1)     # the last, taken in C
    if not found:
        return None
    words = found[0].group().split()
    if words[0] in ("xet", "kem") or (words[0] == "theo" and words[1] == "de"):
        return CitationRelation.MENTIONS
    return CitationRelation.BASIS if words[0] == "can" else CitationRelation.IMPLEMENTS


def _relations(drafts: list[_Draft], text: str, folded: str) -> None:
    prev: _Draft | None = None
    for d in drafts:
        if d.nested:
            d.relation = CitationRelation.MENTIONS
            continue
        clause_start, under_header = _clause_start(text, d.start)
        rel = None
        if prev is not None and prev.extent_end <= d.start and d.start - prev.extent_end < 200:
            gap = folded[prev.extent_end:d.start]
            if _SEPARATORS_ONLY.match(gap):
                rel = prev.relation
        if rel is None:
            window_start = clause_start
            if prev is not None and prev.extent_end > clause_start:
                window_start = min(prev.extent_end, d.start)
            rel = _keyword_relation(folded[window_start:d.start])
            if rel is None and prev is not None and prev.extent_end >= clause_start:
                rel = prev.relation      # same sentence, no new verb: the list goes on
        if rel is None and under_header:
            header_end = clause_start - 1
            while header_end > 0 and text[header_end - 1] in " \t\r\n":
                header_end -= 1
            h_start, _ = _clause_start(text, max(0, header_end - 1))
            rel = _keyword_relation(folded[h_start:header_end])
        d.relation = rel or CitationRelation.MENTIONS
        prev = d


@lru_cache(maxsize=4096)
def _title_key(title_only: str, ctx_province: str | None) -> str:
    """The title key of a title-only reference (pure; the same titles recur: remembered).
    Only a provincial congress resolution takes the citing document's province."""
    key_province = ctx_province if congress_title_key(title_only) else None
    return title_id(title_only, key_province)[len("doc:title:"):]


def _finish(d: _Draft, text: str, ctx: CitationContext | None) -> FoundCitation:
    t = tables()
    title = _collapse(text[d.title_start:d.extent_end]) if (
        d.title_start is not None and d.extent_end > d.title_start) else None
    ctx_province = ctx.province if ctx else None
    if d.kind == "title":
        assert d.title_only is not None
        key = DocumentKey(title_key=_title_key(d.title_only, ctx_province))
        year = int(d.date[:4]) if d.date else d.short_year
        dtype = d.dtype
        return FoundCitation(
            start=d.start, end=d.end, surface=text[d.start:d.end], key=key, number=None,
            type=dtype.name if dtype else None, type_code=dtype.code if dtype else None,
            date=d.date, year=year, issuer=d.issuer_name, issuer_code=d.issuer_code,
            province=d.province, title=d.title_only if title is None else f"{d.title_only} {title}",
            relation=d.relation, extent_end=d.extent_end, kind="title", nested=d.nested)

    sym = d.symbol
    number: str | None
    digits: str | None
    issuer_slug: str | None
    type_code: str | None
    issuer_code: str | None
    if sym is not None:
        if sym.type is not None:
            type_code = sym.type.code
        elif sym.issuer_head.startswith(("QH", "UBTVQH")):
            type_code = d.dtype.code if d.dtype is not None else "vb"
        else:
            type_code = "cv"
        dtype = d.dtype if d.dtype is not None else (
            sym.type if sym.type is not None else t.types_by_code.get(type_code))
        issuer_code = sym.issuer
        head = t.issuer(sym.issuer_head)
        year = sym.year if sym.year is not None else (int(d.date[:4]) if d.date else None)
        number, digits, issuer_slug = sym.number, sym.digits, sym.issuer_slug
        provincial = head is not None and head.provincial
    else:
        dtype = d.dtype
        type_code = dtype.code if dtype else None
        issuer_code = d.issuer_code
        head = t.issuer(issuer_code) if issuer_code else None
        year = d.short_year if d.short_year is not None else (int(d.date[:4]) if d.date else None)
        number, digits = None, d.short_number
        issuer_slug = slug(issuer_code) if issuer_code else None
        provincial = head is not None and head.provincial
    province = d.province
    if provincial and province is None:
        province = ctx_province
    if not provincial:
        province = None
    issuer_name = d.issuer_name
    if issuer_name is None and head is not None and sym is not None and head.code != "TW":
        issuer_name = head.name
    key = DocumentKey(type_code=type_code, number=normalise_number(digits) if digits else None,
                      issuer=issuer_slug, province=slug(province) if province else None,
                      year=year)
    return FoundCitation(
        start=d.start, end=d.end, surface=text[d.start:d.end], key=key, number=number,
        type=dtype.name if dtype else None, type_code=type_code, date=d.date, year=year,
        issuer=issuer_name, issuer_code=issuer_code, province=province,
        title=d.title_only if d.title_only and title is None else (
            f"{d.title_only} {title}" if d.title_only else title),
        relation=d.relation, extent_end=d.extent_end, kind=d.kind, nested=d.nested)


def find_citations(text: str, context: CitationContext | None = None) -> list[FoundCitation]:
    """Every reference in ``text`` (NFC; spans index ``nfc(text)``), in text order.

    Not resolved: short forms keep what they state (see ``resolve.resolve_in_document``).
    """
    return find_in_nfc(nfc(text), context)


def find_in_nfc(text: str, context: CitationContext | None = None) -> list[FoundCitation]:
    """:func:`find_citations` of a text already in NFC (``nfc(text) == text``: the caller
    normalised it, and a second check of a whole document is not free)."""
    folded = fold(text)
    drafts = _find_cores(text, folded)
    for d in drafts:
        _attach_tail(d, text, folded, context)
    _title_bounds(drafts, text, folded)
    _relations(drafts, text, folded)
    out = [_finish(d, text, context) for d in drafts]
    # the small folds above may have taken fold's one-slot memo: give it back the document's
    # fold, which the pipeline's match view asks for next
    fold_known(text, folded)
    return out


def with_relation(c: FoundCitation, relation: CitationRelation) -> FoundCitation:
    return replace(c, relation=relation)

"""Header metadata: number, type, date, issuer, province, signer, title, recipients.

Fields the text does not state stay ``None`` and are named in ``missing``; partial facts (a
draft's ``ngày tháng 12 năm 2022``) go to ``warnings``, never into a field. A news article
*about* a plan (``UBND tỉnh X đã ban hành Kế hoạch số …``) yields the plan's metadata from its
prose, with a warning that the text is a report. Pure functions; the data tables are
``ingest/data/header.json`` (issuing bodies, signature words), the document types of
``ingest/data/doc_types.json`` (shared with citations) and the province table
(``ingest/provinces.py``).
"""
from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..ontology.records import DocumentMeta
from .citations.dates import to_iso
from .citations.tables import tables as citation_tables
from .provinces import Province, province_keys
from .sections import Outline, parse_outline
from .text import fold, match_key, nfc

__all__ = ["Header", "find_province", "parse_header", "source_id", "to_meta"]

_DATA = Path(__file__).with_name("data")
_FIELDS = ("number", "type", "date", "issuer", "province", "signer", "signer_capacity",
           "title", "recipients")


@dataclass(frozen=True, slots=True)
class Header:
    number: str | None = None
    type: str | None = None
    date: str | None = None
    issuer: str | None = None
    province: str | None = None
    signer: str | None = None
    signer_capacity: str | None = None
    title: str | None = None
    recipients: tuple[str, ...] = ()
    year: int | None = None            # from the date, or a partial date (for ids/citations)
    is_report: bool = False            # the text reports on the document (news article)
    warnings: tuple[str, ...] = ()

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(f for f in _FIELDS if not getattr(self, f))


def to_meta(header: Header, doc_id: str) -> DocumentMeta:
    return DocumentMeta(
        id=doc_id, number=header.number, type=header.type, date=header.date,
        issuer=header.issuer, province=header.province, signer=header.signer,
        signer_capacity=header.signer_capacity, title=header.title,
        recipients=header.recipients, missing=header.missing,
    )


def source_id(sha256: str) -> str:
    """The id of a document without a number: ``doc:src-<first 12 hex of its sha256>``."""
    return f"doc:src-{sha256[:12]}"


# -- data -------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _tables() -> dict:
    data = json.loads((_DATA / "header.json").read_text(encoding="utf-8"))
    names = province_keys(place=True)
    keys = sorted(names, key=len, reverse=True)
    alt = "|".join(re.escape(k).replace(r"\ ", r"\s+").replace(r"\-", r"\s*-\s*") for k in keys)
    # one name per document type (its first), as a header line writes it: "KẾ HOẠCH"
    bodies = sorted(data["issuer_bodies"], key=lambda b: len(b["upper"]), reverse=True)
    type_by_key: dict[str, str] = {}
    for t in citation_tables().types:
        type_by_key.setdefault(match_key(t.name), t.name)
    return {
        "provinces": names,
        "province_re": re.compile(rf"(?<![a-z])(?:(tinh|thanh\s+pho|tp\.?)\s+)?({alt})(?![a-z])"),
        "province_unit_re": re.compile(rf"(?<![a-z])(tinh|thanh\s+pho|tp\.?)\s+({alt})(?![a-z])"),
        "types": type_by_key,
        "type_re": re.compile(r"(?<![a-z])(" + "|".join(
            re.escape(k).replace(r"\ ", r"\s+") for k in sorted(type_by_key, key=len, reverse=True)
        ) + r")(?![a-z])"),
        "bodies": bodies,
        # each body with the match keys of its upper-case name and short forms, in that order
        "body_keys": [(b, tuple(match_key(k) for k in (b["upper"], *b["short"]))) for b in bodies],
        "capacity": [fold(w) for w in data["signature_capacity_words"]],
    }


def _province(key: str) -> Province | None:
    return _tables()["provinces"].get(" ".join(key.replace("-", " - ").split()))


def find_province(text: str, *, need_unit: bool = True) -> tuple[str, int, int] | None:
    """First province named in ``text`` (``tỉnh X``/``thành phố X``; with ``need_unit=False``
    a bare name also counts): ``(canonical name, start, end)``."""
    folded = fold(text)
    regex = _tables()["province_unit_re" if need_unit else "province_re"]
    for m in regex.finditer(folded):
        p = _province(" ".join(m.group(2).split()))
        if p is not None:
            if not need_unit or m.group(1) is None or _unit_ok(m.group(1), p):
                return p.name, m.start(2), m.end(2)
    return None


def _unit_ok(unit: str, province: Province) -> bool:
    unit = " ".join(unit.split())
    is_city = unit.startswith(("thanh", "tp"))
    return is_city == province.is_city


# -- small parsers ----------------------------------------------------------------------
class LineStartRegex:
    """``(?m)^body`` searched fast. A multi-line ``^`` opening a regex is tried at every
    position; ``\nbody`` opens with a literal the engine skips to in C. :meth:`search` gives
    the match ``exact.search`` gives (the same groups) and where it starts: the match of
    ``exact`` at ``pos`` itself, else the first ``\nbody`` match after it, one character
    later."""

    def __init__(self, body: str, flags: int = 0):
        self.exact = re.compile("(?m)^" + body, flags)
        self._after_newline = re.compile("\n" + body, flags | re.MULTILINE)

    def search(self, string: str, pos: int = 0,
               endpos: int | None = None) -> tuple[re.Match[str] | None, int]:
        endpos = len(string) if endpos is None else endpos
        m = self.exact.match(string, pos, endpos)
        if m is not None:
            return m, m.start()
        m = self._after_newline.search(string, pos, endpos)
        return (m, m.start() + 1) if m is not None else (None, -1)


_NUMBER_RE = LineStartRegex(r"[ \t\u00a0|]*so\s*:?[ \t\u00a0]*([0-9][0-9A-Za-zĐđ./\-]*[0-9A-Za-zĐđ]|[0-9]+)?"
                            r"[ \t\u00a0]*(/[A-Za-zĐđ][A-Za-zĐđ0-9\-/]*)?", re.IGNORECASE)
_RECIPIENTS_RE = LineStartRegex(r"[ \t]*noi nhan\s*:?")
#: ``(?<![a-z])so\s*:`` opening with its literal ``s`` (the same matches, found by a fast skip)
_SO_RE = re.compile(r"s(?<![a-z]s)o\s*:")
_RULE_RE = re.compile(r"[-_=*.]{3,}")
_RULE_FIRST = frozenset("-_=*.")
_DATE_RE = re.compile(
    r"ngay[ \t\u00a0]*(\d{1,2})?[ \t\u00a0]*(?:thang|/)[ \t\u00a0]*(\d{1,2})?[ \t\u00a0]*"
    r"(?:nam|/)[ \t\u00a0]*(\d{4})")


def _iso(day: str | None, month: str | None, year: str | None) -> tuple[str | None, str | None]:
    """``(iso date, partial)``: a full valid date, or a ``YYYY-MM``/``YYYY`` partial."""
    if not year:
        return None, None
    y = int(year)
    if day and month:
        iso = to_iso(int(day), int(month), y)
        return (iso, None) if iso else (None, f"{y:04d}")
    if month and 1 <= int(month) <= 12:
        return None, f"{y:04d}-{int(month):02d}"
    return None, f"{y:04d}"


def _symbol_type(symbol: str | None) -> str | None:
    if not symbol:
        return None
    code = symbol.lstrip("/").split("-")[0].split("/")[0]
    dtype = citation_tables().doc_type(code, "state") if code else None
    return dtype.name if dtype is not None else None


def _upper(s: str) -> bool:
    """Has letters and all of them are capitals."""
    return s == s.upper() and s != s.lower()


def _proper_case_issuer(upper_text: str, province: str | None) -> str:
    """``ỦY BAN NHÂN DÂN TỈNH KIÊN GIANG`` -> ``Ủy ban nhân dân tỉnh Kiên Giang``."""
    key = match_key(upper_text)
    for body, keys in _tables()["body_keys"]:
        bkey = next((k for k in keys if key.startswith(k + " ") or key == k), None)
        if bkey is not None:
            rest = key[len(bkey):].strip()
            found = find_province(rest) if rest else None
            if found:
                p = _province(match_key(found[0]))
                return f"{body['name']} {p.prefix if p else 'tỉnh'} {found[0]}"
            if not rest:
                return body["name"]
            break
    words = upper_text.split()
    out = [w.capitalize() if i == 0 else w.lower() for i, w in enumerate(words)]
    return " ".join(out)


def _lines(text: str, start: int, end: int) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    pos = start
    for raw in text[start:end].split("\n"):
        s = raw.strip()
        # (a rule line opens with one of its characters: the regex only then)
        if s and s != "|" and not (s[0] in _RULE_FIRST and _RULE_RE.fullmatch(s)):
            out.append((pos + raw.find(s), s))
        pos += len(raw) + 1
    return out


_MOTTO_RE = re.compile(r"cong\s*hoa\s+xa\s+hoi\s+chu\s+nghia\s+viet\s+nam|dang\s+cong\s+san\s+viet\s+nam"
                       r"|doc\s+lap\s*-\s*tu\s+do\s*-\s*hanh\s+phuc")


def _issuer_block(text: str, folded: str, end: int) -> str | None:
    """The upper-case lines at the top, before the national motto or the number line."""
    stop = end
    m = _MOTTO_RE.search(folded, 0, end)
    if m:
        stop = m.start()
    n = _SO_RE.search(folded, 0, stop)
    if n:
        stop = n.start()
    parts: list[str] = []
    for _, s in _lines(text, 0, stop):
        if not _upper(s):
            if parts:
                break
            continue
        if match_key(s) in _tables()["types"]:
            break
        parts.append(s)
    joined = " ".join(" ".join(parts).split())
    return joined or None


def _type_and_title(text: str, start: int, end: int) -> tuple[str | None, str | None, int]:
    lines = _lines(text, start, end)
    types = _tables()["types"]
    for i, (off, s) in enumerate(lines):
        key = match_key(s).rstrip(":")
        name = types.get(key)
        rest_title: list[str] = []
        if name is None and _upper(s):
            m = _tables()["type_re"].match(key)
            if m and m.end() < len(key) and m.start() == 0 and not key.startswith("so"):
                name = types[" ".join(m.group(1).split())]
                rest_title.append(s[len(s) - len(key) + m.end():].strip() if len(s) == len(key)
                                  else s.split(None, len(m.group(1).split()))[-1])
        if name is None:
            continue
        if s.rstrip().endswith(":"):  # "QUYẾT ĐỊNH:" before the articles is no title
            continue
        title_lines = rest_title
        upper = None
        last_end = off + len(s)
        for off2, s2 in lines[i + 1:]:
            if upper is None:
                upper = _upper(s2)
            if upper and not _upper(s2):
                break
            key2 = fold(s2)                          # (folded once for both tests)
            if not upper and (_upper(s2) or _PREAMBLE_START_RE.match(key2)):
                break
            if _SECTION_START_RE.match(key2) or s2.startswith("("):
                break
            title_lines.append(s2)
            last_end = off2 + len(s2)
            if not upper and s2.endswith((".", ":", ";")):
                break
            if not upper and len(title_lines) >= 3:
                break
        title = " ".join(" ".join(title_lines).split()) or None
        return name, title, last_end
    return None, None, start


_CAP_START = ("tm.", "kt.", "tl.", "tuq.", "q.", "t/m", "k/t")
#: (compiled once: each ``re.match(pattern, …)`` call looks its pattern up in the cache)
_PREAMBLE_START_RE = re.compile(r"(can cu|thuc hien|trien khai|de |xet |nham |theo )")
_SECTION_START_RE = re.compile(r"[IVX]+\.\s|\d+\.\s|dieu\s+\d")
_SEMICOLON_PAREN_RE = re.compile(r"\s*;\s*(?=\()")
_COMMA_END_RE = re.compile(r",\s*$")
_PLACE_SPLIT_RE = re.compile(r"[|\n]{2,}|\|")
_NUMBER_YEAR_RE = re.compile(r"/((?:19|20)\d\d)/")


def _is_capacity(s: str) -> bool:
    return _capacity_key(s) is not None


def _capacity_key(s: str) -> str | None:
    """``fold(s)`` when ``s`` is a signature capacity line (:func:`_is_capacity`), else None."""
    if len(s) > 60 or not _upper(s):           # (the cheap test first)
        return None
    key = fold(s)
    return key if _is_capacity_key(key) else None


def _is_capacity_key(key: str) -> bool:
    return key.startswith(_CAP_START) or any(key == w or key.startswith(w + " ")
                                             for w in _tables()["capacity"])


#: what the first capacity line of a signature opens with (folded)
_SIGNATURE_START = _CAP_START + ("chu tich", "pho chu tich", "giam doc", "bi thu")


_NAME_RE = re.compile(r"[A-ZĐÀ-Ỹ][a-zà-ỹđ]+(?: [A-ZĐÀ-Ỹ][a-zà-ỹđ]+){1,4}")


def _is_name(s: str) -> bool:
    return bool(_NAME_RE.fullmatch(nfc(s))) and not find_province(s, need_unit=False)


#: a line whose fold, once stripped, opens as a signature's first capacity line does
#: (``_SIGNATURE_START``): at ``start`` (``match``), or after a newline (``search``)
_SIGNATURE_OPENING = "[^\\S\\n]*(?:" + "|".join(re.escape(w) for w in _SIGNATURE_START) + ")"
_SIGNATURE_HERE_RE = re.compile(_SIGNATURE_OPENING)
_SIGNATURE_LINE_RE = re.compile("\n" + _SIGNATURE_OPENING)


def _signature(text: str, start: int, folded: str | None = None) -> tuple[str | None, str | None, int]:
    """The signature block from ``start`` on: ``(capacity, signer, offset)``.

    ``folded`` (``fold(text)``, the same length: a 1:1 fold) lets a scan skip to the first line
    that can open one (a line before it opens no signature, and the block only reads on)."""
    if folded is not None and len(folded) == len(text) and start < len(text) \
            and _SIGNATURE_HERE_RE.match(folded, start) is None:
        m = _SIGNATURE_LINE_RE.search(folded, start)
        if m is None:
            return None, None, -1
        start = m.start() + 1
    lines = _lines(text, start, len(text))
    for i, (off, s) in enumerate(lines):
        key = _capacity_key(s)
        if key is None or not key.startswith(_SIGNATURE_START):
            continue
        caps: list[str] = [s]
        j = i + 1
        while j < len(lines) and _upper(lines[j][1]) and len(lines[j][1]) <= 60:
            nxt = lines[j][1]
            # (an upper-case line of at most 60 characters: a capacity line by its fold alone)
            if _is_capacity_key(fold(nxt)):
                caps.append(nxt)
            else:
                caps[-1] = f"{caps[-1]} {nxt}"
            j += 1
        if j < len(lines) and _is_name(lines[j][1]):
            return " / ".join(caps), lines[j][1], lines[j][0]
        if i + 1 < len(lines) and not _upper(lines[i + 1][1]):
            continue
        return " / ".join(caps), None, off
    return None, None, -1


def _line_texts(text: str, start: int) -> Iterator[str]:
    """The texts of ``_lines(text, start, len(text))``, one line at a time: a caller that
    stops early splits no further (the recipients list is a few lines long; the text after
    it can be the rest of a long document)."""
    n = len(text)
    pos = start
    while pos <= n:
        nl = text.find("\n", pos)
        if nl < 0:
            nl = n
        s = text[pos:nl].strip()
        if s and s != "|" and not (s[0] in _RULE_FIRST and _RULE_RE.fullmatch(s)):
            yield s
        pos = nl + 1


def _recipients(text: str, folded: str, start: int) -> tuple[str, ...]:
    m, _ = _RECIPIENTS_RE.search(folded, start)
    if not m:
        return ()
    out: list[str] = []
    for s in _line_texts(text, m.end()):
        if not s.startswith(("-", "–", "+", "•")):
            if out:
                break
            continue
        item = s.lstrip("-–+• \t").strip()
        if ";" in item:                              # (what the pattern needs)
            item = _SEMICOLON_PAREN_RE.sub(" ", item)
        item = item.rstrip(" ;.,")
        if not item or fold(item).startswith("luu"):
            continue
        out.append(" ".join(item.split()))
    return tuple(out)


_REPORT_RE = re.compile(
    r"(?P<issuer>(?:ubnd|uy ban nhan dan|hdnd|hoi dong nhan dan|tinh uy)\s+(?:tinh|thanh pho)\s+"
    r"[a-z]+(?:\s+[a-z]+){0,3}?)\s+(?:da|vua|moi)\s+(?:ban hanh|trien khai|xay dung)\s+"
    r"(?P<type>ke hoach|quyet dinh|chi thi|nghi quyet|chuong trinh|de an|thong bao|huong dan)"
    r"\s+so\s+(?P<number>\d[\w./\-]*[\w])"
    r"(?:\s+ngay\s+(?P<date>\d{1,2}\s*(?:thang|/)\s*\d{1,2}\s*(?:nam|/)\s*\d{4}))?"
    r"(?P<title>\s+ve\s+[^.;]*?)?(?=\s+nham\s|\s+de\s|[.;:]|$)")
#: what every match of :data:`_REPORT_RE` holds (its ``so`` and the number's first digit)
_REPORT_NUMBER_RE = re.compile(r"so\s+\d")
_PREAMBLE_ISSUER_RE = re.compile(
    r"(?P<issuer>(?:uy ban nhan dan|ubnd)\s+(?:tinh|thanh pho)\s+[a-z]+(?:\s+[a-z]+){0,3}?)\s+"
    r"(?:ban hanh|xay dung|trien khai)\s+(?:ke hoach|chuong trinh|de an)")


def _from_abbrev(issuer_folded_span: str) -> str:
    found = find_province(issuer_folded_span)
    body = "Ủy ban nhân dân"
    key = match_key(issuer_folded_span)
    if key.startswith(("hdnd", "hoi dong")):
        body = "Hội đồng nhân dân"
    elif key.startswith("tinh uy"):
        body = "Tỉnh ủy"
    if found:
        p = _province(match_key(found[0]))
        return f"{body} {p.prefix if p else 'tỉnh'} {found[0]}"
    return body


def parse_header(text: str, outline: Outline | None = None) -> Header:
    """Header metadata of ``text`` (pure; never raises)."""
    outline = outline or parse_outline(text)
    folded = outline.folded if len(outline.folded) == len(text) else fold(text)
    head_end = outline.body_start if outline.flat else min(len(text), 3000)
    if head_end <= 0:
        head_end = min(len(text), 3000)
    warnings: list[str] = []

    number = symbol = None
    m, m_start = _NUMBER_RE.search(folded, 0, head_end)  # on folded text: "Số:" and "So:" alike
    if m and m_start < 1500:
        number = text[m.start(1):m.end(1)] if m.group(1) else None
        symbol = text[m.start(2):m.end(2)] if m.group(2) else None
        if number and symbol:
            number = number + symbol
        elif number and "/" not in number:
            number = None
        if number is None and symbol:
            warnings.append(f"document number left blank ('Số: {symbol}'): a draft?")
        if number:
            number = "".join(number.split())

    date = partial = None
    place = None
    dm = None
    for cand in _DATE_RE.finditer(folded, 0, head_end):
        before = folded[max(0, cand.start() - 60):cand.start()]
        if _COMMA_END_RE.search(before):
            dm = cand
            break
    if dm:
        date, partial = _iso(dm.group(1), dm.group(2), dm.group(3))
        seg_start = max(0, dm.start() - 60)
        seg = text[seg_start:dm.start()]
        seg = seg[: seg.rfind(",")]
        pieces = [p for p in _PLACE_SPLIT_RE.split(seg) if p.strip()]
        place = " ".join(pieces[-1].split()) if pieces else None
        if partial:
            warnings.append(f"date incomplete in the header (only {partial}); date left empty")

    doc_type, title, title_end = _type_and_title(text, 0, head_end)
    if doc_type is None:
        doc_type = _symbol_type(symbol)

    issuer_upper = _issuer_block(text, folded, head_end)
    province = None
    for source in (issuer_upper, place):
        if source and province is None:
            found = find_province(source) or (find_province(source, need_unit=False)
                                              if source is place else None)
            if found:
                province = found[0]
    issuer = _proper_case_issuer(issuer_upper, province) if issuer_upper else None

    is_report = False
    if number is None and issuer is None:
        limit = min(len(text), 4000)
        # (every match holds ``so <digit>``: a search for that literal first, fast)
        rm = _REPORT_RE.search(folded, 0, limit) if _REPORT_NUMBER_RE.search(folded, 0, limit) else None
        if rm:
            is_report = True
            number = "".join(text[rm.start("number"):rm.end("number")].split())
            doc_type = _tables()["types"][" ".join(rm.group("type").split())]
            issuer = _from_abbrev(rm.group("issuer"))
            found = find_province(rm.group("issuer"))
            province = province or (found[0] if found else None)
            if rm.group("date"):
                parts = re.findall(r"\d+", rm.group("date"))
                date, partial = _iso(parts[0], parts[1], parts[2])
            if rm.group("title"):
                title = " ".join(text[rm.start("title"):rm.end("title")].split())
            warnings.append(
                f"the text is a report about {doc_type} số {number} (e.g. a news article), not the "
                "document itself: metadata taken from its prose")

    if province is None and title:
        found = find_province(title)
        province = found[0] if found else None
    if issuer is None and not is_report:
        pm = _PREAMBLE_ISSUER_RE.search(folded, 0, head_end)
        if pm:
            issuer = _from_abbrev(pm.group("issuer"))
            found = find_province(pm.group("issuer"))
            province = province or (found[0] if found else None)
            warnings.append("issuer taken from the preamble ('… ban hành Kế hoạch')")
    if province is None:
        found = find_province(text[:head_end])
        province = found[0] if found else None

    sig_from = outline.body_end if outline.flat else head_end
    capacity, signer, _ = _signature(text, min(sig_from, len(text)), folded)
    if capacity is None and outline.flat:
        capacity, signer, _ = _signature(text, outline.body_start, folded)
    if issuer is None and capacity:
        cap_key = fold(capacity)
        body = next((b for b in _tables()["bodies"]
                     if fold(b["upper"]) in cap_key and not fold(b["upper"]).startswith("chu tich")),
                    None)
        if body is not None:
            p = _province(match_key(province)) if province else None
            issuer = f"{body['name']} {p.prefix} {province}" if p else body["name"]
            warnings.append("issuer taken from the signature block "
                            f"({capacity.split(' / ')[0]}) and the province")
    recipients = _recipients(text, folded, outline.body_start if outline.flat else 0)

    year = None
    if date:
        year = int(date[:4])
    elif partial:
        year = int(partial[:4])
    elif number:
        ym = _NUMBER_YEAR_RE.search(number)
        year = int(ym.group(1)) if ym else None
    return Header(
        number=number or None, type=doc_type, date=date, issuer=issuer, province=province,
        signer=signer, signer_capacity=capacity, title=title or None, recipients=recipients,
        year=year, is_report=is_report, warnings=tuple(warnings),
    )


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()

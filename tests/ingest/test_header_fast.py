"""The header parser's shortcuts (a rule line tested by its first character before the regex,
the recipients' ``;`` clean-up only on items holding one, the issuing bodies' keys computed
once, the recipients' lines split lazily, the signature scan skipping to its first candidate
line by the fold, the report regex gated by a literal search) give what the code before them
gave: that code is written out here as the oracle."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from vbgraph.ingest import header as H
from vbgraph.ingest.text import fold, match_key

PIECES = ["\n", "\n\n", " ", "\t", "\u00a0", "|", "---", "___", "==", "...", "***", "-*-", "..-",
          "- ", "– ", "+ ", "• ", "Sở Ngoại vụ", "UBND tỉnh", ";", " ; ", "(để b/c)", "Lưu: VT",
          "Nơi nhận:", "noi nhan", "x", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "a.b"]


@st.composite
def texts(draw) -> str:
    return "".join(draw(st.lists(st.sampled_from(PIECES), max_size=40)))


def lines_reference(text: str, start: int, end: int) -> list[tuple[int, str]]:
    out = []
    pos = start
    for raw in text[start:end].split("\n"):
        s = raw.strip()
        if s and s != "|" and not re.fullmatch(r"[-_=*.]{3,}", s):
            out.append((pos + raw.find(s), s))
        pos += len(raw) + 1
    return out


def recipients_reference(text: str, folded: str, start: int) -> tuple[str, ...]:
    m = re.compile(r"(?m)^[ \t]*noi nhan\s*:?").search(folded, start)
    if not m:
        return ()
    out: list[str] = []
    for _, s in lines_reference(text, m.end(), len(text)):
        if not s.startswith(("-", "–", "+", "•")):
            if out:
                break
            continue
        item = s.lstrip("-–+• \t").strip()
        item = re.sub(r"\s*;\s*(?=\()", " ", item).rstrip(" ;.,")
        if not item or fold(item).startswith("luu"):
            continue
        out.append(" ".join(item.split()))
    return tuple(out)


def proper_case_issuer_reference(upper_text: str, province: str | None) -> str:
    key = match_key(upper_text)
    for body in H._tables()["bodies"]:
        bkey = next((k for k in map(match_key, (body["upper"], *body["short"]))
                     if key.startswith(k + " ") or key == k), None)
        if bkey is not None:
            rest = key[len(bkey):].strip()
            found = H.find_province(rest) if rest else None
            if found:
                p = H._province(match_key(found[0]))
                return f"{body['name']} {p.prefix if p else 'tỉnh'} {found[0]}"
            if not rest:
                return body["name"]
            break
    words = upper_text.split()
    return " ".join(w.capitalize() if i == 0 else w.lower() for i, w in enumerate(words))


@settings(max_examples=300)
@given(texts(), st.data())
def test_header_lines_equal_the_reference(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert H._lines(text, start, end) == lines_reference(text, start, end)


@settings(max_examples=300)
@given(texts(), st.data())
def test_recipients_equal_the_reference(text, data):
    start = data.draw(st.integers(0, len(text)))
    folded = fold(text)
    assert H._recipients(text, folded, start) == recipients_reference(text, folded, start)


@settings(max_examples=300)
@given(texts(), st.data())
def test_line_texts_equal_the_reference_lines(text, data):
    """The lazy line texts (the recipients' loop) are those of the eager split to the end."""
    start = data.draw(st.integers(0, len(text)))
    assert list(H._line_texts(text, start)) == [s for _, s in lines_reference(text, start, len(text))]


REPORT_PIECES = ["UBND tỉnh Kiên Giang", "Ủy ban nhân dân thành phố Cần Thơ", "Tỉnh ủy Hậu Giang", " ",
                 "\n", " đã ban hành ", " vừa triển khai ", "Kế hoạch", "Quyết định", " số ", " Số:",
                 "123/KH-UBND", "7", " ngày 5 tháng 3 năm 2023", " về công tác ngoại vụ", ".", ";",
                 " nhằm ", "sở", " so 1", "x", "UBND tỉnh Kiên Giang đã ban hành Kế hoạch số 12/KH",
                 "UBND tỉnh Kiên Giang vừa ban hành Quyết định", "UBND tỉnh Hậu Giang đã xây dựng Đề án số"]


@settings(max_examples=400)
@given(st.lists(st.sampled_from(REPORT_PIECES), max_size=25), st.integers(0, 400))
def test_the_report_prefilter_holds_in_every_report_match(pieces, limit):
    """The literal search before the report regex never hides one of its matches: wherever
    ``_REPORT_RE`` matches before ``limit``, ``so <digit>`` does too (and the search the
    header runs, gated, gives the plain search's match)."""
    folded = fold("".join(pieces))
    limit = min(limit, len(folded))
    plain = H._REPORT_RE.search(folded, 0, limit)
    if plain is not None:
        assert H._REPORT_NUMBER_RE.search(folded, 0, limit) is not None
    gated = H._REPORT_RE.search(folded, 0, limit) if H._REPORT_NUMBER_RE.search(folded, 0, limit) else None
    assert (gated and gated.span()) == (plain and plain.span())


ISSUERS = ["ỦY BAN NHÂN DÂN TỈNH KIÊN GIANG", "UBND TỈNH HẬU GIANG", "HỘI ĐỒNG NHÂN DÂN",
           "TỈNH ỦY THỪA THIÊN HUẾ", "BỘ NGOẠI GIAO", "SỞ NGOẠI VỤ", "UỶ BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ",
           "BAN CHỈ ĐẠO", "ỦY BAN NHÂN DÂN"]


@given(st.sampled_from(ISSUERS), st.sampled_from([None, "Kiên Giang", "Cần Thơ"]))
def test_proper_case_issuer_equals_the_reference(upper, province):
    assert H._proper_case_issuer(upper, province) == proper_case_issuer_reference(upper, province)


def test_header_lines_and_recipients_on_the_seeds(seed_paths):
    for p in seed_paths.values():
        text = p.read_text(encoding="utf-8")
        folded = fold(text)
        assert H._lines(text, 0, len(text)) == lines_reference(text, 0, len(text))
        assert H._recipients(text, folded, 0) == recipients_reference(text, folded, 0)


# -- the signature block and the title, each line folded once ---------------------------------
def _is_capacity_reference(s: str) -> bool:
    if not H._upper(s) or len(s) > 60:
        return False
    key = fold(s)
    return key.startswith(H._CAP_START) or any(key == w or key.startswith(w + " ")
                                               for w in H._tables()["capacity"])


def signature_reference(text: str, start: int) -> tuple[str | None, str | None, int]:
    lines = lines_reference(text, start, len(text))
    for i, (off, s) in enumerate(lines):
        if not _is_capacity_reference(s) or not fold(s).startswith(
                H._CAP_START + ("chu tich", "pho chu tich", "giam doc", "bi thu")):
            continue
        caps: list[str] = [s]
        j = i + 1
        while j < len(lines) and H._upper(lines[j][1]) and len(lines[j][1]) <= 60:
            nxt = lines[j][1]
            if fold(nxt).startswith(H._CAP_START) or _is_capacity_reference(nxt):
                caps.append(nxt)
            else:
                caps[-1] = f"{caps[-1]} {nxt}"
            j += 1
        if j < len(lines) and H._is_name(lines[j][1]):
            return " / ".join(caps), lines[j][1], lines[j][0]
        if i + 1 < len(lines) and not H._upper(lines[i + 1][1]):
            continue
        return " / ".join(caps), None, off
    return None, None, -1


def type_and_title_reference(text: str, start: int, end: int) -> tuple[str | None, str | None, int]:
    lines = lines_reference(text, start, end)
    types = H._tables()["types"]
    for i, (off, s) in enumerate(lines):
        key = match_key(s).rstrip(":")
        name = types.get(key)
        rest_title: list[str] = []
        if name is None and H._upper(s):
            m = H._tables()["type_re"].match(key)
            if m and m.end() < len(key) and m.start() == 0 and not key.startswith("so"):
                name = types[" ".join(m.group(1).split())]
                rest_title.append(s[len(s) - len(key) + m.end():].strip() if len(s) == len(key)
                                  else s.split(None, len(m.group(1).split()))[-1])
        if name is None:
            continue
        if s.rstrip().endswith(":"):
            continue
        title_lines = rest_title
        upper = None
        last_end = off + len(s)
        for off2, s2 in lines[i + 1:]:
            if upper is None:
                upper = H._upper(s2)
            if upper and not H._upper(s2):
                break
            if not upper and (H._upper(s2) or re.match(
                    r"(can cu|thuc hien|trien khai|de |xet |nham |theo )", fold(s2))):
                break
            if re.match(r"[IVX]+\.\s|\d+\.\s|dieu\s+\d", fold(s2)) or s2.startswith("("):
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


SIGNATURE_LINES = ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "CHỦ TỊCH", "PHÓ CHỦ TỊCH", "GIÁM ĐỐC",
                   "BÍ THƯ", "Q. GIÁM ĐỐC", "TL. CHỦ TỊCH", "CHÁNH VĂN PHÒNG", "PHÓ GIÁM ĐỐC SỞ",
                   "Nguyễn Văn An", "Lê Thị Hồng Vân", "Kiên Giang", "KẾ HOẠCH", "QUYẾT ĐỊNH:",
                   "Về việc triển khai công tác đối ngoại", "HÀNH ĐỘNG CÔNG TÁC ĐỐI NGOẠI",
                   "Căn cứ Luật Tổ chức", "I. MỤC ĐÍCH", "1. Nội dung", "Điều 1. Ban hành",
                   "(kèm theo)", "Thực hiện chỉ đạo.", "NĂM 2024", "x" * 70, "A" * 61, "|", "---", ""]


@settings(max_examples=400)
@given(st.lists(st.sampled_from(SIGNATURE_LINES), max_size=14), st.sampled_from(["\n", "\n\n", "\n \n"]),
       st.data())
def test_signature_and_title_equal_the_references(parts, joiner, data):
    text = joiner.join(parts)
    start = data.draw(st.integers(0, len(text)))
    assert H._signature(text, start) == signature_reference(text, start)
    # with the fold, a scan skips to the first line that can open a signature: the same block
    assert H._signature(text, start, fold(text)) == signature_reference(text, start)
    assert H._type_and_title(text, 0, len(text)) == type_and_title_reference(text, 0, len(text))
    assert [H._is_capacity(s) for s in parts] == [_is_capacity_reference(s) for s in parts]


@settings(max_examples=400)
@given(st.lists(st.sampled_from(SIGNATURE_LINES + [" ", "\t", "\u00a0", "x TM. ", "\n", "q.", "t/m"]),
                max_size=20), st.data())
def test_signature_skip_ahead_equals_the_reference_anywhere(parts, data):
    """Starts mid-line, lines opening with spaces, capacity words mid-line: the scan that skips
    ahead by the fold finds the block the line-by-line reference finds."""
    text = "".join(parts)
    start = data.draw(st.integers(0, len(text)))
    assert H._signature(text, start, fold(text)) == signature_reference(text, start)


def test_signature_and_title_on_the_seeds(seed_paths):
    for p in seed_paths.values():
        text = p.read_text(encoding="utf-8")
        for start in (0, len(text) // 2, len(text) - 3000):
            start = max(start, 0)
            assert H._signature(text, start) == signature_reference(text, start)
            assert H._signature(text, start, fold(text)) == signature_reference(text, start)
        assert H._type_and_title(text, 0, 3000) == type_and_title_reference(text, 0, 3000)

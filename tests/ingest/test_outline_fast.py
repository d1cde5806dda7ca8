"""The outline parser's shortcuts (marker lines found by whole-text scans, paragraphs of the
``wrapped``/``line`` layouts by bisection over the text lines, per-line offsets computed once)
give exactly what the parser gave before them: ``reference_outline.py`` is that parser, kept
verbatim, compared on generated texts (hypothesis), the seeds and generated plans and news."""
from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vbgraph.ingest import sections as S
from vbgraph.ingest.read import clean_text
from vbgraph.ingest.text import fold, nfc

HERE = Path(__file__).resolve().parent


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module          # dataclasses look their module up while decorating
    spec.loader.exec_module(module)
    return module


REF = _load("reference_outline", HERE / "reference_outline.py")


def _shape(outline) -> tuple:
    """Everything an outline holds (the two modules' classes never compare equal)."""
    return (outline.text_length, outline.layout, outline.body_start, outline.body_end,
            outline.folded, outline._starts, outline._parents, [s.path for s in outline.sections],
            [(s.path, s.kind, s.label, s.number, s.title, s.start, s.end, s.title_start,
              s.title_end, s.body, [c.path for c in s.children]) for s in outline.flat])


def _same(text: str) -> None:
    assert _shape(S.parse_outline(text)) == _shape(REF.parse_outline(text))


LINES = [
    "I. MỤC ĐÍCH", "II. NỘI DUNG", "III. TỔ CHỨC\nTHỰC HIỆN", "IV - Kinh phí", "V. Về công tác",
    "1. Sở Ngoại vụ", "2. Công an tỉnh: Chủ trì, phối hợp", "3. Sở Tài chính", "1.1. Mục con",
    "1.2) Mục con", "2.1. Sai cha", "12. Mười hai", "a) Chủ trì thực hiện.", "b) Phối hợp với Sở",
    "đ) Mục đ", "e) Mục e", "c. Viết Hoa", "- Tăng cường quản lý.", "- tiếp tục", "– Gạch dài",
    "• Chấm", "+ Chi tiết", "+ chi tiết", "Điều 1. Ban hành", "ĐIỀU 2: Hiệu lực", "điều 3",
    "Chương II", "CHƯƠNG 1. QUY ĐỊNH CHUNG", "chương iii", "Về công tác đoàn ra: Tiếp tục.",
    "về lĩnh vực biên giới: Duy trì.", "Nơi nhận:", "Noi nhan", "KT. CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN",
    "Q. GIÁM ĐỐC", "CHỦ TỊCH", "Phó Giám đốc  ", "Trên đây là Kế hoạch", "Trong quá trình thực hiện, nếu có",
    "Quá trình triển khai, khi có", "Yêu cầu các sở nghiêm túc", "Trên cơ sở nhiệm vụ được phân công",
    "văn bản tiếp theo dòng", "UBND tỉnh; các sở", "Sở Ngoại vụ", "Bộ Chỉ huy Bộ đội Biên phòng tỉnh",
    "|", "---", "***", "___", "—–", "", "  ", "\t", "\u00a0", "\u2003I. Lạ", " \u00a0II. CÓ KHOẢNG",
    "  1. Thụt lề", "\t- Tab", "(ghi chú)", "*Nhấn mạnh*", "Huế", "x" * 160, "A" * 70 + ",",
    "٣. Chữ số Ả Rập", "１. Toàn khổ", "f) Không phải mục", "Ⅱ. La Mã", "C. Chữ C", "CC. Hai",
    "Chương 0", "IIII. Sai", "2.3.4.5. Sâu", "a ) Cách", "b.  Viết Hoa",
]


@st.composite
def outline_texts(draw) -> str:
    parts = draw(st.lists(st.one_of(st.sampled_from(LINES), st.text(max_size=20)), max_size=40))
    joiner = draw(st.sampled_from(["\n", "\n\n", "\n \n"]))
    return joiner.join(parts)


@settings(max_examples=400, deadline=None)
@given(outline_texts())
def test_parse_outline_equals_the_reference(text):
    _same(text)


@settings(max_examples=200, deadline=None)
@given(outline_texts())
def test_parse_outline_equals_the_reference_on_cleaned_text(text):
    _same(clean_text(text))


@given(st.text(max_size=200))
def test_parse_outline_equals_the_reference_on_any_text(text):
    _same(text)


def test_parse_outline_not_nfc_text_equals_the_reference():
    text = "I. MU\u0323C ĐI\u0301CH\n1. Sơ\u0309 Ngoa\u0323i vu\u0323: Chủ trì\nNơi nhận:\n- Như trên"
    assert nfc(text) != text
    _same(text)


@pytest.fixture(scope="module")
def documents(seed_paths, generated_plans) -> list[str]:
    texts = []
    for p in seed_paths.values():
        raw = p.read_text(encoding="utf-8")
        texts += [raw, clean_text(raw)]
    texts += [g.text for g in generated_plans(40, 11)]
    texts += [p.read_text(encoding="utf-8") for p in sorted((HERE / "synthetic").glob("*.txt"))]
    return texts


def test_parse_outline_equals_the_reference_on_documents(documents):
    for text in documents:
        _same(text)


# -- the marker loop looks at the lines the scans list ----------------------------------------
def _looked_at_reference(lines, text: str, folded: str) -> set[int]:
    """Lines where the per-line test finds a (non-news) marker or a closing line."""
    closing = S._patterns()["closing"]
    out = set()
    for i, ln in enumerate(lines):
        if ln.blank or ln.artefact:
            continue
        stripped = ln.text.strip()
        lead = len(ln.text) - len(ln.text.lstrip())
        key = folded[ln.start + lead:ln.start + lead + len(stripped)]
        if S._marker(ln, False) is not None or closing.match(key):
            out.add(i)
    return out


def _closing_reference(lines, folded: str) -> set[int]:
    closing = S._patterns()["closing"]
    out = set()
    for i, ln in enumerate(lines):
        if not ln.blank and not ln.artefact:
            stripped = ln.text.strip()
            lead = len(ln.text) - len(ln.text.lstrip())
            if closing.match(folded[ln.start + lead:ln.start + lead + len(stripped)]):
                out.add(i)
    return out


@settings(max_examples=300, deadline=None)
@given(outline_texts())
def test_event_lines_hold_every_marker_and_closing_line(text):
    lines = S._lines(text)
    folded = fold(text)
    found = S._event_lines(lines, text, folded)
    assert found is not None
    events, closing, scanned = found
    assert events == sorted(set(events)) and closing <= set(events) and set(scanned) <= set(events)
    assert scanned == {i: S._marker(lines[i], False) for i in scanned}
    assert {i for i, ln in enumerate(lines) if not ln.blank and not ln.artefact
            and S._marker(ln, False) is not None} <= set(scanned)
    assert _looked_at_reference(lines, text, folded) <= set(events)
    assert _closing_reference(lines, folded) <= closing


def test_event_lines_on_documents(documents):
    for text in documents:
        lines = S._lines(text)
        folded = fold(text)
        events, closing, scanned = S._event_lines(lines, text, folded)
        assert scanned == {i: S._marker(lines[i], False) for i in scanned}
        assert _looked_at_reference(lines, text, folded) <= set(events)
        assert _closing_reference(lines, folded) <= closing
        # and the scans are selective: far fewer lines than the document has
        assert len(events) <= len(lines)


def test_build_nodes_from_event_lines_equals_every_line(documents):
    for text in documents:
        lines, folded = S._lines(text), fold(text)
        fast, slow = S._build_nodes(lines, text, folded), S._build_nodes(lines, text, folded, every_line=True)
        assert [(n.line, n.parent, n.marker.label) for n in fast[0]] == \
               [(n.line, n.parent, n.marker.label) for n in slow[0]]
        assert fast[1] == slow[1]


# -- lines and paragraphs ---------------------------------------------------------------------
@given(outline_texts())
def test_line_offsets_equal_stripping(text):
    for ln in S._lines(text):
        assert ln.text == text[ln.start:ln.end]
        if ln.blank:
            assert ln.hi == ln.start
        else:
            assert ln.lo == ln.start + len(ln.text) - len(ln.text.lstrip())
            assert ln.hi == ln.start + len(ln.text.rstrip())


@settings(max_examples=300, deadline=None)
@given(outline_texts(), st.data())
def test_split_paragraphs_by_bisection_equals_the_line_walk(text, data):
    lines = S._lines(text)
    texts = S._text_lines(lines)
    a = data.draw(st.integers(0, len(lines) - 1))
    b = data.draw(st.integers(a, len(lines)))
    from_offset = data.draw(st.one_of(st.none(), st.integers(lines[a].start, lines[a].end + 3)))
    for layout in ("wrapped", "line", "blank"):
        assert S._split_paragraphs(lines, a, b, layout, from_offset, texts) == \
            REF._split_paragraphs(REF._lines(text), a, b, layout, from_offset)


@given(outline_texts())
def test_layout_equals_the_reference(text):
    assert S._layout(S._lines(text)) == REF._layout(REF._lines(text))


# -- sections built without the dataclass __init__ ---------------------------------------------
@given(st.text(max_size=8), st.integers(), st.integers(), st.lists(st.tuples(st.integers(), st.integers()), max_size=3))
def test_new_section_equals_the_dataclass(path, number, start, body):
    values = (path, "letter", "a", number, "Tiêu đề", start, start + 5, start, start + 1, tuple(body), ())
    made = S._new_section(*values)
    assert made == S.Section(*values) and hash(made) == hash(S.Section(*values))
    inner = S._new_section(*values[:-1], (made,))
    assert inner == S.Section(*values[:-1], (S.Section(*values),))


@pytest.mark.interpreted            # (reads the interpreted function's signature)
def test_new_section_sets_every_field():
    import dataclasses
    import inspect
    names = [f.name for f in dataclasses.fields(S.Section)]
    params = [p.name for p in inspect.signature(S._new_section).parameters.values()
              if p.kind is p.POSITIONAL_OR_KEYWORD]
    assert params == names
    with pytest.raises(dataclasses.FrozenInstanceError):
        S._new_section(*range(11)).path = "x"


@pytest.mark.interpreted            # (patches a module global)
def test_new_section_compiled_branch_calls_the_class(monkeypatch):
    """Compiled by mypyc (``_INTERPRETED`` false) the class is called: the same record."""
    assert S._INTERPRETED                   # the tests run the interpreted module
    values = ("II.1", "arabic", "1", 1, "Tiêu đề", 3, 9, 5, 7, ((5, 7),), ())
    monkeypatch.setattr(S, "_INTERPRETED", False)
    made = S._new_section(*values)
    assert type(made) is S.Section and made == S.Section(*values)
    monkeypatch.setattr(S, "_INTERPRETED", True)
    assert S._new_section(*values) == made



def _ci(regex: re.Pattern[str]) -> str:
    return f"(?i:{regex.pattern})" if regex.flags & re.IGNORECASE else f"(?:{regex.pattern})"


#: the plain alternation the marker scan equals (every kind in :func:`_marker`'s order, one look-ahead)
_ONE_MARKER_SCAN = re.compile("\n(?=[ \t\u00a0]*[IVXLCĐđDdc\\da-z\\-–—•·+])(?:" + "|".join(
    f"(?P<{kind}>{_ci(regex)})" for kind, regex in S._MARKER_RES) + ")", re.MULTILINE)


@settings(max_examples=300, deadline=None)
@given(outline_texts())
def test_the_marker_scan_equals_one_plain_alternation(text):
    """The marker scan (a letter branch and a branch of every other kind, each behind a
    look-ahead) finds what one plain alternation of the kinds finds: the same line starts,
    each with the same end and kind."""
    _, markers, _ = S._line_scans()
    alternation = _ONE_MARKER_SCAN
    got = {m.start(): m for m in markers.finditer("\n" + text)}
    want = {m.start(): m for m in alternation.finditer("\n" + text)}
    assert sorted(got) == sorted(want)
    assert all((got[k].end(), got[k].lastgroup) == (want[k].end(), want[k].lastgroup) for k in want)


@pytest.mark.interpreted            # (reads the interpreted function's signature)
def test_section_init_takes_every_field_in_order():
    """Section's written-out ``__init__`` takes the fields in order, with their defaults."""
    import dataclasses
    import inspect
    fields = dataclasses.fields(S.Section)
    params = list(inspect.signature(S.Section.__init__).parameters.values())[1:]
    assert [p.name for p in params] == [f.name for f in fields]
    assert [p.default for p in params] == [
        inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default for f in fields]


def test_section_init_sets_every_field():
    import dataclasses
    fields = dataclasses.fields(S.Section)
    values = ("I.2", "arabic", "2", 2, "Tiêu đề", 10, 90, 13, 20, ((21, 90),), ())
    made = S.Section(*values)
    assert tuple(getattr(made, f.name) for f in fields) == values
    assert S.Section(*values[:-2]).body == () and S.Section(*values[:-2]).children == ()


@given(outline_texts())
def test_lines_without_init_equal_the_constructed_lines(text):
    """The interpreted loop (records made by ``object.__new__``, slots set in place) gives the
    records ``_lines_plain`` builds through ``__init__`` (what the compiled module runs)."""
    fields = ("start", "end", "text", "blank", "artefact", "lo", "hi")
    fast, plain = S._lines(text), S._lines_plain(text)
    assert [type(ln) for ln in fast] == [S._Line] * len(plain)
    assert [[getattr(ln, f) for f in fields] for ln in fast] == \
        [[getattr(ln, f) for f in fields] for ln in plain]


def test_a_section_stays_frozen_and_equal_by_value():
    """The written-out ``__init__`` (direct stores when compiled) leaves a frozen record: no
    field can be assigned, and equal fields make equal, equally hashed sections."""
    import dataclasses
    sec = S.Section("II.1", "arabic", "1", 1, "Title", 3, 9, 5, 8, ((5, 9),), ())
    twin = S.Section("II.1", "arabic", "1", 1, "Title", 3, 9, 5, 8, ((5, 9),), ())
    assert (sec.path, sec.kind, sec.label, sec.number, sec.title, sec.start, sec.end,
            sec.title_start, sec.title_end, sec.body, sec.children) == (
        "II.1", "arabic", "1", 1, "Title", 3, 9, 5, 8, ((5, 9),), ())
    assert sec == twin and hash(sec) == hash(twin)
    with pytest.raises(dataclasses.FrozenInstanceError):
        sec.path = "x"  # type: ignore[misc]
    assert sec.path == "II.1"

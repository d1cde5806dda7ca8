"""Parser fuzzing (issue #6): hypothesis on the citation finder, reference parser, header
parser, outline, task segmenter, agency/locality/topic matchers, and a hang guard per
regex-heavy function on adversarial strings (a subprocess with a generous timeout: it only
catches catastrophic backtracking / quadratic blow-ups, it is not a timing assertion)."""
from __future__ import annotations

import subprocess
import sys
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FRAGMENTS = [
    "Quyết định", "số", "272-QĐ/TW", "12/2012/NĐ-CP", "Nghị định", "Chỉ thị", "38-CT/TW", "ngày",
    "21/01/2015", "của", "Bộ Chính trị", "Thủ tướng Chính phủ", "Kế hoạch", "/KH-UBND", "Số:",
    "ỦY BAN NHÂN DÂN", "TỈNH", "KIÊN GIANG", "Lai Châu", "Thừa Thiên Huế", "I.", "II.", "1.", "a)",
    "-", "+", "*", "Sở Ngoại vụ", "Sở", "chủ trì", "phối hợp với", "đầu mối", "Công an tỉnh",
    "UBND", "huyện", "Lào", "Salavan", "Vân Nam", "Trung Quốc", "Campuchia", "(", ")", "[", "]",
    "“", "”", ";", ",", ".", "\n", "\n\n", "  ", "\t", "|", "Luật", "Tổ chức", "năm", "2023",
    "tháng", "KẾ HOẠCH", "Nơi nhận:", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "Điều 1.", "Chương I",
    "biên giới", "đối ngoại", "hòa", "hoà", "ĐỐI NGOẠI", "1/1/1/1-", "QĐ", "NQ/TW", "/", "-CP",
]
texty = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)), max_size=60).map(
    lambda parts: unicodedata.normalize("NFC", " ".join(parts)))
FUZZ = settings(max_examples=120, suppress_health_check=[HealthCheck.too_slow])


def _nfc(s: str) -> str:
    from vbgraph.ingest.read import clean_text

    return clean_text(s)


@FUZZ
@given(texty)
def test_citation_finder_spans_are_exact(text):
    from vbgraph.ingest.citations.find import find_citations

    text = _nfc(text)
    for c in find_citations(text):
        assert 0 <= c.start < c.end <= len(text)
        assert c.id.startswith("doc:")


@FUZZ
@given(st.one_of(texty, st.text(max_size=80)))
def test_reference_parser_never_crashes(query):
    from vbgraph.ingest.citations.parse import parse_reference

    try:
        parse_reference(query)
    except ValueError:
        pass  # a clear "cannot read … as a document reference" is the contract


@FUZZ
@given(texty)
def test_header_and_outline_stay_inside_the_text(text):
    from vbgraph.ingest.header import parse_header
    from vbgraph.ingest.sections import parse_outline

    text = _nfc(text)
    outline = parse_outline(text)
    for sec in outline.sections:
        assert 0 <= sec.start <= sec.end <= len(text), sec
    header = parse_header(text, outline)
    if header.year is not None:
        assert 1900 <= int(header.year) <= 2100


@FUZZ
@given(texty)
def test_whole_pipeline_offsets_and_provenance(text):
    from vbgraph.ingest.pipeline import extract_text

    try:
        doc = extract_text(text, "fuzz.txt")
    except ValueError:
        return
    t = doc.text
    assert unicodedata.is_normalized("NFC", t)
    for c in doc.citations:
        assert t[c.start:c.end] == c.surface
    for task in doc.tasks:
        assert 0 <= task.start < task.end <= len(t)
        assert task.id.startswith(doc.document.id + "#t")
    assert len({task.id for task in doc.tasks}) == len(doc.tasks)


@FUZZ
@given(texty, st.sampled_from([None, "Kiên Giang", "Lào Cai", "Thừa Thiên Huế"]))
def test_agency_and_locality_matchers(text, province):
    from vbgraph.ingest.agencies import document_agencies, roles_for_task
    from vbgraph.ingest.localities import find_localities
    from vbgraph.ingest.topics import match_topics, tag_topics

    text = _nfc(text)
    found = document_agencies(text, province)
    for m in found.between(0, len(text)):
        assert 0 <= m.start < m.end <= len(text)
        assert m.agency.id.startswith("agency:")
    lead, coop = roles_for_task(text, 0, len(text), province, None, document=found)
    assert not set(lead) & set(coop)
    for loc in find_localities(text, lambda _pos: "", province):
        assert loc.id.startswith("locality:")
    tag_topics(text)
    match_topics(text)


# -- hang guards --------------------------------------------------------------------------

ADVERSARIAL = {
    "so_200k": "'Sở ' * 50_000",
    "brackets": "'(' * 20_000 + '[“' * 10_000 + ')' * 20_000",
    "slashes": "'1/1/1/1-' * 25_000",
    "dash_list": "'\\n'.join('- ' + '-' * 50 + ' a' for _ in range(20_000))",
    "qd_chain": "'Quyết định số ' * 15_000",
    "numbers": "'12/2012/NĐ-CP-' * 15_000",
    "roman": "'\\n'.join('I.' * 30 for _ in range(5000))",
    "dots": "'1.' * 80_000",
    "upper_line": "'KẾ HOẠCH ' * 40_000",
    "no_spaces": "'a' * 400_000",
}
CALLS = {
    "find_citations": "from vbgraph.ingest.citations.find import find_citations as f; f(t)",
    "parse_reference": "from vbgraph.ingest.citations.parse import parse_reference as f\n"
                       "try: f(t[:5000])\nexcept ValueError: pass",
    "header+outline": "from vbgraph.ingest.header import parse_header\n"
                      "from vbgraph.ingest.sections import parse_outline\nparse_header(t, parse_outline(t))",
    "agencies": "from vbgraph.ingest.agencies import document_agencies as f; f(t, 'Kiên Giang')",
    "localities": "from vbgraph.ingest.localities import find_localities as f; f(t, lambda p: '', None)",
    "topics": "from vbgraph.ingest.topics import tag_topics as f; f(t)",
}
HANG_TIMEOUT = 60  # seconds; normal runs take 1-5 s on a busy 2-core machine


@pytest.mark.slow
@pytest.mark.parametrize("call", sorted(CALLS))
def test_no_catastrophic_backtracking(call):
    """All adversarial strings through one function in one subprocess (one import)."""
    strings = "[" + ", ".join(ADVERSARIAL.values()) + "]"
    code = (f"from vbgraph.ingest.read import clean_text\nfor t in map(clean_text, {strings}):\n    "
            + CALLS[call].replace("\n", "\n    ") + "\nprint('ok')\n")
    try:
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=HANG_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{call} did not finish the adversarial set in {HANG_TIMEOUT}s (hang)")
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-2000:]


@pytest.mark.slow
def test_task_roles_on_a_long_agency_list_finish():
    """Was quadratic (each "phối hợp" listed every later agency of the clause: ~38 s at
    100 kB); a partner list now ends where the clause's next role cue starts."""
    head = ("ỦY BAN NHÂN DÂN\\nTỈNH QUẢNG NINH\\nSố: 15/KH-UBND\\nKẾ HOẠCH\\nĐối ngoại\\n"
            "I. NHIỆM VỤ\\n1. ")
    code = ("from vbgraph.ingest.pipeline import extract_text\n"
            f"extract_text('{head}' + 'Sở Ngoại vụ phối hợp ' * 10_000 + '\\n', 'adv.txt')\n"
            "print('ok')\n")
    try:
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=HANG_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"extract_text on a 200 kB agency list did not finish in {HANG_TIMEOUT}s")
    assert proc.returncode == 0, proc.stderr[-2000:]

"""The tasks stage's per-document shortcuts (issue #2) give exactly what the per-task code they
replace gives. Each reference is the simple code, kept here or still in the module as the
fallback: role cues scanned per task, topic labels by the trie regex, task bodies by
``join_wrapped_folded``, every deadline pattern tried."""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vbgraph.ingest import agencies, tasks, topics
from vbgraph.ingest.gazetteer import match_view
from vbgraph.ingest.pipeline import _hooks, extract_text
from vbgraph.ingest.sections import join_wrapped, join_wrapped_folded, parse_outline
from vbgraph.ingest.tasks import TaskHooks, extract_tasks
from vbgraph.ingest.text import fold, nfc

import importlib.util as _ilu

_spec = _ilu.spec_from_file_location("ingest_oracles", Path(__file__).with_name("oracles.py"))
oracles = _ilu.module_from_spec(_spec)
_spec.loader.exec_module(oracles)


PROVINCES = {"kien_giang": "Kiên Giang", "thua_thien_hue": "Thừa Thiên Huế", "khanh_hoa": "Khánh Hòa",
             "lai_chau": "Lai Châu", "hau_giang": "Hậu Giang"}


@pytest.fixture(scope="module")
def documents(seed_paths, generated_plans) -> list[tuple[str, str | None]]:
    """The seeds (cleaned as the pipeline cleans them) and generated plans and news, each with
    the province its header names."""
    out = []
    for key, path in seed_paths.items():
        doc = extract_text(path.read_text(encoding="utf-8"), path.name)
        out.append((doc.text, PROVINCES[key]))
    for g in generated_plans(25, 11):
        doc = extract_text(g.text, "generated")
        out.append((doc.text, doc.document.province))
    return out


# -- role cues: where they may start, found once per document -----------------------------------
CUE_PARTS = ["Sở Ngoại vụ", "chủ trì", "Chủ trì", "phối hợp", "phối hợp chặt chẽ với", "phối hợp\nvới",
             "phối hợp tốt", "đề nghị", "Đề\nnghị", "giao", "ngoại giao", "giao lưu", "tham mưu",
             "làm cơ quan đầu mối", "là cơ quan thường trực", "chịu trách nhiệm chính", "yêu cầu",
             "Công an tỉnh", "các sở", "để", "Thường xuyên", "x", "/giao", "1737/CT-TTg"]
CUE_SEPS = [" ", ", ", "; ", ". ", ": ", "\n", "\n- ", "\na) ", "\n1. ", "/", "-", "  \n  "]


@st.composite
def cue_texts(draw):
    parts = draw(st.lists(st.tuples(st.sampled_from(CUE_PARTS), st.sampled_from(CUE_SEPS)), max_size=16))
    text = nfc("".join(w + s for w, s in parts))
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, len(text)))
    return text, start, end


def _every_cue_start(view: str) -> set[int]:
    """Every offset where some role's cue regex matches, the scan bounded anywhere after it."""
    found = set()
    for q in range(len(view)):
        if q and view[q - 1] in "abcdefghijklmnopqrstuvwxyz0123456789/":
            continue                    # every cue regex opens with that look-behind
        for rx in agencies._cue_regexes().values():
            if any(rx.exact.match(view, q, end) for end in range(q + 1, min(len(view), q + 80) + 1)):
                found.add(q)
    return found


@given(cue_texts())
def test_cue_starts_hold_every_offset_where_a_cue_matches(case):
    text, _start, _end = case
    view = match_view(text)
    starts = agencies.cue_starts(view)
    assert list(starts) == sorted(set(starts))
    assert _every_cue_start(view) <= set(starts)




@given(cue_texts())
def test_cues_equal_a_clause_by_clause_scan(case):
    """Also what the shortcut for request cues that cannot open their clause rests on."""
    text, start, end = case
    view = match_view(text)
    expected = oracles.cues_reference(text, view, start, end)
    assert agencies._find_cues(text, view, start, end) == expected
    assert agencies._find_cues(text, view, start, end, agencies.cue_starts(view)) == expected


def test_request_cues_inside_a_clause_are_dropped_without_clauses():
    text = "Tăng cường ngoại giao kinh tế và giao lưu nhân dân; giao Sở Tư pháp.\n- Giao Sở Ngoại vụ theo dõi."
    view = match_view(text)
    first = text.index("\n")
    hits = [m for m in agencies._cue_regexes()["request"].exact.finditer(view, 0, first)]
    assert [agencies._never_opens(text, view, 0, m) for m in hits] == [True, True, False]
    assert agencies._find_cues(text, view, 0, text.index(";")) == []
    assert [(c.role, text[c.start:c.end]) for c in agencies._find_cues(text, view, 0, first)] == \
        [("request", "giao")]
    cues = agencies._find_cues(text, view, first, len(text))
    assert [(c.role, text[c.start:c.end]) for c in cues] == [("request", "Giao")]


@given(cue_texts())
def test_cues_from_the_documents_starts_equal_a_scan_per_task(case):
    text, start, end = case
    view = match_view(text)
    starts = agencies.cue_starts(view)
    assert agencies._find_cues(text, view, start, end, starts) == agencies._find_cues(text, view, start, end)


@given(cue_texts())
def test_scanning_the_starts_by_role_equals_finditer_per_role(case):
    text, start, end = case
    view = match_view(text)
    got = agencies._scan_roles(view, agencies.cue_starts(view), start, end)
    assert [role for role, _ in got] == list(agencies._cue_regexes())
    for (role, hits), rx in zip(got, agencies._cue_regexes().values()):
        assert [m.span() for m in hits] == [m.span() for m in rx.exact.finditer(view, start, end)]


@given(cue_texts(), st.sampled_from([None, "Kiên Giang"]), st.booleans())
def test_task_roles_equal_roles_for_task(case, province, with_heading):
    text, start, end = case
    document = agencies.document_agencies(text, province)
    heading = agencies.make_agency("so-ngoai-vu", province) if with_heading else None
    assert agencies.TaskRoles(document)(text, start, end, heading) == \
        agencies.roles_for_task(text, start, end, province, heading, document=document)


def test_task_roles_on_every_task_of_the_documents(documents):
    """The pipeline's per-document roles give every task of every document the roles the
    per-task code gives, and the documents do hold cues of every role."""
    seen_roles = set()
    for text, province in documents:
        document = agencies.document_agencies(text, province)
        bound = agencies.TaskRoles(document)
        outline = parse_outline(text)
        for _sec, a, b in tasks._select(text, outline):
            for heading in (None, agencies.make_agency("so-ngoai-vu", province)):
                assert bound(text, a, b, heading) == agencies.roles_for_task(
                    text, a, b, province, heading, document=document)
            seen_roles |= {c.role for c in agencies._find_cues(text, document.view, a, b)}
    assert {"lead", "cooperate"} <= seen_roles


def test_task_roles_for_another_text_find_its_agencies():
    """Called with a text other than its document's, the bound roles search that text."""
    document = agencies.document_agencies("Sở Ngoại vụ chủ trì.", "Kiên Giang")
    other = "Công an tỉnh chủ trì, phối hợp với Sở Ngoại vụ."
    lead, coop = agencies.TaskRoles(document)(other, 0, len(other), None)
    assert [a.kind for a in lead] == ["cong-an-tinh"] and [a.kind for a in coop] == ["so-ngoai-vu"]


# -- topics: labels and pattern openings in one Aho-Corasick pass -------------------------------
TOPIC_WORDS = ["bảo hộ công dân", "công dân", "bảo hộ", "thông tin đối ngoại", "đối ngoại", "văn hóa",
               "PCPNN", "phi chính phủ nước ngoài", "xúc tiến đầu tư", "biên giới", "các tỉnh giáp biên giới",
               "hội nghị", "hội thảo quốc tế", "tàu cá", "bắt giữ", "ngư dân", "lao động", "làm việc ở nước ngoài",
               "đào tạo", "cán bộ", "làm công tác đối ngoại", "xuất khẩu các sản phẩm", "xuất khẩu", "và", "các",
               "người Việt Nam ở nước ngoài", "x", "2024", "QĐ/TW", "Đ"]
TOPIC_SEPS = [" ", "\n", ", ", ". ", "; ", " (", ") ", "-", "  ", "\u00a0", "/", "–", " “", "” ", ""]


@st.composite
def topic_texts(draw):
    parts = draw(st.lists(st.tuples(st.sampled_from(TOPIC_WORDS), st.sampled_from(TOPIC_SEPS)), max_size=20))
    text = "".join(w + s for w, s in parts)
    return nfc(text.upper() if draw(st.booleans()) else text)


@given(topic_texts())
def test_topic_scan_equals_the_trie_regex(text):
    folded = fold(text)
    assert topics._found_scanned(folded, topics._automaton()) == topics._found_regex(folded)


def test_topic_scan_on_every_task_and_paragraph(documents):
    automaton = topics._automaton()
    tagged = set()
    for text, _province in documents:
        for para in [*text.split("\n\n"), *text.split("\n")]:
            folded = fold(para)
            found = topics._found_scanned(folded, automaton)
            assert found == topics._found_regex(folded)
            tagged |= found
    assert len(tagged) > 15


def test_topics_use_the_automaton():
    """pyahocorasick is a dependency: the scan is the one in use."""
    assert topics._automaton() is not None
    assert topics.tag_topics("Bảo hộ công dân Việt Nam ở nước ngoài") == ("topic:bao-ho-cong-dan",)


def test_pattern_openings_are_words_and_every_pattern_has_some():
    openings, unhinted = topics._pattern_openings()
    assert openings and not unhinted
    assert all(re.fullmatch(r"[a-z0-9]+(?: [a-z0-9]+)*", o) for o in openings)
    with_patterns = {order for order, (_t, _l, pats) in enumerate(topics._matchers()) if pats}
    assert set().union(*openings.values()) == with_patterns


def test_a_pattern_whose_opening_is_split_by_punctuation_still_matches_only_as_written():
    """The word string joins ``bảo, hộ`` as ``bao ho`` (a hint only): the pattern decides."""
    for text in ("bảo, hộ quyền lợi công dân", "bảo hộ quyền lợi công dân", "tàu cá. Bắt giữ",
                 "tàu cá bị bắt giữ"):
        folded = fold(text)
        assert topics._found_scanned(folded, topics._automaton()) == topics._found_regex(folded)


# -- task bodies: whitespace squeezed once per document -----------------------------------------
SPACE_PARTS = ["Sở", "Ngoại vụ", "a", "ĐỊNH KỲ", "|", "*", "**x**", "---", "–—", ".", "..", "-", " ", "  ",
               "\n", "\n  ", "\t", "\u00a0", "\u2003", "\u3000", "\r", "\x0b", "\u2028", "𝐀", "x"]


@st.composite
def spaced_texts(draw):
    text = nfc("".join(draw(st.lists(st.sampled_from(SPACE_PARTS), max_size=30))))
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, len(text)))
    return text, start, end


@given(spaced_texts())
def test_squeezed_span_equals_splitting_and_joining(case):
    text, start, end = case
    folded = fold(text)
    assert tasks._Squeezed(text, folded).span(start, end) == \
        (" ".join(text[start:end].split()), " ".join(folded[start:end].split()))


@given(spaced_texts())
def test_a_span_without_slow_starts_is_joined_by_collapsing_whitespace(case):
    text, start, end = case
    slow = tasks._join_slow_starts(text)
    if not any(start <= s < end for s in slow):
        assert join_wrapped(text, start, end) == " ".join(text[start:end].split())


def test_the_space_table_is_str_isspace():
    import sys as _sys

    assert all(tasks._SPACE_LUT[min(c, len(tasks._SPACE_LUT) - 1)] == chr(c).isspace()
               for c in range(_sys.maxunicode + 1))


# -- the tasks stage as a whole ------------------------------------------------------------------
def _plain_extract_tasks(text, outline, doc_id, *, plan_title=None, hooks=None):
    """``extract_tasks`` as it was before the shortcuts: every body by join_wrapped_folded,
    roles per task, the deadline from the body alone."""
    hooks = hooks or TaskHooks()
    default_period = tasks.plan_period(plan_title)
    cache = {}

    def heading_for(sec):
        for s in reversed(outline.ancestors(sec.path)):
            if not s.title or s.kind in ("roman", "chapter", "para"):
                continue
            if s.path not in cache:
                cache[s.path] = hooks.heading_agency(s.title)
            if cache[s.path] is not None:
                return cache[s.path]
        return None

    out, agencies_ = [], {}
    folded = fold(text)
    for sec, a, b in tasks._select(text, outline):
        body, _body_folded = join_wrapped_folded(text, folded, a, b)
        if not body:
            continue
        lead, coop = hooks.roles(text, a, b, heading_for(sec))
        for ag in (*lead, *coop):
            agencies_.setdefault(ag.id, ag)
        lead_ids = tuple(dict.fromkeys(ag.id for ag in lead))
        coop_ids = tuple(i for i in dict.fromkeys(ag.id for ag in coop) if i not in lead_ids)
        out.append(tasks.Task(
            id=f"{doc_id}#t{len(out) + 1}", section=sec.path, text=body, start=a, end=b,
            lead=lead_ids, cooperate=coop_ids, topics=tuple(hooks.topics(body)),
            deadline=tasks.find_deadline(body) or default_period))
    return tuple(out), tuple(agencies_.values())


def test_extract_tasks_equals_the_plain_per_task_code(documents):
    for text, province in documents:
        outline = parse_outline(text)
        hooks = _hooks(text, province, [], match_view(text))
        assert hooks.bind_roles is not None
        got = extract_tasks(text, outline, "doc:x", plan_title="Kế hoạch năm 2024", hooks=hooks)
        plain = _plain_extract_tasks(text, outline, "doc:x", plan_title="Kế hoạch năm 2024",
                                     hooks=dataclasses.replace(hooks, bind_roles=None))
        assert got == plain


def test_bind_roles_is_called_once_per_document():
    text = "I. NHIỆM VỤ\n1. Sở Ngoại vụ chủ trì việc một.\n2. Việc hai.\n"
    calls = []

    def bind():
        calls.append(1)
        return lambda _t, _a, _b, heading: (("x",) if False else (), ())

    extract_tasks(text, parse_outline(text), "doc:x", hooks=TaskHooks(bind_roles=bind))
    assert calls == [1]


# -- deadlines -----------------------------------------------------------------------------------
DEADLINE_PROBES = ["trong quý II năm 2023", "trước năm 2025", "trong quý 3/2024", "ngày trong năm 2024",
                   "trong quý IV 2023", "trước quý 1 năm 2026", "trong năm nay", "trong quý này",
                   "trước ngày 25/5", "trước ngày 15 tháng 12", "trong thời hạn 5 ngày", "chậm nhất 10 ngày",
                   "trong vòng 3 ngày làm việc kể từ ngày nhận", "định kỳ 6 tháng", "hằng năm"]


def test_the_digit_needs_hold_for_every_match_of_their_pattern():
    found = 0
    for rank, need in enumerate(tasks._DEADLINE_NEEDS_DIGITS):
        if need:
            for probe in DEADLINE_PROBES:
                for m in tasks._DEADLINE_RES[rank].finditer(fold(probe)):
                    assert any(c.isdigit() for c in m.group()), (probe, m.group())
                    found += 1
    assert found >= 6
    assert tasks.find_deadline("Báo cáo trong quý II năm 2023.") == "trong quý II năm 2023"


HINT_PARTS = ["dinh", "dinh k", "dinh\nk", "dinhk", "truoc", "trong", "cham", "chậm", "hang", "han", "d", " ",
              "\n", "x", "ky"]


@given(st.lists(st.sampled_from(HINT_PARTS), max_size=12))
def test_hint_by_substrings_equals_the_hint_regex(parts):
    text = "".join(parts)
    assert tasks._hinted(text) == bool(tasks._DEADLINE_HINT.search(text))




DEADLINE_WORDS = ["định kỳ", "định\nkỳ", "hằng năm", "hàng quý", "hàng tháng", "6 tháng", "quý", "năm", "trước",
                  "ngày", "trong", "trong thời hạn", "chậm nhất", "báo cáo năm", "đột xuất", "(khi có yêu cầu)",
                  "trước ngày", "25/5", "10 tháng 12", "2024", "II", "3/2024", "làm việc kể từ ngày nhận", "và", ","]


@given(st.lists(st.sampled_from(DEADLINE_WORDS), max_size=10), st.sampled_from([" ", "\n", "  "]))
def test_find_deadline_equals_every_pattern_tried(parts, sep):
    text = nfc(sep.join(parts))
    assert tasks.find_deadline(text) == _deadline_no_hint(text)
    assert tasks._deadline(text, fold(text)) == _deadline_no_hint(text)


def test_deadlines_without_digits():
    for text in ("Báo cáo định kỳ hằng năm", "định kỳ hàng quý và đột xuất", "trong thời hạn năm ngày"):
        assert tasks.find_deadline(text) == _deadline_no_hint(text)
    assert tasks.find_deadline("Báo cáo định kỳ hằng năm") == "định kỳ hằng năm"


def _deadline_no_hint(text: str) -> str | None:
    return oracles.find_deadline_reference(text, hint=False)


# -- deadline patterns opening with a choice of words: jumping to the words == finditer ----------
JUMP_PARTS = ["trong", "truoc", "ngay", "cham", "chậm", "nhat", "thoi gian", "thoi han", "vong", "quy",
              "ii", "iv", "3", "nam", "2023", "/2024", "10", "ngay lam viec", "ke tu ngay", "x", " ",
              "  ", "\n", "trongtrong", "ngay trong", "truoc quy", "(", ")", ",", "."]


def test_the_scanned_deadline_patterns_jump_where_the_engine_would_scan():
    kinds = [type(s).__name__ for s in tasks._DEADLINE_SCANS]
    # the two patterns that open with a choice of words jump; one-word openings stay regexes
    assert kinds == ["Pattern", "Pattern", "_LiteralJump", "_LiteralJump", "WordStartRegex"]
    assert tasks._DEADLINE_SCANS[3].words == ("ngay", "trong", "truoc")
    with pytest.raises(ValueError):
        tasks._LiteralJump(re.compile(r"\d+ ngay"))


@given(st.lists(st.sampled_from(JUMP_PARTS), max_size=16))
def test_literal_jump_finds_what_finditer_finds(parts):
    text = "".join(parts)
    for regex, scan in zip(tasks._DEADLINE_RES, tasks._DEADLINE_SCANS):
        if isinstance(scan, tasks._LiteralJump):
            expected = [(m.start(), m.end()) for m in regex.finditer(text)]
            assert [(m.start(), m.end()) for m in scan.finditer(text)] == expected


@given(st.lists(st.sampled_from(["ab", "aba", "b", "ba", " ", "abab"]), max_size=12))
def test_literal_jump_resumes_after_each_match(parts):
    """Overlapping openings (``aba`` in ``ababa``): each match resumes the scan at its end."""
    regex = re.compile(r"(?:ab|ba)a?")
    text = "".join(parts)
    assert ([m.span() for m in tasks._LiteralJump(regex).finditer(text)]
            == [m.span() for m in regex.finditer(text)])


# -- excluded parts: only the title's head is folded ---------------------------------------------
def _excluded_reference(title: str) -> bool:
    """The simple code ``tasks._excluded`` replaces: the whole title folded."""
    head = " ".join(re.findall(r"[a-z0-9]+", fold(title)))
    lists = tasks._lists()
    if head.startswith(lists["with_tasks"]):
        return False
    return head.startswith(lists["excluded"])


TITLE_PARTS = ["Mục đích", "MỤC ĐÍCH", "yêu cầu", "Tổ chức thực hiện", "TỔ CHỨC THỰC HIỆN", "Kinh phí",
               "Kết quả đạt được", "kết quả đạt", "nhiệm vụ", "tình hình", "Tình hình", "đối ngoại",
               "II.", "1.", "a)", "-", ",", " ", "  ", "\n", "\u00a0", "\u0301", "Mu\u0323c đi\u0301ch",
               "thực", "hiện", "x" * 30, "ổ", "Đ", "\uac00", "\u1100\u1161", "İ", "ﬁ", "2023"]


@given(st.lists(st.sampled_from(TITLE_PARTS), max_size=14))
def test_excluded_equals_folding_the_whole_title(parts):
    title = "".join(parts)
    assert tasks._excluded(title) == _excluded_reference(title)


def test_excluded_reads_only_a_long_title_head():
    head = "Tổ chức thực hiện"
    assert tasks._head_length() == len("to chuc thuc hien")
    long_title = head + " nhiệm vụ đối ngoại" * 20
    assert tasks._head(long_title, tasks._head_length()) == "to chuc thuc hien nhiem vu"
    assert not tasks._excluded(long_title)
    assert tasks._excluded("Kinh phí thực hiện kế hoạch" + " và nguồn vốn" * 10)
    assert not tasks._excluded("Nhiệm vụ đối ngoại trong tình hình mới" + " x" * 30)
    # a head shorter than the longest kind after the cut: the whole title is folded
    assert tasks._head("1. " + "-" * 40 + " Mục đích", 17) == "1 muc dich"


# -- topic ids of the concepts found: nothing found, nothing to guard ----------------------------
def _tagged_reference(folded: str, found: set[int]) -> tuple[str, ...]:
    """The simple code of ``topics._tagged`` (no early answer for an empty ``found``)."""
    not_in, guarded = topics._not_in()
    if not_in is not None and found & guarded and not_in.search(folded):
        blanked = not_in.sub(lambda m: " " * len(m.group(0)), folded)
        found = (found - guarded) | (topics._found(blanked) & guarded)
    return tuple(topics._matchers()[order][0] for order in sorted(found))


TAG_PARTS = ["biên giới", "các tỉnh giáp biên giới", "bảo hộ công dân", "hội nhập quốc tế", "PCPNN",
             "đối ngoại", "x", " ", ", ", "\n", "các huyện biên giới", "tổ chức"]


@given(st.lists(st.sampled_from(TAG_PARTS), max_size=12),
       st.sets(st.integers(0, len(topics._matchers()) - 1), max_size=4))
def test_tagged_equals_the_plain_code(parts, extra):
    folded = fold(nfc("".join(parts)))
    found = topics._found(folded)
    for given_found in (found, set(), found | extra):
        assert topics._tagged(folded, set(given_found)) == _tagged_reference(folded, set(given_found))


def test_the_topic_scanner_is_the_compact_automaton():
    pytest.importorskip("ahocorasick_rs")
    scanner = topics._rs_scanner()
    assert scanner is not None
    # the same keys as the pyahocorasick automaton, one value each
    assert len(scanner[1]) == len(topics._automaton())
    folded = fold("Bảo hộ công dân ở các tỉnh giáp biên giới, hội nhập quốc tế")
    found = topics._found_rs(folded, scanner)
    assert len(found) >= 2 and found == topics._found_regex(folded)

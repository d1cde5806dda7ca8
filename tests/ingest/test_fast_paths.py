"""Each per-document shortcut of the extractors gives what the straightforward per-task /
per-mention code gives (written out here as the reference)."""
from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from vbgraph.ingest import agencies, localities
from vbgraph.ingest.pipeline import extract_text
from vbgraph.ingest.sections import parse_outline
from vbgraph.ingest.tasks import TaskHooks, extract_tasks, find_deadline
from vbgraph.ingest.gazetteer import match_view
from vbgraph.ingest.text import fold, nfc
from vbgraph.ingest.topics import _matchers, tag_topics

from pathlib import Path
import importlib.util as _ilu

_spec = _ilu.spec_from_file_location("ingest_oracles", Path(__file__).with_name("oracles.py"))
oracles = _ilu.module_from_spec(_spec)
_spec.loader.exec_module(oracles)


WORDS = ["bảo hộ công dân", "công dân", "thông tin đối ngoại", "đối ngoại", "ngoại giao văn hóa",
         "văn hóa", "PCPNN", "phi chính phủ nước ngoài", "xúc tiến đầu tư", "đầu tư", "biên giới",
         "lãnh thổ", "hội nghị", "hội thảo quốc tế", "tàu cá", "bắt giữ", "ngư dân", "và", "các",
         "định kỳ", "6 tháng", "trước ngày 25/5", "hằng năm", "trong quý II năm 2023", "người Việt Nam"]
SEPS = [" ", "\n", ", ", ". ", "; ", " (", ") ", "-"]


@st.composite
def task_texts(draw):
    parts = draw(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPS)), max_size=20))
    upper = draw(st.booleans())
    text = "".join(w + s for w, s in parts)
    return nfc(text.upper() if upper else text)


def _tag_topics_reference(text: str) -> tuple[str, ...]:
    """Every label tested as a whole-word substring, every pattern searched."""
    folded = fold(text)
    hay = " " + " ".join(re.findall(r"[a-z0-9]+", folded)) + " "
    return tuple(tid for tid, labels, pats in _matchers()
                 if any(f" {lab} " in hay for lab in labels) or any(p.search(folded) for p in pats))


@given(task_texts())
def test_tag_topics_equals_label_containment(text):
    assert tag_topics(text) == _tag_topics_reference(text)


def test_tag_topics_on_seed_paragraphs(seed_paths):
    for path in seed_paths.values():
        text = path.read_text(encoding="utf-8")
        for para in text.split("\n\n"):
            assert tag_topics(para) == _tag_topics_reference(para)




CUE_PARTS = ["Sở Ngoại vụ", "chủ trì", "phối hợp", "phối hợp chặt chẽ với", "phối hợp\nvới",
             "đề nghị", "giao", "tham mưu", "làm cơ quan đầu mối", "Công an tỉnh", "các sở", "để",
             "Thường xuyên"]
CUE_SEPS = [" ", ", ", "; ", ". ", ": ", "\n", "\n- ", "\na) ", "\n1. "]


@given(st.lists(st.tuples(st.sampled_from(CUE_PARTS), st.sampled_from(CUE_SEPS)), max_size=16),
       st.data())
def test_role_cues_equal_clause_by_clause_scan(parts, data):
    text = nfc("".join(w + s for w, s in parts))
    view = match_view(text)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert agencies._find_cues(text, view, start, end) == oracles.cues_reference(text, view, start, end)


def _bounds_reference(pattern, text, pos):
    start = 0
    for m in pattern.finditer(text, 0, pos):
        start = m.end()
    m = pattern.search(text, pos)
    return start, (m.start() if m else len(text))


@given(st.lists(st.sampled_from(["Lào", "Salavan", ". ", "; ", "\n\n", "\n- ", "\na) ", "\n1. ",
                                 " kết nghĩa ", "x", "? ", "!"]), max_size=25), st.data())
def test_sentence_and_clause_bounds_equal_a_scan_up_to_the_mention(parts, data):
    text = "".join(parts)
    # where a mention can start: a name opens with a letter, never with "x)" (an item label)
    starts = [m.start() for m in re.finditer(r"(?<![^\W\d_])[^\W\d_](?!\))", text)]
    if not starts:
        return
    pos = data.draw(st.sampled_from(starts))
    bounds = localities._Bounds(text)
    assert bounds.sentence(pos) == _bounds_reference(localities._SENTENCE_END, text, pos)
    s1 = bounds.sentence(pos)[1]
    assert bounds.clause_start(pos) == _bounds_reference(localities._CLAUSE_END, text[:s1], pos)[0]


def test_roles_from_document_mentions_equal_roles_found_per_task(seed_paths):
    """The pipeline finds a document's agencies once; each task's roles are the same as when
    ``roles_for_task`` searches the document itself."""
    for key in ("kien_giang", "thua_thien_hue", "lai_chau"):
        text = extract_text(seed_paths[key].read_text(encoding="utf-8"), key).text
        province = {"kien_giang": "Kiên Giang", "thua_thien_hue": "Thừa Thiên Huế",
                    "lai_chau": "Lai Châu"}[key]
        outline = parse_outline(text)
        document = agencies.document_agencies(text, province)
        calls = []

        def roles(t, a, b, heading):
            shared = agencies.roles_for_task(t, a, b, province, heading, document=document)
            alone = agencies.roles_for_task(t, a, b, province, heading)
            assert shared == alone
            calls.append(shared)
            return shared

        hooks = TaskHooks(heading_agency=lambda title: agencies.agency_heading(title, province),
                          roles=roles)
        tasks, _ = extract_tasks(text, outline, "doc:x", hooks=hooks)
        assert len(calls) == len(tasks) > 10
        assert any(lead for lead, _ in calls) and any(coop for _, coop in calls)


@given(task_texts())
def test_deadline_hint_never_hides_a_deadline(text):
    from vbgraph.ingest import tasks

    folded = fold(text)
    if not tasks._DEADLINE_HINT.search(folded):
        assert all(not list(rx.finditer(folded)) for rx in tasks._DEADLINE_RES)
    found = find_deadline(text)
    assert found is None or " ".join(found.split()) in " ".join(text.split())


@given(st.lists(st.sampled_from([0, 1, 2, 2.1, 2.2, 3, 4, 5]), max_size=40))
def test_next_marker_at_or_above_equals_a_scan(ranks):
    from vbgraph.ingest.sections import _next_not_lower

    want = [next((j for j in range(k + 1, len(ranks)) if ranks[j] <= r), -1)
            for k, r in enumerate(ranks)]
    assert _next_not_lower(ranks) == want

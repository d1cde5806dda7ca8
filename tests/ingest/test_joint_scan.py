"""The joint Aho-Corasick scan (issue #2, round 5): one pass over a squeezed view for several
key scanners gives each of them exactly what its own pass finds (its own pass, ``own_hits``,
is the oracle), and the agency, role-cue and locality results built on the shared pass equal
the ones built on separate passes (the regex scan and a fresh ``roles_for_task`` are the
oracles)."""
from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vbgraph.ingest import agencies, gazetteer, localities
from vbgraph.ingest.gazetteer import JointScanner, match_view
from vbgraph.ingest.pipeline import _hooks
from vbgraph.ingest.sections import parse_outline
from vbgraph.ingest.tasks import extract_tasks

BACKENDS = [b for b, mod in (("rs", gazetteer.ahocorasick_rs), ("py", gazetteer.ahocorasick))
            if mod is not None]
needs_a_scanner = pytest.mark.skipif(not BACKENDS, reason="no native scanner installed")


def _sorted(hits):
    return sorted(zip(*hits))


@st.composite
def key_sets(draw):
    """Two to four members' keys over a small alphabet (so that keys overlap, nest and are
    shared between members), each key's value a tuple of small ints."""
    members = []
    for _ in range(draw(st.integers(2, 4))):
        keys = draw(st.lists(st.text(" \x01ab/", min_size=1, max_size=4), min_size=1, max_size=6,
                             unique=True))
        members.append({k: tuple(draw(st.lists(st.integers(0, 9), max_size=3))) for k in keys})
    return members


@needs_a_scanner
@settings(max_examples=300)
@given(key_sets(), st.text(" \x01ab/c", max_size=60), st.sampled_from(BACKENDS or ["py"]))
def test_each_member_s_share_of_the_joint_scan_equals_its_own_scan(members, squeezed, backend):
    scanners = [gazetteer._KeyScanner(keys, backend) for keys in members]
    joint = JointScanner(scanners)
    assert all(s.joint is joint for s in scanners)
    assert all(joint.found(squeezed, m) is None for m in range(len(scanners)))     # not scanned yet
    shares = joint.scan(squeezed)
    assert len(shares) == len(scanners)
    for m, scanner in enumerate(scanners):
        own = scanner.own_hits(squeezed)
        assert _sorted(shares[m]) == _sorted(own)
        assert _sorted(scanner.hits(squeezed)) == _sorted(own)      # read from the joint scan
        found = joint.found(squeezed, m)          # the remembered share, not a new scan
        assert found is not None                   # (its lists by identity: a compiled build
        assert found[0] is shares[m][0] and found[1] is shares[m][1]   # re-boxes the tuple)


@needs_a_scanner
def test_the_joint_scan_remembers_the_last_two_views_by_value():
    scanners = [gazetteer._KeyScanner({" ab ": (1,)}, BACKENDS[0]),
                gazetteer._KeyScanner({" ab": (2,), "b/": (3,)}, BACKENDS[0])]
    joint = JointScanner(scanners)
    a, b, c = " ab ab/ ", " x ab ", " ab b/ "
    joint.scan(a)
    joint.scan(b)
    assert joint.found("".join([" ab ", "ab/ "]), 1) is not None     # an equal string serves
    joint.scan(c)
    assert joint.found(a, 0) is None and joint.found(b, 0) is not None
    assert sorted(joint.found(c, 1)[1]) == [(2,), (3,)]


def test_members_of_one_joint_scan_share_a_backend():
    if len(BACKENDS) < 2:
        pytest.skip("needs both native scanners")
    with pytest.raises(ValueError):
        JointScanner([gazetteer._KeyScanner({" a": ()}, "rs"), gazetteer._KeyScanner({" a": ()}, "py")])


@pytest.fixture(scope="module")
def documents(extracted_plans) -> list[tuple[str, str | None]]:
    return extracted_plans(15, 5)


@needs_a_scanner
def test_the_agency_cue_and_locality_scanners_are_one_joint_scan():
    joint = agencies._joint_scanner()
    assert joint is not None
    members = [agencies.pattern_index().scanner, agencies._cue_scanner(),
               localities.surface_index().scanner]
    assert [(m.joint, m.member) for m in members] == [(joint, 0), (joint, 1), (joint, 2)]


@needs_a_scanner
def test_document_scans_from_the_joint_pass_equal_separate_passes(documents):
    for text, province in documents:
        view = match_view(text)
        document = agencies.document_agencies(text, province, view=view)
        squeezed = gazetteer._squeeze(view)[0]
        members = [agencies.pattern_index().scanner, agencies._cue_scanner(),
                   localities.surface_index().scanner]
        for m, scanner in enumerate(members):
            assert scanner.joint.found(squeezed, m) is not None          # the scan is remembered
            assert _sorted(scanner.hits(squeezed)) == _sorted(scanner.own_hits(squeezed))
        # the cue starts kept with the mentions: the regex scan's
        expected = tuple(m.start() for m in agencies._cue_start_regex().finditer(view))
        assert document.cue_starts == expected and expected
        # the locality and agency matches: each pattern's own scan (short of the automaton)
        for index in (agencies.pattern_index(), localities.surface_index()):
            assert [(i, m.span()) for i, m in index.matches(view)] == \
                [(i, m.span()) for i, m in index._matches_by_scan(view)]


def test_short_views_keep_their_own_scans():
    document = agencies.document_agencies("Sở Ngoại vụ chủ trì, phối hợp với Công an tỉnh.", "Kiên Giang")
    assert document.squeezed is None and document.cue_starts is None


def test_task_roles_with_the_joint_cue_starts_equal_roles_found_per_task(documents):
    """The roles of every task through ``TaskRoles`` (cue starts from the joint scan) equal
    ``roles_for_task`` finding the document's agencies again and scanning every cue regex."""
    calls = 0
    for text, province in documents[:8]:
        outline = parse_outline(text)
        hooks = _hooks(text, province, [], match_view(text))
        bound = hooks.bind_roles()
        assert bound.document.cue_starts is not None

        def roles(t, a, b, heading, bound=bound, province=province):
            nonlocal calls
            got = bound(t, a, b, heading)
            assert got == agencies.roles_for_task(t, a, b, province, heading)
            calls += 1
            return got

        extract_tasks(text, outline, "doc:x", hooks=dataclasses.replace(hooks, bind_roles=lambda r=roles: r))
    assert calls > 50

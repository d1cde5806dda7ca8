"""Seed corpus: every cited document, as written down by reading each seed (golden/)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from vbgraph.ingest.citations import (
    CitationContext,
    extract_citations,
    find_citations,
    resolve_in_document,
)

GOLDEN = Path(__file__).parent / "golden"
KEYS = ["kien_giang", "thua_thien_hue", "khanh_hoa", "lai_chau", "hau_giang"]


def _load(key: str) -> dict:
    return json.loads((GOLDEN / f"{key}.json").read_text(encoding="utf-8"))


def _context(golden: dict) -> CitationContext:
    c = golden["context"]
    return CitationContext(province=c["province"], year=c["year"], number=c["number"])


def _summary(text: str, ctx: CitationContext) -> dict[str, dict]:
    records = extract_citations(text, lambda _pos: "", ctx)
    found = {(c.start, c.end): c for c in resolve_in_document(find_citations(text, ctx))}
    out: dict[str, dict] = {}
    for r in records:
        entry = out.setdefault(r.id, {"number": None, "type": None, "date": None,
                                      "issuer_code": None, "relations": set()})
        entry["number"] = entry["number"] or r.number
        entry["type"] = entry["type"] or r.type
        entry["date"] = entry["date"] or r.date
        entry["issuer_code"] = entry["issuer_code"] or found[(r.start, r.end)].issuer_code
        entry["relations"].add(r.relation.value)
    return out


@pytest.mark.parametrize("key", KEYS)
def test_seed_matches_golden(key, seed_paths):
    golden = _load(key)
    text = seed_paths[key].read_text(encoding="utf-8")
    got = _summary(text, _context(golden))
    want = golden["cited"]
    assert set(got) == set(want), (sorted(set(got) - set(want)), sorted(set(want) - set(got)))
    for doc_id, fields in want.items():
        g = got[doc_id]
        assert g["number"] == fields["number"], doc_id
        assert g["type"] == fields["type"], doc_id
        assert g["date"] == fields["date"], doc_id
        assert g["issuer_code"] == fields["issuer_code"], doc_id
        assert g["relations"] == set(fields["relations"]), doc_id


def test_corpus_facts(seed_paths):
    """272-QĐ/TW is cited by Kiên Giang, Thừa Thiên Huế and Hậu Giang; 38-CT/TW by four seeds."""
    citing: dict[str, set[str]] = {}
    for key in KEYS:
        golden = _load(key)
        text = seed_paths[key].read_text(encoding="utf-8")
        for r in extract_citations(text, lambda _pos: "", _context(golden)):
            citing.setdefault(r.id, set()).add(key)
    assert citing["doc:qd-272-tw-2015"] == {"kien_giang", "thua_thien_hue", "hau_giang"}
    assert citing["doc:ct-38-tw-2014"] == {"kien_giang", "thua_thien_hue", "lai_chau", "hau_giang"}


@pytest.mark.parametrize("key", KEYS)
def test_seed_spans_and_sections(key, seed_paths):
    text = seed_paths[key].read_text(encoding="utf-8")
    sections = []

    def section_at(pos: int) -> str:
        sections.append(pos)
        return f"s{pos // 1000}"

    records = extract_citations(text, section_at, _context(_load(key)))
    assert records
    for r in records:
        assert text[r.start:r.end] == r.surface
        assert r.section == f"s{r.start // 1000}"
        if r.number:
            assert r.number.replace(" ", "") == r.number
    assert sections == [r.start for r in records]


def test_self_reference_dropped(seed_paths):
    text = seed_paths["hau_giang"].read_text(encoding="utf-8")
    with_ctx = extract_citations(text, lambda _p: "", CitationContext("Hậu Giang", 2020,
                                                                      "1112/KH-UBND"))
    without = extract_citations(text, lambda _p: "", CitationContext("Hậu Giang", 2020))
    assert "doc:kh-1112-ubnd-hau-giang-2020" in {r.id for r in without}
    assert "doc:kh-1112-ubnd-hau-giang-2020" not in {r.id for r in with_ctx}
    assert len(without) == len(with_ctx) + 1

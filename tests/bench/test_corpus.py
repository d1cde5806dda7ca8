"""The scale corpus generator (bench/corpus.py): determinism, streaming output, realism, and
that the ingest pipeline recovers the generated ground truth."""
from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import corpus  # bench/ is on sys.path: tests/bench/conftest.py
N = 20


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    corpus.write_corpus(out, N, seed=11)
    return out


@pytest.fixture(scope="module")
def truths(generated) -> list[dict]:
    return list(corpus.read_truth(generated))


@pytest.fixture(scope="module")
def extracted(generated, truths):
    from vbgraph.ingest.pipeline import extract_file
    return [extract_file(generated / t["path"]) for t in truths]


def test_deterministic_by_seed(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    corpus.write_corpus(a, 8, seed=5)
    corpus.write_corpus(b, 8, seed=5)
    corpus.write_corpus(c, 8, seed=6)
    files = sorted(p.relative_to(a) for p in a.rglob("*.txt"))
    assert files == sorted(p.relative_to(b) for p in b.rglob("*.txt"))
    for f in files:
        assert (a / f).read_bytes() == (b / f).read_bytes()
    assert (a / "truth.jsonl").read_text() == (b / "truth.jsonl").read_text()
    assert (a / "truth.jsonl").read_text() != (c / "truth.jsonl").read_text()


@settings(max_examples=15)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 6))
def test_prefix_stable_and_well_formed(seed, n):
    """Document i does not depend on how many follow (streaming), texts are NFC, ids unique."""
    import unicodedata
    docs = list(corpus.iter_documents(n, seed))
    longer = list(corpus.iter_documents(n + 2, seed))
    assert [d.text for d in docs] == [d.text for d in longer[:n]]
    ids = [d.truth["id"] for d in longer if d.truth["id"]]
    assert len(ids) == len(set(ids))
    for d in docs:
        flat = " ".join(d.text.split())
        assert unicodedata.normalize("NFC", d.text) == d.text
        assert d.truth["layout"] in dict(corpus.LAYOUTS)
        for m in d.truth["mentions"]:
            assert m["id"] in d.truth["citations"]
            if m["spelling"] == "canonical":
                assert " ".join(m["text"].split()) in flat  # portal lines wrap
        # no mention of a document issued after the plan
        for cid in d.truth["citations"]:
            year = re.search(r"-(\d{4})$", cid)
            assert year is None or int(year.group(1)) <= d.truth["year"]


@settings(max_examples=40)
@given(seed=st.integers(0, 10_000))
def test_variant_numbers_still_parse_to_the_same_document(seed):
    """Every variant spelling the generator writes is one the citation grammar reads back."""
    import random

    from vbgraph.ingest.citations import parse_symbol
    rng = random.Random(seed)
    entry = rng.choice(corpus.load_vocab().grammar["cited"])
    variant = corpus._variant_number(entry["number"], rng)
    want, got = parse_symbol(entry["number"]), parse_symbol(variant)
    assert got is not None, variant
    assert (got.number, got.year) == (want.number, want.year)


def test_artefacts_present(generated, truths):
    texts = {t["layout"]: (generated / t["path"]).read_text(encoding="utf-8") for t in truths}
    assert "portal" in texts and "news" in texts
    portal = texts["portal"]
    assert "\n|\n" in portal and portal.startswith("ỦY\nBAN NHÂN DÂN\n")
    assert re.search(r"^Số: \d+/KH-UBND$", portal, re.M)
    big = list(corpus.iter_documents(200, 11))
    layouts = Counter(d.truth["layout"] for d in big)
    assert set(layouts) == {"portal", "paragraph", "headerless", "draft", "news"}
    draft = next(d.text for d in big if d.truth["layout"] == "draft")
    assert "Số: /KH-UBND" in draft and re.search(r"ngày  tháng \d+ năm", draft)
    news = next(d.text for d in big if d.truth["layout"] == "news")
    assert news.startswith("Chi tiet tin tức") and "Đang online:" in news
    spellings = Counter(m["spelling"] for d in big for m in d.truth["mentions"])
    assert spellings["variant"] > 0 and spellings["short"] > 0 and spellings["canonical"] > 0
    # Zipf-like: 272-QĐ/TW in most plans, the long tail in few
    cites = Counter(c for d in big for c in d.truth["citations"])
    plans = sum(1 for d in big if d.truth["citations"])
    assert cites["doc:qd-272-tw-2015"] > 0.6 * plans
    assert cites.most_common()[-1][1] < 0.1 * plans
    provinces = {d.truth["province"] for d in big}
    assert len(provinces) > 40


def test_extractor_recovers_ground_truth(truths, extracted):
    """On a sample: ids, provinces, citations, lead/co-operating agencies, partners."""
    errors = {}
    for t, doc in zip(truths, extracted, strict=True):
        diff = corpus.compare(doc, t)
        if diff:
            errors[t["path"]] = diff
    assert not errors, json.dumps(errors, ensure_ascii=False, indent=1)[:3000]
    assert sum(len(t["citations"]) for t in truths) > 5 * N
    assert sum(len(t["lead"]) for t in truths) > 3 * N


def test_compare_reports_real_differences(truths, extracted):
    t, doc = next((t, d) for t, d in zip(truths, extracted) if t["citations"] and t["lead"])
    broken = dict(t, citations=t["citations"][1:] + ["doc:qd-999-tw-2015"],
                  lead=t["lead"][1:], partners=t["partners"] + ["locality:salavan-x"])
    diff = corpus.compare(doc, broken)
    assert diff["citations"]["missing"] == ["doc:qd-999-tw-2015"]
    assert diff["citations"]["extra"] == [t["citations"][0]]
    assert diff["lead"]["extra"] == [t["lead"][0]]
    assert "locality:salavan-x" in diff["partners"]["missing"]


def test_cli_writes_meta(tmp_path):
    assert corpus.main(["--docs", "3", "--seed", "2", "--out", str(tmp_path)]) == 0
    meta = json.loads((tmp_path / "meta.json").read_text())
    assert meta["docs"] == 3 and sum(meta["layouts"].values()) == 3
    assert len((tmp_path / "truth.jsonl").read_text().splitlines()) == 3

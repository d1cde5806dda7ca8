"""bench/baselines.py: the grep and FTS5 baselines and their scoring against ground truth."""
from __future__ import annotations


import baselines  # bench/ is on sys.path: tests/bench/conftest.py


def test_grep_and_fts_on_variant_spellings(tmp_path):
    files = {"a.txt": "theo Quyết định số 272-QĐ/TW ngày 21/01/2015",
             "b.txt": "theo Quyết định 272 - QĐ/TW của Bộ Chính trị",
             "c.txt": "Quyết định số 272-QD/TW",
             "d.txt": "Quyết định số 272-\nQĐ/TW",
             "e.txt": "Quyết định số 1272-QĐ/TW"}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    paths = sorted(files)
    assert baselines.grep_scan(tmp_path, paths, "272-QĐ/TW") == {"a.txt", "e.txt"}
    fts = baselines.FtsIndex()
    fts.add(tmp_path, paths)
    # FTS tokenises: spaces and line breaks do not matter, QD vs QĐ and 1272 vs 272 do
    assert fts.search("272-QĐ/TW") == {"a.txt", "b.txt", "d.txt"}
    assert baselines.fts_phrase("12/2012/NĐ-CP") == '"12 2012 NĐ CP"'


def test_run_scores_against_truth(tmp_path):
    import corpus
    corpus.write_corpus(tmp_path, 20, seed=4)
    rows = baselines.run(tmp_path, None, 5)
    summary = rows[-1]
    assert summary["docs"] == 20 and summary["queries"] >= 3
    for k in ("grep", "fts5"):
        s = summary[k]
        assert s["found"] + s["missed"] == summary["truth_pairs"]
        assert s["missed"] >= s["missed_variant_only"]
    # grep is never more tolerant than FTS5 on these spellings
    assert summary["grep"]["found"] <= summary["fts5"]["found"]

"""Baselines for "which plans cite X" on a generated corpus, scored against its ground truth.

    python bench/baselines.py --corpus /tmp/vbscale/c10k [--graph-extracted /tmp/vbscale/x10k.jsonl]

* ``grep``: what ``grep -rlF '272-QĐ/TW' docs/`` does — a literal scan of every file per query
  (done in Python over the same files, reading from the page cache, so both sides pay the same I/O);
* ``fts5``: a plain SQLite FTS5 index (``unicode61`` tokenizer, diacritics removed) over the
  files, queried with the number as a phrase (``"272 QĐ TW"``): tolerant of spaces and line
  breaks, not of ``QD``/``QĐ`` (``Đ`` is a letter, not a ``D`` with a mark) nor of short forms;
* ``vbgraph``: ``EmbeddedGraphStore.cites`` over the extracted corpus (when
  ``--graph-extracted`` is given).

For each of the cited documents of ``bench/data/corpus_grammar.json`` the truth is the set of
generated documents whose ``citations`` contain it; reported: answers found, missed (with how
many of the missed plans spelled the number as a variant or a short form only), false hits,
and query time. A plan counts as found if the answer lists its file (grep/FTS) or its id (graph).
"""
from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402

__all__ = ["FtsIndex", "fts_phrase", "grep_scan", "truth_by_cited"]


def truth_by_cited(root: Path) -> tuple[dict[str, set[str]], dict[str, dict[str, str]], list[dict]]:
    """``cited id -> set of paths`` citing it, ``cited id -> path -> spellings``, and the rows."""
    cited: dict[str, set[str]] = defaultdict(set)
    spell: dict[str, dict[str, str]] = defaultdict(dict)
    rows = list(corpus.read_truth(root))
    for t in rows:
        for m in t["mentions"]:
            cited[m["id"]].add(t["path"])
            prev = spell[m["id"]].get(t["path"])
            # a plan is only as findable as its best spelling: canonical beats variant/short
            if prev != "canonical":
                spell[m["id"]][t["path"]] = m["spelling"] if prev is None or m["spelling"] == \
                    "canonical" else prev
    return cited, spell, rows


def grep_scan(root: Path, paths: list[str], needle: str) -> set[str]:
    """``grep -rlF needle``: the files containing the literal string."""
    hits = set()
    for p in paths:
        if needle in (root / p).read_text(encoding="utf-8"):
            hits.add(p)
    return hits


_TOKEN = re.compile(r"\w+", re.UNICODE)


def fts_phrase(number: str) -> str:
    return '"' + " ".join(_TOKEN.findall(number)) + '"'


class FtsIndex:
    """A plain SQLite FTS5 table (path, body)."""

    def __init__(self, db: str = ":memory:") -> None:
        self.con = sqlite3.connect(db)
        self.con.execute("CREATE VIRTUAL TABLE IF NOT EXISTS docs USING fts5("
                         "path UNINDEXED, body, tokenize='unicode61 remove_diacritics 2')")

    def add(self, root: Path, paths: list[str]) -> None:
        with self.con:
            self.con.executemany("INSERT INTO docs(path, body) VALUES (?, ?)",
                                 ((p, (root / p).read_text(encoding="utf-8")) for p in paths))

    def search(self, number: str) -> set[str]:
        rows = self.con.execute("SELECT path FROM docs WHERE docs MATCH ?", (fts_phrase(number),))
        return {r[0] for r in rows}


def _score(found: set[str], truth: set[str], spell: dict[str, str]) -> dict[str, Any]:
    missed = truth - found
    return {"found": len(found & truth), "missed": len(missed),
            "missed_variant_only": sum(1 for p in missed if spell.get(p) == "variant"),
            "missed_short_only": sum(1 for p in missed if spell.get(p) == "short"),
            "false_hits": len(found - truth)}


def run(root: Path, extracted: Path | None, limit_queries: int) -> list[dict[str, Any]]:
    grammar = corpus.load_vocab().grammar
    cited, spell, rows = truth_by_cited(root)
    paths = [t["path"] for t in rows]
    id_to_path = {t["id"]: t["path"] for t in rows if t["id"]}
    for p in paths:   # page cache warm for both baselines
        (root / p).read_bytes()
    t0 = time.perf_counter()
    fts = FtsIndex()
    fts.add(root, paths)
    fts_build = time.perf_counter() - t0
    store = None
    path_of_source: dict[str, str] = {}
    if extracted is not None:
        from bench_scale import load_extracted
        from vbgraph.graph.embedded import EmbeddedGraphStore

        import bench_scale_patches
        bench_scale_patches.apply(ingest=False)
        store = EmbeddedGraphStore()
        for doc in load_extracted(extracted):
            store.upsert_document(doc)
            path_of_source[doc.document.id] = str(Path(doc.source).relative_to(root))
    out = []
    totals: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for entry in grammar["cited"][:limit_queries]:
        truth = cited.get(entry["id"], set())
        if not truth:
            continue
        row: dict[str, Any] = {"cited": entry["number"], "truth": len(truth)}
        t0 = time.perf_counter()
        g = grep_scan(root, paths, entry["number"])
        row["grep"] = {**_score(g, truth, spell[entry["id"]]),
                       "ms": round((time.perf_counter() - t0) * 1000, 1)}
        t0 = time.perf_counter()
        f = fts.search(entry["number"])
        row["fts5"] = {**_score(f, truth, spell[entry["id"]]),
                       "ms": round((time.perf_counter() - t0) * 1000, 2)}
        if store is not None:
            t0 = time.perf_counter()
            res = store.cites(entry["number"], limit=1_000_000)  # every citing plan, not one page
            ms = (time.perf_counter() - t0) * 1000
            found = {path_of_source.get(p["id"]) or id_to_path.get(p["id"], p["id"])
                     for p in res["plans"]}
            row["vbgraph"] = {**_score(found, truth, spell[entry["id"]]), "ms": round(ms, 2)}
        for k in ("grep", "fts5", "vbgraph"):
            if k in row:
                for field, v in row[k].items():
                    totals[k][field] += v
        totals["truth"]["truth"] += len(truth)
        out.append(row)
    summary = {"bench": "baselines", "corpus": str(root), "docs": len(rows),
               "queries": len(out), "fts5_build_s": round(fts_build, 1),
               "truth_pairs": int(totals["truth"]["truth"])}
    for k in ("grep", "fts5", "vbgraph"):
        if k in totals:
            t = totals[k]
            summary[k] = {f: (round(v / len(out), 2) if f == "ms" else int(v))
                          for f, v in t.items()}
            summary[k]["ms_per_query"] = summary[k].pop("ms")
            summary[k]["recall"] = round(t["found"] / totals["truth"]["truth"], 4)
    return [*out, summary]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--graph-extracted", type=Path, default=None)
    ap.add_argument("--queries", type=int, default=25)
    ap.add_argument("--results", type=Path, default=None)
    args = ap.parse_args(argv)
    rows = run(args.corpus, args.graph_extracted, args.queries)
    for row in rows:
        line = json.dumps(row, ensure_ascii=False)
        print(line)
    if args.results:
        with args.results.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(rows[-1], ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

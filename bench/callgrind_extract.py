"""Steady-state instruction profile of the extraction (noise-free, unlike timings on a shared VM).

    valgrind --tool=callgrind --collect-atstart=no --toggle-collect=starmap_next \\
        --callgrind-out-file=OUT python bench/callgrind_extract.py [ROUNDS]

Warms up on the seeds (tables, compiled patterns, automata), then extracts them ROUNDS times
through ``itertools.starmap``, whose C function ``starmap_next`` is the callgrind toggle: only the
extraction is counted. Instructions per document = callgrind's "Collected" / (ROUNDS * 5);
``callgrind_annotate OUT`` ranks the functions. The agency-heading memo is emptied before each
document, as ``bench_extract.py`` does.
"""
from __future__ import annotations

import itertools
import os
import sys
from pathlib import Path

from vbgraph.ingest import agencies
from vbgraph.ingest.pipeline import extract_text

SEEDS = Path(os.environ.get("VBGRAPH_SEEDS", Path(__file__).resolve().parents[1].parent / "shared" / "seeds"))


def _one(text: str, name: str) -> None:
    agencies.agency_heading.cache_clear()
    extract_text(text, name)


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    texts = [(p.read_text(encoding="utf-8"), p.name) for p in sorted(SEEDS.glob("*.txt"))]
    for _ in range(2):
        for text, name in texts:
            _one(text, name)
    for _ in itertools.starmap(_one, texts * rounds):
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

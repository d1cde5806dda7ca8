"""Throughput of the ingest pipeline over the seed corpus (one core, in process).

    python bench/bench_extract.py [--rounds N] [--batches B] [--stage all|parse] [--breakdown]

``parse`` times this package's own parsers (outline, header, tasks) without the sibling
extractors; ``all`` times ``extract_text`` (everything). Reports documents/s and MB/s over all
rounds, and the best, median and worst of ``B`` batches (CPU time).
``--breakdown`` also times each stage of ``extract_text`` on its own (CPU ms per document,
the least of three batches: the same calls the pipeline makes, each stage's inputs prepared
beforehand).
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

SEEDS = Path(os.environ.get("VBGRAPH_SEEDS", Path(__file__).resolve().parents[1].parent / "shared" / "seeds"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--batches", type=int, default=5, help="time the rounds in this many batches")
    parser.add_argument("--stage", choices=("all", "parse"), default="all")
    parser.add_argument("--breakdown", action="store_true", help="time each stage on its own")
    parser.add_argument("--warm-memos", action="store_true",
                        help="keep the memos that outlive a document across documents")
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

    # the five seeds repeat: a memo that outlives a document (agency_heading's, keyed by the
    # heading text) would hit on every round, as no real corpus does. It is emptied before
    # each document, so every document pays for its own headings (--warm-memos: kept).
    memos = [] if args.warm_memos else _cross_document_memos()

    def extract_all(text: str, name: str) -> None:
        _clear(memos)
        extract_text(text, name)

    run = extract_all if args.stage == "all" else parse_only
    for name, text in texts:  # warm caches (data tables, compiled patterns)
        run(text, name)
    size = sum(len(t.encode("utf-8")) for _, t in texts)
    start, cpu_start = time.perf_counter(), time.process_time()
    batch_cpu: list[float] = []     # CPU seconds per batch of ``rounds // batches`` rounds
    per_batch = max(1, args.rounds // args.batches)
    done = 0
    while done < args.rounds:
        n = min(per_batch, args.rounds - done)
        t0 = time.process_time()
        for _ in range(n):
            for name, text in texts:
                run(text, name)
        batch_cpu.append((time.process_time() - t0) / n)      # per round
        done += n
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    docs = args.rounds * len(texts)
    print(f"build: {_build()}")
    print(f"stage={args.stage} docs={docs} bytes={size * args.rounds} time={elapsed:.3f}s "
          f"-> {docs / elapsed:.1f} docs/s, {size * args.rounds / elapsed / 1e6:.2f} MB/s "
          f"(mean seed {size / len(texts) / 1024:.1f} KiB); cpu={cpu:.3f}s -> "
          f"{docs / cpu:.1f} docs/s, {size * args.rounds / cpu / 1e6:.2f} MB/s on one core")
    # a shared machine slows some batches down (other tenants); the fastest batch is what the
    # code costs (timeit's reasoning), the median what a run of this length met
    rates = sorted(len(texts) / b for b in batch_cpu)
    print(f"per batch of {per_batch} rounds ({len(rates)} batches, CPU): best {rates[-1]:.1f}, "
          f"median {statistics.median(rates):.1f}, worst {rates[0]:.1f} docs/s")
    if args.breakdown:
        for name, ms in _breakdown([t for _, t in texts], args.rounds, memos).items():
            print(f"  {name:12s} {ms:6.2f} ms/doc")
    return 0


def _clear(memos: list) -> None:
    for memo in memos:
        memo.cache_clear()


def _cross_document_memos() -> list:
    """The extraction memos keyed by text that outlive one document."""
    from vbgraph.ingest import agencies

    return [f for f in (getattr(agencies, "agency_heading", None),) if hasattr(f, "cache_clear")]


def _build() -> str:
    """Which build of the extraction modules runs: ``compiled`` (mypyc extensions, as
    ``VBGRAPH_COMPILE=1 pip install .`` makes them, of the modules ``[tool.vbgraph.compile]``
    in pyproject.toml lists) or ``interpreted``."""
    import importlib
    import tomllib

    listed = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(
        encoding="utf-8"))["tool"]["vbgraph"]["compile"]["modules"]
    names = ["vbgraph." + m.removesuffix(".py").replace("/", ".") for m in listed]
    compiled = [n for n in names if not importlib.import_module(n).__file__.endswith(".py")]
    if not compiled:
        return "interpreted (pure Python)"
    return f"compiled with mypyc ({len(compiled)} of the {len(names)} modules listed)"


def _breakdown(texts: list[str], rounds: int, memos: list) -> dict[str, float]:
    """CPU ms per document of each stage of ``extract_text``, in pipeline order."""
    from vbgraph.ingest import pipeline as P

    cit, loc, ag = P._optional("citations"), P._optional("localities"), P._optional("agencies")
    clean = [P.clean_text(t) for t in texts]
    outlines = [P.parse_outline(t) for t in clean]
    headers = [P.parse_header(t, o) for t, o in zip(clean, outlines)]
    views = [P.match_view(t) for t in clean]
    docs = list(zip(clean, outlines, headers, views))
    hooks = [P._hooks(t, h.province, [], v) for t, o, h, v in docs]
    stages = {
        "clean": lambda: [P.clean_text(t) for t in texts],
        "outline": lambda: [P.parse_outline(t) for t in clean],
        "header": lambda: [P.parse_header(t, o) for t, o, h, v in docs],
        "citations": lambda: [cit.extract_citations(t, o.section_at, cit.CitationContext(
            province=h.province, year=h.year, number=h.number)) for t, o, h, v in docs],
        "view": lambda: [P.match_view(t) for t in clean],
        "agencies": lambda: [ag.document_agencies(t, h.province, view=v) for t, o, h, v in docs],
        "tasks": lambda: [(_clear(memos), P.extract_tasks(t, o, "doc:bench", plan_title=h.title, hooks=k))
                          for (t, o, h, v), k in zip(docs, hooks)],
        "localities": lambda: [loc.find_localities(t, o.section_at, h.province, view=v)
                               for t, o, h, v in docs],
    }
    out: dict[str, float] = {}
    for name, run in stages.items():
        run()
        batches = []
        for _ in range(3):         # the least disturbed of three batches (a shared machine)
            cpu = time.process_time()
            for _ in range(rounds):
                run()
            batches.append((time.process_time() - cpu) / (rounds * len(texts)) * 1000)
        out[name] = min(batches)
    out["sum"] = sum(out.values())
    return out


if __name__ == "__main__":
    sys.exit(main())

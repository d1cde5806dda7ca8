"""``vbgraph search QUERY``: hybrid (vector + BM25) search over indexed tasks."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "search", help="search tasks (semantic + lexical)",
        description="Search the tasks of the ingested plans. Vietnamese with or without "
                    "diacritics, abbreviations (PCPNN, NVNONN, KTXH) and English all work.")
    p.add_argument("query", metavar="QUERY")
    p.add_argument("-k", type=int, default=10, help="number of results (default 10)")
    p.add_argument("--province", help="only plans of this province (Kiên Giang / kien giang)")
    p.add_argument("--agency", help="only tasks assigned to this agency (name, part of a name, "
                                    "or agency id)")
    p.add_argument("--role", choices=("lead", "cooperate"),
                   help="with --agency: the agency's role; alone: tasks with an agency in it")
    p.add_argument("--topic", help="topic id or slug")
    p.add_argument("--year", type=int, help="year of the plan")
    p.add_argument("--type", dest="document_type", help="document type (Kế hoạch, Quyết định …)")
    p.add_argument("--mode", choices=("hybrid", "vector", "bm25"), default="hybrid")
    p.add_argument("--model", help="embedding model the index was built with (default: the "
                                   "stored one; VBGRAPH_EMBED_MODEL)")
    p.add_argument("--data-dir", type=Path, help="data directory (default: $VBGRAPH_HOME or "
                                                 "./.vbgraph)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.set_defaults(func=run)
    # ``vbgraph model convert`` (builds the default embedder's model folder)
    from . import model

    model.register(subparsers)


def run(args: argparse.Namespace) -> int:
    from vbgraph.search.base import ModelMismatchError, SearchFilters
    from vbgraph.search.store import default_data_dir, open_index

    if args.k <= 0:
        print("vbgraph search: -k must be positive", file=sys.stderr)
        return 2
    data_dir = args.data_dir or default_data_dir()
    try:
        index = open_index(data_dir, model=args.model)
    except (FileNotFoundError, ModelMismatchError) as exc:
        print(f"vbgraph search: {exc}", file=sys.stderr)
        return 2
    filters = SearchFilters(province=args.province, agency=args.agency, role=args.role,
                            document_type=args.document_type, year=args.year, topic=args.topic)
    hits = index.search(args.query, k=args.k, filters=filters, mode=args.mode)
    if args.json:
        json.dump(hits, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    if not hits:
        print("no matching tasks")
        return 0
    for rank, hit in enumerate(hits, 1):
        doc = hit["document"]
        where = ", ".join(x for x in (doc.get("number"), doc.get("province"), doc.get("date")) if x)
        print(f"{rank:>2}. [{hit['score']:.4f}] {hit['task_id']}  ({where})  §{hit['section']}")
        text = hit["text"]
        print("    " + (text if len(text) <= 300 else text[:297] + "…"))
        if hit["lead"]:
            print("    chủ trì: " + "; ".join(hit["lead"]))
        if hit["cooperate"]:
            print("    phối hợp: " + "; ".join(hit["cooperate"]))
    return 0

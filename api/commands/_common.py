"""Options every store command shares: ``--data-dir``, ``--store``, ``--json``."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_common", "fail", "open_workspace", "print_json"]


def add_common(parser: argparse.ArgumentParser, *, json_flag: bool = True) -> None:
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="data directory (default: $VBGRAPH_HOME or ./.vbgraph)")
    parser.add_argument("--store", choices=("embedded", "neo4j"), default=None,
                        help="graph store (default: $VBGRAPH_STORE or embedded; neo4j reads "
                             "NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD)")
    if json_flag:
        parser.add_argument("--json", action="store_true", help="print JSON")


def open_workspace(args: argparse.Namespace, *, index: bool = False) -> Any:
    from ...api.service import Workspace

    return Workspace(args.data_dir, store=args.store, index=index)


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def fail(command: str, message: str, code: int = 1) -> int:
    print(f"vbgraph {command}: {message}", file=sys.stderr)
    return code

"""Options every store command shares: ``--data-dir``, ``--store``, ``--json``."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["MAX_PAGE", "add_common", "add_paging", "fail", "open_workspace", "print_json"]

#: largest page a command or the HTTP API returns
MAX_PAGE = 500


def add_common(parser: argparse.ArgumentParser, *, json_flag: bool = True) -> None:
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="data directory (default: $VBGRAPH_HOME or ./.vbgraph)")
    parser.add_argument("--store", choices=("embedded", "neo4j"), default=None,
                        help="graph store (default: $VBGRAPH_STORE or embedded; neo4j reads "
                             "NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD)")
    if json_flag:
        parser.add_argument("--json", action="store_true", help="print JSON")


def _page_size(text: str) -> int:
    value = int(text)
    if not 0 < value <= MAX_PAGE:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_PAGE}")
    return value


def _offset(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be ≥ 0")
    return value


def add_paging(parser: argparse.ArgumentParser, default: int) -> None:
    """``--limit`` (1…MAX_PAGE) and ``--offset`` (≥ 0) of a ranked or paged answer."""
    parser.add_argument("--limit", type=_page_size, default=default,
                        help=f"how many results (default {default}, at most {MAX_PAGE})")
    parser.add_argument("--offset", type=_offset, default=0, help="skip this many results")


def open_workspace(args: argparse.Namespace, *, index: bool = False) -> Any:
    from ...api.service import Workspace

    return Workspace(args.data_dir, store=args.store, index=index)


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def fail(command: str, message: str, code: int = 1) -> int:
    print(f"vbgraph {command}: {message}", file=sys.stderr)
    return code

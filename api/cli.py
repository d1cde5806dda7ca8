"""The ``vbgraph`` command.

Each command group lives in ``api/commands/<name>.py`` and exposes ``register(subparsers)``;
this module only assembles them. Commands call ``ingest``/``graph``/``search`` through
``api.service`` and print; they hold no logic of their own.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# command modules, in the order ``vbgraph --help`` lists them
COMMAND_MODULES = ("extract", "store", "search", "model", "serve")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vbgraph",
        description="Knowledge graph and semantic search over Vietnamese directives and plans.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"{__package__}.commands.{name}")
        except ModuleNotFoundError as exc:  # a command group not written yet
            if exc.name and exc.name.endswith(f"commands.{name}"):
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("vbgraph: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

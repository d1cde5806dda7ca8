"""``vbgraph serve``: the HTTP API and the web explorer (uvicorn)."""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _default_data_dir() -> Path:
    return Path(os.environ.get("VBGRAPH_HOME") or ".vbgraph")


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "serve",
        help="serve the HTTP API (/docs) and the web explorer (/)",
        description=("Serve the HTTP API (OpenAPI docs at /docs) and the web explorer at /. "
                     "Reads are open; uploads (POST /documents) need VBGRAPH_API_TOKEN."),
    )
    p.add_argument("--host", default=DEFAULT_HOST,
                   help=f"interface to bind (default {DEFAULT_HOST}; 0.0.0.0 exposes it)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT,
                   help=f"TCP port (default {DEFAULT_PORT})")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="data directory (default $VBGRAPH_HOME or ./.vbgraph)")
    p.add_argument("--store", choices=("embedded", "neo4j"), default=None,
                   help="graph store (default $VBGRAPH_STORE or embedded)")
    p.add_argument("--no-index", action="store_true",
                   help="serve without the search index (graph queries only)")
    p.add_argument("--cors-origin", action="append", default=[], metavar="ORIGIN",
                   help="allow cross-origin requests from ORIGIN (repeatable; off by default)")
    p.add_argument("--max-upload-mb", type=float, default=20.0,
                   help="largest accepted upload in MB (default 20)")
    p.add_argument("--log-level", default="info",
                   choices=("critical", "error", "warning", "info", "debug"))
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from ..http import create_app

    data_dir = args.data_dir or _default_data_dir()
    logging.basicConfig(level=args.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(
        data_dir,
        store=args.store,
        index=not args.no_index,
        max_upload_bytes=int(args.max_upload_mb * 1024 * 1024),
        cors_origins=tuple(args.cors_origin),
    )
    # open the workspace now so a bad data dir fails at start, not on the first request
    try:
        app.state.workspace_holder.get()
    except Exception as exc:  # noqa: BLE001 - report any opening failure as one line
        print(f"vbgraph serve: cannot open {data_dir}: {exc}", file=sys.stderr)
        return 2
    print(f"vbgraph: serving {data_dir} on http://{args.host}:{args.port}/ "
          f"(API docs at /docs)", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level,
                access_log=False)
    return 0

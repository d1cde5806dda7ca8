"""Locate the task index a ``Workspace`` saved in a data dir.

Contract: ``<data_dir>/manifest.json`` has key ``"index"``: the index directory's name,
relative to ``data_dir`` (the Workspace swaps directories in atomically and rewrites the
manifest). The default data dir is every command's: ``$VBGRAPH_HOME``, else ``./.vbgraph``.
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the index (FAISS, BM25) is imported only when one is opened
    from .index import TaskIndex

ENV_DATA_DIR = "VBGRAPH_HOME"
DEFAULT_DATA_DIR = ".vbgraph"
MANIFEST = "manifest.json"


def default_data_dir() -> Path:
    """``$VBGRAPH_HOME``, else ``./.vbgraph``: the one default every command and the Workspace use."""
    return Path(os.environ.get(ENV_DATA_DIR) or DEFAULT_DATA_DIR)


def index_dir(data_dir: Path) -> Path:
    data_dir = Path(data_dir)
    manifest = data_dir / MANIFEST
    if not manifest.exists():
        raise FileNotFoundError(f"no vbgraph data at {data_dir} (missing {MANIFEST}); "
                                f"ingest documents first")
    name = json.loads(manifest.read_text(encoding="utf-8")).get("index")
    if not name:
        raise FileNotFoundError(f"{manifest} names no task index (key 'index')")
    return data_dir / name


def open_index(data_dir: Path, model: str | None = None) -> TaskIndex:
    from .index import TaskIndex

    return TaskIndex.load(index_dir(data_dir), model=model)

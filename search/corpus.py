"""Turning files into ``ExtractedDocument`` for indexing, benches and tests.

Uses the ingest pipeline (``vbgraph.ingest.pipeline.extract_file``) when it is installed;
otherwise :func:`paragraph_document`, a plain paragraph splitter (one task per list item or
paragraph, no agencies/metadata) so search can be built and measured before ingest lands.
"""
from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from pathlib import Path

from ..ingest.text import nfc
from ..ontology.records import DocumentMeta, ExtractedDocument, Task

_ITEM_START = re.compile(r"^\s*(?:[IVX]+\.|\d+(?:\.\d+)*\.?|[a-zđ]\)|[-+•*–])\s")
MIN_TASK_CHARS = 40


#: set to ``paragraphs`` to force the fallback even when the pipeline is installed
ENV_EXTRACTION = "VBGRAPH_SEARCH_EXTRACTION"


def pipeline_available() -> bool:
    if os.environ.get(ENV_EXTRACTION) == "paragraphs":
        return False
    try:
        from ..ingest.pipeline import extract_file  # noqa: F401
    except ImportError:
        return False
    return True


def paragraph_document(path: Path, doc_id: str | None = None) -> ExtractedDocument:
    """Fallback extraction: each list item / paragraph of ≥ 40 chars is a task."""
    raw = Path(path).read_bytes()
    text = nfc(raw.decode("utf-8"))
    doc_id = doc_id or "doc:file-" + hashlib.sha256(raw).hexdigest()[:12]
    tasks: list[Task] = []
    start = None
    pos = 0
    spans: list[tuple[int, int]] = []
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if not stripped or _ITEM_START.match(line) or stripped == "|":
            if start is not None:
                spans.append((start, pos))
            start = None if (not stripped or stripped == "|") else pos
        elif start is None:
            start = pos
        pos += len(line)
    if start is not None:
        spans.append((start, pos))
    for s, e in spans:
        body = text[s:e]
        lead = len(body) - len(body.lstrip())
        s, e = s + lead, s + len(body.rstrip())
        joined = " ".join(text[s:e].split())
        if len(joined) >= MIN_TASK_CHARS:
            tasks.append(Task(id=f"{doc_id}#t{len(tasks) + 1}", section="", text=joined,
                              start=s, end=e))
    return ExtractedDocument(source=str(path), sha256=hashlib.sha256(raw).hexdigest(),
                             text=text, document=DocumentMeta(id=doc_id), tasks=tuple(tasks))


def extract_documents(paths: Iterable[Path], *,
                      use_pipeline: bool | None = None) -> list[ExtractedDocument]:
    paths = [Path(p) for p in paths]
    if use_pipeline is None:
        use_pipeline = pipeline_available()
    if use_pipeline:
        from ..ingest.pipeline import extract_file

        return [extract_file(p) for p in paths]
    return [paragraph_document(p) for p in paths]

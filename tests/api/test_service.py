"""Workspace behaviour the HTTP and CLI layers rely on."""
from __future__ import annotations

import shutil

from vbgraph.api.service import Workspace


def test_the_same_bytes_under_another_name_are_one_document(tmp_path, seed_paths):
    src = tmp_path / "in"
    src.mkdir()
    first = src / "kien_giang.txt"
    shutil.copyfile(seed_paths["kien_giang"], first)
    ws = Workspace(tmp_path / "data", index=False)
    report = ws.ingest([first])
    assert len(report.added) == 1

    copy = src / "copy-of-kien-giang.txt"
    shutil.copyfile(first, copy)
    again = Workspace(tmp_path / "data", index=False).ingest([copy])
    assert not again.added and not again.updated
    assert again.unchanged == ({"id": report.added[0]["id"], "source": str(copy),
                                "duplicate_of": str(first)},)
    assert again.counts == report.counts

"""Fixtures of the HTTP API tests: one workspace (graph + search index) built from the five seeds
per test session, in a temporary data dir; read-only tests share it, write tests get a copy.

Fixture names start with ``http_`` so they cannot clash with the store CLI tests' fixtures."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

TOKEN = "test-token-doi-ngoai-7f3a"  # HTTP headers carry latin-1: tokens are ASCII


def _build_seed_data_dir(base: Path, seeds: dict[str, Path]) -> Path:
    """Ingest the seeds once per session into ``<basetemp>/vbgraph-seeds`` (shared with the
    browser tests, which build it the same way when run alone)."""
    data_dir = base / "vbgraph-seeds"
    marker = base / "vbgraph-seeds.built"
    if not marker.exists():
        try:
            from vbgraph.api.service import Workspace
        except ImportError as exc:
            pytest.fail(f"the seed workspace needs vbgraph.api.service.Workspace: {exc}")

        if data_dir.exists():
            shutil.rmtree(data_dir)
        workspace = Workspace(data_dir, index=True)
        report = workspace.ingest(sorted(seeds.values()))
        close = getattr(workspace, "close", None)
        if close:
            close()
        marker.write_text(repr(report), encoding="utf-8")
    return data_dir


@pytest.fixture(scope="session")
def http_seed_data_dir(tmp_path_factory: pytest.TempPathFactory,
                       seed_paths: dict[str, Path]) -> Path:
    return _build_seed_data_dir(tmp_path_factory.getbasetemp(), seed_paths)


@pytest.fixture(scope="session")
def http_workspace(http_seed_data_dir: Path):
    from vbgraph.api.service import Workspace

    return Workspace(http_seed_data_dir, index=True)


@pytest.fixture(scope="session")
def http_client(http_workspace) -> Iterator:
    from fastapi.testclient import TestClient
    from vbgraph.api.http import create_app

    app = create_app(http_workspace, token=TOKEN)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture()
def http_writable(tmp_path: Path, http_seed_data_dir: Path):
    """A private copy of the seed data dir, its workspace and a client with the write token."""
    from fastapi.testclient import TestClient
    from vbgraph.api.http import create_app
    from vbgraph.api.service import Workspace

    data_dir = tmp_path / "data"
    shutil.copytree(http_seed_data_dir, data_dir,
                    ignore=shutil.ignore_patterns("*.lock", "lock"))
    workspace = Workspace(data_dir, index=True)
    app = create_app(workspace, token=TOKEN, max_upload_bytes=256 * 1024)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield data_dir, workspace, client

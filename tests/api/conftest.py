"""Fixtures of the HTTP API tests: one workspace (graph + search index) built from the five seeds
per test session, in a temporary data dir; read-only tests share it, write tests get a copy.

Fixture names start with ``http_`` so they cannot clash with the store CLI tests' fixtures."""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

TOKEN = "test-token-doi-ngoai-7f3a"  # HTTP headers carry latin-1: tokens are ASCII


@pytest.fixture(scope="session")
def http_seed_data_dir(seed_data_dir: Path) -> Path:
    return seed_data_dir


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

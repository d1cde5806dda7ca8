"""The Bolt test server: auth behaviour, restart, and the store over it."""
from __future__ import annotations

import pytest

from vbgraph.graph.testing import BoltTestServer

pytestmark = pytest.mark.bolt


def test_auth_none_works_and_credentials_are_refused() -> None:
    from neo4j import GraphDatabase
    from neo4j.exceptions import Neo4jError, ServiceUnavailable

    from vbgraph.graph.neo4j_store import _bolt_poke

    with BoltTestServer() as srv:
        with GraphDatabase.driver(srv.uri, auth=None, connection_acquisition_timeout=5) as d:
            with d.session() as s:
                assert s.execute_read(lambda tx: tx.run("RETURN 1 AS x").single()["x"]) == 1
        _bolt_poke(srv.uri)
        with GraphDatabase.driver(srv.uri, auth=("neo4j", "x"),
                                  connection_acquisition_timeout=5) as d:
            with pytest.raises((Neo4jError, ServiceUnavailable)):
                with d.session() as s:
                    s.run("RETURN 1 AS x").consume()


def test_stop_and_start_again_keeps_serving() -> None:
    from vbgraph.graph.neo4j_store import Neo4jGraphStore
    from vbgraph.graph.testing import sample_documents

    with BoltTestServer() as srv:
        store = Neo4jGraphStore(srv.uri)
        store.upsert_document(sample_documents()[0])
        assert store.counts()["nodes"] > 0
        store.close()
        srv.stop()
        assert not srv.running
        srv.start()  # same ports, empty (no persistence)
        store = Neo4jGraphStore(srv.uri)
        assert store.counts() == {"nodes": 0, "edges": 0}
        store.close()

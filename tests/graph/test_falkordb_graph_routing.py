"""Which graph a Bolt statement reaches on FalkorDB 4.16, and that the store's indexes land on
the graph its data is in (graph/ddl.py's module doc).

Measured facts pinned here: the Bolt database name is not honoured. Explicit transactions (all
of ``Neo4jGraphStore``'s reads and writes) reach one graph whatever the name; an auto-commit
statement sent with a database name reaches another. DDL sent that way had left the data graph
without indexes, so every MERGE by id scanned its label and the sync slowed as the graph grew.
If a FalkorDB release starts honouring the name, the first test fails and says so.
"""
from __future__ import annotations

import uuid
from typing import Any

import pytest

pytestmark = pytest.mark.bolt


def _ids_in_tx(driver: Any, database: str | None, label: str) -> set[str]:
    with driver.session(database=database) as s:
        return set(s.execute_read(
            lambda tx: [r["id"] for r in tx.run(f"MATCH (n:{label}) RETURN n.id AS id")]))


def test_auto_commit_with_a_database_name_reaches_another_graph_than_transactions(
        bolt_driver: Any) -> None:
    label = f"Probe{uuid.uuid4().hex[:8]}"
    name = f"d{uuid.uuid4().hex[:8]}"
    try:
        with bolt_driver.session(database=name) as s:
            s.run(f"CREATE (:{label} {{id: 'auto'}})").consume()
            s.execute_write(lambda tx: tx.run(f"CREATE (:{label} {{id: 'tx'}})").consume())
        with bolt_driver.session() as s:
            s.run(f"CREATE (:{label} {{id: 'auto-no-name'}})").consume()
        # a transaction under any name sees the transaction's node and the nameless auto-commit
        assert _ids_in_tx(bolt_driver, name, label) == {"tx", "auto-no-name"}
        assert _ids_in_tx(bolt_driver, f"x{name}", label) == {"tx", "auto-no-name"}
        assert _ids_in_tx(bolt_driver, None, label) == {"tx", "auto-no-name"}
        # the named auto-commit went elsewhere: an auto-commit read under another name sees it
        with bolt_driver.session(database=f"y{name}") as s:
            seen = {r["id"] for r in s.run(f"MATCH (n:{label}) RETURN n.id AS id")}
        assert seen == {"auto"}
    finally:
        with bolt_driver.session(database=name) as s:
            s.run(f"MATCH (n:{label}) DELETE n").consume()
            s.execute_write(lambda tx: tx.run(f"MATCH (n:{label}) DELETE n").consume())


def test_store_indexes_are_on_the_graph_its_data_is_in(bolt_driver: Any) -> None:
    from vbgraph.graph.ddl import _falkordb_indexed
    from vbgraph.graph.neo4j_store import Neo4jGraphStore
    from vbgraph.ontology.vocab import NodeLabel

    store = Neo4jGraphStore(driver=bolt_driver, database=f"t{uuid.uuid4().hex[:12]}")
    assert store.flavour == "falkordb"
    with bolt_driver.session(database=store.database) as s:
        rows = s.execute_read(lambda tx: tx.run("CALL db.indexes()").data())
    indexed = {(r["label"], p) for r in rows for p in r["properties"]}
    assert {(label.value, "id") for label in NodeLabel} <= indexed
    assert {("Document", "number_key"), ("Document", "yearless")} <= indexed
    assert _falkordb_indexed(bolt_driver, store.database) == indexed
    # a second store on the same server finds them and creates nothing
    again = Neo4jGraphStore(driver=bolt_driver, database=f"t{uuid.uuid4().hex[:12]}")
    assert again.ddl_applied == []

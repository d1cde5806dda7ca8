"""Neo4j-only DDL lives in one module and is applied only on Neo4j."""
from __future__ import annotations

import pytest

from vbgraph.graph import ddl
from vbgraph.ontology.vocab import NodeLabel


def test_neo4j_statements_cover_every_label() -> None:
    stmts = ddl.neo4j_statements()
    for label in NodeLabel:
        assert any(f"FOR (n:{label.value}) REQUIRE n.id IS UNIQUE" in s for s in stmts)
    assert all("IF NOT EXISTS" in s for s in stmts)
    assert any(s.startswith("CREATE FULLTEXT INDEX") for s in stmts)
    assert not any("VECTOR" in s for s in stmts)
    vec = ddl.neo4j_statements(vector_dim=384)
    assert any("`vector.dimensions`: 384" in s for s in vec)
    with pytest.raises(ValueError):
        ddl.neo4j_statements(vector_dim=0)


class _Info:
    def __init__(self, agent: str) -> None:
        self.agent = agent


class _Session:
    def __init__(self, log: list[str], components: list[str] | None) -> None:
        self.log, self.components = log, components

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def run(self, query: str, *args, **kwargs):
        self.log.append(query)
        if "dbms.components" in query:
            if self.components is None:
                raise RuntimeError("unknown procedure")
            return [{"name": n} for n in self.components]
        return self

    def execute_read(self, work):
        self.log.append("<tx>")
        return work(self)

    execute_write = execute_read

    def consume(self):
        return None

    def data(self):
        return []


class FakeDriver:
    def __init__(self, agent: str, components: list[str] | None) -> None:
        self.agent, self.components, self.log = agent, components, []

    def get_server_info(self):
        return _Info(self.agent)

    def session(self, database=None):
        return _Session(self.log, self.components)


def test_applied_on_neo4j_only() -> None:
    neo = FakeDriver("Neo4j/5.20.0", ["Neo4j Kernel"])
    flavour, applied = ddl.apply_schema(neo)
    assert flavour == "neo4j" and applied == ddl.neo4j_statements()
    assert all(s in neo.log for s in applied)
    # FalkorDB also says "Neo4j/5.x" but has no dbms.components: no constraints sent
    falkor = FakeDriver("Neo4j/5.13.0", None)
    flavour, applied = ddl.apply_schema(falkor)
    assert flavour == "falkordb"
    assert not any("CONSTRAINT" in q for q in falkor.log)
    assert applied == [s for _, s in ddl.falkordb_statements()] + [
        s for _, _, s in ddl.falkordb_extra_statements()]
    # each index statement (and the index listing) in a transaction: FalkorDB routes named
    # auto-commit statements to another graph than the store's transactions
    for stmt in applied:
        assert falkor.log[falkor.log.index(stmt) - 1] == "<tx>"
    assert falkor.log[falkor.log.index("CALL db.indexes()") - 1] == "<tx>"
    other = FakeDriver("Memgraph/2.0", None)
    assert ddl.apply_schema(other) == ("unknown", [])
    assert not other.log


@pytest.mark.bolt
def test_falkordb_indexes_created_once(bolt_driver) -> None:
    db = "ddltest"
    flavour, applied = ddl.apply_schema(bolt_driver, db)
    assert flavour == "falkordb"
    assert all(s.startswith("CREATE INDEX FOR (n:") for s in applied)
    flavour, applied = ddl.apply_schema(bolt_driver, db)  # a second run adds nothing
    assert applied == []
    with bolt_driver.session(database=db) as s:  # where the store's transactions look
        labels = {r["label"] for r in s.execute_read(
            lambda tx: tx.run("CALL db.indexes()").data())}
    assert {label.value for label in NodeLabel} <= labels

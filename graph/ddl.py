"""Schema statements: THE one place for server-specific DDL.

* **Neo4j** (detected by its agent string *and* ``dbms.components()`` — FalkorDB also
  announces itself as ``Neo4j/5.x`` over Bolt but has no ``dbms.components``): uniqueness
  constraints on ``id`` for every label, full-text indexes over task text and entity names, and
  optionally a vector index over task embeddings.
* **FalkorDB**: plain range indexes on ``id`` (``CREATE INDEX FOR (n:L) ON (n.id)``, measured to
  work; no constraints), created only when missing (a repeated ``CREATE INDEX`` is an error that
  also breaks the connection). They are created and listed inside transactions, like every read
  and write of the store: FalkorDB 4.16's Bolt layer does not honour the database name —
  explicit transactions, and auto-commit statements sent without one, go to the graph
  ``falkordb``; an auto-commit statement sent *with* a database name goes to a graph literally
  named ``db`` (measured, ``tests/graph/test_falkordb_graph_routing.py``). DDL sent auto-commit
  with a database name therefore indexed an empty graph while the data stayed unindexed: every
  ``MERGE``/``MATCH`` by id was a label scan, and a sync slowed down as the graph grew.
* anything else: nothing.
"""
from __future__ import annotations

from typing import Any

from ..ontology.vocab import NodeLabel

__all__ = ["apply_schema", "falkordb_statements", "neo4j_statements", "server_flavour"]

NEO4J = "neo4j"
FALKORDB = "falkordb"
UNKNOWN = "unknown"


def neo4j_statements(vector_dim: int | None = None) -> list[str]:
    """Neo4j-only DDL (idempotent: ``IF NOT EXISTS``)."""
    out = [
        f"CREATE CONSTRAINT vbgraph_{label.value.lower()}_id IF NOT EXISTS "
        f"FOR (n:{label.value}) REQUIRE n.id IS UNIQUE"
        for label in NodeLabel
    ]
    out.append("CREATE INDEX vbgraph_task_owner IF NOT EXISTS FOR (n:Task) ON (n.owner)")
    out.append("CREATE INDEX vbgraph_document_yearless IF NOT EXISTS "
               "FOR (n:Document) ON (n.yearless)")
    out.append("CREATE INDEX vbgraph_document_number_key IF NOT EXISTS "
               "FOR (n:Document) ON (n.number_key)")
    out.append("CREATE FULLTEXT INDEX vbgraph_task_text IF NOT EXISTS "
               "FOR (n:Task) ON EACH [n.text]")
    out.append("CREATE FULLTEXT INDEX vbgraph_names IF NOT EXISTS "
               "FOR (n:Agency|Province|Locality|Topic|AgencyKind) ON EACH [n.name]")
    out.append("CREATE FULLTEXT INDEX vbgraph_documents IF NOT EXISTS "
               "FOR (n:Document) ON EACH [n.number, n.title]")
    if vector_dim is not None:
        dim = int(vector_dim)
        if not 0 < dim <= 4096:
            raise ValueError(f"vector dimension out of range: {vector_dim}")
        out.append(
            "CREATE VECTOR INDEX vbgraph_task_embedding IF NOT EXISTS FOR (n:Task) "
            f"ON n.embedding OPTIONS {{indexConfig: {{`vector.dimensions`: {dim}, "
            "`vector.similarity_function`: 'cosine'}}")
    return out


def falkordb_statements() -> list[tuple[NodeLabel, str]]:
    return [(label, f"CREATE INDEX FOR (n:{label.value}) ON (n.id)") for label in NodeLabel]


def falkordb_extra_statements() -> list[tuple[NodeLabel, str, str]]:
    """Further FalkorDB range indexes: ``(label, property, statement)``."""
    return [(NodeLabel.DOCUMENT, "yearless",
             "CREATE INDEX FOR (n:Document) ON (n.yearless)"),
            (NodeLabel.DOCUMENT, "number_key",
             "CREATE INDEX FOR (n:Document) ON (n.number_key)")]


def server_flavour(driver: Any, database: str | None = None) -> str:
    """``"neo4j"``, ``"falkordb"`` or ``"unknown"`` for a connected driver."""
    agent = driver.get_server_info().agent or ""
    if not agent.startswith("Neo4j/"):
        return UNKNOWN
    try:
        with driver.session(database=database) as session:
            names = [r["name"] for r in session.run(
                "CALL dbms.components() YIELD name RETURN name")]
        return NEO4J if any("Neo4j" in n for n in names) else UNKNOWN
    except Exception:  # noqa: BLE001 - FalkorDB answers dbms.components with an error
        return FALKORDB


def _falkordb_indexed(driver: Any, database: str | None) -> set[tuple[str, str]]:
    try:
        with driver.session(database=database) as session:
            rows = session.execute_read(lambda tx: tx.run("CALL db.indexes()").data())
    except Exception:  # noqa: BLE001
        return set()
    out = set()
    for row in rows:
        label = row.get("label")
        for prop in row.get("properties") or []:
            out.add((label, prop))
    return out


def apply_schema(driver: Any, database: str | None = None, *,
                 vector_dim: int | None = None) -> tuple[str, list[str]]:
    """Apply the DDL the server supports; returns ``(flavour, statements applied)``."""
    flavour = server_flavour(driver, database)
    applied: list[str] = []
    if flavour == NEO4J:
        with driver.session(database=database) as session:
            for stmt in neo4j_statements(vector_dim):
                session.run(stmt).consume()
                applied.append(stmt)
    elif flavour == FALKORDB:
        have = _falkordb_indexed(driver, database)
        with driver.session(database=database) as session:
            todo = [(label, "id", stmt) for label, stmt in falkordb_statements()]
            todo += falkordb_extra_statements()
            for label, prop, stmt in todo:
                if (label.value, prop) in have:
                    continue
                # in a transaction, as the store's reads and writes: FalkorDB 4.16's Bolt layer
                # sends an auto-commit statement with a database name to another graph than
                # transactions (module doc), and the indexes must be on the data's graph
                session.execute_write(lambda tx, stmt=stmt: tx.run(stmt).consume())
                applied.append(stmt)
    return flavour, applied

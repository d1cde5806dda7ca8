"""Every Cypher statement vbgraph sends, as query builders.

Labels and relationship types cannot be query parameters, so builders interpolate them — but
only values of :class:`NodeLabel`/:class:`EdgeType` (checked), and property names only from the
fixed tuples in this package (checked against an identifier pattern). User data travels as
parameters (``$rows``, ``$ids``, ``$id``) and nowhere else.

The dialect is portable openCypher (UNWIND, MERGE, MATCH, OPTIONAL MATCH, SET, DELETE, DETACH
DELETE, WITH, collect, parameters): it runs on Neo4j and on FalkorDB (which has no
``shortestPath``, no constraints and no EXISTS subqueries — path finding is a BFS in Python over
:func:`adjacent`).
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from ..ontology.vocab import EdgeType, NodeLabel

__all__ = [
    "BATCH_SIZE", "adjacent", "cited", "citing", "citing_count", "citing_page", "mentions",
    "numbered", "topic_assignments", "count_edges", "count_nodes", "create_nodes",
    "delete_all", "delete_nodes", "delete_owned", "delete_owned_edges", "documents", "fill_nodes",
    "gc_candidates", "get_nodes", "merge_edges", "merge_nodes", "nodes_with_label",
    "replace_nodes", "stub_document", "task_assignments", "all_edges",
    "delete_isolated", "cites_page", "agency_evidence_totals", "agency_evidence_tasks",
    "task_evidence", "tasks_with_documents", "province_spellings",
]

#: rows per UNWIND batch
BATCH_SIZE = 1000

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _label(label: NodeLabel) -> str:
    if not isinstance(label, NodeLabel):
        raise TypeError(f"not a NodeLabel: {label!r}")
    return label.value


def _type(etype: EdgeType) -> str:
    if not isinstance(etype, EdgeType):
        raise TypeError(f"not an EdgeType: {etype!r}")
    return etype.value


def _prop(name: str) -> str:
    if not _IDENT.match(name):
        raise ValueError(f"not a property identifier: {name!r}")
    return name


# -- writes ------------------------------------------------------------------------------------
def merge_nodes(label: NodeLabel) -> str:
    """Shared nodes: merge on id, update properties. ``$rows: [{id, props}]``."""
    return f"UNWIND $rows AS r MERGE (n:{_label(label)} {{id: r.id}}) SET n += r.props"


def replace_nodes(label: NodeLabel) -> str:
    """A node whose properties are replaced wholesale (an ingested document)."""
    return f"UNWIND $rows AS r MERGE (n:{_label(label)} {{id: r.id}}) SET n = r.props"


def fill_nodes(label: NodeLabel, fields: Sequence[str]) -> str:
    """Merge on id, set only the properties still missing (cited-document stubs)."""
    sets = ", ".join(f"n.{_prop(f)} = coalesce(n.{_prop(f)}, r.props.{_prop(f)})" for f in fields)
    return f"UNWIND $rows AS r MERGE (n:{_label(label)} {{id: r.id}}) SET {sets}"


def create_nodes(label: NodeLabel) -> str:
    """Owned nodes (just deleted): create. ``$rows: [{props}]``."""
    return f"UNWIND $rows AS r CREATE (n:{_label(label)}) SET n = r.props"


def merge_edges(source: NodeLabel, etype: EdgeType, target: NodeLabel) -> str:
    """``$rows: [{source, target, key, props}]``; the edge is identified by its key."""
    return (f"UNWIND $rows AS r MATCH (a:{_label(source)} {{id: r.source}}) "
            f"MATCH (b:{_label(target)} {{id: r.target}}) "
            f"MERGE (a)-[e:{_type(etype)} {{key: r.key}}]->(b) SET e += r.props")


def delete_owned() -> list[str]:
    """Delete what documents ``$ids`` own: assignments, tasks, then their own edges."""
    doc = _label(NodeLabel.DOCUMENT)
    return [
        f"UNWIND $ids AS i MATCH (d:{doc} {{id: i}})-[:{_type(EdgeType.HAS_TASK)}]->"
        f"(t:{_label(NodeLabel.TASK)})-[:{_type(EdgeType.HAS_ASSIGNMENT)}]->"
        f"(a:{_label(NodeLabel.ASSIGNMENT)}) DETACH DELETE a",
        f"UNWIND $ids AS i MATCH (d:{doc} {{id: i}})-[:{_type(EdgeType.HAS_TASK)}]->"
        f"(t:{_label(NodeLabel.TASK)}) DETACH DELETE t",
        delete_owned_edges(),
    ]


def delete_owned_edges() -> str:
    return (f"UNWIND $ids AS i MATCH (d:{_label(NodeLabel.DOCUMENT)} {{id: i}})-[e]->() "
            f"WHERE e.owner = i DELETE e")


def stub_document(fields: Sequence[str]) -> str:
    """Turn ingested documents ``$ids`` back into cited stubs (drop ingest-only properties)."""
    removes = ", ".join(f"d.{_prop(f)}" for f in fields)
    return (f"UNWIND $ids AS i MATCH (d:{_label(NodeLabel.DOCUMENT)} {{id: i}}) "
            f"SET d.ingested = false REMOVE {removes}")


def gc_candidates(label: NodeLabel) -> str:
    """Owners of the edges around each candidate: ``id, ingested, locality_kind, owners, deg``."""
    return (f"UNWIND $ids AS i MATCH (n:{_label(label)} {{id: i}}) "
            f"OPTIONAL MATCH (n)-[e]-() "
            f"RETURN n.id AS id, n.ingested AS ingested, n.locality_kind AS locality_kind, "
            f"collect(e.owner) AS owners, count(e) AS deg")


def delete_nodes(label: NodeLabel) -> str:
    return f"UNWIND $ids AS i MATCH (n:{_label(label)} {{id: i}}) DETACH DELETE n"


def delete_isolated(label: NodeLabel) -> str:
    return (f"UNWIND $ids AS i MATCH (n:{_label(label)} {{id: i}}) "
            f"OPTIONAL MATCH (n)-[e]-() WITH n, count(e) AS deg WHERE deg = 0 DELETE n")


def delete_all() -> str:
    return "MATCH (n) DETACH DELETE n"


# -- reads -------------------------------------------------------------------------------------
def documents(ingested_only: bool) -> str:
    where = " WHERE n.ingested = true" if ingested_only else ""
    return f"MATCH (n:{_label(NodeLabel.DOCUMENT)}){where} RETURN properties(n) AS p"


def get_nodes(label: NodeLabel) -> str:
    return f"UNWIND $ids AS i MATCH (n:{_label(label)} {{id: i}}) RETURN properties(n) AS p"


def nodes_with_label(label: NodeLabel) -> str:
    return f"MATCH (n:{_label(label)}) RETURN properties(n) AS p"


def adjacent(label: NodeLabel) -> str:
    """Edges around ``$ids`` with the node at the other end."""
    return (f"UNWIND $ids AS i MATCH (n:{_label(label)} {{id: i}})-[e]-(m) "
            f"RETURN startNode(e).id AS source, endNode(e).id AS target, type(e) AS type, "
            f"properties(e) AS ep, labels(m) AS ml, properties(m) AS mp")


def citing() -> str:
    doc = _label(NodeLabel.DOCUMENT)
    return (f"UNWIND $ids AS i MATCH (c:{doc})-[e:{_type(EdgeType.CITES)}]->(d:{doc} {{id: i}}) "
            f"RETURN c.id AS source, d.id AS target, properties(e) AS ep, properties(c) AS np")


def cited() -> str:
    doc = _label(NodeLabel.DOCUMENT)
    return (f"MATCH (d:{doc} {{id: $id}})-[e:{_type(EdgeType.CITES)}]->(c:{doc}) "
            f"RETURN d.id AS source, c.id AS target, properties(e) AS ep, properties(c) AS np")


def numbered() -> str:
    """Documents whose id carries the number ``$key`` (indexed ``number_key``)."""
    return (f"MATCH (n:{_label(NodeLabel.DOCUMENT)}) WHERE n.number_key = $key "
            f"RETURN properties(n) AS p")


def citing_count() -> str:
    """How many distinct documents cite one of ``$ids``: ``RETURN n``."""
    doc = _label(NodeLabel.DOCUMENT)
    return (f"MATCH (c:{doc})-[:{_type(EdgeType.CITES)}]->(d:{doc}) WHERE d.id IN $ids "
            f"RETURN count(DISTINCT c) AS n")


def citing_page() -> str:
    """One page of the distinct documents citing ``$ids``, by date (undated last) then id."""
    doc = _label(NodeLabel.DOCUMENT)
    return (f"MATCH (c:{doc})-[:{_type(EdgeType.CITES)}]->(d:{doc}) WHERE d.id IN $ids "
            f"WITH DISTINCT c WITH c, coalesce(c.date, '9999') AS k "
            f"ORDER BY k, c.id SKIP $offset LIMIT $limit RETURN properties(c) AS p")


def mentions() -> str:
    """CITES edges from ``$plans`` into ``$ids``."""
    doc = _label(NodeLabel.DOCUMENT)
    return (f"UNWIND $plans AS p MATCH (c:{doc} {{id: p}})-[e:{_type(EdgeType.CITES)}]->"
            f"(d:{doc}) WHERE d.id IN $ids "
            f"RETURN c.id AS source, d.id AS target, properties(e) AS ep")


def _assignment_rows(match: str, tagged: bool) -> str:
    return (f"{match}-[:{_type(EdgeType.HAS_ASSIGNMENT)}]->(a:{_label(NodeLabel.ASSIGNMENT)})"
            f"-[:{_type(EdgeType.ASSIGNED_TO)}]->(g:{_label(NodeLabel.AGENCY)}) "
            f"OPTIONAL MATCH (d:{_label(NodeLabel.DOCUMENT)} {{id: t.document}}) "
            f"RETURN DISTINCT t.id AS task, g.id AS agency, a.role AS role, "
            f"{'true' if tagged else 'false'} AS tagged, d.province AS doc_province, "
            f"g.province AS agency_province")


def topic_assignments() -> str:
    """Light rows for every assignment of a task tagged with one of the topics ``$ids``."""
    return _assignment_rows(
        f"UNWIND $ids AS i MATCH (:{_label(NodeLabel.TOPIC)} {{id: i}})"
        f"<-[:{_type(EdgeType.HAS_TOPIC)}]-(t:{_label(NodeLabel.TASK)})", True)


def task_assignments() -> str:
    """Light rows for every assignment of the tasks ``$ids`` (semantic-search hits)."""
    return _assignment_rows(
        f"UNWIND $ids AS i MATCH (t:{_label(NodeLabel.TASK)} {{id: i}})", False)


def all_edges(etype: EdgeType) -> str:
    return (f"MATCH (a)-[e:{_type(etype)}]->(b) "
            f"RETURN a.id AS source, b.id AS target, properties(e) AS ep")


def count_nodes() -> str:
    return "MATCH (n) RETURN count(n) AS c"


def count_edges() -> str:
    return "MATCH ()-[e]->() RETURN count(e) AS c"


def append_node_property(label: NodeLabel, prop: str) -> str:
    """Append ``$chunk`` to a string property (servers that cap a statement's parameter size)."""
    return (f"MATCH (n:{_label(label)} {{id: $id}}) "
            f"SET n.{_prop(prop)} = n.{_prop(prop)} + $chunk")


def append_edge_property(source: NodeLabel, etype: EdgeType, target: NodeLabel, prop: str) -> str:
    return (f"MATCH (a:{_label(source)} {{id: $source}})-[e:{_type(etype)} {{key: $key}}]->"
            f"(b:{_label(target)} {{id: $target}}) SET e.{_prop(prop)} = e.{_prop(prop)} + $chunk")


def delete_edges(source: NodeLabel, etype: EdgeType, target: NodeLabel) -> str:
    """``$rows: [{source, target, key}]``."""
    return (f"UNWIND $rows AS r MATCH (a:{_label(source)} {{id: r.source}})"
            f"-[e:{_type(etype)} {{key: r.key}}]->(b:{_label(target)} {{id: r.target}}) DELETE e")


def touched_by() -> list[str]:
    """Shared nodes documents ``$ids`` reach through what they own (garbage candidates when
    they are replaced or removed): ``RETURN id``."""
    doc, task = _label(NodeLabel.DOCUMENT), _label(NodeLabel.TASK)
    return [
        f"UNWIND $ids AS i MATCH (d:{doc} {{id: i}})-[e]->(x) WHERE e.owner = i "
        f"RETURN DISTINCT x.id AS id",
        f"UNWIND $ids AS i MATCH (d:{doc} {{id: i}})-[:{_type(EdgeType.HAS_TASK)}]->(t:{task})"
        f"-[:{_type(EdgeType.HAS_TOPIC)}]->(x) RETURN DISTINCT x.id AS id",
        f"UNWIND $ids AS i MATCH (d:{doc} {{id: i}})-[:{_type(EdgeType.HAS_TASK)}]->(t:{task})"
        f"-[:{_type(EdgeType.HAS_ASSIGNMENT)}]->(a)-[:{_type(EdgeType.ASSIGNED_TO)}]->(x) "
        f"RETURN DISTINCT x.id AS id",
    ]


def dated_documents() -> str:
    """``$keys`` (yearless ids) → the documents filed under them: ``RETURN key, id``."""
    return (f"UNWIND $keys AS k MATCH (d:{_label(NodeLabel.DOCUMENT)} {{yearless: k}}) "
            f"RETURN k AS key, d.id AS id")


def cites_written_as() -> str:
    """CITES edges into ``$ids`` written for the yearless reference ``$key``, not already at
    ``$target``."""
    doc = _label(NodeLabel.DOCUMENT)
    return (f"UNWIND $ids AS i MATCH (a:{doc})-[e:{_type(EdgeType.CITES)}]->(b:{doc} {{id: i}}) "
            f"WHERE e.cited_as = $key AND b.id <> $target "
            f"RETURN a.id AS source, b.id AS target, properties(e) AS ep")


def assignment_counts() -> str:
    """How many assignments each agency in ``$ids`` has: ``RETURN id, n``."""
    return (f"UNWIND $ids AS i MATCH (g:{_label(NodeLabel.AGENCY)} {{id: i}})"
            f"<-[:{_type(EdgeType.ASSIGNED_TO)}]-(a) RETURN i AS id, count(a) AS n")


# -- server-side answers (one query per step, paged on the server) ------------------------------
def cites_page() -> str:
    """The page of distinct documents citing ``$ids`` (by date, undated last, then id) with
    ``total`` and each one's CITES edges into ``$ids``: ``RETURN total, p, eps``. No row when
    the page is empty (then :func:`citing_count` gives the total)."""
    doc, cites = _label(NodeLabel.DOCUMENT), _type(EdgeType.CITES)
    return (f"UNWIND $ids AS i MATCH (d:{doc} {{id: i}})<-[:{cites}]-(c:{doc}) "
            f"WITH DISTINCT c WITH collect(c) AS cs WITH cs, size(cs) AS total "
            f"UNWIND cs AS c WITH total, c, coalesce(c.date, '9999') AS k "
            f"ORDER BY k, c.id SKIP $offset LIMIT $limit "
            f"MATCH (c)-[e:{cites}]->(d:{doc}) WHERE d.id IN $ids "
            f"RETURN total, properties(c) AS p, collect(properties(e)) AS eps")


def _in_provinces(filtered: bool) -> str:
    return (" WHERE d.province IN $provinces OR g.province IN $provinces" if filtered else "")


def _topic_evidence(filtered: bool) -> str:
    """(task, agency, assignment) rows of tasks tagged with ``$topics``, optionally kept only
    where the task's document or the agency is in one of ``$provinces`` (spellings)."""
    return (f"UNWIND $topics AS i MATCH (:{_label(NodeLabel.TOPIC)} {{id: i}})"
            f"<-[:{_type(EdgeType.HAS_TOPIC)}]-(t:{_label(NodeLabel.TASK)})"
            f"-[:{_type(EdgeType.HAS_ASSIGNMENT)}]->(a:{_label(NodeLabel.ASSIGNMENT)})"
            f"-[:{_type(EdgeType.ASSIGNED_TO)}]->(g:{_label(NodeLabel.AGENCY)}) "
            + (f"OPTIONAL MATCH (d:{_label(NodeLabel.DOCUMENT)})"
               f"-[:{_type(EdgeType.HAS_TASK)}]->(t) WITH t, a, g, d{_in_provinces(True)} "
               if filtered else ""))


def agency_evidence_totals(filtered: bool) -> str:
    """Per agency with a task tagged ``$topics``: distinct evidence tasks ``n``, how many of
    them it leads (any assignment with role ``$lead``), its name, kind and province and all
    its assignments ``total``: ``RETURN id, name, kind, province, n, leads, total``."""
    return (_topic_evidence(filtered)
            + "WITH DISTINCT g, t, a.role AS role "
            "WITH g, t, max(CASE WHEN role = $lead THEN 1 ELSE 0 END) AS lead "
            "WITH g, count(t) AS n, sum(lead) AS leads "
            f"OPTIONAL MATCH (g)<-[:{_type(EdgeType.ASSIGNED_TO)}]-(x) "
            "RETURN g.id AS id, g.name AS name, g.agency_kind AS kind, g.province AS province, "
            "n, leads, count(x) AS total")


def agency_evidence_tasks(filtered: bool) -> str:
    """The first ``$evidence`` evidence tasks of each agency ``$ids`` (a page) for the topics
    ``$topics``, lead tasks first (a task the agency both leads and co-operates on is led),
    then by task id: ``RETURN agency, rows`` where each row is ``{t (task properties), led
    (1/0), number, province, source (document)}``. Every tagged task weighs 1.0, so these are
    the only tagged tasks an answer listing ``$evidence`` per agency can show."""
    return (f"UNWIND $ids AS i MATCH (g:{_label(NodeLabel.AGENCY)} {{id: i}})"
            f"<-[:{_type(EdgeType.ASSIGNED_TO)}]-(a:{_label(NodeLabel.ASSIGNMENT)})"
            f"<-[:{_type(EdgeType.HAS_ASSIGNMENT)}]-(t:{_label(NodeLabel.TASK)})"
            f"-[:{_type(EdgeType.HAS_TOPIC)}]->(tp:{_label(NodeLabel.TOPIC)}) "
            f"WHERE tp.id IN $topics "
            f"OPTIONAL MATCH (d:{_label(NodeLabel.DOCUMENT)})-[:{_type(EdgeType.HAS_TASK)}]->(t) "
            f"WITH DISTINCT g, a, t, d{_in_provinces(filtered)} "
            "WITH g, t, d, max(CASE WHEN a.role = $lead THEN 1 ELSE 0 END) AS led "
            "ORDER BY g.id, led DESC, t.id "
            "WITH g, collect({t: properties(t), led: led, number: d.number, "
            "province: d.province, source: d.source}) AS rows "
            "RETURN g.id AS agency, rows[0..$evidence] AS rows")


def task_evidence() -> str:
    """Assignments of the tasks ``$ids`` (semantic hits) with whether the task is tagged with
    ``$topics`` and the provinces to filter on: ``RETURN task, agency, role, tagged,
    doc_province, agency_province, name``."""
    return (f"UNWIND $ids AS i MATCH (t:{_label(NodeLabel.TASK)} {{id: i}})"
            f"-[:{_type(EdgeType.HAS_ASSIGNMENT)}]->(a:{_label(NodeLabel.ASSIGNMENT)})"
            f"-[:{_type(EdgeType.ASSIGNED_TO)}]->(g:{_label(NodeLabel.AGENCY)}) "
            f"OPTIONAL MATCH (d:{_label(NodeLabel.DOCUMENT)})-[:{_type(EdgeType.HAS_TASK)}]->(t) "
            f"OPTIONAL MATCH (t)-[:{_type(EdgeType.HAS_TOPIC)}]->(tp:{_label(NodeLabel.TOPIC)}) "
            f"WHERE tp.id IN $topics "
            f"RETURN t.id AS task, g.id AS agency, a.role AS role, "
            f"count(tp) > 0 AS tagged, d.province AS doc_province, "
            f"g.province AS agency_province, g.name AS name")


def tasks_with_documents() -> str:
    """Task properties of ``$ids`` with their document's number, province and source."""
    return (f"UNWIND $ids AS i MATCH (t:{_label(NodeLabel.TASK)} {{id: i}}) "
            f"OPTIONAL MATCH (d:{_label(NodeLabel.DOCUMENT)})-[:{_type(EdgeType.HAS_TASK)}]->(t) "
            f"RETURN properties(t) AS t, d.number AS number, d.province AS province, "
            f"d.source AS source")


def province_spellings() -> str:
    """Every distinct ``province`` value on documents and agencies: ``RETURN p``."""
    return (f"MATCH (d:{_label(NodeLabel.DOCUMENT)}) WHERE d.province IS NOT NULL "
            f"RETURN DISTINCT d.province AS p UNION "
            f"MATCH (g:{_label(NodeLabel.AGENCY)}) WHERE g.province IS NOT NULL "
            f"RETURN DISTINCT g.province AS p")

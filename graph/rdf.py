"""The RDF view of the graph (ELI / ORG / SKOS / PROV + vb:), exports, and read-only SPARQL.

``to_rdf(store)`` maps every node and edge to triples: documents are ``eli:LegalResource``
(ingested ones also ``vb:Plan``), each CITES edge becomes ``eli:cites`` (``eli:based_on`` for a
legal basis) *and* a qualified ``vb:Citation`` node carrying the span, section, sentence and
relation; tasks and ``vb:Assignment`` memberships (``org:member`` agency, ``vb:task``,
``org:role`` vb:Lead/vb:Cooperate); agencies ``org:Organization`` classified by an agency-kind
``skos:Concept``; topics, agency kinds and document types as SKOS schemes.
"""
from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable
from datetime import date
from typing import Any

import networkx as nx
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from ..ontology.schema import concept_schemes, load_ontology, node_iri
from ..ontology.vocab import (ELI, ORG, PROV, VB, CitationRelation, EdgeType, LocalityKind,
                              LocalityRelation, NodeLabel, Role)
from .base import GraphStore
from .model import slugify

__all__ = ["RDF_FORMATS", "SparqlRejected", "export", "sparql", "to_networkx", "to_rdf"]

RDF_FORMATS = {"ttl": "turtle", "turtle": "turtle", "jsonld": "json-ld", "json-ld": "json-ld",
               "nt": "nt", "ntriples": "nt"}
EXPORT_FORMATS = ("ttl", "jsonld", "nt", "graphml", "json")


def _bind(g: Graph) -> None:
    g.bind("vb", VB._NS)
    g.bind("eli", ELI._NS)
    g.bind("org", ORG)
    g.bind("skos", SKOS)
    g.bind("prov", PROV)
    g.bind("vbr", "https://w3id.org/vbgraph/resource/")


def _str(value: Any) -> Literal:
    return Literal(str(value))  # RDF 1.1: a plain literal is an xsd:string


def _date(value: str) -> Literal | None:
    try:
        return Literal(date.fromisoformat(value), datatype=XSD.date)
    except (TypeError, ValueError):
        return None


def _offset(value: Any) -> Literal:
    return Literal(int(value), datatype=XSD.nonNegativeInteger)


def doc_type_iri(type_name: str) -> URIRef:
    return node_iri(f"doctype:{slugify(type_name)}")


def to_rdf(store: GraphStore, *, include_ontology: bool = False) -> Graph:
    g = Graph()
    _bind(g)
    if include_ontology:
        for t in load_ontology():
            g.add(t)
    for t in concept_schemes():
        g.add(t)
    doc_types: dict[str, URIRef] = {}
    partner_localities: set[str] = set()
    for n in store.iter_nodes():
        _node_triples(g, n, doc_types)
    for e in store.iter_edges():
        _edge_triples(g, e, partner_localities)
    for lid in partner_localities:
        g.add((node_iri(lid), RDF.type, VB.PartnerLocality))
    for name, iri in doc_types.items():
        g.add((iri, RDF.type, ELI.ResourceType))
        g.add((iri, RDF.type, SKOS.Concept))
        g.add((iri, SKOS.inScheme, VB.DocumentTypeScheme))
        g.add((iri, SKOS.prefLabel, Literal(name, lang="vi")))
    return g


def _label(g: Graph, iri: URIRef, name: Any) -> None:
    if name:
        g.add((iri, SKOS.prefLabel, Literal(str(name), lang="vi")))


def _node_triples(g: Graph, n: dict[str, Any], doc_types: dict[str, URIRef]) -> None:
    iri = node_iri(n["id"])
    kind = n["kind"]
    if kind == NodeLabel.DOCUMENT.value:
        g.add((iri, RDF.type, ELI.LegalResource))
        g.add((iri, ELI.id_local, _str(n["id"])))
        if n.get("ingested"):
            g.add((iri, RDF.type, VB.Plan))
            if n.get("source"):
                g.add((iri, VB.sourceFile, _str(n["source"])))
            if n.get("sha256"):
                g.add((iri, VB.contentHash, _str(n["sha256"])))
        if n.get("number"):
            g.add((iri, ELI.number, _str(n["number"])))
        if n.get("title"):
            g.add((iri, ELI.title, _str(n["title"])))
        if n.get("date") and (d := _date(n["date"])) is not None:
            g.add((iri, ELI.date_document, d))
        if n.get("type"):
            t = doc_types.setdefault(n["type"], doc_type_iri(n["type"]))
            g.add((iri, ELI.type_document, t))
        if n.get("year") is not None:
            g.add((iri, VB.year, Literal(int(n["year"]), datatype=XSD.integer)))
        if n.get("signer"):
            g.add((iri, VB.signer, _str(n["signer"])))
        if n.get("signer_capacity"):
            g.add((iri, VB.signerCapacity, _str(n["signer_capacity"])))
        for r in n.get("recipients") or ():
            g.add((iri, VB.recipient, _str(r)))
        if n.get("ambiguous"):
            g.add((iri, VB.ambiguous, Literal(True)))
            for c in n.get("candidates") or ():
                g.add((iri, VB.candidate, node_iri(c)))
                g.add((node_iri(c), RDF.type, ELI.LegalResource))
    elif kind == NodeLabel.AGENCY.value:
        g.add((iri, RDF.type, ORG.Organization))
        _label(g, iri, n.get("name") or n["id"])
    elif kind == NodeLabel.AGENCY_KIND.value:
        g.add((iri, RDF.type, SKOS.Concept))
        g.add((iri, SKOS.inScheme, VB.AgencyKindScheme))
        if (iri, SKOS.prefLabel, None) not in g:
            _label(g, iri, n.get("name") or n["id"])
    elif kind == NodeLabel.PROVINCE.value:
        g.add((iri, RDF.type, VB.Province))
        _label(g, iri, n.get("name") or n["id"])
    elif kind == NodeLabel.LOCALITY.value:
        g.add((iri, RDF.type, VB.Locality))
        if n.get("locality_kind") == LocalityKind.COUNTRY.value:
            g.add((iri, RDF.type, VB.Country))
        _label(g, iri, n.get("name") or n["id"])
    elif kind == NodeLabel.TOPIC.value:
        g.add((iri, RDF.type, SKOS.Concept))
        g.add((iri, SKOS.inScheme, VB.TopicScheme))
        if not any(o.language == "vi" for o in g.objects(iri, SKOS.prefLabel)
                   if isinstance(o, Literal)):
            _label(g, iri, n.get("name") or n["id"])
    elif kind == NodeLabel.TASK.value:
        g.add((iri, RDF.type, VB.Task))
        g.add((iri, VB.text, _str(n.get("text") or "")))
        g.add((iri, VB.section, _str(n.get("section") or "")))
        g.add((iri, VB.startOffset, _offset(n.get("start", 0))))
        g.add((iri, VB.endOffset, _offset(n.get("end", 0))))
        if n.get("deadline"):
            g.add((iri, VB.deadline, _str(n["deadline"])))
        if n.get("document"):
            g.add((iri, PROV.wasDerivedFrom, node_iri(n["document"])))
    elif kind == NodeLabel.ASSIGNMENT.value:
        g.add((iri, RDF.type, VB.Assignment))
        g.add((iri, ORG.role, Role(n["role"]).iri))


def _edge_triples(g: Graph, e: dict[str, Any], partners: set[str]) -> None:
    s, t = node_iri(e["source"]), node_iri(e["target"])
    etype = EdgeType(e["type"])
    if etype is EdgeType.CITES:
        g.add((s, ELI.cites, t))
        relation = CitationRelation(e.get("relation", CitationRelation.MENTIONS.value))
        if relation is CitationRelation.BASIS:
            g.add((s, ELI.based_on, t))
        c = node_iri(f"citation:{e['source']}|{e.get('start')}-{e.get('end')}|{e['target']}")
        g.add((c, RDF.type, VB.Citation))
        g.add((c, VB.citingDocument, s))
        g.add((c, VB.citedDocument, t))
        g.add((c, VB.citationRelation, relation.iri))
        g.add((c, VB.surface, _str(e.get("surface") or "")))
        g.add((c, VB.text, _str(e.get("text") or e.get("surface") or "")))
        if e.get("section") is not None:
            g.add((c, VB.section, _str(e["section"])))
        g.add((c, VB.startOffset, _offset(e.get("start", 0))))
        g.add((c, VB.endOffset, _offset(e.get("end", 0))))
        g.add((c, PROV.wasDerivedFrom, s))
    elif etype is EdgeType.MENTIONS_LOCALITY:
        g.add((s, VB.mentionsLocality, t))
        relation = LocalityRelation(e.get("relation", LocalityRelation.MENTION.value))
        m = node_iri(f"locality-mention:{e['source']}|{e['target']}|{e.get('start')}")
        g.add((m, RDF.type, VB.LocalityMention))
        g.add((m, VB.locality, t))
        g.add((m, VB.localityRelation, VB.Partnership if relation is LocalityRelation.PARTNER
               else VB.LocalityMentioned))
        g.add((m, PROV.wasDerivedFrom, s))
        g.add((m, VB.startOffset, _offset(e.get("start", 0))))
        g.add((m, VB.endOffset, _offset(e.get("end", 0))))
        if e.get("section") is not None:
            g.add((m, VB.section, _str(e["section"])))
        if relation is LocalityRelation.PARTNER:
            partners.add(e["target"])
    elif etype is EdgeType.HAS_TASK:
        g.add((s, VB.hasTask, t))
        g.add((t, VB.taskOf, s))
    elif etype is EdgeType.HAS_ASSIGNMENT:
        g.add((s, VB.assignment, t))
        g.add((t, VB.task, s))
    elif etype is EdgeType.HAS_TOPIC:
        g.add((s, VB.topic, t))
    else:  # ISSUED_BY, IN_PROVINCE, ASSIGNED_TO, OF_KIND, IN_COUNTRY: one property each
        g.add((s, etype.iri, t))


# -- exports ---------------------------------------------------------------------------------
def to_networkx(store: GraphStore) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for n in store.iter_nodes():
        g.add_node(n["id"], **n)
    for e in store.iter_edges():
        attrs = {k: v for k, v in e.items() if k not in ("source", "target", "key")}
        g.add_edge(e["source"], e["target"], key=e.get("key"), **attrs)
    return g


def _graphml_safe(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """GraphML holds scalars only: lists become JSON strings, ``None`` is dropped."""
    out = nx.MultiDiGraph()
    def fix(d: dict[str, Any]) -> dict[str, Any]:
        return {k: (json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else v)
                for k, v in d.items() if v is not None}
    for n, d in g.nodes(data=True):
        out.add_node(n, **fix(d))
    for u, v, k, d in g.edges(keys=True, data=True):
        out.add_edge(u, v, key=k, **fix(d))
    return out


def export(store: GraphStore, fmt: str) -> str:
    """The whole graph as ``ttl``, ``jsonld``, ``nt``, ``graphml`` or ``json`` (node-link)."""
    fmt = fmt.lower()
    if fmt in RDF_FORMATS:
        return to_rdf(store).serialize(format=RDF_FORMATS[fmt])
    if fmt == "graphml":
        buf = io.BytesIO()
        nx.write_graphml(_graphml_safe(to_networkx(store)), buf, encoding="utf-8")
        return buf.getvalue().decode("utf-8")
    if fmt == "json":
        data = nx.node_link_data(to_networkx(store), edges="edges")
        return json.dumps(data, ensure_ascii=False, indent=1, default=str)
    raise ValueError(f"unknown export format {fmt!r}: choose one of {', '.join(EXPORT_FORMATS)}")


# -- SPARQL ----------------------------------------------------------------------------------
class SparqlRejected(ValueError):
    """A SPARQL request that is not a read-only query over the local graph."""


_FORBIDDEN = re.compile(
    r"\b(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|SERVICE|WITH)\b", re.IGNORECASE)
_STRINGS = re.compile(r"(\"\"\".*?\"\"\"|'''.*?'''|\"(?:[^\"\\\\\n]|\\\\.)*\"|'(?:[^'\\\\\n]|\\\\.)*'"
                      r"|<[^<>\s]*>|#[^\n]*)", re.DOTALL)


MAX_ROWS = 10_000


def sparql(store: GraphStore | Graph, query: str, *, graph: Graph | None = None,
           max_rows: int = MAX_ROWS) -> dict[str, Any]:
    """Run a read-only SPARQL query (SELECT/ASK/CONSTRUCT/DESCRIBE) over the RDF view.

    Updates, ``SERVICE`` (federation), ``LOAD`` and the like are rejected before parsing; the
    query is then parsed with rdflib's *query* grammar (which has no update forms) and run
    without any remote access. SELECT stops after ``max_rows`` rows (``"truncated": true``);
    a query rdflib cannot evaluate here is a :class:`SparqlRejected`, not a crash."""
    from rdflib.plugins.sparql import prepareQuery

    bare = _STRINGS.sub(" ", query)
    m = _FORBIDDEN.search(bare)
    if m:
        raise SparqlRejected(f"SPARQL {m.group(1).upper()} is not allowed: read-only queries only")
    try:
        prepared = prepareQuery(query, initNs={"vb": VB._NS, "eli": ELI._NS, "org": ORG,
                                               "skos": SKOS, "prov": PROV, "rdf": RDF,
                                               "xsd": XSD})
    except Exception as exc:  # noqa: BLE001 - pyparsing errors are varied
        raise SparqlRejected(f"invalid SPARQL query: {exc}") from None
    if graph is None:
        graph = store if isinstance(store, Graph) else to_rdf(store, include_ontology=True)
    try:
        result = graph.query(prepared)
        if result.type == "ASK":
            return {"type": "ASK", "boolean": bool(result.askAnswer)}
        if result.type == "SELECT":
            vars_ = [str(v) for v in result.vars]
            rows = []
            truncated = False
            for row in result:
                if len(rows) >= max_rows:
                    truncated = True
                    break
                rows.append({v: (None if row[i] is None else _term(row[i]))
                             for i, v in enumerate(vars_)})
            out: dict[str, Any] = {"type": "SELECT", "vars": vars_, "rows": rows}
            if truncated:
                out["truncated"] = True
            return out
        return {"type": result.type, "turtle": result.graph.serialize(format="turtle")}
    except SparqlRejected:
        raise
    except Exception as exc:  # noqa: BLE001 - rdflib evaluation errors (FROM NAMED on a plain graph …)
        raise SparqlRejected(f"cannot run this SPARQL query here: {type(exc).__name__}: {exc}") from None


def _term(term: Any) -> Any:
    if isinstance(term, Literal):
        value = term.toPython()
        return value if isinstance(value, (int, float, bool, str)) else str(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def iter_formats() -> Iterable[str]:
    return EXPORT_FORMATS

"""Load the ontology (``vbgraph.ttl``), the SHACL shapes (``shapes.ttl``) and the SKOS concept
schemes generated from ``ontology/data/*.json`` (topics, agency kinds)."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SKOS

from .vocab import VB, VB_IRI, VBR

__all__ = [
    "ONTOLOGY_FILE", "SHAPES_FILE", "agency_kind_iri", "concept_schemes", "declared_vb_terms",
    "load_ontology", "load_shapes", "node_iri",
]

_HERE = Path(__file__).resolve().parent
ONTOLOGY_FILE = _HERE / "vbgraph.ttl"
SHAPES_FILE = _HERE / "shapes.ttl"
DATA_DIR = _HERE / "data"


@lru_cache(maxsize=1)
def _ontology() -> Graph:
    g = Graph()
    g.parse(ONTOLOGY_FILE, format="turtle")
    return g


def load_ontology() -> Graph:
    """A fresh copy of the OWL ontology graph."""
    g = Graph()
    for t in _ontology():
        g.add(t)
    return g


def load_shapes() -> Graph:
    g = Graph()
    g.parse(SHAPES_FILE, format="turtle")
    return g


def declared_vb_terms(graph: Graph | None = None) -> set[str]:
    """Local names of every ``vb:`` term the TTL declares (subject of an ``rdf:type``)."""
    graph = graph if graph is not None else _ontology()
    return {str(s)[len(VB_IRI):] for s in graph.subjects(RDF.type, None)
            if isinstance(s, URIRef) and str(s).startswith(VB_IRI)}


def node_iri(node_id: str) -> URIRef:
    """The IRI of a graph node: ``VBR`` + the id, percent-encoded where an IRI needs it."""
    from urllib.parse import quote

    return VBR[quote(node_id, safe=":-._~/")]


def agency_kind_iri(kind: str) -> URIRef:
    return node_iri(f"agency-kind:{kind}")


def concept_schemes() -> Graph:
    """SKOS triples for the topic and agency-kind schemes from ``ontology/data``."""
    g = Graph()
    for scheme in (VB.TopicScheme, VB.AgencyKindScheme, VB.DocumentTypeScheme):
        g.add((scheme, RDF.type, SKOS.ConceptScheme))
    for path, scheme, to_iri in (
            (DATA_DIR / "topics.json", VB.TopicScheme, node_iri),
            (DATA_DIR / "agency_kinds.json", VB.AgencyKindScheme, agency_kind_iri)):
        if not path.exists():
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        for c in data.get("concepts", ()):
            iri = to_iri(c["id"])
            g.add((iri, RDF.type, SKOS.Concept))
            g.add((iri, SKOS.inScheme, scheme))
            g.add((iri, SKOS.prefLabel, Literal(c["pref_label"], lang="vi")))
            if c.get("en_label"):
                g.add((iri, SKOS.prefLabel, Literal(c["en_label"], lang="en")))
            for alt in c.get("alt_labels", ()):
                g.add((iri, SKOS.altLabel, Literal(alt, lang="vi")))
            for b in c.get("broader", ()):
                g.add((iri, SKOS.broader, to_iri(b)))
            if not c.get("broader"):
                g.add((iri, SKOS.topConceptOf, scheme))
    _ = OWL
    return g

"""RDF export validates against the SHACL shapes; SPARQL is read-only; other exports load."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import networkx as nx
import pyshacl
import pytest
from rdflib import Graph

from vbgraph.graph import analytics
from vbgraph.graph.embedded import EmbeddedGraphStore
from vbgraph.graph.rdf import SparqlRejected, export, sparql, to_rdf
from vbgraph.graph.testing import sample_documents
from vbgraph.ontology.schema import load_shapes, node_iri
from vbgraph.ontology.vocab import ELI, ORG, VB


@pytest.fixture(scope="module")
def store() -> EmbeddedGraphStore:
    s = EmbeddedGraphStore()
    for d in sample_documents():
        s.upsert_document(d)
    return s


@pytest.fixture(scope="module")
def seed_store(seed_paths) -> EmbeddedGraphStore:
    pipeline = pytest.importorskip("vbgraph.ingest.pipeline")
    s = EmbeddedGraphStore()
    for p in seed_paths.values():
        s.upsert_document(pipeline.extract_file(p))
    return s


def _conforms(g: Graph) -> None:
    ok, _, text = pyshacl.validate(g, shacl_graph=load_shapes(), inference="none")
    assert ok, text[:3000]


def test_fixture_export_validates(store) -> None:
    g = to_rdf(store)
    _conforms(g)
    qn = node_iri("doc:kh-120-ubnd-quang-ninh-2021")
    assert (qn, ELI.cites, node_iri("doc:qd-272-tw-2015")) in g
    assert (qn, ELI.based_on, node_iri("doc:qd-272-tw-2015")) in g
    # the n-ary assignment: member, task, role
    asg = node_iri("doc:kh-120-ubnd-quang-ninh-2021#t1/lead/agency:bch-bdbp:quang-ninh")
    assert (asg, ORG.role, VB.Lead) in g
    assert (asg, ORG.member, node_iri("agency:bch-bdbp:quang-ninh")) in g
    assert (asg, VB.task, node_iri("doc:kh-120-ubnd-quang-ninh-2021#t1")) in g
    amb = node_iri("doc:ct-04-tw")
    assert len(list(g.objects(amb, VB.candidate))) == 2


def test_seed_export_validates(seed_store) -> None:
    _conforms(to_rdf(seed_store))


@pytest.mark.parametrize("fmt,rdf_format", [("ttl", "turtle"), ("nt", "nt"),
                                            ("jsonld", "json-ld")])
def test_rdf_exports_round_trip(store, fmt: str, rdf_format: str) -> None:
    text = export(store, fmt)
    g = Graph().parse(data=text, format=rdf_format)
    assert len(g) == len(to_rdf(store))


def test_graphml_and_json_exports(store) -> None:
    root = ET.fromstring(export(store, "graphml"))
    assert root.tag.endswith("graphml")
    g = nx.read_graphml(__import__("io").BytesIO(export(store, "graphml").encode()))
    assert g.number_of_nodes() == store.counts()["nodes"]
    data = json.loads(export(store, "json"))
    assert len(data["nodes"]) == store.counts()["nodes"]
    assert len(data["edges"]) == store.counts()["edges"]
    with pytest.raises(ValueError):
        export(store, "xls")


def test_sparql_select_and_ask(store) -> None:
    out = sparql(store, """SELECT ?plan ?sentence WHERE {
        ?c a vb:Citation ; vb:citedDocument ?d ; vb:citingDocument ?plan ; vb:text ?sentence .
        ?d eli:number "272-QĐ/TW" } ORDER BY ?plan""")
    assert out["type"] == "SELECT" and len(out["rows"]) == 2
    sentences = sorted(r["sentence"] for r in out["rows"])
    assert sentences[0].startswith("Căn cứ Quyết định số 272-QĐ/TW ngày 21/01/2015")
    assert sentences[1] == "Thực hiện Quyết định 272-QĐ/TW của Bộ Chính trị;"
    assert sparql(store, "ASK { ?x a vb:Plan }") == {"type": "ASK", "boolean": True}


@pytest.mark.parametrize("query", [
    "INSERT DATA { <http://a> <http://b> <http://c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "select * where { service <http://x> { ?s ?p ?o } }",
    "DROP ALL",
    "CLEAR DEFAULT",
    "SELECT * WHERE { ?s ?p",  # invalid
])
def test_sparql_rejects_updates_and_federation(store, query: str) -> None:
    with pytest.raises(SparqlRejected):
        sparql(store, query)


def test_sparql_keywords_inside_strings_are_fine(store) -> None:
    out = sparql(store, 'SELECT ?x WHERE { BIND("INSERT SERVICE LOAD" AS ?x) }')
    assert out["rows"] == [{"x": "INSERT SERVICE LOAD"}]


def test_analytics(store, seed_store) -> None:
    top = analytics.most_cited(store, 1)[0]
    assert top["id"] == "doc:qd-272-tw-2015" and top["plans"] == 2
    central = analytics.agency_centrality(store, 3)
    assert central[0]["plans"] >= central[-1]["plans"]
    seeds_top = [d["number"] for d in analytics.most_cited(seed_store, 3)]
    assert "38-CT/TW" in seeds_top  # cited by four of the five seeds
    pairs = analytics.provinces_sharing_partners(seed_store, partners_only=False)
    assert any({"Kiên Giang", "Khánh Hòa"} == set(p["provinces"]) for p in pairs)

"""The OWL ontology, the Python vocabulary and the SHACL shapes agree with each other."""
from __future__ import annotations

import pyshacl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from vbgraph.ontology.schema import (concept_schemes, declared_vb_terms, load_ontology,
                                     load_shapes, node_iri)
from vbgraph.ontology.vocab import (ELI, ORG, PROV, SKOS, VB, VB_IRI, CitationRelation,
                                    EdgeType, NodeLabel, Role)


def vb_terms_in_python() -> set[str]:
    return {name for name in VB.__annotations__ if not name.startswith("_")}


def test_ontology_parses_and_is_an_owl_ontology() -> None:
    g = load_ontology()
    assert (URIRef("https://w3id.org/vbgraph/ontology"), RDF.type, OWL.Ontology) in g
    assert len(g) > 150


def test_every_python_vb_term_is_declared_and_vice_versa() -> None:
    declared = declared_vb_terms()
    python = vb_terms_in_python()
    assert python - declared == set(), "in vocab.py but not declared in vbgraph.ttl"
    assert declared - python == set(), "declared in vbgraph.ttl but missing from vocab.py"


def test_misspelt_term_is_an_error() -> None:
    with pytest.raises(AttributeError):
        _ = VB.Tsak
    with pytest.raises(AttributeError):
        _ = ELI.cite


def test_every_label_and_edge_maps_to_a_declared_term() -> None:
    g = load_ontology()
    typed = set(g.subjects(RDF.type, None))
    for label in NodeLabel:
        assert label.iri in typed, label
        assert (label.iri, RDF.type, OWL.Class) in g
    for etype in EdgeType:
        assert etype.iri in typed, etype
        assert (etype.iri, RDF.type, OWL.ObjectProperty) in g
    for role in Role:
        assert (role.iri, RDF.type, ORG.Role) in g
    for rel in CitationRelation:
        assert (rel.iri, RDF.type, VB.CitationRelation) in g


def test_properties_have_a_kind_and_assignment_is_a_membership() -> None:
    g = load_ontology()
    for term in declared_vb_terms():
        iri = URIRef(VB_IRI + term)
        kinds = set(g.objects(iri, RDF.type))
        assert kinds & {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty,
                        OWL.NamedIndividual}, term
    assert (VB.Assignment, RDFS.subClassOf, ORG.Membership) in g
    assert (VB.Plan, RDFS.subClassOf, ELI.LegalResource) in g
    assert (VB.Citation, RDFS.subClassOf, PROV.Entity) in g
    assert (VB.startOffset, RDFS.range, XSD.nonNegativeInteger) in g


def test_owl_rl_closure_runs_and_infers() -> None:
    owlrl = pytest.importorskip("owlrl")
    g = load_ontology()
    plan = URIRef("https://example.org/plan")
    g.add((plan, RDF.type, VB.Plan))
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)
    assert (plan, RDF.type, ELI.LegalResource) in g  # subclass reasoning works on the TTL
    # no class is inferred to be equivalent to owl:Nothing (inconsistency)
    assert (VB.Plan, OWL.equivalentClass, OWL.Nothing) not in g


def test_shapes_parse_and_target_the_records() -> None:
    shapes = load_shapes()
    sh = "http://www.w3.org/ns/shacl#"
    targets = set(shapes.objects(None, URIRef(sh + "targetClass")))
    assert {ELI.LegalResource, VB.Plan, VB.Citation, VB.Task, VB.Assignment, ORG.Organization,
            VB.Locality, VB.Province} <= targets


def _validate(g: Graph) -> tuple[bool, str]:
    ok, _, text = pyshacl.validate(g, shacl_graph=load_shapes(), inference="none")
    return ok, text


def test_shapes_reject_broken_records() -> None:
    g = concept_schemes()
    task, asg, agency = node_iri("doc:x#t1"), node_iri("doc:x#t1/lead/agency:a"), node_iri("agency:a")
    g.add((task, RDF.type, VB.Task))           # no taskOf, no text, no span
    g.add((asg, RDF.type, VB.Assignment))
    g.add((asg, ORG.member, agency))
    g.add((agency, RDF.type, ORG.Organization))
    g.add((agency, SKOS.prefLabel, Literal("Sở A", lang="vi")))
    g.add((asg, VB.task, task))
    g.add((asg, ORG.role, VB.Mentions))        # not a role
    ok, text = _validate(g)
    assert not ok
    assert "taskOf" in text and "role" in text


def test_concept_schemes_from_data_files() -> None:
    g = concept_schemes()
    topics = set(g.subjects(SKOS.inScheme, VB.TopicScheme))
    kinds = set(g.subjects(SKOS.inScheme, VB.AgencyKindScheme))
    assert node_iri("topic:bien-gioi-lanh-tho") in topics
    assert len(kinds) >= 10
    ok, text = _validate(g)
    assert ok, text

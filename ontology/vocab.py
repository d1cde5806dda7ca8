"""The graph's vocabulary: RDF namespaces and the property-graph names derived from them.

This module is the only place that spells a node label, relationship type or ontology IRI.
Namespaces follow rdflib's own ``DefinedNamespace`` modules with ``_fail = True``: a misspelt
term (``VB.Tsak``) raises ``AttributeError`` instead of minting a new IRI.

Standard vocabularies are reused wherever they have the term (ELI for legal resources and
citations, W3C ORG for organisations and memberships, SKOS for concept schemes, PROV for
provenance); ``VB`` holds only what they lack.
"""
from __future__ import annotations

from enum import Enum

from rdflib import URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS, XSD, DefinedNamespace, Namespace

VB_IRI = "https://w3id.org/vbgraph/ontology#"
VBR_IRI = "https://w3id.org/vbgraph/resource/"

#: Instances (documents, agencies, tasks …) live under this namespace: ``VBR[node_id]``.
VBR = Namespace(VBR_IRI)


class ELI(DefinedNamespace):
    """European Legislation Identifier ontology (the subset vbgraph uses)."""

    _fail = True
    _NS = Namespace("http://data.europa.eu/eli/ontology#")

    LegalResource: URIRef
    ResourceType: URIRef
    cites: URIRef
    cited_by: URIRef
    based_on: URIRef
    basis_for: URIRef
    date_document: URIRef
    passed_by: URIRef
    type_document: URIRef
    number: URIRef
    title: URIRef
    id_local: URIRef
    is_about: URIRef
    responsibility_of: URIRef
    description: URIRef


class VB(DefinedNamespace):
    """vbgraph's own terms: only what ELI, ORG, SKOS and PROV do not have."""

    _fail = True
    _NS = Namespace(VB_IRI)

    # classes
    Plan: URIRef
    Task: URIRef
    Assignment: URIRef
    Citation: URIRef
    Locality: URIRef
    PartnerLocality: URIRef
    Country: URIRef
    Province: URIRef
    LocalityMention: URIRef
    CitationRelation: URIRef   # class of the LegalBasis/Implements/Mentions individuals
    LocalityRelation: URIRef   # class of the Partnership/LocalityMentioned individuals
    # individuals: roles of an agency in a task (org:Role instances)
    Lead: URIRef
    Cooperate: URIRef
    # individuals: how a document cites another
    LegalBasis: URIRef
    Implements: URIRef
    Mentions: URIRef
    # individuals: how a document relates to a locality
    Partnership: URIRef
    LocalityMentioned: URIRef
    # concept schemes
    TopicScheme: URIRef
    AgencyKindScheme: URIRef
    DocumentTypeScheme: URIRef
    # object properties
    hasTask: URIRef
    taskOf: URIRef
    assignment: URIRef
    task: URIRef
    topic: URIRef
    province: URIRef
    country: URIRef
    citingDocument: URIRef
    citedDocument: URIRef
    citationRelation: URIRef
    mentionsLocality: URIRef
    locality: URIRef
    localityRelation: URIRef
    signer: URIRef
    # datatype properties
    section: URIRef
    text: URIRef
    surface: URIRef
    startOffset: URIRef
    endOffset: URIRef
    sourceFile: URIRef
    contentHash: URIRef
    deadline: URIRef
    signerCapacity: URIRef
    recipient: URIRef
    ambiguous: URIRef
    candidate: URIRef          # an ambiguous reference's candidate documents
    year: URIRef


class NodeLabel(str, Enum):
    """Property-graph node labels (Neo4j labels, networkx ``label`` attribute)."""

    DOCUMENT = "Document"          # eli:LegalResource; ingested plans carry ``ingested = true``
    AGENCY = "Agency"              # org:Organization, province-scoped instance
    AGENCY_KIND = "AgencyKind"     # skos:Concept in VB.AgencyKindScheme
    PROVINCE = "Province"          # vb:Province
    LOCALITY = "Locality"          # vb:Locality (foreign locality, country or Vietnamese place)
    TOPIC = "Topic"                # skos:Concept in VB.TopicScheme
    TASK = "Task"                  # vb:Task
    ASSIGNMENT = "Assignment"      # vb:Assignment ~ org:Membership (task, agency, role)

    @property
    def iri(self) -> URIRef:
        return _NODE_IRI[self]


class EdgeType(str, Enum):
    """Property-graph relationship types, each mirroring one ontology property."""

    CITES = "CITES"                          # Document -> Document (one edge per mention)
    ISSUED_BY = "ISSUED_BY"                  # Document -> Agency
    IN_PROVINCE = "IN_PROVINCE"              # Document|Agency -> Province
    HAS_TASK = "HAS_TASK"                    # Document -> Task
    HAS_ASSIGNMENT = "HAS_ASSIGNMENT"         # Task -> Assignment
    ASSIGNED_TO = "ASSIGNED_TO"              # Assignment -> Agency
    OF_KIND = "OF_KIND"                      # Agency -> AgencyKind
    HAS_TOPIC = "HAS_TOPIC"                  # Task -> Topic
    MENTIONS_LOCALITY = "MENTIONS_LOCALITY"  # Document -> Locality (relation: partner|mention)
    IN_COUNTRY = "IN_COUNTRY"                # Locality -> Locality(kind=country)

    @property
    def iri(self) -> URIRef:
        return _EDGE_IRI[self]


class Role(str, Enum):
    """An agency's role in a task (org:Role individuals)."""

    LEAD = "lead"            # chủ trì, đầu mối, heading an assignment block
    COOPERATE = "cooperate"  # phối hợp

    @property
    def iri(self) -> URIRef:
        return VB.Lead if self is Role.LEAD else VB.Cooperate


class CitationRelation(str, Enum):
    """How a document refers to another."""

    BASIS = "basis"            # căn cứ … (eli:based_on)
    IMPLEMENTS = "implements"  # thực hiện / triển khai / quán triệt …
    MENTIONS = "mentions"      # a plain mention (eli:cites)

    @property
    def iri(self) -> URIRef:
        return {
            CitationRelation.BASIS: VB.LegalBasis,
            CitationRelation.IMPLEMENTS: VB.Implements,
            CitationRelation.MENTIONS: VB.Mentions,
        }[self]


class LocalityKind(str, Enum):
    COUNTRY = "country"
    FOREIGN_LOCALITY = "foreign_locality"   # Salavan, Vân Nam, Jeollanam-do, Gangjin …
    VIETNAMESE_PLACE = "vietnamese_place"   # Phú Quốc, cửa khẩu Hà Tiên …


class LocalityRelation(str, Enum):
    PARTNER = "partner"    # kết nghĩa, hợp tác hữu nghị, thỏa thuận đã ký …
    MENTION = "mention"    # named only


_NODE_IRI: dict[NodeLabel, URIRef] = {
    NodeLabel.DOCUMENT: ELI.LegalResource,
    NodeLabel.AGENCY: ORG.Organization,
    NodeLabel.AGENCY_KIND: SKOS.Concept,
    NodeLabel.PROVINCE: VB.Province,
    NodeLabel.LOCALITY: VB.Locality,
    NodeLabel.TOPIC: SKOS.Concept,
    NodeLabel.TASK: VB.Task,
    NodeLabel.ASSIGNMENT: VB.Assignment,
}

_EDGE_IRI: dict[EdgeType, URIRef] = {
    EdgeType.CITES: ELI.cites,
    EdgeType.ISSUED_BY: ELI.passed_by,
    EdgeType.IN_PROVINCE: VB.province,
    EdgeType.HAS_TASK: VB.hasTask,
    EdgeType.HAS_ASSIGNMENT: VB.assignment,
    EdgeType.ASSIGNED_TO: ORG.member,
    EdgeType.OF_KIND: ORG.classification,
    EdgeType.HAS_TOPIC: VB.topic,
    EdgeType.MENTIONS_LOCALITY: VB.mentionsLocality,
    EdgeType.IN_COUNTRY: VB.country,
}

__all__ = [
    "CitationRelation", "DCTERMS", "ELI", "EdgeType", "LocalityKind", "LocalityRelation",
    "NodeLabel", "ORG", "PROV", "RDF", "RDFS", "Role", "SKOS", "VB", "VBR", "XSD",
]

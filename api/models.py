"""Pydantic response models of the HTTP API.

The shapes are the CLI's ``--json`` shapes (issues #3 and #4): ``vbgraph search --json`` is a list
of :class:`SearchHit`, ``vbgraph cites --json`` a :class:`CitesResult`, ``vbgraph agencies --json``
a list of :class:`AgencyRank`, ``vbgraph graph --json`` a :class:`Subgraph`. Fields the contracts
pin are declared; nested records that the graph layer may enrich (node properties, evidence
tasks) allow extra keys so the API never drops information the CLI prints.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AgencyRank", "CitationOut", "CitedDocument", "CitesResult", "CitingPlan", "DocumentDetail",
    "DocumentSummary", "ErrorBody", "ErrorDetail", "GraphEdge", "GraphNode", "IngestResult",
    "Mention", "SearchDocument", "SearchHit", "SparqlQuery", "Stats", "Subgraph", "TaskOut",
]


class _Open(BaseModel):
    """A record whose declared fields are guaranteed and which may carry more."""

    model_config = ConfigDict(extra="allow")


# -- errors -------------------------------------------------------------------------------

class ErrorDetail(BaseModel):
    code: str = Field(description="machine-readable error code, e.g. `not_found`")
    message: str = Field(description="human-readable explanation")


class ErrorBody(BaseModel):
    """Every 4xx/5xx response has this body."""

    error: ErrorDetail


# -- search (issue #4) --------------------------------------------------------------------

class SearchDocument(_Open):
    id: str | None = None
    number: str | None = None
    title: str | None = None
    province: str | None = None
    date: str | None = None


class SearchHit(_Open):
    task_id: str
    text: str
    score: float
    document: SearchDocument
    lead: list[str] = []
    cooperate: list[str] = []
    section: str | None = None
    source: str | None = None
    start: int | None = None
    end: int | None = None


# -- citations (issue #3) -----------------------------------------------------------------

class CitedDocument(_Open):
    id: str
    number: str | None = None
    type: str | None = None
    date: str | None = None
    issuer: str | None = None


class Mention(_Open):
    text: str
    section: str | None = None
    start: int | None = None
    end: int | None = None


class CitingPlan(_Open):
    id: str
    number: str | None = None
    title: str | None = None
    province: str | None = None
    date: str | None = None
    source: str | None = None
    mentions: list[Mention] = []


class CitesResult(_Open):
    query: str
    resolved: list[CitedDocument] = []
    candidates: list[CitedDocument] = []
    total: int = 0
    plans: list[CitingPlan] = []


# -- agencies -----------------------------------------------------------------------------

class AgencyRank(_Open):
    agency: str
    kind: str | None = None
    province: str | None = None
    role: str | None = None
    score: float = 0.0
    lead_tasks: int = Field(0, description="evidence tasks it leads (all, not only listed)")
    cooperate_tasks: int = Field(0, description="evidence tasks it co-operates on (all)")
    evidence_total: int = Field(0, description="all its evidence tasks: lead + cooperate")
    tasks: list[Any] = Field([], description="the first evidence tasks (lead first, then "
                                             "relevance), at most the `evidence` asked")


# -- graph --------------------------------------------------------------------------------

class GraphNode(_Open):
    id: str
    label: str | None = Field(None, description="display text")
    kind: str | None = Field(None, description="node label: Document, Agency, Task …")


class GraphEdge(_Open):
    source: str
    target: str
    type: str


class Subgraph(_Open):
    """Nodes and edges for drawing (neighbourhood, path)."""

    nodes: list[GraphNode] = []
    edges: list[GraphEdge] = []


class Stats(_Open):
    """Counts and analytics; the graph layer decides the keys (``vbgraph stats --json``)."""


# -- documents ----------------------------------------------------------------------------

class DocumentSummary(_Open):
    id: str
    number: str | None = None
    type: str | None = None
    title: str | None = None
    date: str | None = None
    province: str | None = None
    source: str | None = None


class CitationOut(_Open):
    id: str
    number: str | None = None
    surface: str | None = None
    relation: str | None = None
    section: str | None = None
    start: int | None = None
    end: int | None = None


class TaskOut(_Open):
    id: str
    text: str
    section: str | None = None
    start: int | None = None
    end: int | None = None
    lead: list[str] = []
    cooperate: list[str] = []


class DocumentDetail(_Open):
    """One ingested document: metadata, citations, tasks (with spans) and its NFC text."""

    id: str
    document: dict[str, Any] = {}
    citations: list[CitationOut] = []
    tasks: list[TaskOut] = []
    text: str | None = None


class IngestResult(_Open):
    """What ``POST /documents`` did."""

    filename: str
    stored_as: str
    status: str = Field(description="`ingested`, `unchanged` or `failed`")
    documents: list[str] = []
    report: dict[str, Any] = {}


# -- requests -----------------------------------------------------------------------------

class SparqlQuery(BaseModel):
    query: str = Field(min_length=1, max_length=20_000)

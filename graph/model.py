"""Pure mapping from an :class:`ExtractedDocument` to property-graph rows.

Both stores write exactly these rows, so they hold the same graph:

* the document's own node (``Document``, ``ingested = true``) — overwritten on re-ingest;
* *owned* nodes (``Task``, ``Assignment``) and *owned* edges (every edge carries ``owner`` =
  the ingested document's id) — deleted and rewritten when the document is replaced;
* *shared* nodes (cited documents, agencies, agency kinds, provinces, localities, topics) and
  *structural* edges between shared nodes (agency → kind, agency → province, locality →
  country) — merged, never duplicated; a cited document that is later ingested is the same node.

Ids follow ``docs/ARCHITECTURE.md``; this module adds ``agency-kind:<kind>`` for agency kinds and
``<task id>/<role>/<agency id>`` for assignments.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..ingest.text import fold, nfc
from ..ontology.records import ExtractedDocument
from ..ontology.vocab import EdgeType, LocalityKind, NodeLabel, Role

__all__ = [
    "DOC_STUB_FIELDS", "DocumentGraph", "EdgeRow", "NodeRow", "YearlessResolver", "agency_kind_id",
    "build_document_graph", "clean", "clean_props", "label_of", "mention_sentence", "province_id",
    "number_key", "slugify", "yearless_key",
]

#: properties a *cited* document gets from its citations (only filled when missing)
DOC_STUB_FIELDS = ("number", "type", "date", "issuer", "title", "year", "ambiguous", "candidates",
                   "yearless", "number_key")

_SLUG = re.compile(r"[^a-z0-9]+")
_YEAR_SUFFIX = re.compile(r"-(\d{4})$")
_TASK_ID = re.compile(r"#t\d+$")
_ASSIGNMENT_ID = re.compile(r"#t\d+/(?:lead|cooperate)/")


def slugify(name: str) -> str:
    """ASCII slug of a Vietnamese name: ``Thừa Thiên Huế`` → ``thua-thien-hue``."""
    return _SLUG.sub("-", fold(name)).strip("-")


def province_id(name: str) -> str:
    return f"province:{slugify(name)}"


def agency_kind_id(kind: str) -> str:
    return f"agency-kind:{kind}"


def yearless_key(doc_id: str) -> str:
    """``doc:ct-04-tw-2011`` → ``doc:ct-04-tw`` (title ids and yearless ids unchanged)."""
    if doc_id.startswith("doc:title:"):
        return doc_id
    return _YEAR_SUFFIX.sub("", doc_id)


def number_key(doc_id: str) -> str | None:
    """The number segment of a canonical document id — what a user's reference is looked up
    by: ``doc:qd-272-tw-2015`` → ``272``, ``doc:nd-12-cp-2012`` → ``12``; ``None`` for title
    ids and ids of no known scheme."""
    if not doc_id.startswith("doc:") or doc_id.startswith("doc:title:"):
        return None
    segs = doc_id[4:].split("-")
    return segs[1] if len(segs) >= 2 and segs[1] else None


def label_of(node_id: str) -> NodeLabel | None:
    """The node label implied by an id (``None`` when the id follows no known scheme)."""
    if _ASSIGNMENT_ID.search(node_id):
        return NodeLabel.ASSIGNMENT
    if _TASK_ID.search(node_id):
        return NodeLabel.TASK
    prefix = node_id.split(":", 1)[0]
    return _PREFIX_LABEL.get(prefix)


_PREFIX_LABEL = {
    "doc": NodeLabel.DOCUMENT,
    "agency": NodeLabel.AGENCY,
    "agency-kind": NodeLabel.AGENCY_KIND,
    "province": NodeLabel.PROVINCE,
    "locality": NodeLabel.LOCALITY,
    "topic": NodeLabel.TOPIC,
}


def clean(value: Any) -> Any:
    """Make a value storable identically in every backend: NFC strings without NUL (FalkorDB
    truncates strings at NUL), tuples as lists; ``None`` stays ``None``."""
    if isinstance(value, str):
        return nfc(value.replace("\x00", "\ufffd"))
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    return value


def clean_props(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: clean(v) for k, v in props.items()}


@dataclass(frozen=True, slots=True)
class NodeRow:
    id: str
    label: NodeLabel
    props: dict[str, Any]


@dataclass(frozen=True, slots=True)
class EdgeRow:
    source: str
    target: str
    type: EdgeType
    key: str                      # unique among parallel edges of the same type
    props: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DocumentGraph:
    """Everything one ingested document contributes to the graph."""

    doc_id: str
    document: NodeRow                         # overwritten
    stubs: tuple[NodeRow, ...]                # cited documents: fill missing properties only
    shared: tuple[NodeRow, ...]               # agencies, kinds, provinces, localities, topics
    owned: tuple[NodeRow, ...]                # tasks, assignments
    structural: tuple[EdgeRow, ...]           # edges between shared nodes (no owner)
    edges: tuple[EdgeRow, ...]                # owned edges (``owner`` = doc_id)

    def node_ids(self) -> set[str]:
        return {n.id for n in (self.document, *self.stubs, *self.shared, *self.owned)}


#: ``(citation id) -> (id, ambiguous, candidates)`` — the store's yearless resolution
YearlessResolver = Callable[[str], tuple[str, bool, tuple[str, ...]]]

# a sentence/clause ends at . ; ! ? before whitespace, at a blank line, at ":" ending a line, or
# at a line break before a list marker, an opening word of a clause or after an all-caps line
_SENTENCE_END = re.compile(
    r"[.;!?](?=\s)|\n\s*\n|:\s*\n"
    r"|\n(?=[ \t]*(?:[-+•*]\s|\d+(?:\.\d+)*[.)]\s|[a-zđ][.)]\s|[IVX]+\.\s"
    r"|Căn cứ|Thực hiện|Triển khai|Theo |Ngày |Nhằm |Để ))"
    r"|(?<=\n)[^\S\n]*[^a-zà-ỹđ\n]{3,}\n")
_PIPE_LINE = re.compile(r"(?m)^\s*\|\s*$")


def mention_sentence(text: str, start: int, end: int, *, limit: int = 600) -> str:
    """The sentence (or list clause) of ``text`` containing ``[start, end)``, whitespace and
    portal artefacts (lone ``|`` lines, words broken across lines) joined onto one line."""
    left = max(0, start - limit)
    lo = left
    for m in _SENTENCE_END.finditer(text, left, start):
        lo = m.end()
    right = min(len(text), end + limit)
    m = _SENTENCE_END.search(text, end, right)
    hi = m.end() if m else right
    if m is not None and text[m.start()] in "\n:":
        hi = m.start() + 1 if text[m.start()] == ":" else m.start()
    chunk = _PIPE_LINE.sub(" ", text[lo:hi])
    return " ".join(chunk.split())


def _doc_props(doc: ExtractedDocument) -> dict[str, Any]:
    meta = doc.document
    year = int(meta.date[:4]) if meta.date and meta.date[:4].isdigit() else None
    return clean_props({
        "id": meta.id, "number": meta.number, "type": meta.type, "date": meta.date,
        "issuer": meta.issuer, "province": meta.province, "signer": meta.signer,
        "signer_capacity": meta.signer_capacity, "title": meta.title,
        "recipients": list(meta.recipients), "missing": list(meta.missing), "year": year,
        "source": doc.source, "sha256": doc.sha256, "ingested": True,
        "ambiguous": False, "candidates": [], "yearless": yearless_key(meta.id),
        "number_key": number_key(meta.id),
    })


def build_document_graph(doc: ExtractedDocument,
                         resolve: YearlessResolver | None = None) -> DocumentGraph:
    """The rows ``doc`` contributes. ``resolve`` maps a yearless citation id to the store's
    known document (see :meth:`GraphStore.upsert_document`)."""
    meta = doc.document
    doc_id = clean(meta.id)
    owner = {"owner": doc_id}
    shared: dict[str, NodeRow] = {}
    stubs: dict[str, NodeRow] = {}
    owned: list[NodeRow] = []
    structural: dict[tuple[str, str, EdgeType], EdgeRow] = {}
    edges: list[EdgeRow] = []

    def add_shared(node_id: str, label: NodeLabel, props: dict[str, Any]) -> str:
        node_id = clean(node_id)
        if node_id not in shared:
            shared[node_id] = NodeRow(node_id, label, clean_props({"id": node_id, **props}))
        return node_id

    def add_structural(src: str, dst: str, etype: EdgeType) -> None:
        structural.setdefault((src, dst, etype), EdgeRow(src, dst, etype, "shared"))

    def add_province(name: str | None) -> str | None:
        if not name or not slugify(name):
            return None
        return add_shared(province_id(name), NodeLabel.PROVINCE, {"name": name})

    def add_locality_node(node_id: str, name: str, kind: str, country: str | None) -> str:
        lid = add_shared(node_id, NodeLabel.LOCALITY,
                         {"name": name, "locality_kind": kind, "country": country})
        if country and kind != LocalityKind.COUNTRY.value and slugify(country):
            cid = add_shared(f"locality:{slugify(country)}", NodeLabel.LOCALITY,
                             {"name": country, "locality_kind": LocalityKind.COUNTRY.value,
                              "country": country})
            if cid != lid:
                add_structural(lid, cid, EdgeType.IN_COUNTRY)
        return lid

    # the document itself
    document = NodeRow(doc_id, NodeLabel.DOCUMENT, _doc_props(doc))
    pid = add_province(meta.province)
    if pid:
        edges.append(EdgeRow(doc_id, pid, EdgeType.IN_PROVINCE, doc_id, dict(owner)))

    # agencies (every agency assigned work + the issuer)
    agency_ids = set()
    for agency in doc.agencies:
        aid = add_shared(agency.id, NodeLabel.AGENCY, {
            "name": agency.name, "agency_kind": agency.kind, "kind_label": agency.kind_label,
            "province": agency.province})
        agency_ids.add(aid)
        kid = add_shared(agency_kind_id(agency.kind), NodeLabel.AGENCY_KIND,
                         {"name": agency.kind_label, "agency_kind": agency.kind})
        add_structural(aid, kid, EdgeType.OF_KIND)
        apid = add_province(agency.province)
        if apid:
            add_structural(aid, apid, EdgeType.IN_PROVINCE)
    issuer_agency = _issuer_agency(doc)
    if issuer_agency is not None and issuer_agency in agency_ids:
        edges.append(EdgeRow(doc_id, issuer_agency, EdgeType.ISSUED_BY, doc_id, dict(owner)))

    # citations: one CITES edge per mention
    for n, cit in enumerate(doc.citations):
        cited, ambiguous, candidates = cit.id, cit.ambiguous, tuple(cit.candidates)
        cited_as = None
        if cit.year is None and not cited.startswith("doc:title:") and \
                yearless_key(cited) == cited:
            cited_as = clean(cited)  # re-linked when the dated documents of this key change
            if resolve is not None:
                cited, amb2, cand2 = resolve(cited)
                ambiguous, candidates = ambiguous or amb2, candidates or cand2
        cited = clean(cited)
        if cited == doc_id:
            continue  # a document never cites itself (a self-reference in the header)
        if cited not in stubs and cited == cited_as:
            # a yearless node: its properties come from the candidates alone (set by the
            # store's re-linking), never from whichever mention happened to be written first
            stubs[cited] = NodeRow(cited, NodeLabel.DOCUMENT, {
                "id": cited, "ambiguous": bool(ambiguous), "candidates": list(candidates),
                "ingested": False, "yearless": cited, "number_key": number_key(cited)})
        elif cited not in stubs:
            stubs[cited] = NodeRow(cited, NodeLabel.DOCUMENT, clean_props({
                "id": cited, "number": cit.number, "type": cit.type, "date": cit.date,
                "issuer": cit.issuer, "title": cit.title,
                "year": cit.year if cit.year is not None else (
                    int(cit.date[:4]) if cit.date and cit.date[:4].isdigit() else None),
                "ambiguous": bool(ambiguous), "candidates": list(candidates),
                "ingested": False, "yearless": yearless_key(cited),
                "number_key": number_key(cited)}))
        edges.append(EdgeRow(doc_id, cited, EdgeType.CITES, f"{doc_id}|c{n}", clean_props({
            **owner, "relation": cit.relation.value, "surface": cit.surface,
            "cited_as": cited_as,
            "section": cit.section, "start": cit.start, "end": cit.end,
            "text": mention_sentence(doc.text, cit.start, cit.end) if doc.text else cit.surface,
        })))

    # tasks and assignments (n-ary: task, agency, role)
    for task in doc.tasks:
        tid = clean(task.id)
        owned.append(NodeRow(tid, NodeLabel.TASK, clean_props({
            "id": tid, "section": task.section, "text": task.text, "start": task.start,
            "end": task.end, "deadline": task.deadline, "document": doc_id,
            "source": doc.source, **owner})))
        edges.append(EdgeRow(doc_id, tid, EdgeType.HAS_TASK, doc_id, dict(owner)))
        for role, agencies in ((Role.LEAD, task.lead), (Role.COOPERATE, task.cooperate)):
            for agency in dict.fromkeys(agencies):
                agency = clean(agency)
                if agency not in shared:  # an id the document's agency list does not define
                    add_shared(agency, NodeLabel.AGENCY, {"name": agency})
                asg = f"{tid}/{role.value}/{agency}"
                owned.append(NodeRow(asg, NodeLabel.ASSIGNMENT, {
                    "id": asg, "role": role.value, "task": tid, "agency": agency, **owner}))
                edges.append(EdgeRow(tid, asg, EdgeType.HAS_ASSIGNMENT, doc_id, dict(owner)))
                edges.append(EdgeRow(asg, agency, EdgeType.ASSIGNED_TO, doc_id, dict(owner)))
        for topic in dict.fromkeys(task.topics):
            topic = add_shared(topic, NodeLabel.TOPIC, {"name": _topic_label(topic)})
            edges.append(EdgeRow(tid, topic, EdgeType.HAS_TOPIC, doc_id, dict(owner)))

    # localities
    for n, loc in enumerate(doc.localities):
        lid = add_locality_node(loc.id, loc.name, loc.kind.value, loc.country)
        edges.append(EdgeRow(doc_id, lid, EdgeType.MENTIONS_LOCALITY, f"{doc_id}|l{n}",
                             clean_props({**owner, "relation": loc.relation.value,
                                          "section": loc.section, "start": loc.start,
                                          "end": loc.end})))

    stubs.pop(doc_id, None)
    # keep only shared nodes the document's own edges reach (directly, or through a structural
    # edge of such a node): an agency listed but never assigned nor issuing is not written
    reached = {e.target for e in edges} | {e.source for e in edges}
    frontier = set(reached)
    while frontier:
        nxt = {e.target for e in structural.values() if e.source in frontier} - reached
        reached |= nxt
        frontier = nxt
    shared = {k: v for k, v in shared.items() if k in reached}
    structural = {k: e for k, e in structural.items() if e.source in reached}
    return DocumentGraph(
        doc_id=doc_id, document=document, stubs=tuple(stubs.values()),
        shared=tuple(shared.values()), owned=tuple(owned),
        structural=tuple(structural.values()), edges=tuple(edges))


def _issuer_agency(doc: ExtractedDocument) -> str | None:
    """The issuer's agency id: via ``vbgraph.ingest.agencies.issuer_agency`` when present, else
    the document's agency whose name matches the issuer."""
    issuer = doc.document.issuer
    if not issuer:
        return None
    try:
        from ..ingest.agencies import issuer_agency
    except ImportError:  # pragma: no cover - ingest not installed
        issuer_agency = None
    if issuer_agency is not None:
        try:
            agency = issuer_agency(issuer, doc.document.province)
        except Exception:  # noqa: BLE001 - a bad issuer string must not break the write
            agency = None
        if agency is not None:
            return clean(agency.id)
    key = fold(issuer)
    for agency in doc.agencies:
        if fold(agency.name) == key:
            return clean(agency.id)
    return None


_TOPIC_LABELS: dict[str, str] | None = None


def _topic_label(topic_id: str) -> str:
    global _TOPIC_LABELS
    if _TOPIC_LABELS is None:
        _TOPIC_LABELS = dict(topic_labels())
    return _TOPIC_LABELS.get(topic_id, topic_id.split(":", 1)[-1].replace("-", " "))


def topic_labels() -> Iterable[tuple[str, str]]:
    """``(topic id, Vietnamese prefLabel)`` from the SKOS topic scheme, when available."""
    try:
        from ..ingest.topics import topic_scheme
        scheme = topic_scheme()
    except Exception:  # noqa: BLE001 - the scheme is optional for the graph
        return []
    concepts = getattr(scheme, "concepts", scheme)
    if isinstance(concepts, Mapping):
        concepts = concepts.values()
    out = []
    for c in concepts:
        cid = getattr(c, "id", None)
        label = getattr(c, "pref_label", None)
        if cid and label:
            out.append((cid, label))
    return out

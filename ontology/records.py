"""Typed records that ``ingest/`` produces and ``graph/`` and ``search/`` consume.

Every record is a frozen dataclass; every extracted thing carries its provenance: the source
file (on the enclosing :class:`ExtractedDocument`), the section path it sits in, and a
character span ``[start, end)`` into the document's NFC text (``ExtractedDocument.text``).

``to_json()`` gives the public JSON shape of ``vbgraph extract --json`` (issue #2 contract);
``from_json()`` reads it back, so records round-trip through files and processes.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from enum import Enum
from typing import Any

from .vocab import CitationRelation, LocalityKind, LocalityRelation


@dataclass(frozen=True, slots=True)
class DocumentMeta:
    """The header of a document. Fields the text does not state stay ``None`` and are listed
    in ``missing`` — never invented."""

    id: str                                 # canonical document id, see ``ingest`` id rules
    number: str | None = None               # "64/KH-UBND", NFC, no spaces
    type: str | None = None                 # "Kế hoạch", "Quyết định", …
    date: str | None = None                 # ISO YYYY-MM-DD
    issuer: str | None = None               # "Ủy ban nhân dân tỉnh Kiên Giang"
    province: str | None = None             # "Kiên Giang"
    signer: str | None = None               # "Mai Anh Nhịn"
    signer_capacity: str | None = None      # "KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"
    title: str | None = None
    recipients: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()           # names of fields the text does not give


@dataclass(frozen=True, slots=True)
class Citation:
    """One mention of another document, with its span and section."""

    id: str                                  # canonical id of the *cited* document
    number: str | None                       # "272-QĐ/TW"; None for title-only references
    type: str | None                         # "Quyết định"
    date: str | None                         # ISO date when given (here or earlier in the text)
    issuer: str | None                       # "Bộ Chính trị"
    title: str | None                        # "về việc ban hành Quy chế …" / "Luật Tổ chức …"
    relation: CitationRelation
    surface: str                             # the text as written, NFC
    start: int
    end: int
    section: str                             # section path, e.g. "II.1.a"
    year: int | None = None
    ambiguous: bool = False                  # cannot be pinned to one document
    candidates: tuple[str, ...] = ()         # candidate ids when ambiguous


@dataclass(frozen=True, slots=True)
class Agency:
    """A province-scoped (or central) agency instance linked to its canonical kind."""

    id: str                  # "agency:so-ngoai-vu:kien-giang"; central: "agency:bo-ngoai-giao"
    name: str                # "Sở Ngoại vụ tỉnh Kiên Giang"
    kind: str                # canonical kind id, e.g. "so-ngoai-vu"
    kind_label: str          # "Sở Ngoại vụ"
    province: str | None     # "Kiên Giang"; None for central bodies


@dataclass(frozen=True, slots=True)
class Task:
    """A work item of the plan."""

    id: str                          # "<document id>#t<n>"
    section: str                     # "III.1.a"
    text: str                        # NFC text with line-break artefacts joined
    start: int
    end: int
    lead: tuple[str, ...] = ()       # agency ids
    cooperate: tuple[str, ...] = ()  # agency ids
    topics: tuple[str, ...] = ()     # topic concept ids
    deadline: str | None = None      # "định kỳ 6 tháng (trước ngày 25/5)"


@dataclass(frozen=True, slots=True)
class Locality:
    """A foreign country/locality or a Vietnamese place the document names."""

    id: str                          # "locality:salavan"
    name: str                        # "Salavan"
    kind: LocalityKind
    country: str | None              # "Lào"
    relation: LocalityRelation
    start: int                       # first mention supporting ``relation``
    end: int
    section: str


@dataclass(frozen=True, slots=True)
class ExtractedDocument:
    """Everything ``ingest`` extracts from one file."""

    source: str                      # the file path as given
    sha256: str                      # of the file's bytes: the incremental-ingest key
    text: str                        # NFC text all spans point into
    document: DocumentMeta
    citations: tuple[Citation, ...] = ()
    agencies: tuple[Agency, ...] = ()
    tasks: tuple[Task, ...] = ()
    localities: tuple[Locality, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    # -- JSON ---------------------------------------------------------------------------
    def to_json(self, *, include_text: bool = False) -> dict[str, Any]:
        """The ``vbgraph extract --json`` object for this file."""
        out: dict[str, Any] = {
            "source": self.source,
            "sha256": self.sha256,
            "document": _plain(self.document),
            "citations": [_plain(c) for c in self.citations],
            "agencies": [_plain(a) for a in self.agencies],
            "tasks": [_plain(t) for t in self.tasks],
            "localities": [_plain(loc) for loc in self.localities],
            "warnings": list(self.warnings),
        }
        if include_text:
            out["text"] = self.text
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any], *, text: str | None = None) -> ExtractedDocument:
        return cls(
            source=data["source"],
            sha256=data["sha256"],
            text=text if text is not None else data.get("text", ""),
            document=_build(DocumentMeta, data["document"]),
            citations=tuple(_build(Citation, c) for c in data["citations"]),
            agencies=tuple(_build(Agency, a) for a in data["agencies"]),
            tasks=tuple(_build(Task, t) for t in data["tasks"]),
            localities=tuple(_build(Locality, loc) for loc in data["localities"]),
            warnings=tuple(data.get("warnings", ())),
        )


_ENUM_FIELDS = {
    (Citation, "relation"): CitationRelation,
    (Locality, "kind"): LocalityKind,
    (Locality, "relation"): LocalityRelation,
}


def _plain(record: Any) -> dict[str, Any]:
    out = {}
    for key, value in asdict(record).items():
        if isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, Enum):
            value = value.value
        out[key] = value
    return out


def _build(cls: type, data: dict[str, Any]) -> Any:
    kwargs = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        enum = _ENUM_FIELDS.get((cls, f.name))
        if enum is not None:
            value = enum(value)
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[f.name] = value
    return cls(**kwargs)

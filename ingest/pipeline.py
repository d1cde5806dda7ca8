"""The ingest pipeline: a file (or a text) -> :class:`ExtractedDocument`.

``extract_text`` is pure: outline, header metadata, document id, citations, tasks with their
agencies and topics, localities, warnings. ``extract_file`` adds the reading (I/O at the edge).
The citation, agency, locality and topic extractors live in sibling modules; while one of them
is missing the pipeline still runs and says so in ``warnings``.
"""
from __future__ import annotations

import hashlib
import importlib
from functools import lru_cache
from pathlib import Path
from types import ModuleType

from ..ontology.records import Agency, ExtractedDocument
from .gazetteer import match_view
from .header import Header, parse_header, source_id, to_meta
from .read import DEFAULT_MAX_BYTES, clean_text, read_document
from .sections import parse_outline
from .tasks import RolesFn, TaskHooks, extract_tasks

__all__ = ["extract_file", "extract_text"]


@lru_cache(maxsize=None)
def _optional(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(f"{__package__}.{name}")
    except ImportError as exc:  # a sibling extractor not written (or not importable) yet
        if exc.name and (exc.name.endswith(name) or exc.name.endswith(name.split(".")[0])):
            return None
        raise


def _doc_id(header: Header, sha256: str, warnings: list[str]) -> str:
    if header.number is None:
        return source_id(sha256)
    citations = _optional("citations")
    if citations is None or not hasattr(citations, "document_id"):
        warnings.append("citations package unavailable: document id falls back to the content hash")
        return source_id(sha256)
    doc_id = citations.document_id(header.number, header.type, header.issuer, header.year,
                                   province=header.province)
    return doc_id or source_id(sha256)


def _hooks(text: str, province: str | None, warnings: list[str],
           view: str | None = None) -> TaskHooks:
    agencies = _optional("agencies")
    topics = _optional("topics")
    if agencies is None:
        warnings.append("agencies module unavailable: tasks carry no agencies")
    if topics is None:
        warnings.append("topics module unavailable: tasks carry no topics")
    hooks = TaskHooks()
    if agencies is not None:
        hooks = _agency_hooks(agencies, text, province, view)
    if topics is not None:
        hooks = TaskHooks(heading_agency=hooks.heading_agency, roles=hooks.roles,
                          topics=topics.tag_topics, bind_roles=hooks.bind_roles,
                          bind_topics=topics.DocumentTopics)
    return hooks


def _agency_hooks(agencies: ModuleType, text: str, province: str | None,
                  view: str | None) -> TaskHooks:
    """The agency hooks: the document's agency mentions are found once; each task's roles
    slice them."""
    document = agencies.document_agencies(text, province, view=view)

    def heading_agency(title: str) -> Agency | None:
        found: Agency | None = agencies.agency_heading(title, province)
        return found

    def roles(text_: str, a: int, b: int,
              heading: Agency | None) -> tuple[tuple[Agency, ...], tuple[Agency, ...]]:
        found: tuple[tuple[Agency, ...], tuple[Agency, ...]] = agencies.roles_for_task(
            text_, a, b, province, heading, document=document)
        return found

    def bind_roles() -> RolesFn:
        # per extract_tasks call: where the document's role cues may start, found once
        bound: RolesFn = agencies.TaskRoles(document)
        return bound

    return TaskHooks(heading_agency=heading_agency, roles=roles, bind_roles=bind_roles)


def extract_text(text: str, source: str, sha256: str | None = None,
                 *, reader_warnings: tuple[str, ...] = ()) -> ExtractedDocument:
    """Extract everything from ``text`` (pure). ``sha256`` defaults to the hash of the text."""
    text = clean_text(text)
    sha = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
    warnings: list[str] = list(reader_warnings)
    outline = parse_outline(text)
    header = parse_header(text, outline)
    warnings.extend(header.warnings)
    doc_id = _doc_id(header, sha, warnings)

    citations: tuple = ()
    cit = _optional("citations")
    if cit is not None and hasattr(cit, "extract_citations"):
        try:
            context = cit.CitationContext(province=header.province, year=header.year,
                                          number=header.number)
        except TypeError:  # the agreed two-field context
            context = cit.CitationContext(province=header.province, year=header.year)
        citations = tuple(cit.extract_citations(text, outline.section_at, context))
    else:
        warnings.append("citations package unavailable: no citations extracted")

    view = match_view(text)      # the agency and locality matchers' view, computed once
    tasks, task_agencies = extract_tasks(text, outline, doc_id, plan_title=header.title,
                                         hooks=_hooks(text, header.province, warnings, view))
    agencies: dict[str, Agency] = {}
    ag_mod = _optional("agencies")
    if ag_mod is not None and header.issuer:
        issuer = ag_mod.issuer_agency(header.issuer, header.province)
        if issuer is not None:
            agencies[issuer.id] = issuer
    for ag in task_agencies:
        agencies.setdefault(ag.id, ag)

    localities: tuple = ()
    loc = _optional("localities")
    if loc is not None and hasattr(loc, "find_localities"):
        localities = tuple(loc.find_localities(text, outline.section_at, header.province,
                                               view=view))
    else:
        warnings.append("localities module unavailable: no localities extracted")
    if not tasks:
        warnings.append("no tasks found")

    return ExtractedDocument(
        source=source, sha256=sha, text=text, document=to_meta(header, doc_id),
        citations=citations, agencies=tuple(agencies.values()), tasks=tasks,
        localities=localities, warnings=tuple(dict.fromkeys(warnings)),
    )


def extract_file(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ExtractedDocument:
    """Read ``path`` and extract it; raises :class:`~vbgraph.ingest.errors.IngestError`."""
    raw = read_document(path, max_bytes=max_bytes)
    return extract_text(raw.text, str(path), raw.sha256, reader_warnings=raw.warnings)

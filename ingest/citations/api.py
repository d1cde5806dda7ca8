"""What the ingest pipeline calls: ``extract_citations``."""
from __future__ import annotations

from collections.abc import Callable

from ...ontology.records import Citation
from ..text import nfc
from .canonical import document_id
from .find import find_in_nfc
from .models import CitationContext, FoundCitation
from .resolve import resolve_in_document

__all__ = ["extract_citations", "to_record"]


def to_record(c: FoundCitation, section: str) -> Citation:
    return Citation(
        id=c.id, number=c.number, type=c.type, date=c.date, issuer=c.issuer, title=c.title,
        relation=c.relation, surface=c.surface, start=c.start, end=c.end, section=section,
        year=c.year, ambiguous=c.ambiguous, candidates=c.candidates)


def extract_citations(text: str, section_at: Callable[[int], str],
                      context: CitationContext | None = None) -> tuple[Citation, ...]:
    """One :class:`~vbgraph.ontology.records.Citation` per reference to another document.

    ``text`` is the document's NFC text (spans index it); ``section_at(offset)`` gives the
    section path at an offset; ``context`` tells the citing document's own province, year and
    number: provincial references (``của UBND tỉnh``, ``64/KH-UBND``) take its province, and
    mentions of the document's own number (a news page reporting the plan) are dropped.
    """
    text = nfc(text)
    found = resolve_in_document(find_in_nfc(text, context))
    own = None
    if context is not None and context.number:
        own = document_id(context.number, province=context.province, year=context.year)
    return tuple(to_record(c, section_at(c.start)) for c in found
                 if own is None or c.id != own)

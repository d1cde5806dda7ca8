"""Legal-reference (citation) extraction, modelled on freelawproject's eyecite.

One module per verb: ``grammar`` (document numbers), ``dates``, ``find`` (references in a
text), ``resolve`` (short/yearless forms), ``canonical`` (ids), ``parse`` (user queries),
``api`` (what the pipeline calls).
"""
from .api import extract_citations, to_record
from .canonical import (
    DocumentKey,
    document_id,
    parse_document_id,
    title_id,
    yearless_id,
)
from .dates import find_dates, parse_date
from .find import find_citations
from .grammar import Symbol, parse_symbol
from .models import CitationContext, FoundCitation
from .parse import ReferenceQuery, parse_reference
from .resolve import known_by_yearless, resolve_in_document, resolve_yearless

__all__ = [
    "CitationContext", "DocumentKey", "FoundCitation", "ReferenceQuery", "Symbol",
    "document_id", "extract_citations", "find_citations", "find_dates", "known_by_yearless",
    "parse_date", "parse_document_id", "parse_reference", "parse_symbol", "resolve_in_document",
    "resolve_yearless", "title_id", "to_record", "yearless_id",
]

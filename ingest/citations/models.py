"""Records of the citation extractor (frozen, like eyecite's ``models``)."""
from __future__ import annotations

from dataclasses import dataclass

from ...ontology.vocab import CitationRelation
from .canonical import DocumentKey

__all__ = ["CitationContext", "FoundCitation"]


@dataclass(frozen=True, slots=True)
class CitationContext:
    """What the citing document tells about itself: resolves ``của UBND tỉnh`` and
    provincial symbols (``64/KH-UBND``) to its province."""

    province: str | None = None      # "Kiên Giang"
    year: int | None = None          # the citing document's year
    number: str | None = None        # its own number ("1112/KH-UBND"): not a citation of itself


@dataclass(frozen=True, slots=True)
class FoundCitation:
    """One reference found in a text.

    ``start``/``end`` span the reference as written (leading word, number, adjacent date and
    issuer), ``surface == text[start:end]``; the title (``về việc …``) follows up to
    ``extent_end``.
    """

    start: int
    end: int
    surface: str
    key: DocumentKey
    number: str | None               # canonical symbol "272-QĐ/TW"; None: short/title-only
    type: str | None                 # "Quyết định"
    type_code: str | None            # "qd"
    date: str | None                 # ISO, only when adjacent to this reference
    year: int | None
    issuer: str | None               # as named: "Bộ Chính trị", "UBND tỉnh Kiên Giang"
    issuer_code: str | None          # symbol/issuer code: "TW", "VPCP-QHQT"
    province: str | None             # province of a provincial issuer: "Kiên Giang"
    title: str | None                # "về việc ban hành Quy chế …" (whitespace collapsed)
    relation: CitationRelation
    extent_end: int                  # end of the title (== end when there is none)
    kind: str                        # "full" (has a symbol), "short" (number only), "title"
    nested: bool = False             # sits inside another reference's title
    ambiguous: bool = False
    candidates: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.key.id

"""Resolve short and yearless references.

- :func:`resolve_in_document`: within one document, ``Quyết định 272 của Bộ Chính trị`` or a
  dateless ``Chỉ thị số 38-CT/TW`` take the full reference the same document gives elsewhere
  (before or after) — when exactly one matches; several different ones → ambiguous.
- :func:`resolve_yearless`: across the corpus, a yearless id links to the single dated
  document known under it; several → ambiguous with the candidates; none → stays yearless.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from .canonical import yearless_id
from .models import FoundCitation

__all__ = ["known_by_yearless", "resolve_in_document", "resolve_yearless"]


def _compatible(short: FoundCitation, full: FoundCitation) -> bool:
    a, b = short.key, full.key
    if a.title_key is not None or b.title_key is not None:
        return False
    if a.type_code != b.type_code or a.number is None or a.number != b.number:
        return False
    if a.issuer is not None and b.issuer is not None and not (
            b.issuer == a.issuer or b.issuer.startswith(a.issuer + "-")):
        return False
    if a.province is not None and b.province is not None and a.province != b.province:
        return False
    if a.year is not None and b.year is not None and a.year != b.year:
        return False
    return True


def resolve_in_document(citations: Sequence[FoundCitation]) -> list[FoundCitation]:
    """Complete incomplete references from complete ones of the same document."""
    # the complete ones by (type, number), in text order: ``_compatible`` needs both equal
    full: dict[tuple[str | None, str], list[FoundCitation]] = {}
    for c in citations:
        if c.key.complete and c.key.title_key is None and c.key.number is not None:
            full.setdefault((c.key.type_code, c.key.number), []).append(c)
    out: list[FoundCitation] = []
    for c in citations:
        if c.key.complete:
            out.append(c)
            continue
        same = full.get((c.key.type_code, c.key.number), ()) if c.key.number is not None else ()
        matches = {f.key.id: f for f in same if _compatible(c, f)}
        if len(matches) == 1:
            f = next(iter(matches.values()))
            out.append(replace(
                c, key=f.key, number=c.number or f.number, year=f.year,
                date=c.date or f.date, issuer=c.issuer or f.issuer,
                issuer_code=f.issuer_code, province=f.province, type=c.type or f.type,
                title=c.title or f.title))
        elif len(matches) > 1:
            out.append(replace(c, ambiguous=True, candidates=tuple(sorted(matches))))
        else:
            out.append(c)
    return out


def resolve_yearless(citation_key: str, known: Mapping[str, Sequence[str]]
                     ) -> tuple[str, bool, tuple[str, ...]]:
    """Link a yearless id (``doc:ct-04-tw``) to the dated documents ``known`` under it.

    ``known`` maps a yearless id to the dated ids seen in the corpus (see
    :func:`known_by_yearless`). Returns ``(id, ambiguous, candidates)``: one candidate →
    ``(candidate, False, (candidate,))``; several → ``(citation_key, True, sorted)``;
    none → ``(citation_key, False, ())``. Dated ids pass through unchanged.
    """
    key = yearless_id(citation_key)
    if key != citation_key:
        return citation_key, False, ()
    cands = tuple(sorted(set(known.get(key, ()))))
    if len(cands) == 1:
        return cands[0], False, cands
    if len(cands) > 1:
        return citation_key, True, cands
    return citation_key, False, ()


def known_by_yearless(ids: Iterable[str]) -> dict[str, list[str]]:
    """Index dated ids by their yearless form, for :func:`resolve_yearless`."""
    out: dict[str, list[str]] = {}
    for doc_id in ids:
        key = yearless_id(doc_id)
        if key != doc_id and doc_id not in out.setdefault(key, []):
            out[key].append(doc_id)
    return out

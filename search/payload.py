"""Per-task payloads kept beside the vectors (so results need no graph round trip), and the
pure filter predicates over them."""
from __future__ import annotations

import re
from typing import Any

from ..ingest.text import match_key
from ..ontology.records import ExtractedDocument, Task
from .base import SearchFilters

_YEAR_IN_ID = re.compile(r"-(\d{4})$")
_PROVINCE_PREFIX = re.compile(r"^(tinh|thanh pho|tp\.?)\s+")


def document_year(doc: ExtractedDocument) -> int | None:
    meta = doc.document
    if meta.date and len(meta.date) >= 4 and meta.date[:4].isdigit():
        return int(meta.date[:4])
    m = _YEAR_IN_ID.search(meta.id or "")
    return int(m.group(1)) if m else None


def task_payload(doc: ExtractedDocument, task: Task) -> dict[str, Any]:
    names = {a.id: a.name for a in doc.agencies}
    meta = doc.document
    return {
        "task_id": task.id,
        "text": task.text,
        "document": {"id": meta.id, "number": meta.number, "title": meta.title,
                     "province": meta.province, "date": meta.date, "type": meta.type},
        "year": document_year(doc),
        "lead": [names.get(a, a) for a in task.lead],
        "cooperate": [names.get(a, a) for a in task.cooperate],
        "lead_ids": list(task.lead),
        "cooperate_ids": list(task.cooperate),
        "topics": list(task.topics),
        "section": task.section,
        "source": doc.source,
        "start": task.start,
        "end": task.end,
    }


def public_result(payload: dict[str, Any], score: float) -> dict[str, Any]:
    """The issue's JSON shape of one hit."""
    doc = payload["document"]
    return {
        "task_id": payload["task_id"],
        "text": payload["text"],
        "score": round(float(score), 6),
        "document": {k: doc.get(k) for k in ("id", "number", "title", "province", "date")},
        "lead": list(payload["lead"]),
        "cooperate": list(payload["cooperate"]),
        "section": payload["section"],
        "source": payload["source"],
        "start": payload["start"],
        "end": payload["end"],
    }


def _province_key(value: str | None) -> str:
    return _PROVINCE_PREFIX.sub("", match_key(value or ""))


def _agency_matches(query: str, agency_id: str, name: str) -> bool:
    if query.startswith("agency:"):
        return agency_id == query
    key = match_key(query)
    if not key:
        return False
    if key in match_key(name):
        return True
    # kind slug ("so-ngoai-vu") or kind words ("so ngoai vu") against the id's kind segment
    parts = agency_id.split(":")
    kind = parts[1] if len(parts) > 1 else ""
    return key.replace(" ", "-") == kind or key == kind


def _topic_matches(query: str, topics: list[str]) -> bool:
    if query.startswith("topic:"):
        return query in topics
    slug = match_key(query).replace(" ", "-")
    return any(t == "topic:" + slug or t.split(":", 1)[-1] == slug for t in topics)


def matches(payload: dict[str, Any], filters: SearchFilters | None) -> bool:
    """Whether a task payload passes ``filters`` (``None`` or empty filters pass all)."""
    if filters is None:
        return True
    doc = payload["document"]
    if filters.province is not None and _province_key(doc.get("province")) != _province_key(
            filters.province):
        return False
    if filters.document_type is not None and match_key(doc.get("type") or "") != match_key(
            filters.document_type):
        return False
    if filters.year is not None and payload.get("year") != int(filters.year):
        return False
    if filters.topic is not None and not _topic_matches(filters.topic, payload["topics"]):
        return False
    role = filters.role
    if role is not None and role not in ("lead", "cooperate"):
        raise ValueError(f"role must be 'lead' or 'cooperate', not {role!r}")
    pairs: list[tuple[str, str]] = []
    if role in (None, "lead"):
        pairs += list(zip(payload["lead_ids"], payload["lead"]))
    if role in (None, "cooperate"):
        pairs += list(zip(payload["cooperate_ids"], payload["cooperate"]))
    if filters.agency is not None:
        return any(_agency_matches(filters.agency, aid, name) for aid, name in pairs)
    if role is not None:
        return bool(pairs)
    return True

"""networkx analytics that answer questions users ask of the graph."""
from __future__ import annotations

from collections import Counter, defaultdict
from itertools import combinations
from typing import Any

import networkx as nx

from ..ontology.vocab import EdgeType, LocalityRelation, NodeLabel
from .base import GraphStore

__all__ = ["agency_centrality", "most_cited", "provinces_sharing_partners"]


def most_cited(store: GraphStore, k: int = 10) -> list[dict[str, Any]]:
    """Documents cited by the most distinct plans (ties: more mentions, then id)."""
    plans: dict[str, set[str]] = defaultdict(set)
    mentions: Counter[str] = Counter()
    for e in store.iter_edges():
        if e["type"] == EdgeType.CITES.value:
            plans[e["target"]].add(e["source"])
            mentions[e["target"]] += 1
    nodes = store.get_nodes(plans)
    ranked = sorted(plans, key=lambda d: (-len(plans[d]), -mentions[d], d))[:k]
    return [{"id": d, "number": nodes.get(d, {}).get("number"),
             "type": nodes.get(d, {}).get("type"), "plans": len(plans[d]),
             "mentions": mentions[d], "cited_by": sorted(plans[d])} for d in ranked]


def agency_centrality(store: GraphStore, k: int = 10) -> list[dict[str, Any]]:
    """Agencies central to the most plans: degree in the agency–plan bipartite graph (the
    number of plans assigning them work), with betweenness in the agency co-assignment graph
    (agencies that connect otherwise separate groups) as tie-break."""
    task_doc: dict[str, str] = {}
    asg_task: dict[str, str] = {}
    asg_agency: dict[str, str] = {}
    for e in store.iter_edges():
        if e["type"] == EdgeType.HAS_TASK.value:
            task_doc[e["target"]] = e["source"]
        elif e["type"] == EdgeType.HAS_ASSIGNMENT.value:
            asg_task[e["target"]] = e["source"]
        elif e["type"] == EdgeType.ASSIGNED_TO.value:
            asg_agency[e["source"]] = e["target"]
    agency_plans: dict[str, set[str]] = defaultdict(set)
    task_agencies: dict[str, set[str]] = defaultdict(set)
    for asg, agency in asg_agency.items():
        task = asg_task.get(asg)
        if task is None:
            continue
        task_agencies[task].add(agency)
        if task in task_doc:
            agency_plans[agency].add(task_doc[task])
    co = nx.Graph()
    co.add_nodes_from(agency_plans)
    for agencies in task_agencies.values():
        for a, b in combinations(sorted(agencies), 2):
            w = co.get_edge_data(a, b, {"weight": 0})["weight"]
            co.add_edge(a, b, weight=w + 1)
    between = nx.betweenness_centrality(co) if co.number_of_nodes() > 2 else {}
    nodes = store.get_nodes(agency_plans)
    ranked = sorted(agency_plans, key=lambda a: (-len(agency_plans[a]), -between.get(a, 0), a))
    return [{"id": a, "agency": nodes.get(a, {}).get("name", a),
             "plans": len(agency_plans[a]), "betweenness": round(between.get(a, 0.0), 4)}
            for a in ranked[:k]]


def provinces_sharing_partners(store: GraphStore, *, partners_only: bool = True
                               ) -> list[dict[str, Any]]:
    """Pairs of provinces whose plans name the same foreign localities (partners by default)."""
    doc_province: dict[str, str] = {}
    doc_localities: dict[str, set[str]] = defaultdict(set)
    for e in store.iter_edges():
        if e["type"] == EdgeType.IN_PROVINCE.value and e["source"].startswith("doc:"):
            doc_province[e["source"]] = e["target"]
        elif e["type"] == EdgeType.MENTIONS_LOCALITY.value:
            if not partners_only or e.get("relation") == LocalityRelation.PARTNER.value:
                doc_localities[e["source"]].add(e["target"])
    province_localities: dict[str, set[str]] = defaultdict(set)
    for doc, locs in doc_localities.items():
        if doc in doc_province:
            province_localities[doc_province[doc]].update(locs)
    names = store.get_nodes([*province_localities,
                             *{x for v in province_localities.values() for x in v}])
    out = []
    for a, b in combinations(sorted(province_localities), 2):
        shared = province_localities[a] & province_localities[b]
        if shared:
            out.append({"provinces": [names.get(a, {}).get("name", a),
                                      names.get(b, {}).get("name", b)],
                        "shared": sorted(names.get(x, {}).get("name", x) for x in shared)})
    out.sort(key=lambda r: (-len(r["shared"]), r["provinces"]))
    _ = NodeLabel
    return out

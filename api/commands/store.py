"""Store commands: ``ingest``, ``cites``, ``cited-by``, ``chain``, ``agencies``, ``graph``,
``path``, ``stats``, ``export``, ``sparql``, ``sync``.

They only parse arguments, call :class:`vbgraph.api.service.Workspace` and print (human-readable
by default, JSON with ``--json``)."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ...graph.base import EVIDENCE_PER_AGENCY, MAX_EVIDENCE
from ._common import add_common, add_paging, fail, open_workspace, print_json

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("ingest", help="ingest files or folders into the graph",
                              description="Ingest plans incrementally: unchanged files (same "
                                          "content hash) are skipped, changed ones replaced.")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--no-index", action="store_true",
                   help="graph only: do not build the semantic search index")
    p.add_argument("--model", help="embedding model for the index (VBGRAPH_EMBED_MODEL)")
    add_common(p)
    p.set_defaults(func=_ingest)

    p = subparsers.add_parser("cites", help="plans citing a document, however it is typed")
    p.add_argument("ref", metavar="REF", help="e.g. 272-QĐ/TW, 'Quyết định 272', 'NĐ 12/2012'")
    add_paging(p, 50)
    add_common(p)
    p.set_defaults(func=_cites)

    p = subparsers.add_parser("cited-by", help="what a plan cites")
    p.add_argument("plan", metavar="PLAN", help="plan id or number, e.g. 64/KH-UBND")
    add_common(p)
    p.set_defaults(func=_cited_by)

    p = subparsers.add_parser("chain", help="documents citing documents, from a document")
    p.add_argument("doc", metavar="DOC")
    p.add_argument("--depth", type=int, default=3)
    p.add_argument("--direction", choices=("citing", "cited"), default="citing")
    add_common(p)
    p.set_defaults(func=_chain)

    p = subparsers.add_parser("agencies", help="agencies ranked for a topic")
    p.add_argument("topic", metavar="TOPIC", help="e.g. 'biên giới', 'bao ho cong dan'")
    p.add_argument("--province", help="only plans/agencies of this province")
    p.add_argument("--no-semantic", action="store_true",
                   help="topic scheme only (no semantic-search evidence)")
    p.add_argument("--evidence", type=_evidence, default=EVIDENCE_PER_AGENCY, metavar="N",
                   help=f"evidence tasks listed per agency, lead first (default "
                        f"{EVIDENCE_PER_AGENCY}, 0…{MAX_EVIDENCE}; the counts cover all)")
    add_paging(p, 20)
    add_common(p)
    p.set_defaults(func=_agencies)

    p = subparsers.add_parser("graph", help="the neighbourhood of a node")
    p.add_argument("node", metavar="NODE", help="id or name: 'Kiên Giang', '272-QĐ/TW', …")
    p.add_argument("--depth", type=int, default=1)
    add_common(p)
    p.set_defaults(func=_graph)

    p = subparsers.add_parser("path", help="how two entities connect")
    p.add_argument("a", metavar="A")
    p.add_argument("b", metavar="B")
    add_common(p)
    p.set_defaults(func=_path)

    p = subparsers.add_parser("stats", help="counts and analytics")
    add_common(p)
    p.set_defaults(func=_stats)

    p = subparsers.add_parser("export", help="export the whole graph")
    p.add_argument("--format", choices=("ttl", "jsonld", "nt", "graphml", "json"), default="ttl")
    p.add_argument("-o", "--output", type=Path, help="write to FILE (default: stdout)")
    add_common(p, json_flag=False)
    p.set_defaults(func=_export)

    p = subparsers.add_parser("sparql", help="read-only SPARQL over the RDF view")
    p.add_argument("query", metavar="QUERY", help="the query, or @FILE to read it from a file")
    add_common(p)
    p.set_defaults(func=_sparql)

    p = subparsers.add_parser("sync", help="copy the embedded graph into Neo4j")
    p.add_argument("--to", choices=("neo4j",), default="neo4j")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="data directory (default: $VBGRAPH_HOME or ./.vbgraph)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--retries", type=int, default=6, metavar="N",
                   help="attempts per batch when Neo4j is unreachable (default 6)")
    p.add_argument("--retry-time", type=float, default=60.0, metavar="SECONDS",
                   help="give up a batch after this long of backoff (default 60)")
    p.add_argument("--restart", action="store_true",
                   help="ignore the progress of an interrupted sync and start over")
    p.set_defaults(func=_sync, store="embedded")


def _run(name: str, args: argparse.Namespace, body: Callable[[Any], int], *,
         index: bool = False) -> int:
    from ...graph.base import NodeNotFound
    from ...api.service import WorkspaceError

    try:
        ws = open_workspace(args, index=index)
    except (ValueError, WorkspaceError) as exc:
        return fail(name, str(exc), 2)
    try:
        return body(ws)
    except NodeNotFound as exc:
        return fail(name, str(exc.args[0] if exc.args else exc), 1)
    except (ValueError, WorkspaceError) as exc:
        return fail(name, str(exc), 2)
    except OSError as exc:
        return fail(name, str(exc), 2)
    finally:
        ws.close()


# -- ingest ---------------------------------------------------------------------------------
def _ingest_error(args: argparse.Namespace, code: str, message: str,
                  errno: int | None = None) -> int:
    """One line on stderr, exit 2; with ``--json`` also ``{"error": {code, message}}`` on
    stdout (``locked``, ``workspace``, ``invalid``, ``os_error``), which the HTTP server's
    ingest child process reports back through."""
    if args.json:
        body: dict[str, Any] = {"code": code, "message": message}
        if errno is not None:
            body["errno"] = errno
        print_json({"error": body})
    return fail("ingest", message, 2)


def _ingest(args: argparse.Namespace) -> int:
    from ...api.service import Workspace, WorkspaceError, WorkspaceLocked

    try:
        ws = Workspace(args.data_dir, store=args.store, index=not args.no_index,
                       model=args.model)
        report = ws.ingest(args.paths)
    except WorkspaceLocked as exc:
        return _ingest_error(args, "locked", str(exc))
    except WorkspaceError as exc:
        return _ingest_error(args, "workspace", str(exc))
    except ValueError as exc:
        return _ingest_error(args, "invalid", str(exc))
    except OSError as exc:  # disk full, read-only data dir …: the previous state is intact
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        return _ingest_error(args, "os_error",
                             f"{exc.strerror or exc}{where}; nothing was committed", exc.errno)
    if args.json:
        print_json(report.to_json())
    else:
        print(f"ingested {len(report.added)} new, {len(report.updated)} changed, "
              f"{len(report.unchanged)} unchanged, {len(report.failed)} failed "
              f"→ {report.counts.get('nodes', 0)} nodes, {report.counts.get('edges', 0)} edges "
              f"(generation {report.generation})")
        for item in report.added:
            print(f"  + {item['id']}  {item['source']}")
        for item in report.updated:
            print(f"  ~ {item['id']}  {item['source']}")
    for item in report.failed:
        print(f"vbgraph ingest: {item['source']}: {item['reason']}", file=sys.stderr)
    return 1 if report.failed else 0


# -- queries --------------------------------------------------------------------------------
def _doc_line(d: dict[str, Any]) -> str:
    parts = [x for x in (d.get("type"), d.get("number")) if x]
    head = " ".join(parts) or d.get("id", "")
    extra = ", ".join(x for x in (d.get("date"), d.get("issuer")) if x)
    return f"{head} ({extra})" if extra else head


def _cites(args: argparse.Namespace) -> int:
    def body(ws: Any) -> int:
        out = ws.cites(args.ref, limit=args.limit, offset=args.offset)
        if args.json:
            print_json(out)
            return 0
        if out.get("candidates"):
            print(f"«{args.ref}» có thể là nhiều văn bản — hãy nêu rõ năm:")
            for c in out["candidates"]:
                print(f"  ? {c['id']}: {_doc_line(c)}")
            return 0
        if not out["resolved"]:
            print(f"không tìm thấy văn bản nào khớp «{args.ref}»")
            return 0
        for r in out["resolved"]:
            print(f"{_doc_line(r)}  [{r['id']}]")
        shown = (f" (hiển thị {args.offset + 1}–{args.offset + len(out['plans'])})"
                 if out["plans"] and len(out["plans"]) < out.get("total", 0) else "")
        print(f"được trích dẫn bởi {out.get('total', len(out['plans']))} kế hoạch{shown}:")
        for p in out["plans"]:
            where = ", ".join(x for x in (p.get("province"), p.get("date")) if x)
            print(f"- {p.get('number') or p['id']} ({where}) — {p.get('title') or ''}")
            print(f"  {p.get('source')}")
            for m in p["mentions"]:
                print(f"    §{m['section']} [{m['start']}:{m['end']}] {m['text']}")
        return 0
    return _run("cites", args, body)


def _cited_by(args: argparse.Namespace) -> int:
    def body(ws: Any) -> int:
        out = ws.cited_by(args.plan)
        if args.json:
            print_json(out)
            return 0
        plan = out["plan"]
        print(f"{_doc_line(plan)} trích dẫn {len(out['cites'])} văn bản:")
        for c in out["cites"]:
            print(f"- {_doc_line(c)} [{', '.join(c['relations'])}]")
            for m in c["mentions"]:
                print(f"    §{m['section']} [{m['start']}:{m['end']}] {m['surface']}")
        return 0
    return _run("cited-by", args, body)


def _chain(args: argparse.Namespace) -> int:
    def body(ws: Any) -> int:
        out = ws.citation_chain(args.doc, args.depth, args.direction)
        if args.json:
            print_json(out)
            return 0
        for n in out["nodes"]:
            print(f"{'  ' * n['level']}{_doc_line(n)}  [{n['id']}]")
        return 0
    return _run("chain", args, body)


def _evidence(text: str) -> int:
    value = int(text)
    if not 0 <= value <= MAX_EVIDENCE:
        raise argparse.ArgumentTypeError(f"must be between 0 and {MAX_EVIDENCE}")
    return value


def _agencies(args: argparse.Namespace) -> int:
    def body(ws: Any) -> int:
        out = ws.agencies(args.topic, province=args.province, semantic=not args.no_semantic,
                          limit=args.limit, offset=args.offset, evidence=args.evidence)
        if args.json:
            print_json(out)
            return 0
        if not out:
            print(f"không có cơ quan nào được giao nhiệm vụ về «{args.topic}»")
            return 0
        for rank, a in enumerate(out, args.offset + 1):
            role = "chủ trì" if a["role"] == "lead" else "phối hợp"
            print(f"{rank:>2}. {a['agency']} — {role}, điểm {a['score']}, "
                  f"chủ trì {a.get('lead_tasks', 0)}, phối hợp {a.get('cooperate_tasks', 0)} "
                  f"nhiệm vụ")
            for t in a["tasks"]:
                text = (t.get("text") or "").replace("\n", " ")
                print(f"      {t['id']} §{t.get('section')}: {text[:100]}")
            more = a.get("evidence_total", len(a["tasks"])) - len(a["tasks"])
            if more > 0:
                print(f"      … và {more} nhiệm vụ khác")
        return 0
    return _run("agencies", args, body, index=not args.no_semantic)


def _graph(args: argparse.Namespace) -> int:
    def body(ws: Any) -> int:
        out = ws.neighborhood(args.node, args.depth)
        if args.json:
            print_json(out)
            return 0
        print(f"{out['root']}: {len(out['nodes'])} nodes, {len(out['edges'])} edges")
        labels = {n["id"]: n["label"] for n in out["nodes"]}
        for e in out["edges"]:
            print(f"  {labels.get(e['source'], e['source'])} -[{e['type']}]-> "
                  f"{labels.get(e['target'], e['target'])}")
        return 0
    return _run("graph", args, body)


def _path(args: argparse.Namespace) -> int:
    def body(ws: Any) -> int:
        out = ws.path(args.a, args.b)
        if args.json:
            print_json(out)
            return 0 if out["found"] else 1
        if not out["found"]:
            print(f"không có đường nối «{args.a}» với «{args.b}»")
            return 1
        nodes = out["nodes"]
        line = nodes[0]["label"]
        for e, n in zip(out["edges"], nodes[1:], strict=True):
            arrow = "->" if e["source"] != n["id"] else "<-"
            line += f" {arrow[0]}[{e['type']}]{arrow[1]} {n['label']}"
        print(line)
        return 0
    return _run("path", args, body)


def _stats(args: argparse.Namespace) -> int:
    def body(ws: Any) -> int:
        out = ws.stats()
        if args.json:
            print_json(out)
            return 0
        print(f"{out['nodes']} nodes, {out['edges']} edges, "
              f"{out['documents_ingested']} documents ingested ({out['store']})")
        for k, v in out["labels"].items():
            print(f"  {k}: {v}")
        if out.get("most_cited"):
            print("most cited:")
            for d in out["most_cited"][:5]:
                print(f"  {d.get('number') or d['id']}: {d['plans']} plans")
        if out.get("central_agencies"):
            print("agencies in the most plans:")
            for a in out["central_agencies"][:5]:
                print(f"  {a['agency']}: {a['plans']} plans")
        for pair in out.get("provinces_sharing_partners", [])[:5]:
            print(f"  {' & '.join(pair['provinces'])} share {', '.join(pair['shared'])}")
        return 0
    return _run("stats", args, body, index=True)


def _export(args: argparse.Namespace) -> int:
    def body(ws: Any) -> int:
        data = ws.export(args.format)
        if args.output:
            tmp = args.output.with_name(f".{args.output.name}.tmp")
            tmp.write_text(data, encoding="utf-8")
            tmp.replace(args.output)
        else:
            sys.stdout.write(data)
            if not data.endswith("\n"):
                sys.stdout.write("\n")
        return 0
    return _run("export", args, body)


def _sparql(args: argparse.Namespace) -> int:
    query = args.query
    if query.startswith("@"):
        query = Path(query[1:]).read_text(encoding="utf-8")

    def body(ws: Any) -> int:
        out = ws.sparql(query)
        if args.json or out["type"] != "SELECT":
            if out["type"] in ("CONSTRUCT", "DESCRIBE") and not args.json:
                sys.stdout.write(out["turtle"])
            else:
                print_json(out)
            return 0
        print("\t".join(out["vars"]))
        for row in out["rows"]:
            print("\t".join("" if row[v] is None else str(row[v]) for v in out["vars"]))
        return 0
    return _run("sparql", args, body)


def _sync(args: argparse.Namespace) -> int:
    from ...graph.neo4j_store import RetryPolicy, SyncUnavailable

    try:
        policy = RetryPolicy(attempts=args.retries, max_total=args.retry_time)
    except ValueError as exc:
        return fail("sync", str(exc), 2)

    def body(ws: Any) -> int:
        try:
            stats = ws.sync_to(args.to, retry=policy, resume=not args.restart)
        except SyncUnavailable as exc:
            return fail("sync", str(exc), 2)
        if args.json:
            print_json(stats.to_json())
        else:
            print(f"synced to {args.to}: {stats.nodes_created} nodes and "
                  f"{stats.relationships_created} edges created, {stats.nodes_deleted} nodes "
                  f"and {stats.relationships_deleted} edges removed")
        return 0
    return _run("sync", args, body)

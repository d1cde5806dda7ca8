"""The HTTP API (FastAPI) and the web explorer.

``create_app(workspace)`` builds the app over a :class:`vbgraph.api.service.Workspace` (or a
factory for one, or a data directory). Every endpoint only calls the workspace; what lives here
is HTTP: parameter bounds, the token check for writes, upload validation (size, extension,
content sniffing, safe file names), error bodies ``{"error": {"code", "message"}}``, request
logging, and running blocking work (embedding, ingest, SPARQL) in the threadpool so one slow
request never stalls the others.

Reads are open; ``POST /documents`` needs the token from ``VBGRAPH_API_TOKEN`` (header
``Authorization: Bearer <token>`` or ``X-API-Token: <token>``), compared in constant time.

Every client (by address) gets a token bucket (:class:`RateLimit`, default
:data:`DEFAULT_RATE_LIMIT`, ``VBGRAPH_API_RATE="<per second>/<burst>"`` or ``off``); past it the
answer is 429 with ``Retry-After``. Result sizes are bounded (``k``, list limits, drawn
subgraphs, SPARQL rows).
"""
from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import hmac
import io
import logging
import math
import os
import re
import tempfile
import threading
import time
import unicodedata
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from enum import Enum
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..graph.base import EVIDENCE_PER_AGENCY, MAX_EVIDENCE
from ..ontology.vocab import EdgeType, NodeLabel, Role
from .models import (
    AgencyRank,
    CitesResult,
    DocumentDetail,
    DocumentSummary,
    ErrorBody,
    IngestResult,
    SearchHit,
    SparqlQuery,
    Stats,
    Subgraph,
)

__all__ = [
    "DEFAULT_MAX_UPLOAD_BYTES",
    "DEFAULT_RATE_LIMIT",
    "MAX_SPARQL_ROWS",
    "UPLOAD_EXTENSIONS",
    "ApiError",
    "RateLimit",
    "TokenBuckets",
    "check_upload",
    "create_app",
    "safe_filename",
    "vocabulary",
]

log = logging.getLogger("vbgraph.api.http")

STATIC_DIR = Path(__file__).resolve().parent / "static"
TOKEN_ENV = "VBGRAPH_API_TOKEN"
DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
#: file types the ingest readers accept (issue #2): extension -> sniffed content kind
UPLOAD_EXTENSIONS: Mapping[str, str] = {
    ".txt": "text", ".html": "html", ".htm": "html", ".docx": "docx", ".pdf": "pdf",
}
MAX_K = 100
MAX_DEPTH = 3
MAX_GRAPH_NODES = 500        # a drawn neighbourhood larger than this is truncated
MAX_PAGE = 500              # cites plans / agencies page bound
MAX_LIST = 1000              # documents list / agencies list bound
MAX_SPARQL_ROWS = 10_000     # SELECT rows returned; more are cut and flagged `truncated`
RATE_ENV = "VBGRAPH_API_RATE"
_MULTIPART_OVERHEAD = 64 * 1024

_STATUS_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "payload_too_large",
    415: "unsupported_media_type", 422: "invalid_request", 429: "too_many_requests",
    500: "internal_error", 503: "unavailable",
}


class ApiError(Exception):
    """An HTTP error with a stable machine code; rendered as ``{"error": {code, message}}``."""

    def __init__(self, status: int, code: str, message: str,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


class ExportFormat(str, Enum):
    ttl = "ttl"
    jsonld = "jsonld"


_EXPORT_MEDIA = {ExportFormat.ttl: "text/turtle; charset=utf-8",
                 ExportFormat.jsonld: "application/ld+json"}


#: user-facing (Vietnamese) names of the node kinds, for the explorer's legend and filters
class SearchMode(str, Enum):
    hybrid = "hybrid"
    vector = "vector"
    bm25 = "bm25"


_NODE_LABEL_VI: Mapping[NodeLabel, str] = {
    NodeLabel.DOCUMENT: "Văn bản", NodeLabel.AGENCY: "Cơ quan", NodeLabel.AGENCY_KIND: "Loại cơ quan",
    NodeLabel.PROVINCE: "Tỉnh", NodeLabel.LOCALITY: "Địa phương, quốc gia", NodeLabel.TOPIC: "Chủ đề",
    NodeLabel.TASK: "Nhiệm vụ", NodeLabel.ASSIGNMENT: "Phân công",
}


def vocabulary() -> dict[str, Any]:
    """The graph vocabulary as the explorer needs it (labels, edge types, roles)."""
    return {
        "node_labels": {label.value: _NODE_LABEL_VI.get(label, label.value) for label in NodeLabel},
        "labels": {label.name: label.value for label in NodeLabel},
        "edges": {edge.name: edge.value for edge in EdgeType},
        "roles": {role.name: role.value for role in Role},
    }


# -- request-rate limit ----------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class RateLimit:
    """A token bucket per client: ``rate`` requests per second sustained, ``burst`` at once."""

    rate: float
    burst: int

    def __post_init__(self) -> None:
        if not (self.rate > 0 and math.isfinite(self.rate)) or self.burst < 1:
            raise ValueError(f"a rate limit needs rate > 0 and burst >= 1, not {self!r}")

    @classmethod
    def parse(cls, spec: str) -> RateLimit | None:
        """``"20/100"`` (20 per second, bursts of 100), ``"20"`` (burst = 5 x rate) or ``off``."""
        spec = spec.strip().lower()
        if spec in ("", "off", "0", "none", "no"):
            return None
        rate, _, burst = spec.partition("/")
        try:
            r = float(rate)
            return cls(r, int(burst) if burst else max(1, int(r * 5)))
        except ValueError as exc:
            raise ValueError(f"{RATE_ENV}: expected '<per second>/<burst>' or 'off', "
                             f"not {spec!r}") from exc


#: generous: the explorer's page load is ~15 requests, a busy user a few per second
DEFAULT_RATE_LIMIT = RateLimit(rate=50.0, burst=200)


class TokenBuckets:
    """Thread-safe token buckets keyed by client. :meth:`take` returns 0.0 when the request may
    go ahead, else the seconds until it would. Memory is bounded: past ``max_clients`` the least
    recently seen clients are forgotten (a forgotten client starts again with a full bucket)."""

    def __init__(self, limit: RateLimit, *, clock: Callable[[], float] = time.monotonic,
                 max_clients: int = 10_000) -> None:
        self.limit = limit
        self._clock = clock
        self._max = max_clients
        self._lock = threading.Lock()
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def take(self, key: str) -> float:
        now = self._clock()
        rate, burst = self.limit.rate, float(self.limit.burst)
        with self._lock:
            tokens, last = self._buckets.pop(key, (burst, now))
            tokens = min(burst, tokens + max(0.0, now - last) * rate)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / rate
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self._max:
                self._buckets.popitem(last=False)
            return wait


def _rate_limit_from(value: Any) -> RateLimit | None:
    if value == "env":
        spec = os.environ.get(RATE_ENV)
        return DEFAULT_RATE_LIMIT if spec is None else RateLimit.parse(spec)
    if value is None or isinstance(value, RateLimit):
        return value
    return RateLimit.parse(str(value))


# -- pure helpers: upload validation -----------------------------------------------------

_UNSAFE_CHARS = re.compile(r"[^\w.\- ]+", re.UNICODE)


def safe_filename(name: str, *, max_length: int = 120) -> str:
    """A file name safe to create in the uploads folder: no directories (``/``, ``\\``, ``..``),
    no control or shell characters, no leading dot, NFC, length-bounded, extension kept.
    Raises :class:`ApiError` (400) when nothing usable is left."""
    base = unicodedata.normalize("NFC", name or "")
    base = re.split(r"[\\/]", base)[-1]                       # drop any directory part
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = _UNSAFE_CHARS.sub("_", base).strip(" .")
    base = re.sub(r"_{2,}", "_", base)
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    ext = ext[:10]
    stem = stem.strip(" ._")[: max(1, max_length - len(ext) - 1)]
    if not stem:
        raise ApiError(400, "bad_filename", f"file name {name!r} has no usable characters")
    return f"{stem}.{ext}" if ext else stem


_BINARY_MAGIC = (
    b"PK\x03\x04", b"%PDF-", b"\x7fELF", b"MZ", b"\x89PNG", b"GIF8", b"\xff\xd8\xff",
    b"\x1f\x8b", b"BZh", b"7z\xbc\xaf", b"Rar!", b"\xd0\xcf\x11\xe0",  # OLE (.doc/.xls)
)
_HTML_TAG = re.compile(rb"<\s*(!doctype|html|head|body|div|p|meta|title|table|article|main)\b",
                       re.IGNORECASE)


def _looks_textual(data: bytes) -> bool:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):       # UTF-16 with BOM
        return len(data) % 2 == 0
    if any(data.startswith(m) for m in _BINARY_MAGIC):
        return False
    sample = data[:65536]
    if b"\x00" in sample:
        return False
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls <= max(2, len(sample) // 200)


def check_upload(filename: str, data: bytes, *, max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES) -> str:
    """Validate an uploaded file by extension AND content; return its kind (``text``, ``html``,
    ``docx``, ``pdf``) or raise :class:`ApiError` with a clear 4xx."""
    if len(data) > max_bytes:
        raise ApiError(413, "file_too_large",
                       f"file is {len(data)} bytes; the limit is {max_bytes} bytes")
    ext = os.path.splitext(filename)[1].lower()
    kind = UPLOAD_EXTENSIONS.get(ext)
    if kind is None:
        allowed = ", ".join(sorted(UPLOAD_EXTENSIONS))
        raise ApiError(415, "unsupported_type",
                       f"file type {ext or '(none)'!r} is not accepted; use one of {allowed}")
    if not data.strip():
        raise ApiError(400, "empty_file", "the uploaded file is empty")
    mismatch = ApiError(415, "content_mismatch",
                        f"the content of {filename!r} is not a {ext} file")
    if kind == "pdf":
        if not data.lstrip()[:5] == b"%PDF-":
            raise mismatch
    elif kind == "docx":
        if not data.startswith(b"PK\x03\x04"):
            raise mismatch
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, ValueError) as exc:
            raise ApiError(415, "content_mismatch", f"{filename!r} is not a valid .docx: {exc}")
        if "word/document.xml" not in names:
            raise ApiError(415, "content_mismatch",
                           f"{filename!r} is a zip archive but not a Word document")
    else:
        if not _looks_textual(data):
            raise ApiError(415, "binary_content",
                           f"{filename!r} holds binary data, not text")
        if kind == "html" and not _HTML_TAG.search(data[:65536]):
            raise mismatch
    return kind


# -- the app -----------------------------------------------------------------------------

WorkspaceSource = Any   # Workspace | Callable[[], Workspace] | str | os.PathLike


class _WorkspaceHolder:
    """Creates the workspace on first use (thread-safe) so app creation stays cheap."""

    def __init__(self, source: WorkspaceSource, store: str | None, index: bool) -> None:
        self._lock = threading.Lock()
        self._ws: Any = None
        if isinstance(source, (str, os.PathLike)):
            data_dir = Path(source)

            def factory() -> Any:
                from .service import (
                    Workspace,  # imported late: graph/search load heavy deps
                )
                kwargs: dict[str, Any] = {"index": index}
                if store is not None:
                    kwargs["store"] = store
                return Workspace(data_dir, **kwargs)
            self._factory: Callable[[], Any] = factory
        elif callable(source) and not hasattr(source, "neighborhood"):
            self._factory = source
        else:
            self._ws = source
            self._factory = lambda: source

    def get(self) -> Any:
        if self._ws is None:
            with self._lock:
                if self._ws is None:
                    try:
                        self._ws = self._factory()
                    except (OSError, RuntimeError) as exc:
                        raise ApiError(503, "workspace_unavailable",
                                       f"cannot open the data directory: {exc}") from exc
        return self._ws


def _plain(value: Any) -> Any:
    """Service results (dataclasses, enums, tuples, paths) as JSON-able values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if hasattr(value, "to_json") and callable(value.to_json):
        return _plain(value.to_json())
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def _error_response(status: int, code: str, message: str,
                    headers: Mapping[str, str] | None = None) -> JSONResponse:
    body = {"error": {"code": code, "message": message}}
    return JSONResponse(body, status_code=status, headers=dict(headers or {}))


def _not_found_or_bad(exc: Exception, what: str) -> ApiError:
    """Map the service's lookup/validation exceptions to 404/400."""
    message = str(exc.args[0]) if exc.args else str(exc)
    if isinstance(exc, LookupError):
        return ApiError(404, "not_found", f"{what} not found: {message}")
    return ApiError(400, "bad_request", message or f"invalid {what}")


async def _call(func: Callable[..., Any], *args: Any, what: str = "item", **kwargs: Any) -> Any:
    """Run a blocking workspace call in the threadpool; lookup errors -> 404, value errors -> 400."""
    try:
        return await run_in_threadpool(func, *args, **kwargs)
    except ApiError:
        raise
    except (LookupError, ValueError) as exc:
        raise _not_found_or_bad(exc, what) from exc


def _require(ws: Any, name: str) -> Callable[..., Any]:
    method = getattr(ws, name, None)
    if method is None:
        raise ApiError(501, "not_implemented", f"the workspace has no {name}() yet")
    return method


def _bound_subgraph(data: Any, max_nodes: int = MAX_GRAPH_NODES) -> dict[str, Any]:
    data = _plain(data)
    if not isinstance(data, dict):
        return {"nodes": [], "edges": [], "result": data}
    nodes = list(data.get("nodes") or [])
    if len(nodes) <= max_nodes:
        return data
    kept = nodes[:max_nodes]
    ids = {n.get("id") for n in kept}
    edges = [e for e in data.get("edges") or []
             if e.get("source") in ids and e.get("target") in ids]
    return {**data, "nodes": kept, "edges": edges, "truncated": True}


def _bound_sparql(result: Any, max_rows: int = MAX_SPARQL_ROWS) -> Any:
    if isinstance(result, dict) and isinstance(result.get("rows"), list) \
            and len(result["rows"]) > max_rows:
        return {**result, "rows": result["rows"][:max_rows], "truncated": True}
    return result


def _token_from(request: Request) -> str | None:
    auth = request.headers.get("authorization")
    if auth:
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    value = request.headers.get("x-api-token")
    return value.strip() if value else None


_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
        "form-action 'self'")


def create_app(
    workspace: WorkspaceSource,
    *,
    store: str | None = None,
    index: bool = True,
    token: str | None = None,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
    uploads_dir: str | os.PathLike[str] | None = None,
    cors_origins: Sequence[str] = (),
    static_dir: str | os.PathLike[str] | None = STATIC_DIR,
    rate_limit: RateLimit | str | None = "env",
    ingest_process: bool = True,
    ingest_timeout: float | None = 1800.0,
) -> FastAPI:
    """Build the API and explorer.

    ``workspace``: a Workspace, a zero-argument factory returning one (called once, on first
    use), or a data directory (opened as ``Workspace(data_dir, store=store, index=index)``).
    ``token``: the write token; default ``$VBGRAPH_API_TOKEN``; without one, uploads are refused.
    ``uploads_dir``: where accepted uploads are kept (default ``<data_dir>/uploads``).
    ``cors_origins``: CORS is off unless origins are listed.
    ``rate_limit``: per-client token bucket; ``"env"`` (default) reads ``$VBGRAPH_API_RATE``
    and falls back to :data:`DEFAULT_RATE_LIMIT`; ``None`` or ``"off"`` disables it.
    ``ingest_process``: an upload to a :class:`~vbgraph.api.service.Workspace` is ingested by a
    child process (:meth:`~vbgraph.api.service.Workspace.ingest_in_subprocess`, at most
    ``ingest_timeout`` seconds) and answered once the server reads from the new generation;
    ``False``, or a workspace-like object without that method, ingests in the threadpool.
    """
    holder = _WorkspaceHolder(workspace, store, index)
    write_token = token if token is not None else os.environ.get(TOKEN_ENV) or None
    write_lock = threading.Lock()
    limit = _rate_limit_from(rate_limit)
    buckets = TokenBuckets(limit) if limit is not None else None
    error_responses: dict[int | str, dict[str, Any]] = {
        400: {"model": ErrorBody}, 404: {"model": ErrorBody}, 422: {"model": ErrorBody},
    }

    app = FastAPI(
        title="vbgraph",
        summary="Knowledge graph and semantic search over Vietnamese directives and plans",
        version="0.1.0",
        responses=error_responses,
        docs_url=None,  # served below from the vendored swagger-ui-dist: /docs works offline
    )
    app.state.workspace_holder = holder
    if cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(cors_origins),
                           allow_methods=["GET", "POST"], allow_headers=["*"])

    # -- errors, logging, headers ----------------------------------------------------------
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return _error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        return _error_response(exc.status_code, code, message, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        parts = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "body"))
            parts.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
        return _error_response(422, "invalid_request", "; ".join(parts) or "invalid request")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _error_response(500, "internal_error",
                               f"internal error ({type(exc).__name__}); see the server log")

    @app.middleware("http")
    async def _log_and_headers(request: Request, call_next: Callable[..., Any]) -> Response:
        started = time.perf_counter()
        if buckets is not None:
            client = request.client.host if request.client else "unknown"
            wait = buckets.take(client)
            if wait > 0:
                log.warning("rate limit: %s %s from %s refused", request.method,
                            request.url.path, client)
                return _error_response(
                    429, "too_many_requests",
                    f"too many requests; retry in {math.ceil(wait)} s",
                    {"Retry-After": str(max(1, math.ceil(wait)))})
        try:
            response = await call_next(request)
        except Exception:
            log.exception("%s %s failed", request.method, request.url.path)
            raise
        elapsed = (time.perf_counter() - started) * 1000
        log.info("%s %s -> %d (%.1f ms)", request.method, request.url.path,
                 response.status_code, elapsed)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        path = request.url.path
        if path == "/" or path.startswith("/static/"):
            response.headers.setdefault("Content-Security-Policy", _CSP)
            response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    def ws() -> Any:
        return holder.get()

    # -- explorer --------------------------------------------------------------------------
    if static_dir is not None and Path(static_dir).is_dir():
        static_path = Path(static_dir)
        app.mount("/static", StaticFiles(directory=static_path), name="static")

        @app.get("/docs", include_in_schema=False)
        def swagger_ui() -> HTMLResponse:
            return get_swagger_ui_html(
                openapi_url=app.openapi_url or "/openapi.json", title="vbgraph — API",
                swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
                swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
                swagger_favicon_url="/favicon.ico")

        @app.get("/favicon.ico", include_in_schema=False)
        def favicon() -> Response:
            return Response(status_code=204)

        @app.get("/", include_in_schema=False)
        def explorer() -> FileResponse:
            return FileResponse(static_path / "index.html", media_type="text/html; charset=utf-8")

    # -- reads -----------------------------------------------------------------------------
    @app.get("/search", response_model=list[SearchHit], tags=["search"],
             summary="Semantic + lexical search over tasks (same results as `vbgraph search`)")
    async def search(
        q: str = Query(..., max_length=500, description="query, diacritics optional"),
        k: int = Query(10, ge=1, le=MAX_K),
        province: str | None = Query(None, max_length=100),
        agency: str | None = Query(None, max_length=200),
        role: Role | None = None,
        topic: str | None = Query(None, max_length=200),
        year: int | None = Query(None, ge=1945, le=2100),
        type: str | None = Query(None, max_length=100, description="document type"),
        mode: SearchMode = SearchMode.hybrid,
    ) -> Any:
        if not q.strip():
            raise ApiError(400, "empty_query", "the query is empty; type a few words")
        from vbgraph.search.base import (
            SearchFilters,  # the search package's filter record
        )
        filters = SearchFilters(province=_blank(province), agency=_blank(agency),
                                role=role.value if role else None, topic=_blank(topic),
                                year=year, document_type=_blank(type))
        w = ws()
        method = getattr(w, "search", None)
        if method is None:
            idx = getattr(w, "index", None)
            method = getattr(idx, "search", None)
            if method is None:
                raise ApiError(503, "no_index",
                               "this data directory has no search index (ingested with --no-index)")
        extra = {} if mode is SearchMode.hybrid else {"mode": mode.value}
        hits = await _call(method, q.strip(), k, filters, what="search", **extra)
        return _plain(hits)[:k]

    @app.get("/cites", response_model=CitesResult, tags=["graph"],
             summary="Plans citing a document, however its reference is typed")
    async def cites(ref: str = Query(..., max_length=300,
                                     description="e.g. 272-QĐ/TW, Quyết định 272, NĐ 12/2012"),
                    limit: int = Query(50, ge=1, le=MAX_PAGE, description="plans per page"),
                    offset: int = Query(0, ge=0)) -> Any:
        if not ref.strip():
            raise ApiError(400, "empty_query", "type a document reference, e.g. 272-QĐ/TW")
        # paging only when asked, so a workspace without it still answers the first page
        paging = {} if (limit, offset) == (50, 0) else {"limit": limit, "offset": offset}
        return _plain(await _call(_require(ws(), "cites"), ref.strip(), what="reference",
                                  **paging))

    @app.get("/documents", response_model=list[DocumentSummary], tags=["documents"],
             summary="Ingested documents")
    async def documents(limit: int = Query(MAX_LIST, ge=1, le=MAX_LIST),
                        offset: int = Query(0, ge=0)) -> Any:
        docs = _plain(await _call(_require(ws(), "documents"), what="documents"))
        return list(docs)[offset:offset + limit]

    @app.get("/documents/{doc_id:path}", response_model=DocumentDetail, tags=["documents"],
             summary="One document: metadata, citations, tasks with spans, and its text")
    async def document(doc_id: str) -> Any:
        if not doc_id.strip() or len(doc_id) > 300:
            raise ApiError(400, "bad_request", "invalid document id")
        result = await _call(_require(ws(), "document"), doc_id, what="document")
        if result is None:
            raise ApiError(404, "not_found", f"document not found: {doc_id}")
        return _plain(result)

    @app.get("/agencies", response_model=list[AgencyRank], tags=["graph"],
             summary="Agencies ranked for a topic, lead before cooperate, with evidence tasks")
    async def agencies(topic: str = Query(..., max_length=200),
                       province: str | None = Query(None, max_length=100),
                       limit: int = Query(20, ge=1, le=MAX_PAGE),
                       offset: int = Query(0, ge=0),
                       evidence: int = Query(
                           EVIDENCE_PER_AGENCY, ge=0, le=MAX_EVIDENCE,
                           description="evidence tasks listed per agency (lead first); "
                                       "lead_tasks/cooperate_tasks/evidence_total count all"),
                       ) -> Any:
        if not topic.strip():
            raise ApiError(400, "empty_query", "type a topic, e.g. biên giới")
        result = await _call(_require(ws(), "agencies"), topic.strip(), _blank(province),
                             limit=limit, offset=offset, evidence=evidence, what="topic")
        return _plain(result)[:limit]

    @app.get("/graph/neighborhood", response_model=Subgraph, tags=["graph"],
             summary="Nodes and edges around a node (for drawing)")
    async def neighborhood(node: str = Query(..., max_length=300),
                           depth: int = Query(1, ge=1, le=MAX_DEPTH)) -> Any:
        if not node.strip():
            raise ApiError(400, "bad_request", "node id is empty")
        result = await _call(_require(ws(), "neighborhood"), node.strip(), depth, what="node")
        return _bound_subgraph(result)

    @app.get("/graph/path", response_model=Subgraph, tags=["graph"],
             summary="How two entities connect")
    async def path(from_: str = Query(..., alias="from", max_length=300),
                   to: str = Query(..., max_length=300)) -> Any:
        if not from_.strip() or not to.strip():
            raise ApiError(400, "bad_request", "both `from` and `to` are required")
        result = await _call(_require(ws(), "path"), from_.strip(), to.strip(), what="node")
        if result is None or (isinstance(result, Mapping) and result.get("found") is False):
            raise ApiError(404, "no_path", f"no path between {from_} and {to}")
        return _bound_subgraph(result)

    @app.get("/vocab", tags=["graph"], summary="Node kinds, edge types and roles of the graph")
    def vocab() -> dict[str, Any]:
        return vocabulary()

    @app.get("/stats", response_model=Stats, tags=["graph"],
             summary="Counts and most-cited documents")
    async def stats() -> Any:
        return _plain(await _call(_require(ws(), "stats"), what="stats"))

    @app.get("/export", tags=["rdf"], summary="The whole graph as RDF",
             responses={200: {"content": {"text/turtle": {}, "application/ld+json": {}}}})
    async def export(format: ExportFormat = Query(ExportFormat.ttl)) -> Response:  # noqa: B008
        data = await _call(_require(ws(), "export"), format.value, what="format")
        if isinstance(data, str):
            data = data.encode("utf-8")
        return Response(content=data, media_type=_EXPORT_MEDIA[format])

    @app.post("/sparql", tags=["rdf"], summary="Read-only SPARQL over the RDF view",
              openapi_extra={"requestBody": {"content": {
                  "application/json": {"schema": SparqlQuery.model_json_schema()},
                  "application/sparql-query": {"schema": {"type": "string"}}}}})
    async def sparql(request: Request) -> Any:
        query = await _sparql_query_from(request)
        try:
            result = await run_in_threadpool(_require(ws(), "sparql"), query)
        except ApiError:
            raise
        except Exception as exc:
            if _is_query_error(exc):
                raise ApiError(400, "bad_query", f"SPARQL rejected: {exc}") from exc
            raise
        return JSONResponse(_bound_sparql(_plain(result)))

    # -- writes ----------------------------------------------------------------------------
    @app.post("/documents", status_code=201, response_model=IngestResult, tags=["documents"],
              summary="Upload a file (multipart field `file`) and ingest it; needs the token",
              openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {
                  "type": "object", "required": ["file"],
                  "properties": {"file": {"type": "string", "format": "binary"}}}}}}})
    async def upload(request: Request) -> Any:
        _check_token(request, write_token)
        filename, data = await _read_upload(request, max_upload_bytes)
        name = safe_filename(filename)
        check_upload(name, data, max_bytes=max_upload_bytes)
        w = ws()
        ingest = _require(w, "ingest")
        target_dir = Path(uploads_dir) if uploads_dir else _default_uploads(w)
        digest = hashlib.sha256(data).hexdigest()
        stored = target_dir / f"{digest[:12]}-{name}"
        if not write_lock.acquire(blocking=False):
            raise ApiError(409, "busy", "another upload is being ingested; retry shortly")
        try:
            if ingest_process and _has_child_ingest(w):
                report = await _store_and_ingest_in_child(w, stored, data, ingest_timeout)
            else:
                report = await run_in_threadpool(_store_and_ingest, ingest, stored, data)
        finally:
            write_lock.release()
        return {"filename": filename, "stored_as": stored.name, **report}

    return app


# -- helpers used by the endpoints --------------------------------------------------------

def _blank(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


def _check_token(request: Request, expected: str | None) -> None:
    if not expected:
        raise ApiError(403, "writes_disabled",
                       f"uploads are disabled: start the server with {TOKEN_ENV} set")
    given = _token_from(request)
    if not given:
        raise ApiError(401, "missing_token",
                       "this endpoint needs a token: header `Authorization: Bearer <token>`",
                       {"WWW-Authenticate": "Bearer"})
    if not hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
        raise ApiError(401, "invalid_token", "the token is not valid",
                       {"WWW-Authenticate": "Bearer"})


async def _read_upload(request: Request, max_bytes: int) -> tuple[str, bytes]:
    """Read a multipart body without ever holding more than the limit; return (name, bytes)."""
    ctype = request.headers.get("content-type", "")
    if not ctype.lower().startswith("multipart/form-data"):
        raise ApiError(415, "unsupported_media_type",
                       "send the file as multipart/form-data in a field named `file`")
    limit = max_bytes + _MULTIPART_OVERHEAD
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "file_too_large", f"upload exceeds the limit of {max_bytes} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "file_too_large",
                           f"upload exceeds the limit of {max_bytes} bytes")
        chunks.append(chunk)
    body = b"".join(chunks)

    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    from starlette.requests import Request as StarletteRequest
    try:
        form = await StarletteRequest(request.scope, replay).form(max_files=1, max_fields=10)
    except Exception as exc:
        raise ApiError(400, "bad_multipart", f"cannot read the multipart body: {exc}") from exc
    try:
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise ApiError(400, "missing_file", "no file in the multipart field `file`")
        data = await upload.read()
        filename = upload.filename or ""
    finally:
        await form.close()
    if len(data) > max_bytes:
        raise ApiError(413, "file_too_large",
                       f"file is {len(data)} bytes; the limit is {max_bytes} bytes")
    return filename, data


def _default_uploads(workspace: Any) -> Path:
    data_dir = getattr(workspace, "data_dir", None)
    if data_dir is None:
        raise ApiError(501, "not_implemented", "the workspace has no data_dir for uploads")
    return Path(data_dir) / "uploads"


def _save_upload(stored: Path, data: bytes) -> bool:
    """Write the accepted file atomically into the uploads folder; True if it was there."""
    stored.parent.mkdir(parents=True, exist_ok=True)
    existed = stored.exists()
    if not existed:
        fd, tmp = tempfile.mkstemp(dir=stored.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, stored)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return existed


def _ingest_error(exc: Exception, stored: Path, existed: bool) -> ApiError:
    """The HTTP error of a failed ingest; the file it brought is removed again."""
    if not existed:
        stored.unlink(missing_ok=True)
    if isinstance(exc, (ValueError, OSError)):
        return ApiError(422, "ingest_failed", f"could not ingest the file: {exc}")
    return ApiError(409, "busy", str(exc))   # e.g. the data dir is locked by another writer


def _ingest_result(report: Any, stored: Path, existed: bool) -> dict[str, Any]:
    failed = _failures(report)
    if failed:
        if not existed:
            stored.unlink(missing_ok=True)
        raise ApiError(422, "ingest_failed", f"could not ingest the file: {failed}")
    return {"status": _status_of(report), "documents": _document_ids(report),
            "report": report if isinstance(report, dict) else {"result": report}}


def _store_and_ingest(ingest: Callable[..., Any], stored: Path, data: bytes) -> dict[str, Any]:
    """Save the accepted file and ingest it in this process (the threadpool). A file the
    ingest rejects is removed again and reported as a 422."""
    existed = _save_upload(stored, data)
    try:
        report = _plain(ingest([stored]))
    except (ValueError, OSError, RuntimeError) as exc:
        raise _ingest_error(exc, stored, existed) from exc
    return _ingest_result(report, stored, existed)


def _has_child_ingest(workspace: Any) -> bool:
    """A real Workspace (not a stand-in wrapping one) that can run its ingest in a child."""
    return (getattr(type(workspace), "ingest_in_subprocess", None) is not None
            and not getattr(workspace, "store_options", None))


#: how long an upload waits for the server to load the generation it committed
RELOAD_WAIT_S = 300.0


async def _store_and_ingest_in_child(workspace: Any, stored: Path, data: bytes,
                                     timeout: float | None) -> dict[str, Any]:
    """Save the accepted file, ingest it in a child process (the server's interpreter only
    awaits it), then wait until the server answers from the committed generation, so the
    uploader reads its own write. Errors map as in :func:`_store_and_ingest`; a child that dies
    without a report is a 500 ``ingest_crashed`` and the store keeps its last complete state."""
    from .service import IngestCrashed

    existed = await run_in_threadpool(_save_upload, stored, data)
    before = int(workspace.manifest().get("generation", 0))
    try:
        report = await workspace.ingest_in_subprocess([stored], timeout=timeout)
    except IngestCrashed as exc:
        if exc.generation == before and not existed:     # not committed: drop the file
            stored.unlink(missing_ok=True)
        log.error("upload %s: %s", stored.name, exc)
        raise ApiError(500, "ingest_crashed", str(exc)) from exc
    except (ValueError, OSError, RuntimeError) as exc:
        raise _ingest_error(exc, stored, existed) from exc
    result = _ingest_result(_plain(report), stored, existed)
    generation = int(report.generation or 0)
    if generation and (workspace.loaded_generation or 0) < generation:
        try:
            await asyncio.wait_for(
                asyncio.wrap_future(workspace.wait_for_generation(generation)), RELOAD_WAIT_S)
        except Exception as exc:  # committed, but not served yet
            raise ApiError(503, "reload_pending",
                           f"the file was ingested (generation {generation}) but the server "
                           f"has not loaded it yet: {exc or type(exc).__name__}") from exc
    return result


def _failures(report: Any) -> str:
    if not isinstance(report, dict):
        return ""
    for key in ("failed", "errors", "failures"):
        items = report.get(key)
        if items:
            return "; ".join(str(_reason(i)) for i in (items.items() if isinstance(items, dict)
                                                       else items))
    return ""


def _reason(item: Any) -> Any:
    if isinstance(item, tuple) and len(item) == 2:
        return f"{item[1]}"
    if isinstance(item, dict):
        return item.get("reason") or item.get("error") or item
    return item


def _status_of(report: Any) -> str:
    if isinstance(report, dict):
        for key in ("added", "updated", "ingested", "replaced"):
            if report.get(key):
                return "ingested"
        if report.get("skipped") or report.get("unchanged"):
            return "unchanged"
    return "ingested"


def _document_ids(report: Any) -> list[str]:
    ids: list[str] = []
    if isinstance(report, dict):
        for key in ("documents", "added", "updated", "ingested", "replaced", "skipped", "unchanged"):
            for item in report.get(key) or ():
                value = item.get("id") or item.get("doc_id") if isinstance(item, dict) else item
                if isinstance(value, str) and value.startswith("doc:") and value not in ids:
                    ids.append(value)
    return ids


async def _sparql_query_from(request: Request) -> str:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    if len(raw) > 20_000:
        raise ApiError(413, "query_too_large", "SPARQL query is longer than 20000 bytes")
    try:
        if ctype == "application/json":
            import json
            query = SparqlQuery.model_validate(json.loads(raw or b"null")).query
        elif ctype in ("application/sparql-query", "text/plain"):
            query = raw.decode("utf-8")
        elif ctype == "application/x-www-form-urlencoded":
            from urllib.parse import parse_qs
            query = (parse_qs(raw.decode("utf-8")).get("query") or [""])[0]
        else:
            raise ApiError(415, "unsupported_media_type",
                           "send the query as application/sparql-query or JSON {\"query\": …}")
    except ApiError:
        raise
    except Exception as exc:
        raise ApiError(400, "bad_request", f"cannot read the SPARQL query: {exc}") from exc
    if not query.strip():
        raise ApiError(400, "empty_query", "the SPARQL query is empty")
    return query


def _is_query_error(exc: Exception) -> bool:
    if isinstance(exc, (ValueError, PermissionError, NotImplementedError)):
        return True
    try:
        from pyparsing import ParseBaseException
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, ParseBaseException)

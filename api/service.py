"""The workspace: one data directory holding the graph, the task index and the documents' texts.

Layout of a data dir (default ``$VBGRAPH_HOME`` or ``./.vbgraph``)::

    manifest.json          names the current generation: {"generation", "graph", "index", ...}
    graph-<gen>.json.gz    the embedded graph of that generation (EmbeddedGraphStore.dump)
    index-<gen>/           the task index of that generation (TaskIndex.save), when enabled
    texts/<sha256>.txt     NFC text of every ingested file (content-addressed, immutable)
    .write.lock            held by the one process writing (filelock)

Crash safety by generations: a write produces *new* files, fsyncs them, then replaces
``manifest.json`` atomically (temp file + fsync + ``os.replace`` + directory fsync). A SIGKILL at
any point leaves the manifest naming the last complete generation, so graph and index always
agree; files of older (or half-written) generations are removed after the swap or on the next
write. Readers never take the lock: they read the manifest, then the files it names.

A long-lived reader (the HTTP server) never pays for a new generation in a request: a read
that notices a newer manifest starts loading it in a background thread and keeps answering from
the generation it has; the loaded generation (graph and index together, :class:`Loaded`) is
swapped in whole. The server ingests uploads in a child process
(:meth:`Workspace.ingest_in_subprocess`: ``vbgraph ingest --json`` at low CPU priority), so
extraction, embedding and the commit never run in its interpreter.

With ``store="neo4j"`` the graph lives in Neo4j (writes go there directly, per document) and
the data dir keeps only the index and texts.
"""
from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..graph.base import EVIDENCE_PER_AGENCY, GraphStore, WriteStats
from ..graph.factory import create_store, store_kind

__all__ = ["CHILD_ENV", "IngestCrashed", "IngestReport", "Loaded", "Workspace", "WorkspaceError",
           "WorkspaceLocked", "default_data_dir"]

log = logging.getLogger("vbgraph.api.service")

MANIFEST = "manifest.json"
LOCK = ".write.lock"
FORMAT = 1
SUPPORTED_SUFFIXES = (".txt", ".docx", ".pdf", ".html", ".htm")
_GEN_FILE = re.compile(r"^(graph-(\d+)\.json\.gz|index-(\d+))$")
#: fault injection for the crash tests: SIGKILL this process at the named checkpoint
FAULT_ENV = "VBGRAPH_FAULT_AT"
#: environment of an ingest child process: one thread for OpenMP/BLAS/FAISS and tokenizers, so
#: a writer on a small machine leaves the other cores to the server's readers
CHILD_ENV: dict[str, str] = {
    "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    "NUMEXPR_NUM_THREADS": "1", "VECLIB_MAXIMUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false",
    "VBGRAPH_EMBED_THREADS": "1",  # search/embedders/onnx.py: one intra-op thread
}
#: CPU priority (``nice`` increment) of an ingest child process
CHILD_NICE = 10
_CHILD_BOOT = "import sys; from vbgraph.api.service import child_main; sys.exit(child_main(sys.argv[1:]))"


class WorkspaceError(RuntimeError):
    """The data directory cannot be used as asked."""


class WorkspaceLocked(WorkspaceError):
    """Another process holds the write lock."""


class IngestCrashed(WorkspaceError):
    """An ingest child process died (killed, crashed) without a report. The store holds the
    state of its last complete commit (see the module doc); ``generation`` names it."""

    def __init__(self, message: str, *, returncode: int | None, generation: int) -> None:
        super().__init__(message)
        self.returncode = returncode
        self.generation = generation


@dataclass(frozen=True)
class Loaded:
    """The graph and the task index of one committed generation, as readers use them: a
    request takes one ``Loaded`` and answers from it alone, so it never mixes generations."""

    graph: GraphStore
    index: Any
    generation: int


def default_data_dir() -> Path:
    """``$VBGRAPH_HOME``, else ``./.vbgraph`` (defined once, in ``search.store``)."""
    from ..search.store import default_data_dir as search_default

    return search_default()


@dataclass(frozen=True)
class IngestReport:
    """What one ``ingest`` did. Items are ``{"id", "source"}``; failures ``{"source","reason"}``."""

    added: tuple[dict[str, str], ...] = ()
    updated: tuple[dict[str, str], ...] = ()
    unchanged: tuple[dict[str, str], ...] = ()
    failed: tuple[dict[str, str], ...] = ()
    stats: WriteStats = field(default_factory=WriteStats)
    counts: dict[str, int] = field(default_factory=dict)
    generation: int = 0
    indexed_tasks: int = 0
    #: the process that ran the ingest (the server's ingest child, or the CLI itself)
    pid: int = 0

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["stats"] = self.stats.to_json()
        for key in ("added", "updated", "unchanged", "failed"):
            out[key] = list(out[key])
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IngestReport:
        """The inverse of :meth:`to_json` (an ingest child's ``--json`` output)."""
        items = {key: tuple(dict(i) for i in data.get(key) or ())
                 for key in ("added", "updated", "unchanged", "failed")}
        return cls(**items, stats=WriteStats(**(data.get("stats") or {})),
                   counts=dict(data.get("counts") or {}),
                   generation=int(data.get("generation") or 0),
                   indexed_tasks=int(data.get("indexed_tasks") or 0),
                   pid=int(data.get("pid") or 0))

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _checkpoint(name: str) -> None:
    if os.environ.get(FAULT_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[dict]]:
    """Files as given plus supported files under folders (sorted); missing paths as failures."""
    files: list[Path] = []
    failed: list[dict[str, str]] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            files.extend(sorted(f for f in path.rglob("*")
                                if f.is_file() and f.suffix.lower() in SUPPORTED_SUFFIXES
                                and not any(part.startswith(".") for part in f.parts[-1:])))
        elif path.is_file():
            files.append(path)
        else:
            failed.append({"source": str(path), "reason": "no such file or directory"})
    seen: dict[Path, None] = {}
    for f in files:
        seen.setdefault(f.resolve(), None)
    return list(seen), failed


class Workspace:
    """Graph + task index + texts in one data directory; see the module doc.

    Readers: every query takes the :class:`Loaded` state once and answers from it. When another
    writer (an ingest child process, the CLI) commits a newer generation, the next read notices
    it (one ``stat`` of the manifest) and starts loading it in a background thread; reads keep
    answering from the previous generation until the new one is loaded and swapped in whole
    (``background_reload=False`` loads it inline instead, in the reading call)."""

    def __init__(self, data_dir: str | os.PathLike[str] | None = None,
                 store: str | None = None, *, index: bool = True, model: str | None = None,
                 store_options: dict[str, Any] | None = None,
                 background_reload: bool = True) -> None:
        self.data_dir = Path(data_dir) if data_dir is not None else default_data_dir()
        self.store_kind = store_kind(store)
        self.use_index = index
        self.model = model
        self.store_options = dict(store_options or {})
        self.background_reload = background_reload
        self._state: Loaded | None = None
        self._first_load = threading.Lock()
        self._reload_lock = threading.Lock()
        self._loader: threading.Thread | None = None
        self._waiters: list[tuple[int, Future[int]]] = []
        self._seen_manifest: tuple[int, int, int] | None = None
        self._disk_generation = 0
        self._reload_error_at = 0.0

    # -- state -----------------------------------------------------------------------------
    def manifest(self) -> dict[str, Any]:
        path = self.data_dir / MANIFEST
        if not path.exists():
            return {"format": FORMAT, "generation": 0, "graph": None, "index": None}
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise WorkspaceError(f"{path}: unsupported manifest format {data.get('format')!r}")
        return data

    def _open_graph(self, manifest: dict[str, Any]) -> GraphStore:
        if self.store_kind == "neo4j":
            return create_store("neo4j", **self.store_options)
        name = manifest.get("graph")
        return create_store("embedded", path=self.data_dir / name if name else None)

    def _load_state(self) -> Loaded:
        """Graph and index of the current generation; retries if a writer swapped generations
        between reading the manifest and opening the files."""
        for attempt in range(5):
            manifest = self.manifest()
            try:
                graph = self._open_graph(manifest)
                index = self._open_index(manifest)
            except FileNotFoundError:
                if attempt == 4:
                    raise
                time.sleep(0.05)
                continue
            return Loaded(graph, index, int(manifest.get("generation", 0)))
        raise AssertionError("unreachable")  # pragma: no cover

    def _open_index(self, manifest: dict[str, Any]) -> Any:
        if not self.use_index:
            return None
        task_index = _task_index_class()
        if task_index is None:
            return None
        name = manifest.get("index")
        if name:
            return task_index.load(self.data_dir / name, model=self.model)
        return None

    def _generation_on_disk(self) -> int:
        """The manifest's generation; re-read only when the manifest file changed (a commit
        replaces it: new inode), so a read costs one ``stat``."""
        try:
            st = (self.data_dir / MANIFEST).stat()
            key: tuple[int, int, int] | None = (st.st_ino, st.st_mtime_ns, st.st_size)
        except FileNotFoundError:
            key = None
        if key != self._seen_manifest:
            self._disk_generation = int(self.manifest().get("generation", 0)) if key else 0
            self._seen_manifest = key
        return self._disk_generation

    def current(self) -> Loaded:
        """The state reads answer from (see the class doc)."""
        state = self._state
        if state is None:
            with self._first_load:
                if self._state is None:
                    self._install(self._load_state())
                state = self._state
            assert state is not None
            return state
        if self.store_kind == "embedded" and self._generation_on_disk() != state.generation:
            if self.background_reload:
                self._start_reload()
            else:
                self._install(self._load_state())
                state = self._state
                assert state is not None
        return state

    @property
    def loaded_generation(self) -> int | None:
        """The generation reads answer from now (``None`` before the first read)."""
        state = self._state
        return state.generation if state is not None else None

    def _install(self, state: Loaded) -> None:
        """Swap in a loaded generation (one attribute store: atomic for readers) unless a
        newer one is already in; resolve the waiters it satisfies."""
        with self._reload_lock:
            old = self._state
            if old is None or state.generation >= old.generation or self.store_kind != "embedded":
                self._state = state
            current = self._state
            still = []
            for gen, fut in self._waiters:
                if fut.done():
                    continue
                if current is not None and current.generation >= gen:
                    fut.set_result(current.generation)
                else:
                    still.append((gen, fut))
            self._waiters = still
        # the replaced graph is not closed: requests in flight may still hold it (an embedded
        # graph holds no resources beyond memory)

    def _start_reload(self) -> None:
        with self._reload_lock:
            if self._loader is not None or time.monotonic() < self._reload_error_at:
                return
            self._loader = threading.Thread(target=self._reload_worker, name="vbgraph-reload",
                                            daemon=True)
            self._loader.start()

    def _reload_worker(self) -> None:
        while True:
            error: BaseException | None = None
            try:
                while True:
                    target = int(self.manifest().get("generation", 0))
                    state = self._state
                    if state is not None and state.generation >= target:
                        break
                    self._install(_warmed(self._load_state(), state))
            except Exception as exc:  # readers keep the previous generation
                log.exception("loading the new generation of %s failed", self.data_dir)
                error = exc
            with self._reload_lock:
                pending = [(g, f) for g, f in self._waiters if not f.done()]
                if error is not None:
                    self._reload_error_at = time.monotonic() + 1.0
                    for _, fut in pending:
                        fut.set_exception(error)
                    pending = []
                self._waiters = pending
                if not pending:
                    self._loader = None
                    return
            time.sleep(0.05)   # waiting for a generation not committed yet

    def wait_for_generation(self, generation: int) -> Future[int]:
        """A future resolved (with the loaded generation) once reads answer from
        ``generation`` or a newer one; loading starts now if needed."""
        fut: Future[int] = Future()
        with self._reload_lock:
            self._waiters.append((generation, fut))
        state = self._state
        if state is not None and state.generation >= generation:
            self._install(state)            # resolves the waiter
        else:
            self._start_reload()
        return fut

    @property
    def graph(self) -> GraphStore:
        return self.current().graph

    @property
    def index(self) -> Any:
        return self.current().index

    def close(self) -> None:
        state, self._state = self._state, None
        if state is not None:
            state.graph.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------
    def _lock(self) -> Any:
        from filelock import FileLock, Timeout

        self.data_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.data_dir / LOCK), timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise WorkspaceLocked(
                f"data dir {self.data_dir} is being written by another process; "
                "try again when it has finished") from None
        return lock

    def ingest(self, paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str], *,
               progress: bool | None = None) -> IngestReport:
        """Ingest files and folders incrementally (by content hash): unchanged files are
        skipped, changed ones replace their subgraph, unreadable ones are reported and skipped.
        One new generation is committed at the end (nothing when nothing changed)."""
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        lock = self._lock()
        try:
            return self._ingest_locked(paths, progress)
        finally:
            lock.release()

    def ingest_command(self, paths: Sequence[str | os.PathLike[str]]) -> list[str]:
        """The command line of an ingest child process for ``paths`` (``vbgraph ingest
        --json`` on this data dir, store, index setting and model)."""
        cmd = [sys.executable, "-c", _CHILD_BOOT, "ingest", "--json",
               "--data-dir", str(self.data_dir), "--store", self.store_kind]
        if not self.use_index:
            cmd.append("--no-index")
        if self.model:
            cmd += ["--model", self.model]
        return [*cmd, "--", *(str(p) for p in paths)]

    async def ingest_in_subprocess(self, paths: Sequence[str | os.PathLike[str]], *,
                                   timeout: float | None = None,
                                   nice: int = CHILD_NICE) -> IngestReport:
        """:meth:`ingest` run by a child process (``vbgraph ingest --json``), never in this
        interpreter: at a lower CPU priority (``nice``), with one thread for OpenMP/BLAS/ONNX
        (:data:`CHILD_ENV`), awaited without blocking the event loop or a thread. The write
        lock serialises it with every other writer. Errors come back as in-process ones:
        :class:`WorkspaceLocked`/:class:`WorkspaceError`, ``ValueError``, ``OSError``; a child
        that dies without a report (killed, crashed, timed out) raises :class:`IngestCrashed`.
        Readers of this Workspace pick the new generation up in the background
        (:meth:`wait_for_generation` waits for it)."""
        if self.store_options:
            raise WorkspaceError("an ingest child process cannot be given store_options; "
                                 "use ingest() or the NEO4J_* environment")
        env = {**os.environ, **CHILD_ENV, "VBGRAPH_CHILD_NICE": str(nice)}
        proc = await asyncio.create_subprocess_exec(
            *self.ingest_command(paths), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=env)
        try:
            out, err = await asyncio.wait_for(proc.communicate(), timeout)
        except BaseException as exc:    # timed out or cancelled: the child must not outlive us
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
            if isinstance(exc, asyncio.TimeoutError):
                raise IngestCrashed(
                    f"the ingest process {proc.pid} did not finish in {timeout} s and was "
                    "stopped; the store keeps its last complete state (generation "
                    f"{self.manifest().get('generation', 0)})", returncode=proc.returncode,
                    generation=int(self.manifest().get("generation", 0))) from None
            raise
        return self._child_result(proc.pid, proc.returncode, out, err)

    def _crashed(self, pid: int, returncode: int | None, err: bytes) -> IngestCrashed:
        generation = int(self.manifest().get("generation", 0))
        if returncode is not None and returncode < 0:
            try:
                how = f"was killed by {signal.Signals(-returncode).name}"
            except ValueError:
                how = f"was killed by signal {-returncode}"
        else:
            tail = " ".join(err.decode("utf-8", "replace").split()[-40:])
            how = f"failed (exit status {returncode}){': ' + tail if tail else ''}"
        return IngestCrashed(
            f"the ingest process {pid} {how}; the store keeps its last complete state "
            f"(generation {generation})", returncode=returncode, generation=generation)

    def _child_result(self, pid: int, returncode: int | None, out: bytes,
                      err: bytes) -> IngestReport:
        text = out.decode("utf-8", "replace")
        data = None
        for start in (0, text.find("\n{") + 1):     # a library may have printed before it
            try:
                data = json.loads(text[start:]) if text[start:].strip() else None
                break
            except ValueError:
                continue
        if not isinstance(data, dict) or returncode not in (0, 1, 2):
            raise self._crashed(pid, returncode, err)
        error = data.get("error")
        if isinstance(error, dict):
            raise _child_error(error)
        if returncode == 2:
            raise self._crashed(pid, returncode, err)
        return IngestReport.from_json(data)

    def _ingest_locked(self, paths: Sequence[Any], progress: bool | None) -> IngestReport:
        from ..ingest.pipeline import extract_file

        # The state committed by the last writer, read under the lock into *private* objects:
        # readers of this Workspace keep answering from the current generation, untouched,
        # until the new one is committed and swapped in (see ``_swap``).
        manifest = self.manifest()
        graph = self._open_graph(manifest)
        index = self._open_index(manifest)
        files, failed = expand_paths(paths)
        if self.use_index and index is None and _task_index_class() is not None:
            index = _task_index_class().create(self.model)
            # documents ingested earlier without an index (``--no-index``) join it now
            backfilled = self._backfill_index(graph, index, failed)
        else:
            backfilled = 0
        hashes = graph.source_hashes()
        doc_of_source = graph.source_documents()
        source_of_digest = {digest: src for src, digest in hashes.items()}
        added, updated, unchanged = [], [], []
        stats = WriteStats()
        indexed = 0
        texts: dict[str, str] = {}
        bar = _progress(files, progress)
        for path in bar:
            source = str(path)
            try:
                digest = _sha256(path)
            except OSError as exc:
                failed.append({"source": source, "reason": f"cannot read: {exc.strerror or exc}"})
                continue
            if hashes.get(source) == digest:
                unchanged.append({"id": doc_of_source.get(source, ""), "source": source})
                continue
            twin = source_of_digest.get(digest)
            if twin is not None and twin != source and source not in hashes:
                # the same bytes are already in the store under another name (a copy, a
                # re-upload): one document, not two
                unchanged.append({"id": doc_of_source.get(twin, ""), "source": source,
                                  "duplicate_of": twin})
                continue
            try:
                doc = extract_file(path)
            except Exception as exc:  # noqa: BLE001 - any reader/parser failure is reported
                failed.append({"source": source, "reason": _reason(exc)})
                continue
            if doc.source != source or doc.sha256 != digest:
                import dataclasses
                doc = dataclasses.replace(doc, source=source, sha256=digest)
            old_id = doc_of_source.get(source)
            if old_id and old_id != doc.document.id:
                stats = stats + graph.remove_document(old_id)
                if index is not None:
                    index.remove_document(old_id)
            stats = stats + graph.upsert_document(doc)
            if index is not None:
                indexed += index.upsert_document(doc)
            texts[digest] = doc.text
            (updated if source in hashes else added).append(
                {"id": doc.document.id, "source": source})
        generation = manifest.get("generation", 0)
        if added or updated or backfilled:
            generation = self._commit(graph, index, texts)
            self._swap(graph, index, generation)
        counts = graph.counts()
        if not (added or updated or backfilled) and (
                self._state is None or graph is not self._state.graph):
            graph.close()
        return IngestReport(
            added=tuple(added), updated=tuple(updated), unchanged=tuple(unchanged),
            failed=tuple(failed), stats=stats, counts=counts, generation=generation,
            indexed_tasks=indexed, pid=os.getpid())

    def _commit(self, graph: GraphStore, index: Any, texts: dict[str, str]) -> int:
        """Write a new generation and swap the manifest to it (see module doc)."""
        old = self.manifest()
        gen = int(old.get("generation", 0)) + 1
        self.data_dir.mkdir(parents=True, exist_ok=True)
        text_dir = self.data_dir / "texts"
        text_dir.mkdir(exist_ok=True)
        for digest, text in texts.items():
            target = text_dir / f"{digest}.txt"
            if not target.exists():
                _atomic_write(target, text.encode("utf-8"))
        manifest: dict[str, Any] = {"format": FORMAT, "generation": gen, "graph": None,
                                    "index": None, "store": self.store_kind,
                                    "updated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        if self.store_kind == "embedded":
            name = f"graph-{gen:06d}.json.gz"
            graph.dump(self.data_dir / name)  # type: ignore[attr-defined]
            manifest["graph"] = name
            _checkpoint("after-graph")
        if index is not None:
            name = f"index-{gen:06d}"
            target = self.data_dir / name
            if target.exists():
                shutil.rmtree(target)
            tmp = self.data_dir / f".{name}.tmp"
            if tmp.exists():
                shutil.rmtree(tmp)
            tmp.mkdir()
            index.save(tmp)
            for f in tmp.rglob("*"):
                if f.is_file():
                    with open(f, "rb") as fh:
                        os.fsync(fh.fileno())
            os.replace(tmp, target)
            manifest["index"] = name
            manifest["model"] = getattr(index, "model_name", None) or self.model
            _checkpoint("after-index")
        _fsync_dir(self.data_dir)
        _checkpoint("before-manifest")
        _atomic_write(self.data_dir / MANIFEST,
                      json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8"))
        _checkpoint("after-manifest")
        self._remove_old_generations(manifest)
        return gen

    def _swap(self, graph: GraphStore, index: Any, generation: int) -> None:
        """Make a committed generation the one this Workspace answers from."""
        self._install(Loaded(graph, index, generation))

    def _backfill_index(self, graph: GraphStore, index: Any, failed: list[dict[str, str]]) -> int:
        """Index every document already in the graph (from the texts the data dir keeps):
        a store built with ``--no-index`` gets a complete index on its next indexed ingest."""
        from ..ingest.pipeline import extract_text

        done = 0
        for source, digest in sorted(graph.source_hashes().items()):
            stored = self.text(digest)
            if stored is None:
                failed.append({"source": source,
                               "reason": "not indexed: its text is not in the data dir; re-ingest it"})
                continue
            index.upsert_document(extract_text(stored, source, digest))
            done += 1
        return done

    def _remove_old_generations(self, manifest: dict[str, Any]) -> None:
        keep = {manifest.get("graph"), manifest.get("index")}
        for entry in self.data_dir.iterdir():
            if entry.name in keep:
                continue
            if _GEN_FILE.match(entry.name) or (entry.name.startswith(".index-")
                                               and entry.name.endswith(".tmp")):
                if entry.is_dir():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
            elif entry.name.startswith(f".{MANIFEST}.") and entry.name.endswith(".tmp"):
                entry.unlink(missing_ok=True)

    #: progress of an interrupted ``sync`` (removed when a sync completes)
    SYNC_CHECKPOINT = "sync-progress.json"

    def sync_to(self, target: GraphStore | str = "neo4j", *, retry: Any = None,
                resume: bool = True, batch_size: int | None = None,
                on_step: Callable[[str, int], None] | None = None,
                **options: Any) -> WriteStats:
        """Copy the embedded graph into another store (batched MERGE; idempotent: nodes and
        edges the source no longer has are removed from the target).

        Crash-safe: each batch is retried with exponential backoff (``retry``, a
        :class:`vbgraph.graph.neo4j_store.RetryPolicy`), also while connecting; progress is
        kept in ``<data dir>/sync-progress.json`` so a re-run after
        :class:`~vbgraph.graph.neo4j_store.SyncUnavailable` skips the committed batches
        (``resume=False`` starts from scratch — still no duplicates, every write is a MERGE)."""
        from ..graph.neo4j_store import RetryPolicy, SyncCheckpoint, call_with_retries

        policy = retry or RetryPolicy()
        owned = isinstance(target, str)
        if isinstance(target, str):
            kind = target
            options.setdefault("max_transaction_retry_time", 1.0)
            target = call_with_retries(lambda: create_store(kind, **options), policy,
                                       str(options.get("uri") or os.environ.get("NEO4J_URI")
                                           or "bolt://localhost:7687"))
        try:
            bulk = getattr(target, "mirror", None)
            if bulk is None:
                raise WorkspaceError(f"cannot sync into a {target.name} store")
            checkpoint = SyncCheckpoint(self.data_dir / self.SYNC_CHECKPOINT)
            if not resume:
                checkpoint.clear()
            extra: dict[str, Any] = {"retry": policy, "checkpoint": checkpoint,
                                     "on_step": on_step}
            if batch_size is not None:
                extra["batch_size"] = batch_size
            state = self.current()
            graph = state.graph
            # the source is streamed in passes (never held as rows); its key is the hash of
            # the generation's graph file, which no writer changes once committed
            key = self._graph_file_hash(state.generation)
            if key is not None:
                extra["source_key"] = key
            return bulk(graph.iter_nodes, graph.iter_edges, **extra)
        finally:
            if owned:
                target.close()

    def _graph_file_hash(self, generation: int) -> str | None:
        """SHA-256 of the embedded graph file of ``generation`` (``None`` if it is not the
        current one on disk any more, or the store is not embedded)."""
        manifest = self.manifest()
        name = manifest.get("graph")
        if self.store_kind == "neo4j" or not name or manifest.get("generation") != generation:
            return None
        h = hashlib.sha256()
        try:
            with open(self.data_dir / name, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
        except OSError:
            return None
        return f"{name}:{h.hexdigest()}"

    # -- queries (delegated to the store) ----------------------------------------------------
    def cites(self, ref: str, limit: int = 50, offset: int = 0) -> dict[str, Any]:
        """One page of the plans citing ``ref`` (``total`` counts them all)."""
        return self.graph.cites(ref, limit=limit, offset=offset)

    def cited_by(self, plan: str) -> dict[str, Any]:
        return self.graph.cited_by(plan)

    def citation_chain(self, doc: str, depth: int = 3, direction: str = "citing"
                       ) -> dict[str, Any]:
        return self.graph.citation_chain(doc, depth, direction)

    def agencies(self, topic: str, province: str | None = None, *, semantic: bool = True,
                 k: int = 20, limit: int = 20, offset: int = 0,
                 evidence: int = EVIDENCE_PER_AGENCY) -> list[dict[str, Any]]:
        """Agencies for a topic; with an index, the top ``k`` tasks semantic search finds add
        evidence, passed best first so the graph weighs each by its rank
        (:meth:`GraphStore.agencies`); each agency lists at most ``evidence`` tasks."""
        task_ids: list[str] = []
        state = self.current()          # graph and index of one generation
        index = state.index if semantic else None
        if index is not None:
            try:
                # hits come best first: their position is the rank the graph weighs
                task_ids = [h["task_id"] for h in index.search(topic, k=k)]
            except Exception:  # noqa: BLE001 - search is an optional extra source of evidence
                task_ids = []
        return state.graph.agencies(topic, province=province, task_ids=task_ids, limit=limit,
                                    offset=offset, evidence=evidence)

    def neighborhood(self, node: str, depth: int = 1) -> dict[str, Any]:
        return self.graph.neighborhood(node, depth)

    def path(self, a: str, b: str) -> dict[str, Any]:
        return self.graph.path(a, b)

    def documents(self) -> list[dict[str, Any]]:
        keys = ("id", "number", "type", "title", "date", "province", "source")
        return [{k: d.get(k) for k in keys} for d in self.graph.documents(ingested_only=True)]

    def text(self, sha256: str) -> str | None:
        if not re.fullmatch(r"[0-9a-f]{64}", sha256 or ""):
            return None
        path = self.data_dir / "texts" / f"{sha256}.txt"
        return path.read_text(encoding="utf-8") if path.exists() else None

    def document(self, doc_id: str) -> dict[str, Any] | None:
        """An ingested document with its citations, tasks (spans) and text; ``None`` if unknown."""
        graph = self.current().graph     # one generation for every part of the answer
        node = graph.document(doc_id)
        if node is None:
            return None
        cites = graph.cited_by(doc_id)["cites"] if node.get("ingested") else []
        citations = [{"id": c["id"], "number": c.get("number"), "type": c.get("type"),
                      "surface": m.get("surface"), "relation": m.get("relation"),
                      "section": m.get("section"), "start": m.get("start"), "end": m.get("end"),
                      "text": m.get("text")}
                     for c in cites for m in c["mentions"]]
        citations.sort(key=lambda c: (c["start"] or 0))
        nb = graph.neighborhood(doc_id, depth=1)
        task_ids = [n["id"] for n in nb["nodes"] if n.get("kind") == "Task"]
        tasks = self._tasks(graph, task_ids)
        return {"id": doc_id, "document": {k: v for k, v in node.items() if k != "kind"},
                "citations": citations, "tasks": tasks,
                "text": self.text(node.get("sha256", "")) if node.get("ingested") else None}

    def _tasks(self, graph: GraphStore, task_ids: Sequence[str]) -> list[dict[str, Any]]:
        out = []
        nodes = graph.get_nodes(task_ids)
        for tid in task_ids:
            t = nodes.get(tid)
            if t is None:
                continue
            nb = graph.neighborhood(tid, depth=2)
            roles: dict[str, list[str]] = {"lead": [], "cooperate": []}
            topics = []
            by_id = {n["id"]: n for n in nb["nodes"]}
            for e in nb["edges"]:
                if e["type"] == "ASSIGNED_TO" and e["source"] in by_id:
                    role = by_id[e["source"]].get("role")
                    if role in roles:
                        roles[role].append(e["target"])
                elif e["type"] == "HAS_TOPIC" and e["source"] == tid:
                    topics.append(e["target"])
            out.append({"id": tid, "section": t.get("section"), "text": t.get("text"),
                        "start": t.get("start"), "end": t.get("end"),
                        "deadline": t.get("deadline"), "lead": sorted(roles["lead"]),
                        "cooperate": sorted(roles["cooperate"]), "topics": sorted(topics)})
        out.sort(key=lambda t: (t["start"] or 0))
        return out

    def stats(self) -> dict[str, Any]:
        from ..graph import analytics

        state = self.current()
        graph = state.graph
        out = graph.stats()
        out["most_cited"] = analytics.most_cited(graph, 10)
        out["central_agencies"] = analytics.agency_centrality(graph, 10)
        out["provinces_sharing_partners"] = analytics.provinces_sharing_partners(graph)
        out["data_dir"] = str(self.data_dir)
        # the generation this answer comes from (Neo4j is live: the data dir's)
        out["generation"] = (state.generation if self.store_kind == "embedded"
                             else self.manifest().get("generation", 0))
        out["index"] = bool(state.index is not None)
        return out

    def export(self, fmt: str) -> str:
        from ..graph.rdf import export

        return export(self.graph, fmt)

    def sparql(self, query: str) -> dict[str, Any]:
        from ..graph.rdf import sparql

        return sparql(self.graph, query)

    def search(self, query: str, k: int = 10, filters: Any = None, mode: str = "hybrid"
               ) -> list[dict[str, Any]]:
        index = self.index
        if index is None:
            raise WorkspaceError(f"data dir {self.data_dir} has no search index "
                                 "(ingested with --no-index)")
        return index.search(query, k, filters, mode=mode)


#: queries run on a freshly loaded generation before it is swapped in (one with diacritics,
#: one without: the latter builds the diacritic restorer)
_WARM_QUERIES = ("hợp tác quốc tế", "hop tac quoc te")


def _warmed(state: Loaded, previous: Loaded | None) -> Loaded:
    """Pay a loaded generation's first-use costs in the loading thread, not in a request:
    the embedder is handed over from the previous generation when it is the same model (else
    loaded), and the lexical index and diacritic restorer are built by warm-up searches.
    Failures here only leave the costs to the first request."""
    index = state.index
    if index is not None:
        old = previous.index if previous is not None else None
        # TaskIndex.load() opens without an embedder; it would load the model (seconds) in the
        # first search. The same model's embedder is stateless: share it.
        shared = getattr(old, "loaded_embedder", None)
        if (shared is not None and getattr(index, "loaded_embedder", None) is None
                and getattr(old, "model", None) == getattr(index, "model", None)):
            index.share_embedder(shared)
        try:
            for query in _WARM_QUERIES:
                index.search(query, k=1)
        except Exception:  # warming is an optimisation
            log.debug("warming the index of generation %s failed", state.generation,
                      exc_info=True)
    try:
        state.graph.counts()
    except Exception:  # warming is an optimisation
        log.debug("warming the graph of generation %s failed", state.generation, exc_info=True)
    return state


def _child_error(error: dict[str, Any]) -> Exception:
    """The exception an ingest child reported (``vbgraph ingest --json``'s error body)."""
    code, message = str(error.get("code")), str(error.get("message"))
    if code == "locked":
        return WorkspaceLocked(message)
    if code == "invalid":
        return ValueError(message)
    if code == "os_error":
        errno_ = error.get("errno")
        return OSError(int(errno_), message) if isinstance(errno_, int) else OSError(message)
    return WorkspaceError(message)


def child_main(argv: Sequence[str]) -> int:
    """Entry point of an ingest child process (:meth:`Workspace.ingest_in_subprocess`): lowers
    its CPU priority, keeps the embedder to one thread, then runs the ``vbgraph`` command."""
    try:
        os.nice(int(os.environ.get("VBGRAPH_CHILD_NICE", CHILD_NICE)))
    except (OSError, ValueError):
        pass
    from .cli import main

    return main(list(argv))


def _task_index_class() -> Any:
    try:
        from ..search.index import TaskIndex
    except ImportError:
        return None
    return TaskIndex


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)
    text = str(reason) if reason else (str(exc) or type(exc).__name__)
    return " ".join(text.split())


def _progress(files: list[Path], enabled: bool | None) -> Iterable[Path]:
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled or len(files) < 2:
        return files
    from tqdm import tqdm

    return tqdm(files, desc="ingest", unit="file", file=sys.stderr)


_ = Callable

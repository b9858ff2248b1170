"""The binary graph cache, and open_graph: a graph from a file, a generator or the cache.

    graph = open_graph("web.el.gz", LoadOptions(dedupe=True), GraphCache(cache_dir))

The first load of a file stores its CSR (what the load options kept: a directed graph's
in-CSR and the weights only when asked for; ids, load counts) as one binary file, written
by C (gb_graph_save); later loads map it in (gb_graph_load_binary) without parsing.
The binary file is a blob named by its content (cache/graphs.py); the key names a small
reference to it, so load options that leave the same bytes share one blob.  Blobs and
references count toward the cache's one size limit with the plans, and the least recently
used of either kind go first (cache/usage.py); hits and misses are counted in stats.json
(graph_hits, graph_misses).
The key is a hash of the file's bytes (gb_hash_file, any thread count
gives the same), the format its name implies, the load options, graphbuild's version
and the entry format, so a changed file or changed options never meet a stale entry.
Generated graphs are cached under their spec.  C validates all of an entry before use;
a truncated or corrupt one is removed and rebuilt with a warning, and a cache that cannot
be written only costs a warning.  Files under MIN_CACHED_BYTES are not cached: parsing
them is about as fast as mapping an entry.

A layout other than the input's (docs/graphs.md "Layout": the CSR relabeled by degree, with
its permutation) is its own blob under its own reference: the key of the input layout's
entry plus the layout, so a second run maps the relabeled graph without relabeling, and the
MAC and content id cover the permutation like every other section.

Entries live in a `graphs` directory inside the plan cache directory (GRAPHBUILD_CACHE_DIR
or --cache-dir), so a cache directory the user picked is the only place graphbuild writes.
"""
from __future__ import annotations

import hashlib
import json
import mmap
import os
import pathlib
import time
from dataclasses import asdict, replace
from typing import Any

from .. import __version__
from ..cache import usage
from ..cache.auth import NOT_VERIFIED, same_mac, tree_mac_and_id
from ..cache.counters import add_count
from ..cache.graphs import BLOB_SUFFIX, CONTENT_ID, MAX_REF_BYTES, REF_SUFFIX, decode_ref, encode_ref
from ..cache.trust import CachePolicy, directory_problem, prepare_directory, refusal
from ..settings import DEFAULT_CACHE_MAX_SIZE
from ..errors import ErrorKind, GraphbuildError
from ..safe_io import TEMP_PREFIX, UnsafeFile, atomic_write, open_regular, read_regular
from .layout_rule import auto_layout
from .graph import (Graph, LoadOptions, Progress, _message, default_graph_path, generate_graph,
                    load_graph, parse_generator, resolve_layout)
from .interrupt import Interrupt, call_interruptibly
from .memory import MemoryLimit
from .native import ffi, lib

ENTRY_FORMAT = 5   # 2: compact CSR, keyed by need_in_edges / need_weights; 3: authenticated;
                   # 4: content-addressed blobs behind references; 5: layouts (binary v4)
SUFFIX = BLOB_SUFFIX
MIN_CACHED_BYTES = 1 << 20
MAC_OFFSET, MAC_BYTES = lib.GB_BINARY_MAC_OFFSET, lib.GB_BINARY_MAC_BYTES
STALE_TEMP_SECONDS = 3600


def graph_cache_dir(plan_cache_dir: str | os.PathLike) -> pathlib.Path:
    return pathlib.Path(plan_cache_dir) / "graphs"


def suffix_format(path: str) -> str:
    """The format a file name implies, as the C loader reads it (after any .gz)."""
    name = os.path.basename(path).lower()
    name = name[:-3] if name.endswith(".gz") else name
    return "mtx" if name.endswith(".mtx") else "wel" if name.endswith(".wel") else "edgelist"


class GraphCache:
    """A directory of graph entries named by key.  Failures become warnings, never errors."""

    def __init__(self, directory: str | os.PathLike, min_bytes: int = MIN_CACHED_BYTES,
                 threads: int = 1, policy: CachePolicy | None = None,
                 max_size: int | None = DEFAULT_CACHE_MAX_SIZE):
        self.dir = pathlib.Path(directory)
        self.max_size = max_size   # the whole cache directory's limit, plans included
        self.min_bytes = min_bytes
        self.threads = max(1, threads)
        self.policy = policy or CachePolicy.from_environment()
        self.warnings: list[str] = []
        self._trusted: bool | None = None

    def _warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def path(self, key: str) -> pathlib.Path:
        """The reference stored under key."""
        return self.dir / f"{key}{REF_SUFFIX}"

    def blob_path(self, content_id: str) -> pathlib.Path:
        return self.dir / f"{content_id}{SUFFIX}"

    def usable(self, create: bool = False) -> bool:
        """Whether the directory and the cache directory holding it may be used (see the plan
        cache's usable: this user's, writable by no one else; a refusal warns once)."""
        if self._trusted is not None:
            return self._trusted
        try:
            if create:
                problem = prepare_directory(self.dir, self.policy, follow_link=False)
            elif not os.path.lexists(self.dir):
                return True   # no cache yet: every lookup misses
            else:
                problem = directory_problem(self.dir, self.policy, follow_link=False)
            where = self.dir
            if problem is None:
                where, problem = self.dir.parent, directory_problem(self.dir.parent, self.policy)
        except OSError as exc:
            if create:
                self._warn_unwritable(exc)
            return False
        if problem is not None:
            self._warn(refusal("graph cache", where, problem))
        elif self.policy.key() is None:
            problem = self.policy.key_problem
            self._warn(problem)
        self._trusted = problem is None
        return self._trusted

    def _warn_unwritable(self, exc: OSError) -> None:
        self._warn(f"graph cache {self.dir} is not writable ({exc.strerror or exc}); continuing without it")

    def file_key(self, path: str, options: LoadOptions) -> str | None:
        """The key of a regular file's graph, or None if it is not worth caching."""
        try:
            info = os.stat(path)
        except OSError:
            return None
        if not os.path.isfile(path) or info.st_size < self.min_bytes:
            return None
        digest = ffi.new("uint64_t[2]")
        err = ffi.new("gb_error *")
        stop = Interrupt()
        if call_interruptibly(lambda: lib.gb_hash_file(os.fsencode(path), self.threads, stop.flag,
                                                       digest, err), stop) != lib.GB_OK:
            return None   # the load itself will report why the file cannot be read
        return _key({"content": f"{digest[0]:016x}{digest[1]:016x}", "size": info.st_size,
                     "format": suffix_format(path)}, options)

    def spec_key(self, spec: str, options: LoadOptions) -> str:
        # Generated graphs are undirected and unweighted: neither flag changes them.
        return _key({"generator": spec},
                    replace(options, need_in_edges=True, need_weights=True))

    def get(self, key: str, probe: bool = False) -> Graph | None:
        """The graph stored under key, or None.  The reference must verify; the blob it names
        is opened without following links or blocking on a FIFO, must be a regular file whose
        bytes have that content id and its MAC, and C maps what was opened.  probe: an absent
        entry is not counted as a miss (auto's look for a stored degree layout, which the
        input layout's lookup follows)."""
        if not self.usable():
            return None
        ref = self.path(key)
        try:
            blob_id = decode_ref(read_regular(ref, MAX_REF_BYTES), self.policy.key() or b"", key)["blob"]
        except (FileNotFoundError, NotADirectoryError):
            return None if probe else self._count(None, "graph_misses")
        except UnsafeFile as exc:
            self._warn(f"discarding graph cache entry {ref.name}: it is {exc.reason}; rebuilding it")
            self._unlink(ref)
            return self._count(None, "graph_misses")
        except OSError as exc:
            self._warn(f"cannot read graph cache entry {ref.name}: {exc.strerror or exc}; rebuilding it")
            return self._count(None, "graph_misses")
        except ValueError as exc:
            self._warn(f"discarding graph cache entry {ref.name}: {exc}; rebuilding it")
            self._unlink(ref)
            return self._count(None, "graph_misses")
        graph = self._load_blob(self.blob_path(blob_id), blob_id)
        if graph is None:
            self._unlink(ref)
            return self._count(None, "graph_misses")
        _touch(ref)
        return self._count(graph, "graph_hits")

    def _load_blob(self, path: pathlib.Path, blob_id: str) -> Graph | None:
        try:
            fd, _ = open_regular(path)
        except (FileNotFoundError, NotADirectoryError):
            return None   # evicted: an ordinary miss
        except UnsafeFile as exc:
            self._warn(f"discarding graph cache entry {path.name}: it is {exc.reason}; rebuilding it")
            self._unlink(path)
            return None
        except OSError as exc:
            self._warn(f"cannot read graph cache entry {path.name}: {exc.strerror or exc}; rebuilding it")
            return None
        out = ffi.new("gb_graph **")
        err = ffi.new("gb_error *")
        try:
            # The header first (read, not mapped): a length other than the one it gives, a
            # sparse file of any size included, is refused before a byte is hashed.
            if lib.gb_graph_check_binary_fd(fd, os.fsencode(str(path)), err) != lib.GB_OK:
                self._warn(f"discarding graph cache entry {path.name}: {_message(err)}; rebuilding it")
                self._unlink(path)
                return None
            mac, content_id = self._mac(fd)
            if not mac or content_id != blob_id or not same_mac(mac, self._stored_mac(fd)):
                self._warn(f"discarding graph cache entry {path.name}: {NOT_VERIFIED}; rebuilding it")
                self._unlink(path)
                return None
            status = lib.gb_graph_load_binary_fd(fd, os.fsencode(str(path)), self.threads, out, err)
        finally:
            os.close(fd)
        if status == lib.GB_OK:
            _touch(path)
            return Graph(out[0])
        if status == lib.GB_ENOMEM:
            raise GraphbuildError(_message(err), kind=ErrorKind.RUNTIME,
                                  hint="the graph does not fit in memory")
        self._warn(f"discarding graph cache entry {path.name}: {_message(err)}; rebuilding it")
        self._unlink(path)
        return None

    def _count(self, graph: Graph | None, name: str) -> Graph | None:
        """Count a hit or miss in the cache directory's stats.json (counters.py: under a lock)."""
        try:
            if self.dir.parent.is_dir():
                add_count(self.dir.parent, name, self.policy.file_mode)
        except OSError:
            pass   # a count is never worth a warning
        return graph

    def _unlink(self, path: pathlib.Path) -> None:
        try:
            path.unlink()
        except OSError:
            pass

    def put(self, key: str, graph: Graph, source: str = "", options: LoadOptions | None = None,
            layout: str = "original") -> bool:
        """Store atomically: C writes a unique temporary file through the descriptor it was
        created with (safe_io.atomic_write), which is renamed to its content id (over a blob
        stored under it already: the same bytes, or damaged ones); then the reference, then
        eviction to the limit."""
        if not self.usable(create=True):
            return False
        self._remove_stale_temps()
        blob: list[pathlib.Path] = []

        def name_blob(f) -> str | None:
            mac, content_id = self._mac(f.fileno())
            os.pwrite(f.fileno(), mac, MAC_OFFSET)
            blob.append(self.blob_path(content_id))
            # Renamed over a blob already stored under this id too: it is these bytes, or a
            # damaged copy that a reference written now must not point to (the write is done).
            return blob[0].name

        try:
            with atomic_write(self.dir / f"blob{SUFFIX}", mode=self.policy.file_mode, durable=False,
                              name_after=name_blob) as f:
                err = ffi.new("gb_error *")
                stop = Interrupt()   # Ctrl-C: KeyboardInterrupt, and atomic_write removes the file
                if call_interruptibly(lambda: lib.gb_graph_save(graph.handle, f.fileno(),
                                                                os.fsencode(str(self.dir)), stop.flag, err),
                                      stop) != lib.GB_OK:
                    raise OSError(_message(err))
            payload = {"blob": blob[0].name[: -len(SUFFIX)], "source": source,
                       "options": asdict(options) if options is not None else {}}
            if layout != "original":
                payload["layout"] = layout
            with atomic_write(self.path(key), mode=self.policy.file_mode, durable=False) as f:
                f.write(encode_ref(self.policy.key() or b"", key, payload))
        except OSError as exc:
            self._warn_unwritable(exc)
            return False
        if self.max_size is not None:
            usage.evict(self.dir.parent, self.max_size, keep=[blob[0]])
        return True

    def _mac(self, fd: int) -> tuple[bytes, str]:
        """The authentication code and content id of the file open on fd (auth.tree_mac_and_id
        over its bytes, with the header's MAC field as zeros); (b"", "") for a file too short."""
        size = os.fstat(fd).st_size
        if size < MAC_OFFSET + MAC_BYTES:
            return b"", ""
        with mmap.mmap(fd, size, access=mmap.ACCESS_READ) as mapped, memoryview(mapped) as view:
            return tree_mac_and_id(self.policy.key(), view, (MAC_OFFSET, MAC_BYTES), self.threads)

    @staticmethod
    def _stored_mac(fd: int) -> bytes:
        return os.pread(fd, MAC_BYTES, MAC_OFFSET)

    def _remove_stale_temps(self) -> None:
        """Temp files a killed process left behind (an hour old: no writer is still busy)."""
        cutoff = time.time() - STALE_TEMP_SECONDS
        for path in self.dir.glob(f"{TEMP_PREFIX}*"):
            try:
                if path.lstat().st_mtime < cutoff:
                    path.unlink()
            except OSError:
                pass

    def verify(self, fix: bool = False) -> list[tuple[pathlib.Path, str]]:
        """(path, problem) of every graph entry a lookup would not use (removed when fix is
        set): a blob that is not a regular file, whose header C refuses, or whose bytes are
        not its content id or do not carry its MAC; a reference that is not a regular file,
        is damaged or does not verify under this cache's key, or names a blob that is
        missing or bad; a blob that no good reference names (orphaned)."""
        if not os.path.isdir(self.dir) or not self.usable():
            return []
        key = self.policy.key() or b""
        blobs = {blob.name[: -len(SUFFIX)]: (blob, self._blob_problem(blob)) for blob in self.entries()}
        bad: list[tuple[pathlib.Path, str]] = []
        named: set[str] = set()
        for ref in self.refs():
            try:
                data = read_regular(ref, MAX_REF_BYTES)
                blob_id = decode_ref(data, key, ref.name[: -len(REF_SUFFIX)])["blob"]
            except UnsafeFile as exc:
                bad.append((ref, f"it is {exc.reason}"))
            except OSError as exc:
                bad.append((ref, f"unreadable: {exc.strerror or exc}"))
            except ValueError as exc:
                bad.append((ref, str(exc)))
            else:
                if blob_id not in blobs:
                    bad.append((ref, f"the graph it names ({blob_id[:16]}) is not in the cache"))
                elif blobs[blob_id][1]:
                    bad.append((ref, f"the graph it names ({blob_id[:16]}) is bad"))
                else:
                    named.add(blob_id)
        for blob_id, (blob, problem) in blobs.items():
            if not problem and blob_id not in named:
                problem = "orphaned: no reference names it"
            if problem:
                bad.append((blob, problem))
        if fix:
            for path, _ in bad:
                self._unlink(path)
        return bad

    def _blob_problem(self, path: pathlib.Path) -> str:
        """Why a lookup would refuse the blob at path ("" if it would use it)."""
        blob_id = path.name[: -len(SUFFIX)]
        if not CONTENT_ID.fullmatch(blob_id):
            return "file name is not a content id"
        try:
            fd, _ = open_regular(path)
        except UnsafeFile as exc:
            return f"it is {exc.reason}"
        except OSError as exc:
            return f"unreadable: {exc.strerror or exc}"
        try:
            err = ffi.new("gb_error *")
            if lib.gb_graph_check_binary_fd(fd, os.fsencode(str(path)), err) != lib.GB_OK:
                return _message(err)
            mac, content_id = self._mac(fd)
            if not mac or content_id != blob_id or not same_mac(mac, self._stored_mac(fd)):
                return NOT_VERIFIED
            return ""
        finally:
            os.close(fd)

    def entries(self) -> list[pathlib.Path]:
        """The blobs (one per distinct graph stored)."""
        try:
            return sorted(p for p in self.dir.glob(f"*{SUFFIX}") if not p.name.startswith(TEMP_PREFIX))
        except OSError:
            return []

    def refs(self) -> list[pathlib.Path]:
        """The references (one per input and load options stored)."""
        try:
            return sorted(p for p in self.dir.glob(f"*{REF_SUFFIX}") if not p.name.startswith(TEMP_PREFIX))
        except OSError:
            return []


def layout_key(key: str, layout: str) -> str:
    """The key of the entry holding key's graph in another layout."""
    return key if layout == "original" else hashlib.sha256(f"{key}\0{layout}".encode()).hexdigest()[:40]


def _key(source: dict[str, Any], options: LoadOptions) -> str:
    if options.undirected:
        options = replace(options, need_in_edges=True)   # one CSR serves both directions
    text = json.dumps({"entry": ENTRY_FORMAT, "version": __version__, **source,
                       "options": asdict(options)}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def _touch(path: pathlib.Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass   # a read-only cache still serves hits


def open_graph(source: Graph | str | os.PathLike | None, options: LoadOptions | None = None,
               cache: GraphCache | None = None, threads: int = 1,
               progress: Progress | None = None, budget: MemoryLimit | None = None,
               layout: str | None = None) -> Graph:
    """A graph from a Graph (as is unless a layout is given), None (the bundled karate club graph,
    which is undirected), a generator spec or a file, through the cache when one is given.
    A file named like a spec (kron:12) is read as a file.  budget: the memory a load (not
    a cache hit, which maps the stored graph) may take (memory.py).  layout: "original",
    "degree" or "auto" (None: the default, graph.resolve_layout), auto deciding from the
    graph (layout_rule.auto_layout); a relabeled graph is cached under its own key, and only
    it is stored (the input layout's entry is used when it is there, never written for it)."""
    if isinstance(source, Graph):
        return source if layout is None else _in_layout(source, resolve_layout(layout), threads)
    layout = resolve_layout(layout)
    options = options or LoadOptions()
    if source is None:
        return _in_layout(load_graph(default_graph_path(), options=replace(options, undirected=True),
                                     threads=threads), layout, threads)
    text = os.fspath(source)
    spec = None if os.path.exists(text) else parse_generator(text)
    key, before = None, _signature(text)
    if cache is not None:
        key = cache.spec_key(text, options) if spec is not None else cache.file_key(text, options)
    if key is None:
        return _in_layout(_read(text, spec, options, threads, progress, budget), layout, threads)
    if layout != "original":
        # auto takes a stored degree layout only if the rule picks it (degrees survive relabeling).
        graph = cache.get(layout_key(key, "degree"), probe=layout == "auto")
        if graph is not None and (layout == "degree" or auto_layout(graph) == "degree"):
            graph.cache_status = "hit"
            return graph
    graph = cache.get(key)
    if graph is not None:
        graph.cache_status = "hit"
    else:
        graph = _read(text, spec, options, threads, progress, budget)
    if layout == "auto":
        layout = auto_layout(graph)
    if layout != "original":
        graph = graph.relabel(layout, threads)
        graph.cache_status = None
        if _signature(text) == before and cache.put(layout_key(key, layout), graph, text,
                                                     options, layout=layout):
            graph.cache_status = "stored"
        return graph
    # A file that changed while it was hashed and read is not stored under either content.
    if graph.cache_status != "hit" and _signature(text) == before and cache.put(key, graph, text, options):
        graph.cache_status = "stored"
    return graph


def _in_layout(graph: Graph, layout: str, threads: int) -> Graph:
    return graph.relabel(auto_layout(graph) if layout == "auto" else layout, threads)


def _read(text: str, spec: Any, options: LoadOptions, threads: int, progress: Progress | None,
          budget: MemoryLimit | None) -> Graph:
    if spec is not None:
        return generate_graph(text, options, threads, progress, budget=budget)
    return load_graph(text, options=options, threads=threads, progress=progress, budget=budget)


def _signature(path: str) -> tuple[int, ...] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


__all__ = ["GraphCache", "MIN_CACHED_BYTES", "graph_cache_dir", "open_graph", "suffix_format"]

"""Graphs for the runtime: a Python handle on the C graph (compact CSR plus ids).

    g = load_graph("edges.el", undirected=True)   # parsed and built in C
    g = load_graph("m.mtx.gz", options=LoadOptions(dedupe=True, ids="dense"))
    g = generate_graph("kron:16")                  # GAP's Kronecker generator, in C
    g.node_count, g.edge_count, g.node_ids(), g.find_node("42"), g.stats

Files are read by csrc/graph/graph_load.c; this module turns its status codes into
GraphbuildError with the file's line shown, and reads the graph back for tests.
The graph cache (graph_cache.py) and writing graphs (graph_io.py) build on it.
"""
from __future__ import annotations

import array
import gzip
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from typing import Any

from ..errors import ErrorKind, GraphbuildError, Location
from ..safe_io import open_regular
from .interrupt import Interrupt, call_interruptibly
from .memory import MemoryLimit, budget_bytes, too_big
from .native import ffi, lib


def default_graph_path() -> str:
    """The graph shipped with the package: Zachary's karate club (34 nodes, 78 edges)."""
    return str(resources.files("graphbuild").joinpath("data", "karate.el"))


class Graph:
    """An immutable graph owned by C; node indices are 0..node_count-1."""

    def __init__(self, handle: Any, ids: Sequence[int | str] | None = None):
        self._handle = ffi.gc(handle, lib.gb_graph_destroy)
        # ids are kept as given (a list, or a numpy array from the Python API): not copied
        self._ids = ids if ids is None or hasattr(ids, "__getitem__") else list(ids)
        self._id_index: dict[str, int] | None = None
        self.cache_status: str | None = None   # set by open_graph: "hit", "stored" or None

    @classmethod
    def from_edges(cls, n: int, edges: Iterable[tuple[int, int]],
                   weights: Sequence[float] | None = None, directed: bool = True,
                   ids: Sequence[int | str] | None = None, *, need_in_edges: bool = True,
                   need_weights: bool = True, wide_index: int = 0) -> Graph:
        """A graph of n nodes from (u, v) pairs of node indices; ids[i] names node i (default i).

        need_in_edges / need_weights False leave a directed graph's in-CSR / the weights
        out; wide_index (tests) 1 stores 64-bit offsets and neighbors whatever the sizes,
        2 64-bit offsets only (the layout of a graph with more than 2^31 - 1 arcs)."""
        pairs = list(edges)
        src = array.array("q", [u for u, _ in pairs])
        dst = array.array("q", [v for _, v in pairs])
        w = None if weights is None else array.array("d", weights)
        return cls.from_arrays(n, src, dst, w, directed, ids, need_in_edges=need_in_edges,
                               need_weights=need_weights, wide_index=wide_index)

    @classmethod
    def from_arrays(cls, n: int, src: Any, dst: Any, weights: Any = None, directed: bool = True,
                    ids: Sequence[Any] | None = None, *, threads: int = 1,
                    need_in_edges: bool = True, need_weights: bool = True,
                    wide_index: int = 0) -> Graph:
        """A graph of n nodes from edge arrays read in place (no copy on the Python side):
        src, dst contiguous 64-bit integer buffers of node indices (a numpy int64 array,
        array.array("q")), weights one of 64-bit floats or None.  C checks every index and
        weight and builds the CSR with `threads` workers; ids as in from_edges."""
        m = _length(src, "q", "src")
        if _length(dst, "q", "dst") != m:
            raise GraphbuildError(f"{m} sources but {len(dst)} targets", kind=ErrorKind.USAGE)
        if ids is not None and len(ids) != n:
            raise GraphbuildError(f"{len(ids)} ids given for {n} nodes", kind=ErrorKind.USAGE)
        w = ffi.NULL
        if weights is not None:
            if _length(weights, "d", "weights") != m:
                raise GraphbuildError(f"{len(weights)} weights given for {m} edges",
                                      kind=ErrorKind.USAGE)
            w = ffi.cast("double *", ffi.from_buffer(weights)) if m else ffi.NULL
        src_p = ffi.cast("int64_t *", ffi.from_buffer(src)) if m else ffi.NULL
        dst_p = ffi.cast("int64_t *", ffi.from_buffer(dst)) if m else ffi.NULL
        out = ffi.new("gb_graph **")
        err = ffi.new("gb_error *")
        opts = ffi.new("gb_load_options *", {
            "threads": max(1, threads), "skip_in_edges": int(not need_in_edges),
            "skip_weights": int(not need_weights), "wide_index": int(wide_index)})
        status = lib.gb_graph_from_arrays_opts(n, m, src_p, dst_p, w, int(directed), opts, out, err)
        if status != lib.GB_OK:
            kind = ErrorKind.RUNTIME if status == lib.GB_ENOMEM else ErrorKind.USAGE
            raise GraphbuildError(_message(err), kind=kind)
        return cls(out[0], ids)

    # ---- properties ----

    @property
    def handle(self) -> Any:
        """The gb_graph * for calls into C; valid while this Graph is alive."""
        return self._handle

    @property
    def node_count(self) -> int:
        return lib.gb_graph_node_count(self._handle)

    @property
    def edge_count(self) -> int:
        """Input edges (lines); an undirected graph stores twice as many arcs."""
        return lib.gb_graph_edge_count(self._handle)

    @property
    def directed(self) -> bool:
        return bool(lib.gb_graph_is_directed(self._handle))

    @property
    def weighted(self) -> bool:
        """Weights are stored (see weights_dropped)."""
        return bool(lib.gb_graph_is_weighted(self._handle))

    @property
    def weights_dropped(self) -> bool:
        """The input had weights that were not stored (loaded with need_weights=False)."""
        return bool(self.stats["weights_dropped"])

    @property
    def has_in_edges(self) -> bool:
        """The in-CSR is there (always on an undirected graph)."""
        return bool(lib.gb_graph_has_in_edges(self._handle))

    def build_in_edges(self, threads: int = 1) -> None:
        """Builds a directed graph's in-CSR if it was loaded without it (no-op otherwise)."""
        err = ffi.new("gb_error *")
        status = lib.gb_graph_build_in_edges(self._handle, max(1, threads), err)
        if status != lib.GB_OK:
            raise _status_error(status, _message(err))

    @property
    def layout(self) -> str:
        """The order of the nodes in the CSR: "original" (the input's), or "degree"
        (relabeled by descending out-degree: docs/graphs.md "Layout").  Node indices the
        user sees stay the input's whatever the layout."""
        return LAYOUTS[lib.gb_graph_layout(self._handle)]

    def relabel(self, layout: str, threads: int = 1) -> Graph:
        """This graph with its CSR in `layout`'s node order (a new Graph; this one if the
        layout is "original"), built by C on `threads` workers."""
        if layout not in LAYOUT_CODES:
            raise GraphbuildError(f"layout must be one of {', '.join(LAYOUT_CHOICES)}, not {layout!r}",
                                  kind=ErrorKind.USAGE)
        if layout == self.layout:
            return self
        if self.layout != "original":
            raise GraphbuildError("the graph is relabeled already", kind=ErrorKind.USAGE)
        stop = Interrupt()
        out = ffi.new("gb_graph **")
        err = ffi.new("gb_error *")
        status = _interruptibly(lambda: lib.gb_graph_relabel(self._handle, LAYOUT_CODES[layout],
                                                             max(1, threads), stop.flag, out, err),
                                stop, out)
        if status != lib.GB_OK:
            raise _status_error(status, _message(err))
        graph = Graph(out[0], self._ids)
        graph.cache_status = self.cache_status
        return graph

    def permutation(self) -> list[int]:
        """The input index of the node at each CSR position (0..n-1 on "original")."""
        perm = lib.gb_graph_perm(self._handle)
        if perm == ffi.NULL:
            return list(range(self.node_count))
        return ffi.unpack(perm, self.node_count)

    def unpermute(self, buffer: Any, elem_bytes: int) -> None:
        """A C buffer of node_count elements of elem_bytes (8 or 1), from CSR position
        order into input order, in place (no-op on the original layout)."""
        err = ffi.new("gb_error *")
        status = lib.gb_graph_unpermute(self._handle, buffer, elem_bytes, err)
        if status != lib.GB_OK:
            raise _status_error(status, _message(err))

    @property
    def index_bytes(self) -> tuple[int, int]:
        """(offset bytes, neighbor bytes) per element of the stored CSR: 4 or 8 each."""
        ob = ffi.new("int *")
        nb = ffi.new("int *")
        lib.gb_graph_csr(self._handle, lib.GB_DIR_OUT, ffi.NULL, ffi.NULL, ffi.NULL, ob, nb)
        return ob[0], nb[0]

    @property
    def stats(self) -> dict[str, Any]:
        """What the loader saw: format, header_line (0: none), input_edges, self_loops,
        duplicates (before dropping) and self_loops_dropped, duplicates_dropped."""
        raw = ffi.new("gb_graph_stats *")
        lib.gb_graph_get_stats(self._handle, raw)
        return {"format": FORMATS.get(raw.format, "auto"), "header_line": raw.header_line,
                "input_edges": raw.input_edges, "self_loops": raw.self_loops,
                "duplicates": raw.duplicates, "self_loops_dropped": raw.self_loops_dropped,
                "duplicates_dropped": raw.duplicates_dropped,
                "weights_dropped": raw.weights_dropped,
                "delimiter": chr(raw.delimiter) if raw.delimiter else None,
                "delimiter_guessed": bool(raw.delimiter_guessed),
                "header_guess": HEADER_GUESSES.get(raw.header_guess),
                "header_guess_line": raw.header_guess_line}

    @property
    def nbytes(self) -> int:
        """Bytes the C graph holds: offsets, neighbors and weights of each stored CSR, and
        the ids (gb_graph_bytes; graph_layout.py predicts it from the counts)."""
        return lib.gb_graph_bytes(self._handle)

    # ---- ids ----

    def node_ids(self) -> list[int] | list[str]:
        """The input id of each node, in node order."""
        if self._ids is not None:
            return self._ids.tolist() if hasattr(self._ids, "tolist") else list(self._ids)
        h, n = self._handle, self.node_count
        if n == 0:
            return []
        if lib.gb_graph_ids_kind(h) == lib.GB_IDS_INT:
            return ffi.unpack(lib.gb_graph_int_ids(h), n)
        offsets = ffi.unpack(lib.gb_graph_name_offsets(h), n + 1)
        data = ffi.buffer(lib.gb_graph_name_bytes(h), offsets[n])[:]
        return [data[offsets[i]:offsets[i + 1]].decode("utf-8", "surrogateescape")
                for i in range(n)]

    def int_ids_address(self) -> int | None:
        """The address of the C graph's integer ids (one int64 per node, in node order, valid
        while this Graph lives), or None when the constructor was given ids or the ids are
        names."""
        h = self._handle
        if self._ids is not None or lib.gb_graph_ids_kind(h) != lib.GB_IDS_INT:
            return None
        return int(ffi.cast("uintptr_t", lib.gb_graph_int_ids(h)))

    def find_node(self, token: str) -> int:
        """The index of the node whose input id is written token (e.g. "42" or "alice")."""
        token = str(token)
        if self._ids is not None:
            if self._id_index is None:
                self._id_index = {str(x): i for i, x in enumerate(self._ids)}
            index = self._id_index.get(token, -1)
        elif "\0" in token:
            index = -1
        else:
            index = lib.gb_graph_find_node(self._handle,
                                           token.encode("utf-8", "surrogateescape"))
        if index < 0:
            raise GraphbuildError(f"node '{token}' is not in the graph", kind=ErrorKind.USAGE)
        return index

    # ---- adjacency (tests) ----

    def csr_arrays(self, direction: str) -> tuple[array.array, array.array, list[float] | None]:
        """(offsets, neighbors, weights or None) of direction "out" or "in": the index arrays
        as array.array copies of the stored width ("i" or "q").  GraphbuildError (USAGE) for
        the in-direction of a directed graph loaded without its in-edges."""
        if direction not in ("out", "in"):
            raise GraphbuildError(f"direction must be 'out' or 'in', not {direction!r}",
                                  kind=ErrorKind.USAGE)
        if direction == "in" and not self.has_in_edges:
            raise GraphbuildError("the graph was loaded without its in-edges",
                                  kind=ErrorKind.USAGE)
        offsets_p = ffi.new("void **")
        neighbors_p = ffi.new("void **")
        weights_p = ffi.new("double **")
        ob = ffi.new("int *")
        nb = ffi.new("int *")
        dir_code = lib.GB_DIR_OUT if direction == "out" else lib.GB_DIR_IN
        lib.gb_graph_csr(self._handle, dir_code, offsets_p, neighbors_p, weights_p, ob, nb)
        offsets = array.array("i" if ob[0] == 4 else "q")
        offsets.frombytes(ffi.buffer(offsets_p[0], (self.node_count + 1) * ob[0]))
        arcs = offsets[-1]
        neighbors = array.array("i" if nb[0] == 4 else "q")
        if arcs:
            neighbors.frombytes(ffi.buffer(neighbors_p[0], arcs * nb[0]))
        weights = None
        if weights_p[0] != ffi.NULL:
            weights = ffi.unpack(weights_p[0], arcs) if arcs else []
        return offsets, neighbors, weights

    def csr(self, direction: str) -> tuple[list[int], list[int], list[float] | None]:
        """(offsets, neighbors, weights or None) of direction "out" or "in", as lists."""
        offsets, neighbors, weights = self.csr_arrays(direction)
        return offsets.tolist(), neighbors.tolist(), weights

    def __repr__(self) -> str:
        kind = "directed" if self.directed else "undirected"
        return f"<Graph {kind}, {self.node_count} nodes, {self.edge_count} edges>"


IDS_MODES = ("map", "dense")
LAYOUTS = {0: "original", 1: "degree"}   # gb_node_order
LAYOUT_CODES = {name: code for code, name in LAYOUTS.items()}
LAYOUT_CHOICES = ("original", "degree", "auto")   # auto: runtime/layout_rule.py picks one
DEFAULT_LAYOUT = "auto"


def resolve_layout(layout: str | None) -> str:
    """The layout a load asks for, given the user's choice (None: DEFAULT_LAYOUT)."""
    layout = DEFAULT_LAYOUT if layout is None else layout
    if layout not in LAYOUT_CHOICES:
        raise GraphbuildError(f"--layout must be one of {', '.join(LAYOUT_CHOICES)}, not '{layout}'",
                              kind=ErrorKind.USAGE)
    return layout
HEADER_GUESSES = {1: "header", 2: "edge"}   # gb_header_guess: what line header_guess_line was
FORMATS = {0: "auto", 1: "edgelist", 2: "wel", 3: "mtx", 4: "generated"}
GENERATORS = {"kron": 0, "uniform": 1}
_SPEC = re.compile(r"(kron|uniform):(\d+)(?::(\d+))?")

Progress = Callable[[int, int, int], None]
"""progress(done, total, edges): bytes of the file read (total 0 if unknown), or edges
generated of total; called on the loading thread about every 8 MiB."""


@dataclass(frozen=True)
class LoadOptions:
    """How to read a graph: the policies of the loader (see docs/graphs.md)."""

    undirected: bool = False
    dedupe: bool = False
    no_self_loops: bool = False
    ids: str = "map"   # "map": integers ranked ascending, other tokens by first appearance;
                       # "dense": non-negative integer ids are the node indices
    # What to store (a plan says what it reads: Plan.needs_in_edges, needs_weights): a
    # directed graph's in-CSR, and the file's weights.  wide_index: 64-bit CSR indices
    # whatever the sizes (tests compare both layouts).
    need_in_edges: bool = True
    need_weights: bool = True
    wide_index: bool = False
    # Columns of a text edge list (docs/graphs.md "Columns"): header None guesses it;
    # delimiter None guesses it, " " is runs of blanks, else one character (names like
    # "tab" accepted); columns (source, target[, weight]) are 1-based numbers or header
    # names, given as a sequence or as the CLI's "SRC,DST[,WEIGHT]".
    header: bool | None = None
    delimiter: str | None = None
    columns: tuple[int | str, ...] | None = None

    def __post_init__(self) -> None:
        if self.ids not in IDS_MODES:
            raise GraphbuildError(f"--ids must be one of {', '.join(IDS_MODES)}, not '{self.ids}'",
                                  kind=ErrorKind.USAGE)
        if self.header not in (None, True, False):
            raise GraphbuildError(f"header must be True, False or None (guess), not {self.header!r}",
                                  kind=ErrorKind.USAGE)
        object.__setattr__(self, "delimiter", parse_delimiter(self.delimiter))
        object.__setattr__(self, "columns", parse_columns(self.columns))
        if self.header is False and any(isinstance(c, str) for c in self.columns or ()):
            raise GraphbuildError("columns are picked by name, which needs a header line, but "
                                  "--no-header says there is none", kind=ErrorKind.USAGE,
                                  hint="pick them by number (1-based), e.g. --columns 2,3")
        # C reads the names through pointers: the buffers live as long as these options
        names = [ffi.new("char[]", c.encode()) if isinstance(c, str) else ffi.NULL
                 for c in (self.columns or ())]
        object.__setattr__(self, "_c_names", names + [ffi.NULL] * (3 - len(names)))

    def c_options(self, threads: int = 1, progress: Any = None, interrupt: Any = None,
                  max_bytes: int = 0) -> Any:
        """A gb_load_options; the format is left to C (content, then the file's name);
        max_bytes: the memory budget (0: none)."""
        return ffi.new("gb_load_options *", {
            "max_bytes": max_bytes,
            "interrupt": interrupt if interrupt is not None else ffi.NULL,
            "undirected": int(self.undirected), "dedupe": int(self.dedupe),
            "no_self_loops": int(self.no_self_loops),
            "ids": lib.GB_IDS_DENSE if self.ids == "dense" else lib.GB_IDS_MAP,
            "threads": max(1, threads), "progress": progress if progress is not None else ffi.NULL,
            "skip_in_edges": int(not self.need_in_edges), "skip_weights": int(not self.need_weights),
            "wide_index": int(self.wide_index),
            "delimiter": 0 if self.delimiter is None else ord(self.delimiter),
            "header": {None: lib.GB_HEADER_AUTO, True: lib.GB_HEADER_PRESENT,
                       False: lib.GB_HEADER_ABSENT}[self.header],
            "column_numbers": [c if isinstance(c, int) else 0 for c in self.columns or ()]
            + [0] * (3 - len(self.columns or ())),
            "column_names": self._c_names,
        })

    def for_plan(self, plan: Any) -> LoadOptions:
        """These options storing only what plan (a Plan) reads."""
        return replace(self, need_in_edges=bool(plan.needs_in_edges),
                       need_weights=bool(plan.needs_weights))


DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "space": " ", "blank": " ",
                   "whitespace": " ", "semicolon": ";", "pipe": "|"}


def parse_delimiter(value: str | None) -> str | None:
    """None (guess), " " (runs of blanks) or the one character that separates fields."""
    if value is None:
        return None
    text = DELIMITER_NAMES.get(value.lower(), value) if isinstance(value, str) else value
    if not isinstance(text, str) or len(text) != 1 or ord(text) > 127 or text in "\n\r\"#%" \
            or (text.isalnum() and text != " "):
        raise GraphbuildError(f"invalid delimiter {value!r}: give one character such as ',' or "
                              f"';', or tab, space (runs of blanks)", kind=ErrorKind.USAGE)
    return text


MAX_COLUMN = 1 << 20


def parse_columns(value: str | Sequence[int | str] | None) -> tuple[int | str, ...] | None:
    """(source, target[, weight]) from "SRC,DST[,WEIGHT]" or a sequence: 1-based column
    numbers or header names."""
    if value is None:
        return None
    items = [item.strip() for item in value.split(",")] if isinstance(value, str) else list(value)
    columns: list[int | str] = []
    for item in items:
        if isinstance(item, str) and item.isdigit():
            item = int(item)
        if isinstance(item, bool) or not isinstance(item, (int, str)) or item == "" or \
                (isinstance(item, int) and not 1 <= item <= MAX_COLUMN) or \
                (isinstance(item, str) and len(item.encode()) > 256):
            raise GraphbuildError(f"invalid column {item!r} in --columns: give a column number "
                                  f"(1 is the first) or a name from the header line",
                                  kind=ErrorKind.USAGE)
        columns.append(item)
    if len(columns) not in (2, 3):
        raise GraphbuildError(f"--columns takes SOURCE,TARGET or SOURCE,TARGET,WEIGHT, not "
                              f"{len(columns)} column(s)", kind=ErrorKind.USAGE,
                              hint="e.g. --columns 2,3 or --columns source,target,weight")
    if len(set(columns)) != len(columns):
        raise GraphbuildError(f"--columns names a column twice: {value}", kind=ErrorKind.USAGE)
    return tuple(columns)


def parse_generator(spec: str) -> tuple[str, int, int] | None:
    """("kron", scale, degree) for "kron:SCALE[:DEGREE]" (or uniform:), None if spec is not one."""
    match = _SPEC.fullmatch(spec)
    if match is None:
        if spec.split(":", 1)[0] in GENERATORS:
            raise GraphbuildError(f"invalid graph generator '{spec}': expected "
                                  f"{spec.split(':', 1)[0]}:SCALE[:DEGREE], e.g. kron:16 or kron:16:8",
                                  kind=ErrorKind.USAGE)
        return None
    kind, scale, degree = match.group(1), int(match.group(2)), int(match.group(3) or 16)
    if not 1 <= scale <= 30 or not 1 <= degree <= 1 << 20:
        raise GraphbuildError(f"invalid graph generator '{spec}': SCALE must be 1..30 and DEGREE "
                              f"1..{1 << 20}", kind=ErrorKind.USAGE)
    return kind, scale, degree


def load_graph(path: str | os.PathLike[str], undirected: bool = False, *,
               options: LoadOptions | None = None, threads: int = 1,
               progress: Progress | None = None, budget: MemoryLimit | None = None) -> Graph:
    """Read an edge list or Matrix Market file, plain or gzipped (csrc/graph/graph_load.c).

    options (if given) replaces undirected.  Raises GraphbuildError: MISSING if there is no
    such file, IO if it cannot be read or the load would pass budget (memory.py; C checks
    it before each allocation), PROGRAM with the file's line and column if it is
    malformed, INTERRUPTED on Ctrl-C (the load runs on a worker thread: interrupt.py); an
    exception from progress stops the load and is raised again.
    """
    path = os.fspath(path)
    options = options or LoadOptions(undirected=undirected)
    if not os.path.exists(path):
        raise GraphbuildError(f"graph file '{path}' does not exist", kind=ErrorKind.MISSING)
    stop = Interrupt()
    bridge = _ProgressBridge(progress, stop)
    out = ffi.new("gb_graph **")
    err = ffi.new("gb_error *")
    c_options = options.c_options(threads, bridge.c, stop.flag, budget_bytes(budget))
    status = _interruptibly(lambda: lib.gb_graph_load_edgelist(os.fsencode(path), c_options, out, err),
                            stop, out)
    if status == lib.GB_OK:
        return Graph(out[0])
    bridge.reraise()
    if status == lib.GB_EBUDGET and budget is not None:
        raise too_big(err.bytes, budget, f"loading '{path}'")
    message = _message(err)
    if status == lib.GB_EPARSE:
        raise GraphbuildError(message, _location(path, err.line, err.col), ErrorKind.PROGRAM)
    raise _status_error(status, message)


def generate_graph(spec: str, options: LoadOptions | None = None, threads: int = 1,
                   progress: Progress | None = None, budget: MemoryLimit | None = None) -> Graph:
    """The GAP generator named by spec ("kron:SCALE[:DEGREE]", "uniform:..."), undirected;
    one whose edge arrays and build would pass budget is refused before it starts (IO)."""
    parsed = parse_generator(spec)
    if parsed is None:
        raise GraphbuildError(f"'{spec}' is not a graph generator", kind=ErrorKind.USAGE)
    kind, scale, degree = parsed
    options = options or LoadOptions()
    stop = Interrupt()
    bridge = _ProgressBridge(progress, stop)
    out = ffi.new("gb_graph **")
    err = ffi.new("gb_error *")
    c_options = options.c_options(threads, bridge.c, stop.flag, budget_bytes(budget))
    status = _interruptibly(lambda: lib.gb_graph_generate(GENERATORS[kind], scale, degree, c_options,
                                                          out, err), stop, out)
    if status == lib.GB_OK:
        return Graph(out[0])
    bridge.reraise()
    if status == lib.GB_EBUDGET and budget is not None:
        raise too_big(err.bytes, budget, f"generating {spec}")
    raise _status_error(status, _message(err))


def _interruptibly(call: Callable[[], int], stop: Interrupt, out: Any) -> int:
    """A load on a worker thread (interrupt.py); a graph C made just as Ctrl-C came is freed."""
    def free(status: int) -> None:
        if status == lib.GB_OK:
            lib.gb_graph_destroy(out[0])

    return call_interruptibly(call, stop, on_interrupt=free)


class _ProgressBridge:
    """A C progress callback that calls a Python one, on the loading (worker) thread: it
    returns nonzero, which stops the load, when Ctrl-C has raised the flag or the Python
    callback raised (that exception is raised again once C has returned)."""

    def __init__(self, progress: Progress | None, stop: Interrupt):
        self.error: BaseException | None = None
        self._progress = progress
        self._stop = stop
        self.c = ffi.NULL
        if progress is not None:
            try:
                self.c = ffi.callback("gb_progress_fn", self._call)
            except (MemoryError, RuntimeError):
                pass   # a platform without writable+executable memory: load without progress

    def _call(self, _ctx: Any, done: int, total: int, edges: int) -> int:
        if self._stop.raised:
            return 1
        try:
            self._progress(done, total, edges)
            return 0
        except BaseException as exc:  # noqa: BLE001 (re-raised by reraise)
            self.error = exc
            return 1

    def reraise(self) -> None:
        if self.error is not None:
            raise self.error


def _status_error(status: int, message: str) -> GraphbuildError:
    if status == lib.GB_EIO:
        return GraphbuildError(message, kind=ErrorKind.IO)
    if status == lib.GB_ENOMEM:
        return GraphbuildError(message, kind=ErrorKind.RUNTIME, hint="the graph does not fit in memory")
    if status == lib.GB_EINTR:
        return GraphbuildError(message, kind=ErrorKind.INTERRUPTED)
    if status == lib.GB_EINVAL:
        return GraphbuildError(message, kind=ErrorKind.USAGE)
    if status == lib.GB_EBUDGET:
        return GraphbuildError(message, kind=ErrorKind.IO)
    if status == lib.GB_EPARSE:
        return GraphbuildError(message, kind=ErrorKind.PROGRAM)
    return GraphbuildError(message, kind=ErrorKind.RUNTIME)


def _length(buffer: Any, typecode: str, what: str) -> int:
    """The element count of a C-contiguous buffer of 8-byte elements of typecode's kind
    ("q": signed integers, "d": floats); a USAGE error for anything else."""
    try:
        view = memoryview(buffer)
    except TypeError:
        raise GraphbuildError(f"{what} must be an array (a buffer), not {type(buffer).__name__}",
                              kind=ErrorKind.USAGE) from None
    kinds = {"q": "qln", "d": "d"}[typecode]
    fmt = view.format.lstrip("@=<")
    if view.itemsize != 8 or fmt not in kinds or not view.c_contiguous or view.ndim != 1:
        want = "64-bit integers" if typecode == "q" else "64-bit floats"
        raise GraphbuildError(f"{what} must be a one-dimensional contiguous array of {want}, "
                              f"not format '{view.format}' with {view.ndim} dimension(s)",
                              kind=ErrorKind.USAGE)
    return view.shape[0]


def _message(err: Any) -> str:
    text = ffi.string(err.message).decode("utf-8", "replace")
    return text or ffi.string(lib.gb_strerror(err.code)).decode()


def _location(path: str, line: int, col: int) -> Location:
    """A Location with that line of the file; C counts columns in bytes, Python in characters."""
    raw = _read_line(path, line)
    if raw is None:
        return Location(path, line, col)
    if line == 1 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # C skips a byte order mark and counts columns after it
    text = raw.decode("utf-8", "replace")
    char_col = len(raw[:max(col - 1, 0)].decode("utf-8", "replace")) + 1
    return Location(path, line, char_col, text)


MAX_QUOTED_LINE = 1 << 20   # an error quotes at most this much of a line


def _read_line(path: str, line: int) -> bytes | None:
    """Line `line` (1-based, split on b"\\n" like the C reader) without its line ending.
    Newlines are counted a block at a time, so an error deep in a big file is found fast."""
    block = 1 << 20
    try:
        fd, _ = open_regular(path, follow_symlinks=True)   # never a FIFO the load has drained
        raw = os.fdopen(fd, "rb")
        gzipped = raw.read(2) == b"\x1f\x8b"
        raw.seek(0)
        with raw, (gzip.GzipFile(fileobj=raw, mode="rb") if gzipped else raw) as f:
            skip = line - 1   # newlines before the line
            while True:
                chunk = f.read(block)
                if not chunk:
                    return None   # the file has fewer lines
                newlines = chunk.count(b"\n")
                if newlines >= skip:
                    break
                skip -= newlines
            start = 0
            for _ in range(skip):
                start = chunk.index(b"\n", start) + 1
            rest = chunk[start:]
            while b"\n" not in rest and len(rest) < MAX_QUOTED_LINE:   # runs on past this block
                more = f.read(block)
                if not more:
                    break
                rest += more
            return rest.split(b"\n", 1)[0][:MAX_QUOTED_LINE].rstrip(b"\r")
    except (OSError, EOFError):
        return None

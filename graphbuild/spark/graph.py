"""Graphs for the Spark engine: read by Spark itself, numbered as the C loader numbers them.

    g = read_graph(spark, "hdfs:///data/web.el.gz", LoadOptions(undirected=True))
    g = read_graph(spark, "s3a://bucket/edges.parquet", LoadOptions())
    g = from_graph(spark, graph)          # a runtime Graph (tests, the Python API)

A SparkGraph is two DataFrames: nodes (_idx, id) and arcs (src, dst, w) of node indices,
a directed graph's edges or an undirected graph's two arcs per edge (a self-loop too, as
the C graph stores it).  Node numbering is the C loader's (docs/graphs.md): with --ids map,
integer ids in ascending order, other ids in order of first appearance (Spark reads a file's
splits in order, so "first appearance" is the file's order; for a directory of several
files it is the order Spark lists them); with --ids dense, each id is its own index.  Both
are computed in parallel: a sort or a min-position per id, then zipWithIndex.

Text edge lists (.el .txt .csv .tsv .wel, gzipped or not, a file or a directory of them)
follow the C rules: `src dst [weight]`, blanks or a comma with optional blanks between
columns, `#`/`%` comments, an optional header line.  Parquet (a .parquet file or a
directory holding Parquet) takes the columns src/dst/weight (or source/target, or the
first two and an optional third).  Matrix Market is not read here (graph convert it).
"""
from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from ..errors import ErrorKind, GraphbuildError, Location
from ..runtime.graph import Graph, LoadOptions, generate_graph, parse_generator
from ..runtime.graph_io import write_graph

_INT_ID = r"^[0-9]+$"
_NUMBER = r"^[+-]?(([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?|inf|infinity|nan)$"
_MAX_DENSE = 2**31 - 2
_TEXT_SUFFIXES = (".el", ".txt", ".csv", ".tsv", ".wel")


@dataclass
class SparkGraph:
    nodes: DataFrame    # _idx (long), id (long or string)
    arcs: DataFrame     # src, dst (long node indices), w (double)
    node_count: int
    edge_count: int     # input edges kept, as the C graph counts them
    directed: bool
    weighted: bool
    int_ids: bool

    def node_frame(self, with_degrees: bool) -> DataFrame:
        """The engine's starting state: one row per node, with degrees when asked for."""
        frame = self.nodes.select("_idx")
        if not with_degrees:
            return frame
        out = self.arcs.groupBy(F.col("src").alias("_idx")).agg(F.count(F.lit(1)).alias("_out"))
        frame = frame.join(out, "_idx", "left")
        if self.directed:
            into = self.arcs.groupBy(F.col("dst").alias("_idx")).agg(F.count(F.lit(1)).alias("_in"))
            frame = frame.join(into, "_idx", "left")
        else:
            frame = frame.withColumn("_in", F.col("_out"))
        return frame.select("_idx", F.coalesce("_out", F.lit(0)).cast("long").alias("_out"),
                            F.coalesce("_in", F.lit(0)).cast("long").alias("_in"))

    def lanes(self, direction: str, weights: bool) -> DataFrame:
        """(owner, nbr[, w]): one row per edge of each node in direction, as the executor's
        edge kernels see them (an undirected graph: its arcs, whatever the direction)."""
        extra = [F.col("w")] if weights else []
        out = self.arcs.select(F.col("src").alias("owner"), F.col("dst").alias("nbr"), *extra)
        if not self.directed or direction == "out":
            return out
        into = self.arcs.select(F.col("dst").alias("owner"), F.col("src").alias("nbr"), *extra)
        return into if direction == "in" else out.unionByName(into)

    def find_node(self, token: str) -> int:
        """The index of the node whose input id is written token (as Graph.find_node)."""
        token = str(token)
        if self.int_ids:
            if not re.fullmatch(r"[0-9]+", token.strip()) or int(token) >= 2**63:
                raise GraphbuildError(f"node '{token}' is not in the graph", kind=ErrorKind.USAGE)
            match = self.nodes.where(F.col("id") == F.lit(int(token)).cast("long"))
        else:
            match = self.nodes.where(F.col("id") == F.lit(token))
        row = match.select("_idx").first()
        if row is None:
            raise GraphbuildError(f"node '{token}' is not in the graph", kind=ErrorKind.USAGE)
        return int(row["_idx"])


def _persist(df: DataFrame) -> DataFrame:
    return df.persist()


def _finish(spark: SparkSession, nodes: DataFrame, edges: DataFrame, n: int | None,
            options: LoadOptions, weighted: bool, int_ids: bool) -> SparkGraph:
    """Drop self-loops and duplicates as asked, symmetrize, count; edges has pos (input
    order), src, dst, w."""
    if options.no_self_loops:
        edges = edges.where(F.col("src") != F.col("dst"))
    if options.dedupe:
        a, b = F.col("src"), F.col("dst")
        key = [a, b] if not options.undirected else [F.least(a, b).alias("ka"), F.greatest(a, b).alias("kb")]
        first = F.min(F.struct("pos", "src", "dst", "w")).alias("e")
        edges = edges.groupBy(*key).agg(first).select("e.pos", "e.src", "e.dst", "e.w")
    # the weights only when the plan reads them (as the C loader keeps them)
    edges = _persist(edges.select("src", "dst", "w" if options.need_weights else F.lit(1.0).alias("w")))
    edge_count = edges.count()
    arcs = edges
    if options.undirected:
        arcs = edges.unionByName(edges.select(F.col("dst").alias("src"), F.col("src").alias("dst"), "w"))
    nodes = _persist(nodes)
    node_count = n if n is not None else nodes.count()
    return SparkGraph(nodes, _persist(arcs), node_count, edge_count, not options.undirected,
                      weighted, int_ids)


def _number(spark: SparkSession, ids: DataFrame, int_ids: bool) -> DataFrame:
    """(_idx, id) for the distinct ids of ids(pos, id): ascending integers, or names by
    first appearance.  In parallel and on the JVM: a range-partitioned sort, each row's
    place in its partition (monotonically_increasing_id's low 33 bits), and per-partition
    offsets from one small count."""
    if int_ids:
        ordered = ids.select("id").distinct().orderBy("id")
    else:
        ordered = ids.groupBy("id").agg(F.min("pos").alias("first")).orderBy("first")
    placed = ordered.select("id", F.spark_partition_id().alias("_p"),
                            F.monotonically_increasing_id().alias("_m")).persist()
    counts = dict(placed.groupBy("_p").count().collect())
    starts, total = [], 0
    for part in range(max(counts, default=-1) + 1):
        starts.append(total)
        total += counts.get(part, 0)
    start = F.element_at(F.array(*(F.lit(x).cast("long") for x in starts or [0])), F.col("_p") + 1)
    row = F.col("_m") - F.shiftleft(F.col("_p").cast("long"), 33)
    return placed.select((start + row).alias("_idx"), "id")


def _index(spark: SparkSession, raw: DataFrame, options: LoadOptions, int_ids: bool,
           n: int | None = None) -> tuple[DataFrame, DataFrame, int | None]:
    """Nodes and edges of node indices from raw (pos, a, b, w) of input ids."""
    if options.ids == "dense":
        ids = raw.select(F.col("a").alias("id")).union(raw.select(F.col("b").alias("id")))
        if n is None:
            top = ids.agg(F.max("id")).first()[0]
            n = 0 if top is None else int(top) + 1
        nodes = spark.range(n).select(F.col("id").alias("_idx"), F.col("id"))
        edges = raw.select("pos", F.col("a").alias("src"), F.col("b").alias("dst"), "w")
        return nodes, edges, n
    ends = raw.select((F.col("pos") * 2).alias("pos"), F.col("a").alias("id")).union(
        raw.select((F.col("pos") * 2 + 1).alias("pos"), F.col("b").alias("id")))
    nodes = _persist(_number(spark, ends, int_ids))
    src = nodes.select(F.col("id").alias("a"), F.col("_idx").alias("src"))
    dst = nodes.select(F.col("id").alias("b"), F.col("_idx").alias("dst"))
    edges = raw.join(src, "a").join(dst, "b").select("pos", "src", "dst", "w")
    return nodes, edges, None


# ---- runtime graphs and generators ---------------------------------------------------

def from_graph(spark: SparkSession, graph: Graph) -> SparkGraph:
    """A runtime Graph (built in C) as DataFrames, with its node numbering and ids: for
    graphs that fit on the driver (tests, the Python API)."""
    offsets, neighbors, weights = graph.csr("out")
    n = graph.node_count
    rows = []
    for v in range(n):
        for j in range(offsets[v], offsets[v + 1]):
            rows.append((v, neighbors[j], float(weights[j]) if weights is not None else 1.0))
    arcs = spark.createDataFrame(rows, "src long, dst long, w double")
    ids = graph.node_ids()
    int_ids = all(isinstance(x, int) for x in ids)
    nodes = spark.createDataFrame([(i, x) for i, x in enumerate(ids)],
                                  f"_idx long, id {'long' if int_ids else 'string'}")
    return SparkGraph(_persist(nodes), _persist(arcs), n, graph.edge_count, graph.directed,
                      weights is not None, int_ids)


def _generated(spark: SparkSession, spec: str, options: LoadOptions, threads: int) -> SparkGraph:
    """kron:/uniform: generated in C on the driver, written as an edge list of node
    indices to a temporary directory, read back by Spark (local mode, or a driver
    directory every executor can see)."""
    kind, scale, _ = parse_generator(spec)
    graph = generate_graph(spec, LoadOptions(dedupe=options.dedupe, no_self_loops=options.no_self_loops),
                           threads)
    tmp = tempfile.mkdtemp(prefix="graphbuild-gen-")
    atexit.register(shutil.rmtree, tmp, True)   # the cached arcs may need it until then
    path = os.path.join(tmp, f"{kind}{scale}.el")
    write_graph(graph, path)
    n = graph.node_count
    del graph
    dense = LoadOptions(undirected=True, dedupe=False, no_self_loops=False, ids="dense")
    return _read_text(spark, path, dense, n=n)


# ---- files ---------------------------------------------------------------------------

def read_graph(spark: SparkSession, source: Any, options: LoadOptions, threads: int = 1) -> SparkGraph:
    """The graph named by source: a runtime Graph, a generator spec, or any path Spark
    reads (file:, hdfs:, s3a:, or a local path)."""
    if isinstance(source, Graph):
        return from_graph(spark, source)
    source = os.fspath(source)
    if not os.path.exists(source) and parse_generator(source) is not None:
        return _generated(spark, source, options, threads)
    name = source.rstrip("/").lower()
    name = name[:-3] if name.endswith(".gz") else name
    if name.endswith(".mtx"):
        raise GraphbuildError(f"the Spark engine does not read Matrix Market files ({source})",
                              kind=ErrorKind.USAGE,
                              hint="convert it once: graphbuild graph convert FILE.mtx FILE.el")
    if name.endswith(".parquet") or _holds_parquet(source):
        return _read_parquet(spark, source, options)
    return _read_text(spark, source, options)


def _holds_parquet(path: str) -> bool:
    return os.path.isdir(path) and any(f.endswith(".parquet") for f in os.listdir(path))


def _read_parquet(spark: SparkSession, path: str, options: LoadOptions) -> SparkGraph:
    try:
        df = spark.read.parquet(path)
    except Exception as exc:  # noqa: BLE001
        raise _read_error(path, exc) from None
    names = {c.lower(): c for c in df.columns}
    pick = next(((names[a], names[b]) for a, b in (("src", "dst"), ("source", "target"),
                                                    ("from", "to")) if a in names and b in names), None)
    if pick is None:
        if len(df.columns) < 2:
            raise GraphbuildError(f"{path}: a Parquet edge list needs two id columns, found "
                                  f"{df.columns}", kind=ErrorKind.PROGRAM)
        pick = (df.columns[0], df.columns[1])
    rest = [c for c in df.columns if c not in pick]
    weight = names.get("weight") or (rest[0] if rest and not {"src", "source"} & set(names) else None)
    fields = {f.name: f.dataType for f in df.schema.fields}
    id_types = {type(fields[pick[0]]), type(fields[pick[1]])}
    int_ids = id_types <= {T.LongType, T.IntegerType, T.ShortType, T.ByteType}
    cast = "long" if int_ids else "string"
    raw = df.select(F.monotonically_increasing_id().alias("pos"), F.col(pick[0]).cast(cast).alias("a"),
                    F.col(pick[1]).cast(cast).alias("b"),
                    (F.col(weight).cast("double") if weight else F.lit(1.0)).alias("w"))
    negative = (F.col("a") < 0) | (F.col("b") < 0) if int_ids else F.lit(False)
    bad = raw.where(F.col("a").isNull() | F.col("b").isNull() | negative | F.isnan("w")
                    | F.col("w").isNull()).first()
    if bad is not None:
        raise GraphbuildError(f"{path}: an edge with a missing or negative id, or a missing or NaN "
                              f"weight: {bad['a']!r} {bad['b']!r} {bad['w']!r}", kind=ErrorKind.PROGRAM)
    if options.ids == "dense" and not int_ids:
        raise GraphbuildError(f"{path}: --ids dense needs integer id columns", kind=ErrorKind.PROGRAM)
    nodes, edges, n = _index(spark, raw, options, int_ids)
    return _finish(spark, nodes, edges, n, options, weight is not None, int_ids)


def _read_error(path: str, exc: Exception) -> GraphbuildError:
    text = str(exc)
    if "PATH_NOT_FOUND" in text or "does not exist" in text:
        return GraphbuildError(f"graph file '{path}' does not exist", kind=ErrorKind.MISSING)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return GraphbuildError(f"cannot read {path}: {first}", kind=ErrorKind.IO)


def _read_text(spark: SparkSession, path: str, options: LoadOptions, n: int | None = None) -> SparkGraph:
    if options.header is not None or options.delimiter is not None or options.columns is not None:
        raise GraphbuildError("--header, --delimiter and --columns are not read by --engine spark yet",
                              kind=ErrorKind.USAGE, hint="run with the C engine, or convert the file first: "
                              "graphbuild graph convert FILE out.el --columns ...")
    try:
        lines = spark.read.text(path).select(F.monotonically_increasing_id().alias("pos"),
                                             F.col("value").alias("line"))
        lines = _persist(lines)
        lines.count()
    except Exception as exc:  # noqa: BLE001
        raise _read_error(path, exc) from None
    body = F.trim(F.regexp_replace(F.regexp_replace("line", "^\ufeff", ""), "[#%].*$", ""))
    body = F.regexp_replace(body, r"^\s+|\s+$", "")
    data = lines.select("pos", "line", F.split(body, r"\s*,\s*|\s+").alias("t"), body.alias("body"))
    data = data.where(F.col("body") != "").select("pos", "line", "t", F.size("t").alias("k"))
    t0, t1, t2 = F.col("t")[0], F.col("t")[1], F.col("t")[2]
    is_int = t0.rlike(_INT_ID) & t1.rlike(_INT_ID) & (F.length(t0) <= 19) & (F.length(t1) <= 19)
    numeric = F.lower(t0).rlike(_NUMBER) | F.lower(t1).rlike(_NUMBER) | \
        ((F.col("k") == 3) & F.lower(t2).rlike(_NUMBER))
    first_line = F.struct("pos", "k", (~numeric).alias("wordy"), is_int.alias("int"))
    stats = data.agg(F.count(F.lit(1)).alias("lines"), F.min("k").alias("kmin"), F.max("k").alias("kmax"),
                     F.min(first_line).alias("first"), F.sum((~is_int).cast("long")).alias("not_int")).first()
    if not stats["lines"]:
        raise GraphbuildError(f"{path}: no edges in file", kind=ErrorKind.PROGRAM)
    first = stats["first"]
    columns = first["k"]
    if columns not in (2, 3) or stats["kmin"] != stats["kmax"]:
        bad = data.where((F.col("k") != columns) | ~F.col("k").isin(2, 3)).orderBy("pos").first()
        bad = bad if columns in (2, 3) else data.orderBy("pos").first()
        raise _line_error(lines, path, bad, f"expected {columns if columns in (2, 3) else '2 or 3'} "
                                            f"columns, found {bad['k']}")
    others_int = stats["not_int"] - (0 if first["int"] else 1) == 0
    header = first["wordy"] and (columns == 3 or others_int) and stats["lines"] > 1
    if first["wordy"] and stats["lines"] == 1 and (columns == 3 or options.ids == "dense"):
        raise GraphbuildError(f"{path}: no edges in file (its one line looks like a header)",
                              kind=ErrorKind.PROGRAM)
    if header:
        data = data.where(F.col("pos") != first["pos"])
    int_ids = others_int if header else stats["not_int"] == 0
    weighted = columns == 3
    w = F.col("t")[2].cast("double") if weighted else F.lit(1.0)
    typed = data.select("pos", "line", F.col("t")[0].alias("a"), F.col("t")[1].alias("b"), w.alias("w"),
                        (F.col("t")[2] if weighted else F.lit("1")).alias("wt"))
    if weighted:
        bad = typed.where(F.col("w").isNull() | F.isnan("w")).orderBy("pos").first()
        if bad is not None:
            raise _line_error(lines, path, bad, f"invalid weight '{bad['wt']}'" if bad["w"] is None
                              else f"weight '{bad['wt']}' is NaN")
    if int_ids:
        typed = typed.select("pos", "line", F.col("a").cast("decimal(20,0)").alias("a"),
                             F.col("b").cast("decimal(20,0)").alias("b"), "w")
        limit = _MAX_DENSE if options.ids == "dense" else 2**63 - 1
        bad = typed.where((F.col("a") > limit) | (F.col("b") > limit)).orderBy("pos").first()
        if bad is not None:
            raise _line_error(lines, path, bad, f"id beyond {limit} (too large)")
        typed = typed.select("pos", *(F.col(c).cast("long").alias(c) for c in "ab"), "w")
    elif options.ids == "dense":
        bad = typed.where(~(F.col("a").rlike(_INT_ID) & F.col("b").rlike(_INT_ID))).orderBy("pos").first()
        raise _line_error(lines, path, bad, "--ids dense needs non-negative integer ids")
    else:
        typed = typed.select("pos", "a", "b", "w")
    nodes, edges, n = _index(spark, typed, options, int_ids, n)
    graph = _finish(spark, nodes, edges, n, options, weighted, int_ids)
    lines.unpersist()
    return graph


def _line_error(lines: DataFrame, path: str, row: Any, message: str) -> GraphbuildError:
    """An error at row's line: its number is the count of lines up to it (computed only
    on this path)."""
    line = lines.where(F.col("pos") <= row["pos"]).count()
    return GraphbuildError(message, location=Location(path, line, 1, row["line"]), kind=ErrorKind.PROGRAM)

"""Graph input speed: a Kronecker graph written as a text edge list, then timed loads.

    python bench/io.py                 # scale 20: ~430 MB edge list in bench/data/
    python bench/io.py --scale 16 --repeat 1

The file is what GAP's converter writes for `-g SCALE`: the generated graph with
self-loops and duplicates removed, every undirected edge as both of its arcs, one
`u v` line per arc.  Timed, with the file in the page cache:
  - parse + build: gb_graph_load_edgelist (read, tokenize, ids, CSR both ways), directed
    and --undirected, on all threads and on one;
  - cache store: gb_graph_save of the parsed graph;
  - cache hit: open_graph through the graph cache (hash the file, map the entry,
    validate it), which is what every later run pays.
Each figure is the median of --repeat runs, wall clock and the process's CPU time (all
threads; on a machine other work shares, CPU time shows what the load itself costs);
lines are fixed-width and grep-able.
"""
from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graphbuild.runtime.graph import LoadOptions, generate_graph, load_graph  # noqa: E402
from graphbuild.runtime.graph_cache import GraphCache, open_graph  # noqa: E402
from graphbuild.runtime.graph_io import write_graph  # noqa: E402
from graphbuild.settings import default_threads  # noqa: E402


CPU = [0.0]   # CPU seconds (all threads) of the last timed figure, for a loaded machine


def timed(fn, repeat: int) -> tuple[float, object]:
    times, cpus, result = [], [], None
    for _ in range(repeat):
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    CPU[0] = statistics.median(cpus)
    return statistics.median(times), result


def report(label: str, seconds: float, extra: str = "") -> None:
    print(f"{label:<46} {seconds:8.3f} s  cpu {CPU[0]:7.3f} s  {extra}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--degree", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--data", default=str(ROOT / "bench" / "data"), help="where the edge list goes")
    args = parser.parse_args()
    threads = default_threads()
    spec = f"kron:{args.scale}:{args.degree}"
    data = pathlib.Path(args.data)
    data.mkdir(parents=True, exist_ok=True)
    path = data / f"kron{args.scale}_{args.degree}.el"

    print(f"graph input benchmark: {spec}, {threads} threads", flush=True)
    if not path.exists():
        seconds, graph = timed(lambda: generate_graph(spec, LoadOptions(dedupe=True, no_self_loops=True),
                                                      threads=threads), 1)
        report("generate (GAP Kronecker, squished)", seconds, f"{graph.edge_count:,} undirected edges")
        seconds, _ = timed(lambda: write_graph(graph, path, all_arcs=True), 1)
        report("write edge list (both arcs per edge)", seconds)
        del graph
    size = path.stat().st_size
    print(f"file {path}: {size / 1e6:.0f} MB", flush=True)
    with open(path, "rb") as f:   # into the page cache, as the timed loads will find it
        while f.read(1 << 24):
            pass

    for undirected, count in ((False, threads), (True, threads), (False, 1)):
        options = LoadOptions(undirected=undirected)
        seconds, graph = timed(lambda o=options, c=count: load_graph(path, options=o, threads=c),
                               args.repeat)
        kind = "undirected" if undirected else "directed"
        report(f"parse + build ({kind}, {count} thread{'s' if count > 1 else ''})", seconds,
               f"{graph.node_count:,} nodes, {graph.edge_count:,} edges, {size / seconds / 1e6:.0f} MB/s")
        del graph

    with tempfile.TemporaryDirectory(dir=data) as tmp:
        cache = GraphCache(tmp, threads=threads)
        options = LoadOptions()
        seconds, graph = timed(lambda: open_graph(str(path), options, cache, threads), 1)
        report("first load through the cache (parse + store)", seconds, f"status {graph.cache_status}")
        entry = cache.entries()[0]
        del graph
        seconds, _ = timed(lambda: cache.file_key(str(path), options), args.repeat)
        report("  hash the file (cache key)", seconds, f"{size / seconds / 1e9:.1f} GB/s")
        key = cache.file_key(str(path), options)
        seconds, _ = timed(lambda: cache.get(key), args.repeat)
        report("  map + validate the entry", seconds, f"{entry.stat().st_size / 1e6:.0f} MB entry")
        seconds, graph = timed(lambda: open_graph(str(path), options, cache, threads), max(args.repeat, 5))
        report("cache hit (hash + map + validate)", seconds, f"status {graph.cache_status}")
        if cache.warnings:
            print("\n".join(cache.warnings))


if __name__ == "__main__":
    main()

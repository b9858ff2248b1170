"""Write a large random edge list for measuring graph load time.

    python bench/make_edgelist.py /tmp/edges.el                  # 10M edges over 1M nodes
    python bench/make_edgelist.py /tmp/w.el.gz --edges 2000000 --weighted --gzip
    python -c "import time; from graphbuild.runtime import load_graph; \
t = time.perf_counter(); g = load_graph('/tmp/edges.el'); print(time.perf_counter() - t)"

Endpoints are uniform over [0, nodes) (a uniform random graph, as GAP's `uniform:` generator),
so the CSR fill touches memory at random, the slow case for the builder.
"""
from __future__ import annotations

import argparse
import gzip
import random


def write_edgelist(path: str, edges: int, nodes: int, weighted: bool, compress: bool,
                   seed: int) -> None:
    rng = random.Random(seed)
    opener = gzip.open if compress else open
    block = 1_000_000
    with opener(path, "wt", encoding="ascii", newline="\n") as out:
        out.write(f"# uniform random graph: {edges} edges over {nodes} nodes, seed {seed}\n")
        for start in range(0, edges, block):
            count = min(block, edges - start)
            src = [rng.randrange(nodes) for _ in range(count)]
            dst = [rng.randrange(nodes) for _ in range(count)]
            if weighted:
                w = [round(rng.uniform(0.0, 10.0), 3) for _ in range(count)]
                out.write("\n".join(map("{} {} {}".format, src, dst, w)))
            else:
                out.write("\n".join(map("{} {}".format, src, dst)))
            out.write("\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", help="output file")
    parser.add_argument("--edges", type=int, default=10_000_000)
    parser.add_argument("--nodes", type=int, default=None, help="default: edges / 10")
    parser.add_argument("--weighted", action="store_true", help="add a float weight column")
    parser.add_argument("--gzip", action="store_true", help="gzip the output")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    nodes = args.nodes or max(args.edges // 10, 1)
    write_edgelist(args.path, args.edges, nodes, args.weighted, args.gzip, args.seed)


if __name__ == "__main__":
    main()

"""Graph cache size after five runs of one ~1M-edge file under different load options.

The file is Kronecker scale 16 written once with --dedupe --no-self-loops (909,645 edges, none
repeated, no loops), so --dedupe and --no-self-loops leave the same graph as no flag at all:
with blobs shared between load options those runs add only a reference each.

    python bench/graph_cache_sizes.py [--python /path/to/venv/bin/python]
"""
from __future__ import annotations

import argparse
import os
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[1]
RUNS = [[], ["--undirected"], ["--dedupe"], ["--no-self-loops"], ["--dedupe", "--no-self-loops"]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gb-bench-gcache-") as tmp:
        env = {**os.environ, "GRAPHBUILD_CACHE_DIR": f"{tmp}/cache", "GRAPHBUILD_CONFIG_DIR": f"{tmp}/config"}
        gb = ["nice", args.python, "-m", "graphbuild"]
        edges = f"{tmp}/k16.el"
        convert = [*gb, "graph", "convert", "kron:16", edges, "--dedupe", "--no-self-loops", "--no-cache"]
        subprocess.run(convert,
                       env=env, cwd=tmp, check=True, capture_output=True)
        graphs = pathlib.Path(tmp, "cache", "graphs")
        print("| runs so far | bytes in graphs/ | files |\n|---|---:|---:|")
        for flags in RUNS:
            subprocess.run([*gb, "run", str(ROOT / "algorithms" / "pagerank.gdsl"), "-g", edges, *flags,
                            "--top", "0"], env=env, cwd=tmp, check=True, capture_output=True)
            files = [p for p in graphs.iterdir() if p.is_file()]
            print(f"| + `{' '.join(flags) or '(no flag)'}` | {sum(p.stat().st_size for p in files):,} | "
                  f"{len(files)} |")


if __name__ == "__main__":
    main()

"""The hand-written C PageRank (bench/baseline/pagerank.c): build it, feed it the graph, time it.

The program is compiled with `cc -O3 -march=native -fopenmp` into bench/data/bin/ (rebuilt when
the source changes) and reads the benchmark graph as a binary CSR file written from the same
scipy matrix the other peers use. It times its own iterations (omp_get_wtime around the
iteration loop), so process start and graph loading are not counted.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile

import numpy as np

from context import Context, PeerUnavailable

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "baseline", "pagerank.c")
BIN_DIR = os.path.join(HERE, "data", "bin")
CFLAGS = ["-O3", "-march=native", "-fopenmp"]


def build(index64: bool = False) -> str:
    """Path of the compiled baseline; compiles when missing or when the source changed."""
    cc = os.environ.get("CC", "cc")
    if shutil.which(cc) is None:
        raise PeerUnavailable(f"no C compiler ({cc}) on PATH")
    with open(SOURCE, "rb") as f:
        digest = hashlib.sha256(f.read() + " ".join(CFLAGS).encode()).hexdigest()[:12]
    suffix = "-i64" if index64 else "-i32"
    exe = os.path.join(BIN_DIR, f"pagerank{suffix}-{digest}")
    if not os.path.exists(exe):
        os.makedirs(BIN_DIR, exist_ok=True)
        tmp = exe + f".tmp{os.getpid()}"
        cmd = [cc, *CFLAGS, *(["-DINDEX64"] if index64 else []), "-o", tmp, SOURCE, "-lm"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise PeerUnavailable(f"baseline does not compile: {' '.join(cmd)}\n{proc.stderr.strip()}")
        os.replace(tmp, exe)
    return exe


def csr_file(ctx: Context) -> str:
    """The scale's graph as the baseline reads it (cached next to the edge arrays)."""
    path = os.path.join(HERE, "data", f"{os.path.basename(ctx.kg_path)[:-4]}.csr")
    if not os.path.exists(path):
        A = ctx.A
        tmp = path + f".tmp{os.getpid()}"
        with open(tmp, "wb") as f:
            np.array([ctx.n, A.nnz], dtype=np.int64).tofile(f)
            A.indptr.astype(np.int64).tofile(f)
            A.indices.astype(np.int32).tofile(f)
        os.replace(tmp, path)
    return path


def run(ctx: Context, iterations: int, trials: int, threads: int, damping: float = 0.85,
        index64: bool = False, wait_policy: str | None = None) -> tuple[list[float], np.ndarray]:
    """(seconds of each trial, scores after the last trial). wait_policy sets OMP_WAIT_POLICY
    (None: the OpenMP runtime's default, which spins at barriers before sleeping)."""
    exe = build(index64)
    graph = csr_file(ctx)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "scores.bin")
        env = dict(os.environ, OMP_NUM_THREADS=str(threads))
        if wait_policy is not None:
            env["OMP_WAIT_POLICY"] = wait_policy
        proc = subprocess.run([exe, graph, str(iterations), str(trials), out, repr(damping)],
                              capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            raise RuntimeError(f"baseline failed ({proc.returncode}): {proc.stderr.strip()}")
        times = [float(line.split()[3]) for line in proc.stdout.splitlines() if line.startswith("trial ")]
        scores = np.fromfile(out, dtype=np.float64)
    return times, scores

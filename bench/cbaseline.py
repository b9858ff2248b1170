"""The hand-written C baselines (bench/baseline/*.c): build them, feed them the graph, time them.

- pagerank.c: a GAP-style pull PageRank (the C-i32 / C-i64 columns);
- bfs.c, cc.c, sssp.c, kcore.c, tc.c: direction-optimizing BFS, Afforest, delta-stepping,
  Batagelj-Zaversnik core numbers and GAP's ordered triangle counting (the "GAP-style C"
  column), each from its paper.

Each program is compiled with `cc -O3 -march=native -fopenmp` into bench/data/bin/ (rebuilt when
its source, a header beside it or the flags change) and reads the benchmark graph as a binary CSR file
written from the same scipy matrix the other peers use. It times its own kernel (omp_get_wtime
around the algorithm), so process start and graph loading are not counted, and prints one line
per trial, "trial T seconds S ...".
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
SOURCE_DIR = os.path.join(HERE, "baseline")
SOURCE = os.path.join(SOURCE_DIR, "pagerank.c")
BIN_DIR = os.path.join(HERE, "data", "bin")
CFLAGS = ["-O3", "-march=native", "-fopenmp"]


def build(index64: bool = False, program: str = "pagerank") -> str:
    """Path of the compiled baseline bench/baseline/<program>.c; compiles when missing or when
    its source, a header of bench/baseline/ (every baseline includes some) or the flags changed."""
    cc = os.environ.get("CC", "cc")
    if shutil.which(cc) is None:
        raise PeerUnavailable(f"no C compiler ({cc}) on PATH")
    source = os.path.join(SOURCE_DIR, f"{program}.c")
    with open(source, "rb") as f:
        text = f.read()
    for header in sorted(h for h in os.listdir(SOURCE_DIR) if h.endswith(".h")):
        with open(os.path.join(SOURCE_DIR, header), "rb") as f:
            text += f.read()
    digest = hashlib.sha256(text + " ".join(CFLAGS).encode()).hexdigest()[:12]
    suffix = ("-i64" if index64 else "-i32") if program == "pagerank" else ""
    exe = os.path.join(BIN_DIR, f"{program}{suffix}-{digest}")
    if not os.path.exists(exe):
        os.makedirs(BIN_DIR, exist_ok=True)
        tmp = exe + f".tmp{os.getpid()}"
        cmd = [cc, *CFLAGS, *(["-DINDEX64"] if index64 else []), "-o", tmp, source, "-lm"]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise PeerUnavailable(f"baseline does not compile: {' '.join(cmd)}\n{proc.stderr.strip()}")
        os.replace(tmp, exe)
    return exe


def csr_file(ctx: Context, weighted: bool = False) -> str:
    """The scale's graph as the baselines read it (cached next to the edge arrays): int64 n,
    int64 arcs, int64 offsets[n+1], int32 neighbors[arcs]; weighted (.wcsr), then int32
    weights[arcs] — the SSSP weights are integers (1..255), checked here."""
    ext = ".wcsr" if weighted else ".csr"
    path = os.path.join(HERE, "data", f"{os.path.basename(ctx.kg_path)[:-4]}{ext}")
    if not os.path.exists(path):
        A = ctx.Aw if weighted else ctx.A
        if weighted:
            w = A.data
            if not (np.all(w == np.floor(w)) and np.all(w >= 0) and np.all(w < 2**31)):
                raise PeerUnavailable("the C baselines take non-negative integer weights only")
        tmp = path + f".tmp{os.getpid()}"
        with open(tmp, "wb") as f:
            np.array([ctx.n, A.nnz], dtype=np.int64).tofile(f)
            A.indptr.astype(np.int64).tofile(f)
            A.indices.astype(np.int32).tofile(f)
            if weighted:
                A.data.astype(np.int32).tofile(f)
        os.replace(tmp, path)
    return path


def _env(threads: int, wait_policy: str | None) -> dict[str, str]:
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    if wait_policy is not None:
        env["OMP_WAIT_POLICY"] = wait_policy
    return env


def _times(stdout: str) -> list[float]:
    return [float(line.split()[3]) for line in stdout.splitlines() if line.startswith("trial ")]


def run(ctx: Context, iterations: int, trials: int, threads: int, damping: float = 0.85,
        index64: bool = False, wait_policy: str | None = None) -> tuple[list[float], np.ndarray]:
    """PageRank: (seconds of each trial, scores after the last trial). wait_policy sets
    OMP_WAIT_POLICY (None: the OpenMP runtime's default, which spins at barriers before
    sleeping)."""
    exe = build(index64)
    graph = csr_file(ctx)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "scores.bin")
        proc = subprocess.run([exe, graph, str(iterations), str(trials), out, repr(damping)],
                              capture_output=True, text=True, env=_env(threads, wait_policy))
        if proc.returncode != 0:
            raise RuntimeError(f"baseline failed ({proc.returncode}): {proc.stderr.strip()}")
        times = _times(proc.stdout)
        scores = np.fromfile(out, dtype=np.float64)
    return times, scores


# program, weighted graph, dtype of the result file
GAP_PROGRAMS = {
    "bfs": ("bfs", False, np.int32),
    "connected_components": ("cc", False, np.int32),
    "sssp": ("sssp", True, np.float64),
    "k_core": ("kcore", False, np.int32),
    "triangle_count": ("tc", False, np.int64),   # one value: the total
}


def run_gap(ctx: Context, algorithm: str, trials: int, threads: int, args: list[str] = (),
            wait_policy: str | None = None) -> tuple[list[float], np.ndarray]:
    """One of the published-algorithm baselines, by graphbuild's algorithm name: (seconds of
    each trial, the last trial's result: levels, labels, distances or core numbers). args
    follow the program's OUT argument (the source, delta)."""
    program, weighted, dtype = GAP_PROGRAMS[algorithm]
    exe = build(program=program)
    graph = csr_file(ctx, weighted)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "result.bin")
        proc = subprocess.run([exe, graph, str(trials), out, *map(str, args)],
                              capture_output=True, text=True, env=_env(threads, wait_policy))
        if proc.returncode != 0:
            raise RuntimeError(f"{program} baseline failed ({proc.returncode}): {proc.stderr.strip()}")
        times = _times(proc.stdout)
        result = np.fromfile(out, dtype=dtype)
    if len(times) != trials or len(result) != (1 if algorithm == "triangle_count" else ctx.n):
        raise RuntimeError(f"{program} baseline: {len(times)} trials, {len(result)} results")
    return times, result

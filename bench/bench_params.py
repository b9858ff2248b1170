"""Parameters shared by graphbuild and every peer, so all of them compute the same thing."""

DAMPING = 0.85          # PageRank and personalized PageRank
PR_TOL = 1e-12          # pagerank.gdsl's default: stop when the L1 change < n * PR_TOL
PR_MAX_ITER = 1000
PR_FIXED_ITERS = 20     # the per-iteration comparison runs exactly this many iterations

# Katz needs alpha < 1 / (largest adjacency eigenvalue); on these Kronecker graphs that
# eigenvalue is 461, 801 and 1380 at scales 16, 18, 20, so networkit's default 5e-4 converges
# (at rate alpha * lambda = 0.23, 0.40, 0.69). The default 0.1 of katz.gdsl would diverge.
KATZ_ALPHA = 5e-4
KATZ_BETA = 1.0
KATZ_TOL = 1e-12

HITS_MAX_ITER = 100
HITS_TOL = 1e-8

LP_MAX_ITER = 30        # label_propagation.gdsl's default

# Delta-stepping's bucket width for the C SSSP baseline (bench/baseline/sssp.c) on the integer
# weights 1..255: Meyer and Sanders suggest about max weight / degree (255 / 32 here); measured
# on Kronecker scale 20 with 2 threads, widths 1 to 8 are within noise of each other and wider
# buckets lose (more re-relaxations inside a bucket), so the narrow end.
SSSP_DELTA = 2

# Check tolerances. A power iteration stopped at L1 change delta is within
# damping / (1 - damping) * delta of the fixed point; both sides of a comparison may be off.
PR_CHECK_FACTOR = 2 * 2 * DAMPING / (1 - DAMPING)   # times n * PR_TOL (x2 more for normalizing)
FIXED_ITER_L1 = 1e-10   # same recurrence, same iteration count: only rounding differs
HITS_L1 = 1e-6
KATZ_REL_L1 = 1e-8
SSSP_REL = 1e-9        # distances: relative difference (equal paths give equal integer sums)

"""The command line as a file spark-submit can run (it runs scripts, not modules):

    spark-submit --master yarn $(python -m graphbuild.spark.submit) run algorithms/pagerank.gdsl \\
        --engine spark -g hdfs:///graphs/web.parquet -o hdfs:///out/ranks.parquet

Run as a module, it prints its own path; run as a script, it is `graphbuild ARGS`.
"""
from __future__ import annotations

import sys

if __name__ == "__main__":
    if __package__:   # python -m graphbuild.spark.submit: where the script is
        print(__file__)
    else:
        from graphbuild.cli import main

        sys.argv[0] = "graphbuild"
        main()

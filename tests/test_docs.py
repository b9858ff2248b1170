"""The Python walkthrough (docs/python.md) runs as written: every `>>>` line, with its output."""
from __future__ import annotations

import doctest
from pathlib import Path

import networkx as nx

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_python_walkthrough_runs_as_written(tmp_path, monkeypatch):
    monkeypatch.setenv("GRAPHBUILD_CACHE_DIR", str(tmp_path / "cache"))
    nx.config.warnings_to_ignore.add("cache")
    failures, tried = doctest.testfile(str(DOCS / "python.md"), module_relative=False,
                                       optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                                       raise_on_error=False, verbose=False)
    assert tried > 30 and failures == 0

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


def language_programs() -> list[str]:
    """The whole programs among docs/language.md's examples (a block with an algorithm and
    its return)."""
    text = (DOCS / "language.md").read_text()
    blocks = text.split("```")[1::2]
    return [b.strip("\n") + "\n" for b in blocks
            if any(line.startswith("algorithm ") for line in b.splitlines()) and "\n    return " in b]


def test_language_examples_compile_and_run():
    from graphbuild.api import compile_text
    from graphbuild.runtime import execute, load_graph

    programs = language_programs()
    assert len(programs) >= 4 and any("hooked[hooked]" in p for p in programs)
    graph = load_graph(str(DOCS.parent / "graphbuild" / "data" / "karate.el"), undirected=True)
    for source in programs:
        result = execute(compile_text(source, "example.gdsl").plan, graph, {})
        assert result.columns or result.values

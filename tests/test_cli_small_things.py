"""Small things a careful user meets (issue 16.5): -V, --threads beyond the cores, readable
help, examples in every group, a plan file is not "compiled", profile-memory's sentences
and names, the caret under a tab-separated line, Matrix Market ids as the file has them."""
from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess
import sys

import pytest

import graphbuild
from graphbuild.errors import GraphbuildError, Location
from graphbuild.settings import default_threads

SAME_PACKAGE = {"PYTHONSAFEPATH": "1",
                "PYTHONPATH": str(pathlib.Path(graphbuild.__file__).resolve().parents[1])}


def gb(*args: str, tmp: pathlib.Path, columns: int = 100):
    env = {**os.environ, "GRAPHBUILD_CACHE_DIR": str(tmp / "cache"), "COLUMNS": str(columns),
           **SAME_PACKAGE}
    return subprocess.run([sys.executable, "-m", "graphbuild", *args], capture_output=True, text=True,
                          env=env, timeout=120, cwd=tmp)


def test_dash_capital_v_prints_the_version(tmp_path):
    for flag in ("-V", "--version"):
        proc = gb(flag, tmp=tmp_path)
        assert proc.returncode == 0 and proc.stdout.strip() == f"graphbuild {graphbuild.__version__}"


def test_more_threads_than_cores_warns_that_they_oversubscribe(tmp_path):
    cores = default_threads()
    many = gb("run", "degree_centrality", "--threads", str(cores + 3), tmp=tmp_path)
    assert many.returncode == 0, many.stderr
    assert f"{cores + 3} threads on {cores} core" in many.stderr and "oversubscribe" in many.stderr
    fitting = gb("run", "degree_centrality", "--threads", str(cores), tmp=tmp_path)
    assert fitting.returncode == 0 and "oversubscribe" not in fitting.stderr


COMMANDS = [[], ["compile"], ["list"], ["run"], ["profile-memory"], ["cache"], ["cache", "info"],
            ["cache", "list"], ["cache", "verify"], ["cache", "prune"], ["cache", "clear"],
            ["cache", "explain"], ["graph"], ["graph", "info"], ["graph", "convert"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "graphbuild")
def test_help_has_readable_metavars_and_examples(tmp_path, command):
    proc = gb(*command, "--help", tmp=tmp_path, columns=200)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert not re.search(r"<(bool|str|int|float|path|list\[[a-z]+\])>", text), text
    assert not re.search(r"\{[a-z_]+\}", text), text
    assert "Example" in text
    if command in (["run"], ["compile"], ["graph", "info"]):
        assert re.search(r"Usage: .*\[OPTIONS\] (FILE|SOURCE)", text), text
    if command == ["run"]:
        assert re.search(r"--param\s+-p\s+TEXT", text) and re.search(r"--threads\s+-t\s+N", text)
        assert re.search(r"--undirected\s+-u\s+Treat", text)   # a flag: no metavar at all


def test_running_a_plan_file_does_not_say_compiled(tmp_path):
    plan = tmp_path / "pr.json"
    emitted = gb("compile", "pagerank", "-o", str(plan), tmp=tmp_path)
    assert emitted.returncode == 0 and plan.exists(), emitted.stderr
    proc = gb("run", str(plan), tmp=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "compiled" not in proc.stderr and "cache hit" not in proc.stderr
    assert "plan file read" in proc.stderr
    source = gb("run", "pagerank", tmp=tmp_path)
    assert re.search(r"(compiled|cache hit) [0-9.]+ ms", source.stderr)


def test_profile_memory_prints_sentences_and_whole_names(tmp_path):
    name = "a_variable_whose_name_is_much_longer_than_any_column_of_the_table"
    program = tmp_path / "long.gdsl"
    program.write_text(f"algorithm long_names():\n    {name} = degree() * 2.0\n    return {name}\n")
    for columns in (80, 250):
        proc = gb("profile-memory", str(program), tmp=tmp_path, columns=columns)
        assert proc.returncode == 0, proc.stderr
        assert "…" not in proc.stdout
        buffers = proc.stdout.split("\nmemory\n")[0]
        holds = "".join(row.split("│")[2].strip() for row in buffers.splitlines() if row.startswith("│"))
        assert name in holds
    wide = proc.stdout
    assert name in wide
    notes = [row.rsplit("│", 2)[1].strip() for row in wide.splitlines()
             if row.startswith("│") and row.count("│") == 4 and re.search(r"[0-9] (B|KiB|MiB)", row)]
    assert notes and all(note.endswith(".") and (note[0].isupper() or note[0].isdigit())
                     for note in notes), notes
    assert "Measured from the loaded graph to the end of the run." in wide


@pytest.mark.parametrize("line,col", [("\treturn x +\t* 2", 13), ("1\t2\t", 5), ("a\tb", 3)])
def test_the_caret_lines_up_under_tabs(line, col):
    text = GraphbuildError("bad", Location("f.gdsl", 3, col, line)).render()
    shown, caret = text.splitlines()[1:3]
    # expanded at any tab stop, the caret stands under the column's character
    for tabsize in (4, 8):
        expanded_line = shown.expandtabs(tabsize)
        expanded_caret = caret.expandtabs(tabsize)
        at = expanded_caret.index("^")
        prefix = ("    " + line[:col - 1]).expandtabs(tabsize)
        assert at == len(prefix)
        if col <= len(line):
            assert expanded_line[at] == line[col - 1].expandtabs(tabsize)[0]


def test_matrix_market_results_are_the_files_one_based_ids(tmp_path):
    path = tmp_path / "m.mtx"
    path.write_text("%%MatrixMarket matrix coordinate pattern general\n4 4 3\n1 2\n2 3\n4 1\n")
    proc = gb("run", "bfs", "-g", str(path), "-p", "source=4", "--json", tmp=tmp_path)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    levels = dict(zip(result["columns"]["node"], result["columns"]["level"]))
    assert levels == {4: 0, 1: 1, 2: 2, 3: 3}
    table = gb("run", "bfs", "-g", str(path), "-p", "source=1", tmp=tmp_path).stdout
    # stdout is not a terminal: a plain table, one row per line
    assert re.search(r"^1\s+0$", table, re.M) and re.search(r"^3\s+2$", table, re.M)
    missing = gb("run", "bfs", "-g", str(path), "-p", "source=0", tmp=tmp_path)
    assert missing.returncode != 0 and "0" in missing.stderr

"""Issue 17, item 7: hostile programs and plan files get one clear exit-65 message, never an
internal error, and the limits the docs state are the limits enforced."""
from __future__ import annotations

import json
import pathlib
import re

import pytest

from graphbuild.lang.parser import MAX_BLOCK_DEPTH
from graphbuild.lang.parser_exprs import MAX_NESTING

from test_cli import ROOT, gb

LANGUAGE_DOC = (ROOT / "docs" / "language.md").read_text()


def nested_ifs(depth: int) -> str:
    lines = ["algorithm deep(k: int = 0):", "    x = 0"]
    for d in range(depth):
        lines.append("    " * (d + 1) + f"if k > {d}:")
    lines.append("    " * (depth + 1) + "x = 1")
    lines.append("    return x")
    return "\n".join(lines) + "\n"


def elif_chain(arms: int) -> str:
    lines = ["algorithm chain(k: int = 0):", "    x = -1", "    if k == 0:", "        x = 0"]
    for i in range(1, arms):
        lines += [f"    elif k == {i}:", f"        x = {i * 10}"]
    lines += ["    return x"]
    return "\n".join(lines) + "\n"


def parens(depth: int) -> str:
    return "algorithm p():\n    x = " + "(" * depth + "1" + ")" * depth + "\n    return x\n"


def write(tmp_path, text: str, name: str = "p.gdsl") -> pathlib.Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def run(tmp_path, *args):
    result = gb(*args, cache=tmp_path / "cache", timeout=300)
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    return result


def value(result, name: str):
    return json.loads(result.stdout)["values"][name]


@pytest.mark.parametrize("text, line, words", [
    (nested_ifs(1000), MAX_BLOCK_DEPTH + 3, "blocks nested too deeply"),
    (elif_chain(20_000), 2 * MAX_BLOCK_DEPTH + 3, "blocks nested too deeply"),
    ("algorithm big():\n    x = " + "1" * 100_000 + "\n    return x\n", 2, "integer literal too large"),
    (parens(MAX_NESTING + 1), 2, f"nested too deeply (more than {MAX_NESTING} levels)"),
], ids=["if-1000-deep", "elif-20000-arms", "int-100000-digits", "parens-41-deep"])   # short ids:
# pytest puts the test id in the environment of every command a test runs
def test_hostile_programs_are_clear_errors(tmp_path, text, line, words):
    result = run(tmp_path, "compile", str(write(tmp_path, text)))
    assert result.returncode == 65, result.stderr
    assert re.search(rf"p\.gdsl:{line}:\d+: error: .*{re.escape(words)}", result.stderr), result.stderr


def test_programs_at_the_limits_compile_and_run_right(tmp_path):
    deep = write(tmp_path, nested_ifs(MAX_BLOCK_DEPTH), "deep.gdsl")
    assert value(run(tmp_path, "run", str(deep), "--json", "-p", f"k={MAX_BLOCK_DEPTH}"), "x") == 1
    assert value(run(tmp_path, "run", str(deep), "--json", "-p", f"k={MAX_BLOCK_DEPTH - 1}"), "x") == 0
    chain = write(tmp_path, elif_chain(MAX_BLOCK_DEPTH), "chain.gdsl")
    for k, expected in ((0, 0), (37, 370), (MAX_BLOCK_DEPTH - 1, (MAX_BLOCK_DEPTH - 1) * 10), (99, -1)):
        assert value(run(tmp_path, "run", str(chain), "--json", "-p", f"k={k}"), "x") == expected
    forty = write(tmp_path, parens(MAX_NESTING), "forty.gdsl")
    assert value(run(tmp_path, "run", str(forty), "--json"), "x") == 1
    zeros = write(tmp_path, "algorithm z():\n    x = " + "0" * 5000 + "42\n    return x\n", "zeros.gdsl")
    assert value(run(tmp_path, "run", str(zeros), "--json"), "x") == 42


def test_the_documented_limits_are_the_enforced_ones():
    assert f"nest at most {MAX_NESTING} deep" in LANGUAGE_DOC
    assert f"nest at most {MAX_BLOCK_DEPTH}\ndeep" in LANGUAGE_DOC or \
        f"nest at most {MAX_BLOCK_DEPTH} deep" in LANGUAGE_DOC.replace("\n", " ")


def test_a_plan_nested_100000_deep_is_a_clear_error(tmp_path):
    plan = write(tmp_path, "[" * 100_000 + "]" * 100_000, "deep.json")
    result = run(tmp_path, "run", str(plan))
    assert result.returncode == 65 and "nested too deeply" in result.stderr, result.stderr


CRAFTED_STATS = [
    {"buffers": [1, 2, 3]},
    {"buffers": [{"slot": 0}]},
    {"live_bytes_per_node": "x"},
    {"live_bytes_per_node": []},
    {"op_levels": []},
    {"op_levels": ["a"]},
    {"minimum_bytes_per_node": "many", "naive_bytes_per_node": None},
    {"inplace": [], "swaps": "x", "swaps_removed": -1, "copies_removed": 1.5},
    {"slot_names": 7, "buffers": None},
    {"slot_names": [[1, 2]], "buffers": None},
]


def predicted(plan) -> dict:
    from graphbuild.profile import build_report
    from graphbuild.profile.model import graph_bytes

    return build_report(plan, nodes=1024, edges=16384, directed=False, weighted=False, threads=2,
                        baseline_rss=0, graph_parts=graph_bytes(plan, 1024, 16384, directed=False,
                                                                weighted=False))


@pytest.mark.parametrize("stats", CRAFTED_STATS, ids=range(len(CRAFTED_STATS)))
def test_crafted_stats_are_checked_and_recomputed(stats):
    import copy

    from graphbuild.api import compile_file

    honest = compile_file(ROOT / "algorithms" / "pagerank.gdsl").plan
    crafted = copy.deepcopy(honest)
    crafted.stats.update(stats)
    crafted.stats = {k: v for k, v in crafted.stats.items() if v is not None}
    report, expected = predicted(crafted), predicted(honest)
    for key in ("peak_bytes", "minimum_bytes", "scratch_bytes", "graph_bytes", "timeline"):
        assert report[key] == expected[key], key   # recomputed from the plan, not taken from stats
    unnamed = [[{k: v for k, v in b.items() if k != "variables"} for b in r["buffers"]]
               for r in (report, expected)]   # crafted slot_names leave the variables unnamed
    assert unnamed[0] == unnamed[1]
    assert isinstance(report["naive_bytes"], int) and report["naive_bytes"] >= report["minimum_bytes"]


def test_profile_memory_of_a_plan_file_with_crafted_stats(tmp_path):
    import hashlib

    honest = tmp_path / "pr.json"
    made = run(tmp_path, "compile", str(ROOT / "algorithms" / "pagerank.gdsl"), "-o", str(honest))
    assert made.returncode == 0, made.stderr
    reference = json.loads(run(tmp_path, "profile-memory", str(honest), "--predict", "-g", "kron:10",
                               "--json").stdout)
    outer = json.loads(honest.read_text())
    outer["plan"]["stats"].update({"buffers": [1, 2], "op_levels": [], "live_bytes_per_node": "x"})
    dumped = json.dumps(outer["plan"], sort_keys=True, separators=(",", ":"), allow_nan=True)
    outer["checksum"] = hashlib.sha256(dumped.encode()).hexdigest()
    crafted = write(tmp_path, json.dumps(outer), "crafted.json")
    for args in (["--predict", "-g", "kron:10"], []):
        result = run(tmp_path, "profile-memory", str(crafted), *args, "--json")
        assert result.returncode == 0, result.stderr
    report = json.loads(run(tmp_path, "profile-memory", str(crafted), "--predict", "-g", "kron:10",
                            "--json").stdout)
    assert report["peak_bytes"] == reference["peak_bytes"] and report["buffers"] == reference["buffers"]

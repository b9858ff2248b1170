"""Every bad program in tests/lang_errors/ fails with the error its header promises.

Each case file starts with its expectation, in the file itself:

    # error: LINE:COL: a substring of the message

optionally ends with `# hint: a substring of the hint`, and the runner checks the message, the
location, the kind, and that the rendered diagnostic shows `path:line:col: error:`, the source
line and a caret under the column.
"""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from graphbuild.errors import ErrorKind, GraphbuildError
from graphbuild.lang import load

CASES = Path(__file__).parent / "lang_errors"
EXPECT = re.compile(r"# error: (\d+):(\d+): (.+)")
HINT = re.compile(r"# hint: (.+)")


def case_files() -> list[Path]:
    return sorted(CASES.glob("*.gdsl"))


def expectation(text: str) -> tuple[int, int, str, str | None]:
    lines = text.rstrip("\n").split("\n")
    m = EXPECT.fullmatch(lines[0])
    assert m, f"first line must be '# error: LINE:COL: message', got {lines[0]!r}"
    h = HINT.fullmatch(lines[-1])
    return int(m[1]), int(m[2]), m[3], h[1] if h else None


def test_there_are_many_distinct_cases():
    messages = {expectation(p.read_text())[2] for p in case_files()}
    assert len(messages) >= 40


@pytest.mark.parametrize("path", case_files(), ids=lambda p: p.stem)
def test_bad_program(path: Path):
    text = path.read_text()
    line, col, message, hint = expectation(text)
    with pytest.raises(GraphbuildError) as info:
        load(text, str(path))
    err = info.value
    assert message in err.message
    assert err.kind is ErrorKind.PROGRAM
    assert err.location is not None
    assert (err.location.path, err.location.line, err.location.col) == (str(path), line, col)
    if hint is not None:
        assert err.hint is not None and hint in err.hint

    source_line = text.split("\n")[line - 1]
    rendered = err.render().split("\n")
    assert rendered[0] == f"{path}:{line}:{col}: error: {err.message}"
    assert rendered[1] == f"    {source_line}"
    assert rendered[2] == "    " + " " * (col - 1) + "^"


def test_the_first_error_in_the_file_is_reported():
    source = ("algorithm f():\n    x = 1 + true\n    y = unknown_name\n    return x\n\n"
              "algorithm f():\n    return 1\n")
    with pytest.raises(GraphbuildError) as info:
        load(source, "t.gdsl")
    assert (info.value.location.line, info.value.message) == (2, "cannot add int and bool")


MUTATED = """\
algorithm all_features(damping: float = 0.85, k: int = 3, source: node = 0, on: bool = true):
    n = node_count()
    x = fill(1.0 / n)
    d = out_degree()
    best = where(node_id() == source, 0.0, inf)
    repeat k until delta < 1e-6:
        y = sum(x[u] * weight / d[u] for u in in_nbrs if d[u] > 0, default=0.0)
        best = min(best, min(best[u] + weight for u in nbrs))
        delta = sum(abs(y - x)) + max(x) - mean(y)
        x = damping * y + (1.0 - damping) / n
    flag = on
    while flag and count(x > 0.5) > 2:
        flag = false
    top = argmin(d)
    if any(x > 1.0):
        top = argmax(x)
    elif k // 2 ** 2 % 3 != 0 and (x[0] > -0.5 or not flag):
        top = source
    return x, best, mode(d[u] for u in nbrs), top
"""
SNIPPETS = list("()[]:,=+-*/%<>.#\t\n 0123456789eu") + [
    "for", "in", "if", "else", "default=", "sum(", "weight", "nbrs", "**", "//", "not ", "and ",
    "true", "x[u]", "inf", "    ", "node", "u for u in nbrs"]


def test_mutated_programs_load_or_raise_a_located_error():
    """Random edits of a program that uses every feature never crash the front end."""
    load(MUTATED, "m.gdsl")
    rng = random.Random(20240601)
    outcomes = {"ok": 0, "error": 0}
    for _ in range(3000):
        text = list(MUTATED)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text))
            roll = rng.random()
            if roll < 0.4:
                del text[at]
            elif roll < 0.8:
                text.insert(at, rng.choice(SNIPPETS))
            else:
                text[at] = rng.choice(SNIPPETS)
        source = "".join(text)
        try:
            load(source, "m.gdsl")
            outcomes["ok"] += 1
        except GraphbuildError as err:
            outcomes["error"] += 1
            assert err.kind is ErrorKind.PROGRAM and err.location is not None
            assert err.location.source_line == source.split("\n")[err.location.line - 1].rstrip("\r")
    assert outcomes["ok"] > 0 and outcomes["error"] > 0

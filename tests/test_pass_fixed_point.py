"""Issue 17, item 8: the pass driver stops when the passes say nothing changed.

Each pass counts in Function.changes the runs that changed the IR; optimize stops after a
round in which no pass did.  These tests hold every pass to that: on every program of the
corpus (the examples, the corner cases, the shipped algorithms and generated programs), at
every step of the pipeline, a pass reports a change exactly when the printed IR changed,
and the IR optimize returns is a true fixed point: one more round changes nothing."""
from __future__ import annotations

import pytest
from gdsl_gen import programs
from gdsl_programs import lowered, sources
from hypothesis import HealthCheck, given, settings

from graphbuild import passes
from graphbuild.ir import format_ir
from graphbuild.ir.nodes import clone

CORPUS = sources()


def check_reports(fn) -> None:
    """Run the pipeline to its end, checking each pass's report against the printed IR."""
    fn = clone(fn)
    for _ in range(passes.MAX_ROUNDS):
        round_changed = False
        for name, run in passes.PIPELINE:
            text, count = format_ir(fn), fn.changes
            fn = run(fn)
            changed = format_ir(fn) != text
            assert fn.changes - count == int(changed), \
                f"{name} reported {fn.changes - count} changes; the IR changed: {changed}"
            round_changed |= changed
        if not round_changed:
            break
    optimized = passes.optimize(fn)
    text = format_ir(optimized)
    for _, run in passes.PIPELINE:
        optimized = run(optimized)
    assert format_ir(optimized) == text, "optimize stopped before its fixed point"


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_every_pass_reports_exactly_when_it_changes_the_ir(name):
    check_reports(lowered(CORPUS[name]))


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(programs())
def test_generated_programs_too(source):
    check_reports(lowered(source))

"""The result tables: fixed-width markdown, one row per case, grep-able by scale and algorithm.

Ratios are peer time / graphbuild time, so above 1 means graphbuild is faster. A peer whose
answer failed its check keeps its time (marked "!") but gets MISMATCH instead of a ratio.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from timing import Timing


@dataclass
class PeerResult:
    timing: Timing | None = None
    ok: bool | None = None          # None: not checked (no graphbuild result to compare with)
    detail: str = ""
    error: str = ""                 # the peer could not run (missing library, crash)
    note: str = ""


@dataclass
class Row:
    scale: int
    name: str
    gb: Timing | None = None
    gb1: Timing | None = None
    gb_error: str = ""
    note: str = ""
    peers: dict[str, PeerResult] = field(default_factory=dict)


def _ms(t: float) -> str:
    if t >= 1000:
        return f"{t:.0f}"
    if t >= 10:
        return f"{t:.1f}"
    return f"{t:.2f}" if t >= 0.1 else f"{t:.3f}"


def _peer_cells(row: Row, name: str) -> tuple[str, str]:
    res = row.peers.get(name)
    if res is None:
        return "-", "-"
    if res.error:
        return "n/a", "-"
    t = res.timing.min_ms
    if res.ok is False:
        return _ms(t) + "!", "MISMATCH"
    if row.gb is None or res.ok is None:
        return _ms(t) + "?", "-"
    return _ms(t), f"{t / row.gb.min_ms:.2f}"


def column_keys(header: list[str]) -> list[str]:
    """Header cells as unique keys: each "x" is named after the peer column before it."""
    keys = []
    for cell in header:
        keys.append(f"{keys[-1][:-3]} x" if cell == "x" and keys and keys[-1].endswith(" ms") else cell)
    return keys


def format_table(rows: list[Row], peer_columns: list[str],
                 carried: list[dict[str, str]] | None = None, order: list[str] | None = None) -> str:
    """The table of rows; `carried` adds rows of an earlier run, given as cells by column key
    (column_keys): a cell for a column the earlier table lacked is "-". Rows are sorted by
    their algorithm's place in `order` when given."""
    header = ["scale", "algorithm", "gb ms", "gb med", "gb 1T", "1T/2T"]
    for p in peer_columns:
        header += [f"{p} ms", "x"]
    keys = column_keys(header)
    lines = [[old.get(k, "-") for k in keys] for old in carried or []]
    for row in rows:
        if row.gb is not None:
            gb = [_ms(row.gb.min_ms), _ms(row.gb.median_ms)]
        else:
            gb = [row.gb_error.split(":")[0] or "ERROR", "-"]
        if row.gb1 is not None and row.gb is not None:
            gb += [_ms(row.gb1.min_ms), f"{row.gb1.min_ms / row.gb.min_ms:.2f}"]
        else:
            gb += ["-", "-"]
        cells = [f"kron{row.scale}", row.name, *gb]
        for p in peer_columns:
            cells += list(_peer_cells(row, p))
        lines.append(cells)
    if order is not None:
        lines.sort(key=lambda c: order.index(c[1]) if c[1] in order else len(order))
    widths = [max(len(header[i]), *(len(c[i]) for c in lines)) if lines else len(header[i])
              for i in range(len(header))]

    def fmt(cells: list[str]) -> str:
        out = []
        for i, (c, w) in enumerate(zip(cells, widths)):
            out.append(c.ljust(w) if i < 2 else c.rjust(w))
        return "| " + " | ".join(out) + " |"

    sep = "|" + "|".join("-" * (w + 2) if i < 2 else "-" * (w + 1) + ":" for i, w in enumerate(widths)) + "|"
    return "\n".join([fmt(header), sep, *(fmt(c) for c in lines)])


def format_details(rows: list[Row]) -> str:
    """Every check's outcome, peer medians and notes; failures are prefixed MISMATCH / ERROR."""
    out = []
    for row in rows:
        head = f"- kron{row.scale} {row.name}"
        if row.note:
            head += f" ({row.note})"
        if row.gb_error:
            head += f": graphbuild ERROR {row.gb_error}"
        elif row.gb is not None:
            trials = len(row.gb.times)
            head += f": graphbuild min {_ms(row.gb.min_ms)} / median {_ms(row.gb.median_ms)} ms over {trials}"
            if row.gb.note:
                head += f" [{row.gb.note}]"
            if row.gb1 is not None:
                head += (f"; 1 thread min {_ms(row.gb1.min_ms)} / median {_ms(row.gb1.median_ms)} ms "
                         f"over {len(row.gb1.times)}")
            else:
                head += "; 1-thread run skipped (see --single-thread-limit)"
        out.append(head)
        for name, res in row.peers.items():
            if res.error:
                out.append(f"  - {name}: unavailable: {res.error}")
                continue
            mark = {True: "ok", False: "MISMATCH", None: "unchecked"}[res.ok]
            t = res.timing
            line = (f"  - {name}: {mark}: {res.detail}; min {_ms(t.min_ms)} / median "
                    f"{_ms(t.median_ms)} ms over {len(t.times)}")
            notes = "; ".join(x for x in (res.note, t.note) if x)
            if notes:
                line += f" ({notes})"
            out.append(line)
    return "\n".join(out)

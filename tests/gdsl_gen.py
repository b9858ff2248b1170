"""A generator of random well-typed .gdsl programs, for property tests (test_opt_programs.py).

Programs mix straight-line code, `repeat`, `repeat ... until`, counted `while` loops,
loops over sources at the top level (`for s in sources()` / `sample(k, seed)`, whose body reads
the outer variables and accumulates into one of them) and `if/else`, whole-graph reductions
and neighbor aggregations (argmin/argmax too, with filters, defaults, `weight`, own values,
neighbor values and, on request, common(u)), gathers `x[p]` by a node vector (node_id(), an
argmin/argmax over neighbors, no_node() where a condition holds), over int, float and bool scalars and node
vectors.  Every program type-checks: the generator tracks each variable's type and
scope (a variable first assigned inside a loop or an if arm is local to it), so a
rejected program is a generator bug.  Integer `//` and `%` divide by a value that cannot
be zero, except now and then, so some runs fail: both optimization levels must fail alike.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

INT, FLOAT, BOOL = "int", "float", "bool"
SCALAR, VECTOR = "s", "v"
HEADER = "algorithm p(k: int = 2, x: float = 0.5, b: bool = true):\n"
PARAMS = {"k": (SCALAR, INT), "x": (SCALAR, FLOAT), "b": (SCALAR, BOOL)}
FORMS = {FLOAT: ["binary", "binary", "binary", "where", "float", "sqrt", "abs", "floor", "ceil", "neg",
                 "pow"],
         INT: ["binary", "binary", "binary", "where", "abs", "neg", "pow"],
         BOOL: ["binary", "cmp", "cmp", "not", "where"]}
BINARY = {FLOAT: ["+", "-", "*", "/", "//", "%", "min", "max"], INT: ["+", "-", "*", "//", "%", "min", "max"],
          BOOL: ["and", "or", "==", "!="]}


@dataclass
class Scope:
    vars: dict[str, tuple[str, str]]
    fixed: set[str] = field(default_factory=set)   # loop counters: never rebound

    def child(self) -> "Scope":
        return Scope(dict(self.vars), set(self.fixed))


class Gen:
    def __init__(self, draw, common: bool = False, sources: bool = True):
        self.draw = draw
        self.count = 0
        self.common = common   # common(u) as an int edge value (the C engine only)
        self.sources = sources

    def pick(self, options):
        return self.draw(st.sampled_from(options))

    def chance(self, p: float) -> bool:
        return self.draw(st.floats(0, 1)) < p

    def fresh(self) -> str:
        self.count += 1
        return f"v{self.count}"

    # ---- expressions ------------------------------------------------------------

    def expr(self, shape: str, dtype: str, scope: Scope, depth: int, edge: bool = False) -> str:
        """An expression of the type; edge: inside an aggregation (per-edge lanes)."""
        if depth <= 0 or self.chance(0.3):
            return self.leaf(shape, dtype, scope, edge)
        if not edge and shape == SCALAR and self.chance(0.2):
            return self.reduction(dtype, scope, depth - 1)
        if not edge and shape == VECTOR and self.chance(0.2):
            return self.aggregation(dtype, scope, depth - 1)

        def sub(s: str = shape, d: str = dtype) -> str:
            return self.expr(s, d, scope, depth - 1, edge)

        vectors = [n for n, t in scope.vars.items() if t == (VECTOR, dtype)]
        if not edge and shape == VECTOR and vectors and self.chance(0.15):
            return f"{self.pick(vectors)}[{self.node_vector(scope, depth - 1)}]"   # x[p]

        if shape == VECTOR and self.chance(0.2):  # a scalar operand is broadcast
            a, b = sub(SCALAR), sub()
            return self.binary(dtype, *((a, b) if self.chance(0.5) else (b, a)))
        form = self.pick(FORMS[dtype])
        if form == "binary":
            return self.binary(dtype, sub(), sub())
        if form == "where":
            cond = self.expr(self.pick([shape, SCALAR]), BOOL, scope, depth - 1, edge)
            return f"where({cond}, {sub()}, {sub()})"
        if form == "cmp":
            num = self.pick([INT, FLOAT])
            return f"({sub(shape, num)} {self.pick(['<', '<=', '>', '>=', '==', '!='])} {sub(shape, num)})"
        if form == "float":
            return f"float({sub(shape, self.pick([INT, BOOL]))})"
        if form == "sqrt":
            return f"sqrt(abs({sub()}))"
        if form in ("abs", "floor", "ceil"):
            return f"{form}({sub()})"
        if form == "neg":
            return f"(-{sub()})"
        if form == "not":
            return f"(not {sub()})"
        return f"({sub()} ** {self.pick(['2', '3', '0', '1'])})"   # form == "pow"

    def node_vector(self, scope: Scope, depth: int) -> str:
        """A node vector to gather by: every node, a neighbor (no_node() when there is
        none), or no_node() where a condition says so."""
        form = self.pick(["id", "arg", "where"])
        if form == "arg":
            value = self.expr(VECTOR, self.pick([INT, FLOAT]), scope, max(depth, 0), edge=True)
            direction = self.pick(["in_nbrs", "out_nbrs", "nbrs"])
            return f"{self.pick(['argmin', 'argmax'])}({value} for u in {direction})"
        if form == "where":
            return f"where({self.expr(VECTOR, BOOL, scope, max(depth, 0))}, node_id(), no_node())"
        return "node_id()"

    def binary(self, dtype: str, a: str, b: str) -> str:
        op = self.pick(BINARY[dtype])
        if op == "//" and dtype == INT and self.chance(0.1):
            return f"({a} // {b})"   # may divide by zero: both levels must report it alike
        if op == "//" and dtype == INT:
            return f"({a} // (abs({b}) % 7 + 1))"
        if op == "%" and dtype == INT:
            return f"({a} % (abs({b}) % 5 + 1))"
        if op in ("min", "max"):
            return f"{op}({a}, {b})"
        return f"({a} {op} {b})"

    def leaf(self, shape: str, dtype: str, scope: Scope, edge: bool) -> str:
        options = [n for n, t in {**PARAMS, **scope.vars}.items() if t == (shape, dtype)]
        if shape == SCALAR:
            options += {INT: ["0", "1", "3", "-2", "node_count()"], FLOAT: ["0.5", "-1.25", "2.0", "0.0"],
                        BOOL: ["true", "false"]}[dtype]
        else:
            options += {INT: ["out_degree()", "in_degree()", "degree()", "(node_id() + 0)", "fill(k)"],
                        FLOAT: ["random(3)", "fill(x)", "float(out_degree())"],
                        BOOL: ["(node_id() == k)", "fill(b)"]}[dtype]
            if edge:
                gathered = [n for n, t in scope.vars.items() if t == (VECTOR, dtype)]
                options += [f"{n}[u]" for n in gathered] * 3
                options += {FLOAT: ["weight", "weight"], BOOL: ["(u == node_id())"], INT: ["(u + 0)"]}[dtype]
                if dtype == INT and self.common:
                    options += ["common(u)"] * 2
        return self.pick(options)

    def reduction(self, dtype: str, scope: Scope, depth: int) -> str:
        vectors = [n for n, t in scope.vars.items() if t == (VECTOR, dtype)]
        if vectors and self.chance(0.15):
            return f"{self.pick(vectors)}[0]"   # x[s]: node 0 always exists
        if dtype == BOOL:
            return f"{self.pick(['any', 'all'])}({self.expr(VECTOR, BOOL, scope, depth)})"
        if dtype == INT:
            if self.chance(0.3):
                return f"count({self.expr(VECTOR, BOOL, scope, depth)})"
            return f"{self.pick(['sum', 'min', 'max'])}({self.expr(VECTOR, INT, scope, depth)})"
        return f"{self.pick(['sum', 'min', 'max', 'mean'])}({self.expr(VECTOR, FLOAT, scope, depth)})"

    def aggregation(self, dtype: str, scope: Scope, depth: int) -> str:
        direction = self.pick(["in_nbrs", "out_nbrs", "nbrs"])
        if dtype == BOOL:
            kind, value = self.pick(["any", "all", "mode"]), BOOL
        elif dtype == INT:
            kind = self.pick(["sum", "min", "max", "count", "mode", "argmin", "argmax"])
            value = {"count": BOOL, "argmin": self.pick([FLOAT, INT]), "argmax": INT}.get(kind, INT)
        else:
            kind = self.pick(["sum", "min", "max", "mean", "mode"])
            value = self.pick([FLOAT, INT]) if kind == "mean" else FLOAT
        text = f"{kind}({self.expr(VECTOR, value, scope, depth, edge=True)} for u in {direction}"
        if self.chance(0.3):
            text += f" if {self.expr(VECTOR, BOOL, scope, max(depth - 1, 0), edge=True)}"
        if kind.startswith("arg"):   # node-valued: node arithmetic makes it an int vector
            if self.chance(0.3):
                text += ", default=" + self.pick(["node_id()", "no_node()"])
            return f"({text}) + 0)"
        if kind == "mode" or self.chance(0.3):
            text += ", default=" + {BOOL: "false", INT: "0", FLOAT: "0.5"}[dtype]
        return text + ")"

    # ---- statements ---------------------------------------------------------------

    def block(self, scope: Scope, depth: int, indent: str) -> list[str]:
        lines: list[str] = []
        for _ in range(self.draw(st.integers(1, 3))):
            lines += self.statement(scope, depth, indent)
        return lines

    def statement(self, scope: Scope, depth: int, indent: str) -> list[str]:
        nested = ["repeat", "until", "while", "if"] if depth > 0 else []
        top = ["for"] if self.sources and depth > 0 and indent == "    " else []
        kind = self.pick(["assign", "assign", "assign", *nested, *top])
        if kind == "assign":
            return [self.assign(scope, indent)]
        if kind == "for":
            return self.sources_loop(scope, depth, indent)
        inner = scope.child()
        if kind == "if":
            cond = self.expr(SCALAR, BOOL, scope, 2)
            then = self.block(inner, depth - 1, indent + "    ")
            orelse = self.block(scope.child(), depth - 1, indent + "    ")
            self.keep_outer(scope, inner)
            return [f"{indent}if {cond}:", *then, f"{indent}else:", *orelse]
        if kind == "while":
            counter = self.fresh()
            scope.vars[counter] = (SCALAR, INT)
            inner = scope.child()
            inner.fixed.add(counter)
            body = self.block(inner, depth - 1, indent + "    ")
            limit = self.draw(st.integers(0, 3))
            return [f"{indent}{counter} = 0", f"{indent}while {counter} < {limit}:", *body,
                    f"{indent}    {counter} = {counter} + 1"]
        body = self.block(inner, depth - 1, indent + "    ")
        count = self.draw(st.integers(0, 3))
        head = f"{indent}repeat {count}"
        if kind == "until":
            head += f" until {self.expr(SCALAR, BOOL, inner, 2)}"
        return [head + ":", *body]

    def sources_loop(self, scope: Scope, depth: int, indent: str) -> list[str]:
        """`for s in ...:` with a body of its own statements, then one accumulation into an
        outer int or float variable (made first when there is none)."""
        lines = []
        numeric = [n for n in scope.vars if scope.vars[n][1] != BOOL and n not in scope.fixed]
        if numeric and self.chance(0.7):
            acc = self.pick(numeric)
        else:
            acc, ty = self.fresh(), (self.pick([SCALAR, VECTOR]), self.pick([INT, FLOAT]))
            lines.append(f"{indent}{acc} = {self.expr(*ty, scope, 1)}")
            scope.vars[acc] = ty
        source, index = self.fresh(), self.fresh()
        # the body reads the outer variables but the accumulator, and assigns none of them
        inner = Scope({n: t for n, t in scope.vars.items() if n != acc}, set(scope.vars))
        inner.vars[index] = (SCALAR, INT)
        inner.fixed.add(index)
        body = [f"{indent}    {index} = int({source})", *self.block(inner, depth - 1, indent + "    ")]
        body.append(f"{indent}    {acc} = {acc} + {self.expr(*scope.vars[acc], inner, 2)}")
        head = "sources()" if self.chance(0.5) else f"sample({self.draw(st.integers(0, 4))}, k)"
        return [*lines, f"{indent}for {source} in {head}:", *body]

    @staticmethod
    def keep_outer(scope: Scope, inner: Scope) -> None:
        """Variables of the outer scope keep their types; inner ones stay inner."""
        for name in list(inner.vars):
            if name in scope.vars:
                assert inner.vars[name] == scope.vars[name]

    def assign(self, scope: Scope, indent: str) -> str:
        rebind = [n for n in scope.vars if n not in scope.fixed]
        if rebind and self.chance(0.5):
            name = self.pick(rebind)
            shape, dtype = scope.vars[name]
        else:
            name = self.fresh()
            shape, dtype = self.pick([SCALAR, VECTOR, VECTOR]), self.pick([INT, FLOAT, FLOAT, BOOL])
        value = self.expr(shape, dtype, scope, self.draw(st.integers(1, 3)))
        scope.vars[name] = (shape, dtype)
        return f"{indent}{name} = {value}"


@st.composite
def programs(draw, common: bool = False, sources: bool = True) -> str:
    """common: also common(u) (two hops), which Spark refuses and directed graphs stop on;
    sources: also loops over sources, which Spark refuses."""
    gen = Gen(draw, common, sources)
    scope = Scope({})
    lines = [gen.assign(scope, "    ")]
    lines += gen.block(scope, 2, "    ")
    lines += gen.block(scope, 1, "    ")
    names = list(scope.vars)
    return HEADER + "\n".join(lines) + f"\n    return {', '.join(names)}\n"

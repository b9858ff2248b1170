"""The parser's token cursor and its expression rules (recursive descent).

ExprParser is the base of parser.Parser: it walks the token list and parses expressions,
one method per grammar rule with the rule's EBNF above it (the whole grammar is in
docs/language.md). Spans: a Binary or Unary points at its operator, a Call or Aggregation
at the function name, an Index at its `[`, a literal or name at its token.
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

from . import ast
from .diagnostics import program_error
from .lexer import Token, tokenize
from .tree import tree_depth

# Bounds that keep every recursive stage (this parser, the checker, lowering) far from
# Python's recursion limit: parentheses, unary operators and `**` nest at most MAX_NESTING
# deep, and an expression tree is at most MAX_DEPTH deep (long `a + b + ...` chains).
MAX_NESTING = 40
MAX_DEPTH = 100

COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")


class ExprParser:
    def __init__(self, source: str, path: str):
        self.source = source
        self.path = path
        self.tokens = tokenize(source, path)
        self.pos = 0
        self.nesting = 0

    # ---- token helpers ----------------------------------------------------------

    def peek(self, offset: int = 0) -> Token:
        return self.tokens[min(self.pos + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        tok = self.tokens[self.pos]
        if tok.kind != "eof":
            self.pos += 1
        return tok

    def at(self, text: str, offset: int = 0) -> bool:
        """The token is the operator or keyword `text` (never a name spelled the same)."""
        tok = self.peek(offset)
        return tok.kind in ("op", "keyword") and tok.text == text

    def accept(self, text: str) -> Token | None:
        return self.advance() if self.at(text) else None

    def expect(self, text: str, context: str, hint: str | None = None) -> Token:
        if not self.at(text):
            tok = self.peek()
            raise self.error(tok, f"expected '{text}' {context}, got {tok.describe()}", hint)
        return self.advance()

    def expect_name(self, what: str) -> Token:
        tok = self.peek()
        if tok.kind != "name":
            raise self.error(tok, f"expected {what}, got {tok.describe()}")
        return self.advance()

    def expect_newline(self) -> None:
        tok = self.peek()
        if tok.kind != "newline":
            raise self.error(tok, f"expected end of line, got {tok.describe()}")
        self.advance()

    def error(self, tok: Token, message: str, hint: str | None = None):
        return program_error(self.path, self.source, tok.span, message, hint)

    # ---- expressions --------------------------------------------------------------

    # expression = disjunction
    def expression(self, opener: Token | None = None) -> ast.Expr:
        first = self.peek()
        with self.nested(opener or first):
            e = self.disjunction()
        if self.nesting == 0 and tree_depth(e) > MAX_DEPTH:
            raise self.error(first, f"expression is too deep (more than {MAX_DEPTH} levels)",
                             hint="split it into several assignments")
        return e

    @contextmanager
    def nested(self, opener: Token) -> Iterator[None]:
        """One level deeper, opened by opener (a parenthesis or an operator, which an error
        points at); a statement's own expression is level 0, so MAX_NESTING levels fit."""
        if self.nesting > MAX_NESTING:
            raise self.error(opener, f"expression nested too deeply (more than {MAX_NESTING} levels)",
                             hint="split it into several assignments")
        self.nesting += 1
        try:
            yield
        finally:
            self.nesting -= 1

    # disjunction = conjunction { "or" conjunction }
    def disjunction(self) -> ast.Expr:
        left = self.conjunction()
        while self.at("or"):
            op = self.advance()
            left = ast.Binary(op.span, op="or", left=left, right=self.conjunction())
        return left

    # conjunction = inversion { "and" inversion }
    def conjunction(self) -> ast.Expr:
        left = self.inversion()
        while self.at("and"):
            op = self.advance()
            left = ast.Binary(op.span, op="and", left=left, right=self.inversion())
        return left

    # inversion = "not" inversion | comparison
    def inversion(self) -> ast.Expr:
        if self.at("not"):
            op = self.advance()
            with self.nested(op):
                return ast.Unary(op.span, op="not", operand=self.inversion())
        return self.comparison()

    # comparison = arith [ ( "==" | "!=" | "<" | "<=" | ">" | ">=" ) arith ]
    def comparison(self) -> ast.Expr:
        left = self.arith()
        if not self.at_any(COMPARISONS):
            return left
        op = self.advance()
        node = ast.Binary(op.span, op=op.text, left=left, right=self.arith())
        if self.at_any(COMPARISONS):
            raise self.error(self.peek(), "comparisons do not chain; use 'and'",
                             hint="write 'a < b and b < c'")
        return node

    # arith = term { ( "+" | "-" ) term }
    def arith(self) -> ast.Expr:
        left = self.term()
        while self.at_any(("+", "-")):
            op = self.advance()
            left = ast.Binary(op.span, op=op.text, left=left, right=self.term())
        return left

    # term = factor { ( "*" | "/" | "//" | "%" ) factor }
    def term(self) -> ast.Expr:
        left = self.factor()
        while self.at_any(("*", "/", "//", "%")):
            op = self.advance()
            left = ast.Binary(op.span, op=op.text, left=left, right=self.factor())
        return left

    # factor = "-" factor | power
    def factor(self) -> ast.Expr:
        if self.at("-"):
            op = self.advance()
            with self.nested(op):
                return ast.Unary(op.span, op="-", operand=self.factor())
        return self.power()

    # power = primary [ "**" factor ]        (right-associative, binds tighter than unary minus
    #                                          on its left: -2 ** 2 is -(2 ** 2), as in Python)
    def power(self) -> ast.Expr:
        base = self.primary()
        if self.at("**"):
            op = self.advance()
            with self.nested(op):
                return ast.Binary(op.span, op="**", left=base, right=self.factor())
        return base

    # primary = atom { "[" expression "]" }
    def primary(self) -> ast.Expr:
        node = self.atom()
        while self.at("["):
            bracket = self.advance()
            index = self.expression()
            self.expect("]", "to close the index")
            node = ast.Index(bracket.span, target=node, index=index)
        return node

    # atom = INT | FLOAT | "true" | "false" | "inf" | "nan" | NAME | call | "(" expression ")"
    def atom(self) -> ast.Expr:
        tok = self.peek()
        if tok.kind in ("int", "float"):
            self.advance()
            return ast.Num(tok.span, value=tok.value)
        if tok.kind == "keyword" and tok.text in ("true", "false"):
            self.advance()
            return ast.Bool(tok.span, value=tok.text == "true")
        if tok.kind == "keyword" and tok.text in ("inf", "nan"):
            self.advance()
            return ast.Num(tok.span, value=math.inf if tok.text == "inf" else math.nan)
        if tok.kind == "name":
            if self.at("(", 1):
                return self.call()
            self.advance()
            return ast.Name(tok.span, id=tok.text)
        if self.at("("):
            inner = self.expression(self.advance())
            self.expect(")", "to close the parenthesis")
            return inner
        hint = "there is no unary '+'" if self.at("+") else None
        raise self.error(tok, f"expected an expression, got {tok.describe()}", hint)

    # call = NAME "(" [ arguments ] ")"
    # arguments = expression "for" NAME "in" NAME [ "if" expression ]
    #                 [ "," "default" "=" expression ] [ "," ]
    #           | expression { "," expression } [ "," ]
    def call(self) -> ast.Expr:
        name = self.advance()
        self.advance()
        args: list[ast.Expr] = []
        while not self.at(")"):
            if self.peek().kind == "name" and self.at("=", 1):
                raise self.misplaced_keyword(self.peek())
            args.append(self.expression())
            if self.at("for"):
                if len(args) > 1:
                    raise self.error(self.peek(), "a 'for' clause must follow the first argument",
                                     hint=f"write {name.text}(EXPR for u in nbrs)")
                return self.aggregation(name, args[0])
            if not self.accept(",") and not self.at(")"):
                tok = self.peek()
                raise self.error(tok, f"expected ',' or ')' in the arguments of '{name.text}', "
                                 f"got {tok.describe()}")
        self.advance()
        return ast.Call(name.span, func=name.text, args=args)

    def aggregation(self, name: Token, expr: ast.Expr) -> ast.Aggregation:
        """The rest of `NAME(expr for ...)`, from the 'for'."""
        self.advance()
        var = self.expect_name("the neighbor variable after 'for'")
        self.expect("in", f"after 'for {var.text}'")
        direction = self.peek()
        if direction.kind != "name":
            raise self.error(direction, f"expected a neighbor direction (in_nbrs, out_nbrs or nbrs) "
                             f"after 'in', got {direction.describe()}")
        self.advance()
        filter_ = self.expression() if self.accept("if") else None
        default = None
        if self.accept(",") and not self.at(")"):
            default = self.default_argument()
            self.accept(",")
        self.expect(")", f"to close '{name.text}('")
        return ast.Aggregation(name.span, func=name.text, expr=expr, var=var.text,
                               var_span=var.span, direction=direction.text,
                               direction_span=direction.span, filter=filter_, default=default)

    def default_argument(self) -> ast.Expr:
        """`default = expression`, the one keyword argument, last in an aggregation."""
        key = self.peek()
        if key.kind != "name" or not self.at("=", 1):
            raise self.error(key, "only 'default=' may follow the 'for' clause")
        if key.text != "default":
            raise self.misplaced_keyword(key)
        self.advance()
        self.advance()
        return self.expression()

    def misplaced_keyword(self, key: Token):
        if key.text == "default":
            return self.error(key, "'default=' is only allowed in a neighbor aggregation, "
                              "after its 'for' clause", hint="write AGG(EXPR for u in DIR, default=VALUE)")
        return self.error(key, f"unknown keyword argument '{key.text}'",
                          hint="'default=' (in a neighbor aggregation) is the only keyword argument")

    def at_any(self, texts: tuple[str, ...]) -> bool:
        tok = self.peek()
        return tok.kind == "op" and tok.text in texts



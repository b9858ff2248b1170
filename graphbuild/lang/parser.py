"""The .gdsl parser: tokens to an ast.Module by recursive descent.

Each method is named after the grammar rule it parses, with that rule's EBNF above it;
the expression rules and the token cursor are in parser_exprs.ExprParser. Spans: a
statement points at its keyword (an Assign at its target), an Algorithm or Param at its
name.
"""
from __future__ import annotations

from . import ast
from .lexer import Token
from .parser_exprs import ExprParser

AUGMENTED = ("+=", "-=", "*=", "/=", "//=", "%=", "**=")
# Blocks nest at most this deep, an elif counting one level deeper than the arm before it
# (lowering turns an elif chain into nested ifs), so that every recursive stage stays far
# from Python's recursion limit even with the deepest expressions inside.
MAX_BLOCK_DEPTH = 50
STATEMENT_KINDS = "an assignment, 'repeat', 'while', 'for', 'if' or 'return'"
SOURCE_SETS = {"sources": 0, "sample": 2}   # the source sets of 'for' and their arguments


class Parser(ExprParser):
    block_depth = 0

    # ---- definitions --------------------------------------------------------------

    # module = { algorithm } EOF
    def module(self) -> ast.Module:
        algorithms = []
        while self.peek().kind != "eof":
            tok = self.peek()
            if tok.kind == "indent":
                raise self.error(tok, "unexpected indent")
            if not self.at("algorithm"):
                raise self.error(tok, f"expected 'algorithm', got {tok.describe()}",
                                 hint="statements belong inside an 'algorithm NAME(...):' block")
            algorithms.append(self.algorithm())
        return ast.Module(self.path, self.source, algorithms)

    # algorithm = "algorithm" NAME "(" [ param { "," param } [ "," ] ] ")" ":" block
    def algorithm(self) -> ast.Algorithm:
        keyword = self.advance()
        name = self.expect_name("the algorithm's name after 'algorithm'")
        self.expect("(", f"after 'algorithm {name.text}'")
        params = []
        while not self.at(")"):
            params.append(self.param())
            if not self.accept(",") and not self.at(")"):
                tok = self.peek()
                raise self.error(tok, f"expected ',' or ')' in the parameter list, got "
                                 f"{tok.describe()}")
        self.advance()
        self.expect(":", "after the parameter list")
        body = self.block(keyword)
        return ast.Algorithm(name.span, name.text, params, body)

    # param = NAME ":" NAME [ "in" bounds ] [ "=" literal ]
    def param(self) -> ast.Param:
        name = self.expect_name("a parameter name")
        if not self.at(":"):
            raise self.error(self.peek(), f"parameter '{name.text}' needs a type",
                             hint=f"write '{name.text}: int' (or float, bool, node)")
        self.advance()
        type_tok = self.peek()
        if type_tok.kind not in ("name", "keyword"):
            raise self.error(type_tok, f"expected the type of '{name.text}', got {type_tok.describe()}")
        self.advance()
        bounds = self.bounds(name.text) if self.accept("in") else None
        default = self.literal() if self.accept("=") else None
        return ast.Param(name.span, name.text, type_tok.text, default, bounds)

    # bounds = ( "[" | "(" ) literal "," literal ( "]" | ")" )
    def bounds(self, param: str) -> ast.Bounds:
        example = f"write '{param}: float in [0, 1]': [ ] include an end, ( ) exclude it, inf for none"
        opener = self.peek()
        if not (self.at("[") or self.at("(")):
            raise self.error(opener, f"expected '[' or '(' to start the range of '{param}', got "
                             f"{opener.describe()}", hint=example)
        self.advance()
        low = self.literal(f"the lower end of the range of '{param}'")
        self.expect(",", f"between the ends of the range of '{param}'", hint=example)
        high = self.literal(f"the upper end of the range of '{param}'")
        closer = self.peek()
        if not (self.at("]") or self.at(")")):
            raise self.error(closer, f"expected ']' or ')' to end the range of '{param}', got "
                             f"{closer.describe()}", hint=example)
        self.advance()
        return ast.Bounds(opener.span, low, high, opener.text == "[", closer.text == "]")

    # literal = [ "-" ] ( INT | FLOAT | "inf" | "nan" ) | "true" | "false"
    def literal(self, what: str = "a parameter default") -> ast.Expr:
        tok = self.peek()
        if tok.kind == "keyword" and tok.text in ("true", "false"):
            return self.atom()
        minus = self.accept("-")
        num = self.peek()
        if num.kind in ("int", "float") or (num.kind == "keyword" and num.text in ("inf", "nan")):
            value = self.atom()
            return ast.Unary(minus.span, op="-", operand=value) if minus else value
        raise self.error(tok, f"{what} must be a literal: a number, true or false")

    # block = NEWLINE INDENT statement { statement } DEDENT
    def block(self, header: Token) -> list[ast.Stmt]:
        tok = self.peek()
        if tok.kind != "newline":
            raise self.error(tok, f"expected end of line after ':', got {tok.describe()}",
                             hint="put the block on its own, indented lines")
        self.advance()
        if self.peek().kind != "indent":
            raise self.error(self.peek(), f"expected an indented block after '{header.text}' "
                             f"on line {header.line}")
        if self.block_depth > MAX_BLOCK_DEPTH:   # (the algorithm's own body is not counted)
            raise self.error(header, f"blocks nested too deeply (more than {MAX_BLOCK_DEPTH} levels, "
                             "each elif counting one more)",
                             hint="compute parts into variables, or use where() for simple choices")
        self.advance()
        body = []
        self.block_depth += 1
        try:
            while self.peek().kind != "dedent":
                body.append(self.statement())
        finally:
            self.block_depth -= 1
        self.advance()
        return body

    # ---- statements ---------------------------------------------------------------

    # statement = assignment | repeat | while | for | if | return
    def statement(self) -> ast.Stmt:
        tok = self.peek()
        if tok.kind == "indent":
            raise self.error(tok, "unexpected indent")
        if tok.kind == "keyword":
            if self.at("=", 1):
                raise self.error(tok, f"cannot assign to keyword '{tok.text}'")
            rule = {"repeat": self.repeat, "while": self.while_stmt, "for": self.for_stmt,
                    "if": self.if_stmt,
                    "return": self.return_stmt}.get(tok.text)
            if rule is not None:
                return rule()
            if tok.text in ("elif", "else"):
                raise self.error(tok, f"'{tok.text}' without a matching 'if'")
            if tok.text == "algorithm":
                raise self.error(tok, "an algorithm cannot be defined inside another",
                                 hint="start 'algorithm' at column 1")
        if tok.kind == "name":
            return self.assignment()
        raise self.error(tok, f"expected a statement, got {tok.describe()}",
                         hint=f"a statement is {STATEMENT_KINDS}")

    # assignment = NAME "=" expression NEWLINE
    def assignment(self) -> ast.Assign:
        name = self.advance()
        op = self.peek()
        if op.kind == "op" and op.text in AUGMENTED:
            raise self.error(op, f"'{op.text}' is not supported",
                             hint=f"write '{name.text} = {name.text} {op.text[:-1]} ...'")
        if not self.at("="):
            raise self.error(op, f"expected '=' after '{name.text}', got {op.describe()}",
                             hint=f"a statement is {STATEMENT_KINDS}")
        self.advance()
        value = self.expression()
        self.expect_newline()
        return ast.Assign(name.span, target=name.text, value=value)

    # repeat = "repeat" expression [ "until" expression ] ":" block
    def repeat(self) -> ast.Repeat:
        keyword = self.advance()
        count = self.expression()
        until = self.expression() if self.accept("until") else None
        self.expect(":", "after the 'repeat' header")
        return ast.Repeat(keyword.span, count=count, until=until, body=self.block(keyword))

    # while = "while" expression ":" block
    def while_stmt(self) -> ast.While:
        keyword = self.advance()
        cond = self.condition("while")
        return ast.While(keyword.span, cond=cond, body=self.block(keyword))

    # for = "for" NAME "in" ( "sources" "(" ")" | "sample" "(" expression "," expression ")" ) ":" block
    def for_stmt(self) -> ast.For:
        keyword = self.advance()
        var = self.expect_name("the source variable after 'for'")
        self.expect("in", f"after 'for {var.text}'")
        example = "write 'for s in sources():' or 'for s in sample(k, seed):'"
        kind = self.peek()
        if kind.kind != "name" or kind.text not in SOURCE_SETS:
            raise self.error(kind, f"expected sources() or sample(k, seed) after 'in', got "
                             f"{kind.describe()}", hint=example)
        self.advance()
        self.expect("(", f"after '{kind.text}'", hint=example)
        args = []
        while not self.at(")"):
            args.append(self.expression())
            if not self.accept(",") and not self.at(")"):
                raise self.error(self.peek(), f"expected ',' or ')' in {kind.text}(...), got "
                                 f"{self.peek().describe()}", hint=example)
        self.advance()
        if len(args) != SOURCE_SETS[kind.text]:
            raise self.error(kind, f"{kind.text}() takes "
                             f"{SOURCE_SETS[kind.text]} arguments ({len(args)} given)", hint=example)
        self.expect(":", "after the 'for' header")
        return ast.For(keyword.span, var=var.text, var_span=var.span, kind=kind.text, args=args,
                       body=self.block(keyword))

    # if = "if" expression ":" block { "elif" expression ":" block } [ "else" ":" block ]
    def if_stmt(self) -> ast.If:
        keyword = self.advance()
        arms = [(self.condition("if"), self.block(keyword))]
        outer = self.block_depth
        try:
            while self.at("elif"):
                elif_tok = self.advance()
                self.block_depth += 1   # lowered as an if inside the previous arm's else
                arms.append((self.condition("elif"), self.block(elif_tok)))
            orelse = None
            if self.at("else"):
                else_tok = self.advance()
                self.expect(":", "after 'else'")
                orelse = self.block(else_tok)
        finally:
            self.block_depth = outer
        return ast.If(keyword.span, arms=arms, orelse=orelse)

    def condition(self, keyword: str) -> ast.Expr:
        """A header's condition and its colon (`if x = 1:` gets a hint about `==`)."""
        cond = self.expression()
        hint = "use '==' to compare" if self.at("=") else None
        self.expect(":", f"after the '{keyword}' condition", hint)
        return cond

    # return = "return" expression { "," expression } NEWLINE
    def return_stmt(self) -> ast.Return:
        keyword = self.advance()
        if self.peek().kind == "newline":
            raise self.error(self.peek(), "'return' needs at least one value")
        values = [self.expression()]
        while self.accept(","):
            values.append(self.expression())
        self.expect_newline()
        return ast.Return(keyword.span, values=values)


def parse(source: str, path: str) -> ast.Module:
    """Lex and parse a .gdsl file; the first syntax error is raised as a GraphbuildError."""
    return Parser(source, path).module()

"""The biomass case's balance as one OpenTURNS SymbolicFunction (an ExprTk program).

Reads the same case files symbiomc reads (cases/<case>/*.csv, format in cases/README.md) and
the distributions file, and writes every output of every mode as ExprTk statements: one
`var` per flow / variable / output a mode needs, in dependency order, then one assignment per
reported output (mode-major, outputs.csv order: the order of symbiomc's Model::outputs()).

Semantics follow symbiomc's balance compiler (src/balance/, docs/ARCHITECTURE.md): a name is a parameter first,
else a flow, variable or output of the mode being evaluated; an inactive flow is 0; `base.x`
is x in the baseline mode (x itself inside the baseline); active(p) is 1 when p runs in the
mode; pwl(curve, x) interpolates the curve linearly and clamps at its end points; the default
choice of every option sets its parameters. Parameters that the distributions file makes
uncertain become the function's inputs; every other parameter is inlined at its nominal
value, and sub-expressions that are then constant are folded (as symbiomc's compiler does).

Not translated: symbiomc's per-run validity checks (negative or non-finite flows, parameter
domains) -- none fires on this case's distributions (failures.csv of a 10^6-run study is all
zeros), so both tools average the same runs -- and recycle loops (this case has none).
"""

import csv
import math
import os
import re

# ---------------------------------------------------------------------------------------
# Case files
# ---------------------------------------------------------------------------------------


def read_rows(path):
    with open(path, newline="") as f:
        lines = [line for line in f if line.strip() and not line.lstrip().startswith("#")]
    return list(csv.DictReader(lines))


# ---------------------------------------------------------------------------------------
# Expressions: the grammar of include/symbiomc/case/expression.hpp
# ---------------------------------------------------------------------------------------

TOKEN = re.compile(r"\s*(?:(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_.]*)|(\|\||&&|<=|>=|==|!=|[-+*/^<>!(),]))")


def tokenize(text):
    pos, out = 0, []
    text = text.strip()
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(f"cannot tokenize {text!r} at {pos}")
        number, name, op = m.groups()
        out.append(("num", float(number)) if number else ("id", name) if name else ("op", op))
        pos = m.end()
    return out


class Parser:
    """Recursive descent with symbiomc's precedence: || && comparisons +- */ unary ^."""

    def __init__(self, text):
        self.tokens, self.i, self.text = tokenize(text), 0, text

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None)

    def take(self, op=None):
        tok = self.peek()
        if op is not None and tok != ("op", op):
            raise ValueError(f"expected {op!r} in {self.text!r}")
        self.i += 1
        return tok

    def parse(self):
        node = self.expr_or()
        if self.i != len(self.tokens):
            raise ValueError(f"trailing input in {self.text!r}")
        return node

    def binary_level(self, ops, lower):
        node = lower()
        while self.peek()[0] == "op" and self.peek()[1] in ops:
            op = self.take()[1]
            node = ("bin", op, node, lower())
        return node

    def expr_or(self):
        return self.binary_level(("||",), self.expr_and)

    def expr_and(self):
        return self.binary_level(("&&",), self.expr_cmp)

    def expr_cmp(self):
        return self.binary_level(("<", ">", "<=", ">=", "==", "!="), self.expr_add)

    def expr_add(self):
        return self.binary_level(("+", "-"), self.expr_mul)

    def expr_mul(self):
        return self.binary_level(("*", "/"), self.expr_unary)

    def expr_unary(self):
        if self.peek() in (("op", "-"), ("op", "!")):
            op = self.take()[1]
            return ("un", op, self.expr_unary())
        return self.expr_pow()

    def expr_pow(self):
        base = self.primary()
        if self.peek() == ("op", "^"):
            self.take()
            return ("bin", "^", base, self.expr_unary())
        return base

    def primary(self):
        kind, value = self.take()
        if kind == "num":
            return ("num", value)
        if kind == "id":
            if self.peek() == ("op", "("):
                self.take("(")
                args = []
                if self.peek() != ("op", ")"):
                    args.append(self.expr_or())
                    while self.peek() == ("op", ","):
                        self.take(",")
                        args.append(self.expr_or())
                self.take(")")
                return ("call", value, args)
            return ("id", value)
        if (kind, value) == ("op", "("):
            node = self.expr_or()
            self.take(")")
            return node
        raise ValueError(f"unexpected {value!r} in {self.text!r}")


def parse(text):
    return Parser(text).parse()


# ---------------------------------------------------------------------------------------
# Folding and ExprTk output
# ---------------------------------------------------------------------------------------

BINARY = {
    "+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b,
    "^": lambda a, b: a ** b, "<": lambda a, b: float(a < b), ">": lambda a, b: float(a > b),
    "<=": lambda a, b: float(a <= b), ">=": lambda a, b: float(a >= b), "==": lambda a, b: float(a == b),
    "!=": lambda a, b: float(a != b), "&&": lambda a, b: float(a != 0 and b != 0),
    "||": lambda a, b: float(a != 0 or b != 0),
}
FUNCS = {"abs": abs, "sqrt": math.sqrt, "exp": math.exp, "log": math.log, "min": min, "max": max,
         "pow": lambda a, b: a ** b, "clamp": lambda x, lo, hi: min(max(x, lo), hi)}
EXPRTK_BINARY = {"&&": "and", "||": "or"}


def is_num(node):
    return node[0] == "num"


def fold(node):
    """Folds a node whose children are already folded: constants, and the identities x + 0,
    x - 0, x * 1, x / 1 and x * 0 (exact here: every value of this model is finite)."""
    kind = node[0]
    if kind == "bin" and (is_num(node[2]) != is_num(node[3])):
        op, a, b = node[1], node[2], node[3]
        num, other = (a[1], b) if is_num(a) else (b[1], a)
        if op == "*" and num == 0.0:
            return ("num", 0.0)
        if (op == "*" and num == 1.0) or (op == "+" and num == 0.0):
            return other
        if op in ("-", "/") and is_num(b) and b[1] == (0.0 if op == "-" else 1.0):
            return a
        if op == "-" and is_num(a) and a[1] == 0.0:
            return ("un", "-", b)
    if kind == "un" and is_num(node[2]):
        return ("num", -node[2][1] if node[1] == "-" else float(node[2][1] == 0))
    if kind == "bin" and is_num(node[2]) and is_num(node[3]):
        return ("num", BINARY[node[1]](node[2][1], node[3][1]))
    if kind == "call":
        name, args = node[1], node[2]
        if name == "if" and is_num(args[0]):
            return args[1] if args[0][1] != 0 else args[2]
        if name in FUNCS and all(is_num(a) for a in args):
            return ("num", float(FUNCS[name](*[a[1] for a in args])))
    return node


def exprtk(node):
    kind = node[0]
    if kind == "num":
        return repr(node[1]) if node[1] >= 0 else f"({node[1]!r})"
    if kind == "id":
        return node[1]
    if kind == "un":
        return f"(-{exprtk(node[2])})" if node[1] == "-" else f"(not {exprtk(node[2])})"
    if kind == "bin":
        return f"({exprtk(node[2])} {EXPRTK_BINARY.get(node[1], node[1])} {exprtk(node[3])})"
    name, args = node[1], [exprtk(a) for a in node[2]]
    if name == "clamp":  # symbiomc clamp(x, lo, hi); ExprTk clamp(lo, x, hi)
        return f"clamp({args[1]}, {args[0]}, {args[2]})"
    if name == "pow":
        return f"(({args[0]}) ^ ({args[1]}))"
    return f"{name}({', '.join(args)})"


# ---------------------------------------------------------------------------------------
# The translation
# ---------------------------------------------------------------------------------------


class BiomassProgram:
    """`inputs` (uncertain parameter names), `outputs` ("<mode>__<output>"), `formula` (ExprTk)."""

    def __init__(self, case_dir, distributions_path):
        d = lambda name: read_rows(os.path.join(case_dir, name))
        self.parameters = {r["name"]: float(r["value"]) for r in d("parameters.csv")}
        for row in d("options.csv"):
            if row["default"].strip() == "yes":
                self.parameters[row["parameter"]] = float(row["value"])
        self.distributions = read_rows(distributions_path)
        self.inputs = []
        for row in self.distributions:
            if row["dist"] == "fixed":
                self.parameters[row["parameter"]] = float(row["value"])
            else:
                self.inputs.append(row["parameter"])
        self.flows = {r["id"]: parse(r["quantity"]) for r in d("flows.csv")}
        self.variables = {}  # name -> [(modes or None, ast)]
        for r in d("variables.csv"):
            modes = r["modes"].split() or None
            self.variables.setdefault(r["name"], []).append((modes, parse(r["expression"])))
        self.output_rows = d("outputs.csv")
        self.output_exprs = {r["name"]: parse(r["expression"]) for r in self.output_rows}
        self.curves = {}
        for r in d("curves.csv"):
            self.curves.setdefault(r["curve"], []).append((r["x"], r["y"]))
        self.modes = d("modes.csv")
        by_id = {m["id"]: m for m in self.modes}
        # Baseline first, like BalancePlan::modes().
        self.modes.sort(key=lambda m: m["baseline"] != "yes")

        def closure(mode, column):
            items = []
            while mode is not None:
                items += mode[column].split()
                mode = by_id.get(mode["extends"]) if mode["extends"] else None
            return set(items)

        self.active_processes = {m["id"]: closure(m, "processes") for m in self.modes}
        self.active_flows = {m["id"]: closure(m, "flows") for m in self.modes}
        self.lines = []
        self.memo = {}
        self.temp = 0
        self.outputs = []
        for mi, mode in enumerate(self.modes):
            for row in self.output_rows:
                value = self.entity(mi, row["name"])
                name = f"{mode['id']}__{row['name']}"
                self.outputs.append(name)
                self.lines.append(f"{name} := {exprtk(value)};")
        self.lines = live_lines(self.lines)
        self.formula = "\n".join(self.lines)

    def entity(self, mi, name):
        """The folded node (number or variable) of flow/variable/output `name` in mode mi."""
        key = (mi, name)
        if key in self.memo:
            return self.memo[key]
        mode = self.modes[mi]["id"]
        if name in self.flows:
            ast = self.flows[name] if name in self.active_flows[mode] else ("num", 0.0)
        elif name in self.variables:
            candidates = [a for modes, a in self.variables[name] if modes is None or mode in modes]
            if not candidates:
                raise ValueError(f"variable {name} has no definition in mode {mode}")
            ast = candidates[0]
        elif name in self.output_exprs:
            ast = self.output_exprs[name]
        else:
            raise ValueError(f"unknown name {name!r}")
        node = self.translate(mi, ast)
        if node[0] not in ("num", "id"):
            var = f"m{mi}_{name}"
            self.lines.append(f"var {var} := {exprtk(node)};")
            node = ("id", var)
        self.memo[key] = node
        return node

    def name(self, mi, name):
        if name.startswith("base."):
            return self.name(0, name[5:]) if mi != 0 else self.name(mi, name[5:])
        if name in self.parameters:
            return ("id", name) if name in self.inputs else ("num", self.parameters[name])
        return self.entity(mi, name)

    def simple(self, mi, node):
        """A number or a variable: complex arguments get their own temporary."""
        if node[0] in ("num", "id"):
            return node
        self.temp += 1
        var = f"t{self.temp}"
        self.lines.append(f"var {var} := {exprtk(node)};")
        return ("id", var)

    def point(self, mi, text):
        try:
            return ("num", float(text))
        except ValueError:
            return self.name(mi, text.strip())

    def translate(self, mi, ast):
        kind = ast[0]
        if kind == "num":
            return ast
        if kind == "id":
            return self.name(mi, ast[1])
        if kind == "un":
            return fold(("un", ast[1], self.translate(mi, ast[2])))
        if kind == "bin":
            return fold(("bin", ast[1], self.translate(mi, ast[2]), self.translate(mi, ast[3])))
        fname, args = ast[1], ast[2]
        if fname == "active":
            return ("num", 1.0 if args[0][1] in self.active_processes[self.modes[mi]["id"]] else 0.0)
        if fname == "pwl":
            return self.pwl(mi, args[0][1], self.simple(mi, self.translate(mi, args[1])))
        if fname == "if":  # a constant condition: translate only the branch taken
            condition = self.translate(mi, args[0])
            if is_num(condition):
                return self.translate(mi, args[1] if condition[1] != 0 else args[2])
            return ("call", "if", [condition, self.translate(mi, args[1]), self.translate(mi, args[2])])
        return fold(("call", fname, [self.translate(mi, a) for a in args]))

    def pwl(self, mi, curve, x):
        """Linear interpolation clamped at the end points (TapeRunner::pwl)."""
        pts = [(self.point(mi, px), self.point(mi, py)) for px, py in self.curves[curve]]
        if is_num(x):
            xs = [p[0][1] for p in pts]
            if all(is_num(p[0]) for p in pts) and all(is_num(p[1]) for p in pts):
                ys = [p[1][1] for p in pts]
                if x[1] <= xs[0]:
                    return ("num", ys[0])
                if x[1] >= xs[-1]:
                    return ("num", ys[-1])
                i = next(i for i in range(1, len(xs)) if x[1] < xs[i])
                return ("num", ys[i - 1] + (ys[i] - ys[i - 1]) * (x[1] - xs[i - 1]) / (xs[i] - xs[i - 1]))

        def segment(i):  # y_{i-1} + (y_i - y_{i-1}) (x - x_{i-1}) / (x_i - x_{i-1})
            (x0, y0), (x1, y1) = pts[i - 1], pts[i]
            return fold(("bin", "+", y0, fold(("bin", "/", fold(("bin", "*", fold(("bin", "-", y1, y0)),
                                                                   fold(("bin", "-", x, x0)))),
                                                fold(("bin", "-", x1, x0))))))

        if len(pts) == 2:
            (x0, y0), (x1, y1) = pts
            clamped = fold(("call", "clamp", [x, x0, x1]))
            return fold(("bin", "+", y0, fold(("bin", "/", fold(("bin", "*", fold(("bin", "-", y1, y0)),
                                                                  fold(("bin", "-", clamped, x0)))),
                                               fold(("bin", "-", x1, x0))))))
        node = pts[-1][1]
        for i in range(len(pts) - 2, 0, -1):
            node = ("call", "if", [("bin", "<", x, pts[i][0]), segment(i), node])
        return ("call", "if", [("bin", "<=", x, pts[0][0]), pts[0][1], node])

    def nominal_inputs(self):
        return [self.parameters[name] for name in self.inputs]


IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def live_lines(lines):
    """Drops `var` statements no output depends on (branches folded away after translation)."""
    live, kept = set(), []
    for line in reversed(lines):
        target, expr = line.split(":=", 1)
        target = target.replace("var ", "").strip()
        if line.startswith("var ") and target not in live:
            continue
        live.update(IDENT.findall(expr))
        kept.append(line)
    return kept[::-1]


def ot_distribution(row):
    """The OpenTURNS marginal for one row of distributions/<case>.csv (kinds used by biomass)."""
    import openturns as ot

    num = lambda c: float(row[c])
    kind = row["dist"]
    if kind == "unif":
        return ot.Uniform(num("low"), num("high"))
    if kind == "triang":
        return ot.Triangular(num("low"), num("mode"), num("high"))
    if kind == "pert":  # Beta(1 + 4 (m - a)/(b - a), 1 + 4 (b - m)/(b - a)) on [a, b], as symbiomc's Pert
        a, m, b = num("low"), num("mode"), num("high")
        return ot.Beta(1 + 4 * (m - a) / (b - a), 1 + 4 * (b - m) / (b - a), a, b)
    if kind == "truncnorm":
        return ot.TruncatedNormal(num("mean"), num("sd"), num("low"), num("high"))
    if kind == "norm":
        return ot.Normal(num("mean"), num("sd"))
    if kind == "beta":
        return ot.Beta(num("alpha"), num("beta"), num("low"), num("high"))
    if kind == "logunif":
        return ot.LogUniform(math.log(num("low")), math.log(num("high")))
    raise ValueError(f"distribution kind {kind!r} of {row['parameter']} is not translated")

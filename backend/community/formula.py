"""A tiny, safe formula language for derived KPIs: numbers, KPI keys, + - * / and brackets.

Parsed by recursive descent into a tree and evaluated over a mapping of the firm's own
values; no ``eval``. A missing input or a division by zero gives ``None`` (no value).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([a-z][a-z0-9_]*)|(.))")


class FormulaError(ValueError):
    pass


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Ref:
    key: str


@dataclass(frozen=True)
class BinOp:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Neg:
    operand: Node


Node = Num | Ref | BinOp | Neg


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if m is None:  # pragma: no cover - the last alternative matches any character
            raise FormulaError(text)
        number, name, other = m.groups()
        if number is not None:
            out.append(("num", number))
        elif name is not None:
            out.append(("name", name))
        elif other is not None and other.strip():
            if other not in "+-*/()":
                raise FormulaError(f"unexpected {other!r}")
            out.append(("op", other))
        pos = m.end()
    return out


def parse(text: str) -> Node:
    if len(text) > 500:
        raise FormulaError("too long")
    tokens = _tokens(text)
    pos = 0

    def peek() -> tuple[str, str] | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal pos
        if pos >= len(tokens):
            raise FormulaError("unexpected end")
        pos += 1
        return tokens[pos - 1]

    def expr(depth: int) -> Node:
        if depth > 50:
            raise FormulaError("too deep")
        node = term(depth)
        while (t := peek()) is not None and t[1] in "+-" and t[0] == "op":
            take()
            node = BinOp(t[1], node, term(depth))
        return node

    def term(depth: int) -> Node:
        node = factor(depth)
        while (t := peek()) is not None and t[1] in "*/" and t[0] == "op":
            take()
            node = BinOp(t[1], node, factor(depth))
        return node

    def factor(depth: int) -> Node:
        kind, value = take()
        if kind == "num":
            return Num(float(value))
        if kind == "name":
            return Ref(value)
        if value == "-":
            return Neg(factor(depth + 1))
        if value == "(":
            node = expr(depth + 1)
            if take() != ("op", ")"):
                raise FormulaError("missing )")
            return node
        raise FormulaError(f"unexpected {value!r}")

    tree = expr(0)
    if pos != len(tokens):
        raise FormulaError("unexpected text at the end")
    return tree


def references(node: Node) -> set[str]:
    if isinstance(node, Ref):
        return {node.key}
    if isinstance(node, BinOp):
        return references(node.left) | references(node.right)
    if isinstance(node, Neg):
        return references(node.operand)
    return set()


def evaluate(node: Node, values: Mapping[str, float]) -> float | None:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Ref):
        return values.get(node.key)
    if isinstance(node, Neg):
        inner = evaluate(node.operand, values)
        return None if inner is None else -inner
    left, right = evaluate(node.left, values), evaluate(node.right, values)
    if left is None or right is None:
        return None
    if node.op == "+":
        return left + right
    if node.op == "-":
        return left - right
    if node.op == "*":
        return left * right
    return None if right == 0 else left / right

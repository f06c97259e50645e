"""TypeScript and Python source read with tree-sitter: literals as values that keep their offsets.

A CDK app writes its patterns as code: object literals (TypeScript), dict literals and keyword
calls (Python), helper calls (``Match.prefix("a")``), names bound elsewhere in the file. This
module turns a tree-sitter syntax node into a `Value`, a small tree the CDK reader (cdk.py) can
evaluate and write out as JSON without knowing which language it came from:

    source                                     Value
    -----------------------------------------  ----------------------------------------------
    { source: ["a"], "detail-type": x }        object: entries (key, key span, Value)
    ["a", ...rest]                             array: items (a spread is an `unknown` item)
    "a", 'a', `a`, r"a", "a" "b"               string: the decoded text, and its raw span
    1.5, -2, 0x10, 1_000                       number: the value as JavaScript prints it
    true, True, null, None                     literal: ``true``, ``false``, ``null``
    Match.prefix("a"), Foo(x=1)                call: dotted callee, positional and keyword args
    y, this.x, `a${b}`, f"{b}", 1 + 2          unknown: the source text

Every `Value` carries its ``start``/``end`` as character offsets of the user's file (tree-sitter
counts bytes; `Source` converts). A name bound once in the file (``const p = {...}``, ``p =
{...}``) is read as its bound value, so a pattern built in a variable is still found at its own
lines; a name bound twice or not at all is unknown.

tree-sitter and its grammars are an optional dependency (the ``cdk`` extra): they are imported
inside the functions that need them, and `available` says whether they are installed.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

__all__ = ["Entry", "Source", "Value", "available", "js_number", "parse_source"]


def available() -> bool:
    """tree-sitter and the TypeScript and Python grammars are installed."""
    try:
        # optional (the `cdk` extra): imported here so that pattern-lint runs without them
        import tree_sitter  # noqa: F401
        import tree_sitter_python  # noqa: F401
        import tree_sitter_typescript  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=4)
def _parser(language: str) -> Any:
    """A tree-sitter parser for ``typescript``, ``tsx`` or ``python`` (made once)."""
    # optional (the `cdk` extra): the caller checked `available` first
    import tree_sitter

    if language == "python":
        import tree_sitter_python

        grammar = tree_sitter_python.language()
    else:
        import tree_sitter_typescript

        grammar = (
            tree_sitter_typescript.language_tsx()
            if language == "tsx"
            else tree_sitter_typescript.language_typescript()
        )
    return tree_sitter.Parser(tree_sitter.Language(grammar))


@dataclass
class Entry:
    """One entry of an object, or one keyword argument of a call.

    ``key`` is None for a spread (``...x``, ``**x``): its `Value` is then the unknown spread.
    """

    key: str | None
    key_start: int
    key_end: int
    value: Value


@dataclass
class Value:
    """A literal (or what stands for one) read from the source; see the module's table.

    Attributes:
        kind: ``object``, ``array``, ``string``, ``number``, ``literal``, ``call`` or ``unknown``.
        start, end: character offsets of the node in the user's file.
        text: string: the decoded text; number: its JSON text; literal: ``true``/``false``/
            ``null``; call: the dotted callee (``events.Match.prefix``); unknown: the source.
        entries: object: its entries in order; call: its keyword arguments.
        items: array: its items; call: its positional arguments.
        raw: string: (start, end) of its content between the quotes, for embedded JSON text.
    """

    kind: str
    start: int
    end: int
    text: str = ""
    entries: list[Entry] = field(default_factory=list)
    items: list[Value] = field(default_factory=list)
    raw: tuple[int, int] | None = None

    @property
    def name(self) -> str:
        """A call's method or class name, lower case without underscores (``isequal``)."""
        return normalize(self.text.rsplit(".", 1)[-1]) if self.kind == "call" else ""

    @property
    def owner(self) -> str:
        """A call's receiver's last name, normalized (``filterrule`` for ``lambda_.FilterRule.is_equal``)."""
        parts = self.text.rsplit(".", 2)
        return normalize(parts[-2]) if self.kind == "call" and len(parts) > 1 else ""

    def get(self, key: str) -> Value | None:
        """The value of an entry whose normalized key is `key` (the last when repeated)."""
        found = None
        for e in self.entries:
            if e.key is not None and normalize(e.key) == key:
                found = e.value
        return found


def normalize(name: str) -> str:
    """A CDK name the same way in TypeScript and Python: ``detail_type``, ``detailType`` -> ``detailtype``."""
    return name.replace("_", "").lower()


def js_number(value: float) -> str:
    """The JSON text JavaScript's ``JSON.stringify`` writes for a number (what CDK synthesizes).

    ``1.0`` is ``1``, ``1e21`` is ``1e+21``, ``0.0000001`` is ``1e-7``; integers beyond 2**53 are
    rounded to the nearest double first, as JavaScript's numbers are doubles.
    """
    v = float(value)
    if v != v or v in (float("inf"), float("-inf")):
        return "null"
    if v == 0:
        return "0"
    sign = "-" if v < 0 else ""
    digits_tuple = Decimal(repr(abs(v))).normalize().as_tuple()
    digits = "".join(str(d) for d in digits_tuple.digits)
    k = len(digits)
    n = int(digits_tuple.exponent) + k  # the decimal point's place after the first digit
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    e = n - 1
    mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
    return f"{sign}{mantissa}e{'+' if e > 0 else '-'}{abs(e)}"


_TS_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def _ts_escape(raw: str) -> str:
    """The character(s) one TypeScript escape sequence stands for."""
    body = raw[1:]
    if body[:1] == "u":
        hexdigits = body[2:-1] if body[1:2] == "{" else body[1:5]
        return chr(int(hexdigits, 16))
    if body[:1] == "x":
        return chr(int(body[1:3], 16))
    if body[:1] in "\r\n":  # a line continuation
        return ""
    return _TS_ESCAPES.get(body[:1], body[:1])


class Source:
    """One TypeScript or Python file, parsed, with its names bound once and offset conversion."""

    def __init__(self, text: str, language: str) -> None:
        self.text = text
        self.language = language
        self.python = language == "python"
        data = text.encode("utf-8")
        self.tree = _parser(language).parse(data)
        # tree-sitter counts bytes; the user's file is counted in characters
        self._chars: list[int] | None = None
        if len(data) != len(text):
            self._chars = [i for i, ch in enumerate(text) for _ in range(len(ch.encode("utf-8")))]
            self._chars.append(len(text))
        self.bindings: dict[str, list[Any]] = {}
        self._collect_bindings()
        self._resolving: set[str] = set()

    # --- positions ---------------------------------------------------------------------------

    def offset(self, byte: int) -> int:
        """The character offset of a byte offset."""
        return byte if self._chars is None else self._chars[min(byte, len(self._chars) - 1)]

    def start(self, node: Any) -> int:
        """The character offset where a syntax node starts."""
        return self.offset(node.start_byte)

    def end(self, node: Any) -> int:
        """The character offset just past a syntax node."""
        return self.offset(node.end_byte)

    def source(self, node: Any) -> str:
        """A syntax node's text, whitespace folded."""
        return " ".join(self.text[self.start(node) : self.end(node)].split())

    # --- names -------------------------------------------------------------------------------

    def _collect_bindings(self) -> None:
        """Names bound in the file: ``const x = v`` / ``let x = v`` (TypeScript), ``x = v`` (Python)."""
        for node in self.walk():
            if node.type == "variable_declarator":
                name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
            elif node.type == "assignment":
                name, value = node.child_by_field_name("left"), node.child_by_field_name("right")
            else:
                continue
            if name is not None and name.type == "identifier":
                self.bindings.setdefault(name.text.decode("utf-8"), []).append(value)

    def walk(self) -> Any:
        """Every syntax node of the file, parents before children."""
        stack = [self.tree.root_node]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def callee(self, node: Any) -> str:
        """A call's dotted callee (``events.Match.prefix``); the text of other expressions."""
        return "".join(self.source(node).split())

    # --- values ------------------------------------------------------------------------------

    def value(self, node: Any) -> Value:
        """The `Value` of an expression node (see the module's table)."""
        node = self.unwrap(node)
        t = node.type
        s, e = self.start(node), self.end(node)
        if t in ("object", "dictionary"):
            return Value("object", s, e, entries=self._entries(node))
        if t in ("array", "list", "tuple"):
            items = [self.value(c) for c in node.named_children if c.type != "comment"]
            return Value("array", s, e, items=items)
        if t in ("string", "template_string", "concatenated_string"):
            return self._string(node)
        if t in ("number", "integer", "float"):
            return self._number(node, self.text[s:e], s, e)
        if t == "unary_expression" or t == "unary_operator":
            operand = node.child_by_field_name("argument")
            operator = node.child_by_field_name("operator")
            if (
                operand is not None
                and operand.type in ("number", "integer", "float")
                and operator is not None
            ):
                sign = operator.text.decode("utf-8")
                if sign in "-+":
                    return self._number(node, sign + self.text[self.start(operand) : self.end(operand)], s, e)
        if t in ("true", "false", "null"):
            return Value("literal", s, e, t)
        if t == "none":
            return Value("literal", s, e, "null")
        if t in ("call_expression", "new_expression", "call"):
            return self._call(node)
        if t in ("identifier", "shorthand_property_identifier"):
            bound = self._bound(node)
            if bound is not None:
                return bound
        return Value("unknown", s, e, self.source(node))

    def unwrap(self, node: Any) -> Any:
        """The expression under parentheses and TypeScript's type assertions (``as``, ``!``)."""
        while node.type in (
            "parenthesized_expression", "as_expression", "satisfies_expression",
            "non_null_expression", "type_assertion",
        ):  # fmt: skip
            inner = [c for c in node.named_children if c.type != "comment"]
            if not inner:
                break
            node = inner[0] if node.type != "type_assertion" else inner[-1]
        return node

    def _bound(self, node: Any) -> Value | None:
        """The value of a name bound exactly once in the file (not while reading that value)."""
        name = node.text.decode("utf-8")
        bound = self.bindings.get(name, [])
        if len(bound) != 1 or bound[0] is None or name in self._resolving:
            return None
        self._resolving.add(name)
        try:
            value = self.value(bound[0])
        finally:
            self._resolving.discard(name)
        return value if value.kind != "unknown" else None

    def _entries(self, node: Any) -> list[Entry]:
        out = []
        for child in node.named_children:
            if child.type == "pair":
                key_node = child.child_by_field_name("key")
                value_node = child.child_by_field_name("value")
                if key_node is None or value_node is None:
                    continue
                key = self.key_name(key_node)
                ks, ke = self.start(key_node), self.end(key_node)
                if key is None:  # a computed key (`[k]: v`, `{k: v}` in Python): unknown
                    whole = Value("unknown", self.start(child), self.end(child), self.source(child))
                    out.append(Entry(None, ks, ke, whole))
                else:
                    out.append(Entry(key, ks, ke, self.value(value_node)))
            elif child.type == "shorthand_property_identifier":  # `{ source }`
                s, e = self.start(child), self.end(child)
                out.append(Entry(child.text.decode("utf-8"), s, e, self.value(child)))
            elif child.type in ("spread_element", "dictionary_splat"):
                s, e = self.start(child), self.end(child)
                out.append(Entry(None, s, e, Value("unknown", s, e, self.source(child))))
        return out

    def key_name(self, node: Any) -> str | None:
        """An object key's name: an identifier, a string, a number; None when computed."""
        if node.type in ("property_identifier", "identifier") and not self.python:
            return str(node.text.decode("utf-8"))
        if node.type in ("string", "concatenated_string"):
            value = self._string(node)
            return value.text if value.kind == "string" else None
        if node.type in ("number", "integer", "float"):
            value = self._number(node, node.text.decode("utf-8"), 0, 0)
            return value.text if value.kind == "number" else None
        return None

    def _string(self, node: Any) -> Value:
        """A string literal's decoded text; one with substitutions is unknown."""
        s, e = self.start(node), self.end(node)
        if any(c.type in ("template_substitution", "interpolation") for c in node.named_children) or any(
            c.type == "interpolation" for part in node.named_children for c in part.named_children
        ):
            return Value("unknown", s, e, self.source(node))
        if self.python:
            try:
                decoded = ast.literal_eval(self.text[s:e])
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                return Value("unknown", s, e, self.source(node))
            if not isinstance(decoded, str):  # a bytes literal
                return Value("unknown", s, e, self.source(node))
            content = [c for c in node.children if c.type == "string_content"]
        else:
            parts = []
            for c in node.named_children:
                if c.type == "string_fragment":
                    parts.append(c.text.decode("utf-8"))
                elif c.type == "escape_sequence":
                    parts.append(_ts_escape(c.text.decode("utf-8")))
            decoded = "".join(parts)
            content = node.named_children
        raw = (self.start(content[0]), self.end(content[-1])) if content else (s + 1, s + 1)
        if self.python and content and node.type == "concatenated_string":
            raw = (self.start(node), e)
        return Value("string", s, e, decoded, raw=raw)

    def _number(self, node: Any, literal: str, s: int, e: int) -> Value:
        """A number literal as JavaScript's ``JSON.stringify`` writes it (CDK synthesizes that)."""
        cleaned = literal.replace("_", "").rstrip("nlLjJ")
        try:
            number: float | int = int(cleaned, 0)
        except ValueError:
            try:
                number = float(cleaned)
            except ValueError:
                return Value("unknown", s, e, literal)
        if re.search(r"[jJn]$", literal):  # a Python complex or a JavaScript bigint
            return Value("unknown", s, e, literal)
        return Value("number", s, e, js_number(number))

    def _call(self, node: Any) -> Value:
        """A call: its dotted callee, positional arguments and keyword arguments."""
        s, e = self.start(node), self.end(node)
        function = node.child_by_field_name("function") or node.child_by_field_name("constructor")
        arguments = node.child_by_field_name("arguments")
        call = Value("call", s, e, self.callee(function) if function is not None else "")
        for arg in arguments.named_children if arguments is not None else []:
            if arg.type == "comment":
                continue
            if arg.type == "keyword_argument":
                name = arg.child_by_field_name("name")
                value = arg.child_by_field_name("value")
                if name is not None and value is not None:
                    call.entries.append(
                        Entry(name.text.decode("utf-8"), self.start(name), self.end(name), self.value(value))
                    )
            elif arg.type in ("dictionary_splat", "list_splat", "spread_element"):
                a, b = self.start(arg), self.end(arg)
                unknown = Value("unknown", a, b, self.source(arg))
                if arg.type == "dictionary_splat":
                    call.entries.append(Entry(None, a, b, unknown))
                else:
                    call.items.append(unknown)
            else:
                call.items.append(self.value(arg))
        return call


def parse_source(text: str, language: str) -> Source:
    """Parse a TypeScript (``typescript``, ``tsx``) or Python (``python``) file.

    Raises:
        ImportError: tree-sitter or the grammar is not installed (check `available` first).
    """
    return Source(text, language)

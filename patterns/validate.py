"""AWS's rules for patterns, per dialect: source nodes in, pattern model out, AWS's reason on failure.

The walk follows the order in which AWS's rule compiler (event-ruler's JsonRuleCompiler, a
streaming reader) meets a pattern, so that when a pattern has several faults the one reported is
the one AWS reports: the first in document order, and inside one operator the first check AWS
makes. Every reason string here is AWS's text, character for character; where AWS's text is
unknown, the rule is written as event-ruler words it and marked so in tests.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from decimal import Decimal
from functools import lru_cache
from typing import NoReturn

from ._trampoline import Walk, run
from .dialects import EVENTBRIDGE_ANYTHING_BUT_OPERATORS, EVENTBRIDGE_OPERATORS, Dialect
from .model import (
    AnythingBut,
    Cidr,
    Equals,
    EqualsIgnoreCase,
    Exists,
    Field,
    Leaf,
    Literal,
    Matcher,
    NumberEquals,
    Numeric,
    Obj,
    Or,
    Prefix,
    Suffix,
    Wildcard,
)
from .netaddr import IPV4_SHAPE, IPV6_SHAPE, parse_ip
from .numbers import as_double, quantize
from .parse import JArray, JLiteral, JNode, JNumber, JObject, JString, Span
from .wildcards import WildcardSyntaxError, check_syntax, complexity

__all__ = ["LimitRejection", "Rejection", "validate"]

#: Field names that stop a ``$or`` from being read as ``$or`` (event-ruler's reserved words).
RESERVED_FIELD_NAMES = frozenset(
    {
        "exactly", "equals-ignore-case", "prefix", "suffix", "anything-but", "exists", "wildcard",
        "numeric", "cidr", "=", "<", "<=", ">", ">=", "regex", "not-wildcard", "not-equals-ignore-case",
        "date-after", "date-on-or-after", "date-before", "date-on-or-before", "in-date-range",
        "ip-address-in-range", "ip-address-not-in-range",
    }
)  # fmt: skip

_TOO_COMPLEX = (
    "Rule is too complex - try using fewer wildcard characters or fewer repeating character "
    "sequences after a wildcard character"
)
_AB_SHAPE = "Value of anything-but must be an array or single string/number value."
_AB_LIST = "Inside anything but list, start|null|boolean is not supported."
_AB_MIXED = "Inside anything but list, either all values are number or string, mixed type is not supported"


def _too_many_ors(cap: int) -> str:
    # The content-filtering page's limit; the text is the one this library has always given
    # (tests/unit/test_lambda_pipes.py pins it)
    return f"Too many combinations of $or, the maximum is {cap}"


_AB_IC_LIST = "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."


class Rejection(Exception):
    """A pattern fault: AWS's reason text and the node it is about.

    Attributes:
        reason: AWS's reason text.
        span: where the faulty node stands in the source, when the source is known.
        json_path: the JSON path of the faulty node.
        whole: True when `reason` is the whole message (SNS scope errors), not a reason to prefix.
    """

    def __init__(self, reason: str, span: Span | None, json_path: str, whole: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.span = span
        self.json_path = json_path
        self.whole = whole


class LimitRejection(Rejection):
    """A limit of the whole pattern exceeded (``$or`` combinations): no one node is at fault, so
    there is no position to find by walking the source again, and the reason is AWS's text."""


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@lru_cache(maxsize=8192)
def _key_path(json_path: str, key: str) -> str:
    if _PLAIN_KEY.fullmatch(key):
        return f"{json_path}.{key}"
    escaped = key.replace("\\", "\\\\").replace("'", "\\'")
    return f"{json_path}['{escaped}']"


def _token_text(node: JNode | None) -> str:
    """How Jackson's ``getText()`` shows the token a node starts with (AWS quotes it in reasons)."""
    if node is None:
        return "]"
    if isinstance(node, JString):
        return node.value
    if isinstance(node, JNumber):
        return node.text
    if isinstance(node, JLiteral):
        return {True: "true", False: "false", None: "null"}[node.value]
    return "{" if isinstance(node, JObject) else "["


class _Validator:
    """One validation walk; `dialect` decides what is accepted."""

    def __init__(self, dialect: Dialect) -> None:
        self.d = dialect
        # The first nested object met where the dialect forbids nesting. AWS (SNS attribute
        # scope) reads the whole policy first and refuses the nesting only once it is valid.
        self.nested_at: tuple[JObject, str] | None = None
        # ``$or`` combinations are counted as the walk goes (an object's count is the product of
        # its nested objects' and groups' counts, a group's the sum of its branches'), and every
        # count is at least 1, so any partial count past the cap proves the whole pattern's is:
        # the walk stops there, however many groups follow (10^5 groups are refused after
        # reading the first 1,001 branches, not all of them).
        self.or_cap = dialect.max_or_combinations

    def fail(self, reason: str, node: JNode | None, path: str, whole: bool = False) -> NoReturn:
        raise Rejection(self.d.reasons.get(reason, reason), getattr(node, "span", None), path, whole)

    def refuse_unsupported(self, form: str, node: JNode | None, path: str) -> None:
        """Refuse a part of EventBridge's language the dialect's service does not support.

        Only for dialects that word such parts themselves (`Dialect.unsupported`); the others
        (SNS) fall through to event-ruler's own text for the same fault.
        """
        if self.d.unsupported:
            self.fail(self.d.unsupported.format(form), node, path)

    # --- objects -----------------------------------------------------------------------------

    def root(self, node: JNode) -> Obj:
        if not isinstance(node, JObject):
            self.fail("Filter is not an object", node, "$")
        if not node.members and self.d.empty_root:
            return Obj((), (), node.span)
        obj, _ = run(self.obj(node, "$", depth=0))
        if self.nested_at is not None:
            value, here = self.nested_at
            self.fail(self.d.nested_error, value, here, whole=True)
        return obj

    # `obj` and `or_group` are walks (`patterns._trampoline`): nesting costs no stack.
    def obj(self, node: JObject, path: str, depth: int) -> Walk[tuple[Obj, int]]:
        """The object's model and its ``$or`` combinations (capped: see `or_cap`)."""
        fields: list[Field] = []
        ors: list[Or] = []
        count = 1
        for member in node.members:
            key, value = member.key, member.value
            here = _key_path(path, key)
            if key == "$or" and self.is_or(value):
                assert isinstance(value, JArray)
                if not self.d.allow_or:
                    self.refuse_unsupported("`$or`", value, here)
                group, n = yield self.or_group(value, path, depth)
                ors.append(group)
                if n > 1:
                    count = self.combined(count * n)
                continue
            if isinstance(value, JObject):
                if not self.d.nested and self.nested_at is None:
                    self.nested_at = (value, here)
                sub, n = yield self.obj(value, here, depth + 1)
                fields.append(Field(key, sub, member.key_span))
                if n > 1:
                    count = self.combined(count * n)
            elif isinstance(value, JArray):
                fields.append(Field(key, self.leaf(value, here), member.key_span))
            else:
                self.fail(f'"{key}" must be an object or an array', value, here)
        if not node.members:
            self.fail("Empty objects are not allowed", node, path)
        return Obj(tuple(fields), tuple(ors), node.span), count

    def combined(self, count: int) -> int:
        """A partial ``$or`` count; past the dialect's cap, the pattern is refused at once."""
        cap = self.or_cap
        if cap is not None and count > cap:
            # refused where the count is proven: a fault further on is not reported (whether AWS
            # counts before, during or after its other checks is not known)
            raise LimitRejection(_too_many_ors(cap), None, "$")
        return count

    def is_or(self, value: JNode) -> bool:
        """Whether a ``$or`` member is read as an OR (else it is an ordinary field name)."""
        if not isinstance(value, JArray) or len(value.items) < 2:
            return False
        return all(
            isinstance(item, JObject) and not item.has_key_in(RESERVED_FIELD_NAMES) for item in value.items
        )

    def or_group(self, node: JArray, path: str, depth: int) -> Walk[tuple[Or, int]]:
        """The group's model and its combinations: the sum of its branches' (capped)."""
        branches = []
        total = 0
        for index, item in enumerate(node.items):
            assert isinstance(item, JObject)
            branch, n = yield self.obj(item, f"{path}['$or'][{index}]", depth)
            branches.append(branch)
            total = self.combined(total + n)
        return Or(tuple(branches), node.span), total

    # --- value lists -------------------------------------------------------------------------

    def leaf(self, node: JArray, path: str) -> Leaf:
        matchers: list[Matcher] = []
        for index, item in enumerate(node.items):
            here = f"{path}[{index}]"
            if isinstance(item, JString):
                matchers.append(Equals(item.value, item.span))
            elif isinstance(item, JNumber):
                matchers.append(NumberEquals(self.literal_number(item), item.text, item.span))
            elif isinstance(item, JLiteral):
                matchers.append(Literal(item.value, item.span))
            elif isinstance(item, JObject):
                matchers.append(self.match_expression(item, here))
            else:
                self.fail("Match value must be String, number, true, false, or null", item, here)
        if not node.items:
            self.fail("Empty arrays are not allowed", node, path)
        return Leaf(tuple(matchers), node.span, path)

    def literal_number(self, node: JNumber) -> float:
        """A number in a value list: never rejected (AWS falls back to comparing its text)."""
        return quantize(as_double(node.value), self.d.number_decimals)

    def number(self, node: JNumber, path: str) -> float:
        """A number in a numeric expression or an anything-but: it must be an exact double."""
        value = as_double(node.value)
        if math.isinf(value) or Decimal(node.text) != Decimal(repr(value)):
            # event-ruler (1.8 and later) compares numbers as doubles and refuses one that a
            # double cannot hold exactly, rather than compare an approximation.
            self.fail(f"Cannot compare number : {node.text}", node, path)
        if not (self.d.numeric_min <= value <= self.d.numeric_max):
            self.fail(
                f"Value must be between {self.d.numeric_min} and {self.d.numeric_max}, inclusive", node, path
            )
        return quantize(value, self.d.number_decimals)

    def match_expression(self, node: JObject, path: str) -> Matcher:
        if not node.members:
            self.fail("Match expression name not found", node, path)
        first = node.members[0]
        op, operand = first.key, first.value
        here = _key_path(path, op)
        if op not in self.d.operators:
            if op in EVENTBRIDGE_OPERATORS:
                self.refuse_unsupported(f"Match type `{op}`", node, here)
            self.fail(f"Unrecognized match type {op}", node, here)
        matcher = getattr(self, "op_" + op.replace("-", "_"))(operand, here, node.span)
        if len(node.members) > 1:
            # event-ruler reads numeric and anything-but with one routine that words any extra
            # key as a numeric fault; AWS returns that text for both.
            reason = (
                "Too many elements in numeric expression"
                if op in ("numeric", "anything-but")
                else "Only one key allowed in match expression"
            )
            self.fail(reason, node.members[1].value, path)
        return matcher

    # --- operators (one method per match type; `span` is the whole match expression's) -------

    def string_operand(self, op: str, operand: JNode, path: str) -> str:
        if not isinstance(operand, JString):
            self.fail(f"{op} match pattern must be a string", operand, path)
        return operand.value

    def op_exactly(self, operand: JNode, path: str, span: Span | None) -> Matcher:
        return Equals(self.string_operand("exact", operand, path), span)

    def op_prefix(self, operand: JNode, path: str, span: Span | None) -> Matcher:
        if isinstance(operand, JObject) and self.affix_ignore_case("prefix", operand, path):
            return Prefix(self.ignore_case_operand("prefix", operand, path), True, span)
        return Prefix(self.string_operand("prefix", operand, path), False, span)

    def op_suffix(self, operand: JNode, path: str, span: Span | None) -> Matcher:
        if isinstance(operand, JObject) and self.affix_ignore_case("suffix", operand, path):
            return Suffix(self.ignore_case_operand("suffix", operand, path), True, span)
        return Suffix(self.string_operand("suffix", operand, path), False, span)

    def affix_ignore_case(self, op: str, node: JObject, path: str) -> bool:
        """Whether prefix/suffix read an object operand as ``{"equals-ignore-case": v}``."""
        if self.d.affix_ignore_case:
            return True
        if node.members and node.members[0].key == "equals-ignore-case":
            here = _key_path(path, "equals-ignore-case")
            self.refuse_unsupported(f"`{op}` with `equals-ignore-case`", node, here)
        return False

    def ignore_case_operand(self, op: str, node: JObject, path: str) -> str:
        """The ``{"equals-ignore-case": v}`` inside prefix or suffix."""
        if not node.members:
            self.fail(f"{op.capitalize()} expression name not found", node, path)
        key = node.members[0].key
        if key != "equals-ignore-case":
            self.fail(f"Unsupported {op} pattern: {key}", node, _key_path(path, key))
        value = self.string_operand("equals-ignore-case", node.members[0].value, path)
        if len(node.members) > 1:
            self.fail("Only one key allowed in match expression", node.members[1].value, path)
        return value

    def op_equals_ignore_case(self, operand: JNode, path: str, span: Span | None) -> Matcher:
        return EqualsIgnoreCase(self.string_operand("equals-ignore-case", operand, path), span)

    def op_wildcard(self, operand: JNode, path: str, span: Span | None) -> Matcher:
        value = self.string_operand("wildcard", operand, path)
        self.wildcard_syntax(value, operand, path)
        return Wildcard(value, span)

    def wildcard_syntax(self, value: str, node: JNode, path: str) -> None:
        try:
            check_syntax(value)
        except WildcardSyntaxError as exc:
            self.fail(str(exc), node, path)

    def op_exists(self, operand: JNode, path: str, span: Span | None) -> Matcher:
        if not (isinstance(operand, JLiteral) and isinstance(operand.value, bool)):
            self.fail("exists match pattern must be either true or false.", operand, path)
        return Exists(operand.value, span, needs_value=operand.value and self.d.exists_needs_value)

    def op_cidr(self, operand: JNode, path: str, span: Span | None) -> Matcher:
        # AWS words a non-string cidr operand as a prefix fault (event-ruler's text).
        text = self.string_operand("prefix", operand, path)
        version, low, high = self.cidr(text, operand, path)
        return Cidr(text, version, low, high, span)

    def cidr(self, text: str, node: JNode, path: str) -> tuple[int, int, int]:
        """(version, first, last address) of a cidr operand, checked in event-ruler's order."""
        parts = text.split("/")
        while len(parts) > 1 and parts[-1] == "":  # Java's split drops trailing empty parts
            parts.pop()
        if len(parts) != 2:
            self.fail("Malformed CIDR, one '/' required", node, path)
        address, mask_text = parts
        # Java's Integer.parseInt: at most 10 digits after leading zeros (and never int() of more)
        if (
            not re.fullmatch(r"[+-]?[0-9]+", mask_text)
            or len(mask_text.lstrip("+-").lstrip("0")) > 10
            or not -(2**31) <= int(mask_text) < 2**31
        ):
            self.fail("Malformed CIDR, mask bits must be an integer", node, path)
        mask = int(mask_text)
        if mask < 0:
            self.fail("Malformed CIDR, mask bits must not be negative", node, path)
        parsed = parse_ip(address)
        if parsed is None:
            shape_ok = IPV4_SHAPE.fullmatch(address) or IPV6_SHAPE.fullmatch(address)
            reason = "Invalid IP address: " if shape_ok else "Nonstandard IP address: "
            self.fail(reason + address, node, path)
        version, number = parsed
        # event-ruler rejects full-length masks (/32, /128): a single address is written as a
        # plain string value instead.
        if version == 4 and mask > 31:
            self.fail("IPv4 mask bits must be < 32", node, path)
        if version == 6 and mask > 127:
            self.fail("IPv6 mask bits must be < 128", node, path)
        width = 32 if version == 4 else 128
        host_bits = width - mask
        low = (number >> host_bits) << host_bits
        return version, low, low | ((1 << host_bits) - 1)

    def op_numeric(self, operand: JNode, path: str, span: Span | None) -> Matcher:
        if not isinstance(operand, JArray):
            self.fail("Value of numeric must be an array.", operand, path)
        items = list(operand.items)

        def at(i: int) -> JNode | None:
            return items[i] if i < len(items) else None

        def value_of(op: str, i: int) -> float:
            node = at(i)
            if not isinstance(node, JNumber):
                shown = "equals" if op == "=" else op
                self.fail(f"Value of {shown} must be numeric", node or operand, f"{path}[{i}]")
            return self.number(node, f"{path}[{i}]")

        first = at(0)
        if not isinstance(first, JString):
            self.fail(
                f"Invalid member in numeric match: {_token_text(first)}", first or operand, f"{path}[0]"
            )
        op = first.value
        if op == "=":
            v = value_of(op, 1)
            result = Numeric(v, True, v, True, span)
            extra_reason = "Too many elements in numeric expression"
        elif op in ("<", "<="):
            v = value_of(op, 1)
            result = Numeric(None, False, v, op == "<=", span)
            extra_reason = "Too many elements in numeric expression"
        elif op in (">", ">="):
            lower = value_of(op, 1)
            second = at(2)
            if second is None:
                return Numeric(lower, op == ">=", None, False, span)
            if not isinstance(second, JString):
                self.fail(f"Bad value in numeric range: {_token_text(second)}", second, f"{path}[2]")
            op2 = second.value
            if op2 not in ("<", "<="):
                self.fail(f"Bad numeric range operator: {op2}", second, f"{path}[2]")
            upper = value_of(op2, 3)
            if not lower < upper:
                self.fail("Bottom must be less than top", at(3), f"{path}[3]")
            result = Numeric(lower, op == ">=", upper, op2 == "<=", span)
            if len(items) > 4:
                self.fail("Too many terms in numeric range expression", items[4], f"{path}[4]")
            return result
        else:
            self.fail(f"Unrecognized numeric range operator: {op}", first, f"{path}[0]")
        if len(items) > 2:
            self.fail(extra_reason, items[2], f"{path}[2]")
        return result

    def op_anything_but(self, operand: JNode, path: str, span: Span | None) -> Matcher:
        kind = "values"
        here = path
        if isinstance(operand, JObject):
            if not operand.members:
                self.fail("Anything-But expression name not found", operand, path)
            first = operand.members[0]
            kind = first.key
            here = _key_path(path, kind)
            if kind not in self.d.anything_but_operators:
                if kind in EVENTBRIDGE_ANYTHING_BUT_OPERATORS:
                    self.refuse_unsupported(f"`anything-but` with `{kind}`", operand, here)
                self.fail(f"Unsupported anything-but pattern: {kind}", operand, here)
            inner = first.value
        else:
            inner = operand
        if kind != "values" and kind not in self.d.anything_but_operator_lists:
            # A dialect without the list form (SNS) reads the operand as one string, and words
            # any other operand as a type fault (recorded: {"prefix": false} on SNS).
            pass
        elif not isinstance(inner, (JArray, JString, JNumber)):
            self.fail(_AB_SHAPE, inner, here)
        if kind == "values":
            values = self.anything_but_values(inner, here)
        else:
            values = self.anything_but_strings(kind, inner, here)
        if isinstance(operand, JObject) and len(operand.members) > 1:
            self.fail("Too many elements in numeric expression", operand.members[1].value, path)
        return AnythingBut(kind, values, not isinstance(inner, JArray), span)

    def anything_but_values(self, node: JArray | JString | JNumber, path: str) -> tuple[str | float, ...]:
        """The operand of a plain anything-but: a string, a number, or a list of one kind of them."""
        if isinstance(node, JString):
            return (node.value,)
        if isinstance(node, JNumber):
            return (self.number(node, path),)
        values: list[str | float] = []
        for index, item in enumerate(node.items):
            here = f"{path}[{index}]"
            if isinstance(item, JString):
                values.append(item.value)
            elif isinstance(item, JNumber):
                values.append(self.number(item, here))
            else:
                self.fail(_AB_LIST, item, here)
        if not values or len({type(v) for v in values}) > 1:
            self.fail(_AB_MIXED, node, path)
        return tuple(values)

    def anything_but_strings(self, kind: str, node: JNode, path: str) -> tuple[str, ...]:
        """The operand of anything-but prefix / suffix / equals-ignore-case / wildcard."""
        type_reason = {
            "prefix": "prefix/suffix match pattern must be a string",
            "suffix": "prefix/suffix match pattern must be a string",
            "equals-ignore-case": _AB_IC_LIST,
            "wildcard": "wildcard match pattern must be a string",
        }[kind]
        if isinstance(node, JArray):
            if kind not in self.d.anything_but_operator_lists:
                self.fail(type_reason, node, path)
            items: list[tuple[JNode, str]] = [(item, f"{path}[{i}]") for i, item in enumerate(node.items)]
        else:
            items = [(node, path)]
        values = []
        for item, here in items:
            if not isinstance(item, JString):
                self.fail(type_reason, item, here)
            if kind in ("prefix", "suffix") and item.value == "":
                self.fail("Null prefix/suffix not allowed", item, here)
            if kind == "wildcard":
                self.wildcard_syntax(item.value, item, here)
            values.append(item.value)
        return tuple(values)


def _check_wildcard_complexity(obj: Obj, dialect: Dialect, fail) -> None:
    cap = dialect.wildcard_max_complexity
    if cap is None:
        return
    # Depth first in document order (the first fault is the one reported), without recursion:
    # a stack of iterators over each open object's fields, then its $or branches.
    stack = [_parts(obj)]
    while stack:
        part = next(stack[-1], None)
        if part is None:
            stack.pop()
        elif isinstance(part, Obj):
            stack.append(_parts(part))
        else:
            operands = [m.value for m in part.matchers if isinstance(m, Wildcard)]
            operands += [
                v
                for m in part.matchers
                if isinstance(m, AnythingBut) and m.kind == "wildcard"
                for v in m.values
            ]
            if operands and complexity(operands, limit=cap) > cap:  # type: ignore[arg-type]
                fail(_TOO_COMPLEX, part.span, part.json_path)


def _parts(obj: Obj) -> Iterator[Obj | Leaf]:
    for f in obj.fields:
        yield f.value
    for group in obj.ors:
        yield from group.branches


def validate(root: JNode, dialect: Dialect) -> Obj:
    """Check a parsed pattern against a dialect's rules and build its model.

    Args:
        root: the pattern's root node.
        dialect: the rules to apply.

    Returns:
        The pattern model.

    Raises:
        Rejection: the first fault AWS would report, with AWS's reason text.
    """
    obj = _Validator(dialect).root(root)

    def fail(reason: str, span: Span | None, path: str) -> NoReturn:
        raise Rejection(dialect.reasons.get(reason, reason), span, path)

    _check_wildcard_complexity(obj, dialect, fail)
    return obj

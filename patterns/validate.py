"""AWS's rules for patterns, per dialect: source nodes in, pattern model out, AWS's reason on failure.

The walk follows the order in which AWS's rule compiler (event-ruler's JsonRuleCompiler, a
streaming reader) meets a pattern, so that when a pattern has several faults the one reported is
the one AWS reports: the first in document order, and inside one operator the first check AWS
makes. Every reason string here is AWS's text, character for character; where AWS's text is
unknown, the rule is written as event-ruler words it and marked so in tests.

`validate_decoded` is the same walk over a decoded value for typical patterns, without source
nodes: it vouches for a pattern or hands it over to `validate`, and never words a fault itself.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any, NoReturn

from ._json import int_text
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
    make_equals,
    make_field,
    make_leaf,
    make_literal,
    make_obj,
)
from .netaddr import IPV4_SHAPE, IPV6_SHAPE, parse_ip
from .numbers import as_double, quantize
from .parse import JArray, JLiteral, JMember, JNode, JNumber, JObject, JString, Span
from .wildcards import WildcardSyntaxError, check_syntax, complexity

__all__ = ["LimitRejection", "Rejection", "validate", "validate_decoded"]

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
        # Whether a wildcard operand was met: only then is the pattern's complexity counted.
        self.wildcards = False
        # Object members met by the direct walk (`direct_root`), at any depth, and whether it
        # met a float or an integer of 15 digits or more (`validate_decoded` says why).
        self.members = 0
        self.long_numbers = False

    def fail(self, reason: str, node: JNode | None, path: str, whole: bool = False) -> NoReturn:
        raise Rejection(self.d.reasons.get(reason, reason), getattr(node, "span", None), path, whole)

    def fail_at(self, reason: str, span: Span | None, path: str) -> NoReturn:
        """`fail`, at a span (the wildcard complexity check reads the model, not nodes)."""
        raise Rejection(self.d.reasons.get(reason, reason), span, path)

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

    # --- the direct walk: decoded values, no source nodes (see `validate_decoded`) --------------
    # It mirrors `root`, `obj`, `or_group` and `leaf` for what they accept, and hands match
    # expressions to `match_expression` as nodes. It raises `_Indirect` where those would refuse,
    # or where it cannot be sure: tests/property/test_direct_walk.py holds the two walks equal.

    def direct_root(self, value: Any) -> Obj:
        """The model of a decoded pattern (see `validate_decoded`)."""
        if type(value) is not dict or not value:
            raise _Indirect  # (`root` words these, and SNS accepts `{}`)
        obj, _ = self.direct_obj(value, "$", 0)
        if self.wildcards:
            _check_wildcard_complexity(obj, self.d, self.fail_at)
        return obj

    def direct_obj(self, value: dict[Any, Any], path: str, depth: int) -> tuple[Obj, int]:
        """As `obj`, for a dict."""
        if depth > _DIRECT_DEPTH or not value:
            raise _Indirect
        self.members += len(value)
        fields: list[Field] = []
        ors: list[Or] = []
        count = 1
        for key, item in value.items():
            if type(key) is not str:
                raise _Indirect
            here = _key_path(path, key)
            kind = type(item)
            if kind is list:
                if key == "$or" and self.direct_is_or(item):
                    if not self.d.allow_or:
                        raise _Indirect
                    group, n = self.direct_or_group(item, path, depth)
                    ors.append(group)
                    if n > 1:
                        count = self.combined(count * n)
                    continue
                fields.append(make_field(key, self.direct_leaf(item, here), None))
            elif kind is dict:
                if not self.d.nested:
                    raise _Indirect
                sub, n = self.direct_obj(item, here, depth + 1)
                fields.append(make_field(key, sub, None))
                if n > 1:
                    count = self.combined(count * n)
            else:
                raise _Indirect
        return make_obj(tuple(fields), tuple(ors), None), count

    def direct_is_or(self, value: list[Any]) -> bool:
        """As `is_or`, for a list."""
        if self.or_cap is not None and len(value) > self.or_cap:
            # Refused by the count if it is a `$or`; left to the full walk, which reads no further
            # than the count's proof (reading all of 10^5 branches here first would double that).
            raise _Indirect
        return len(value) > 1 and all(type(item) is dict and not _has_key_in(item) for item in value)

    def direct_or_group(self, value: list[Any], path: str, depth: int) -> tuple[Or, int]:
        """As `or_group`, for a list of dicts."""
        branches = []
        total = 0
        for index, item in enumerate(value):
            branch, n = self.direct_obj(item, f"{path}['$or'][{index}]", depth + 1)
            branches.append(branch)
            total = self.combined(total + n)
        return Or(tuple(branches)), total

    def direct_leaf(self, value: list[Any], path: str) -> Leaf:
        """As `leaf`, for a list."""
        if len(value) == 1 and type(value[0]) is str:  # the most common value list: one string
            return make_leaf((make_equals(value[0], None),), None, path)
        if not value:
            raise _Indirect
        matchers: list[Matcher] = []
        for index, item in enumerate(value):
            kind = type(item)
            if kind is str:
                matchers.append(make_equals(item, None))
            elif kind is bool or item is None:
                matchers.append(make_literal(item, None))
            elif kind is int or kind is float:
                matchers.append(self.number_equals(self.direct_number(item)))
            elif kind is dict:
                matchers.append(self.match_expression(self.direct_object(item, 0), f"{path}[{index}]"))
            else:
                raise _Indirect
        return make_leaf(tuple(matchers), None, path)

    def direct_object(self, value: dict[Any, Any], depth: int) -> JObject:
        """A match expression (or a dict in its operand) as source nodes, counting its members."""
        if depth > _DIRECT_DEPTH:
            raise _Indirect
        self.members += len(value)
        members = []
        for key, item in value.items():
            if type(key) is not str:
                raise _Indirect
            members.append(JMember(key, self.direct_node(item, depth + 1)))
        return JObject(tuple(members))

    def direct_node(self, value: Any, depth: int) -> JNode:
        """A value in a match expression's operand as source nodes."""
        kind = type(value)
        if kind is dict:
            return self.direct_object(value, depth)
        if kind is list:
            if depth > _DIRECT_DEPTH:
                raise _Indirect
            return JArray(tuple([self.direct_node(item, depth + 1) for item in value]))
        if kind is str:
            return JString(value)
        if kind is bool or value is None:
            return JLiteral(value)
        return self.direct_number(value)

    def direct_number(self, value: Any) -> JNumber:
        """A decoded number as a `JNumber`, with its text as `patterns.core` gives it."""
        if type(value) is int:
            if not -_LONG < value < _LONG:
                self.long_numbers = True
            return JNumber(int_text(value), value)
        if type(value) is not float or not math.isfinite(value):  # NaN, a subclass: not JSON here
            raise _Indirect
        self.long_numbers = True
        return JNumber(repr(value), value)

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
                matchers.append(self.number_equals(item))
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

    def number_equals(self, node: JNumber) -> NumberEquals:
        """A number in a value list, as its matcher."""
        return NumberEquals(self.literal_number(node), node.text, node.span)

    def number(self, node: JNumber, path: str) -> float:
        """A number in a numeric expression or an anything-but: it must be an exact double."""
        raw = node.value
        value = as_double(raw)
        # (an integer within 2^53, or a text that is the double's own repr, is exact: the
        # decimal comparison is needed only for other texts)
        exact = (type(raw) is int and -_EXACT_INT <= raw <= _EXACT_INT) or node.text == repr(value)
        if not exact and (math.isinf(value) or Decimal(node.text) != Decimal(repr(value))):
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
        matcher = _OPERATOR_METHODS[op](self, operand, here, node.span)
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
        self.wildcards = True
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
        return Exists(operand.value, span, operand.value and self.d.exists_needs_value)

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
                self.wildcards = True
                self.wildcard_syntax(item.value, item, here)
            values.append(item.value)
        return tuple(values)


#: Each match type's method (`op_prefix` for "prefix"), for `_Validator.match_expression`.
_OPERATOR_METHODS = {op: getattr(_Validator, "op_" + op.replace("-", "_")) for op in EVENTBRIDGE_OPERATORS}

#: Levels the direct walk recurses (on the interpreter's stack) before it leaves a pattern to
#: the trampolined walk: typical patterns nest a few levels; Jackson allows 1,000.
_DIRECT_DEPTH = 32


class _Indirect(Exception):
    """The direct walk leaves the pattern to `validate` (see `validate_decoded`)."""


#: Every integer up to this (2^53) is a double exactly.
_EXACT_INT = 2**53

#: Integers from this on have 15 digits or more: their text may say more than a double holds.
_LONG = 10**14


def _has_key_in(value: dict[Any, Any]) -> bool:
    """As `JObject.has_key_in` with `RESERVED_FIELD_NAMES`, for a dict of plain dicts."""
    stack = [value]
    while stack:
        for key, item in stack.pop().items():
            if key in RESERVED_FIELD_NAMES:
                return True
            if type(item) is dict:
                stack.append(item)
            elif isinstance(item, Mapping):  # read as an object by `validate`: not here
                raise _Indirect
    return False


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
    validator = _Validator(dialect)
    obj = validator.root(root)
    if validator.wildcards:  # (else there is nothing to count)
        _check_wildcard_complexity(obj, dialect, validator.fail_at)
    return obj


def validate_decoded(value: Any, dialect: Dialect) -> tuple[Obj, int, bool] | None:
    """The model of a decoded pattern, by the direct walk, when that walk can vouch for it.

    The direct walk (`_Validator.direct_root`) reads plain dicts, lists and JSON scalars without
    making source nodes, recursing up to `_DIRECT_DEPTH` levels. It accepts only what `validate`
    accepts, and gives the model `validate` gives for the same value's nodes; it never refuses:
    anything else (a fault, a deeper nesting, a value JSON cannot hold, a dict subclass) gives
    None, and `validate` on the value's nodes decides, wording the fault as AWS does.

    Args:
        value: the decoded pattern (orjson's output, or a caller's dict).
        dialect: the rules to apply.

    Returns:
        (the model, how many object members the value holds at any depth, whether it holds a
        float or an integer of 15 digits or more), or None. For decoded text the last two are
        the caller's tests of the source: a repeated key is a member that decoding dropped,
        and a number the decoder may have rounded (`1e-400`, a long mantissa) is in one of
        those, since JSON writes a number with a point or an exponent only as a float.
    """
    validator = _Validator(dialect)
    try:
        obj = validator.direct_root(value)
    except (_Indirect, Rejection, RecursionError):
        # RecursionError: a caller already deep in its own stack; the trampolined walk needs none
        return None
    return obj, validator.members, validator.long_numbers

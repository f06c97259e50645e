"""Amazon SNS filter policies: attributes and bodies as events, and the limits SNS counts its way.

SNS filters one of two things, chosen by the subscription's ``FilterPolicyScope``:

    MessageAttributes (dialect "sns-attributes")        MessageBody (dialect "sns-body")
    {"store": {"DataType": "String",                    '{"order": {"kind": "premium"}}'
               "StringValue": "example_corp"},
     "price": {"DataType": "Number",                        |  JSON object, or no match
               "StringValue": "1200"},                      v
     "tags":  {"DataType": "String.Array",              {"order": {"kind": "premium"}}
               "StringValue": "[\\"a\\", \\"b\\"]"},
     "blob":  {"DataType": "Binary", ...}}
        |  one event key per compared attribute
        v
    {"store": "example_corp", "price": 1200, "tags": ["a", "b"]}

Both become an ordinary event for the one matcher every dialect shares, so nothing downstream
(the oracle, a compiled machine) knows about SNS. The typed attribute values are what make that
work: a ``Number`` attribute becomes a JSON number and a ``String`` one a JSON string, so a
string pattern never matches a Number attribute and ``numeric`` never matches a String one, as
SNS documents. Numbers on both sides are rounded to five decimal places, SNS's documented
accuracy (`patterns.numbers.quantize`, applied by the validator and by these decoders alike).

Limits (`check_limits`) are counted on the validated model, as the SNS constraints page and
AWS's recorded answers count them.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

import orjson

from ._json import compact_json
from ._trampoline import Walk, run
from .errors import InvalidEventError
from .events import check_tree, decode_event
from .model import Leaf, Obj, count_branches
from .numbers import quantize

__all__ = [
    "MAX_POLICY_BYTES",
    "attributes_to_event",
    "body_to_event",
    "check_limits",
    "combinations",
    "policy_keys",
    "policy_size",
]

#: The largest filter policy SNS stores: 256 KB (constraints page), as UTF-8 bytes of its JSON.
MAX_POLICY_BYTES = 256 * 1024

#: SNS's number accuracy: five digits after the decimal point (constraints page).
NUMBER_DECIMALS = 5

# A Number attribute's text: the decimal forms Java's BigDecimal reads (SNS numbers are decimals
# of up to 38 digits). No hex, no underscores, no NaN or Infinity, no surrounding blanks.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


# --- MessageAttributes -> event ------------------------------------------------------------------


def attributes_to_event(attributes: Any) -> dict | None:
    """The event SNS's attribute-scope filtering reads from a Publish ``MessageAttributes`` map.

    Each attribute becomes one top-level key, by its ``DataType`` (a custom label after the type,
    ``Number.float``, reads as the type itself):

    - ``String``: its ``StringValue`` as a string.
    - ``Number``: its ``StringValue`` as a number (int when written without a point or
      exponent), rounded to SNS's five decimal places.
    - ``String.Array``: its ``StringValue`` read as JSON, each element a value of the field
      (numbers rounded as above). Valid JSON that is not an array (``"100"``) is its single value,
      as moto reads it. Text that is not JSON (``"['a']"``) cannot be compared: the attribute is
      left out, so no value condition holds for it (LocalStack checked against AWS that such a
      value never matches).
    - ``Binary``: left out; SNS compares only String, String.Array and Number attributes.

    Decided where SNS is silent or unrecorded: a message with no attribute SNS compares (none at
    all, or Binary ones only) returns None: SNS's guide says ``{"exists": false}`` "only matches
    when at least one attribute is present", so such a message matches no policy but the empty
    one. Publish refuses the following, so they raise `InvalidEventError` rather than match:
    a map that is not a dict, a name that is not a string, an entry that is not a dict, a
    missing or non-string ``DataType``, a type outside Binary / Number / String, a missing
    ``StringValue`` for a String or Number type, and a Number whose value is not a decimal number
    (SNS documents Number values as numbers; SQS refuses the same with "Can't cast ...").

    Args:
        attributes: the ``MessageAttributes`` map, e.g.
            ``{"price": {"DataType": "Number", "StringValue": "1200"}}``.

    Returns:
        The event, or None when no attribute is compared.

    Raises:
        InvalidEventError: SNS Publish would refuse the attributes (see above).
    """
    if not isinstance(attributes, dict):
        got = type(attributes).__name__
        raise InvalidEventError(f"Expected `dict` of message attributes, got `{got}` - at `$`")
    event: dict[str, Any] = {}
    for name, entry in attributes.items():
        if not isinstance(name, str):
            raise InvalidEventError(f"Expected `str` attribute name, got `{type(name).__name__}` - at `$`")
        where = f"$.{name}"
        if not isinstance(entry, dict):
            got = type(entry).__name__
            raise InvalidEventError(f"Expected `dict` attribute value, got `{got}` - at `{where}`")
        data_type = entry.get("DataType")
        if not isinstance(data_type, str):
            raise InvalidEventError(
                f"Expected `str` DataType, got `{type(data_type).__name__}` - at `{where}.DataType`"
            )
        base = data_type.split(".", 1)[0]
        if base not in ("String", "Number", "Binary"):
            # Publish's own words for this fault.
            raise InvalidEventError(
                f"The message attribute '{name}' has an invalid message attribute type, "
                "the set of supported type prefixes is Binary, Number, and String."
            )
        if base == "Binary":
            continue
        text = entry.get("StringValue")
        if not isinstance(text, str) or not text:
            raise InvalidEventError(
                f"The message attribute '{name}' must contain non-empty message attribute value "
                f"for message attribute type '{data_type}'."
            )
        if base == "Number":
            event[name] = _number(str(text), f"{where}.StringValue")
        elif data_type == "String.Array":
            values = _string_array(text)
            if values is not _UNREADABLE:
                event[name] = values
        else:
            event[name] = str(text)  # a plain str, whatever subclass the caller used
    return event or None


_UNREADABLE = object()


# An integer of more digits is beyond a double's range (and past int()'s 4,300-digit limit).
_INT_DIGITS_THAT_MAY_FIT = 310


def _number(text: str, where: str) -> int | float:
    if not _NUMBER.fullmatch(text):
        raise InvalidEventError(f"Expected a number for a Number attribute, got `{text}` - at `{where}`")
    if "." not in text and "e" not in text and "E" not in text and len(text) <= _INT_DIGITS_THAT_MAY_FIT:
        return int(text)
    value = float(text)  # no digit limit; a value past a double's range becomes inf
    if value in (float("inf"), float("-inf")):
        raise InvalidEventError(f"Expected a number SNS can hold, got `{text}` - at `{where}`")
    return quantize(value, NUMBER_DECIMALS)


def _string_array(text: str) -> Any:
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return _UNREADABLE
    return _round_numbers(value)


def _round_numbers(value: Any) -> Any:
    """A decoded JSON value with every number rounded to SNS's decimal places (any depth)."""
    if type(value) is list and all(type(v) is str for v in value):
        return value  # the usual String.Array, of strings: nothing to round (orjson made it)
    return run(_rounded(value))


def _rounded(value: Any) -> Walk[Any]:
    if isinstance(value, float):
        return quantize(value, NUMBER_DECIMALS)
    if isinstance(value, (list, tuple)):
        out = []
        for v in value:
            out.append((yield _rounded(v)) if isinstance(v, (list, tuple, dict, float)) else v)
        return out
    if isinstance(value, dict):
        copy = {}
        for k, v in value.items():
            copy[k] = (yield _rounded(v)) if isinstance(v, (list, tuple, dict, float)) else v
        return copy
    return value


# --- MessageBody -> event -------------------------------------------------------------------------


def body_to_event(body: Any) -> dict | None:
    """The event SNS's body-scope filtering reads from a message body.

    A body is filtered only when it is a JSON object (AWS's recorded answers: plain text and a
    JSON string never match). Numbers are rounded to SNS's five decimal places.

    Args:
        body: the ``Message`` as text or UTF-8 bytes, or an already-decoded JSON value.

    Returns:
        The event, or None when the body is not a JSON object (not JSON, not UTF-8, an array, a
        string, ...): SNS then matches it against no policy but the empty one.

    Raises:
        InvalidEventError: `body` is none of text, bytes or a decoded JSON value.
    """
    if isinstance(body, dict):
        check_tree(body)  # a caller's object: NaN, tuples, cycles are refused before rounding
        return _round_numbers(body)
    if isinstance(body, (str, bytes, bytearray, memoryview)):
        try:
            return _round_numbers(decode_event(body))
        except InvalidEventError:
            return None
    if body is None or isinstance(body, (list, str, int, float, bool)):
        return None  # a decoded JSON value that is not an object
    got = type(body).__name__
    raise InvalidEventError(f"Expected `str`, `bytes` or a decoded JSON value, got `{got}` - at `$`")


# --- limits ----------------------------------------------------------------------------------------


def combinations(obj: Obj, depth: int = 1) -> int:
    """How many value combinations SNS counts in a policy (its "too complex" measure).

    Every value list counts its number of values times the depth of its key (1 at the top, 2 one
    level down, ...); the counts of one ``$or`` branch multiply, and ``$or`` branches add up.
    AWS's recorded answers pin it: 150 is accepted; 151, 152, 160 and 216 are refused.

        {"source": [3 values], "$or": [{"metricName": [6]},
                                       {"metricType": [4], "$or": [{"metricId": [4]}, {"spaceId": [7]}]}]}
        = 3 * (6 + 4 * (4 + 7)) = 150

    Args:
        obj: the validated policy.
        depth: the nesting depth of `obj` (1 for the whole policy).

    Returns:
        The number of combinations.
    """
    total = 1
    for f in obj.fields:
        if isinstance(f.value, Leaf):
            total *= len(f.value.matchers) * depth
        else:
            total *= combinations(f.value, depth + 1)
    for group in obj.ors:
        total *= sum(combinations(branch, depth) for branch in group.branches)
    return total


def policy_keys(obj: Obj) -> int:
    """The most top-level keys one ``$or`` branch of a policy uses (SNS's "5 keys" measure).

    Only top-level ("parent") keys count, as the constraints page says of nested policies; a
    top-level ``$or`` adds the keys of the branch taken. Callers bound the branch count first
    (`check_limits` does), since this expands the top-level ``$or`` groups.

    Args:
        obj: the validated policy.

    Returns:
        The largest number of distinct top-level keys in one branch.
    """
    return max(len(keys) for keys in _top_level_keys(obj))


def _top_level_keys(obj: Obj) -> list[frozenset[str]]:
    sets = [frozenset(f.key for f in obj.fields)]
    for group in obj.ors:
        alternatives = [keys for branch in group.branches for keys in _top_level_keys(branch)]
        sets = [a | b for a in sets for b in alternatives]
    return sets


def policy_size(source: Any) -> int:
    """A policy's size as SNS measures it: UTF-8 bytes of its JSON text (compact, for a dict).

    Args:
        source: the policy text, or a decoded policy.

    Returns:
        The size in bytes.
    """
    if isinstance(source, str):
        return len(source.encode("utf-8", "surrogatepass"))
    try:
        return len(orjson.dumps(source))
    except orjson.JSONEncodeError:  # deeper than orjson writes, a lone surrogate, a huge integer
        return len(compact_json(source).encode("utf-8", "surrogatepass"))


class Limits(Protocol):
    """What `check_limits` reads of a dialect (`patterns.dialects.Dialect` has both)."""

    @property
    def max_combinations(self) -> int | None: ...

    @property
    def max_keys(self) -> int | None: ...


def check_limits(obj: Obj, dialect: Limits, source: Any) -> str | None:
    """SNS's limits on a policy that is otherwise valid, checked in a fixed order.

    Order: size, then combinations, then keys. AWS's recordings have one fault each, so the order
    between them is our choice; combinations come before keys because counting keys expands the
    top-level ``$or`` groups, which the combination bound keeps small.

    Args:
        obj: the validated policy.
        dialect: supplies ``max_combinations`` and ``max_keys``.
        source: the policy as given (text or decoded), for its size (`policy_size`).

    Returns:
        AWS's reason for the first limit exceeded, or None. The size reason is ours: no AWS
        recording of it is known.
    """
    if source is not None and policy_size(source) > MAX_POLICY_BYTES:
        return "Filter policy is too large"
    if not obj.fields and not obj.ors:
        return None  # the empty policy
    cap = dialect.max_combinations
    # Every branch counts at least 1, so more branches than the cap is too complex already.
    if cap is not None and (count_branches(obj, cap) > cap or combinations(obj) > cap):
        return "Filter policy is too complex"
    if dialect.max_keys is not None and policy_keys(obj) > dialect.max_keys:
        return f"Filter policy can not have more than {dialect.max_keys} keys"
    return None

"""Dialects as data: which operators, forms and limits each AWS service applies to a pattern.

One validator (`patterns.validate`) reads these tables, so a new service (EventBridge Pipes,
Lambda event filtering) is a new `Dialect` value, not new code. Where AWS's documents disagree the
choice made is noted beside the value.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ._json import compact_json
from .bus import bus_to_event
from .errors import InvalidPatternError
from .events import decode_event
from .model import Obj
from .records import record_to_event
from .sns import attributes_to_event, body_to_event, check_limits

__all__ = [
    "BUS",
    "BUS_DATA",
    "BUS_DIALECTS",
    "BUS_METADATA",
    "DIALECTS",
    "EVENTBRIDGE",
    "LAMBDA",
    "PIPES",
    "SNS_ATTRIBUTES",
    "SNS_BODY",
    "Dialect",
    "check_pattern_length",
    "dialect_for_scope",
    "get_dialect",
]

#: `Dialect.limit_check`: (model, dialect, the pattern as given: text or dict) -> AWS's reason, or None.
LimitCheck = Callable[["Obj", "Dialect", Any], "str | None"]
#: `Dialect.input_decoder`: a service's input -> the event the matcher reads, or None when the
#: service would not evaluate the pattern against it at all (only an empty SNS policy lets it by).
InputDecoder = Callable[[Any], "dict | None"]

#: Every match type EventBridge knows, in the spelling AWS requires (operators are case-sensitive).
ALL_OPERATORS = frozenset(
    {"prefix", "suffix", "equals-ignore-case", "wildcard", "anything-but", "numeric", "exists", "cidr"}
)
#: Every match type EventBridge's compiler accepts: the documented ones and event-ruler's "exactly".
EVENTBRIDGE_OPERATORS = ALL_OPERATORS | {"exactly"}
#: The operators EventBridge accepts inside ``{"anything-but": {op: ...}}``.
EVENTBRIDGE_ANYTHING_BUT_OPERATORS = frozenset({"prefix", "suffix", "equals-ignore-case", "wildcard"})


@dataclass(frozen=True)
class Dialect:
    """What one AWS service accepts in a pattern, and how it words a rejection.

    Attributes:
        name: the dialect's name, as given to `patterns.compile(dialect=...)`.
        message_prefix: text before the reason in ``str(err)``.
        operators: match types accepted inside a value list.
        anything_but_operators: operators accepted in ``{"anything-but": {op: ...}}``.
        anything_but_operator_lists: those of them that also take a list of strings.
        nested: whether pattern objects may nest (SNS attribute policies may not).
        nested_error: the whole message for a nested object where `nested` is False.
        max_or_combinations: most branches ``$or`` may expand to (None: no limit).
        max_keys: most keys in a policy, counted as the service counts them (None: no limit).
        max_combinations: most value combinations (SNS "too complex"), None for no limit.
        numeric_min, numeric_max: the range of numbers accepted in numeric expressions.
        wildcard_max_complexity: the most matcher states one input can keep alive at once.
        syntax_prefix: text put before Jackson's reason for JSON syntax errors.
        whole_prefix: text before a reason that AWS words without `message_prefix` (SNS scope
            errors: ``Invalid parameter: Filter policy scope ...``).
        empty_root: whether ``{}`` is accepted as the whole pattern (SNS: a policy that filters
            nothing); nested ``{}`` stays an error.
        affix_ignore_case: whether prefix and suffix take ``{"equals-ignore-case": v}``.
        reasons: the dialect's wording of a reason, keyed by the reason `validate` words as
            event-ruler does (SNS says ``prefix match pattern ...`` where EventBridge says
            ``prefix/suffix match pattern ...``).
        number_decimals: numbers, in patterns and events alike, are compared after rounding to
            this many decimal places (SNS: 5); None compares full doubles.
        limit_check: the service's own limits on a valid pattern (SNS: keys, combinations, size),
            counted on the model; None for none.
        input_decoder: turns what the service filters (an SNS attributes map, a message body,
            a Lambda or Pipes source record) into the event the matcher reads; None decodes an
            event as EventBridge does.
        unsupported: the reason given when a pattern uses a part of EventBridge's language the
            service does not support, with ``{}`` where the part is named (``Match type
            `wildcard` is not supported by Lambda event filtering``). Empty: such a part is
            refused with event-ruler's own text (``Unrecognized match type wildcard``), as SNS
            does.
        max_pattern_length: the longest pattern text the service stores, in characters (None:
            no limit checked); see `check_pattern_length`.
        max_filters: how many filters (patterns OR'ed together) one event source mapping or
            pipe holds by default (None: the service has no such list).
        decoder_checks: `input_decoder` builds every value of the event itself, of JSON types
            only (plain str, int, float, bool, None, lists and dicts), whatever the caller
            passed: its events need no checking (see `decode_checked`).
        exists_needs_value: ``{"exists": true}`` holds only for a value that is neither null
            nor ``""`` (SNS message bodies); False: any value, null included (EventBridge).
        max_filters_quota: the most filters a raised quota allows (equal to `max_filters`
            when the limit cannot be raised).
        allow_or: whether ``$or`` is read as an OR (False: refused with `unsupported`, as the
            Custom Event Bus refuses it in a ``METADATA`` filter).
    """

    name: str
    message_prefix: str
    operators: frozenset[str]
    anything_but_operators: frozenset[str]
    anything_but_operator_lists: frozenset[str]
    nested: bool = True
    nested_error: str = ""
    max_or_combinations: int | None = None
    max_keys: int | None = None
    max_combinations: int | None = None
    numeric_min: float = -5.0e9
    numeric_max: float = 5.0e9
    wildcard_max_complexity: int | None = None
    syntax_prefix: str = ""
    whole_prefix: str = ""
    empty_root: bool = False
    affix_ignore_case: bool = True
    reasons: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), compare=False)
    number_decimals: int | None = None
    limit_check: LimitCheck | None = field(default=None, compare=False)
    input_decoder: InputDecoder | None = field(default=None, compare=False)
    unsupported: str = ""
    max_pattern_length: int | None = None
    max_filters: int | None = None
    max_filters_quota: int | None = None
    exists_needs_value: bool = False
    decoder_checks: bool = False
    allow_or: bool = True

    def message(self, reason: str) -> str:
        """The full first line AWS returns for `reason`."""
        return self.message_prefix + reason

    def decode(self, value: Any) -> dict | None:
        """Turn one input of this dialect's service into the event every matcher reads.

        Args:
            value: an EventBridge event (JSON bytes, text or dict), an SNS attributes map, an
                SNS message body, or a Lambda / Pipes source record, as the dialect expects.

        Returns:
            The event as a dict, or None when the service never evaluates a pattern against this
            input (an SNS body that is not a JSON object, a message without attributes): then
            only an empty SNS policy, which filters nothing, lets it through.

        Raises:
            InvalidEventError: the service would refuse the input itself.
        """
        if self.input_decoder is None:
            return decode_event(value)
        return self.input_decoder(value)

    def decode_checked(self, value: Any, decoder: InputDecoder | None = None) -> tuple[dict | None, bool]:
        """`decode`, and whether the event it gives holds only what a JSON decoder makes.

        Trust is decided by what the caller gave, never by what a decoder returned: an event
        decoded from text or bytes came out of a JSON decoder (and any converter after it
        keeps to JSON values), so it is trusted; any Python object the caller gave (a dict
        event, an SNS body, a source record) may hold NaN, tuples, cycles or non-string keys,
        even when a decoder copied it into a new dict, so matchers check it. The exception is
        a decoder that builds every value itself from checked parts (`decoder_checks`: the SNS
        attributes map, whose strings, numbers and parsed arrays are all the decoder's own).

        Args:
            value: as `decode` takes it.
            decoder: a function giving exactly what `input_decoder` gives, faster (the compiled
                twin's SNS readers), or None for `decode`.

        Returns:
            (the event or None, True when it needs no checking).

        Raises:
            InvalidEventError: as `decode`.
        """
        trusted = self.decoder_checks or isinstance(value, (bytes, bytearray, memoryview, str))
        return (self.decode(value) if decoder is None else decoder(value)), trusted


EVENTBRIDGE = Dialect(
    name="eventbridge",
    message_prefix="Event pattern is not valid. Reason: ",
    # "exactly" is event-ruler's explicit exact-string operator, accepted by its compiler.
    operators=EVENTBRIDGE_OPERATORS,
    anything_but_operators=EVENTBRIDGE_ANYTHING_BUT_OPERATORS,
    anything_but_operator_lists=EVENTBRIDGE_ANYTHING_BUT_OPERATORS,
    # The content-filtering page: more than 1,000 combinations is rejected.
    max_or_combinations=1000,
    # event-ruler since PR #188 (Sept 2024) accepts the whole double range; the 2022-23 user
    # guide said -5e9..5e9. No AWS recording pins either, so the wider, current engine wins.
    numeric_min=-1.7976931348623157e308,
    numeric_max=1.7976931348623157e308,
    # No public figure: event-ruler leaves the cap to its caller. 11 on `wildcards.complexity`
    # (which counts about one more than event-ruler's evaluator) accepts every wildcard AWS
    # accepted in the recorded cases (10 at most) and rejects the one it refused (13), and
    # matches the limit of 10 reported for the service.
    wildcard_max_complexity=11,
)

# --- Amazon SNS subscription filter policies ---------------------------------------------------
# SNS reads policies with event-ruler's compiler (its reasons are event-ruler's texts), with a
# smaller operator set, its own limits and its own message prefix. Subscribe words the prefix
# "Invalid parameter: Attributes Reason: FilterPolicy: "; we give SetSubscriptionAttributes' form.

#: Operators SNS accepts (the SNS developer guide; wildcard answers "Unrecognized match type").
SNS_OPERATORS = frozenset(
    {"prefix", "suffix", "equals-ignore-case", "anything-but", "numeric", "exists", "cidr"}
)

_SNS_COMMON: dict[str, Any] = {
    "message_prefix": "Invalid parameter: FilterPolicy: ",
    "whole_prefix": "Invalid parameter: ",
    "syntax_prefix": "failed to parse JSON. ",
    "operators": SNS_OPERATORS,
    # "anything-but": {"prefix": "x"} only, one string (AWS: "Unsupported anything-but pattern:
    # suffix" / "... exists"; the developer guide shows no list form).
    "anything_but_operators": frozenset({"prefix"}),
    "anything_but_operator_lists": frozenset(),
    # The developer guide documents no {"prefix": {"equals-ignore-case": ...}} form for SNS.
    "affix_ignore_case": False,
    "empty_root": True,  # "{}" is how SNS users remove filtering
    "reasons": MappingProxyType(
        {
            # recorded: {"anything-but": {"prefix": false}} -> "prefix match pattern must be a string"
            "prefix/suffix match pattern must be a string": "prefix match pattern must be a string",
            # event-ruler's range text, Java's double formatting (not recorded against SNS)
            "Value must be between -1000000000.0 and 1000000000.0, inclusive": (
                "Value must be between -1.0E9 and 1.0E9, inclusive"
            ),
        }
    ),
    # The constraints page: "-10^9 to 10^9 ... five digits of accuracy after the decimal point".
    "numeric_min": -1.0e9,
    "numeric_max": 1.0e9,
    "number_decimals": 5,
    "max_keys": 5,
    "max_combinations": 150,
    "limit_check": check_limits,
}

SNS_ATTRIBUTES = Dialect(
    name="sns-attributes",
    nested=False,
    nested_error="Filter policy scope MessageAttributes does not support nested filter policy",
    input_decoder=attributes_to_event,
    # attributes_to_event type-checks the map and builds each value itself (a plain str, a
    # parsed number, an orjson-parsed array): its events need no second check.
    decoder_checks=True,
    **_SNS_COMMON,
)

# The SNS "Key matching" page: for ``exists: true`` "the key must have a non-null and non-empty
# value". Read for the message-body scope only (an attribute always has a value; EventBridge keeps
# its own rule, where null and "" are present).
SNS_BODY = Dialect(name="sns-body", input_decoder=body_to_event, exists_needs_value=True, **_SNS_COMMON)

# --- AWS Lambda event source mappings and Amazon EventBridge Pipes ---------------------------------
# Both filter source records (SQS, Kinesis, DynamoDB Streams, Amazon MQ, Amazon MSK and
# self-managed Kafka) with EventBridge's pattern language: a `FilterCriteria` holds up to a few
# patterns, OR'ed (`patterns.filters.FilterCriteria`). What each service accepts of that language
# is data here. The rule for both: an operator is accepted when the service's documentation lists
# it as supported; one it does not list is refused with a reason naming the service, since a
# pattern AWS may refuse at deploy time (or silently read otherwise) is worth knowing about
# before then. Sources:
#   Lambda: "Control which events Lambda sends to your function" (filter rule syntax table) and
#     API_Filter / the CloudFormation FilterCriteria schema; ../shared/AWS-NOTES.md 1.2, 1.4.
#   Pipes: "Event filtering in Amazon EventBridge Pipes" and the EventBridge operators page's
#     "Pipe support" column; API_FilterCriteria / API_Filter of the Pipes reference.


def check_pattern_length(obj: Obj, dialect: Dialect, source: Any) -> str | None:
    """The service's cap on a pattern's length, as a `Dialect.limit_check`.

    Lambda's and Pipes' ``Filter.Pattern`` holds at most 4,096 characters (API_Filter of both
    API references). The text is measured as given; a pattern given as a dict is measured as its
    compact JSON (ours: the service only ever sees text).

    Args:
        obj: the validated pattern (unused: the length is the text's).
        dialect: supplies ``max_pattern_length``.
        source: the pattern as given, text or decoded.

    Returns:
        The reason, or None. The wording is ours: AWS's text for this fault is not recorded.
    """
    cap = dialect.max_pattern_length
    if cap is None or source is None:
        return None
    text = source if isinstance(source, str) else compact_json(source)
    if len(text) > cap:
        return f"Expected a pattern of at most {cap} characters, got {len(text)}"
    return None


_FILTERING_COMMON: dict[str, Any] = {
    # EventBridge's own numeric range and $or cap. Neither service documents either; the $or cap
    # also bounds the expansion a 4,096-character pattern could otherwise ask for (ours).
    "numeric_min": EVENTBRIDGE.numeric_min,
    "numeric_max": EVENTBRIDGE.numeric_max,
    "max_or_combinations": EVENTBRIDGE.max_or_combinations,
    "max_pattern_length": 4096,
    "limit_check": check_pattern_length,
    "input_decoder": record_to_event,
}

#: Lambda's filter rule syntax table lists: null, empty, equals, equals (ignore case), and, or,
#: not (anything-but on a value or a list of values), numeric (equals and range), exists, does
#: not exist, begins with (prefix) and ends with (suffix). Not listed, so refused: wildcard,
#: anything-but with an operator, prefix/suffix with equals-ignore-case, and event-ruler's
#: "exactly". cidr is not listed either, but it is accepted: AWS's own public sample templates
#: (aws-samples serverless patterns) deploy Lambda filters that use it, and a refusal AWS does
#: not make would lose users a working filter (AWS-NOTES marks it "?", unknown). The 2022 page (awsdocs/aws-lambda-developer-guide) listed begins with but not ends
#: with or equals (ignore case), which is why AWS-NOTES marks those two "verify"; the current
#: page lists them, as emulators that follow it also read it (fakecloud's Lambda filter
#: module). "$or" is accepted: it is EventBridge syntax that Lambda says it shares, not a match
#: type; AWS-NOTES records it as "not listed", so this choice is unverified.
LAMBDA_OPERATORS = frozenset(
    {"prefix", "suffix", "equals-ignore-case", "anything-but", "numeric", "exists", "cidr"}
)

LAMBDA = Dialect(
    name="lambda",
    # AWS answers every invalid pattern with this one sentence (InvalidParameterValueException on
    # CreateEventSourceMapping / UpdateEventSourceMapping; AWS-NOTES 1.4, and as users report it
    # from CloudFormation). It names no reason; we add event-ruler's after "Reason: " (ours), so
    # str(err) begins with AWS's whole text.
    message_prefix="Invalid filter pattern definition. Reason: ",
    operators=LAMBDA_OPERATORS,
    anything_but_operators=frozenset(),
    anything_but_operator_lists=frozenset(),
    affix_ignore_case=False,
    unsupported="{} is not supported by Lambda event filtering",
    # "By default, you can define up to five different filters for a single event source mapping
    # ... you can request a quota increase for up to 10 filters" (Lambda filtering page).
    max_filters=5,
    max_filters_quota=10,
    **_FILTERING_COMMON,
)

#: The EventBridge operators page's "Pipe support" column: yes for prefix and suffix (with or
#: without equals-ignore-case), equals-ignore-case, anything-but on values, numeric, exists and
#: "$or"; no for wildcard and for anything-but with prefix, suffix, equals-ignore-case or
#: wildcard. cidr has no row in that table (AWS-NOTES marks it "?"): accepted, as for Lambda,
#: whose filters (the same language, the same poller family) are seen using it in AWS's samples.
PIPES_OPERATORS = frozenset(
    {"prefix", "suffix", "equals-ignore-case", "anything-but", "numeric", "exists", "cidr"}
)

PIPES = Dialect(
    name="pipes",
    # Pipes' own text for an invalid filter pattern is not recorded; this prefix is ours,
    # modelled on EventBridge's "Event pattern is not valid. Reason: ".
    message_prefix="Filter pattern is not valid. Reason: ",
    operators=PIPES_OPERATORS,
    anything_but_operators=frozenset(),
    anything_but_operator_lists=frozenset(),
    affix_ignore_case=True,
    unsupported="{} is not supported by EventBridge Pipes filtering",
    # API_FilterCriteria: "Filters ... Maximum number of 5 items"; not adjustable.
    max_filters=5,
    max_filters_quota=5,
    **_FILTERING_COMMON,
)

DIALECTS: dict[str, Dialect] = {d.name: d for d in (EVENTBRIDGE, SNS_ATTRIBUTES, SNS_BODY, LAMBDA, PIPES)}

# --- The EventBridge Custom Event Bus (eventbridgev2): subscriber filters ---------------------------
# A subscriber's FilterConfiguration holds 1 to 50 filters, each a Scope and a Pattern of at most
# 4,096 characters (API_FilterConfiguration, API_Filter); all are ANDed. Sources: the user guide's
# "Filtering events for a subscriber" (eb-custom-bus-filtering): "Subscriber filters do not
# support wildcard matching"; DATA and SYSTEM_METADATA "support every event pattern operator except
# wildcards"; METADATA "matches exact values only: every value in the pattern must be a JSON array
# of exact values, and $or and operators such as prefix, numeric, exists ... are not supported".
# AWS's error texts for these refusals are not recorded anywhere we found: the `unsupported`
# wordings and the message prefix (EventBridge's own) are ours. See docs/bus.md.

_BUS_COMMON: dict[str, Any] = {
    "message_prefix": EVENTBRIDGE.message_prefix,
    "numeric_min": EVENTBRIDGE.numeric_min,
    "numeric_max": EVENTBRIDGE.numeric_max,
    "max_or_combinations": EVENTBRIDGE.max_or_combinations,
    "max_pattern_length": 4096,  # API_Filter: Pattern "Maximum length of 4096"
    "limit_check": check_pattern_length,
}

#: The patterns of ``DATA`` and ``SYSTEM_METADATA`` filters, each read against its part alone (a
#: JSON object): EventBridge's language without wildcards.
BUS_DATA = Dialect(
    name="bus-data",
    operators=EVENTBRIDGE_OPERATORS - {"wildcard"},
    anything_but_operators=EVENTBRIDGE_ANYTHING_BUT_OPERATORS - {"wildcard"},
    anything_but_operator_lists=EVENTBRIDGE_ANYTHING_BUT_OPERATORS - {"wildcard"},
    unsupported="{} is not supported by subscriber filters",  # ours (see above)
    **_BUS_COMMON,
)

#: The patterns of ``METADATA`` filters: exact values only, on a flat map of strings.
BUS_METADATA = Dialect(
    name="bus-metadata",
    operators=frozenset(),
    anything_but_operators=frozenset(),
    anything_but_operator_lists=frozenset(),
    allow_or=False,
    # "every value in the pattern must be a JSON array of exact values": no nested object.
    nested=False,
    nested_error=EVENTBRIDGE.message_prefix + "METADATA filters match exact values only: "
    "each value must be an array of exact values",  # ours
    unsupported="{} is not supported by METADATA filters, which match exact values only",  # ours
    **_BUS_COMMON,
)

#: A subscriber's filters as one rule over the bus event's three parts (`patterns.bus`): what a
#: `patterns.Machine` of dialect ``"bus"`` holds. Its rules are built from `BUS_DATA` and
#: `BUS_METADATA` patterns already checked, so the length cap is the filters', not the rule's.
BUS = Dialect(
    name="bus",
    operators=BUS_DATA.operators,
    anything_but_operators=BUS_DATA.anything_but_operators,
    anything_but_operator_lists=BUS_DATA.anything_but_operator_lists,
    unsupported=BUS_DATA.unsupported,
    input_decoder=bus_to_event,
    **{**_BUS_COMMON, "max_pattern_length": None, "limit_check": None},
)

#: The Custom Event Bus dialects. Kept apart from `DIALECTS` (whose dialects read EventBridge
#: events, SNS inputs and source records) so that what iterates those is unchanged;
#: `get_dialect` finds both.
BUS_DIALECTS: dict[str, Dialect] = {d.name: d for d in (BUS, BUS_DATA, BUS_METADATA)}


def get_dialect(name: str | Dialect) -> Dialect:
    """Look a dialect up by name.

    Args:
        name: a dialect name (``"eventbridge"``, ...) or a `Dialect`.

    Returns:
        The dialect.

    Raises:
        ValueError: no dialect of that name.
    """
    if isinstance(name, Dialect):
        return name
    try:
        return DIALECTS[name] if name in DIALECTS else BUS_DIALECTS[name]
    except (KeyError, TypeError):
        known = ", ".join(f"`{n}`" for n in sorted({**DIALECTS, **BUS_DIALECTS}))
        raise ValueError(f"Expected a dialect name ({known}), got `{name}`") from None


def dialect_for_scope(scope: str | None) -> Dialect:
    """The dialect for a subscription's ``FilterPolicyScope``, refusing values SNS refuses.

    Args:
        scope: ``"MessageAttributes"``, ``"MessageBody"``, or None (SNS's default, attributes).

    Returns:
        `patterns.dialects.SNS_ATTRIBUTES` or `patterns.dialects.SNS_BODY`.

    Raises:
        InvalidPatternError: any other value; ``str(err)`` is SNS's message.
    """
    if scope is None or scope == "MessageAttributes":
        return SNS_ATTRIBUTES
    if scope == "MessageBody":
        return SNS_BODY
    reason = f"Invalid value [{scope}]. Please use either MessageBody or MessageAttributes"
    raise InvalidPatternError(f"Invalid parameter: FilterPolicyScope: {reason}", reason, path="$")

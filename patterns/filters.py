"""`FilterCriteria`: the filters of a Lambda event source mapping or an EventBridge pipe, as one
object that says which records pass and why.

The records themselves (what a filter reads of an SQS, Kinesis, DynamoDB, Kafka or MQ record) are
`patterns.records`'; the patterns are compiled and matched by a `Machine` of dialect ``"lambda"``
or ``"pipes"`` whose input decoder is the record reader.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from .core import Pattern, compile
from .dialects import Dialect, get_dialect
from .errors import InvalidPatternError
from .machine import Machine
from .model import Leaf
from .records import MESSAGE_FIELDS, READERS, SOURCES, record_to_event

__all__ = ["FilterCriteria"]


_JSON_PATTERN_MISMATCH = [{"prefix": ""}, None]  # the record holds plain text (or non-UTF-8: null)
_PLAIN_PATTERN_MISMATCH = [{"exists": False}, None]  # the record holds a JSON object (or null)


class FilterCriteria:
    """The filters of one event source mapping or pipe: a record passes when any filter matches.

        criteria = FilterCriteria({"Filters": [{"Pattern": '{"body": {"RequestCode": ["BBBB"]}}'}]})
        criteria.matches(sqs_message)   # -> True / False

    Built from the API's ``{"Filters": [{"Pattern": "..."}]}`` (``{}`` or no filters: nothing is
    filtered out) or from a plain list of patterns. The number of filters is checked against the
    service's quota: Lambda 5 per event source mapping, raisable to 10 (pass ``quota=10``); Pipes
    5. Each pattern is validated as `patterns.compile` does for the dialect.

    With a `source`, records are read as that source's (see the module docs) and two rules of the
    filtering pages' format tables that depend on the pattern as well as the record apply:

    - Kinesis and DynamoDB: a pattern on the message field (``data``, ``dynamodb``) must be JSON
      (an object): a value list there is refused, as AWS refuses it at create time.
    - Kafka and MQ: where the record's message field and the pattern's disagree in format (JSON
      object against plain text, or a message that is not UTF-8), the filter is evaluated on the
      other fields only, instead of dropping the record. Only a top-level message field is
      considered (not one inside ``$or`` or spelt with a dot).

    Without a source, records are recognised by shape and a format mismatch drops the record,
    as it does for SQS, Kinesis and DynamoDB.

    A `patterns.Machine` of the same dialect holds criteria as rules: `add_to` adds one rule per
    effective pattern, named ``"<name>#<i>"``; a record passes the criteria when
    ``machine.match(record)`` lists any of the names `add_to` returned. Criteria without filters
    add no rule (they filter nothing out).

    Attributes:
        dialect: the `Dialect` (``lambda`` or ``pipes``).
        source: the source name, or None.
        patterns: the compiled filters, in order.
    """

    def __init__(
        self,
        filters: Mapping | Iterable,
        *,
        dialect: str | Dialect = "lambda",
        source: str | None = None,
        quota: int | None = None,
    ) -> None:
        """Validate a mapping's or pipe's filters.

        Args:
            filters: ``{"Filters": [{"Pattern": text}, ...]}``, or a list of patterns (JSON
                text, UTF-8 bytes, decoded dicts, ``{"Pattern": text}`` entries or `Pattern`
                objects of the dialect).
            dialect: ``"lambda"`` (the default) or ``"pipes"``.
            source: one of `SOURCES`, or None to recognise each record by its shape.
            quota: the filters allowed per mapping (Lambda: 5 by default, at most 10 after a
                quota increase); None takes the service's default.

        Raises:
            InvalidPatternError: a pattern the service would refuse (``err.filter_index`` says
                which filter), or more filters than the quota allows.
            ValueError: a dialect without filter lists, an unknown source, or a quota beyond
                what the service allows.
        """

        d = get_dialect(dialect)
        if d.max_filters is None:
            raise ValueError(f"Expected a dialect with filter criteria (`lambda`, `pipes`), got `{d.name}`")
        if source is not None and source not in SOURCES:
            known = ", ".join(f"`{s}`" for s in SOURCES)
            raise ValueError(f"Expected a source ({known}), got `{source}`")
        allowed = d.max_filters if quota is None else quota
        ceiling = d.max_filters_quota or d.max_filters
        if not 0 < allowed <= ceiling:
            raise ValueError(f"Expected a quota of 1 to {ceiling} filters for `{d.name}`, got `{quota}`")
        self.dialect = d
        self.source = source
        items = _filter_items(filters)
        if len(items) > allowed:
            service = "Lambda event source mapping" if d.name == "lambda" else "pipe"
            reason = f"Expected at most {allowed} filters per {service}, got {len(items)}"
            raise InvalidPatternError(f"{reason} - at `$.Filters`", reason, path="$.Filters")
        compiled: list[Pattern] = []
        for index, item in enumerate(items):
            if isinstance(item, Pattern):
                if item.dialect.name != d.name:
                    raise ValueError(f"Expected a pattern of dialect `{d.name}`, got `{item.dialect.name}`")
                compiled.append(item)
            else:
                try:
                    compiled.append(compile(item, dialect=d))
                except InvalidPatternError as err:
                    raise _at_filter(err, index) from None
        self.patterns: tuple[Pattern, ...] = tuple(compiled)
        for index, p in enumerate(self.patterns):
            self._check_message_format(p, index)
        self._effective: tuple[Pattern, ...] = tuple(v for p in self.patterns for v in self._variants(p))
        # `matches` runs the Machine engine on the effective patterns, with the dialect reading
        # records as this criteria's source does.

        reader = record_to_event if source is None else READERS[source]
        self._machine = Machine(dialect=replace(d, input_decoder=reader))
        for i, p in enumerate(self._effective):
            self._machine.add(f"#{i}", p)

    def _check_message_format(self, p: Pattern, index: int) -> None:
        """Kinesis and DynamoDB refuse a message-field pattern that is not JSON (create time)."""

        if self.source not in ("kinesis", "dynamodb"):
            return
        for f in p.model.fields:
            if f.key in MESSAGE_FIELDS[self.source] and isinstance(f.value, Leaf):
                # The filtering pages' words for this case; the message prefix is the dialect's.
                reason = "The filter pattern for data properties must be in a valid JSON format"
                err = InvalidPatternError(self.dialect.message(reason), reason, path=f"$.{f.key}")
                raise _at_filter(err, index)

    def _variants(self, p: Pattern) -> list[Pattern]:
        """The pattern, plus for Kafka and MQ the forms that apply on a format mismatch.

        A variant is ours, not the user's text: it is compiled without the length cap (its
        stand-in condition may be longer than the condition it replaces).
        """

        variants = [p]
        if self.source not in ("kafka", "mq"):
            return variants
        uncapped = replace(self.dialect, max_pattern_length=None)
        for f in p.model.fields:
            if f.key not in MESSAGE_FIELDS[self.source]:
                continue
            stand_in = _PLAIN_PATTERN_MISMATCH if isinstance(f.value, Leaf) else _JSON_PATTERN_MISMATCH
            for v in list(variants):
                changed = v.to_json()
                changed[f.key] = stand_in
                variants.append(compile(changed, dialect=uncapped))
        return variants

    # -- matching --

    def read(self, record: Any) -> dict:
        """The event this criteria's filters read from a record (see `record_to_event`)."""
        return record_to_event(record, self.source)

    def matches(self, record: Any) -> bool:
        """Whether a record passes: True when any filter matches it, or when there is none.

        Args:
            record: the record as the poller delivers it (base64 fields still encoded), as a
                dict, JSON text or JSON bytes.

        Returns:
            Whether the service would hand the record to the function or target.

        Raises:
            InvalidEventError: the record is not a JSON object, or a base64 field does not decode.
        """
        if not self.patterns:
            return True
        return bool(self._machine.match(record))

    # -- a Machine holding the criteria --

    def rule_names(self, name: str) -> tuple[str, ...]:
        """The names `add_to` gives this criteria's rules under `name`."""
        return tuple(f"{name}#{i}" for i in range(len(self._effective)))

    def add_to(self, machine: Machine, name: str) -> tuple[str, ...]:
        """Add the criteria to a machine as rules ``"<name>#0"``, ``"<name>#1"``, ...

        A record passes the criteria when ``machine.match(record)`` lists any returned name. The
        machine reads records by shape (`detect_source`), so give them as the poller does.

        Args:
            machine: a `Machine` of this criteria's dialect.
            name: the criteria's name, the prefix of its rules' names.

        Returns:
            The rule names added (none for criteria without filters, which filter nothing out).

        Raises:
            ValueError: a machine of another dialect.
        """
        if machine.dialect.name != self.dialect.name:
            raise ValueError(
                f"Expected a machine of dialect `{self.dialect.name}`, got `{machine.dialect.name}`"
            )
        names = self.rule_names(name)
        for rule, p in zip(names, self._effective, strict=True):
            machine.add(rule, p)
        return names

    def remove_from(self, machine: Machine, name: str) -> None:
        """Remove the rules `add_to` added under `name` (KeyError when one is missing)."""
        for rule in self.rule_names(name):
            machine.remove(rule)

    # -- the API form --

    def to_json(self) -> dict:
        """The criteria as the API takes it: ``{"Filters": [{"Pattern": text}, ...]}``."""
        filters = []
        for p in self.patterns:
            text = p.source
            if text is None:
                text = json.dumps(p.to_json(), ensure_ascii=False, separators=(",", ":"))
            filters.append({"Pattern": text})
        return {"Filters": filters}

    def __len__(self) -> int:
        return len(self.patterns)

    def __repr__(self) -> str:
        source = f", source={self.source!r}" if self.source else ""
        return f"FilterCriteria({len(self.patterns)} filters, dialect={self.dialect.name!r}{source})"


def _filter_items(filters: Mapping | Iterable) -> list:
    """The patterns of a ``{"Filters": [...]}`` mapping or of a plain list."""
    if isinstance(filters, Mapping):
        if set(filters) - {"Filters"}:
            keys = ", ".join(f"`{k}`" for k in filters)
            raise ValueError(f"Expected a FilterCriteria mapping with `Filters` only, got {keys}")
        items = filters.get("Filters") or []
    elif isinstance(filters, (str, bytes, bytearray)):
        raise ValueError("Expected a FilterCriteria mapping or a list of patterns, got one pattern")
    else:
        items = filters
    out = []
    for item in items:
        if isinstance(item, Mapping) and set(item) == {"Pattern"} and isinstance(item["Pattern"], str):
            item = item["Pattern"]  # an API Filter entry
        out.append(item)
    return out


def _at_filter(err: InvalidPatternError, index: int) -> InvalidPatternError:
    """The same error, marked with the index of the filter it is about (``err.filter_index``)."""
    err.filter_index = index  # type: ignore[attr-defined]
    return err

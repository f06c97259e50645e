"""`SubscriberFilter`: the ``FilterConfiguration`` of a Custom Event Bus subscriber, validated as
AWS validates it, and matched as one rule over the bus event's three parts.

A configuration holds 1 to 50 filters, each a ``Scope`` (``DATA``, ``METADATA``,
``SYSTEM_METADATA``) and a ``Pattern``; an event reaches the subscriber when it matches every
filter (`patterns.bus` says what each scope reads). The filters are compiled one by one, each in
its scope's dialect (``bus-data`` for ``DATA`` and ``SYSTEM_METADATA``, ``bus-metadata`` for
``METADATA``), and then joined into one `Pattern` of dialect ``bus`` over the event
`patterns.bus.bus_to_event` builds:

    DATA {"detail": {"amount": [{"numeric": [">", 500]}]}}     {"Data": {"detail": {"amount": ...}},
    METADATA {"tenant": ["acme"]}                         ──►    "DataReadable": [true],
                                                                 "Metadata": {"tenant": ["acme"]}}

That joined pattern is what `SubscriberFilter.matches` runs and what a `patterns.Machine` of
dialect ``bus`` holds per subscriber: one automaton for every subscriber and scope.

Several filters on one scope are allowed by the API (1 to 50 filters, no rule per scope; the
subscribers page says "at most one filter per scope": docs/bus.md). They AND: the second ``DATA``
filter reads the data under the name ``Data#2``, the third ``Data#3``, and so on, so that two
filters on one path stay two conditions (a pattern holds one value list per path).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from .bus import DATA_READABLE, MAX_FILTERS, SCOPE_KEYS, SCOPES, bus_to_event, read_bus_event, scope_key
from .core import Pattern, compile
from .dialects import BUS, BUS_DATA, BUS_METADATA, Dialect
from .errors import InvalidPatternError
from .explain import Explanation
from .model import Field, Leaf, Literal, Obj

__all__ = ["FilterResult", "SubscriberExplanation", "SubscriberFilter", "bus_dialect", "copies_of"]

#: FilterConfiguration.Language: "Valid Values: EVENT_BRIDGE_PATTERN" (the default).
LANGUAGE = "EVENT_BRIDGE_PATTERN"

#: Each scope's pattern dialect.
SCOPE_DIALECTS: dict[str, Dialect] = {"DATA": BUS_DATA, "METADATA": BUS_METADATA, "SYSTEM_METADATA": BUS_DATA}

_KEY_SCOPES = {key: scope for scope, key in SCOPE_KEYS.items()}
_GUARD = Field(DATA_READABLE, Leaf((Literal(True),), None, f"$.{DATA_READABLE}"))


def bus_dialect(copies: tuple[int, int, int]) -> Dialect:
    """The ``bus`` dialect reading each scope's part under `copies` names (see `patterns.bus`)."""
    if copies == (1, 1, 1):
        return BUS
    return replace(BUS, input_decoder=partial(bus_to_event, copies=copies))


def copies_of(pattern: Pattern) -> tuple[int, int, int]:
    """Under how many names a joined pattern reads each scope's part (DATA, METADATA,
    SYSTEM_METADATA), at least 1: what a machine holding it must give every event."""
    counts = dict.fromkeys(SCOPES, 1)
    for f in pattern.model.fields:
        base, _, copy = f.key.partition("#")
        scope = _KEY_SCOPES.get(base)
        if scope is not None and copy.isdigit():
            counts[scope] = max(counts[scope], int(copy))
    return (counts["DATA"], counts["METADATA"], counts["SYSTEM_METADATA"])


@dataclass(frozen=True)
class FilterResult:
    """One filter of a configuration, checked against one event.

    Attributes:
        index: the filter's place in ``Filters``.
        scope: its scope.
        matched: whether it matches the event.
        explanation: `Pattern.explain` of its pattern on the event's part, or None when the
            event has no part this filter can read (see `note`).
        note: why there is no explanation.
    """

    index: int
    scope: str
    matched: bool
    explanation: Explanation | None
    note: str = ""

    def __str__(self) -> str:
        head = f"filter {self.index} ({self.scope}): {'matches' if self.matched else 'no match'}"
        if self.explanation is None:
            return f"{head}\n  {self.note}"
        body = str(self.explanation).splitlines()
        return "\n".join([head, *("  " + line for line in body)])


@dataclass(frozen=True)
class SubscriberExplanation:
    """Whether a subscriber receives an event, filter by filter.

    Attributes:
        matched: the verdict of `SubscriberFilter.matches`: every filter matches.
        filters: one `FilterResult` per filter, in the configuration's order.
    """

    matched: bool
    filters: tuple[FilterResult, ...]

    def __bool__(self) -> bool:
        """The verdict."""
        return self.matched

    def __str__(self) -> str:
        if not self.filters:
            return "match: the subscriber has no filters and receives every event"
        failing = sum(not f.matched for f in self.filters)
        head = (
            f"match: all {len(self.filters)} filters match"
            if self.matched
            else f"no match: {failing} of {len(self.filters)} filters fail"
        )
        return "\n".join([head, *(str(f) for f in self.filters)])


class SubscriberFilter:
    """A subscriber's ``FilterConfiguration``: which bus events reach its target.

        f = SubscriberFilter({"Filters": [{"Scope": "DATA", "Pattern": '{"total": [{"numeric": [">", 500]}]}'}]})
        f.matches({"Data": b'{"total": 900}',
                   "SystemMetadata": {"ContentType": "application/json", "aws:DeliveryType": "LIVE"}})  # True

    ``None`` or ``{}`` (no FilterConfiguration) lets every event through. Each pattern is
    validated in its scope's dialect; the configuration itself as the API checks it (1 to 50
    filters, known scopes, ``Language`` ``EVENT_BRIDGE_PATTERN``).

    Attributes:
        filters: ``(scope, Pattern)`` per filter, in order.
        pattern: the filters joined into one `Pattern` of dialect ``bus`` (see the module docs).
        copies: under how many names each scope's part is read (DATA, METADATA, SYSTEM_METADATA).
    """

    def __init__(self, configuration: Mapping[str, Any] | str | bytes | bytearray | None = None) -> None:
        """Validate a filter configuration.

        Args:
            configuration: ``{"Filters": [{"Scope": ..., "Pattern": ...}, ...], "Language":
                "EVENT_BRIDGE_PATTERN"}`` as a mapping or as its JSON text; each ``Pattern`` is
                JSON text (as the API takes it), UTF-8 bytes or a decoded dict. None or ``{}``:
                no filtering.

        Raises:
            InvalidPatternError: a configuration or pattern AWS would refuse. Pattern faults
                carry AWS's text where recorded (the pattern dialects' notes say which), and
                ``err.filter_index`` names the filter; configuration faults are worded by us
                (AWS's texts for them are not recorded), with ``err.path``.
        """
        if isinstance(configuration, (str, bytes, bytearray)):
            try:
                configuration = json.loads(configuration)
            except ValueError as exc:
                raise _config_error(f"Expected a FilterConfiguration as JSON, got {exc}", "$") from None
        filters: list[tuple[str, Pattern]] = []
        for index, scope, source in _entries(configuration):
            try:
                filters.append((scope, compile(source, dialect=SCOPE_DIALECTS[scope])))
            except InvalidPatternError as err:
                err.filter_index = index  # type: ignore[attr-defined]
                raise
        self.filters: tuple[tuple[str, Pattern], ...] = tuple(filters)
        model, self.copies = _join(self.filters)
        self.pattern = Pattern(model, bus_dialect(self.copies))

    # -- matching --

    def matches(self, event: Any) -> bool:
        """Whether a bus event reaches the subscriber: it matches every filter.

        Args:
            event: ``{"Data": ..., "Metadata": {...}, "SystemMetadata": {...}}`` (see
                `patterns.bus.read_bus_event`).

        Returns:
            True when every filter matches (always, without filters).

        Raises:
            InvalidEventError: not a valid bus event.
        """
        return self.pattern.matches(event)

    def explain(self, event: Any) -> SubscriberExplanation:
        """Why a bus event reaches the subscriber or not, filter by filter (`Pattern.explain`
        of each filter on the part of the event its scope reads).

        Args:
            event: as `matches` takes it.

        Returns:
            A `SubscriberExplanation`; its verdict is `matches`'.

        Raises:
            InvalidEventError: not a valid bus event.
        """
        verdict = self.pattern.matches(event)  # first: it refuses what the machine refuses
        bus = read_bus_event(event)
        results = []
        for index, (scope, pattern) in enumerate(self.filters):
            part = bus.part(scope)
            if part is None:
                note = (
                    f"the event has no data a DATA filter can read (ContentType `{bus.system['ContentType']}`)"
                    if scope == "DATA"
                    else "the event has no Metadata (a PutEvents event, or none was given)"
                )
                results.append(FilterResult(index, scope, False, None, note))
                continue
            explanation = pattern.explain(part)
            results.append(FilterResult(index, scope, explanation.matched, explanation))
        # `verdict` is the joined rule's; each filter's, read alone, agree with it (the property
        # tests hold them equal), but for data whose top-level "" key event-ruler reads into no
        # path (docs/bus.md), where the verdict stays the rule's.
        return SubscriberExplanation(verdict, tuple(results))

    # -- the API form --

    def to_json(self) -> dict[str, Any]:
        """The configuration as the API takes it (``{}`` for no filters)."""
        if not self.filters:
            return {}
        out = []
        for scope, p in self.filters:
            text = p.source
            if text is None:
                text = json.dumps(p.to_json(), ensure_ascii=False, separators=(",", ":"))
            out.append({"Scope": scope, "Pattern": text})
        return {"Filters": out, "Language": LANGUAGE}

    def __len__(self) -> int:
        return len(self.filters)

    def __repr__(self) -> str:
        scopes = ", ".join(scope for scope, _ in self.filters)
        return f"SubscriberFilter({len(self.filters)} filters: {scopes or 'none'})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (SubscriberFilter, (self.to_json(),))


def _config_error(reason: str, path: str) -> InvalidPatternError:
    # Configuration faults: house wording (AWS's ValidationException texts are not recorded).
    return InvalidPatternError(f"{reason} - at `{path}`", reason, path=path)


def _entries(configuration: Any) -> list[tuple[int, str, Any]]:
    """(index, scope, pattern source) of each filter, after the API's checks of the shape."""
    if configuration is None:
        return []
    if not isinstance(configuration, Mapping):
        raise _config_error(
            f"Expected a FilterConfiguration `object`, got `{type(configuration).__name__}`", "$"
        )
    if not configuration:
        return []  # API_FilterConfiguration: an empty FilterConfiguration clears the filter
    for key in configuration:
        if key not in ("Filters", "Language"):
            raise _config_error(f"Expected `Filters` or `Language`, got `{key}`", "$")
    language = configuration.get("Language", LANGUAGE)
    if language != LANGUAGE:
        raise _config_error(f"Expected `Language` `{LANGUAGE}`, got `{language}`", "$.Language")
    filters = configuration.get("Filters")
    if not isinstance(filters, (list, tuple)):
        # "Any non-empty shape (including {Language:X} without Filters) must contain a valid
        # Filters list" (API_FilterConfiguration).
        got = "nothing" if filters is None else f"`{type(filters).__name__}`"
        raise _config_error(f"Expected a `Filters` list, got {got}", "$.Filters")
    if not 1 <= len(filters) <= MAX_FILTERS:
        raise _config_error(f"Expected 1 to {MAX_FILTERS} filters, got {len(filters)}", "$.Filters")
    out = []
    for index, entry in enumerate(filters):
        here = f"$.Filters[{index}]"
        if not isinstance(entry, Mapping) or set(entry) != {"Scope", "Pattern"}:
            got = (
                ", ".join(f"`{k}`" for k in entry)
                if isinstance(entry, Mapping)
                else f"`{type(entry).__name__}`"
            )
            raise _config_error(f"Expected a filter with `Scope` and `Pattern`, got {got or 'nothing'}", here)
        scope = entry["Scope"]
        if scope not in SCOPE_KEYS:
            known = ", ".join(f"`{s}`" for s in SCOPES)
            raise _config_error(f"Expected a Scope ({known}), got `{scope}`", f"{here}.Scope")
        out.append((index, scope, entry["Pattern"]))
    return out


def _join(filters: tuple[tuple[str, Pattern], ...]) -> tuple[Obj, tuple[int, int, int]]:
    """The filters as one pattern object over the bus event, and the copies it reads."""
    fields: list[Field] = []
    seen = dict.fromkeys(SCOPES, 0)
    for scope, pattern in filters:
        seen[scope] += 1
        fields.append(Field(scope_key(scope, seen[scope]), pattern.model))
    if seen["DATA"]:
        fields.append(_GUARD)
    copies = (max(1, seen["DATA"]), max(1, seen["METADATA"]), max(1, seen["SYSTEM_METADATA"]))
    return Obj(tuple(fields)), copies

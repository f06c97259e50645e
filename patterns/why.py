"""Why a pattern matches none (or few) of many events: `Pattern.explain` folded over an archive.

`aggregate(pattern, events)` matches every event first (the pattern's own automaton, cheap) and
explains only the events it does not match. Per condition of each branch it counts the events
that failed it and the values those events held at its path:

    0 of 1,200,000 events matched
      `detail.eventName` failed on all of them: needs ["DeleteBucket"]; seen: DeleteObject 41%,
        PutObject 33%, GetObject 20%, ListObjects 4%, (absent) 2%  (one line)

Memory is bounded whatever the archive: the report holds one counter per condition, and each
counter tracks at most `capacity` distinct values (`TopValues`, a Misra-Gries summary), so a
path with millions of distinct values (request ids) costs the same as one with five.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .core import Pattern, PatternSource, compile
from .errors import InvalidEventError

__all__ = [
    "ABSENT",
    "OBJECT",
    "Aggregator",
    "BranchWhy",
    "ConditionWhy",
    "TopValues",
    "WhyReport",
    "aggregate",
]


class _Marker(str):
    """`ABSENT` and `OBJECT` in `ConditionWhy.seen`: strings for display, told apart from an
    event's string values by identity (``value is ABSENT``)."""

    __slots__ = ()


#: The value counted for an event that has no value at a condition's path.
ABSENT = _Marker("(absent)")
#: The value counted for an event whose field at a condition's path holds an object.
OBJECT = _Marker("(object)")

# A counted value: (tag, value), so that 1, 1.0, true and "1" stay apart (True == 1 in a dict).
# Tags: "s" string, "n" number, "b" boolean, "z" null, "a" absent, "o" object.
_Key = tuple[str, Any]
_ABSENT_KEY: _Key = ("a", None)
_OBJECT_KEY: _Key = ("o", None)


def _key(value: Any) -> _Key:
    if value is None:
        return ("z", None)
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, (int, float)):
        return ("n", value)
    return ("s", value)


class TopValues:
    """The most frequent values of a stream, in memory bounded by `capacity` (Misra-Gries).

    Holds at most ``2 * capacity`` counters. When a new value finds them all taken, every
    counter is lowered by the ``capacity + 1``-th largest count and the counters at zero or
    below are dropped (the batched form of Misra and Gries' "decrement all"): amortised O(1)
    per value, one sort per `capacity` new values. Invariants: a count never exceeds the true
    count, and undercounts it by at most `error` (the sum of the amounts taken off), which is
    at most ``total / (capacity + 1)``; any value more frequent than that is kept. While no
    counter has been lowered (fewer distinct values than ``2 * capacity``) the counts are exact.

    Not thread-safe: one writer (`add`), readers after it is done.
    """

    __slots__ = ("capacity", "counts", "error", "total")

    def __init__(self, capacity: int = 64) -> None:
        """Create an empty summary.

        Args:
            capacity: how many values are guaranteed to be tracked (at least 1).

        Raises:
            ValueError: `capacity` is below 1.
        """
        if capacity < 1:
            raise ValueError(f"Expected `capacity` of at least 1, got `{capacity}`")
        self.capacity = capacity
        self.counts: dict[Any, int] = {}
        self.total = 0
        self.error = 0  # how much any count may fall short of the true count

    @property
    def exact(self) -> bool:
        """Whether every count is the true count (no counter was ever lowered)."""
        return self.error == 0

    def add(self, value: Any, count: int = 1) -> None:
        """Count `value` (any hashable) `count` more times.

        Args:
            value: the value seen.
            count: how many times it was seen (positive).
        """
        self.total += count
        counts = self.counts
        if value in counts:
            counts[value] += count
            return
        counts[value] = count
        if len(counts) > 2 * self.capacity:
            self._reduce()

    def merge(self, other: TopValues) -> None:
        """Add another summary's counts to this one (Misra-Gries summaries merge by adding).

        Args:
            other: a summary of another part of the stream.
        """
        for value, count in other.counts.items():
            self.counts[value] = self.counts.get(value, 0) + count
        self.total += other.total
        self.error += other.error
        if len(self.counts) > 2 * self.capacity:
            self._reduce()

    def _reduce(self) -> None:
        ordered = sorted(self.counts.values(), reverse=True)
        cut = ordered[self.capacity]  # the (capacity + 1)-th largest count
        self.error += cut
        self.counts = {v: c - cut for v, c in self.counts.items() if c > cut}

    def top(self, n: int) -> list[tuple[Any, int]]:
        """The `n` values with the largest counts, largest first (ties in first-seen order).

        Args:
            n: how many.

        Returns:
            (value, count) pairs; counts are lower bounds of the true counts (see `error`).
        """
        return sorted(self.counts.items(), key=lambda item: -item[1])[:n]


@dataclass(frozen=True)
class ConditionWhy:
    """One condition of one branch, over every event the pattern did not match.

    Attributes:
        path: the dotted field path (``detail.eventName``).
        expected: the condition's value list, as JSON.
        failed: how many of the unmatched events failed it.
        seen: the most frequent values the failing events held at `path`, as (value, count)
            pairs, largest first; the value is a JSON scalar, `ABSENT` or `OBJECT` (an event
            with several values there, through arrays, counts once per distinct value).
        exact: whether the counts in `seen` are exact (else lower bounds, off by at most
            `error`).
        error: how far a count in `seen` may fall short (0 when exact).
    """

    path: str
    expected: list[Any]
    failed: int
    seen: tuple[tuple[Any, int], ...]
    exact: bool
    error: int


@dataclass(frozen=True)
class BranchWhy:
    """One branch (an AND of conditions; a pattern without ``$or`` has one).

    Attributes:
        conditions: each condition's account, in the pattern's order.
        together: events where every condition held on its own but not together (values from
            different elements of one array).
    """

    conditions: tuple[ConditionWhy, ...]
    together: int


@dataclass(frozen=True)
class WhyReport:
    """Why a pattern matched what it matched over many events.

    Attributes:
        pattern: the pattern, as JSON.
        events: how many events were read (matched or not; invalid ones excluded).
        matched: how many matched.
        invalid: how many could not be read as events (`InvalidEventError`), not counted in
            `events`.
        unfiltered: events the service does not filter (SNS inputs without attributes or a
            non-object body), counted in `events`.
        branches: per branch of the pattern, its conditions over the unmatched events.
        shown: how many values `render` and `to_json` show per condition.
    """

    pattern: dict[str, Any]
    events: int
    matched: int
    invalid: int
    unfiltered: int
    branches: tuple[BranchWhy, ...]
    shown: int = 5

    def to_json(self) -> dict[str, Any]:
        """The report as a JSON-ready dict.

        Returns:
            ``{"pattern", "events", "matched", "invalid", "unfiltered", "branches": [{"conditions":
            [{"path", "expected", "failed", "exact", "error", "seen": [{"value" | "absent" |
            "object", "count", "share"}]}], "together"}]}``; a share is the count over the
            condition's `failed`.
        """
        branches = []
        for branch in self.branches:
            conditions = []
            for c in branch.conditions:
                seen = []
                for value, count in c.seen[: self.shown]:
                    item: dict[str, Any]
                    if value is ABSENT:
                        item = {"absent": True}
                    elif value is OBJECT:
                        item = {"object": True}
                    else:
                        item = {"value": value}
                    item["count"] = count
                    item["share"] = round(count / c.failed, 4) if c.failed else 0.0
                    seen.append(item)
                conditions.append(
                    {
                        "path": c.path,
                        "expected": c.expected,
                        "failed": c.failed,
                        "exact": c.exact,
                        "error": c.error,
                        "seen": seen,
                    }
                )
            branches.append({"conditions": conditions, "together": branch.together})
        return {
            "pattern": self.pattern,
            "events": self.events,
            "matched": self.matched,
            "invalid": self.invalid,
            "unfiltered": self.unfiltered,
            "branches": branches,
        }

    def render(self) -> str:
        """The report as text for people: the headline, then every failing condition, most
        failed first, with the values seen.

        Returns:
            Lines such as ``0 of 1,200 events matched`` and ```detail.eventName` failed on all
            of them: needs ["DeleteBucket"]; seen: DeleteObject 41%, PutObject 33%``.
        """
        head = f"{self.matched:,} of {self.events:,} events matched"
        if self.invalid:
            head += f" ({self.invalid:,} invalid, not counted)"
        lines = [head]
        unmatched = self.events - self.matched
        if self.unfiltered:
            lines.append(
                f"  {self.unfiltered:,} of them the service does not filter (only `{{}}` passes them)"
            )
        many = len(self.branches) > 1
        for number, branch in enumerate(self.branches, 1):
            indent = "    " if many else "  "
            if many:
                lines.append(f"  branch {number} of {len(self.branches)} ($or):")
            failing = sorted((c for c in branch.conditions if c.failed), key=lambda c: -c.failed)
            for c in failing:
                needs = json.dumps(c.expected, ensure_ascii=False)
                line = f"{indent}`{c.path}` failed on {_of(c.failed, unmatched)}: needs {needs}"
                if c.seen:
                    approx = "" if c.exact else "≥"
                    shown = ", ".join(
                        f"{_value_text(v)} {approx}{_share(n, c.failed)}" for v, n in c.seen[: self.shown]
                    )
                    more = "" if len(c.seen) <= self.shown else ", ..."
                    line += f"; seen: {shown}{more}"
                lines.append(line)
            if branch.together:
                lines.append(
                    f"{indent}every condition held alone but not together (different array elements) "
                    f"on {_of(branch.together, unmatched)}"
                )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


def _of(count: int, whole: int) -> str:
    if count == whole:
        return "all of them" if whole != 1 else "it"
    return f"{count:,} of them ({_share(count, whole)})"


def _share(count: int, whole: int) -> str:
    if not whole:
        return "0%"
    share = 100 * count / whole
    return f"{share:.0f}%" if share >= 1 or share == 0 else f"{share:.2g}%"


def _value_text(value: Any) -> str:
    if isinstance(value, _Marker):
        return str(value)
    if isinstance(value, str) and value and value.isprintable() and value.strip() == value:
        return value if len(value) <= 40 else value[:39] + "…"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"


def _unkey(key: _Key) -> Any:
    if key == _ABSENT_KEY:
        return ABSENT
    if key == _OBJECT_KEY:
        return OBJECT
    return key[1]


class Aggregator:
    """`aggregate` in parts: fold events in with `add`, join parts with `merge`, then `report`.

        part = Aggregator(pattern)          # one per file, partition or worker
        part.add(events)
        whole.merge(part)                   # parts pickle: they travel back from workers
        whole.report().render()

    State: per branch and condition, the failure count and a `TopValues`; the counts of events
    read, matched, invalid and unfiltered. Merging adds them all (Misra-Gries summaries merge
    by adding), so parts merged in the order of their events give the report one `aggregate`
    over all the events gives, as long as the counts are exact. Not thread-safe: one writer.
    """

    def __init__(
        self, pattern: Pattern | PatternSource, *, dialect: str = "eventbridge", capacity: int = 64
    ) -> None:
        """Start with no events.

        Args:
            pattern: a compiled `Pattern`, or its source (text, bytes or dict) to compile.
            dialect: the dialect to compile a source in (ignored for a `Pattern`).
            capacity: distinct values tracked per condition (see `aggregate`).

        Raises:
            InvalidPatternError: `pattern` is a source AWS would refuse.
            ValueError: `capacity` is below 1.
        """
        if not isinstance(pattern, Pattern):
            pattern = compile(pattern, dialect=dialect)
        if capacity < 1:
            raise ValueError(f"Expected `capacity` of at least 1, got `{capacity}`")
        self.pattern = pattern
        self.capacity = capacity
        self.failed: list[list[int]] = [[0] * len(b) for b in pattern.branches]
        self.values: list[list[TopValues]] = [[TopValues(capacity) for _ in b] for b in pattern.branches]
        self.together = [0] * len(pattern.branches)
        self.read = self.matched = self.invalid = self.unfiltered = 0

    def add(self, events: Iterable[Any]) -> None:
        """Fold events in: match each, explain the ones the pattern does not match.

        Args:
            events: the events, each as `Pattern.matches` takes it (JSON bytes, text or a dict);
                one the matcher refuses counts as invalid.
        """
        pattern = self.pattern
        matches = pattern.matches
        failed, values, together = self.failed, self.values, self.together
        for event in events:
            try:
                if matches(event):
                    self.read += 1
                    self.matched += 1
                    continue
                explanation = pattern.explain(event)
            except InvalidEventError:
                self.invalid += 1
                continue
            self.read += 1
            if not explanation.branches:
                self.unfiltered += 1
                continue
            for b, branch in enumerate(explanation.branches):
                all_held = True
                for c, result in enumerate(branch.conditions):
                    if result.holds:
                        continue
                    all_held = False
                    failed[b][c] += 1
                    counter = values[b][c]
                    if result.found:
                        for key in {_key(v) for v in result.found}:
                            counter.add(key)
                    elif result.kind == "object":
                        counter.add(_OBJECT_KEY)
                    else:
                        counter.add(_ABSENT_KEY)
                if all_held and not branch.holds:
                    together[b] += 1

    def merge(self, other: Aggregator) -> None:
        """Add another part's counts (the events it saw come after this part's).

        Args:
            other: a part over the same pattern and capacity.

        Raises:
            ValueError: `other` has another pattern or capacity.
        """
        if other.pattern != self.pattern or other.capacity != self.capacity:
            raise ValueError(
                f"Expected a part of the same pattern and capacity, got `{other.pattern!r}` "
                f"with capacity `{other.capacity}`"
            )
        # equal patterns may list their branches in another order: pair them by their conditions
        theirs = {frozenset(branch): b for b, branch in enumerate(other.pattern.branches)}
        for b, branch in enumerate(self.pattern.branches):
            o = theirs[frozenset(branch)]
            where = {condition: c for c, condition in enumerate(other.pattern.branches[o])}
            for c, condition in enumerate(branch):
                oc = where[condition]
                self.failed[b][c] += other.failed[o][oc]
                self.values[b][c].merge(other.values[o][oc])
            self.together[b] += other.together[o]
        self.read += other.read
        self.matched += other.matched
        self.invalid += other.invalid
        self.unfiltered += other.unfiltered

    def report(self, shown: int = 5) -> WhyReport:
        """The report of the events folded in so far.

        Args:
            shown: values shown per condition by `WhyReport.render` and `to_json`.

        Returns:
            The `WhyReport`.
        """
        branches = []
        for b, branch_conditions in enumerate(self.pattern.branches):
            conditions = []
            for c, condition in enumerate(branch_conditions):
                counter = self.values[b][c]
                conditions.append(
                    ConditionWhy(
                        path=condition.path,
                        expected=condition.leaf.to_json(),
                        failed=self.failed[b][c],
                        seen=tuple((_unkey(k), n) for k, n in counter.top(self.capacity)),
                        exact=counter.exact,
                        error=counter.error,
                    )
                )
            branches.append(BranchWhy(tuple(conditions), self.together[b]))
        return WhyReport(
            self.pattern.to_json(),
            self.read,
            self.matched,
            self.invalid,
            self.unfiltered,
            tuple(branches),
            shown,
        )


def aggregate(
    pattern: Pattern | PatternSource,
    events: Iterable[Any],
    *,
    dialect: str = "eventbridge",
    capacity: int = 64,
    shown: int = 5,
) -> WhyReport:
    """Fold `Pattern.explain` over many events: per condition, how many failed it and with what.

    Each event is matched first; only the events the pattern does not match are explained, so
    the cost over an archive where the rule matches most events stays near matching's. For
    events spread over processes or machines, fold parts with `Aggregator` and merge them.

    Args:
        pattern: a compiled `Pattern`, or its source (text, bytes or dict) to compile.
        events: the events, each as `Pattern.matches` takes it (JSON bytes, text or a dict).
        dialect: the dialect to compile a source in (ignored for a `Pattern`).
        capacity: distinct values tracked per condition (`TopValues`): memory is bounded by the
            number of conditions times ``2 * capacity``, however many events there are.
        shown: values shown per condition by `WhyReport.render` and `to_json`.

    Returns:
        The `WhyReport`.

    Raises:
        InvalidPatternError: `pattern` is a source AWS would refuse.
        ValueError: `capacity` is below 1.
    """
    aggregator = Aggregator(pattern, dialect=dialect, capacity=capacity)
    aggregator.add(events)
    return aggregator.report(shown)

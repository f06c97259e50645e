"""The exception tree of `patterns`: one root, pattern errors and event errors."""

from __future__ import annotations

__all__ = [
    "ArchiveError",
    "BudgetError",
    "InvalidEventError",
    "InvalidPatternError",
    "InvalidTransformerError",
    "PatternsError",
    "RulesError",
    "SnapshotError",
    "UndeliverableEventError",
]


class PatternsError(Exception):
    """Root of every exception this library raises on purpose."""


class InvalidPatternError(PatternsError, ValueError):
    """A pattern or filter policy that AWS would reject.

    ``str(err)`` is exactly the first line of the message AWS returns for the same pattern
    (``Event pattern is not valid. Reason: ...`` on EventBridge, ``Invalid parameter: FilterPolicy:
    ...`` on SNS). The fault's location lives in attributes, all ``None`` where unknown (a pattern
    given as a dict has a JSON path but no line or column).

    Attributes:
        reason: the part of the message after ``Reason: `` (EventBridge) or after
            ``FilterPolicy: `` (SNS); for SNS scope errors, the whole text after ``Invalid parameter: ``.
        line, column, end_line, end_column: 1-based span of the fault in the pattern source.
        offset: 0-based character offset of the fault in the pattern source.
        path: JSON path of the faulty node, such as ``$.detail.state[0]``.
        rule, index: the rule's name and its place (0-based) in the batch, when the pattern
            came to `Machine.add_many` (or `Machine(rules=...)`); else None. A note
            (`add_note`) says the same in tracebacks; ``str(err)`` stays AWS's text.
    """

    rule: str | None = None
    index: int | None = None

    def __init__(
        self,
        message: str,
        reason: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
        end_line: int | None = None,
        end_column: int | None = None,
        offset: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.path = path
        self.line = line
        self.column = column
        self.end_line = end_line
        self.end_column = end_column
        self.offset = offset

    def __reduce__(self):  # keep the attributes across pickling (multiprocessing, caches)
        return (_rebuild_pattern_error, (self.message, self.reason, dict(self.__dict__)))

    def get_context(self, source: str, span: int = 40) -> str:
        """Render the faulty line of ``source`` with a caret under the fault.

        Args:
            source: the pattern text the error came from.
            span: how many characters to show on each side of the fault.

        Returns:
            Two lines: the source excerpt and a caret line; empty when the position is unknown.
        """
        if self.line is None or self.column is None:
            return ""
        lines = source.splitlines() or [""]
        text = lines[min(self.line, len(lines)) - 1]
        col = self.column - 1
        start = max(0, col - span)
        excerpt = text[start : col + span]
        return f"{excerpt}\n{' ' * (col - start)}^\n"


def _rebuild_pattern_error(message: str, reason: str, state: dict) -> InvalidPatternError:
    err = InvalidPatternError(message, reason)
    err.__dict__.update(state)
    return err


class InvalidEventError(PatternsError, ValueError):
    """An event that cannot be matched: not JSON, not a JSON object, or not valid UTF-8.

    Attributes:
        offset: 0-based position of the fault in the event text, where known.
    """

    def __init__(self, message: str, *, offset: int | None = None) -> None:
        super().__init__(message)
        self.offset = offset


class InvalidTransformerError(PatternsError, ValueError):
    """A target transformer that AWS would refuse: an `InputTransformer` PutTargets rejects, or
    a Custom Event Bus subscriber's `Transformer` CreateSubscriber rejects.

    ``str(err)`` is AWS's text where it is known (its source named where it is raised), else
    ours: "Expected `x`, got `y` - at `where`".
    """


class UndeliverableEventError(PatternsError, ValueError):
    """A matching event that AWS would not deliver to the target as transformed: a JSON input
    template that is not JSON once filled, or a JSONata expression that fails on the event."""


class ArchiveError(PatternsError, OSError):
    """A source of events that cannot be read at all: no such file, a glob that matches nothing,
    a compression or URL scheme whose optional package is not installed.

    A source that opens but holds damaged records is not an error: its records are reported
    one by one (`patterns.archive.Damaged`).
    """


class RulesError(PatternsError, ValueError):
    """A rules file that cannot be used as it is: not readable as rules, duplicate rule names, or
    invalid patterns (every one of them is listed, not only the first).

    Attributes:
        problems: one line per fault, ``file:line: rule `name`: message``.
    """

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems) if problems is not None else [message]


class SnapshotError(PatternsError, ValueError):
    """A snapshot that `Machine.load` (or unpickling a machine) cannot use: not a snapshot, a
    format version this library does not read, a truncated or corrupted file, or content that
    does not make a machine. Loading never runs code from the file (docs/snapshot.md)."""


class BudgetError(PatternsError, ValueError):
    """A change that would take a `Machine` past its `budget` (table bytes, as `Machine.stats`
    counts them). The machine is left as it was before the change.

    Attributes:
        budget: the machine's budget, in bytes.
        needed: the table bytes the machine would have held after the change.
    """

    def __init__(self, message: str, *, budget: int, needed: int) -> None:
        super().__init__(message)
        self.budget = budget
        self.needed = needed

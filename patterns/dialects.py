"""Dialects as data: which operators, forms and limits each AWS service applies to a pattern.

One validator (`patterns.validate`) reads these tables, so a new service (EventBridge Pipes,
Lambda event filtering) is a new `Dialect` value, not new code. Where AWS's documents disagree the
choice made is noted beside the value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["DIALECTS", "Dialect", "EVENTBRIDGE", "get_dialect"]

#: Every match type EventBridge knows, in the spelling AWS requires (operators are case-sensitive).
ALL_OPERATORS = frozenset(
    {"prefix", "suffix", "equals-ignore-case", "wildcard", "anything-but", "numeric", "exists", "cidr"}
)


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
    extra: dict = field(default_factory=dict, compare=False)

    def message(self, reason: str) -> str:
        """The full first line AWS returns for `reason`."""
        return self.message_prefix + reason


EVENTBRIDGE = Dialect(
    name="eventbridge",
    message_prefix="Event pattern is not valid. Reason: ",
    # "exactly" is event-ruler's explicit exact-string operator, accepted by its compiler.
    operators=ALL_OPERATORS | {"exactly"},
    anything_but_operators=frozenset({"prefix", "suffix", "equals-ignore-case", "wildcard"}),
    anything_but_operator_lists=frozenset({"prefix", "suffix", "equals-ignore-case", "wildcard"}),
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

DIALECTS: dict[str, Dialect] = {EVENTBRIDGE.name: EVENTBRIDGE}


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
        return DIALECTS[name]
    except (KeyError, TypeError):
        known = ", ".join(f"`{n}`" for n in sorted(DIALECTS))
        raise ValueError(f"Expected a dialect name ({known}), got `{name}`") from None

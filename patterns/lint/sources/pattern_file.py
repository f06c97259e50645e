"""Plain pattern files: a JSON file that is itself one pattern (``rule.json``).

A file the user names is linted as a pattern whatever it holds (a broken one gets AWS's syntax
error); a JSON file met in a folder walk only when it looks like a pattern, not like an event.
"""

from __future__ import annotations

from typing import Any

from patterns.dialects import DIALECTS

from ..aws import ENVELOPE
from .text import Extracted, HostText, PositionMap

__all__ = ["extract_pattern_file"]


def extract_pattern_file(
    host: HostText, value: Any, *, explicit: bool, raw_dialect: str | None
) -> list[Extracted]:
    """The pattern a plain JSON file holds, if it is one.

    Args:
        host: the file.
        value: the file as orjson decoded it (None: not JSON; compiling the text says why).
        explicit: the user named the file, so it is a pattern whatever it holds.
        raw_dialect: the dialect to check it with (``--dialect``); an unknown name, or none,
            is EventBridge.

    Returns:
        The file's text as one pattern, or nothing when a walk met a JSON file that is no pattern.
    """
    if not explicit and not _looks_like_pattern(value):
        return []
    dialect = raw_dialect if raw_dialect in DIALECTS else "eventbridge"
    starts = list(range(len(host.text)))
    return [
        Extracted(
            file=host.name,
            where="",
            text=host.text,
            positions=PositionMap(host, starts),
            dialect=dialect,
            kind="raw",
            embedded=True,
        )
    ]


def _looks_like_pattern(value: Any) -> bool:
    """A plain JSON file met in a folder walk is a pattern when its top level uses envelope keys
    only and every value is a list or an object (an event has scalars: ``"version": "0"``)."""
    return (
        isinstance(value, dict)
        and bool(value)
        and set(value) <= ENVELOPE | {"$or"}
        and all(isinstance(v, (list, dict)) for v in value.values())
    )

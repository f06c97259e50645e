"""Where JSON values start and end in a text, without decoding them: `value_spans`.

Firehose writes objects back to back (``{...}{...}``), CloudTrail and users write arrays of
records. To hand each record to the matcher as its own text, and to report a damaged record at
its byte offset while reading the ones around it, we need the boundaries of values, not their
values. A regular expression finds the only bytes that move the nesting depth: brackets and
braces outside strings, strings being skipped whole (escapes included):

    {"a": "}{", "b": [1, {"c": 2}]}{"d": 3}
    ^     ^^^^        ^   ^      ^^^^      ^
    {     string      [   {      }]}{      }        depth 1 2 1 0 | 1 0

A value at depth 0 starts at a bracket and ends where the depth comes back to 0. What lies
between two values (whitespace, a comma in an array, or a scalar or garbage) is the caller's to
judge: a scalar between objects is a damaged record, not a reason to stop. A value still open
at the end of the text is cut short (a truncated file). The scanner does not check that a value
is valid JSON: the matcher decodes it, and refuses it then.
"""

from __future__ import annotations

import re
from typing import NamedTuple

__all__ = ["Spans", "value_spans"]

# a whole string (its escapes included) or one bracket; DOTALL so an escaped raw newline (invalid
# JSON) still ends where the string does
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)

_OPEN = frozenset(b"[{")


class Spans(NamedTuple):
    """The top-level values found, and how the scan ended.

    Attributes:
        values: (start, end) of each bracketed value or string at depth 0, in order.
        end: where the scan stopped: the closing bracket's offset for ``closed``, else the end
            of the text (``end``), or the start of the value left open (``open``), or the
            offset of the unmatched closing bracket (``unbalanced``).
        status: ``end``, ``closed`` (a closing bracket at depth 0 ended the enclosing array),
            ``open`` (a value was still open at the end of the text) or ``unbalanced`` (a
            closing bracket that closes nothing, when `inside` is False).
    """

    values: list[tuple[int, int]]
    end: int
    status: str


def value_spans(text: bytes, start: int = 0, end: int | None = None, *, inside: bool = False) -> Spans:
    """The spans of the values at depth 0 of ``text[start:end]``.

    Args:
        text: JSON text (UTF-8 bytes).
        start: where to begin; with `inside`, just after an array's opening bracket.
        end: where to stop (default: the end of the text).
        inside: the scan runs inside an array, so a closing bracket at depth 0 ends it.

    Returns:
        The spans and how the scan ended (`Spans`).
    """
    stop = len(text) if end is None else end
    values: list[tuple[int, int]] = []
    depth = 0
    first = 0
    for m in _TOKEN.finditer(text, start, stop):
        at = m.start()
        c = text[at]
        if c == 0x22:  # a string: a value only at depth 0
            if depth == 0:
                values.append((at, m.end()))
            continue
        if c in _OPEN:
            if depth == 0:
                first = at
            depth += 1
            continue
        if depth == 0:
            return Spans(values, at, "closed" if inside else "unbalanced")
        depth -= 1
        if depth == 0:
            values.append((first, m.end()))
    if depth:
        return Spans(values, first, "open")
    return Spans(values, stop, "end")

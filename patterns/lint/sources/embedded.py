"""Patterns held as JSON text in a host string: each decoded character's place in the raw source.

A pattern written as a string (``EventPattern: '{"source": ...}'``), a YAML block scalar, a
heredoc or a file read by ``file()`` is JSON text once its host syntax is decoded: escapes
resolved, indentation and CRLF removed, lines folded. `align` walks the decoded string and its raw
source side by side and gives every decoded character the host offset it came from; the
`PositionMap` made of those offsets turns a finding in the pattern text into a line and column of
the user's file. Template interpolations (``${...}``, ``%{...}``) become `Unknown` values.
"""

from __future__ import annotations

import re
from typing import Any

from .text import Extracted, HostText, PositionMap, Unknown

__all__ = ["align", "embedded_pattern"]

#: A template interpolation: ``${...}`` (Terraform, serverless, ``!Sub``) or ``%{...}`` (Terraform
#: directives); ``$${`` and ``%%{`` are escapes, not interpolations.
_INTERPOLATION = re.compile(r"(?<!\$)\$\{[^}]*\}|(?<!%)%\{[^}]*\}")


def _escape_length(raw: str, j: int) -> int:
    nxt = raw[j + 1 : j + 2]
    if nxt == "u":
        length = 6
        # a surrogate pair is one decoded character
        if re.match(r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u", raw[j : j + 8]):
            length = 12
        return length
    if nxt == "U":
        return 10
    if nxt == "x":
        return 4
    return 2


def align(decoded: str, raw: str, base: int, *, escapes: bool, indent: int = 0) -> list[int]:
    """Host offsets of each character of a decoded string, by walking its raw source.

    Args:
        decoded: the string's value (escapes resolved, indentation removed).
        raw: the source text of the value, starting at its first content character.
        base: host offset of `raw[0]`.
        escapes: the host syntax has backslash escapes (JSON, HCL and YAML double-quoted strings).
        indent: indentation removed from each line (YAML block scalars, ``<<-`` heredocs).

    Returns:
        One host offset per character of `decoded`. Where the two disagree (a folding the walk does
        not model), the nearest raw occurrence of the character is used, so positions stay close.
    """
    out: list[int] = []
    j, n = 0, len(raw)
    line_start = indent > 0
    for c in decoded:
        if line_start:
            skipped = 0
            while j < n and skipped < indent and raw[j] in " \t":
                j += 1
                skipped += 1
            line_start = False
        if j >= n:
            out.append(base + max(n - 1, 0))
            continue
        r = raw[j]
        if escapes and r == "\\":
            out.append(base + j)
            j += _escape_length(raw, j)
            continue
        if r == c:
            out.append(base + j)
            j += 1
            if c == "'" and not escapes and raw[j : j + 1] == "'":
                j += 1  # YAML single-quoted '' is one quote
            line_start = c == "\n" and indent > 0
            continue
        if r == "\r" and c == "\n" and raw[j + 1 : j + 2] == "\n":
            out.append(base + j + 1)
            j += 2
            line_start = indent > 0
            continue
        if c == " " and r in "\r\n":  # a folded line break
            out.append(base + j)
            j += 1
            while j < n and raw[j] in " \t\r\n":
                j += 1
            continue
        k = raw.find(c, j, j + 256)
        if k < 0:
            out.append(base + j)
            continue
        out.append(base + k)
        j = k + 1
        line_start = c == "\n" and indent > 0
    return out


def embedded_pattern(
    decoded: str,
    starts: list[int],
    host: HostText,
    file: str,
    where: str,
    anchor: int,
    *,
    interpolations: bool,
    **context: Any,
) -> Extracted:
    """An `Extracted` for JSON text held in a string; ``${...}`` become unknowns when templated.

    Args:
        decoded: the string's value: the pattern's JSON text.
        starts: the host offset of each character of `decoded` (from `align`).
        host: the file the offsets point into.
        file: the file's name as reported.
        where: where the pattern lives in the host.
        anchor: host offset of the pattern value.
        interpolations: the host templates strings (``${...}``, ``%{...}`` are template values).
        **context: the other fields of `Extracted` (dialect, kind, group ...).

    Returns:
        The pattern, marked `embedded`.
    """
    unknowns: list[Unknown] = []
    text = decoded
    if interpolations and ("${" in decoded or "%{" in decoded):
        inside = _string_ranges(decoded)
        chars = list(decoded)
        for match in _INTERPOLATION.finditer(decoded):
            a, b = match.span()
            unknowns.append(Unknown(a, b, match.group(0)))
            if not any(lo <= a < hi for lo, hi in inside):
                # outside a JSON string: a number of the same width keeps every offset in place
                chars[a:b] = ["1"] + [" "] * (b - a - 1)
        text = "".join(chars)
    return Extracted(
        file=file,
        where=where,
        text=text,
        positions=PositionMap(host, starts),
        unknowns=unknowns,
        anchor=anchor,
        embedded=True,
        **context,
    )


def _string_ranges(text: str) -> list[tuple[int, int]]:
    """Ranges of JSON string literals in (possibly templated) JSON text."""
    out = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append((i, j + 1))
            i = j + 1
        else:
            i += 1
    return out

"""Structured host values written out as a pattern's JSON text, each character keeping its host offset.

A pattern written as a YAML map, a CloudFormation JSON object or an HCL ``jsonencode({...})`` is
not text the user typed as JSON: a reader walks the host's tree and tells a `Writer` each key,
scalar and bracket in order, with the host offsets of the node it came from. Why text, and not
data: the text keeps duplicate keys in order (AWS keeps the last per path) and goes through the
same `patterns.compile` road as every other pattern.

    host (YAML)                     written text        starts (host offset of each character)
    -----------------------------   -----------------   ---------------------------------------
    source: [!Ref Src, aws.ec2]     {"source":[         "{" at the map, key chars at `source`,
                                    "${!Ref Src}#0",    the unknown's chars at `!Ref Src`,
                                    "aws.ec2"]}         the string's chars at `aws.ec2` ...

Invariant: ``len(starts) == length == len(text())``; `ends` maps the text offset just past a
scalar or a closing bracket to the host offset just past its node, so a finding's end column is
the node's end, not the last written character's.
"""

from __future__ import annotations

import json
from typing import Any

from .text import Extracted, HostText, PositionMap, Unknown

__all__ = ["Writer", "written_pattern"]


class Writer:
    """Builds a pattern's JSON text from a host tree, keeping each character's host offset.

    One writer per pattern, used by one reader's walk and then read by `written_pattern`.
    """

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.starts: list[int] = []
        self.ends: dict[int, int] = {}
        self.unknowns: list[Unknown] = []
        self.length = 0

    def punct(self, text: str, host: int) -> None:
        """Write JSON punctuation (``{``, ``,``, ``:`` ...), every character at host offset `host`."""
        self.parts.append(text)
        self.starts.extend([host] * len(text))
        self.length += len(text)

    def scalar(self, text: str, host_start: int, host_end: int) -> None:
        """Write one JSON scalar's text, mapped to the host node at [`host_start`, `host_end`)."""
        self.punct(text, host_start)
        self.ends[self.length] = host_end

    def string(self, value: str, host_start: int, host_end: int) -> None:
        """Write `value` as a JSON string, mapped to its host node."""
        self.scalar(json.dumps(value, ensure_ascii=False), host_start, host_end)

    def unknown(self, what: str, host_start: int, host_end: int, kind: str = "string") -> None:
        """Write a placeholder for a template value and record it as an `Unknown`.

        Args:
            what: the template value as the user wrote it (``!Ref Src``, ``var.x``).
            host_start: host offset of the value.
            host_end: host offset just past it.
            kind: its likely JSON type: ``string`` (a numbered ``"${what}#n"``), ``number``
                (``1``) or ``list`` (a list holding one such string).
        """
        start = self.length
        token = json.dumps(f"${{{what}}}#{len(self.unknowns)}", ensure_ascii=False)
        if kind == "number":
            self.scalar("1", host_start, host_end)
        elif kind == "list":
            self.punct("[", host_start)
            self.scalar(token, host_start, host_end)
            self.punct("]", host_end - 1 if host_end > host_start else host_start)
            self.ends[self.length] = host_end
        else:
            self.scalar(token, host_start, host_end)
        self.unknowns.append(Unknown(start, self.length, what))

    def text(self) -> str:
        """The JSON text written so far."""
        return "".join(self.parts)


def written_pattern(
    writer: Writer, host: HostText, file: str, where: str, anchor: int, **context: Any
) -> Extracted:
    """An `Extracted` for a pattern a `Writer` wrote out from the host's tree.

    Args:
        writer: the writer, after the walk of the pattern's value.
        host: the file the writer's offsets point into.
        file: the file's name as reported.
        where: where the pattern lives in the host.
        anchor: host offset of the pattern value.
        **context: the other fields of `Extracted` (dialect, kind, group ...).

    Returns:
        The pattern, with the writer's unknowns.
    """
    return Extracted(
        file=file,
        where=where,
        text=writer.text(),
        positions=PositionMap(host, writer.starts, writer.ends),
        unknowns=writer.unknowns,
        anchor=anchor,
        **context,
    )

"""The `Diagnostic` record every lint rule produces and every output format reads."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = ["Diagnostic", "Severity"]

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding at one place in a user's file.

    Lines and columns are 1-based (as lark, ruff and flake8 count); `end_line` and `end_column`
    are exclusive-end positions of the faulty node, equal to the start when only a point is known.

    Attributes:
        code: the rule's stable code (``E102``, ``W105``).
        name: the rule's kebab-case name (``invalid-pattern``).
        message: what is wrong; for ``E`` codes, AWS's own text.
        severity: ``"error"`` (AWS would reject it) or ``"warning"`` (accepted, probably wrong).
        path: the file, as the user named it (``-`` for standard input).
        line, column, end_line, end_column: where, in that file.
        json_path: the faulty node inside the pattern (``$.detail.state[0]``).
        help: how to fix it, or an empty string.
        where: where the pattern lives in the host file (``Resources.Rule.Properties.EventPattern``).
        unknowns: template values inside the pattern that could not be known (``!Ref Stage``),
            listed in ``--format full``.
    """

    code: str
    name: str
    message: str
    severity: Severity
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    json_path: str = "$"
    help: str = ""
    where: str = ""
    unknowns: tuple[str, ...] = field(default=(), compare=False)

    def sort_key(self) -> tuple[str, int, int, str]:
        """The order of every output: path, line, column, code."""
        return (self.path, self.line, self.column, self.code)

    def to_dict(self) -> dict[str, Any]:
        """The record as a JSON-ready dict with stable keys."""
        out = asdict(self)
        out["unknowns"] = list(self.unknowns)
        return out

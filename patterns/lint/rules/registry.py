"""The rule registry: the `Rule` record, the `rule` decorator that fills `RULES`, and `Finding`.

A rule is a function registered with `rule(code, name)`; its docstring is the rule's
documentation, in ruff's sections (What it does / Why is this bad? / Example / Use instead), from
which ``pattern-lint rule CODE`` and ``docs/rules.md`` are made. `RULES` keeps registration order,
which is the order `patterns.lint.rules.pipeline` runs the rules in; the package's ``__init__``
imports the rule modules in that order, once, at import time (the only writer).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..diagnostics import Severity
from ..sources import Extracted

__all__ = ["RULES", "Finding", "Rule", "rule"]


@dataclass
class Finding:
    """A rule's finding inside one pattern: pattern-text range, JSON path, message, help."""

    message: str
    offset: int | None = None
    end_offset: int | None = None
    json_path: str = "$"
    help: str = ""
    extracted: Extracted | None = None  # group rules: the pattern the finding is about


@dataclass(frozen=True)
class Rule:
    """A registered rule.

    Attributes:
        code: stable code, never reused (``W101``).
        name: kebab-case name; reads as "allow {name}".
        severity: ``error`` for ``E`` codes, ``warning`` for ``W``.
        doc: the documentation (the check's docstring, dedented).
        check: the function producing findings.
        scope: ``pattern`` (one pattern), ``group`` (the patterns of one bus, topic or subscriber)
            or ``transformer`` (a rule target's input transformer, `Extracted.transformer`).
    """

    code: str
    name: str
    severity: Severity
    doc: str
    check: Callable[..., Iterable[Finding]]
    scope: str = "pattern"

    @property
    def summary(self) -> str:
        """The first sentence of "What it does"."""
        text = " ".join(self.sections().get("What it does", "").split())
        for stop in (". ", ": "):
            text = text.split(stop)[0]
        return text.rstrip(".") + "."

    def sections(self) -> dict[str, str]:
        """The docstring's ``## Heading`` sections, by heading."""
        out: dict[str, str] = {}
        current = None
        for line in self.doc.splitlines():
            if line.startswith("## "):
                current = line[3:].strip().rstrip("?").strip()
                current = {"Why is this bad": "Why is this bad?"}.get(current, current)
                out[current] = ""
            elif current is not None:
                out[current] += line + "\n"
        return {k: v.strip("\n") for k, v in out.items()}


#: Every rule by code, in registration order.
RULES: dict[str, Rule] = {}


def rule(code: str, name: str, scope: str = "pattern") -> Callable:
    """Register a check under a code and a name; its docstring is the rule's documentation."""

    def register(fn: Callable) -> Callable:
        if code in RULES:
            raise ValueError(f"rule code {code} registered twice")
        RULES[code] = Rule(
            code=code,
            name=name,
            severity="error" if code.startswith("E") else "warning",
            doc=inspect.cleandoc(fn.__doc__ or ""),
            check=fn,
            scope=scope,
        )
        return fn

    return register

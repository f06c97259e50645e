"""Which road answers a match: the one place that knows both twins and the reference walker.

A published `Tables` was made by one matcher twin (`Twin`, what `patterns._match` selected when
its writer started) and is read by that twin alone. `run` answers one input of a dialect:

    JSON event (bytes, str)   the twin's `match_json`: one pass over the text
    JSON event (dict)         the twin's `match_dict`: a walk over the dict
    declined (None) or        the dialect decodes the input (the error of an invalid one is
    another dialect's input   worded here, once: the text is not scanned again), then the twin's
                              `match_dict`, then the reference walker (`patterns.walk`)

Each road gives the same answer: the twins are tested against the reference walker, and it
against the oracle.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from types import ModuleType
from typing import Any

from . import _match
from .automaton import Tables
from .dialects import Dialect
from .sns import attributes_to_event as _sns_attributes
from .sns import body_to_event as _sns_body
from .walk import run_machine, select_leaves

__all__ = ["Twin", "run"]


@dataclass(frozen=True, slots=True)
class Twin:
    """The functions of one matcher twin (its `__all__`), as a machine's writer found them when
    it started: its tables are read by the same twin that made them."""

    attributes_to_event: Any
    body_to_event: Any
    compile_state: Any
    compiled_match: Any
    match_batch: Any
    match_dict: Any
    match_json: Any
    match_json_many: Any
    reads_lowered: bool  # the writer lowers each value index for this twin (`patterns.lower`)
    scan_leaves: Any
    scan_table: Any

    def reader_for(self, decoder: Any) -> Any:
        """This twin's reader giving what a dialect's input decoder gives (the same answers and
        errors): its SNS readers; None for any other decoder (the dialect's own then reads)."""
        if decoder is _sns_attributes:
            return self.attributes_to_event
        if decoder is _sns_body:
            return self.body_to_event
        return None

    @classmethod
    def of(cls, module: ModuleType) -> Twin:
        """The twin a matcher module is (`patterns._match_py` or `patterns._match_c`)."""
        return cls(*(getattr(module, f.name) for f in fields(cls)))

    @classmethod
    def current(cls) -> Twin:
        """The twin `patterns._match` selected (tests swap it here: tests/conftest.py `twin`)."""
        return _CURRENT


_CURRENT = Twin.of(_match.TWIN)


def run(tables: Tables, dialect: Dialect, event: Any) -> list[int] | set[int] | tuple[int, ...]:
    """The ids of the rules matching one input of `dialect` (see `Machine.match`).

    Args:
        tables: published tables.
        dialect: how the input is read (`Dialect.decode`).
        event: the input.

    Returns:
        The rule ids (in any order, no repeats).

    Raises:
        InvalidEventError: the input is one the dialect's service refuses.
    """
    twin = tables.twin
    if dialect.input_decoder is None:
        given_dict = type(event) is dict
        found = twin.match_dict(tables, event) if given_dict else twin.match_json(tables, event)
        if found is not None:
            return found
        decoded, checked = dialect.decode_checked(event)  # raises for an invalid event
        if not given_dict:  # the text declined, decoded now: the twin's walk of the dict
            found = twin.match_dict(tables, decoded, False, checked)
            if found is not None:
                return found
    else:
        decoded, checked = dialect.decode_checked(event, twin.reader_for(dialect.input_decoder))
        if decoded is None:  # the service filters nothing here: only an empty policy lets it by
            return tables.empty_rules
        found = twin.match_dict(tables, decoded, False, checked)
        if found is not None:
            return found
    by_path, contexts = select_leaves(decoded, tables.prefixes, tables.path_ids, checked)
    return run_machine(tables, by_path, contexts)

"""Selector of the matcher twins: all of the compiled `_match_c` when it is built and allowed, or
none of it.

Either every hot name (the byte scanner and its table, the compiled walk's states and matches,
`flatten`, the SNS attributes and body readers) comes from the extension, or every one comes
from the pure twin, where the compiled walk's names and the readers are None (their references
are `run_machine` and `patterns.sns`); `IMPLEMENTATION` says which. The
reference road (`select_leaves`, `run_machine`, `prepare`, `number_key`) is the pure twin's in
both builds: the compiled road falls back to it, and it defines what the compiled one must give.

`PATTERNS_NO_EXTENSIONS` (any non-empty value) forces the pure-Python twin, so tests can run both;
`PATTERNS_REQUIRE_EXTENSIONS` (CI) makes a missing or broken build an ImportError instead of a
silent fall back (unless `PATTERNS_NO_EXTENSIONS` asks for the pure twin).
"""

from __future__ import annotations

import os
import platform
from typing import TYPE_CHECKING

__all__ = [
    "IMPLEMENTATION",
    "attributes_to_event",
    "body_to_event",
    "compile_state",
    "compiled_match",
    "match_dict",
    "match_json",
    "match_json_many",
    "prepare",
    "run_machine",
    "scan_leaves",
    "scan_table",
    "select_leaves",
]

NO_EXTENSIONS = (
    bool(os.environ.get("PATTERNS_NO_EXTENSIONS")) or platform.python_implementation() != "CPython"
)

IMPLEMENTATION: str
if TYPE_CHECKING or NO_EXTENSIONS:
    from ._match_py import scan_leaves, scan_table

    compile_state = compiled_match = match_dict = match_json = match_json_many = None
    attributes_to_event = body_to_event = None
    IMPLEMENTATION = "python"
else:
    try:
        from ._match_c import (
            attributes_to_event,
            body_to_event,
            compile_state,
            compiled_match,
            match_dict,
            match_json,
            match_json_many,
            scan_leaves,
            scan_table,
        )

        IMPLEMENTATION = "cython"
    except ImportError as exc:  # not built here: the reference twin runs, all of it
        if os.environ.get("PATTERNS_REQUIRE_EXTENSIONS"):
            raise ImportError(
                f"PATTERNS_REQUIRE_EXTENSIONS is set but patterns._match_c cannot be imported: {exc}"
            ) from exc
        from ._match_py import scan_leaves, scan_table

        compile_state = compiled_match = match_dict = match_json = match_json_many = None
        attributes_to_event = body_to_event = None
        IMPLEMENTATION = "python"

# The reference road, one source of truth in both builds.
from ._match_py import prepare, run_machine, select_leaves  # noqa: E402

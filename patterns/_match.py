"""Selector of the matcher twins: the compiled `_match_c` when it is built and allowed, else `_match_py`.

`PATTERNS_NO_EXTENSIONS` (any non-empty value) forces the pure-Python twin, so tests can run both.
"""

from __future__ import annotations

import os
import platform
from typing import TYPE_CHECKING

__all__ = [
    "IMPLEMENTATION",
    "compile_state",
    "compiled_match",
    "flatten",
    "match_dict",
    "match_json",
    "match_json_many",
    "number_key",
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
    from ._match_py import flatten, number_key, prepare, run_machine, scan_leaves, scan_table, select_leaves

    # the walk in C has no pure twin: `run_machine` is the reference walk
    compile_state = compiled_match = match_dict = match_json = match_json_many = None
    IMPLEMENTATION = "python"
else:
    try:
        from ._match_c import flatten

        IMPLEMENTATION = "cython"
    except ImportError:  # not built here: the reference twin runs
        from ._match_py import flatten

        IMPLEMENTATION = "python"

    # The reference walk and leaf selection (the compiled road falls back to them): from the
    # extension where it has them, else the pure twin's.
    try:
        from ._match_c import number_key, prepare, run_machine, select_leaves
    except ImportError:
        from ._match_py import number_key, prepare, run_machine, select_leaves

    # The byte scanner and its table come as a pair, from one twin (a table of one twin is
    # not readable by the other's scanner).
    try:
        from ._match_c import scan_leaves, scan_table
    except ImportError:
        from ._match_py import scan_leaves, scan_table

    # The compiled walk: its states and the match that reads them come as a pair too.
    try:
        from ._match_c import compile_state, compiled_match, match_dict, match_json, match_json_many
    except ImportError:
        compile_state = compiled_match = match_dict = match_json = match_json_many = None

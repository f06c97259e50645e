"""Selector of the matcher twins: all of the compiled `_match_c` when it is built and allowed, or
all of the pure `_match_py`.

Both twins export the same names (their `__all__`, listed in `_match_py`'s docstring) with the
same signatures and answers; this module exports one twin's, every one of them, and
`IMPLEMENTATION` says which. The reference road both fall back to is `patterns.walk`, one source
of truth in both builds.

`PATTERNS_NO_EXTENSIONS` (any non-empty value) forces the pure-Python twin, so tests can run both;
`PATTERNS_REQUIRE_EXTENSIONS` (CI) makes a missing or broken build an ImportError instead of a
silent fall back (unless `PATTERNS_NO_EXTENSIONS` asks for the pure twin).
"""

from __future__ import annotations

import os
import platform
from types import ModuleType
from typing import TYPE_CHECKING

from . import _match_py

__all__ = ["IMPLEMENTATION", "TWIN", *_match_py.__all__]

NO_EXTENSIONS = (
    bool(os.environ.get("PATTERNS_NO_EXTENSIONS")) or platform.python_implementation() != "CPython"
)

IMPLEMENTATION: str
TWIN: ModuleType  # the selected twin module itself
if TYPE_CHECKING or NO_EXTENSIONS:
    TWIN, IMPLEMENTATION = _match_py, "python"
else:
    try:
        from . import _match_c

        if sorted(_match_c.__all__) != sorted(_match_py.__all__):  # a stale build of another contract
            raise ImportError(f"it exports {sorted(_match_c.__all__)}, not {sorted(_match_py.__all__)}")
        TWIN, IMPLEMENTATION = _match_c, "cython"
    except ImportError as exc:  # not built here: the reference twin runs, all of it
        if os.environ.get("PATTERNS_REQUIRE_EXTENSIONS"):
            raise ImportError(
                f"PATTERNS_REQUIRE_EXTENSIONS is set but patterns._match_c cannot be imported: {exc}"
            ) from exc
        TWIN, IMPLEMENTATION = _match_py, "python"

attributes_to_event = TWIN.attributes_to_event
body_to_event = TWIN.body_to_event
compile_state = TWIN.compile_state
compiled_match = TWIN.compiled_match
match_batch = TWIN.match_batch
match_dict = TWIN.match_dict
match_json = TWIN.match_json
match_json_many = TWIN.match_json_many
reads_lowered: bool = TWIN.reads_lowered
scan_leaves = TWIN.scan_leaves
scan_table = TWIN.scan_table

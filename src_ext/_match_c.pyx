# cython: language_level=3
"""Compiled twin of `patterns._match_py`: the same `__all__`, signatures and results, faster.

Only hot loops live here; their meaning is defined by the pure-Python twin, and tests hold the two
(and the oracle) to the same answers.
"""

# One file per stage, included below in data-flow order, each opening with what it reads and
# what it gives; what they share (C types, constants, what C reads of the C headers) comes first,
# in _shared.pxi; self-contained C algorithms are headers (key_table.h, quote_index.h,
# number_parse.h with its generated pow5_table.h, and bits.h below them).
#
#   _scan.pxi         raw JSON -> the leaves on rule paths (the validating byte scanner, its key tables)
#   _values.pxi       one event value -> the states it leads to (CIndex: the value indexes)
#   _walk.pxi         the leaves -> the rules they match (the automaton walk, the answer)
#   _dict.pxi         a decoded event (dict) -> the same walk
#   _publication.pxi  a machine's `match` on the compiled road (FastMatch, LiveMatch)
#   _sns.pxi          SNS attribute maps and message bodies -> events (the SNS readers)

from orjson import JSONDecodeError as _JSONDecodeError, loads as _orjson_loads

from patterns import automaton as _automaton, sns as _sns
from patterns.consistency import absent_in, consistent_choice
from patterns.errors import InvalidEventError
from patterns.events import ROOT_ONLY, BigNumber, Contexts, check_tree, decode_event, plain_scalar
from patterns.numbers import as_double
from patterns.walk import probe_of

__all__ = [
    "attributes_to_event",
    "body_to_event",
    "compile_state",
    "compiled_match",
    "match_batch",
    "match_dict",
    "match_json",
    "match_json_many",
    "reads_lowered",
    "scan_leaves",
    "scan_table",
]

#: The compiled walk copies each value index's lowered columns (`ValueIndex.lowered`), which the
#: writer makes only for a twin that reads them.
reads_lowered = True

include "_shared.pxi"
include "_scan.pxi"
include "_values.pxi"
include "_walk.pxi"
include "_dict.pxi"
include "_publication.pxi"
include "_sns.pxi"

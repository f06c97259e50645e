"""patterns: AWS EventBridge event patterns and SNS filter policies, validated exactly as AWS does
and matched fast.

    >>> import patterns
    >>> p = patterns.compile('{"source": ["aws.ec2"], "detail": {"state": [{"anything-but": "running"}]}}')
    >>> p.matches(b'{"source": "aws.ec2", "detail": {"state": "stopped"}}')
    True
"""

from ._match import IMPLEMENTATION
from .core import Pattern, compile
from .dialects import DIALECTS, Dialect
from .errors import (
    ArchiveError,
    BudgetError,
    InvalidEventError,
    InvalidPatternError,
    InvalidTransformerError,
    PatternsError,
    RulesError,
    SnapshotError,
    UndeliverableEventError,
)
from .filters import FilterCriteria
from .footprint import Footprint
from .machine import BatchResult, Machine
from .records import record_to_event
from .scans import Scan, ScanStats, scan
from .subscribers import SubscriberFilter
from .transform import BusTransformer, InputTransformer, render_for_target

__all__ = [
    "DIALECTS",
    "IMPLEMENTATION",
    "ArchiveError",
    "BatchResult",
    "BudgetError",
    "BusTransformer",
    "Dialect",
    "FilterCriteria",
    "Footprint",
    "InputTransformer",
    "InvalidEventError",
    "InvalidPatternError",
    "InvalidTransformerError",
    "Machine",
    "Pattern",
    "PatternsError",
    "RulesError",
    "Scan",
    "ScanStats",
    "SnapshotError",
    "SubscriberFilter",
    "UndeliverableEventError",
    "compile",
    "record_to_event",
    "render_for_target",
    "scan",
]

__version__ = "0.1.0"

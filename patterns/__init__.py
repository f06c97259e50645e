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
from .errors import InvalidEventError, InvalidPatternError, PatternsError
from .filters import FilterCriteria
from .machine import BatchResult, Machine
from .records import record_to_event

__all__ = [
    "DIALECTS",
    "IMPLEMENTATION",
    "BatchResult",
    "Dialect",
    "FilterCriteria",
    "InvalidEventError",
    "InvalidPatternError",
    "Machine",
    "Pattern",
    "PatternsError",
    "compile",
    "record_to_event",
]

__version__ = "0.1.0"

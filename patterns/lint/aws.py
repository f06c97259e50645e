"""Facts about AWS that the lint rules and the source readers share: data, no logic.

Each fact names its source (the AWS documentation page, or a recorded case) beside it.
"""

from __future__ import annotations

__all__ = ["ENVELOPE"]

#: Top-level keys of an EventBridge event (the "envelope").
ENVELOPE = frozenset(
    {
        "version",
        "id",
        "detail-type",
        "source",
        "account",
        "time",
        "region",
        "resources",
        "detail",
        "replay-name",
    }
)

"""Unverified corpus cases (not recorded against AWS) whose expectation we knowingly do not follow.

Each entry: case id -> why AWS's documented or recorded behaviour says otherwise. Only cases with
``"aws_validated": false`` may appear here; a test enforces that.
"""

KNOWN_DISAGREEMENTS: dict[str, str] = {}

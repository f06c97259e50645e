"""The dispatcher: which reader reads a file, chosen by its name, then by its content.

name                          reader
----------------------------  ---------------------------------------------------------------
*.tf, *.hcl                   terraform.extract_hcl
*.json                        cfn_json.extract_cfn_json (a ``Resources`` map), else
                              pulumi.extract_pulumi_json (``resources`` entries with a
                              ``type``), else pattern_file.extract_pattern_file
*.yaml, *.yml, *.template     pulumi.extract_pulumi_yaml (``resources`` entries with a ``type``),
                              else cfn_yaml.extract_yaml
*.ts, *.tsx, *.mts, *.cts,    cdk.extract_cdk when tree-sitter is installed (the ``cdk`` extra);
*.py (not *.d.ts)             else nothing (the run notes why)
- (standard input)            JSON when it starts with ``{`` or ``[``; YAML when a line starts
                              with a template's top-level key; else HCL
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import orjson

from .cdk import extract_cdk, language_of
from .cfn_json import extract_cfn_json, is_cfn_template
from .cfn_yaml import compose_yaml, extract_yaml
from .literals import available
from .pattern_file import extract_pattern_file
from .pulumi import extract_pulumi_json, extract_pulumi_yaml, is_pulumi_json, is_pulumi_yaml
from .terraform import extract_hcl
from .text import Extracted, HostText, SourceError, SourceNote

__all__ = ["extract_file", "extract_text"]


def extract_file(
    name: str, explicit: bool, raw_dialect: str | None = None, notes: list[SourceNote] | None = None
) -> list[Extracted]:
    """Every pattern in one file.

    Args:
        name: the file name (``-`` reads standard input).
        explicit: the user named this file, so plain JSON is linted as a pattern.
        raw_dialect: the dialect for plain pattern files (``--dialect``).
        notes: receives what the file holds and was not read (a pattern key under a resource
            type not known).

    Returns:
        The patterns found, possibly none.

    Raises:
        SourceError: the file cannot be read, or a template cannot be parsed.
    """
    try:
        if name == "-":
            text = sys.stdin.read()
        else:
            data = Path(name).read_bytes()
            text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"{name}: cannot read: {exc}") from None
    return extract_text(name, text, explicit=explicit, raw_dialect=raw_dialect, notes=notes)


def extract_text(
    name: str,
    text: str,
    *,
    explicit: bool = True,
    raw_dialect: str | None = None,
    notes: list[SourceNote] | None = None,
) -> list[Extracted]:
    """Every pattern in one file's text; the host format is chosen by name, then by content.

    Args:
        name: the file name (decides the format by its extension; ``-`` sniffs the content).
        text: the file's text.
        explicit: plain JSON is a pattern file (else only JSON that looks like a pattern is).
        raw_dialect: the dialect of plain pattern files.
        notes: receives what the file holds and was not read.

    Returns:
        The patterns found.

    Raises:
        SourceError: the text cannot be parsed as its format (a JSON file the user named is a
            pattern file instead, and its syntax error a finding).
    """
    host = HostText(name, text)
    lower = name.lower()
    language = language_of(name)
    if language is not None:
        return extract_cdk(host, language, notes) if available() else []
    if lower.endswith((".tf", ".hcl")):
        return extract_hcl(host, Path(name).parent if name != "-" else Path("."))
    stripped = text.lstrip()
    if lower.endswith(".json") or (name == "-" and stripped.startswith(("{", "["))):
        return _extract_json(host, explicit, raw_dialect, notes)
    if lower.endswith((".yaml", ".yml", ".template")) or name == "-":
        if name == "-" and not _looks_like_yaml_template(text):
            return extract_hcl(host, Path("."))
        root = compose_yaml(host)
        if is_pulumi_yaml(root):
            return extract_pulumi_yaml(host, root, notes)
        return extract_yaml(host, explicit=explicit, notes=notes, root=root)
    return []


def _extract_json(
    host: HostText, explicit: bool, raw_dialect: str | None, notes: list[SourceNote] | None
) -> list[Extracted]:
    """A JSON file: a CloudFormation template, else a plain pattern file."""
    try:
        value = orjson.loads(host.text)
    except orjson.JSONDecodeError as exc:
        value = None
        if not explicit:  # met in a walk: not read, and the run says so
            raise SourceError(f"{host.name}: not JSON: {exc}") from None
    if is_cfn_template(value):
        return extract_cfn_json(host, value, notes)
    if is_pulumi_json(value):
        return extract_pulumi_json(host, notes)
    return extract_pattern_file(host, value, explicit=explicit, raw_dialect=raw_dialect)


def _looks_like_yaml_template(text: str) -> bool:
    """Standard input starts a line with a CloudFormation or serverless.yml top-level key."""
    return bool(
        re.search(
            r"^(Resources|functions|AWSTemplateFormatVersion|service|resources|runtime)\s*:", text, re.M
        )
    )

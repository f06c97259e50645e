"""Finding patterns in the user's files, with a map from each pattern's text back to the file.

Every pattern found becomes an `Extracted`: the pattern as JSON text, the dialect to check it
with, and a `PositionMap` that turns an offset in that text into a line and column of the user's
own file. How the text is made depends on the host:

    host value                                   pattern text            position map
    -------------------------------------------  ----------------------  -----------------------------
    JSON string, YAML block scalar, heredoc      the decoded string      per character, aligned with
    (``Pattern: '{"body": ...}'``, ``!Sub |``)   (embedded.py)           the raw source (escapes,
                                                                         indentation, CRLF)
    YAML map, CloudFormation JSON object,        written out as JSON     per node: each written
    HCL ``jsonencode({...})``                    by a `Writer`           scalar, key and bracket maps
                                                 (writer.py)             to its node in the host

Template expressions (``!Ref``, ``Fn::GetAtt``, ``${var.x}``, ``var.x``, ``${self:custom.x}``)
cannot be known: each becomes a placeholder of its likely type (a string, or a number for a
Terraform ``number`` variable) recorded as an `Unknown`, so that no error depending on it is
reported. Why write structured values out as JSON text instead of validating them as data: the
text keeps duplicate keys in order (AWS keeps the last per path) and gives one road, through
`patterns.compile`, for every host.

The modules, bottom first (each imports only modules listed before it):

    text           HostText, PositionMap, Unknown, Extracted, SourceError, SourceNote
    embedded       JSON text inside a host string: `align`, `embedded_pattern`
    writer         structured values written out as JSON: `Writer`, `written_pattern`
    event_sources  the event source an ARN names (sqs, kinesis, ...)
    literals       TypeScript and Python read with tree-sitter: `Value`s with offsets
    discovery      which files a run reads: `iter_files`, SKIP_DIRS
    cloudformation where CloudFormation and SAM keep patterns: `CfnWalker` over an `Adapter`
    readers        cfn_json, cfn_yaml (and serverless.yml), pulumi (YAML and JSON programs),
                   terraform (HCL), pattern_file, cdk (CDK apps' TypeScript and Python)
    extract        the dispatcher: `extract_file`, `extract_text`
"""

from __future__ import annotations

from .cdk import language_of
from .discovery import iter_files
from .embedded import align
from .extract import extract_file, extract_text
from .literals import available as cdk_available
from .text import Extracted, HostText, PositionMap, SourceError, SourceNote, Unknown, note

__all__ = [
    "Extracted",
    "HostText",
    "PositionMap",
    "SourceError",
    "SourceNote",
    "Unknown",
    "align",
    "cdk_available",
    "extract_file",
    "extract_text",
    "iter_files",
    "language_of",
    "note",
]

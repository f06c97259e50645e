"""W115 filter-outside-data-key: a Lambda or Pipes filter on fields the source's records lack."""

from __future__ import annotations

from collections.abc import Iterator

from ..aws import DATA_KEY, RECORD_FIELDS, SOURCE_NAMES
from .helpers import fields, show
from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["filter_outside_data_key"]


@rule("W115", "filter-outside-data-key")
def filter_outside_data_key(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks Lambda event-source-mapping and Pipes filters for top-level keys that are not fields
    of the source's records: message content written at the top level instead of under the
    source's data key (`body` for SQS, `data` for Kinesis and MQ, `dynamodb` for DynamoDB
    streams, `value` for Kafka).

    ## Why is this bad?
    The filter never matches, and records that do not match are dropped: SQS messages are
    deleted, stream iterators move past them. Data is lost without an error.

    ## Example
    ```yaml
    Resources:
      Mapping:
        Type: AWS::Lambda::EventSourceMapping
        Properties:
          FunctionName: f
          EventSourceArn: arn:aws:sqs:us-east-1:123456789012:orders
          FilterCriteria:
            Filters:
              - Pattern: '{"orderType": ["premium"]}'
    ```

    ## Use instead
    ```yaml
    Resources:
      Mapping:
        Type: AWS::Lambda::EventSourceMapping
        Properties:
          FunctionName: f
          EventSourceArn: arn:aws:sqs:us-east-1:123456789012:orders
          FilterCriteria:
            Filters:
              - Pattern: '{"body": {"orderType": ["premium"]}}'
    ```
    """
    ex = ctx.extracted
    if ctx.model is None or ex.kind not in ("esm", "pipe") or ex.source_kind not in RECORD_FIELDS:
        return
    allowed = RECORD_FIELDS[ex.source_kind]
    data_key = DATA_KEY[ex.source_kind]
    for _, f, top in fields(ctx.model):
        if top and f.key.split(".")[0] not in allowed:
            yield ctx.at(
                f.span,
                "$",
                f"`{f.key}` is not a field of {SOURCE_NAMES[ex.source_kind]} records, so this filter never matches",
                f"the record's content is under `{data_key}`: {show({data_key: {f.key: '...'}})}",
            )

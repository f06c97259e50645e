"""The event source behind a Lambda or Pipes filter, read from an ARN or a reference to one.

Which source feeds a filter (``sqs``, ``kinesis``, ``dynamodb``, ``kafka``, ``mq``) decides which
record fields its pattern may name; CloudFormation and Terraform readers both ask here.
"""

from __future__ import annotations

import re

__all__ = ["source_kind_from_text"]

#: CloudFormation resource types that are event sources: a ``!GetAtt Queue.Arn`` names one.
_CFN_TYPE_KINDS = {
    "AWS::SQS::Queue": "sqs",
    "AWS::Kinesis::Stream": "kinesis",
    "AWS::DynamoDB::Table": "dynamodb",
    "AWS::DynamoDB::GlobalTable": "dynamodb",
    "AWS::MSK::Cluster": "kafka",
    "AWS::MSK::ServerlessCluster": "kafka",
    "AWS::AmazonMQ::Broker": "mq",
}


def source_kind_from_text(text: str, resource_types: dict[str, str] | None = None) -> str | None:
    """The event source an ARN (or a reference to one) names: sqs, kinesis, dynamodb, kafka, mq.

    Args:
        text: the source as written: an ARN, ``!GetAtt Queue.Arn``, ``aws_sqs_queue.q.arn`` ...
        resource_types: a CloudFormation template's logical ids -> resource types, so that a
            reference to a logical id names the kind of its resource.

    Returns:
        The kind, or None when the text does not tell.
    """
    match = re.search(r"arn:aws[\w-]*:(sqs|kinesis|dynamodb|kafka|mq):", text)
    if match:
        return match.group(1)
    if resource_types:
        for logical, rtype in resource_types.items():
            if rtype in _CFN_TYPE_KINDS and re.search(rf"\b{re.escape(logical)}\b", text):
                return _CFN_TYPE_KINDS[rtype]
    lowered = text.lower()
    for needle, kind in (
        ("aws_sqs_queue", "sqs"),
        ("aws_kinesis_stream", "kinesis"),
        ("aws_dynamodb_table", "dynamodb"),
        ("aws_msk_", "kafka"),
        ("aws_mq_broker", "mq"),
    ):
        if needle in lowered:
            return kind
    return None

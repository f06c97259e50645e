"""Source records as Lambda and Pipes filter them, and FilterCriteria: the documented examples.

Records and filters are the ones of the Lambda filtering pages (SQS, Kinesis, DynamoDB, Amazon MQ,
Amazon MSK / self-managed Kafka) and of "Event filtering in Amazon EventBridge Pipes", with the
format tables of those pages.
"""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

import patterns
from patterns import InvalidEventError, InvalidPatternError, Machine
from patterns.filters import FilterCriteria
from patterns.records import (
    detect_source,
    dynamodb_record,
    kafka_record,
    kinesis_record,
    mq_record,
    record_to_event,
    sqs_record,
)
from tests.strategies import json_events
from tests.strategies import patterns as pattern_strategy

# Every Machine and Pattern here runs on each matcher twin (tests/conftest.py: `twin`).
pytestmark = pytest.mark.usefixtures("twin")

DIALECTS = ["lambda", "pipes"]


def b64(value) -> str:
    raw = (
        value
        if isinstance(value, bytes)
        else (value if isinstance(value, str) else json.dumps(value)).encode()
    )
    return base64.b64encode(raw).decode()


def criteria(*pattern_texts: str, **kwargs) -> FilterCriteria:
    return FilterCriteria({"Filters": [{"Pattern": t} for t in pattern_texts]}, **kwargs)


# --- SQS (with-sqs-filtering) --------------------------------------------------------------------


def sqs(body: str) -> dict:
    return {
        "messageId": "059f36b4-87a3-44ab-83d2-661975830a7d",
        "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...",
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": "1545082649183",
            "SenderId": "AIDAIENQZJOLO23YVJ4VO",
            "ApproximateFirstReceiveTimestamp": "1545082649185",
        },
        "messageAttributes": {},
        "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-west-2:123456789012:my-queue",
        "awsRegion": "us-west-2",
    }


DOC_SQS = sqs('{\n "RecordNumber": 1234,\n "TimeStamp": "yyyy-mm-ddThh:mm:ss",\n "RequestCode": "AAAA"\n}')


def test_sqs_record_parses_a_json_body() -> None:
    event = sqs_record(DOC_SQS)
    assert event["body"] == {"RecordNumber": 1234, "TimeStamp": "yyyy-mm-ddThh:mm:ss", "RequestCode": "AAAA"}
    assert event["messageId"] == DOC_SQS["messageId"]
    assert isinstance(DOC_SQS["body"], str)  # the record itself is left alone


@pytest.mark.parametrize("dialect", DIALECTS)
def test_sqs_doc_request_code_filter(dialect: str) -> None:
    # { "body" : { "RequestCode" : [ "BBBB" ] } } against the page's record (RequestCode AAAA)
    c = criteria('{ "body" : { "RequestCode" : [ "BBBB" ] } }', dialect=dialect)
    assert not c.matches(DOC_SQS)
    assert c.matches(sqs('{"RecordNumber": 1234, "RequestCode": "BBBB"}'))


@pytest.mark.parametrize("dialect", DIALECTS)
def test_sqs_doc_record_number_filter(dialect: str) -> None:
    c = criteria('{ "body" : { "RecordNumber" : [ { "numeric": [ ">", 9999 ] } ] } }', dialect=dialect)
    assert not c.matches(DOC_SQS)
    assert c.matches(sqs('{"RecordNumber": 10000, "RequestCode": "AAAA"}'))


@pytest.mark.parametrize("dialect", DIALECTS)
def test_sqs_record_given_as_json_text(dialect: str) -> None:
    c = criteria('{"body": {"RequestCode": ["AAAA"]}}', dialect=dialect)
    assert c.matches(json.dumps(DOC_SQS))
    assert c.matches(json.dumps(DOC_SQS).encode())


# The SQS format table ("Properly filtering Amazon SQS messages"): body format x pattern format.
SQS_TABLE = [
    # (body, pattern, passes)
    ("plain text", '{"body": ["plain text"]}', True),  # plain / plain: filtered on the criteria
    ("plain text", '{"body": ["other text"]}', False),
    ("plain text", '{"body": {"RequestCode": ["AAAA"]}}', False),  # plain / JSON: dropped
    ("plain text", '{"body": {"RequestCode": [{"exists": true}]}}', False),
    (
        '{"RequestCode": "AAAA"}',
        '{"body": ["{\\"RequestCode\\": \\"AAAA\\"}"]}',
        False,
    ),  # JSON / plain: dropped
    ('{"RequestCode": "AAAA"}', '{"body": [{"prefix": "{"}]}', False),
    ('{"RequestCode": "AAAA"}', '{"body": {"RequestCode": ["AAAA"]}}', True),  # JSON / JSON: filtered
    ('{"RequestCode": "AAAA"}', '{"body": {"RequestCode": ["BBBB"]}}', False),
    ("plain text", '{"awsRegion": ["us-west-2"]}', True),  # no pattern for body: metadata only
    ('{"RequestCode": "AAAA"}', '{"awsRegion": ["us-west-2"]}', True),
    ('{"RequestCode": "AAAA"}', '{"awsRegion": ["eu-west-1"]}', False),
]


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(("body", "pattern", "passes"), SQS_TABLE)
def test_sqs_format_table(dialect: str, body: str, pattern: str, passes: bool) -> None:
    assert criteria(pattern, dialect=dialect).matches(sqs(body)) is passes
    assert patterns.compile(pattern, dialect=dialect).matches(sqs(body)) is passes


def test_sqs_body_that_is_a_json_scalar_is_read_as_text() -> None:
    assert sqs_record(sqs("123"))["body"] == "123"
    assert sqs_record(sqs('"quoted"'))["body"] == '"quoted"'
    assert sqs_record(sqs("{not json"))["body"] == "{not json"


# --- Kinesis (with-kinesis-filtering; Pipes filtering page) --------------------------------------

DOC_KINESIS = {
    "kinesis": {
        "kinesisSchemaVersion": "1.0",
        "partitionKey": "1",
        "sequenceNumber": "49590338271490256608559692538361571095921575989136588898",
        "data": "eyJSZWNvcmROdW1iZXIiOiAiMDAwMSIsICJUaW1lU3RhbXAiOiAieXl5eS1tbS1kZFRoaDptbTpzcyIsICJSZXF1ZXN0Q29kZSI6ICJBQUFBIn0=",
        "approximateArrivalTimestamp": 1545084650.987,
    },
    "eventSource": "aws:kinesis",
    "eventVersion": "1.0",
    "eventID": "shardId-000000000006:49590338271490256608559692538361571095921575989136588898",
    "eventName": "aws:kinesis:record",
    "invokeIdentityArn": "arn:aws:iam::123456789012:role/lambda-role",
    "awsRegion": "us-east-2",
    "eventSourceARN": "arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream",
}


def kinesis(data, partition_key: str = "1") -> dict:
    record = json.loads(json.dumps(DOC_KINESIS))
    record["kinesis"]["data"] = b64(data)
    record["kinesis"]["partitionKey"] = partition_key
    return record


def test_kinesis_record_lifts_the_stream_fields_and_decodes_data() -> None:
    event = kinesis_record(DOC_KINESIS)
    assert event["data"] == {
        "RecordNumber": "0001",
        "TimeStamp": "yyyy-mm-ddThh:mm:ss",
        "RequestCode": "AAAA",
    }
    assert event["partitionKey"] == "1"
    assert event["eventSource"] == "aws:kinesis"
    assert "kinesis" not in event


@pytest.mark.parametrize("dialect", DIALECTS)
def test_kinesis_doc_order_type_filter(dialect: str) -> None:
    c = criteria('{ "data" : { "order" : { "type" : [ "buy" ] } } }', dialect=dialect, source="kinesis")
    order = {"record": 12345, "order": {"type": "buy", "stock": "ANYCO", "quantity": 1000}}
    assert c.matches(kinesis(order))
    assert not c.matches(kinesis({**order, "order": {**order["order"], "type": "sell"}}))
    assert not c.matches(DOC_KINESIS)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_kinesis_doc_partition_key_and_data_filter(dialect: str) -> None:
    # The older Lambda page and the Pipes page: a metadata property and a data property.
    c = criteria('{ "partitionKey": [ "1" ], "data": { "City": [ "Seattle" ] } }', dialect=dialect)
    data = {"City": "Seattle", "State": "WA", "Temperature": "46", "Month": "December"}
    assert c.matches(kinesis(data))
    assert not c.matches(kinesis(data, partition_key="2"))
    assert not c.matches(kinesis({**data, "City": "Portland"}))


@pytest.mark.parametrize("dialect", DIALECTS)
def test_kinesis_doc_temperature_range_filter(dialect: str) -> None:
    c = criteria('{ "data": { "Temperature": [ {"numeric": [ ">", 50, "<=", 60 ] } ]}}', dialect=dialect)
    assert c.matches(kinesis({"Temperature": 60}))
    assert not c.matches(kinesis({"Temperature": 50}))
    assert not c.matches(kinesis({"Temperature": "55"}))  # a string is not a number


def test_pipes_kinesis_record_without_envelope() -> None:
    # The Pipes page's record: stream fields at the top, data base64 ("Hello, this is a test.").
    record = {
        "kinesisSchemaVersion": "1.0",
        "partitionKey": "1",
        "sequenceNumber": "49590338271490256608559692538361571095921575989136588898",
        "data": "SGVsbG8sIHRoaXMgaXMgYSB0ZXN0Lg==",
        "approximateArrivalTimestamp": 1545084650.987,
    }
    assert detect_source(record) == "kinesis"
    assert record_to_event(record)["data"] == "Hello, this is a test."
    assert criteria('{"partitionKey": ["1"]}', dialect="pipes").matches(record)
    assert not criteria('{"data": {"City": ["Seattle"]}}', dialect="pipes").matches(record)


# The stream format table ("Properly filtering Kinesis and DynamoDB messages").
@pytest.mark.parametrize("dialect", DIALECTS)
def test_kinesis_format_table(dialect: str) -> None:
    json_data, text_data = kinesis({"City": "Seattle"}), kinesis("just text")
    json_pattern = '{"data": {"City": ["Seattle"]}}'
    assert criteria(json_pattern, dialect=dialect, source="kinesis").matches(json_data)  # JSON / JSON
    assert not criteria(json_pattern, dialect=dialect, source="kinesis").matches(
        text_data
    )  # non-JSON: dropped
    metadata = '{"partitionKey": ["1"]}'  # no pattern for data: metadata only
    assert criteria(metadata, dialect=dialect, source="kinesis").matches(json_data)
    assert criteria(metadata, dialect=dialect, source="kinesis").matches(text_data)
    # A non-JSON pattern for data: refused when the mapping or pipe is created.
    with pytest.raises(InvalidPatternError) as info:
        criteria(metadata, '{"data": ["just text"]}', dialect=dialect, source="kinesis")
    assert info.value.reason == "The filter pattern for data properties must be in a valid JSON format"
    assert info.value.path == "$.data"
    assert info.value.filter_index == 1


def test_kinesis_data_that_is_not_base64_is_an_input_error() -> None:
    record = json.loads(json.dumps(DOC_KINESIS))
    record["kinesis"]["data"] = "not base64!"
    with pytest.raises(InvalidEventError, match=r"at `\$\.kinesis\.data`"):
        kinesis_record(record)


# --- DynamoDB Streams (with-ddb-filtering; multi-level example of the filtering page) ------------

DOC_DDB = {
    "eventID": "1",
    "eventVersion": "1.0",
    "dynamodb": {
        "ApproximateCreationDateTime": "1678831218.0",
        "Keys": {"CustomerName": {"S": "AnyCompany Industries"}},
        "NewImage": {
            "AccountManager": {"S": "Pat Candella"},
            "PaymentTerms": {"S": "60 days"},
            "CustomerName": {"S": "AnyCompany Industries"},
        },
        "SequenceNumber": "111",
        "SizeBytes": 26,
        "StreamViewType": "NEW_IMAGE",
    },
}

DOC_DDB_NUMBERS = {
    "eventName": "INSERT",
    "dynamodb": {
        "Keys": {"Id": {"N": "101"}},
        "NewImage": {"Message": {"S": "New item!"}, "Id": {"N": "101"}},
        "SequenceNumber": "111",
        "SizeBytes": 26,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    },
}


def test_dynamodb_record_is_read_unchanged() -> None:
    assert dynamodb_record(DOC_DDB) == DOC_DDB
    assert detect_source(DOC_DDB) == "dynamodb"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_dynamodb_doc_key_filter(dialect: str) -> None:
    c = criteria(
        '{ "dynamodb" : { "Keys" : { "CustomerName" : { "S" : [ "AnyCompany Industries" ] } } } }',
        dialect=dialect,
        source="dynamodb",
    )
    assert c.matches(DOC_DDB)
    other = json.loads(json.dumps(DOC_DDB))
    other["dynamodb"]["Keys"]["CustomerName"]["S"] = "Example Corp"
    assert not c.matches(other)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_dynamodb_doc_new_image_filter(dialect: str) -> None:
    c = criteria(
        '{ "dynamodb" : { "NewImage" : { "AccountManager" : { "S" : [ "Pat Candella", "Shirley Rodriguez" ] } } } }',
        dialect=dialect,
    )
    assert c.matches(DOC_DDB)


@pytest.mark.parametrize("dialect", DIALECTS)
def test_dynamodb_numbers_stay_strings(dialect: str) -> None:
    as_string = criteria('{ "dynamodb": { "Keys": { "Id": { "N": [ "101" ] } } } }', dialect=dialect)
    assert as_string.matches(DOC_DDB_NUMBERS)
    as_number = criteria('{ "dynamodb": { "Keys": { "Id": { "N": [ 101 ] } } } }', dialect=dialect)
    assert not as_number.matches(DOC_DDB_NUMBERS)
    numeric = criteria(
        '{ "dynamodb": { "Keys": { "Id": { "N": [ {"numeric": [">", 100]} ] } } } }', dialect=dialect
    )
    assert not numeric.matches(DOC_DDB_NUMBERS)


def test_dynamodb_event_name_filter() -> None:
    c = criteria(
        '{"eventName": ["INSERT"], "dynamodb": {"NewImage": {"Message": {"S": [{"prefix": "New"}]}}}}'
    )
    assert c.matches(DOC_DDB_NUMBERS)
    assert not c.matches({**DOC_DDB_NUMBERS, "eventName": "MODIFY"})


def test_dynamodb_plain_pattern_for_data_is_refused() -> None:
    with pytest.raises(InvalidPatternError) as info:
        criteria('{"dynamodb": ["x"]}', source="dynamodb")
    assert str(info.value) == (
        "Invalid filter pattern definition. Reason: The filter pattern for data properties must be in a valid JSON format"
    )


# --- Amazon MQ (with-mq-filtering) ---------------------------------------------------------------


def activemq(data) -> dict:
    return {
        "messageID": "ID:b-9bcfa592-423a-4942-879d-eb284b418fc8-1.mq.us-west-2.amazonaws.com-37557-1234520418293-4:1:1:1:1",
        "messageType": "jms/text-message",
        "deliveryMode": 1,
        "replyTo": None,
        "type": None,
        "expiration": "60000",
        "priority": 1,
        "correlationId": "myJMSCoID",
        "redelivered": False,
        "destination": {"physicalName": "testQueue"},
        "data": b64(data),
        "timestamp": 1598827811958,
        "brokerInTime": 1598827811958,
        "brokerOutTime": 1598827811959,
        "properties": {"index": "1", "doAlarm": "false", "myCustomProperty": "value"},
    }


def rabbitmq(data) -> dict:
    return {
        "basicProperties": {"contentType": "text/plain", "deliveryMode": 1, "priority": 34, "bodySize": 80},
        "redelivered": False,
        "data": b64(data),
    }


def test_mq_record_decodes_data() -> None:
    doc = activemq("x")
    doc["data"] = "QUJDOkFBQUE="  # the page's record
    assert mq_record(doc)["data"] == "ABC:AAAA"
    assert detect_source(doc) == "mq"
    assert detect_source(rabbitmq("x")) == "mq"


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("make", [activemq, rabbitmq])
def test_mq_doc_timeout_filter(dialect: str, make) -> None:
    c = criteria('{ "data" : { "timeout" : [ { "numeric": [ ">", 0 ] } ] } }', dialect=dialect, source="mq")
    assert not c.matches(make({"timeout": 0, "IPAddress": "203.0.113.254"}))
    assert c.matches(make({"timeout": 30, "IPAddress": "203.0.113.254"}))


@pytest.mark.parametrize("dialect", DIALECTS)
def test_mq_doc_plain_string_filter(dialect: str) -> None:
    c = criteria('{ "data" : [ { "prefix": "Result: " } ] }', dialect=dialect, source="mq")
    assert c.matches(activemq("Result: OK"))
    assert not c.matches(activemq("ABC:AAAA"))


# --- Amazon MSK and self-managed Kafka (kafka-filtering) -----------------------------------------


def kafka(value, key=None) -> dict:
    record = {
        "topic": "mytopic",
        "partition": 0,
        "offset": 15,
        "timestamp": 1545084650987,
        "timestampType": "CREATE_TIME",
        "value": b64(value),
        "headers": [],
    }
    if key is not None:
        record["key"] = b64(key)
    return record


def test_kafka_record_decodes_key_and_value() -> None:
    event = kafka_record(kafka("Hello, this is a test.", key={"id": 7}))
    assert event["value"] == "Hello, this is a test."
    assert event["key"] == {"id": 7}
    assert detect_source(kafka("x")) == "kafka"


@pytest.mark.parametrize("dialect", DIALECTS)
def test_kafka_doc_device_filter(dialect: str) -> None:
    c = criteria('{ "value" : { "device_ID" : [ { "prefix": "AB" } ] } }', dialect=dialect, source="kafka")
    message = {"device_ID": "AB1234", "session": {"start_time": "yyyy-mm-ddThh:mm:ss", "duration": 162}}
    assert c.matches(kafka(message))
    assert not c.matches(kafka({**message, "device_ID": "CD1234"}))


@pytest.mark.parametrize("dialect", DIALECTS)
def test_kafka_doc_anything_but_error_filter(dialect: str) -> None:
    c = criteria('{ "value" : [ { "anything-but": [ "error" ] } ] }', dialect=dialect, source="kafka")
    assert c.matches(kafka("Hello, this is a test."))
    assert not c.matches(kafka("error"))


def test_pipes_kafka_key_filter() -> None:
    c = criteria('{"key": {"tenant": ["acme"]}}', dialect="pipes", source="kafka")
    assert c.matches(kafka("x", key={"tenant": "acme"}))
    assert not c.matches(kafka("x", key={"tenant": "other"}))


# The Kafka / MQ format table: a mismatch filters on the other (metadata) properties only.
KAFKA_TABLE = [
    # (value, pattern, passes)
    ("plain", '{"topic": ["mytopic"], "value": ["plain"]}', True),  # plain / plain: filtered
    ("plain", '{"topic": ["mytopic"], "value": ["other"]}', False),
    ("plain", '{"topic": ["mytopic"], "value": {"a": ["1"]}}', True),  # plain / JSON: metadata only
    ("plain", '{"topic": ["other"], "value": {"a": ["1"]}}', False),
    ({"a": "1"}, '{"topic": ["mytopic"], "value": ["plain"]}', True),  # JSON / plain: metadata only
    ({"a": "1"}, '{"topic": ["other"], "value": ["plain"]}', False),
    ({"a": "1"}, '{"topic": ["mytopic"], "value": {"a": ["1"]}}', True),  # JSON / JSON: filtered
    ({"a": "2"}, '{"topic": ["mytopic"], "value": {"a": ["1"]}}', False),
    (b"\xff\xfe\x00", '{"topic": ["mytopic"], "value": {"a": ["1"]}}', True),  # not UTF-8: metadata only
    (b"\xff\xfe\x00", '{"topic": ["mytopic"], "value": ["plain"]}', True),
    (b"\xff\xfe\x00", '{"topic": ["other"], "value": ["plain"]}', False),
    ({"a": "1"}, '{"value": ["plain"]}', True),  # no metadata left: passes
]


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize(("value", "pattern", "passes"), KAFKA_TABLE)
def test_kafka_format_table(dialect: str, value, pattern: str, passes: bool) -> None:
    assert criteria(pattern, dialect=dialect, source="kafka").matches(kafka(value)) is passes


@pytest.mark.parametrize(("value", "pattern", "passes"), KAFKA_TABLE)
def test_kafka_format_table_in_a_machine(value, pattern: str, passes: bool) -> None:
    c = criteria(pattern, source="kafka")
    machine = Machine(dialect="lambda")
    names = c.add_to(machine, "esm")
    assert bool(set(machine.match(kafka(value))) & set(names)) is passes


def test_kafka_filter_at_the_length_cap_keeps_its_mismatch_variant() -> None:
    head, tail = '{"value":["', '"]}'
    text = head + "x" * (4096 - len(head) - len(tail)) + tail
    c = criteria(text, source="kafka")
    assert len(c.rule_names("esm")) == 2
    assert c.matches(kafka({"a": 1}))  # a JSON value against a plain pattern: metadata only
    machine = Machine(dialect="lambda")
    c.add_to(machine, "esm")
    assert machine.match(kafka({"a": 1})) == ["esm#1"]


def test_mq_format_table_mismatch_filters_on_metadata() -> None:
    c = criteria(
        '{"messageType": ["jms/text-message"], "data": {"timeout": [{"numeric": [">", 0]}]}}', source="mq"
    )
    assert c.matches(activemq("plain text"))  # plain / JSON: metadata only
    assert not c.matches(activemq({"timeout": 0}))  # JSON / JSON: filtered


def test_mismatch_drops_without_a_source() -> None:
    # Without a source (as a Machine reads records), a format mismatch drops the record.
    c = criteria('{"topic": ["mytopic"], "value": {"a": ["1"]}}')
    assert not c.matches(kafka("plain"))


def test_non_utf8_value_reads_as_null() -> None:
    assert kafka_record(kafka(b"\xff\xfe"))["value"] is None


# --- records of no known shape -------------------------------------------------------------------


def test_unknown_record_is_read_as_it_is() -> None:
    record = {"a": {"b": "c"}}
    assert record_to_event(record) is record
    assert patterns.compile({"a": {"b": ["c"]}}, dialect="lambda").matches(record)


def test_record_to_event_with_a_named_source() -> None:
    assert record_to_event(kafka("x"), "kafka")["value"] == "x"
    with pytest.raises(ValueError, match="Expected a source"):
        record_to_event(kafka("x"), "s3")


def test_record_that_is_not_an_object_is_an_input_error() -> None:
    with pytest.raises(InvalidEventError):
        record_to_event("[1, 2]")


# --- FilterCriteria: construction, quotas, OR of filters -----------------------------------------


def test_filters_are_ored() -> None:
    c = criteria('{"body": {"RequestCode": ["AAAA"]}}', '{"body": {"RequestCode": ["BBBB"]}}')
    assert c.matches(sqs('{"RequestCode": "AAAA"}'))
    assert c.matches(sqs('{"RequestCode": "BBBB"}'))
    assert not c.matches(sqs('{"RequestCode": "CCCC"}'))


def test_built_from_a_list_of_patterns() -> None:
    c = FilterCriteria(['{"body": ["a"]}', {"body": ["b"]}, {"Pattern": '{"body": ["c"]}'}], dialect="pipes")
    assert len(c) == 3
    assert [c.matches(sqs(x)) for x in "abcd"] == [True, True, True, False]


def test_built_from_compiled_patterns() -> None:
    p = patterns.compile({"body": ["a"]}, dialect="lambda")
    assert FilterCriteria([p]).patterns == (p,)
    with pytest.raises(ValueError, match="dialect `lambda`"):
        FilterCriteria([patterns.compile({"body": ["a"]}, dialect="pipes")])


@pytest.mark.parametrize("empty", [{}, {"Filters": []}, []])
def test_no_filters_filter_nothing(empty) -> None:
    c = FilterCriteria(empty)
    assert len(c) == 0
    assert c.matches(sqs("anything"))
    machine = Machine(dialect="lambda")
    assert c.add_to(machine, "esm") == ()
    assert len(machine) == 0


def test_lambda_default_quota_is_five_filters() -> None:
    five = [f'{{"body": ["{i}"]}}' for i in range(5)]
    assert len(criteria(*five)) == 5
    with pytest.raises(InvalidPatternError) as info:
        criteria(*five, '{"body": ["5"]}')
    assert (
        str(info.value)
        == "Expected at most 5 filters per Lambda event source mapping, got 6 - at `$.Filters`"
    )
    assert info.value.path == "$.Filters"


def test_lambda_quota_raises_to_ten() -> None:
    ten = [f'{{"body": ["{i}"]}}' for i in range(10)]
    assert len(criteria(*ten, quota=10)) == 10
    with pytest.raises(InvalidPatternError, match="at most 10 filters"):
        criteria(*ten, '{"body": ["x"]}', quota=10)
    with pytest.raises(ValueError, match="quota of 1 to 10"):
        criteria(*ten, quota=11)


def test_pipes_allows_five_filters_and_no_more() -> None:
    five = [f'{{"body": ["{i}"]}}' for i in range(5)]
    assert len(criteria(*five, dialect="pipes")) == 5
    with pytest.raises(InvalidPatternError, match="at most 5 filters per pipe, got 6"):
        criteria(*five, '{"body": ["5"]}', dialect="pipes")
    with pytest.raises(ValueError, match="quota of 1 to 5"):
        criteria(*five, dialect="pipes", quota=10)


def test_invalid_filter_says_which() -> None:
    with pytest.raises(InvalidPatternError) as info:
        criteria('{"body": ["a"]}', '{"body": [{"wildcard": "a*"}]}')
    assert info.value.filter_index == 1
    assert info.value.reason == "Match type `wildcard` is not supported by Lambda event filtering"
    assert info.value.path == "$.body[0].wildcard"


def test_criteria_need_a_filtering_dialect_and_a_known_source() -> None:
    with pytest.raises(ValueError, match="filter criteria"):
        FilterCriteria([], dialect="eventbridge")
    with pytest.raises(ValueError, match="Expected a source"):
        FilterCriteria([], source="s3")
    with pytest.raises(ValueError, match="`Filters` only"):
        FilterCriteria({"filters": []})
    with pytest.raises(ValueError, match="one pattern"):
        FilterCriteria('{"body": ["a"]}')


def test_to_json_gives_the_api_form() -> None:
    text = '{ "body" : { "RequestCode" : [ "BBBB" ] } }'
    c = FilterCriteria([text, {"body": ["x"]}])
    assert c.to_json() == {"Filters": [{"Pattern": text}, {"Pattern": '{"body":["x"]}'}]}
    assert FilterCriteria(c.to_json()).to_json() == c.to_json()
    assert repr(c) == "FilterCriteria(2 filters, dialect='lambda')"


# --- a Machine holding criteria as rules ---------------------------------------------------------


def test_machine_holds_several_criteria() -> None:
    machine = Machine(dialect="lambda")
    orders = criteria(
        '{"body": {"RequestCode": ["AAAA"]}}', '{"body": {"RecordNumber": [{"numeric": [">", 9999]}]}}'
    )
    plain = criteria('{"body": [{"prefix": "Result: "}]}')
    order_rules = orders.add_to(machine, "orders")
    plain_rules = plain.add_to(machine, "plain")
    assert order_rules == ("orders#0", "orders#1")
    assert plain_rules == ("plain#0",)
    assert machine.match(DOC_SQS) == ["orders#0"]
    assert machine.match(sqs('{"RecordNumber": 10000, "RequestCode": "AAAA"}')) == ["orders#0", "orders#1"]
    assert machine.match(sqs("Result: OK")) == ["plain#0"]
    assert machine.match(json.dumps(sqs("Result: OK")).encode()) == ["plain#0"]
    orders.remove_from(machine, "orders")
    assert machine.match(DOC_SQS) == []
    assert list(machine) == ["plain#0"]


@pytest.mark.parametrize(
    "record",
    [
        DOC_SQS,
        sqs("Result: OK"),
        DOC_KINESIS,
        kinesis({"City": "Seattle"}),
        DOC_DDB,
        DOC_DDB_NUMBERS,
        kafka("x"),
    ],
)
def test_machine_agrees_with_criteria(record) -> None:
    texts = [
        '{"body": {"RequestCode": ["AAAA"]}}',
        '{"data": {"RequestCode": ["AAAA"]}}',
        '{"dynamodb": {"Keys": {"Id": {"N": ["101"]}}}}',
        '{"value": [{"anything-but": ["error"]}]}',
        '{"partitionKey": ["1"], "data": {"City": ["Seattle"]}}',
        '{"body": [{"prefix": "Result: "}]}',
        '{"dynamodb": {"Keys": {"CustomerName": {"S": [{"prefix": "Any"}]}}}}',
    ]
    machine = Machine(dialect="pipes")
    for i, text in enumerate(texts):
        FilterCriteria([text], dialect="pipes").add_to(machine, f"c{i}")
    expected = [
        f"c{i}#0" for i, text in enumerate(texts) if FilterCriteria([text], dialect="pipes").matches(record)
    ]
    assert machine.match(record) == expected
    assert expected  # every record here passes one of the filters


def test_add_to_refuses_a_machine_of_another_dialect() -> None:
    with pytest.raises(ValueError, match="dialect `lambda`"):
        criteria('{"body": ["a"]}').add_to(Machine(dialect="pipes"), "x")


# --- property: a record filter is EventBridge's pattern on the decoded message ------------------

_FIELD = {"sqs": "body", "kinesis": "data", "mq": "data", "kafka": "value"}


def _record(source: str, text: str) -> dict:
    if source == "sqs":
        return sqs(text)
    if source == "kinesis":
        return {
            "kinesis": {"partitionKey": "1", "sequenceNumber": "7", "data": b64(text)},
            "eventSource": "aws:kinesis",
        }
    if source == "mq":
        return {"messageID": "ID:1", "messageType": "jms/text-message", "data": b64(text)}
    return {"topic": "t", "partition": 0, "offset": 1, "value": b64(text)}


@given(
    pattern=pattern_strategy(),
    message=json_events() | st.sampled_from(["plain", "ab", "{not json", "123", "[1]"]),
    source=st.sampled_from(sorted(_FIELD)),
    dialect=st.sampled_from(DIALECTS),
)
def test_record_filter_is_eventbridge_on_the_decoded_message(
    pattern: dict, message, source: str, dialect: str
) -> None:
    field = _FIELD[source]
    wrapped = {field: pattern}
    try:
        c = FilterCriteria([wrapped], dialect=dialect)
    except InvalidPatternError:
        return  # an operator the service does not support
    text = message if isinstance(message, str) else json.dumps(message)
    note(f"record text {text!r}")
    expected = patterns.compile(wrapped).matches({field: message})
    assert c.matches(_record(source, text)) is expected
    assert c.matches(json.dumps(_record(source, text))) is expected

"""The Custom Event Bus: bus events (`patterns.bus`), subscriber filters (`SubscriberFilter`) and
`Machine(dialect="bus")`, with every filter example of AWS's pages as a test (docs/bus.md names
each page)."""

from __future__ import annotations

import json
import pickle

import pytest

import patterns
from patterns import InvalidEventError, InvalidPatternError, Machine, SubscriberFilter
from patterns.bus import DATA_READABLE, bus_to_event, read_bus_event
from patterns.dialects import BUS, BUS_DATA, BUS_METADATA, get_dialect

# Every Machine and Pattern here runs on each matcher twin (tests/conftest.py: `twin`).
pytestmark = pytest.mark.usefixtures("twin")

LIVE = {"aws:DeliveryType": "LIVE"}
JSON = {"ContentType": "application/json", **LIVE}
PUT_EVENTS = {"ContentType": "application/eventbridge+json", **LIVE}
OCTETS = {"ContentType": "application/octet-stream", **LIVE}


def raw(data, metadata=None, **system) -> dict:
    """A PutRawEvents event of JSON data."""
    event = {"Data": data, "SystemMetadata": {**JSON, **system}}
    if metadata is not None:
        event["Metadata"] = metadata
    return event


def put_events(detail: dict, **system) -> dict:
    """A PutEvents event: the envelope as Data, no Metadata."""
    envelope = {"version": "0", "id": "1", "source": "orders", "detail-type": "OrderPlaced", "detail": detail}
    return {"Data": json.dumps(envelope), "SystemMetadata": {**PUT_EVENTS, **system}}


def one(scope: str, pattern: str) -> SubscriberFilter:
    return SubscriberFilter({"Filters": [{"Scope": scope, "Pattern": pattern}]})


# --- the pages' examples ---------------------------------------------------------------------


def test_filtering_page_data_example_delivers_put_events_orders_over_500() -> None:
    # "Filtering events for a subscriber": a DATA filter with {"detail":{"amount":[{"numeric":
    # [">",500]}]}} "delivers only orders over 500 published with PutEvents".
    f = one("DATA", '{"detail":{"amount":[{"numeric":[">",500]}]}}')
    assert f.matches(put_events({"amount": 900}))
    assert not f.matches(put_events({"amount": 500}))
    assert not f.matches(raw({"amount": 900}))  # the same payload published raw: no `detail`


def test_addressing_page_patterns_match_only_their_publish_api() -> None:
    # "Event structure": the same total is at `total` for PutRawEvents and at `detail.total` for
    # PutEvents; "An expression or pattern written for the wrong shape does not fail ... the
    # filter matches no events".
    raw_pattern = one("DATA", '{ "total": [ { "numeric": [ ">", 500 ] } ] }')
    put_pattern = one("DATA", '{ "detail": { "total": [ { "numeric": [ ">", 500 ] } ] } }')
    assert raw_pattern.matches(raw(b'{"orderId": "A-1", "total": 600}'))
    assert not raw_pattern.matches(put_events({"orderId": "A-1", "total": 600}))
    assert put_pattern.matches(put_events({"orderId": "A-1", "total": 600}))
    assert not put_pattern.matches(raw(b'{"orderId": "A-1", "total": 600}'))


def test_serverlessland_subscriber_snippet_filters_placed_orders() -> None:
    # AWS's serverlessland snippets (eventbridge-custom-bus-simple / -advanced-subscriber): the
    # test event {"detail":{"orderId":"A-1001","status":"PLACED","total":42}} published with
    # put-raw-events, and the filter {"detail":{"status":["PLACED"]}} of subscriber 1.
    f = SubscriberFilter({"Filters": [{"Scope": "DATA", "Pattern": '{"detail":{"status":["PLACED"]}}'}]})
    assert f.matches(raw(b'{"detail":{"orderId":"A-1001","status":"PLACED","total":42}}'))
    assert not f.matches(raw(b'{"detail":{"orderId":"A-1002","status":"SHIPPED","total":42}}'))


def test_access_page_metadata_filter_on_tenant() -> None:
    # "Actions, resources, and condition keys": subscribers "whose METADATA filter matches tenant
    # to acme alone".
    f = one("METADATA", '{"tenant": ["acme"]}')
    assert f.matches(raw({"x": 1}, {"tenant": "acme"}))
    assert not f.matches(raw({"x": 1}, {"tenant": "other"}))
    assert not f.matches(raw({"x": 1}))


def test_metadata_filter_never_matches_a_put_events_event() -> None:
    # "A PutEvents event has no publisher metadata, so a METADATA filter never matches it."
    f = one("METADATA", '{"tenant": ["acme"]}')
    assert not f.matches(put_events({"tenant": "acme"}))


def test_octet_stream_event_never_reaches_a_data_filter_but_metadata_filters_work() -> None:
    # "An application/octet-stream event has no data that a filter can read, so a subscriber that
    # has a DATA filter never matches it; METADATA and SYSTEM_METADATA filters still work on it."
    event = {"Data": b"\x00\xff", "Metadata": {"tenant": "acme"}, "SystemMetadata": OCTETS}
    assert not one("DATA", '{"x": [{"exists": false}]}').matches(event)
    assert not one("DATA", '{"x": [{"anything-but": "y"}]}').matches(event)
    assert one("METADATA", '{"tenant": ["acme"]}').matches(event)
    assert one("SYSTEM_METADATA", '{"ContentType": ["application/octet-stream"]}').matches(event)


def test_system_metadata_filter_on_fields_eventbridge_sets() -> None:
    # The subscribers page: SYSTEM_METADATA "matches fields EventBridge sets, such as aws:Source
    # or EventGroupId"; every operator but wildcards.
    f = one("SYSTEM_METADATA", '{"aws:Source": [{"prefix": "com.example."}], "EventGroupId": ["g1"]}')
    assert f.matches(put_events({}, **{"aws:Source": "com.example.orders", "EventGroupId": "g1"}))
    assert not f.matches(put_events({}, **{"aws:Source": "com.example.orders"}))  # absent field
    assert one("SYSTEM_METADATA", '{"aws:DeliveryType": ["REPLAY"]}').matches(
        put_events({}, **{"aws:DeliveryType": "REPLAY"})
    )


def test_subscriber_without_filter_configuration_receives_every_event() -> None:
    # "A subscriber without a FilterConfiguration receives every event on the bus."
    for config in (None, {}):
        f = SubscriberFilter(config)
        assert len(f) == 0 and f.to_json() == {}
        assert f.matches(raw(b"[1]")) and f.matches({"Data": b"x", "SystemMetadata": OCTETS})
        assert f.explain(raw(b"{}")).matched


# --- validation --------------------------------------------------------------------------------


def _refusal(config) -> InvalidPatternError:
    with pytest.raises(InvalidPatternError) as info:
        SubscriberFilter(config)
    return info.value


@pytest.mark.parametrize("scope", ["DATA", "SYSTEM_METADATA"])
def test_wildcards_are_refused_in_every_scope(scope: str) -> None:
    # "Subscriber filters do not support wildcard matching."
    for pattern in ('{"a": [{"wildcard": "x*"}]}', '{"a": [{"anything-but": {"wildcard": "x*"}}]}'):
        err = _refusal({"Filters": [{"Scope": scope, "Pattern": pattern}]})
        assert str(err).startswith("Event pattern is not valid. Reason: ")
        assert "`wildcard`" in str(err) and "subscriber filters" in str(err)
        assert err.filter_index == 0  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "op",
    [
        '{"prefix": "a"}', '{"suffix": "a"}', '{"equals-ignore-case": "a"}', '{"numeric": [">", 1]}',
        '{"exists": true}', '{"anything-but": "a"}', '{"cidr": "10.0.0.0/8"}', '{"wildcard": "a*"}',
    ],
)  # fmt: skip
def test_metadata_filters_take_exact_values_only(op: str) -> None:
    err = _refusal({"Filters": [{"Scope": "METADATA", "Pattern": f'{{"tenant": [{op}]}}'}]})
    assert "METADATA filters" in str(err) and err.path.startswith("$.tenant[0]")


def test_metadata_filters_refuse_or_and_nesting() -> None:
    err = _refusal({"Filters": [{"Scope": "METADATA", "Pattern": '{"$or": [{"a": ["x"]}, {"b": ["y"]}]}'}]})
    assert "`$or` is not supported by METADATA filters" in str(err)
    err = _refusal({"Filters": [{"Scope": "METADATA", "Pattern": '{"a": {"b": ["x"]}}'}]})
    assert "exact values only" in str(err) and err.path == "$.a"
    # exact values of any JSON type are accepted (a number never equals a metadata string)
    assert not one("METADATA", '{"a": ["x", 1, null]}').matches(raw({}, {"a": "1"}))


def test_data_filters_take_every_other_operator() -> None:
    for op in ('{"prefix": "a"}', '{"numeric": [">", 1]}', '{"exists": true}', '{"cidr": "10.0.0.0/8"}',
               '{"anything-but": {"prefix": "a"}}', '{"suffix": {"equals-ignore-case": "A"}}'):  # fmt: skip
        one("DATA", f'{{"a": [{op}]}}')
        one("SYSTEM_METADATA", f'{{"a": [{op}]}}')
    one("DATA", '{"$or": [{"a": ["x"]}, {"b": ["y"]}]}')


def test_pattern_longer_than_4096_characters_is_refused() -> None:
    # API_Filter: Pattern "Maximum length of 4096".
    fits = '{"a": ["' + "x" * (4096 - 11) + '"]}'
    assert len(fits) == 4096
    one("DATA", fits)
    err = _refusal({"Filters": [{"Scope": "DATA", "Pattern": fits.replace('"]}', 'x"]}')}]})
    assert "at most 4096 characters" in str(err)


def test_configuration_shape_is_checked() -> None:
    pattern = '{"a": ["x"]}'
    too_many = {"Filters": [{"Scope": "DATA", "Pattern": pattern}] * 51}
    assert "Expected 1 to 50 filters, got 51" in str(_refusal(too_many))
    SubscriberFilter({"Filters": [{"Scope": "DATA", "Pattern": pattern}] * 50})
    assert _refusal({"Filters": []}).path == "$.Filters"
    assert _refusal({"Language": "EVENT_BRIDGE_PATTERN"}).path == "$.Filters"
    assert (
        _refusal({"Filters": [{"Scope": "DATA", "Pattern": pattern}], "Language": "JSONATA"}).path
        == "$.Language"
    )
    assert _refusal({"Filters": [{"Scope": "BODY", "Pattern": pattern}]}).path == "$.Filters[0].Scope"
    assert _refusal({"Filters": [{"Pattern": pattern}]}).path == "$.Filters[0]"
    assert _refusal({"Filters": [{"Scope": "DATA", "Pattern": pattern}], "Other": 1}).path == "$"
    assert _refusal("{not json").path == "$"
    # an empty pattern is not a pattern ("at least one Filter with a non-empty Pattern")
    err = _refusal({"Filters": [{"Scope": "DATA", "Pattern": pattern}, {"Scope": "DATA", "Pattern": ""}]})
    assert err.filter_index == 1  # type: ignore[attr-defined]


def test_dialects_are_found_by_name_and_kept_apart_from_dialects() -> None:
    assert get_dialect("bus") is BUS and get_dialect("bus-data") is BUS_DATA
    assert get_dialect("bus-metadata") is BUS_METADATA
    assert "bus" not in patterns.DIALECTS
    with pytest.raises(ValueError, match="`bus-metadata`"):
        get_dialect("nope")


# --- bus events ----------------------------------------------------------------------------------


def test_data_is_read_from_bytes_text_or_a_decoded_value() -> None:
    f = one("DATA", '{"a": ["x"]}')
    for data in (b'{"a": "x"}', '{"a": "x"}', {"a": "x"}, bytearray(b'{"a": "x"}')):
        assert f.matches(raw(data))
    assert read_bus_event(raw(b'{"big": 1e400}')).data is not None  # a number no double holds


def test_json_data_that_is_not_an_object_has_nothing_a_data_filter_reads() -> None:
    # Ours (unverified): as octet-stream data.
    for data in (b"[1, 2]", b"3", '"text"', [{"a": "x"}]):
        assert read_bus_event(raw(data)).data is None
        assert not one("DATA", '{"a": [{"exists": false}]}').matches(raw(data))
    assert one("SYSTEM_METADATA", '{"ContentType": ["application/json"]}').matches(raw(b"[1]"))


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ([], "Expected a bus event (`object`), got `list` - at `$`"),
        ({"Data": b"{}"}, "Expected `SystemMetadata` - at `$`"),
        ({"Data": b"{}", "SystemMetadata": {"ContentType": "application/json"}},
         "Expected `aws:DeliveryType` - at `$.SystemMetadata`"),
        ({"Data": b"{}", "SystemMetadata": LIVE}, "Expected `ContentType` - at `$.SystemMetadata`"),
        ({"Data": b"{}", "SystemMetadata": {**JSON, "ContentType": "text/plain"}}, "got `text/plain`"),
        ({"Data": b"{}", "SystemMetadata": {**JSON, "aws:SequenceNumber": 7}},
         "Expected `str`, got `number` - at `$.SystemMetadata.aws:SequenceNumber`"),
        ({"SystemMetadata": JSON}, "Expected `Data` - at `$`"),
        ({"Data": b"{}", "SystemMetadata": JSON, "Extra": 1}, "got `Extra` - at `$`"),
        ({"Data": b"{", "SystemMetadata": JSON}, "(in `$.Data`)"),
        ({"Data": b"{}", "SystemMetadata": JSON, "Metadata": {"a/b": "x"}}, "without `/`, got `a/b`"),
        ({"Data": b"{}", "SystemMetadata": JSON, "Metadata": {"k" * 129: "x"}}, "1 to 128 characters"),
        ({"Data": b"{}", "SystemMetadata": JSON, "Metadata": {"": "x"}}, "1 to 128 characters"),
        ({"Data": b"{}", "SystemMetadata": JSON, "Metadata": {"a": ""}}, "Expected a non-empty `str`"),
        ({"Data": b"{}", "SystemMetadata": JSON, "Metadata": {"a": 1}}, "at `$.Metadata.a`"),
        ({"Data": b"{}", "SystemMetadata": JSON, "Metadata": {f"k{i}": "v" for i in range(101)}},
         "Expected at most 100 metadata entries, got 101"),
        ({"Data": b"{}", "SystemMetadata": PUT_EVENTS, "Metadata": {"a": "x"}}, "Expected no `Metadata`"),
        ({"Data": b"[1]", "SystemMetadata": PUT_EVENTS}, "the PutEvents envelope"),
        ({"Data": {"a": 1}, "SystemMetadata": OCTETS}, "Expected `bytes` or `str` data"),
        ({"Data": b"\x02\x06abc", "SystemMetadata": {**JSON, "ContentType": "application/avro"}},
         "give the JSON form of `application/avro` data"),
    ],
)  # fmt: skip
def test_invalid_bus_events_are_refused_with_a_path(event, message: str) -> None:
    with pytest.raises(InvalidEventError) as info:
        read_bus_event(event)
    assert message in str(info.value)
    with pytest.raises(InvalidEventError):
        one("SYSTEM_METADATA", '{"ContentType": ["application/json"]}').matches(event)
    machine = Machine(dialect="bus")
    machine.add("s", {"Filters": [{"Scope": "DATA", "Pattern": '{"a": [1]}'}]})
    with pytest.raises(InvalidEventError):
        machine.match(event)


def test_metadata_limits_at_their_edges_are_accepted() -> None:
    metadata = {f"k{i:03}" + "x" * 124: "v" for i in range(100)}
    assert read_bus_event(raw(b"{}", metadata)).metadata == metadata


def test_bus_event_given_as_json_text_is_read() -> None:
    # a WITH_METADATA delivery: the three parts as one JSON document, Data decoded
    text = json.dumps({"Data": {"a": "x"}, "Metadata": {"t": "1"}, "SystemMetadata": JSON})
    assert one("DATA", '{"a": ["x"]}').matches(text) and one("METADATA", '{"t": ["1"]}').matches(
        text.encode()
    )


def test_bus_to_event_names_each_part_and_marks_readable_data() -> None:
    event = bus_to_event(raw(b'{"a": 1}', {"t": "1"}), copies=(2, 1, 1))
    assert event == {
        "Data": {"a": 1}, "Data#2": {"a": 1}, "Metadata": {"t": "1"}, "SystemMetadata": JSON, DATA_READABLE: True,
    }  # fmt: skip
    assert bus_to_event({"Data": b"x", "SystemMetadata": OCTETS}) == {"SystemMetadata": OCTETS}


# --- several filters: AND, also on one scope --------------------------------------------------


def test_filters_of_different_scopes_and() -> None:
    f = SubscriberFilter(
        {
            "Filters": [
                {"Scope": "DATA", "Pattern": '{"total": [{"numeric": [">", 500]}]}'},
                {"Scope": "METADATA", "Pattern": '{"tenant": ["acme"]}'},
                {"Scope": "SYSTEM_METADATA", "Pattern": '{"aws:DeliveryType": ["LIVE"]}'},
            ]
        }
    )
    assert f.matches(raw(b'{"total": 900}', {"tenant": "acme"}))
    assert not f.matches(raw(b'{"total": 100}', {"tenant": "acme"}))
    assert not f.matches(raw(b'{"total": 900}', {"tenant": "else"}))
    assert not f.matches(raw(b'{"total": 900}', {"tenant": "acme"}, **{"aws:DeliveryType": "REPLAY"}))


def test_two_filters_on_one_path_of_one_scope_both_hold() -> None:
    # A pattern keeps one value list per path: joined naively, the second filter would replace
    # the first. Each filter reads its own copy of the data (`Data`, `Data#2`).
    f = SubscriberFilter(
        {
            "Filters": [
                {"Scope": "DATA", "Pattern": '{"total": [{"numeric": [">", 500]}]}'},
                {"Scope": "DATA", "Pattern": '{"total": [{"numeric": ["<", 800]}]}'},
            ]
        }
    )
    assert f.copies == (2, 1, 1)
    assert f.matches(raw(b'{"total": 600}'))
    assert not f.matches(raw(b'{"total": 900}')) and not f.matches(raw(b'{"total": 100}'))
    # through an array, each filter may take its own element (as each filter alone would)
    assert f.matches(raw(b'{"total": [900, 100]}'))
    machine = Machine(dialect="bus")
    machine.add("plain", {"Filters": [{"Scope": "DATA", "Pattern": '{"total": [600]}'}]})
    assert machine.match(raw(b'{"total": 600}')) == ["plain"]
    machine.add("both", f)
    assert machine.match(raw(b'{"total": 600}')) == ["plain", "both"]
    assert machine.match(raw(b'{"total": 900}')) == []


def test_explain_gives_each_filters_account() -> None:
    f = SubscriberFilter(
        {
            "Filters": [
                {"Scope": "DATA", "Pattern": '{"total": [{"numeric": [">", 500]}]}'},
                {"Scope": "METADATA", "Pattern": '{"tenant": ["acme"]}'},
            ]
        }
    )
    why = f.explain(raw(b'{"total": 100}', {"tenant": "acme"}))
    assert not why and [r.matched for r in why.filters] == [False, True]
    assert "no match: 1 of 2 filters fail" in str(why) and "filter 0 (DATA): no match" in str(why)
    why = f.explain({"Data": b"x", "Metadata": {"tenant": "acme"}, "SystemMetadata": OCTETS})
    assert why.filters[0].explanation is None and "application/octet-stream" in str(why)
    assert "no Metadata" in str(f.explain(put_events({})))
    assert f.explain(raw(b'{"total": 900}', {"tenant": "acme"})).matched


# --- the API form, the machine ----------------------------------------------------------------


def test_to_json_repr_and_pickle_round_trip() -> None:
    config = {
        "Filters": [
            {"Scope": "DATA", "Pattern": '{"a": ["x"]}'},
            {"Scope": "DATA", "Pattern": '{"a": ["y"]}'},
        ],
        "Language": "EVENT_BRIDGE_PATTERN",
    }
    f = SubscriberFilter(config)
    assert f.to_json() == config and repr(f) == "SubscriberFilter(2 filters: DATA, DATA)"
    assert SubscriberFilter({"Filters": [{"Scope": "DATA", "Pattern": {"a": ["x"]}}]}).to_json()[
        "Filters"
    ] == [{"Scope": "DATA", "Pattern": '{"a":["x"]}'}]
    again = pickle.loads(pickle.dumps(f))
    assert again.to_json() == config and again.copies == (2, 1, 1)


def test_bus_machine_holds_subscribers_and_pickles() -> None:
    machine = Machine(dialect="bus")
    machine.add("big", {"Filters": [{"Scope": "DATA", "Pattern": '{"total": [{"numeric": [">", 500]}]}'}]})
    machine.add("acme", json.dumps({"Filters": [{"Scope": "METADATA", "Pattern": '{"tenant": ["acme"]}'}]}))
    machine.add("all", None)
    machine.add("two", {"Filters": [{"Scope": "DATA", "Pattern": '{"a": ["x"]}'}] * 2})
    event = raw(b'{"total": 900, "a": "x"}', {"tenant": "acme"})
    assert machine.match(event) == ["big", "acme", "all", "two"]
    assert list(machine.match_many([event, put_events({})])) == [["big", "acme", "all", "two"], ["all"]]
    restored = pickle.loads(pickle.dumps(machine))
    assert restored.match(event) == machine.match(event)
    machine.remove("big")
    assert machine.match(event) == ["acme", "all", "two"]
    with pytest.raises(InvalidPatternError):
        machine.add("bad", {"Filters": [{"Scope": "DATA", "Pattern": '{"a": [{"wildcard": "*"}]}'}]})
    with pytest.raises(ValueError, match="dialect `bus`"):
        machine.add("p", patterns.compile('{"a": ["x"]}'))


def test_bus_machine_replaces_a_subscriber_in_place() -> None:
    machine = Machine(dialect="bus")
    machine.add("first", {"Filters": [{"Scope": "DATA", "Pattern": '{"a": ["x"]}'}]})
    machine.add("second", None)
    machine.add("first", {"Filters": [{"Scope": "METADATA", "Pattern": '{"t": ["1"]}'}] * 2})
    assert machine.match(raw(b'{"a": "x"}')) == ["second"]
    assert machine.match(raw(b"{}", {"t": "1"})) == ["first", "second"]
    assert isinstance(machine["first"], patterns.Pattern) and machine["first"].dialect.name == "bus"
    with pytest.raises(InvalidPatternError, match="Expected a JSON value, got `SubscriberFilter`"):
        Machine().add("x", SubscriberFilter(None))  # a subscriber is no EventBridge pattern

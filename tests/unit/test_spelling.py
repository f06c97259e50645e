"""`patterns.spelling`: edit distance and the near misses "did you mean" is built on."""

from __future__ import annotations

import pytest

from patterns.spelling import closest_name, closest_value, edit_distance, loose_form


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("state", "state", 0),
        ("stat", "state", 1),  # one insertion
        ("detial", "detail", 1),  # one swap of neighbours
        ("regoin", "region", 1),
        ("Detail", "detail", 1),
        ("", "ab", 2),
        ("abc", "xyz", 3),  # past the limit: limit + 1
        ("a", "abcdef", 3),  # lengths alone rule it out
    ],
)
def test_edit_distance_counts_edits_up_to_the_limit(a, b, distance):
    assert edit_distance(a, b) == distance
    assert edit_distance(b, a) == distance


def test_edit_distance_with_a_larger_limit():
    assert edit_distance("kitten", "sitting", limit=5) == 3


def test_closest_name_prefers_case_then_fewest_edits():
    assert closest_name("stat", ["state", "status", "id"]) == "state"
    assert closest_name("State", ["stat", "state"]) == "state"  # case first, though `stat` is 1 edit too
    assert closest_name("Detail", ["detail", "source"]) == "detail"
    assert closest_name("nope", ["state", "amount"]) is None
    assert closest_name("a", ["b"]) is None  # a one-letter name is not one edit from every other
    assert closest_name("state", ["state"]) is None  # never itself


def test_closest_value_only_for_case_hyphen_underscore_whitespace():
    assert closest_value("Stopped", ["stopped", "running"]) == "stopped"
    assert closest_value("in progress", ["IN_PROGRESS"]) == "IN_PROGRESS"
    assert closest_value("in-progress", ["in_progress"]) == "in_progress"
    assert closest_value("stopping", ["stopped"]) is None  # another value, not a spelling
    assert closest_value("stopped", ["stopped"]) is None
    assert loose_form(" In_Pro-gress ") == "inprogress"

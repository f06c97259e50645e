"""Unverified corpus cases (not recorded against AWS) whose expectation we knowingly do not follow.

Each entry: case id -> why AWS's documented or recorded behaviour says otherwise. Only cases with
``"aws_validated": false`` may appear here; a test enforces that.
"""

# A bare (non-array) value in an SNS policy: AWS refuses it. Recorded against AWS (case
# ls-sns:...test_sub_filter_policy_nested_property_constraints:sub-filter-policy-rule-no-list):
# {"key_a": "value_one"} -> 'Invalid parameter: FilterPolicy: "key_a" must be an object or an array'.
_SNS_BARE_VALUE = (
    "LocalStack's engine-level belief; AWS rejects a bare policy value with "
    "'\"filter\" must be an object or an array' (recorded: sub-filter-policy-rule-no-list)"
)

KNOWN_DISAGREEMENTS: dict[str, str] = {
    "ls-unit-sns:test_filter_policy#3": _SNS_BARE_VALUE,
    "ls-unit-sns:test_filter_policy#4": _SNS_BARE_VALUE,
    "ls-unit-sns:test_filter_policy#5": _SNS_BARE_VALUE,
    "ls-unit-sns:test_filter_policy#6": _SNS_BARE_VALUE,
    "moto-sns:test_subscriptions.py::test_subscribe_invalid_filter_policy#5": (
        "moto answers InternalError (its own engine's range) for the literal 1000000001 in a value "
        "list; no AWS recording refuses it, LocalStack notes AWS accepts such literals, and SNS's "
        "documented +-10^9 range is enforced on numeric and anything-but operands only"
    ),
}

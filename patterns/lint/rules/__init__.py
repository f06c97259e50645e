"""The lint rules: a registry of codes, names and docs, and the checks that produce diagnostics.

Each rule lives in its own module, named after the rule (``W101 anything-but-ignores-missing`` in
`anything_but_ignores_missing`), and registers itself with `registry.rule`; its docstring is the
rule's documentation. A pattern rule receives a `PatternContext` (the pattern's text, its compiled
form, its model with spans) and yields `Finding`s; a group rule receives every pattern of one bus,
topic or subscriber in one file; a transformer rule receives a rule target's input transformer.
`pipeline` runs them; `helpers` holds what several rules share.

``E`` rules are AWS's own verdict: `patterns.compile` decides, and the message is AWS's text.
``W`` rules are the silent failures: patterns AWS accepts that match less (or more) than their
author meant. A finding that depends on a template value nobody can know (``!Ref``, ``var.x``)
is never reported.
"""

from __future__ import annotations

# isort: off
# The rule modules, in registration order: importing one registers its rule, and the pipeline
# runs the rules in this order. (Sorting would change it: W121 registers after E106.)
from . import (  # noqa: F401
    invalid_json,
    invalid_pattern,
    pattern_over_limit,
    invalid_filter_policy_scope,
    pattern_too_long,
    too_many_filters,
    filters_over_default_quota,
    anything_but_ignores_missing,
    exists_on_object,
    numeric_on_string_field,
    string_match_on_number_field,
    key_outside_envelope,
    or_read_as_field,
    duplicate_key,
    duplicate_value,
    wildcard_is_prefix_or_suffix,
    catch_all_string_match,
    near_limit,
    pattern_over_default_quota,
    number_beyond_precision,
    sns_scope_mismatch,
    filter_outside_data_key,
    pipes_poller_field,
    unmatchable_pattern,
    field_condition_replaced,
    duplicate_pattern,
    covered_pattern,
    invalid_subscriber_filter,
    too_many_subscriber_filters,
    invalid_input_transformer,
    mixed_event_shapes,
    metadata_filter_on_put_events,
    unreachable_input_path,
    template_not_json,
    filters_on_one_scope,
)

# isort: on
from .pipeline import PatternContext, check_group, check_pattern
from .registry import RULES, Finding, Rule

__all__ = ["RULES", "Finding", "PatternContext", "Rule", "check_group", "check_pattern"]

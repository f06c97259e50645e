"""E108 too-many-subscriber-filters: a subscriber `FilterConfiguration` with more than 50 filters."""

from __future__ import annotations

from collections.abc import Iterator

from patterns.bus import MAX_FILTERS

from .helpers import over_filter_limit
from .invalid_subscriber_filter import VALID_FILTER, configuration_error
from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["too_many_subscriber_filters"]


@rule("E108", "too-many-subscriber-filters")
def too_many_subscriber_filters(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Reports a Custom Event Bus subscriber whose `FilterConfiguration` holds more than 50
    filters (the API's `Filters` list: "Minimum number of 1 item. Maximum number of 50 items"),
    with the message of `patterns.SubscriberFilter`, on the 51st filter.

    ## Why is this bad?
    CreateSubscriber refuses the configuration, so the stack fails to deploy.

    ## Example
    A generated template with one `DATA` filter per customer id: 60 filters.

    ## Use instead
    The filters AND, so many filters on one field select nothing anyway; list the values in one
    filter (`{"customerId": ["a", "b", ...]}`) instead.
    """
    ex = ctx.extracted
    if ex.kind != "subscriber":
        return
    finding = over_filter_limit(ctx, MAX_FILTERS)
    if finding is not None and ex.filter_position is not None:
        message = configuration_error([VALID_FILTER] * ex.filter_position[1])
        if message is not None:
            finding.message = message
            finding.help = f"this FilterConfiguration has {ex.filter_position[1]} filters"
            yield finding

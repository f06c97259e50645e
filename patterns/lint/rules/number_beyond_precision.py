"""W113 number-beyond-precision: numbers beyond the range or precision the service documents."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from patterns.model import AnythingBut, NumberEquals, Numeric

from ..aws import NUMBER_RANGES
from .helpers import leaf_matchers, leaves
from .pipeline import PatternContext
from .registry import Finding, rule

__all__ = ["number_beyond_precision"]


def _decimals(text: str) -> int:
    try:
        exponent = Decimal(text).normalize().as_tuple().exponent
    except InvalidOperation:
        return 0
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _num_text(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)


@rule("W113", "number-beyond-precision")
def number_beyond_precision(ctx: PatternContext) -> Iterator[Finding]:
    """## What it does
    Checks for numbers outside the range or precision the service documents: EventBridge
    -5.0e9 to 5.0e9 with six decimals, SNS -1.0e9 to 1.0e9 with five decimals (number values in
    SNS value lists, which SNS accepts beyond the range).

    ## Why is this bad?
    Beyond them, comparisons are rounded or unsupported, so two different numbers can compare
    equal, or a boundary case matches on one side of the documented range only.

    ## Example
    ```json
    {"detail": {"price": [{"numeric": [">", 0.0000001]}]}}
    ```

    ## Use instead
    ```json
    {"detail": {"price": [{"numeric": [">", 0]}]}}
    ```
    """
    if ctx.model is None:
        return
    service = "SNS" if ctx.extracted.dialect.startswith("sns") else "EventBridge"
    bound, bound_text, places = NUMBER_RANGES[service]
    for path, _, leaf in leaves(ctx.model):
        for i, m in leaf_matchers(leaf):
            if isinstance(m, NumberEquals):
                numbers = [m.text or _num_text(m.value)]
            elif isinstance(m, Numeric):
                numbers = [_num_text(v) for v in (m.lower, m.upper) if v is not None]
            elif isinstance(m, AnythingBut) and m.kind == "values":
                numbers = [_num_text(v) for v in m.values if isinstance(v, float)]
            else:
                continue
            for text in numbers:
                try:
                    value = float(text)
                except ValueError:
                    continue
                if abs(value) > bound or _decimals(text) > places:
                    yield ctx.at(
                        m.span,
                        f"{leaf.json_path}[{i}]",
                        f"{text} on `{path}` is beyond what {service} documents "
                        f"(-{bound_text} to {bound_text}, {places} decimals)",
                        "comparisons there may round; keep numbers within the documented range",
                    )
                    break

"""Matching a Spark DataFrame of events: a function for `DataFrame.mapInArrow` (extra ``spark``).

    from patterns.spark import match_arrow, schema_with_rules

    fn = match_arrow(machine, "event")                   # the machine is pickled here, once
    matched = df.mapInArrow(fn, schema_with_rules(df.schema))
    matched.select(F.explode("rules")).groupBy("col").count()

The function adds an ``array<string>`` column (``rules`` unless named otherwise) holding, per row,
the names of the rules the row's event matches (``[]`` for none; null for a null or invalid
event). The event column holds JSON text (``string``) or bytes (``binary``).

Shipping the rules. `match_arrow` pickles the machine once, on the driver, into the function's
closure (or, given a session, into one Spark broadcast variable, which each executor fetches
once however many tasks it runs). On a Python worker, the first task unpickles the rules and
builds the automaton; the machine is then cached in the worker process (`patterns._ship`), so
later tasks (Spark reuses Python workers: ``spark.python.worker.reuse``, on by default) match at
once.

pyspark and pyarrow are imported when a function runs, not when this module loads: the module
is importable (and documented) without them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ._ship import Shipped, machine_of
from .errors import InvalidEventError
from .machine import Machine

__all__ = ["match_arrow", "schema_with_rules"]


def schema_with_rules(schema: Any, output: str = "rules") -> Any:
    """The schema `mapInArrow` needs for `match_arrow`'s function: `schema` plus the rules column.

    Args:
        schema: the input DataFrame's schema (a ``pyspark.sql.types.StructType``).
        output: the new column's name.

    Returns:
        A ``StructType``: every field of `schema`, then `output` as a nullable
        ``array<string>`` (null for a null or invalid event).

    Raises:
        ValueError: `schema` already has a field named `output`.
        ImportError: pyspark is not installed (``pip install 'eventpatterns[spark]'``).
    """
    # pyspark is an optional extra: imported when used, so the module loads without it
    from pyspark.sql.types import ArrayType, StringType, StructField, StructType

    if output in schema.fieldNames():
        raise ValueError(f"Expected a new column name, got `{output}` (the DataFrame has it)")
    return StructType(
        [*schema.fields, StructField(output, ArrayType(StringType(), containsNull=False), True)]
    )


def match_arrow(
    machine: Machine, column: str, *, output: str = "rules", session: Any = None
) -> Callable[[Iterator[Any]], Iterator[Any]]:
    """The function to pass to ``DataFrame.mapInArrow``: adds the matching rules' names per row.

        matched = df.mapInArrow(match_arrow(machine, "event"), schema_with_rules(df.schema))

    Args:
        machine: the rules; pickled now (later changes to it do not reach the function).
        column: the event column, ``string`` (JSON text) or ``binary`` (JSON bytes).
        output: the name of the added ``array<string>`` column.
        session: a ``SparkSession``: ship the rules as one broadcast variable (fetched once per
            executor) instead of inside the function (sent with every task). Worth it for large
            rule sets on many tasks.

    Returns:
        A function from an iterator of ``pyarrow.RecordBatch`` to one, each batch with `output`
        appended: the names of the rules the row's event matches (in the machine's order),
        ``[]`` when none does, null when the event is null or invalid (not JSON, not an object).

    Raises:
        TypeError: `machine` is not a `Machine`; when a batch is matched (on the worker): the
            event column is not ``string`` or ``binary``.
        ValueError: when a batch is matched (on the worker): it has no column `column`.
    """
    shipped = Shipped.of(machine)
    token = shipped.token
    if session is not None:
        broadcast = session.sparkContext.broadcast(shipped.data)

        def load() -> bytes:
            return bytes(broadcast.value)

    else:
        data = shipped.data

        def load() -> bytes:
            return data

    def add_rules(batches: Iterator[Any]) -> Iterator[Any]:
        # pyarrow comes with pyspark's Arrow support; imported on the worker, where it runs
        import pyarrow as pa  # type: ignore[import-untyped]

        machine = machine_of(token, load)
        rules_type = pa.list_(pa.string())
        texts = (pa.string(), pa.large_string(), pa.binary(), pa.large_binary())
        for batch in batches:
            index = batch.schema.get_field_index(column)
            if index < 0:
                names = ", ".join(f"`{n}`" for n in batch.schema.names)
                raise ValueError(f"Expected an event column `{column}`, got columns {names}")
            kind = batch.schema.field(index).type
            if kind not in texts:
                raise TypeError(f"Expected a `string` or `binary` column `{column}`, got `{kind}`")
            events = batch.column(index).to_pylist()
            yield _with_rules(pa, batch, output, rules_type, _match_rows(machine, events))

    return add_rules


def _match_rows(machine: Machine, events: list[Any]) -> list[list[str] | None]:
    """Per row: the names of the matching rules, or None for a null or invalid event."""
    present = [e for e in events if e is not None]
    answers = iter(machine.match_many(present, errors="yield"))
    out: list[list[str] | None] = []
    for event in events:
        if event is None:
            out.append(None)
            continue
        found = next(answers)
        out.append(None if isinstance(found, InvalidEventError) else found)
    return out


def _with_rules(pa: Any, batch: Any, output: str, rules_type: Any, rules: list[list[str] | None]) -> Any:
    columns = [*batch.columns, pa.array(rules, type=rules_type)]
    names = [*batch.schema.names, output]
    return pa.RecordBatch.from_arrays(columns, names=names)

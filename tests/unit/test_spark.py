"""patterns.spark on a local[2] SparkSession started here: the same answers as `Machine.match_many`."""

from __future__ import annotations

import shutil
import sys
from collections import Counter
from collections.abc import Iterator

import orjson
import pytest

from patterns import Machine
from patterns.spark import match_arrow, schema_with_rules

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (the `spark` extra)")
pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed (pyspark's Arrow support needs it)")
if shutil.which("java") is None:
    pytest.skip("no `java` on PATH: Spark needs a JVM", allow_module_level=True)

from pyspark.sql import SparkSession  # noqa: E402 - after the skips above
from pyspark.sql import functions as F  # noqa: E402

RULES = {
    "s3-deletes": {"source": ["aws.s3"], "detail": {"eventName": [{"prefix": "Delete"}]}},
    "denied": {"detail": {"errorCode": ["AccessDenied"]}},
    "roles": {"detail": {"userIdentity": {"type": ["AssumedRole"]}}},
    "never": {"detail": {"eventName": ["DeleteBucket"]}},
}


def _events() -> list[str]:
    names = ["DeleteObject", "PutObject", "GetObject", "DeleteObjects", "ListObjects"]
    out = []
    for n in range(600):
        detail: dict[str, object] = {
            "eventName": names[n % len(names)],
            "userIdentity": {"type": "AssumedRole" if n % 3 == 0 else "IAMUser"},
        }
        if n % 7 == 0:
            detail["errorCode"] = "AccessDenied"
        source = "aws.s3" if n % 11 else "aws.ec2"
        out.append(
            orjson.dumps(
                {"source": source, "detail-type": "AWS API Call via CloudTrail", "detail": detail}
            ).decode()
        )
    return [*out, "not json", "[1]"]


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    patch = pytest.MonkeyPatch()
    patch.setenv("SPARK_LOCAL_IP", "127.0.0.1")  # no lookup of the host's address, no warning
    patch.setenv("PYSPARK_PYTHON", sys.executable)  # the workers run this interpreter (and its packages)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("patterns-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "128")  # several batches per task
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate()
    )
    yield session
    session.stop()
    patch.undo()


@pytest.fixture(scope="module")
def machine() -> Machine:
    m = Machine()
    for name, pattern in RULES.items():
        m.add(name, pattern)
    return m


def _expected(machine: Machine, events: list[str]) -> tuple[Counter[str], int]:
    counts: Counter[str] = Counter()
    invalid = 0
    for found in machine.match_many(events, errors="yield"):
        if isinstance(found, Exception):
            invalid += 1
        else:
            counts.update(found)
    return counts, invalid


def _spark_counts(df: object, rules: str = "rules") -> tuple[Counter[str], int]:
    rows = df.select(F.explode(rules).alias("rule")).groupBy("rule").count().collect()  # type: ignore[attr-defined]
    invalid = df.filter(F.col(rules).isNull()).count()  # type: ignore[attr-defined]
    return Counter({row["rule"]: row["count"] for row in rows}), invalid


@pytest.mark.parametrize("kind", ["string", "binary"])
def test_match_arrow_answers_as_match_many(spark: SparkSession, machine: Machine, kind: str) -> None:
    events = _events()
    rows = spark.sparkContext.parallelize(list(enumerate(events)), 2)  # 2 partitions, no shuffle
    df = spark.createDataFrame(rows, "n long, event string")
    if kind == "binary":
        df = df.withColumn("event", F.col("event").cast("binary"))
    matched = df.mapInArrow(match_arrow(machine, "event"), schema_with_rules(df.schema))
    by_row = {row["n"]: row["rules"] for row in matched.collect()}  # one Spark job
    expected = list(machine.match_many(events, errors="yield"))
    assert [by_row[n] for n in range(len(events))] == [
        None if isinstance(found, Exception) else found for found in expected
    ]
    counts, invalid = _expected(machine, events)
    assert counts["never"] == 0 and counts["s3-deletes"] > 0 and invalid == 2


def test_match_arrow_broadcasts_the_rules_when_given_the_session(
    spark: SparkSession, machine: Machine
) -> None:
    events = _events()
    df = spark.createDataFrame([(e,) for e in events], "event string")
    fn = match_arrow(machine, "event", output="names", session=spark)
    matched = df.mapInArrow(fn, schema_with_rules(df.schema, "names"))
    assert _spark_counts(matched, "names") == _expected(machine, events)


def test_match_arrow_leaves_null_events_null(spark: SparkSession, machine: Machine) -> None:
    df = spark.createDataFrame(
        [("{}",), (None,), ('{"detail": {"errorCode": "AccessDenied"}}',)], "event string"
    )
    rows = df.mapInArrow(match_arrow(machine, "event"), schema_with_rules(df.schema)).collect()
    assert [row["rules"] for row in rows] == [[], None, ["denied"]]


def test_match_arrow_ships_a_snapshot_of_the_rules() -> None:
    m = Machine()
    m.add("a", {"source": ["a"]})
    fn = match_arrow(m, "event")
    m.add("b", {"source": ["a"]})  # after: not in the function
    batch = pa.RecordBatch.from_arrays([pa.array(['{"source": "a"}'])], names=["event"])
    (out,) = list(fn(iter([batch])))
    assert out.column(1).to_pylist() == [["a"]]


def test_match_arrow_names_a_missing_or_mistyped_event_column() -> None:
    m = Machine()
    m.add("a", {"source": ["a"]})
    fn = match_arrow(m, "event")
    missing = pa.RecordBatch.from_arrays([pa.array(["{}"])], names=["body"])
    with pytest.raises(ValueError, match="Expected an event column `event`, got columns `body`"):
        list(fn(iter([missing])))
    numbers = pa.RecordBatch.from_arrays([pa.array([1, 2])], names=["event"])
    with pytest.raises(TypeError, match="Expected a `string` or `binary` column `event`, got `int64`"):
        list(fn(iter([numbers])))
    large = pa.RecordBatch.from_arrays(
        [pa.array(['{"source": "a"}'], type=pa.large_string())], names=["event"]
    )
    assert next(fn(iter([large]))).column(1).to_pylist() == [["a"]]


def test_schema_with_rules_refuses_an_existing_column(spark: SparkSession) -> None:
    df = spark.createDataFrame([("{}", ["x"])], "event string, rules array<string>")
    with pytest.raises(ValueError, match="Expected a new column name, got `rules`"):
        schema_with_rules(df.schema)


def test_match_arrow_refuses_what_is_not_a_machine() -> None:
    with pytest.raises(TypeError, match="Expected `Machine`, got `dict`"):
        match_arrow({"a": {"source": ["a"]}}, "event")  # type: ignore[arg-type]

"""Workloads for the benchmarks, built once per session: realistic rules and events.

The mixed workload is what a busy EventBridge bus carries: mostly exact values on a few fields
(source, detail-type, a state), plus prefixes, numeric ranges, anything-but, exists and some
``$or``. Events are real-shaped (AWS's envelope with a detail object, resources, arrays), with
fields no rule names. Everything is seeded: runs compare.
"""

from __future__ import annotations

import random

import orjson
import pytest

from patterns import Machine

RULE_COUNTS = [1, 10, 100, 1_000, 10_000]

SOURCES = [f"aws.{s}" for s in ("ec2", "s3", "rds", "lambda", "ecs", "sqs", "sns", "iam", "kms", "glue")] + [
    f"com.example.{team}.{s}" for team in ("shop", "ops", "data") for s in ("orders", "payments", "shipping",
    "users", "inventory", "search", "billing", "audit", "ml", "mail")]  # fmt: skip
DETAIL_TYPES = [f"{noun}{k} {verb}" for noun in ("Order", "Instance", "Object", "Task", "Payment", "User", "Job",
                "Bucket", "Queue", "Key") for k in range(5) for verb in ("Created", "Updated", "Deleted",
                "Failed", "State Change")]  # fmt: skip
STATES = ["pending", "running", "stopping", "stopped", "terminated", "failed", "succeeded", "queued"]
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]
ACCOUNTS = [f"{100000000000 + 7919 * k}" for k in range(50)]
CUSTOMERS = 20_000


def mixed_rule(rng: random.Random, i: int) -> dict:
    """One rule of the mixed workload (shape picked by weight, values from shared vocabularies).

    Like the rules of a real bus, each names what it routes (a source and mostly a detail-type,
    40 x 250 pairs), so that an event matches a few rules whatever their number: the output of
    a match stays small, and what grows with the rule count is only what must not cost.
    """
    rule: dict = {"source": [rng.choice(SOURCES)], "detail-type": [rng.choice(DETAIL_TYPES)]}
    kind = rng.random()
    if kind < 0.50:  # exact values on a few fields
        if rng.random() < 0.5:
            rule["detail"] = {"state": rng.sample(STATES, rng.randint(1, 2))}
        if rng.random() < 0.3:
            rule["region"] = [rng.choice(REGIONS)]
    elif kind < 0.60:  # prefix on an ARN
        del rule["detail-type"]
        source = rule["source"][0]
        rule["resources"] = [
            {"prefix": f"arn:aws:{source.split('.')[-1]}:{rng.choice(REGIONS)}:{rng.choice(ACCOUNTS)}:"}
        ]
    elif kind < 0.72:  # numeric range on an amount
        lo = rng.randrange(0, 5000, 50)
        rule["detail"] = {"amount": [{"numeric": [">=", lo, "<", lo + rng.choice([100, 1000])]}]}
    elif kind < 0.80:  # anything-but
        rule["detail"] = {"state": [{"anything-but": rng.sample(STATES, 2)}]}
    elif kind < 0.88:  # exists
        rule["detail"] = {"error-code": [{"exists": rng.random() < 0.7}], "state": [rng.choice(STATES)]}
    elif kind < 0.94:  # $or
        rule["$or"] = [
            {"detail-type": rule.pop("detail-type")},
            {"account": [rng.choice(ACCOUNTS)], "region": [rng.choice(REGIONS)]},
        ]
    else:  # ignore-case and suffix on a customer: rules nobody else shares
        del rule["detail-type"]
        rule["detail"] = {"customer": [{"equals-ignore-case": f"Customer-{rng.randrange(CUSTOMERS)}"}],
                          "file": [{"suffix": rng.choice([".png", ".jpg", ".csv"])}]}  # fmt: skip
    return rule


def mixed_rules(n: int, seed: int = 4) -> list[tuple[str, dict]]:
    """The first `n` rules of the mixed workload: a smaller set is a prefix of a larger one."""
    rng = random.Random(seed)
    return [(f"rule-{i}", mixed_rule(rng, i)) for i in range(n)]


def simple_rules(n: int) -> list[tuple[str, dict]]:
    """Rules of two exact fields, the simplest shape a router holds (for memory per rule)."""
    return [
        (f"simple-{i}", {"source": [SOURCES[i % len(SOURCES)]], "detail-type": [f"type-{i}"]})
        for i in range(n)
    ]


def mixed_event(rng: random.Random, i: int) -> bytes:
    """One real-shaped EventBridge event."""
    source = rng.choice(SOURCES)
    region = rng.choice(REGIONS)
    account = rng.choice(ACCOUNTS)
    detail = {
        "state": rng.choice(STATES),
        "amount": rng.randrange(0, 6000),
        "priority": rng.randint(0, 10),
        "customer": f"CUSTOMER-{rng.randrange(CUSTOMERS)}",
        "file": f"upload/{i}.{rng.choice(['png', 'jpg', 'csv', 'txt'])}",
        "items": [
            {"sku": f"sku-{rng.randrange(1000)}", "qty": rng.randint(1, 5)} for _ in range(rng.randint(0, 4))
        ],
        "requestParameters": {"bucketName": "my-bucket", "key": f"k/{i}", "tags": ["a", "b"]},
    }
    if rng.random() < 0.3:
        detail["error-code"] = "Throttled"
    return orjson.dumps({
        "version": "0", "id": f"6a7e8feb-b491-4cf7-a9f1-bf3703467{i:03d}", "detail-type": rng.choice(DETAIL_TYPES),
        "source": source, "account": account, "time": "2024-05-01T12:00:00Z", "region": region,
        "resources": [f"arn:aws:{source.split('.')[-1]}:{region}:{account}:thing/{i}"], "detail": detail,
    })  # fmt: skip


@pytest.fixture(scope="session")
def events() -> list[bytes]:
    """200 real-shaped events, the same every run."""
    rng = random.Random(7)
    return [mixed_event(rng, i) for i in range(200)]


_MACHINES: dict[int, Machine] = {}


def load(rules: list[tuple[str, dict]]) -> Machine:
    """A new machine holding `rules`, its tables published (the first match builds them)."""
    machine = Machine()
    for name, rule in rules:
        machine.add(name, rule)
    machine.match(b"{}")
    return machine


def machine_with(n: int) -> Machine:
    """A machine holding the first `n` mixed rules, built once per session (tables included)."""
    machine = _MACHINES.get(n)
    if machine is None:
        machine = _MACHINES[n] = load(mixed_rules(n))
    return machine

"""Workloads of the comparison runner: seeded, generated on the spot, nothing downloaded.

Each workload is a pool of events (JSON bytes, as they arrive on the wire) and a way to make its
rule sets. Every process that asks for a workload gets the same bytes and the same rules: the
runner's engines run in worker processes, each of which builds its own copy.

- ``aws``: AWS-service-shaped events of about 1 KB (EC2 state changes, S3 object events, CloudTrail
  API calls, ECS task changes, order events with nested detail, arrays of objects, numbers, IP
  addresses) and rule sets of any size mixing exact values (most), prefix, suffix, numeric
  ranges, anything-but, exists, cidr, wildcard and ``$or``. A smaller set is a prefix of a larger.
- ``dense``: the ``aws`` event kinds, four in five carrying arrays of objects whose elements differ
  in the fields they hold, with loose rules (most conditions inside those arrays): 1,000 rules match
  about 14 of them an event, 10,000 about 150 (the many-matches workload of issue 19).
- ``tenants``: many-tenant rules, each pinning one distinct customer, instance or bucket; the
  events are drawn from the tenants that have a rule, so each event matches exactly one rule
  whatever the rule count (the events depend on the rule count).
- ``citylots``: CityLots-shaped GeoJSON features (the properties of quamina's ``cl-sample-*``;
  the geometry as event-ruler's ``citylots2`` benchmark reads it: ``coordinates`` as arrays of
  ``{"x","y","z"}`` objects and a ``firstCoordinates`` object) with event-ruler's CityLots rule
  sets from ``../shared/data/eventruler-citylots-rules.jsonl``, one cell per set.
- ``citylots-real``: the same rule sets against features in the real corpus's shape (quamina's
  ``cl-sample-*``): ``coordinates`` as ``[x, y, z]`` number arrays, rings of 7 to 21 points (median
  11), about 870 bytes a feature. No rule reads a coordinate here (the rules that name
  ``coordinates.x`` or ``firstCoordinates`` were written for citylots2's objects): what this
  workload measures is skipping the geometry, as the real corpus makes a matcher do.
- ``sns``: SNS Publish ``MessageAttributes`` maps (String, Number, String.Array) with filter
  policies (dialect ``sns-attributes``).
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
#: ../shared beside the project's folder; PATTERNS_SHARED_DIR overrides (as in tests/conftest.py).
SHARED = Path(os.environ.get("PATTERNS_SHARED_DIR", ROOT.parent / "shared"))
CITYLOTS_RULES = SHARED / "data" / "eventruler-citylots-rules.jsonl"

Rules = list[tuple[str, dict]]

REGIONS = [
    "us-east-1",
    "us-east-2",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-2",
    "ap-northeast-1",
]
ACCOUNTS = [f"{100000000000 + 7919 * k}" for k in range(40)]
EC2_STATES = ["pending", "running", "stopping", "stopped", "shutting-down", "terminated"]
ECS_STATUS = ["PROVISIONING", "PENDING", "ACTIVATING", "RUNNING", "DEACTIVATING", "STOPPING", "STOPPED"]
ORDER_TYPES = [
    "Order Placed",
    "Order Paid",
    "Order Shipped",
    "Order Delivered",
    "Order Cancelled",
    "Order Refunded",
]
CURRENCIES = ["USD", "EUR", "GBP", "JPY", "AUD"]
TIERS = ["free", "bronze", "silver", "gold", "platinum"]
COUNTRIES = ["US", "DE", "FR", "GB", "JP", "AU", "BR", "IN", "CA", "NL"]
CHANNELS = ["web", "mobile", "store", "partner"]
TRAIL_SERVICES = ["iam", "kms", "sts", "s3", "ec2", "lambda", "dynamodb", "secretsmanager"]
TRAIL_VERBS = ["Create", "Delete", "Update", "Put", "Get", "List", "Describe", "Attach", "Detach", "Tag"]
TRAIL_NOUNS = ["User", "Role", "Policy", "Key", "Bucket", "Function", "Table", "Secret", "Instance", "Grant"]
ERROR_CODES = ["AccessDenied", "ThrottlingException", "ValidationException", "NoSuchEntity"]
EXTENSIONS = ["jpg", "png", "csv", "json", "parquet", "gz", "txt", "mp4"]
N_INSTANCES, N_BUCKETS, N_CUSTOMERS, N_SKUS, N_CLUSTERS = 4000, 1500, 20000, 2000, 60


def _ip(rng: random.Random) -> str:
    """An IPv4 address from a few networks (private, documentation and public-looking ones)."""
    net = rng.choice(["10.0", "10.1", "172.16", "192.168", "203.0", "198.51", "52.94", "54.239"])
    return f"{net}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def _instance(k: int) -> str:
    return f"i-{0x0A3F00000000000 + k * 7919:015x}"


def _bucket(k: int) -> str:
    return f"acme-{['logs', 'data', 'media', 'backup', 'web'][k % 5]}-{k:04d}"


def _customer(k: int) -> str:
    return f"cust-{k:05d}"


def _trail_event_name(rng: random.Random) -> str:
    return rng.choice(TRAIL_VERBS) + rng.choice(TRAIL_NOUNS)


# --- aws: AWS-service-shaped events --------------------------------------------------------------


def _envelope(
    rng: random.Random, i: int, source: str, detail_type: str, resources: list, detail: dict
) -> dict:
    return {
        "version": "0",
        "id": f"{rng.getrandbits(32):08x}-{rng.getrandbits(16):04x}-4{rng.getrandbits(12):03x}-"
        f"a{rng.getrandbits(12):03x}-{rng.getrandbits(48):012x}",
        "detail-type": detail_type,
        "source": source,
        "account": rng.choice(ACCOUNTS),
        "time": f"2024-05-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}Z",
        "region": rng.choice(REGIONS),
        "resources": resources,
        "detail": detail,
    }


def _ec2_event(rng: random.Random, i: int) -> dict:
    inst = _instance(rng.randrange(N_INSTANCES))
    detail = {
        "instance-id": inst,
        "state": rng.choice(EC2_STATES),
        "instance-type": rng.choice(["t3.micro", "t3.large", "m5.xlarge", "c6g.2xlarge", "r6i.4xlarge"]),
        "private-ip": _ip(rng),
        "tags": [{"key": k, "value": f"{k}-{rng.randrange(20)}"} for k in ("team", "env", "app")],
        "cpu-utilization": round(rng.uniform(0, 100), 2),
        "launch-time": "2024-04-30T08:15:00Z",
        "availability-zone": rng.choice(REGIONS) + rng.choice("abc"),
        "image-id": f"ami-{rng.getrandbits(68):017x}",
        "vpc-id": f"vpc-{rng.getrandbits(32):08x}",
        "subnet-id": f"subnet-{rng.getrandbits(32):08x}",
        "security-groups": [
            {"group-id": f"sg-{rng.getrandbits(32):08x}", "group-name": g} for g in ("web", "ssh")
        ],
        "block-device-mappings": [
            {
                "device-name": "/dev/xvda",
                "ebs": {
                    "volume-id": f"vol-{rng.getrandbits(68):017x}",
                    "status": "attached",
                    "delete-on-termination": True,
                },
            }
        ],
    }
    return _envelope(
        rng,
        i,
        "aws.ec2",
        "EC2 Instance State-change Notification",
        [f"arn:aws:ec2:::instance/{inst}"],
        detail,
    )


def _s3_event(rng: random.Random, i: int) -> dict:
    bucket = _bucket(rng.randrange(N_BUCKETS))
    key = f"{rng.choice(['uploads', 'exports', 'raw', 'tmp', 'images'])}/2024/05/{i:06d}.{rng.choice(EXTENSIONS)}"
    detail = {
        "version": "0",
        "bucket": {"name": bucket},
        "object": {
            "key": key,
            "size": rng.randrange(0, 50_000_000),
            "etag": f"{rng.getrandbits(128):032x}",
            "sequencer": f"{rng.getrandbits(64):016X}",
        },
        "request-id": f"{rng.getrandbits(64):016X}",
        "requester": rng.choice(ACCOUNTS),
        "source-ip-address": _ip(rng),
        "reason": rng.choice(["PutObject", "CopyObject", "CompleteMultipartUpload"]),
        "storage-class": rng.choice(["STANDARD", "STANDARD_IA", "INTELLIGENT_TIERING", "GLACIER_IR"]),
        "user-identity": {"principal-id": f"AWS:AROA{rng.getrandbits(60):015X}:uploader-{rng.randrange(50)}"},
        "request-parameters": {"source-ip-address": _ip(rng), "user-agent": "aws-sdk-java/2.25.0 Linux/6.1"},
        "checksum": {"algorithm": "CRC32C", "value": f"{rng.getrandbits(32):08x}"},
    }
    detail_type = rng.choice(
        ["Object Created", "Object Created", "Object Deleted", "Object Restore Completed"]
    )
    return _envelope(rng, i, "aws.s3", detail_type, [f"arn:aws:s3:::{bucket}"], detail)


def _trail_event(rng: random.Random, i: int) -> dict:
    service = rng.choice(TRAIL_SERVICES)
    account = rng.choice(ACCOUNTS)
    detail: dict = {
        "eventVersion": "1.08",
        "userIdentity": {
            "type": rng.choice(["AssumedRole", "IAMUser", "Root", "AWSService"]),
            "principalId": f"AROA{rng.getrandbits(40):010X}:session-{i}",
            "arn": f"arn:aws:sts::{account}:assumed-role/{rng.choice(['Admin', 'Deploy', 'ReadOnly'])}/s{i}",
            "accountId": account,
            "sessionContext": {"attributes": {"mfaAuthenticated": rng.choice(["true", "false"])}},
        },
        "eventTime": "2024-05-01T12:00:00Z",
        "eventSource": f"{service}.amazonaws.com",
        "eventName": _trail_event_name(rng),
        "awsRegion": rng.choice(REGIONS),
        "sourceIPAddress": _ip(rng),
        "userAgent": rng.choice(["aws-cli/2.15.0", "Boto3/1.34.0", "console.amazonaws.com", "terraform/1.7"]),
        "requestParameters": {"name": f"res-{rng.randrange(500)}", "tags": [{"key": "env", "value": "prod"}]},
        "responseElements": None,
        "readOnly": rng.random() < 0.5,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account,
    }
    if rng.random() < 0.2:
        detail["errorCode"] = rng.choice(ERROR_CODES)
    return _envelope(rng, i, f"aws.{service}", "AWS API Call via CloudTrail", [], detail)


def _ecs_event(rng: random.Random, i: int) -> dict:
    cluster = f"arn:aws:ecs:us-east-1:{rng.choice(ACCOUNTS)}:cluster/cluster-{rng.randrange(N_CLUSTERS)}"
    status = rng.choice(ECS_STATUS)
    containers = [
        {
            "name": f"app-{c}",
            "lastStatus": status,
            "image": f"repo/app-{c}:v{rng.randrange(9)}",
            "exitCode": rng.choice([0, 0, 1, 137]) if status == "STOPPED" else None,
            "networkInterfaces": [{"privateIpv4Address": _ip(rng)}],
        }
        for c in range(rng.randint(1, 3))
    ]
    detail = {
        "clusterArn": cluster,
        "taskArn": f"{cluster.replace(':cluster/', ':task/')}/{rng.getrandbits(64):016x}",
        "lastStatus": status,
        "desiredStatus": rng.choice(["RUNNING", "STOPPED"]),
        "launchType": rng.choice(["FARGATE", "EC2"]),
        "cpu": rng.choice(["256", "512", "1024"]),
        "memory": rng.choice(["512", "1024", "2048"]),
        "group": f"service:svc-{rng.randrange(80)}",
        "containers": containers,
        "stoppedReason": "Essential container in task exited" if status == "STOPPED" else None,
    }
    return _envelope(rng, i, "aws.ecs", "ECS Task State Change", [detail["taskArn"]], detail)


def _order_event(rng: random.Random, i: int) -> dict:
    items = [
        {
            "sku": f"sku-{rng.randrange(N_SKUS):04d}",
            "qty": rng.randint(1, 5),
            "price": round(rng.uniform(1, 500), 2),
            "category": rng.choice(["books", "games", "garden", "toys", "tools"]),
        }
        for _ in range(rng.randint(1, 4))
    ]
    detail = {
        "order": {
            "id": f"ord-{i:08d}",
            "total": round(sum(it["qty"] * it["price"] for it in items), 2),
            "currency": rng.choice(CURRENCIES),
            "items": items,
            "customer": {
                "id": _customer(rng.randrange(N_CUSTOMERS)),
                "tier": rng.choice(TIERS),
                "email": f"user{rng.randrange(100000)}@{rng.choice(['example.com', 'example.org', 'mail.test'])}",
                "address": {"country": rng.choice(COUNTRIES), "zip": f"{rng.randrange(100000):05d}"},
            },
        },
        "channel": rng.choice(CHANNELS),
        "client-ip": _ip(rng),
        "coupon": rng.choice([None, "SPRING24", "WELCOME10"]),
        "shipping": {
            "method": rng.choice(["standard", "express", "pickup"]),
            "carrier": rng.choice(["UPS", "DHL"]),
            "address": {"city": f"City {rng.randrange(300)}", "street": f"{rng.randrange(1, 999)} Main St"},
        },
        "payment": {
            "method": rng.choice(["card", "paypal", "invoice"]),
            "last4": f"{rng.randrange(10000):04d}",
            "authorized": rng.random() < 0.95,
        },
    }
    return _envelope(rng, i, "com.example.orders", rng.choice(ORDER_TYPES), [], detail)


AWS_KINDS: list[Callable[[random.Random, int], dict]] = [
    _ec2_event,
    _s3_event,
    _trail_event,
    _ecs_event,
    _order_event,
]


def aws_events(n: int, seed: int = 11) -> list[bytes]:
    """`n` AWS-service-shaped events (about 1 KB each), kinds in turn."""
    rng = random.Random(seed)
    return [orjson.dumps(AWS_KINDS[i % len(AWS_KINDS)](rng, i)) for i in range(n)]


def _shape(rng: random.Random) -> str:
    """The operator a rule tries first (then falls back to exact where its kind has none)."""
    r = rng.random()
    for name, upto in (
        ("exact", 0.55),
        ("prefix", 0.63),
        ("suffix", 0.68),
        ("numeric", 0.76),
        ("anything-but", 0.82),
        ("exists", 0.87),
        ("cidr", 0.91),
        ("wildcard", 0.95),
    ):
        if r < upto:
            return name
    return "$or"


def _cidr(rng: random.Random) -> str:
    net = rng.choice(["10.0", "10.1", "172.16", "192.168", "203.0", "198.51", "52.94", "54.239"])
    return rng.choice([f"{net}.0.0/16", f"{net}.{rng.randrange(256)}.0/24"])


def _aws_rule(rng: random.Random) -> dict:
    """One rule: a source (and mostly a detail-type), then one or two conditions in its detail."""
    kind = rng.randrange(5)
    shape = _shape(rng)
    if kind == 0:  # EC2
        rule: dict = {"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"]}
        if shape == "prefix":
            rule["detail"] = {
                "instance-type": [{"prefix": rng.choice(["t3.", "m5.", "c6g.", "r6i."])}],
                "state": [rng.choice(EC2_STATES)],
            }
        elif shape == "anything-but":
            rule["detail"] = {
                "state": [{"anything-but": rng.sample(EC2_STATES, 2)}],
                "instance-id": [_instance(rng.randrange(N_INSTANCES))],
            }
        elif shape == "numeric":
            lo = rng.randrange(0, 95)
            rule["detail"] = {"cpu-utilization": [{"numeric": [">=", lo, "<", lo + 5]}], "state": ["running"]}
            rule["account"] = [rng.choice(ACCOUNTS)]
        elif shape == "cidr":
            rule["detail"] = {"private-ip": [{"cidr": _cidr(rng)}]}
            rule["region"] = [rng.choice(REGIONS)]
        elif shape == "$or":
            inst = _instance(rng.randrange(N_INSTANCES))
            rule["$or"] = [
                {"detail": {"instance-id": [inst]}},
                {"resources": [f"arn:aws:ec2:::instance/{inst}"]},
            ]
        else:  # exact (and the shapes EC2 has none of)
            rule["detail"] = {
                "instance-id": [_instance(rng.randrange(N_INSTANCES)) for _ in range(rng.randint(1, 3))],
                "state": rng.sample(EC2_STATES, rng.randint(1, 2)),
            }
    elif kind == 1:  # S3
        rule = {"source": ["aws.s3"], "detail-type": ["Object Created"]}
        bucket = _bucket(rng.randrange(N_BUCKETS))
        if shape == "prefix":
            rule["detail"] = {
                "bucket": {"name": [bucket]},
                "object": {"key": [{"prefix": rng.choice(["uploads/", "exports/", "raw/2024/"])}]},
            }
        elif shape == "suffix":
            rule["detail"] = {
                "bucket": {"name": [bucket]},
                "object": {"key": [{"suffix": "." + rng.choice(EXTENSIONS)}]},
            }
        elif shape == "numeric":
            rule["detail"] = {
                "bucket": {"name": [bucket]},
                "object": {"size": [{"numeric": [">", rng.choice([0, 1_000_000, 10_000_000])]}]},
            }
        elif shape == "wildcard":
            rule["detail"] = {
                "object": {
                    "key": [
                        {
                            "wildcard": f"{rng.choice(['uploads', 'images'])}/*/05/*"
                            f"{rng.randrange(10)}.{rng.choice(EXTENSIONS)}"
                        }
                    ]
                },
                "requester": [rng.choice(ACCOUNTS)],
            }
        elif shape == "cidr":
            rule["detail"] = {"bucket": {"name": [bucket]}, "source-ip-address": [{"cidr": _cidr(rng)}]}
        elif shape == "exists":
            rule["detail"] = {"bucket": {"name": [bucket]}, "object": {"etag": [{"exists": True}]}}
        else:
            rule["detail"] = {
                "bucket": {"name": [_bucket(rng.randrange(N_BUCKETS)) for _ in range(rng.randint(1, 3))]}
            }
    elif kind == 2:  # CloudTrail
        service = rng.choice(TRAIL_SERVICES)
        rule = {
            "source": [f"aws.{service}"],
            "detail-type": ["AWS API Call via CloudTrail"],
            "detail": {"eventSource": [f"{service}.amazonaws.com"]},
        }
        detail = rule["detail"]
        if shape == "prefix":
            detail["eventName"] = [{"prefix": rng.choice(TRAIL_VERBS)}]
            detail["userIdentity"] = {"accountId": [rng.choice(ACCOUNTS)]}
        elif shape == "anything-but":
            detail["eventName"] = [{"anything-but": {"prefix": rng.choice(["Get", "List", "Describe"])}}]
            detail["userIdentity"] = {"arn": [{"suffix": rng.choice(["/s1", "/s2", "/s3"])}]}
        elif shape == "exists":
            detail["errorCode"] = [{"exists": True}]
            detail["userIdentity"] = {"accountId": [rng.choice(ACCOUNTS)]}
        elif shape == "cidr":
            detail["sourceIPAddress"] = [{"cidr": _cidr(rng)}]
            detail["readOnly"] = [False]
        elif shape == "wildcard":
            detail["userIdentity"] = {
                "arn": [{"wildcard": f"arn:aws:sts::{rng.choice(ACCOUNTS)}:assumed-role/*"}]
            }
        elif shape == "$or":
            rule["$or"] = [
                {"detail": {"errorCode": [rng.choice(ERROR_CODES)]}},
                {"detail": {"userIdentity": {"type": ["Root"]}}},
            ]
        else:
            detail["eventName"] = [_trail_event_name(rng) for _ in range(rng.randint(1, 4))]
            if rng.random() < 0.5:
                detail["userIdentity"] = {"accountId": [rng.choice(ACCOUNTS)]}
    elif kind == 3:  # ECS
        cluster = f"cluster-{rng.randrange(N_CLUSTERS)}"
        rule = {"source": ["aws.ecs"], "detail-type": ["ECS Task State Change"]}
        if shape in ("prefix", "suffix", "wildcard"):
            rule["detail"] = {"clusterArn": [{"suffix": f":cluster/{cluster}"}], "lastStatus": ["STOPPED"]}
        elif shape == "numeric":
            rule["detail"] = {
                "containers": {"exitCode": [{"numeric": [">", 0]}]},
                "group": [f"service:svc-{rng.randrange(80)}"],
            }
        elif shape == "anything-but":
            rule["detail"] = {
                "containers": {"exitCode": [{"anything-but": [0]}]},
                "clusterArn": [{"suffix": f":cluster/{cluster}"}],
            }
        elif shape == "cidr":
            rule["detail"] = {
                "containers": {"networkInterfaces": {"privateIpv4Address": [{"cidr": _cidr(rng)}]}},
                "launchType": ["FARGATE"],
            }
        else:
            rule["detail"] = {
                "group": [f"service:svc-{rng.randrange(80)}"],
                "lastStatus": rng.sample(ECS_STATUS, rng.randint(1, 2)),
            }
    else:  # orders
        rule = {"source": ["com.example.orders"], "detail-type": [rng.choice(ORDER_TYPES)]}
        customer = _customer(rng.randrange(N_CUSTOMERS))
        if shape == "prefix":
            rule["detail"] = {
                "order": {
                    "items": {"sku": [{"prefix": f"sku-{rng.randrange(20):02d}"}]},
                    "currency": [rng.choice(CURRENCIES)],
                }
            }
        elif shape == "suffix":
            rule["detail"] = {
                "order": {
                    "customer": {
                        "email": [
                            {"suffix": rng.choice(["@example.org", "@mail.test"])},
                        ],
                        "tier": [rng.choice(TIERS)],
                    }
                },
                "channel": [rng.choice(CHANNELS)],
            }
        elif shape == "numeric":
            lo = rng.randrange(0, 2000, 25)
            rule["detail"] = {
                "order": {
                    "total": [{"numeric": [">=", lo, "<=", lo + 50]}],
                    "customer": {"address": {"country": [rng.choice(COUNTRIES)]}},
                }
            }
        elif shape == "anything-but":
            rule["detail"] = {
                "order": {
                    "customer": {
                        "tier": [{"anything-but": ["free", "bronze"]}],
                        "address": {"country": [rng.choice(COUNTRIES)]},
                    },
                    "currency": [{"anything-but": "USD"}],
                }
            }
        elif shape == "exists":
            rule["detail"] = {"coupon": [{"exists": False}], "order": {"customer": {"id": [customer]}}}
        elif shape == "cidr":
            rule["detail"] = {"client-ip": [{"cidr": _cidr(rng)}], "channel": [rng.choice(CHANNELS)]}
        elif shape == "wildcard":
            rule["detail"] = {
                "order": {
                    "customer": {"email": [{"wildcard": f"user{rng.randrange(10)}*@example.*"}]},
                    "currency": [rng.choice(CURRENCIES)],
                }
            }
        elif shape == "$or":
            rule["$or"] = [
                {"detail": {"order": {"customer": {"id": [customer]}}}},
                {
                    "detail": {
                        "order": {
                            "items": {"sku": [f"sku-{rng.randrange(N_SKUS):04d}"]},
                            "customer": {"tier": ["platinum"]},
                        }
                    }
                },
            ]
        else:
            rule["detail"] = {
                "order": {
                    "customer": {
                        "id": [_customer(rng.randrange(N_CUSTOMERS)) for _ in range(rng.randint(1, 3))]
                    }
                }
            }
    return rule


def aws_rules(n: int, seed: int = 5) -> Rules:
    """The first `n` rules of the mixed AWS workload."""
    rng = random.Random(seed)
    return [(f"aws-{i:05d}", _aws_rule(rng)) for i in range(n)]


# --- dense: AWS-shaped events with arrays of objects, rules that match many at once ----------------


def _dense_event(rng: random.Random, i: int) -> dict:
    """An `aws` event (EC2, ECS, orders and CloudTrail carry arrays of objects; S3 does not) whose
    array elements differ in which fields they hold, so exists:false reads each element."""
    ev = DENSE_KINDS[i % len(DENSE_KINDS)](rng, i)
    detail, kind = ev["detail"], ev["detail-type"]
    if kind == "EC2 Instance State-change Notification":
        for tag in detail["tags"]:
            if rng.random() < 0.5:
                tag["propagate"] = True
    elif kind == "ECS Task State Change":
        for container in detail["containers"]:
            if container["exitCode"] is None:
                del container["exitCode"]
    elif ev["source"] == "com.example.orders":
        for item in detail["order"]["items"]:
            if rng.random() < 0.3:
                item["gift"] = True
    elif kind == "AWS API Call via CloudTrail":
        detail["requestParameters"]["tags"] = [
            {"key": k, "value": rng.choice(["prod", "dev", "stage"])}
            for k in rng.sample(["env", "owner", "cost-center"], rng.randint(1, 3))
        ]
    return ev


DENSE_KINDS: list[Callable[[random.Random, int], dict]] = [
    _ec2_event,
    _ecs_event,
    _order_event,
    _trail_event,
    _s3_event,
]


def dense_events(n: int, seed: int = 29) -> list[bytes]:
    """`n` AWS-shaped events, kinds in turn, four kinds in five carrying arrays of objects."""
    rng = random.Random(seed)
    return [orjson.dumps(_dense_event(rng, i)) for i in range(n)]


def _dense_ec2(rng: random.Random) -> dict:
    k = rng.choice(["team", "env", "app"])
    state = rng.choice(EC2_STATES)
    lo = rng.randrange(0, 90)
    return rng.choice(
        [
            {"tags": {"key": [k], "value": [f"{k}-{rng.randrange(20)}", f"{k}-{rng.randrange(20)}"]}},
            {"tags": {"value": [{"prefix": f"{k}-1"}]}, "state": [state]},
            {"cpu-utilization": [{"numeric": [">=", lo, "<", lo + 10]}]},
            {"instance-type": [{"prefix": rng.choice(["t3.", "m5.", "c6g.", "r6i."])}], "state": [state]},
            {"tags": {"key": [k], "propagate": [{"exists": False}]}, "state": [state]},
            {"private-ip": [{"cidr": _cidr(rng)}]},
            {
                "security-groups": {
                    "group-name": ["web"],
                    "group-id": [{"prefix": f"sg-{rng.randrange(16):x}"}],
                }
            },
            {
                "state": [{"anything-but": rng.sample(EC2_STATES, 3)}],
                "tags": {"key": [k], "value": [{"suffix": f"-{rng.randrange(10)}"}]},
            },
        ]
    )


def _dense_ecs(rng: random.Random) -> dict:
    c = rng.randrange(3)
    return rng.choice(
        [
            {"containers": {"name": [f"app-{c}"], "image": [{"suffix": f":v{rng.randrange(9)}"}]}},
            {
                "containers": {"name": [f"app-{c}"], "exitCode": [{"exists": False}]},
                "cpu": [rng.choice(["256", "512", "1024"])],
            },
            {"lastStatus": rng.sample(ECS_STATUS, 2), "launchType": [rng.choice(["FARGATE", "EC2"])]},
            {
                "containers": {"networkInterfaces": {"privateIpv4Address": [{"cidr": _cidr(rng)}]}},
                "cpu": [rng.choice(["256", "512", "1024"])],
            },
            {"containers": {"exitCode": [{"numeric": [">", 0]}]}},
            {
                "memory": [{"anything-but": [rng.choice(["512", "1024", "2048"])]}],
                "cpu": [rng.choice(["256", "512", "1024"])],
                "launchType": [rng.choice(["FARGATE", "EC2"])],
            },
        ]
    )


def _dense_order(rng: random.Random) -> dict:
    category = rng.choice(["books", "games", "garden", "toys", "tools"])
    return rng.choice(
        [
            {
                "order": {"items": {"category": [category], "qty": [{"numeric": [">=", rng.randint(2, 5)]}]}},
                "channel": [rng.choice(CHANNELS)],
            },
            {
                "order": {
                    "items": {"category": [category], "gift": [{"exists": False}]},
                    "currency": [rng.choice(CURRENCIES)],
                }
            },
            {
                "order": {
                    "customer": {
                        "tier": [rng.choice(TIERS)],
                        "address": {"country": [{"anything-but": rng.sample(COUNTRIES, 2)}]},
                    }
                },
                "payment": {"method": [rng.choice(["card", "paypal", "invoice"])]},
            },
            {
                "order": {
                    "items": {"price": [{"numeric": ["<", rng.randrange(20, 200)]}], "category": [category]}
                },
                "shipping": {"method": [rng.choice(["standard", "express", "pickup"])]},
            },
            {"order": {"customer": {"email": [{"wildcard": f"user{rng.randrange(1, 10)}*@example.*"}]}}},
            {
                "order": {"currency": [rng.choice(CURRENCIES)]},
                "$or": [
                    {"channel": [rng.choice(CHANNELS)]},
                    {"payment": {"method": [rng.choice(["card", "paypal", "invoice"])]}},
                ],
            },
            {"order": {"items": {"sku": [{"prefix": f"sku-{rng.randrange(20):02d}"}], "gift": [True]}}},
        ]
    )


def _dense_trail(rng: random.Random) -> dict:
    return rng.choice(
        [
            {"eventName": [{"prefix": rng.choice(TRAIL_VERBS)}], "readOnly": [rng.random() < 0.5]},
            {
                "requestParameters": {
                    "tags": {
                        "key": [rng.choice(["env", "owner", "cost-center"])],
                        "value": [rng.choice(["prod", "dev", "stage"])],
                    }
                },
                "userIdentity": {"type": [rng.choice(["AssumedRole", "IAMUser", "Root", "AWSService"])]},
            },
            {
                "userIdentity": {"type": [rng.choice(["AssumedRole", "IAMUser", "Root", "AWSService"])]},
                "errorCode": [{"exists": False}],
                "readOnly": [rng.random() < 0.5],
            },
            {"sourceIPAddress": [{"cidr": _cidr(rng)}]},
            {
                "userAgent": [{"anything-but": {"prefix": rng.choice(["aws-cli", "Boto3", "terraform"])}}],
                "eventName": [{"suffix": rng.choice(TRAIL_NOUNS)}],
            },
        ]
    )


def _dense_s3(rng: random.Random) -> dict:
    return rng.choice(
        [
            {"object": {"key": [{"suffix": "." + rng.choice(EXTENSIONS)}]}},
            {
                "object": {
                    "key": [{"prefix": rng.choice(["uploads/", "exports/", "raw/", "tmp/", "images/"])}]
                },
                "reason": [rng.choice(["PutObject", "CopyObject", "CompleteMultipartUpload"])],
            },
            {"object": {"size": [{"numeric": [">", rng.randrange(45_000_000, 50_000_000)]}]}},
            {
                "storage-class": [
                    rng.choice(["STANDARD", "STANDARD_IA", "INTELLIGENT_TIERING", "GLACIER_IR"])
                ],
                "source-ip-address": [{"cidr": _cidr(rng)}],
            },
        ]
    )


_DENSE_RULES: list[tuple[str, str, Callable[[random.Random], dict]]] = [
    ("aws.ec2", "EC2 Instance State-change Notification", _dense_ec2),
    ("aws.ecs", "ECS Task State Change", _dense_ecs),
    ("com.example.orders", "", _dense_order),
    ("", "AWS API Call via CloudTrail", _dense_trail),
    ("aws.s3", "", _dense_s3),
]


def dense_rules(n: int, seed: int = 31) -> Rules:
    """The first `n` rules of the dense workload: each names one event kind and one or two
    conditions, most of them in arrays of objects (fields of one element together, exists:false
    per element, numbers, prefixes, suffixes, wildcards, cidr, anything-but, $or), loose enough
    that 1,000 rules match about 15 of `dense_events` each (10,000: about 150)."""
    rng = random.Random(seed)
    out: Rules = []
    for i in range(n):
        source, detail_type, conditions = _DENSE_RULES[rng.randrange(len(_DENSE_RULES))]
        rule: dict = {}
        if source:
            rule["source"] = [source]
        if detail_type:
            rule["detail-type"] = [detail_type]
        detail = conditions(rng)
        either = detail.pop("$or", None)
        rule["detail"] = detail
        if either is not None:
            rule["$or"] = [{"detail": branch} for branch in either]
        out.append((f"dense-{i:05d}", rule))
    return out


# --- tenants: one rule per tenant -----------------------------------------------------------------


def _tenant_rule(i: int) -> dict:
    kind = i % 3
    if kind == 0:
        return {"source": ["aws.ec2"], "detail": {"instance-id": [_instance(i)]}}
    if kind == 1:
        return {
            "source": ["aws.s3"],
            "detail-type": ["Object Created"],
            "detail": {"bucket": {"name": [_bucket(i)]}},
        }
    return {"source": ["com.example.orders"], "detail": {"order": {"customer": {"id": [_customer(i)]}}}}


def tenant_rules(n: int) -> Rules:
    """`n` tenant rules: rule i pins instance, bucket or customer number i."""
    return [(f"tenant-{i:05d}", _tenant_rule(i)) for i in range(n)]


def tenant_events(n: int, tenants: int, seed: int = 13) -> list[bytes]:
    """`n` events each naming one of the first `tenants` tenants (so each matches one rule)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        t = rng.randrange(tenants)
        kind = t % 3
        if kind == 0:
            ev = _ec2_event(rng, i)
            ev["detail"]["instance-id"] = _instance(t)
        elif kind == 1:
            ev = _s3_event(rng, i)
            ev["detail-type"] = "Object Created"
            ev["detail"]["bucket"]["name"] = _bucket(t)
        else:
            ev = _order_event(rng, i)
            ev["detail"]["order"]["customer"]["id"] = _customer(t)
        out.append(orjson.dumps(ev))
    return out


# --- bus: Custom Event Bus subscribers (1 to 3 filters each) --------------------------------------
# Not one of `WORKLOADS`: no peer evaluates subscriber filters. bench/bench_bus.py times it.

BUS_JSON = {"ContentType": "application/json", "aws:DeliveryType": "LIVE"}
BUS_PUT_EVENTS = {"ContentType": "application/eventbridge+json", "aws:DeliveryType": "LIVE"}


def _bus_subscriber(i: int) -> dict:
    """Subscriber i: a DATA filter pinning tenant i (a raw order payload's customer, or a PutEvents
    envelope's instance or bucket), with a METADATA filter (raw events) and a SYSTEM_METADATA
    filter on some."""
    kind = i % 3
    if kind == 0:  # PutRawEvents orders: the payload itself is Data
        data = {"order": {"customer": {"id": [_customer(i)]}}}
    elif kind == 1:  # PutEvents: the envelope is Data
        data = {"source": ["aws.ec2"], "detail": {"instance-id": [_instance(i)]}}
    else:
        data = {
            "source": ["aws.s3"],
            "detail-type": ["Object Created"],
            "detail": {"bucket": {"name": [_bucket(i)]}},
        }
    filters = [{"Scope": "DATA", "Pattern": orjson.dumps(data).decode()}]
    if kind == 0 and i % 2 == 0:
        filters.append({"Scope": "METADATA", "Pattern": orjson.dumps({"tenant": [f"t-{i % 500}"]}).decode()})
    if i % 5 < 2:
        system = {"aws:DeliveryType": ["LIVE"]} if i % 5 == 0 else {"EventGroupId": [{"prefix": "grp-"}]}
        filters.append({"Scope": "SYSTEM_METADATA", "Pattern": orjson.dumps(system).decode()})
    return {"Filters": filters}


def bus_subscribers(n: int) -> Rules:
    """`n` subscribers' filter configurations, 1 to 3 filters each."""
    return [(f"sub-{i:05d}", _bus_subscriber(i)) for i in range(n)]


def bus_events(n: int, subscribers: int, seed: int = 19) -> list[dict]:
    """`n` bus events, each aimed at one of the first `subscribers` subscribers (raw orders with
    metadata, PutEvents EC2 and S3 events); Data as bytes, as PutRawEvents carries it."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        t = rng.randrange(subscribers)
        kind = t % 3
        system = {**(BUS_JSON if kind == 0 else BUS_PUT_EVENTS), "EventGroupId": f"grp-{rng.randrange(9)}"}
        if kind == 0:
            order = _order_event(rng, i)["detail"]
            order["order"]["customer"]["id"] = _customer(t)
            event = {"Data": orjson.dumps(order), "Metadata": {"tenant": f"t-{t % 500}", "team": "shop"}}
        elif kind == 1:
            ev = _ec2_event(rng, i)
            ev["detail"]["instance-id"] = _instance(t)
            event = {"Data": orjson.dumps(ev)}
        else:
            ev = _s3_event(rng, i)
            ev["detail-type"] = "Object Created"
            ev["detail"]["bucket"]["name"] = _bucket(t)
            event = {"Data": orjson.dumps(ev)}
        event["SystemMetadata"] = system
        out.append(event)
    return out


# --- citylots: event-ruler's CityLots rule sets ---------------------------------------------------

STREETS = [
    "GREENWICH",
    "TURK",
    "JEFFERSON",
    "BEACH",
    "HYDE",
    "CHESTNUT",
    "FULTON",
    "MASON",
    "ACKERSON",
    "BLAKE",
    "DRUMM",
    "FULTON",
    "RHODE ISLAND",
    "WASHINGTON",
    "LAKE",
    "ELM",
    "SPRING",
    "GOUGH",
    "MARKET",
    "MISSION",
    "BROADWAY",
    "VALLEJO",
    "BUSH",
    "PINE",
    "FILBERT",
    "UNION",
    "CLAY",
    "SACRAMENTO",
    "POLK",
    "LARKIN",
]
ST_TYPES = ["ST", "AVE", "BLVD", "WAY", "PL", "TER", "CT", "LN", "DR"]
MAPBLKLOTS = ["1430022", "2607117", "2607218", "3745012", "VACSTWIL", "1437012", "2600117", "3705042"]


def _point(rng: random.Random) -> dict:
    return {"x": rng.uniform(-122.52, -122.36), "y": rng.uniform(37.70, 37.83), "z": 0}


def _lot_ids(rng: random.Random) -> tuple[str, str, str, str]:
    """A CityLots feature's (MAPBLKLOT, block, lot, street number), drawn from `rng`."""
    block = f"{rng.randrange(10000):04d}"
    lot = f"{rng.randrange(200):03d}"
    number = str(rng.randrange(1, 4000))
    return (rng.choice(MAPBLKLOTS) if rng.random() < 0.1 else block + lot), block, lot, number


def _lot_properties(rng: random.Random, mapblklot: str, block: str, lot: str, number: str) -> dict:
    """A CityLots feature's properties (as in quamina's samples); street names drawn from `rng`."""
    return {
        "MAPBLKLOT": mapblklot,
        "BLKLOT": block + lot,
        "BLOCK_NUM": block,
        "LOT_NUM": lot,
        "FROM_ST": number,
        "TO_ST": number,
        "STREET": rng.choice(STREETS),
        "ST_TYPE": rng.choice(ST_TYPES),
        "ODD_EVEN": rng.choice("OE"),
    }


def citylots_events(n: int, seed: int = 17) -> list[bytes]:
    """`n` CityLots-shaped features (properties as in quamina's samples, geometry as citylots2)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        ids = _lot_ids(rng)
        multi = rng.random() < 0.1
        rings = [[_point(rng) for _ in range(rng.randint(4, 9))] for _ in range(2 if multi else 1)]
        if rng.random() < 0.05:
            rings[0][0]["x"] = -122.42916360922355
        if rng.random() < 0.05:
            rings[-1][-1]["y"] = 37.729900216217324
        feature = {
            "type": "Feature",
            "properties": _lot_properties(rng, *ids),
            "geometry": {
                "type": "MultiPolygon" if multi else "Polygon",
                "coordinates": rings,
                "firstCoordinates": dict(rings[0][0]),
            },
        }
        out.append(orjson.dumps(feature))
    return out


def _ring(rng: random.Random, points: int) -> list[list[float]]:
    """A closed ring of `points` [x, y, z] positions around a lot (the last repeats the first)."""
    x0, y0 = rng.uniform(-122.52, -122.36), rng.uniform(37.70, 37.83)
    ring = [[x0 + rng.uniform(-4e-4, 4e-4), y0 + rng.uniform(-4e-4, 4e-4), 0] for _ in range(points - 1)]
    return [*ring, list(ring[0])]


def _real_ring_size(rng: random.Random) -> int:
    """Points in one ring: 7 to 21, median 11 (a triangular law leaning on its low end)."""
    return round(rng.triangular(6.5, 21.5, 6.5))


def citylots_real_events(n: int, seed: int = 37) -> list[bytes]:
    """`n` CityLots features in the real corpus's shape (quamina's ``cl-sample-*``): the same
    properties as `citylots_events`, ``coordinates`` as ``[x, y, z]`` arrays; three features in ten
    has a second ring (a hole, or a second polygon of a MultiPolygon). About 870 bytes each."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        ids = _lot_ids(rng)
        shape = rng.random()
        if shape < 0.1:  # MultiPolygon: polygons of one ring each
            kind = "MultiPolygon"
            coordinates: list = [[_ring(rng, _real_ring_size(rng))] for _ in range(2)]
        else:  # Polygon: an outer ring, and a hole in two features in ten
            kind = "Polygon"
            coordinates = [_ring(rng, _real_ring_size(rng)) for _ in range(2 if shape >= 0.8 else 1)]
        feature = {
            "type": "Feature",
            "properties": _lot_properties(rng, *ids),
            "geometry": {"type": kind, "coordinates": coordinates},
        }
        out.append(orjson.dumps(feature))
    return out


def citylots_sets() -> dict[str, Rules] | None:
    """event-ruler's CityLots rule sets by name (and ALL, every rule), or None without ../shared."""
    if not CITYLOTS_RULES.is_file():
        return None
    sets: dict[str, Rules] = {}
    with CITYLOTS_RULES.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rec = json.loads(line)
                sets.setdefault(rec["set"], []).append((rec["name"], rec["rule"]))
    sets["ALL"] = [r for rules in list(sets.values()) for r in rules]
    return sets


# --- sns: Publish MessageAttributes and filter policies -------------------------------------------

SNS_EVENT_TYPES = [
    f"{noun}_{verb}"
    for noun in ("order", "payment", "shipment", "user", "invoice")
    for verb in ("created", "updated", "cancelled", "failed")
]
SNS_STORES = [f"store-{k:03d}" for k in range(300)]
INTERESTS = ["soccer", "rugby", "tennis", "golf", "chess", "cycling", "running", "sailing"]


def sns_events(n: int, seed: int = 19) -> list[bytes]:
    """`n` Publish MessageAttributes maps (as JSON bytes)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        attrs = {
            "event_type": {"DataType": "String", "StringValue": rng.choice(SNS_EVENT_TYPES)},
            "store": {"DataType": "String", "StringValue": rng.choice(SNS_STORES)},
            "price_usd": {"DataType": "Number", "StringValue": f"{rng.uniform(0, 2000):.2f}"},
            "quantity": {"DataType": "Number", "StringValue": str(rng.randint(1, 50))},
            "customer_interests": {
                "DataType": "String.Array",
                "StringValue": json.dumps(rng.sample(INTERESTS, 2)),
            },
            "country": {"DataType": "String", "StringValue": rng.choice(COUNTRIES)},
            "source_ip": {"DataType": "String", "StringValue": _ip(rng)},
        }
        if rng.random() < 0.3:
            attrs["coupon"] = {"DataType": "String", "StringValue": rng.choice(["SPRING24", "WELCOME10"])}
        out.append(orjson.dumps(attrs))
    return out


def _sns_policy(rng: random.Random) -> dict:
    policy: dict = {"event_type": [rng.choice(SNS_EVENT_TYPES)]}
    r = rng.random()
    if r < 0.45:
        policy["store"] = rng.sample(SNS_STORES, rng.randint(1, 3))
    elif r < 0.55:
        lo = rng.randrange(0, 1900, 10)
        policy["price_usd"] = [{"numeric": [">=", lo, "<", lo + 100]}]
    elif r < 0.63:
        policy["store"] = [{"prefix": f"store-{rng.randrange(30):02d}"}]
    elif r < 0.70:
        policy["customer_interests"] = [rng.choice(INTERESTS)]
        policy["country"] = [{"anything-but": rng.sample(COUNTRIES, 2)}]
    elif r < 0.77:
        policy["coupon"] = [{"exists": rng.random() < 0.5}]
        policy["country"] = [rng.choice(COUNTRIES)]
    elif r < 0.83:
        policy["source_ip"] = [{"cidr": _cidr(rng)}]
    elif r < 0.89:
        policy["store"] = [{"suffix": f"{rng.randrange(10)}"}]
        policy["quantity"] = [{"numeric": [">", rng.randrange(40)]}]
    elif r < 0.94:
        policy["country"] = [{"equals-ignore-case": rng.choice(COUNTRIES).lower()}]
    else:
        policy["$or"] = [{"store": [rng.choice(SNS_STORES)]}, {"quantity": [{"numeric": [">=", 45]}]}]
    return policy


def sns_rules(n: int, seed: int = 23) -> Rules:
    """The first `n` SNS filter policies (attribute scope)."""
    rng = random.Random(seed)
    return [(f"sns-{i:05d}", _sns_policy(rng)) for i in range(n)]


# --- the registry ---------------------------------------------------------------------------------


@dataclass
class Cell:
    """One workload x rule set: the rules and the pool of events every engine matches."""

    workload: str
    key: str  # the rule count as text, or a CityLots set name
    dialect: str
    rules: Rules
    events: list[bytes] = field(repr=False)

    @property
    def label(self) -> str:
        return f"{self.workload}/{self.key}"


WORKLOADS = ["aws", "dense", "tenants", "citylots", "citylots-real", "sns"]
#: the workloads whose cells are event-ruler's CityLots rule sets (a cell per set, not per count)
CITYLOTS_WORKLOADS = ("citylots", "citylots-real")
DIALECT = {
    "aws": "eventbridge",
    "dense": "eventbridge",
    "tenants": "eventbridge",
    "citylots": "eventbridge",
    "citylots-real": "eventbridge",
    "sns": "sns-attributes",
}


def make_cell(workload: str, key: str, pool: int) -> Cell:
    """The cell `key` (a rule count, or a CityLots set name) of `workload`, with `pool` events."""
    dialect = DIALECT[workload]
    if workload == "aws":
        return Cell(workload, key, dialect, aws_rules(int(key)), aws_events(pool))
    if workload == "dense":
        return Cell(workload, key, dialect, dense_rules(int(key)), dense_events(pool))
    if workload == "tenants":
        n = int(key)
        return Cell(workload, key, dialect, tenant_rules(n), tenant_events(pool, n))
    if workload == "sns":
        return Cell(workload, key, dialect, sns_rules(int(key)), sns_events(pool))
    if workload in CITYLOTS_WORKLOADS:
        sets = citylots_sets()
        if sets is None:
            raise FileNotFoundError(f"CityLots rules not found at {CITYLOTS_RULES}")
        events = citylots_events(pool) if workload == "citylots" else citylots_real_events(pool)
        return Cell(workload, key, dialect, sets[key], events)
    raise ValueError(f"unknown workload {workload!r}; known: {', '.join(WORKLOADS)}")

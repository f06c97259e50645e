"""`patterns.describe`: the drawing of a machine's tables, and the drawings the docs show.

A drawing in docs/*.md sits between ``<!-- describe:begin -->`` and ``<!-- describe:end -->``,
right below the Python block that builds its machine and prints it. The test runs that block and
compares; ``PATTERNS_UPDATE_DOCS=1`` rewrites the drawings instead.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from pathlib import Path

import pytest

from patterns import Machine
from patterns.describe import describe

DOCS = Path(__file__).resolve().parents[2] / "docs"
BEGIN, END = "<!-- describe:begin -->", "<!-- describe:end -->"
# the Python block right above a begin marker, and the text block up to the end marker
_DRAWN = re.compile(
    r"```python\n(?P<code>(?:(?!```).)*?)```\s*" + re.escape(BEGIN) + r"\n(?P<block>.*?)" + re.escape(END),
    re.S,
)


def _drawings() -> list[tuple[Path, int]]:
    found = []
    for page in sorted(DOCS.glob("*.md")):
        text = page.read_text("utf-8")
        found += [(page, i) for i in range(text.count(BEGIN))]
    return found


def _printed(code: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "docs", "exec"), {})  # noqa: S102 - the doc's own example is what is tested
    return out.getvalue().rstrip("\n")


def test_describe_docs_have_a_drawing() -> None:
    assert (DOCS / "design.md", 0) in _drawings(), "docs/design.md lost its automaton drawing"


@pytest.mark.parametrize("page, index", _drawings(), ids=lambda x: x.name if isinstance(x, Path) else str(x))
def test_describe_drawing_in_docs_is_current(page: Path, index: int) -> None:
    text = page.read_text("utf-8")
    match = list(_DRAWN.finditer(text))[index]
    drawn = _printed(match["code"])
    block = f"```text\n{drawn}\n```\n"
    if os.environ.get("PATTERNS_UPDATE_DOCS"):
        page.write_text(text[: match.start("block")] + block + text[match.end("block") :], "utf-8")
        return
    assert match["block"] == block, (
        f"docs/{page.name}: the drawing no longer matches what its example prints; refresh it with "
        "PATTERNS_UPDATE_DOCS=1 python -m pytest tests/unit/test_describe.py"
    )


def _example() -> Machine:
    m = Machine()
    m.add("ec2-stopped", {"source": ["aws.ec2"], "detail": {"state": ["stopped"]}})
    m.add("ec2-stopping", {"source": ["aws.ec2"], "detail": {"state": [{"prefix": "stop"}]}})
    m.add("big-orders", {"detail": {"amount": [{"numeric": [">=", 1000]}]}})
    m.add("s3-anonymous", {"source": ["aws.s3"], "detail": {"user": [{"exists": False}]}})
    return m


def test_describe_shows_rule_names_field_paths_and_values() -> None:
    drawing = describe(_example())
    assert drawing.splitlines()[0] == "eventbridge machine: 4 rules, 7 states"
    assert "ends: ec2-stopped" in drawing
    assert re.search(r'^  detail\.state +exact "stopped" -> s\d+$', drawing, re.M)
    assert re.search(r'^ +prefix "stop" -> s\d+$', drawing, re.M)
    assert re.search(r"^  detail\.amount +num \[1000, \+inf\) -> s\d+$", drawing, re.M)
    assert re.search(r"^  detail\.user +absent -> s\d+$", drawing, re.M)


def test_describe_is_deterministic_and_follows_changes() -> None:
    m = _example()
    assert describe(m) == describe(_example())
    m.remove("s3-anonymous")
    drawing = describe(m)
    assert "s3-anonymous" not in drawing and "absent" not in drawing and '"aws.s3"' not in drawing
    assert drawing.splitlines()[0] == "eventbridge machine: 3 rules, 5 states"  # freed states are left out


def test_describe_draws_every_kind_of_value_index() -> None:
    m = Machine()
    m.add(
        "kinds",
        {"a": [{"numeric": [">", 0, "<=", 5]}, 7, True, None, {"cidr": "10.0.0.0/24"}, {"cidr": "2001:db8::/32"},
               "10.1.2.3", {"wildcard": "a*b"}, {"equals-ignore-case": "AbC"}, {"suffix": "x"}, {"exists": True}],
         "b": [{"anything-but": ["x", "y"]}, {"anything-but": {"prefix": "p"}}]},
    )  # fmt: skip
    lines = {line.split(" -> ")[0].strip() for line in describe(m).splitlines()}
    for expected in (
        'a  exact "10.1.2.3"', "ip_exact 10.1.2.3", 'folded "abc"', 'suffix "x"', "literal true",
        "literal null", "num (0, 5]", "num = 7", "cidr4 [10.0.0.0, 10.0.0.255]",
        "cidr6 [2001:db8::, 2001:db8:ffff:ffff:ffff:ffff:ffff:ffff]", 'wildcard "a*b"', "exists",
        'b  anything-but "x", "y"', 'anything-but prefix "p"',
    ):  # fmt: skip
        assert expected in lines, expected


def test_describe_names_the_rules_an_empty_policy_matches() -> None:
    m = Machine(dialect="sns-body")
    m.add("everything", {})
    m.add("nonempty", {"a": [{"exists": True}]})
    drawing = describe(m).splitlines()
    assert drawing[1] == "matches every input: everything"
    assert "exists_value -> s1" in drawing[-2]

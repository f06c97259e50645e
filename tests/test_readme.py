"""README.md's Python examples run, and every `expr  # True|False|[...]` comment in them holds."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
_CLAIM = re.compile(r"#\s*(True|False|\[.*?\])(?:\s|$)")


def test_readme_has_python_examples() -> None:
    assert BLOCKS, "README.md lost its runnable examples"


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_readme_example_runs_and_its_claims_hold(block: str, capsys) -> None:
    lines = block.splitlines()
    namespace: dict = {}
    claims = 0
    # Statement by statement, in order: a top-level expression whose line ends in a claim
    # comment is evaluated and compared; everything else just runs.
    for stmt in ast.parse(block).body:
        claim = _CLAIM.search(lines[stmt.end_lineno - 1])
        if isinstance(stmt, ast.Expr) and claim:
            value = eval(compile(ast.Expression(stmt.value), "README.md", "eval"), namespace)
            assert value == ast.literal_eval(claim.group(1)), lines[stmt.lineno - 1]
            claims += 1
        else:
            capsys.readouterr()
            exec(compile(ast.Module([stmt], []), "README.md", "exec"), namespace)  # noqa: S102
            comment = lines[stmt.end_lineno - 1].partition("  # ")[2].strip()
            if _is_print(stmt) and comment:
                # `print(x)  # text`: the text is what it prints (a trailing "(...)" is a gloss)
                printed = capsys.readouterr().out.strip()
                assert printed == re.sub(r"\s+\(.*\)$", "", comment), lines[stmt.lineno - 1]
                claims += 1
    assert claims, "an example with no checked claim proves nothing"


def _is_print(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Call)
        and isinstance(stmt.value.func, ast.Name)
        and stmt.value.func.id == "print"
    )


def test_readme_test_command_is_what_ci_runs() -> None:
    """README says its test command is the one CI runs (through `.ci/run`): keep them equal."""
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8").splitlines()[-1]
    shell = re.findall(r"```sh\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    assert ci in [line for block in shell for line in block.splitlines()]
    assert "editable_mode=compat" in ci  # the default editable finder hides py.typed from mypy

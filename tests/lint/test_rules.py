"""The rule registry: every rule has a code, a name, docs and a fixture; docs/rules.md is current;
each fixture's findings match its golden output; each rule's documented example fires and its
"Use instead" does not."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from patterns.lint import docs
from patterns.lint.cli import main
from patterns.lint.rules import RULES, check_group, check_pattern
from patterns.lint.sources import extract_text

FIXTURES = Path(__file__).parent / "fixtures"
UPDATE = bool(os.environ.get("PATTERN_LINT_UPDATE_GOLDEN"))
SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")


def _fixtures(code: str) -> list[Path]:
    return sorted(p for p in FIXTURES.glob(f"{code}_*") if not p.name.endswith(".expected"))


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_has_code_name_and_docs(code):
    r = RULES[code]
    assert re.fullmatch(r"[EW]\d{3}", code)
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", r.name)
    assert r.severity == ("error" if code.startswith("E") else "warning")
    sections = r.sections()
    for section in SECTIONS:
        assert sections.get(section, "").strip(), f"{code} lacks a `{section}` section"
    assert list(sections)[:4] == list(SECTIONS), f"{code}: sections out of order"


def test_rule_names_are_unique():
    names = [r.name for r in RULES.values()]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("code", sorted(RULES))
def test_rule_has_fixture(code):
    found = _fixtures(code)
    assert found, f"{code} has no fixture tests/lint/fixtures/{code}_{RULES[code].name}.*"
    assert found[0].name.startswith(f"{code}_{RULES[code].name}.")


@pytest.mark.parametrize(
    "fixture", sorted(p.name for p in FIXTURES.glob("[EW][0-9][0-9][0-9]_*") if p.suffix != ".expected")
)
def test_fixture_matches_golden_output(fixture, capsys, monkeypatch):
    monkeypatch.chdir(FIXTURES)
    status = main(["check", fixture])
    out = capsys.readouterr().out
    golden = FIXTURES / f"{fixture}.expected"
    if UPDATE:
        golden.write_text(out, "utf-8")
    assert golden.exists(), f"no golden output {golden.name}: run with PATTERN_LINT_UPDATE_GOLDEN=1"
    assert out == golden.read_text("utf-8")
    code = fixture[:4]
    assert f": {code} " in out, f"the fixture of {code} does not trigger it"
    assert status == 1


def test_no_fixture_without_a_rule():
    codes = {p.name[:4] for p in FIXTURES.glob("[EW][0-9][0-9][0-9]_*")}
    assert codes <= set(RULES)


def test_docs_rules_md_is_current():
    assert docs.DOCS_PATH.read_text("utf-8") == docs.rules_markdown(), (
        "docs/rules.md is stale: run `python -m patterns.lint.docs`"
    )


def test_docs_check_reports_stale(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "rules.md"
    stale.write_text("old\n", "utf-8")
    monkeypatch.setattr(docs, "DOCS_PATH", stale)
    assert docs.main(["--check"]) == 1
    assert docs.main([]) == 0
    assert docs.main(["--check"]) == 0


_FENCE = re.compile(r"```(\w+)([^\n]*)\n(.*?)```", re.S)


def _lint_example(section: str) -> set[str]:
    """Codes reported on a docs code block (JSON: a pattern, with an optional dialect; YAML, HCL)."""
    match = _FENCE.search(section)
    assert match is not None
    lang, info, body = match.group(1), match.group(2).strip(), match.group(3)
    name = {"json": "example.json", "yaml": "example.yaml", "hcl": "example.tf"}[lang]
    found = extract_text(name, body, raw_dialect=info or None)
    assert found, "the example holds no pattern"
    codes: set[str] = set()
    contexts = []
    for ex in found:
        ctx, diagnostics = check_pattern(ex)
        contexts.append(ctx)
        codes |= {d.code for d in diagnostics}
    codes |= {d.code for d in check_group(contexts)}
    return codes


_EXAMPLES = [code for code in sorted(RULES) if "```" in RULES[code].sections().get("Example", "")]


def test_most_rules_have_runnable_examples():
    assert len(_EXAMPLES) >= len(RULES) - 3


@pytest.mark.parametrize("code", _EXAMPLES)
def test_rule_example_fires_and_fix_does_not(code):
    sections = RULES[code].sections()
    assert code in _lint_example(sections["Example"])
    assert code not in _lint_example(sections["Use instead"])

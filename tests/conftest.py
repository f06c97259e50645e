"""Shared fixtures: the matcher twins (`impl`), the AWS conformance corpus, hypothesis profiles."""

from __future__ import annotations

import importlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, settings

from patterns.engine import Twin

# The `twin` fixture (below) is function-scoped but changes nothing between examples: one twin
# per test, so hypothesis' check against such fixtures is off in every profile.
_QUIET = [HealthCheck.function_scoped_fixture]
settings.register_profile(
    "ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, *_QUIET]
)
settings.register_profile("dev", max_examples=60, deadline=None, suppress_health_check=_QUIET)
settings.register_profile("thorough", max_examples=2000, deadline=None, suppress_health_check=_QUIET)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

ROOT = Path(__file__).resolve().parents[1]
#: ../shared beside the project's folder (PATTERNS_SHARED_DIR overrides).
SHARED = Path(os.environ.get("PATTERNS_SHARED_DIR", ROOT.parent / "shared"))
CASES_FILE = SHARED / "conformance" / "cases.jsonl"
VALID_ONLY_FILE = SHARED / "conformance" / "valid_only.jsonl"


def load_cases(path: Path = CASES_FILE) -> list[dict]:
    """The conformance cases of a corpus file, or [] when ../shared is absent."""
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@dataclass(frozen=True)
class Impl:
    """One twin of the matcher modules; `tag` is the test id."""

    tag: str
    module: ModuleType

    def __getattr__(self, name: str):
        return getattr(self.module, name)


def _load_c() -> ModuleType | None:
    try:
        return importlib.import_module("patterns._match_c")
    except ImportError:
        return None


@pytest.fixture(
    params=[
        pytest.param("python", id="python"),
        pytest.param("cython", id="cython", marks=pytest.mark.cython),
    ]
)
def impl(request) -> Impl:
    """Each matcher twin in turn; the compiled one skips (or fails, under
    PATTERNS_REQUIRE_EXTENSIONS=1) when it is not built."""
    return Impl(request.param, twin_module(request.param))


def twin_module(tag: str) -> ModuleType:
    """The matcher module of one twin ("python" or "cython"); the compiled one skips (or fails,
    under PATTERNS_REQUIRE_EXTENSIONS=1) when it is not built."""
    if tag == "python":
        return importlib.import_module("patterns._match_py")
    module = _load_c()
    if module is None:
        if os.environ.get("PATTERNS_REQUIRE_EXTENSIONS"):
            pytest.fail("PATTERNS_REQUIRE_EXTENSIONS is set but patterns._match_c is not built")
        pytest.skip("patterns._match_c is not built here (pure-Python install)")
    return module


@pytest.fixture(
    params=[
        pytest.param("python", id="twin-python"),
        pytest.param("cython", id="twin-cython", marks=pytest.mark.cython),
    ]
)
def twin(request, monkeypatch) -> str:
    """Each matcher twin in turn behind every Machine and Pattern built in the test: the twin a
    machine's writer takes (`patterns.engine.Twin.current`) is that one's. Machines and
    patterns made before the test keep the tables they built (make them inside the test)."""
    use_twin(monkeypatch, request.param)
    return request.param


def use_twin(monkeypatch, tag: str) -> None:
    """Make every Machine and Pattern built from now on (until `monkeypatch` undoes it) run on
    one twin."""
    chosen = Twin.of(twin_module(tag))
    monkeypatch.setattr(Twin, "current", classmethod(lambda cls: chosen))

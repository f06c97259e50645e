"""`mypy --strict` and pyright (basedpyright, strict) on tests/typing/router.py, a small router on the public API, as a user's
project would run it: from a folder outside the checkout, against the installed package (so an
install that hides `py.typed` fails here, and so do annotations that refuse valid calls).

Each is skipped when its checker is not installed (both are in the `test` extra). With setuptools' default editable
install mypy cannot find the package at all; README.md's `editable_mode=compat` install fixes
that (then `mypy --strict tests/typing/router.py` passes from the checkout's root too).
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROUTER = Path(__file__).resolve().parent / "typing" / "router.py"


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed")
def test_router_passes_mypy_strict_against_the_installed_package(tmp_path: Path) -> None:
    shutil.copy(ROUTER, tmp_path / "router.py")
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "router.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    hint = (
        '\n(`Cannot find ... module named "patterns"`: install as README.md says, '
        "`pip install -e . --config-settings editable_mode=compat`, or not editable)"
    )
    assert run.returncode == 0, run.stdout + run.stderr + hint
    assert "Success: no issues found" in run.stdout


@pytest.mark.skipif(
    shutil.which("basedpyright") is None and not (Path(sys.executable).parent / "basedpyright").exists(),
    reason="basedpyright is not installed",
)
def test_router_passes_pyright_strict_against_the_installed_package(tmp_path: Path) -> None:
    shutil.copy(ROUTER, tmp_path / "router.py")
    exe = Path(sys.executable).parent / "basedpyright"
    run = subprocess.run(
        [str(exe) if exe.exists() else "basedpyright", "--pythonpath", sys.executable, "--level", "error"]
        + ["-p", str(_strict_config(tmp_path)), "router.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 errors" in run.stdout


def _strict_config(folder: Path) -> Path:
    """A pyrightconfig.json asking for pyright's strict mode on the router."""
    config = folder / "pyrightconfig.json"
    config.write_text('{"typeCheckingMode": "strict", "include": ["router.py"]}')
    return config


def test_router_runs(capsys: pytest.CaptureFixture[str]) -> None:
    """The router is real code: it runs, and routes as its rules say."""
    spec = importlib.util.spec_from_file_location("typing_router", ROUTER)
    assert spec is not None and spec.loader is not None
    router = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(router)
    machine = router.build()
    events = [
        b'{"source": "aws.ec2", "detail": {"state": "stopped"}}',
        b'{"source": "aws.s3.x"}',
        b"not json",
    ]
    routed = router.route(machine, events)
    assert routed == {
        "ec2-stopped": [events[0].decode()],
        "s3": [events[1].decode()],
        "dead-letter": ["not json"],
    }
    assert router.count_matches(machine, events[:2]) == 2
    assert router.sqs_filter({"kind": "order"}) is True
    assert router.sqs_filter({"kind": "refund"}) is False

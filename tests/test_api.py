"""The public API: names, the live matcher twin, env-var re-import, the exception tree."""

from __future__ import annotations

import inspect
import os
import pickle
import subprocess
import sys

import pytest

import patterns
from patterns import InvalidEventError, InvalidPatternError, PatternsError
from patterns.engine import Twin

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_api_all_lists_the_public_names() -> None:
    assert sorted(patterns.__all__) == sorted(
        ["DIALECTS", "IMPLEMENTATION", "ArchiveError", "BatchResult", "BudgetError", "BusTransformer", "Dialect",
         "FilterCriteria", "Footprint", "InputTransformer", "InvalidEventError", "InvalidPatternError",
         "InvalidTransformerError", "Machine", "Pattern", "PatternsError", "RulesError", "Scan", "ScanStats", "SnapshotError",
         "SubscriberFilter", "UndeliverableEventError", "compile", "record_to_event", "render_for_target",
         "scan"]
    )  # fmt: skip
    for name in patterns.__all__:
        assert getattr(patterns, name) is not None


def test_api_star_import_gives_exactly_all() -> None:
    namespace: dict = {}
    exec("from patterns import *", namespace)  # noqa: S102 - the star import is what is tested
    assert set(namespace) - {"__builtins__"} == set(patterns.__all__)


def test_twins_export_the_same_names_and_signatures() -> None:
    # One contract: equal `__all__`, every name defined, none None, and each function's
    # parameters named alike (the compiled ones are read from their embedded signatures).
    from patterns import _match_py

    try:
        from patterns import _match_c
    except ImportError:
        pytest.skip("patterns._match_c is not built here")
    assert sorted(_match_c.__all__) == sorted(_match_py.__all__)
    for name in _match_py.__all__:
        pure, compiled = getattr(_match_py, name), getattr(_match_c, name)
        assert pure is not None and compiled is not None, name
        if callable(pure) or callable(compiled):
            assert _parameters(pure) == _parameters(compiled), name
        else:  # a constant of the contract: of one type in both
            assert type(pure) is type(compiled), name


def _parameters(function) -> list[str]:
    try:
        return [p for p in inspect.signature(function).parameters if p != "self"]
    except ValueError:  # a builtin without a signature: Cython's embedded one is its first line
        head = function.__doc__.split("\n", 1)[0]
        inside = head[head.index("(") + 1 : head.rindex(")")]
        return [p.split("=")[0].split(":")[0].split()[-1] for p in inside.split(",") if p.strip()]


def test_selector_exports_one_whole_twin_and_no_none() -> None:
    from patterns import _match, _match_py

    names = [n for n in _match.__all__ if n not in ("IMPLEMENTATION", "TWIN")]
    assert sorted(names) == sorted(_match_py.__all__)
    for name in names:
        assert getattr(_match, name) is getattr(_match.TWIN, name), name
    assert _match.TWIN.__name__ == f"patterns._match_{'c' if patterns.IMPLEMENTATION == 'cython' else 'py'}"


def test_twin_of_a_module_takes_its_functions() -> None:
    from patterns import _match, _match_py

    pure = Twin.of(_match_py)
    assert pure.match_json is _match_py.match_json and pure.scan_leaves is _match_py.scan_leaves
    assert Twin.current() == Twin.of(_match.TWIN)
    try:
        from patterns import _match_c
    except ImportError:
        pytest.skip("patterns._match_c is not built here")
    compiled = Twin.of(_match_c)
    assert compiled.match_json is _match_c.match_json and compiled.scan_leaves is _match_c.scan_leaves


def test_twin_fixture_builds_machines_on_its_twin(twin: str) -> None:
    machine = patterns.Machine()
    machine.add("r", {"a": ["x"]})
    assert machine.match(b'{"a": "x"}') == ["r"]
    module = "patterns._match_c" if twin == "cython" else "patterns._match_py"
    assert machine._tables.twin.match_json.__module__ == module


def test_api_implementation_names_the_live_twin() -> None:
    from patterns import _match

    assert patterns.IMPLEMENTATION in ("cython", "python")
    expected = "patterns._match_c" if patterns.IMPLEMENTATION == "cython" else "patterns._match_py"
    assert _match.scan_table.__module__ == expected


@pytest.mark.skipif(
    not os.environ.get("PATTERNS_REQUIRE_EXTENSIONS"), reason="PATTERNS_REQUIRE_EXTENSIONS is not set"
)
def test_api_compiled_extension_is_loaded_when_required() -> None:
    from patterns import _match

    assert patterns.IMPLEMENTATION == "cython"
    assert _match.scan_table.__module__ == "patterns._match_c"
    assert type(_match.scan_table).__name__ in ("cython_function_or_method", "builtin_function_or_method")


def _run(code: str, **env: str) -> str:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("PATTERNS_")}
    full_env.update(env)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=full_env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_api_no_extensions_env_var_forces_python_twin() -> None:
    code = "import patterns, patterns._match as m; print(patterns.IMPLEMENTATION, m.scan_table.__module__)"
    assert _run(code, PATTERNS_NO_EXTENSIONS="1") == "python patterns._match_py"


def test_api_without_env_var_uses_extension_when_built() -> None:
    try:
        import patterns._match_c  # noqa: F401
    except ImportError:
        pytest.skip("patterns._match_c is not built here")
    assert _run("import patterns; print(patterns.IMPLEMENTATION)") == "cython"


def test_api_both_twins_give_same_match_results() -> None:
    code = (
        "import patterns; p = patterns.compile({'a': {'b': ['x']}});"
        "print(p.matches({'a': [{'b': 'y'}, {'b': 'x'}]}), p.matches({'a': {'b': 'z'}}))"
    )
    assert _run(code, PATTERNS_NO_EXTENSIONS="1") == _run(code) == "True False"


def test_api_selector_is_all_or_nothing() -> None:
    code = (
        "import patterns, patterns._match as m, patterns._match_py as p;"
        "print(patterns.IMPLEMENTATION, sorted({getattr(m, n).__module__ for n in p.__all__ if callable(getattr(m, n))}, key=str))"
    )
    assert _run(code, PATTERNS_NO_EXTENSIONS="1") == "python ['patterns._match_py', 'patterns.sns']"
    try:
        import patterns._match_c  # noqa: F401
    except ImportError:
        pytest.skip("patterns._match_c is not built here")
    assert _run(code) == "cython ['patterns._match_c']"


def test_api_require_extensions_turns_a_missing_build_into_an_import_error() -> None:
    # sys.modules[name] = None makes that import fail, as a missing or broken build does.
    code = (
        "import sys; sys.modules['patterns._match_c'] = None; import patterns; print(patterns.IMPLEMENTATION)"
    )
    assert _run(code) == "python"
    with pytest.raises(subprocess.CalledProcessError) as info:
        _run(code, PATTERNS_REQUIRE_EXTENSIONS="1")
    assert "PATTERNS_REQUIRE_EXTENSIONS is set but patterns._match_c cannot be imported" in info.value.stderr
    assert _run(code, PATTERNS_REQUIRE_EXTENSIONS="1", PATTERNS_NO_EXTENSIONS="1") == "python"


def test_api_errors_form_one_tree_under_value_error() -> None:
    assert issubclass(InvalidPatternError, PatternsError) and issubclass(InvalidPatternError, ValueError)
    assert issubclass(InvalidEventError, PatternsError) and issubclass(InvalidEventError, ValueError)
    assert issubclass(patterns.InvalidTransformerError, PatternsError)
    assert issubclass(patterns.InvalidTransformerError, ValueError)
    assert issubclass(patterns.UndeliverableEventError, PatternsError)
    assert issubclass(patterns.UndeliverableEventError, ValueError)
    assert issubclass(PatternsError, Exception)
    with pytest.raises(ValueError):
        patterns.compile("{")
    with pytest.raises(ValueError):
        patterns.compile({"a": ["x"]}).matches(b"[")


def test_api_unknown_dialect_is_a_plain_value_error() -> None:
    with pytest.raises(ValueError) as info:
        patterns.compile({"a": ["x"]}, dialect="nope")
    assert not isinstance(info.value, InvalidPatternError)


def test_api_get_context_renders_caret_under_fault() -> None:
    text = '{"a": [{"prefix": 1}]}'
    with pytest.raises(InvalidPatternError) as info:
        patterns.compile(text)
    err = info.value
    assert err.get_context(text) == text + "\n" + " " * text.index("1") + "^\n"


def test_api_get_context_is_empty_without_position() -> None:
    with pytest.raises(InvalidPatternError) as info:
        patterns.compile({"a": []})
    err = info.value
    assert err.get_context('{"a": []}') == ""


def test_api_get_context_clips_long_lines() -> None:
    text = '{"a": [' + '"x", ' * 40 + "[]]}"
    with pytest.raises(InvalidPatternError) as info:
        patterns.compile(text)
    err = info.value
    rendered = err.get_context(text, span=10)
    excerpt, caret, _ = rendered.split("\n")
    assert len(excerpt) <= 20
    assert excerpt[caret.index("^")] == text[err.column - 1] == "["


def test_api_pattern_error_pickles_with_attributes() -> None:
    with pytest.raises(InvalidPatternError) as info:
        patterns.compile('{\n "a": []}')
    err = info.value
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is InvalidPatternError
    assert str(copy) == str(err)
    for attr in ("reason", "path", "line", "column", "end_line", "end_column", "offset", "message"):
        assert getattr(copy, attr) == getattr(err, attr)
    assert copy.line == 2


def test_api_event_error_pickles_with_offset() -> None:
    with pytest.raises(InvalidEventError) as info:
        patterns.compile({"a": ["x"]}).matches('{"a": x}')
    err = info.value
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is InvalidEventError and str(copy) == str(err) and copy.offset == err.offset


def test_api_pattern_equality_and_hash_ignore_layout() -> None:
    a = patterns.compile('{"a": ["x", 1]}')
    b = patterns.compile({"a": ["x", 1.0]})
    assert a == b and hash(a) == hash(b)
    assert a != patterns.compile({"a": ["x", True]})  # true is not 1


def test_api_pattern_repr_names_pattern_and_dialect() -> None:
    r = repr(patterns.compile({"a": ["x"]}))
    assert r == "Pattern('{\"a\":[\"x\"]}', dialect='eventbridge')"


def test_api_pattern_repr_survives_lone_surrogate() -> None:
    assert "eventbridge" in repr(patterns.compile('{"a": ["\\ud800"]}'))


def test_api_docstring_example_runs() -> None:
    p = patterns.compile('{"source": ["aws.ec2"], "detail": {"state": [{"anything-but": "running"}]}}')
    assert p.matches(b'{"source": "aws.ec2", "detail": {"state": "stopped"}}') is True

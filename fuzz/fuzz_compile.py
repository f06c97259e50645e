"""Fuzz `patterns.compile` for every dialect: only InvalidPatternError may escape, and a valid
pattern round-trips through `to_json` (text, dict and the compiled value all give one `Pattern`).

    fuzz/run.sh 600          # every target, 600 s each (see docs/fuzzing.md)
    .venv/bin/python fuzz/fuzz_compile.py -timeout=10 -max_total_time=60 fuzz/seeds/compile
"""

from __future__ import annotations

import json
import sys

import atheris

with atheris.instrument_imports():
    import patterns
    from patterns import InvalidPatternError

DIALECTS = sorted(patterns.DIALECTS)


def _compile(source, dialect: str) -> patterns.Pattern | None:
    try:
        return patterns.compile(source, dialect=dialect)
    except InvalidPatternError as err:
        assert err.reason and str(err).endswith(err.reason), err
        return None


def test_one_input(data: bytes) -> None:
    for dialect in DIALECTS:
        p = _compile(data, dialect)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None:
            q = _compile(text, dialect)
            assert (p is None) == (q is None), (dialect, p, q)
            try:
                value = json.loads(text)
            except (ValueError, RecursionError):
                value = None
            if isinstance(value, dict):
                _compile(value, dialect)  # the dict road: only our error may escape
        if p is None:
            continue
        again = _compile(p.to_json(), dialect)
        assert again == p, (dialect, p, again)
        again = _compile(json.dumps(p.to_json()), dialect)  # json: lone surrogates are \uXXXX
        assert again == p, (dialect, p, again)


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

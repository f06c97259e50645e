#!/usr/bin/env bash
# Run every fuzz target for SECONDS each (default 600), atheris installed into .venv if missing.
#
#   fuzz/run.sh [SECONDS]
#
# Each input has 10 s (-timeout): a slower one is a finding (a stall), as is any exception other
# than the library's own, or a disagreement between roads. Findings land in fuzz/.work/artifacts/
# (crash-*, timeout-*, oom-*); replay one with `.venv/bin/python fuzz/fuzz_match.py FILE`.
# New corpus entries go to fuzz/.work/corpus/<target>/ and are reused by the next run.
set -euo pipefail

SECONDS_PER_TARGET="${1:-600}"
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(dirname "$HERE")"
PY="$ROOT/.venv/bin/python"
WORK="$HERE/.work"

if ! "$PY" -c "import atheris" 2>/dev/null; then
    # atheris 3.0.0 has a cp311 manylinux wheel; the `fuzz` extra of pyproject.toml pins the floor.
    "$ROOT/.venv/bin/pip" install --quiet "atheris>=2.3"
fi

mkdir -p "$WORK/artifacts"
status=0
for target in compile match compiled snapshot; do
    corpus="$WORK/corpus/$target"
    mkdir -p "$corpus"
    echo "== fuzz_$target: $SECONDS_PER_TARGET s" >&2
    # -rss_limit_mb: a runaway input is a finding, not a dead host.
    if ! (cd "$ROOT" && "$PY" "$HERE/fuzz_$target.py" \
            -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -dict="$HERE/json.dict" \
            -artifact_prefix="$WORK/artifacts/${target}-" \
            "$corpus" "$HERE/seeds/${target/compiled/match}"); then  # compiled reads events too
        status=1
        echo "== fuzz_$target: findings in $WORK/artifacts/" >&2
    fi
done
exit "$status"

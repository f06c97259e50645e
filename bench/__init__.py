"""Benchmarks (pytest-benchmark): run with `python -m pytest bench --benchmark-only`."""

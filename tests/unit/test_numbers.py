"""Numbers: `patterns.numbers` (the double AWS compares, SNS's rounding, the order-preserving key),
and the compiled walk's reading of number text, which must give Python's `float()` bit for bit.

A number on a rule path is read when first probed (src_ext/number_parse.h, `patterns_fast_double`):
Clinger's fast path, then Eisel-Lemire for significands of up to 19 digits, then strtod_l, then
Python. `_read_double` is the first two: it must give `float(text)` exactly (sign of zero included),
and must not leave to the slower readers what it can read: every normal double's shortest text.
Eisel-Lemire's power-of-five table is generated once and committed: it must be what its generator
writes.
"""

from __future__ import annotations

import importlib.util
import math
import struct
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from patterns import Machine
from patterns.numbers import as_double, double_of_key, number_key, quantize

from ..conftest import ROOT, twin_module

# --- patterns.numbers ---------------------------------------------------------------------------


def test_as_double_turns_huge_integers_into_infinity() -> None:
    assert as_double(10**400) == float("inf") and as_double(-(10**400)) == float("-inf")
    assert as_double(3) == 3.0


def test_number_key_preserves_order() -> None:
    xs = [-float("inf"), -1e300, -2.5, -1.0, -5e-324, -0.0, 0.0, 5e-324, 1.0, 2.5, 1e300, float("inf")]
    keys = [number_key(x) for x in xs]
    assert keys == sorted(keys)
    assert number_key(-0.0) == number_key(0.0)
    assert len(set(keys)) == len(xs) - 1
    assert [double_of_key(k) for k in keys] == [x if x else 0.0 for x in xs]  # its inverse


def test_quantize_rounds_floats_half_to_even_and_leaves_the_rest() -> None:
    assert quantize(0.125, 2) == 0.12 and quantize(0.375, 2) == 0.38  # exact ties: to even
    assert quantize(1.000005, 5) == 1.00001  # the double of 1.000005 lies above the tie
    assert quantize(2.5, 0) == 2.0 and quantize(3.5, 0) == 4.0
    assert quantize(10**30, 5) == 10**30 and type(quantize(7, 5)) is int
    assert quantize(float("inf"), 5) == float("inf")
    assert quantize(1.23456789, None) == 1.23456789


# --- the compiled walk's number reading ----------------------------------------------------------

SMALLEST_NORMAL = 2.2250738585072014e-308


def _bits(x: float) -> bytes:
    return struct.pack("<d", x)


def _read(text: str) -> float | None:
    return twin_module("cython")._read_double(text.encode())


def _significant_digits(text: str) -> int:
    mantissa = text.lstrip("-").lower().split("e")[0].replace(".", "")
    return len(mantissa.lstrip("0"))


def _assert_reads(text: str) -> float | None:
    got = _read(text)
    if got is not None:
        assert _bits(got) == _bits(float(text)), (text, got, float(text))
    return got


FINITE = st.floats(allow_nan=False, allow_infinity=False)


@given(x=FINITE)
@example(x=9007199254740992.0)
@example(x=-122.42916360922355)
@example(x=1.7976931348623157e308)
@example(x=SMALLEST_NORMAL)
@example(x=5e-324)
@example(x=-0.0)
@example(x=1e23)
@example(x=8.98846567431158e307)
def test_every_double_reads_back_from_its_texts(x: float) -> None:
    for text in (repr(x), f"{x:.17g}", f"{x:.16e}", f"{x:.15e}"):
        got = _assert_reads(text)
        value = float(text)  # (the 16-digit text of the largest double reads as inf)
        if math.isfinite(value) and abs(value) >= SMALLEST_NORMAL and _significant_digits(text) <= 19:
            assert got is not None, f"{text} left to strtod_l"  # the fast readers took it


@given(
    digits=st.text("0123456789", min_size=1, max_size=19),
    dot=st.integers(0, 19),
    exponent=st.none() | st.integers(-360, 330),
    negative=st.booleans(),
)
@example(digits="9999999999999999999", dot=19, exponent=-343, negative=False)
@example(digits="1", dot=1, exponent=-342, negative=False)
@example(digits="17976931348623157", dot=1, exponent=308, negative=True)
@example(digits="17976931348623159", dot=1, exponent=308, negative=False)  # rounds to inf: not read
@example(digits="22250738585072011", dot=1, exponent=-308, negative=False)  # just below normal
@example(digits="0000000000000000001", dot=1, exponent=None, negative=True)
def test_numbers_of_up_to_19_digits_read_as_float(
    digits: str, dot: int, exponent: int | None, negative: bool
) -> None:
    dot = min(dot, len(digits))
    text = digits[:dot] or "0"
    if len(text) > 1:
        text = text.lstrip("0") or "0"
    if dot < len(digits):
        text += "." + digits[dot:]
    if exponent is not None:
        text += f"e{exponent}"
    if negative:
        text = "-" + text
    got = _assert_reads(text)
    value = float(text)
    if math.isfinite(value) and (value == 0 or abs(value) >= SMALLEST_NORMAL) and abs(exponent or 0) <= 300:
        assert got is not None, f"{text} left to strtod_l"


@given(ulp_exponent=st.integers(-4, 11), j=st.integers(2**52, 2**53 - 1), negative=st.booleans())
@example(ulp_exponent=0, j=2**52, negative=False)  # 9007199254740993: to even, down
@example(ulp_exponent=0, j=2**52 + 1, negative=False)  # 9007199254740995: to even, up
def test_exact_ties_round_to_even(ulp_exponent: int, j: int, negative: bool) -> None:
    # Halfway between j * 2**e and (j + 1) * 2**e, neighbours with 53-bit significands; written
    # exactly, in 19 digits or fewer for most (the others are left to strtod_l).
    tie = Fraction(2 * j + 1) * Fraction(2) ** (ulp_exponent - 1)
    text = (
        str(tie.numerator) if tie.denominator == 1 else format(Decimal(tie.numerator) / tie.denominator, "f")
    )
    text = ("-" if negative else "") + text
    got = _assert_reads(text)
    if _significant_digits(text) <= 19:
        assert got is not None
        even = j if j % 2 == 0 else j + 1
        assert abs(got) == even * 2.0**ulp_exponent


@given(x=FINITE.filter(lambda x: x != 0 and abs(x) < 1e300))
def test_near_ties_read_as_float(x: float) -> None:
    # 19 digits of the midpoint between x and its neighbour, and the texts one unit either side.
    mid = (Decimal(x) + Decimal(math.nextafter(x, math.inf))) / 2
    for value in (mid, mid * (1 + Decimal(10) ** -19), mid * (1 - Decimal(10) ** -19)):
        _assert_reads(f"{value:.18e}")


@pytest.mark.parametrize(
    "text",
    ["0.00000000000000000000000123456789", "-0.0000000000000000000000000000000000000000000000000000001",
     "0.000000000000000000000000000000", "1234567890123456789", "0.1234567890123456789e-5",
     "12345678.90123456789E+3", "-0e-0", "1E22", "1e-22", "9007199254740991.0"],
)  # fmt: skip
def test_leading_zeros_and_word_runs_read(text: str) -> None:
    # digits are read 8 to a multiply: runs across word edges, and leading zeros past 19 digits
    assert _read(text) is not None
    _assert_reads(text)


def test_long_fractions_are_read_or_left_to_strtod(twin) -> None:
    assert _read("0." + "0" * 300 + "123") == float("0." + "0" * 300 + "123")  # leading zeros: 3 digits
    assert _read("0." + "0" * 200_000 + "1") is None  # (its exponent would pass 100,000)
    machine = Machine()
    machine.add("zero", {"x": [{"numeric": ["=", 0]}]})
    assert machine.match(b'{"x": 0.' + b"0" * 200_000 + b"1}") == ["zero"]  # strtod_l: 0.0


def test_text_past_the_fast_readers_is_left_to_strtod() -> None:
    for text in (
        "12345678901234567890",
        "1.2345678901234567890",
        "4.9e-324",
        "2.2250738585072011e-308",
        "1e400",
    ):
        assert _read(text) is None, text


@pytest.mark.parametrize("value", [-122.42916360922355, 37.729900216217324, 9007199254740993, 1e23, 5e-324])
def test_numeric_equality_at_17_digits_on_both_twins(twin, value: float) -> None:
    # The walk's reading decides numeric rules: equal to the rule's double and to no neighbour.
    target = float(value)
    machine = Machine()
    machine.add("eq", {"x": [{"numeric": ["=", target]}]})
    below, above = math.nextafter(target, -math.inf), math.nextafter(target, math.inf)
    assert machine.match(f'{{"x": {value!r}}}'.encode()) == ["eq"]
    assert machine.match(f'{{"x": {target!r}}}'.encode()) == ["eq"]
    assert machine.match(f'{{"x": {below!r}}}'.encode()) == []
    assert machine.match(f'{{"x": {above!r}}}'.encode()) == []


def test_pow5_table_is_what_its_generator_writes() -> None:
    # src_ext/pow5_table.h is generated once by src_ext/gen_pow5.py (exact, with Python ints) and
    # committed; rendered again here, so a stale or hand-edited table fails.
    script = ROOT / "src_ext" / "gen_pow5.py"
    if not script.is_file():
        pytest.skip("src_ext/ is not here (an installed package)")
    spec = importlib.util.spec_from_file_location("gen_pow5", script)
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert gen.HEADER.read_text(encoding="utf-8") == gen.render()
    words = gen.pow5_words()
    assert len(words) == 2 * (gen.Q_MAX - gen.Q_MIN + 1)
    assert words[2 * -gen.Q_MIN] == 1 << 63 and words[2 * -gen.Q_MIN + 1] == 0  # 5**0: one bit

"""The byte scanner `scan_leaves` (both twins, via `impl`) against the slow road it stands in for.

The contract (docs/scanner.md): for any input, `scan_leaves(raw,
table)` is None or gives what `select_leaves(decode_event(raw), prefixes, path_ids)` gives: the
same leaves per path id (in any order) and the same contexts up to their numbering. Random JSON
texts (dotted and repeated keys, escapes, non-ASCII, numbers no double holds, deep nesting) are
checked against it, also after random damage (bytes inserted, replaced, cut off). Common events
must not return None (or the fast road is never taken); invalid ones must.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st

from patterns import InvalidEventError, InvalidPatternError, Machine
from patterns.events import ROOT_ONLY, BigNumber, decode_event, flatten
from patterns.walk import run_machine, select_leaves

from ..conftest import SHARED, twin_module
from ..strategies import EVENT_NUMBERS, STRINGS, patterns

# Deep and long events make long reprs, which hypothesis warns about while it draws them.
pytestmark = pytest.mark.filterwarnings("ignore:Generating overly large repr")

# --- the slow road and a numbering-free view of an answer -------------------------------------------

SLOW_INVALID = "invalid"


def _slow(raw, prefixes, path_ids):
    try:
        event = decode_event(raw)
    except InvalidEventError:
        return SLOW_INVALID
    return select_leaves(event, prefixes, path_ids, checked=True)


def _value_key(value) -> tuple:
    # type and repr: 1 and 1.0, 0.0 and -0.0, BigNumber signs all stay apart
    return (type(value).__name__, repr(value))


def _canonical(answer) -> tuple:
    """An answer with its contexts replaced by their place in the tree (numbering-free)."""
    by_path, contexts = answer
    parent, array = contexts.parent, contexts.array
    paths = list(contexts.path) or [""] * len(parent)
    leaves_at: dict[int, list] = {c: [] for c in range(len(parent))}
    for pid, leaves in by_path.items():
        for value, ctx in leaves:
            leaves_at[ctx].append((pid, _value_key(value)))
    arrays_at: dict[int, dict[int, list[int]]] = {c: {} for c in range(len(parent))}
    for c in range(1, len(parent)):
        assert parent[c] < c, "a context's parent is numbered before it"
        arrays_at[parent[c]].setdefault(array[c], []).append(c)
    signature: dict[int, tuple] = {}
    for c in reversed(range(len(parent))):  # children first: parent[c] < c
        arrays = sorted(tuple(sorted(signature[e] for e in elements)) for elements in arrays_at[c].values())
        signature[c] = (paths[c], tuple(sorted(leaves_at[c])), tuple(arrays))
    return signature[0]


def _assert_same(fast, slow) -> None:
    assert slow != SLOW_INVALID, "the scanner answered where the slow road refuses the event"
    assert (fast[1] is ROOT_ONLY) == (slow[1] is ROOT_ONLY)
    assert {pid: Counter(_value_key(v) for v, _ in leaves) for pid, leaves in fast[0].items()} == {
        pid: Counter(_value_key(v) for v, _ in leaves) for pid, leaves in slow[0].items()
    }
    assert _canonical(fast) == _canonical(slow)


def _agree_or_refused(impl, raw, prefixes: frozenset, path_ids: dict) -> None:
    """The scanner's answer is the slow road's; a None is the slow road's refusal, except that
    the compiled scanner may also leave an event it is unsure of to the slow road."""
    fast = impl.scan_leaves(raw, impl.scan_table(prefixes, path_ids))
    slow = _slow(raw, prefixes, path_ids)
    if fast is not None:
        _assert_same(fast, slow)
    else:
        assert slow == SLOW_INVALID or impl.tag == "cython"


# --- random JSON texts ----------------------------------------------------------------------------

KEYS = ["a", "b", "c", "a.b", "b.c", "a.b.c", "", "é", "x", "a.", ".a"]
RAW_NUMBERS = ["1e400", "-1e400", "1e-400", "1E+2", "-0", "-0.0", "0.5e1", "18446744073709551615",
               "18446744073709551616", "-9223372036854775808", "-9223372036854775809",
               "123456789012345678901234567890", "1" * 400, "-" + "9" * 309, "4.9e-324",
               "1.7976931348623157e308", "1.7976931348623159e308", "0.0000001e320"]  # fmt: skip
TEXTS = STRINGS + ["é", "\u2028", "😀", 'a"b', "back\\slash", "tab\t", "\x7f", "日本"]


def _string(text: str, rng: random.Random) -> str:
    out = []
    for ch in text:
        roll = rng.random()
        if ch in '"\\' or ord(ch) < 0x20:
            out.append(json.dumps(ch)[1:-1] if roll < 0.5 else f"\\u{ord(ch):04x}")
        elif roll < 0.15 and ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04X}")
        elif roll < 0.15:  # an astral character as a surrogate pair
            v = ord(ch) - 0x10000
            out.append(f"\\u{0xD800 + (v >> 10):04x}\\u{0xDC00 + (v & 0x3FF):04x}")
        elif roll < 0.2 and ch == "/":
            out.append("\\/")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _write(node, rng: random.Random) -> str:
    """The JSON text of a drawn tree, with random spacing and escapes."""
    kind, body = node
    ws = (lambda: rng.choice(["", "", " ", "\n  ", "\t", "\r\n"])) if rng.random() < 0.5 else (lambda: "")
    if kind == "raw":
        return body
    if kind == "str":
        return _string(body, rng)
    if kind == "arr":
        return "[" + ws() + ("," + ws()).join(_write(c, rng) + ws() for c in body) + "]"
    items = [ws() + _string(k, rng) + ws() + ":" + ws() + _write(v, rng) + ws() for k, v in body]
    return "{" + ",".join(items) + ws() + "}"


# Trees as plain tuples (st.tuples, not st.builds: hypothesis would render each call's repr).
_scalars = st.one_of(
    st.tuples(st.just("str"), st.sampled_from(TEXTS) | st.text(max_size=4)),
    st.tuples(st.just("raw"), st.sampled_from([json.dumps(x) for x in EVENT_NUMBERS])),
    st.tuples(st.just("raw"), st.sampled_from(RAW_NUMBERS + ["true", "false", "null"])),
    st.tuples(st.just("raw"), st.floats(allow_nan=False, allow_infinity=False).map(repr)),
    st.tuples(st.just("raw"), st.integers().map(str)),
)
_keys = st.sampled_from(KEYS) | st.text(max_size=3)


def _members(values, size: int):
    # keys mostly distinct (a repeated key on a rule path sends the scanner to the slow road)
    pairs = st.tuples(_keys, values)
    return st.lists(pairs, max_size=size, unique_by=lambda kv: kv[0]) | st.lists(pairs, max_size=size)


_trees = st.recursive(
    _scalars,
    lambda inner: (
        st.tuples(st.just("arr"), st.lists(inner, max_size=3)) | st.tuples(st.just("obj"), _members(inner, 4))
    ),
    max_leaves=12,
)
_documents = st.tuples(st.just("obj"), _members(_trees, 5))

DAMAGE = [b"\x80", b"\xc0\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xff", b"\xef\xbb\xbf", b'"', b"\\",
          b"\\ud800", b"\\udc00", b",", b"}", b"]", b"{", b"[", b":", b"x", b"\x00", b"\x1f", b"NaN", b"-",
          b"0", b".", b"e", b"\xc3\xa9", b" "]  # fmt: skip


@st.composite
def raw_events(draw) -> bytes:
    """JSON texts of events, sometimes damaged, sometimes deeply nested."""
    rng = random.Random(draw(st.integers(0, 2**32)))
    tree = draw(_documents)
    depth = draw(st.sampled_from([0] * 12 + [3, 40, 63, 64, 65, 700, 1022, 1023, 1024, 1025]))
    text = _write(tree, rng)
    if depth:  # wrapped textually: the writer recurses
        levels = [rng.random() < 0.5 for _ in range(depth)]
        text = (
            "".join('{"a":' if o else '{"x":[' for o in levels)
            + text
            + "".join("}" if o else "]}" for o in reversed(levels))
        )
    text = (rng.choice(["", " ", "\n"]) + text + rng.choice(["", " ", "\n"])).encode()
    damage = draw(st.sampled_from(["none", "none", "none", "cut", "insert", "replace"]))
    if damage != "none":
        at = draw(st.integers(0, len(text)))
        piece = draw(st.sampled_from(DAMAGE))
        if damage == "cut":
            text = text[:at]
        elif damage == "insert":
            text = text[:at] + piece + text[at:]
        else:
            text = text[:at] + piece + text[at + len(piece) :]
    return text


def _tables(candidates: list[dict]):
    machine = Machine()
    for i, candidate in enumerate(candidates):
        with contextlib.suppress(InvalidPatternError):
            machine.add(f"r{i}", candidate)
    return machine._current()


# --- differential tests ---------------------------------------------------------------------------

# `impl` is a frozen facade over a module: nothing in it changes between generated inputs.
_FIXTURE_OK = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@_FIXTURE_OK
@given(raw=raw_events(), candidates=st.lists(patterns(), min_size=1, max_size=4), as_text=st.booleans())
@example(raw=b'{"a": [{"b": "y"}, "x"]}', candidates=[{"a": ["x"], "a.b": ["y"]}], as_text=False)
@example(raw=b'{"a": 1, "a": 2}', candidates=[{"a": [1]}], as_text=False)
@example(
    raw=b'{"a": 18446744073709551616, "b": 1e400}', candidates=[{"a": [{"exists": True}]}], as_text=False
)
@example(raw=b'{"": {"a": "x"}, "a": "y"}', candidates=[{"a": ["x"]}], as_text=True)
def test_scan_leaves_agrees_with_slow_road(impl, raw: bytes, candidates: list, as_text: bool) -> None:
    tables = _tables(candidates)
    given_as = raw
    if as_text:
        try:
            given_as = raw.decode("utf-8")
        except UnicodeDecodeError:
            given_as = raw.decode("utf-8", "surrogateescape")  # a str holding lone surrogates
    note(f"paths {sorted(tables.path_ids)}")
    fast = impl.scan_leaves(given_as, impl.scan_table(tables.prefixes, tables.path_ids))
    slow = _slow(given_as, tables.prefixes, tables.path_ids)
    note(f"fast {fast!r}\nslow {slow!r}")
    if fast is None:
        if impl.tag == "python":
            assert slow == SLOW_INVALID  # the pure twin is the slow road: None only where it raises
        return
    _assert_same(fast, slow)
    # what counts: the rules the machine's walk finds from either answer
    assert run_machine(tables, *fast) == run_machine(tables, *slow)


@_FIXTURE_OK
@given(raw=raw_events(), in_larger_buffer=st.booleans())
def test_scan_leaves_agrees_on_every_path_of_the_event(impl, raw: bytes, in_larger_buffer: bool) -> None:
    # Rule paths = every path the event has (when the slow road reads it): nothing is skipped.
    # In a larger buffer, the bytes after the view would complete a cut event: a scanner reading
    # past its view would answer where the slow road refuses.
    if in_larger_buffer:
        raw = memoryview(raw + b'0"}]}]}]} \\u0041"')[: len(raw)]
    try:
        flat = flatten(decode_event(raw))
    except InvalidEventError:
        flat = None
    # (paths of the deep documents cut short: a table is quadratic in a path's dots)
    paths = sorted({leaf.path for leaf in flat.leaves if leaf.path.count(".") < 30}) if flat else ["a", "a.b"]
    path_ids = {p: i for i, p in enumerate(paths)}
    prefixes = frozenset({""} | set(paths) | {p[:j] for p in paths for j, ch in enumerate(p) if ch == "."})
    _agree_or_refused(impl, raw, prefixes, path_ids)


NUMBER_TEXTS = st.from_regex(r"-?(0|[1-9][0-9]{0,25})(\.[0-9]{1,20})?([eE][+-]?[0-9]{1,4})?", fullmatch=True)


@_FIXTURE_OK
@given(body=st.binary(max_size=12), where=st.sampled_from(["value", "key", "skipped"]))
@example(body=b"\xed\x9f\xbf\xee\x80\x80", where="value")  # U+D7FF, U+E000: around the surrogates
@example(body=b"\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", where="key")  # U+10000, U+10FFFF
def test_scan_leaves_agrees_on_any_bytes_in_a_string(impl, body: bytes, where: str) -> None:
    raw = {"value": b'{"a": "%s"}', "key": b'{"a": {"%s": 1}, "b": 2}', "skipped": b'{"z": ["%s"], "a": 1}'}[
        where
    ]
    raw = raw.replace(b"%s", body)
    _agree_or_refused(impl, raw, frozenset({"", "a", "b"}), {"a": 0, "b": 1})


@_FIXTURE_OK
@given(text=NUMBER_TEXTS | st.text("0123456789-+.eE", max_size=8), elsewhere=st.sampled_from(["", "1e400"]))
def test_scan_leaves_agrees_on_number_texts(impl, text: str, elsewhere: str) -> None:
    raw = f'{{"a": {text}, "z": [{elsewhere}]}}'.encode()
    prefixes, path_ids = frozenset({"", "a"}), {"a": 0}
    fast = impl.scan_leaves(raw, impl.scan_table(prefixes, path_ids))
    slow = _slow(raw, prefixes, path_ids)
    note(f"fast {fast!r}\nslow {slow!r}")
    if fast is not None:
        _assert_same(fast, slow)
    else:
        assert slow == SLOW_INVALID


# --- plain events: string ends read from the quote index ------------------------------------------

# A plain event (no backslash, no byte below 0x20 or from 0x80 on) has its string ends read from a
# bitmap of its quotes, built 64 bytes a block (src_ext/quote_index.h, `patterns_quote_index`):
# quotes and damage are moved across block edges, events across the 4 KB the stack index holds.
PLAIN_TEXT = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x7F, exclude_characters='"\\'), max_size=90
)
DAMAGE = [b'"', b"\\", b"\n", b"\t", b"\x01", b"\x1f", b"\x7f", b"\x80", b"\xc3\xa9", b"\xff", b" ", b"{", b"]"]  # fmt: skip
PLAIN_PREFIXES, PLAIN_PATHS = frozenset({"", "a", "b", "b.c", "p"}), {"a": 0, "b.c": 1, "p": 2}


def _plain_event(pad: str, values: list[str], filler: int, spaced: bool) -> bytes:
    event = {"p": pad, "a": values[0], "z": {"skip": values, "n": [1, -2.5e3, {"k": pad}]},
             "f": "x" * filler, "b": {"c": values[-1], "d": [values[0]]}}  # fmt: skip
    return json.dumps(event, separators=(", ", ": ") if spaced else (",", ":")).encode()


@_FIXTURE_OK
@given(
    pad=PLAIN_TEXT,
    values=st.lists(PLAIN_TEXT, min_size=1, max_size=5),
    filler=st.sampled_from([0, 1, 63, 64, 65, 3900, 4096, 4200]),
    spaced=st.booleans(),
    damage=st.none() | st.tuples(st.integers(0, 10**6), st.sampled_from(DAMAGE), st.booleans()),
)
def test_scan_leaves_agrees_on_plain_events_and_their_damage(
    impl, pad, values, filler, spaced, damage
) -> None:
    raw = _plain_event(pad, values, filler, spaced)
    if damage is not None:
        where, bad, replace = damage
        where %= len(raw)
        raw = raw[:where] + bad + raw[where + (1 if replace else 0) :]
    _agree_or_refused(impl, raw, PLAIN_PREFIXES, PLAIN_PATHS)


def test_scan_leaves_reads_plain_events_with_quotes_at_every_block_offset(impl) -> None:
    # every offset of the quotes against the 64-byte blocks, below and above 4 KB; each event
    # valid and plain, so the compiled scanner must answer (and agree), not refuse
    for filler in (0, 4000):
        for shift in range(130):
            raw = _plain_event("q" * shift, ["v" * (shift % 7), "w"], filler, shift % 2 == 0)
            fast = impl.scan_leaves(raw, impl.scan_table(PLAIN_PREFIXES, PLAIN_PATHS))
            assert fast is not None, (filler, shift)
            _assert_same(fast, _slow(raw, PLAIN_PREFIXES, PLAIN_PATHS))
            # cut before the last quote: the string never closes
            cut = raw[: raw.rindex(b'"')]
            assert impl.scan_leaves(cut + b"}", impl.scan_table(PLAIN_PREFIXES, PLAIN_PATHS)) is None


def test_scan_leaves_tells_field_names_of_every_length_apart(impl) -> None:
    # The field-name table compares a key of up to 16 bytes by two words read from both ends
    # (a longer key by its last 16 bytes and then its first ones): every byte of every length
    # must count. Rule paths are half the names; the event holds all, each a distinct value.
    names = []
    for n in range(41):
        base = "".join(chr(97 + (7 * i) % 26) for i in range(n))
        names += [base] + [base[:i] + "Z" + base[i + 1 :] for i in range(n)]
    names = sorted(set(names))
    paths = names[::2]
    path_ids = {p: i for i, p in enumerate(paths)}
    prefixes = frozenset({""} | set(paths))
    event = {"top": {name: i for i, name in enumerate(names)}}
    event.update({name: f"v{i}" for i, name in enumerate(names) if name})
    raw = json.dumps(event).encode()
    fast = impl.scan_leaves(raw, impl.scan_table(prefixes, path_ids))
    assert fast is not None
    _assert_same(fast, _slow(raw, prefixes, path_ids))
    by_path, _ = fast
    assert {paths[pid] for pid in by_path} == {p for p in paths if p}  # "" is the event itself


def _quote_index_reference(data: bytes) -> tuple:
    if any(b == 0x5C or b < 0x20 or b >= 0x80 for b in data):
        return (False, None)
    words = [0] * ((len(data) + 63) // 64)
    for i, b in enumerate(data):
        if b == 0x22:
            words[i // 64] |= 1 << (i % 64)
    return (True, words)


@given(
    plain=st.lists(st.sampled_from(b'"a {:,\x7f'), max_size=300).map(bytes),
    bad=st.sampled_from([b"", b"\\", b"\x1f", b"\x00", b"\x80", b"\xff"]),
    at=st.integers(0, 300),
)
@example(plain=b'"' * 300, bad=b"", at=0)
@example(plain=b"a" * 191, bad=b"\\", at=191)  # the one bad byte last, in the padded tail
@example(plain=b"a" * 192, bad=b"\x80", at=192)
def test_quote_index_sse2_avx2_and_avx512_agree_with_reference(plain: bytes, bad: bytes, at: int) -> None:
    data = plain[:at] + bad + plain[at:]
    quote_index = twin_module("cython")._quote_index
    want = _quote_index_reference(data)
    for impl in ("auto", "sse2", "avx2", "avx512"):
        got = quote_index(data, impl)
        if got is not None:  # None: not on this CPU or compiler
            assert got == want, impl
    with pytest.raises(ValueError, match="Expected `impl`"):
        quote_index(data, "neon")


# --- common events take the fast road ----------------------------------------------------------------

EC2 = {
    "version": "0",
    "id": "7bf73129-1428-4cd3-a780-95db273d1602",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "123456789012",
    "time": "2015-11-11T21:29:54Z",
    "region": "us-east-1",
    "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
    "detail": {"instance-id": "i-abcd1111", "state": "pending", "amount": 12.5, "count": 3, "ok": True,
               "tags": [{"k": "env", "v": "prod"}, {"k": "team", "v": "ops"}], "note": None,
               "big": 12345678901234567890, "city": "Zürich \"Nord\"\n"},
}  # fmt: skip
EC2_RULES = [
    {"source": ["aws.ec2"], "detail": {"state": ["pending"]}},
    {"detail": {"amount": [{"numeric": [">", 10]}], "tags": {"k": ["env"], "v": ["prod"]}}},
    {"resources": [{"prefix": "arn:aws:ec2:"}], "detail": {"ok": [True], "note": [None]}},
    {"detail": {"city": [{"prefix": "Zürich"}], "big": [{"exists": True}], "count": [3]}},
]


@pytest.mark.parametrize(
    "given_as",
    [json.dumps(EC2).encode(), json.dumps(EC2, indent=2), json.dumps(EC2, ensure_ascii=False).encode(),
     bytearray(json.dumps(EC2).encode()), memoryview(json.dumps(EC2).encode())],
    ids=["bytes", "str-indented", "utf8", "bytearray", "memoryview"],
)  # fmt: skip
def test_scan_leaves_reads_common_events(impl, given_as) -> None:
    tables = _tables(EC2_RULES)
    fast = impl.scan_leaves(given_as, impl.scan_table(tables.prefixes, tables.path_ids))
    assert fast is not None
    _assert_same(fast, _slow(given_as, tables.prefixes, tables.path_ids))
    assert run_machine(tables, *fast) == {0, 1, 2, 3}


@pytest.mark.parametrize(
    "text",
    ['{"n": 1e-400}', '{"n": -0.0}', '{"n": 18446744073709551616}', '{"n": 1e400}', '{"n": ' + "1" * 400 + "}",
     '{"n": 1e400, "m": 18446744073709551616}', '{"m": -18446744073709551617, "z": [-1e400]}',
     '{"n": "\\ud83d\\ude00", "m": "\\u00e9\\n"}', '{"n": {"\\u006d": 7}}', '{"": {"n": 1}}',
     '{"n": [[1, [2]], {"m": 3}, {}]}', "{}", ' \t\r\n{"n" : 1 } \n'],
)  # fmt: skip
def test_scan_leaves_reads_numbers_and_escapes_as_decode_event(impl, text: str) -> None:
    prefixes, path_ids = frozenset({"", "n", "m", "n.m"}), {"n": 0, "m": 1, "n.m": 2}
    fast = impl.scan_leaves(text.encode(), impl.scan_table(prefixes, path_ids))
    assert fast is not None
    _assert_same(fast, _slow(text, prefixes, path_ids))


def test_scan_leaves_keeps_root_only_and_document_order_contexts(impl) -> None:
    table = impl.scan_table(frozenset({"", "a", "a.b"}), {"a.b": 0})
    assert impl.scan_leaves(b'{"a": {"b": [1, 2]}, "c": [{"d": 1}]}', table)[1] is ROOT_ONLY
    raw = b'{"a": [{"b": 1}, [{"b": 2}, 3]]}'
    fast = impl.scan_leaves(raw, table)
    assert len(fast[1].parent) == 4  # the event, both objects and the inner array
    _assert_same(fast, _slow(raw, frozenset({"", "a", "a.b"}), {"a.b": 0}))


def test_scan_leaves_reads_big_integers_as_the_road_decode_event_takes(impl) -> None:
    table = impl.scan_table(frozenset({"", "a"}), {"a": 0})
    # orjson reads an integer beyond 64 bits as a double ...
    assert impl.scan_leaves(b'{"a": 18446744073709551616}', table)[0] == {0: [(1.8446744073709552e19, 0)]}
    # ... but an event it refuses (1e400) is read again by the standard library: an int
    assert impl.scan_leaves(b'{"a": 18446744073709551616, "b": 1e400}', table)[0] == {0: [(2**64, 0)]}
    assert impl.scan_leaves(b'{"a": [1e400, -1e999]}', table)[0] == {
        0: [(BigNumber(), 0), (BigNumber(True), 0)]
    }


STATUS = SHARED / "data" / "quamina-testdata" / "status.json"


@pytest.mark.skipif(not STATUS.is_file(), reason="../shared/data is absent")
def test_scan_leaves_reads_status_json(impl) -> None:
    raw = Path(STATUS).read_bytes()
    paths = ["context.user_id", "metadata.subject", "data.object.created"]
    prefixes = frozenset({"", "context", "metadata", "data", "data.object", *paths})
    path_ids = {p: i for i, p in enumerate(paths)}
    fast = impl.scan_leaves(raw, impl.scan_table(prefixes, path_ids))
    assert fast is not None
    _assert_same(fast, _slow(raw, prefixes, path_ids))


# --- what returns None --------------------------------------------------------------------------------

INVALID = [
    b"", b"   ", b"[1]", b'"a"', b"1", b"null", b"\xef\xbb\xbf{}", b"{}x", b"{}{}", b"{", b'{"a"', b'{"a":}',
    b'{"a":1,}', b'{"a":[1,]}', b'{"a":01}', b'{"a":1.}', b'{"a":.5}', b'{"a":-}', b'{"a":1e}', b'{"a":NaN}',
    b'{"a":Infinity}', b'{"a":-Infinity}', b'{"a":tru}', b'{"a":nul}', b'{"a":"\x1f"}', b'{"a":"\xc0\x80"}',
    b'{"a":"\xed\xa0\x80"}', b'{"a":"\xf4\x90\x80\x80"}', b'{"a":"\xff"}', b'{"a":"\xe2\x82"}',
    b'{"z":"\xc3"}', b'{"a":"\\x"}', b'{"a":"\\u12"}', b'{"a":"\\U0041"}', b"{'a':1}", b'{"a":1 "b":2}',
    b'{"a" 1}', b"\x0c{}", b'{"a":[1}', b'{"a":{]}', b'{"z":[' * 1 + b"]", b"[" * 1025 + b"]" * 1025,
    b'{"a":' * 1025 + b"1" + b"}" * 1025,
]  # fmt: skip


@pytest.mark.parametrize("raw", INVALID, ids=range(len(INVALID)))
def test_scan_leaves_returns_none_for_invalid_events(impl, raw: bytes) -> None:
    prefixes, path_ids = frozenset({"", "a", "a.b"}), {"a": 0, "a.b": 1}
    with pytest.raises(InvalidEventError):
        decode_event(raw)
    assert impl.scan_leaves(raw, impl.scan_table(prefixes, path_ids)) is None


# Valid for the slow road, but the scanner cannot promise its answer: None (compiled), the slow
# road's answer (pure).
BAILS = [
    b'{"a": 1, "a": 2}', b'{"a": {"b": 1, "\\u0062": 2}}', b'{"a": "\\ud800"}', b'{"z": "\\udc00x"}',
    '{"a": "\ud800"}', b'{"z": 1e400, "y": ' + b'{"q":' * 100 + b"1" + b"}" * 100 + b"}",
]  # fmt: skip


@pytest.mark.parametrize("raw", BAILS, ids=range(len(BAILS)))
def test_scan_leaves_leaves_unsure_events_to_the_slow_road(impl, raw) -> None:
    prefixes, path_ids = frozenset({"", "a", "a.b"}), {"a": 0, "a.b": 1}
    slow = _slow(raw, prefixes, path_ids)
    assert slow != SLOW_INVALID
    fast = impl.scan_leaves(raw, impl.scan_table(prefixes, path_ids))
    if impl.tag == "cython":
        assert fast is None
    else:
        _assert_same(fast, slow)


@pytest.mark.parametrize(
    "given_as",
    [{"a": 1}, None, 17, memoryview(b'{"a": 1}  ')[::2]],
    ids=["dict", "None", "int", "strided-memoryview"],  # (repr of a memoryview holds its address)
)
def test_scan_leaves_returns_none_for_other_inputs(impl, given_as) -> None:
    assert impl.scan_leaves(given_as, impl.scan_table(frozenset({"", "a"}), {"a": 0})) is None


def test_scan_leaves_reads_depth_1024(impl) -> None:
    table = impl.scan_table(frozenset({"", "a"}), {"a": 0})
    raw = b'{"a":' + b"[" * 1023 + b"1" + b"]" * 1023 + b"}"  # 1,024 containers: orjson's limit
    assert impl.scan_leaves(raw, table) is not None
    assert impl.scan_leaves(b'{"a":' + b"[" * 1024 + b"1" + b"]" * 1024 + b"}", table) is None


def test_scan_leaves_reads_many_rule_path_keys_and_deep_events(impl) -> None:
    # past what the scanner keeps on the C stack (48 frames, 64 keys), up to its bounds
    paths = [f"k{i}" for i in range(1100)] + ["d" + ".d" * 99]
    prefixes = frozenset({"", *paths, *("d" + ".d" * j for j in range(100))})
    table = impl.scan_table(prefixes, {p: i for i, p in enumerate(paths)})
    for keys in (100, 900, 1100):  # and the 100 nested keys "d", open at the same time
        raw = json.dumps({f"k{i}": i for i in range(keys)} | {"d": json.loads('{"d":' * 99 + "7" + "}" * 99)})
        fast = impl.scan_leaves(raw, table)
        if keys + 100 > 1024 and impl.tag == "cython":
            assert fast is None  # more rule-path keys open at once than the duplicate check holds
        else:
            _assert_same(fast, _slow(raw, prefixes, {p: i for i, p in enumerate(paths)}))
            assert fast[0][1100] == [(7, 0)]


#: Containers no rule path enters are skipped by a tighter loop (one bit per level): every way to
#: break one, nested in arrays and objects, empty containers included (the fuzz target's first
#: finding: `{"X": [{}}, ""]}` was read as valid).
_SKIPPED_SHAPES = [
    b'{"X": [{}}, ""]}', b'{"X": [[]}, ""]}', b'{"X": {"a": []]}}', b'{"X": {"a": {}]}}', b'{"X": [1,]}',
    b'{"X": {"a": 1,}}', b'{"X": [{"a" 1}]}', b'{"X": [{"a": 1} {"b": 2}]}', b'{"X": [[], {}, [{}], {"a": []}]}',
    b'{"X": [[], {}, [{}], {"a": []}]', b'{"X": {"a": [], "b": {}, "c": [[]]}}', b'{"X": [{}, []], "a": "x"}',
    b'{"X": [{}]]}', b'{"X": {}}}', b'{"X": [[[]]]}', b'{"X": [[[]]}]}', b'{"X": [{"a": [{}]}], "Y": [[{}]]}',
    b'{"X": [{"a": [{}]}}, "Y": 1}', b'{"X": {"": {"": []}}}', b'{"X": [] ]}', b'{"X": [{} ,]}',
]  # fmt: skip


@pytest.mark.parametrize("raw", _SKIPPED_SHAPES)
def test_scan_leaves_skipped_containers_are_checked_as_the_slow_road_checks_them(impl, raw: bytes) -> None:
    prefixes, path_ids = frozenset({"", "a"}), {"a": 0}
    fast = impl.scan_leaves(raw, impl.scan_table(prefixes, path_ids))
    slow = _slow(raw, prefixes, path_ids)
    if slow == SLOW_INVALID:
        assert fast is None
    else:
        assert fast is not None
        _assert_same(fast, slow)


# --- numbers read from their shape (number_scan.h) against the byte-by-byte reading ----------------

# The compiled scanner reads a number of the common shape from two SIMD class masks over its 32
# bytes (src_ext/number_scan.h), and every other number byte by byte (`_number_end`), which is
# also the whole road under PATTERNS_SCALAR_SCAN=1 (`_scan_mode("careful")`). Both must give the
# same answer, leaves or None, on every input: numbers of every shape, valid or not, on rule
# paths and in skipped containers, near the end of the buffer (read through a padded copy) and
# in a view whose next bytes would continue the number.

NUMBER_SHAPES = [
    "0", "-0", "7", "-7", "10", "01", "-01", "00", "1.", "-1.", ".5", "-.5", "-", "--1", "1..2", "1.2.3",
    "1.5", "-122.42485025893909", "37.79987617371178", "1e", "1e5", "1E+5", "1.5e-3", "1.e5", "123abc",
    "1-2", "1+2", "0x10", "1_000", "9" * 30, "9" * 31, "9" * 32, "9" * 33, "-" + "9" * 30, "-" + "9" * 31,
    "1." + "5" * 29, "1." + "5" * 30, "1." + "5" * 40, "1" * 320, "1" * 320 + ".5",
]  # fmt: skip
NUMBER_BYTES = st.text("0123456789-+.eE", max_size=40) | NUMBER_TEXTS | st.sampled_from(NUMBER_SHAPES)
_CUT_TAIL = b"123456789.0e5}]}"  # what the bytes after a view would add to a number cut there


def _scan_both_modes(raw, prefixes, path_ids) -> tuple:
    """scan_leaves' answers with numbers read from their shape and byte by byte."""
    cython = twin_module("cython")
    table = cython.scan_table(prefixes, path_ids)
    was = cython._scan_mode("careful")
    try:
        careful = cython.scan_leaves(raw, table)
        cython._scan_mode("auto")
        shaped = cython.scan_leaves(raw, table)
    finally:
        cython._scan_mode(was)
    return shaped, careful


def _assert_modes_agree(raw, prefixes, path_ids) -> None:
    shaped, careful = _scan_both_modes(raw, prefixes, path_ids)
    note(f"shaped {shaped!r}\ncareful {careful!r}")
    assert (shaped is None) == (careful is None)
    if careful is not None:
        assert repr(shaped[0]) == repr(careful[0])  # the same leaves, in the same order
        assert _canonical(shaped) == _canonical(careful)
        assert (shaped[1] is ROOT_ONLY) == (careful[1] is ROOT_ONLY)


@_FIXTURE_OK
@given(
    text=NUMBER_BYTES,
    where=st.sampled_from(["value", "skipped", "skipped-last", "value-last", "cut-view"]),
    pad=st.integers(0, 70),
)
@example(text="-122.42485025893909", where="skipped-last", pad=0)
@example(text="01", where="skipped", pad=0)
@example(text="1.", where="value-last", pad=0)
@example(text="12", where="cut-view", pad=3)
def test_number_shapes_read_as_byte_by_byte(text: str, where: str, pad: int) -> None:
    filler = "x" * pad  # moves the number across the 32 bytes the masks read, and the buffer's end
    raw = {
        "value": f'{{"f": "{filler}", "a": {text}, "z": [{text}, 1]}}',
        "skipped": f'{{"f": "{filler}", "z": [[{text}, 0], {{"k": {text}}}], "a": 1}}',
        "skipped-last": f'{{"f": "{filler}", "z": [{text}]}}',
        "value-last": f'{{"f": "{filler}", "a": {text}}}',
        "cut-view": f'{{"f": "{filler}", "a": {text}',
    }[where].encode()
    if where == "cut-view":  # the view ends inside the number; the buffer goes on
        raw = memoryview(raw + _CUT_TAIL)[: len(raw)]
    _assert_modes_agree(raw, frozenset({"", "a", "f"}), {"a": 0, "f": 1})
    _agree_or_refused(_CythonFacade(), raw, frozenset({"", "a", "f"}), {"a": 0, "f": 1})


class _CythonFacade:
    """The compiled twin as `_agree_or_refused` reads an `impl`."""

    tag = "cython"

    def __getattr__(self, name: str):
        return getattr(twin_module("cython"), name)


@_FIXTURE_OK
@given(
    raw=raw_events(), candidates=st.lists(patterns(), min_size=1, max_size=4), in_larger_buffer=st.booleans()
)
@example(raw=b'{"z": [-1.5, 0, 37.5], "a": 01}', candidates=[{"a": [1]}], in_larger_buffer=False)
@example(raw=b'{"z": [[[-122.4, 37.7, 0]]]}', candidates=[{"a": [1]}], in_larger_buffer=True)
def test_scanner_reads_random_events_alike_in_both_number_modes(
    raw: bytes, candidates: list, in_larger_buffer: bool
) -> None:
    tables = _tables(candidates)
    if in_larger_buffer:
        raw = memoryview(raw + _CUT_TAIL)[: len(raw)]
    _assert_modes_agree(raw, tables.prefixes, tables.path_ids)


def _match_or_error(machine: Machine, raw: bytes):
    try:
        return sorted(machine.match(raw))
    except InvalidEventError as err:
        return ("invalid", str(err), err.offset)


CITYLOTS_RULES = {
    "exact": {"properties": {"MAPBLKLOT": ["1430022"]}},
    "numeric": {"geometry": {"coordinates": [{"numeric": ["<", -122.4]}]}},
    "prefix": {"properties": {"STREET": [{"prefix": "GR"}]}},
}


def _feature(rng: random.Random, points: int) -> bytes:
    ring = [
        [round(rng.uniform(-122.52, -122.36), 14), round(rng.uniform(37.70, 37.83), 14), 0]
        for _ in range(points)
    ]
    feature = {
        "type": "Feature",
        "properties": {
            "MAPBLKLOT": rng.choice(["1430022", "0522029"]),
            "STREET": rng.choice(["GREENWICH", "TURK"]),
        },
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    return json.dumps(feature, separators=(",", ":")).encode()


@_FIXTURE_OK
@given(
    seed=st.integers(0, 2**32),
    points=st.integers(1, 21),
    damage=st.none()
    | st.tuples(st.integers(0, 10**6), st.sampled_from([b"0", b".", b"-", b"e", b"1", b",", b"]"])),
)
def test_machine_matches_citylots_features_alike_in_both_number_modes(seed: int, points: int, damage) -> None:
    # What users see: the same rule names, or the same InvalidEventError at the same offset.
    rng = random.Random(seed)
    raw = _feature(rng, points)
    if damage is not None:
        at, piece = damage
        at %= len(raw)
        raw = raw[:at] + piece + raw[at:]
    cython = twin_module("cython")
    machine = Machine()
    for name, rule in CITYLOTS_RULES.items():
        machine.add(name, rule)
    was = cython._scan_mode("careful")
    try:
        careful = _match_or_error(machine, raw)
        cython._scan_mode("auto")
        shaped = _match_or_error(machine, raw)
    finally:
        cython._scan_mode(was)
    assert shaped == careful


def test_scan_mode_is_read_from_the_environment_and_checked() -> None:
    cython = twin_module("cython")
    with pytest.raises(ValueError, match="Expected `mode`"):
        cython._scan_mode("fast")
    code = "from patterns import _match_c; print(_match_c._scan_mode('auto'))"
    for value, want in (("1", "careful"), ("", "auto")):
        env = {**os.environ, "PATTERNS_SCALAR_SCAN": value}
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        assert out.stdout.strip() == want


# --- the trusted skip (opt-in: ScanTable.trust_skipped, src_ext/trusted_skip.h) -------------------

# With trust_skipped set, a container no rule path enters, in a plain event, is skipped by its
# brackets alone: on a valid event the answer is the validating scanner's; on an invalid one the
# skipped part is not checked (that is what trust means), but what lies on rule paths still is,
# and a container that never closes within the input is still refused.


def _scan_trusted(raw, prefixes, path_ids) -> tuple:
    cython = twin_module("cython")
    table = cython.scan_table(prefixes, path_ids)
    validating = cython.scan_leaves(raw, table)
    table.trust_skipped = True
    return cython.scan_leaves(raw, table), validating


def test_scan_table_validates_unless_its_owner_trusts_the_events() -> None:
    assert twin_module("cython").scan_table(frozenset({"", "a"}), {"a": 0}).trust_skipped is False


@_FIXTURE_OK
@given(
    raw=raw_events(), candidates=st.lists(patterns(), min_size=1, max_size=4), in_larger_buffer=st.booleans()
)
@example(
    raw=b'{"z": {"q": "]}", "r": [[1, {"s": "[{"}]]}, "a": 1}',
    candidates=[{"a": [1]}],
    in_larger_buffer=False,
)
# a number no double holds, skipped: orjson refuses the event, so the slow road reads the rule
# path's integer past 64 bits as an int (not a double); the trusted skip must leave it to be noted
@example(raw=b'{"z": [1e400], "a": 18446744073709551616}', candidates=[{"a": [1]}], in_larger_buffer=False)
@example(
    raw=b'{"z": [' + b"1" * 400 + b'], "a": 18446744073709551616}',
    candidates=[{"a": [1]}],
    in_larger_buffer=False,
)
def test_trusted_skip_reads_valid_events_as_the_validating_scanner(
    raw: bytes, candidates: list, in_larger_buffer: bool
) -> None:
    tables = _tables(candidates)
    try:
        decode_event(raw)
    except InvalidEventError:
        return  # invalid events: the next tests
    if in_larger_buffer:
        raw = memoryview(raw + _CUT_TAIL)[: len(raw)]
    trusted, validating = _scan_trusted(raw, tables.prefixes, tables.path_ids)
    note(f"trusted {trusted!r}\nvalidating {validating!r}")
    if validating is not None:
        assert trusted is not None
        assert repr(trusted[0]) == repr(validating[0])
        assert _canonical(trusted) == _canonical(validating)


TRUSTED_SKIPS = [  # invalid only inside the skipped "z": read on trust
    b'{"z": [1,,2], "a": 1}', b'{"z": [01, 1.], "a": 1}', b'{"z": {"k" 1}, "a": 1}', b'{"z": [tru], "a": 1}',
    b'{"z": [NaN, Infinity], "a": 1}', b'{"z": [{]], "a": 1}', b'{"z": ' + b"[" * 1100 + b"]" * 1100 + b', "a": 1}',
]  # fmt: skip
STILL_REFUSED = [  # invalid on a rule path or outside containers, or a container never closed
    b'{"z": [1], "a": 01}', b'{"z": [1] "a": 1}', b'{"z": [1, "a": 1}', b'{"z": ["]"], "a": tru}',
    b'{"z": [1]]', b'{"z": [[1], "a": 1', b'{"z": ["\\u00e9", 1,,], "a": 1}', b'{"z": ["\xc3\xa9", 1,,], "a": 1}',
]  # fmt: skip


@pytest.mark.parametrize("raw", TRUSTED_SKIPS, ids=range(len(TRUSTED_SKIPS)))
def test_trusted_skip_does_not_validate_what_it_skips(raw: bytes) -> None:
    trusted, validating = _scan_trusted(raw, frozenset({"", "a"}), {"a": 0})
    assert validating is None
    assert trusted is not None and trusted[0] == {0: [(1, 0)]}


@pytest.mark.parametrize("raw", STILL_REFUSED, ids=range(len(STILL_REFUSED)))
def test_trusted_skip_still_refuses_rule_paths_and_unclosed_containers(raw: bytes) -> None:
    # (the last two are not plain, escaped or non-ASCII: they take the validating skip)
    trusted, validating = _scan_trusted(raw, frozenset({"", "a"}), {"a": 0})
    assert trusted is None and validating is None

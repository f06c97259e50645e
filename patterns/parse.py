"""Pattern source text: JSON parsed by lark into nodes that keep their positions, with AWS's wording
for syntax errors.

AWS reads patterns with Jackson, so a syntax error must read as Jackson's does (``Unrecognized
token 'this': was expecting ...``). Lark finds *whether* the text parses and gives every node its
span; when it does not parse, `_JacksonScanner` walks the text the way Jackson does and names the
first fault in Jackson's words. Keeping the wording apart from the grammar means the grammar stays
a plain JSON grammar and the wording can be checked against AWS's recorded texts on its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from lark import Lark, Token, v_args
from lark.exceptions import LarkError
from lark.visitors import Transformer_NonRecursive

from ._trampoline import Walk, run

__all__ = [
    "JArray",
    "JLiteral",
    "JMember",
    "JNode",
    "JNumber",
    "JObject",
    "JString",
    "JsonSyntaxError",
    "Span",
    "parse_json",
]


@dataclass(frozen=True, slots=True)
class Span:
    """Where a node stands in its source: 1-based lines and columns, 0-based offsets, ends exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int
    offset: int
    end_offset: int


@dataclass(slots=True)
class JString:
    """A JSON string, decoded."""

    value: str
    span: Span | None = field(default=None, compare=False)


@dataclass(slots=True)
class JNumber:
    """A JSON number: its text as written and its value (int when integral text, else float)."""

    text: str
    value: int | float
    span: Span | None = field(default=None, compare=False)


@dataclass(slots=True)
class JLiteral:
    """``true``, ``false`` or ``null``."""

    value: bool | None
    span: Span | None = field(default=None, compare=False)


@dataclass(slots=True)
class JMember:
    """One ``"key": value`` member of an object, in source order (duplicates kept)."""

    key: str
    value: JNode
    key_span: Span | None = field(default=None, compare=False)


@dataclass(slots=True)
class JObject:
    """A JSON object; `members` keeps every member as written, duplicates included."""

    members: tuple[JMember, ...]
    span: Span | None = field(default=None, compare=False)

    def has_key_in(self, names: frozenset[str]) -> bool:
        """Whether a key of this object, or of an object nested in it (not in an array), is in
        `names` (walked without recursion)."""
        stack = [self]
        while stack:
            for member in stack.pop().members:
                if member.key in names:
                    return True
                if isinstance(member.value, JObject):
                    stack.append(member.value)
        return False


@dataclass(slots=True)
class JArray:
    """A JSON array."""

    items: tuple[JNode, ...]
    span: Span | None = field(default=None, compare=False)


JNode = JObject | JArray | JString | JNumber | JLiteral


class JsonSyntaxError(Exception):
    """The text is not JSON. `reason` is Jackson's wording, as AWS returns it."""

    def __init__(self, reason: str, offset: int, line: int, column: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.offset = offset
        self.line = line
        self.column = column


# Source nodes are plain (unfrozen) slotted dataclasses: a fast road builds thousands per second
# and nothing mutates them after construction.


def _span(meta_or_token: Any) -> Span:
    m = meta_or_token
    return Span(m.line, m.column, m.end_line, m.end_column, m.start_pos, m.end_pos)


def _decode_string_token(token: Token) -> str:
    # The grammar admits only JSON escapes, so json.loads cannot fail here; it keeps lone
    # surrogates (\ud800) as Python does, which Jackson also accepts.
    return json.loads(str(token))


# int() refuses more than 4,300 digits; an integer that long is far beyond a double anyway.
_INT_DIGITS_READ = 4000


def _decode_number_text(text: str) -> int | float:
    if "." in text or "e" in text or "E" in text or len(text) > _INT_DIGITS_READ:
        return float(text)  # overflow gives inf, which validation rejects as out of range
    return int(text)


class _ToNodes(Transformer_NonRecursive):
    """Turns lark's parse tree into J* nodes, each with its span (without recursion: any depth)."""

    @v_args(meta=True)
    def object(self, meta, children):
        return JObject(tuple(c for c in children if c is not None), _span(meta))

    def member(self, children):
        key, value = children
        return JMember(_decode_string_token(key), value, _span(key))

    @v_args(meta=True)
    def array(self, meta, children):
        return JArray(tuple(c for c in children if c is not None), _span(meta))

    def string(self, children):
        (tok,) = children
        return JString(_decode_string_token(tok), _span(tok))

    def number(self, children):
        (tok,) = children
        return JNumber(str(tok), _decode_number_text(str(tok)), _span(tok))

    def true(self, children):
        return JLiteral(True, _span(children[0]))

    def false(self, children):
        return JLiteral(False, _span(children[0]))

    def null(self, children):
        return JLiteral(None, _span(children[0]))


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark.open_from_package(
        "patterns",
        "json.lark",
        ("grammar",),
        parser="lalr",
        lexer="basic",
        propagate_positions=True,
        maybe_placeholders=True,
    )


def parse_json(text: str) -> JNode:
    """Parse JSON text into nodes that carry their spans.

    Args:
        text: the JSON text.

    Returns:
        The root node.

    Raises:
        JsonSyntaxError: the text is not a single JSON value; the reason is worded as Jackson's.
    """
    try:
        tree = _parser().parse(text)
    except LarkError:
        pass
    else:
        return _ToNodes().transform(tree)
    reason, offset = _JacksonScanner(text).first_fault()
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    raise JsonSyntaxError(reason, offset, line, column) from None


# --- Jackson's wording -----------------------------------------------------------------------

_VALUE_LIST = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
_MAX_TOKEN = 256  # Jackson cuts an unrecognised token at 256 characters and adds "..."


def _is_ident_start(ch: str) -> bool:
    return ch == "$" or ch == "_" or ch.isalpha()


def _is_ident_part(ch: str) -> bool:
    return ch == "$" or ch == "_" or ch.isalnum()


def _char_desc(ch: str) -> str:
    code = ord(ch)
    if code < 32 or 127 <= code < 160:
        return f"(CTRL-CHAR, code {code})"
    if code > 255:
        return f"'{ch}' (code {code} / 0x{code:x})"
    return f"'{ch}' (code {code})"


def _source_excerpt(text: str) -> str:
    # Jackson quotes at most 500 characters of the source in a location.
    if len(text) > 500:
        return f'(String)"{text[:500]}"[truncated {len(text) - 500} chars]'
    return f'(String)"{text}"'


class _Fault(Exception):
    def __init__(self, reason: str, offset: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.offset = offset


class _JacksonScanner:
    """Walks JSON text as Jackson's ReaderBasedJsonParser does and reports its first fault.

    Only used once lark has said the text does not parse, so it favours plainness over speed.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def first_fault(self) -> tuple[str, int]:
        try:
            self._skip_ws()
            if self.pos >= len(self.text):
                return "No content to map due to end-of-input", self.pos
            run(self._value())
            self._skip_ws()
            if self.pos < len(self.text):
                ch = self.text[self.pos]
                return (
                    f"Unexpected character ({_char_desc(ch)}): expected end-of-input after the pattern",
                    self.pos,
                )
        except _Fault as fault:
            return fault.reason, fault.offset
        # lark refused something this scanner accepts: say so plainly rather than guess.
        return "Unexpected end-of-input", len(self.text)

    def _location(self, offset: int) -> str:
        line = self.text.count("\n", 0, offset) + 1
        column = offset - (self.text.rfind("\n", 0, offset) + 1) + 1
        return f"[Source: {_source_excerpt(self.text)}; line: {line}, column: {column}]"

    def _skip_ws(self) -> None:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        self.pos = pos

    def _peek(self) -> str | None:
        return self.text[self.pos] if self.pos < len(self.text) else None

    def _unexpected(self, ch: str, comment: str) -> _Fault:
        return _Fault(f"Unexpected character ({_char_desc(ch)}): {comment}", self.pos)

    def _invalid_token(self, start: int) -> _Fault:
        end = start
        text = self.text
        while end < len(text) and _is_ident_part(text[end]) and end - start < _MAX_TOKEN:
            end += 1
        token = text[start:end] or text[start : start + 1]
        if end - start >= _MAX_TOKEN:
            token += "..."
        return _Fault(f"Unrecognized token '{token}': was expecting {_VALUE_LIST}", end)

    # _value, _object and _array are walks (`patterns._trampoline`): nesting costs no stack.
    def _value(self) -> Walk[None]:
        self._skip_ws()
        ch = self._peek()
        if ch is None:
            raise _Fault("Unexpected end-of-input: expected a value", self.pos)
        if ch == "{":
            yield self._object()
        elif ch == "[":
            yield self._array()
        elif ch == '"':
            self._string()
        elif ch == "-" or ch.isdigit():
            self._number()
        elif ch in "tfn":
            self._keyword()
        elif ch in "]}":
            raise self._unexpected(ch, "expected a value")
        elif _is_ident_start(ch):
            raise self._invalid_token(self.pos)
        else:
            raise self._unexpected(ch, f"expected a valid value {_VALUE_LIST}")

    def _keyword(self) -> None:
        start = self.pos
        for word in ("true", "false", "null"):
            if self.text.startswith(word, start):
                end = start + len(word)
                if end < len(self.text) and _is_ident_part(self.text[end]):
                    raise self._invalid_token(start)
                self.pos = end
                return
        raise self._invalid_token(start)

    def _number(self) -> None:
        text = self.text
        start = pos = self.pos
        if text[pos] == "-":
            pos += 1
            if pos >= len(text) or not text[pos].isdigit():
                self.pos = pos
                if pos >= len(text):
                    raise _Fault("Unexpected end-of-input in a numeric value", pos)
                raise _Fault(
                    f"Unexpected character ({_char_desc(text[pos])}) in numeric value: "
                    "expected digit (0-9) to follow minus sign, for valid numeric value",
                    pos,
                )
        if text[pos] == "0" and pos + 1 < len(text) and text[pos + 1].isdigit():
            raise _Fault("Invalid numeric value: Leading zeroes not allowed", pos)
        while pos < len(text) and text[pos].isdigit():
            pos += 1
        if pos < len(text) and text[pos] == ".":
            pos += 1
            if pos >= len(text) or not text[pos].isdigit():
                self.pos = pos
                ch = text[pos] if pos < len(text) else None
                if ch is None:
                    raise _Fault("Unexpected end-of-input in a numeric value", pos)
                raise _Fault(
                    f"Unexpected character ({_char_desc(ch)}) in numeric value: Decimal point not followed by a digit",
                    pos,
                )
            while pos < len(text) and text[pos].isdigit():
                pos += 1
        if pos < len(text) and text[pos] in "eE":
            pos += 1
            if pos < len(text) and text[pos] in "+-":
                pos += 1
            if pos >= len(text) or not text[pos].isdigit():
                ch = text[pos] if pos < len(text) else None
                if ch is None:
                    raise _Fault("Unexpected end-of-input in a numeric value", pos)
                raise _Fault(
                    f"Unexpected character ({_char_desc(ch)}) in numeric value: Exponent indicator not followed by a digit",
                    pos,
                )
            while pos < len(text) and text[pos].isdigit():
                pos += 1
        self.pos = pos if pos > start else start + 1

    def _string(self) -> None:
        text = self.text
        pos = self.pos + 1
        while True:
            if pos >= len(text):
                raise _Fault("Unexpected end-of-input: was expecting closing quote for a string value", pos)
            ch = text[pos]
            if ch == '"':
                self.pos = pos + 1
                return
            if ch == "\\":
                pos += 1
                if pos >= len(text):
                    raise _Fault("Unexpected end-of-input in character escape sequence", pos)
                esc = text[pos]
                if esc == "u":
                    digits = text[pos + 1 : pos + 5]
                    for i, d in enumerate(digits):
                        if d not in "0123456789abcdefABCDEF":
                            raise _Fault(
                                f"Unexpected character ({_char_desc(d)}): expected a hex-digit for character escape sequence",
                                pos + 1 + i,
                            )
                    if len(digits) < 4:
                        raise _Fault("Unexpected end-of-input in character escape sequence", len(text))
                    pos += 5
                    continue
                if esc not in '"\\/bfnrt':
                    raise _Fault(f"Unrecognized character escape {_char_desc(esc)}", pos)
                pos += 1
                continue
            if ord(ch) < 32:
                raise _Fault(
                    f"Illegal unquoted character ({_char_desc(ch)}): has to be escaped using backslash to be included in string value",
                    pos,
                )
            pos += 1

    def _object(self) -> Walk[None]:
        start = self.pos
        self.pos += 1
        self._skip_ws()
        if self._peek() == "}":
            self.pos += 1
            return
        while True:
            self._skip_ws()
            ch = self._peek()
            if ch is None:
                raise self._eof_in("Object", start)
            if ch != '"':
                raise self._unexpected(ch, "was expecting double-quote to start field name")
            self._string()
            self._skip_ws()
            ch = self._peek()
            if ch is None:
                raise self._eof_in("Object", start)
            if ch != ":":
                raise self._unexpected(ch, "was expecting a colon to separate field name and value")
            self.pos += 1
            self._skip_ws()
            if self._peek() is None:
                raise self._eof_in("Object", start)
            yield self._value()
            self._skip_ws()
            ch = self._peek()
            if ch is None:
                raise self._eof_in("Object", start)
            if ch == "}":
                self.pos += 1
                return
            if ch != ",":
                raise self._unexpected(ch, "was expecting comma to separate Object entries")
            self.pos += 1

    def _array(self) -> Walk[None]:
        start = self.pos
        self.pos += 1
        self._skip_ws()
        if self._peek() == "]":
            self.pos += 1
            return
        while True:
            self._skip_ws()
            if self._peek() is None:
                raise self._eof_in("Array", start)
            yield self._value()
            self._skip_ws()
            ch = self._peek()
            if ch is None:
                raise self._eof_in("Array", start)
            if ch == "]":
                self.pos += 1
                return
            if ch != ",":
                raise self._unexpected(ch, "was expecting comma to separate Array entries")
            self.pos += 1

    def _eof_in(self, kind: str, start: int) -> _Fault:
        return _Fault(
            f"Unexpected end-of-input: expected close marker for {kind} "
            f"(start marker at {self._location(start)})",
            len(self.text),
        )

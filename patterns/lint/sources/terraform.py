"""Patterns in Terraform and terragrunt files, read from python-hcl2's lark syntax tree.

python-hcl2's dictionary output keeps no positions (at most a block's first and last line), so
this module walks the raw lark tree it parses (``hcl2.parses_to_tree``, built with
``propagate_positions``): every token keeps its character offset, and a pattern written as
``jsonencode({...})`` is written out as JSON text whose characters each remember the offset of
the HCL node they came from. A finding's position is then that node's line and column.

Where patterns are looked for: any attribute or object key named ``event_pattern`` (EventBridge),
``filter_policy`` (SNS; its scope from ``filter_policy_scope`` beside it) or ``pattern`` under a
``filter_criteria`` / ``filter`` block or key (Lambda and Pipes filters), in resources, module
calls, module maps (``rules = { x = { event_pattern = ... } }``), ``locals`` and terragrunt
``inputs``. An ``aws_cloudwatch_event_target``'s ``input_transformer`` block is read too, and
linked to the pattern of the rule its ``rule`` names in the same file; so are the filters of an
``awscc_eventsv2_subscriber`` (the Cloud Control provider: ``filter_configuration = { filters =
[{ scope = ..., pattern = ... }] }``; the ``aws`` provider has no Custom Event Bus resource). The value may be ``jsonencode(...)``, a heredoc (``<<EOF``, ``<<-EOF``, CRLF too),
a quoted string, ``file(...)`` / ``templatefile(...)`` (the file is followed), or ``local.x``.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from lark import Token, Tree
from lark.exceptions import LarkError

from patterns.subscribers import SCOPE_DIALECTS

from .embedded import align, embedded_pattern
from .event_sources import source_kind_from_text
from .text import Extracted, HostText, InputPaths, PositionMap, SourceError
from .writer import Writer, written_pattern

__all__ = ["extract_hcl"]

#: A subscriber filter's scope -> its pattern's dialect (a scope not known is read as DATA).
_SCOPE_DIALECTS = {scope: d.name for scope, d in SCOPE_DIALECTS.items()}

_VARIABLE_TYPE = re.compile(r'variable\s+"([\w-]+)"\s*\{[^}]*?\btype\s*=\s*([a-z]+)', re.S)


def _variable_types(text: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in _VARIABLE_TYPE.finditer(text)}


@lru_cache(maxsize=64)
def _folder_variable_types(folder: Path) -> dict[str, str]:
    """Declared variable types of a Terraform module folder (every ``*.tf`` in it), read once."""
    found: dict[str, str] = {}
    try:
        for tf in sorted(folder.glob("*.tf")):
            found.update(_variable_types(tf.read_text("utf-8", "replace")))
    except OSError:
        pass
    return found


def _start(node: Any) -> int:
    if isinstance(node, Token):
        return node.start_pos or 0
    return node.meta.start_pos if not node.meta.empty else 0


def _end(node: Any) -> int:
    if isinstance(node, Token):
        return node.end_pos or 0
    return node.meta.end_pos if not node.meta.empty else 0


def _unwrap(node: Any) -> Any:
    """The expression under ``expr_term`` wrappers and parentheses."""
    while isinstance(node, Tree) and node.data == "expr_term":
        trees = [c for c in node.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]
        if len(trees) != 1:
            break
        node = trees[0]
    return node


def _name(node: Any) -> str | None:
    """The name of an ``identifier``/``keyword``/``literal_value`` node, or a plain string's value."""
    node = _unwrap(node)
    if isinstance(node, Tree) and node.data in ("identifier", "keyword", "literal_value"):
        return str(node.children[0])
    if isinstance(node, Tree) and node.data == "string":
        parts = [c for c in node.children if isinstance(c, Tree)]
        if all(isinstance(p.children[0], Token) and p.children[0].type == "STRING_CHARS" for p in parts):
            return "".join(_decode_chars(str(p.children[0])) for p in parts)
    return None


def _decode_chars(raw: str) -> str:
    try:
        return json.loads(f'"{raw}"')
    except ValueError:
        return raw


class _HclWalker:
    def __init__(self, host: HostText, folder: Path) -> None:
        self.host = host
        self.folder = folder
        self.found: list[Extracted] = []
        self.locals: dict[str, Any] = {}
        self.var_types: dict[str, str] = {}
        self.source_kinds: dict[str, str | None] = {}
        self.filter_position: tuple[int, int] | None = None  # of the `filter` block being read
        self.list_position: tuple[int, int] = (0, 1)  # of the object of a list being read
        # `aws_cloudwatch_event_target`s of this file: the rule they name -> their `arn`s as written;
        # keyed by the rule's resource address and by a literal rule name
        self.rule_targets: dict[str, set[str]] = {}
        # the patterns of this file's `aws_cloudwatch_event_rule`s, keyed as `rule_targets`, and
        # the input transformers waiting for theirs (linked once the whole file is read)
        self.rule_patterns: dict[str, Extracted] = {}
        self.transformers: list[tuple[InputPaths, str]] = []

    def text_of(self, node: Any) -> str:
        return " ".join(self.host.text[_start(node) : _end(node)].split())

    # --- the walk ----------------------------------------------------------------------------

    def walk(self, tree: Tree) -> list[Extracted]:
        body = tree.children[0]
        self.collect(body)
        self.body(body, [], None)
        for info, key in self.transformers:
            info.rule = self.rule_patterns.get(key)
        return self.found

    def collect(self, body: Tree) -> None:
        """Locals and variable types, so references to them can be read."""
        self.var_types = {**_folder_variable_types(self.folder), **_variable_types(self.host.text)}
        for child in body.children:
            if isinstance(child, Tree) and child.data == "block" and _name(child.children[0]) == "locals":
                inner = next(c for c in child.children if isinstance(c, Tree) and c.data == "body")
                for name, expr, _ in self.attributes(inner):
                    self.locals[name] = expr
            elif isinstance(child, Tree) and child.data == "block":
                labels = [_name(c) for c in child.children if isinstance(c, Tree) and c.data != "body"]
                if labels[:2] == ["resource", "aws_cloudwatch_event_target"]:
                    inner = next(c for c in child.children if isinstance(c, Tree) and c.data == "body")
                    attrs = {name: expr for name, expr, _ in self.attributes(inner)}
                    if "rule" in attrs and "arn" in attrs:
                        self.rule_targets.setdefault(self.rule_key(attrs["rule"]), set()).add(
                            self.text_of(attrs["arn"])
                        )

    def rule_key(self, expr: Any) -> str:
        """What a target's `rule` names: a rule's address (``aws_cloudwatch_event_rule.x``) or its name."""
        literal = _name(expr)
        if literal is not None:
            return f"name:{literal}"
        m = re.match(r"(aws_cloudwatch_event_rule\.[\w-]+)\.(?:name|id|arn)$", self.text_of(expr))
        return m.group(1) if m else self.text_of(expr)

    def targets_of(self, resource: str | None, siblings: dict[str, Any]) -> tuple[str, ...] | None:
        """The arns of the event targets this file attaches to the rule `resource`; None if none."""
        found = set(self.rule_targets.get(resource or "", ()))
        name = _name(siblings["name"]) if "name" in siblings else None
        if name is not None:
            found |= self.rule_targets.get(f"name:{name}", set())
        return tuple(sorted(found)) or None

    def attributes(self, body: Tree) -> list[tuple[str, Any, Any]]:
        out = []
        for child in body.children:
            if isinstance(child, Tree) and child.data == "attribute":
                name = _name(child.children[0])
                if name is not None:
                    out.append((name, child.children[-1], child))
        return out

    def body(self, body: Tree, ancestors: list[str], resource: str | None) -> None:
        attrs = {name: expr for name, expr, _ in self.attributes(body)}
        for name, expr, _ in self.attributes(body):
            self.member(name, expr, attrs, ancestors, resource)
        filter_blocks = [
            c
            for c in body.children
            if isinstance(c, Tree) and c.data == "block" and _name(c.children[0]) == "filter"
        ]
        for child in body.children:
            if isinstance(child, Tree) and child.data == "block":
                for index, block in enumerate(filter_blocks):
                    if block is child:
                        self.filter_position = (index, len(filter_blocks))
                labels = [
                    _name(c)
                    for c in child.children
                    if isinstance(c, Tree) and c.data in ("identifier", "string", "keyword")
                ]
                inner = next(c for c in child.children if isinstance(c, Tree) and c.data == "body")
                block_type = labels[0] if labels else ""
                here = resource
                if block_type == "resource" and len(labels) > 2:
                    here = f"{labels[1]}.{labels[2]}"
                path = [*ancestors, ".".join(str(x) for x in labels if x)]
                if block_type == "input_transformer" and (resource or "").startswith(
                    "aws_cloudwatch_event_target."
                ):
                    self.input_transformer(inner, ".".join(path), attrs, _start(child))
                    continue
                self.body(inner, path, here)

    def member(
        self, name: str, expr: Any, siblings: dict[str, Any], ancestors: list[str], resource: str | None
    ) -> None:
        where = ".".join([*ancestors, name])
        rtype = resource.split(".")[0] if resource else ""
        if name == "event_pattern":
            bus = siblings.get("event_bus_name")
            archive = rtype == "aws_cloudwatch_event_archive" or any("archive" in a for a in ancestors)
            before = len(self.found)
            # a module's rules go to the module's bus, not to the caller's default bus
            module = ancestors[0] + ":" if ancestors and ancestors[0].startswith("module.") else ""
            self.pattern(
                expr,
                where,
                dialect="eventbridge",
                kind="archive" if archive else "rule",
                group=None
                if archive
                else f"bus:{module}{self.text_of(bus) if bus is not None else 'default'}",
                targets=self.targets_of(resource, siblings) if rtype == "aws_cloudwatch_event_rule" else None,
            )
            if rtype == "aws_cloudwatch_event_rule" and resource is not None and len(self.found) > before:
                self.rule_patterns[resource] = self.found[-1]
                rule_name = _name(siblings["name"]) if "name" in siblings else None
                if rule_name is not None:
                    self.rule_patterns[f"name:{rule_name}"] = self.found[-1]
        elif name == "filter_policy":
            scope_expr = siblings.get("filter_policy_scope")
            scope = _name(scope_expr) if scope_expr is not None else None
            topic = siblings.get("topic_arn")
            self.pattern(
                expr,
                where,
                dialect="sns-body" if scope == "MessageBody" else "sns-attributes",
                kind="sns",
                group=f"topic:{self.text_of(topic) if topic is not None else resource or where}",
                scope=scope if scope_expr is not None else None,
                scope_anchor=_start(scope_expr) if scope_expr is not None else None,
                targets=(
                    f"{self.text_of(siblings['protocol']) if 'protocol' in siblings else '?'}:"
                    f"{self.text_of(siblings['endpoint'])}",
                )
                if "endpoint" in siblings
                else None,
            )
        elif name == "pattern" and rtype == "awscc_eventsv2_subscriber":
            # the Cloud Control provider's subscriber: filter_configuration = { filters = [{scope, pattern}] }
            scope_expr = siblings.get("scope")
            scope = _name(scope_expr) if scope_expr is not None else None
            self.pattern(
                expr,
                where,
                dialect=_SCOPE_DIALECTS.get(scope or "", "bus-data"),
                kind="subscriber",
                group=f"subscriber:{resource}",
                scope=scope if scope is not None else ("?" if scope_expr is not None else None),
                scope_anchor=_start(scope_expr) if scope_expr is not None else None,
                filter_position=self.list_position,
            )
        elif name == "pattern" and any(re.search(r"filter", a) for a in ancestors[-3:]):
            pipe = rtype == "aws_pipes_pipe"
            self.pattern(
                expr,
                where,
                dialect="pipes" if pipe else "lambda",
                kind="pipe" if pipe else "esm",
                source_kind=self.source_kind(resource),
                group=None,
                filter_position=self.filter_position if ancestors and ancestors[-1] == "filter" else None,
            )
        else:
            value = _unwrap(expr)
            if isinstance(value, Tree) and value.data == "object":
                self.object(value, [*ancestors, name], resource)
            elif isinstance(value, Tree) and value.data == "tuple":
                items = self.tuple_items(value)
                for i, item in enumerate(items):
                    item = _unwrap(item)
                    if isinstance(item, Tree) and item.data == "object":
                        self.list_position = (i, len(items))
                        self.object(item, [*ancestors, f"{name}[{i}]"], resource)

    def object(self, obj: Tree, ancestors: list[str], resource: str | None) -> None:
        elems = self.object_elems(obj)
        siblings = {k: v for k, v, _ in elems if k is not None}
        for key, value, _ in elems:
            if key is not None:
                self.member(key, value, siblings, ancestors, resource)

    def source_kind(self, resource: str | None) -> str | None:
        if resource is None:
            return None
        if resource not in self.source_kinds:
            self.source_kinds[resource] = self.resource_source(resource)
        return self.source_kinds[resource]

    def resource_source(self, resource: str) -> str | None:
        rtype, rname = resource.split(".", 1)
        pattern = rf'resource\s+"{re.escape(rtype)}"\s+"{re.escape(rname)}"'
        m = re.search(pattern, self.host.text)
        if not m:
            return None
        tail = self.host.text[m.end() : m.end() + 4000]
        found = re.search(r"^\s*(event_source_arn|source)\s*=\s*(.+)$", tail, re.M)
        return source_kind_from_text(found.group(2)) if found else None

    # --- HCL collections ---------------------------------------------------------------------

    @staticmethod
    def object_elems(obj: Tree) -> list[tuple[str | None, Any, Tree]]:
        out = []
        for c in obj.children:
            if isinstance(c, Tree) and c.data == "object_elem":
                key_node = c.children[0]
                key_expr = key_node.children[0] if key_node.children else key_node
                out.append((_name(key_expr), c.children[-1], c))
        return out

    @staticmethod
    def tuple_items(tup: Tree) -> list[Any]:
        return [c for c in tup.children if isinstance(c, Tree) and c.data != "new_line_or_comment"]

    # --- an event target's input transformer ------------------------------------------------

    def input_transformer(self, body: Tree, where: str, target: dict[str, Any], anchor: int) -> None:
        """An ``input_transformer`` block: an `Extracted` of kind ``transformer`` holding its
        ``input_template``, with its ``input_paths`` beside it; its rule is linked after the walk."""
        attrs = {name: expr for name, expr, _ in self.attributes(body)}
        target_id = _name(target["target_id"]) if "target_id" in target else None
        info = InputPaths(target_id=target_id or "<target-id>")
        if "rule" in target:
            self.transformers.append((info, self.rule_key(target["rule"])))
        paths = _unwrap(attrs["input_paths"]) if "input_paths" in attrs else None
        if paths is not None and not (isinstance(paths, Tree) and paths.data == "object"):
            info.known = False  # a reference to a map
        for key, value, elem in self.object_elems(paths) if info.known and paths is not None else []:
            if key is None:
                info.known = False
                continue
            value = _unwrap(value)
            path = None
            if isinstance(value, Tree) and value.data == "string":
                decoded, starts = self.quoted(value)
                path = embedded_pattern(
                    decoded,
                    starts,
                    self.host,
                    self.host.name,
                    f"{where}.input_paths.{key}",
                    _start(value),
                    interpolations=True,
                    dialect="transformer",
                    kind="input-path",
                )
            info.paths.append((key, _start(elem), path))
        template = _unwrap(attrs["input_template"]) if "input_template" in attrs else None
        here = f"{where}.input_template"
        kind = template.data if isinstance(template, Tree) else None
        if kind in ("string", "heredoc_template", "heredoc_template_trim"):
            assert isinstance(template, Tree)
            if kind == "string":
                decoded, starts = self.quoted(template)
            else:
                token = template.children[0]
                assert isinstance(token, Token)  # a heredoc's one child: its text
                decoded, starts = self.heredoc(token, trim=kind == "heredoc_template_trim")
            found = embedded_pattern(
                decoded, starts, self.host, self.host.name, here, _start(template),
                interpolations=True, dialect="transformer", kind="transformer", transformer=info,
            )  # fmt: skip
            info.template_known = not found.unknowns
        else:  # absent (the provider requires it), or a reference
            info.template_known = False
            info.known = info.known and template is None
            found = Extracted(
                self.host.name, here, "", PositionMap(self.host, []), "transformer", "transformer",
                anchor=_start(template) if template is not None else anchor, transformer=info,
            )  # fmt: skip
        self.found.append(found)

    # --- a pattern's value -------------------------------------------------------------------

    def pattern(self, expr: Any, where: str, **context: Any) -> None:
        value = _unwrap(expr)
        anchor = _start(value)
        if isinstance(value, Tree) and value.data == "get_attr_expr_term":
            ref = self.text_of(value)
            if ref.startswith("local.") and ref[6:] in self.locals:
                value = _unwrap(self.locals[ref[6:]])
        if not isinstance(value, Tree):
            return
        kind = value.data
        if kind == "function_call":
            fname = _name(value.children[0])
            args = self.call_args(value)
            if fname == "jsonencode" and len(args) == 1:
                w = Writer()
                self.write(args[0], w)
                self.found.append(written_pattern(w, self.host, self.host.name, where, anchor, **context))
            elif fname in ("file", "templatefile") and args:
                self.follow(args[0], where, anchor, templated=fname == "templatefile", **context)
            elif fname in ("trimspace", "chomp") and len(args) == 1:
                self.pattern(args[0], where, **context)
        elif kind in ("heredoc_template", "heredoc_template_trim"):
            decoded, starts = self.heredoc(value.children[0], trim=kind.endswith("trim"))
            self.found.append(
                embedded_pattern(
                    decoded, starts, self.host, self.host.name, where, anchor, interpolations=True, **context
                )
            )
        elif kind == "string":
            decoded, starts = self.quoted(value)
            self.found.append(
                embedded_pattern(
                    decoded, starts, self.host, self.host.name, where, anchor, interpolations=True, **context
                )
            )

    def call_args(self, call: Tree) -> list[Any]:
        for c in call.children:
            if isinstance(c, Tree) and c.data == "arguments":
                return [a for a in c.children if isinstance(a, Tree) and a.data != "new_line_or_comment"]
        return []

    def follow(self, arg: Any, where: str, anchor: int, templated: bool, **context: Any) -> None:
        raw = self.host.text[_start(arg) : _end(arg)].strip()
        if not (raw.startswith('"') and raw.endswith('"')):
            return
        path = raw[1:-1]
        path = re.sub(r"\$\{path\.(module|root|cwd)\}", lambda _: str(self.folder), path)
        if "${" in path:
            return
        target = Path(path) if Path(path).is_absolute() else self.folder / path
        try:
            text = target.read_text("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return
        host = HostText(str(target), text)
        self.found.append(
            embedded_pattern(
                text,
                list(range(len(text))),
                host,
                str(target),
                f"{where} ({self.host.name})",
                0,
                interpolations=templated,
                **context,
            )
        )

    def heredoc(self, token: Token, trim: bool) -> tuple[str, list[int]]:
        raw = str(token)
        base = token.start_pos or 0
        header = raw.find("\n") + 1
        body = raw[header:]
        # drop the closing marker line
        body_lines = body.split("\n")
        while body_lines and body_lines[-1].strip() == "":
            body_lines.pop()
        if body_lines:
            body_lines.pop()  # the marker
        content = "\n".join(body_lines)
        content_lines = [ln.rstrip("\r") for ln in body_lines]
        indent = 0
        if trim:
            widths = [len(ln) - len(ln.lstrip(" \t")) for ln in content_lines if ln.strip()]
            indent = min(widths) if widths else 0
        decoded_lines = [ln[indent:] if len(ln) >= indent else ln.lstrip() for ln in content_lines]
        decoded = "\n".join(decoded_lines).replace("$${", "${").replace("%%{", "%{")
        return decoded, align(decoded, content, base + header, escapes=False, indent=indent)

    def quoted(self, string: Tree) -> tuple[str, list[int]]:
        parts: list[str] = []
        for part in string.children:
            if not isinstance(part, Tree):
                continue
            inner = part.children[0]
            if isinstance(inner, Token) and inner.type == "STRING_CHARS":
                parts.append(_decode_chars(str(inner)))
            elif isinstance(inner, Token) and inner.type == "ESCAPED_INTERPOLATION":
                parts.append(str(inner)[1:])
            else:
                parts.append(self.host.text[_start(inner) : _end(inner)])
        decoded = "".join(parts)
        start = _start(string) + 1
        raw = self.host.text[start : _end(string) - 1]
        return decoded, align(decoded, raw, start, escapes=True)

    # --- jsonencode: HCL values written as JSON ----------------------------------------------

    def write(self, expr: Any, w: Writer) -> None:
        node = _unwrap(expr)
        start, end = _start(node), _end(node)
        kind = node.data if isinstance(node, Tree) else None
        if kind == "object":
            w.punct("{", start)
            for i, (key, value, elem) in enumerate(self.object_elems(node)):
                if i:
                    w.punct(",", _start(elem))
                key_node = elem.children[0]
                if key is None:
                    w.unknown(self.text_of(key_node), _start(key_node), _end(key_node))
                else:
                    w.string(key, _start(key_node), _end(key_node))
                w.punct(":", _end(key_node))
                self.write(value, w)
            w.punct("}", max(end - 1, start))
            w.ends[w.length] = end
        elif kind == "tuple":
            w.punct("[", start)
            for i, item in enumerate(self.tuple_items(node)):
                if i:
                    w.punct(",", _start(item))
                self.write(item, w)
            w.punct("]", max(end - 1, start))
            w.ends[w.length] = end
        elif kind == "string":
            name = _name(node)
            if name is not None:
                w.string(name, start, end)
            else:
                w.unknown(self.text_of(node), start, end, self.type_of(node))
        elif kind in ("int_lit", "float_lit"):
            w.scalar(_json_number(str(node.children[0])), start, end)
        elif kind == "unary_op" and str(node.children[0]) == "-":
            inner = _unwrap(node.children[1])
            if isinstance(inner, Tree) and inner.data in ("int_lit", "float_lit"):
                w.scalar("-" + _json_number(str(inner.children[0])), start, end)
            else:
                w.unknown(self.text_of(node), start, end, "number")
        elif kind == "literal_value":
            w.scalar(str(node.children[0]), start, end)
        elif kind in ("heredoc_template", "heredoc_template_trim"):
            decoded, _ = self.heredoc(node.children[0], trim=kind.endswith("trim"))
            if "${" in decoded:
                w.unknown(self.text_of(node), start, end)
            else:
                w.string(decoded, start, end)
        else:
            w.unknown(self.text_of(node), start, end, self.type_of(node))

    def type_of(self, node: Any) -> str:
        """The likely JSON type of a reference: a ``number`` variable is a number, lists stay lists."""
        text = self.text_of(node).strip('"')
        m = re.fullmatch(r"\$\{\s*(var\.[\w-]+)\s*\}|(var\.[\w-]+)", text)
        ref = (m.group(1) or m.group(2)) if m else None
        if ref is None:
            return "string"
        declared = self.var_types.get(ref[4:], "")
        if declared == "number":
            return "number"
        if declared in ("list", "set", "tuple") and not text.startswith("${"):
            return "list"
        return "string"


def _json_number(text: str) -> str:
    if re.fullmatch(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?", text):
        return text
    try:
        return repr(float(text))
    except ValueError:
        return json.dumps(text)


_MARKER_WITH_TRAILING_SPACE = re.compile(r"^([ \t]*)([A-Za-z][A-Za-z0-9._-]*)([ \t]+)(\r?)$", re.M)


def _heredoc_markers(text: str) -> str:
    """Move blanks after a lone word (a heredoc's closing marker, ``EOF  ``) before it.

    Terraform accepts trailing blanks there; python-hcl2's grammar does not, but accepts leading
    ones. Moving them keeps every offset of the file where it was.
    """
    return _MARKER_WITH_TRAILING_SPACE.sub(lambda m: m[1] + m[3] + m[2] + m[4], text)


def extract_hcl(host: HostText, folder: Path) -> list[Extracted]:
    """Every pattern in a Terraform (``.tf``) or terragrunt (``.hcl``) file.

    Args:
        host: the file.
        folder: its folder (``file()`` paths and variable declarations are read from it).

    Returns:
        The patterns found.

    Raises:
        SourceError: the file is not HCL that python-hcl2 reads.
    """
    if not re.search(r"event_pattern|filter_policy|\bpattern\b|input_transformer", host.text):
        return []
    # imported on first use: a run that reads no Terraform file does not pay python-hcl2's import
    import hcl2

    try:
        tree = hcl2.parses_to_tree(_heredoc_markers(host.text))
    except (LarkError, ValueError, RecursionError) as exc:
        first = " ".join(str(exc).split())[:200]
        raise SourceError(f"{host.name}: not HCL that python-hcl2 reads: {first}") from None
    return _HclWalker(host, folder).walk(tree)

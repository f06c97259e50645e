"""The package's floor plan holds: every import points down a floor, none closes a circle, and no
import of a `patterns` module hides inside a function or under ``if TYPE_CHECKING:``.

`FLOORS` is the plan (docs/design.md draws it). A module may import modules of lower floors, and
modules listed before it on its own floor; an entry ending in ``.*`` is a package whose modules
may import each other (without a circle) and modules below it. Every module under patterns/ (and
the compiled twin, `src_ext/_match_c.pyx` with its includes, as ``_match_c``) must have a place.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "patterns"
SRC_EXT = ROOT / "src_ext"

#: (floor, modules in the order they may import each other), bottom first; names relative to
#: `patterns`, a package's own module as ``<package>.__init__``.
FLOORS: list[tuple[str, list[str]]] = [
    ("leaves", ["errors", "snapshot", "_json", "_trampoline", "_gc", "netaddr", "numbers", "spelling"]),
    ("source and model", ["parse", "wildcards", "model", "wildcard_dfa"]),
    ("events", ["events", "consistency"]),
    ("input decoders", ["sns", "records", "bus", "transform", "archive.*"]),
    ("dialects", ["dialects"]),
    ("semantics", ["validate", "oracle", "subsume"]),
    ("automaton data", ["automaton"]),
    ("reference walker", ["walk"]),
    ("compiler", ["indexes", "lower", "compiler", "footprint"]),
    ("twins", ["_match_py", "_match_c", "_match"]),
    ("engine", ["engine"]),
    ("API", ["explain", "core", "why", "subscribers", "machine", "filters", "describe", "rulesets", "scans"]),
    ("package face", ["__init__"]),
    (
        "tools",
        [
            "lint.__init__", "lint.diagnostics", "lint.aws", "lint.sources.*", "lint.rules.*",
            "lint.render", "lint.cli", "lint.docs", "scan_cli", "__main__", "_ship", "spark", "dask",
        ],
    ),
]  # fmt: skip


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported `patterns` module
    line: int
    hidden: str  # "" at module level, else where it hides ("function `f`", "TYPE_CHECKING")


def _module_name(path: Path, package: Path) -> str:
    parts = list(path.relative_to(package).with_suffix("").parts)
    return ".".join(parts)


def _resolve(package: Path, name: str) -> str | None:
    """The module a dotted name relative to `patterns` is, or None when it is no module there."""
    if not name:
        return "__init__"
    base = package.joinpath(*name.split("."))
    if (base / "__init__.py").is_file():
        return f"{name}.__init__"
    if base.with_suffix(".py").is_file():
        return name
    if name == "_match_c":
        return name
    return None


def _targets(package: Path, module: str, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name == "patterns" or alias.name.startswith("patterns."):
                target = _resolve(package, alias.name.removeprefix("patterns").lstrip("."))
                if target is not None:
                    yield target
        return
    if node.level:
        here = module.split(".")[:-1]  # the package the module sits in
        if node.level > 1:
            here = here[: len(here) - (node.level - 1)]
        base = ".".join([*here, *(node.module.split(".") if node.module else [])])
    elif node.module == "patterns" or (node.module or "").startswith("patterns."):
        base = node.module.removeprefix("patterns").lstrip(".")
    else:
        return
    whole = _resolve(package, base)
    for alias in node.names:  # `from . import engine`: the name may be a module itself
        sub = _resolve(package, f"{base}.{alias.name}" if base else alias.name)
        if sub is not None:
            yield sub
        elif whole is not None:
            yield whole


def _imports_of(package: Path, path: Path) -> Iterator[Import]:
    module = _module_name(path, package)
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))

    def visit(nodes: list[ast.AST], hidden: str) -> Iterator[Import]:
        for child in nodes:
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                for target in dict.fromkeys(_targets(package, module, child)):
                    if target != module:
                        yield Import(module, target, child.lineno, hidden)
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield from visit(child.body, hidden or f"function `{child.name}`")
            elif isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                # the body runs only for a type checker; the `else` (a selector's) runs
                yield from visit(child.body, hidden or "TYPE_CHECKING")
                yield from visit(child.orelse, hidden)
            else:
                yield from visit(list(ast.iter_child_nodes(child)), hidden)

    yield from visit(tree.body, "")


_PYX_IMPORT = re.compile(
    r"^([ \t]*)(?:from\s+patterns((?:\.\w+)*)\s+c?import\s+([\w, ]+)|import\s+patterns((?:\.\w+)+))", re.M
)


def _compiled_imports(src_ext: Path) -> Iterator[Import]:
    """The compiled twin's imports of `patterns` modules (Cython: read by pattern, not `ast`)."""
    for path in sorted([*src_ext.glob("*.pyx"), *src_ext.glob("*.pxi"), *src_ext.glob("*.pxd")]):
        text = path.read_text(encoding="utf-8")
        for m in _PYX_IMPORT.finditer(text):
            indent, base, names, plain = m.groups()
            base = (base or plain or "").lstrip(".")
            targets = []
            for name in [] if plain else [n.split()[0] for n in names.split(",") if n.strip()]:
                sub = _resolve(PACKAGE, f"{base}.{name}" if base else name)
                targets.append(sub if sub is not None else _resolve(PACKAGE, base))
            if not targets:
                targets = [_resolve(PACKAGE, base)]
            line = text.count("\n", 0, m.start()) + 1
            for target in dict.fromkeys(t for t in targets if t is not None and t != "_match_c"):
                yield Import("_match_c", target, line, "an indented block" if indent else "")


def all_imports(package: Path = PACKAGE, src_ext: Path | None = SRC_EXT) -> list[Import]:
    found = [imp for path in sorted(package.rglob("*.py")) for imp in _imports_of(package, path)]
    if src_ext is not None and src_ext.is_dir():
        found.extend(_compiled_imports(src_ext))
    return found


def all_modules(package: Path = PACKAGE) -> list[str]:
    return [_module_name(path, package) for path in sorted(package.rglob("*.py"))]


def _place(module: str, floors: list[tuple[str, list[str]]]) -> tuple[int, int, str] | None:
    """(floor, position on it, the entry) of a module, or None when the plan has no place for it."""
    best: tuple[int, int, str] | None = None
    for f, (_, entries) in enumerate(floors):
        for i, entry in enumerate(entries):
            if entry == module:
                return f, i, entry
            wider = best is None or len(entry) > len(best[2])
            if entry.endswith(".*") and module.startswith(entry[:-1]) and wider:
                best = (f, i, entry)
    return best


def violations(imports: list[Import], modules: list[str], floors=FLOORS) -> list[str]:
    """Every breach of the plan, worded for the reader of a failing test."""
    out = []
    for module in modules:
        if _place(module, floors) is None:
            out.append(
                f"patterns/{module.replace('.', '/')}.py has no place in FLOORS (tests/test_layers.py)"
            )
    edges: dict[str, set[str]] = {}
    for imp in imports:
        edges.setdefault(imp.source, set()).add(imp.target)
        where = f"{imp.source}:{imp.line} imports {imp.target}"
        if imp.hidden:
            out.append(f"{where} inside {imp.hidden}: imports of patterns modules go at the top")
        src, dst = _place(imp.source, floors), _place(imp.target, floors)
        if src is None or dst is None:
            continue
        same_package = src[2] == dst[2] and src[2].endswith(".*")
        if not same_package and (dst[0], dst[1]) >= (src[0], src[1]):
            up = f"floor `{floors[src[0]][0]}` may not import floor `{floors[dst[0]][0]}`"
            if src[0] == dst[0]:
                up = f"on floor `{floors[src[0]][0]}`, {src[2]} comes before {dst[2]}"
            out.append(f"{where}: points up ({up})")
    out.extend(f"circle: {' -> '.join(c)}" for c in _circles(edges))
    return out


def _circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_layers_every_import_points_down_and_none_hides() -> None:
    problems = violations(all_imports(), all_modules())
    assert not problems, "\n".join(problems)


def test_layers_every_floor_entry_names_a_module() -> None:
    modules = set(all_modules()) | {"_match_c"}
    for _, entries in FLOORS:
        for entry in entries:
            if entry.endswith(".*"):
                assert any(m.startswith(entry[:-1]) for m in modules), (
                    f"FLOORS names `{entry}`: no such package"
                )
            else:
                assert entry in modules, f"FLOORS names `{entry}`: no such module"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"automaton.py": "from .machine import Machine\n", "machine.py": ""}, "points up"),
        ({"core.py": "def f():\n    from .compiler import Builder\n", "compiler.py": ""}, "inside function `f`"),
        (
            {"sns.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .dialects import Dialect\n",
             "dialects.py": ""},
            "inside TYPE_CHECKING",
        ),
        ({"lint/__init__.py": "", "lint/sources/__init__.py": "from . import a\n",
          "lint/sources/a.py": "from . import b\n", "lint/sources/b.py": "from . import a\n"}, "circle"),
        ({"newcomer.py": ""}, "has no place in FLOORS"),
        ({"engine.py": "import patterns.core\n", "core.py": ""}, "points up"),
    ],
    ids=["upward", "function-level", "type-checking", "circle", "unplaced", "absolute-import"],
)  # fmt: skip
def test_layers_checker_catches_each_kind_of_breach(
    tmp_path: Path, files: dict[str, str], expected: str
) -> None:
    package = tmp_path / "patterns"
    for name, text in {"__init__.py": "", **files}.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text, encoding="utf-8")
    problems = violations(all_imports(package, None), all_modules(package))
    assert any(expected in p for p in problems), problems


def test_layers_checker_passes_a_clean_plan(tmp_path: Path) -> None:
    package = tmp_path / "patterns"
    package.mkdir()
    (package / "__init__.py").write_text("from .core import compile\n", encoding="utf-8")
    (package / "core.py").write_text(
        "from . import engine\nfrom .errors import PatternsError\n", encoding="utf-8"
    )
    (package / "engine.py").write_text("from .walk import run_machine\n", encoding="utf-8")
    (package / "walk.py").write_text("import json\n", encoding="utf-8")
    (package / "errors.py").write_text("", encoding="utf-8")
    assert violations(all_imports(package, None), all_modules(package)) == []

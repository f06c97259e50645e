"""Which files ``pattern-lint check`` reads: the paths named, and template-like files under folders."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from .literals import available
from .text import SourceNote, note

__all__ = ["EXTENSIONS", "SKIP_DIRS", "iter_files"]

#: Folders never walked: dependencies, build output that copies templates, tool state.
SKIP_DIRS = frozenset(
    {".git", "node_modules", ".terraform", ".terragrunt-cache", ".venv", "venv", "__pycache__", ".aws-sam"}
)
#: The names a folder walk yields; a file the user names is yielded whatever its name.
EXTENSIONS = (".json", ".yaml", ".yml", ".template", ".tf", ".hcl")


#: Tool configuration a folder walk never reads: JSON that is not a template and often not JSON
#: at all (tsconfig.json allows comments), which would only add "not read" notes (N102).
_TOOL_CONFIG = re.compile(
    r"^(?:tsconfig.*|jsconfig.*|package(?:-lock)?|cdk(?:\.context)?|tslint|\.eslintrc|\.prettierrc"
    r"|\.babelrc|composer(?:\.lock)?|launch|settings|extensions|devcontainer)\.json$"
)

#: CDK and SDK sources: read by cdk.py when tree-sitter is installed, else noted (N104).
_CODE_EXTENSIONS = (".ts", ".py")
#: CDK sources in the languages cdk.py does not read: noted (N104) when they name a pattern.
_OTHER_CODE_EXTENSIONS = (".js", ".mjs", ".cjs", ".java", ".cs", ".go", ".fs")
#: The CDK's TypeScript and Python property names (``add_event_pattern`` too), and the SDKs'
#: (``FilterPolicy`` attribute).
_CODE_PATTERN_KEYS = re.compile(
    r"\b(?:add_|add)?([eE]ventPattern|[fF]ilterPolicy|[fF]ilterCriteria|event_pattern|filter_policy|filter_criteria)\b"
)
_CODE_MAX_BYTES = 1 << 20


def _names_pattern(path: Path) -> bool:
    """A TypeScript or Python source names a pattern property of the CDK or an SDK."""
    if path.name.endswith(".d.ts"):
        return False
    try:
        if path.stat().st_size > _CODE_MAX_BYTES:
            return False
        return bool(_CODE_PATTERN_KEYS.search(path.read_text("utf-8", errors="replace")))
    except OSError:
        return False


def _cdk_note(folder: str, sources: list[str], others: list[str]) -> SourceNote:
    """The one note of a walked folder with pattern-naming sources that were not read."""
    parts = []
    if sources:
        parts.append(
            f"{len(sources)} TypeScript or Python file{'s' * (len(sources) != 1)} naming "
            f"a pattern property (`eventPattern`, `filterPolicy`, `FilterCriteria`, ...) (`{sources[0]}`)"
        )
    if others:
        parts.append(
            f"{len(others)} JavaScript, Java, C# or Go file{'s' * (len(others) != 1)} naming a pattern "
            f"property, a language pattern-lint does not read (`{others[0]}`)"
        )
    how = (
        "install tree-sitter to read TypeScript and Python (`pip install 'eventpatterns[cdk]'`), or run "
        "`cdk synth` and lint `cdk.out`"
        if sources
        else "run `cdk synth` and lint `cdk.out`"
    )
    return note(folder, "N104", f"CDK and SDK sources are not read: {', '.join(parts)}; {how}")


def iter_files(
    paths: Iterable[str], exclude: Iterable[str] = (), notes: list[SourceNote] | None = None
) -> Iterator[tuple[str, bool]]:
    """The files to lint: (name, named explicitly). Folders are walked for template-like files.

    Args:
        paths: files, folders or ``-``.
        exclude: glob patterns of paths to leave out (matched against each path and its name).
        notes: receives, for each folder walked, one note when it holds sources naming a
            pattern property (outside a CDK app with ``cdk.out``, whose templates are read) that
            are not read: TypeScript and Python ones without tree-sitter (with it they are
            yielded and read), and JavaScript, Java, C# or Go ones always. A CDK app whose
            sources name no pattern holds none to read and is not noted.

    Yields:
        Each file name once, with True when the user named it (then raw JSON counts as a pattern).
    """
    excluded = list(exclude)

    def skip(p: Path) -> bool:
        return any(p.match(g) or p.name == g for g in excluded)

    for name in paths:
        if name == "-":
            yield name, True
            continue
        p = Path(name)
        if p.is_dir():
            sources: list[str] = []  # TS/Python pattern-naming sources outside apps with cdk.out
            others: list[str] = []  # the same in languages cdk.py does not read
            synthesized: list[str] = []  # apps with cdk.out: their sources are read there
            readable = notes is not None and available()
            for root, dirs, files in os.walk(p):
                if "cdk.json" in files and "cdk.out" in dirs:
                    synthesized.append(root)
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not skip(Path(root, d)))
                covered = any(root == a or root.startswith(a + os.sep) for a in synthesized)
                for f in sorted(files):
                    fp = Path(root, f)
                    if skip(fp):
                        continue
                    if f.endswith(EXTENSIONS):
                        if not _TOOL_CONFIG.match(f):
                            yield str(fp), False
                    elif (
                        notes is not None
                        and f.endswith(_CODE_EXTENSIONS)
                        and not covered
                        and not f.endswith(".d.ts")
                        and _names_pattern(fp)
                    ):
                        if readable:
                            yield str(fp), False
                        else:
                            sources.append(str(fp))
                    elif (
                        notes is not None
                        and f.endswith(_OTHER_CODE_EXTENSIONS)
                        and not covered
                        and _names_pattern(fp)
                    ):
                        others.append(str(fp))
            if notes is not None and (sources or others):
                notes.append(_cdk_note(name, sources, others))
        elif not skip(p):
            yield name, True

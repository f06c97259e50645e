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


#: CDK and SDK sources: read by cdk.py when tree-sitter is installed, else noted (N104).
_CODE_EXTENSIONS = (".ts", ".py")
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


def _cdk_note(folder: str, apps: list[str], sources: list[str]) -> SourceNote:
    """The one note of a walked folder with CDK apps or pattern-naming sources and no cdk.out."""
    parts = []
    if apps:
        parts.append(f"{len(apps)} CDK app{'s' * (len(apps) != 1)} without `cdk.out` (`{apps[0]}`)")
    if sources:
        parts.append(
            f"{len(sources)} TypeScript or Python file{'s' * (len(sources) != 1)} naming "
            f"a pattern property (`eventPattern`, `filterPolicy`, `FilterCriteria`, ...) (`{sources[0]}`)"
        )
    how = (
        "run `cdk synth` and lint `cdk.out`"
        if available()
        else "install tree-sitter to read them (`pip install 'eventpatterns[cdk]'`), or run `cdk synth` "
        "and lint `cdk.out`"
    )
    return note(folder, "N104", f"CDK and SDK sources are not read: {', '.join(parts)}; {how}")


def iter_files(
    paths: Iterable[str], exclude: Iterable[str] = (), notes: list[SourceNote] | None = None
) -> Iterator[tuple[str, bool]]:
    """The files to lint: (name, named explicitly). Folders are walked for template-like files.

    Args:
        paths: files, folders or ``-``.
        exclude: glob patterns of paths to leave out (matched against each path and its name).
        notes: receives, for each folder walked, one note when it holds CDK apps (a
            ``cdk.json``) without ``cdk.out`` or TypeScript/Python sources naming a pattern
            property outside such an app's ``cdk.out``, which are not read. With tree-sitter
            installed those sources are yielded and read instead (an app none of whose sources
            was read, a JavaScript app say, is still noted).

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
            apps: list[str] = []  # CDK apps without cdk.out
            sources: list[str] = []  # pattern-naming sources outside apps with cdk.out
            synthesized: list[str] = []  # apps with cdk.out: their sources are read there
            read: list[str] = []  # CDK sources yielded (tree-sitter installed)
            readable = notes is not None and available()
            for root, dirs, files in os.walk(p):
                if "cdk.json" in files:
                    (synthesized if "cdk.out" in dirs else apps).append(root)
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not skip(Path(root, d)))
                covered = any(root == a or root.startswith(a + os.sep) for a in synthesized)
                for f in sorted(files):
                    fp = Path(root, f)
                    if skip(fp):
                        continue
                    if f.endswith(EXTENSIONS):
                        yield str(fp), False
                    elif (
                        notes is not None
                        and f.endswith(_CODE_EXTENSIONS)
                        and not covered
                        and not f.endswith(".d.ts")
                        and _names_pattern(fp)
                    ):
                        if readable:
                            read.append(root)  # os.walk's spelling, as `apps` holds it
                            yield str(fp), False
                        else:
                            sources.append(str(fp))
            apps = [a for a in apps if not any(r == a or r.startswith(a + os.sep) for r in read)]
            if notes is not None and (apps or sources):
                notes.append(_cdk_note(name, apps, sources))
        elif not skip(p):
            yield name, True

"""Which files ``pattern-lint check`` reads: the paths named, and template-like files under folders."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

__all__ = ["EXTENSIONS", "SKIP_DIRS", "iter_files"]

#: Folders never walked: dependencies, build output that copies templates, tool state.
SKIP_DIRS = frozenset(
    {".git", "node_modules", ".terraform", ".terragrunt-cache", ".venv", "venv", "__pycache__", ".aws-sam"}
)
#: The names a folder walk yields; a file the user names is yielded whatever its name.
EXTENSIONS = (".json", ".yaml", ".yml", ".template", ".tf", ".hcl")


def iter_files(paths: Iterable[str], exclude: Iterable[str] = ()) -> Iterator[tuple[str, bool]]:
    """The files to lint: (name, named explicitly). Folders are walked for template-like files.

    Args:
        paths: files, folders or ``-``.
        exclude: glob patterns of paths to leave out (matched against each path and its name).

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
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not skip(Path(root, d)))
                for f in sorted(files):
                    fp = Path(root, f)
                    if f.endswith(EXTENSIONS) and not skip(fp):
                        yield str(fp), False
        elif not skip(p):
            yield name, True

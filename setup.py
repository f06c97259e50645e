"""Build of the optional Cython extension; all metadata lives in pyproject.toml.

PATTERNS_NO_EXTENSIONS=1 skips the extension (the pure-Python twins then run);
PATTERNS_DEBUG_BUILD=1 turns bounds checks and line tracing back on.
"""

import glob
import os
import platform

from setuptools import Extension, setup

NO_EXTENSIONS = (
    bool(os.environ.get("PATTERNS_NO_EXTENSIONS")) or platform.python_implementation() != "CPython"
)
DEBUG_BUILD = bool(os.environ.get("PATTERNS_DEBUG_BUILD"))

# One table for every directive; each check switched off is argued safe in the .pyx itself.
COMPILER_DIRECTIVES = {
    "language_level": "3",
    "boundscheck": DEBUG_BUILD,
    "wraparound": DEBUG_BUILD,
    "initializedcheck": DEBUG_BUILD,
    "linetrace": DEBUG_BUILD,
    "embedsignature": True,
}

ext_modules = []
if NO_EXTENSIONS:
    print("*** patterns: building without extensions (pure Python)")
else:
    from Cython.Build import cythonize

    print(f"*** patterns: building the Cython extension ({'debug' if DEBUG_BUILD else 'release'})")
    macros = [("CYTHON_TRACE_NOGIL", "1")] if DEBUG_BUILD else []
    # The stages (.pxi) and the C headers are build inputs too: cythonize follows the includes
    # itself; `depends` makes a changed header (or stage) rebuild the module.
    depends = sorted(glob.glob("src_ext/*.pxi") + glob.glob("src_ext/*.h"))
    ext_modules = cythonize(
        [Extension("patterns._match_c", ["src_ext/_match_c.pyx"], define_macros=macros, depends=depends)],
        compiler_directives=COMPILER_DIRECTIVES,
    )
    for ext in ext_modules:
        # set after cythonize(), which rebuilds the Extension objects and drops the flag
        ext.optional = True

setup(ext_modules=ext_modules)

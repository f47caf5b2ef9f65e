"""Builds the engine's Cython extension modules.

Compiler directives are set once here. ``FAULTLINE_DEBUG=1`` turns bounds
checking, wraparound and initialisation checks back on for debugging.
"""
import os
from pathlib import Path

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

DEBUG = os.environ.get("FAULTLINE_DEBUG", "") not in ("", "0")

directives = {
    "language_level": 3,
    "boundscheck": DEBUG,
    "wraparound": DEBUG,
    "initializedcheck": DEBUG,
    "cdivision": not DEBUG,
    "nonecheck": DEBUG,
    "embedsignature": True,
}

# Every engine/*.pyx is one extension module: a new module of the core is built without
# being listed anywhere else.
extensions = [
    Extension(
        f"engine.{source.stem}",
        [source.as_posix()],
        include_dirs=[numpy.get_include()],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        extra_compile_args=["-O0", "-g"] if DEBUG else ["-O3"],
    )
    for source in sorted(Path("engine").glob("*.pyx"))  # setup.py runs from the project root
]

setup(ext_modules=cythonize(extensions, compiler_directives=directives, annotate=False))

"""Builds the engine's Cython extension modules.

Compiler directives are set once here. ``FAULTLINE_DEBUG=1`` turns bounds
checking, wraparound and initialisation checks back on for debugging.
"""
import os

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

extensions = [
    Extension(
        "engine._core",
        ["engine/_core.pyx"],
        include_dirs=[numpy.get_include()],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
        extra_compile_args=["-O0", "-g"] if DEBUG else ["-O2"],
    ),
]

setup(ext_modules=cythonize(extensions, compiler_directives=directives, annotate=False))

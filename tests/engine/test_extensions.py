"""Every Cython module of the engine is built and importable: setup.py builds each engine/*.pyx,
and the core imports its modules from compiled code, where a missing one fails only at run time."""
from __future__ import annotations

import importlib
import importlib.machinery
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parents[2] / "engine"
SOURCES = sorted(ENGINE.glob("*.pyx"))


def test_the_core_is_split_into_modules():
    assert {"_core", "_loop", "_codes", "_tables"} <= {p.stem for p in SOURCES}


@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_each_module_is_a_compiled_extension(source):
    module = importlib.import_module(f"engine.{source.stem}")
    assert module.__file__.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)), module.__file__


@pytest.mark.parametrize("source", sorted(ENGINE.glob("_*.p[xy][dx]")), ids=lambda p: p.name)
def test_no_source_of_the_core_outgrows_a_reader(source):
    assert len(source.read_text().splitlines()) <= 950

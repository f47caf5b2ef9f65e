"""Fixtures the packaging tests share."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def library_needing(tmp_path) -> Callable[[str], tuple[Path, str]]:
    """Make a copy of a real shared library one of whose NEEDED names no system has.

    ``library_needing("libgone")`` returns the copy (in tmp_path) and the
    name it now needs: the name of libffi in Python's _ctypes module,
    overwritten in place with one of the same length that starts like the
    argument, so the file stays a valid library the loader reads.
    """
    import _ctypes

    def make(prefix: str, name: str = "libneedsmissing.so") -> tuple[Path, str]:
        source = Path(_ctypes.__file__)
        data = source.read_bytes()
        needed = b"\0libffi.so."
        assert needed in data, f"{source} links no libffi"
        at = data.index(needed) + 1
        end = data.index(b"\0", at)
        width = end - at
        missing = (prefix + "x" * width)[:width - 3] + ".so"
        copy = tmp_path / name
        copy.write_bytes(data[:at] + missing.encode() + data[end:])
        return copy, missing

    return make

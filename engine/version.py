"""The one version number: ``version`` in pyproject.toml, wherever Faultline runs from.

- a packaged build (PyInstaller): the ``_build_version`` file the build wrote
  from pyproject.toml into the bundle;
- a source checkout: pyproject.toml beside the packages (never stale, even
  when an editable install's metadata is);
- an installed wheel: the package metadata, which setuptools took from
  pyproject.toml.
"""
from __future__ import annotations

import sys
from pathlib import Path

BUILD_VERSION_FILE = "_build_version"


def _from_bundle() -> str | None:
    bundle = getattr(sys, "_MEIPASS", None)
    if not bundle:
        return None
    try:
        return (Path(bundle) / BUILD_VERSION_FILE).read_text(encoding="utf-8").strip() or None
    except OSError:
        return None


def _from_pyproject() -> str | None:
    import tomllib

    path = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        project = tomllib.loads(path.read_text(encoding="utf-8")).get("project", {})
    except (OSError, tomllib.TOMLDecodeError):
        return None
    if project.get("name") != "faultline":
        return None
    version = project.get("version")
    return version if isinstance(version, str) else None


def _from_metadata() -> str | None:
    from importlib import metadata  # only when neither of the above answers: it is slow to import

    try:
        return metadata.version("faultline")
    except metadata.PackageNotFoundError:
        return None


def find_version() -> str:
    return _from_bundle() or _from_pyproject() or _from_metadata() or "0+unknown"


__version__ = find_version()

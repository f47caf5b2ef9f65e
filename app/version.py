"""The one version number, read from the installed package metadata (pyproject.toml)."""
from importlib import metadata

try:
    __version__ = metadata.version("faultline")
except metadata.PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.1.0"

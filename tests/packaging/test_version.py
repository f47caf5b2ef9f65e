"""The one version number reaches every way Faultline runs: sources, installed metadata, a packaged bundle."""
from __future__ import annotations

import sys
import tomllib
from importlib import metadata
from pathlib import Path

from engine import version

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT_VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def test_sources_report_the_pyproject_version():
    assert version.__version__ == PYPROJECT_VERSION
    assert version._from_pyproject() == PYPROJECT_VERSION


def test_a_bundle_reads_the_version_file_written_at_build_time(tmp_path, monkeypatch):
    (tmp_path / version.BUILD_VERSION_FILE).write_text("7.8.9\n")
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert version.find_version() == "7.8.9"


def test_a_bundle_without_the_file_falls_back(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert version._from_bundle() is None
    assert version.find_version() == PYPROJECT_VERSION


def test_installed_metadata_is_used_when_no_pyproject_is_beside_the_package(monkeypatch):
    monkeypatch.setattr(version, "_from_pyproject", lambda: None)
    monkeypatch.setattr(metadata, "version", lambda name: "3.2.1" if name == "faultline" else None)
    assert version.find_version() == "3.2.1"


def test_nothing_found_is_said_not_invented(monkeypatch):
    monkeypatch.setattr(version, "_from_pyproject", lambda: None)
    monkeypatch.setattr(version, "_from_metadata", lambda: None)
    assert version.find_version() == "0+unknown"

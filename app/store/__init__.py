"""Project files: one SQLite file per project, JSON import and export, recent files, autosave.

The store is the only part of Faultline that knows SQL. It converts between
the rows of a ``.faultline`` file and ``engine.model`` objects, and every
object it hands out has passed the model's validation.

    opened = open_project("shop.faultline")        # OpenedProject(project, runs, ...)
    save_project("shop.faultline", opened.project, opened.runs)
    export_json(opened.project.designs[0], "checkout.json")
    design = load_design_from_path("shop.faultline", "checkout")

Every failure to read or write a file is a ProjectFileError whose message
names the file and the problem; a DamagedFileError (a file changed after it
was saved) also carries what could still be read.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Each name is imported from its module on first use: reading a JSON design must not load
# SQLAlchemy, which only the .faultline files need.
_HOME = {
    "Autosave": "autosave", "Recovery": "autosave", "pending_recoveries": "autosave",
    "DamagedFileError": "errors", "ProjectFileError": "errors", "FileStamp": "fileio", "save_file": "fileio",
    "is_read_only": "fileio",
    "export_json": "json_io", "import_json": "json_io", "load_design_from_path": "json_io",
    "load_project_or_json": "json_io", "OpenedProject": "project_file", "open_project": "project_file",
    "save_project": "project_file", "RecentFiles": "recent", "SavedRun": "runs",
    "APPLICATION_ID": "schema", "SCHEMA_VERSION": "schema",
}

if TYPE_CHECKING:
    from .autosave import Autosave, Recovery, pending_recoveries
    from .errors import DamagedFileError, ProjectFileError
    from .fileio import FileStamp, is_read_only, save_file
    from .json_io import export_json, import_json, load_design_from_path, load_project_or_json
    from .project_file import OpenedProject, open_project, save_project
    from .recent import RecentFiles
    from .runs import SavedRun
    from .schema import APPLICATION_ID, SCHEMA_VERSION


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


FILE_SUFFIX = ".faultline"
JSON_SUFFIX = ".json"


def opens_in_the_window(name: str) -> bool:
    """Whether a file of this name is a project or JSON design the window opens (dropped, say),
    whatever the case of its suffix ("Shop.FAULTLINE" from a Windows share)."""
    return name.lower().endswith((FILE_SUFFIX, JSON_SUFFIX))


__all__ = [
    "APPLICATION_ID",
    "Autosave",
    "DamagedFileError",
    "FileStamp",
    "FILE_SUFFIX",
    "JSON_SUFFIX",
    "OpenedProject",
    "ProjectFileError",
    "RecentFiles",
    "Recovery",
    "SCHEMA_VERSION",
    "SavedRun",
    "export_json",
    "is_read_only",
    "import_json",
    "load_design_from_path",
    "load_project_or_json",
    "open_project",
    "opens_in_the_window",
    "pending_recoveries",
    "save_file",
    "save_project",
]

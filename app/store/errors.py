"""The one exception the store raises for files it cannot read or write."""
from __future__ import annotations

import json
from pathlib import Path


class ProjectFileError(Exception):
    """A project file cannot be opened, saved, imported or exported.

    ``str(error)`` is the message for the user: it names the file and says
    what is wrong with it in words an architect can act on. ``path`` is the
    file concerned, when there is one.
    """

    def __init__(self, message: str, path: str | Path | None = None, reason: str | None = None):
        super().__init__(message)
        self.path = Path(path) if path is not None else None
        self.reason = reason if reason is not None else message  # what is wrong, without the file's name


def cannot_open(path: str | Path, reason: str) -> ProjectFileError:
    """``Cannot open NAME: reason``."""
    return ProjectFileError(f"Cannot open {Path(path).name}: {reason}", path, reason)


def cannot_save(path: str | Path, reason: str) -> ProjectFileError:
    """``Cannot save NAME: reason``."""
    return ProjectFileError(f"Cannot save {Path(path).name}: {reason}", path, reason)


def json_mistake(exc: json.JSONDecodeError, whole_file: bool = True) -> str:
    """Where JSON text goes wrong, in words: "Expecting ',' delimiter at line 3 column 9"; for the
    text of a ``whole_file`` that stops short, also that the file was cut (it reads as a syntax slip)."""
    # Python words an unterminated string "Unterminated string starting at" and leaves the place to the caller.
    place = f"line {exc.lineno} column {exc.colno}"
    said = f"{exc.msg} {place}" if exc.msg.endswith(" at") else f"{exc.msg} at {place}"
    cut_short = exc.msg.startswith("Unterminated string") or exc.pos >= len(exc.doc.rstrip())
    if whole_file and cut_short:
        return f"{said}; the text ends before it is complete, so the file was probably cut short"
    return said


class ContentError(ValueError):
    """Something stored inside a file is wrong; the message says what and where.

    Raised while converting rows; ``open_project`` turns it into a
    ProjectFileError that also names the file.
    """


class DamagedFileError(ProjectFileError):
    """A file whose content no longer matches the digest recorded when it was saved.

    ``salvage`` is what could still be read (an ``OpenedProject``), for the
    user to look at read-only, or None when nothing could. The message says
    that the file was damaged after it was saved and how.
    """

    def __init__(self, message: str, path: str | Path | None = None, salvage=None):
        super().__init__(message, path)
        self.salvage = salvage


DAMAGED = "this file was damaged after it was saved"

"""The one exception the store raises for files it cannot read or write."""
from __future__ import annotations

from pathlib import Path


class ProjectFileError(Exception):
    """A project file cannot be opened, saved, imported or exported.

    ``str(error)`` is the message for the user: it names the file and says
    what is wrong with it in words an architect can act on. ``path`` is the
    file concerned, when there is one.
    """

    def __init__(self, message: str, path: str | Path | None = None):
        super().__init__(message)
        self.path = Path(path) if path is not None else None


def cannot_open(path: str | Path, reason: str) -> ProjectFileError:
    """``Cannot open NAME: reason``."""
    return ProjectFileError(f"Cannot open {Path(path).name}: {reason}", path)


def cannot_save(path: str | Path, reason: str) -> ProjectFileError:
    """``Cannot save NAME: reason``."""
    return ProjectFileError(f"Cannot save {Path(path).name}: {reason}", path)


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

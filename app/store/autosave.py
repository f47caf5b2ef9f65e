"""Recovery copies of open projects, offered at the next start after a crash.

The editor keeps one ``Autosave`` per open project and calls ``write()``
from a timer while there are unsaved changes, and ``discard()`` after a
clean save or when the project is closed. At start-up,
``pending_recoveries()`` lists the copies that no running Faultline owns:
what a crash left behind.

Each copy is a project file ``<token>.faultline`` beside ``<token>.json``,
which says which file it recovers and which process wrote it.
"""
from __future__ import annotations

import dataclasses
import json
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from engine.model import Project

from . import schema
from .errors import ProjectFileError
from .fileio import FileStamp, atomic_write, parse_header, read_head
from .migrations import version_problem
from .paths import user_data_dir
from .processes import process_alive
from .project_file import OpenedProject, open_project, save_project
from .runs import SavedRun

# Tokens of the Autosave objects alive in this process: never offered back to it.
_LIVE_TOKENS: set[str] = set()


def default_recovery_dir() -> Path:
    """``recovery`` in the user's data directory: where copies go unless a directory is given."""
    return user_data_dir() / "recovery"


def _process_alive(pid: int) -> bool:
    # This process's own copies are known by their tokens; a pid equal to ours is an earlier life.
    return pid != os.getpid() and process_alive(pid)


@dataclass(frozen=True)
class Recovery:
    """A recovery copy left behind by a session that did not end cleanly."""

    path: Path
    info_path: Path
    original: Path | None
    project_name: str
    written: datetime  # from the copy's file time when its note lacks one
    # What the original file looked like to the session that crashed: a later change by someone
    # else is then noticed when the recovered work is saved over it.
    original_stamp: FileStamp | None = None

    def open(self) -> OpenedProject:
        """The recovered project (raises ProjectFileError if the copy itself is damaged)."""
        return open_project(self.path)

    def version_problem(self) -> str | None:
        """Why this version cannot read the copy at all (a newer Faultline wrote it), or None.

        Such a copy is kept, not offered: the version that wrote it can still recover it.
        """
        try:
            header = parse_header(read_head(self.path), self.path, complete=False)
        except ProjectFileError:
            return None  # damaged: opening it says so
        found = header.user_version
        return version_problem(found) if found > schema.SCHEMA_VERSION else None

    def discard(self) -> None:
        """Delete the copy (after it was restored and saved, or declined)."""
        for p in (self.info_path, self.path):
            try:
                p.unlink()
            except FileNotFoundError:
                pass


class Autosave:
    """The periodic recovery copy of one open project.

    ``directory`` defaults to ``recovery`` in the user's data directory.
    The saved runs passed to ``write`` are part of the copy, since they are
    the user's work too; ``include_runs=False`` leaves them out when a copy
    must stay small.
    """

    def __init__(self, directory: str | os.PathLike | None = None):
        self.directory = Path(directory) if directory is not None else default_recovery_dir()
        self.token = uuid.uuid4().hex
        _LIVE_TOKENS.add(self.token)

    @property
    def path(self) -> Path:
        """The recovery copy (a project file)."""
        return self.directory / f"{self.token}.faultline"

    @property
    def info_path(self) -> Path:
        """The note beside the copy: the file it recovers, when and by which process."""
        return self.directory / f"{self.token}.json"

    def write(self, project: Project, original: str | os.PathLike | None = None,
              runs: Iterable[SavedRun] = (), include_runs: bool = True,
              original_stamp: FileStamp | None = None) -> Path:
        """Write (or overwrite) the recovery copy; ``original`` is the file it stands in for, if any,
        as ``original_stamp`` says it looked when it was opened or last saved."""
        _LIVE_TOKENS.add(self.token)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._cannot_write(project, str(exc.strerror or exc)) from None
        info = {
            "original": os.path.abspath(original) if original is not None else None,
            "project": project.name,
            "written": datetime.now(UTC).isoformat(),
            "pid": os.getpid(),
            "original_stamp": dataclasses.asdict(original_stamp) if original_stamp is not None else None,
        }
        try:
            save_project(self.path, project, runs, include_runs=include_runs)
            atomic_write(self.info_path, json.dumps(info, indent=2, ensure_ascii=False).encode("utf-8"))
        except ProjectFileError as exc:
            raise self._cannot_write(project, exc.reason) from None
        return self.path

    def _cannot_write(self, project: Project, reason: str) -> ProjectFileError:
        # The copy's own name (a token) means nothing to the user: say what it is and where.
        return ProjectFileError(f"Cannot write the recovery copy of “{project.name}” in {self.directory}: {reason}",
                                self.directory, reason)

    def discard(self) -> None:
        """Remove the copy: call after a clean save, and when the project is closed."""
        for p in (self.info_path, self.path):
            try:
                p.unlink()
            except FileNotFoundError:
                pass

    def close(self) -> None:
        """Remove the copy and stop counting this session as alive."""
        self.discard()
        _LIVE_TOKENS.discard(self.token)


def _read_info(path: Path) -> dict:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    return info if isinstance(info, dict) else {}


def _stamp(value: object) -> FileStamp | None:
    if not isinstance(value, dict):
        return None
    size, mtime_ns, sha256 = value.get("size"), value.get("mtime_ns"), value.get("sha256")
    if not (isinstance(size, int) and isinstance(mtime_ns, int) and isinstance(sha256, str)):
        return None
    return FileStamp(size, mtime_ns, sha256)


def pending_recoveries(directory: str | os.PathLike | None = None) -> list[Recovery]:
    """Recovery copies no running Faultline owns (left by a crash), newest first."""
    directory = Path(directory) if directory is not None else default_recovery_dir()
    if not directory.is_dir():
        return []
    found = []
    for copy in directory.glob("*.faultline"):
        token = copy.stem
        if token in _LIVE_TOKENS:
            continue
        info_path = copy.with_suffix(".json")
        info = _read_info(info_path)
        pid = info.get("pid")
        if isinstance(pid, int) and not isinstance(pid, bool) and _process_alive(pid):
            continue
        original = info.get("original")
        written = None
        if isinstance(info.get("written"), str):
            try:
                written = datetime.fromisoformat(info["written"])
            except ValueError:
                written = None
        if written is None:
            written = datetime.fromtimestamp(copy.stat().st_mtime, UTC)
        elif written.tzinfo is None:
            written = written.replace(tzinfo=UTC)
        name = info.get("project")
        found.append(Recovery(
            path=copy,
            info_path=info_path,
            original=Path(original) if isinstance(original, str) and original else None,
            project_name=name if isinstance(name, str) else copy.stem,
            written=written,
            original_stamp=_stamp(info.get("original_stamp")),
        ))
    found.sort(key=lambda r: r.written, reverse=True)
    return found

"""The list of recently opened and saved project files."""
from __future__ import annotations

import json
import os
from pathlib import Path

from .errors import ProjectFileError
from .fileio import atomic_write
from .paths import user_data_dir

FILE_NAME = "recent.json"


def _key(path: Path) -> str:
    return os.path.normcase(str(path))


class RecentFiles:
    """Project files the user opened or saved, newest first, kept in ``recent.json``.

    ``directory`` defaults to the user's data directory; tests pass their
    own. A missing or unreadable list reads as empty: it is a convenience,
    never a reason to fail. Writing it raises ProjectFileError like any save.
    """

    def __init__(self, directory: str | os.PathLike | None = None, limit: int = 10):
        self.directory = Path(directory) if directory is not None else user_data_dir()
        self.limit = limit

    @property
    def file(self) -> Path:
        """The JSON file holding the list."""
        return self.directory / FILE_NAME

    def paths(self) -> list[Path]:
        """Every remembered path, newest first, whether or not it still exists."""
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return []
        entries = data.get("recent") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            return []
        return [Path(p) for p in entries if isinstance(p, str) and p][: self.limit]

    def existing(self) -> list[Path]:
        """The remembered paths that still lead to a file, newest first."""
        return [p for p in self.paths() if p.is_file()]

    def add(self, path: str | os.PathLike) -> None:
        """Put ``path`` first (moving it up if it is already listed)."""
        path = Path(os.path.abspath(path))
        known = self.paths()
        if known and known[0] == path:
            return  # already first: every save of the open file would rewrite (and fsync) the list
        rest = [p for p in known if _key(p) != _key(path)]
        self._write([path] + rest)

    def remove(self, path: str | os.PathLike) -> None:
        """Forget ``path`` (say, after it failed to open)."""
        path = Path(os.path.abspath(path))
        self._write([p for p in self.paths() if _key(p) != _key(path)])

    def clear(self) -> None:
        """Forget every path."""
        self._write([])

    def _write(self, paths: list[Path]) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ProjectFileError(f"Cannot keep the recent files list in {self.directory} ({exc.strerror or exc})",
                                   self.directory) from None
        text = json.dumps({"recent": [str(p) for p in paths[: self.limit]]}, indent=2, ensure_ascii=False)
        atomic_write(self.file, text.encode("utf-8"))

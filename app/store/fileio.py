"""The file itself: reading it whole, checking its header, a hardened in-memory copy, atomic writes.

A project file is read into memory in one go and closed before anything in
it is interpreted, so opening works from read-only places and never leaves
a journal or lock beside the file. SQLite then works on an in-memory copy
(``Connection.deserialize``) with extensions off, untrusted-schema mode,
a cap on the size of any value, and no writes allowed.

Saving writes the complete new file beside the target under a temporary
name, flushes it to disk, checks it, renames it over the target and
flushes the directory: after a crash at any moment the target is either
the old file or the new one.

A save that dies leaves its temporary file behind. The name carries the
writer's machine and process id, and on POSIX the writer holds a lock on
it until the rename, so the next open or save of the same file removes the
temporary files of writers that are gone and never one still being
written, by this process, another Faultline or another machine.
"""
from __future__ import annotations

import glob
import hashlib
import os
import re
import secrets
import socket
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from . import limits
from .errors import ContentError, cannot_open, cannot_save
from .limits import describe_size
from .processes import process_alive

try:
    import fcntl
except ImportError:  # Windows: a file being written cannot be deleted there anyway
    fcntl = None  # type: ignore[assignment]

SQLITE_MAGIC = b"SQLite format 3\x00"
HEADER_SIZE = 100
TEMP_SUFFIX = ".saving"
# A temporary file without a writer's name this old was left by a save that died.
STALE_TEMP_SECONDS = 15 * 60
# A temporary file written this recently may be another machine's save under way (its pid means
# nothing here, and a shared drive may not pass locks on).
YOUNG_TEMP_SECONDS = 60
# The machine in temporary names: a short hash, since host names may hold any character.
HOST_TAG = hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]
_TEMP_NAME = re.compile(r"([0-9a-f]{8})-([0-9]{1,10})-[0-9a-f]{12}")


@dataclass(frozen=True)
class Header:
    """What the 100-byte SQLite header says, read without SQLite."""

    page_size: int
    page_count: int | None
    wal: bool
    user_version: int
    application_id: int


@dataclass(frozen=True)
class FileStamp:
    """What a file on disk looked like when Faultline last read or wrote it.

    Size and modification time notice a change cheaply; the SHA-256 of the
    bytes decides, so a file touched but not changed is not reported.
    """

    size: int
    mtime_ns: int
    sha256: str

    def changed(self, path: str | os.PathLike) -> bool:
        """Whether ``path`` now holds something else than this stamp records (or nothing)."""
        try:
            info = os.stat(path)
        except OSError:
            return True
        if (info.st_size, info.st_mtime_ns) == (self.size, self.mtime_ns):
            return False
        if info.st_size != self.size:
            return True
        try:
            with open(path, "rb") as f:
                return hashlib.file_digest(f, "sha256").hexdigest() != self.sha256
        except OSError:
            return True


def stamp_of(path: str | os.PathLike, data: bytes) -> FileStamp | None:
    """The stamp of ``path``, which was just read or written as ``data``; None if it cannot be seen."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return FileStamp(info.st_size, info.st_mtime_ns, hashlib.sha256(data).hexdigest())


def _missing(path: Path) -> str:
    """Why ``path`` is not there: a recent file on a drive that is not connected lacks its whole folder."""
    folder = Path(os.path.abspath(path)).parent
    return "there is no such file" if folder.is_dir() else f"the folder {folder} does not exist"


def read_whole(path: Path, limit: int | None = None) -> bytes:
    """The bytes of ``path``, refusing missing files, folders and files over ``limit``."""
    limit = limits.MAX_FILE_BYTES if limit is None else limit
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise cannot_open(path, "it is a folder, not a file")
        if info.st_size > limit:
            raise cannot_open(path, f"it is {describe_size(info.st_size)}, more than a project file may be "
                                    f"({describe_size(limit)})")
        with open(path, "rb") as f:
            data = f.read(limit + 1)
    except FileNotFoundError:
        raise cannot_open(path, _missing(path)) from None
    except PermissionError:
        raise cannot_open(path, "you do not have permission to read it") from None
    except OSError as exc:
        raise cannot_open(path, f"it cannot be read ({exc.strerror or exc})") from None
    if len(data) > limit:  # grew while being read
        raise cannot_open(path, f"it is more than a project file may be ({describe_size(limit)})")
    return data


def read_head(path: Path) -> bytes:
    """The first bytes of a file, with the store's messages for a missing or unreadable one."""
    try:
        with open(path, "rb") as f:
            return f.read(HEADER_SIZE)
    except FileNotFoundError:
        raise cannot_open(path, _missing(path)) from None
    except IsADirectoryError:
        raise cannot_open(path, "it is a folder, not a file") from None
    except PermissionError:
        raise cannot_open(path, "you do not have permission to read it") from None
    except OSError as exc:
        raise cannot_open(path, f"it cannot be read ({exc.strerror or exc})") from None


def is_sqlite(data: bytes) -> bool:
    """Whether ``data`` starts like an SQLite database (a project file rather than JSON)."""
    return data.startswith(SQLITE_MAGIC)


def parse_header(data: bytes, path: Path, complete: bool = True) -> Header:
    """Check what can be checked from the header alone; raise with the reason otherwise.

    ``data`` is the whole file, or with ``complete`` false only its start,
    in which case the length checks are left for later.
    """
    if not data:
        raise cannot_open(path, "the file is empty")
    if not is_sqlite(data):
        hint = ""
        if data.lstrip()[:1] in (b"{", b"["):
            hint = "; it looks like JSON, which Faultline imports with Import or `convert`"
        raise cannot_open(path, f"it is not a Faultline project (not an SQLite database){hint}")
    if len(data) < HEADER_SIZE:
        raise cannot_open(path, f"it is cut short ({len(data)} bytes, less than an SQLite header)")
    page_size = int.from_bytes(data[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise cannot_open(path, f"it is damaged (its header gives an impossible page size, {page_size})")
    page_count: int | None = int.from_bytes(data[28:32], "big")
    # The in-header size is only valid if "version-valid-for" matches the change counter.
    if data[92:96] != data[24:28] or page_count == 0:
        page_count = None
    header = Header(
        page_size=page_size,
        page_count=page_count,
        wal=data[18] == 2 or data[19] == 2,
        user_version=int.from_bytes(data[60:64], "big", signed=True),
        application_id=int.from_bytes(data[68:72], "big", signed=True),
    )
    if not complete:
        return header
    expected = page_count * page_size if page_count else None
    if expected is not None and len(data) < expected:
        raise cannot_open(path, f"it is cut short ({len(data):,} bytes of the {expected:,} it should have); "
                                "it was probably not copied or downloaded completely")
    if len(data) % page_size:
        raise cannot_open(path, f"it is cut short or padded ({len(data):,} bytes is not a whole number of "
                                f"{page_size}-byte pages)")
    return header


def _limit(conn: sqlite3.Connection, name: str, value: int) -> None:
    category = getattr(sqlite3, name, None)
    if category is not None:
        conn.setlimit(category, value)


def harden(conn: sqlite3.Connection) -> None:
    """Settings under which SQL in an untrusted file cannot reach beyond plain data."""
    if hasattr(conn, "enable_load_extension"):
        conn.enable_load_extension(False)
    _limit(conn, "SQLITE_LIMIT_LENGTH", limits.MAX_VALUE_BYTES)
    _limit(conn, "SQLITE_LIMIT_ATTACHED", 0)
    # Functions in a schema (defaults, checks, indexes) run only if harmless; trigger and
    # view bodies are refused before anything is read.
    conn.execute("PRAGMA trusted_schema = OFF")
    conn.execute("PRAGMA cell_size_check = ON")
    conn.execute("PRAGMA mmap_size = 0")
    conn.execute("PRAGMA query_only = ON")


def require_serialize(conn: sqlite3.Connection) -> None:
    """Faultline reads and writes files through SQLite's serialize API (SQLite 3.36 and later)."""
    if not hasattr(conn, "deserialize"):
        raise ContentError(f"this Python's SQLite ({sqlite3.sqlite_version}) lacks the serialize API "
                           "Faultline needs (SQLite 3.36 or later)")


@contextmanager
def memory_copy(data: bytes) -> Iterator[sqlite3.Connection]:
    """An in-memory, hardened SQLite database holding ``data``; closed on exit."""
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    try:
        require_serialize(conn)
        harden(conn)
        conn.deserialize(data)
        harden(conn)
        yield conn
    finally:
        conn.close()


# -- writing -----------------------------------------------------------------

def resolve_target(path: str | os.PathLike) -> Path:
    """The real file a save to ``path`` replaces (through symlinks), checked to be writable there."""
    target = Path(os.path.realpath(os.fspath(path)))
    if target.is_dir():
        raise cannot_save(target, "it is a folder")
    if not target.parent.is_dir():
        raise cannot_save(target, f"the folder {target.parent} does not exist")
    if is_read_only(target):
        # The new file is renamed over the old one, which the folder allows whatever the file's own
        # permission: a file someone marked read-only would be replaced all the same.
        raise cannot_save(target, "the file is marked read-only; save under another name, or make the file "
                                  "writable first")
    return target


def is_read_only(path: Path) -> bool:
    """Whether an existing file is marked read-only (for everyone, or for this user)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (mode & stat.S_IWUSR) or not os.access(path, os.W_OK)


def temp_name(target: Path, pid: int | None = None) -> Path:
    """A fresh temporary name beside ``target`` naming this machine and the writing process."""
    pid = os.getpid() if pid is None else pid
    return target.with_name(f".{target.name}.{HOST_TAG}-{pid}-{secrets.token_hex(6)}{TEMP_SUFFIX}")


def _open_temp(target: Path) -> tuple[int, Path]:
    while True:
        temp = temp_name(target)
        try:
            # 0o666 lets the user's umask decide, as for any new file.
            return os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666), temp
        except FileExistsError:
            continue


def _lock(path: Path) -> int | None:
    """A descriptor holding an exclusive lock on ``path``, or None if another holds it (POSIX only)."""
    if fcntl is None:
        return -1
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def _unlock(fd: int | None) -> None:
    if fd is not None and fd >= 0:
        os.close(fd)


def fsync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable (POSIX; Windows has no directory handles to flush)."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(target: Path, data: bytes, verify: Callable[[Path], None] | None = None) -> FileStamp | None:
    """Replace ``target`` by ``data`` so that a crash leaves the old or the new file, never a mix.

    ``verify(temp_path)`` runs on the flushed new file before the rename and
    may raise to abandon the save; the old file is then untouched. Returns
    the stamp of the new file.
    """
    try:
        fd, temp = _open_temp(target)
    except PermissionError:
        raise cannot_save(target, f"you do not have permission to write in {target.parent}") from None
    except OSError as exc:
        raise cannot_save(target, f"a file cannot be created in {target.parent} ({exc.strerror or exc})") from None
    held = _lock(temp)  # until the rename: a cleaner that cannot take it knows the save is alive
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        with suppress(FileNotFoundError):
            os.chmod(temp, stat.S_IMODE(os.stat(target).st_mode))
        if verify is not None:
            verify(temp)
        os.replace(temp, target)
    except BaseException as exc:
        with suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, OSError):
            raise cannot_save(target, f"{exc.strerror or exc}; the previous version is untouched") from None
        raise
    finally:
        _unlock(held)
    fsync_directory(target.parent)
    remove_stale_temps(target)
    return stamp_of(target, data)


def save_file(path: str | os.PathLike, data: bytes) -> Path:
    """Write an export (a report, a picture, a table) to ``path`` as a project is saved: the old
    file or the new one whatever happens, and a ProjectFileError naming the file and the cause."""
    atomic_write(resolve_target(path), data)
    return Path(path)


def _writer_gone(temp: Path, now: float) -> bool:
    """Whether nobody can still be writing ``temp`` (judged from its name and age; the lock decides last)."""
    age = now - temp.stat().st_mtime
    found = _TEMP_NAME.fullmatch(temp.name[: -len(TEMP_SUFFIX)].rsplit(".", 1)[-1])
    if found is None:
        return age > STALE_TEMP_SECONDS  # named before writers signed their files
    host, pid = found.group(1), int(found.group(2))
    if host != HOST_TAG or pid == os.getpid():
        return age > YOUNG_TEMP_SECONDS
    return not process_alive(pid)


def remove_stale_temps(target: Path, now: float | None = None) -> list[Path]:
    """Delete the temporary files of saves of ``target`` whose writer is gone; return what was removed.

    A temporary file is kept while its writing process runs on this machine,
    while a writer holds its lock, and for a while after its last write
    when it comes from another machine or from this process.
    """
    now = time.time() if now is None else now
    removed = []
    for temp in target.parent.glob(f".{glob.escape(target.name)}.*{TEMP_SUFFIX}"):
        try:
            if not _writer_gone(temp, now):
                continue
            held = _lock(temp)
            if held is None:
                continue
            try:
                temp.unlink()
            finally:
                _unlock(held)
            removed.append(temp)
        except OSError:
            continue
    return removed

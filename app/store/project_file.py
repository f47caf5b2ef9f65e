"""Opening and saving ``.faultline`` project files."""
from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from sqlalchemy import create_engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

from engine.model import DesignError, Project

from . import limits, migrations, schema
from .convert import project_to_rows, rows_to_project
from .digest import digest_problem, write_digest
from .errors import DAMAGED, ContentError, DamagedFileError, ProjectFileError, cannot_open, cannot_save
from .fileio import (
    FileStamp,
    Header,
    atomic_write,
    memory_copy,
    parse_header,
    read_head,
    read_whole,
    remove_stale_temps,
    require_serialize,
    resolve_target,
    stamp_of,
)
from .runs import SavedRun
from .shape import check_shape

# How each table is read back: parents first, children in their saved order.
_ORDER = {
    "project": ("pk",),
    "design": ("project_pk", "ord"),
    "component": ("design_pk", "ord"),
    "workload": ("component_pk",),
    "policy": ("component_pk", "ord"),
    "link": ("design_pk", "ord"),
    "experiment": ("design_pk", "ord"),
    "fault": ("experiment_pk", "ord"),
    "run": ("ord",),
    "run_array": ("run_pk", "ord"),
}

# (table, parent column, limit, what one row is, what the parent is)
_COUNT_LIMITS = (
    ("design", None, limits.MAX_DESIGNS, "designs", "the project"),
    ("component", "design_pk", limits.MAX_COMPONENTS_PER_DESIGN, "components", "a design"),
    ("link", "design_pk", limits.MAX_LINKS_PER_DESIGN, "links", "a design"),
    ("experiment", "design_pk", limits.MAX_EXPERIMENTS_PER_DESIGN, "experiments", "a design"),
    ("fault", "experiment_pk", limits.MAX_FAULTS_PER_EXPERIMENT, "faults", "an experiment"),
    ("policy", "component_pk", limits.MAX_POLICIES_PER_COMPONENT, "policies", "a component"),
    ("run", None, limits.MAX_RUNS, "saved runs", "the project"),
    ("run_array", "run_pk", limits.MAX_ARRAYS_PER_RUN, "arrays", "a saved run"),
)
_PARAMS_TABLES = ("component", "workload", "policy", "fault")


def _written_by() -> str:
    from engine.version import __version__

    return __version__


@dataclass
class OpenedProject:
    """A project file read into memory: the project, its saved runs, and where they came from.

    ``schema_version`` is the schema the file was written with (older files
    are migrated in memory; the next save writes the current schema), and
    ``written_by`` the Faultline version that saved it. ``stamp`` is what the
    file on disk looked like when it was read (to notice a later change by
    someone else), and ``damaged`` is set on what is left of a file that no
    longer matches its digest.
    """

    project: Project
    runs: list[SavedRun] = field(default_factory=list)
    path: Path | None = None
    schema_version: int = schema.SCHEMA_VERSION
    written_by: str = ""
    stamp: FileStamp | None = None
    damaged: bool = False


# -- opening -------------------------------------------------------------------

def open_project(path: str | os.PathLike) -> OpenedProject:
    """Read a ``.faultline`` file into memory and close it.

    Raises ProjectFileError, whose message names the file and the problem,
    for anything that is not a readable Faultline project: a missing file,
    another format, a truncated or damaged file, a newer schema, content
    that breaks the model, or a file altered to carry SQL of its own.
    """
    path = Path(path)
    # Judge the header first, so a large file of another kind is not read whole for nothing.
    _check_identity(parse_header(read_head(path), path, complete=False), path)
    data = read_whole(path)
    remove_stale_temps(path.resolve())
    return load_bytes(data, path)


def load_bytes(data: bytes, path: Path) -> OpenedProject:
    """Interpret the bytes of a project file; ``path`` is only used in messages.

    A file whose content does not match its digest raises DamagedFileError,
    which carries what could still be read.
    """
    header = parse_header(data, path)
    _check_identity(header, path)
    damage = None
    try:
        with memory_copy(data) as conn:
            # SQLite's own reports quote damaged names; read them leniently, the data strictly.
            conn.text_factory = _lenient_text
            # Before the integrity check, which would run any CHECK constraint a forged schema carries.
            check_shape(conn, header.user_version)
            _check_integrity(conn)
            conn.text_factory = str
            damage = digest_problem(conn, header.user_version)
            if header.user_version < schema.SCHEMA_VERSION:
                # The only writes ever made to a file's content: upgrading the in-memory copy.
                conn.execute("PRAGMA query_only = OFF")
                migrations.upgrade(conn, header.user_version)
                conn.execute("PRAGMA query_only = ON")
            _check_sizes(conn)
            rows = _read_rows(conn)
        project, runs = rows_to_project(rows)
    except ProjectFileError:
        raise
    except (ContentError, DesignError) as exc:
        raise _unreadable(path, damage, str(exc)) from None
    except (sqlite3.Error, SQLAlchemyError, UnicodeDecodeError) as exc:
        raise _unreadable(path, damage, f"it is damaged ({_sql_message(exc)})") from None
    except MemoryError:
        raise cannot_open(path, "it is too large to open in the memory available") from None
    written_by = rows["project"][0]["written_by"]
    opened = OpenedProject(project, runs, path, header.user_version,
                           written_by if isinstance(written_by, str) else "", stamp_of(path, data))
    if damage is not None:
        opened.damaged = True
        raise DamagedFileError(
            f"Cannot open {path.name}: {DAMAGED}: {damage}, so names or numbers in it may have changed",
            path, salvage=opened)
    return opened


def _unreadable(path: Path, damage: str | None, reason: str) -> ProjectFileError:
    if damage is None:
        return cannot_open(path, reason)
    return DamagedFileError(f"Cannot open {path.name}: {DAMAGED}: {damage}, and what is left cannot be read "
                            f"({reason})", path)


def _check_identity(header: Header, path: Path) -> None:
    """A Faultline file of a schema this version reads, in rollback-journal mode."""
    if header.application_id != schema.APPLICATION_ID:
        raise cannot_open(path, "it is an SQLite database but not a Faultline project "
                                f"(its application id is {header.application_id:#010x}, "
                                f"not {schema.APPLICATION_ID:#010x})")
    problem = migrations.version_problem(header.user_version)
    if problem:
        raise cannot_open(path, problem)
    if header.wal:
        raise cannot_open(path, "another program switched it to SQLite's write-ahead log, which Faultline files "
                                "never use; its latest changes may be in a separate -wal file")


def _lenient_text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _sql_message(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc)
    return (text.splitlines() or [type(exc).__name__])[0][:200]


def _check_integrity(conn: sqlite3.Connection) -> None:
    result = [row[0] for row in conn.execute("PRAGMA integrity_check(3)")]
    if result != ["ok"]:
        raise ContentError(f"it is damaged (SQLite integrity check: {'; '.join(str(r) for r in result)[:300]})")


def _check_sizes(conn: sqlite3.Connection) -> None:
    """Refuse absurd sizes before reading rows, so a forged file cannot exhaust memory."""
    for table, parent, limit, what, owner in _COUNT_LIMITS:
        group = f" GROUP BY {parent}" if parent else ""
        top = conn.execute(f"SELECT max(n) FROM (SELECT count(*) AS n FROM {table}{group})").fetchone()[0] or 0
        if top > limit:
            raise ContentError(f"{owner} in it has {top:,} {what}, more than the {limit:,} a project may hold")
    for table in _PARAMS_TABLES:
        top = conn.execute(f"SELECT max(length(CAST(params AS BLOB))) FROM {table}").fetchone()[0] or 0
        if top > limits.MAX_PARAMS_BYTES:
            raise ContentError(f"a {table} in it has {limits.describe_size(top)} of parameters, more than "
                               f"the {limits.describe_size(limits.MAX_PARAMS_BYTES)} a project may hold")
    total = conn.execute(
        "SELECT sum(CAST(rows AS REAL) * coalesce(cols, 1) * 8) FROM run_array"
    ).fetchone()[0] or 0
    if total > limits.MAX_DECODED_BYTES:
        raise ContentError(f"its saved runs claim {limits.describe_size(total)} of results, more than "
                           f"the {limits.describe_size(limits.MAX_DECODED_BYTES)} a project may hold")
    text = conn.execute(
        "SELECT sum(length(CAST(meta AS BLOB)) + length(CAST(summary AS BLOB)) + length(CAST(components AS BLOB))"
        " + length(CAST(links AS BLOB))) FROM run"
    ).fetchone()[0] or 0
    if text > limits.MAX_DECODED_JSON_BYTES:
        raise ContentError(f"its saved runs hold {limits.describe_size(text)} of text, more than "
                           f"the {limits.describe_size(limits.MAX_DECODED_JSON_BYTES)} a project may hold")


def _read_rows(conn: sqlite3.Connection) -> dict[str, list[Mapping[str, Any]]]:
    engine = create_engine("sqlite://", creator=lambda: conn, poolclass=StaticPool)
    try:
        with engine.connect() as c:
            # A select of a table's columns is keyed by their names: RowMapping's wider key type
            # (str or column) does not apply here.
            return {
                table.name: cast(list[Mapping[str, Any]], list(c.execute(
                    select(table).order_by(*(table.c[col] for col in _ORDER[table.name]))
                ).mappings()))
                for table in schema.TABLES
            }
    finally:
        # The pool must not close the caller's connection twice; memory_copy closes it.
        engine.dispose(close=False)


# -- saving --------------------------------------------------------------------

def build_file(project: Project, runs: Iterable[SavedRun] = ()) -> bytes:
    """The bytes of a complete project file (schema, pragmas and rows); ContentError if unstorable."""
    rows = project_to_rows(project, runs, _written_by())
    raw = sqlite3.connect(":memory:", check_same_thread=False)
    try:
        require_serialize(raw)
        raw.execute("PRAGMA foreign_keys = ON")
        raw.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
        raw.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION}")
        engine = create_engine("sqlite://", creator=lambda: raw, poolclass=StaticPool)
        try:
            with engine.begin() as conn:
                schema.metadata.create_all(conn)
                for table in schema.TABLES:
                    if rows[table.name]:
                        conn.execute(table.insert(), rows[table.name])
        finally:
            engine.dispose(close=False)
        # Computed from the rows as stored, by the code that checks it on open.
        write_digest(raw)
        raw.commit()
        return raw.serialize()
    finally:
        raw.close()


def verify_file(path: Path) -> None:
    """Check a freshly written file as read back from disk: header, integrity, references."""
    data = path.read_bytes()
    header = parse_header(data, path)
    if header.application_id != schema.APPLICATION_ID or header.user_version != schema.SCHEMA_VERSION:
        raise ContentError("the new file's header is not what was written")
    with memory_copy(data) as conn:
        check_shape(conn, schema.SCHEMA_VERSION)
        _check_integrity(conn)
        dangling = conn.execute("PRAGMA foreign_key_check").fetchone()
        if dangling is not None:
            raise ContentError(f"the new file has a dangling reference in table {dangling[0]}")
        damage = digest_problem(conn, schema.SCHEMA_VERSION)
        if damage is not None:
            raise ContentError(f"the new file as read back from disk: {damage}")


def save_project(path: str | os.PathLike, project: Project, runs: Iterable[SavedRun] = (),
                 include_runs: bool = True) -> FileStamp | None:
    """Save ``project`` (and ``runs`` unless ``include_runs`` is false) to ``path``, atomically.

    The complete new file is written beside the target, flushed, checked
    with SQLite's integrity check and renamed over the old one, so a crash
    or power cut at any moment leaves the old file or the new one. Raises
    ProjectFileError, naming what could not be stored, and leaves the old
    file untouched in that case. Returns the stamp of the new file.
    """
    target = resolve_target(path)
    try:
        data = build_file(project, runs if include_runs else ())
    except ContentError as exc:
        raise cannot_save(target, str(exc)) from None
    except (UnicodeEncodeError, sqlite3.Error, SQLAlchemyError) as exc:
        raise cannot_save(target, f"the project holds something that cannot be stored ({_sql_message(exc)})") from None

    def verify(temp: Path) -> None:
        try:
            verify_file(temp)
        except (ContentError, ProjectFileError, sqlite3.Error) as exc:
            raise cannot_save(target,
                              f"the new file failed its check ({exc}); the previous version is untouched") from None

    return atomic_write(target, data, verify)

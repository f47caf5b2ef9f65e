"""Schema versions and the steps between them.

A file's ``PRAGMA user_version`` is its schema version. Opening an older
file upgrades the in-memory copy one version at a time, each step a function
of the connection registered in ``MIGRATIONS`` under the version it starts
from; the file on disk is left as it is until the next save writes the
current schema. A step never edits an older step: changing the saved shape
means adding a version, and a fixture file of every version in
``tests/fixtures`` proves each one still opens.

Schema 1 is the first; schema 2 adds the table of the content digest,
which a migrated schema 1 file leaves empty (it was saved without one).
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping

from . import schema
from .errors import ContentError

Step = Callable[[sqlite3.Connection], None]

# The oldest schema this version can still read (by migrating it).
OLDEST_SCHEMA_VERSION = 1


def _add_digest_table(conn: sqlite3.Connection) -> None:
    # Frozen text: exactly the table schema 2 defines, so the migrated copy has schema 2's shape.
    conn.execute("CREATE TABLE file_digest (\n\tpk INTEGER NOT NULL, \n\talgorithm TEXT NOT NULL, "
                 "\n\tvalue TEXT NOT NULL, \n\tPRIMARY KEY (pk)\n)")


# Step from version N to N + 1, keyed by N.
MIGRATIONS: dict[int, Step] = {1: _add_digest_table}


def version_problem(found: int) -> str | None:
    """Why a file of schema ``found`` cannot be read, or None when it can."""
    if found > schema.SCHEMA_VERSION:
        return f"made with a newer Faultline (schema {found}); this version reads up to {schema.SCHEMA_VERSION}"
    if found < OLDEST_SCHEMA_VERSION:
        if found <= 0:
            return "it has no schema version, so it was never completely written by Faultline"
        return (f"it has schema {found}, older than this version can read "
                f"(schema {OLDEST_SCHEMA_VERSION} to {schema.SCHEMA_VERSION})")
    return None


def upgrade(conn: sqlite3.Connection, found: int, target: int | None = None,
            steps: Mapping[int, Step] | None = None) -> int:
    """Run the steps from schema ``found`` up to ``target`` (the current schema) and return it.

    Each step runs inside a savepoint and is followed by setting
    ``user_version``, so a failing step leaves the connection at the last
    version that completed.
    """
    target = schema.SCHEMA_VERSION if target is None else target
    steps = MIGRATIONS if steps is None else steps
    for version in range(found, target):
        step = steps.get(version)
        if step is None:
            raise ContentError(f"this version has no migration from schema {version} to {version + 1}")
        conn.execute("SAVEPOINT faultline_migrate")
        try:
            step(conn)
            conn.execute(f"PRAGMA user_version = {int(version) + 1}")
        except sqlite3.Error as exc:
            conn.execute("ROLLBACK TO faultline_migrate")
            conn.execute("RELEASE faultline_migrate")
            raise ContentError(f"migrating it from schema {version} to {version + 1} failed ({exc})") from None
        conn.execute("RELEASE faultline_migrate")
    return target

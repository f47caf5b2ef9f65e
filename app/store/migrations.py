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
Schema 3 keeps the tables of schema 2, but a policy's ``scope`` and a fault's
``target`` hold the id of the component (or link) they mean, where schema 2
held its name, and designs are of format 2.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping

from engine.model.refs import link_name, normalise_link_name

from . import schema
from .errors import ContentError

Step = Callable[[sqlite3.Connection], None]

# The oldest schema this version can still read (by migrating it).
OLDEST_SCHEMA_VERSION = 1


def _add_digest_table(conn: sqlite3.Connection) -> None:
    # Frozen text: exactly the table schema 2 defines, so the migrated copy has schema 2's shape.
    conn.execute("CREATE TABLE file_digest (\n\tpk INTEGER NOT NULL, \n\talgorithm TEXT NOT NULL, "
                 "\n\tvalue TEXT NOT NULL, \n\tPRIMARY KEY (pk)\n)")


def _refer_by_id(conn: sqlite3.Connection) -> None:
    # A name two components of a draft share means the first, as it did in schema 2; a name that
    # means nothing stays as it is, and the design's checks say so, by name.
    for (design_pk,) in conn.execute("SELECT pk FROM design").fetchall():
        by_name: dict[str, str] = {}
        for cid, name in conn.execute("SELECT id, name FROM component WHERE design_pk = ? ORDER BY ord",
                                      (design_pk,)):
            by_name.setdefault(name, cid)
        link_by_name: dict[str, str] = {}
        for lid, source, target in conn.execute(
                "SELECT link.id, s.name, t.name FROM link JOIN component AS s ON s.pk = link.source_pk "
                "JOIN component AS t ON t.pk = link.target_pk WHERE link.design_pk = ? ORDER BY link.ord",
                (design_pk,)):
            link_by_name.setdefault(link_name(source, target), lid)
        scopes = conn.execute(
            "SELECT policy.pk, policy.scope FROM policy JOIN component ON component.pk = policy.component_pk "
            "WHERE component.design_pk = ? AND policy.scope IS NOT NULL", (design_pk,)).fetchall()
        for pk, scope in scopes:
            if by_name.get(scope) is not None:
                conn.execute("UPDATE policy SET scope = ? WHERE pk = ?", (by_name[scope], pk))
        targets = conn.execute(
            "SELECT fault.pk, fault.target FROM fault JOIN experiment ON experiment.pk = fault.experiment_pk "
            "WHERE experiment.design_pk = ?", (design_pk,)).fetchall()
        for pk, target in targets:
            found = (link_by_name.get(normalise_link_name(target)) if "->" in target
                     else by_name.get(target.strip()))
            if found is not None:
                conn.execute("UPDATE fault SET target = ? WHERE pk = ?", (found, pk))
    conn.execute("UPDATE design SET format = 2 WHERE format < 2")
    conn.execute("UPDATE project SET format = 2 WHERE format < 2")


# Step from version N to N + 1, keyed by N.
MIGRATIONS: dict[int, Step] = {1: _add_digest_table, 2: _refer_by_id}


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

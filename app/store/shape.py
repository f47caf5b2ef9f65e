"""The exact shape of a project file's schema, compared before SQLite is asked to check anything else.

A file holds nothing but the tables, indexes and constraints Faultline
writes for its schema version. Anything else (an extra table whose CHECK
constraint calls an expensive function, an index on an expression, a
trigger, a view) is code that SQLite would run while checking or reading
the file, so the file is refused from ``sqlite_master`` alone, which reading
evaluates nothing: before the integrity check, which evaluates every CHECK
constraint on every row.

The expected schema of a version is what the store itself creates for that
version's tables in an empty database, so the writer and the reader cannot
disagree.
"""
from __future__ import annotations

import re
import sqlite3
from functools import cache

from sqlalchemy import create_engine
from sqlalchemy.pool import StaticPool

from . import schema
from .errors import ContentError

# (type, name, table, SQL with its whitespace folded) of every object of a file's schema.
Entry = tuple[str, str, str, str | None]
_SPACE = re.compile(r"\s+")
_MAX_NAMED = 5


def _fold(sql: str | None) -> str | None:
    # SQLite keeps a statement's text as written; only spacing may differ between writers.
    return None if sql is None else _SPACE.sub(" ", sql).strip()


def read_master(conn: sqlite3.Connection) -> list[Entry]:
    """The objects of the schema of ``conn``'s main database, in the order SQLite lists them."""
    return [
        (str(kind), str(name), str(table), _fold(sql) if isinstance(sql, str) else None)
        for kind, name, table, sql in conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master")
    ]


@cache
def expected_master(version: int) -> tuple[Entry, ...]:
    """The schema objects a file of schema ``version`` holds, as the store creates them."""
    conn = sqlite3.connect(":memory:")
    try:
        engine = create_engine("sqlite://", creator=lambda: conn, poolclass=StaticPool)
        try:
            with engine.begin() as c:
                schema.metadata.create_all(c, tables=list(schema.tables_of(version)))
        finally:
            engine.dispose(close=False)
        return tuple(read_master(conn))
    finally:
        conn.close()


def _describe(entry: Entry) -> str:
    kind, name, _, sql = entry
    if kind == "table" and sql is not None and sql.upper().startswith("CREATE VIRTUAL"):
        return f'virtual table "{name}"'
    return f'{kind} "{name}"'


def _columns(conn: sqlite3.Connection, table: str) -> list[tuple[str, int]]:
    return [(str(row[1]), int(row[6])) for row in conn.execute("SELECT * FROM pragma_table_xinfo(?)", (table,))]


def check_shape(conn: sqlite3.Connection, version: int) -> None:
    """Raise ContentError, naming the difference, unless the schema is exactly that of ``version``."""
    found = read_master(conn)
    expected = {entry[1]: entry for entry in expected_master(version)}
    extra = [entry for entry in found if entry[1] not in expected]
    generated = []
    for entry in found:
        if entry[0] == "table" and entry[1] in expected and entry != expected[entry[1]]:
            generated += [f'generated column "{entry[1]}.{name}"'
                          for name, hidden in _columns(conn, entry[1]) if hidden in (2, 3)]
    code = [_describe(e) for e in extra] + generated
    if code:
        more = " and more" if len(code) > _MAX_NAMED else ""
        raise ContentError(
            f"it contains {', '.join(code[:_MAX_NAMED])}{more}. Faultline files never hold SQL of their own, "
            "so this one was altered by another program; it is not opened"
        )
    present = {entry[1]: entry for entry in found}
    for table in schema.tables_of(version):
        if table.name not in present:
            raise ContentError(f'it lacks the table "{table.name}" (it is damaged or was not written by Faultline)')
        if present[table.name] != expected[table.name]:
            have = {name for name, _ in _columns(conn, table.name)}
            missing = [c.name for c in table.columns if c.name not in have]
            if missing:
                raise ContentError(f'its table "{table.name}" lacks the column(s) {", ".join(missing)} '
                                   "(it is damaged or was not written by Faultline)")
            raise ContentError(f'its table "{table.name}" is not defined as Faultline defines it (it was altered '
                               "by another program or is damaged); it is not opened")
    for name, entry in expected.items():
        if present.get(name) != entry:
            what = "lacks" if name not in present else "has an altered"
            raise ContentError(f'it {what} index "{name}" of table "{entry[2]}" (it is damaged or was not '
                               "written by Faultline)")

"""The content digest a file carries from schema 2 on: SHA-256 of every stored value.

SQLite does not checksum its pages, so a byte damaged on the way (an email
gateway, a failing disk, a truncated copy patched up) can change a number or
a name and still leave a database that passes SQLite's integrity check.
Saving records a digest of the content; opening recomputes it from what it
reads and compares.

The digest covers every column of every row of the version's content tables,
read in row order; each value is framed with its type and length, so no two
different contents share an encoding. Reading it back with the same code as
it was computed with means the writer and the reader agree by construction.
"""
from __future__ import annotations

import hashlib
import sqlite3
import struct

from . import schema

ALGORITHM = "sha256"
# Files of schema 1 were written before the digest existed.
DIGEST_SINCE = 2


def _frame(tag: bytes, payload: bytes) -> bytes:
    return tag + len(payload).to_bytes(8, "big") + payload


def _encode(value: object) -> bytes:
    if value is None:
        return b"N"
    if isinstance(value, int):
        return b"I" + value.to_bytes(8, "big", signed=True)
    if isinstance(value, float):
        return b"F" + struct.pack(">d", value)
    if isinstance(value, str):
        return _frame(b"S", value.encode("utf-8", "surrogatepass"))
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _frame(b"B", bytes(value))
    raise TypeError(f"a digest covers numbers, text and blobs, not {type(value).__name__}")


def content_digest(conn: sqlite3.Connection, version: int) -> str:
    """The hex SHA-256 of the content of a file of schema ``version`` open on ``conn``."""
    h = hashlib.sha256()
    for table in schema.content_tables_of(version):
        columns = ", ".join(c.name for c in table.columns)
        h.update(_frame(b"T", table.name.encode("ascii")))
        for row in conn.execute(f"SELECT {columns} FROM {table.name} ORDER BY rowid"):
            h.update(b"R")
            for value in row:
                h.update(_encode(value))
    return h.hexdigest()


def write_digest(conn: sqlite3.Connection) -> str:
    """Record the digest of the content on ``conn`` (a file of the current schema being built)."""
    value = content_digest(conn, schema.SCHEMA_VERSION)
    conn.execute(f"INSERT INTO {schema.digest_table.name} (pk, algorithm, value) VALUES (1, ?, ?)",
                 (ALGORITHM, value))
    return value


def digest_problem(conn: sqlite3.Connection, version: int) -> str | None:
    """Why the content on ``conn`` does not match the digest it carries, or None when it does.

    Files older than ``DIGEST_SINCE`` carry none and always pass.
    """
    if version < DIGEST_SINCE:
        return None
    rows = list(conn.execute(f"SELECT algorithm, value FROM {schema.digest_table.name}"))
    if len(rows) != 1:
        return "its digest is missing" if not rows else "it holds more than one digest"
    algorithm, value = rows[0]
    if algorithm != ALGORITHM or not isinstance(value, str):
        return "its digest is unreadable"
    if content_digest(conn, version) != value:
        return "its content does not match the digest recorded when it was saved"
    return None

"""The tables of a ``.faultline`` file, schema version 3.

Every table has a surrogate integer key ``pk`` that the rows reference one
another by, and the model's stable UUID in ``id``. Keeping the two apart
means a draft that happens to repeat a UUID (a design duplicated without
new ids, say) still saves; the UUIDs themselves survive every save.

Lists in the model are ordered; ``ord`` keeps that order. Fields every kind
has live in their own columns; the parameters particular to one kind are a
JSON object in ``params``, which always passes the engine model's validation
on the way in and out.

Changing any of this means a new schema version and a migration step in
``migrations.py``: never edit a released version's tables in place. The
same goes for a new field in the model, although it would land in a JSON
column: the model forbids unknown fields, so an older Faultline must meet a
newer schema number (and say so) rather than an unknown field.

Versions: 1, the content tables; 2 adds ``file_digest``, the SHA-256 of
the content recorded at save (see ``digest.py``); 3 keeps the tables of 2,
with ``policy.scope`` and ``fault.target`` holding ids instead of names.
"""
from __future__ import annotations

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
)

# "FLTL" in ASCII. SQLite keeps this number at byte 68 of the header, so a
# Faultline file is recognisable before anything in it is read.
APPLICATION_ID = 0x464C544C
SCHEMA_VERSION = 3

metadata = MetaData()


def _parent(table: str) -> ForeignKey:
    return ForeignKey(f"{table}.pk", ondelete="CASCADE")


project_table = Table(
    "project",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("id", Text, nullable=False),
    Column("format", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("created", Text, nullable=False),
    Column("modified", Text, nullable=False),
    Column("written_by", Text, nullable=False, comment="Faultline version that saved the file"),
)

design_table = Table(
    "design",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("project_pk", Integer, _parent("project"), nullable=False),
    Column("ord", Integer, nullable=False),
    Column("id", Text, nullable=False),
    Column("format", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False),
    UniqueConstraint("project_pk", "ord"),
)

component_table = Table(
    "component",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("design_pk", Integer, _parent("design"), nullable=False, index=True),
    Column("ord", Integer, nullable=False),
    Column("id", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("x", Float, nullable=False),
    Column("y", Float, nullable=False),
    Column("params", Text, nullable=False),
    UniqueConstraint("design_pk", "ord"),
)

workload_table = Table(
    "workload",
    metadata,
    Column("component_pk", Integer, _parent("component"), primary_key=True),
    Column("type", Text, nullable=False),
    Column("params", Text, nullable=False),
)

policy_table = Table(
    "policy",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("component_pk", Integer, _parent("component"), nullable=False, index=True),
    Column("ord", Integer, nullable=False),
    Column("id", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("enabled", Integer, nullable=False),
    Column("scope", Text, nullable=True, comment="id of the component guarded; empty guards every call"),
    Column("params", Text, nullable=False),
    UniqueConstraint("component_pk", "ord"),
)

link_table = Table(
    "link",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("design_pk", Integer, _parent("design"), nullable=False, index=True),
    Column("ord", Integer, nullable=False),
    Column("id", Text, nullable=False),
    Column("source_pk", Integer, _parent("component"), nullable=False),
    Column("target_pk", Integer, _parent("component"), nullable=False),
    Column("latency", Text, nullable=False),
    Column("probability", Float, nullable=False),
    Column("count", Integer, nullable=False),
    UniqueConstraint("design_pk", "ord"),
)

experiment_table = Table(
    "experiment",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("design_pk", Integer, _parent("design"), nullable=False, index=True),
    Column("ord", Integer, nullable=False),
    Column("id", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False),
    UniqueConstraint("design_pk", "ord"),
)

fault_table = Table(
    "fault",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("experiment_pk", Integer, _parent("experiment"), nullable=False, index=True),
    Column("ord", Integer, nullable=False),
    Column("id", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("target", Text, nullable=False, comment="id of the component or link hit"),
    Column("start", Float, nullable=False),
    Column("duration", Float, nullable=True),
    Column("period", Float, nullable=True),
    Column("enabled", Integer, nullable=False),
    Column("params", Text, nullable=False),
    UniqueConstraint("experiment_pk", "ord"),
)

run_table = Table(
    "run",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("design_pk", Integer, _parent("design"), nullable=False, index=True),
    Column("ord", Integer, nullable=False),
    Column("id", Text, nullable=False),
    Column("experiment", Text, nullable=True),
    Column("label", Text, nullable=False),
    Column("created", Text, nullable=False),
    Column("meta", Text, nullable=False, comment="run options and engine metadata, JSON"),
    Column("summary", Text, nullable=False),
    Column("events", LargeBinary, nullable=False, comment="zlib-compressed JSON list"),
    Column("events_dropped", Integer, nullable=False),
    Column("components", Text, nullable=False),
    Column("links", Text, nullable=False),
    UniqueConstraint("ord"),
)

run_array_table = Table(
    "run_array",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("run_pk", Integer, _parent("run"), nullable=False, index=True),
    Column("ord", Integer, nullable=False),
    Column("role", Text, nullable=False, comment="bucket_times, series or link_series"),
    Column("name", Text, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("cols", Integer, nullable=True, comment="empty for a one-dimensional array"),
    Column("encoding", Text, nullable=False, comment="f8le-shuffle-zlib: float64 byte planes, zlib"),
    Column("data", LargeBinary, nullable=False),
    UniqueConstraint("run_pk", "ord"),
)

digest_table = Table(
    "file_digest",
    metadata,
    Column("pk", Integer, primary_key=True),
    Column("algorithm", Text, nullable=False),
    Column("value", Text, nullable=False, comment="hex digest of the content of every other table"),
)

# Parents before children: the order rows are written in and checked in.
TABLES = (
    project_table,
    design_table,
    component_table,
    workload_table,
    policy_table,
    link_table,
    experiment_table,
    fault_table,
    run_table,
    run_array_table,
)


def content_tables_of(version: int) -> tuple[Table, ...]:
    """The tables holding the project in a file of schema ``version`` (the same in 1, 2 and 3)."""
    return TABLES


def tables_of(version: int) -> tuple[Table, ...]:
    """Every table of a file of schema ``version``."""
    return TABLES if version < 2 else TABLES + (digest_table,)

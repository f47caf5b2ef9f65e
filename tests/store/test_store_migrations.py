"""Schema versions: every released version's fixture opens, and migrations run one step per version."""
from __future__ import annotations

import json
import sqlite3
import uuid
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest

from app.store import APPLICATION_ID, ProjectFileError, SavedRun, migrations, open_project, save_project, schema
from app.store.errors import ContentError
from engine.model import Project
from engine.model.refs import looks_like_id

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
VERSIONS = range(migrations.OLDEST_SCHEMA_VERSION, schema.SCHEMA_VERSION + 1)


def expected(version: int) -> tuple[Project, list[SavedRun]]:
    data = json.loads((FIXTURES / f"project_v{version}.expected.json").read_text(encoding="utf-8"))

    def array(spec: dict) -> np.ndarray:
        return np.array(spec["values"], dtype=np.float64).reshape(spec["shape"])

    runs = []
    for run in data["runs"]:
        d = dict(run["data"])
        d["bucket_times"] = array(d["bucket_times"])
        d["series"] = {k: array(v) for k, v in d["series"].items()}
        d["link_series"] = {k: array(v) for k, v in d["link_series"].items()}
        runs.append(SavedRun(uuid.UUID(run["id"]), uuid.UUID(run["design_id"]), run["experiment"], run["label"],
                             datetime.fromisoformat(run["created"]), d))
    return Project.model_validate(data["project"]), runs


def test_every_schema_version_has_a_fixture_and_every_step_a_migration():
    for version in VERSIONS:
        assert (FIXTURES / f"project_v{version}.faultline").is_file(), f"no fixture of schema {version}"
        assert (FIXTURES / f"project_v{version}.expected.json").is_file()
    for version in range(migrations.OLDEST_SCHEMA_VERSION, schema.SCHEMA_VERSION):
        assert version in migrations.MIGRATIONS, f"no migration from schema {version}"


@pytest.mark.parametrize("version", VERSIONS)
def test_each_fixture_opens_to_its_expected_content(version):
    path = FIXTURES / f"project_v{version}.faultline"
    header = path.read_bytes()[:100]
    assert int.from_bytes(header[60:64], "big") == version
    assert int.from_bytes(header[68:72], "big") == APPLICATION_ID
    opened = open_project(path)
    project, runs = expected(version)
    assert opened.schema_version == version
    assert opened.project == project
    assert opened.runs == runs
    assert all(not d.problems() for d in opened.project.designs)


@pytest.mark.parametrize("version", VERSIONS)
def test_each_fixture_saves_as_the_current_schema(version, tmp_path):
    opened = open_project(FIXTURES / f"project_v{version}.faultline")
    save_project(tmp_path / "now.faultline", opened.project, opened.runs)
    again = open_project(tmp_path / "now.faultline")
    assert again.schema_version == schema.SCHEMA_VERSION
    assert again.project == opened.project and again.runs == opened.runs


def _append_to_description(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE project SET description = description || ' (migrated)'")


def test_an_older_file_is_migrated_in_memory_and_left_alone_on_disk(tmp_path, monkeypatch):
    """Pretend schema 4 exists: the v1 fixture goes through the 1 -> 2, 2 -> 3 and 3 -> 4 steps on open."""
    path = tmp_path / "old.faultline"
    path.write_bytes((FIXTURES / "project_v1.faultline").read_bytes())
    before = path.read_bytes()
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 4)
    monkeypatch.setattr(migrations, "MIGRATIONS", {**migrations.MIGRATIONS, 3: _append_to_description})
    opened = open_project(path)
    assert opened.schema_version == 1
    assert opened.project.description == expected(1)[0].description + " (migrated)"
    assert path.read_bytes() == before
    save_project(path, opened.project, opened.runs)
    assert int.from_bytes(path.read_bytes()[60:64], "big") == 4
    assert open_project(path).project.description.endswith("(migrated)")  # no step runs twice


def test_a_schema_1_file_has_no_digest_and_still_opens_then_saves_with_one(tmp_path):
    path = tmp_path / "old.faultline"
    path.write_bytes((FIXTURES / "project_v1.faultline").read_bytes())
    with sqlite3.connect(path) as conn:
        assert "file_digest" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    opened = open_project(path)
    assert opened.project == expected(1)[0]
    save_project(path, opened.project, opened.runs)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT algorithm, length(value) FROM file_digest").fetchall() == [("sha256", 64)]
    finally:
        conn.close()
    assert open_project(path).schema_version == schema.SCHEMA_VERSION


def test_the_migrated_schema_is_exactly_the_current_one():
    from app.store import shape

    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.deserialize((FIXTURES / "project_v1.faultline").read_bytes())
    migrations.upgrade(conn, 1)
    assert sorted(shape.read_master(conn)) == sorted(shape.expected_master(schema.SCHEMA_VERSION))
    shape.check_shape(conn, schema.SCHEMA_VERSION)


def test_steps_run_in_order_one_version_at_a_time(monkeypatch):
    order = []
    conn = sqlite3.connect(":memory:", isolation_level=None)
    steps = {v: (lambda c, v=v: order.append((v, c.execute("PRAGMA user_version").fetchone()[0]))) for v in (1, 2, 3)}
    conn.execute("PRAGMA user_version = 1")
    assert migrations.upgrade(conn, 1, target=4, steps=steps) == 4
    assert order == [(1, 1), (2, 2), (3, 3)]
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 4


def test_a_missing_step_is_reported(monkeypatch, tmp_path):
    path = tmp_path / "old.faultline"
    path.write_bytes((FIXTURES / "project_v1.faultline").read_bytes())
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 3)
    monkeypatch.setattr(migrations, "MIGRATIONS", {1: _append_to_description})
    with pytest.raises(ProjectFileError) as info:
        open_project(path)
    assert str(info.value) == "Cannot open old.faultline: this version has no migration from schema 2 to 3"


def test_a_failing_step_is_rolled_back_and_reported():
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute("CREATE TABLE t(x)")
    conn.execute("PRAGMA user_version = 1")

    def half_done(c):
        c.execute("INSERT INTO t VALUES (1)")
        c.execute("INSERT INTO missing VALUES (1)")

    with pytest.raises(ContentError) as info:
        migrations.upgrade(conn, 1, target=2, steps={1: half_done})
    assert str(info.value) == "migrating it from schema 1 to 2 failed (no such table: missing)"
    assert conn.execute("SELECT count(*) FROM t").fetchone()[0] == 0
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1


def test_a_file_from_a_newer_faultline(tmp_path):
    data = bytearray((FIXTURES / "project_v1.faultline").read_bytes())
    data[60:64] = (schema.SCHEMA_VERSION + 1).to_bytes(4, "big")
    (tmp_path / "new.faultline").write_bytes(bytes(data))
    with pytest.raises(ProjectFileError) as info:
        open_project(tmp_path / "new.faultline")
    assert str(info.value) == (
        f"Cannot open new.faultline: made with a newer Faultline (schema {schema.SCHEMA_VERSION + 1}); "
        f"this version reads up to {schema.SCHEMA_VERSION}"
    )


def test_a_file_older_than_any_migration(tmp_path, monkeypatch):
    monkeypatch.setattr(migrations, "OLDEST_SCHEMA_VERSION", 2)
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 3)
    with pytest.raises(ProjectFileError) as info:
        open_project(FIXTURES / "project_v1.faultline")
    assert str(info.value) == (
        "Cannot open project_v1.faultline: it has schema 1, older than this version can read (schema 2 to 3)"
    )


def test_schema_2_names_become_ids_of_the_same_components(tmp_path):
    """Step 2 -> 3: a scope and a fault target that named a component (or link) now hold its id."""
    path = tmp_path / "old.faultline"
    path.write_bytes((FIXTURES / "project_v2.faultline").read_bytes())
    with sqlite3.connect(path) as conn:
        named = conn.execute("SELECT scope FROM policy WHERE scope IS NOT NULL ORDER BY pk").fetchall()
        targets = conn.execute("SELECT target FROM fault ORDER BY pk").fetchall()
    assert named and not any(looks_like_id(s) for (s,) in named)
    opened = open_project(path)
    assert path.read_bytes() == (FIXTURES / "project_v2.faultline").read_bytes()
    shop = opened.project.designs[0]
    assert shop.format == 2 and opened.project.format == 2
    scoped = [p for c in shop.components for p in c.policies if getattr(p, "scope", None) is not None]
    assert [shop.name_of(p.scope) for p in scoped] == [s for (s,) in named]
    faults = [f for e in shop.experiments for f in e.faults]
    assert all(isinstance(f.target, uuid.UUID) for f in faults)
    assert [shop.name_of(f.target) for f in faults] == [t for (t,) in targets][:len(faults)]
    assert all(not d.problems() for d in opened.project.designs)


def test_a_schema_2_name_that_meant_nothing_stays_a_name():
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.deserialize((FIXTURES / "project_v2.faultline").read_bytes())
    conn.execute("UPDATE fault SET target = 'nowhere' WHERE pk = (SELECT min(pk) FROM fault)")
    conn.execute("UPDATE policy SET scope = 'gone' WHERE pk = (SELECT min(pk) FROM policy WHERE scope IS NOT NULL)")
    migrations.upgrade(conn, 2)
    targets = [t for (t,) in conn.execute("SELECT target FROM fault ORDER BY pk")]
    scopes = [s for (s,) in conn.execute("SELECT scope FROM policy WHERE scope IS NOT NULL ORDER BY pk")]
    assert targets[0] == "nowhere" and all(looks_like_id(t) for t in targets[1:])
    assert scopes[0] == "gone" and all(looks_like_id(s) for s in scopes[1:])
    assert conn.execute("SELECT DISTINCT format FROM design").fetchall() == [(2,)]

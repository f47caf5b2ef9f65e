"""Projects saved and opened again are equal, field for field and id for id."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from store_builders import designs, projects, shop_project

from app.store import (
    APPLICATION_ID,
    SCHEMA_VERSION,
    ProjectFileError,
    export_json,
    import_json,
    open_project,
    save_project,
)
from app.store.project_file import build_file, load_bytes
from engine.model import (
    Client,
    Design,
    Link,
    Project,
    Service,
)

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(project=projects())
def test_random_projects_round_trip_through_the_file_format_exactly(project):
    """Many examples, through SQLite in memory: the whole format without the disk's fsync."""
    data = build_file(project)
    opened = load_bytes(data, Path("memory.faultline"))
    assert opened.project.model_dump(mode="json") == project.model_dump(mode="json")
    assert opened.project == project


@SETTINGS
@given(project=projects())
def test_random_projects_round_trip_exactly(tmp_path_factory, project):
    path = tmp_path_factory.mktemp("rt") / "p.faultline"
    save_project(path, project)
    opened = open_project(path)
    assert opened.project == project
    # Equality of pydantic models ignores nothing that matters, but compare the dumps too so
    # a failure shows the field.
    assert opened.project.model_dump(mode="json") == project.model_dump(mode="json")
    assert opened.runs == []
    assert opened.schema_version == SCHEMA_VERSION


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(project=projects())
def test_a_saved_project_saves_to_the_same_content(tmp_path_factory, project):
    folder = tmp_path_factory.mktemp("twice")
    save_project(folder / "a.faultline", project)
    save_project(folder / "b.faultline", open_project(folder / "a.faultline").project)
    assert (folder / "a.faultline").read_bytes() == (folder / "b.faultline").read_bytes()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(design=designs())
def test_random_designs_round_trip_through_json(tmp_path_factory, design):
    path = tmp_path_factory.mktemp("json") / "d.json"
    export_json(design, path)
    assert import_json(path) == design


def test_ids_are_kept_across_saves(tmp_path):
    project = shop_project()
    save_project(tmp_path / "p.faultline", project)
    again = open_project(tmp_path / "p.faultline").project
    design, loaded = project.designs[0], again.designs[0]
    assert again.id == project.id and loaded.id == design.id
    assert [c.id for c in loaded.components] == [c.id for c in design.components]
    assert [p.id for p in loaded.components[1].policies] == [p.id for p in design.components[1].policies]
    assert [link.id for link in loaded.links] == [link.id for link in design.links]
    assert loaded.experiments[0].faults[0].id == design.experiments[0].faults[0].id


def test_draft_designs_with_problems_still_save(tmp_path):
    """The editor saves work in progress: graph problems are the design's, not the file's."""
    design = Design(
        name="draft",
        components=[Service(name="a"), Service(name="a"), Client(name="c")],
        links=[Link(source="a", target="a"), Link(source="c", target="a"), Link(source="c", target="a")],
    )
    design.experiments = []
    assert design.problems()
    project = Project(designs=[design, design.model_copy(update={"name": "copy"})])
    save_project(tmp_path / "p.faultline", project)
    assert open_project(tmp_path / "p.faultline").project == project


def test_a_link_to_a_missing_component_is_refused_on_save(tmp_path):
    design = Design(name="d", components=[Client(name="web")], links=[Link(source="web", target="gone")])
    with pytest.raises(ProjectFileError) as info:
        save_project(tmp_path / "p.faultline", Project(designs=[design]))
    assert str(info.value) == (
        'Cannot save p.faultline: design "d", link "web -> gone": unknown component "gone" '
        "(a link must join two components of its design; remove it or add the component)"
    )
    assert not list(tmp_path.iterdir())


def test_the_file_is_a_rollback_journal_sqlite_database_marked_as_faultline(tmp_path):
    path = tmp_path / "p.faultline"
    save_project(path, shop_project())
    header = path.read_bytes()[:100]
    assert header[18] == header[19] == 1  # 1 = rollback journal, 2 = WAL
    assert int.from_bytes(header[68:72], "big") == APPLICATION_ID
    assert int.from_bytes(header[60:64], "big") == SCHEMA_VERSION
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.faultline"]
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
        assert {"project", "design", "component", "workload", "policy", "link", "experiment", "fault",
                "run", "run_array"} <= tables
        assert conn.execute("SELECT written_by FROM project").fetchone()[0]
    finally:
        conn.close()


def test_type_specific_parameters_are_json_objects_with_every_field(tmp_path):
    path = tmp_path / "p.faultline"
    save_project(path, shop_project())
    conn = sqlite3.connect(path)
    try:
        params = json.loads(conn.execute("SELECT params FROM component WHERE name = 'api'").fetchone()[0])
        workload = conn.execute("SELECT type, params FROM workload").fetchone()
        policy = conn.execute("SELECT kind, scope, params FROM policy ORDER BY ord").fetchone()
        db_id = conn.execute("SELECT id FROM component WHERE name = 'db'").fetchone()[0]
    finally:
        conn.close()
    # Defaults are written out, so a later change of a default cannot change a saved design.
    assert params["workers"] == 8 and params["service_time"] == {"kind": "exponential", "mean": 0.01}
    assert workload[0] == "open" and json.loads(workload[1])["rate"] == 50
    # A scope holds the id of the dependency it guards (schema 3), not its name.
    assert policy[:2] == ("retry", db_id) and json.loads(policy[2])["max_attempts"] == 3


def test_opening_leaves_the_file_alone(tmp_path):
    path = tmp_path / "p.faultline"
    save_project(path, shop_project())
    before = path.read_bytes()
    open_project(path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.faultline"]


def test_queue_disciplines_and_their_parameters_survive_save_and_open(tmp_path):
    """They travel in the component's params JSON: no schema change."""
    design = Design(
        name="disciplines",
        components=[
            Client(name="web"),
            Service(name="api", queue_discipline="codel", codel_target=0.02, codel_interval=0.25),
            Service(name="auth", queue_discipline="adaptive_lifo", lifo_after=0.3),
            Service(name="search", queue_discipline="lifo"),
        ],
        links=[Link(source="web", target="api"), Link(source="api", target="auth"),
               Link(source="api", target="search")],
    )
    project = Project(designs=[design])
    path = tmp_path / "p.faultline"
    save_project(path, project)
    assert open_project(path).project == project
    conn = sqlite3.connect(path)
    try:
        params = json.loads(conn.execute("SELECT params FROM component WHERE name = 'api'").fetchone()[0])
    finally:
        conn.close()
    assert (params["queue_discipline"], params["codel_target"], params["codel_interval"]) == ("codel", 0.02, 0.25)
    export_json(design, tmp_path / "d.json")
    assert import_json(tmp_path / "d.json") == design

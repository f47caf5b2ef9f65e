"""Saved runs are checked like designs, and every path into a project follows the same format rules."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from store_builders import saved_run, shop_project
from test_store_hostile import alter

from app.resources import EXAMPLES
from app.store import ProjectFileError, SavedRun, import_json, open_project, save_project
from app.store.json_io import to_json_text
from engine import RunOptions, simulate
from engine.model import Project


@pytest.fixture
def project_file(tmp_path) -> Path:
    path = tmp_path / "shop.faultline"
    project = shop_project()
    save_project(path, project, [saved_run(project.designs[0])])
    return path


def refused(path: Path) -> str:
    with pytest.raises(ProjectFileError) as info:
        open_project(path)
    return str(info.value)


def _events(path: Path, events: list) -> None:
    import zlib

    alter(path, "UPDATE run SET events = ?", params=(zlib.compress(json.dumps(events).encode()),))


def test_a_real_run_of_the_engine_saves_and_opens_unchanged(tmp_path):
    design = import_json(EXAMPLES / "three_tier.json")
    result = simulate(design, RunOptions(duration=120, seed=2), design.experiments[0].name)
    assert result.events, "the example's experiment should log its faults"
    project = Project(name="real", designs=[design])
    run = SavedRun.create(design.id, result.to_dict(), experiment=design.experiments[0].name, label="real")
    save_project(tmp_path / "real.faultline", project, [run])
    assert open_project(tmp_path / "real.faultline").runs == [run]


def test_options_of_the_wrong_type(project_file):
    alter(project_file, "UPDATE run SET meta = json_set(meta, '$.options.duration', 'long')")
    assert refused(project_file) == (
        'Cannot open shop.faultline: saved run "run": meta options.duration: input should be a valid number'
    )


def test_options_a_run_could_not_have_had(project_file):
    alter(project_file, "UPDATE run SET meta = json_set(meta, '$.options.warmup', 100)")
    assert "meta options: warmup must be shorter than duration" in refused(project_file)


def test_unknown_options(project_file):
    alter(project_file, "UPDATE run SET meta = json_set(meta, '$.options.turbo', 1)")
    assert "meta options.turbo: extra inputs are not permitted" in refused(project_file)


def test_metadata_the_window_reads_of_the_wrong_shape(project_file):
    alter(project_file, "UPDATE run SET meta = json_set(meta, '$.breakers', 5)")
    assert 'saved run "run": meta breakers: input should be a valid list' in refused(project_file)


def test_event_records_without_a_time(project_file):
    _events(project_file, [{"time": 1.0, "kind": "fault_started"}, {"t": 2.0, "kind": "fault_ended"}])
    assert refused(project_file) == 'Cannot open shop.faultline: saved run "run": event 2 time: field required'


def test_event_records_of_the_wrong_types(project_file):
    _events(project_file, [{"time": "soon", "kind": 7}, "a string", {"time": -1.0, "kind": "x"}])
    assert refused(project_file) == (
        'Cannot open shop.faultline: saved run "run": event 1 time: input should be a valid number; event 1 kind: '
        "input should be a valid string; event 2: input should be a valid dictionary; event 3 time: must be a "
        "finite time of at least 0"
    )


def test_a_run_of_the_wrong_shape_is_not_saved_either(tmp_path):
    project = shop_project()
    run = saved_run(project.designs[0])
    run.data["events"] = [{"kind": "fault_started"}]
    with pytest.raises(ProjectFileError) as info:
        save_project(tmp_path / "x.faultline", project, [run])
    assert str(info.value) == 'Cannot save x.faultline: saved run "run": event 1 time: field required'


@pytest.mark.parametrize("fmt, reason", [
    (999, "made with a newer Faultline (project format 999); this version reads up to 2"),
    (0, "its project format 0 is not one Faultline writes (1 to 2)"),
    (-3, "its project format -3 is not one Faultline writes (1 to 2)"),
])
def test_the_project_format_follows_one_rule_in_files_and_in_json(tmp_path, fmt, reason):
    path = tmp_path / "p.faultline"
    save_project(path, shop_project())
    alter(path, f"UPDATE project SET format = {fmt}")
    assert refused(path) == f"Cannot open p.faultline: {reason}"
    data = json.loads(to_json_text(shop_project()))
    data["format"] = fmt
    (tmp_path / "p.json").write_text(json.dumps(data))
    with pytest.raises(ProjectFileError) as info:
        import_json(tmp_path / "p.json")
    assert str(info.value) == f"Cannot open p.json: {reason}"

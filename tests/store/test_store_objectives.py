"""A client's objectives and recovery settings survive the project file and JSON exactly."""
from __future__ import annotations

from store_builders import shop_design

from app.store import export_json, import_json, open_project, save_project
from engine.model import AvailabilityObjective, LatencyObjective, Project, RecoverySettings


def _design_with_objectives():
    design = shop_design()
    web = design.component("web")
    web.objectives = [
        AvailabilityObjective(target=0.999, count_fallback=True, latency_threshold=0.3),
        LatencyObjective(percentile=99.5, threshold=0.25),
        AvailabilityObjective(target=0.95),
    ]
    web.recovery = RecoverySettings(tolerance=0.02, hold=7.5)
    return design


def test_a_client_with_objectives_saves_and_reopens_identically(tmp_path):
    project = Project(name="Slo", designs=[_design_with_objectives()])
    path = tmp_path / "slo.faultline"
    save_project(path, project)
    opened = open_project(path).project
    assert opened.model_dump(mode="json") == project.model_dump(mode="json")
    web = opened.designs[0].component("web")
    assert [o.kind for o in web.objectives] == ["availability", "latency", "availability"]
    assert web.objectives[1].percentile == 99.5
    assert web.recovery == RecoverySettings(tolerance=0.02, hold=7.5)
    # the ids the window uses to find an objective again are kept
    assert [o.id for o in web.objectives] == [o.id for o in project.designs[0].component("web").objectives]


def test_objectives_survive_json_export_and_import(tmp_path):
    project = Project(name="Slo", designs=[_design_with_objectives()])
    path = tmp_path / "slo.json"
    export_json(project, path)
    assert import_json(path).model_dump(mode="json") == project.model_dump(mode="json")


def test_a_saved_run_keeps_its_objective_counters_and_verdicts(tmp_path):
    from app.store import SavedRun
    from engine import RunOptions, simulate
    from engine.results import RunResult

    design = _design_with_objectives()
    result = simulate(design, RunOptions(duration=20, seed=3), "db down")
    run = SavedRun.create(design.id, result.to_dict(), experiment="db down", label="with objectives")
    path = tmp_path / "runs.faultline"
    save_project(path, Project(name="Slo", designs=[design]), [run])
    (loaded,) = open_project(path).runs
    assert loaded == run
    again = RunResult.from_dict(loaded.data)
    assert again.verdicts().to_json_dict() == result.verdicts().to_json_dict()
    assert len(again.verdicts().objectives) == 3 and len(again.verdicts().recovery) == 3

"""Non-blocking calls, deadlines and hedging survive the project file and JSON, and files
written before them open with today's behaviour (blocking calls, no deadline, no hedging)."""
from __future__ import annotations

from pathlib import Path

from app.store import export_json, import_json, open_project, save_project
from engine import RunOptions
from engine.compile import compile_design
from engine.model import Calling, Project, parse_design

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_the_async_pipeline_saves_and_reopens_identically(tmp_path):
    design = parse_design((EXAMPLES / "async_pipeline.json").read_text())
    project = Project(name="Async", designs=[design])
    path = tmp_path / "async.faultline"
    save_project(path, project)
    opened = open_project(path).project
    assert opened.model_dump(mode="json") == project.model_dump(mode="json")
    gateway = opened.designs[0].component("gateway")
    assert gateway.call_mode == "non_blocking" and gateway.max_outstanding == 2000
    kinds = {p.kind for c in opened.designs[0].components for p in c.policies}
    assert {"deadline", "hedging"} <= kinds
    export_json(project, tmp_path / "async.json")
    assert import_json(tmp_path / "async.json").model_dump(mode="json") == project.model_dump(mode="json")


def test_files_written_before_keep_blocking_calls_and_no_deadline_or_hedging():
    opened = open_project(FIXTURES / "project_v2.faultline").project
    designs = opened.designs + [parse_design((EXAMPLES / "three_tier.json").read_text())]
    for design in designs:
        compiled = compile_design(design, RunOptions(duration=10, warmup=0, bucket=1))
        for c in design.components:
            if isinstance(c, Calling):
                assert c.call_mode == "blocking" and c.max_outstanding is None
        assert (compiled.components["call_mode"] == 0).all()
        assert (compiled.components["cont_dist"] == -1).all()
        assert (compiled.policies["hedging_max_attempts"] == 1).all() and (compiled.policies["deadline"] < 0).all()

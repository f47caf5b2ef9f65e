"""Saved runs: stored compactly, reloaded exactly, and checked on the way in."""
from __future__ import annotations

import sqlite3
import uuid

import numpy as np
import pytest
from store_builders import run_data, saved_run, shop_design, shop_project

from app.store import ProjectFileError, SavedRun, open_project, save_project
from engine.model import Client, Design, Project


def test_saved_runs_reload_exactly(tmp_path):
    project = shop_project()
    design = project.designs[0]
    runs = [saved_run(design, "first", seed=1), saved_run(design, "second", seed=2)]
    runs[1].experiment = None
    save_project(tmp_path / "p.faultline", project, runs)
    opened = open_project(tmp_path / "p.faultline")
    assert opened.runs == runs
    for loaded, original in zip(opened.runs, runs):
        for name, array in original.data["series"].items():
            got = loaded.data["series"][name]
            assert got.dtype == np.float64 and got.shape == array.shape and got.flags.writeable
            assert np.array_equal(got, array, equal_nan=True)
        assert list(loaded.data) == list(original.data)
        assert list(loaded.data["series"]) == list(original.data["series"])
        assert loaded.data["events"] == original.data["events"]
        assert loaded.data["meta"] == original.data["meta"]


def test_equality_notices_a_changed_value():
    design = shop_design()
    a = saved_run(design)
    b = SavedRun(a.id, a.design_id, a.experiment, a.label, a.created, run_data(
        [c.name for c in design.components], [link.name for link in design.links]))
    assert a == b
    b.data["series"]["arrivals"][2, 1] += 1e-12
    assert a != b
    b.data["series"]["arrivals"] = a.data["series"]["arrivals"].astype(np.float32)
    assert a != b


def test_every_float_survives_bit_for_bit(tmp_path):
    design = Design(name="d", components=[Client(name="c")])
    special = np.array([0.0, -0.0, 5e-324, 1.7976931348623157e308, np.inf, -np.inf, np.nan, 1 / 3])
    data = run_data(["c"], [], buckets=len(special))
    data["bucket_times"] = special.copy()
    data["series"] = {"x": special.reshape(-1, 1).copy()}
    data["link_series"] = {"none": np.zeros((len(special), 0))}
    run = SavedRun.create(design.id, data, label="specials")
    save_project(tmp_path / "p.faultline", Project(designs=[design]), [run])
    loaded = open_project(tmp_path / "p.faultline").runs[0]
    assert loaded.data["bucket_times"].tobytes() == special.tobytes()
    assert loaded.data["link_series"]["none"].shape == (len(special), 0)
    assert loaded == run


def test_a_run_of_no_buckets(tmp_path):
    project = shop_project()
    design = project.designs[0]
    run = saved_run(design)
    run.data.update(bucket_times=np.zeros(0), series={"a": np.zeros((0, 3))}, link_series={})
    save_project(tmp_path / "p.faultline", project, [run])
    assert open_project(tmp_path / "p.faultline").runs == [run]


def test_runs_can_be_left_out(tmp_path):
    project = shop_project()
    design = project.designs[0]
    run = SavedRun.create(design.id, run_data([c.name for c in design.components],
                                              [link.name for link in design.links], buckets=5000))
    save_project(tmp_path / "with.faultline", project, [run])
    save_project(tmp_path / "without.faultline", project, [run], include_runs=False)
    assert open_project(tmp_path / "without.faultline").runs == []
    assert open_project(tmp_path / "without.faultline").project == project
    assert (tmp_path / "without.faultline").stat().st_size < (tmp_path / "with.faultline").stat().st_size


def test_arrays_are_stored_compressed(tmp_path):
    project = shop_project()
    run = saved_run(project.designs[0])
    run.data["bucket_times"] = np.arange(100_000, dtype=np.float64)
    run.data["series"] = {"flat": np.ones((100_000, 3))}
    run.data["link_series"] = {"flat": np.zeros((100_000, 2))}
    save_project(tmp_path / "p.faultline", project, [run])
    raw = 100_000 * (1 + 3 + 2) * 8
    assert (tmp_path / "p.faultline").stat().st_size < raw / 4
    conn = sqlite3.connect(tmp_path / "p.faultline")
    try:
        rows = conn.execute("SELECT role, name, rows, cols FROM run_array ORDER BY ord").fetchall()
    finally:
        conn.close()
    assert rows == [("bucket_times", "", 100_000, None), ("series", "flat", 100_000, 3),
                    ("link_series", "flat", 100_000, 2)]


BAD_RUN_DATA = {
    "missing part": (lambda d: d.pop("summary"), 'saved run "run": run data lacks summary'),
    "unknown part": (lambda d: d.update(extra=1),
                     'saved run "run": run data has parts the file format does not know: extra'),
    "wrong dtype": (lambda d: d["series"].update(a=np.zeros((6, 3), dtype=np.float32)),
                    'saved run "run": series "a" must hold float64 values (got float32)'),
    "wrong shape": (lambda d: d["link_series"].update(a=np.zeros((6, 3))),
                    'saved run "run": link_series "a" has shape (6, 3); buckets x columns must be (6, 2)'),
    "not an array": (lambda d: d.update(bucket_times=[0.0, 1.0]),
                     'saved run "run": bucket_times must be a numpy array (got list)'),
    "negative drops": (lambda d: d.update(events_dropped=-1),
                       'saved run "run": events_dropped must be a whole number of at least 0 (got -1)'),
    "not json-able": (lambda d: d["summary"].update(when=object()), 'saved run run: not JSON-able'),
}


@pytest.mark.parametrize("case", list(BAD_RUN_DATA))
def test_run_data_not_shaped_like_a_run_result_is_refused(tmp_path, case):
    project = shop_project()
    run = saved_run(project.designs[0])
    change, expected = BAD_RUN_DATA[case]
    change(run.data)
    with pytest.raises(ProjectFileError) as info:
        save_project(tmp_path / "p.faultline", project, [run])
    assert str(info.value).startswith(f"Cannot save p.faultline: {expected}")
    assert not (tmp_path / "p.faultline").exists()


def test_a_run_of_a_design_not_in_the_project_is_refused(tmp_path):
    project = shop_project()
    run = saved_run(shop_design("elsewhere"))
    with pytest.raises(ProjectFileError,
                       match=f'saved run "run" belongs to design {run.design_id}, which is not in the project'):
        save_project(tmp_path / "p.faultline", project, [run])


def test_runs_follow_their_design_by_id(tmp_path):
    one, two = shop_design("one"), shop_design("two")
    runs = [saved_run(two, "of two"), saved_run(one, "of one")]
    save_project(tmp_path / "p.faultline", Project(designs=[one, two]), runs)
    loaded = open_project(tmp_path / "p.faultline").runs
    assert [(r.label, r.design_id) for r in loaded] == [("of two", two.id), ("of one", one.id)]
    assert all(isinstance(r.id, uuid.UUID) for r in loaded)

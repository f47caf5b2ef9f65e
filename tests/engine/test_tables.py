"""The compiler fills the core's tables field by field, with the core's field names."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import engine.model as m
from engine import RunOptions, _codes, _core, _tables
from engine.compile import code, compile_design

EXAMPLES = Path(__file__).resolve().parents[2] / "resources" / "examples"


@pytest.fixture
def bad_day():
    design = m.parse_design((EXAMPLES / "three_tier.json").read_text())
    return design, compile_design(design, RunOptions(duration=120), "bad day")


def test_every_table_has_the_dtype_the_core_reads(bad_day):
    _, compiled = bad_day
    for name, dtype in [("components", _tables.COMPONENT), ("links", _tables.LINK), ("policies", _tables.POLICY),
                        ("faults", _tables.FAULT), ("fault_actions", _tables.FAULT_ACTION), ("dists", _tables.DIST)]:
        assert getattr(compiled, name).dtype == dtype, name


def test_fault_parameters_land_in_their_named_fields(bad_day):
    design, compiled = bad_day
    faults = compiled.faults
    experiment = design.experiment("bad day")
    by_kind = {}
    for i, fault in enumerate(experiment.faults):
        by_kind.setdefault(fault.kind, []).append((fault, faults[i]))
    cpu, pool = by_kind["exhaustion"]
    assert cpu[1]["resource"] == _codes.Resource.R_CPU and cpu[1]["factor"] == cpu[0].factor
    assert pool[1]["resource"] == _codes.Resource.R_POOL and pool[1]["pool_size"] == pool[0].pool_size
    (error, row), = by_kind["error"]
    assert row["kind"] == _codes.FaultKind.F_ERROR and row["fraction"] == error.fraction
    (latency, row), = by_kind["latency"]
    assert row["link"] == compiled.link_names.index("api -> db") and row["comp"] == -1
    assert compiled.dists[row["delay_dist"]]["kind"] == code(_codes.Dist, latency.delay.kind)
    assert row["direction"] & _codes.Direction.DIR_REQUEST


def test_a_row_must_name_every_field_and_no_other():
    with pytest.raises(KeyError, match="missing \\['fault'\\], unknown \\['faults'\\]"):
        _tables.table([{"time": 1.0, "action": 0, "faults": 2}], _tables.FAULT_ACTION)


def test_an_empty_table_still_has_a_row_to_point_at():
    assert _tables.table([], _tables.LINK).shape == (1,)


def test_the_core_refuses_a_table_whose_fields_are_not_its_own(bad_day):
    _, compiled = bad_day
    # the same bytes, but a field renamed: the core must not read it as its struct
    names = list(compiled.faults.dtype.names)
    names[names.index("fraction")] = "p0"
    compiled.faults = compiled.faults.view(np.dtype({"names": names, "formats": [
        compiled.faults.dtype.fields[n][0] for n in compiled.faults.dtype.names]}))
    with pytest.raises(TypeError, match="faults table"):
        _core.Core(compiled, dict(compiled.scalars))


def test_equal_distributions_share_one_row():
    """Services and links with equal distributions read one row of the distribution table,
    different ones (an empirical one with other points, another mean) their own; each draw
    still takes its caller's random stream, so the results are those of one row each."""
    same = m.Exponential(mean=0.002)
    points = m.Empirical(points=[0.001, 0.003])
    services = [m.Service(name="a", service_time=same), m.Service(name="b", service_time=m.Exponential(mean=0.002)),
                m.Service(name="c", service_time=m.Exponential(mean=0.004)), m.Service(name="d", service_time=points),
                m.Service(name="e", service_time=m.Empirical(points=[0.001, 0.003])),
                m.Service(name="f", service_time=m.Empirical(points=[0.001, 0.002]))]
    hop = m.Constant(value=0.0005)
    design = m.Design(name="shared", components=[m.Client(name="users", workload=m.OpenLoop(rate=50.0)), *services],
                      links=[m.Link(source="users", target=s.name, latency=hop) for s in services])
    compiled = compile_design(design, RunOptions(duration=20))
    rows = {name: int(row["dist"]) for name, row in zip(compiled.component_names, compiled.components)}
    assert rows["a"] == rows["b"] and rows["d"] == rows["e"]
    assert len({rows["a"], rows["c"], rows["d"], rows["f"]}) == 4
    assert len(set(compiled.links["dist"])) == 1
    assert len(compiled.dists) == 5   # a, c, d, f and the links' latency
    pool = compiled.arrays["d_points"]
    points_of = {name: pool[compiled.dists[rows[name]]["first"]:][:compiled.dists[rows[name]]["count"]]
                 for name in ("d", "f")}
    assert list(points_of["d"]) == [0.001, 0.003] and list(points_of["f"]) == [0.001, 0.002]
    assert len(compiled.arrays["d_points"]) == 4   # e's points are d's, not a copy


def test_a_component_row_is_whole_cache_lines_and_its_padding_is_filled():
    """A component row is read by a hop at each of a thousand components: its fields are
    placed on lines by the step that reads them, which holds only for rows of whole lines."""
    assert _tables.COMPONENT.itemsize % 64 == 0
    row = {name: 0 for name in _tables.COMPONENT.names if name != "pad"}
    built = _tables.table([{**row, "kind": 3, "hit_ratio": 0.25}], _tables.COMPONENT)
    assert built[0]["kind"] == 3 and built[0]["hit_ratio"] == 0.25 and not built[0]["pad"].any()
    with pytest.raises(KeyError, match="unknown \\['pad'\\]"):
        _tables.table([{**row, "pad": 0}], _tables.COMPONENT)

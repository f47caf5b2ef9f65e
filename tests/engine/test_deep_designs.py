"""A design may be as deep as it is wide: nothing recurses on the length of a call chain."""
import pytest

from engine import Simulation
from engine.compile import compile_design
from engine.model import RunOptions, parse_design

DEPTH = 5_000


def chain(depth: int, leaf_first: bool = False, closed: bool = False) -> dict:
    """A client calling s0, which calls s1, ... down to s{depth - 1}."""
    names = [f"s{i}" for i in range(depth)]
    components = [{"kind": "service", "name": n, "workers": 64,
                   "service_time": {"kind": "constant", "value": 1e-6}} for n in names]
    links = [{"source": a, "target": b, "latency": {"kind": "constant", "value": 1e-6}}
             for a, b in zip(names, names[1:])]
    if leaf_first:
        components.reverse()
        links.reverse()
    if closed:
        links.append({"source": names[-1], "target": names[0]})
    client = {"kind": "client", "name": "users", "workload": {"type": "open", "rate": 4, "arrivals": "constant"}}
    return {"name": "deep", "components": components + [client],
            "links": links + [{"source": "users", "target": names[0]}]}


@pytest.mark.parametrize("leaf_first", [False, True], ids=["root first", "leaf first"])
def test_a_5000_service_chain_validates_compiles_and_runs(leaf_first):
    design = parse_design(chain(DEPTH, leaf_first))
    assert design.problems() == []
    compiled = compile_design(design, RunOptions(duration=1))
    assert len(compiled.component_names) == DEPTH + 1
    result = Simulation(design, RunOptions(duration=1, bucket=0.5)).result()
    # Every request went all the way down and came back.
    assert result.summary["components"][f"s{DEPTH - 1}"]["completed"] >= 3
    assert result.summary["components"]["users"]["outcomes"]["ok"] >= 3


def test_a_cycle_closing_a_5000_service_chain_is_named():
    from engine.model import DesignError

    with pytest.raises(DesignError) as caught:
        parse_design(chain(DEPTH, closed=True))
    message = str(caught.value)
    assert message.startswith("design: call cycle s0 -> s1 -> s2 -> ")
    assert f"s{DEPTH - 1} -> s0 (it would recurse forever)" in message

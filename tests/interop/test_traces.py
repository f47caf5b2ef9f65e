"""OTLP JSON traces: the call graph, calls per request, fitted service times and arrival rates."""
from __future__ import annotations

import json

import pytest
from interop_support import FIXTURES

from app.interop import InteropError, import_files, preview_text
from app.interop.traces import fit


def test_traces_become_services_calls_and_a_client():
    result = import_files([FIXTURES / "checkout-traces.json"])
    design = result.design
    assert {c.name: c.kind for c in design.components} == {
        "frontend": "service", "checkout": "service", "postgresql": "database", "frontend users": "client"}
    calls = {l.name: (round(l.probability, 3), l.count) for l in design.links}
    # the fixture calls checkout on 40 of 60 requests; checkout queries the database twice each time
    assert calls == {"frontend -> checkout": (0.667, 1), "checkout -> postgresql": (1.0, 2),
                     "frontend users -> frontend": (1.0, 1)}
    rate = design.component("frontend users").workload.rate
    assert rate == pytest.approx(4.0)                     # one root span every 250 ms
    assert design.problems() == []


def test_service_times_are_fitted_by_p50_and_p99_and_shown_against_the_measurement():
    result = import_files([FIXTURES / "checkout-traces.json"])
    db = result.design.component("postgresql").query_time
    assert db.kind == "lognormal"
    # the fixture draws query times from lognormal(mu -6.2, sigma 0.4): median 2.03 ms
    assert db.quantile(0.5) == pytest.approx(0.00203, rel=0.05)
    text = preview_text(result.notes)
    line = next(l for l in text.splitlines() if l.strip().startswith("checkout-traces.json: postgresql"))
    assert "from 80 spans; measured p50 2.04 ms, p90 3.43 ms, p99 4.89 ms; fitted p50 2.04 ms, p90 3.3 ms" in line
    # the caller's own time excludes what it waited on: frontend's median is its own ~5 ms, not the call's
    assert result.design.component("frontend").service_time.quantile(0.5) == pytest.approx(0.005, rel=0.1)


def test_fit_matches_the_measured_percentiles():
    values = [0.001 * (i + 1) for i in range(100)]
    dist = fit(values)
    assert dist.quantile(0.5) == pytest.approx(0.0505)
    assert dist.quantile(0.99) == pytest.approx(0.09901)
    assert fit([0.002, 0.002, 0.002]).kind == "constant"


def test_collector_file_exporter_lines_and_bad_spans(tmp_path):
    spans = json.loads((FIXTURES / "checkout-traces.json").read_text())
    lines = tmp_path / "traces.jsonl"
    half = [{"resourceSpans": [rs]} for rs in spans["resourceSpans"]]
    lines.write_text("\n".join(json.dumps(h) for h in half) + "\n")
    result = import_files([lines], fmt="otlp")
    assert {l.name for l in result.design.links} >= {"frontend -> checkout", "checkout -> postgresql"}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"resourceSpans": [{"scopeSpans": [{"spans": [
        {"traceId": "1", "spanId": "2", "name": "x", "startTimeUnixNano": "soon", "endTimeUnixNano": "1"}]}]}]}))
    with pytest.raises(InteropError, match="bad.json:1: startTimeUnixNano must be a time in nanoseconds"):
        import_files([bad])


def test_traces_calibrate_an_existing_design(three_tier, tmp_path):
    # the same flow under the example's names: frontend is the API, checkout the cache, postgresql the database
    text = (FIXTURES / "checkout-traces.json").read_text()
    text = text.replace('"frontend"', '"api"').replace('"checkout"', '"cache"').replace('"postgresql"', '"db"')
    path = tmp_path / "traces.json"
    path.write_text(text)
    result = import_files([path], three_tier)
    design = result.design
    assert design.component("db").query_time.kind == "lognormal"
    assert design.component("db").query_time.quantile(0.5) == pytest.approx(0.00204, rel=0.01)
    assert design.component("api").service_time.quantile(0.5) == pytest.approx(0.005, rel=0.1)
    assert design.component("browsers").workload.rate == pytest.approx(4.0)   # reaches the API through the balancer
    assert design.link("api -> cache").probability == pytest.approx(2 / 3)
    assert design.link("cache -> db").count == 2
    assert design.component("api").instances == 3                          # capacity is the design's own
    # a cache is not timed like a service: said, not silently skipped
    assert "cache is a cache there; its traced times were left out" in preview_text(result.notes)
    assert design.problems() == []


def test_parallel_calls_are_waited_on_once(tmp_path):
    def span(sid, parent, service_kind, start_ms, end_ms, name="op"):
        return {"traceId": "1", "spanId": sid, "parentSpanId": parent, "name": name, "kind": service_kind,
                "startTimeUnixNano": str(start_ms * 1_000_000), "endTimeUnixNano": str(end_ms * 1_000_000)}

    def service(name, spans):
        return {"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": name}}]},
                "scopeSpans": [{"spans": spans}]}

    # api works 0-100 ms and calls two backends at once, 10-60 and 20-70: it waited 60 ms, not 100
    doc = {"resourceSpans": [
        service("api", [span("a", "", 2, 0, 100), span("b", "a", 3, 10, 60), span("c", "a", 3, 20, 70)]),
        service("left", [span("d", "b", 2, 11, 59)]), service("right", [span("e", "c", 2, 21, 69)])]}
    path = tmp_path / "t.json"
    path.write_text(json.dumps(doc))
    design = import_files([path]).design
    assert design.component("api").service_time.value == pytest.approx(0.040)

"""OTLP traces as users have them: the collector's file, cut short, sampled, asynchronous, large."""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest
from interop_support import EXAMPLES, FIXTURES, collector_copies

from app.cli import main as cli_main
from app.interop import InteropError, import_files, preview_text
from app.interop.traces import _quantile

TRACES = FIXTURES / "traces"
COLLECTOR = TRACES / "shop-collector.json"
SECOND = 1_000_000_000
MS = 1_000_000
T0 = 1_765_000_000 * SECOND


def _spans_of(path: Path) -> list[tuple[str, dict]]:
    """(service, span) of every span of a collector file, read without the importer."""
    out = []
    for line in path.read_text().splitlines():
        for rs in json.loads(line)["resourceSpans"]:
            attributes = {a["key"]: a["value"] for a in rs["resource"]["attributes"]}
            service = attributes["service.name"]["stringValue"]
            out += [(service, span) for scope in rs["scopeSpans"] for span in scope["spans"]]
    return out


def span(trace: int, sid: str, parent: str, kind, start: int, end: int, name: str = "op", **more) -> dict:
    return {"traceId": f"{trace:032x}", "spanId": sid, "parentSpanId": parent, "name": name, "kind": kind,
            "startTimeUnixNano": str(start), "endTimeUnixNano": str(end), "status": {}, **more}


def resource(service: str, spans: list[dict]) -> dict:
    return {"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": service}}]},
            "scopeSpans": [{"scope": {"name": "io.opentelemetry.http"}, "spans": spans}]}


def attribute(key: str, value: str) -> dict:
    return {"key": key, "value": {"stringValue": value}}


def write_lines(path: Path, lines: list[dict]) -> Path:
    path.write_text("".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines))
    return path


def test_the_collector_file_is_fitted_to_what_it_holds():
    spans = _spans_of(COLLECTOR)
    roots = sorted(int(s["startTimeUnixNano"]) for svc, s in spans if not s["parentSpanId"])
    checkouts = [s for svc, s in spans if svc == "checkout" and s["name"] == "POST /checkout"]
    consumed = [(int(s["endTimeUnixNano"]) - int(s["startTimeUnixNano"])) / 1e9 for svc, s in spans if svc == "email"]
    design = import_files([COLLECTOR]).design
    assert design.component("frontend users").workload.rate == pytest.approx((len(roots) - 1) * 1e9
                                                                              / (roots[-1] - roots[0]))
    assert design.link("frontend -> checkout").probability == pytest.approx(len(checkouts) / len(roots), abs=1e-6)
    assert design.link("checkout -> postgresql").count == 3
    # email consumes the orders topic: checkout hands the message over and never waits on email
    assert design.component("orders").kind == "queue"
    assert {l.name for l in design.links if "email" in l.name or "orders" in l.name} == {
        "checkout -> orders", "orders -> email"}
    assert design.component("email").service_time.quantile(0.5) == pytest.approx(_quantile(consumed, 0.5))
    assert design.problems() == []


def test_notes_about_the_whole_file_name_the_file_not_its_first_line():
    notes = import_files([COLLECTOR]).notes
    assert {n.where for n in notes} == {"shop-collector.json"}


def test_collector_lines_are_read_without_the_yaml_line_counter(tmp_path, monkeypatch):
    # numbering a one-line object's keys finds line 1 for all, at seconds a megabyte
    def refuse(text, source):
        raise AssertionError("a collector line went through the YAML reader")

    monkeypatch.setattr("app.interop.reading.load_yaml", refuse)
    assert import_files([COLLECTOR]).design.component("orders").kind == "queue"
    big = tmp_path / "pretty.json"
    merged = {"resourceSpans": [rs for line in COLLECTOR.read_text().splitlines()
                                for rs in json.loads(line)["resourceSpans"]]}
    big.write_text(json.dumps(merged, indent=2) + " " * (1024 * 1024))
    assert import_files([big]).design.component("orders").kind == "queue"


def test_a_traces_file_larger_than_a_configuration_imports(tmp_path):
    path = collector_copies(tmp_path / "traces.json", 60)   # sixty times the traffic
    assert path.stat().st_size > 6_000_000
    design = import_files([path]).design
    assert design.link("checkout -> postgresql").count == 3


def test_the_files_a_collector_rotated_are_one_sample(tmp_path):
    lines = COLLECTOR.read_text().splitlines(keepends=True)
    first, second = tmp_path / "traces.json", tmp_path / "traces-2025-12-06T07-01-00.json"
    first.write_text("".join(lines[:4]))
    second.write_text("".join(lines[4:]))
    whole = import_files([COLLECTOR]).design
    split = import_files([first, second]).design
    for name in ("frontend", "cart", "checkout", "email"):
        assert split.component(name).service_time == whole.component(name).service_time
    assert [(l.name, l.probability, l.count) for l in split.links] == [
        (l.name, l.probability, l.count) for l in whole.links]
    assert split.component("frontend users").workload.rate == whole.component("frontend users").workload.rate


def test_a_last_line_cut_short_is_named_by_its_line(tmp_path):
    text = COLLECTOR.read_text()
    path = tmp_path / "traces.json"
    path.write_text(text[:len(text) - 500])
    lines = text.count("\n")
    with pytest.raises(InteropError, match=rf"^traces.json:{lines}: not valid JSON: "):
        import_files([path])


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_an_empty_file_is_said_to_be_empty(tmp_path, content):
    path = tmp_path / "traces.json"
    path.write_text(content)
    with pytest.raises(InteropError, match="^traces.json: is empty$"):
        import_files([path])


def test_jaeger_json_is_told_apart_from_otlp():
    with pytest.raises(InteropError, match=r"jaeger-ui-download.json: is Jaeger's JSON .* not OTLP"):
        import_files([TRACES / "jaeger-ui-download.json"])


def test_a_compressed_file_is_refused_in_words(tmp_path):
    import gzip

    path = tmp_path / "traces.json.gz"
    path.write_bytes(gzip.compress(COLLECTOR.read_bytes()))
    with pytest.raises(InteropError, match=r"traces.json.gz: is gzip-compressed: decompress it first"):
        import_files([path])


@pytest.mark.parametrize(("change", "message"), [
    ({"startTimeUnixNano": True}, "startTimeUnixNano must be a time in nanoseconds since 1970"),
    ({"endTimeUnixNano": "-5"}, "endTimeUnixNano must be a time in nanoseconds since 1970"),
    ({"kind": [2]}, r"kind must be a span kind, 0 to 5 or SPAN_KIND_SERVER"),
    ({"spanId": None}, "spanId must be an id, a hex string"),
])
def test_a_wrong_value_names_the_line_and_the_span(tmp_path, capsys, change, message):
    lines = [{"resourceSpans": [resource("api", [span(1, "a1", "", 2, T0, T0 + 5 * MS)])]},
             {"resourceSpans": [resource("api", [span(2, "b1", "", 2, T0, T0 + 5 * MS),
                                                 {**span(2, "b2", "b1", 3, T0, T0 + MS), **change}])]}]
    path = write_lines(tmp_path / "traces.json", lines)
    with pytest.raises(InteropError, match=rf"^traces.json:2: {message}.* in the span at "
                                           r"resourceSpans\[0\].scopeSpans\[0\].spans\[1\]$"):
        import_files([path])
    assert cli_main(["import", str(path)]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_a_consumer_of_a_server_span_is_not_waited_on(tmp_path):
    # api answers in 10 ms and hands a message on; the worker consumes it 50 ms later, for 80 ms
    lines = []
    for t in range(20):
        start = T0 + t * 100 * MS
        lines.append({"resourceSpans": [
            resource("api", [span(t + 1, f"a{t}", "", 2, start, start + 10 * MS)]),
            resource("worker", [span(t + 1, f"w{t}", f"a{t}", 5, start + 60 * MS, start + 140 * MS,
                                     attributes=[attribute("messaging.destination.name", "jobs")])])]})
    design = import_files([write_lines(tmp_path / "t.json", lines)]).design
    assert design.component("api").service_time.value == pytest.approx(0.010)
    assert design.component("jobs").kind == "queue"
    assert {l.name for l in design.links} == {"api -> jobs", "jobs -> worker", "api users -> api"}


def test_a_consumer_in_a_trace_of_its_own_follows_its_link_to_the_producer(tmp_path):
    lines = []
    for t in range(20):
        start = T0 + t * 100 * MS
        lines.append({"resourceSpans": [
            resource("orders", [span(t + 1, f"o{t}", "", 2, start, start + 10 * MS),
                                span(t + 1, f"p{t}", f"o{t}", 4, start + 4 * MS, start + 5 * MS,
                                     attributes=[attribute("messaging.system", "kafka"),
                                                 attribute("messaging.destination.name", "placed")])]),
            resource("mailer", [span(1000 + t, f"m{t}", "", 5, start + 30 * MS, start + 45 * MS,
                                     links=[{"traceId": f"{t + 1:032x}", "spanId": f"p{t}"}],
                                     attributes=[attribute("messaging.system", "kafka")])])]})
    design = import_files([write_lines(tmp_path / "t.json", lines)]).design
    # no "mailer users" arriving from outside, no kafka timed by the mailer's work
    assert {c.name: c.kind for c in design.components} == {
        "orders": "service", "mailer": "service", "placed": "queue", "orders users": "client"}
    assert design.component("orders").service_time.value == pytest.approx(0.009)
    assert design.component("mailer").service_time.value == pytest.approx(0.015)


def test_a_producer_whose_consumer_is_not_in_the_file_still_hands_to_a_queue(tmp_path):
    lines = []
    for t in range(20):
        start = T0 + t * 100 * MS
        lines.append({"resourceSpans": [
            resource("orders", [span(t + 1, f"o{t}", "", 2, start, start + 10 * MS),
                                span(t + 1, f"p{t}", f"o{t}", 4, start + 4 * MS, start + 5 * MS,
                                     attributes=[attribute("messaging.system", "kafka")])]),
            # a consumer of another topic, whose spans name kafka too: its 40 ms are not kafka's latency
            resource("audit", [span(500 + t, f"c{t}", "", 5, start, start + 40 * MS,
                                    attributes=[attribute("messaging.system", "kafka")])])]})
    design = import_files([write_lines(tmp_path / "t.json", lines)]).design
    assert design.component("kafka").kind == "queue"
    assert design.link("orders -> kafka").count == 1


def test_calls_whose_request_was_not_sampled_add_no_client_and_no_own_time(tmp_path):
    lines = []
    for t in range(40):
        start = T0 + t * 250 * MS
        trace, server = t + 1, f"s{t}"
        calls = [span(trace, f"q{t}{i}", server, 3, start + (1 + 3 * i) * MS, start + (3 + 3 * i) * MS,
                      name="SELECT", attributes=[attribute("db.system", "postgresql")]) for i in range(2)]
        # the tail sampler kept the first half of the requests whole, and only the queries of the rest
        spans = ([span(trace, server, "", 2, start, start + 10 * MS)] if t < 20 else []) + calls
        lines.append({"resourceSpans": [resource("checkout", spans)]})
    result = import_files([write_lines(tmp_path / "t.json", lines)])
    design = result.design
    assert {c.name for c in design.components} == {"checkout", "postgresql", "checkout users"}
    assert design.component("checkout").service_time.value == pytest.approx(0.006)
    assert design.component("checkout users").workload.rate == pytest.approx(4.0)
    assert design.component("postgresql").query_time.value == pytest.approx(0.002)
    assert "40 spans of checkout (such as 'SELECT') belong to requests whose own span is not in the file" \
        in preview_text(result.notes)


def test_requests_whose_traced_caller_was_not_sampled_add_no_client(tmp_path):
    lines = []
    for t in range(40):
        start, trace = T0 + t * 100 * MS, t + 1
        caller = [span(trace, f"a{t}", "", 2, start, start + 20 * MS), span(trace, f"c{t}", f"a{t}", 3,
                                                                            start + 5 * MS, start + 15 * MS)]
        callee = [span(trace, f"b{t}", f"c{t}", 2, start + 6 * MS, start + 14 * MS)]
        lines.append({"resourceSpans": [resource("api", caller if t % 2 else []), resource("stock", callee)]})
    result = import_files([write_lines(tmp_path / "t.json", lines)])
    design = result.design
    assert [c.name for c in design.components if c.kind == "client"] == ["api users"]
    assert design.component("api users").workload.rate == pytest.approx(19 / 3.8)
    assert "20 requests to stock come from a caller's span that is not in the file" in preview_text(result.notes)


def test_a_span_written_twice_is_counted_once(tmp_path):
    lines = []
    for t in range(10):
        start = T0 + t * 100 * MS
        lines.append({"resourceSpans": [resource("api", [
            span(t + 1, f"a{t}", "", 2, start, start + 10 * MS),
            span(t + 1, f"d{t}", f"a{t}", 3, start + 2 * MS, start + 4 * MS,
                 attributes=[attribute("db.system", "redis")])])]})
    path = write_lines(tmp_path / "t.json", lines + lines[:5])   # the collector retried an export
    result = import_files([path])
    assert result.design.link("api -> redis").count == 1
    assert result.design.component("api users").workload.rate == pytest.approx(10.0)
    assert "10 spans appear more than once (the same traceId and spanId); each is counted once" \
        in preview_text(result.notes)


def test_microsecond_spans_keep_their_precision(tmp_path):
    # seconds since 1970 in a float step by 0.24 us: a 1.5 us lookup would come out 1.43 or 1.67 us
    lines = [{"resourceSpans": [resource("api", [
        span(t + 1, f"a{t}", "", 2, T0 + t * 10 * MS + 7, T0 + t * 10 * MS + 7 + 1500 + 200 * (t % 2))])]}
        for t in range(10)]
    design = import_files([write_lines(tmp_path / "t.json", lines)]).design
    assert design.component("api").service_time.quantile(0.5) == pytest.approx(1.6e-6, rel=1e-6)


def test_calibrating_names_the_designs_calls_the_traces_never_made(tmp_path, three_tier):
    lines = []
    for t in range(20):
        start = T0 + t * 50 * MS
        lines.append({"resourceSpans": [resource("api", [
            span(t + 1, f"a{t}", "", 2, start, start + 8 * MS),
            span(t + 1, f"c{t}", f"a{t}", 3, start + 2 * MS, start + 3 * MS,
                 attributes=[attribute("peer.service", "cache")])])]})
    path = write_lines(tmp_path / "traces.json", lines)
    result = import_files([path], three_tier)
    text = preview_text(result.notes)
    # api answered 20 requests and never queried the database: the design's 20 % is not what was measured
    assert "traces.json: api -> db: no traced request of api made this call; the design's 20 % and 1 per " \
           "request are kept" in text
    assert "api -> cache: no traced" not in text
    assert result.design.component("browsers").workload.rate == pytest.approx(20.0)


def test_the_command_line_writes_a_design_and_a_calibrated_one(tmp_path, capsys):
    shop = tmp_path / "shop.json"
    assert cli_main(["import", str(COLLECTOR), "--out", str(shop)]) == 0
    written = json.loads(shop.read_text())
    kinds = defaultdict(set)
    for c in written["components"]:
        kinds[c["kind"]].add(c["name"])
    assert kinds["queue"] == {"orders"}
    assert "shop-collector.json:1:" not in capsys.readouterr().out


def test_calibrating_with_traces_of_other_services_says_nothing_applies(tmp_path, capsys):
    # the shop's services are not the three-tier example's: its fits are not the example's settings
    calibrated = tmp_path / "calibrated.json"
    assert cli_main(["import", str(COLLECTOR), "--into", str(EXAMPLES / "three_tier.json"),
                     "--out", str(calibrated)]) == 1
    captured = capsys.readouterr()
    assert 'Nothing in shop-collector.json maps to a call of "Three-tier web shop"' in captured.err
    assert "already has the settings" not in captured.out + captured.err
    assert "frontend own time" not in captured.out and "frontend is not in the design" in captured.out
    assert not calibrated.exists()


def test_calibrating_shows_the_fits_of_the_designs_own_components(tmp_path, three_tier):
    text = COLLECTOR.read_text().replace('"stringValue":"frontend"', '"stringValue":"api"')
    path = tmp_path / "traces.json"
    path.write_text(text.replace('"postgresql"', '"db"'))
    result = import_files([path], three_tier)
    mapped = [n.text for n in result.of_kind("mapped")]
    assert any(t.startswith("api own time: lognormal") and "measured p50" in t for t in mapped)
    assert any(t.startswith("db (database, seen from its callers)") for t in mapped)
    assert not any(t.startswith(("cart", "checkout", "email")) for t in mapped)


def test_the_window_names_the_cut_line_and_what_traces_of_other_services_change(window, qtbot, tmp_path):
    from app.interop_dialog import ImportConfigurationDialog

    text = COLLECTOR.read_text()
    cut = tmp_path / "traces.json"
    cut.write_text(text[:-300])
    dialog = ImportConfigurationDialog(window.document.design, [cut], window)
    qtbot.addWidget(dialog)
    assert dialog.error.text().startswith(f"traces.json:{text.count(chr(10))}: not valid JSON")
    assert dialog.import_result is None
    dialog.set_files([COLLECTOR])
    assert dialog.import_result is None
    assert dialog.preview.toPlainText().startswith('Nothing in shop-collector.json maps to a call of "Three-tier')
    dialog.as_new.setChecked(True)
    assert dialog.import_result is not None
    assert dialog.import_result.design.component("orders").kind == "queue"

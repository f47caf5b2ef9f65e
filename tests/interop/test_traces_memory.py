"""A collector's file read line by line into spans: what it holds, and that it reads as the whole file did."""
from __future__ import annotations

import json
import re
import tracemalloc
from pathlib import Path

import pytest
from interop_support import COLLECTOR, collector_copies

from app.interop import InteropError, detect_format, import_files, read_documents, read_files
from app.interop.traces import LineSpans, fit_traces

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _fitted(fit) -> str:
    """A fit as text, its components' fresh ids named by their order."""
    text = json.dumps([fit.design.model_dump(mode="json"), [(n.kind, n.text, n.where) for n in fit.said.notes],
                       fit.source], sort_keys=True)
    ids: dict[str, str] = {}
    return _UUID.sub(lambda m: ids.setdefault(m.group(), f"id{len(ids)}"), text)


def _outcome(read) -> str:
    try:
        return _fitted(read())
    except InteropError as exc:
        return f"refused: {exc}"


def _by_lines(path: Path) -> str:
    return _outcome(lambda: read_files([path])[0].fit)


def _whole(path: Path) -> str:
    """As every line was read before: each parsed into a document, all of them fitted together."""
    def read():
        docs = read_documents(path, spans=False)
        assert detect_format(path, docs) == "otlp"
        return fit_traces(docs)
    return _outcome(read)


def test_a_collector_file_is_one_document_of_its_spans():
    docs = read_documents(COLLECTOR)
    assert len(docs) == 1 and docs[0].source == "shop-collector.json"
    assert isinstance(docs[0].data["resourceSpans"], LineSpans)
    assert detect_format(COLLECTOR, docs) == "otlp"
    assert len(read_documents(COLLECTOR, spans=False)) == len(COLLECTOR.read_text().splitlines())


def test_spans_read_line_by_line_fit_the_design_the_whole_file_did(tmp_path):
    path = collector_copies(tmp_path / "traces.json", 3)
    by_lines = _by_lines(path)
    assert not by_lines.startswith("refused") and by_lines == _whole(path)
    assert _by_lines(COLLECTOR) == _whole(COLLECTOR)


def test_the_lines_hold_a_fraction_of_what_parsing_them_all_did(tmp_path):
    path = collector_copies(tmp_path / "traces.json", 30)
    size = path.stat().st_size
    tracemalloc.start()
    try:
        read_files([path])
        _, by_lines = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        docs = read_documents(path, spans=False)
        fit_traces(docs)
        _, whole = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # parsed, a span's objects take about ten times its text; its span alone about its text
    assert whole > 5 * size
    assert by_lines < 2 * size


def _lines(tmp_path: Path, name: str = "traces.json") -> tuple[Path, list[str]]:
    return tmp_path / name, COLLECTOR.read_text().splitlines()


@pytest.mark.parametrize("case", [
    "windows line ends", "byte-order mark", "blank lines", "jsonl of one line", "a bad span, then a cut line",
    "a bad span", "a line of no spans", "a line of another format", "a list on a line", "a line break inside a name",
    "a next line inside a name", "a carriage return between values", "one object on one line", "not utf-8",
    "jaeger on a line", "no spans at all", "a key that is a list",
])
def test_odd_collector_files_read_as_the_whole_file_did(tmp_path, case):
    path, lines = _lines(tmp_path, "traces.jsonl" if case == "jsonl of one line" else "traces.json")
    text = "\n".join(lines) + "\n"
    empty = '{"resourceSpans":[]}'
    bad = lines[1].replace('"startTimeUnixNano":"', '"startTimeUnixNano":"x', 1)
    edits = {
        "windows line ends": lambda: "\r\n".join(lines) + "\r\n",
        "byte-order mark": lambda: "\ufeff" + text,
        "blank lines": lambda: "\n  \n" + "\n\n".join(lines) + "\n\n",
        "jsonl of one line": lambda: lines[0] + "\n",
        "a bad span, then a cut line": lambda: "\n".join([lines[0], bad, *lines[2:]])[:-300],
        "a bad span": lambda: "\n".join([lines[0], bad, *lines[2:]]),
        "a line of no spans": lambda: text + "{}\n",
        "a line of another format": lambda: text + '{"services": {"web": {"image": "nginx"}}}\n',
        "a list on a line": lambda: text + "[1]\n",
        "a line break inside a name": lambda: text.replace('"name":"GET"', '"name":"GET\u2028x"', 1),
        "a next line inside a name": lambda: text.replace('"name":"GET"', '"name":"GET\x85x"', 1),
        "a carriage return between values": lambda: text.replace('"name":"GET",', '"name":"GET",\r', 1),
        "one object on one line": lambda: lines[0],
        "jaeger on a line": lambda: text + json.dumps({"resourceSpans": [], "data": [{"spans": [], "processes": {}}]}),
        "no spans at all": lambda: f"{empty}\n{empty}\n",
        "a key that is a list": lambda: text.replace('"key":"db.system"', '"key":["db.system"]', 1),
    }
    if case == "not utf-8":
        path.write_bytes(text.encode() + b'{"resourceSpans":[],"x":"\xff"}\n')
    else:
        path.write_text(edits[case](), encoding="utf-8", newline="")
    if case == "a key that is a list":
        # read whole as before, the key fails where the fit looks it up, which read_files refuses in words
        assert _by_lines(path) == "refused: traces.json: its structure is not what OpenTelemetry traces (OTLP JSON) " \
                                  "holds (unhashable type: 'list')"
    else:
        assert _by_lines(path) == _whole(path)


@pytest.mark.parametrize("mark", ["\x85", "\u2028", "\u2029"])
def test_a_raw_line_separator_inside_a_name_stays_in_its_line(tmp_path, mark):
    """A JSON string may hold NEL, U+2028 and U+2029 raw (Go's encoder leaves NEL as it is): the file was
    cut there into two lines, neither of them JSON, and refused."""
    path, lines = _lines(tmp_path, "traces.json")
    path.write_text("\n".join(lines).replace('"name":"GET"', f'"name":"GET{mark}x"', 1) + "\n",
                    encoding="utf-8", newline="")
    for spans in (True, False):
        docs = read_documents(path, spans=spans)
        assert docs
    design = import_files([path]).design
    assert {c.name for c in import_files([COLLECTOR]).design.components} == {c.name for c in design.components}

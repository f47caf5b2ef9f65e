"""OpenTelemetry traces (OTLP JSON, as the collector's file exporter writes them) as a design.

Each ``service.name`` becomes a service; a span whose parent belongs to another service is a
call between them; a client span nobody answered (a database, a third party) names its peer
(``peer.service``, ``db.system``, ``server.address``), which becomes a database or an external
system. Per calling request, the share of requests that make a call and the calls they make
give each link's probability and count. A service's own time (its span minus the calls it
waited on) is fitted with a lognormal by its p50 and p99, and the preview shows measured
against fitted percentiles before the user accepts. Root spans per second give the arrival
rate of a client in front of each entry service.

A message (a producer's span, or a consumer's span under its parent or linked to its producer)
goes through a queue named by its destination: the producer never waits on the consumer. A span
whose parent is missing (sampled away, or beyond the file's ends) is a request from outside only
when it answers one (a server or consumer span); a call or inner step of a request whose own span
is missing is left out of its service's own time and call counts.
"""
from __future__ import annotations

import codecs
import itertools
import json
import math
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from engine.model import (
    Client,
    Constant,
    Database,
    Design,
    External,
    Link,
    LogNormal,
    OpenLoop,
    Queue,
    Service,
    format_seconds,
)
from engine.model.design import shown

from .notes import ImportResult, InteropError
from .placing import match_component, match_name_ok
from .reading import MAX_BYTES, Document, mapping, sequence

KIND_CLIENT, KIND_SERVER, KIND_PRODUCER, KIND_CONSUMER = 3, 2, 4, 5
_KIND_NAMES = {"SPAN_KIND_INTERNAL": 1, "SPAN_KIND_SERVER": 2, "SPAN_KIND_CLIENT": 3, "SPAN_KIND_PRODUCER": 4,
               "SPAN_KIND_CONSUMER": 5}
DEFAULT_RATE = 10.0
MIN_SPANS_TO_FIT = 2
# A collector's file exporter writes tens of megabytes a minute under modest load, where a
# configuration file stays far below reading.MAX_BYTES. Its lines, read one at a time into spans
# (read_lines), peak at about 0.7 times the file above the loaded program (python -m
# benchmarks.bench_traces: 34 MB for 50 MB); one JSON object is parsed whole, at about 7.5 times the
# file (380 MB for 50 MB), and this limit is that form's: about 800 MB at its peak.
MAX_TRACE_BYTES = 100_000_000


_COMPRESSED = {b"\x1f\x8b": "gzip", b"\x28\xb5\x2f\xfd": "zstd"}


def byte_limit(path: str | Path) -> int:
    """How large ``path`` may be: OTLP traces, known by ``resourceSpans`` near their start, may be
    far larger than a configuration file. A compressed file (the collector's file exporter writes
    zstd when asked; archives are often gzip) is refused in words rather than as bytes that are not
    text, or as a configuration file too large."""
    try:
        with Path(path).open("rb") as file:
            head = file.read(4096)
    except OSError:
        return MAX_BYTES   # reading it again says why it cannot be read
    for magic, name in _COMPRESSED.items():
        if head.startswith(magic):
            raise InteropError(f"is {name}-compressed: decompress it first ({name} -d {Path(path).name}) and import "
                               "what it holds", Path(path).name)
    return MAX_TRACE_BYTES if b'"resourceSpans"' in head else MAX_BYTES


@dataclass(slots=True)
class Span:
    trace: str
    id: str
    parent: str
    service: str
    name: str
    kind: int
    # Whole nanoseconds since 1970: as seconds in a float they would be rounded to a quarter of a
    # microsecond, a tenth of a fast cache lookup.
    start: int
    end: int
    error: bool
    peer: str | None = None
    peer_is_db: bool = False
    destination: str | None = None                 # the queue or topic a messaging span names
    link: tuple[str, str] | None = None            # the producer a consumer in a trace of its own links to
    up: Span | None = None                         # the parent, or the producer a consumer was linked to
    # most spans call nothing: an empty list each would add 72 bytes to a span of about 150
    children: list[Span] | tuple[()] = ()

    @property
    def duration(self) -> float:
        return max(0, self.end - self.start) / 1e9


class LineSpans:
    """The spans of a collector's file, read line by line: what a document of the file holds under
    ``resourceSpans`` in place of the lines themselves (``read_lines``)."""

    __slots__ = ("spans",)

    def __init__(self, spans: list[Span]) -> None:
        self.spans = spans


class _NotLines(Exception):
    """The file is not plainly one OTLP object a line: it is read whole, as any JSON file."""


def _nonblank_lines(file: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) of every line with more than white space, numbered as the whole-file reader
    numbers them: a carriage return alone ends a line there too, so a line holding one is not read here
    (NEL, U+2028 and U+2029 end none: a JSON string may hold them raw). Not decoded yet: a file of one
    object on one line is known by its second line."""
    for number, raw in enumerate(file, 1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8):]
        raw = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1] if raw.endswith(b"\n") else raw
        if b"\r" in raw:
            raise _NotLines
        # white space beyond ASCII's fails as JSON, and the file is read whole
        if raw.strip():
            yield number, raw


def read_lines(path: Path, accept: Callable[[dict], bool]) -> Document | None:
    """A collector's file (one OTLP object a line) as one document of its spans, each line's objects
    let go as soon as its spans are made: parsed whole, the lines would take ten times the file.
    None when the file is anything else, or anything in it would be refused or read differently
    (a line that is not valid JSON, or not one ``accept`` takes; a span with a wrong value): reading
    it whole then says so in the same words, naming the same line, as it always has."""
    try:
        if path.stat().st_size > MAX_TRACE_BYTES:
            return None
        file = path.open("rb")
    except OSError:
        return None
    spans: list[Span] = []
    strings: dict[str, str] = {}
    with file:
        try:
            lines = _nonblank_lines(file)
            first = next(lines, None)
            second = next(lines, None)
            if first is None or second is None and path.suffix.lower() != ".jsonl":
                return None   # empty, or one object: the single document the whole-file reader numbers by its keys
            for number, raw in itertools.chain([first], [second] if second else [], lines):
                data = json.loads(raw.decode("utf-8"))
                if not isinstance(data, dict) or not accept(data):
                    return None
                _doc_spans(Document(data, f"{path.name}:{number}"), spans, strings)
                del data   # before the next line is parsed
        except (_NotLines, InteropError, ValueError, TypeError, KeyError, IndexError, AttributeError,
                RecursionError):
            return None
    return Document({"resourceSpans": LineSpans(spans)}, path.name)


def _attrs(items: Any, keys: frozenset[str] | None = None) -> dict[str, Any]:
    """The attributes' values by key (only ``keys``, when given), the last of a key written twice."""
    out = {}
    for item in items or []:
        if isinstance(item, dict) and "key" in item and (keys is None or item["key"] in keys):
            value = item.get("value") or {}
            out[item["key"]] = next(iter(value.values()), None) if isinstance(value, dict) and value else None
    return out


def _named(at: tuple[int, int, int]) -> str:
    # a line of the collector's file holds hundreds of spans: a message says which
    return "resourceSpans[{}].scopeSpans[{}].spans[{}]".format(*at)


def _nanos(value: Any, key: str, where: str, at: tuple[int, int, int]) -> int:
    # protobuf's JSON writes a uint64 as a decimal string and takes a number too; true is no time
    if not isinstance(value, bool):
        try:
            nanos = int(value)
            if nanos >= 0:
                return nanos
        except (TypeError, ValueError, OverflowError):
            pass
    raise InteropError(f"{key} must be a time in nanoseconds since 1970, such as \"1700000000000000000\" "
                       f"(got {shown(value)}) in the span at {_named(at)}", where)


def _kind(value: Any, key: str, where: str, at: tuple[int, int, int]) -> int:
    """A span kind as the collector writes it (2) or as protobuf's JSON names it (SPAN_KIND_SERVER)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 5:
        return value
    if isinstance(value, str):
        name = value.strip().upper()
        found = _KIND_NAMES.get(name, _KIND_NAMES.get(f"SPAN_KIND_{name}"))
        if found is not None:
            return found
    raise InteropError(f"{key} must be a span kind, 0 to 5 or SPAN_KIND_SERVER, SPAN_KIND_CLIENT, ... (got "
                       f"{shown(value)}) in the span at {_named(at)}", where)


def _id(value: Any, key: str, where: str, at: tuple[int, int, int]) -> str:
    if isinstance(value, str) and value.strip():
        return value.strip().lower()
    raise InteropError(f"{key} must be an id, a hex string (got {shown(value)}) in the span at {_named(at)}", where)


def _jaeger(data: Any) -> bool:
    """Whether ``data`` is Jaeger's own JSON (its UI's download, its query API): traces under ``data``
    with ``spans`` and ``processes``."""
    items = data.get("data") if isinstance(data, dict) else None
    return isinstance(items, list) and any(isinstance(t, dict) and "spans" in t and "processes" in t
                                           for t in items[:5])


def looks_like_traces(data: Any) -> bool:
    """Traces of a kind this reader names: OTLP, or Jaeger's JSON, which it refuses in words."""
    return isinstance(data, dict) and "resourceSpans" in data or _jaeger(data)


def read_spans(docs: list[Document], result: ImportResult) -> list[Span]:
    """Every span of the documents, with its service and peer."""
    spans: list[Span] = []
    strings: dict[str, str] = {}
    for doc in docs:
        read = doc.data.get("resourceSpans") if isinstance(doc.data, dict) else None
        if isinstance(read, LineSpans):
            spans += read.spans
        else:
            _doc_spans(doc, spans, strings)
    if not spans:
        raise InteropError("holds no spans", _file(docs))
    return spans


def _doc_spans(doc: Document, spans: list[Span], strings: dict[str, str]) -> None:
    """The spans of one document (a line of the collector's file, or a whole file) added to ``spans``."""
    if _jaeger(doc.data):
        raise InteropError("is Jaeger's JSON (data[].spans with processes), not OTLP: export the traces as OTLP "
                           "JSON instead (the OpenTelemetry Collector's file exporter, or Jaeger's /api/v3/traces)",
                           doc.source)
    resource_spans = doc.data.get("resourceSpans") if isinstance(doc.data, dict) else None
    if not isinstance(resource_spans, list):
        raise InteropError("has no resourceSpans list", doc.source)
    for r, rs in enumerate(resource_spans):
        here = doc.where(("resourceSpans", r))
        rs = mapping(rs, f"resourceSpans[{r}]", here)
        resource = mapping(rs.get("resource"), f"resourceSpans[{r}].resource", here)
        service = str(_attrs(sequence(resource.get("attributes"), "resource.attributes", here))
                      .get("service.name") or "unknown_service")
        service = strings.setdefault(service, service)
        scopes = sequence(rs.get("scopeSpans") or rs.get("instrumentationLibrarySpans"),
                          f"resourceSpans[{r}].scopeSpans", here)
        for s, scope in enumerate(scopes):
            scope = mapping(scope, f"resourceSpans[{r}].scopeSpans[{s}]", here)
            for i, raw in enumerate(sequence(scope.get("spans"), "spans", here)):
                spans.append(_span(doc, service, raw, (r, s, i), strings))


# The attributes a span's fit reads: the rest of a span's attributes are never kept.
_PEER_KEYS = ("peer.service", "db.system", "server.address", "net.peer.name", "messaging.system")
_DESTINATION_KEYS = ("messaging.destination.name", "messaging.destination")
_READ_KEYS = frozenset(_PEER_KEYS + _DESTINATION_KEYS)


def _span(doc: Document, service: str, raw: Any, at: tuple[int, int, int], strings: dict[str, str]) -> Span:
    # a collector's line has no line numbers to look up: it is the line, and millions of spans skip the look-up
    where = doc.where(("resourceSpans", at[0], "scopeSpans", at[1], "spans", at[2])) if doc.lines else doc.source
    # the checks of reading.mapping and .sequence, made here first: they name the key, a string made for
    # every span for a message that is rarely written
    if not isinstance(raw, dict):
        raw = mapping(raw, _named(at), where)
    attrs = raw.get("attributes")
    attrs = _attrs(attrs if isinstance(attrs, list) else sequence(attrs, f"{_named(at)}.attributes", where),
                   _READ_KEYS)
    status = raw.get("status")
    if not isinstance(status, dict):
        status = mapping(status, f"{_named(at)}.status", where)
    code = status.get("code", 0)
    peer = attrs.get("peer.service") or attrs.get("db.system") or attrs.get("server.address") \
        or attrs.get("net.peer.name") or attrs.get("messaging.system")
    kind = _kind(raw.get("kind", 0), "kind", where, at)
    link = None
    links = raw.get("links")
    if not isinstance(links, list):
        links = sequence(links, f"{_named(at)}.links", where)
    if kind == KIND_CONSUMER and links and isinstance(links[0], dict):
        link = (_shared(str(links[0].get("traceId", "")).lower(), strings),
                _shared(str(links[0].get("spanId", "")).lower(), strings))
    destination = attrs.get("messaging.destination.name") or attrs.get("messaging.destination")
    return Span(
        trace=_shared(_id(raw.get("traceId"), "traceId", where, at), strings),
        id=_shared(_id(raw.get("spanId"), "spanId", where, at), strings),
        parent=_shared(str(raw.get("parentSpanId") or "").lower(), strings), service=service,
        name=_shared(str(raw.get("name", "")), strings), kind=kind,
        start=_nanos(raw.get("startTimeUnixNano"), "startTimeUnixNano", where, at),
        end=_nanos(raw.get("endTimeUnixNano"), "endTimeUnixNano", where, at),
        error=code in (2, "STATUS_CODE_ERROR"), peer=_shared(str(peer), strings) if peer is not None else None,
        peer_is_db="db.system" in attrs, destination=_shared(str(destination), strings) if destination else None,
        link=link)


def _shared(text: str, strings: dict[str, str]) -> str:
    """One string for every span that holds the same text: a trace's id, a parent's id, a name, a peer
    are each written over and over, and a copy each would outweigh the span."""
    return strings.setdefault(text, text)


def _file(docs: list[Document]) -> str:
    """The files the documents come from (one line of the collector's file names it with its line)."""
    return ", ".join(dict.fromkeys(re.sub(r":\d+$", "", doc.source) for doc in docs))


def _covered(intervals: list[tuple[int, int]]) -> float:
    """The length in seconds of the union of ``intervals`` (in nanoseconds)."""
    total, end = 0, None
    for start, stop in sorted(intervals):
        if end is None or stop > end:
            total += stop - (start if end is None else max(start, end))
            end = stop
    return total / 1e9


def _quantile(values: list[float], q: float) -> float:
    """The q-quantile of ``values`` by linear interpolation between order statistics."""
    ordered = sorted(values)
    pos = q * (len(ordered) - 1)
    low = int(math.floor(pos))
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def fit(values: list[float]):
    """A lognormal through the measured p50 and p99 (a constant when they agree)."""
    p50, p99 = _quantile(values, 0.5), _quantile(values, 0.99)
    if p50 <= 0 or p99 <= p50 * (1 + 1e-9):
        return Constant(value=max(p50, 0.0))
    return LogNormal(p50=p50, p99=p99)


def fit_summary(label: str, values: list[float], dist) -> str:
    """Measured against fitted percentiles, for the preview."""
    def pct(q):
        return format_seconds(_quantile(values, q))

    fitted = ", ".join(f"p{int(q * 100)} {format_seconds(dist.quantile(q))}" for q in (0.5, 0.9, 0.99))
    return (f"{label}: {dist.describe()} from {_spans(len(values))}; measured p50 {pct(0.5)}, p90 {pct(0.9)}, "
            f"p99 {pct(0.99)}; fitted {fitted}")


class _Traced(ImportResult):
    """The notes of a traced design, what maps to what filed under the component or call it is about:
    calibrating shows those of the design's own components and calls only."""

    def __init__(self) -> None:
        super().__init__(Design())
        self.about: dict[str, list[str]] = defaultdict(list)


def _say(result: ImportResult, about: str, text: str, source: str) -> None:
    result.add("mapped", text, source)
    if isinstance(result, _Traced):
        result.about[about].append(text)


@dataclass(frozen=True, slots=True)
class TracesFit:
    """What traces make, whatever they are applied to: the design their spans make, what fitting
    them said, and the files they come from. Fitting a large file takes longer than reading it, so a
    preview shown again for another choice applies the same fit again (``apply_fit``)."""

    design: Design
    said: _Traced
    source: str


def fit_traces(docs: list[Document]) -> TracesFit:
    """The design whose calls, call counts, service times and arrival rates come from the spans."""
    said = _Traced()
    return TracesFit(traced_design(docs, said), said, _file(docs))


def apply_fit(fit: TracesFit, design: Design | None, result: ImportResult) -> Design:
    """The traced design, or, given a design, the same figures calibrating the components and calls
    it already has."""
    for note in fit.said.notes:
        if design is None or note.kind != "mapped":
            result.add(note.kind, note.text, note.where)
    if design is None:
        return fit.design.model_copy(deep=True)   # the import's design is the user's to change; the fit is kept
    return calibrate(design, fit.design, result, fit.source, fit.said.about)


_TIME_FIELDS = {"service": "service_time", "database": "query_time", "external": "latency"}


def calibrate(design: Design, traced: Design, result: ImportResult, source: str,
              about: dict[str, list[str]] | None = None) -> Design:
    """``design`` with the traced times, error shares, call patterns and arrival rates of the
    components and calls it shares with ``traced``; what it lacks is named."""
    design = design.model_copy(deep=True)
    index = {c.name: i for i, c in enumerate(design.components)}
    names: dict[str, str] = {}
    for t in traced.components:
        if t.kind == "client":
            continue
        found = match_component(design, t.name)
        if found is not None:
            names[t.name] = found.name
        if t.kind == "queue":
            # a queue's time is its consumers', timed as theirs: only its calls are calibrated
            if found is None:
                result.add("not_understood", f"{t.name}, a queue the traces hand messages to, is not in the design",
                           source)
            continue
        if found is None or found.kind not in _TIME_FIELDS:
            why = "is not in the design" if found is None else f"is a {found.kind.replace('_', ' ')} there"
            result.add("not_understood", f"{t.name} {why}; its traced times were left out", source)
            continue
        update = {_TIME_FIELDS[found.kind]: getattr(t, _TIME_FIELDS[t.kind])}
        if t.kind == "service":
            update["error_probability"] = t.error_probability
        design.components[index[found.name]] = found.model_copy(update=update)
        for text in (about or {}).get(t.name, []):
            result.add("mapped", text, source)   # measured against fitted, as for a new design
        result.add("mapped", f"{t.name} -> {found.name}: {_TIME_FIELDS[found.kind].replace('_', ' ')} "
                             f"{update[_TIME_FIELDS[found.kind]].describe()}", source)
    for link in traced.links:
        traced_source, traced_target = traced.name_of(link.source), traced.name_of(link.target)
        caller, callee = names.get(traced_source), names.get(traced_target)
        if traced.component(link.source).kind == "client":
            target = names.get(traced_target)
            clients = [c for c in design.components if c.kind == "client" and target is not None
                       and _reaches(design, c.name, target)]
            rate = traced.component(link.source).workload.rate
            for client in clients:
                if client.workload.type == "open":
                    workload = client.workload.model_copy(update={"rate": rate})
                    design.components[index[client.name]] = client.model_copy(update={"workload": workload})
                    result.add("mapped", f"{client.name}: {rate:.3g} requests/s, as the traces arrive at {target}",
                               source)
            continue
        found = design.link_between(caller, callee) if caller is not None and callee is not None else None
        existing = next((i for i, l in enumerate(design.links) if l is found), None)
        if existing is None:
            result.add("not_understood", f"the traces show {traced_source} -> {traced_target}, a call the design does "
                                         "not have; add it on the canvas", source)
            continue
        design.links[existing] = design.links[existing].model_copy(
            update={"probability": link.probability, "count": link.count})
        for text in (about or {}).get(f"{traced_source} -> {traced_target}", []):
            result.add("mapped", text if (caller, callee) == (traced_source, traced_target) else
                       f"{text}, as {caller} -> {callee}", source)
    traced_calls = {(names.get(traced.name_of(l.source)), names.get(traced.name_of(l.target))) for l in traced.links}
    timed = {names[t.name] for t in traced.components if t.kind == "service" and t.name in names}
    for link in design.links:
        caller, callee = design.name_of(link.source), design.name_of(link.target)
        if caller in timed and (caller, callee) not in traced_calls:
            # the traces saw the caller answer requests and never make this call: kept, but said
            result.add("differs", f"{caller} -> {callee}: no traced request of {caller} made this call; the design's "
                                  f"{link.probability * 100:.0f} % and {link.count} per request are kept", source)
    return design


def _reaches(design: Design, start: str, goal: str) -> bool:
    """Whether requests from ``start`` reach ``goal`` through load balancers only."""
    todo: list[uuid.UUID | str] = [start]
    seen: set[uuid.UUID | str] = set()
    while todo:
        name = todo.pop()
        for link in design.links_from(name):
            if design.name_of(link.target) == goal:
                return True
            if design.component(link.target).kind == "load_balancer" and link.target not in seen:
                seen.add(link.target)
                todo.append(link.target)
    return False


def _spans(count: int) -> str:
    return f"{count} span" if count == 1 else f"{count} spans"


def _unique(spans: list[Span], result: ImportResult, source: str) -> dict[tuple[str, str], Span]:
    """The spans once each, by trace and id: a collector retrying an export, or a file imported twice
    over, writes a span again, and counting it twice would double its calls."""
    seen: dict[tuple[str, str], Span] = {}
    for s in spans:
        seen.setdefault((s.trace, s.id), s)
    if len(seen) < len(spans):
        result.add("differs", f"{_spans(len(spans) - len(seen))} appear more than once (the same traceId and spanId); "
                              "each is counted once", source)
    return seen


def _place(by_id: dict[tuple[str, str], Span], result: ImportResult,
           source: str) -> tuple[list[Span], list[Span]]:
    """Hang every span under its parent (a consumer with no parent under the producer it links to);
    the requests that start in the file, and those whose caller's span is not in it."""
    spans = by_id.values()
    roots, outside = [], []
    fragments: dict[str, list[Span]] = defaultdict(list)
    for s in spans:
        parent = by_id.get((s.trace, s.parent)) if s.parent else None
        if parent is None and s.link is not None:
            parent = by_id.get(s.link)
        if parent is not None:
            s.up = parent
            if isinstance(parent.children, list):
                parent.children.append(s)
            else:
                parent.children = [s]
        elif not s.parent:
            roots.append(s)
        elif s.kind in (KIND_SERVER, KIND_CONSUMER, 0):
            outside.append(s)
        else:
            # a call or inner step whose request's own span was not sampled or is beyond the file's
            # end: it tells nothing of how often its service is asked, or of its own time
            fragments[s.service].append(s)
    for service, items in fragments.items():
        verb = "belongs" if len(items) == 1 else "belong"
        result.add("differs", f"{_spans(len(items))} of {service} (such as {items[0].name!r}) {verb} to requests "
                              "whose own span is not in the file (sampled away, or beyond the file's start or end): "
                              "left out of its own time and call counts", source)
    return roots, outside


def traced_design(docs: list[Document], result: ImportResult) -> Design:
    """A new design from the spans alone."""
    source = _file(docs)
    by_id = _unique(read_spans(docs, result), result, source)
    spans = list(by_id.values())
    roots, outside = _place(by_id, result, source)
    del by_id   # its keys weigh about a fifth of the spans, and the rest of the fit looks nothing up by id
    backwards = sum(1 for s in spans if s.end < s.start)
    if backwards:
        result.add("differs", f"{_spans(backwards)} end before they start; taken as lasting no time", source)

    peers: dict[str, bool] = {}
    queues: dict[str, set[str]] = defaultdict(set)      # queue -> the services consuming from it
    taken = {s.service for s in spans}

    def queue_of(producer: Span, consumer: Span | None) -> str:
        name = producer.destination or (consumer.destination if consumer else None) or \
            (f"{consumer.service} queue" if consumer else producer.peer or f"{producer.service} messages")
        return name if name not in taken or name in queues else f"{name} queue"

    def callee_of(span: Span) -> str | None:
        if span.peer and span.peer != span.service:
            peers[span.peer] = peers.get(span.peer, False) or span.peer_is_db
            return span.peer
        return None

    def own_calls(entry: Span) -> tuple[dict[str, int], float]:
        """Calls made by ``entry``'s own service below it, and the time it waited on them
        (calls made in parallel overlap, so the waits are a union of intervals, not a sum). A
        message is handed to a queue: its consumer's time is never waited on."""
        counts: dict[str, int] = defaultdict(int)
        waits: list[tuple[int, int]] = []
        todo = [entry]
        while todo:
            span = todo.pop()
            others = [c for c in span.children if c.service != span.service]
            if span is not entry and span.kind in (KIND_CLIENT, KIND_PRODUCER):
                consumers = [c for c in others if c.kind == KIND_CONSUMER]
                if consumers or span.kind == KIND_PRODUCER and not others:
                    # a message whose consumer is not in the file still went to the queue, not to a peer
                    queue = queue_of(span, consumers[0] if consumers else None)
                    queues[queue].update(c.service for c in consumers)
                    counts[queue] += 1
                    waits.append((span.start, span.end))
                    continue
                callee = others[0].service if others else callee_of(span)
                if callee is not None:
                    counts[callee] += 1
                    waits.append((span.start, span.end))
                    continue
            for child in others:
                if child.kind == KIND_CONSUMER:
                    # consumed with no producer span of its own: handed over, not waited on
                    queue = queue_of(span, child)
                    queues[queue].add(child.service)
                    counts[queue] += 1
                    continue
                counts[child.service] += 1
                waits.append((child.start, child.end))
            todo += [c for c in span.children if c.service == span.service]
        return counts, _covered(waits)

    entries: dict[str, list[Span]] = defaultdict(list)
    for s in roots + outside + [s for s in spans if s.up is not None and s.up.service != s.service]:
        entries[s.service].append(s)
    self_times: dict[str, list[float]] = defaultdict(list)
    operations: dict[tuple[str, str], list[float]] = defaultdict(list)
    errors: dict[str, list[bool]] = defaultdict(list)
    made: dict[str, list[dict[str, int]]] = defaultdict(list)
    for service, items in entries.items():
        for entry in items:
            counts, waited = own_calls(entry)
            self_times[service].append(max(0.0, entry.duration - waited))
            operations[(service, entry.name)].append(entry.duration)
            errors[service].append(entry.error and not any(c.error for c in entry.children))
            made[service].append(counts)
    calls: dict[tuple[str, str], list[int]] = {}    # per calling request: the calls it made
    for service, per_entry in made.items():
        # in the order the calls were first made, not a set's: the same file imports to the same design
        for callee in dict.fromkeys(c for counts in per_entry for c in counts):
            calls[(service, callee)] = [counts.get(callee, 0) for counts in per_entry]
    for queue, consumers in queues.items():
        for consumer in consumers:
            calls[(queue, consumer)] = [1]    # every message reaches each consumer group

    components = _components(spans, entries, self_times, errors, operations, peers, queues, result, source)
    links = _links(calls, queues, result, source)
    called = {callee for (_, callee) in calls}
    clients = _clients(roots, outside, called, result, source)
    components += clients
    links += [Link(source=client.name, target=client.name.removesuffix(" users")) for client in clients]
    result.add("differs", "capacities (instances, workers) are not in traces: a new design gets Faultline's "
                          "defaults, a calibrated one keeps its own", source)
    name = source.split(", ")[0].rsplit(".", 1)[0][:200] or "traced system"
    return Design(name=name, components=components, links=links, description=f"Made from the traces in {source}.")


def _components(spans, entries, self_times, errors, operations, peers, queues, result, source) -> list:
    """A service per traced service that answered requests, a database or external system per
    peer nobody traced, a queue per topic handed messages; each timed by its spans."""
    components: list = []
    names = list(dict.fromkeys([s.service for s in spans if s.service in entries] + list(peers) + list(queues)))
    for name in names:
        if not match_name_ok(name):
            raise InteropError(f'"{name}" cannot name a component (quotes, tabs, "->" or over 64 characters)', source)
    for name in sorted({s.service for s in spans} - set(entries)):
        result.add("not_understood", f"{name}: none of its spans answers a request in the file; left out", source)
    for name in names:
        if name in queues:
            components.append(Queue(name=name, process_time=Constant(value=0.0)))
            _say(result, name, f"{name}: a queue between its producers and {', '.join(sorted(queues[name]))}, "
                                 "which consume from it without their producers waiting; its buffer and consumers "
                                 "are Faultline's defaults", source)
            continue
        values = self_times.get(name)
        if name in peers and name not in entries:
            # a consumer's span names its messaging system too: its time is the consumer's, not the peer's
            waits = [s.duration for s in spans if s.peer == name and not s.children
                     and s.kind not in (KIND_SERVER, KIND_CONSUMER)]
            dist = fit(waits)
            _say(result, name, fit_summary(f"{name} ({'database' if peers[name] else 'external'}, seen from its "
                                             "callers)", waits, dist), source)
            components.append(Database(name=name, query_time=dist) if peers[name]
                              else External(name=name, latency=dist))
            continue
        if values and len(values) >= MIN_SPANS_TO_FIT:
            dist = fit(values)
            _say(result, name, fit_summary(f"{name} own time", values, dist), source)
        else:
            dist = Constant(value=values[0]) if values else Constant(value=0.0)
            _say(result, name, f"{name} own time: the constant {format_seconds(dist.value)} "
                                 f"({len(values or [])} span, too few to fit a distribution)", source)
        failed = errors.get(name) or []
        share = sum(failed) / len(failed) if failed else 0.0
        components.append(Service(name=name, service_time=dist, error_probability=round(share, 6)))
        if share:
            _say(result, name, f"{name}: {share * 100:.1f} % of its requests failed on their own -> error "
                                 "probability", source)
    for (service, operation), values in sorted(operations.items()):
        if len(values) >= MIN_SPANS_TO_FIT and len([o for (s, o) in operations if s == service]) > 1:
            result.add("differs", fit_summary(f"{service} operation {operation!r}", values, fit(values))
                       + "; Faultline models one service time per component", source)
    return components


def _links(calls: dict[tuple[str, str], list[int]], queues, result: ImportResult, source: str) -> list[Link]:
    links = []
    for (caller, callee), per_request in calls.items():
        calling = [n for n in per_request if n > 0]
        if not calling:
            continue
        probability = len(calling) / len(per_request)
        mean = sum(calling) / len(calling)
        count = max(1, round(mean))
        links.append(Link(source=caller, target=callee, probability=round(probability, 6), count=count))
        if caller in queues:
            continue   # said with the queue
        _say(result, f"{caller} -> {callee}", f"{caller} -> {callee}: made by {probability * 100:.0f} % of "
                                              f"{len(per_request)} requests, {mean:.2g} call{'' if mean == 1 else 's'} "
                                              f"each (count {count})", source)
    return links


def _clients(roots: list[Span], outside: list[Span], called: set[str], result: ImportResult,
             source: str) -> list[Client]:
    """A client in front of each service requests enter by, at the rate their first spans start.
    A request whose caller's span is missing enters from outside only when nothing traced calls
    its service; otherwise its caller is one of the file's, not sampled, and a client would add
    load the system never had."""
    starts: dict[str, list[int]] = defaultdict(list)
    for root in roots:
        starts[root.service].append(root.start)
    unseen: dict[str, int] = defaultdict(int)
    for span in outside:
        if span.service in called:
            unseen[span.service] += 1
        else:
            starts[span.service].append(span.start)
    for service, count in unseen.items():
        result.add("differs", f"{count} requests to {service} come from a caller's span that is not in the file; "
                              f"timed as its own, not counted as requests from outside", source)
    for service in {s.service for s in outside if s.service not in called}:
        result.add("differs", f"requests to {service} whose caller's span is not in the file (an untraced "
                              "gateway or browser) are taken as requests from outside", source)
    clients = []
    for service, times in starts.items():
        window = (max(times) - min(times)) / 1e9
        if len(times) >= 2 and window > 0:
            rate = (len(times) - 1) / window
            _say(result, service, f"clients of {service}: {rate:.3g} requests/s ({len(times)} requests in "
                                 f"{format_seconds(window)})", source)
        else:
            rate = DEFAULT_RATE
            result.add("differs", f"clients of {service}: {len(times)} request(s) give no rate; "
                                  f"{DEFAULT_RATE:g} requests/s assumed", source)
        clients.append(Client(name=f"{service} users", workload=OpenLoop(rate=min(rate, 10_000_000))))
    return clients

"""OpenTelemetry traces (OTLP JSON, as the collector's file exporter writes them) as a design.

Each ``service.name`` becomes a service; a span whose parent belongs to another service is a
call between them; a client span nobody answered (a database, a third party) names its peer
(``peer.service``, ``db.system``, ``server.address``), which becomes a database or an external
system. Per calling request, the share of requests that make a call and the calls they make
give each link's probability and count. A service's own time (its span minus the calls it
waited on) is fitted with a lognormal by its p50 and p99, and the preview shows measured
against fitted percentiles before the user accepts. Root spans per second give the arrival
rate of a client in front of each entry service.
"""
from __future__ import annotations

import math
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from engine.model import (
    Client,
    Constant,
    Database,
    Design,
    External,
    Link,
    LogNormal,
    OpenLoop,
    Service,
    format_seconds,
)
from engine.model.design import shown

from .notes import ImportResult, InteropError
from .placing import match_component, match_name_ok
from .reading import Document, mapping, sequence

KIND_CLIENT, KIND_SERVER, KIND_PRODUCER, KIND_CONSUMER = 3, 2, 4, 5
_KIND_NAMES = {"SPAN_KIND_INTERNAL": 1, "SPAN_KIND_SERVER": 2, "SPAN_KIND_CLIENT": 3, "SPAN_KIND_PRODUCER": 4,
               "SPAN_KIND_CONSUMER": 5}
DEFAULT_RATE = 10.0
MIN_SPANS_TO_FIT = 2


@dataclass
class Span:
    trace: str
    id: str
    parent: str
    service: str
    name: str
    kind: int
    start: float
    end: float
    error: bool
    peer: str | None = None
    peer_is_db: bool = False
    children: list[Span] = field(default_factory=list)

    @property
    def duration(self) -> float:
        return max(0.0, self.end - self.start)


def _attrs(items: Any) -> dict[str, Any]:
    out = {}
    for item in items or []:
        if isinstance(item, dict) and "key" in item:
            value = item.get("value") or {}
            out[item["key"]] = next(iter(value.values()), None) if isinstance(value, dict) and value else None
    return out


def _nanos(value: Any, key: str, where: str) -> float:
    try:
        return int(value) / 1e9
    except (TypeError, ValueError):
        raise InteropError(f"{key} must be a time in nanoseconds (got {shown(value)})", where) from None


def read_spans(docs: list[Document], result: ImportResult) -> list[Span]:
    """Every span of the documents, with its service and peer."""
    spans: list[Span] = []
    for doc in docs:
        resource_spans = doc.data.get("resourceSpans") if isinstance(doc.data, dict) else None
        if not isinstance(resource_spans, list):
            raise InteropError("has no resourceSpans list", doc.source)
        for r, rs in enumerate(resource_spans):
            here = doc.where(("resourceSpans", r))
            rs = mapping(rs, f"resourceSpans[{r}]", here)
            resource = mapping(rs.get("resource"), f"resourceSpans[{r}].resource", here)
            service = str(_attrs(sequence(resource.get("attributes"), "resource.attributes", here))
                          .get("service.name") or "unknown_service")
            scopes = sequence(rs.get("scopeSpans") or rs.get("instrumentationLibrarySpans"),
                              f"resourceSpans[{r}].scopeSpans", here)
            for s, scope in enumerate(scopes):
                scope = mapping(scope, f"resourceSpans[{r}].scopeSpans[{s}]", here)
                for i, raw in enumerate(sequence(scope.get("spans"), "spans", here)):
                    path = ("resourceSpans", r, "scopeSpans", s, "spans", i)
                    where = doc.where(path)
                    raw = mapping(raw, f"resourceSpans[{r}].scopeSpans[{s}].spans[{i}]", where)
                    attrs = _attrs(sequence(raw.get("attributes"), "attributes", where))
                    kind = raw.get("kind", 0)
                    kind = _KIND_NAMES.get(kind, 0) if isinstance(kind, str) else int(kind or 0)
                    status = mapping(raw.get("status"), "status", where)
                    code = status.get("code", 0)
                    peer = attrs.get("peer.service") or attrs.get("db.system") or attrs.get("server.address") \
                        or attrs.get("net.peer.name") or attrs.get("messaging.system")
                    spans.append(Span(
                        trace=str(raw.get("traceId", "")).lower(), id=str(raw.get("spanId", "")).lower(),
                        parent=str(raw.get("parentSpanId") or "").lower(), service=service,
                        name=str(raw.get("name", "")), kind=kind,
                        start=_nanos(raw.get("startTimeUnixNano"), "startTimeUnixNano", where),
                        end=_nanos(raw.get("endTimeUnixNano"), "endTimeUnixNano", where),
                        error=code in (2, "STATUS_CODE_ERROR"),
                        peer=str(peer) if peer is not None else None, peer_is_db="db.system" in attrs))
    if not spans:
        raise InteropError("holds no spans", docs[0].source if docs else "")
    return spans


def _covered(intervals: list[tuple[float, float]]) -> float:
    """The length of the union of ``intervals``."""
    total, end = 0.0, -math.inf
    for start, stop in sorted(intervals):
        if stop > end:
            total += stop - max(start, end)
            end = stop
    return total


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
    return (f"{label}: {dist.describe()} from {len(values)} spans; measured p50 {pct(0.5)}, p90 {pct(0.9)}, "
            f"p99 {pct(0.99)}; fitted {fitted}")


def import_traces(docs: list[Document], design: Design | None, result: ImportResult) -> Design:
    """A design whose calls, call counts, service times and arrival rates come from the spans;
    given a design, the same figures calibrate the components and calls it already has."""
    traced = traced_design(docs, result)
    return traced if design is None else calibrate(design, traced, result, docs[0].source)


_TIME_FIELDS = {"service": "service_time", "database": "query_time", "external": "latency"}


def calibrate(design: Design, traced: Design, result: ImportResult, source: str) -> Design:
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
        if found is None or found.kind not in _TIME_FIELDS:
            why = "is not in the design" if found is None else f"is a {found.kind.replace('_', ' ')} there"
            result.add("not_understood", f"{t.name} {why}; its traced times were left out", source)
            continue
        update = {_TIME_FIELDS[found.kind]: getattr(t, _TIME_FIELDS[t.kind])}
        if t.kind == "service":
            update["error_probability"] = t.error_probability
        design.components[index[found.name]] = found.model_copy(update=update)
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


def traced_design(docs: list[Document], result: ImportResult) -> Design:
    """A new design from the spans alone."""
    source = docs[0].source if docs else ""
    spans = read_spans(docs, result)
    by_id = {(s.trace, s.id): s for s in spans}
    roots = []
    for s in spans:
        parent = by_id.get((s.trace, s.parent)) if s.parent else None
        if parent is None:
            roots.append(s)
            if s.parent:
                result.add("differs", f"span {s.name!r} of {s.service}: its parent is not in the file; taken as a "
                                      "request from outside", source)
        else:
            parent.children.append(s)

    # Calls: a child in another service, or a client span nobody answered (its peer).
    calls: dict[tuple[str, str], list[int]] = defaultdict(list)    # per calling request: calls made
    entries: dict[str, list[Span]] = defaultdict(list)
    peers: dict[str, bool] = {}

    def callee_of(span: Span, child: Span | None) -> str | None:
        if child is not None and child.service != span.service:
            return child.service
        if child is None and span.peer and span.peer != span.service:
            peers[span.peer] = peers.get(span.peer, False) or span.peer_is_db
            return span.peer
        return None

    def own_calls(entry: Span) -> tuple[dict[str, int], float]:
        """Calls made by ``entry``'s own service below it, and the time it waited on them
        (calls made in parallel overlap, so the waits are a union of intervals, not a sum)."""
        counts: dict[str, int] = defaultdict(int)
        waits: list[tuple[float, float]] = []
        todo = [entry]
        while todo:
            span = todo.pop()
            others = [c for c in span.children if c.service != span.service]
            if span is not entry and span.kind in (KIND_CLIENT, KIND_PRODUCER):
                callee = others[0].service if others else callee_of(span, None)
                if callee is not None:
                    counts[callee] += 1
                    waits.append((span.start, span.end))
                    continue
            for child in others:
                counts[child.service] += 1
                waits.append((child.start, child.end))
            todo += [c for c in span.children if c.service == span.service]
        return counts, _covered(waits)

    self_times: dict[str, list[float]] = defaultdict(list)
    operations: dict[tuple[str, str], list[float]] = defaultdict(list)
    errors: dict[str, list[bool]] = defaultdict(list)
    made: dict[str, list[dict[str, int]]] = defaultdict(list)
    for s in spans:
        parent = by_id.get((s.trace, s.parent)) if s.parent else None
        if parent is None or parent.service != s.service:
            entries[s.service].append(s)
    for service, items in entries.items():
        for entry in items:
            counts, waited = own_calls(entry)
            self_times[service].append(max(0.0, entry.duration - waited))
            operations[(service, entry.name)].append(entry.duration)
            errors[service].append(entry.error and not any(c.error for c in entry.children))
            made[service].append(counts)
    for service, per_entry in made.items():
        for callee in {c for counts in per_entry for c in counts}:
            calls[(service, callee)] = [counts.get(callee, 0) for counts in per_entry]

    # Components
    components: list = []
    names = list(dict.fromkeys([s.service for s in spans] + list(peers)))
    for name in names:
        if not match_name_ok(name):
            raise InteropError(f'"{name}" cannot name a component (quotes, tabs, "->" or over 64 characters)', source)
    for name in names:
        values = self_times.get(name)
        if name in peers and name not in entries:
            waits = [s.duration for s in spans if s.peer == name and not s.children]
            dist = fit(waits)
            result.add("mapped", fit_summary(f"{name} ({'database' if peers[name] else 'external'}, seen from its "
                                             "callers)", waits, dist), source)
            components.append(Database(name=name, query_time=dist) if peers[name]
                              else External(name=name, latency=dist))
            continue
        if values and len(values) >= MIN_SPANS_TO_FIT:
            dist = fit(values)
            result.add("mapped", fit_summary(f"{name} own time", values, dist), source)
        else:
            dist = Constant(value=values[0]) if values else Constant(value=0.0)
            result.add("mapped", f"{name} own time: the constant {format_seconds(dist.value)} "
                                 f"({len(values or [])} span, too few to fit a distribution)", source)
        failed = errors.get(name) or []
        share = sum(failed) / len(failed) if failed else 0.0
        components.append(Service(name=name, service_time=dist, error_probability=round(share, 6)))
        if share:
            result.add("mapped", f"{name}: {share * 100:.1f} % of its requests failed on their own -> error "
                                 "probability", source)
    for (service, operation), values in sorted(operations.items()):
        if len(values) >= MIN_SPANS_TO_FIT and len([o for (s, o) in operations if s == service]) > 1:
            result.add("differs", fit_summary(f"{service} operation {operation!r}", values, fit(values))
                       + "; Faultline models one service time per component", source)

    # Links
    links = []
    for (caller, callee), per_request in calls.items():
        calling = [n for n in per_request if n > 0]
        if not calling:
            continue
        probability = len(calling) / len(per_request)
        mean = sum(calling) / len(calling)
        count = max(1, round(mean))
        links.append(Link(source=caller, target=callee, probability=round(probability, 6), count=count))
        result.add("mapped", f"{caller} -> {callee}: made by {probability * 100:.0f} % of {len(per_request)} "
                             f"requests, {mean:.2g} calls each (count {count})", source)

    # Clients: root spans per second in front of each entry service
    starts: dict[str, list[float]] = defaultdict(list)
    for root in roots:
        starts[root.service].append(root.start)
    for service, times in starts.items():
        window = max(times) - min(times)
        if len(times) >= 2 and window > 0:
            rate = (len(times) - 1) / window
            result.add("mapped", f"clients of {service}: {rate:.3g} requests/s ({len(times)} requests in "
                                 f"{format_seconds(window)})", source)
        else:
            rate = DEFAULT_RATE
            result.add("differs", f"clients of {service}: {len(times)} request(s) give no rate; "
                                  f"{DEFAULT_RATE:g} requests/s assumed", source)
        client = f"{service} users"
        components.append(Client(name=client, workload=OpenLoop(rate=min(rate, 10_000_000))))
        links.append(Link(source=client, target=service))
    result.add("differs", "capacities (instances, workers) are not in traces: a new design gets Faultline's "
                          "defaults, a calibrated one keeps its own", source)
    return Design(name=source.rsplit(".", 1)[0][:200] or "traced system", components=components, links=links,
                  description=f"Made from the traces in {source}.")


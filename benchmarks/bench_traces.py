"""What importing traces holds: peak memory and time of ``read_files`` on a collector's file.

    python -m benchmarks.bench_traces [megabytes]

The file is made here, as the OpenTelemetry Collector's file exporter writes it: one export
request a line, each holding a batch of spans grouped by service and instrumentation scope, with
the resource and span attributes real instrumentations set. A frontend, a cart and a checkout service
answer HTTP, call Redis, PostgreSQL and a payment provider, and hand orders through Kafka to an email
worker. The import runs in
a fresh process whose peak RSS comes from the kernel; less the same process's RSS once the importer
is loaded, it is what the file itself cost. The same spans as one JSON object (a UI's download) are
read whole, as a JSON file is, and are imported second.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MEGABYTES = 50.0

# Loads the importer, imports the file and prints the peak RSS before and after (KiB), the seconds the
# import took, and the design's components and links. The peak is the kernel's high-water mark of the
# process's own memory (VmHWM): ru_maxrss would carry over the peak of the process that started it.
_CHILD = """
import re, resource, sys, time
from pathlib import Path

def high_water():
    status = Path("/proc/self/status")
    if status.exists():
        return int(re.search(r"VmHWM:\\s*(\\d+)", status.read_text()).group(1))
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

from app.interop import read_files
before = high_water()
start = time.perf_counter()
read = read_files([sys.argv[1]])
wall = time.perf_counter() - start
design = read[0].fit.design
print(before, high_water(), wall, len(design.components), len(design.links))
"""

_SDK = [("telemetry.sdk.language", "java"), ("telemetry.sdk.name", "opentelemetry"),
        ("telemetry.sdk.version", "1.44.1"), ("telemetry.distro.name", "opentelemetry-java-instrumentation"),
        ("telemetry.distro.version", "2.10.0"), ("os.type", "linux"), ("os.description", "Linux 6.8.0-1019-aws"),
        ("process.runtime.name", "OpenJDK Runtime Environment"), ("process.runtime.version", "21.0.5+11-LTS"),
        ("container.id", "8f2c1d3e4b5a69788a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f")]
_SERVICES = ("frontend", "cart", "checkout", "email")


def _value(value) -> dict:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}     # protobuf's JSON writes an int64 as a string
    return {"stringValue": value}


def _attributes(pairs) -> list[dict]:
    return [{"key": k, "value": _value(v)} for k, v in pairs]


def _resource(service: str, pod: int) -> dict:
    return {"attributes": _attributes([("service.name", service), ("service.version", "1.8.3"),
                                       ("service.namespace", "shop"), ("deployment.environment", "production"),
                                       ("host.name", f"{service}-7d9f8b6c5-{pod:05x}"), ("process.pid", 1),
                                       ("k8s.pod.name", f"{service}-7d9f8b6c5-{pod:05x}"),
                                       ("k8s.namespace.name", "shop"), *_SDK])}


class _Trace:
    """The spans of one request, by service, as the instrumentations of each service write them."""

    def __init__(self, rng: random.Random, start: int) -> None:
        self.rng, self.trace = rng, f"{rng.getrandbits(128):032x}"
        self.by_service: dict[str, list[dict]] = {s: [] for s in _SERVICES}
        self.root(start)

    def span(self, service: str, parent: str, name: str, kind: int, start: int, end: int, attrs,
             error: bool = False, **more) -> str:
        sid = f"{self.rng.getrandbits(64):016x}"
        status = {"code": 2, "message": "java.net.SocketTimeoutException: Read timed out"} if error else {}
        span = {"traceId": self.trace, "spanId": sid, "parentSpanId": parent, "flags": 257, "name": name,
                "kind": kind, "startTimeUnixNano": str(start), "endTimeUnixNano": str(end),
                "attributes": _attributes(attrs), "status": status, **more}
        if error:
            span["events"] = [{"timeUnixNano": str(end), "name": "exception", "attributes": _attributes([
                ("exception.type", "java.net.SocketTimeoutException"), ("exception.message", "Read timed out"),
                ("exception.stacktrace", "java.net.SocketTimeoutException: Read timed out\n\tat java.base/"
                                         "sun.nio.ch.NioSocketImpl.timedRead(NioSocketImpl.java:278)")])}]
        self.by_service[service].append(span)
        return sid

    def ms(self, median: float) -> int:
        return int(self.rng.lognormvariate(0, 0.5) * median * 1e6)

    def server(self, service: str, parent: str, method: str, route: str, start: int, end: int) -> str:
        return self.span(service, parent, f"{method} {route}", 2, start, end, [
            ("http.request.method", method), ("http.route", route), ("url.path", route), ("url.scheme", "http"),
            ("http.response.status_code", 200), ("network.protocol.version", "1.1"),
            ("server.address", service), ("server.port", 8080), ("client.address", "10.42.3.17"),
            ("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"),
            ("thread.name", "http-nio-8080-exec-7"), ("thread.id", 48)])

    def client(self, service: str, parent: str, callee: str, method: str, route: str, start: int) -> int:
        took = self.ms(4)
        sid = self.span(service, parent, method, 3, start, start + took, [
            ("http.request.method", method), ("url.full", f"http://{callee}:8080{route}"),
            ("server.address", callee), ("server.port", 8080), ("http.response.status_code", 200),
            ("network.protocol.version", "1.1"), ("thread.name", "http-nio-8080-exec-7"), ("thread.id", 48)])
        inner = start + took // 10
        self.server(callee, sid, method, route, inner, start + took - took // 10)
        return took

    def db(self, service: str, parent: str, start: int, system: str, statement: str) -> int:
        took = self.ms(2 if system == "postgresql" else 0.6)
        self.span(service, parent, statement.split()[0] + (" orders" if system == "postgresql" else ""), 3,
                  start, start + took, [("db.system", system), ("db.statement", statement),
                                        ("db.name", "shop"), ("server.address", f"{system}.shop.svc"),
                                        ("server.port", 5432 if system == "postgresql" else 6379),
                                        ("thread.name", "http-nio-8080-exec-7"), ("thread.id", 48)])
        return took

    def root(self, start: int) -> None:
        rng = self.rng
        if rng.random() < 0.6:
            took = self.ms(6) + self.ms(5)
            sid = self.server("frontend", "", "GET", "/cart", start, start + took)
            self.client("frontend", sid, "cart", "GET", "/cart", start + took // 4)
            return
        took = self.ms(60)
        sid = self.server("frontend", "", "POST", "/checkout", start, start + took)
        at = start + self.ms(3)
        # the frontend's client span whose server span is checkout's own: its database calls and messages below it
        client = self.span("frontend", sid, "POST", 3, at, at + took // 2, [
            ("http.request.method", "POST"), ("url.full", "http://checkout:8080/checkout"),
            ("server.address", "checkout"), ("server.port", 8080), ("http.response.status_code", 200)])
        inner = self.server("checkout", client, "POST", "/checkout", at + 100_000, at + took // 2 - 100_000)
        t = at + 200_000
        for statement in ("SELECT * FROM carts WHERE id = ?", "INSERT INTO orders VALUES (?, ?, ?)",
                          "UPDATE stock SET count = count - ? WHERE item = ?"):
            t += self.db("checkout", inner, t, "postgresql", statement)
        t += self.db("checkout", inner, t, "redis", "GET cart:?")
        paid = self.ms(30)
        self.span("checkout", inner, "POST", 3, t, t + paid, [
            ("http.request.method", "POST"), ("url.full", "https://api.payments.example/v1/charges"),
            ("server.address", "api.payments.example"), ("peer.service", "payments-provider"),
            ("server.port", 443), ("http.response.status_code", 200)], error=rng.random() < 0.02)
        t += paid
        produced = self.span("checkout", inner, "orders publish", 4, t, t + self.ms(1), [
            ("messaging.system", "kafka"), ("messaging.destination.name", "orders"),
            ("messaging.operation", "publish"), ("messaging.kafka.message.key", f"order-{rng.getrandbits(32)}"),
            ("messaging.client_id", "producer-1")])
        later = t + self.ms(40)
        self.span("email", produced, "orders process", 5, later, later + self.ms(15), [
            ("messaging.system", "kafka"), ("messaging.destination.name", "orders"),
            ("messaging.operation", "process"), ("messaging.kafka.consumer.group", "email"),
            ("messaging.kafka.message.offset", rng.getrandbits(20)), ("thread.name", "kafka-consumer-1")])


def write_traces(path: Path, megabytes: float = MEGABYTES, seed: int = 7) -> int:
    """A collector's file of about ``megabytes``; the number of spans written."""
    rng = random.Random(seed)
    now, spans, size = 1_765_000_000 * 10**9, 0, 0
    with path.open("w") as out:
        while size < megabytes * 1e6:
            # one export request: a batch processor's worth of traces, grouped by service and scope
            traces = [_Trace(rng, now + i * rng.randint(2, 8) * 10**6) for i in range(120)]
            now += 600 * 10**6
            resource_spans = []
            for service in _SERVICES:
                batch = [s for t in traces for s in t.by_service[service]]
                if batch:
                    spans += len(batch)
                    resource_spans.append({"resource": _resource(service, rng.getrandbits(20)), "scopeSpans": [
                        {"scope": {"name": "io.opentelemetry.tomcat-10.0", "version": "2.10.0-alpha"},
                         "spans": batch}]})
            line = json.dumps({"resourceSpans": resource_spans}, separators=(",", ":")) + "\n"
            size += len(line)
            out.write(line)
    return spans


def import_once(path: Path) -> tuple[float, float, float, str]:
    """(RSS once loaded in MB, peak RSS in MB, seconds, what the design holds) of one import."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", _CHILD, str(path)], cwd=ROOT, env=env, capture_output=True,
                          text=True, check=True)
    before, peak, wall, components, links = done.stdout.split()
    return int(before) / 1024, int(peak) / 1024, float(wall), f"{components} components, {links} links"


def as_one_document(lines: Path, path: Path) -> None:
    """The same spans as one JSON object, as a UI's download or a hand-made export holds them."""
    head, tail = '{"resourceSpans":[', "]}"
    with lines.open() as src, path.open("w") as out:
        # spliced as text: parsing them all here would swell this process, whose peak its child inherits
        out.write(head + ",".join(line.strip()[len(head):-len(tail)] for line in src) + tail)


def main(megabytes: float = MEGABYTES) -> None:
    print("read_files of OTLP traces: peak RSS of a fresh process, and what the file itself cost")
    with tempfile.TemporaryDirectory() as tmp:
        lines, whole = Path(tmp) / "traces.json", Path(tmp) / "traces-one-object.json"
        spans = write_traces(lines, megabytes)
        as_one_document(lines, whole)
        for label, path in (("collector's file, one object a line", lines), ("one JSON object", whole)):
            size = path.stat().st_size / 1e6
            before, peak, wall, made = import_once(path)
            print(f"  {label}: {size:.1f} MB, {spans} spans ({made})")
            print(f"    peak RSS {peak:7.1f} MB, {peak / size:4.1f} x the file; peak - RSS once loaded "
                  f"({before:.1f} MB) {peak - before:7.1f} MB, {(peak - before) / size:4.1f} x the file")
            print(f"    wall time {wall:6.2f} s, {spans / wall:,.0f} spans/s, {size / wall:.1f} MB/s")


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else MEGABYTES)

"""Other tools' configuration files into and out of ``engine.model`` designs.

Qt-free: the command line and the window both call ``export_design``, and import through the same
two steps: ``read_files`` (the slow one: reading, parsing, fitting traces) and ``apply_files``
(applying what was read to a design), which ``import_files`` chains and the window runs apart,
reading once for a preview it makes again at every choice.
Every import returns its preview (what maps to what, what was not understood, what Faultline
models differently) beside the design; bad input raises ``InteropError`` naming the file, the
line and the key.
"""
from __future__ import annotations

import gc
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from engine.model import Design

from . import grpc, mesh, resilience4j, topology, traces
from .lint import lint_design
from .notes import NOTE_HEADINGS, ExportResult, ImportResult, InteropError, Note, Target, nothing_applies, preview_text
from .placing import design_changes, export_callers, match_component, parse_mappings
from .reading import Document, load_json, load_properties, load_yaml, read_text, refuse_merge_tags

IMPORT_FORMATS = ("resilience4j", "grpc", "envoy", "istio", "compose", "kubernetes", "otlp")
# Formats that describe a whole system: they make a design rather than refine one.
TOPOLOGY_FORMATS = ("compose", "kubernetes")
EXPORT_FORMATS = ("resilience4j", "grpc", "envoy", "istio")
# Formats whose file belongs to one calling component (its application.yml, its gRPC channel, its
# sidecar): exporting them needs that component, chosen when more than one has something to write.
PER_CALLER_FORMATS = ("resilience4j", "grpc", "envoy")
FORMAT_LABELS = {
    "resilience4j": "Resilience4j Spring Boot configuration (application.yml, .properties)",
    "grpc": "gRPC service config (JSON)",
    "envoy": "Envoy clusters and routes (YAML or JSON)",
    "istio": "Istio DestinationRule and VirtualService (YAML)",
    "compose": "docker-compose file",
    "kubernetes": "Kubernetes manifests (Deployments, Services, autoscalers)",
    "otlp": "OpenTelemetry traces (OTLP JSON)",
}
# Recognised so that a refusal can say what the file is.

__all__ = [
    "EXPORT_FORMATS", "ExportResult", "FORMAT_LABELS", "IMPORT_FORMATS", "NOTE_HEADINGS", "PER_CALLER_FORMATS",
    "TOPOLOGY_FORMATS", "ImportResult", "InteropError", "Note", "ReadFile",
    "Target", "apply_files", "callers_to_export", "design_changes", "detect_format", "export_design", "import_files",
    "lint_design", "nothing_applies", "preview_text", "read_documents", "read_files",
]


# A line of JSON ends at a line feed (or a carriage return): a string may hold NEL, U+2028 and U+2029
# raw, where str.splitlines would break it in two.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def read_documents(path: str | Path, spans: bool = True) -> list[Document]:
    """A file's documents: .properties as flat keys, .json (and one JSON object a line) as JSON,
    anything else as YAML. A collector's file of OTLP traces is one document of its spans, read line
    by line (``traces.read_lines``), unless ``spans`` is false."""
    path = Path(path)
    if path.name == ".env" or path.suffix.lower() == ".env":
        raise InteropError("is an environment file (NAME=value lines) that docker compose reads to fill ${NAME} "
                           "placeholders; it describes no system or policy to import", path.name)
    limit = traces.byte_limit(path)
    suffix = path.suffix.lower()
    if spans and limit == traces.MAX_TRACE_BYTES and suffix != ".properties":
        read = traces.read_lines(path, _traces_line)
        if read is not None:
            return [read]
    text = read_text(path, limit)
    if suffix == ".properties":
        return load_properties(text, path.name)
    if suffix in (".json", ".jsonl") or text.lstrip()[:1] in ("{", "["):
        if not text or text.isspace():
            raise InteropError("is empty", path.name)
        first = re.match(r"\s*(.*)", text)
        # a whole object on the first line may be the first of many (a pretty-printed file's millions
        # of lines are not split for nothing)
        lines = [(i, line) for i, line in enumerate(_LINE_BREAK.split(text), 1) if line.strip()] \
            if suffix == ".jsonl" or first and first.group(1).rstrip().endswith("}") else []
        if suffix == ".jsonl" or len(lines) > 1 and all(line.lstrip().startswith("{") for _, line in lines):
            # one JSON object a line: the OpenTelemetry collector's file exporter. A last line cut short (the
            # collector still writing) is named by its number, not read as one JSON text failing on line 2.
            return [load_json(line, f"{path.name}:{i}", line_numbers=False) for i, line in lines]
        if suffix in (".json", ".jsonl"):
            return [load_json(text, path.name)]
        try:
            return [load_json(text, path.name)]
        except InteropError:
            pass   # YAML in flow style ({a: 1}) looks like JSON at first sight
    return load_yaml(text, path.name)


def _traces_line(data: dict) -> bool:
    """Whether a line of a file is one ``detect_format`` takes for traces, and nothing else."""
    return _kind_of(data) == "otlp" and not resilience4j.looks_like([Document(data, "")])


def _kind_of(data) -> str | None:
    if isinstance(data, list):
        kinds = {_kind_of(item) for item in data[:20]} - {None}
        return kinds.pop() if len(kinds) == 1 else None
    if not isinstance(data, dict):
        return None
    keys = {str(k) for k in data}
    if keys & {"methodConfig", "retryThrottling"}:
        return "grpc"
    if traces.looks_like_traces(data):   # Jaeger's JSON too, which the traces reader refuses in words
        return "otlp"
    api = str(data.get("apiVersion", ""))
    if "istio.io" in api:
        return "istio"
    # an admin config_dump's "configs" is a list; a compose file's top-level "configs" is a map
    if "cilium.io" in api or "envoyproxy.io" in api or keys & {"static_resources", "staticResources"} \
            or isinstance(data.get("configs"), list):
        return "envoy"
    resources = data.get("resources")
    typed = resources if isinstance(resources, list) else [data]
    if any(isinstance(r, dict) and str(r.get("@type", "")).startswith("type.googleapis.com/envoy") for r in typed):
        return "envoy"
    if api and "kind" in keys:
        return "kubernetes"
    if keys & {"circuitBreakers", "circuit_breakers", "outlierDetection", "outlier_detection",
               "virtualHosts", "virtual_hosts", "connectTimeout", "connect_timeout"}:
        return "envoy"
    for section in ("clusters", "routes"):
        # a fragment of a bootstrap (its clusters, a route list) is Envoy too when its items are
        items = data.get(section)
        if isinstance(items, list) and any(isinstance(i, dict) and (_kind_of(i) == "envoy"
                                                                    or isinstance(i.get("route"), dict))
                                           for i in items[:20]):
            return "envoy"
    if "services" in keys and isinstance(data.get("services"), dict):
        return "compose"
    return None


def detect_format(path: str | Path, docs: list[Document] | None = None) -> str:
    """What kind of configuration ``path`` holds, from its content."""
    docs = read_documents(path) if docs is None else docs
    name = Path(path).name
    if resilience4j.looks_like(docs):
        return "resilience4j"
    kinds = {kind for doc in docs if (kind := _kind_of(doc.data)) is not None}
    if len(kinds) == 1:
        return kinds.pop()
    if not docs:
        raise InteropError("is empty", name)
    raise InteropError("is not a configuration Faultline recognises (Resilience4j application.yml or "
                       ".properties, gRPC service config JSON, Envoy clusters and routes, Istio DestinationRule "
                       "or VirtualService, docker-compose, Kubernetes manifests, OTLP JSON traces)", name)


@dataclass(frozen=True, slots=True)
class ReadFile:
    """A file as read once, before any choice of design, mapping or caller: its documents and its
    format. Traces are fitted instead (fitting a large file's spans takes longer than reading it) and
    their documents let go: one JSON object of traces, parsed, takes several times its file."""

    path: Path
    docs: list[Document]
    kind: str
    fit: traces.TracesFit | None = None


def read_files(paths: Sequence[str | Path], fmt: str | None = None) -> list[ReadFile]:
    """The slow half of ``import_files``: each file read, parsed and recognised (``fmt`` forces a
    format for every file), the files of one system put together and traces fitted. What it returns
    depends on the files alone, so a preview shown again for another choice applies it again."""
    with _collector_paused():
        # returned from a frame of its own, whose end frees the traces' documents before collections resume
        return _read_files(paths, fmt)


class _Collections:
    lock = threading.Lock()
    pauses = 0
    resume = False


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Parsing a large file makes millions of containers and no cycle: collections meanwhile walk
    them all for nothing, half the time of reading 50 MB of traces and, run from a worker thread,
    a stall of the window's thread of a quarter of a second each."""
    with _Collections.lock:
        if _Collections.pauses == 0:
            _Collections.resume = gc.isenabled()
            gc.disable()
        _Collections.pauses += 1
    try:
        yield
    finally:
        with _Collections.lock:
            _Collections.pauses -= 1
            if _Collections.pauses == 0 and _Collections.resume:
                gc.enable()


def _read_files(paths: Sequence[str | Path], fmt: str | None) -> list[ReadFile]:
    if fmt is not None and fmt not in IMPORT_FORMATS:
        raise InteropError(f"unknown format {fmt!r}; Faultline imports: {', '.join(IMPORT_FORMATS)}", "--format")
    # a format other than traces, forced, reads a traces file's objects as they are written
    read = [(path, docs, fmt or detect_format(path, docs))
            for path, docs in ((p, read_documents(p) if fmt in (None, "otlp") else read_documents(p, spans=False))
                               for p in _files(paths))]
    for _, docs, kind in read:
        if kind != "compose":
            for doc in docs:
                refuse_merge_tags(doc, FORMAT_LABELS[kind])
    # A file that describes the whole system goes first; the others refine what it made.
    read.sort(key=lambda item: item[2] not in TOPOLOGY_FORMATS)
    read = _one_system(read)
    traced = [item for item in read if item[2] == "otlp"]
    if len(traced) > 1:
        # a collector rotates its file: the spans of one trace may lie in two files, and all are one sample
        pooled = (traced[0][0], [doc for _, docs, _ in traced for doc in docs], "otlp")
        read = [pooled if item is traced[0] else item for item in read if item is traced[0] or item[2] != "otlp"]
    return [_fitted(ReadFile(Path(path), docs, kind)) for path, docs, kind in read]


def _fitted(item: ReadFile) -> ReadFile:
    if item.kind != "otlp":
        return item
    with _structure_refused(item):
        return ReadFile(item.path, [], item.kind, traces.fit_traces(item.docs))


@contextmanager
def _structure_refused(item: ReadFile) -> Iterator[None]:
    try:
        yield
    except (AttributeError, TypeError, KeyError, IndexError) as exc:
        # a shape no check foresaw: still a message, never a traceback
        raise InteropError(f"its structure is not what {FORMAT_LABELS[item.kind]} holds ({exc})", item.path.name) \
            from None


def import_files(paths: Sequence[str | Path], design: Design | None = None, mappings: Sequence[str] = (),
                 fmt: str | None = None, caller: str | None = None) -> ImportResult:
    """Apply each file in turn to ``design`` (or to a skeleton design made from the first file).

    ``mappings`` are ``NAME=CALLER->CALLEE`` strings (a Resilience4j instance, a gRPC service,
    an Envoy cluster or an Istio host); ``fmt`` forces a format for every file; ``caller`` names
    the component whose files they are (its application.yml, its channel's service config, its
    sidecar's Envoy file), whose calls alone they then guard.
    """
    # the options are checked before the files are read: a mistyped one is refused before a large file is read
    _choices(design, mappings, caller)
    return apply_files(read_files(paths, fmt), design, mappings, caller)


def apply_files(read: Sequence[ReadFile], design: Design | None = None, mappings: Sequence[str] = (),
                caller: str | None = None) -> ImportResult:
    """The fast half of ``import_files``: files already read (``read_files``) applied in turn to
    ``design``, or made into a design."""
    targets, caller = _choices(design, mappings, caller)
    result = ImportResult(design if design is not None else Design())
    current = design
    placed_by: dict[tuple[str, str, str], Path] = {}
    for item in read:
        before = _policies(current)
        with _structure_refused(item):
            current = _import_one(item, current, targets, result, caller)
        result.formats.append(item.kind)
        _say_replaced(before, _policies(current), placed_by, item.path, result)
    unused = set(targets) - result.mapped_names
    for name in sorted(unused):
        result.add("warning", f"--map {name}=... names no instance or method of the imported files", "--map")
    if current is None:
        raise InteropError("no file to import")
    result.design = current
    for note in lint_design(current):
        result.add(note.kind, note.text, note.where)
    return result


def _choices(design: Design | None, mappings: Sequence[str], caller: str | None) -> tuple[dict, str | None]:
    """The calls ``mappings`` name and the component ``caller`` names, refused in words when the
    design has neither."""
    if mappings and design is None:
        raise InteropError("a mapping needs the design whose calls it names: give --into DESIGN", "--map")
    targets = parse_mappings(list(mappings), design) if mappings and design is not None else {}
    return targets, _named_caller(caller, design)


def _files(paths: Sequence[str | Path]) -> list[Path]:
    """The files to import: a folder stands for its YAML and JSON files, as ``kubectl apply -f``
    reads a folder of manifests."""
    files: list[Path] = []
    for path in map(Path, paths):
        if not path.is_dir():
            files.append(path)
            continue
        inside = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in (".yaml", ".yml", ".json"))
        if not inside:
            raise InteropError("is a folder, not a file, with no .yaml, .yml or .json file in it", path.name)
        files += inside
    return files


def _one_system(read: list[tuple[Path, list[Document], str]]) -> list[tuple[Path, list[Document], str]]:
    """Kubernetes manifests split over several files are still one system (a Deployment in one, its
    Service and autoscaler in others), and compose files given together (a base file and its
    override, ``-f`` files) are one, merged as docker compose merges them (topology.compose_document):
    each kind's files are read as one."""
    for kind in ("compose", "kubernetes"):
        files = [item for item in read if item[2] == kind]
        if len(files) > 1:
            together = (files[0][0], [doc for _, docs, _ in files for doc in docs], kind)
            read = [together] + [item for item in read if item[2] != kind]
    return read


def _policies(design: Design | None) -> dict[tuple[str, str, str], tuple[str, str]]:
    """Every policy of ``design`` by (owner, the component it guards the calls to, kind): its title
    and its settings."""
    if design is None:
        return {}
    return {(c.name, design.name_of(getattr(p, "scope", None)), p.kind):
            (p.title, p.model_dump_json(exclude={"id", "scope"}))
            for c in design.components for p in c.policies}


def _say_replaced(before: dict, after: dict, placed_by: dict[tuple[str, str, str], Path], path: Path,
                  result: ImportResult) -> None:
    """Name the policies a file replaced that an earlier file of the same import had set: a call has
    one policy of a kind, so the earlier file's would otherwise vanish without a word."""
    for key, (title, settings) in after.items():
        if before.get(key, (title, None))[1] == settings:
            continue
        earlier = placed_by.get(key)
        if earlier is not None and earlier != path:
            owner, callee, _kind = key
            call = f"{owner} -> {callee}" if callee else owner
            result.add("differs", f"{title} on {call}: replaces the one {earlier.name} set, so {earlier.name}'s is "
                                  "left out; Faultline keeps one per call (in production an application's and its "
                                  "proxy's both apply, one around the other)", path.name)
        placed_by[key] = path


def _named_caller(caller: str | None, design: Design | None) -> str | None:
    """The component ``caller`` names in ``design``, refused in words when it names none that calls."""
    if caller is None:
        return None
    if design is None:
        raise InteropError("--caller names a component of the design the files apply to: give --into DESIGN",
                           "--caller")
    component = match_component(design, caller)
    calling = [c.name for c in design.components if design.links_from(c.id)]
    if component is None or component.name not in calling:
        raise InteropError(f'"{caller}" is no calling component of "{design.name}" (one of: '
                           f'{", ".join(calling) or "none"})', "--caller")
    return component.name


def _import_one(item: ReadFile, current: Design | None, targets: dict, result: ImportResult,
                caller: str | None = None) -> Design:
    """One file applied to ``current`` (or made into a design)."""
    docs, kind = item.docs, item.kind
    if kind == "resilience4j":
        return resilience4j.import_resilience4j(docs, current, targets, result, caller)
    if kind == "grpc":
        return grpc.import_grpc(docs, current, targets, result, caller)
    if kind == "otlp":
        assert item.fit is not None   # read_files fits every traces file
        return traces.apply_fit(item.fit, current, result)
    if kind in TOPOLOGY_FORMATS:
        return topology.import_topology(docs, current, result, kind)
    return mesh.import_mesh(docs, current, targets, result, kind, caller)


def _exported_kinds(fmt: str) -> tuple[str, ...]:
    return {"resilience4j": resilience4j.EXPORTED_KINDS, "grpc": grpc.CARRIED, "envoy": mesh.ENVOY_CARRIED}[fmt]


def callers_to_export(design: Design, fmt: str) -> list[str]:
    """The components a per-caller format has something to write for: what ``--caller`` and the
    export window's caller list offer."""
    return [c.name for c in export_callers(design, _exported_kinds(fmt))] if fmt in PER_CALLER_FORMATS else []


def export_design(design: Design, fmt: str, caller: str | None = None) -> ExportResult:
    """``design``'s settings in another tool's format; ``caller`` picks the component whose calls
    a per-caller format (Resilience4j, gRPC, Envoy) describes. ``notes`` say what the format
    cannot hold; ``warnings`` what the settings themselves get wrong (``lint_design``)."""
    if fmt == "resilience4j":
        exported = ExportResult(*resilience4j.export_resilience4j(design, caller))
    elif fmt == "grpc":
        exported = ExportResult(*grpc.export_grpc(design, caller))
    elif fmt == "istio":
        exported = ExportResult(*mesh.export_istio(design))
    elif fmt == "envoy":
        exported = ExportResult(*mesh.export_envoy(design, caller))
    else:
        raise InteropError(f"unknown format {fmt!r}; Faultline exports: {', '.join(EXPORT_FORMATS)}", "--format")
    exported.warnings = lint_design(design)
    return exported

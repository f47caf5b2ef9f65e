"""Safe reading of other tools' files: size limit, YAML with line numbers, .properties,
Spring's flattened keys, templates and durations.

Nothing here executes anything from a file: YAML goes through PyYAML's safe loader and
JSON through the standard library.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from engine.model.design import KeyWrittenTwice, NumberTooLong, field_path, field_problems, shown
from engine.model.design import load_json as load_checked_json

from ..text_files import decode_text
from .notes import InteropError

MAX_BYTES = 5 * 1024 * 1024
# Aliases may point at the same node many times over ("billion laughs"); walking such a
# tree would take forever although safe_load itself copes, so the walk counts its steps.
MAX_NODES = 500_000


@dataclass
class Document:
    """One document of a file: plain data, and the line where each key path starts."""

    data: Any
    source: str
    index: int = 0
    lines: dict[tuple, int] = field(default_factory=dict)
    # docker compose's merge tags (!reset, !override) by the key path they were written on
    tags: dict[tuple, str] = field(default_factory=dict)

    def line(self, path: tuple) -> int | None:
        """The 1-based line of ``path``, or of its nearest ancestor that has one."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]

    def where(self, path: tuple) -> str:
        """``file.yml:12`` for a key path, for messages."""
        line = self.line(path)
        return f"{self.source}:{line}" if line else self.source


def read_text(path: str | Path, limit: int = MAX_BYTES) -> str:
    """The text of ``path``; refuses missing, over-large and non-Unicode files with a message
    in the words a project file that cannot be opened is refused with."""
    path = Path(path)
    try:
        if path.is_dir():
            raise IsADirectoryError
        size = path.stat().st_size
        if size > limit:
            raise InteropError(f"is {size / 1e6:.1f} MB; configuration files above {limit / 1e6:.0f} MB are "
                               "refused", path.name)
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InteropError("there is no such file", path.name) from None
    except IsADirectoryError:
        raise InteropError("is a folder, not a file", path.name) from None
    except PermissionError:
        raise InteropError("you do not have permission to read it", path.name) from None
    except OSError as exc:
        raise InteropError(f"cannot be read ({exc.strerror or exc})", path.name) from None
    try:
        return decode_text(raw)
    except UnicodeDecodeError as exc:
        raise InteropError(f"is not UTF-8 text (byte {exc.start})", path.name) from None


def _scalar(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    constructor = loader.yaml_constructors.get(node.tag)
    if constructor is None:
        return node.value
    value = constructor(loader, node)
    # Timestamps and binary have no place in the formats read here: keep their text.
    return value if isinstance(value, (str, int, float, bool, type(None))) else node.value


_MERGED = "faultline_merged_pairs"
# docker compose gives these two tags a meaning when it merges files (compose-spec, "Merge"); they
# carry no code, so they are read, and every format but compose refuses them (refuse_merge_tags).
MERGE_TAGS = ("!reset", "!override")
# What a compose file holds at its top (compose-spec); "x-" keys are extensions.
_COMPOSE_MAPS = {"services", "networks", "volumes", "configs", "secrets", "models"}
_COMPOSE_TOP = {"version", "name", "include", *_COMPOSE_MAPS}


def _walk(loader: yaml.SafeLoader, node: yaml.Node, path: tuple, lines: dict, budget: list,
          open_nodes: frozenset = frozenset(), tags: dict | None = None) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise yaml.YAMLError("the document expands to too many values (aliases nested too deep)")
    if id(node) in open_nodes:
        raise yaml.MarkedYAMLError(problem="an alias refers to a value that contains it",
                                   problem_mark=node.start_mark)
    lines.setdefault(path, node.start_mark.line + 1)
    if node.tag in MERGE_TAGS and tags is not None:
        # the value is read as if untagged; a tagged scalar stays text, as compose's YAML reader keeps it
        tags.setdefault(path, node.tag)
    elif node.tag not in loader.yaml_constructors:
        # SafeLoader knows only plain data; a language tag (!!python/...) is refused, never run
        raise yaml.MarkedYAMLError(problem=f"the tag {node.tag} is not plain data", problem_mark=node.start_mark)
    if isinstance(node, yaml.ScalarNode):
        return _scalar(loader, node)
    inside = open_nodes | {id(node)}
    if isinstance(node, yaml.SequenceNode):
        return [_walk(loader, item, path + (i,), lines, budget, inside, tags) for i, item in enumerate(node.value)]
    merged = getattr(node, _MERGED, None)
    if merged is None:
        # an alias walks the same node again, already flattened: how many pairs came from "<<" is kept
        own = sum(1 for key_node, _ in node.value if key_node.tag != "tag:yaml.org,2002:merge")
        loader.flatten_mapping(node)  # resolves "<<" merge keys in place, the merged pairs first
        merged = len(node.value) - own
        setattr(node, _MERGED, merged)
    out: dict = {}
    written_here: dict[str, int] = {}
    for position, (key_node, value_node) in enumerate(node.value):
        if not isinstance(key_node, yaml.ScalarNode):
            # no configuration read here has such keys; a Helm "{{ .Values.x }}" parses as one
            raise yaml.MarkedYAMLError(problem="a key that is itself a map or a list",
                                       problem_mark=key_node.start_mark)
        key = _scalar(loader, key_node)
        key = "" if key is None else str(key) if not isinstance(key, str) else key
        line = key_node.start_mark.line + 1
        if position >= merged:
            if key in written_here:
                # Spring Boot, docker compose and kubectl refuse a repeated key; taking one of the
                # two silently would import a value the service never runs with
                raise yaml.MarkedYAMLError(problem=f"the key {key!r} appears twice in the same map (first on "
                                                   f"line {written_here[key]}); remove one of them",
                                           problem_mark=key_node.start_mark)
            written_here[key] = line
        lines[path + (key,)] = line
        out[key] = _walk(loader, value_node, path + (key,), lines, budget, inside, tags)
    return out


def refuse_merge_tags(doc: Document, fmt: str = "") -> None:
    """Refuse a document that holds docker compose's merge tags, at the first tag's line: only a compose
    file gives them a meaning, and any other reader would take the tagged value as if untagged."""
    if doc.tags:
        path, tag = min(doc.tags.items(), key=lambda item: doc.line(item[0]) or 0)
        what = f"read as {fmt}, this file" if fmt else "this file"
        raise InteropError(f"the tag {tag} is docker compose's merge tag, which only a compose file gives a "
                           f"meaning; {what} takes plain values: remove the tag", doc.where(path))


def _compose_shaped(data: Any) -> bool:
    # an override may touch only networks or volumes; an Envoy dump's "configs" is a list, compose's a map
    return isinstance(data, dict) and bool(data) and \
        all(isinstance(k, str) and (k in _COMPOSE_TOP or k.startswith("x-")) for k in data) and \
        all(isinstance(v, dict) or v is None for k, v in data.items() if k in _COMPOSE_MAPS)


# The parser's words for the usual slips, said the way the author can act on them.
_YAML_HINTS = {
    "expected <block end>": "this line is indented differently from the lines above it at the same level",
    "mapping values are not allowed here": "a second ':' on this line (quote a value that holds ': '), a line "
                                           "above without the ':' after its key, or a key indented under a "
                                           "line that already has a value",
    "cannot start any token": "YAML indents with spaces, not tabs",
    "could not find expected ':'": "a line that is not 'key: value' (is a ':' or a space after it missing?)",
    "expected ',' or ']'": "a list written [a, b] is not closed, or a value in it needs quotes",
    "expected ',' or '}'": "a map written {a: 1} is not closed, or a value in it needs quotes",
}


def load_yaml(text: str, source: str) -> list[Document]:
    """Every non-empty document of a YAML (or JSON) text, with line numbers per key path."""
    loader = yaml.SafeLoader(text)
    documents = []
    budget = [MAX_NODES]
    try:
        index = 0
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            lines: dict[tuple, int] = {}
            tags: dict[tuple, str] = {}
            data = _walk(loader, node, (), lines, budget, tags=tags)
            if data is not None:
                documents.append(Document(data, source, index, lines, tags))
            index += 1
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}" if mark else source
        problem = str(exc.problem or exc.context)
        hint = next((h for words, h in _YAML_HINTS.items() if words in problem), "")
        if mark and "{{" in "".join(text.splitlines()[mark.line:mark.line + 1]):
            hint = "this is a Helm or Go template ({{ ... }}), not YAML yet: render it first (helm template) and " \
                   "import the output"
        raise InteropError(f"not valid YAML: {problem} (column {mark.column + 1 if mark else '?'})"
                           + (f": {hint}" if hint else ""), where) from None
    except yaml.YAMLError as exc:
        raise InteropError(f"not valid YAML: {exc}", source) from None
    finally:
        loader.dispose()
    for doc in documents:
        if not _compose_shaped(doc.data):
            # which format a file is comes later, from its content; the tags are compose's alone
            refuse_merge_tags(doc)
    return documents


# The YAML reader that numbers the lines takes seconds a megabyte: a larger JSON text is data (traces),
# not configuration, and goes without line numbers rather than keep the import waiting for minutes.
MAX_NUMBERED_JSON = 1024 * 1024


def load_json(text: str, source: str, line_numbers: bool = True) -> Document:
    """A JSON text as one document; line numbers come from the YAML reader when it agrees. Without
    ``line_numbers`` the text is one line of a file that ``source`` already names (``file.json:12``)."""
    checked = line_numbers and len(text) <= MAX_NUMBERED_JSON   # a configuration, not a trace's many spans
    try:
        # a key written twice in a configuration: gRPC refuses the file, other readers keep one of the two
        data = load_checked_json(text) if checked else json.loads(text)
    except json.JSONDecodeError as exc:
        raise InteropError(f"not valid JSON: {exc.msg} (column {exc.colno})",
                           f"{source}:{exc.lineno}" if line_numbers else source) from None
    except KeyWrittenTwice as exc:
        raise InteropError(f'the object that begins here names "{exc.key}" twice, which gRPC refuses and other '
                           "readers take one of: keep the one you mean", f"{source}:{exc.line}") from None
    except NumberTooLong as exc:
        raise InteropError(f"holds {exc}", source) from None
    if not checked:
        return Document(data, source, 0, {})
    try:
        docs = load_yaml(text, source)
        lines = docs[0].lines if docs else {}
    except InteropError:
        lines = {}  # JSON that YAML 1.1 rejects (tabs): still fine, without line numbers
    return Document(data, source, 0, lines)


_PROPERTY_SPLIT = re.compile(r"(?<!\\)[=:]|(?<!\\)\s")


_PROPERTIES_SPLIT = re.compile(r"[#!]---\s*")


def load_properties(text: str, source: str) -> list[Document]:
    """A Java ``.properties`` text as flat documents: ``{"a.b.c": "value"}``, one per part of a
    Spring Boot multi-document file (parts split by a ``#---`` or ``!---`` line)."""
    documents = [Document({}, source, 0, {})]
    pending, start = "", 0
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.lstrip()
        if not pending and _PROPERTIES_SPLIT.fullmatch(raw):
            # Spring Boot 2.4+ reads each part as a document of its own, with its own profile
            documents.append(Document({}, source, len(documents), {(): number}))
            continue
        if not pending and (not line or line[0] in "#!"):
            continue
        data, lines = documents[-1].data, documents[-1].lines
        if not pending:
            start = number
        # An odd number of trailing backslashes continues the line.
        if (len(line) - len(line.rstrip("\\"))) % 2 == 1:
            pending += line[:-1]
            continue
        entry, pending = pending + line, ""
        match = _PROPERTY_SPLIT.search(entry)
        if match is None:
            key, value = entry, ""
        else:
            key, value = entry[:match.start()], entry[match.end():].lstrip()
            if match.group().isspace() and value[:1] in ("=", ":"):
                value = value[1:].lstrip()
        key = _unescape(key.strip())
        data[key] = _unescape(value)
        lines[(key,)] = start
    return [d for d in documents if d.data] or documents[:1]


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return re.sub(r"\\u([0-9a-fA-F]{4})|\\(.)",
                  lambda m: chr(int(m.group(1), 16)) if m.group(1) else
                  {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}.get(m.group(2), m.group(2)), text)


def written(value: Any) -> str:
    """A value from a file as its author wrote it: ``false``, ``null``, ``[a, b]`` rather than Python's
    ``False``, ``None``, ``['a', 'b']``; text as it is (a .properties value is always text)."""
    return value if isinstance(value, str) else shown(value)


# -- Spring's view of a configuration -----------------------------------------------------------

def split_key(key: str) -> list[str]:
    """``a.b[c.d].e`` -> ``["a", "b", "c.d", "e"]``: Spring's dotted keys, brackets kept whole."""
    parts, current, depth = [], "", 0
    for ch in key:
        if ch == "[":
            if depth == 0 and current:
                parts.append(current)
                current = ""
            depth += 1
            if depth == 1:
                continue
        elif ch == "]" and depth:
            depth -= 1
            if depth == 0:
                parts.append(current)
                current = ""
                continue
        elif ch == "." and depth == 0:
            if current:
                parts.append(current)
            current = ""
            continue
        current += ch
    if current:
        parts.append(current)
    return parts


@dataclass(frozen=True)
class Entry:
    """One property of a Spring configuration: its key parts, value and where it was written."""

    parts: tuple[str, ...]
    value: Any
    where: str

    @property
    def key(self) -> str:
        return ".".join(self.parts)


def spring_entries(doc: Document) -> list[Entry]:
    """Flatten a YAML or properties document the way Spring binds it: nested and dotted keys
    become key parts; lists of plain values stay lists (they bind to list properties)."""
    out: list[Entry] = []

    def visit(value: Any, parts: tuple[str, ...], path: tuple) -> None:
        if isinstance(value, dict) and not value and parts:
            out.append(Entry(parts, {}, doc.where(path)))   # an empty map still declares its key
        elif isinstance(value, dict):
            for key, item in value.items():
                visit(item, parts + tuple(split_key(str(key))), path + (key,))
        elif isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
            for i, item in enumerate(value):
                visit(item, parts[:-1] + (f"{parts[-1]}[{i}]",) if parts else (f"[{i}]",), path + (i,))
        else:
            out.append(Entry(parts, value, doc.where(path)))

    visit(doc.data, (), ())
    return out


def canonical(name: str) -> str:
    """Spring's relaxed binding: ``max-wait-duration``, ``maxWaitDuration`` and
    ``MAX_WAIT_DURATION`` name the same property."""
    return name.replace("-", "").replace("_", "").lower()


_TEMPLATE = re.compile(r"\$\{([^}:]*)(?::([^}]*))?\}")


def resolve_templates(value: Any, entry_key: str, where: str, known: dict[str, Any]) -> Any:
    """Replace ``${NAME}`` / ``${NAME:default}`` in a value: another key of the same file,
    else the default; a placeholder with neither is refused, naming the key."""
    if not isinstance(value, str) or "${" not in value:
        return value

    def substitute(match: re.Match) -> str:
        name, default = match.group(1).strip(), match.group(2)
        if name in known and not (isinstance(known[name], str) and "${" in known[name]):
            return str(known[name])
        if default is not None:
            return default
        raise InteropError(f"{entry_key} is the placeholder ${{{name}}} with no default; "
                           f"write the value or a default (${{{name}:VALUE}})", where)

    return _TEMPLATE.sub(substitute, value)


# -- durations -----------------------------------------------------------------------------------

_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_SPRING_DURATION = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*(ns|us|µs|ms|s|m|h|d)?\s*$", re.IGNORECASE)
_ISO_DURATION = re.compile(
    r"^\s*([+-])?P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?\s*$",
    re.IGNORECASE)


# The unit of a duration written as a bare number: Spring binds ``Duration`` in milliseconds by default.
SPRING_BARE_UNIT = "ms"


def spring_duration(value: Any, key: str, where: str, bare_unit: float = _UNITS[SPRING_BARE_UNIT]) -> float:
    """Seconds from a Spring Boot duration: ``10s``, ``500ms``, ``PT1S``; a bare number is in
    ``bare_unit`` seconds."""
    if isinstance(value, bool):
        raise InteropError(f"{key} must be a duration such as 500ms or 10s (got {shown(value)})", where)
    text = str(value)
    match = _SPRING_DURATION.match(text)
    if match:
        if match.group(2) and not re.search(r"\d" + re.escape(match.group(2)) + r"\s*$", text):
            # Spring's simple style is the digits and the unit together; "10 s" stops the application
            raise InteropError(f"{key} = {text.strip()}: Spring reads a duration with no space before its unit "
                               f"(write {match.group(1)}{match.group(2)})", where)
        if match.group(2) == "µs":
            raise InteropError(f"{key} = {text.strip()}: Spring writes microseconds as us (write "
                               f"{match.group(1)}us)", where)
        if "." in match.group(1):
            # Spring's simple style takes whole numbers only; the application would not start
            raise InteropError(f"{key} = {text}: Spring takes whole numbers in this style (write it in a smaller "
                               "unit, e.g. 1500ms, or as ISO-8601, e.g. PT1.5S)", where)
        number, unit = float(match.group(1)), match.group(2)
        return number * (_UNITS[unit.lower()] if unit else bare_unit)
    match = _ISO_DURATION.match(text)
    if match and any(match.group(i) for i in (2, 3, 4, 5)):
        sign = -1.0 if match.group(1) == "-" else 1.0
        days, hours, minutes, seconds = (float(match.group(i) or 0) for i in (2, 3, 4, 5))
        return sign * (days * 86400 + hours * 3600 + minutes * 60 + seconds)
    raise InteropError(f"{key} must be a duration such as 500ms, 10s or PT1S (got {shown(value)})", where)


def spring_duration_written(value: Any) -> str:
    """A Spring duration as its author wrote it, a bare number with the unit Spring reads it in (``50 ms``)."""
    text = written(value)
    match = _SPRING_DURATION.match(text)
    return f"{text.strip()} {SPRING_BARE_UNIT}" if match and not match.group(2) else text


def proto_duration(value: Any, key: str, where: str) -> float:
    """Seconds from a protobuf JSON duration (``"0.100s"``, ``"30s"``)."""
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)s\s*", value)
        if match:
            return float(match.group(1))
    if isinstance(value, dict) and set(value) <= {"seconds", "nanos"}:
        try:
            return float(value.get("seconds", 0)) + float(value.get("nanos", 0)) * 1e-9
        except (TypeError, ValueError):
            pass
    raise InteropError(f'{key} must be a duration in seconds such as "0.5s" (got {shown(value)})', where)


def spring_text(seconds: float) -> str:
    """A duration as Spring writes it, in the largest unit that keeps it whole: ``500ms``, ``5s``."""
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("m", 60.0), ("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        count = seconds / size
        if count >= 1 and abs(count - round(count)) < 1e-9 * max(1.0, count):
            return f"{round(count)}{unit}"
    return f"{round(seconds * 1e9)}ns"


def proto_text(seconds: float) -> str:
    """A duration as protobuf JSON writes it: ``"0.1s"``."""
    return f"{seconds:.9f}".rstrip("0").rstrip(".") + "s"


def number(value: Any, key: str, where: str, integer: bool = False) -> float | int:
    """A number from a YAML value or a properties string; refuses anything else, naming the key."""
    if isinstance(value, bool):
        raise InteropError(f"{key} must be a number (got {shown(value)})", where)
    try:
        if isinstance(value, (int, float)):
            result = value
        elif integer and re.fullmatch(r"[+-]?\d{1,300}", str(value).strip()):
            result = int(str(value))   # a .properties value is text: read whole, as YAML reads it
        else:
            result = float(value)
    except (TypeError, ValueError):
        raise InteropError(f"{key} must be a number (got {shown(value)})", where) from None
    if isinstance(result, int) and integer:
        return result   # kept whole: through a float a long number would be reported as another one
    if isinstance(result, int):
        result = float(result) if abs(result) < 10**308 else math.inf
    if not math.isfinite(result):   # YAML's .inf and .nan, "1e400", a number of 400 digits
        raise InteropError(f"{key} must be a finite number (got {shown(value)})", where)
    if integer:
        if not result.is_integer():
            raise InteropError(f"{key} must be a whole number (got {shown(value)})", where)
        return int(result)
    return result


Model = TypeVar("Model", bound=BaseModel)


def validated(model: type[Model], values: dict[str, Any], key: str, where: str,
              names: dict[str, str] | None = None) -> Model:
    """``model`` made from values read at ``key``; a value the model refuses (out of range, say) is
    named by the file's own key from ``names`` (Faultline field -> key in the file), never a traceback."""
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        field = field_path(exc.errors(include_url=False)[0]["loc"])
        message = field_problems(exc)[0].message
        named = (names or {}).get(field)
        if named:
            message = f"{named} {message.removeprefix(field + ' ')}"
        raise InteropError(f"{key}: {message}", where) from None


def mapping(value: Any, key: str, where: str) -> dict:
    """``value`` when it is a map (a YAML mapping, a JSON object); refuses anything else, naming the key."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InteropError(f"{key} must be a map of settings (got {type(value).__name__} {shown(value)})", where)
    return value


def sequence(value: Any, key: str, where: str) -> list:
    """``value`` when it is a list; refuses anything else, naming the key."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise InteropError(f"{key} must be a list (got {type(value).__name__} {shown(value)})", where)
    return value


def boolean(value: Any, key: str, where: str) -> bool:
    """A boolean from YAML or a properties string (``true``/``false``)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise InteropError(f"{key} must be true or false (got {shown(value)})", where)


_GO_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")


def go_duration(value: Any, key: str, where: str) -> float:
    """Seconds from an Istio or Envoy duration: ``2s``, ``1.000s``, ``300ms``, ``1m30s``, or a
    protobuf ``{seconds, nanos}`` object."""
    if isinstance(value, dict):
        return proto_duration(value, key, where)
    text = str(value).strip()
    parts = _GO_PART.findall(text)
    if parts and "".join(n + u for n, u in parts) == text:
        return sum(float(n) * _UNITS[u] for n, u in parts)
    raise InteropError(f"{key} must be a duration such as 2s or 250ms (got {shown(value)})", where)


def snake(name: str) -> str:
    """``maxPendingRequests`` -> ``max_pending_requests``: Envoy's protojson and YAML names agree."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def pick(data: dict, name: str, default: Any = None) -> Any:
    """``data[name]`` under its snake_case or lowerCamelCase spelling."""
    if name in data:
        return data[name]
    head, *rest = name.split("_")
    camel = head + "".join(p[:1].upper() + p[1:] for p in rest)
    return data.get(camel, default)

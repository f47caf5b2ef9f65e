"""Saved run results: the engine's ``RunResult.to_dict()`` as rows and compact BLOBs.

A run's dict has JSON-able parts (meta, summary, events, names) and numpy
arrays (bucket times, per-component and per-link series). The JSON parts go
into text columns (the event log compressed); every array is one row of
``run_array`` holding its shape and its values as little-endian float64,
byte planes shuffled and zlib-compressed (``ARRAY_ENCODING``). Reading decompresses with a bound taken from the
stored shape, so a forged size cannot balloon in memory, and nothing is
unpickled or evaluated.
"""
from __future__ import annotations

import json
import math
import uuid
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from . import limits
from .errors import ContentError, json_mistake
from .run_models import run_part_problem

RUN_KEYS = (
    "meta",
    "summary",
    "events",
    "events_dropped",
    "components",
    "links",
    "bucket_times",
    "series",
    "link_series",
)
# Present only in runs whose results carry them (per-objective counters, buckets x objectives).
OPTIONAL_RUN_KEYS = ("objective_series",)
ARRAY_ROLES = ("bucket_times", "series", "link_series", "objective_series")
_FLOAT64 = np.dtype("<f8")
# How run_array.data is encoded: little-endian float64, byte planes shuffled, zlib.
ARRAY_ENCODING = "f8le-shuffle-zlib"


class RunDataError(ContentError):
    """A run's data does not have the shape ``RunResult.to_dict()`` gives."""


@dataclass(eq=False)
class SavedRun:
    """One simulation run kept in a project file.

    ``data`` is exactly what the engine's ``RunResult.to_dict()`` returns and
    ``RunResult.from_dict()`` takes back. ``experiment`` is the experiment's
    name when the run had one; ``design_id`` is the design it ran.
    Two saved runs are equal when all of it is, arrays compared by value,
    dtype and shape (NaN equal to NaN).
    """

    id: uuid.UUID
    design_id: uuid.UUID
    experiment: str | None
    label: str
    created: datetime
    data: dict[str, Any] = field(repr=False)
    # What the file holds of ``data``: each array's blob and the event log's, by the object each
    # encodes (as read, or as last written). A kept run does not change, and compressing every one
    # again made each save of a project of thirty kept runs take seconds.
    _written: dict[int, tuple[Any, Any, Any]] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def create(cls, design_id: uuid.UUID, data: dict[str, Any], *, experiment: str | None = None,
               label: str = "") -> SavedRun:
        """A new saved run with a fresh id, stamped now."""
        return cls(uuid.uuid4(), design_id, experiment, label,
                   datetime.now(UTC).replace(microsecond=0), data)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SavedRun):
            return NotImplemented
        return (
            (self.id, self.design_id, self.experiment, self.label, self.created)
            == (other.id, other.design_id, other.experiment, other.label, other.created)
            and same_value(self.data, other.data)
        )

    __hash__ = None  # type: ignore[assignment]


def same_value(a: Any, b: Any) -> bool:
    """Deep equality for run data: arrays by dtype, shape and value; NaN equals NaN."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray) and isinstance(b, np.ndarray)
            and a.dtype == b.dtype and a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))
        )
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


# -- checking --------------------------------------------------------------

def check_run_data(data: Any, where: str) -> None:
    """Raise RunDataError unless ``data`` has the shape of ``RunResult.to_dict()``."""
    if not isinstance(data, dict):
        raise RunDataError(f"{where}: run data must be a dict (got {type(data).__name__})")
    missing = [k for k in RUN_KEYS if k not in data]
    unknown = [str(k) for k in data if k not in RUN_KEYS + OPTIONAL_RUN_KEYS]
    if missing:
        raise RunDataError(f"{where}: run data lacks {', '.join(missing)}")
    if unknown:
        raise RunDataError(f"{where}: run data has parts the file format does not know: {', '.join(unknown)}")
    for key in ("meta", "summary"):
        if not isinstance(data[key], dict):
            raise RunDataError(f"{where}: {key} must be a dict")
    if not isinstance(data["events"], list):
        raise RunDataError(f"{where}: events must be a list")
    problem = run_part_problem(data["meta"], data["events"])
    if problem:
        raise RunDataError(f"{where}: {problem}")
    dropped = data["events_dropped"]
    if isinstance(dropped, bool) or not isinstance(dropped, int) or dropped < 0:
        raise RunDataError(f"{where}: events_dropped must be a whole number of at least 0 (got {dropped!r})")
    for key in ("components", "links"):
        names = data[key]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise RunDataError(f"{where}: {key} must be a list of names")
    times = data["bucket_times"]
    _check_array(times, f"{where}: bucket_times", ndim=1)
    n = times.shape[0]
    for role, names in (("series", data["components"]), ("link_series", data["links"])):
        group = data[role]
        if not isinstance(group, dict):
            raise RunDataError(f"{where}: {role} must be a dict of arrays")
        for name, array in group.items():
            if not isinstance(name, str):
                raise RunDataError(f"{where}: {role} names must be text (got {name!r})")
            _check_array(array, f"{where}: {role} {_short(name)}", ndim=2, shape=(n, len(names)))
    if "objective_series" in data:
        group = data["objective_series"]
        objectives = data["meta"].get("objectives") or []
        if not isinstance(group, dict) or not isinstance(objectives, list):
            raise RunDataError(f"{where}: objective_series must be a dict of arrays, one column per objective")
        for name, array in group.items():
            if not isinstance(name, str):
                raise RunDataError(f"{where}: objective_series names must be text (got {name!r})")
            _check_array(array, f"{where}: objective_series {_short(name)}", ndim=2, shape=(n, len(objectives)))


def _check_array(array: Any, where: str, ndim: int, shape: tuple[int, int] | None = None) -> None:
    if not isinstance(array, np.ndarray):
        raise RunDataError(f"{where} must be a numpy array (got {type(array).__name__})")
    if array.dtype != np.float64:
        raise RunDataError(f"{where} must hold float64 values (got {array.dtype})")
    if array.ndim != ndim:
        raise RunDataError(f"{where} must have {ndim} dimension(s) (got shape {array.shape})")
    if shape is not None and array.shape != shape:
        raise RunDataError(
            f"{where} has shape {array.shape}; buckets x columns must be {shape}"
        )


# -- encoding --------------------------------------------------------------

def dumps(value: Any) -> str:
    """JSON as the store writes it: compact, and keeping infinities and NaN exactly."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=True)


def encode_array(array: np.ndarray) -> tuple[int, int | None, bytes]:
    """(rows, cols or None, compressed bytes) of a float64 array, in ``ARRAY_ENCODING``."""
    raw = np.ascontiguousarray(array, dtype=_FLOAT64).reshape(-1)
    # Byte planes first (all first bytes, then all second bytes, ...): the exponent and high
    # mantissa bytes of neighbouring values repeat, which zlib then finds. On metric series this
    # is smaller at level 1 than unshuffled data at level 6, and several times faster.
    planes = raw.view(np.uint8).reshape(-1, _FLOAT64.itemsize).T.tobytes()
    rows = int(array.shape[0])
    cols = int(array.shape[1]) if array.ndim == 2 else None
    return rows, cols, zlib.compress(planes, 1)


def bounded_decompress(blob: Any, limit: int, where: str) -> bytes:
    """Inflate ``blob`` to at most ``limit`` bytes; a bomb or damage raises RunDataError."""
    if not isinstance(blob, (bytes, bytearray, memoryview)):
        raise RunDataError(f"{where}: stored data is not binary")
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(bytes(blob), limit + 1)
    except zlib.error as exc:
        raise RunDataError(f"{where}: compressed data is damaged ({exc})") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise RunDataError(f"{where}: holds more data than its recorded size")
    if not inflater.eof:
        raise RunDataError(f"{where}: compressed data is cut short")
    return out


def decode_array(rows: Any, cols: Any, blob: Any, where: str, encoding: Any = ARRAY_ENCODING,
                 budget: limits.DecodeBudget | None = None) -> np.ndarray:
    """The float64 array of one ``run_array`` row, its size checked against its shape (and ``budget``)."""
    if encoding != ARRAY_ENCODING:
        raise RunDataError(f"{where}: unknown encoding {_short(encoding)}")
    for label, value, optional in (("rows", rows, False), ("cols", cols, True)):
        if value is None and optional:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise RunDataError(f"{where}: {label} must be a whole number of at least 0 (got {value!r})")
    cells = rows * (cols if cols is not None else 1)
    expected = cells * _FLOAT64.itemsize
    if expected > limits.MAX_ARRAY_BYTES:
        raise RunDataError(
            f"{where}: claims {rows} x {cols if cols is not None else 1} values "
            f"({limits.describe_size(expected)}), more than a saved run may hold"
        )
    if budget is not None:
        budget.take(expected)
    raw = bounded_decompress(blob, expected, where)
    if len(raw) != expected:
        raise RunDataError(f"{where}: holds {len(raw)} bytes, its shape needs {expected}")
    planes = np.frombuffer(raw, dtype=np.uint8).reshape(_FLOAT64.itemsize, cells)
    array = planes.T.copy().view(_FLOAT64).astype(np.float64, copy=False)
    return array.reshape((rows, cols) if cols is not None else (rows,))


def _fingerprint(value: Any) -> Any:
    """What must be unchanged for ``value`` to be written as before: an array's shape, type and
    checksum (a hundredth of compressing it), an event log's length (it is replaced, never edited)."""
    if isinstance(value, np.ndarray):
        return value.shape, value.dtype.str, zlib.crc32(np.ascontiguousarray(value).data)
    return len(value)


def _remember(written: dict[int, tuple[Any, Any, Any]], value: Any, encoded: Any) -> None:
    # The value itself is held too: its id stays its own while the entry lives.
    written[id(value)] = (value, _fingerprint(value), encoded)


def _recall(written: dict[int, tuple[Any, Any, Any]], value: Any) -> Any:
    """What ``value`` was encoded as, if it is the very object encoded and unchanged."""
    entry = written.get(id(value))
    if entry is not None and entry[0] is value and entry[1] == _fingerprint(value):
        return entry[2]
    return None


def _events_blob(events: Any) -> bytes:
    return zlib.compress(dumps(events).encode("utf-8"), 6)


def run_rows(run: SavedRun, run_pk: int, design_pk: int, ord_: int, first_array_pk: int
             ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The ``run`` row and the ``run_array`` rows of one saved run (data already checked)."""
    data = run.data
    written: dict[int, tuple[Any, Any, Any]] = {}
    try:
        meta, summary = dumps(data["meta"]), dumps(data["summary"])
        events = _recall(run._written, data["events"])
        if events is None:
            events = _events_blob(data["events"])
    except (TypeError, ValueError) as exc:
        raise RunDataError(f"saved run {run.label or run.id}: not JSON-able ({exc})") from None
    _remember(written, data["events"], events)
    row = {
        "pk": run_pk,
        "design_pk": design_pk,
        "ord": ord_,
        "id": str(run.id),
        "experiment": run.experiment,
        "label": run.label,
        "created": run.created.isoformat(),
        "meta": meta,
        "summary": summary,
        "events": events,
        "events_dropped": data["events_dropped"],
        "components": dumps(data["components"]),
        "links": dumps(data["links"]),
    }
    arrays = [("bucket_times", "", data["bucket_times"])]
    arrays += [("series", name, a) for name, a in data["series"].items()]
    arrays += [("link_series", name, a) for name, a in data["link_series"].items()]
    arrays += [("objective_series", name, a) for name, a in (data.get("objective_series") or {}).items()]
    array_rows = []
    for index, (role, name, array) in enumerate(arrays):
        encoded = _recall(run._written, array)
        if encoded is None:
            encoded = encode_array(array)
        _remember(written, array, encoded)
        rows, cols, blob = encoded
        array_rows.append({
            "pk": first_array_pk + index, "run_pk": run_pk, "ord": index, "role": role,
            "name": name, "rows": rows, "cols": cols, "encoding": ARRAY_ENCODING, "data": blob,
        })
    run._written = written
    return row, array_rows


# -- decoding --------------------------------------------------------------

def loads(value: Any, where: str) -> Any:
    """Parse JSON text read from a file, naming ``where`` when it is not JSON."""
    if isinstance(value, (bytearray, memoryview)):
        value = bytes(value)
    if not isinstance(value, (str, bytes)):
        raise ContentError(f"{where}: not JSON text (got {type(value).__name__})")
    try:
        return json.loads(value)
    except RecursionError:
        raise ContentError(f"{where}: JSON nested too deeply to read") from None
    except json.JSONDecodeError as exc:
        raise ContentError(f"{where}: not valid JSON ({json_mistake(exc, whole_file=False)})") from None
    except ValueError as exc:  # bytes that are not UTF-8
        raise ContentError(f"{where}: not valid JSON text ({exc})") from None


def parse_uuid(value: Any, where: str) -> uuid.UUID:
    """A UUID read from a file, or ContentError naming ``where``."""
    if isinstance(value, str):
        try:
            return uuid.UUID(value)
        except ValueError:
            pass
    raise ContentError(f"{where}: id {_short(value)} is not a UUID")


def parse_time(value: Any, where: str) -> datetime:
    """An ISO 8601 date and time read from a file, or ContentError naming ``where``."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    raise ContentError(f"{where}: {_short(value)} is not a date and time")


def _short(value: Any, limit: int = 60) -> str:
    """A value from a file as a message quotes it: text in double quotes, cut to ``limit``."""
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= limit else f'"{value[: limit - 3]}..."'
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _kind(value: Any) -> str:
    """A kind from a file as a message names it: ``load balancer``."""
    return value.replace("_", " ")[:40] if isinstance(value, str) else _short(value)


def _json_text(value: Any, where: str, budget: limits.DecodeBudget) -> Any:
    if isinstance(value, (str, bytes, bytearray, memoryview)):
        budget.take(len(value), json=True)
    return loads(value, where)


def _check_declared_shapes(array_rows: list[Mapping[str, Any]], components: Any, links: Any, where: str) -> None:
    """Refuse arrays whose declared shapes disagree with the run's names and buckets, before decompressing any."""
    for key, names in (("components", components), ("links", links)):
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise RunDataError(f"{where}: {key} must be a list of names")
    times = [arow for arow in array_rows if arow["role"] == "bucket_times"]
    if len(times) != 1:
        raise RunDataError(f"{where}: has no bucket_times" if not times else f"{where}: holds bucket_times twice")
    n = times[0]["rows"]
    if times[0]["cols"] is not None:
        raise RunDataError(f"{where}: bucket_times must have 1 dimension(s) (got shape ({n}, {times[0]['cols']}))")
    columns = {"series": len(components), "link_series": len(links)}
    for arow in array_rows:
        role = arow["role"]
        if role not in columns:
            continue
        shape = (arow["rows"], arow["cols"])
        if shape != (n, columns[role]):
            got = f"({arow['rows']},)" if arow["cols"] is None else f"({arow['rows']}, {arow['cols']})"
            raise RunDataError(f"{where}: {role} {_short(arow['name'])} has shape {got}; buckets x columns must be "
                               f"({n}, {columns[role]})")


def read_run(row: Mapping[str, Any], array_rows: list[Mapping[str, Any]], design_id: uuid.UUID,
             budget: limits.DecodeBudget | None = None) -> SavedRun:
    """Rebuild one saved run from its ``run`` row and its ``run_array`` rows (in order).

    ``budget`` is what is left of the file's decoded budget; every shape is
    checked against the run's names before anything is decompressed.
    """
    budget = budget if budget is not None else limits.DecodeBudget()
    label = row["label"]
    where = f"saved run {_short(label)}"
    if not isinstance(label, str):
        raise RunDataError(f"{where}: label must be text")
    experiment = row["experiment"]
    if experiment is not None and not isinstance(experiment, str):
        raise RunDataError(f"{where}: experiment must be a name (got {_short(experiment)})")
    run_id = parse_uuid(row["id"], where)
    created = parse_time(row["created"], f"{where}, created")
    components = _json_text(row["components"], f"{where}, components", budget)
    links = _json_text(row["links"], f"{where}, links", budget)
    for arow in array_rows:
        if arow["role"] not in ARRAY_ROLES:
            raise RunDataError(f"{where}: unknown kind of array {_short(arow['role'])}")
    _check_declared_shapes(array_rows, components, links, where)
    data: dict[str, Any] = {
        "meta": _json_text(row["meta"], f"{where}, meta", budget),
        "summary": _json_text(row["summary"], f"{where}, summary", budget),
        "events": None,
        "events_dropped": row["events_dropped"],
        "components": components,
        "links": links,
        "series": {},
        "link_series": {},
    }
    cap = min(limits.MAX_EVENTS_BYTES, budget.json)
    try:
        events_text = bounded_decompress(row["events"], cap, f"{where}, events")
    except RunDataError:
        if cap < limits.MAX_EVENTS_BYTES:
            budget.take(cap + 1, json=True)  # raises: the file's budget, not this log, is what ran out
        raise
    budget.take(len(events_text), json=True)
    data["events"] = loads(events_text, f"{where}, events")
    written: dict[int, tuple[Any, Any, Any]] = {}
    _remember(written, data["events"], bytes(row["events"]))
    times = None
    for arow in array_rows:
        role, name = arow["role"], arow["name"]
        if not isinstance(name, str):
            raise RunDataError(f"{where}: {role} name must be text (got {_short(name)})")
        what = f"{where}, {role} {_short(name)}" if name else f"{where}, {role}"
        array = decode_array(arow["rows"], arow["cols"], arow["data"], what, arow["encoding"], budget)
        _remember(written, array, (arow["rows"], arow["cols"], bytes(arow["data"])))
        if role == "bucket_times":
            times = array
        elif name in data.setdefault(role, {}):
            raise RunDataError(f"{what}: appears twice")
        else:
            data[role][name] = array
    data["bucket_times"] = times
    ordered = {key: data[key] for key in RUN_KEYS + OPTIONAL_RUN_KEYS if key in data}
    check_run_data(ordered, where)
    run = SavedRun(run_id, design_id, experiment, label, created, ordered)
    run._written = written
    return run

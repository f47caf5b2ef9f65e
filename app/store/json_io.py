"""JSON import and export of a design or a whole project, in the engine model's own JSON."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from engine.model import (
    Design,
    DesignError,
    KeyWrittenTwice,
    NumberTooLong,
    Project,
    field_problems,
    load_json,
    parse_design,
)
from engine.model.design import FORMAT_VERSION

from ..text_files import decode_text
from . import limits
from .convert import project_format_problem
from .errors import ProjectFileError, cannot_open, cannot_save, json_mistake
from .fileio import atomic_write, is_sqlite, read_head, read_whole, resolve_target


def to_json_text(item: Project | Design) -> str:
    """The JSON text ``export_json`` writes. The model admits only finite numbers, so
    standard JSON (no NaN, no Infinity) can always hold it."""
    data = item.model_dump(mode="json", by_alias=True)
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def export_json(project_or_design: Project | Design, path: str | os.PathLike) -> None:
    """Write a project or one design as JSON (the engine model's format), atomically.

    Saved runs are not part of the JSON; the project file keeps them.
    """
    if not isinstance(project_or_design, (Project, Design)):
        raise TypeError(f"export_json takes a Project or a Design, not {type(project_or_design).__name__}")
    target = resolve_target(path)
    try:
        text = to_json_text(project_or_design)
    except ValueError as exc:
        raise cannot_save(target, str(exc)) from None
    atomic_write(target, text.encode("utf-8"))


def parse_json_document(text: str | bytes, path: Path) -> Project | Design:
    """A project or a design from JSON text, told apart by their fields (a project has ``designs``)."""
    if not text.strip():
        raise cannot_open(path, "it is empty")
    try:
        data = load_json(text)
    except NumberTooLong as exc:
        raise cannot_open(path, f"it holds {exc}") from None
    except KeyWrittenTwice as exc:
        raise cannot_open(path, str(exc)) from None
    except RecursionError:
        raise cannot_open(path, "its JSON is nested too deeply to read") from None
    except json.JSONDecodeError as exc:
        raise cannot_open(path, f"it is not valid JSON ({json_mistake(exc)})") from None
    except ValueError as exc:
        raise cannot_open(path, f"it is not JSON text ({exc})") from None
    if not isinstance(data, dict):
        raise cannot_open(path, "it holds JSON, but neither a Faultline project nor a design (expected an object)")
    if "designs" in data:
        return _parse_project(data, path)
    if any(key in data for key in ("components", "links", "experiments")):
        try:
            return parse_design(data, check=False)
        except DesignError as exc:
            raise cannot_open(path, f"the design in it does not follow the model:\n{exc}") from None
    raise cannot_open(path, "it holds JSON, but neither a Faultline project (no \"designs\") "
                            "nor a design (no \"components\")")


def _parse_project(data: dict[str, Any], path: Path) -> Project:
    problem = project_format_problem(data.get("format", FORMAT_VERSION))
    if problem:
        raise cannot_open(path, problem)
    raw_designs = data.get("designs")
    if not isinstance(raw_designs, list):
        raise cannot_open(path, '"designs" must be a list of designs')
    designs = []
    for index, raw in enumerate(raw_designs, start=1):
        named = isinstance(raw, dict) and raw.get("name")
        label = f'design {index} ("{raw.get("name")}")' if named else f"design {index}"
        try:
            designs.append(parse_design(raw, check=False))
        except DesignError as exc:
            raise cannot_open(path, f"{label} does not follow the model:\n{exc}") from None
    try:
        return Project.model_validate({**data, "designs": designs})
    except ValidationError as exc:
        problems = "; ".join(str(p) for p in field_problems(exc))
        raise cannot_open(path, f"the project in it does not follow the model ({problems})") from None


def import_json(path: str | os.PathLike) -> Project | Design:
    """Read a project or a design from a JSON file; ProjectFileError says what is wrong.

    Graph-level problems (a client sending to nothing, say) do not stop the
    import: they are the design's ``problems()``, for the editor to show.
    """
    path = Path(path)
    data = read_whole(path, limits.MAX_JSON_FILE_BYTES)
    if is_sqlite(data):
        raise cannot_open(path, "it is a project file, not JSON; open it instead of importing it")
    try:
        text = decode_text(data)
    except UnicodeDecodeError as exc:
        if b"\0" in data[:4096]:
            raise cannot_open(path, "it is not a text file (a design or project export is JSON)") from None
        # text in another encoding (Latin-1 from an old editor): say where, so it can be saved again as UTF-8
        raise cannot_open(path, f"it is not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    return parse_json_document(text, path)


def load_project_or_json(path: str | os.PathLike) -> Project | Design:
    """A ``.faultline`` file's project, or a JSON file's project or design, told apart by content."""
    path = Path(path)
    if is_sqlite(read_head(path)):
        from .project_file import open_project  # SQLAlchemy only for the files that need it

        return open_project(path).project
    return import_json(path)


def load_design_from_path(path: str | os.PathLike, design_name: str | None = None) -> Design:
    """The design to run from a JSON design, a JSON project or a ``.faultline`` file.

    ``design_name`` picks a design of a project; it may be left out when
    the project has exactly one. A design is returned as it is stored:
    call ``check()`` on it before running.
    """
    path = Path(path)
    item = load_project_or_json(path)
    if isinstance(item, Design):
        if design_name is not None and design_name != item.name:
            raise ProjectFileError(f'{path.name} holds the design "{item.name}", not "{design_name}"', path)
        return item
    names = ", ".join(f'"{d.name}"' for d in item.designs) or "none"
    if design_name is None:
        if len(item.designs) == 1:
            return item.designs[0]
        if not item.designs:
            raise ProjectFileError(f"{path.name} holds no design", path)
        raise ProjectFileError(f"{path.name} holds several designs ({names}); choose one with --design", path)
    for design in item.designs:
        if design.name == design_name:
            return design
    raise ProjectFileError(f'{path.name} has no design named "{design_name}" (it has: {names})', path)

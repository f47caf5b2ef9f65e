"""Rows <-> ``engine.model`` objects.

Writing dumps each model object with pydantic (every field, defaults
included, so a later change of a default cannot change what a saved file
means) and spreads it over the columns of its table. Reading gathers the
rows back into the same dicts and hands them to the model's validation, so
nothing reaches the application that the model would not accept, and its
problems are reported in the model's own words.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from engine.model import FORMAT_VERSION, Design, DesignError, Project, field_problems, parse_design

from . import limits
from .errors import ContentError
from .runs import (
    SavedRun,
    _kind,
    _short,
    check_run_data,
    dumps,
    loads,
    parse_time,
    parse_uuid,
    read_run,
    run_rows,
)

# Fields stored in columns of their own; everything else of a kind is ``params``.
_COMPONENT_COLUMNS = ("id", "kind", "name", "position", "policies", "workload")
_POLICY_COLUMNS = ("id", "kind", "enabled", "scope")
_FAULT_COLUMNS = ("id", "kind", "target", "start", "duration", "period", "enabled")
_WORKLOAD_COLUMNS = ("type",)

Rows = dict[str, list[dict[str, Any]]]
_MAX_PROBLEMS = 20


def project_format_problem(fmt: Any) -> str | None:
    """Why a project record of format ``fmt`` cannot be read, or None: the one rule for files and JSON."""
    if isinstance(fmt, bool) or not isinstance(fmt, int):
        return f"its project format must be a whole number (got {_short(fmt)})"
    if fmt > FORMAT_VERSION:
        return f"made with a newer Faultline (project format {fmt}); this version reads up to {FORMAT_VERSION}"
    if fmt < 1:
        return f"its project format {fmt} is not one Faultline writes (1 to {FORMAT_VERSION})"
    return None


def _clip(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Keys:
    """Hands out the surrogate keys of one table, counting from 1."""

    def __init__(self) -> None:
        self.last = 0

    def next(self) -> int:
        """A fresh key."""
        self.last += 1
        return self.last


def _params_json(dump: dict[str, Any], columns: Sequence[str]) -> str:
    """The JSON of the fields of ``dump`` that have no column of their own."""
    return dumps({k: v for k, v in dump.items() if k not in columns})


# -- model -> rows -----------------------------------------------------------

def project_to_rows(project: Project, runs: Iterable[SavedRun], written_by: str) -> Rows:
    """Every row of a file holding ``project`` and ``runs``; ContentError if one cannot be stored."""
    rows: Rows = {name: [] for name in (
        "project", "design", "component", "workload", "policy", "link", "experiment", "fault",
        "run", "run_array",
    )}
    keys = {name: _Keys() for name in rows}
    rows["project"].append({
        "pk": 1,
        "id": str(project.id),
        "format": project.format,
        "name": project.name,
        "description": project.description,
        "created": project.created.isoformat(),
        "modified": project.modified.isoformat(),
        "written_by": written_by,
    })
    design_pks: dict[uuid.UUID, int] = {}
    for d_ord, design in enumerate(project.designs):
        design_pk = keys["design"].next()
        design_pks.setdefault(design.id, design_pk)
        rows["design"].append({
            "pk": design_pk, "project_pk": 1, "ord": d_ord, "id": str(design.id),
            "format": design.format, "name": design.name, "description": design.description,
        })
        _design_rows(design, design_pk, rows, keys)
    for r_ord, run in enumerate(runs):
        where = f"saved run {_short(run.label)}"
        run_design_pk = design_pks.get(run.design_id)
        if run_design_pk is None:
            raise ContentError(f"{where} belongs to design {run.design_id}, which is not in the project")
        check_run_data(run.data, where)
        run_row, array_rows = run_rows(run, keys["run"].next(), run_design_pk, r_ord, keys["run_array"].last + 1)
        keys["run_array"].last += len(array_rows)
        rows["run"].append(run_row)
        rows["run_array"] += array_rows
    return rows


def _design_rows(design: Design, design_pk: int, rows: Rows, keys: dict[str, _Keys]) -> None:
    where_design = f'design "{design.name}"'
    design = design.with_ids()
    pk_by_id: dict[uuid.UUID, int] = {}
    for c_ord, component in enumerate(design.components):
        component_pk = keys["component"].next()
        # With a repeated id (a draft), links resolve to the first: either gives the same id back.
        pk_by_id.setdefault(component.id, component_pk)
        dump = component.model_dump(mode="json", by_alias=True)
        workload = dump.get("workload")
        params = _params_json(dump, _COMPONENT_COLUMNS)
        rows["component"].append({
            "pk": component_pk, "design_pk": design_pk, "ord": c_ord, "id": dump["id"],
            "kind": component.kind, "name": component.name,
            "x": dump["position"]["x"], "y": dump["position"]["y"], "params": params,
        })
        if workload is not None:
            wparams = _params_json(workload, _WORKLOAD_COLUMNS)
            rows["workload"].append({"component_pk": component_pk, "type": workload["type"], "params": wparams})
        for p_ord, policy in enumerate(dump["policies"]):
            pparams = _params_json(policy, _POLICY_COLUMNS)
            rows["policy"].append({
                "pk": keys["policy"].next(), "component_pk": component_pk, "ord": p_ord, "id": policy["id"],
                "kind": policy["kind"], "enabled": int(policy["enabled"]), "scope": policy.get("scope"),
                "params": pparams,
            })
    for l_ord, link in enumerate(design.links):
        ends = []
        for end in (link.source, link.target):
            if not isinstance(end, uuid.UUID) or end not in pk_by_id:
                raise ContentError(
                    f'{where_design}, link "{design.link_name(link)}": '
                    + (f'unknown component "{end}" ' if isinstance(end, str) else "an end that is not in the design ")
                    + "(a link must join two components of its design; remove it or add the component)"
                )
            ends.append(pk_by_id[end])
        rows["link"].append({
            "pk": keys["link"].next(), "design_pk": design_pk, "ord": l_ord, "id": str(link.id),
            "source_pk": ends[0], "target_pk": ends[1],
            "latency": dumps(link.latency.model_dump(mode="json", by_alias=True)),
            "probability": link.probability, "count": link.count,
        })
    for e_ord, experiment in enumerate(design.experiments):
        experiment_pk = keys["experiment"].next()
        rows["experiment"].append({
            "pk": experiment_pk, "design_pk": design_pk, "ord": e_ord, "id": str(experiment.id),
            "name": experiment.name, "description": experiment.description,
        })
        for f_ord, fault in enumerate(experiment.faults):
            dump = fault.model_dump(mode="json", by_alias=True)
            fparams = _params_json(dump, _FAULT_COLUMNS)
            rows["fault"].append({
                "pk": keys["fault"].next(), "experiment_pk": experiment_pk, "ord": f_ord, "id": dump["id"],
                "kind": dump["kind"], "target": dump["target"], "start": dump["start"],
                "duration": dump["duration"], "period": dump["period"], "enabled": int(dump["enabled"]),
                "params": fparams,
            })


# -- rows -> model -----------------------------------------------------------

def _params(value: Any, where: str, reserved: Sequence[str]) -> dict[str, Any]:
    params = loads(value, f"{where}, parameters")
    if not isinstance(params, dict):
        raise ContentError(f"{where}: parameters must be a JSON object (got {type(params).__name__})")
    clash = [k for k in params if k in reserved]
    if clash:
        raise ContentError(f"{where}: parameters repeat {', '.join(clash)}, which have columns of their own")
    return params


def _children(rows: list[Mapping[str, Any]], parent_key: str, parents: Mapping[Any, Any],
              table: str, parent_table: str) -> Iterable[tuple[Any, Mapping[str, Any]]]:
    """(parent, row) for each row, refusing a row whose parent is not in the file."""
    for row in rows:
        parent = parents.get(row[parent_key])
        if parent is None:
            raise ContentError(
                f"a {table} row (key {_short(row.get('pk', row[parent_key]))}) refers to "
                f"{parent_table} {_short(row[parent_key])}, which is not in the file"
            )
        yield parent, row


def _names_of(design: dict[str, Any]) -> dict[str, str]:
    """The names of a design's components and links (``a -> b``) by the text of their ids, for messages."""
    names = {str(c["id"]): str(c["name"]) for c in design["components"]}
    for link in design["links"]:
        names[str(link["id"])] = f'{names.get(str(link["source"]), "?")} -> {names.get(str(link["target"]), "?")}'
    return names


def rows_to_project(rows: Mapping[str, list[Mapping[str, Any]]]) -> tuple[Project, list[SavedRun]]:
    """Rebuild the project and its saved runs; ContentError or DesignError when rows break the model.

    Rows must come ordered by parent and ``ord``.
    """
    if len(rows["project"]) != 1:
        raise ContentError(f"holds {len(rows['project'])} project records; a project file has exactly one")
    prow = rows["project"][0]
    problem = project_format_problem(prow["format"])
    if problem:
        raise ContentError(problem)
    designs: dict[Any, dict[str, Any]] = {}
    for _, row in _children(rows["design"], "project_pk", {prow["pk"]: prow}, "design", "project"):
        designs[row["pk"]] = {
            "format": row["format"], "id": row["id"], "name": row["name"], "description": row["description"],
            "components": [], "links": [], "experiments": [],
        }
    components: dict[Any, tuple[Any, dict[str, Any]]] = {}
    for design, row in _children(rows["component"], "design_pk", designs, "component", "design"):
        where = f'design {_short(design["name"])}, {_kind(row["kind"])} {_short(row["name"])}'
        comp = _params(row["params"], where, _COMPONENT_COLUMNS)
        comp.update(id=row["id"], kind=row["kind"], name=row["name"],
                    position={"x": row["x"], "y": row["y"]}, policies=[])
        design["components"].append(comp)
        components[row["pk"]] = (row["design_pk"], comp)
    comp_dicts = {pk: comp for pk, (_, comp) in components.items()}
    for comp, row in _children(rows["workload"], "component_pk", comp_dicts, "workload", "component"):
        where = f"workload of {_kind(comp['kind'])} {_short(comp['name'])}"
        if "workload" in comp:
            raise ContentError(f"{where}: stored twice")
        workload = _params(row["params"], where, _WORKLOAD_COLUMNS)
        workload["type"] = row["type"]
        comp["workload"] = workload
    for comp, row in _children(rows["policy"], "component_pk", comp_dicts, "policy", "component"):
        where = f"{_kind(row['kind'])} policy of {_kind(comp['kind'])} {_short(comp['name'])}"
        policy = _params(row["params"], where, _POLICY_COLUMNS)
        policy.update(id=row["id"], kind=row["kind"], enabled=row["enabled"])
        if row["scope"] is not None:
            policy["scope"] = row["scope"]
        comp["policies"].append(policy)
    for design, row in _children(rows["link"], "design_pk", designs, "link", "design"):
        ends = []
        for column in ("source_pk", "target_pk"):
            found = components.get(row[column])
            if found is None or found[0] != row["design_pk"]:
                raise ContentError(
                    f'design {_short(design["name"])}, link {len(design["links"]) + 1}: its {column[:-3]} '
                    f"{'is a component of another design' if found else 'is not in the file'}"
                )
            ends.append(found[1])
        design["links"].append({
            "id": row["id"], "source": ends[0]["id"], "target": ends[1]["id"],
            "latency": loads(row["latency"], f'design {_short(design["name"])}, link '
                                             f'"{ends[0]["name"]} -> {ends[1]["name"]}": latency'),
            "probability": row["probability"], "count": row["count"],
        })
    experiments: dict[Any, dict[str, Any]] = {}
    names: dict[Any, dict[str, str]] = {}  # by experiment: what its fault targets' ids are called
    for design, row in _children(rows["experiment"], "design_pk", designs, "experiment", "design"):
        experiment = {"id": row["id"], "name": row["name"], "description": row["description"], "faults": []}
        design["experiments"].append(experiment)
        experiments[row["pk"]] = experiment
        names[id(experiment)] = _names_of(design)
    for experiment, row in _children(rows["fault"], "experiment_pk", experiments, "fault", "experiment"):
        target = names[id(experiment)].get(str(row["target"]), row["target"])
        where = (f'experiment {_short(experiment["name"])}, fault {len(experiment["faults"]) + 1} '
                 f'({_kind(row["kind"])} on {_short(target)})')
        fault = _params(row["params"], where, _FAULT_COLUMNS)
        fault.update({k: row[k] for k in _FAULT_COLUMNS})
        experiment["faults"].append(fault)

    models = []
    for data in designs.values():
        try:
            models.append(parse_design(data, check=False, strict=False))  # SQLite keeps booleans as integers
        except DesignError as exc:
            # A forged file can hold megabytes in one field; the message quotes only the start.
            lines = [f"  {_clip(str(p))}" for p in exc.problems[:_MAX_PROBLEMS]]
            if len(exc.problems) > _MAX_PROBLEMS:
                lines.append(f"  and {len(exc.problems) - _MAX_PROBLEMS} more")
            raise DesignError([f'design {_short(data["name"])} does not follow the model:'] + lines) from None
    project_id = parse_uuid(prow["id"], "project")
    try:
        project = Project.model_validate({
            "format": prow["format"], "id": project_id, "name": prow["name"],
            "description": prow["description"],
            "created": parse_time(prow["created"], "project, created"),
            "modified": parse_time(prow["modified"], "project, modified"),
            "designs": models,
        })
    except ValidationError as exc:
        raise ContentError("the project record does not follow the model: "
                           + "; ".join(str(p) for p in field_problems(exc))) from None

    design_ids = {pk: model.id for pk, model in zip(designs, models)}
    arrays: dict[Any, list[Mapping[str, Any]]] = {}
    runs_by_pk = {row["pk"]: row for row in rows["run"]}
    for run_row, row in _children(rows["run_array"], "run_pk", runs_by_pk, "run_array", "run"):
        arrays.setdefault(run_row["pk"], []).append(row)
    runs = []
    budget = limits.DecodeBudget()
    for design_id, row in _children(rows["run"], "design_pk", design_ids, "run", "design"):
        runs.append(read_run(row, arrays.get(row["pk"], []), design_id, budget))
    return project, runs

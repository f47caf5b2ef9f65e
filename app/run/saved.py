"""Runs kept in the project: a session to ``SavedRun`` records and back.

A comparison is kept as one ``SavedRun`` per variant sharing a group id in
``meta["run_group"]``; the comparison table (with its confidence intervals)
travels in the first variant's meta, so a reopened comparison shows the same
table without running again.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from engine import RunResult
from engine.model import Design
from engine.objectives import RunVerdicts

from ..store import SavedRun
from .session import VARIANT_LABELS, RunSession
from .worker import VARIANT_ORDER

GROUP_KEY = "run_group"
VARIANT_KEY = "variant"
TABLE_KEY = "comparison_table"
REPLICATIONS_KEY = "replications"
# every replication's verdicts, beside the first's results: the verdict rows count the runs that
# met each objective, and a colleague opening the file must read what its author read
REPLICATED_KEY = "replicated_verdicts"
# the design as it was run, kept with the run's first variant: the report of a run kept before the
# design was changed must describe the design that gave its figures
DESIGN_KEY = "run_design"
# what the Runs panel calls a reopened run, and when it was kept: put on its results in memory only
# (never saved), so that its report and exports say which of several kept runs they show
KEPT_AS_KEY = "kept_as"
KEPT_AT_KEY = "kept_at"


def saved_runs_of(session: RunSession, design_id: uuid.UUID, label: str | None = None) -> list[SavedRun]:
    """Records that keep ``session`` in the project (only its finished or stopped results)."""
    results = session.results()
    if not results:
        raise ValueError("this run has no results to keep")
    label = label or session.title()
    out = []
    for i, (variant, result) in enumerate(results.items()):
        data = result.to_dict()
        meta = dict(data["meta"])
        meta[GROUP_KEY] = str(session.group_id)
        meta[VARIANT_KEY] = variant
        # A kept run deleted and kept again: what the Runs panel called it is its new label's to say,
        # and the design it ran with is the one it was first kept with, not the one open now.
        meta.pop(KEPT_AS_KEY, None)
        meta.pop(KEPT_AT_KEY, None)
        if i == 0 and session.design is not None and DESIGN_KEY not in meta:
            meta[DESIGN_KEY] = session.design.model_dump(mode="json")
        if i == 0 and session.table:
            meta[TABLE_KEY] = session.table
            meta[REPLICATIONS_KEY] = session.replications
        replicated = session.replicated_verdicts.get(variant) or []
        if len(replicated) > 1:
            meta[REPLICATED_KEY] = [v.to_json_dict(series=False) for v in replicated]
        data["meta"] = meta
        suffix = f" — {VARIANT_LABELS.get(variant, variant)}" if len(results) > 1 else ""
        out.append(SavedRun.create(design_id, data, experiment=session.experiment, label=f"{label}{suffix}"))
    return out


@dataclass
class RunGroup:
    """Saved runs shown as one entry: a single run, or the variants of one comparison."""

    id: str
    runs: list[SavedRun]

    @property
    def label(self) -> str:
        first = self.runs[0]
        if len(self.runs) == 1:
            return first.label
        return first.label.rsplit(" — ", 1)[0]

    @property
    def short_label(self) -> str:
        """The label without the design's name, which the project makes obvious."""
        parts = self.label.split(" · ")
        design = str(self.runs[0].data.get("meta", {}).get("design", ""))
        return " · ".join(parts[1:]) if len(parts) > 2 and parts[0] == design else self.label

    @property
    def created(self) -> datetime:
        return self.runs[0].created

    @property
    def experiment(self) -> str | None:
        return self.runs[0].experiment

    @property
    def design_id(self) -> uuid.UUID:
        return self.runs[0].design_id

    @property
    def variants(self) -> list[str]:
        return [_variant(r) for r in self.runs]

    def session(self) -> RunSession:
        """Rebuild the session from the saved data (no simulation)."""
        results: dict[str, RunResult] = {}
        table = None
        replications = 1
        for run in self.runs:
            result = RunResult.from_dict(run.data)
            results[_variant(run)] = result
            if TABLE_KEY in result.meta:
                table = result.meta[TABLE_KEY]
                replications = int(result.meta.get(REPLICATIONS_KEY, 1))
        try:
            group_id = uuid.UUID(self.id)
        except ValueError:
            group_id = None
        session = RunSession.from_results(results, table=table, replications=replications, group_id=group_id)
        session.saved = True
        for result in results.values():
            result.meta[KEPT_AS_KEY] = self.label
            result.meta[KEPT_AT_KEY] = self.created.isoformat()
        for variant, result in results.items():
            try:
                verdicts = [RunVerdicts.from_json_dict(d) for d in result.meta.get(REPLICATED_KEY) or []]
            except (KeyError, TypeError, ValueError):
                continue  # a file from before, or mangled: the rows say they show the first replication
            if len(verdicts) > 1:
                session.replicated_verdicts[variant] = verdicts
        return session


def kept_name(session: RunSession) -> str | None:
    """The name a reopened kept run was given in the Runs panel, when it says more than the
    session's own title (a run kept and never renamed is called by that title)."""
    label = _first_meta(session).get(KEPT_AS_KEY)
    if not label or str(label) == session.title():
        return None
    return str(label)


def kept_when(session: RunSession) -> datetime | None:
    """When a reopened kept run was kept, in UTC; None for a run not reopened from the project."""
    try:
        return datetime.fromisoformat(str(_first_meta(session)[KEPT_AT_KEY]))
    except (KeyError, ValueError):
        return None


def design_run(session: RunSession) -> Design | None:
    """The design a reopened kept run was run with, when it was kept with it (runs kept before
    this was stored, and files whose copy no longer reads as a design, have none)."""
    data = _first_meta(session).get(DESIGN_KEY)
    if not isinstance(data, dict):
        return None
    try:
        return Design.model_validate(data)
    except ValidationError:
        return None


def design_of(session: RunSession, designs: Iterable[Design]) -> Design | None:
    """The project's design a run was of: by the id the run recorded, so that one renamed since
    is found, else by name (results kept before ids were recorded)."""
    designs = list(designs)
    ids = {str(r.meta.get("design_id")) for r in session.results().values()}
    return (next((d for d in designs if str(d.id) in ids), None)
            or next((d for d in designs if d.name == session.design_name), None))


def _first_meta(session: RunSession) -> dict[str, Any]:
    # Read through the variants' data, which a session always has (a run still going has no
    # results yet, and stand-ins of a session in benchmarks have only the data).
    for data in session.variants.values():
        result = getattr(data, "result", None)
        if result is not None:
            return result.meta
    return {}


def _variant(run: SavedRun) -> str:
    meta: dict[str, Any] = run.data.get("meta", {})
    variant = meta.get(VARIANT_KEY)
    if variant:
        return str(variant)
    options = meta.get("options", {})
    return "protected" if options.get("resilience", True) else "unprotected"


def group_runs(runs: Iterable[SavedRun]) -> list[RunGroup]:
    """Group the project's saved runs, newest first; runs saved elsewhere stand alone."""
    groups: dict[str, RunGroup] = {}
    for run in runs:
        key = str(run.data.get("meta", {}).get(GROUP_KEY) or run.id)
        groups.setdefault(key, RunGroup(key, [])).runs.append(run)
    for group in groups.values():
        group.runs.sort(key=lambda r: VARIANT_ORDER.index(_variant(r)) if _variant(r) in VARIANT_ORDER else 99)
    # Newest first; of two kept within the same second (times are kept to the second), the later.
    order = {key: i for i, key in enumerate(groups)}
    return sorted(groups.values(), key=lambda g: (g.created, order[g.id]), reverse=True)

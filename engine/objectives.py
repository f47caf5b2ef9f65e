"""Verdicts: objectives met or missed, error budgets, and recovery after each fault.

Pure functions of a run's results (``RunResult``): the command line, the window and
sweeps read the same code. Definitions (see ``engine.model.objectives``):

- **attainment**: good requests / judged requests. For an availability objective every
  completed request is judged; for a latency objective the answered ones (refusals are
  left out, as from every latency percentile). A bucket in which the client sent
  requests but none completed has attainment 0 (the journey is stalled); a bucket with
  neither has none (nan) and is neutral.
- **met**: attainment over the measured run (after the warm-up) >= the objective's target.
- **error budget consumed**: (1 - attainment) / (1 - target); 1 spends exactly the budget.
  The **burn rate** of a bucket is the same ratio for that bucket alone (SRE practice).
- **per fault window** (from the run's ``fault_started`` / ``fault_ended`` events):
  the *pre-fault level* is the attainment of the measured buckets that end before the
  fault starts, less those an earlier fault disturbed (from its start until the journey
  recovered from it, or the run's end), and is the target when there are none. *Time to
  impact*: from the fault's start to the start of the first bucket, from the one holding
  the start on, whose attainment is below the target — or, for an objective already
  *missed before the fault*, below the pre-fault level less the tolerance, so that a
  fault which changed nothing does not read as an impact at its first instant. *Time to
  recover*: from the fault's end to the start of the first bucket, among those starting
  at or after the end, that begins ``hold`` seconds of buckets whose attainment together
  is within ``tolerance`` of the pre-fault level, none of them stalled, and is within it
  itself; if the run ends first, the journey *did not recover by the end of the run* — a metastable failure when the
  trigger is long gone. *Peak impact* is the lowest bucket attainment from the fault's
  start to recovery (or the end); *requests lost* is the bad requests of that span beyond
  the pre-fault share (judged x level - good).
  Times have the resolution of the metric bucket.
- **across replications**: the share of replications meeting each objective with a
  Wilson 95 % interval; attainment, time to impact, time to recover and requests lost as
  means with Student t 95 % intervals (times over the replications where they exist).
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .grid import BucketGrid
from .model.objectives import OBJECTIVE_CLASSES, RecoverySettings
from .model.outcomes import ANSWERED_OUTCOMES
from .model.outcomes import OUTCOME_NAMES as COMPLETED_OUTCOMES
from .stats import mean_ci, wilson_interval

if TYPE_CHECKING:
    from .results import RunResult

# Counters the engine keeps per objective and bucket: requests that ended ok / fallback /
# answered at all (any outcome but a refusal) no slower than the objective's threshold.
WITHIN_COUNTERS = ("ok_within", "fallback_within", "served_within")
NOT_RECOVERED = "did not recover by the end of the run"


@dataclass(frozen=True)
class ObjectiveVerdict:
    """One objective of one client over one run."""

    client: str
    index: int                  # position in the client's objectives
    objective_id: str
    kind: str
    label: str                  # "p99 <= 500 ms", "availability 99.9 % (ok)"
    target: float               # the share of good requests that meets it
    good: float
    judged: float
    attainment: float           # good / judged over the measured run (nan without requests)
    met: bool
    budget_consumed: float      # (1 - attainment) / (1 - target)
    measured: float | None      # a latency objective's percentile over the run (s); None otherwise
    attainment_series: np.ndarray = field(repr=False, compare=False)
    burn_rate: np.ndarray = field(repr=False, compare=False)

    @property
    def key(self) -> tuple[str, int]:
        return self.client, self.index

    def to_json_dict(self) -> dict[str, Any]:
        data = {k: v for k, v in asdict(self).items() if k not in ("attainment_series", "burn_rate")}
        data["attainment"] = _finite(self.attainment)
        data["budget_consumed"] = _finite(self.budget_consumed)
        data["measured"] = _finite(self.measured)
        data["attainment_series"] = [_finite(v) for v in self.attainment_series]
        data["burn_rate"] = [_finite(v) for v in self.burn_rate]
        return data


@dataclass(frozen=True)
class RecoveryVerdict:
    """How one objective of one client fared through one fault window."""

    client: str
    index: int
    label: str
    fault_id: str | None
    fault_title: str
    fault_start: float
    fault_end: float | None     # None: the fault lasts until the end of the run
    pre_fault_attainment: float
    breached: bool
    time_to_impact: float | None
    recovered: bool | None      # None when the fault never ends
    time_to_recover: float | None
    worst_attainment: float
    peak_burn_rate: float
    requests_lost: float
    verdict: str
    # the pre-fault level was already below the target (False in files kept before it was noted)
    missed_before: bool = False

    @property
    def key(self) -> tuple[str, int, str | None]:
        return self.client, self.index, self.fault_id

    def to_json_dict(self) -> dict[str, Any]:
        return {k: (_finite(v) if isinstance(v, float) else v) for k, v in asdict(self).items()}


@dataclass
class RunVerdicts:
    """Every objective's verdict, and every (objective, fault window) recovery, of one run."""

    objectives: list[ObjectiveVerdict]
    recovery: list[RecoveryVerdict]

    @property
    def all_met(self) -> bool:
        return all(v.met for v in self.objectives)

    def to_json_dict(self, series: bool = True) -> dict[str, Any]:
        """As JSON; without the per-bucket ``series`` when only the verdicts are wanted (a kept
        comparison's replications, whose figures are all its verdict rows read)."""
        slo = [v.to_json_dict() for v in self.objectives]
        if not series:
            slo = [{k: v for k, v in d.items() if k not in _SERIES} for d in slo]
        return {"slo": slo, "recovery": [r.to_json_dict() for r in self.recovery]}

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> RunVerdicts:
        """``to_json_dict``'s output read back (series left out come back empty); raises
        KeyError, TypeError or ValueError on anything else."""
        objectives = []
        for d in data["slo"]:
            fields = {k: v for k, v in d.items() if k not in _SERIES}
            for k in ("target", "good", "judged", "attainment", "budget_consumed"):
                fields[k] = _number(fields[k])
            fields.update({k: np.array([_number(v) for v in d.get(k, [])], dtype=float) for k in _SERIES})
            objectives.append(ObjectiveVerdict(**fields))
        recovery = []
        for d in data["recovery"]:
            fields = dict(d)
            for k in ("pre_fault_attainment", "worst_attainment", "peak_burn_rate", "requests_lost"):
                fields[k] = _number(fields[k])
            recovery.append(RecoveryVerdict(**fields))
        return cls(objectives, recovery)


_SERIES = ("attainment_series", "burn_rate")


@dataclass(frozen=True)
class ReplicatedObjective:
    """One objective across replications: how often it was met, and its attainment."""

    client: str
    index: int
    label: str
    target: float
    replications: int
    met: int
    share_met: float
    share_met_low: float        # Wilson 95 % interval
    share_met_high: float
    attainment: float
    attainment_ci: float        # Student t 95 % half-width (nan with one replication)
    measured: float | None = None     # a latency objective's percentile, mean over replications
    measured_ci: float | None = None

    def to_json_dict(self) -> dict[str, Any]:
        return {k: (_finite(v) if isinstance(v, float) else v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class ReplicatedRecovery:
    """One (objective, fault window) across replications."""

    client: str
    index: int
    label: str
    fault_id: str | None
    fault_title: str
    replications: int
    recovered: int              # replications that recovered (0 when the fault never ends)
    share_recovered: float
    share_recovered_low: float
    share_recovered_high: float
    time_to_recover: float      # mean over the replications that recovered
    time_to_recover_ci: float
    time_to_impact: float       # mean over the replications that were breached
    time_to_impact_ci: float
    requests_lost: float
    requests_lost_ci: float
    fault_ends: bool
    missed_before: int = 0      # replications whose objective missed its target before the fault too
    # The quickest and slowest of those recoveries: a time to recover is whole buckets and never
    # negative, so over a few runs (0, 0, 0 and 1 s) mean ± t reads "250 ms ± 796 ms".
    time_to_recover_least: float = math.nan
    time_to_recover_most: float = math.nan

    def to_json_dict(self) -> dict[str, Any]:
        return {k: (_finite(v) if isinstance(v, float) else v) for k, v in asdict(self).items()}


# ---------------------------------------------------------------- one run
def evaluate(result: RunResult, recovery: RecoverySettings | None = None) -> RunVerdicts:
    """Judge every objective of every client in ``result``, and its recovery after each fault.

    ``recovery`` overrides every client's own recovery settings for this evaluation.
    """
    specs = result.meta.get("objectives") or []
    if not specs or result.objective_series is None:
        return RunVerdicts([], [])
    options = result.meta["options"]
    width = BucketGrid.of_meta(result.meta).width
    duration = float(options["duration"])
    warmup = float(options["warmup"])
    times = np.asarray(result.bucket_times, dtype=np.float64)
    windows = fault_windows(result)
    verdicts, recoveries = [], []
    for j, spec in enumerate(specs):
        objective = OBJECTIVE_CLASSES[spec["objective"]["kind"]].model_validate(spec["objective"])
        settings = recovery or RecoverySettings.model_validate(spec.get("recovery") or {})
        client = spec["client"]
        counts = bucket_counts(result, j, objective)
        totals = result.summary["objectives"][j]
        outcomes = result.summary["components"][client]["outcomes"]
        good, judged = _good_and_judged(objective, outcomes, totals)
        target = objective.good_share_target
        attainment = good / judged if judged > 0 else math.nan
        series = counts.attainment()
        verdict = ObjectiveVerdict(
            client=client, index=int(spec["index"]), objective_id=str(objective.id), kind=objective.kind,
            label=objective.describe(), target=target, good=float(good), judged=float(judged),
            attainment=attainment, met=bool(judged > 0 and attainment >= target),
            budget_consumed=burn_rate(attainment, target), measured=totals.get("percentile"),
            attainment_series=series,
            burn_rate=burn_rate(series, target),
        )
        verdicts.append(verdict)
        # buckets an earlier fault disturbed, from its start to this objective's recovery from it
        # (or the run's end): a later fault's pre-fault level is the journey's, not that damage's
        disturbed = np.zeros(len(times), dtype=bool)
        ends = times + width
        for fault_id, title, start, end in windows:
            r = recovery_through(verdict, counts, times, width, duration, warmup, fault_id, title, start, end,
                                 settings, disturbed)
            recoveries.append(r)
            back = end + r.time_to_recover if end is not None and r.recovered and r.time_to_recover is not None \
                else duration
            disturbed |= (ends > start + 1e-9) & (times < back - 1e-9)
    return RunVerdicts(verdicts, recoveries)


@dataclass(frozen=True)
class BucketCounts:
    """One objective's requests per bucket: good and judged ones, arrivals, and completions
    of any outcome."""

    good: np.ndarray
    judged: np.ndarray
    arrivals: np.ndarray
    completed: np.ndarray

    @classmethod
    def of(cls, good, judged, arrivals, completed=None) -> BucketCounts:
        """Counts from plain sequences; ``completed`` defaults to ``judged``."""
        good, judged, arrivals = (np.asarray(x, dtype=np.float64) for x in (good, judged, arrivals))
        completed = judged if completed is None else np.asarray(completed, dtype=np.float64)
        return cls(good, judged, arrivals, completed)

    def attainment(self) -> np.ndarray:
        """Per-bucket attainment: good / judged; 0 where requests arrived but nothing at all
        completed (a stalled journey); nan where nothing was judged otherwise (neutral)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(self.judged > 0, self.good / np.where(self.judged > 0, self.judged, 1.0), np.nan)
        return np.where((self.completed <= 0) & (self.arrivals > 0), 0.0, share)


def bucket_counts(result: RunResult, j: int, objective) -> BucketCounts:
    """Per-bucket counts of the ``j``-th objective of ``result``."""
    client = result.meta["objectives"][j]["client"]
    outcomes = {o: result.column(o, client) for o in COMPLETED_OUTCOMES}
    series = result.objective_series
    assert series is not None  # a run of a design with objectives records their series
    within = {name: series[name][:, j] for name in WITHIN_COUNTERS}
    good, judged = _good_and_judged(objective, outcomes, within)
    completed = sum(outcomes.values())
    arrivals = result.column("arrivals", client)
    return BucketCounts.of(good, judged, arrivals, completed)


def burn_rate(attainment, target: float):
    """Error-budget burn: the bad share over the allowed bad share, (1 - a) / (1 - target)."""
    bad = 1.0 - (np.asarray(attainment, dtype=np.float64) if np.ndim(attainment) else attainment)
    return bad / (1.0 - target)


def fault_windows(result: RunResult) -> list[tuple[str | None, str, float, float | None]]:
    """(fault id, title, start, end or None) of every fault activation in the run, in time order."""
    titles = {f["id"]: f["title"] for f in result.meta.get("faults", [])}
    open_at: dict[Any, list[float]] = {}
    windows: list[tuple[str | None, str, float, float | None]] = []
    for e in result.events:
        if e["kind"] == "fault_started":
            open_at.setdefault(e["fault_id"], []).append(float(e["time"]))
        elif e["kind"] == "fault_ended" and open_at.get(e["fault_id"]):
            start = open_at[e["fault_id"]].pop(0)
            windows.append((e["fault_id"], titles.get(e["fault_id"], "fault"), start, float(e["time"])))
    for fid, starts in open_at.items():
        windows += [(fid, titles.get(fid, "fault"), s, None) for s in starts]
    # a fault held "until the end" is ended by the run's end, which is no recovery point
    duration = float(result.meta["options"]["duration"])
    windows = [(f, t, s, None if e is None or e >= duration - 1e-9 * max(1.0, duration) else e)
               for f, t, s, e in windows]
    return sorted(windows, key=lambda w: (w[2], str(w[0])))


def recovery_through(verdict: ObjectiveVerdict, counts: BucketCounts, times: np.ndarray, width: float,
                     duration: float, warmup: float, fault_id: str | None, title: str, start: float,
                     end: float | None, settings: RecoverySettings,
                     disturbed: np.ndarray | None = None) -> RecoveryVerdict:
    """Impact and recovery of one objective through one fault window (see the module notes);
    ``disturbed`` buckets (earlier faults' until recovered from) stay out of the pre-fault level."""
    times = np.asarray(times, dtype=np.float64)
    good, judged = counts.good, counts.judged
    target = verdict.target
    att = counts.attainment()
    ends = np.minimum(times + width, duration)
    eps = 1e-9 * max(1.0, duration)
    before = (times >= warmup - eps) & (ends <= start + eps)
    if disturbed is not None:
        before &= ~disturbed
    pre_judged = judged[before].sum()
    pre = float(good[before].sum() / pre_judged) if pre_judged > 0 else target

    first = int(np.searchsorted(ends, start + eps, side="right"))   # the bucket holding the start
    missed_before = bool(pre_judged > 0 and pre < target)
    level = pre - settings.tolerance - 1e-12
    recovered, ttr, stop = None, None, len(times)
    if end is not None:
        hold = max(1, math.ceil(settings.hold / width - 1e-9))
        b = int(np.searchsorted(times, end - eps, side="left"))
        back = np.nonzero(_windows_back(counts, att, level, hold)[b:])[0]
        recovered = bool(len(back))
        if recovered:
            stop = b + int(back[0])
            ttr = max(0.0, float(times[stop]) - end)
    span = slice(first, max(first, stop))
    span_att = att[span]
    breach = np.nonzero(np.nan_to_num(span_att, nan=1.0) < (level if missed_before else target))[0]
    tti = max(0.0, float(times[first + breach[0]]) - start) if len(breach) else None
    worst = float(np.nanmin(span_att)) if np.any(~np.isnan(span_att)) else math.nan
    lost = max(0.0, float((judged[span] * pre - good[span]).sum()))
    if end is None:
        text = "fault lasts until the end of the run"
    elif recovered:
        text = f"recovered in {ttr:g} s"
    else:
        text = NOT_RECOVERED
    if tti is None and end is not None and recovered:
        text = "not impacted" if ttr == 0 else text
    if missed_before:
        text += "; missed before the fault too"
    return RecoveryVerdict(
        client=verdict.client, index=verdict.index, label=verdict.label, fault_id=fault_id,
        fault_title=title, fault_start=start, fault_end=end, pre_fault_attainment=pre,
        breached=tti is not None, time_to_impact=tti, recovered=recovered, time_to_recover=ttr,
        worst_attainment=worst, peak_burn_rate=float(burn_rate(worst, target)) if not math.isnan(worst) else math.nan,
        requests_lost=lost, verdict=text, missed_before=missed_before,
    )


def _windows_back(counts: BucketCounts, att: np.ndarray, level: float, hold: int) -> np.ndarray:
    """For each bucket k, whether the ``hold`` buckets from k on (all inside the run) are back at
    ``level``: together, none of them stalled, and bucket k itself too (so that recovery is not
    dated to a bucket still below). Judged together, not each alone: a bucket holds a few hundred
    requests, so one slow request more moves it by a share the tolerance is not meant to absorb,
    and a journey as steady as before its fault would rarely count as back for ten buckets in a row."""
    n = len(att)
    ok = np.zeros(n, dtype=bool)
    if n < hold:
        return ok
    good, judged = (np.concatenate(([0.0], np.cumsum(x))) for x in (counts.good, counts.judged))
    stalled = np.concatenate(([0], np.cumsum((counts.completed <= 0) & (counts.arrivals > 0))))
    g, j = good[hold:] - good[:-hold], judged[hold:] - judged[:-hold]
    with np.errstate(invalid="ignore", divide="ignore"):
        together = (j <= 0) | (g / np.where(j > 0, j, 1.0) >= level)
    first = att[: n - hold + 1]
    ok[: n - hold + 1] = together & (stalled[hold:] == stalled[:-hold]) & (np.isnan(first) | (first >= level))
    return ok


# ---------------------------------------------------------------- replications
def across_replications(runs: Sequence[RunVerdicts]) -> tuple[list[ReplicatedObjective], list[ReplicatedRecovery]]:
    """Share of replications meeting each objective (Wilson 95 %), recovery figures as means (t 95 %)."""
    objectives: list[ReplicatedObjective] = []
    by_key: dict[tuple, list[ObjectiveVerdict]] = {}
    for run in runs:
        for v in run.objectives:
            by_key.setdefault(v.key, []).append(v)
    for (client, index), vs in by_key.items():
        n, met = len(vs), sum(v.met for v in vs)
        low, high = wilson_interval(met, n)
        att, att_ci = mean_ci([v.attainment for v in vs if not math.isnan(v.attainment)])
        measured = [v.measured for v in vs if v.measured is not None]
        pn, pn_ci = mean_ci(measured) if measured else (None, None)
        objectives.append(ReplicatedObjective(client, index, vs[0].label, vs[0].target, n, met, met / n, low, high,
                                              att, att_ci, pn, pn_ci))
    recoveries: list[ReplicatedRecovery] = []
    by_window: dict[tuple, list[RecoveryVerdict]] = {}
    for run in runs:
        seen: dict[tuple, int] = {}
        for r in run.recovery:
            # the k-th activation of a fault in one run matches the k-th in another
            k = seen[r.key] = seen.get(r.key, -1) + 1
            by_window.setdefault((*r.key, k), []).append(r)
    for (client, index, fault_id, _), rs in by_window.items():
        n = len(rs)
        recovered = sum(1 for r in rs if r.recovered)
        low, high = wilson_interval(recovered, n)
        times = [r.time_to_recover for r in rs if r.time_to_recover is not None]
        ttr, ttr_ci = mean_ci(times)
        tti, tti_ci = mean_ci([r.time_to_impact for r in rs if r.time_to_impact is not None])
        lost, lost_ci = mean_ci([r.requests_lost for r in rs])
        recoveries.append(ReplicatedRecovery(
            client, index, rs[0].label, fault_id, rs[0].fault_title, n, recovered, recovered / n, low, high,
            ttr, ttr_ci, tti, tti_ci, lost, lost_ci, fault_ends=any(r.fault_end is not None for r in rs),
            missed_before=sum(1 for r in rs if r.missed_before),
            time_to_recover_least=min(times, default=math.nan), time_to_recover_most=max(times, default=math.nan),
        ))
    return objectives, recoveries


# ---------------------------------------------------------------- helpers
def _good_and_judged(objective, outcomes, within):
    """Good and judged request counts (scalars or per-bucket arrays) for one objective."""
    if objective.kind == "latency":
        return within["served_within"], sum(outcomes[o] for o in ANSWERED_OUTCOMES)
    if objective.latency_threshold is None:
        good = outcomes["ok"] + (outcomes["fallback"] if objective.count_fallback else 0)
    else:
        good = within["ok_within"] + (within["fallback_within"] if objective.count_fallback else 0)
    return good, sum(outcomes[o] for o in COMPLETED_OUTCOMES)


def _number(value) -> float:
    """A figure ``_finite`` wrote: null back to nan."""
    return math.nan if value is None else float(value)


def _finite(value):
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


__all__ = [
    "NOT_RECOVERED", "ObjectiveVerdict", "RecoveryVerdict", "ReplicatedObjective", "ReplicatedRecovery",
    "BucketCounts", "RunVerdicts", "across_replications", "bucket_counts", "burn_rate", "evaluate", "fault_windows",
    "recovery_through",
]

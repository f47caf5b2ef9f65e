"""Verdicts of a run as the window shows them: objectives met or missed, recovery after each fault.

Qt-free. The judging itself is ``engine.objectives`` (the command line reads the
same code); this module picks the results of a session's variants (the live
buffers while a run goes), and words the verdicts for the banner, the comparison
table and the report.
"""
from __future__ import annotations

import html
import math
import weakref
from dataclasses import dataclass, field
from typing import Any

from engine import RunResult
from engine.grid import BucketGrid
from engine.objectives import (
    NOT_RECOVERED,
    ObjectiveVerdict,
    RecoveryVerdict,
    ReplicatedRecovery,
    RunVerdicts,
    across_replications,
    evaluate,
)

from .formatting import format_time, format_value
from .session import RUNNING, STOPPED, VARIANT_LABELS, RunSession, VariantData

MET, MISSED, PENDING, MIXED = "met", "missed", "pending", "mixed"  # mixed: met in some replications only
SYMBOLS = {MET: "✔", MISSED: "✘", PENDING: "…", MIXED: "◐"}
COLOURS = {MET: "#2e9d4f", MISSED: "#d3362d", PENDING: "#8a6d00", MIXED: "#b06f00"}
# The same meanings lighter, to read on a dark background.
DARK_COLOURS = {MET: "#5fd07f", MISSED: "#ff7a70", PENDING: "#f0c545", MIXED: "#f0a040"}

# (rows, finished) of the buffers last judged, and the verdicts: judging again only when they changed.
_CACHE: weakref.WeakKeyDictionary[VariantData, tuple[tuple[int, bool], RunVerdicts]] = weakref.WeakKeyDictionary()


def result_so_far(data: VariantData, grid: BucketGrid) -> RunResult | None:
    """The variant's results: the final ones, or while running a view of the buffers received so far."""
    if data.result is not None:
        return data.result
    if not data.meta or data.n == 0:
        return None
    n = data.n
    return RunResult(
        meta=data.meta, components=data.components, links=data.links,
        bucket_times=grid.starts(n),
        series={k: v[:n] for k, v in data.series.items()},
        link_series={k: v[:n] for k, v in data.link_series.items()},
        summary=data.summary, events=data.events,
        objective_series={k: v[:n] for k, v in data.objective_series.items()},
    )


def verdicts_of(session: RunSession, variant: str | None = None) -> RunVerdicts | None:
    """The verdicts of one variant (the primary by default) as far as the run has gone; None before data."""
    data = session.variants.get(variant or session.primary)
    if data is None:
        return None
    key = (data.n, data.result is not None)
    cached = _CACHE.get(data)
    if cached is not None and cached[0] == key:
        return cached[1]
    result = result_so_far(data, session.grid)
    if result is None:
        return None
    verdicts = evaluate(result)
    _CACHE[data] = (key, verdicts)
    return verdicts


def objective_specs(session: RunSession) -> list[dict[str, Any]]:
    """Every judged objective of the run (client, index, objective data), known from the first frame on."""
    data = session.variants.get(session.primary)
    if data is None:
        return []
    meta = data.result.meta if data.result is not None else data.meta
    return list(meta.get("objectives") or [])


def objectives_changed(session: RunSession, design) -> bool:
    """Whether ``design``'s objectives are no longer those the run was judged against (edited,
    added or removed since): its verdicts then answer a question nobody is asking any more."""
    judged = [s["objective"] for s in objective_specs(session)]
    # by the objectives alone (each with its id): a client renamed since has the same ones
    now = [o.model_dump(mode="json") for c in design.components for o in getattr(c, "objectives", None) or []]
    return judged != now


def undecided(session: RunSession) -> bool:
    """Whether the run may still change its verdicts: running, or stopped before its end (a miss so
    far is not a miss, and a journey not yet recovered might have)."""
    return session.status in (RUNNING, STOPPED)


# -- wording -----------------------------------------------------------------------
def label(text: str) -> str:
    """An objective's one-line description as shown: ``p99 ≤ 500 ms``."""
    return text.replace("<=", "≤")


def percent(share: float, target: float | None = None) -> str:
    """An attainment as a percentage, with the digits that tell 99.9 from 99.95 but never round up to 100,
    nor across ``target``: 94.96 % of a 95 % objective read "✘ 95.0 %", a miss at the very figure asked."""
    if share is None or not math.isfinite(share):
        return "–"
    value = share * 100
    if value >= 100:
        return "100 %"
    digits = 2 if value >= 99 else 1
    while digits < 6 and (round(value, digits) >= 100 or _crosses(value, target, digits)):
        digits += 1
    return f"{value:.{digits}f} %"


def _crosses(value: float, target: float | None, digits: int) -> bool:
    """Whether ``value`` (a percentage) rounded to ``digits`` lands on the other side of ``target`` (a share)."""
    if target is None:
        return False
    bound = target * 100
    return (value < bound) != (round(value, digits) < bound)


def budget_text(budget: float) -> str:
    """The share of the error budget spent: ``45 % of budget``, ``8.9× budget``; never "100 %" for a
    budget overspent by a hair (the objective missed) nor for one a hair short of it (met). From
    twice the budget on, a factor, as the burn plot's axis says it: "886 % of budget" beside
    "12× budget" in one line read as two scales."""
    if budget >= 2:
        return f"{budget:.2g}× budget" if budget < 10 else f"{budget:.0f}× budget"
    value, digits = budget * 100, 0
    while digits < 4 and (value > 100) != (round(value, digits) > 100):
        digits += 1
    return f"{value:.{digits}f} % of budget"


def objective_state(v: ObjectiveVerdict, running: bool) -> str:
    """Met or missed; while running, a miss is still pending (the rest of the run may make up for it)."""
    if v.judged <= 0:
        return PENDING
    if v.met:
        return MET
    return PENDING if running else MISSED


def objective_text(v: ObjectiveVerdict) -> str:
    """``99.95 %, 45 % of budget``: attainment and the share of the error budget it spent; a latency
    objective also gives the percentile it bounds (``p99 320 ms``)."""
    if v.judged <= 0:
        return "no requests judged yet"
    spent = budget_text(v.budget_consumed)
    if _latency_measured(v) is not None:
        return f"{objective_figure(v)}, {percent(v.attainment, v.target)} within, {spent}"
    return f"{objective_figure(v)}, {spent}"


def objective_figure(v: ObjectiveVerdict) -> str:
    """The one figure an objective is judged by, for a cell with room for little else: the
    percentile a latency objective bounds (``p99 320 ms``), otherwise the attainment."""
    if v.judged <= 0:
        return "not judged yet"
    measured = _latency_measured(v)
    if measured is not None:
        # Three significant figures, as the comparison's figures beside it: "p99 88.0 ms", not "88 ms".
        return f"{_percentile_name(v.label)} {format_value('latency_p99', measured)}"
    return percent(v.attainment, v.target)


def _latency_measured(v: ObjectiveVerdict) -> float | None:
    """The percentile a latency objective bounds, where the run measured one."""
    if v.kind == "latency" and v.measured is not None and math.isfinite(v.measured):
        return v.measured
    return None


def _percentile_name(objective_label: str) -> str:
    """'p99 <= 500 ms' -> 'p99'."""
    return objective_label.split(" ", 1)[0]


def recovery_state(r: RecoveryVerdict, running: bool) -> str:
    """Recovered (met), not recovered (missed), or pending while the fault or the run goes on."""
    if r.recovered:
        return MET
    if r.fault_end is None:
        return PENDING if running else (MISSED if r.breached else MET)
    return PENDING if running else MISSED


def recovery_text(r: RecoveryVerdict, running: bool, target: float | None = None) -> str:
    """What happened to one objective through one fault, in the engine's words where it has them.

    Recovery is a return to the level before the fault; where that level already missed the
    objective, "recovered" alone read as if the objective were met again."""
    text = _recovery_words(r, running)
    if r.missed_before:
        text += f"; missed before the fault too ({percent(r.pre_fault_attainment, target)})"
    return text


def _recovery_words(r: RecoveryVerdict, running: bool) -> str:
    if r.fault_end is None:
        if running:
            return "fault active"
        return ("breached while the fault lasted" if r.breached else "held while the fault lasted") + \
            " (it lasts until the end of the run)"
    if r.recovered:
        if not r.breached:
            return "not impacted"
        if not r.time_to_recover:
            # breached while the fault lasted, back as it ended: "recovered in 0.0 s" read as if untouched
            return "recovered as the fault ended"
        return f"recovered in {format_time(r.time_to_recover)}"
    if running:
        return "not recovered yet"
    return NOT_RECOVERED


def recovery_span(r: ReplicatedRecovery) -> str:
    """How long the runs that recovered took: one time, or the quickest to the slowest (a time to
    recover is whole buckets, so a mean over a few runs alone, 250 ms of 0, 0, 0 and 1 s, reads as
    a time no run took)."""
    if r.time_to_recover_most > r.time_to_recover_least:
        return f"{format_time(r.time_to_recover_least)} to {format_time(r.time_to_recover_most)}"
    return format_time(r.time_to_recover)


def recovery_word(r: RecoveryVerdict, running: bool) -> str:
    """``recovery_text`` in a few words, for a narrow cell (the table's tooltip has the whole text)."""
    if r.fault_end is None and not running:
        return "breached" if r.breached else "held"
    if r.fault_end is not None and not r.recovered and not running:
        return "not recovered"
    if r.fault_end is not None and r.recovered and r.breached and not r.time_to_recover:
        return "back as it ended"
    return _recovery_words(r, running)


def fault_span(r: RecoveryVerdict) -> str:
    # No end: the fault held to the end of the run, or had not ended when the run was stopped;
    # "60.0 s–end" read as the fault's own window in a run stopped at 72 s of one lasting 60-90 s.
    # a time never split from its unit where the span wraps ("10.0" / "s–20.0 s")
    if r.fault_end is None:
        return f"{r.fault_title} from {_unbroken(format_time(r.fault_start))}"
    return f"{r.fault_title} {_unbroken(format_time(r.fault_start))}–{_unbroken(format_time(r.fault_end))}"


def _unbroken(text: str) -> str:
    return text.replace(" ", "\u00a0")


@dataclass(frozen=True)
class Headline:
    """The banner's first line: one state for the whole run, and why."""

    state: str
    text: str


def headline(session: RunSession) -> Headline | None:
    """The run's verdict in one line (None when no client has objectives).

    Its state is the primary run's; a comparison says how every variant fared.
    """
    verdicts = verdicts_of(session)
    if verdicts is None:
        return Headline(PENDING, "Judging objectives as the run goes…") if objective_specs(session) else None
    if not verdicts.objectives:
        return None
    state, text = _summary(session, verdicts, session.primary)
    if session.status == STOPPED:
        data = session.variants.get(session.primary)
        text = f"run stopped at {format_time(data.now if data else 0.0)}, {text}"
    if session.is_comparison:
        parts = [f"{VARIANT_LABELS.get(session.primary, session.primary)}: {text}"]
        for variant in session.variant_names[1:]:
            other = verdicts_of(session, variant)
            if other is not None and other.objectives:
                parts.append(f"{VARIANT_LABELS.get(variant, variant)}: {_summary(session, other, variant)[1]}")
        text = " · ".join(parts)
    if session.replications > 1 and not session.replicated_verdicts and not undecided(session):
        text += " (first replication)"  # a comparison kept before its replications were: as the rows say
    return Headline(state, text[0].upper() + text[1:])


def _summary(session: RunSession, verdicts: RunVerdicts, variant: str) -> tuple[str, str]:
    """One variant's state and words: objectives met or missed, recovered or not; of every
    replication when there are several (the rows below count them so: the headline must agree)."""
    running = undecided(session)
    runs = session.replicated_verdicts.get(variant) or []
    if len(runs) > 1 and not running:
        return _replicated_summary(*across_replications(runs), len(runs))
    states = [objective_state(v, running) for v in verdicts.objectives]
    missed = states.count(MISSED)
    not_recovered = [r for r in verdicts.recovery if recovery_state(r, running) == MISSED and r.fault_end is not None]
    parts = []
    n = len(states)
    if running:
        met = states.count(MET)
        parts.append(f"so far {met} of {n} objective{'s' if n != 1 else ''} on target")
    elif missed:
        parts.append(f"{missed} of {n} objective{'s' if n != 1 else ''} missed")
    else:
        parts.append("every objective met" if n > 1 else "objective met")
    faults = {(r.fault_id, r.fault_start) for r in verdicts.recovery if r.fault_end is not None}
    if not_recovered:
        titles = list(dict.fromkeys(r.fault_title for r in not_recovered))
        parts.append(f"did not recover after {', '.join(titles)}")
    elif faults and not running:
        parts.append("recovered after every fault" if len(faults) > 1 else "recovered after the fault")
    state = PENDING if running else (MISSED if missed or not_recovered else MET)
    return state, "; ".join(parts)


def _replicated_summary(objectives: list, recoveries: list, runs: int) -> tuple[str, str]:
    """``_summary`` over ``runs`` replications: how many objectives held in every one, and
    after which faults every run recovered."""
    n = len(objectives)
    always = sum(1 for o in objectives if o.met == o.replications)
    never = sum(1 for o in objectives if o.met == 0)
    if always == n:
        parts = [f"{'every objective' if n > 1 else 'objective'} met in all {runs} runs"]
    else:
        parts = [f"{always} of {n} objective{'s' if n != 1 else ''} met in all {runs} runs"]
    ended = [r for r in recoveries if r.fault_ends]
    shaky = [r for r in ended if r.recovered < r.replications]
    if shaky:
        titles = ", ".join(dict.fromkeys(r.fault_title for r in shaky))
        fewest = min(r.recovered for r in shaky)
        parts.append(f"recovered after {titles} in {fewest} of {runs} runs" if fewest
                     else f"did not recover after {titles} in any run")
    elif ended:
        parts.append("recovered after every fault in every run" if len({r.fault_id for r in ended}) > 1
                     else "recovered after the fault in every run")
    state = MET if always == n and not shaky else MISSED if never == n else MIXED
    return state, "; ".join(parts)


@dataclass(frozen=True)
class RecoveryMark:
    """Where one run's journey recovered after one fault activation, judged over all its objectives."""

    fault_id: str | None
    fault_start: float
    time: float                 # when attainment was back (or the fault's end, when it never was)
    state: str
    breached: bool
    short: str                  # "recovered +2.0 s", for a plot label
    text: str                   # the engine's sentence, for tooltips and lists


def recovery_marks(verdicts: RunVerdicts, running: bool) -> list[RecoveryMark]:
    """One mark per fault activation that ended: the slowest objective's recovery, or its failure to.

    While a run goes, failures are not marked yet: the rest of the run may still bring recovery.
    """
    # each verdict beside its fault's end, kept here where it is known to be set
    windows: dict[tuple, list[tuple[float, RecoveryVerdict]]] = {}
    for r in verdicts.recovery:
        if r.fault_end is not None:
            windows.setdefault((r.fault_id, r.fault_start), []).append((r.fault_end, r))
    marks = []
    for (fault_id, start), ended in windows.items():
        breached = any(r.breached for _, r in ended)
        failed = next(((end, r) for end, r in ended if not r.recovered), None)
        if failed is None:
            end, slowest = max(ended, key=lambda er: er[1].time_to_recover or 0.0)
            took = slowest.time_to_recover or 0.0
            # as the banner and the table say it: "recovered +0.0 s" read as if it had taken no time to
            short = "recovered as it ended" if breached and not took else f"recovered +{format_time(took)}"
            marks.append(RecoveryMark(fault_id, start, end + took, MET, breached, short,
                                      recovery_text(slowest, running)))
        elif not running:
            end, failure = failed
            marks.append(RecoveryMark(fault_id, start, end, MISSED, breached, "not recovered",
                                      recovery_text(failure, running)))
    return marks


# -- rows for the banner and the comparison table ---------------------------------------
@dataclass(frozen=True)
class VerdictRow:
    """One objective, or one objective through one fault, with a cell per variant: (state, text),
    and the same in a few words where a table has no room for sentences (``short``)."""

    client: str
    what: str
    cells: dict[str, tuple[str, str]]
    recovery: bool = False
    short: dict[str, str] = field(default_factory=dict)


def verdict_rows(session: RunSession) -> list[VerdictRow]:
    """Objective and recovery rows, one cell per variant (replications summarised when there are several)."""
    running = undecided(session)
    per_variant: dict[str, RunVerdicts] = {}
    for v in session.variant_names:
        verdicts = verdicts_of(session, v)
        if verdicts is not None:
            per_variant[v] = verdicts
    if not per_variant:
        return []
    replicated = {v: across_replications(vs) for v, vs in session.replicated_verdicts.items() if len(vs) > 1}
    # A kept comparison holds its first replication only: say so beside figures that have intervals.
    first_only = " (first replication)" if session.replications > 1 and not replicated and not running else ""
    rows: list[VerdictRow] = []
    first = next(iter(per_variant.values()))
    for objective in first.objectives:
        cells, short = {}, {}
        for v, verdicts in per_variant.items():
            match = next((o for o in verdicts.objectives if o.key == objective.key), None)
            if match is None:
                continue
            rep = next((r for r in replicated.get(v, ([], []))[0] if (r.client, r.index) == objective.key), None)
            if rep is not None:
                state = _share_state(rep.met, rep.replications)
                met = f"{SYMBOLS[state]} met in {rep.met} of {rep.replications} runs"
                cells[v] = (state, f"{met}, {percent(rep.attainment)}")
                short[v] = met
            else:
                state = objective_state(match, running)
                cells[v] = (state, f"{SYMBOLS[state]} {objective_text(match)}{first_only}")
                short[v] = f"{SYMBOLS[state]} {objective_figure(match)}"
        rows.append(VerdictRow(objective.client, label(objective.label), cells, short=short))
        seen: dict[tuple, int] = {}
        for r in (r for r in first.recovery if (r.client, r.index) == objective.key):
            k = seen[r.key] = seen.get(r.key, -1) + 1
            cells, short = {}, {}
            for v, verdicts in per_variant.items():
                matches = [x for x in verdicts.recovery if x.key == r.key]
                if k >= len(matches):
                    continue
                reps = [x for x in replicated.get(v, ([], []))[1] if (x.client, x.index, x.fault_id) == r.key]
                if k < len(reps) and reps[k].fault_ends:
                    x = reps[k]
                    state = _share_state(x.recovered, x.replications)
                    timed = x.recovered and math.isfinite(x.time_to_recover)
                    when = f", in {recovery_span(x)}" if timed else ""
                    cells[v] = (state, f"{SYMBOLS[state]} recovered in {x.recovered} of {x.replications} runs{when}")
                    short[v] = f"{SYMBOLS[state]} recovered in {x.recovered} of {x.replications}"
                else:
                    state = recovery_state(matches[k], running)
                    cells[v] = (state, f"{SYMBOLS[state]} {recovery_text(matches[k], running, objective.target)}"
                                          f"{first_only}")
                    short[v] = f"{SYMBOLS[state]} {recovery_word(matches[k], running)}"
            rows.append(VerdictRow(objective.client, f"after {fault_span(r)}", cells, recovery=True, short=short))
    return rows


def _share_state(count: int, runs: int) -> str:
    return MET if count == runs else (MISSED if count == 0 else MIXED)


# -- the report ----------------------------------------------------------------------
def report_section(session: RunSession) -> list[str]:
    """The verdicts as the report's opening section (nothing when no client has objectives)."""
    head = headline(session)
    rows = verdict_rows(session)
    if head is None or not rows:
        return []
    e = _escape
    variants = [v for v in session.variant_names if any(v in r.cells for r in rows)]
    cols = "".join(f"<th>{e(VARIANT_LABELS.get(v, v).capitalize())}</th>" for v in variants) if len(variants) > 1 \
        else "<th>Verdict</th>"
    body = []
    for r in rows:
        what = f"<td>{e(r.client)}</td><td>{'&nbsp;&nbsp;' if r.recovery else ''}{e(r.what)}</td>"
        cells = "".join(
            f'<td style="color:{COLOURS[r.cells[v][0]]}">{e(r.cells[v][1])}</td>' if v in r.cells else "<td>–</td>"
            for v in variants)
        body.append(f"<tr>{what}{cells}</tr>")
    note = ("Attainment is the share of good requests over the measured run; the error budget is the bad share "
            "the target allows. Recovered: attainment back within the client's tolerance of its level before "
            "the fault, and held there for the client's hold time.")
    return [
        "<h2>Verdicts</h2>",
        f'<p style="font-size:1.15em; color:{COLOURS[head.state]}"><b>{SYMBOLS[head.state]} {e(head.text)}</b></p>',
        f"<table><tr><th>Client</th><th>Objective</th>{cols}</tr>{''.join(body)}</table>",
        f'<p class="note">{e(note)}</p>',
    ]


def _escape(value: Any) -> str:
    return html.escape(str(value), quote=True)


__all__ = [
    "COLOURS",
    "MET",
    "MISSED",
    "MIXED",
    "PENDING",
    "SYMBOLS",
    "Headline",
    "RecoveryMark",
    "VerdictRow",
    "fault_span",
    "headline",
    "label",
    "objective_specs",
    "objective_state",
    "objective_text",
    "percent",
    "recovery_marks",
    "recovery_state",
    "recovery_text",
    "report_section",
    "result_so_far",
    "verdict_rows",
    "verdicts_of",
]

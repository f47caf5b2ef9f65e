"""A self-contained HTML report of a run or comparison, to send to people without Faultline.

Pictures are embedded as base64 PNG, so the report is one file. Qt-free:
the caller renders the design and the plots and passes the PNG bytes.
"""
from __future__ import annotations

import base64
import html
import struct
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from engine import format_bytes
from engine.events import event_kind
from engine.model import Design

from ..document.wording import settings_words
from ..store import save_file
from .formatting import (
    BREAKER_COLOURS,
    BREAKER_LABELS,
    COLOURS,
    COMPONENT_COLOURS,
    FAILURE_KINDS,
    METRIC_LABELS,
    OUTCOME_COLOURS,
    OUTCOME_LABELS,
    comparison_cells,
    event_time,
    format_time,
    format_value,
    same_runs,
    trivial_row,
    unit_for,
    verdict,
)
from .saved import design_run, kept_name, kept_when
from .session import STOPPED, VARIANT_LABELS, RunSession
from .verdicts import objective_specs, report_section

EVENT_EXCERPT = 200
SUMMARY_FIGURES = ("throughput", "goodput", "error_rate", "latency_p50", "latency_p99", "utilisation",
                   "mean_queue_length", "queue_peak")

_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1d2430;
       margin: 2em auto; max-width: 1100px; padding: 0 1em; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; } h2 { font-size: 1.2em; margin-top: 1.8em;
     border-bottom: 1px solid #d6dae0; padding-bottom: 0.2em; }
.meta { color: #5b6472; } img { max-width: 100%; border: 1px solid #d6dae0; border-radius: 4px; }
table { border-collapse: collapse; font-size: 0.9em; margin: 0.5em 0; }
th, td { border: 1px solid #d6dae0; padding: 3px 8px; } th { background: #eef0f3; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.better { color: @better; } .worse { color: @worse; } .note { color: #5b6472; font-size: 0.9em; }
"""


def _style() -> str:
    return _STYLE.replace("@better", COLOURS["better"]).replace("@worse", COLOURS["worse"])


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def png_size(png: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG image, from its header; None if ``png`` is not one."""
    if len(png) < 24 or png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        return None
    return struct.unpack(">II", png[16:24])


def _img(png: bytes | None, alt: str, density: float = 1.0) -> str:
    """An embedded PNG; with ``density`` 2 it is shown at half its pixel size, sharp in print."""
    if not png:
        return ""
    size = png_size(png)
    width = f' width="{round(size[0] / density)}"' if size and density != 1.0 else ""
    return f'<img alt="{_e(alt)}"{width} src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">'


def build_report(session: RunSession, design: Design | None = None, design_png: bytes | None = None,
                 plots_png: bytes | None = None, plotted: list[str] | None = None,
                 health_time: float | None = None, density: float = 1.0) -> str:
    """The report as HTML text; ``density`` is the pictures' pixels per displayed pixel (2 for print).

    The tables describe the design as it was run (kept with a kept run, or ``session.design``), not
    ``design`` as it is now: a policy edited after the run must not be reported beside results it
    did not produce."""
    run = design_run(session) or session.design
    edited = _edited_since(run, design)
    design = run or design
    title = f"{session.design_name} — {session.experiment or 'no faults'}"
    if kept := kept_name(session):
        # Two kept runs of one design and experiment ("before the fix", "after") must not read alike.
        title = f"{kept}: {title}"
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Faultline report: {_e(title)}</title><style>{_style()}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="meta">Faultline run report · {datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}</p>',
    ]
    parts += report_section(session)  # the verdicts lead: what a reader wants first
    parts += _run_section(session)
    parts += _design_section(session, design, design_png, health_time, density, edited)
    parts += _experiment_section(session, design)
    if plots_png:
        parts += ["<h2>Plots</h2>", _legend(session, plotted or []), _img(plots_png, "plots of the run", density)]
    parts += _summary_section(session)
    if session.table:
        parts += _comparison_section(session)
    parts += _findings_section(session)
    parts += _events_section(session)
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(path: str | Path, session: RunSession, design: Design | None = None,
                 design_png: bytes | None = None, plots_png: bytes | None = None,
                 plotted: list[str] | None = None, health_time: float | None = None, density: float = 1.0) -> Path:
    """Write ``build_report`` to ``path``; a ProjectFileError says why it could not be."""
    return save_file(path, build_report(session, design, design_png, plots_png, plotted, health_time,
                                        density).encode("utf-8"))


def _legend(session: RunSession, plotted: list[str]) -> str:
    """What the colours and line styles of the plots mean."""
    items = [f'<span style="color:{COMPONENT_COLOURS[i % len(COMPONENT_COLOURS)]}">■</span> {_e(name)}'
             for i, name in enumerate(plotted)]
    styles = {"protected": "solid", "unprotected": "dashed", "baseline": "dotted"}
    if session.is_comparison:
        items.append("; ".join(f"{styles[v]}: {_e(VARIANT_LABELS[v])}" for v in session.variant_names))
    items.append("latency: p99 strong, p50 pale")
    if session.fault_windows:
        items.append('<span style="color:#999999">▮</span> shaded: fault windows')
    outcomes = " ".join(f'<span style="color:{OUTCOME_COLOURS[k]}">■</span> {_e(OUTCOME_LABELS[k])}'
                        for k in FAILURE_KINDS)
    items.append("error rate stacked by outcome for " + _e(plotted[0] if plotted else "the client") + ": "
                 + outcomes)
    items.append("breakers: " + " ".join(f'<span style="color:{BREAKER_COLOURS[k]}">■</span> {label}'
                                         for k, label in BREAKER_LABELS.items()))
    if objective_specs(session):
        items.append("dash-dot lines: objectives' thresholds; bottom plot: error-budget burn, recovery marked")
    return '<p class="note">' + " &nbsp;·&nbsp; ".join(items) + "</p>"


def _run_section(session: RunSession) -> list[str]:
    o = session.options
    stopped = session.status == STOPPED
    status = session.status
    if stopped:
        # Where the headline says it stopped: the figures, plots and verdicts end there.
        data = session.variants.get(session.primary)
        status = f"stopped at {format_time(data.now if data else 0.0)}"
    rows: list[tuple[str, Any]] = []
    if name := kept_name(session):
        rows.append(("Kept as", name))
    if kept := kept_when(session):
        # The report says when it was written; a kept run was run earlier, perhaps long before.
        rows.append(("Kept in the project", kept.strftime("%Y-%m-%d %H:%M UTC")))
    rows += [
        ("Design", session.design_name),
        ("Experiment", session.experiment or "none (no faults)"),
        ("Runs", ", ".join(VARIANT_LABELS.get(v, v) for v in session.variant_names)),
        ("Duration", format_time(session.duration) + (" planned" if stopped else "")),
        ("Warm-up", format_time(float(o.get("warmup", 0)))),
        ("Seed", o.get("seed", "")),
        ("Metric bucket", session.grid.describe()),
        ("Status", status),
    ]
    memory = next((r.meta["memory"] for r in session.results().values() if r.meta.get("memory")), None)
    if memory:
        rows.append(("Memory", f'{format_bytes(memory["used_bytes"])} of the {format_bytes(memory["budget_bytes"])} '
                               f'budget (requests and calls in flight at most {format_bytes(memory["pools_bytes"])})'))
    if session.replications > 1:
        rows.append(("Replications", f"{session.replications} (seeds {session.seed}–"
                                     f"{session.seed + session.replications - 1})"))
    body = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows)
    return ["<h2>Run</h2>", f"<table>{body}</table>"]


def _edited_since(run: Design | None, now: Design | None) -> bool:
    """Whether ``now`` differs from the design ``run`` in more than where its components stand."""
    if run is None or now is None:
        return False

    def settings(design: Design) -> dict:
        data = design.model_dump(mode="json")
        for component in data.get("components", []):
            component.pop("position", None)
        return data

    return settings(run) != settings(now)


def _design_section(session: RunSession, design: Design | None, png: bytes | None,
                    health_time: float | None, density: float = 1.0, edited: bool = False) -> list[str]:
    out = ["<h2>Design</h2>"]
    if png:
        out.append(_img(png, f"the design {session.design_name}", density))
        if edited:
            # The window clears the run's colours from a design edited since: the picture shows the edit.
            out.append('<p class="note">The picture shows the design as edited after the run; the tables '
                       "below describe it as it was run.</p>")
        else:
            when = f"at {format_time(health_time)}" if health_time is not None else "at the end of the run"
            out.append(f'<p class="note">Borders show each component\'s health {_e(when)}: green healthy, '
                       "amber loaded or failing in part, red failing or down.</p>")
    if design is None and not png:
        # A kept run does not hold its design: it is found in the project by name, if still there.
        out.append(f"<p>The design “{_e(session.design_name)}” is no longer in the project under this name "
                   "(renamed or removed since the run), so its components and settings cannot be shown here; "
                   "the figures below are the run's own.</p>")
    if design is not None:
        rows = "".join(
            f"<tr><td>{_e(c.name)}</td><td>{_e(c.label)}</td><td>{_e(c.key_figures())}</td>"
            f"<td>{_e(', '.join(p.label.lower() for p in c.policies if p.enabled) or '–')}</td></tr>"
            for c in design.components)
        out.append("<table><tr><th>Component</th><th>Kind</th><th>Capacity</th><th>Resilience</th></tr>"
                   f"{rows}</table>")
        policies = [(c, p) for c in design.components for p in c.policies]
        guards = {p.id: "inbound" if p.inbound else (f"calls to {design.name_of(scope)}"
                                                     if (scope := getattr(p, "scope", None)) else "all outgoing calls")
                  for _c, p in policies}
        if policies:
            rows = "".join(
                f"<tr><td>{_e(c.name)}</td><td>{_e(p.label)}</td>"
                f"<td>{_e(guards[p.id])}</td><td>{'yes' if p.enabled else 'no'}</td>"
                f"<td>{_e(settings_words(p, POLICY_SHOWN_ELSEWHERE))}</td></tr>"
                for c, p in policies)
            out.append("<h3>Resilience policies</h3><table><tr><th>Component</th><th>Policy</th><th>Guards</th>"
                       f"<th>Enabled</th><th>Parameters</th></tr>{rows}</table>")
    return out


POLICY_SHOWN_ELSEWHERE = ("id", "kind", "enabled", "scope")
FAULT_SHOWN_ELSEWHERE = ("id", "kind", "enabled", "target", "start", "duration", "period")


def _experiment_section(session: RunSession, design: Design | None) -> list[str]:
    out = [f"<h2>Experiment: {_e(session.experiment or 'none')}</h2>"]
    experiment = None
    if design is not None and session.experiment:
        experiment = next((e for e in design.experiments if e.name == session.experiment), None)
    if design is not None and experiment is not None:
        if experiment.description:
            out.append(f"<p>{_e(experiment.description)}</p>")
        rows = []
        for f in experiment.faults:
            end = "end of run" if f.duration is None else format_time(f.start + f.duration)
            repeat = f", every {format_time(f.period)}" if f.period else ""
            rows.append(f"<tr><td>{_e(f.title)}</td><td>{_e(design.name_of(f.target))}</td><td>{_e(format_time(f.start))}</td>"
                        f"<td>{_e(end)}{_e(repeat)}</td><td>{'yes' if f.enabled else 'no'}</td>"
                        f"<td>{_e(settings_words(f, FAULT_SHOWN_ELSEWHERE))}</td></tr>")
        out.append("<table><tr><th>Fault</th><th>Target</th><th>From</th><th>Until</th><th>Enabled</th>"
                   "<th>Parameters</th></tr>" + "".join(rows) + "</table>")
    elif session.fault_windows:
        windows = "".join(f"<tr><td>{_e(w.title)}</td><td>{_e(w.target)}</td><td>{_e(format_time(w.start))}</td>"
                          f"<td>{_e(format_time(w.end))}</td></tr>" for w in session.fault_windows)
        out.append(f"<table><tr><th>Fault</th><th>Target</th><th>From</th><th>Until</th></tr>{windows}</table>")
    elif not session.experiment:
        out.append("<p>No faults were injected.</p>")
    return out


def _summary_section(session: RunSession) -> list[str]:
    out = ["<h2>Summary</h2>"]
    if session.replications > 1:
        # The results kept are the first replication's, as the plots and the event log; the means
        # over every replication are the Comparison's.
        out = [f"<h2>Summary: first replication, seed {session.seed}</h2>",
               f'<p class="note">The figures of one run of each kind, as the plots and the event log show them; '
               f"the Comparison below gives the means over all {session.replications} replications.</p>"]
    warmup = float(session.options.get("warmup", 0) or 0)
    if warmup > 0:
        # The plots show the warm-up too: a spike in them that no figure below reflects needs saying.
        out.append(f'<p class="note">Figures over the measured time, after the warm-up: from {format_time(warmup)} '
                   "to the end of the run. The plots show the warm-up as well.</p>")
    for variant, result in session.results().items():
        if session.is_comparison:
            out.append(f"<h3>{_e(VARIANT_LABELS.get(variant, variant))}</h3>")
        head = "".join(f"<th>{_e(METRIC_LABELS[m])}</th>" for m in SUMMARY_FIGURES)
        summaries = result.summary["components"]
        # One unit per column, so that a column of latencies reads down without switching ms and s.
        units = {m: unit_for(m, [summaries[n].get(m) for n in result.components if summaries[n].get(m) is not None])
                 for m in SUMMARY_FIGURES}
        rows = []
        for name in result.components:
            s = summaries[name]
            cells = "".join(f'<td class="num">{_e(format_value(m, s.get(m), unit=units[m]))}</td>'
                            for m in SUMMARY_FIGURES)
            rows.append(f"<tr><td>{_e(name)}</td>{cells}</tr>")
        out.append(f"<table><tr><th>Component</th>{head}</tr>{''.join(rows)}</table>")
        breakers = [(name, s) for name, s in result.summary["links"].items() if s.get("breaker_state")]
        if breakers:
            breaker_rows = "".join(f"<tr><td>{_e(n)}</td><td class='num'>{s['breaker_rejected']:,.0f}</td>"
                                   f"<td class='num'>{s['retries']:,.0f}</td>"
                                   f"<td>{_e(_breaker_words(s['breaker_state']))}</td></tr>"
                                   for n, s in breakers)
            out.append("<table><tr><th>Breaker on</th><th>Calls short-circuited</th><th>Retries</th>"
                       f"<th>State at end</th></tr>{breaker_rows}</table>")
    return out


def _breaker_words(state: str) -> str:
    """The engine's CLOSED, OPEN or HALF_OPEN in the dashboard's words."""
    return BREAKER_LABELS.get(state.lower(), state)


def _comparison_section(session: RunSession) -> list[str]:
    baseline = any("baseline" in r for r in session.table)
    head = ("<tr><th>Component</th><th>Figure</th><th>Difference</th><th>With resilience</th><th>Without</th>"
            + ("<th>No faults</th>" if baseline else "") + "</tr>")
    rows = []
    for r in (r for r in session.table if not trivial_row(r)):
        cls = {1: "better", -1: "worse"}.get(verdict(r["metric"], r.get("difference"), r.get("difference_ci")), "")
        figure, difference, *values = comparison_cells(r, baseline)
        cells = [f"<td>{_e(r['component'])}</td><td>{_e(figure)}</td>",
                 f'<td class="num {cls}">{_e(difference)}</td>']
        cells += [f'<td class="num">{_e(v)}</td>' for v in values]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    note = ("Difference: with minus without resilience on the same seeds (common random numbers)"
            + (f"; ± is the 95 % confidence interval over {session.replications} replications; a difference "
               "is coloured only when its interval excludes zero." if session.replications > 1
               else "; one replication, so no confidence interval and no colour: run several to tell a real "
                    "difference from chance."))
    if same_runs(session.table):
        note = ("The two runs are the same: on the same seeds, no resilience policy acted (none is switched on, "
                "or none was triggered). " + note)
    return ["<h2>Comparison</h2>", f"<table>{head}{''.join(rows)}</table>", f'<p class="note">{_e(note)}</p>']


def _findings_section(session: RunSession) -> list[str]:
    findings = session.findings()
    if not findings:
        return []
    items = "".join(f"<li>{_e(f.text)}</li>" for f in findings)
    return ["<h2>Why</h2>", f"<ul>{items}</ul>",
            '<p class="note">Reasons found by rules over the design, the experiment and the results.</p>']


def _events_section(session: RunSession) -> list[str]:
    events = session.merged_events()
    out = ["<h2>Event log</h2>"]
    if not events:
        return out + ["<p>No events were logged.</p>"]
    shown = events[:EVENT_EXCERPT]
    run_col = session.is_comparison
    head = ("<tr><th>Time</th>" + ("<th>Run</th>" if run_col else "")
            + "<th>Component</th><th>Kind</th><th>Details</th></tr>")
    rows = []
    for e in shown:
        run = f"<td>{_e(VARIANT_LABELS.get(e.get('variant', ''), e.get('variant', '')))}</td>" if run_col else ""
        rows.append(f'<tr><td class="num">{_e(event_time(e["time"]))}</td>{run}'
                    f'<td>{_e(e.get("link") or e.get("component") or "")}</td>'
                    f'<td>{_e(event_kind(e["kind"]).label)}</td><td>{_e(e.get("details", ""))}</td></tr>')
    out.append(f"<table>{head}{''.join(rows)}</table>")
    notes = []
    if len(events) > len(shown):
        notes.append(f"First {len(shown)} of {len(events):,} events.")
    dropped = sum(r.events_dropped for r in session.results().values())
    if dropped:
        # As the window's log says: "of N events" alone reads as all that happened.
        notes.append(f"{dropped:,} more beyond the log's cap were not kept.")
    if notes:
        out.append(f'<p class="note">{" ".join(notes)}</p>')
    return out

"""How run figures are named and written: one place for the dashboard, the tables and the report."""
from __future__ import annotations

import math

from engine import UNITS

METRIC_LABELS = {
    "throughput": "Throughput",
    "goodput": "Goodput",
    "error_rate": "Error rate",
    "latency_mean": "Latency mean",
    "latency_p50": "Latency p50",
    "latency_p90": "Latency p90",
    "latency_p99": "Latency p99",
    "utilisation": "Utilisation",
    "mean_queue_length": "Queue length",
    "queue_peak": "Peak queue",
    "queue_wait_mean": "Queue wait mean",
    "wait_probability": "Share that waited",
}
# What a figure's name alone does not say, for its tooltip: a queue's waits are those of the work it
# started, so 600 requests stuck in a queue to the end leave its mean wait near zero.
METRIC_HELP = {
    "queue_wait_mean": "Mean wait in the queue of the requests that started service; requests still "
                       "waiting when the run ended are not in it (Peak queue counts them)",
    "wait_probability": "Of the requests that started service, the share that waited in the queue first",
    "queue_peak": "The longest the queue grew, requests still waiting at the end included",
}
# +1: more is better, -1: less is better, 0: neither (utilisation is a cost, not a goal).
BETTER = {
    "throughput": 1, "goodput": 1, "error_rate": -1, "latency_mean": -1, "latency_p50": -1,
    "latency_p90": -1, "latency_p99": -1, "utilisation": 0, "mean_queue_length": -1,
    "queue_peak": -1, "queue_wait_mean": -1, "wait_probability": -1,
}
OUTCOME_LABELS = {
    "ok": "ok", "error": "error", "timeout": "timeout", "rejected": "rejected",
    "short_circuited": "short-circuited", "unavailable": "unavailable", "fallback": "fallback",
}
FAILURE_KINDS = ("error", "timeout", "rejected", "short_circuited", "unavailable")
# Colours by meaning, one table for plots, strip, table, event log and report. From the Okabe–Ito
# palette, told apart with the common colour-vision deficiencies; no colour stands for two things.
# An open breaker short-circuits every call, so it shares that outcome's colour: the same meaning.
COLOURS = {
    "outcome.error": "#D55E00",  # vermillion
    "outcome.timeout": "#E69F00",  # orange
    "outcome.rejected": "#CC79A7",  # reddish purple
    "outcome.short_circuited": "#56B4E9",  # sky blue
    "outcome.unavailable": "#7F7F7F",  # grey
    "breaker.closed": "#009E73",  # bluish green: healthy
    "breaker.half_open": "#F0E442",  # yellow: on trial
    "breaker.open": "#56B4E9",  # short-circuiting
    "better": "#009E73",  # healthy, improved
    "worse": "#D55E00",  # failing, made worse
}
# Text in yellow cannot be read on a light background: the same meaning in a darker tone.
TEXT_TONES = {"#F0E442": "#8A7F00"}
BREAKER_LABELS = {"closed": "closed", "half_open": "half-open", "open": "open (short-circuits calls)"}
OUTCOME_COLOURS = {kind: COLOURS[f"outcome.{kind}"] for kind in FAILURE_KINDS}
BREAKER_COLOURS = {state: COLOURS[f"breaker.{state}"] for state in ("closed", "half_open", "open")}
# Component series: dark, saturated hues none of the meanings above uses (Tol's muted set, in part).
COMPONENT_COLOURS = ("#0072B2", "#882255", "#999933", "#332288", "#8C510A", "#117733")


def text_colour(colour: str) -> str:
    """A meaning's colour as text on a light background."""
    return TEXT_TONES.get(colour, colour)


VARIANT_STYLES = {"protected": "solid", "unprotected": "dash", "baseline": "dot"}


SIGNIFICANT = 3  # figures shown for a value; its confidence interval gets two
# Units a metric may be shown in, smallest first: (suffix, value in the metric's own unit).
_SCALES = {
    "time": (("ms", 1e-3), ("s", 1.0)),  # sub-millisecond latencies read best in ms too
    "rate": (("/s", 1.0), ("k/s", 1e3), ("M/s", 1e6)),
}


def metric_kind(metric: str) -> str:
    """How a metric is measured: 'time' (seconds), 'rate' (per second), 'share' (0..1) or 'count'
    (anything else), read off the engine's units of its results."""
    return _KINDS.get(UNITS.get(metric, ""), "count")


_KINDS = {"s": "time", "1/s": "rate", "ratio": "share"}


def unit_for(metric: str, values) -> tuple[str, float]:
    """One unit for a set of values of ``metric`` (a table row, a plot axis): the largest value
    decides, so that every figure of the row reads in the same unit. Returns (suffix, scale)."""
    kind = metric_kind(metric)
    if kind == "share":
        return "%", 0.01
    if kind == "count":
        return "", 1.0
    finite = [abs(v) for v in values if isinstance(v, (int, float)) and math.isfinite(v)]
    largest = max(finite, default=0.0)
    chosen = _SCALES[kind][0]
    for suffix, scale in _SCALES[kind]:
        # 0.9996 s reads as 1.00 s, not 1000 ms.
        if largest >= scale * (1 - 0.5 * 10 ** -SIGNIFICANT):
            chosen = (suffix, scale)
    return chosen


def significant(value: float, digits: int = SIGNIFICANT) -> str:
    """``value`` to ``digits`` significant figures, without exponent, thousands set apart as counts
    are (a mean queue of "4730" stood beside a peak of "10,929"): 1,530, 12.3, 0.0456."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else "–"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = digits - 1 - magnitude
    rounded = round(value, decimals)
    if rounded != 0 and math.floor(math.log10(abs(rounded))) > magnitude:
        decimals -= 1  # 9.996 rounds up to 10.0: one decimal fewer keeps three figures
    return f"{rounded:,.{max(0, decimals)}f}"


def _with_unit(number: str, suffix: str) -> str:
    return f"{number} {suffix}" if suffix else number


def format_value(metric: str, value: float | None, signed: bool = False,
                 unit: tuple[str, float] | None = None) -> str:
    """A figure to three significant figures with its unit: 12.3 /s, 4.56 %, 87.0 ms, 1.20 s.

    ``unit`` (from ``unit_for``) puts several figures in the same unit; by default the
    value picks its own."""
    if value is None or not isinstance(value, (int, float)) or not math.isfinite(value):
        return "–"
    suffix, scale = unit or unit_for(metric, [value])
    sign = "+" if signed and value > 0 else ""
    if metric_kind(metric) == "count" and value == int(value):
        # a count reads whole and exact: a peak of 62 requests, not "62.0"; 7,437, not "7440"
        return f"{sign}{int(value):,}"
    return sign + _with_unit(significant(value / scale), suffix)


def format_ci(metric: str, value: float | None, half_width: float | None, signed: bool = False,
              unit: tuple[str, float] | None = None) -> str:
    """A figure and its 95 % confidence interval in the same unit: +10.0 ± 1.5 /s.

    The half width gets two significant figures of its own, so a small but real spread
    never shows as "± 0"; an interval of exactly zero (the same figure on every seed) is left out."""
    unit = unit or unit_for(metric, [value])
    text = format_value(metric, value, signed, unit)
    if (half_width is None or not isinstance(half_width, (int, float)) or not math.isfinite(half_width)
            or half_width == 0 or text == "–"):
        return text
    suffix, scale = unit
    number = text[: -len(suffix) - 1] if suffix else text
    return _with_unit(f"{number} ± {significant(half_width / scale, 2)}", suffix)


def row_unit(row: dict) -> tuple[str, float]:
    """The unit every figure of a comparison row is shown in."""
    keys = ("protected", "unprotected", "baseline", "difference")
    return unit_for(row["metric"], [row.get(k) for k in keys if row.get(k) is not None])


def comparison_cells(row: dict, baseline: bool) -> list[str]:
    """A comparison row as the table and the report show it: figure, difference, with, without
    (and no faults), all in one unit."""
    metric, unit = row["metric"], row_unit(row)
    cells = [METRIC_LABELS.get(metric, metric),
             format_ci(metric, row.get("difference"), row.get("difference_ci"), signed=True, unit=unit),
             format_ci(metric, row.get("protected"), row.get("protected_ci"), unit=unit),
             format_ci(metric, row.get("unprotected"), row.get("unprotected_ci"), unit=unit)]
    if baseline:
        cells.append(format_ci(metric, row.get("baseline"), row.get("baseline_ci"), unit=unit))
    return cells


def format_time(seconds: float) -> str:
    """Simulated time as 75.0 s or 1:15:00."""
    if seconds < 600:
        return f"{seconds:.1f} s"
    h, rem = divmod(int(seconds), 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def event_time(seconds: float) -> str:
    """An event's time as the event log shows it: to the millisecond early on (events a
    millisecond apart are told apart), as a clock past ten minutes."""
    return f"{seconds:.3f}" if seconds < 600 else format_time(seconds)


def time_left(progress: float, elapsed: float) -> float | None:
    """Wall-clock seconds a run still needs, judged from its pace so far; None until that pace means anything."""
    if progress < 0.02 or progress >= 1.0 or elapsed < 0.5:
        return None
    return elapsed * (1.0 - progress) / progress


def run_progress_text(sim_time: float, duration: float, left: float | None) -> str:
    """The run's progress for the status bar: simulated time reached and, when known, the time left."""
    text = f"simulated {format_time(sim_time)} of {format_time(duration)}"
    if left is None:
        return text
    wait = f"{left:.0f} s" if left < 90 else f"{left / 60:.0f} min"
    return f"{text} · about {wait} left"


def link_figures_forms(figures: dict[str, float]) -> list[str]:
    """A link's live figures as short labels in ever fewer words, for links of any length: calls per
    second, then retries and failed calls when there are any; then without the retries; then the
    calls per second alone."""
    rate = f"{significant(figures['rate'], 2)}/s"
    retries = f"{significant(figures['retries'], 2)} retries/s" if figures.get("retries", 0.0) > 0 else ""
    failed = ""
    if figures.get("errors", 0.0) > 0:
        share = figures["errors"] * 100
        failed = f"{share:.0f} % failed" if share >= 1 else "<1 % failed"
    forms = [" · ".join(p for p in (rate, retries, failed) if p), " · ".join(p for p in (rate, failed) if p), rate]
    return list(dict.fromkeys(forms))  # each form once, longest first


def verdict(metric: str, value, half_width) -> int:
    """+1 when resilience made the figure better, -1 worse, 0 when neutral or when the difference's
    95 % interval does not exclude zero (with one replication there is no interval: no call)."""
    better = BETTER.get(metric, 0)
    if not better or not isinstance(value, (int, float)) or not math.isfinite(value) or value == 0:
        return 0
    if not isinstance(half_width, (int, float)) or not math.isfinite(half_width) or abs(value) <= half_width:
        return 0
    return 1 if value * better > 0 else -1


def trivial_row(row: dict) -> bool:
    """A comparison figure that is zero in every run, such as a client's utilisation: noise in a table."""
    values = [row.get(k) for k in ("protected", "unprotected", "baseline") if k in row]
    quiet = ("utilisation", "mean_queue_length", "queue_peak", "queue_wait_mean", "wait_probability")
    return row["metric"] in quiet and all(v == 0 for v in values)


def same_runs(rows: list[dict]) -> bool:
    """Whether a comparison's runs came out the same: on the same seeds, a design whose resilience
    never acted (none is switched on, or none was ever triggered) runs the same twice, and a table
    of zeros would read as resilience making no difference."""
    return bool(rows) and all(r.get("difference") == 0 for r in rows if "difference" in r)

"""How run figures are named and written: one place for the dashboard, the tables and the report."""
from __future__ import annotations

import math

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
}
# +1: more is better, -1: less is better, 0: neither (utilisation is a cost, not a goal).
BETTER = {
    "throughput": 1, "goodput": 1, "error_rate": -1, "latency_mean": -1, "latency_p50": -1,
    "latency_p90": -1, "latency_p99": -1, "utilisation": 0, "mean_queue_length": -1,
}
OUTCOME_LABELS = {
    "ok": "ok", "error": "error", "timeout": "timeout", "rejected": "rejected",
    "short_circuited": "short-circuited", "unavailable": "unavailable", "fallback": "fallback",
}
FAILURE_KINDS = ("error", "timeout", "rejected", "short_circuited", "unavailable")
OUTCOME_COLOURS = {
    "error": "#d3362d", "timeout": "#e07b00", "rejected": "#9c4dcc", "short_circuited": "#2f6fe4",
    "unavailable": "#6b7380", "fallback": "#4fb0a5",
}
COMPONENT_COLOURS = ("#2f6fe4", "#d98a00", "#2e9d4f", "#c2185b", "#7b5cc4", "#00838f", "#8d6e63", "#5f7d2b")
VARIANT_STYLES = {"protected": "solid", "unprotected": "dash", "baseline": "dot"}


def format_value(metric: str, value: float | None, signed: bool = False) -> str:
    """A figure with its unit: 12.3 /s, 4.5 %, 87 ms."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    sign = "+" if signed and value > 0 else ""
    if metric.startswith("latency") or metric == "sojourn_mean":
        ms = value * 1000
        return f"{sign}{ms:.3g} ms" if abs(ms) < 1000 else f"{sign}{value:.3g} s"
    if metric in ("error_rate", "utilisation"):
        return f"{sign}{value * 100:.1f} %"
    if metric in ("throughput", "goodput", "arrival_rate"):
        return f"{sign}{value:.4g} /s"
    return f"{sign}{value:.3g}"


def format_ci(metric: str, value: float | None, half_width: float | None, signed: bool = False) -> str:
    text = format_value(metric, value, signed)
    if half_width is not None and isinstance(half_width, float) and math.isfinite(half_width):
        text += f" ± {format_value(metric, half_width)}"
    return text


def format_time(seconds: float) -> str:
    """Simulated time as 75.0 s or 1:15:00."""
    if seconds < 600:
        return f"{seconds:.1f} s"
    h, rem = divmod(int(seconds), 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def verdict(metric: str, value, half_width) -> int:
    """+1 when resilience made the figure better, -1 worse, 0 neutral or not distinguishable from no change."""
    better = BETTER.get(metric, 0)
    if not better or not isinstance(value, float) or not math.isfinite(value) or value == 0:
        return 0
    if isinstance(half_width, float) and math.isfinite(half_width) and abs(value) <= half_width:
        return 0
    return 1 if value * better > 0 else -1


def trivial_row(row: dict) -> bool:
    """A comparison figure that is zero in every run, such as a client's utilisation: noise in a table."""
    values = [row.get(k) for k in ("protected", "unprotected", "baseline") if k in row]
    return row["metric"] in ("utilisation", "mean_queue_length") and all(v == 0 for v in values)

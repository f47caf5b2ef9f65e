"""How the dashboard's plots look: pens, compact titles, the legend; shared by the window and its exports."""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPen, QTextDocument

from .elide import cut_to_width
from .formatting import (
    BREAKER_COLOURS,
    BREAKER_LABELS,
    COMPONENT_COLOURS,
    FAILURE_KINDS,
    OUTCOME_COLOURS,
    OUTCOME_LABELS,
    VARIANT_STYLES,
    format_time,
    format_value,
)
from .session import VARIANT_LABELS, RunSession

# The metric each plot's values are formatted as in the readout, and the factor back to its unit.
READOUT_METRICS = {"throughput": ("throughput", 1.0), "latency": ("latency", 1.0), "errors": ("error_rate", 0.01),
                   "utilisation": ("utilisation", 0.01), "queue": ("mean_queue_length", 1.0)}
FAULT_GLYPH_COLOUR = "#9a9a9a"  # fault windows are a neutral band: every hue has a meaning of its own
_PEN_STYLES = {"solid": Qt.PenStyle.SolidLine, "dash": Qt.PenStyle.DashLine, "dot": Qt.PenStyle.DotLine}


def pen(colour: str, variant: str, alpha: int = 255) -> QPen:
    """One pixel wide, always: wider or antialiased lines cost Qt's raster engine several times more."""
    c = QColor(colour)
    c.setAlpha(alpha)
    line = pg.mkPen(c, width=1)
    line.setStyle(_PEN_STYLES[VARIANT_STYLES.get(variant, "solid")])
    line.setCosmetic(True)
    return line


TICK_STEPS = (1, 2, 2.5, 5, 10)  # times a power of ten: the spacings between an axis's labelled values
# An axis's top: on the tick steps alone, a top went from 250 to 500 for a peak just past 231
# (250 less the headroom), and curves near 200 filled two fifths of their plot.
AXIS_TOP_STEPS = (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)


def nice_ceiling(value: float, steps: tuple[float, ...] = TICK_STEPS) -> float:
    """The smallest of ``steps`` times a power of ten that is at least ``value`` (1 for nothing)."""
    if not value > 0 or not math.isfinite(value):
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    return next(step * magnitude for step in steps if step * magnitude >= value * (1 - 1e-12))


def readout_html(session, curves, components: list[str], t: float, key: str | None) -> str:
    """The readout at time ``t``: the values of plot ``key``'s curves (the throughput plot's if None)."""
    if session is None or t < 0:
        return " "
    b = int(math.floor(t / session.bucket))
    parts = [f"<b>t = {format_time(t)}</b>"]
    if key == "errors":
        data = session.variants.get(session.primary)
        if data is not None and components and b < data.n:
            focus = components[0]
            completed = sum(float(np.nan_to_num(data.column(k, focus)[b])) for k in ("ok", "fallback", *FAILURE_KINDS))
            counts = {kind: float(np.nan_to_num(data.column(kind, focus)[b])) for kind in FAILURE_KINDS}
            # The stack's run by name, and its total even when nothing failed: beside the other runs'
            # totals a bare "timeout 12.9 %" read as theirs, and a quiet bucket read as no value at all.
            run = f" ({VARIANT_LABELS.get(session.primary, session.primary)})" if session.is_comparison else ""
            total = sum(counts.values()) / completed if completed else 0.0
            parts.append(f"{esc(focus)} total{run} {format_value('error_rate', total)}")
            parts += [f"{OUTCOME_LABELS[kind]} {format_value('error_rate', count / completed)}"
                      for kind, count in counts.items() if count]
        key_curves = [c for c in curves if c.plot == "errors"]
    elif key == "breakers":
        data = session.variants.get(session.primary)
        for name in session.breakers:
            column = data.link_column("breaker_state", name) if data else np.zeros(0)
            if b < len(column) and np.isfinite(column[b]):
                parts.append(f"{esc(name)}: {('CLOSED', 'OPEN', 'HALF_OPEN')[int(column[b])]}")
        key_curves = []
    else:
        wanted = key or "throughput"
        key_curves = [c for c in curves if c.plot == wanted]
    for c in key_curves:
        if 0 <= b < len(c.values) and np.isfinite(c.values[b]):
            metric, factor = READOUT_METRICS[c.plot]
            parts.append(f"{esc(c.label)} {format_value(metric, float(c.values[b]) * factor)}")
    return " &nbsp; ".join(parts)


def series_colour(index: int, dark: bool = False) -> str:
    """The colour of the ``index``-th plotted component; lightened to read on a dark background."""
    colour = COMPONENT_COLOURS[index % len(COMPONENT_COLOURS)]
    return QColor(colour).lighter(140).name() if dark else colour


LEGEND_SEPARATOR = " &nbsp;·&nbsp; "
SHORT_STYLES = {"protected": "—", "unprotected": "--", "baseline": "···"}
SHORT_VARIANTS = {"protected": "with", "unprotected": "without", "baseline": "no faults"}
SHORT_OUTCOMES = {"short_circuited": "short-circ.", "unavailable": "unavail."}


def legend_entries(session: RunSession | None, components: list[str], dark: bool = False) -> list[tuple[str, ...]]:
    """What the colours, line styles and shading of the plots mean: rich-text entries, each whole
    and in a shorter form for a legend short of room (``elide.LegendLabel`` shortens the last first),
    the faults' in a shortest one too.
    The breaker states are not among them: the strip, the one plot where their colours mean
    something, shows them in its title (``breaker_chips``); pictures add ``breaker_entry``."""
    if session is None:
        return []
    entries: list[tuple[str, ...]] = []
    for index, component in enumerate(components):
        colour = series_colour(index, dark)
        entry = f"<span style='color:{colour}'>■</span> {esc(component)}"
        entries.append((entry, entry))
    if len(session.variant_names) > 1:
        styles = {"protected": "——", "unprotected": "- - -", "baseline": "·····"}
        # The dashboard's title already says what is compared: the short form keeps the words that
        # tell the runs apart ("no faults" whole: "no" alone says nothing), in narrower strokes.
        entries.append((" ".join(f"{styles[v]} {VARIANT_LABELS[v]}" for v in session.variant_names),
                        " ".join(f"{SHORT_STYLES[v]} {SHORT_VARIANTS[v]}" for v in session.variant_names)))

    def outcomes(labels: dict[str, str]) -> str:
        return " ".join(f"<span style='color:{OUTCOME_COLOURS[k]}'>■</span> {labels[k]}" for k in FAILURE_KINDS)
    # With a baseline's third run the legend needs these too to keep to one line at 1280x720.
    entries.append((outcomes(OUTCOME_LABELS), outcomes({**OUTCOME_LABELS, **SHORT_OUTCOMES})))
    if session.fault_windows:
        faults = "; ".join(f"{esc(w.title)} {format_time(w.start)}–{format_time(w.end)}"
                           for w in session.fault_windows[:4])
        more = f" (+{len(session.fault_windows) - 4})" if len(session.fault_windows) > 4 else ""
        glyph = f"<span style='color:{FAULT_GLYPH_COLOUR}'>▒</span>"
        # The bands on the plots show when: the short form names the faults only.
        titles = "; ".join(esc(w.title) for w in session.fault_windows[:2])
        short_more = f" (+{len(session.fault_windows) - 2})" if len(session.fault_windows) > 2 else ""
        # Shortest, a word: the title names the experiment, the bands show when, and the legend on
        # one line keeps the burn plot's time axis in view at 1280x720.
        shortest = f"{glyph} fault" + ("s" if len(session.fault_windows) > 1 else "")
        entries.append((f"{glyph} {faults}{more}", f"{glyph} {titles}{short_more}", shortest))
    return entries


def legend_order(session: RunSession | None, components: list[str]) -> list[int]:
    """The order ``legend_entries`` give way to their short forms: the last first, but the outcomes'
    abbreviations only after every other entry is short."""
    if session is None:
        return []
    outcomes = len(components) + (len(session.variant_names) > 1)
    count = outcomes + 1 + bool(session.fault_windows)
    return [i for i in reversed(range(count)) if i != outcomes] + [outcomes]


def breaker_entry() -> str:
    """The breaker states' colours in whole words, as a legend entry of pictures and the report."""
    return "breakers: " + " ".join(f"<span style='color:{BREAKER_COLOURS[k]}'>■</span> {label}"
                                   for k, label in BREAKER_LABELS.items())


def breaker_chips() -> str:
    """The breaker states as their words on their colours, the way the strip draws them: its key
    in the fewest pixels (a swatch and a word each needed 171 px where the strip has 164 at 1280)."""
    return "".join(f"<span style='background-color:{BREAKER_COLOURS[k]}; color:{CHIP_TEXT}'>"
                   f"&nbsp;{label.partition(' (')[0]}&nbsp;</span>" for k, label in BREAKER_LABELS.items())


CHIP_TEXT = "#1d2430"  # dark on every state's colour, in either theme


def fit_title(plot: pg.PlotItem, forms: tuple[str, ...], room: float | None = None) -> None:
    """Title ``plot`` with the first of ``forms`` that fits ``room`` whole (the last, cut, if none);
    by default the width of the plot's view, which its title spans."""
    room = plot.vb.width() if room is None else room
    chosen = next((form for form in forms if title_width(plot, form) <= room), forms[-1])
    if chosen != plot.titleLabel.text:
        set_title(plot, chosen)


def title_width(plot: pg.PlotItem, html: str) -> float:
    """The width ``html`` takes as ``plot``'s title."""
    label = plot.titleLabel
    key = (html, label.opts.get("size"), label.item.font().key())
    cache = _TITLE_WIDTHS
    if key not in cache:
        doc = QTextDocument()
        doc.setDocumentMargin(label.item.document().documentMargin())
        doc.setDefaultFont(label.item.font())
        size = label.opts.get("size")
        doc.setHtml(f"<span style='font-size:{size}'>{html}</span>" if size else html)
        cache[key] = doc.size().width()  # margins included, as the title's cut counts them
    return cache[key]


_TITLE_WIDTHS: dict[tuple, float] = {}


class _ClippedTitle(pg.LabelItem):
    """A plot title that asks for no width: a long one is cut with an ellipsis where its plot ends
    rather than widening its column of the grid past the dock (pyqtgraph's own asks for its text's
    width on every resize). ``text`` stays the whole title; only what is drawn is cut."""

    _full_html: str | None = None  # the title as pyqtgraph set it, before any cut
    _cut = False
    _fitted: tuple | None = None  # (html, width) the drawn text was last fitted to

    def setText(self, text, **args):
        self._full_html, self._cut, self._fitted = None, False, None
        super().setText(text, **args)

    def resizeEvent(self, ev):
        super().resizeEvent(ev)
        self._elide()

    def _elide(self) -> None:
        if self._full_html is None:
            self._full_html = self.item.toHtml()
        width = self.rect().width()
        key = (self._full_html, round(width))
        if key == self._fitted or width <= 0:
            return
        self._fitted = key
        if self._cut:
            self.item.setHtml(self._full_html)
            self._cut = False
        doc = self.item.document()
        self._cut = cut_to_width(doc, width)

    def updateMin(self):
        height = self.itemRect().height()
        hints = {Qt.SizeHint.MinimumSize: (0, height), Qt.SizeHint.PreferredSize: (0, height),
                 Qt.SizeHint.MaximumSize: (-1, -1), Qt.SizeHint.MinimumDescent: (0, 0)}
        if hints == getattr(self, "_sizeHint", None):
            return  # pyqtgraph asks again on every resize; an unchanged title must not relayout the plot
        self._sizeHint = hints
        self.setMinimumWidth(0)
        self.setMinimumHeight(height)
        self.updateGeometry()


def clip_title(plot: pg.PlotItem) -> None:
    """Put a ``_ClippedTitle`` where the plot's title goes."""
    old = plot.titleLabel
    plot.layout.removeItem(old)
    if old.scene() is not None:
        old.scene().removeItem(old)
    plot.titleLabel = _ClippedTitle("", size="8.5pt", justify="left")
    plot.titleLabel.setFlag(plot.titleLabel.GraphicsItemFlag.ItemClipsChildrenToShape)
    plot.layout.addItem(plot.titleLabel, 0, 1)


TITLE_HEIGHT = 16  # px: pyqtgraph's default 30 would take a fifth of a small plot


def set_title(plot: pg.PlotItem, text: str, colour: QColor | None = None) -> None:
    """Title ``plot`` in a compact row (``TITLE_HEIGHT``), in the titles' size and ``colour``."""
    style = {"size": "8.5pt", **({"color": colour} if colour is not None else {})}
    title = plot.titleLabel
    if title.isVisibleTo(plot) and plot.layout.rowMaximumHeight(0) == TITLE_HEIGHT:
        # The words only: pyqtgraph's setTitle puts the row back to 30 px, and a plot whose title row
        # changes height, even for a moment, lays out the whole grid of plots and repaints them all
        # (22-30 ms when a comparison's objectives arrived and the burn plot was titled anew).
        title.setText(text, **style)
        return
    plot.setTitle(text, **style)
    title.setMaximumHeight(TITLE_HEIGHT)
    plot.layout.setRowFixedHeight(0, TITLE_HEIGHT)


def colour_axes(plot: pg.PlotItem, text: QColor) -> None:
    """A plot's left and bottom axes in the colour of the window's words, their lines a shade
    quieter: every plot of the window follows its light or dark look so."""
    lines = QColor(text)
    lines.setAlpha(160)
    for name in ("left", "bottom"):
        axis = plot.getAxis(name)
        axis.setPen(pg.mkPen(lines))
        axis.setTextPen(pg.mkPen(text))


def esc(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

"""Verdicts on the dashboard: a banner, objective lines on the plots, error-budget burn, recovery marks.

``VerdictOverlay(dashboard)`` adds itself to a ``Dashboard`` through its public
surface (its layout, ``plots``, ``plots_widget``, ``log_latency``) and keeps its
own plot items, so the dashboard's rebuilds never touch them. The window calls
``show_session``, ``refresh`` (a few times a second while a run goes, and when it
ends) and ``show_empty``.
"""
from __future__ import annotations

import html
import math
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QBrush, QColor, QTextDocument
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
)

from engine.model import OBJECTIVE_CLASSES

from .formatting import VARIANT_STYLES, format_time
from .live_curve import LiveCurve
from .plot_grid import AXIS_CACHE, PLOT_GRID_SPACING
from .plot_style import clip_title, colour_axes, set_title
from .session import RUNNING, VARIANT_LABELS, RunSession
from .verdict_labels import (
    MARK_LABEL_MARGIN,
    THRESHOLD_LABEL_PLACES,
    mark_font,
    mark_label_options,
    mark_sides,
    put_label,
    threshold_label_place,
)
from .verdicts import (
    COLOURS,
    DARK_COLOURS,
    MET,
    MISSED,
    MIXED,
    PENDING,
    SYMBOLS,
    headline,
    label,
    objective_specs,
    recovery_marks,
    undecided,
    verdict_rows,
    verdicts_of,
)

BURN_TITLE = "Error-budget burn (1×: the budget spent exactly over the run)"
# Background, border and text of the banner per state, on a light and on a dark window.
_BACKGROUNDS = {MET: ("#e7f5eb", "#9fd3ae"), MISSED: ("#fde8e6", "#e6a39d"), PENDING: ("#fff6dc", "#e8cf85"),
                MIXED: ("#fdf0e0", "#e3b27a")}
_DARK_BACKGROUNDS = {MET: ("#1d3326", "#2f6b43"), MISSED: ("#3a2220", "#7a3a34"), PENDING: ("#3a3122", "#6b5528"),
                     MIXED: ("#3a2c1c", "#7a5a30")}
_TEXT = {False: "#1d2430", True: "#e6e9ee"}
# On the dark banners the states' colours are lightened (DARK_COLOURS): the pending amber read as a smudge.
_PEN_STYLES = {"solid": Qt.PenStyle.SolidLine, "dash": Qt.PenStyle.DashLine, "dot": Qt.PenStyle.DotLine}
# One colour per objective (threshold lines and burn curves alike), in the run's objective order.
OBJECTIVE_COLOURS = ("#2f6fe4", "#7b5cc4", "#00838f", "#c2185b", "#5f7d2b", "#8d6e63")
BURN_PLOT_HEIGHT = 120
BURN_PLOT_MIN_HEIGHT = 90  # room for two recovery labels one above the other
LABEL_FILL_ALPHA = 215  # threshold labels: the plot shows faintly through, the words read
_SHORT_VARIANTS = {"protected": "with", "unprotected": "without", "baseline": "no faults"}
# Made with the window (more as a run needs them): two objectives in a three-way comparison, and
# two thresholds a plot.
SPARE_BURN_CURVES = 6
SPARE_THRESHOLD_LINES = 2


# The dashboard's height besides its plots and the banner's text: header, legend, reasons, time
# slider, margins. The details show only where the plots (burn plot included) then keep their
# minimum height below them; otherwise the headline alone (details a click away), so that at
# 1280x720 and 1600x1000 no plot is pushed below the fold.
ROOM_FOR_DETAILS = 130


class VerdictBanner(QFrame):
    """The run's verdict in one line, and a row per objective and per fault it went through."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("verdictBanner")
        col = QVBoxLayout(self)
        col.setContentsMargins(8, 2, 8, 2)  # its words, not its frame, take the height the plots need
        col.setSpacing(2)
        top = QHBoxLayout()
        top.setSpacing(6)
        self.head = QLabel()
        self.head.setObjectName("verdictHeadline")
        self.head.setTextFormat(Qt.TextFormat.RichText)
        self.head.setWordWrap(True)
        # The banner keeps, while a run goes, the room its verdicts may take (its height changes
        # would move every plot): the words stand at the top of it, the room left below them.
        self.head.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.head, 1)
        self.toggle = QToolButton()
        self.toggle.setText("Details")
        self.toggle.setCheckable(True)
        self.toggle.setChecked(True)
        self.toggle.setToolTip("Show or hide each objective's verdict (the plots get the room back)")
        self.toggle.toggled.connect(lambda on: self.details.setVisible(on))
        # Until the user chooses, the details show only where the plots keep room beneath them.
        self.toggle.clicked.connect(self._chosen)
        self.user_chose = False
        top.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignTop)
        col.addLayout(top)
        self.details = QLabel()
        self.details.setObjectName("verdictDetails")
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setWordWrap(True)
        self.details.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        col.addWidget(self.details)
        self.state: str | None = None
        self._shown: RunSession | None = None  # the run whose verdicts the banner grew to hold
        self.stale = False  # the design's objectives were edited after the run judged them
        self.hide()

    def show_verdicts(self, session: RunSession | None) -> None:
        """Show the session's verdicts so far; hidden when no client of the run has objectives."""
        head = headline(session) if session is not None else None
        if session is None or head is None:
            self.state = None
            self.hide()
            return
        if head.state != self.state:  # restyling re-polishes every child: only when the colour changes
            self._restyle(head.state)
        self.state = head.state
        stale = (" <span style='font-weight:normal'>— judged against the objectives the run had; they have been "
                 "edited since: run again to judge these</span>") if self.stale else ""
        self.head.setText(f"<span style='color:{self._colour(head.state)}; font-size:11pt'><b>{SYMBOLS[head.state]}</b>"
                          f"</span> <b>{_e(head.text)}</b>{stale}")
        rows = verdict_rows(session)
        variants = [v for v in session.variant_names if any(v in r.cells for r in rows)]
        several = len(variants) > 1
        lines: list[str] = []
        for r in rows:
            cells = []
            for v in variants:
                if v not in r.cells:
                    continue
                state, text = r.cells[v]
                tag = f"{_e(_SHORT_VARIANTS.get(v, v))}: " if several else ""
                cells.append(f"<span style='color:{self._colour(state)}'>{tag}{_e(text)}</span>")
            # A fault's row joins its objective's line: one line per objective in a short dock.
            if r.recovery and lines:
                lines[-1] += f" &nbsp;|&nbsp; {_e(r.what)}: {' · '.join(cells)}"
            else:
                lines.append(f"<b>{_e(r.client)}</b> · {_e(r.what)}: {' · '.join(cells)}")
        self.details.setText("<br>".join(lines))
        self._lay_out_if_hidden()
        # Within one run the banner only grows: each change of its height would resize every plot.
        same = session is self._shown
        self._shown = session
        for part in (self.head, self.details):
            grown = part.minimumHeight() if same else 0
            part.setMinimumHeight(max(grown, part.heightForWidth(max(1, part.width()))))
        if not self.user_chose:
            parent = self.parentWidget()
            self.toggle.setChecked(self._details_fit(parent))
        self.show()

    def _lay_out_if_hidden(self) -> None:
        """Show the banner and give it its place now: hidden, its labels kept the width they had
        when made, and the height their words need was taken at that width (three times as many
        lines as they take across a wide window)."""
        if not self.isHidden():
            return
        self.show()
        parent = self.parentWidget()
        for layout in (parent.layout() if parent is not None else None, self.layout()):
            if layout is not None:
                layout.activate()

    def expect(self, session: RunSession, objectives: list[tuple[str, str]], lines_each: int = 1) -> None:
        """Pending, before the run's first frame: a line per (client, objective) the design declares,
        as many as the verdicts will take, so that their arrival does not change the banner's height."""
        if self.state != PENDING:
            self._restyle(PENDING)
        self.state = PENDING
        self.head.setText(f"<span style='color:{self._colour(PENDING)}; font-size:11pt'><b>{SYMBOLS[PENDING]}</b>"
                          "</span> <b>Judging objectives as the run goes…</b>")
        self.details.setText("<br>".join(f"<b>{_e(client)}</b> · {_e(label(what))}: judging…"
                                         for client, what in objectives))
        # A comparison's verdicts take about two lines an objective once both runs report.
        self.details.setMinimumHeight(lines_each * len(objectives) * self.details.fontMetrics().lineSpacing())
        # The final headline of a comparison names each run's outcome: two lines in a narrow dock.
        self.head.setMinimumHeight(lines_each * self.head.fontMetrics().lineSpacing() * 13 // 10)
        self._shown = session
        if not self.user_chose:
            parent = self.parentWidget()
            self.toggle.setChecked(self._details_fit(parent))
        self.show()

    def _colour(self, state: str) -> str:
        dark = getattr(self, "_styled", (None, False))[1]
        return (DARK_COLOURS if dark else COLOURS)[state]

    def _details_fit(self, parent) -> bool:
        if parent is None:
            return True
        plots = getattr(parent, "plots_widget", None)
        need = ROOM_FOR_DETAILS + self.head.minimumHeight() + self.details.minimumHeight()
        return parent.height() >= need + (plots.minimumHeight() if plots is not None else 0)

    def _chosen(self) -> None:
        self.user_chose = True

    def _restyle(self, state: str) -> None:
        # The application's palette: the banner's own takes the background its style sheet sets.
        dark = QApplication.palette().window().color().lightness() < 128
        if (state, dark) == getattr(self, "_styled", None):
            return
        was_dark = getattr(self, "_styled", (None, dark))[1]
        self._styled = (state, dark)
        if was_dark != dark:  # the theme changed under the shown verdicts: their colours follow
            before, after = (COLOURS, DARK_COLOURS) if dark else (DARK_COLOURS, COLOURS)
            for part in (self.head, self.details):
                text = part.text()
                for st, colour in before.items():
                    text = text.replace(f"color:{colour}", f"color:{after[st]}")
                part.setText(text)
        back, border = (_DARK_BACKGROUNDS if dark else _BACKGROUNDS)[state]
        self.setStyleSheet(f"#verdictBanner {{ background: {back}; border: 1px solid {border}; border-radius: 3px; }}"
                           f" #verdictBanner QLabel {{ color: {_TEXT[dark]}; background: transparent; }}")

    def changeEvent(self, event):
        super().changeEvent(event)
        # The theme changed: the banner's colours follow (its own style sheet sets no window colour).
        changes = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)
        if event.type() in changes and self.state is not None:
            self._restyle(self.state)

    def text(self) -> str:
        """The banner as plain text: what a test or a screen reader reads."""
        if self.isHidden():
            return ""
        shown = [self.head] + ([self.details] if self.toggle.isChecked() else [])
        return "\n".join(_plain(label.text()) for label in shown)


class VerdictOverlay(QObject):
    """The banner above a dashboard's plots, and its objective lines, burn plot and recovery marks."""

    def __init__(self, dashboard, timeline=None):
        super().__init__(dashboard)
        self.dashboard = dashboard
        self.timeline = timeline  # the Faults pane's timeline, marked with the finished run's recovery
        self.session: RunSession | None = None
        self.banner = VerdictBanner()
        # Right under the dashboard's header row, above the failure message and the legend.
        dashboard.layout().insertWidget(1, self.banner)
        self.burn_plot: pg.PlotItem | None = None  # in the dashboard's grid while a run has objectives
        # Made with the window, and its items with it (kept, hidden, between runs): a new PlotItem
        # costs tens of ms, and making a run's burn curves, pace line and objective lines as its
        # objectives arrive took 6-11 ms a tick, the longest ticks of a run's start.
        self._burn_item = self._new_burn_plot()  # the one burn plot, in the grid (burn_plot) or not
        self._pace = self._new_pace_line()
        self._burn_colour: int | None = None  # the words' colour the burn plot was last drawn in
        self._follow_palette()
        self._spare_regions: list[pg.LinearRegionItem] = [self._new_burn_region()]
        self._spare_burn_curves = [self._new_burn_curve() for _ in range(SPARE_BURN_CURVES)]
        self._spare_lines: dict[str, list[pg.InfiniteLine]] = {
            plot: [self._new_threshold_line(plot) for _ in range(SPARE_THRESHOLD_LINES)]
            for plot in ("latency", "errors")}
        self._reserved = False  # the design declares objectives: banner and burn plot hold their place
        self._threshold_lines: list[tuple[str, pg.InfiniteLine, float]] = []
        self._label_texts: dict[pg.InfiniteLine, tuple[str, ...]] = {}  # each line's label, longest first
        self._burn_items: list = []  # the run's fault windows on the burn plot
        self._burn_curves: list[tuple[LiveCurve, str, tuple[str, int]]] = []
        self._marks: list[pg.InfiniteLine] = []
        self._specs_key: tuple | None = None
        self._burn_built = False  # the burn plot holds the curves of the objectives in _specs_key
        self._marked: tuple | None = None
        dashboard.log_latency.toggled.connect(self._place_latency_lines)
        for key in ("latency", "errors"):
            # Zoomed, resized, or its axis fitted anew: a label clear of the curves may cover one now.
            dashboard.plots[key].vb.sigTransformChanged.connect(self._place_labels_later)
        dashboard.installEventFilter(self)  # threshold labels' backgrounds follow the theme
        # After the dashboard's own handler, which leaves the readout alone outside its plots.
        dashboard.plots_widget.scene().sigMouseMoved.connect(self._on_mouse_moved)

    # -- sessions -------------------------------------------------------------------
    def show_empty(self) -> None:
        self.session = None
        self._clear()
        self.banner.show_verdicts(None)
        self._mark_timeline()

    def set_stale(self, stale: bool) -> None:
        """Say in the banner that the objectives shown are no longer the design's (``objectives_changed``)."""
        if stale != self.banner.stale:
            self.banner.stale = stale
            if self.session is not None and self.banner.isVisible():
                self.banner.show_verdicts(self.session)

    def show_session(self, session: RunSession, built: bool = True) -> None:
        """A new run (live or reopened): objective items are built once its objectives are known.

        ``built``: False leaves the items its frames so far call for to ``stages``, done by the caller
        (a part a tick, as a run's start does)."""
        self.session = session
        self.banner.stale = False
        self._clear()
        design = session.design
        # Objectives come with the run's first frame; placing their banner and burn plot then would
        # resize every plot mid-run. A design that declares them gets their room before the first paint.
        declared = [(c.name, o.describe()) for c in design.components for o in getattr(c, "objectives", None) or []] \
            if design is not None and session.status == RUNNING else []
        self._reserved = bool(declared)
        if self._reserved:
            plot = self._place_burn_plot()
            self.banner.expect(session, declared, 2 if len(session.variant_names) > 1 else 1)
            if self.dashboard.isVisible():
                # Out of the run's first paint, as the dashboard's plots after the first (see
                # StagedDrawing._hold_back_plots): painted a tick later.
                plot.setOpacity(0.0)
                self.dashboard.later("show burn plot", lambda: plot.setOpacity(1.0))
        if built:
            # At once: a reopened run is shown whole.
            for _name, stage in self.stages():
                stage()

    def refresh(self) -> None:
        """Bring banner, burn curves and recovery marks up to the session's data, a part per timer
        tick of the dashboard (each part costs about as much as a row of plots)."""
        if self.session is None:
            return
        for name, stage in self.stages():
            self.dashboard.later(name, stage)

    def stages(self) -> list[tuple[str, Callable[[], bool]]]:
        """The parts of the objectives' items, each costing about a row of plots; False from a part
        that found nothing to do."""
        return [("objective lines", self._refresh_items), ("burn plot", self._refresh_burn_items),
                ("verdict banner", self._refresh_banner), ("burn curves", self._refresh_burn),
                ("recovery marks", self._draw_marks), ("objective labels", self._place_labels)]

    def _waiting(self, session: RunSession) -> bool:
        """The design declares objectives, and the run has not named them yet."""
        return self._reserved and not objective_specs(session) and not session.done

    def _refresh_items(self) -> bool:
        """Objective lines for the run's objectives, made again only when those change (False: unchanged)."""
        session = self.session
        if session is None:
            return False
        specs = objective_specs(session)
        key = tuple((s["client"], s["index"], str(s["objective"])) for s in specs)
        if key == self._specs_key:
            return False
        self._clear(keep_plot=bool(specs) or self._waiting(session))
        self._specs_key = key
        if specs:
            self._build(specs)
        return True

    def _refresh_burn_items(self) -> bool:
        session = self.session
        if session is None or not self._specs_key or self._burn_built:
            return False
        self._build_burn(objective_specs(session))
        return True

    def _refresh_banner(self) -> bool:
        session = self.session
        if session is not None and not self._waiting(session):
            self.banner.show_verdicts(session)
        # A run without objectives only hid the banner: no tick of its own for that.
        return bool(self._specs_key)

    def _refresh_burn(self) -> bool:
        if self.session is None:
            return False
        if not self._burn_built:
            self._mark_timeline()  # no objectives, no marks: cleared, at little cost
            return False
        self._draw_burn()
        self._mark_timeline()
        return True

    def _mark_timeline(self) -> None:
        if self.timeline is None:
            return
        session = self.session
        verdicts = verdicts_of(session) if session is not None and not undecided(session) else None
        marks: dict[str, list[tuple[float, str, str, str]]] = {}
        for m in recovery_marks(verdicts, False) if verdicts is not None else []:
            marks.setdefault(str(m.fault_id), []).append((m.time, COLOURS[m.state], SYMBOLS[m.state], m.text))
        if marks != self.timeline.recovery:
            self.timeline.set_recovery(marks)

    # -- building ----------------------------------------------------------------------
    def _clear(self, keep_plot: bool = False) -> None:
        for key, line, _value in self._threshold_lines:
            line.hide()  # kept for the next run's objectives
            self._spare_lines[key].append(line)
        self._threshold_lines = []
        self._label_texts = {}
        self._keep_lines_in_view()
        if self.burn_plot is not None:
            self._release_burn_items()
            set_title(self.burn_plot, BURN_TITLE)
        if self.burn_plot is not None and not keep_plot:
            self.dashboard.plots["throughput"].sigXRangeChanged.disconnect(self._follow_range)
            self.dashboard.plots_widget.removeItem(self.burn_plot)
            widget = self.dashboard.plots_widget
            widget.setMinimumHeight(widget.minimumHeight() - BURN_PLOT_MIN_HEIGHT - PLOT_GRID_SPACING)
            self.burn_plot = None
        self._burn_items, self._burn_curves, self._marks = [], [], []
        self._burn_built = False
        self._specs_key = None
        self._marked = None

    def _release_burn_items(self) -> None:
        """Hide the burn plot's curves, pace line and fault windows for the next run; drop its marks."""
        self._pace.hide()
        for region in self._burn_items:
            region.hide()
            self._spare_regions.append(region)
        for item, _variant, _key in self._burn_curves:
            item.setData([], [])
            item.hide()
            self._spare_burn_curves.append(item)
        for line in self._marks:
            self._burn_item.removeItem(line)

    def _build(self, specs: list[dict]) -> None:
        # The client's name only where several have objectives: in a 1280-wide window a plot is
        # narrower than "browsers error budget 5 %", which then ran over the axis.
        several = len({spec["client"] for spec in specs}) > 1
        for j, spec in enumerate(specs):
            colour = OBJECTIVE_COLOURS[j % len(OBJECTIVE_COLOURS)]
            objective = spec["objective"]
            who = f"{spec['client']} " if several else ""
            if objective["kind"] == "latency":
                # In seconds, as the latency plot's curves (its axis shows ms where the range asks).
                self._add_threshold("latency", objective["threshold"], colour,
                                    f"{who}p{objective['percentile']:g} ≤ {_ms(objective['threshold'])}",
                                    f"{who}≤ {_ms(objective['threshold'])}")
            else:
                budget = _budget(objective["target"])
                self._add_threshold("errors", (1.0 - objective["target"]) * 100.0, colour,
                                    f"{who}error budget {budget}", f"{who}{budget}")
                if objective.get("latency_threshold") is not None:
                    self._add_threshold("latency", objective["latency_threshold"], colour,
                                        f"{who}good ≤ {_ms(objective['latency_threshold'])}",
                                        f"{who}≤ {_ms(objective['latency_threshold'])}")
        self._place_latency_lines()
        self._keep_lines_in_view()

    def _keep_lines_in_view(self) -> None:
        # The latency axis is fitted to its curves (the errors plot always spans 0-100 %): a
        # threshold far above them showed only once a spike reached it.
        self.dashboard.keep_in_view("latency", [v for key, _line, v in self._threshold_lines if key == "latency"])

    def _add_threshold(self, plot: str, value: float, colour: str, *texts: str) -> None:
        """An objective's line at ``value`` across ``plot``, labelled with the first of ``texts`` (the
        shorter ones where the plot has no room for it clear of the curves)."""
        spare = self._spare_lines[plot]
        line = spare.pop() if spare else self._new_threshold_line(plot)
        line.setPen(pg.mkPen(QColor(colour), width=1, style=Qt.PenStyle.DashDotLine))
        line.setPos(value)
        line.show()
        # On the plot's background, so that neither its own line nor a curve runs through the words.
        line.label.fill = self._label_fill()
        line.label.setColor(colour)
        line.label.setFormat(texts[0])  # once shown: a hidden label leaves its text as it was
        line.label.setToolTip(texts[0])  # whole, where the plot has room only for a shorter label
        put_label(line, texts[0], *THRESHOLD_LABEL_PLACES[0])  # a line kept from the last run: where it starts
        self._label_texts[line] = texts
        self._threshold_lines.append((plot, line, value))

    def _new_threshold_line(self, plot: str) -> pg.InfiniteLine:
        """An objective's line across plot ``plot``, hidden until a run's objectives take it."""
        position, anchor = THRESHOLD_LABEL_PLACES[0]
        line = pg.InfiniteLine(pos=0.0, angle=0, movable=False, label="",
                               labelOpts={"position": position, "anchors": [anchor, anchor],
                                          "fill": self._label_fill()})
        line.setZValue(40)
        line.hide()
        self.dashboard.plots[plot].addItem(line)
        return line

    def _label_fill(self) -> QBrush:
        background = QColor(self.dashboard.palette().base().color())
        background.setAlpha(LABEL_FILL_ALPHA)
        return QBrush(background)

    def eventFilter(self, watched, event):
        if watched is self.dashboard and event.type() == QEvent.Type.PaletteChange:
            for line in [line for _key, line, _value in self._threshold_lines] + self._marks:
                line.label.fill = self._label_fill()  # TextItem paints its fill from this
                line.label.update()
            self._follow_palette()
        return False

    def _follow_palette(self) -> None:
        """The burn plot's title, axes and pace line in the dashboard's colour of words, as its other
        plots: the burn plot is made once with the window, and lives through theme switches and the
        light palette a report's picture is drawn in (``plot_export.in_light_palette``)."""
        text = self.dashboard.palette().text().color()
        # Palette events also come with the colours unchanged: restyled then, every axis would repaint.
        if text.rgba() == self._burn_colour:
            return
        self._burn_colour = text.rgba()
        plot = self._burn_item
        colour_axes(plot, text)
        set_title(plot, plot.titleLabel.text, text)
        self._pace.setPen(pg.mkPen(QColor(text), width=1, style=Qt.PenStyle.DotLine))
        self._pace.label.setColor(text)

    def _place_labels_later(self, *_args) -> None:
        session = self.session
        if session is not None and session.done and self._threshold_lines:
            self.dashboard.later("objective labels", self._place_labels)

    def _place_labels(self) -> bool:
        """Put each objective's label where it covers no curve of its plot, nor another label, once the
        run is over (a live run's curves move under them); False when there are none to place."""
        session = self.session
        if session is None or not session.done or not self._threshold_lines:
            return False
        taken: dict[str, list[tuple[float, float, float, float]]] = {}
        for key, line, _value in self._threshold_lines:
            put_label(line, *threshold_label_place(self.dashboard.plots[key], line, self._label_texts[line],
                                                    taken.setdefault(key, [])))
        return True

    def _place_latency_lines(self, *_args) -> None:
        # A log axis plots log10 of the values: the lines move with it.
        log = self.dashboard.log_latency.isChecked()
        for plot, line, value in self._threshold_lines:
            if plot == "latency":
                line.setPos(math.log10(value) if log and value > 0 else value)

    def _place_burn_plot(self) -> pg.PlotItem:
        """The burn plot in the dashboard's grid, under the plots (already there: left as it is)."""
        if self.burn_plot is not None:
            return self.burn_plot
        widget = self.dashboard.plots_widget
        plot = self._burn_item
        plot.setOpacity(1.0)  # held back from a run's first paint by a job that a newer run may have dropped
        # Across all three columns: spanning fewer would hand its width to those and narrow the third.
        # pyqtgraph lays the whole grid out at once as it adds an item (for use without an event
        # loop): 4-5 ms at a run's start, done again by the layout request the addition posts.
        grid = widget.ci.layout
        grid.activate = _layout_later
        try:
            widget.addItem(plot, row=grid.rowCount(), col=0, colspan=3)
        finally:
            del grid.activate
        # The plots need the room for it too, or the scroll area squeezes the rows above it.
        widget.setMinimumHeight(widget.minimumHeight() + BURN_PLOT_MIN_HEIGHT + PLOT_GRID_SPACING)
        # Follows the plots' time range by hand: an x link would align it by screen position, and it
        # spans the columns of plots.
        self.dashboard.plots["throughput"].sigXRangeChanged.connect(self._follow_range)
        plot.setMouseEnabled(x=False, y=False)
        self.burn_plot = plot
        return plot

    def _build_burn(self, specs: list[dict]) -> None:
        session = self.session
        assert session is not None  # refresh() builds the plot only for a session
        plot = self._place_burn_plot()
        self._pace.show()
        self._pace.label.valueChanged()  # placed once shown: hidden, it kept its place from before
        for window in session.fault_windows:
            region = self._spare_regions.pop() if self._spare_regions else self._new_burn_region()
            region.setRegion((window.start, window.end))
            region.show()
            self._burn_items.append(region)
        several = len(session.variant_names) > 1
        one_client = len({spec["client"] for spec in specs}) == 1
        keys = []
        for j, spec in enumerate(specs):
            colour = OBJECTIVE_COLOURS[j % len(OBJECTIVE_COLOURS)]
            name = label(_describe(spec["objective"])) if one_client else \
                f"{spec['client']} {label(_describe(spec['objective']))}"
            keys.append(f"<span style='color:{colour}'>■ {_e(name)}</span>")
            for variant in session.variant_names:
                pen = pg.mkPen(QColor(colour), width=1)
                pen.setStyle(_PEN_STYLES[VARIANT_STYLES.get(variant if several else "protected", "solid")])
                pen.setCosmetic(True)
                item = self._spare_burn_curves.pop() if self._spare_burn_curves else self._new_burn_curve()
                item.setPen(pen)
                item.show()
                self._burn_curves.append((item, variant, (spec["client"], int(spec["index"]))))
        plot.setXRange(*self.dashboard.plots["throughput"].vb.viewRange()[0], padding=0)
        self._burn_built = True
        # The key is in the title: a legend inside so short a plot would cover the curves.
        set_title(plot, f"{BURN_TITLE} &nbsp; {' &nbsp; '.join(keys)}", self.dashboard.palette().text().color())

    def _on_mouse_moved(self, scene_pos) -> None:
        """Over the burn plot, the readout gives each objective's burn rate at that time."""
        plot, session = self.burn_plot, self.session
        if plot is None or session is None or not plot.sceneBoundingRect().contains(scene_pos):
            return
        t = plot.vb.mapSceneToView(scene_pos).x()
        b = math.floor(t / session.bucket)
        parts = [f"<b>t = {format_time(max(0.0, t))}</b>"]
        several = len(session.variant_names) > 1
        for item, variant, key in self._burn_curves:
            verdicts = verdicts_of(session, variant)
            match = next((v for v in verdicts.objectives if v.key == key), None) if verdicts else None
            if match is None or not 0 <= b < len(match.burn_rate) or not np.isfinite(match.burn_rate[b]):
                continue
            tag = f" ({_SHORT_VARIANTS.get(variant, variant)})" if several else ""
            colour = item.opts["pen"].color().name()
            parts.append(f"<span style='color:{colour}'>{_e(label(match.label))}{_e(tag)}</span> "
                         f"burn {match.burn_rate[b]:.3g}×")
        self.dashboard.set_readout(" &nbsp; ".join(parts))

    @staticmethod
    def _new_burn_plot() -> pg.PlotItem:
        plot = pg.PlotItem()
        # Its title carries the key of every objective: clipped, or it would widen the whole grid.
        clip_title(plot)
        set_title(plot, BURN_TITLE)
        plot.setMaximumHeight(BURN_PLOT_HEIGHT)
        plot.setMinimumHeight(BURN_PLOT_MIN_HEIGHT)
        plot.setClipToView(True)
        plot.getAxis("left").setWidth(44)
        for name in ("left", "bottom"):
            plot.getAxis(name).setCacheMode(AXIS_CACHE)  # copied, not painted, as the curves redraw
        return plot

    def _new_pace_line(self) -> pg.InfiniteLine:
        """The burn plot's 1x line, hidden until a run has objectives; coloured by ``_follow_palette``."""
        # Its label under the line while the line is in the upper half of the plot, over it in the
        # lower half: always over it, the label lost its top while burn rates stayed within budget.
        pace = pg.InfiniteLine(pos=_burn_y(1.0), angle=0, movable=False, label="budget pace",
                               labelOpts={"position": 0.01, "anchors": [(0, 0), (0, 1)]})
        pace.hide()
        self._burn_item.addItem(pace, ignoreBounds=True)
        return pace

    def _new_burn_region(self) -> pg.LinearRegionItem:
        region = pg.LinearRegionItem(movable=False, brush=pg.mkBrush(211, 54, 45, 28), pen=pg.mkPen(211, 54, 45, 70))
        region.setZValue(-10)
        region.hide()
        self._burn_item.addItem(region, ignoreBounds=True)
        return region

    def _new_burn_curve(self) -> LiveCurve:
        item = LiveCurve()
        item.setDownsampling(1, False)  # every bucket drawn, as the plot's own default has it
        item.hide()
        self._burn_item.addItem(item)
        return item

    def _follow_range(self, _view, x_range) -> None:
        if self.burn_plot is not None:
            self.burn_plot.setXRange(*x_range, padding=0)

    # -- drawing -------------------------------------------------------------------------
    def _draw_burn(self) -> None:
        session = self.session
        assert session is not None  # refresh() draws only for a session
        top = 1.0
        for item, variant, key in self._burn_curves:
            verdicts = verdicts_of(session, variant)
            match = next((v for v in verdicts.objectives if v.key == key), None) if verdicts else None
            if match is None:
                item.setData([], [])
                continue
            burn = np.asarray(match.burn_rate, dtype=np.float64)
            x = np.arange(len(burn), dtype=np.float64) * session.bucket + session.bucket / 2
            item.setData(x, _burn_y(burn))
            if np.any(np.isfinite(burn)):
                top = max(top, float(np.nanmax(burn)))
        if self.burn_plot is not None:
            self.burn_plot.setYRange(0, _burn_y(top) * 1.1, padding=0)
            ticks = [(_burn_y(b), f"{b:g}×") for b in (1, 10, 100, 1000, 10000) if b <= top * 1.1]
            axis = self.burn_plot.getAxis("left")
            if axis._tickLevels != [ticks, []]:  # the same ticks set again would paint the axis afresh
                axis.setTicks([ticks, []])

    def _draw_marks(self) -> bool:
        """A line where each variant's journey recovered after each fault, or where it failed to;
        False if they are as they were.

        A part of its own: its labels are placed in the plots' layout, and with the burn curves a
        run's start tick took 10-16 ms."""
        session = self.session
        if self.burn_plot is None or session is None or not self._burn_built:
            return False
        running = undecided(session)
        marks = []
        for variant in session.variant_names:
            verdicts = verdicts_of(session, variant)
            if verdicts is not None:
                marks += [(variant, m.time, m.state, m.short) for m in recovery_marks(verdicts, running)
                          if m.breached or m.state != MET]
        key = tuple(marks)
        if key == self._marked:
            return False
        plots = self.dashboard.plots_widget
        if marks and plots.layout_pending and self.dashboard.starting:
            # Placed once a run's start has laid the plots out, on a tick of its own after its parts
            # are in place: laid out here and the labels placed with them, a tick took 10-16 ms.
            self.dashboard.later("recovery marks", self._draw_marks)
            return False
        self._marked = key
        for line in self._marks:
            self.burn_plot.removeItem(line)
        self._marks = []
        if not marks:
            return True
        # Each label's side is chosen from the view's width and range: the plots' layout, which may
        # wait for their next paint, settled first, and the range just set applied.
        plots.settle()
        self.burn_plot.vb.updateMatrix()
        several = len(session.variant_names) > 1
        labels = [f"{SYMBOLS[state]} {text}{_tag(variant, several)}" for variant, _t, state, text in marks]
        sides = mark_sides([t for _v, t, _s, _x in marks], labels, self.burn_plot)
        for (variant, t, state, text), words, (left, high, shown) in zip(marks, labels, sides, strict=True):
            tag = _tag(variant, several)
            pen = pg.mkPen(COLOURS[state], width=2)
            pen.setStyle(_PEN_STYLES[VARIANT_STYLES.get(variant if several else "protected", "solid")])
            line = pg.InfiniteLine(pos=t, angle=90, movable=False, pen=pen, label=words,
                                   labelOpts={**mark_label_options(left, high, COLOURS[state]),
                                              "fill": self._label_fill()})
            line.setZValue(45)
            # Compact: at 1280x720 the burn plot's view is about 35 px high, two labels' room.
            line.label.setFont(mark_font(self.burn_plot))
            line.label.textItem.document().setDocumentMargin(MARK_LABEL_MARGIN)
            line.label.updateTextPos()
            line.label.setVisible(shown)
            line.setToolTip(f"{text}{tag} at {format_time(t)}")
            self.burn_plot.addItem(line, ignoreBounds=True)
            self._marks.append(line)
        return True

    @property
    def recovery_marks(self) -> list[tuple[float, str]]:
        """Where recovery (or its absence) is marked: (time, label text)."""
        return [(float(line.value()), line.label.toPlainText()) for line in self._marks]


def burn_columns(session: RunSession) -> list[tuple[str, np.ndarray]]:
    """Each objective's burn rate per bucket and variant, as columns for the dashboard's CSV export."""
    several = len(session.variant_names) > 1
    columns = []
    for variant in session.variant_names:
        verdicts = verdicts_of(session, variant)
        for v in verdicts.objectives if verdicts is not None else []:
            tag = f" ({VARIANT_LABELS.get(variant, variant)})" if several else ""
            columns.append((f"{v.client} {label(v.label)} error-budget burn{tag}", np.asarray(v.burn_rate)))
    return columns


# -- the burn plot ------------------------------------------------------------------------
def _layout_later() -> None:
    """In place of a layout's ``activate``: the layout request Qt posts lays it out."""


def _burn_y(burn):
    """Burn rates on a log scale that keeps 0: from within the budget to a hundred times over, readable at once."""
    return np.log10(1.0 + np.maximum(burn, 0.0))


def _describe(objective: dict) -> str:
    """The model's own one-line description of an objective given as data."""
    return OBJECTIVE_CLASSES[objective["kind"]].model_validate(objective).describe()


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.4g} ms" if seconds < 1 else f"{seconds:.4g} s"


def _budget(target: float) -> str:
    return f"{(1.0 - target) * 100:.3g} %"


def _plain(rich: str) -> str:
    doc = QTextDocument()
    doc.setHtml(rich)
    return doc.toPlainText()


def _e(text: str) -> str:
    return html.escape(str(text), quote=False)


def _tag(variant: str, several: bool) -> str:
    return f" ({_SHORT_VARIANTS.get(variant, variant)})" if several else ""


__all__ = ["BURN_TITLE", "VerdictBanner", "VerdictOverlay", "burn_columns"]


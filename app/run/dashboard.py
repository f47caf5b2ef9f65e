"""The live dashboard: pyqtgraph plots of a run, its comparison table and the time cursor.

Curves are created once per session and component choice and then only
``setData`` is called on views of the session's preallocated buffers, from a
QTimer at 25 Hz that redraws only when a frame has arrived. Plots clip to the
view and downsample (peak) automatically; the x grid is the run's evenly
spaced bucket grid, which auto downsampling needs.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QAction, QColor, QPen
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QSlider,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..theme import secondary_text
from .breaker_strip import BreakerStrip
from .comparison_table import ComparisonTable
from .dashboard_header import DashboardHeader
from .elide import CurrentPageStack
from .formatting import (
    FAILURE_KINDS,
    OUTCOME_COLOURS,
    format_time,
)
from .live_curve import LiveCurve
from .plot_export import PlotExports
from .plot_grid import (
    FITTED_Y,
    PLOT_GRID_SPACING,
    PLOT_POSITIONS,
    PLOT_ROW_MIN_HEIGHT,
    PLOT_TITLES,
    PlotsView,
    add_plot_menu,
    build_plots,
    enlarge_plot,
    show_time_axis,
)
from .plot_style import colour_axes, readout_html, series_colour
from .plot_style import pen as _pen
from .plot_style import set_title as _set_title
from .plot_window import PlotWindow, pop_out
from .session import FAILED, RUNNING, VARIANT_LABELS, RunSession
from .staging import StagedDrawing
from .verdicts import verdict_rows

CURVE_PLOTS = ("throughput", "latency", "utilisation", "queue", "errors")
# Per plot: curves per component and variant (latency has p99 and p50) x 2 components x 3 variants.
SPARE_CURVES = {"throughput": 6, "latency": 12, "utilisation": 6, "queue": 6, "errors": 2}
PLOT_ROWS_MIN_HEIGHT = 2 * PLOT_ROW_MIN_HEIGHT + PLOT_GRID_SPACING
TABLE_SHARE = 0.3  # of the width beside the plots
# A comparison's figures and objectives with the runs side by side (three_tier's need 480 px with the
# table's frame and scroll bar), where the plots keep three columns of 240 px beside it.
TABLE_SIDE_BY_SIDE_WIDTH = 500
PLOTS_MIN_WIDTH_BESIDE_TABLE = 720


class _Curve:
    """One plotted line and where its values come from."""

    def __init__(self, item: LiveCurve, plot: str, component: str, variant: str, metric: str, label: str):
        self.item = item
        self.plot = plot
        self.component = component
        self.variant = variant
        self.metric = metric
        self.label = label
        self.values = np.zeros(0)


class Dashboard(QWidget, DashboardHeader, PlotExports, StagedDrawing):
    """Plots, comparison table and time cursor for one ``RunSession`` at a time."""

    cursor_moved = Signal(float)  # simulated seconds, when the user scrubs or clicks a plot
    variant_changed = Signal(str)  # the variant the canvas should colour by
    keep_requested = Signal()
    report_requested = Signal()
    design_picture_requested = Signal(str)  # "png" or "svg": the canvas is the window's to draw

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.session: RunSession | None = None
        self.components: list[str] = []
        self.frames_drawn = 0
        self.cursor_time: float | None = None
        self._header_of: RunSession | None = None  # the run whose title was last placed
        self._init_staging()
        self._curves: list[_Curve] = []
        self._stack: list[LiveCurve] = []
        self._regions: list[tuple[str, pg.LinearRegionItem]] = []
        self._stack_items: list[LiveCurve] = []  # made with the dashboard, kept (see _clear_items)
        self._spare_regions: dict[str, list[pg.LinearRegionItem]] = {}
        self._user_components = False
        self._component_actions: dict[str, QAction] = {}
        self._build()
        self.show_empty()

    # -- building ------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        # Tight above and below: in a 1280x720 window each pixel of height is one the plots lack.
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(2)

        self._build_header(layout)

        self.placeholder = QLabel(
            "<p style='font-size:11pt'><b>No run yet.</b></p>"
            "<p>Pick an experiment in the run toolbar and press <b>Run</b> (F5).<br>"
            "Tick <b>Compare</b> to watch the design with and without its resilience patterns side by side.</p>"
            "<p>Throughput, error rate by outcome, latency, utilisation, queues and circuit breakers "
            "appear here as the run goes; the event log beside it lists what happened.</p>")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setStyleSheet("color: palette(mid); padding: 4px 12px;")
        self.placeholder.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.plots_widget = PlotsView()
        # The plots have no keyboard use (the time slider and the table read them): Tab stopping on
        # them, or on their scroll area, left the focus where nothing showed it.
        self.plots_widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.plots_widget.setMinimumHeight(PLOT_ROWS_MIN_HEIGHT)
        self.splitter.addWidget(self.plots_widget)
        self.table_box = ComparisonTable()
        self.table_box.all_rows_check.toggled.connect(lambda _on: self._fill_table())
        self.table = self.table_box.table
        self.table_box.hide()
        self.splitter.addWidget(self.table_box)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 2)
        self.pages = CurrentPageStack()
        self.pages.addWidget(self.placeholder)
        self.pages.addWidget(self.splitter)
        # In a short dock (1280x720, a banner above) the plots keep a readable height and scroll
        # rather than being squeezed flat.
        # shadows QWidget.scroll(dx, dy), which nothing calls on the dashboard; the name is read outside
        self.scroll: QScrollArea = QScrollArea()  # type: ignore[assignment]
        self.scroll.setObjectName("dashboardPlots")
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(self.pages)
        layout.addWidget(self.scroll, 1)

        slider_row = QHBoxLayout()
        slider_row.addWidget(QLabel("Time"))
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip("Scrub through the run: the canvas shows each component's health at that time")
        self.slider.valueChanged.connect(self._on_slider)
        slider_row.addWidget(self.slider, 1)
        self.time_label = QLabel("–")
        self.time_label.setMinimumWidth(80)
        slider_row.addWidget(self.time_label)
        layout.addLayout(slider_row)

        self.enlarged: str | None = None
        self.popped: dict[str, PlotWindow | None] = {}  # plots in windows of their own
        self.plots = build_plots(self.plots_widget)
        for key, plot in self.plots.items():
            add_plot_menu(plot, lambda k=key: self.enlarge(None if self.enlarged == k else k),
                          lambda kind, k=key: self._export_dialog(kind, k), lambda k=key: self.enlarged == k,
                          lambda k=key: pop_out(self, k))
        self._apply_palette()
        self._user_ranged: set[str] = set()
        self._y_marks: dict[str, list[float]] = {}  # lines drawn across a plot, kept in its view
        for key in FITTED_Y:
            self.plots[key].vb.sigRangeChangedManually.connect(lambda *_a, k=key: self._user_ranged.add(k))
        breakers = self.plots["breakers"]
        breakers.setMouseEnabled(y=False)
        self.breaker_strip = BreakerStrip(breakers)
        self._colour_breaker_note()
        self.strip = self.breaker_strip.image

        self._spare: dict[str, list[LiveCurve]] = {key: [] for key in CURVE_PLOTS}
        # One fault window's shading per plot, made before any run needs it (more are made as needed).
        self._spare_regions = {key: [self._new_region(key)] for key in self.plots}
        self._make_stack_items()
        self._stock_curves()

        self._hover_lines: dict[str, pg.InfiniteLine] = {}
        self._cursor_lines: dict[str, pg.InfiniteLine] = {}
        for key, plot in self.plots.items():
            hover = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen((128, 128, 128), style=Qt.PenStyle.DashLine))
            hover.setZValue(50)
            hover.hide()
            plot.addItem(hover, ignoreBounds=True)
            cursor = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen(self.palette().text().color(), width=1.5))
            cursor.setZValue(51)
            cursor.hide()
            plot.addItem(cursor, ignoreBounds=True)
            self._hover_lines[key] = hover
            self._cursor_lines[key] = cursor
        self.plots_widget.scene().sigMouseMoved.connect(self._on_mouse_moved)
        self.plots_widget.installEventFilter(self)
        self.plots_widget.scene().sigMouseClicked.connect(self._on_mouse_clicked)

    def enlarge(self, key: str | None) -> None:
        """Give one plot the whole plot area (None: show all six again)."""
        self.enlarged = key if key in self.plots and key not in self.popped else None
        enlarge_plot(self.plots, self.plots_widget.ci.layout, self.enlarged, away=set(self.popped))

    def _apply_palette(self) -> None:
        """Plot colours follow the application's light or dark look."""
        pal = self.palette()
        background, text = pal.base().color(), pal.text().color()
        # Palette events also come without a change of colour (a style sheet set on a child):
        # restyling the axes then would only make every axis draw itself afresh.
        if (background.rgba(), text.rgba()) == getattr(self, "_palette_applied", None):
            return
        self._palette_applied = (background.rgba(), text.rgba())
        self.plots_widget.setBackground(background)
        for plot in self.plots.values():
            _set_title(plot, plot.titleLabel.text, text)
            colour_axes(plot, text)
        for line in getattr(self, "_cursor_lines", {}).values():
            line.setPen(pg.mkPen(text, width=1.5))
        self._colour_breaker_note()
        if self.session is not None:
            # Series colours are lighter on a dark background: draw the curves again in them.
            self._rebuild_items()
            self.redraw()

    def _colour_breaker_note(self) -> None:
        # The style sheet's quieter text: a fixed grey was dim on the dark background. The palette
        # is first applied before the strip is made, which then takes its colour here too.
        strip = getattr(self, "breaker_strip", None)
        if strip is not None:
            strip.note.setColor(secondary_text(self.palette().base().color().lightness() < 128))

    def eventFilter(self, watched, event):
        if watched is self.plots_widget and event.type() == QEvent.Type.Leave:
            self._hide_hover()
        return super().eventFilter(watched, event)

    def _hide_hover(self) -> None:
        """The pointer left the plots: its dashed line and its readout go (the cursor's readout stays)."""
        for line in self._hover_lines.values():
            line.hide()
        self.set_readout(self._readout(self.cursor_time, None) if self.cursor_time is not None else "")

    def _clear_pointer(self) -> None:
        """Forget the cursor, the hover line and the readout: they belong to the run shown before."""
        self.cursor_time = None
        for line in (*self._hover_lines.values(), *self._cursor_lines.values()):
            line.hide()
        self.set_readout("")

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "plots"):
            self._apply_palette()

    # -- sessions --------------------------------------------------------------
    def show_empty(self) -> None:
        self._timer.stop()
        self._forget_staged()
        self.table_box.setUpdatesEnabled(True)
        self.session = None
        self._clear_pointer()
        self._clear_items()
        self.title_label.setText("")
        self.progress.setValue(0)
        self.progress.setFormat("")
        self.progress.hide()
        self.variant_combo.hide()
        self.pages.setCurrentWidget(self.placeholder)
        self.legend_label.set_entries([])
        self._update_findings()
        self.table_box.hide()
        self.error_label.hide()
        self.slider.setEnabled(False)
        self._set_buttons()

    def show_session(self, session: RunSession, room: Callable[[], object] | None = None,
                     then: list[tuple[str, Callable[[], object]]] | None = None) -> None:
        """Show a new session (live or reopened): build its curves and regions, then draw.

        ``room`` makes the dashboard's room (the dock shown and grown) first; ``then`` (named jobs)
        does the rest of a run's start after. Given either, a visible dashboard is cleared now and
        each part is done on a timer tick of its own, the run painted once they and the layout they
        cause are done (see StagedDrawing.paint_after).
        """
        self._forget_staged()
        # Parts of 2-10 ms of CPU each, with the layout and signals they cause: on two ticks, a run's
        # start took 11-19 ms a tick.
        parts: list[tuple[str, Callable[[], object]]] = [
            ("show the run", partial(self._show_session, session)), ("the run's axes", self._show_axes),
            ("the run's curves", self._rebuild_items), ("the run drawn", self._draw_run)]
        if (room is not None or then is not None) and self.isVisible():
            # Until the run is in place, neither the run before nor "No run yet": an empty dashboard,
            # cheap to paint at the new size the room gives it.
            for page in (self.placeholder, self.splitter):
                page.hide()
            self.paint_after([*([("make room", room)] if room is not None else []),
                              (parts[0][0], self.holding_paint(parts[0][1])), *parts[1:], *(then or [])])
            return
        if room is not None:
            room()
        for _key, job in [*parts, *(then or [])]:
            job()

    def _show_session(self, session: RunSession) -> None:
        """The session's page, header and table: all but its axes and curves."""
        self.session = session
        self.design_edited = False  # until the window, which knows the open design, says otherwise
        self.table_box.setUpdatesEnabled(True)
        self.pages.setCurrentWidget(self.splitter)
        self.progress.show()
        self._user_components = False
        self.components = self._default_components(session)
        self._clear_pointer()
        self.variant_combo.blockSignals(True)
        self.variant_combo.clear()
        for v in session.variant_names:
            self.variant_combo.addItem(f"Canvas: {VARIANT_LABELS.get(v, v)}", v)
        self.variant_combo.setVisible(len(session.variant_names) > 1)
        self.variant_combo.blockSignals(False)
        self.error_label.setVisible(session.status == FAILED)
        self.error_label.setText(session.error)
        self._fill_table()
        if session.status == RUNNING and len(session.variant_names) > 1:
            self.table_box.wait()
            # Its place is kept from the start, but its first paint costs as much as a row of plots:
            # painted on a tick of its own.
            self.table_box.setUpdatesEnabled(False)
            self.later("table paint", lambda: self.table_box.setUpdatesEnabled(True))
        self._update_findings()
        self._update_header()
        self._update_slider()
        self._set_buttons()
        self._share_width()

    def _show_axes(self) -> None:
        """The shown session's time range on every plot, and its fitted y axes back at 0-1, where their fit starts."""
        session = self.session
        if session is None:
            return
        self._user_ranged.clear()
        for key in FITTED_Y:
            self.plots[key].setYRange(0, 1, padding=0)
        anchor = self.plots["throughput"].vb
        for plot in self.plots.values():
            # The plots linked to the first follow it: set one by one, each moved every linked plot
            # again (and the burn plot, which follows by hand), 36 range changes instead of 6.
            if plot.vb is anchor or plot.vb.linkedView(pg.ViewBox.XAxis) is not anchor:
                plot.setXRange(0, session.duration, padding=0.01)

    def _draw_run(self) -> None:
        """Draw the shown session's curves (made by _rebuild_items); a live run's plots after the first held back."""
        session = self.session
        if session is None:
            return
        self.redraw()
        if session.status == RUNNING and self.enlarged is None:
            self._hold_back_plots()
        if session.status == RUNNING:
            self._timer.start()

    def session_updated(self) -> None:
        """A frame arrived: redraw on the next timer tick."""
        self._dirty = {0, 1}
        if len(self.components) < 2:
            self._adopt_default_components()

    def session_ended(self) -> None:
        """The run finished, stopped or failed: table, slider, and the final draw a row per timer tick.

        A whole redraw at once would stall the window for every axis and curve; the timer draws the
        two rows on its next ticks and then stops (``flush`` draws them at once for a reader).
        """
        session = self.session
        if session is None:
            self._timer.stop()
            return
        if len(self.components) < 2:  # keep the pick made during the run: no surprise switch at the end
            self._adopt_default_components()
        self.error_label.setVisible(session.status == FAILED)
        self.error_label.setText(session.error)
        self._update_header()
        self._update_slider()
        self._set_buttons()
        self._dirty = {0, 1}
        self._next_row = 0
        if not self.isVisible():
            self._timer.stop()  # closed or out of sight: showEvent draws it all when it is seen again
        elif not self._timer.isActive():
            self._timer.start()
        # Filling the table costs as much as a row of plots: a tick of its own.
        self.later("table", self._fill_table)
        self.later("findings", self._update_findings)

    def _default_components(self, session: RunSession) -> list[str]:
        clients = session.client_names()
        chosen = clients[:1]
        busiest = session.most_loaded(exclude=chosen)
        if busiest is not None:
            chosen.append(busiest)
        if not chosen and session.components:
            chosen = session.components[:1]
        return chosen

    def set_components(self, names: list[str]) -> None:
        """Plot these components (in this order)."""
        if self.session is None:
            return
        self._user_components = True
        self.components = [n for n in names if n in self.session.components]
        self._rebuild_items()
        self._fill_table()
        self.redraw()

    # -- items --------------------------------------------------------------
    def _clear_items(self) -> None:
        for c in self._curves:
            self._release_curve(c.plot, c.item)
        self._curves = []
        # Kept in their plots for the next run, hidden: making them anew costs the start of a run
        # tens of milliseconds.
        for item in self._stack:
            item.setData([], [])
            item.hide()
        self._stack = []
        for key, region in self._regions:
            region.hide()
            self._spare_regions[key].append(region)
        self._regions = []
        self.breaker_strip.clear()
        for plot in self.plots.values():
            if plot.legend is not None:
                plot.legend.clear()

    def _rebuild_items(self) -> None:
        self._clear_items()
        session = self.session
        if session is None:
            return
        self._fill_components_menu()
        for index, component in enumerate(self.components):
            self._add_component_curves(index, component)
        focus = self.components[0] if self.components else None
        if focus is not None:
            self._build_stack(focus)
        else:  # no stack: the title must not name the component it showed last
            _set_title(self.plots["errors"], PLOT_TITLES["errors"], self.palette().text().color())
        self._build_regions()
        self.breaker_strip.build(session.breakers, session.duration)
        self._update_legend()

    def _add_component_curves(self, index: int, component: str) -> None:
        session = self.session
        assert session is not None  # curves are built for a session's components only
        colour = series_colour(index, self._dark())
        for variant in session.variant_names:
            single = len(session.variant_names) == 1
            tag = "" if single else f" ({VARIANT_LABELS[variant]})"
            style = "protected" if single else variant  # one run alone is drawn solid, whichever it is
            pen = _pen(colour, style)
            self._add_curve("throughput", component, variant, "throughput", pen, f"{component}{tag}")
            self._add_curve("latency", component, variant, "latency_p99", pen, f"{component} p99{tag}")
            self._add_curve("latency", component, variant, "latency_p50", _pen(colour, style, 110),
                            f"{component} p50{tag}")
            self._add_curve("utilisation", component, variant, "utilisation", pen, f"{component}{tag}")
            self._add_curve("queue", component, variant, "queue_length", pen, f"{component}{tag}")

    def _adopt_default_components(self) -> None:
        """Follow the default choice until the user picks; grow in place when only a component is added."""
        if self.session is None or self._user_components:
            return
        wanted = self._default_components(self.session)
        if wanted == self.components:
            return
        if wanted[: len(self.components)] == self.components and self.components:
            # Adding curves is cheap; rebuilding every item mid-run would stall the window.
            for index in range(len(self.components), len(wanted)):
                self._add_component_curves(index, wanted[index])
            self.components = wanted
            self._fill_components_menu()
            self._update_legend()
        else:
            self.components = wanted
            self._rebuild_items()

    def _add_curve(self, plot: str, component: str, variant: str, metric: str, pen: QPen, label: str) -> None:
        pool = self._spare[plot]
        item = pool.pop() if pool else self._new_curve(plot)
        item.setPen(pen)
        item.show()
        self._curves.append(_Curve(item, plot, component, variant, metric, label))

    def _new_curve(self, plot: str) -> LiveCurve:
        item = LiveCurve()
        self.plots[plot].addItem(item)
        return item

    def _release_curve(self, plot: str, item: LiveCurve) -> None:
        """Keep a curve no longer shown for the next one: adding an item to a plot costs a
        millisecond, which mid-run (a component joins the plots) would stall the window."""
        item.setData([], [])
        item.hide()
        self._spare[plot].append(item)

    def _stock_curves(self) -> None:
        """Curves for two components in a three-way comparison, made before any run needs them."""
        for key in CURVE_PLOTS:
            while len(self._spare[key]) < SPARE_CURVES[key]:
                self._spare[key].append(self._new_curve(key))
                self._spare[key][-1].hide()

    def _build_stack(self, focus: str) -> None:
        """Failure outcomes of the focus component stacked as bands; other variants as total lines."""
        session = self.session
        assert session is not None  # built by _rebuild_items, for a session
        _set_title(self.plots["errors"], f"{PLOT_TITLES['errors']} · {focus}", self.palette().text().color())
        # Each band is a curve of the cumulative share filled down to zero, the higher
        # cumulative drawn underneath: the look of a stacked area chart without
        # FillBetweenItem, whose path rebuild on every frame costs more than the plots.
        for item in self._stack_items:
            item.show()
        self._stack = list(self._stack_items)
        for variant in session.variant_names[1:]:
            self._add_curve("errors", focus, variant, "error_rate", _pen(self.palette().text().color().name(), variant),
                            f"{focus} total ({VARIANT_LABELS[variant]})")

    def _new_region(self, key: str) -> pg.LinearRegionItem:
        region = pg.LinearRegionItem(movable=False)
        region.setZValue(-10)
        region.hide()
        self.plots[key].addItem(region, ignoreBounds=True)
        return region

    def _make_stack_items(self) -> None:
        """The bands of the stacked outcomes, made with the dashboard and kept for every run."""
        plot = self.plots["errors"]
        for i, kind in enumerate(FAILURE_KINDS):
            colour = QColor(OUTCOME_COLOURS[kind])
            fill = QColor(colour)
            fill.setAlpha(170)
            item = LiveCurve(pen=pg.mkPen(colour, width=1), fillLevel=0, brush=pg.mkBrush(fill))
            item.setZValue(len(FAILURE_KINDS) - i)
            item.hide()
            plot.addItem(item)
            self._stack_items.append(item)

    def _build_regions(self) -> None:
        session = self.session
        assert session is not None  # built by _rebuild_items, for a session
        for window in session.fault_windows:
            for key in self.plots:
                # A neutral band: every hue is taken by a meaning of its own.
                shade = QColor(self.palette().text().color())
                shade.setAlpha(22)
                edge = QColor(shade)
                edge.setAlpha(80)
                spare = self._spare_regions[key]
                region = spare.pop() if spare else self._new_region(key)
                region.setRegion((window.start, window.end))
                region.setBrush(pg.mkBrush(shade))
                for line in region.lines:
                    line.setPen(pg.mkPen(edge))
                region.show()
                region.setToolTip(f"{window.title}: {format_time(window.start)} – {format_time(window.end)}")
                self._regions.append((key, region))

    def _fill_components_menu(self) -> None:
        names = self.session.components if self.session else []
        if list(self._component_actions) != names:
            # Rebuilt only for a new set of components, never from inside an action's own signal.
            self.components_menu.clear()
            self._component_actions = {}
            for name in names:
                action = QAction(name, self.components_menu)
                action.setCheckable(True)
                action.toggled.connect(lambda on, n=name: self._toggle_component(n, on))
                self.components_menu.addAction(action)
                self._component_actions[name] = action
        for name, action in self._component_actions.items():
            action.blockSignals(True)
            action.setChecked(name in self.components)
            action.blockSignals(False)

    def _toggle_component(self, name: str, on: bool) -> None:
        names = [n for n in self.components if n != name]
        if on:
            names.append(name)
        self.set_components(names)

    def showEvent(self, event):
        super().showEvent(event)
        self._catch_up()

    def _draw_plots(self, keys: set[str], refits: int | None = 1) -> None:
        """Push the session's buffers into the curves of plots ``keys``, and fit their y axes: at most
        ``refits`` of them change range (None: all), the others on their row's next turn."""
        session = self.session
        if session is None:
            return
        for key in keys - self._held_back:
            if self.enlarged in (None, key) and not self.plots[key].isVisible():
                self.plots[key].show()
                # An axis re-sized while hidden (a label or style change) takes no height, and does not
                # grow back when shown: the time label would sit on the values.
                show_time_axis(self.plots[key], self.enlarged is not None or PLOT_POSITIONS[key][0] == 1)
        times: dict[str, np.ndarray] = {}  # one time grid per variant, shared by its curves
        for c in self._curves:
            if c.plot not in keys:
                continue
            data = session.variants.get(c.variant)
            if data is None or data.n == 0:
                c.item.setData([], [])
                c.values = np.zeros(0)
                continue
            x = times.get(c.variant)
            if x is None:
                x = times[c.variant] = session.times(c.variant)
            y = data.column(c.metric, c.component)
            if c.metric.startswith("latency"):
                # No requests finished in a bucket: a gap, not a zero (and no log of zero).
                y = np.where(y > 0, y, np.nan)
            elif c.metric in ("utilisation", "error_rate"):
                y = y * 100.0
            c.values = y
            c.item.setData(x, y)
        if "errors" in keys:
            self._draw_stack()
        if "breakers" in keys:
            self._draw_strip()
        self._fit_y(keys, refits)

    def keep_in_view(self, key: str, values: list[float]) -> None:
        """Fit plot ``key``'s y axis to ``values`` (lines across it, such as objective thresholds) too,
        on a coming tick (``flush`` fits it at once)."""
        self._y_marks[key] = list(values)
        # The axis moves on a tick of its own: moved with the lines that asked, its plot's whole
        # repaint landed with theirs (a run's objectives arriving made a 10-15 ms tick).
        self._fit_y({key}, refits=0)

    def _draw_stack(self) -> None:
        session = self.session
        if session is None or not self._stack or not self.components:
            return
        data = session.variants.get(session.primary)
        if data is None or data.n == 0:
            for item in self._stack:
                item.setData([], [])
            return
        focus = self.components[0]
        x = session.times()
        completed = sum(data.column(k, focus) for k in ("ok", "fallback", *FAILURE_KINDS))
        with np.errstate(invalid="ignore", divide="ignore"):
            scale = np.where(completed > 0, 100.0 / completed, 0.0)
        level = np.zeros(len(x))
        for item, kind in zip(self._stack, FAILURE_KINDS):
            level = level + np.nan_to_num(data.column(kind, focus) * scale)
            item.setData(x, level.copy())

    def _draw_strip(self) -> None:
        session = self.session
        assert session is not None  # drawn with the session's frames only
        if session.breakers != self.breaker_strip.names:
            # A live run names its breakers with its first frame. Their rows and names take a tick of
            # their own (as long as the rest of the row's drawing), the strip drawn on the row's next turn.
            self.later("breaker strip", self._build_strip)
            if session.breakers != self.breaker_strip.names:
                return
        data = session.variants.get(session.primary)
        has_data = data is not None and data.n > 0
        columns = ([data.link_column("breaker_state", name) for name in session.breakers]
                   if data is not None and has_data and "breaker_state" in data.link_series else None)
        self.breaker_strip.draw(columns, session.n_buckets, session.bucket, has_data)

    def _build_strip(self) -> bool:
        session = self.session
        if session is None or session.breakers == self.breaker_strip.names:
            return False  # built already: the tick goes on to the next job
        self.breaker_strip.build(session.breakers, session.duration)
        self._update_legend()
        self._dirty.add(PLOT_POSITIONS["breakers"][0])
        return True

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._place_title()

    def _set_log_latency(self, on: bool) -> None:
        plot = self.plots["latency"]
        time_range = plot.vb.viewRange()[0]
        plot.setLogMode(y=on)
        # Both scales fitted by _fit_y, thresholds included: pyqtgraph's own fit of a log axis
        # counted each threshold line as 1 s.
        plot.enableAutoRange(axis="y", enable=False)
        # setLogMode turns on the fit of both axes: the time axis, which every plot shares, would
        # leave the user's zoom (or the run's span) for the data's span and keep refitting.
        plot.enableAutoRange(axis="x", enable=False)
        plot.setXRange(*time_range, padding=0)
        self._user_ranged.discard("latency")  # a range zoomed on one scale means nothing on the other
        if not on:
            plot.setYRange(0, 1, padding=0)  # the stepped fit grows from here
        self._fit_y({"latency"})

    # -- comparison table ----------------------------------------------------
    def _fill_table(self) -> None:
        session = self.session
        rows = session.table if session is not None else []
        if session is None or not rows:
            self.table_box.hide()
            return
        self.table_box.fill(rows, session.replications, self.components, verdict_rows(session))
        if not self.table_box.isVisible():
            self.table_box.show()
            self._share_width()

    def _share_width(self) -> None:
        """The plots keep most of the width. Where they keep enough beside it (1920x1080), the table
        gets the width for its runs side by side; elsewhere a share, its runs stacked (see comparison_table)."""
        # The pages' width: the splitter's own is stale while the plots' page has been hidden.
        width = max(400, self.scroll.viewport().width())
        wide = width - TABLE_SIDE_BY_SIDE_WIDTH >= PLOTS_MIN_WIDTH_BESIDE_TABLE
        table = TABLE_SIDE_BY_SIDE_WIDTH if wide else int(width * TABLE_SHARE)
        self.splitter.setSizes([width - table, table])

    # -- cursor, crosshair, slider ---------------------------------------------
    def _update_slider(self) -> None:
        session = self.session
        done = session is not None and session.done and session.status != FAILED
        data = session.variants.get(session.primary) if session else None
        n = data.n if data else 0
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(0, n - 1))
        self.slider.setValue(n - 1 if n else 0)
        self.slider.blockSignals(False)
        self.slider.setEnabled(bool(done and n))
        self.time_label.setText(format_time(n * session.bucket) if session and n else "–")

    def _on_slider(self, value: int) -> None:
        if self.session is None:
            return
        t = (value + 0.5) * self.session.bucket
        self._show_cursor(t)
        self.cursor_moved.emit(t)

    def set_cursor(self, t: float) -> None:
        """Move the cursor (and the slider, once the run is over) to simulated time ``t``."""
        if self.session is None:
            return
        self._show_cursor(t)
        if self.slider.isEnabled():
            self.slider.blockSignals(True)
            self.slider.setValue(self.session.bucket_at(t))
            self.slider.blockSignals(False)

    def _show_cursor(self, t: float) -> None:
        self.cursor_time = t
        for line in self._cursor_lines.values():
            line.setPos(t)
            line.show()
        self.time_label.setText(format_time(t))
        self.set_readout(self._readout(t, None))

    def _plot_at(self, scene_pos) -> str | None:
        for key, plot in self.plots.items():
            if plot.sceneBoundingRect().contains(scene_pos):
                return key
        return None

    def _on_mouse_moved(self, scene_pos) -> None:
        key = self._plot_at(scene_pos)
        if key is None or self.session is None:
            for line in self._hover_lines.values():
                line.hide()
            return
        t = self.plots[key].vb.mapSceneToView(scene_pos).x()
        for line in self._hover_lines.values():
            line.setPos(t)
            line.show()
        self.set_readout(self._readout(t, key))

    def _on_mouse_clicked(self, event) -> None:
        key = self._plot_at(event.scenePos())
        if key is None or event.button() != Qt.MouseButton.LeftButton:
            return
        if event.double():
            self.enlarge(None if self.enlarged == key else key)
            return
        if self.session is None:
            return
        t = self.plots[key].vb.mapSceneToView(event.scenePos()).x()
        t = min(max(0.0, t), self.session.duration)
        self.set_cursor(t)
        self.cursor_moved.emit(t)

    def _readout(self, t: float, key: str | None) -> str:
        """Values at time ``t`` of the curves in plot ``key`` (all plots' first curves if None)."""
        return readout_html(self.session, self._curves, self.components, t, key)

    def _on_variant_combo(self, _index: int) -> None:
        variant = self.variant_combo.currentData()
        if variant:
            self.variant_changed.emit(variant)

    @property
    def canvas_variant(self) -> str | None:
        if self.session is None:
            return None
        return self.variant_combo.currentData() or self.session.primary

    # -- what the exports read (see plot_export) ------------------------------
    def hover_lines(self) -> list[pg.InfiniteLine]:
        return list(self._hover_lines.values())

    def curves(self) -> list[_Curve]:
        return list(self._curves)

    def closeEvent(self, event):
        self._timer.stop()
        super().closeEvent(event)

"""Pictures and data of the dashboard's plots: PNG at print resolution, SVG, CSV.

A picture carries what a reader needs without the window beside it: the
run's title, the legend (components, runs, outcomes, breaker states, fault
windows) and each plot with its title and axis units. PNG and SVG are drawn
by the same code, into a QImage or a QSvgGenerator. ``PlotExports`` is the
dashboard's Export menu and the calls behind it.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QByteArray, QEvent, QIODevice, QRectF, QSize, QSizeF, Qt, SignalInstance
from PySide6.QtGui import QColor, QImage, QPainter, QPalette, QPen, QTextDocument
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QMessageBox, QToolButton, QWidget

from engine import text_cell

from ..canvas.export import png_bytes
from ..file_tasks import FILE_NAME_LENGTH, safe_file_name
from ..store import ProjectFileError, save_file
from ..theme import light_palette, show_menu_arrow
from .formatting import FAILURE_KINDS, METRIC_LABELS, OUTCOME_LABELS
from .plot_grid import PLOT_TITLES, PLOT_UNITS, painted_directly
from .plot_style import LEGEND_SEPARATOR, breaker_entry
from .saved import kept_name
from .session import VARIANT_LABELS
from .verdict_view import burn_columns

if TYPE_CHECKING:
    from .session import RunSession

# With a byte-order mark: a spreadsheet opened on a double click (Excel) reads the file as UTF-8
# only with one, and without it shows "ZÃ¼rich" for a component named Zürich.
CSV_ENCODING = "utf-8-sig"
PRINT_SCALE = 2.0  # pixels per screen pixel in a PNG: sharp in a printed document
HEADER_MARGIN = 8.0
# The plots are laid out at least this wide (screen pixels) for a picture, whatever the window's
# size: at 1280x720 the dashboard's plots cut their titles with "…", which a document must not show.
EXPORT_WIDTH = 1400.0
EXPORT_SHAPE = 0.6  # the most a picture's plots grow in height, as a share of EXPORT_WIDTH


@contextmanager
def in_light_palette(widget: QWidget) -> Iterator[None]:
    """Give ``widget`` the light palette while a printed picture is drawn, then its own back.

    A report is read on paper and in mail, so its pictures are drawn light whatever the window's
    theme; the plots restyle themselves from the palette. Nothing is painted in between."""
    if widget.palette().base().color().lightness() >= 128:
        yield
        return
    own = widget.palette() if widget.testAttribute(Qt.WidgetAttribute.WA_SetPalette) else None
    widget.setPalette(light_palette())
    try:
        yield
    finally:
        # An empty palette gives back the inherited one (the application's), as before.
        widget.setPalette(own if own is not None else QPalette())


@contextmanager
def laid_out_for_export(dashboard, key: str | None = None) -> Iterator[None]:
    """Lay the plots out at least ``EXPORT_WIDTH`` wide, and taller, for as long as a picture is
    drawn, the plot ``key`` alone over the whole area (with its time axis); then back as the window
    has them. Nothing is painted in between, so nothing on screen moves."""
    enlarged = dashboard.enlarged
    alone = key is not None and key != enlarged and key not in dashboard.popped
    if alone:
        dashboard.enlarge(key)
    view = dashboard.plots_widget
    old = view.size()
    wide = 0 < old.width() < EXPORT_WIDTH
    if wide:
        # Taller in proportion, but not past a picture's usual shape: from a narrow dock, plots
        # as tall as they are wide read badly.
        height = max(old.height(), min(old.height() * EXPORT_WIDTH / old.width(), EXPORT_WIDTH * EXPORT_SHAPE))
        view.resize(round(EXPORT_WIDTH), round(height))
        view.settle()
    if wide or alone:
        _settle(view)
        # What waits for a tick of the plots laid out anew (objectives' labels placed clear of the
        # curves at this size), done before the picture is drawn.
        dashboard.flush()
    try:
        yield
    finally:
        if wide:
            view.resize(old)
            view.settle()
        if alone:
            dashboard.enlarge(enlarged)
        if wide or alone:
            dashboard.flush()  # and again as the window has them, before the window paints


def _settle(view) -> None:
    """Paint the plots once where nobody sees it, then lay them out again: an axis that has not yet
    painted at a size learns only then how its labels fit, and leaves itself out until it has."""
    area = view.ci.sceneBoundingRect()
    scratch = QImage(max(1, round(area.width())), max(1, round(area.height())), QImage.Format.Format_ARGB32)
    painter = QPainter(scratch)
    with painted_directly(view.scene()):
        view.scene().render(painter, QRectF(scratch.rect()), area)
    painter.end()
    # The plots' own layouts (a plot's axes beside its view) answer their requests in the event
    # loop, which an export does not wait for.
    QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest.value)
    view.ci.layout.activate()


def plots_picture_size(dashboard, key: str | None = None) -> QSizeF:
    """The picture's size in screen pixels: the plots (or one plot) and the header above them."""
    source = _source(dashboard, key)
    header = _header(dashboard, key, source.width())
    return QSizeF(source.width(), header.size().height() + source.height())


def render_plots(dashboard, painter: QPainter, key: str | None = None) -> None:
    """Paint the header and the plots (or the plot ``key``) at the painter's origin, in screen pixels."""
    source = _source(dashboard, key)
    header = _header(dashboard, key, source.width())
    height = header.size().height()
    palette = dashboard.palette()
    painter.fillRect(QRectF(0, 0, source.width(), height + source.height()), palette.base().color())
    header.drawContents(painter)
    # The hover line follows the pointer, not the data: it has no place in a picture.
    hovering = [line for line in dashboard.hover_lines() if line.isVisible()]
    for line in hovering:
        line.hide()
    try:
        with painted_directly(dashboard.plots_widget.scene()):
            dashboard.plots_widget.scene().render(painter, QRectF(0, height, source.width(), source.height()),
                                                  source)
    finally:
        for line in hovering:
            line.show()


@contextmanager
def lines_scaled(scene, scale: float) -> Iterator[None]:
    """Curves, lines across the plots, and the axes' lines and ticks ``scale`` times as wide while a
    picture is drawn at ``scale`` pixels per screen pixel, then as they were. Their pens are cosmetic
    (a width in the device's pixels, whatever the painter's scale): a 1 px curve at 3x printed a third
    as heavy as on screen, and the axes, a hairline beside curves three pixels wide."""
    if scale <= 1.0:
        yield
        return
    put_back: list[Callable[[], None]] = []
    for item in scene.items():
        if isinstance(item, pg.AxisItem):
            put_back += _axis_widened(item, scale)
            continue
        if isinstance(item, pg.PlotCurveItem):
            own = item.opts["pen"]
        elif isinstance(item, pg.InfiniteLine):
            own = item.pen
        else:
            continue
        wide = _widened(own, scale)
        if wide is not None:
            item.setPen(wide)
            put_back.append(partial(item.setPen, own))
    try:
        yield
    finally:
        for undo in put_back:
            undo()


def _widened(pen, scale: float) -> QPen | None:
    """``pen`` ``scale`` times as wide, or None if it draws nothing or is not cosmetic."""
    if not isinstance(pen, QPen) or pen.style() == Qt.PenStyle.NoPen or not pen.isCosmetic():
        return None
    wide = QPen(pen)
    wide.setWidthF(max(1.0, pen.widthF()) * scale)  # width 0 is a one-pixel line
    return wide


def _axis_widened(axis: pg.AxisItem, scale: float) -> list[Callable[[], None]]:
    """Widen the axis's line and ticks (its grid lines are ticks); returns how to put them back."""
    pen, ticks, text = axis.pen(), axis.tickPen(), axis.textPen()
    wide = _widened(pen, scale)
    if wide is None:
        return []
    own_ticks = ticks != pen  # else the ticks take the line's pen
    wide_ticks = _widened(ticks, scale) if own_ticks else None

    def dress(line: QPen, tick: QPen | None) -> None:
        axis.setPen(line)
        if tick is not None:
            axis.setTickPen(tick)
        axis.setTextPen(text)  # setPen gives the axis's label the line's colour

    dress(wide, wide_ticks)
    return [lambda: dress(pen, ticks if wide_ticks is not None else None)]


def plots_image(dashboard, key: str | None = None, scale: float = PRINT_SCALE) -> QImage:
    """The plots as an image, ``scale`` pixels per screen pixel, their lines as heavy as on screen."""
    size = plots_picture_size(dashboard, key)
    image = QImage(QSize(max(1, round(size.width() * scale)), max(1, round(size.height() * scale))),
                   QImage.Format.Format_ARGB32)
    image.fill(dashboard.palette().base().color())
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    painter.scale(scale, scale)
    with lines_scaled(dashboard.plots_widget.scene(), scale):
        render_plots(dashboard, painter, key)
    painter.end()
    return image


def plots_png(dashboard, key: str | None = None, scale: float = PRINT_SCALE) -> bytes:
    """``plots_image`` as PNG bytes."""
    return png_bytes(plots_image(dashboard, key, scale))


def plots_svg(dashboard, key: str | None = None) -> bytes:
    """The plots as SVG: lines and text stay sharp at any size."""
    size = plots_picture_size(dashboard, key)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(size.toSize())
    generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
    generator.setTitle(_title_text(dashboard, key))
    # The screen's resolution: fonts in points and pyqtgraph's cached axis pictures then land where
    # they do on screen (QSvgGenerator assumes 72 dpi).
    generator.setResolution(dashboard.logicalDpiX())
    painter = QPainter(generator)
    render_plots(dashboard, painter, key)
    painter.end()
    buffer.close()
    return bytes(data.data())


def save_plots(dashboard, path: str | Path, key: str | None = None) -> Path:
    """Write the plots (or one plot) to ``path``: SVG or PNG by its suffix, PNG if it has neither."""
    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg"):
        path = path.with_suffix(".png")
    with laid_out_for_export(dashboard, key):
        data = plots_svg(dashboard, key) if path.suffix.lower() == ".svg" else plots_png(dashboard, key)
    return save_file(path, data)


def export_file(dashboard, path: Path, key: str | None = None) -> Path:
    """Write the plots (or one) as PNG or SVG, or the plotted data as CSV, by the suffix of ``path``."""
    if path.suffix.lower() == ".csv":
        return write_csv(dashboard, path)
    return save_plots(dashboard, path, key)


def with_suffix(path: Path, kind: str) -> Path:
    """``path`` ending in ``.kind``: another export's suffix is replaced, anything else is part of
    the name ("results v1.2") and the suffix is added after it."""
    suffix = path.suffix.lower()
    if suffix == f".{kind}":
        return path
    if suffix in (".png", ".svg", ".csv"):
        return path.with_suffix(f".{kind}")
    return path.with_name(f"{path.name}.{kind}")


def default_file_name(session, what: str = "plots") -> str:
    """design - experiment - what - date, safe in any file system."""
    parts = [session.design_name, session.experiment or "no faults"] if session is not None else ["faultline"]
    if session is not None and (kept := kept_name(session)):
        parts.append(kept)  # "before the fix" and "after" of one experiment in one folder
    tail = f" - {what} - {date.today().isoformat()}"
    # A name cut at the file systems' safe length lost its end: long design and experiment names
    # gave the data and the events the same file. The longest of the names is shortened instead.
    names = [safe_file_name(p) for p in parts]
    while len(" - ".join(names)) > FILE_NAME_LENGTH - len(tail) and max(map(len, names)) > 1:
        longest = max(range(len(names)), key=lambda i: len(names[i]))
        names[longest] = names[longest][:-1].rstrip(" .-")
    return safe_file_name(" - ".join(names) + tail)


def write_csv(dashboard, path: str | Path) -> Path:
    """Every plotted series on the bucket grid: one column per curve, with its unit; stacked outcomes too."""
    session = dashboard.session
    if session is None:
        raise ValueError("there is no run to export")
    x = session.times()
    several = session.is_comparison

    def run(variant: str) -> str:
        return f" ({VARIANT_LABELS.get(variant, variant)})" if several else ""

    # Plain headers, component and figure in words and the unit: a plot's title says what only its
    # picture shows ("p50 pale"), and the curve's label reads as a key only beside its title.
    columns: list[tuple[str, np.ndarray]] = []
    for c in dashboard.curves():
        unit = dashboard.plot_unit(c.plot)
        figure = METRIC_LABELS.get(c.metric, PLOT_TITLES[c.plot]).lower()
        columns.append((f"{c.component} {figure}{f' ({unit})' if unit else ''}{run(c.variant)}", c.values))
    data = session.variants.get(session.primary)
    if data is not None and dashboard.components:
        focus = dashboard.components[0]
        for kind in FAILURE_KINDS:
            columns.append((f"{focus} {OUTCOME_LABELS[kind]} (count){run(session.primary)}", data.column(kind, focus)))
        for name in session.breakers:
            columns.append((f"breaker {name} (0 closed, 1 open, 2 half-open){run(session.primary)}",
                            data.link_column("breaker_state", name)))
    columns += burn_columns(session)
    text = io.StringIO(newline="")
    w = csv.writer(text)
    w.writerow(["time_s", *(text_cell(name) for name, _ in columns)])
    for i, t in enumerate(x):
        w.writerow([csv_number(t, TIME_DIGITS), *(_cell(values, i) for _, values in columns)])
    return save_file(path, text.getvalue().encode(CSV_ENCODING))


def _source(dashboard, key: str | None) -> QRectF:
    if key is not None:
        return dashboard.plots[key].sceneBoundingRect()
    return dashboard.plots_widget.ci.sceneBoundingRect()


def _title_text(dashboard, key: str | None) -> str:
    session = dashboard.session
    what = session.title() if session is not None else "Faultline"
    if session is not None and (kept := kept_name(session)):
        what = f"{kept}: {what}"  # as its report is titled
    return f"{dashboard.plot_title(key)} — {what}" if key is not None else what


def _header(dashboard, key: str | None, width: float) -> QTextDocument:
    """The run's title and the legend, as rich text as wide as the plots."""
    text = QColor(dashboard.palette().text().color()).name()
    doc = QTextDocument()
    doc.setDocumentMargin(HEADER_MARGIN)
    font = dashboard.font()
    doc.setDefaultFont(font)
    doc.setDefaultStyleSheet(f"body {{ color: {text}; }}")
    legend = dashboard.legend_label.text()
    if dashboard.session is not None and dashboard.session.breakers:
        # On screen the strip's title carries the states' key; a picture repeats it in whole words.
        legend += LEGEND_SEPARATOR + breaker_entry()
    doc.setHtml(f"<body><b>{_escape(_title_text(dashboard, key))}</b><br>{legend}</body>")
    doc.setTextWidth(width)
    return doc


def _escape(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell(values: np.ndarray, i: int) -> str:
    if i >= len(values) or not np.isfinite(values[i]):
        return ""
    return csv_number(float(values[i]))


TIME_DIGITS = 10  # a bucket's time exact in runs of years: 31536001.5 s, not 3.1536e+07


def csv_number(value: float, digits: int = 6) -> str:
    """A number as a spreadsheet reads it best: whole numbers (counts, and times past a million
    seconds) exact, others to ``digits`` significant figures, never in powers of ten (a time read
    "2.999e+06", and a count of 1234567 in a bucket "1.23457e+06", its last digits lost)."""
    if value == round(value) and abs(value) < 1e15:
        return str(int(value))
    return np.format_float_positional(value, precision=digits, unique=True, fractional=False, trim="-")


class PlotExports:
    """The dashboard's Export menu and the exports behind it; mixed into ``Dashboard``."""

    session: RunSession | None
    design_picture_requested: SignalInstance  # "png" or "svg": the canvas is the window's to draw
    flush: Callable[[], None]  # draws what a timer tick would have drawn, so an export is up to date

    def _build_export_button(self) -> QToolButton:
        button = QToolButton()
        button.setText("Export")
        button.setToolTip("Save the plots as a picture (PNG at print resolution, or SVG) with their "
                          "title and legend, the plotted data as CSV, or the design as a picture")
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        show_menu_arrow(button)
        self.export_menu = QMenu(button)
        self.export_menu.addAction("Plots as PNG…", lambda: self._export_dialog("png"))
        self.export_menu.addAction("Plots as SVG…", lambda: self._export_dialog("svg"))
        self.export_menu.addAction("Plotted Data as CSV…", lambda: self._export_dialog("csv"))
        self.export_menu.addSeparator()
        self.export_menu.addAction("Design as PNG…", lambda: self.design_picture_requested.emit("png"))
        self.export_menu.addAction("Design as SVG…", lambda: self.design_picture_requested.emit("svg"))
        button.setMenu(self.export_menu)
        return button

    def plot_title(self, key: str) -> str:
        return PLOT_TITLES[key]

    def plot_unit(self, key: str) -> str:
        return PLOT_UNITS[key]

    def plots_png(self, width: int | None = None, key: str | None = None, light: bool = False) -> bytes:
        """The plots (or the plot ``key``) with title and legend as PNG; ``width`` in pixels, else at 2x.
        ``light``: in the light palette whatever the window's theme (for the report)."""
        self.flush()
        with in_light_palette(cast(QWidget, self)) if light else nullcontext(), laid_out_for_export(self, key):
            scale = width / plots_picture_size(self, key).width() if width else PRINT_SCALE
            return plots_png(self, key, scale)

    def export_png(self, path: str | Path, key: str | None = None) -> Path:
        """Save the plots (or one) as a PNG at print resolution."""
        self.flush()
        return save_plots(self, Path(path).with_suffix(".png"), key)

    def export_svg(self, path: str | Path, key: str | None = None) -> Path:
        """Save the plots (or one) as SVG."""
        self.flush()
        return save_plots(self, Path(path).with_suffix(".svg"), key)

    def export_csv(self, path: str | Path) -> Path:
        """Every plotted series on the bucket grid: one column per curve, stacked outcomes included."""
        self.flush()
        return write_csv(self, path)

    def default_file_name(self, what: str = "plots") -> str:
        """design - experiment - what - date, safe in any file system."""
        return default_file_name(self.session, what)

    def _export_dialog(self, kind: str, key: str | None = None) -> None:
        if self.session is None:
            return
        filters = {"png": "PNG image (*.png)", "svg": "SVG drawing (*.svg)", "csv": "CSV (*.csv)"}
        what = "data" if kind == "csv" else (PLOT_TITLES[key].split(",")[0].lower() if key else "plots")
        path, _ = QFileDialog.getSaveFileName(cast(QWidget, self), "Export", f"{self.default_file_name(what)}.{kind}",
                                              filters[kind])
        if not path:
            return
        try:
            export_file(self, with_suffix(Path(path), kind), key)
        except ProjectFileError as exc:
            QMessageBox.warning(cast(QWidget, self), "Cannot export", str(exc))

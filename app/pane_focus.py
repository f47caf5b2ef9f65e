"""F6 and Shift+F6: the keyboard moves between the window's panes, not through every field.

Tab walks a pane's fields in order, but from the canvas it reaches the Properties fields only
after the toolbars' two dozen controls; desktop tools let F6 jump from region to region (the
canvas and each pane in view, row by row as a reader meets them), and so does this window.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QScrollArea, QTabBar, QToolBar, QWidget

from .panes.tab_order import in_layout_order


def panes(window: QMainWindow) -> list[QWidget]:
    """The regions F6 visits: the central widget and every dock on screen (of a tabbed group,
    the one in front), in reading order."""
    central = window.centralWidget()
    regions: list[QWidget] = [central] if central is not None else []
    regions += [d for d in window.findChildren(QDockWidget) if d.isVisible() and not d.visibleRegion().isEmpty()]

    def place(region: QWidget) -> tuple[int, int]:
        corner = region.mapTo(window, QPoint(0, 0))
        return corner.y(), corner.x()

    return sorted(regions, key=place)


def first_field(region: QWidget) -> QWidget | None:
    """The first control laid out in ``region`` that takes the focus: a field before the scroll
    area that holds it (Properties is a scroll area of fields), the region itself last."""
    if region.focusPolicy() & Qt.FocusPolicy.TabFocus and region.isEnabled():
        return region
    inside = region.widget() if isinstance(region, QDockWidget) else region
    laid_out = list(in_layout_order(inside)) if inside is not None else []
    takers = [w for w in laid_out if w.isVisible() and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus]
    return next((w for w in takers if not isinstance(w, QScrollArea)), takers[0] if takers else None)


def region_of(window: QMainWindow, widget: QWidget | None) -> QWidget | None:
    """The pane (or the central widget) ``widget`` is in."""
    regions = panes(window)
    while widget is not None and widget is not window:
        if widget in regions:
            return widget
        widget = widget.parentWidget()
    return None


def move_to_pane(window: QMainWindow, step: int) -> QWidget | None:
    """Give the focus to the next (``step`` 1) or previous (-1) pane's first control; the pane it
    went to, or None when no pane takes the focus."""
    regions = panes(window)
    if not regions:
        return None
    here = region_of(window, window.focusWidget())
    start = regions.index(here) if here in regions else (-1 if step > 0 else 0)
    for turn in range(1, len(regions) + 1):
        region = regions[(start + step * turn) % len(regions)]
        target = first_field(region)
        if target is not None:
            target.setFocus(Qt.FocusReason.TabFocusReason if step > 0 else Qt.FocusReason.BacktabFocusReason)
            return region
    return None


def tab_stops(window: QMainWindow) -> list[QWidget]:
    """Every control Tab stops at in ``window``, in the order a reader meets them: the toolbars, the
    canvas, each pane and the status bar, row by row, and in each its controls as laid out. Panes
    tabbed together come one after the other (Tab brings each forward: PaneKeeper).

    Qt's own chain is the order widgets were made, and a pane's fields are made again whenever
    the selection changes: they came after everything else, so a pane's header and its fields
    lay far apart in it, and leaving a pane from its last field skipped half the window."""
    def corner(widget: QWidget) -> tuple[int, int]:
        at = widget.mapTo(window, QPoint(0, 0))
        return at.y(), at.x()

    regions: list[tuple[tuple[int, int, int], QWidget]] = []
    central = window.centralWidget()
    if central is not None:
        regions.append(((*corner(central), 0), central))
    for bar in window.findChildren(QToolBar):
        if bar.isVisible() and not bar.isFloating() and bar.parentWidget() is window:
            regions.append(((*corner(bar), 0), bar))
    docks = [d for d in window.findChildren(QDockWidget)
             if d.isVisible() and not d.isFloating() and d.parentWidget() is window]
    tabs = {bar.tabText(i): i for bar in window.findChildren(QTabBar) if bar.parentWidget() is window
            for i in range(bar.count())}
    for dock in docks:
        # Qt moves the panes behind out of the window: the group is where the one in front is,
        # and in it each pane has the place of its tab, whichever is in front
        group = [dock, *window.tabifiedDockWidgets(dock)]
        front = next((d for d in group if d.geometry().top() >= 0 and d.geometry().left() >= 0), dock)
        regions.append(((*corner(front), tabs.get(dock.windowTitle(), 0)), dock))
    status = window.statusBar()
    if status.isVisible():
        regions.append(((*corner(status), 0), status))
    stops: list[QWidget] = []
    for _key, region in sorted(regions, key=lambda item: item[0]):
        inside = region.widget() if isinstance(region, QDockWidget) else region
        if inside is not None:
            stops += [w for w in in_layout_order(inside) if _takes_tab(w) and not isinstance(w, QScrollArea)]
    return stops


def _takes_tab(widget: QWidget) -> bool:
    return widget.isVisible() and widget.isEnabled() and bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)


def tab_from_focus(window: QMainWindow, forward: bool) -> bool:
    """Move the focus as Tab (``forward``) or Shift+Tab does, through ``tab_stops``; False when the
    focus is on none of them (Qt's own chain then)."""
    current = QApplication.focusWidget()
    if current is None or current.window() is not window:
        return False
    stops = tab_stops(window)
    # the innermost stop holding the focus (an editor's own line edit holds it for the editor)
    here = next((i for i in reversed(range(len(stops))) if stops[i] is current or stops[i].isAncestorOf(current)),
                None)
    if here is None:
        return False
    stops[(here + (1 if forward else -1)) % len(stops)].setFocus(
        Qt.FocusReason.TabFocusReason if forward else Qt.FocusReason.BacktabFocusReason)
    return True


def pane_title(region: QWidget) -> str:
    """What the status bar calls ``region``."""
    return region.windowTitle() if isinstance(region, QDockWidget) else "Canvas"


def covered(dock: QDockWidget) -> bool:
    """Whether ``dock`` is open but tabbed behind another: Qt calls it visible all the same."""
    window = dock.parentWidget()
    return (isinstance(window, QMainWindow) and dock.isVisible() and dock.visibleRegion().isEmpty()
            and bool(window.tabifiedDockWidgets(dock)))


def show_pane(dock: QDockWidget, focus: QWidget | None = None) -> None:
    """Bring ``dock`` in front of the panes tabbed with it and give the focus to ``focus`` (its
    first field by default): what an action that fills a pane does, so that the keyboard is there."""
    dock.show()
    dock.raise_()
    target = focus if focus is not None else first_field(dock)
    if target is not None:
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)


class PaneKeeper(QObject):
    """Keeps the keyboard's focus where it can be seen.

    Tab follows Qt's chain, which counts the fields of a pane tabbed behind another as shown: the
    focus went into the hidden Resilience, Faults and Runs panes, and nothing on screen had it. A
    pane the focus enters is brought to the front. And View > Panels > Resilience, with the pane
    tabbed behind Properties, closed it (its item is ticked: open), so that no menu brought it
    forward: chosen there, a covered pane comes to the front with the focus in it.
    """

    def __init__(self, window: QMainWindow):
        # the window is its parent, not an attribute: the application's signal holds this object,
        # and with it a closed window's wrapper
        super().__init__(window)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._focus_changed)

    def watch(self, dock: QDockWidget) -> None:
        dock.installEventFilter(self)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        widget = new
        while widget is not None and not isinstance(widget, QDockWidget):
            widget = widget.parentWidget()
        if widget is not None and widget.parentWidget() is self.parent() and covered(widget):
            widget.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # Only its menu item closes a covered pane: its title bar, close button and all, is hidden.
        if event.type() == QEvent.Type.Close and isinstance(watched, QDockWidget) and covered(watched):
            event.ignore()
            watched.toggleViewAction().setChecked(True)
            show_pane(watched)
            return True
        return super().eventFilter(watched, event)

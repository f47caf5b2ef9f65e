"""The dashboard's header: the run's title with the progress bar and buttons, the error line, the
legend, and the line of reasons ("Why") shared with the readout of the values under the pointer.

``DashboardHeader`` is mixed into ``Dashboard``, which builds the rest (plots, table, slider).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QProgressBar,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
)

from ..theme import show_menu_arrow
from .elide import FittedLabel, LegendLabel, place_title
from .plot_style import LEGEND_SEPARATOR, legend_entries, legend_order
from .plot_style import esc as _esc
from .session import FAILED, RUNNING, STOPPED

if TYPE_CHECKING:
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QLayout

    from .session import RunSession

SHOWN_FINDINGS = 1  # reasons under the header, on one line; all of them in its tooltip and the report


def title_forms(design: str, experiment: str, seed: int, replications: int, status: str) -> list[str]:
    """The run's title, then shorter forms for a narrow dashboard: the seed and replications go
    first, then the experiment, so that the design's name is cut last (it read "Three-tier we…")."""
    name, state = f"<b>{_esc(design)}</b>", f"<i>{status}</i>"
    reps = f" · {replications} replications" if replications > 1 else ""
    return [f"{name} · {_esc(experiment)} · seed {seed}{reps} · {state}", f"{name} · {_esc(experiment)} · {state}",
            f"{name} · {state}", name]


WHY_LINK = "#why"


class DashboardHeader:
    """The title, buttons, legend and reasons of a ``Dashboard``."""

    design_edited = False  # the open design differs from the one the shown run ran (set_design_edited)
    # The dashboard's, read here (see dashboard.py).
    session: RunSession | None
    components: list[str]
    _header_of: RunSession | None
    export_button: QToolButton
    palette: Callable[[], QPalette]
    layout: Callable[[], QLayout | None]
    width: Callable[[], int]
    keep_requested: object
    report_requested: object
    _set_log_latency: Callable[[bool], None]
    _on_variant_combo: Callable[[int], None]
    _build_export_button: Callable[[], QToolButton]

    def _build_header(self, layout: QBoxLayout) -> None:
        # The title goes on a line of its own above the buttons when they leave it too little room
        # (see _place_title).
        # One item of the dashboard's layout, both lines: the verdict banner goes in after it.
        head = QVBoxLayout()
        head.setSpacing(layout.spacing())
        self._title_line = QHBoxLayout()
        self._title_line.setSpacing(12)  # as between the reasons and the readout, when they join the title
        head.addLayout(self._title_line)
        header = self._header = QHBoxLayout()
        self.title_label = FittedLabel()
        header.addWidget(self.title_label, 1)
        header.addStretch(0)  # holds the buttons to the right while the title is on its own line
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.progress.setMaximumWidth(150)
        header.addWidget(self.progress)
        self.components_button = QToolButton()
        self.components_button.setText("Components")
        self.components_button.setToolTip("Choose the components the plots show")
        self.components_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        show_menu_arrow(self.components_button)
        self.components_menu = QMenu(self.components_button)
        self.components_button.setMenu(self.components_menu)
        header.addWidget(self.components_button)
        self.log_latency = QCheckBox("Log latency")
        self.log_latency.setToolTip("Logarithmic latency axis")
        self.log_latency.toggled.connect(self._set_log_latency)
        header.addWidget(self.log_latency)
        self.variant_combo = QComboBox()
        self.variant_combo.setToolTip("Which run the canvas colours its components by")
        self.variant_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.variant_combo.currentIndexChanged.connect(self._on_variant_combo)
        header.addWidget(self.variant_combo)
        self.export_button = self._build_export_button()
        header.addWidget(self.export_button)
        self.keep_button = QToolButton()
        self.keep_button.setText("Keep run")
        self.keep_button.setToolTip("Keep this run in the project (saved with it)")
        self.keep_button.clicked.connect(self.keep_requested)
        header.addWidget(self.keep_button)
        self.report_button = QToolButton()
        self.report_button.setText("Report…")
        self.report_button.setToolTip("Export an HTML report of this run")
        self.report_button.clicked.connect(self.report_requested)
        header.addWidget(self.report_button)
        head.addLayout(header)
        layout.addLayout(head)

        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setObjectName("runError")  # its colours follow the theme (resources/style/app.qss)
        self.error_label.hide()
        layout.addWidget(self.error_label)

        self.legend_label = LegendLabel(LEGEND_SEPARATOR)
        # One line kept from the start, empty or not: the first frames add entries (a component
        # joins the plots), and a legend that grew then would resize the plots mid-run.
        self.legend_label.setMinimumHeight(self.legend_label.fontMetrics().lineSpacing() + 2)
        layout.addWidget(self.legend_label)

        self.why_label = FittedLabel(own_tooltip=True)  # the tooltip lists every reason
        self.why_label.setObjectName("runFindings")
        self.why_label.setProperty("secondary", True)
        self.why_label.setMinimumHeight(self.why_label.fontMetrics().height() + 2)
        # One line: a taller label centred its text under an empty strip.
        self.why_label.setMaximumHeight(self.why_label.minimumHeight())
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        # Its line is kept while hidden: reasons that arrive as a run ends must not resize the plots.
        policy.setRetainSizeWhenHidden(True)
        self.why_label.setSizePolicy(policy)
        # "Why" is a link to every reason in full: the line shows a few, cut to its width, and a
        # tooltip alone left the keyboard, and anyone who does not hover, without the rest.
        self.why_label.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                               | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.why_label.linkActivated.connect(lambda _link: self.show_reasons())
        self.reasons_box: QMessageBox | None = None
        self.why_label.hide()
        # The values under the pointer share the line of reasons: a line of its own stood empty
        # between the legend and "Why" until the pointer went over a plot.
        self.readout = FittedLabel()
        self.readout.setMinimumHeight(self.readout.fontMetrics().height() + 2)
        self.readout.hide()
        info_row = self._info_row = QHBoxLayout()
        info_row.setSpacing(12)
        info_row.addWidget(self.why_label, 1)
        info_row.addWidget(self.readout, 3)
        layout.addLayout(info_row)

    def _update_header(self) -> None:
        session = self.session
        if session is None:
            return
        status = {RUNNING: "running", STOPPED: "stopped", FAILED: "failed"}.get(session.status, "finished")
        if self.design_edited:
            status += " · design edited since"
        forms = title_forms(session.design_name, session.experiment or "no faults", session.seed,
                            session.replications, status)
        # Asked on every frame: the title is placed again only when its words or the run (and with
        # it the buttons beside it) change; a new width places it from resizeEvent.
        if forms[0] != self.title_label.text() or self._header_of is not session:
            self._header_of = session
            self.title_label.set_forms(forms)
            self._place_title()
        data = session.variants.get(session.primary)
        now = data.now if data else 0.0
        if session.status == RUNNING and session.replication > 0:
            shown = f"replication {session.replication + 1} of {session.replications}"
        else:
            shown = f"{now:.0f} / {session.duration:.0f} s" if session.duration < 1e5 else "%p %"
        value = int(session.progress * 1000)
        if (value, shown) == (self.progress.value(), self.progress.format()):
            return  # letting updates through again would repaint the bar all the same
        # A progress bar repaints itself (and with it whatever else of the window waits) the moment
        # its value changes: with updates held it is painted with the rest of the window instead.
        self.progress.setUpdatesEnabled(False)
        self.progress.setValue(value)
        self.progress.setFormat(shown)
        self.progress.setUpdatesEnabled(True)

    def set_design_edited(self, edited: bool) -> None:
        """Say in the title that the design shown on the canvas is no longer the one this run ran:
        the plots answer for the design as it was."""
        if edited != self.design_edited:
            self.design_edited = edited
            self._update_header()

    def _place_title(self) -> None:
        layout = self.layout()
        assert layout is not None  # made in _build
        margins = layout.contentsMargins()
        width = self.width() - margins.left() - margins.right()
        place_title(self.title_label, self._header, self._title_line, width)
        # Where the title takes a line of its own (a 1280x720 window), the reasons and the values
        # under the pointer take the rest of it: their own line's height goes to the plots.
        alone = self._title_line.indexOf(self.title_label) >= 0
        # Whole beside the reasons; among the buttons it gives way (a layout gives a label whose
        # size policy is Ignored no width at all, whatever its minimum).
        minimum = min(self.title_label.whole_width(), width) if alone else 0
        horizontal = QSizePolicy.Policy.Minimum if alone else QSizePolicy.Policy.Ignored
        # Only on a change: placed on every resize, and each change lays the dashboard out again.
        if (minimum, horizontal) != (self.title_label.minimumWidth(), self.title_label.sizePolicy().horizontalPolicy()):
            self.title_label.setMinimumWidth(minimum)
            self.title_label.setSizePolicy(horizontal, QSizePolicy.Policy.Preferred)
            self._title_line.invalidate()  # the title's width changed with its words: the reasons move over
        line = self._title_line if alone else self._info_row
        if line.indexOf(self.why_label) < 0:
            for label, stretch in ((self.why_label, 1), (self.readout, 3)):
                (self._info_row if alone else self._title_line).removeWidget(label)
                line.addWidget(label, stretch)

    def _update_legend(self) -> None:
        self.legend_label.set_entries(legend_entries(self.session, self.components, self._dark()),
                                      legend_order(self.session, self.components))

    def _dark(self) -> bool:
        return self.palette().base().color().lightness() < 128

    def _update_findings(self) -> None:
        """Under the header, the likeliest reasons for what the plots show (all of them in the tooltip)."""
        findings = self.session.findings() if self.session is not None else []
        self.why_label.setVisible(bool(findings))
        if not findings:
            self.why_label.setText("")
            self.why_label.setToolTip("")
            return
        shown = findings[:SHOWN_FINDINGS]
        more = f" (+{len(findings) - len(shown)} more)" if len(findings) > len(shown) else ""
        self.why_label.setText(f'<b><a href="{WHY_LINK}">Why</a>:</b> ' + "; ".join(_esc(f.text) for f in shown)
                               + more)
        self.why_label.setToolTip("<br>".join(f"• {_esc(f.text)}" for f in findings)
                                  + "<br><br>Click “Why” for every reason in full.")

    def show_reasons(self) -> QMessageBox | None:
        """Every reason the run gives for what the plots show, in a window of their own."""
        findings = self.session.findings() if self.session is not None else []
        if not findings:
            return None
        if self.reasons_box is not None:
            self.reasons_box.close()
        box = self.reasons_box = QMessageBox(self.why_label.window())
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle("Why")
        box.setText(f"The likeliest reasons for what the plots of “{_esc(self.session.title())}” show:"
                    if self.session is not None else "")
        box.setInformativeText("<br>".join(f"• {_esc(f.text)}" for f in findings))
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.show()
        return box

    def _set_buttons(self) -> None:
        done = self.session is not None and self.session.done and self.session.status != FAILED
        for button in (self.export_button, self.components_button, self.log_latency):
            button.setEnabled(self.session is not None)
        self.report_button.setEnabled(done)
        keepable = done and self.session is not None and not self.session.saved
        self.keep_button.setEnabled(keepable)
        # A finished run is lost on closing unless kept: make the button hard to miss then.
        self.keep_button.setStyleSheet("font-weight: bold" if keepable else "")

    def mark_kept(self) -> None:
        self._set_buttons()

    def set_readout(self, text: str) -> None:
        """The values under the pointer or the cursor; none: the reasons get the whole line."""
        self.readout.setText(text)
        self.readout.setVisible(bool(text.strip()))

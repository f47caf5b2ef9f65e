"""The Faults pane: the design's experiments, the faults of the current one, and their timeline."""
from __future__ import annotations

import math
import uuid

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from engine.model import FAULT_CLASSES, format_seconds

from ..document import EditRejected, ProjectDocument, kind_label
from ..resources import retint_icons, set_themed_icon
from ..theme import current_canvas_colours, show_menu_arrow
from .fields import ChoiceEditor, TextEditor, secondary_label
from .forms import FAULT_FORMS, FaultForm


def fault_summary(fault, design) -> str:
    """One line for the fault list: kind, target (by name) and window."""
    end = "the end" if fault.duration is None else format_seconds(fault.start + fault.duration)
    repeat = f", every {format_seconds(fault.period)}" if fault.period else ""
    return f"{fault.label} on “{design.name_of(fault.target)}”, {format_seconds(fault.start)} → {end}{repeat}"


def tick_label_rect(x: float, text_width: float, width: float, top: float) -> QRectF:
    """Where a time tick's label goes: centred under its tick, but kept inside the widget (the run's
    last tick, at its right end, showed "300" without its unit)."""
    room = text_width + 2
    left = min(max(0.0, x - room / 2), width - room)
    return QRectF(left, top, room, 14)


class FaultTimeline(QWidget):
    """One row per fault: when it is active over the run; click a row to select that fault."""

    fault_clicked = Signal(object)

    ROW = 16

    def __init__(self, parent=None):
        super().__init__(parent)
        self.faults: list = []
        self.targets: dict = {}
        self.selected = None
        self.run_duration: float | None = None
        # From the last run: fault id (text) -> (time, colour, symbol, words) per activation
        self.recovery: dict[str, list[tuple[float, str, str, str]]] = {}
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setToolTip("When each fault is active over the run. Hatched bars repeat; an arrow runs to the end.")
        self.setAccessibleName("Fault timeline")

    def set_faults(self, faults: list, selected=None, targets: dict | None = None) -> None:
        """``targets``: each fault's target by name, by fault id (the names from the last call are kept)."""
        self.faults = list(faults)
        self.selected = selected
        if targets is not None:
            self.targets = dict(targets)
        self.updateGeometry()
        self.update()

    def set_run_duration(self, seconds: float | None) -> None:
        """Show the run's own length (the run toolbar knows it); faults beyond it stay visible."""
        self.run_duration = seconds
        self.update()

    def set_recovery(self, marks: dict[str, list[tuple[float, str, str, str]]]) -> None:
        """Mark where the last run's journeys recovered after each fault (or that they did not)."""
        self.recovery = dict(marks)
        words = [f"{f.title} on {self.targets.get(f.id, '?')}: {text}"
                 for f in self.faults for _t, _c, _s, text in marks.get(str(f.id), [])]
        base = self.toolTip().split("\n\nLast run:")[0]
        self.setToolTip(base + ("\n\nLast run:\n" + "\n".join(words) if words else ""))
        self.update()

    def horizon(self) -> float:
        """The run's length if known, else at least a minute; widened to show every fault and recovery mark."""
        end = self.run_duration or 60.0
        for f in self.faults:
            last = f.start + (f.duration or 0) + (f.period or 0)
            end = max(end, last * 1.15)
            end = max([end] + [t * 1.08 for t, *_rest in self.recovery.get(str(f.id), [])])
        return end

    def sizeHint(self) -> QSize:
        return QSize(240, 24 + max(1, len(self.faults)) * self.ROW)

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    LABELS = 118  # width of the label column on the left

    def _x(self, t: float, width: float, horizon: float) -> float:
        left = self.LABELS + 8
        return left + (width - left - 12) * min(1.0, t / horizon)

    def paintEvent(self, event) -> None:
        c = current_canvas_colours()
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w = self.width()
        horizon = self.horizon()
        pal = self.palette()
        p.fillRect(self.rect(), pal.base())
        font = QFont(self.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1.5))
        p.setFont(font)
        fm = QFontMetricsF(font)
        axis_y = self.height() - 16
        p.setPen(QPen(pal.mid().color(), 1))
        p.drawLine(int(self._x(0, w, horizon)), axis_y, w - 12, axis_y)
        for t in _ticks(horizon):
            x = self._x(t, w, horizon)
            p.setPen(QPen(pal.mid().color(), 1))
            p.drawLine(int(x), 2, int(x), axis_y + 3)
            p.setPen(pal.placeholderText().color())
            text = format_seconds(t)
            p.drawText(tick_label_rect(x, fm.horizontalAdvance(text), w, axis_y + 2),
                       Qt.AlignmentFlag.AlignHCenter, text)
        if not self.faults:
            p.setPen(pal.placeholderText().color())
            p.drawText(QRectF(self.LABELS, 0, w - self.LABELS, axis_y), Qt.AlignmentFlag.AlignCenter, "no faults yet")
            return
        for row, f in enumerate(self.faults):
            y = 4 + row * self.ROW
            colour = QColor(c.fault) if f.enabled else QColor(pal.mid().color())
            if f.id == self.selected:
                p.fillRect(QRectF(0, y - 2, w, self.ROW), pal.alternateBase())
            label = f"{kind_label(f.kind)} · {self.targets.get(f.id, '?')}"
            p.setPen(pal.text().color() if f.id == self.selected else pal.placeholderText().color())
            p.drawText(QRectF(4, y - 1, self.LABELS, self.ROW),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                       fm.elidedText(label, Qt.TextElideMode.ElideMiddle, self.LABELS - 4))
            if self.run_duration:
                # The run ends here: the part of the strip beyond it is shaded.
                x_end = self._x(self.run_duration, w, horizon)
                if x_end < w - 12:
                    p.fillRect(QRectF(x_end, y - 2, w - 12 - x_end, self.ROW), pal.midlight())
            for start, end in f.windows(horizon):
                x0, x1 = self._x(start, w, horizon), self._x(end, w, horizon)
                rect = QRectF(x0, y + 1, max(3.0, x1 - x0), self.ROW - 6)
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(colour)
                p.drawRoundedRect(rect, 3, 3)
                if f.duration is None:
                    # Open-ended: an arrow head says "until the end of the run".
                    p.setPen(QPen(colour, 1.5))
                    mid = rect.center().y()
                    p.drawLine(int(rect.right()) + 1, int(mid) - 3, int(rect.right()) + 4, int(mid))
                    p.drawLine(int(rect.right()) + 1, int(mid) + 3, int(rect.right()) + 4, int(mid))
            for t, colour_name, symbol, _text in self.recovery.get(str(f.id), []):
                x = self._x(t, w, horizon)
                mark = QColor(colour_name)
                p.setPen(QPen(mark, 2))
                p.drawLine(int(x), y, int(x), y + self.ROW - 4)
                p.drawText(QRectF(x + 2, y - 1, 14, self.ROW),
                           Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, symbol)

    def mousePressEvent(self, event) -> None:
        row = int((event.position().y() - 4) // self.ROW)
        if 0 <= row < len(self.faults):
            self.fault_clicked.emit(self.faults[row].id)


def fit_rows(view: QListWidget, most: int = 6) -> None:
    """Make a short list only as tall as its rows, so the form below gets the room."""
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    rows = max(1, min(most, view.count()))
    height = view.sizeHintForRow(0) if view.count() else 18
    view.setFixedHeight(rows * max(height, 18) + 2 * view.frameWidth() + 4)


def _ticks(horizon: float) -> list[float]:
    raw = horizon / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(int(horizon // step) + 1)]


class FaultInjectionPanel(QWidget):
    """Experiments of the design (create, rename, duplicate, delete) and the faults of the current one."""

    pick_requested = Signal()  # the user wants to click the fault's target on the canvas
    # ("fault", experiment id, fault id, field path) of a field the user asked to sweep
    sweep_requested = Signal(object)

    def __init__(self, document: ProjectDocument, parent=None):
        super().__init__(parent)
        self.doc = document
        self.fault_id: uuid.UUID | None = None
        self.form: FaultForm | None = None
        self.recall: dict = {}  # ModelForm.recall of the fault forms, which come and go with the kind shown
        outer = QVBoxLayout(self)
        outer.setContentsMargins(10, 8, 10, 10)
        outer.setSpacing(6)
        exp_row = QHBoxLayout()
        exp_label = QLabel("Experiment")
        exp_label.setObjectName("paneTitle")
        self.experiments = ChoiceEditor()
        self.experiments.setObjectName("experimentChooser")
        self.experiments.setToolTip("The experiment whose faults are shown here and badged on the canvas.")
        self.experiments.committed.connect(self.doc.set_current_experiment)
        exp_row.addWidget(exp_label)
        exp_row.addWidget(self.experiments, 1)
        self.new_exp = self._button("add", "New experiment", self.new_experiment)
        self.dup_exp = self._button("duplicate", "Duplicate this experiment", self.duplicate_experiment)
        self.del_exp = self._button("delete", "Delete this experiment", self.delete_experiment)
        for b in (self.new_exp, self.dup_exp, self.del_exp):
            exp_row.addWidget(b)
        outer.addLayout(exp_row)
        name_row = QHBoxLayout()
        name_row.addWidget(QLabel("Name"))
        self.exp_name = TextEditor()
        self.exp_name.setObjectName("experimentName")
        self.exp_name.setToolTip("Rename the experiment (Enter to apply).")
        self.exp_name.committed.connect(self.rename_experiment)
        name_row.addWidget(self.exp_name, 1)
        outer.addLayout(name_row)
        about_row = QHBoxLayout()
        about_row.addWidget(QLabel("About"))
        self.exp_about = TextEditor()
        self.exp_about.setObjectName("experimentDescription")
        self.exp_about.setPlaceholderText("what this experiment asks, e.g. does the breaker hold when the DB dies?")
        self.exp_about.setToolTip("A note on the experiment's purpose, saved with it (Enter to apply).")
        self.exp_about.committed.connect(self.describe_experiment)
        about_row.addWidget(self.exp_about, 1)
        outer.addLayout(about_row)
        self.exp_error = QLabel()
        self.exp_error.setObjectName("fieldError")
        self.exp_error.setWordWrap(True)
        self.exp_error.hide()
        self._error_about: uuid.UUID | None = None
        outer.addWidget(self.exp_error)
        self.timeline = FaultTimeline()
        self.timeline.fault_clicked.connect(self.select_fault)
        outer.addWidget(self.timeline)
        bar = QHBoxLayout()
        self.add_button = QToolButton()
        self.add_button.setText("Add fault")
        set_themed_icon(self.add_button, "bolt")
        self.add_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        show_menu_arrow(self.add_button)
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        self.add_actions: dict[str, QAction] = {}
        for kind, cls in FAULT_CLASSES.items():
            action = menu.addAction(cls.label)
            action.setToolTip(cls.help)
            action.triggered.connect(lambda _=False, k=kind: self.add_fault(k))
            self.add_actions[kind] = action
        # Each entry names where the fault would go: the choice is seen before it is made.
        menu.aboutToShow.connect(self._name_targets)
        self.add_button.setMenu(menu)
        self.remove_button = self._button("remove", "Remove the selected fault", self.remove_fault)
        bar.addWidget(self.add_button)
        bar.addStretch(1)
        bar.addWidget(self.remove_button)
        outer.addLayout(bar)
        self.list = QListWidget()
        self.list.currentItemChanged.connect(self._current_changed)
        outer.addWidget(self.list)
        self.message = secondary_label()
        outer.addWidget(self.message)
        # The form at its full height: the dock scrolls the whole pane (window_fit), where a scroll area
        # of its own got what the list left, as little as 40 px of a form.
        self.body = QVBoxLayout()
        self.fault_title = secondary_label()
        self.body.addWidget(self.fault_title)
        self.form_holder = QVBoxLayout()
        self.body.addLayout(self.form_holder)
        self.body.addStretch(1)
        outer.addLayout(self.body, 1)
        d = document
        for signal in (d.experiment_added, d.experiment_removed, d.experiment_changed, d.current_experiment_changed,
                       d.design_switched, d.component_changed, d.component_added, d.component_removed,
                       d.link_added, d.link_removed):
            signal.connect(self._on_document_change)
        # A batch (a bulk delete, its undo) sends the signals above once per item: refresh once, at its end.
        self._refresh_pending = False
        d.edited.connect(self._on_edited)
        self.refresh()

    def _on_document_change(self, *_args) -> None:
        if self.doc.batching:
            self._refresh_pending = True
        else:
            self.refresh()

    def _on_edited(self) -> None:
        if self._refresh_pending:
            self.refresh()

    def _button(self, icon_name: str, tip: str, slot) -> QToolButton:
        b = QToolButton()
        set_themed_icon(b, icon_name)
        b.setToolTip(tip)
        b.setAccessibleName(tip)
        b.clicked.connect(slot)
        return b

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            retint_icons(self)

    # -- showing ----------------------------------------------------------------------
    def refresh(self, *_args) -> None:
        self._refresh_pending = False
        design = self.doc.design
        current = self.doc.current_experiment
        self.experiments.set_choices([(e.id, e.name) for e in design.experiments])
        self.experiments.set_value(current.id if current else None)
        for w in (self.dup_exp, self.del_exp, self.exp_name, self.exp_about, self.add_button):
            w.setEnabled(current is not None)
        if current is None or current.id != self._error_about:
            self.exp_error.hide()  # it was about a name typed for another experiment, or a deleted one
        self.exp_name.set_value(current.name if current else "")
        self.exp_about.set_value(current.description if current else "")
        self.list.blockSignals(True)
        self.list.clear()
        faults = current.faults if current else []
        if self.fault_id not in {f.id for f in faults}:
            self.fault_id = faults[0].id if faults else None
        run = self.timeline.run_duration
        for fault in faults:
            late = run is not None and fault.enabled and fault.start >= run
            end = fault.start + fault.duration if fault.duration is not None else None
            cut = run is not None and fault.enabled and not late and end is not None and end > run + 1e-9
            item = QListWidgetItem(fault_summary(fault, self.doc.design)
                                   + (" — after the run ends" if late else " — ends after the run" if cut else ""))
            item.setData(Qt.ItemDataRole.UserRole, fault.id)
            if late and run is not None:
                item.setToolTip(f"Starts at {format_seconds(fault.start)}, after the {format_seconds(run)} run ends: "
                                "a run is refused. Lengthen the run or start the fault earlier.")
            elif cut and run is not None and end is not None:
                item.setToolTip(f"Ends at {format_seconds(end)}, after the {format_seconds(run)} run ends: a run is "
                                "refused. Lengthen the run or shorten the fault.")
            else:
                item.setToolTip(fault.help)
            if late or cut:
                item.setForeground(QColor(current_canvas_colours().warn))
            elif not fault.enabled:
                item.setForeground(self.palette().placeholderText())
            self.list.addItem(item)
            if fault.id == self.fault_id:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        self.list.setVisible(bool(faults))
        fit_rows(self.list)
        self.remove_button.setEnabled(bool(faults))
        design = self.doc.design
        names = design.names()
        self.timeline.set_faults(faults, self.fault_id, {f.id: design.name_of(f.target, names) for f in faults})
        if current is None:
            self.message.setText("No experiment yet. Create one with + to compose faults against this design.")
        elif not faults:
            self.message.setText("Add a fault; it is aimed at the selected component or link, or at the first "
                                 "that fits. Change the target in the form or pick it on the canvas.")
        else:
            self.message.setText("")
        self.message.setVisible(bool(self.message.text()))
        self._show_fault()

    def set_run_duration(self, seconds: float | None) -> None:
        """The run's length, from the run controls: the timeline spans it and late faults are flagged."""
        if seconds != self.timeline.run_duration:
            self.timeline.set_run_duration(seconds)
            self.refresh()

    def _current_changed(self, current, _previous) -> None:
        self.fault_id = current.data(Qt.ItemDataRole.UserRole) if current else None
        self.timeline.set_faults(self.timeline.faults, self.fault_id)
        self._show_fault()

    def select_fault(self, fault_id) -> None:
        self.fault_id = fault_id
        self.refresh()

    def _show_fault(self) -> None:
        experiment = self.doc.current_experiment
        fault = None
        if experiment is not None and self.fault_id is not None:
            fault = next((f for f in experiment.faults if f.id == self.fault_id), None)
        form_cls = FAULT_FORMS.get(fault.kind) if fault else None
        if self.form is not None and (form_cls is None or type(self.form) is not form_cls):
            self.form_holder.removeWidget(self.form)
            # Hidden and detached at once: deleteLater only runs when the event loop gets back.
            self.form.hide()
            self.form.setParent(None)
            self.form.deleteLater()
            self.form = None
        self.fault_title.setVisible(fault is not None)
        if fault is None or experiment is None or form_cls is None:  # a fault is found only in an experiment
            return
        if self.form is None:
            self.form = form_cls()
            self.form.target.pick_requested.connect(self.pick_requested)
            self.form_holder.addWidget(self.form)
        eid, fid = experiment.id, fault.id
        self.form.commit = lambda changes: self.doc.edit.set_fault_fields(eid, fid, changes)
        self.form.recall = self.recall
        self.form.sweep = lambda field: self.sweep_requested.emit(("fault", eid, fid, field))
        self.form.target.set_choices(self.doc.edit.fault_target_choices(fault.kind))
        self.form.target.pick.setChecked(False)
        self.form.bind(fault)
        self.fault_title.setText(f"<b>{fault.label}</b> — {fault.help}")

    # -- experiments -------------------------------------------------------------------
    def new_experiment(self) -> None:
        self.doc.edit.add_experiment()

    def duplicate_experiment(self) -> None:
        if self.doc.current_experiment is not None:
            self.doc.edit.duplicate_experiment(self.doc.current_experiment.id)

    def delete_experiment(self) -> None:
        if self.doc.current_experiment is not None:
            self.doc.edit.remove_experiment(self.doc.current_experiment.id)

    def rename_experiment(self, name) -> None:
        experiment = self.doc.current_experiment
        if experiment is None:
            return
        try:
            self.doc.edit.rename_experiment(experiment.id, name or "")
        except EditRejected as exc:
            self.exp_error.setText("; ".join(e.message for e in exc.errors))
            self.exp_error.show()
            self._error_about = experiment.id
            return
        self.exp_error.hide()

    def describe_experiment(self, text) -> None:
        experiment = self.doc.current_experiment
        if experiment is not None:
            self.doc.edit.set_experiment_description(experiment.id, text or "")

    # -- faults ---------------------------------------------------------------------------
    def default_target(self, kind: str):
        """Where a new fault of ``kind`` goes, by id (see ``aimed_at``)."""
        return self.aimed_at(kind)[0]

    def aimed_at(self, kind: str) -> tuple[uuid.UUID | str | None, str]:
        """The target (by id) a new fault of ``kind`` gets, and why, in words ("" when it is what is selected).

        The selected component or link if the fault fits it; for a component's fault with a link
        selected, the component the link calls (else its caller); else the first target that fits.
        """
        targets = [ref for ref, _name in self.doc.edit.fault_target_choices(kind)]
        design = self.doc.design

        def called(ref) -> bool:
            # A fault on the calls into a component nobody calls (a client) would change nothing.
            return design.targets_link(ref) or bool(design.links_into(ref))

        for item_id in self.doc.selection:
            if item_id in targets and called(item_id):
                return item_id, ""
            if item_id in targets:
                name = design.name_of(item_id)
                callee = next((link.target for link in design.links_from(item_id) if link.target in targets), None)
                if callee is not None:
                    return callee, (f"the component {name} calls: nothing calls {name}, "
                                    "so a fault on it would change nothing")
                return item_id, ""
            if self.doc.kind_of(item_id) == "component":
                # A fault only a link takes (a partition): the calls into the selected component,
                # else those out of it, never a link elsewhere in the design.
                name = design.name_of(item_id)
                for links, how in ((design.links_into(item_id), f"the link that calls the selected {name}"),
                                   (design.links_from(item_id), f"the link the selected {name} calls over")):
                    link = next((link for link in links if link.id in targets), None)
                    if link is not None:
                        return link.id, how
            if self.doc.kind_of(item_id) == "link":
                link = self.doc.link(item_id)
                for end, role in ((link.target, "calls"), (link.source, "calls from")):
                    if end in targets:
                        how = f"the component the selected link {link.name} calls" if role == "calls" else \
                            f"the caller of the selected link {link.name}"
                        return end, how
        if not targets:
            return None, ""
        return next((ref for ref in targets if called(ref)), targets[0]), \
            "the first that fits: select a component or link first to aim it"

    def _name_targets(self) -> None:
        for kind, action in self.add_actions.items():
            target = self.default_target(kind)
            label = FAULT_CLASSES[kind].label
            action.setText(f"{label} on {self.doc.design.name_of(target)}" if target is not None else label)
            action.setEnabled(target is not None)

    def add_fault(self, kind: str, target=None):
        experiment = self.doc.current_experiment
        if experiment is None:
            self.new_experiment()
            experiment = self.doc.current_experiment
            if experiment is None:  # no experiment could be made: nothing to add the fault to
                return None
        why = ""
        if target is None:
            target, why = self.aimed_at(kind)
        if target is None:
            what = FAULT_CLASSES[kind].targets_phrase()
            self.message.setText(f"A {kind_label(kind)} fault needs {what} to aim at; draw one first.")
            self.message.show()
            return None
        try:
            # Inside the run, with the steady state before it and time to recover after it: a fault held
            # from 0 to the end shows neither, and the question is whether the system rides it out.
            start, duration = experiment.new_fault_window(self.timeline.run_duration)
            self.fault_id = self.doc.edit.add_fault(experiment.id, kind, target, start=start, duration=duration)
        except EditRejected as exc:
            self.message.setText(str(exc))
            self.message.show()
            return None
        self.refresh()
        if why:
            # Not what was selected: say where it went and why, so the choice is never a surprise.
            self.message.setText(f"{FAULT_CLASSES[kind].label} aimed at {self.doc.design.name_of(target)}, {why}. "
                                 "Change the target in the form or pick it on the canvas.")
            self.message.show()
        return self.fault_id

    def remove_fault(self) -> None:
        experiment = self.doc.current_experiment
        if experiment is not None and self.fault_id is not None:
            fid, self.fault_id = self.fault_id, None
            self.doc.edit.remove_fault(experiment.id, fid)

    def set_picked_target(self, name: str) -> None:
        """The canvas reports a clicked target while picking."""
        if isinstance(self.form, FaultForm):
            self.form.target.pick.setChecked(False)
            self.form.submit({"target": name})

"""Every view offers and shows every fault and policy kind in the words of its model class."""
from __future__ import annotations

import pytest
from editor_helpers import build_three_tier

from app.canvas.node_item import fault_badge, policy_badge
from app.document.wording import settings_words as parameters
from app.panes.fields import DurationEditor, NumberEditor
from app.panes.forms import FAULT_FORMS, POLICY_FORMS
from engine.model import FAULT_CLASSES, POLICY_CLASSES
from engine.model.catalogue import field_help, field_label, field_shown_when, field_unit


@pytest.mark.parametrize("forms,classes,skip", [
    (FAULT_FORMS, FAULT_CLASSES, {"id", "kind"}),
    (POLICY_FORMS, POLICY_CLASSES, {"id", "kind", "enabled", "scope"}),
], ids=["faults", "policies"])
def test_every_kind_has_a_form_with_a_row_per_field_in_the_fields_words(qtbot, forms, classes, skip):
    assert list(forms) == list(classes)
    for kind, cls in classes.items():
        form = forms[kind]()
        qtbot.addWidget(form)
        names = [n for n in cls.model_fields if n not in skip]
        assert [s.path for s in form.specs] == names, kind
        for spec in form.specs:
            info = cls.model_fields[spec.path]
            tip, help_ = form.editors[spec.path].toolTip(), field_help(info)
            if field_shown_when(info) and ": " in help_:  # the choice it is shown for, in the chooser's words
                help_ = help_.partition(": ")[2]
                assert tip.endswith(f": {help_}") and "_" not in tip, f"{kind}.{spec.path}"
            else:
                assert tip == help_, f"{kind}.{spec.path}"
            if spec.label:  # a flag carries its label on the check box
                assert spec.label == field_label(spec.path, info)
            editor = form.editors[spec.path]
            if isinstance(editor, NumberEditor) and field_unit(info) != "ratio":
                assert spec.unit == field_unit(info), f"{kind}.{spec.path}"
            if field_unit(info) == "s":
                assert isinstance(editor, DurationEditor), f"{kind}.{spec.path}"


def test_a_form_shows_a_field_only_for_the_values_it_matters_for(qtbot):
    form = FAULT_FORMS["exhaustion"]()
    qtbot.addWidget(form)
    shown = {s.path: s.visible for s in form.specs if s.visible is not None}
    assert shown["factor"]({"resource": "cpu"}) and not shown["factor"]({"resource": "pool"})
    assert shown["pool_size"]({"resource": "pool"}) and not shown["leak_rate"]({"resource": "pool"})


def test_choice_rows_offer_the_models_values_in_its_words(qtbot):
    form = FAULT_FORMS["crash"]()
    qtbot.addWidget(form)
    combo = form.editors["mode"]
    assert [(combo.itemData(i), combo.itemText(i)) for i in range(combo.count())] == [
        ("refuse", "refuse at once"), ("hang", "hang until callers time out")]


def test_menus_offer_every_kind_by_its_label_and_help(window):
    faults = window.faults.add_actions
    assert list(faults) == list(FAULT_CLASSES)
    for kind, cls in FAULT_CLASSES.items():
        assert faults[kind].text() == cls.label and faults[kind].toolTip() == cls.help
    policies = window.resilience.add_actions
    assert list(policies) == list(POLICY_CLASSES)
    for kind, cls in POLICY_CLASSES.items():
        assert policies[kind].text() == cls.label


def test_the_fault_pane_titles_a_fault_with_its_kinds_label_and_help(window):
    doc = window.document
    build_three_tier(doc)
    for kind, cls in FAULT_CLASSES.items():
        target = window.faults.default_target(kind)
        assert target is not None, f"the three-tier design has nothing a {kind} fault can hit"
        window.faults.add_fault(kind, target)
        assert window.faults.fault_title.text() == f"<b>{cls.label}</b> — {cls.help}"


def test_every_kind_has_its_own_badge_on_the_canvas():
    assert {fault_badge(k) for k in FAULT_CLASSES} == {f"⚡ {c.badge}" for c in FAULT_CLASSES.values()}
    assert [policy_badge(k) for k in POLICY_CLASSES] == [c.badge for c in POLICY_CLASSES.values()]


def test_the_report_gives_parameters_in_the_unit_their_field_states():
    breaker = POLICY_CLASSES["circuit_breaker"](failure_rate_threshold=40, wait_duration_in_open_state=0.25)
    text = parameters(breaker, ("id", "kind", "enabled", "scope"))
    assert "Failure rate threshold 40 %" in text and "Wait duration in open state 250 ms" in text
    latency = FAULT_CLASSES["latency"](target="a -> b", fraction=0.25)
    label = FAULT_CLASSES["latency"].model_fields["fraction"].title
    assert f"{label} 25 %" in parameters(latency, ("id", "kind", "target"))


def test_every_component_form_has_a_row_per_field_in_the_fields_words(qtbot):
    from app.panes.forms import ComponentForm, LinkForm
    from engine.model import COMPONENT_CLASSES, Link

    for kind, cls in COMPONENT_CLASSES.items():
        form = ComponentForm(kind)
        qtbot.addWidget(form)
        top = [s.path.split(".")[0] for s in form.specs]
        assert list(dict.fromkeys(top)) == cls.parameters(), kind
        for spec in form.specs:
            if "." in spec.path or not spec.label:  # nested rows; the rate preview edits nothing
                continue
            info = cls.model_fields[spec.path]
            assert form.editors[spec.path].toolTip() == field_help(info), f"{kind}.{spec.path}"
            assert spec.label == field_label(spec.path, info), f"{kind}.{spec.path}"
    link = LinkForm()
    qtbot.addWidget(link)
    assert [s.path for s in link.specs] == ["latency", "probability", "count"]
    assert link.specs[1].label == Link.model_fields["probability"].title


def test_a_client_form_shows_the_chosen_workloads_fields_and_a_new_choice_replaces_it(qtbot):
    from app.panes.forms import ComponentForm
    from engine.model.components import ClosedLoop, OpenLoop

    changes = []
    form = ComponentForm("client", commit=changes.append)
    qtbot.addWidget(form)
    shown = {s.path: s.visible for s in form.specs if s.visible is not None}
    open_, closed = {"workload": {"type": "open"}}, {"workload": {"type": "closed"}}
    for name in OpenLoop.model_fields.keys() - {"type"}:
        assert shown[f"workload.{name}"](open_) and not shown[f"workload.{name}"](closed)
    for name in ClosedLoop.model_fields.keys() - {"type"}:
        assert shown[f"workload.{name}"](closed) and not shown[f"workload.{name}"](open_)
    combo = form.editors["workload.type"]
    assert [combo.itemData(i) for i in range(combo.count())] == ["open", "closed"]
    assert combo.itemText(1) == "closed loop (users)"
    assert form.submit({"workload.type": "closed"}) and changes == [{"workload": {"type": "closed"}}]


def test_the_palette_and_insert_menu_offer_every_component_kind_by_its_label_and_help(window):
    from PySide6.QtCore import Qt

    from app.canvas.palette import ComponentPalette
    from app.resources import kind_colour
    from engine.model import COMPONENT_CLASSES

    palette = window.findChild(ComponentPalette)
    items = [palette.item(i) for i in range(palette.count())]
    assert [i.data(Qt.ItemDataRole.UserRole) for i in items] == list(COMPONENT_CLASSES)
    for item, cls in zip(items, COMPONENT_CLASSES.values()):
        assert item.text() == cls.label and cls.help in item.toolTip()
    for kind, cls in COMPONENT_CLASSES.items():
        assert window.add_kind_actions[kind].text() == cls.label
        assert kind_colour(kind).name() == cls.colour


def test_the_event_log_shows_each_kind_in_the_words_and_colour_of_its_definition(qtbot):
    from PySide6.QtCore import Qt

    from app.run.event_log import EventLogModel
    from app.run.formatting import COLOURS, text_colour
    from engine.events import EVENT_KINDS

    model = EventLogModel()
    model.set_events([{"time": float(i), "kind": name, "component": "api"} for i, name in enumerate(EVENT_KINDS)])
    for row, kind in enumerate(EVENT_KINDS.values()):
        index = model.index(row, 3)
        assert model.data(index) == kind.label
        assert model.data(index, Qt.ItemDataRole.ToolTipRole) == kind.help
        colour = model.data(index, Qt.ItemDataRole.ForegroundRole)
        if kind.tone:
            assert colour.name().upper() in {COLOURS[kind.tone].upper(), text_colour(COLOURS[kind.tone]).upper()}
        else:
            assert colour is None


def test_a_fault_added_with_a_link_selected_goes_where_the_user_pointed_and_says_so(window):
    from engine.model.faults import LINK_FAULT_KINDS

    doc = window.document
    ids = build_three_tier(doc)
    link = next(lk for lk in doc.design.links if lk.name == "web -> db")
    doc.set_selection([link.id])
    pane = window.faults
    pane.add_button.menu().aboutToShow.emit()
    link_kind = LINK_FAULT_KINDS[0]
    # The menu names each fault's target before the choice: the link itself, or the component it calls.
    assert pane.add_actions[link_kind].text() == f"{FAULT_CLASSES[link_kind].label} on web -> db"
    assert pane.add_actions["crash"].text() == f"{FAULT_CLASSES['crash'].label} on db"
    pane.add_actions["crash"].trigger()
    fault = doc.current_experiment.faults[-1]
    assert (fault.kind, doc.design.name_of(fault.target)) == ("crash", "db")
    assert "selected link web -> db" in pane.message.text() and not pane.message.isHidden()
    pane.add_actions[link_kind].trigger()
    assert doc.design.name_of(doc.current_experiment.faults[-1].target) == "web -> db"
    # With a component selected the fault goes on it, without a word.
    doc.set_selection([ids["web"]])
    pane.add_actions["crash"].trigger()
    assert doc.design.name_of(doc.current_experiment.faults[-1].target) == "web" and pane.message.isHidden()

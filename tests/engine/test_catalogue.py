"""Each fault and policy kind states its own facts once, on its model class, and states all of them.

The panes, the canvas, the report and ``params`` read these facts; a kind that lacks one fails here
rather than showing a blank in the window.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Literal, get_args, get_origin

import pytest

from engine.model import (
    COMPONENT_CLASSES,
    COMPONENT_FAULT_KINDS,
    COMPONENT_KINDS,
    FAULT_CLASSES,
    FAULT_KINDS,
    INBOUND_POLICY_KINDS,
    LINK_FAULT_KINDS,
    OUTCOME_NAMES,
    POLICY_CLASSES,
    POLICY_KINDS,
    EnvoyRetryBudget,
    GrpcRetryThrottling,
    Link,
    RateLimiterPolicy,
)
from engine.model.catalogue import field_choices, field_help, field_label, field_unit, numeric_bounds
from engine.model.components import ClosedLoop, OpenLoop
from engine.model.faults import INSTANCE_FAULT_KINDS

ROOT = Path(__file__).resolve().parents[2]
KIND_CLASSES = {**{f"fault {k}": c for k, c in FAULT_CLASSES.items()},
                **{f"policy {k}": c for k, c in POLICY_CLASSES.items()}}
# Every class whose fields a form or the report shows: the kinds and what they nest.
FIELD_CLASSES = [*KIND_CLASSES.values(), GrpcRetryThrottling, EnvoyRetryBudget,
                 *COMPONENT_CLASSES.values(), OpenLoop, ClosedLoop, Link]
# Fields a pane shows in its own way, not as a form row (a workload's "type" is the choice of its variant).
NOT_PARAMETERS = {"id", "kind", "scope", "type", "source", "target"}


def _shown_elsewhere(cls) -> tuple[str, ...]:
    return getattr(cls, "shown_elsewhere", ())


def _fields(classes) -> list:
    return [pytest.param(cls, name, info, id=f"{cls.__name__}.{name}")
            for cls in classes for name, info in cls.model_fields.items()
            if name not in NOT_PARAMETERS and name not in _shown_elsewhere(cls)]


def _numeric(info) -> bool:
    kinds = [a for a in (get_args(info.annotation) or (info.annotation,)) if a is not type(None)]
    return bool(kinds) and all(a in (int, float) for a in kinds)


@pytest.mark.parametrize("where,cls", KIND_CLASSES.items())
def test_every_kind_states_its_label_help_and_badge(where, cls):
    assert cls.label and cls.label[0].isupper(), f"{where} has no label"
    assert cls.help.endswith("."), f"{where}: help should be one sentence ending in a full stop"
    assert 1 <= len(cls.badge) <= 8, f"{where}: a badge is a few letters that fit on a node"


@pytest.mark.parametrize("kind,cls", COMPONENT_CLASSES.items())
def test_every_component_kind_states_its_label_help_icon_and_colour(kind, cls):
    assert cls.label and cls.label[0].isupper(), f"{kind} has no label"
    assert cls.help.endswith("."), f"{kind}: help should be one sentence ending in a full stop"
    assert (ROOT / "resources" / "icons" / f"{cls.icon}.svg").is_file(), f"{kind}: no drawing {cls.icon}.svg"
    assert re.fullmatch(r"#[0-9a-f]{6}", cls.colour), f"{kind}: colour should be #rrggbb"
    assert cls.parameters()[0] == "name"
    assert set(cls.parameters()) == set(cls.model_fields) - set(cls.shown_elsewhere)


def test_component_kinds_are_told_apart_by_label_and_colour():
    classes = COMPONENT_CLASSES.values()
    assert len({c.label for c in classes}) == len({c.colour for c in classes}) == len(COMPONENT_CLASSES)


def test_a_component_form_keeps_a_kinds_own_fields_before_shared_groups():
    service = COMPONENT_CLASSES["service"].parameters()
    assert service[:4] == ["name", "instances", "workers", "queue_capacity"]
    assert service.index("fan_out") < service.index("queue_discipline")


def test_kind_lists_are_read_off_the_classes():
    assert COMPONENT_KINDS == tuple(COMPONENT_CLASSES)
    for kind, cls in COMPONENT_CLASSES.items():
        assert cls.model_fields["kind"].default == kind
    assert FAULT_KINDS == tuple(FAULT_CLASSES) and POLICY_KINDS == tuple(POLICY_CLASSES)
    assert set(LINK_FAULT_KINDS) == {k for k, c in FAULT_CLASSES.items() if c.on_links}
    assert set(COMPONENT_FAULT_KINDS) == {k for k, c in FAULT_CLASSES.items() if c.on_components}
    assert set(INSTANCE_FAULT_KINDS) <= set(COMPONENT_FAULT_KINDS)
    assert set(INBOUND_POLICY_KINDS) == {k for k, c in POLICY_CLASSES.items() if c.inbound}
    for kind, cls in {**FAULT_CLASSES, **POLICY_CLASSES}.items():
        assert cls.model_fields["kind"].default == kind


@pytest.mark.parametrize("kind,cls", FAULT_CLASSES.items())
def test_every_fault_kind_can_aim_at_something_and_says_what(kind, cls):
    assert cls.on_links or cls.on_components
    phrase = cls.targets_phrase()
    assert ("link" in phrase) == cls.on_links and ("component" in phrase) == cls.on_components


def test_the_same_badge_never_means_two_kinds():
    for classes in (FAULT_CLASSES, POLICY_CLASSES):
        badges = [c.badge for c in classes.values()]
        assert len(badges) == len(set(badges))


@pytest.mark.parametrize("cls,name,info", _fields(FIELD_CLASSES))
def test_every_parameter_has_a_label_and_help(cls, name, info):
    assert info.title, f"{cls.__name__}.{name} has no title"
    assert field_label(name, info) == info.title
    assert field_help(info) and not field_help(info).endswith("."), f"{cls.__name__}.{name}: help reads as a phrase"


@pytest.mark.parametrize("cls,name,info", [p for p in _fields(FIELD_CLASSES) if _numeric(p.values[2])])
def test_every_numeric_parameter_has_a_unit_and_both_bounds(cls, name, info):
    bounds = numeric_bounds(info)
    assert field_unit(info), f"{cls.__name__}.{name} has no unit"
    assert bounds["ge"] is not None or bounds["gt"] is not None, f"{cls.__name__}.{name} has no lower bound"
    assert bounds["le"] is not None or bounds["lt"] is not None, f"{cls.__name__}.{name} has no upper bound"
    if field_unit(info) == "ratio":
        assert bounds["le"] == 1.0 and (bounds["ge"] == 0.0 or bounds["gt"] == 0.0)
    if field_unit(info) == "%":
        assert bounds["le"] == 100.0


@pytest.mark.parametrize("cls,name,info", _fields(FIELD_CLASSES))
def test_every_choice_lists_its_values_in_words(cls, name, info):
    literals = [a for a in (info.annotation, *get_args(info.annotation)) if get_origin(a) is Literal]
    if get_origin(info.annotation) is list or not literals or len(get_args(literals[0])) < 2:
        return
    choices = field_choices(info)
    assert [v for v, _words in choices] == list(get_args(literals[0]))
    assert all(words.strip() for _v, words in choices)


def test_choice_words_come_from_the_field():
    mode = FAULT_CLASSES["crash"].model_fields["mode"]
    assert field_choices(mode) == [("refuse", "refuse at once"), ("hang", "hang until callers time out")]
    assert field_choices(FAULT_CLASSES["latency"].model_fields["direction"])[2] == ("both", "both")
    # A list of outcomes is a set of values, not one choice.
    assert field_choices(POLICY_CLASSES["retry"].model_fields["retry_on"]) == []


def test_a_duration_says_which_unit_it_is_typed_in():
    from engine.model.catalogue import field_shown_in

    assert field_shown_in(RateLimiterPolicy.model_fields["limit_refresh_period"]) == "ms"  # 500 ns default
    assert field_shown_in(RateLimiterPolicy.model_fields["timeout_duration"]) == "s"
    assert field_shown_in(POLICY_CLASSES["timeout"].model_fields["timeout"]) == "ms"  # stated on the field


# -- the places that name a fault kind ---------------------------------------------
DOC = ROOT / "docs" / "adding-a-kind.md"


def documented_files() -> set[str]:
    """The files docs/adding-a-kind.md lists under "Files that name a fault kind"."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Files that name a fault kind", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^- `([^`]+)`", section, flags=re.MULTILINE))


def distinctive_fault_kinds() -> list[str]:
    """Fault kinds whose literal means nothing else: not an outcome, not the name of any field."""
    from engine.model import COMPONENT_CLASSES, Link

    field_names = {n for c in [*COMPONENT_CLASSES.values(), *FIELD_CLASSES, Link] for n in c.model_fields}
    return [k for k in FAULT_KINDS if k not in OUTCOME_NAMES and k not in field_names]


def files_naming(kind: str, root: Path = ROOT) -> set[str]:
    """The source files under ``root`` that spell ``kind`` out as a string literal."""
    pattern = re.compile(rf"""["']{re.escape(kind)}["']""")
    sources = [*root.glob("engine/**/*.py"), *root.glob("engine/*.pyx"), *root.glob("engine/*.pxd"),
               *root.glob("app/**/*.py"), *root.glob("main.py")]
    return {p.relative_to(root).as_posix() for p in sources if pattern.search(p.read_text(encoding="utf-8"))}


def test_the_guide_lists_only_files_that_exist():
    listed = documented_files()
    assert "engine/model/faults.py" in listed and len(listed) <= 6
    missing = [f for f in listed if not (ROOT / f).is_file()]
    assert not missing, f"docs/adding-a-kind.md names files that do not exist: {missing}"


@pytest.mark.parametrize("kind", distinctive_fault_kinds())
def test_a_fault_kind_is_named_only_where_the_guide_says(kind):
    extra = files_naming(kind) - documented_files()
    assert not extra, (f'"{kind}" is spelled out in {sorted(extra)}, which docs/adding-a-kind.md does not list: '
                       "read the fact off the model class there, or list the file in the guide")


def test_the_literal_check_finds_a_restated_table(tmp_path):
    kinds = distinctive_fault_kinds()
    assert kinds, "no fault kind left to check: the check above would prove nothing"
    pane = tmp_path / "app" / "panes" / "faults.py"
    pane.parent.mkdir(parents=True)
    pane.write_text(f'TITLES = {{"{kinds[-1]}": "Something"}}\n', encoding="utf-8")
    (tmp_path / "app" / "panes" / "other.py").write_text("TITLE = cls.label\n", encoding="utf-8")
    assert files_naming(kinds[-1], tmp_path) == {"app/panes/faults.py"}


def test_every_caller_side_kind_has_a_place_around_the_call():
    from engine.model.resilience import CALL_NESTING, CALLER_POLICY_KINDS

    assert sorted(CALL_NESTING) == sorted(CALLER_POLICY_KINDS)
    ranks = [POLICY_CLASSES[k].nesting for k in CALL_NESTING]
    assert len(set(ranks)) == len(ranks), "two patterns claim the same place around a call"
    # Resilience4j's aspect order, outer to inner.
    assert [k for k in CALL_NESTING if k in ("retry", "circuit_breaker", "timeout", "bulkhead")] == [
        "retry", "circuit_breaker", "timeout", "bulkhead"]

"""Every kind of event-log entry the core writes states its words and tone once, in engine.events."""
from __future__ import annotations

from typing import get_args

import pytest

from engine import _core
from engine.events import EVENT_KINDS, Tone, event_kind


def test_every_kind_the_core_logs_has_an_entry_in_its_order():
    assert tuple(EVENT_KINDS) == tuple(_core.LOG_KIND_NAMES)


@pytest.mark.parametrize("name,kind", EVENT_KINDS.items())
def test_every_event_kind_has_words_a_sentence_and_a_known_tone(name, kind):
    assert kind.label and not kind.label.endswith("."), name
    assert kind.help[:1].isupper() and kind.help.endswith("."), name
    assert kind.tone in get_args(Tone), name


def test_labels_tell_the_kinds_apart():
    assert len({k.label for k in EVENT_KINDS.values()}) == len(EVENT_KINDS)


def test_a_kind_without_an_entry_reads_as_its_name_uncoloured():
    assert event_kind("zone_lost").label == "zone lost" and event_kind("zone_lost").tone == ""

"""One colour per meaning, from a colour-blind-safe table (no Qt)."""
from __future__ import annotations

from app.run.formatting import BREAKER_COLOURS, COLOURS, COMPONENT_COLOURS, FAILURE_KINDS, OUTCOME_COLOURS

# Pairs that are one meaning under two names: an open breaker short-circuits every call;
# a closed breaker is the healthy state, an error the failing one.
SAME_MEANING = {frozenset({"breaker.open", "outcome.short_circuited"}), frozenset({"breaker.closed", "better"}),
                frozenset({"outcome.error", "worse"})}


def test_no_colour_stands_for_two_meanings():
    by_colour: dict[str, set[str]] = {}
    for meaning, colour in COLOURS.items():
        by_colour.setdefault(colour.lower(), set()).add(meaning)
    for colour, meanings in by_colour.items():
        assert len(meanings) == 1 or frozenset(meanings) in SAME_MEANING, (colour, meanings)


def test_component_series_use_no_colour_of_a_meaning():
    meanings = {c.lower() for c in COLOURS.values()}
    assert not meanings & {c.lower() for c in COMPONENT_COLOURS}
    assert len(set(COMPONENT_COLOURS)) == len(COMPONENT_COLOURS)


def test_outcomes_and_breaker_states_each_have_their_own_colour():
    assert len({OUTCOME_COLOURS[k] for k in FAILURE_KINDS}) == len(FAILURE_KINDS)
    assert len(set(BREAKER_COLOURS.values())) == 3
    # Okabe-Ito's: the series of outcomes stacked in the error plot stay apart in colour-blind vision.
    okabe_ito = {"#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#7F7F7F"}
    assert set(OUTCOME_COLOURS.values()) <= okabe_ito and set(BREAKER_COLOURS.values()) <= okabe_ito

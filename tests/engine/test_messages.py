"""Messages for people: short however many mistakes, every word once, names as their author wrote them."""
import json

import pytest

from engine.model import DesignError, Problem, parse_design, parse_options


def problems_of(data) -> str:
    with pytest.raises(DesignError) as caught:
        parse_design(json.dumps(data))
    return str(caught.value)


def test_ten_thousand_alike_mistakes_are_summarised():
    components = [{"kind": "client", "name": "users"}] + [
        {"kind": "service", "name": f"s{i}", "workers": -(i % 3)} for i in range(9_999)]
    message = problems_of({"components": components})
    lines = message.splitlines()
    assert lines[0] == 'service "s0": workers must be at least 1 (got 0)'
    assert lines[1] == 'service "s1": workers must be at least 1 (got -1)'
    assert lines[-1] == "  and 9,989 more like this"
    assert len(lines) == 11 and len(message) < 1_000
    with pytest.raises(DesignError) as caught:
        parse_design(json.dumps({"components": components}))
    assert len(caught.value.problems) == 9_999          # all of them stay for whoever lists them


def test_many_kinds_of_mistakes_are_capped_in_all():
    error = DesignError([Problem("design", f"mistake number {i}") for i in range(500)])
    lines = str(error).splitlines()
    assert len(lines) == 51 and lines[-1] == "and 450 more problems"


def test_a_field_is_named_once():
    message = problems_of({"components": [{"kind": "service", "name": "a->b"}]})
    assert message == 'service "a->b": name may not contain quotes, tabs, line breaks or "->" (got \'a->b\')'
    assert "name name" not in problems_of({"components": [{"kind": "service", "name": " "}]})


def test_names_keep_their_case():
    message = problems_of({"components": [{"kind": "service", "name": "Payments", "fan_out": "Parallel"}]})
    assert message == 'service "Payments": fan_out must be one of \'sequential\' or \'parallel\' (got "Parallel")'


def test_no_python_internals_reach_a_message():
    with pytest.raises(DesignError) as caught:     # built in Python, where the number is a number
        parse_design({"components": [{"kind": "service", "name": "api", "workers": 10**5000}]})
    assert str(caught.value) == "holds a number longer than any field takes"
    text = '{"components": [{"kind": "service", "name": "api", "workers": 1' + "0" * 5000 + "}]}"
    with pytest.raises(DesignError) as caught:
        parse_design(text)
    assert "sys." not in str(caught.value) and "5,001 digits" in str(caught.value)


def test_long_text_from_a_file_is_clipped_in_messages():
    message = problems_of({"components": [{"kind": "service", "name": "x" * 100_000}]})
    assert len(message) < 300
    assert "may have at most 64 characters (got 100,000)" in message


def test_run_options_speak_like_the_design():
    with pytest.raises(DesignError) as caught:
        parse_options({"duration": True, "seed": -1})
    assert str(caught.value) == ("run options: duration must be a number (got true)\n"
                                 "run options: seed must be at least 0 (got -1)")

"""Parameters from ``--set name=value`` text, and the stable JSON every result is printed as."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np
import pytest

from dslab.errors import InputError
from dslab.params import build, convert, describe, parse_assignment, to_dict, to_text
from dslab.result import Check, Result, clean, dumps
from dslab.sim.dist import Const, Dist, Exp, Uniform


@dataclass(frozen=True)
class Knobs:
    nodes: int = field(default=3, metadata={"help": "how many nodes"})
    rate_per_s: float = 1.5
    verbose: bool = False
    latency_ms: Dist = Const(10)
    crash_at_ms: float | None = None
    groups: tuple[int, ...] = ()
    label: str = "plain"

    def validate(self) -> None:
        if self.nodes < 1:
            raise InputError(f"nodes must be at least 1, got {self.nodes}.")


# -- build ---------------------------------------------------------------------------------------

def test_build_with_nothing_gives_the_defaults():
    assert build(Knobs, {}, {}) == Knobs()


def test_build_converts_each_override_to_its_field_type():
    k = build(Knobs, {}, {
        "nodes": "7", "rate_per_s": "2.5", "verbose": "yes", "latency_ms": "uniform(1,2)",
        "crash_at_ms": "100", "groups": "1, 2,3", "label": "hi",
    })
    assert k == Knobs(7, 2.5, True, Uniform(1, 2), 100.0, (1, 2, 3), "hi")
    assert type(k.nodes) is int and type(k.rate_per_s) is float and type(k.crash_at_ms) is float


def test_scenario_base_values_are_converted_and_overrides_win():
    k = build(Knobs, {"latency_ms": "exp(5)", "nodes": 4, "crash_at_ms": 200.0}, {"nodes": "6"})
    assert (k.latency_ms, k.nodes, k.crash_at_ms) == (Exp(5), 6, 200.0)


@pytest.mark.parametrize("text, expected", [("none", None), ("None", None), ("null", None),
                                            ("", None), ("2.5", 2.5)])
def test_optional_fields_take_none(text, expected):
    assert build(Knobs, {"crash_at_ms": 1.0}, {"crash_at_ms": text}).crash_at_ms == expected


@pytest.mark.parametrize("text, expected", [
    ("none", ()), ("()", ()), ("[]", ()), ("[1, 2]", (1, 2)), ("(4,)", (4,)), ("5", (5,)),
])
def test_tuple_fields_take_lists(text, expected):
    assert build(Knobs, {}, {"groups": text}).groups == expected


@pytest.mark.parametrize("text, expected", [
    ("true", True), ("Yes", True), ("1", True), ("on", True),
    ("false", False), ("NO", False), ("0", False), ("off", False),
])
def test_bool_fields_take_the_usual_spellings(text, expected):
    assert build(Knobs, {}, {"verbose": text}).verbose is expected


def test_whole_numbers_may_be_written_as_floats():
    assert build(Knobs, {}, {"nodes": "1e3"}).nodes == 1000
    assert build(Knobs, {}, {"nodes": "5.0"}).nodes == 5


@pytest.mark.parametrize("name, text, fragment", [
    ("nodes", "7.5", "nodes must be a whole number, got '7.5'"),
    ("nodes", "many", "nodes must be a number, got 'many'"),
    ("rate_per_s", "fast", "rate_per_s must be a number, got 'fast'"),
    ("verbose", "maybe", "verbose is true or false, got 'maybe'"),
    ("latency_ms", "gauss(1,2)", "latency_ms: unknown distribution 'gauss'"),
    ("groups", "1,x", "groups must be a number, got 'x'"),
    ("nodes", "0", "nodes must be at least 1"),  # from validate()
])
def test_bad_values_get_a_sentence(name, text, fragment):
    with pytest.raises(InputError) as e:
        build(Knobs, {}, {name: text})
    assert fragment in str(e.value)


def test_an_unknown_name_gets_a_did_you_mean_and_the_valid_names():
    with pytest.raises(InputError) as e:
        build(Knobs, {}, {"node": "3"})
    msg = str(e.value)
    assert "'node' is not a parameter" in msg and "Did you mean 'nodes'?" in msg
    assert "nodes, rate_per_s, verbose, latency_ms, crash_at_ms, groups, label" in msg


def test_an_unknown_name_with_nothing_close_gets_no_guess():
    with pytest.raises(InputError) as e:
        build(Knobs, {}, {"zzzz": "3"})
    assert "Did you mean" not in str(e.value) and "Valid names" in str(e.value)


@pytest.mark.parametrize("text", ["nan", "inf"])
def test_non_finite_numbers_are_refused(text):
    with pytest.raises(InputError):
        convert("rate_per_s", text, float)


# -- parse_assignment ----------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("nodes=7", ("nodes", "7")),
    ("  nodes = 7 ", ("nodes", "7")),
    ("latency_ms=mix(0.5:exp(1),0.5:exp(2))", ("latency_ms", "mix(0.5:exp(1),0.5:exp(2))")),
    ("label=a=b", ("label", "a=b")),
    ("label=", ("label", "")),
])
def test_parse_assignment_splits_at_the_first_equals(text, expected):
    assert parse_assignment(text) == expected


@pytest.mark.parametrize("text", ["nodes", "=7", "  =7", ""])
def test_parse_assignment_refuses_text_without_a_name(text):
    with pytest.raises(InputError) as e:
        parse_assignment(text)
    assert "name=value" in str(e.value) and e.value.hint and "--set" in e.value.hint


# -- text and dict forms -------------------------------------------------------------------------

def test_to_dict_gives_json_able_values():
    k = Knobs(latency_ms=Uniform(1, 2), groups=(1, 2))
    d = to_dict(k)
    assert d["latency_ms"] == "uniform(1,2)" and d["groups"] == [1, 2]
    assert json.loads(json.dumps(d)) == d


def test_describe_lists_each_parameter_with_default_and_help():
    rows = {name: (default, help_) for name, default, help_ in describe(Knobs)}
    assert rows["nodes"] == ("3", "how many nodes")
    assert rows["latency_ms"][0] == "const(10)"
    assert rows["crash_at_ms"][0] == "none" and rows["groups"][0] == "none"
    assert to_text((1, 2)) == "1,2"


# -- result.clean and dumps ----------------------------------------------------------------------

def test_clean_rounds_floats_to_six_decimals():
    assert clean(1 / 3) == 0.333333
    assert clean(2.0000004) == 2.0
    assert clean({"x": [1.23456789, (0.1 + 0.2,)]}) == {"x": [1.234568, [0.3]]}


@pytest.mark.parametrize("bad", [
    math.nan, math.inf, -math.inf, np.float64("nan"), np.float32("inf"),
])
def test_clean_turns_nan_and_inf_into_none(bad):
    assert clean(bad) is None
    assert clean({"m": bad}) == {"m": None}


def test_clean_keeps_types_a_reader_expects():
    assert clean(True) is True and clean(None) is None and clean("s") == "s"
    assert clean(np.int64(3)) == 3 and type(clean(np.int64(3))) is int
    assert clean(np.bool_(False)) is False
    assert clean(np.float64(0.12345678)) == 0.123457
    assert clean({1: "a"}) == {"1": "a"}
    assert clean(Uniform(1, 2)) == "uniform(1,2)"


def test_dumps_is_stable_whatever_the_insertion_order():
    a = {"b": 1, "a": {"y": 2.5, "x": [1, 2]}, "c": math.nan}
    b = {"c": math.nan, "a": {"x": [1, 2], "y": 2.5}, "b": 1}
    assert dumps(a) == dumps(b)
    assert dumps(a) == '{\n  "a": {\n    "x": [\n      1,\n      2\n    ],\n    "y": 2.5\n  },\n' \
                       '  "b": 1,\n  "c": null\n}'


def test_result_json_carries_checks_and_ok():
    r = Result("lab", "default", 3, {"latency_ms": "const(1)"}, {"t": 1 / 3, "bad": math.inf},
               {"t": 0.3}, [Check("safe", True, "held"), Check("live", False, "stalled")])
    assert not r.ok
    d = json.loads(r.to_json())
    assert d["metrics"] == {"bad": None, "t": 0.333333}
    assert d["checks"] == {"safe": {"passed": True, "detail": "held"},
                           "live": {"passed": False, "detail": "stalled"}}
    assert r.to_json() == r.to_json()

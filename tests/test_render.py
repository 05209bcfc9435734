"""What the terminal shows a learner: numbers that can be set beside their theory, names kept whole
at 80 columns (the width when output is piped), brackets in data shown as text, the timeline's
terms, and whose rules ran."""

from __future__ import annotations

from io import StringIO

import pytest
from rich.console import Console

from dslab import render
from dslab.labs import get_lab
from dslab.labs.raft.view import row_text
from dslab.result import Check, Result
from dslab.trials import run_trials


def console(width: int = 80) -> tuple[Console, StringIO]:
    buf = StringIO()
    return Console(file=buf, width=width, color_system=None), buf


@pytest.mark.parametrize("value, shown", [
    (1.26, "1.26"),          # not 1.3 beside a -12.5% difference
    (1.1, "1.10"),           # the story's "utilization 1.10", not 1.0
    (0.865, "0.865"),
    (0.0352, "0.0352"),
    (34.73, "34.7"),
    (20.0, "20.0"),
    (1609.9, "1,610"),
    (12, "12"),              # integers as integers
    (37344, "37,344"),
    (0.0, "0"),
    (0.000352, "0.000352"),
    (1e-7, "1.00e-07"),
    (1e300, "1.00e+300"),
    (9.996, "10.0"),         # rounding up does not add a digit
    (True, "yes"),
    (None, "—"),
    (float("nan"), "—"),
])
def test_numbers_keep_three_significant_digits(value, shown):
    assert render.fmt(value) == shown


@pytest.mark.parametrize("sim, theory, diff", [
    (1.26, 1.44, "-12.5%"),
    (4.04, 4.0, "+1.0%"),
    (2.0, 2.0, "0%"),
    (True, True, ""),        # no difference for booleans ("yes/yes +0.0%")
    (False, True, ""),
    (3.0, "n/a: why", ""),
    (3.0, 0.0, ""),
    (None, 1.0, ""),
])
def test_difference_only_between_numbers(sim, theory, diff):
    assert render.difference(sim, theory) == diff


def _result(metrics, theory, story=(), checks=()) -> Result:
    return Result("retries", "default", 1, {}, dict(metrics), dict(theory), list(checks),
                  story=list(story))


def test_brackets_in_names_story_and_errors_are_text_not_markup():
    c, buf = console(200)
    result = _result({"calls[immediate]": 12, "calls[full-jitter]": 30},
                     {"calls[immediate]": "n/a: no formula [yet]"},
                     story=["immediate [1, 2] retried at once"],
                     checks=[Check("a check [x]", True, "seen [y]")])
    render.run(c, get_lab("retries"), result, None, "dslab run retries --set policy=[a]")
    render.error(c, "'[bold]' is not a policy.", "Policies: [none]")
    out = buf.getvalue()
    for words in ("calls[immediate]", "calls[full-jitter]", "no formula [yet]",
                  "immediate [1, 2] retried", "a check [x]", "seen [y]", "policy=[a]",
                  "'[bold]' is not a policy.", "[none]"):
        assert words in out, words


def test_theory_sentences_go_under_the_table_once():
    c, buf = console()
    why = "n/a: drains at 60 attempts/s, so the time to recover depends on the backlog"
    render.run(c, get_lab("retries"), _result({"a": 1.0, "b": 2.0, "c": 3.0},
                                              {"a": why, "b": why, "c": 3.0}), None, "r")
    out = buf.getvalue()
    assert out.count("n/a¹") == 2 and out.count("drains at 60") == 1
    assert "¹ theory n/a: drains at 60 attempts/s" in out


def _names_whole(out: str, names) -> None:
    for name in names:
        assert any(name in line for line in out.splitlines()), f"{name} is cut or wrapped"


def test_a_single_runs_metric_table_keeps_every_name_whole_at_80_columns():
    lab = get_lab("retries")
    result = lab.run(lab.make_params("default", {"duration_ms": "8000"}), 1, scenario="default")
    assert max(map(len, result.metrics)) > 35  # offered_load_per_s_after[full-jitter]
    c, buf = console()
    render.run(c, lab, result, None, "r")
    out = buf.getvalue()
    _names_whole(out, result.metrics)
    assert "…" not in out


@pytest.mark.parametrize("name, scenario, overrides, trials", [
    ("retries", "default", {"duration_ms": "8000"}, 3),
    ("raft", "crash-leader", {}, 8),
])
def test_trials_table_keeps_every_name_whole_at_80_columns_and_says_what_it_left_out(
        name, scenario, overrides, trials):
    lab = get_lab(name)
    tr = run_trials(lab, lab.make_params(scenario, overrides), 1, trials, scenario, workers=1)
    c, buf = console()
    render.trials(c, lab, tr, "r")
    out = buf.getvalue()
    _names_whole(out, tr.metrics)
    assert "…" not in out.replace(" … ", "")  # only the CI's own ellipsis
    assert all(len(line) <= 80 for line in out.splitlines())
    table = out[out.index("Each metric across trials"):out.index("Safety checks")]
    assert "mean" in table and "theory" in table
    assert "Not shown at this width:" in table
    wide, buf = console(200)
    render.trials(wide, lab, tr, "r")
    assert "Not shown at this width" not in buf.getvalue() and "p99.9" in buf.getvalue()


def test_metrics_missing_from_some_trials_are_counted_even_when_n_does_not_fit():
    lab = get_lab("retries")
    tr = run_trials(lab, lab.make_params("default", {"duration_ms": "8000"}), 1, 3, workers=1)
    tr.metrics["recovery_ms[immediate]"]["missing"] = 2
    c, buf = console()
    render.trials(c, lab, tr, "r")
    out = " ".join(buf.getvalue().split())
    assert "Not shown at this width:" in out and ", n (a wider terminal" in out
    assert "Trials that gave no value:" in out and "recovery_ms[immediate] in 2 of 3" in out


def test_timeline_writes_a_terms_number_whole():
    assert row_text([("leader", 12)] * 4).plain == "12──"
    assert row_text([("follower", 0), ("leader", 3), ("leader", 3)]).plain == "·3─"
    assert row_text([("leader", 12)]).plain == "L"  # too short for "12": no digit of it
    assert row_text([("leader", 9), ("leader", 9), ("leader", 10), ("leader", 10)]).plain == "9─10"


def test_timeline_of_a_run_past_term_ten():
    lab = get_lab("raft")
    result = lab.run(lab.make_params("split-vote"), 1, scenario="split-vote")
    assert result.metrics["max_term"] >= 10
    c, buf = console(120)
    c.print(lab.view(result, 72))
    leader_of = f"{result.metrics['max_term']}─"
    assert leader_of in buf.getvalue()


def test_the_header_says_whose_rules_ran(tmp_path):
    mine = tmp_path / "mine.py"
    mine.write_text("from dslab.labs.raft.rules import *  # noqa: F403\n")
    lab = get_lab("raft")
    params = lab.make_params("default", {"duration_ms": "1000"})
    c, buf = console(300)  # the whole path on one line
    render.run(c, lab, lab.run(params, 1, lab.load_impl(mine)), None, "r", impl=str(mine))
    tr = run_trials(lab, params, 1, 2, impl_path=str(mine), workers=1)
    render.trials(c, lab, tr, "r", impl=str(mine))
    out = " ".join(buf.getvalue().replace("│", " ").split())
    assert out.count(f"rules from your file: {mine}") == 2
    plain, buf = console()
    render.run(plain, lab, lab.run(params, 1), None, "r")
    assert "your file" not in buf.getvalue()

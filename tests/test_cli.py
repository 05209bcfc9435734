"""The dslab command end to end: what a learner types, what they see, and the exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from dslab.cli import main
from dslab.labs import get_lab


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    """Rich wraps to the terminal width; a wide one keeps phrases on one line for the asserts."""
    monkeypatch.setenv("COLUMNS", "200")


def dslab(*args: str, cwd=None) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "dslab.cli", *args], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=300)


def test_run_partition_shows_timeline_story_metrics_checks_and_saves_a_plot(tmp_path):
    p = dslab("run", "raft", "--partition", "--out", str(tmp_path))
    assert p.returncode == 0, p.stderr
    out = p.stdout
    for words in ("Roles over time", "What happened", "cut off in a minority", "stepped down",
                  "election_time_ms", "theory", "at most one leader per term", "✔ held",
                  "Replay this run: dslab run raft --partition --seed 1"):
        assert words in out, words
    png = tmp_path / "raft-partition-seed1.png"
    assert png.is_file() and png.read_bytes()[:4] == b"\x89PNG"
    assert str(png) in out.replace("\n", "")
    # One run's 0-or-1 outcome is not set against a probability as if it were a relative error.
    assert "-100.0%" not in out and "+900.0%" not in out
    assert "first_election_split" in out and "compare the mean over many runs (--trials" in out


def test_json_is_the_same_byte_for_byte_across_processes():
    args = ("run", "raft", "--crash-leader", "--seed", "11", "--json")
    a, b = dslab(*args), dslab(*args)
    assert a.returncode == 0 and a.stdout == b.stdout
    data = json.loads(a.stdout)
    assert set(data) == {"lab", "scenario", "seed", "params", "metrics", "theory", "checks"}
    assert data["seed"] == 11 and data["scenario"] == "crash-leader"
    assert data["params"]["election_timeout_ms"] == "uniform(150,300)"
    assert all(c["passed"] for c in data["checks"].values())
    assert dslab("run", "raft", "--crash-leader", "--seed", "12", "--json").stdout != a.stdout


def test_trials_report_distributions_and_do_not_depend_on_worker_count(capsys):
    args = ["run", "raft", "--crash-leader", "--trials", "24", "--seed", "3", "--json"]
    assert main(args + ["--workers", "1"]) == 0
    one = capsys.readouterr().out
    assert main(args + ["--workers", "2"]) == 0
    two = capsys.readouterr().out
    assert one == two
    data = json.loads(one)
    et = data["metrics"]["election_time_ms"]
    assert {"mean", "p50", "p90", "p99", "p99.9", "max", "ci95_low", "ci95_high"} <= set(et)
    assert et["ci95_low"] <= et["mean"] <= et["ci95_high"] and et["n"] == 24
    assert data["checks"]["at most one leader per term"]["passed"] == 24


def test_trials_table_in_the_terminal(capsys):
    assert main(["run", "raft", "--trials", "10", "--set", "duration_ms=1000", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "95% CI of mean" in out and "held in 10 of 10 trials" in out


@pytest.mark.parametrize("args, words", [
    (["run", "raft", "--set", "nodes=1"], "nodes must be between 2"),
    (["run", "raft", "--set", "nodez=3"], "Did you mean 'nodes'?"),
    (["run", "raft", "--set", "nodes"], "--set takes name=value"),
    (["run", "raft", "--set", "loss=2"], "loss is a probability"),
    (["run", "raft", "--set", "latency_ms=uniform(-5,5)"], "cannot be negative"),
    (["run", "raft", "--set", "election_timeout_ms=uniform(10,20)"], "must exceed heartbeat_ms"),
    (["run", "raft", "--set", "nodes=five"], "must be a number"),
    (["run", "raft", "--set", "heartbeat_ms=nan"], "must be a finite number"),
    (["run", "raft", "--set", "latency_ms=inf"], "must be a finite number"),
    (["run", "rafts"], "Did you mean 'raft'?"),
    (["card", "nope"], "There is no lab called 'nope'"),
    (["run", "raft", "--scenario", "partitoin"], "Did you mean 'partition'?"),
    (["run", "raft", "--seed", "-3"], "seed must be 0 or more"),
    (["run", "raft", "--trials", "0"], "expected 1 or more"),
    (["run", "raft", "--impl", "no/such/file.py"], "There is no file"),
    (["run", "raft", "--partition", "--crash-leader"], "not allowed with"),
])
def test_bad_input_gets_one_sentence_and_exit_code_2(args, words):
    p = dslab(*args)
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert words in p.stderr.replace("\n", " ")
    assert "Traceback" not in p.stderr and p.stdout == ""


def test_list_card_and_help(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "raft" in out and "Consensus: Paxos, Raft, ZAB (deep dive)" in out
    assert "dslab init LAB" in out  # the learner's first step is named where the labs are
    assert main(["card", "raft"]) == 0
    assert "dslab check raft" in capsys.readouterr().out
    with pytest.raises(SystemExit) as e:
        main(["run", "raft", "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    for words in ("--partition", "--crash-leader", "--split-vote", "election_timeout_ms",
                  "default: uniform(150,300)"):
        assert words in out


def test_a_run_with_no_leader_is_reported_not_an_error(tmp_path):
    p = dslab("run", "raft", "--set", "failed=2,3,4", "--out", str(tmp_path))
    assert p.returncode == 0, p.stderr
    assert "No leader was elected" in p.stdout


def test_a_runaway_run_stops_at_the_event_budget_and_says_so(monkeypatch, capsys):
    from dslab.sim.simulation import Simulation

    monkeypatch.setattr(Simulation, "DEFAULT_EVENT_BUDGET", 500)
    assert main(["run", "raft", "--no-plot", "--seed", "4"]) == 2
    err = capsys.readouterr().err.replace("\n", " ")
    assert "stopped after 500 events" in err and "seed 4" in err and "Traceback" not in err


def test_rule_titles_hints_and_check_details_keep_their_brackets():
    # "[budget]" is a pytest id and "[1, 2]" a list in a detail, not rich markup to be eaten.
    from io import StringIO

    from rich.console import Console

    from dslab import render
    from dslab.check import CheckReport, Verdict

    buf = StringIO()
    console = Console(file=buf, width=200)
    report = CheckReport("retries", "x.py", [
        Verdict("test_RetryBudget_refills[budget]", "RetryBudget", False, "granted [none] of 3"),
        Verdict("test_backoff_delay_varies[full-jitter]", "backoff_delay", True, "")], "")
    render.check_report(console, get_lab("retries"), report)
    render.run(console, get_lab("retries"), _result_with_detail("servers [1, 2] disagree"), None, "r")
    out = buf.getvalue()
    for words in ("RetryBudget refills [budget]", "[none]", "[1, 2]"):
        assert words in out


def _result_with_detail(detail: str):
    from dslab.result import Check, Result

    return Result("retries", "default", 1, {}, {}, {}, [Check("a check", False, detail)])


def test_a_learners_crashing_formula_is_one_sentence_naming_their_file(tmp_path, capsys):
    bad = tmp_path / "exercise.py"
    bad.write_text("from dslab.labs.queueing.rules import erlang_c, servers_needed, mm1_percentile\n"
                   "def littles_law(L=None, lambda_per_s=None, W_ms=None):\n"
                   "    return 1 / 0\n")
    assert main(["run", "queueing", "--impl", str(bad), "--no-plot", "--set", "customers=2000"]) == 2
    err = capsys.readouterr().err
    assert f"Your littles_law ({bad} line 3) raised ZeroDivisionError" in err.replace("\n", " ")
    assert "Traceback" not in err
    assert "dslab check queueing" in err


def test_per_policy_metrics_keep_their_policy_in_the_terminal(capsys):
    assert main(["run", "retries", "--no-plot"]) == 0
    out = capsys.readouterr().out
    for words in ("[immediate]", "amplification[none]", "amplification[full-jitter]",
                  "goodput_per_s_after[immediate]"):
        assert words in out, words


def test_each_variation_gets_its_own_plot_file(tmp_path, capsys):
    from dslab.cli import plot_name

    base = ["run", "raft", "--set", "duration_ms=1000", "--out", str(tmp_path)]
    assert main(base) == 0
    assert main([*base, "--set", "nodes=3"]) == 0
    assert main([*base, "--set", "nodes=3", "--set", "election_timeout_ms=uniform(150, 300)"]) == 0
    # the same overrides in another order, and written another way, are the same plot
    assert main(["run", "raft", "--set", "election_timeout_ms=uniform(150,300)", "--set", "nodes=3",
                 "--set", "duration_ms=1000.0", "--out", str(tmp_path)]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) == 3 and all(n.startswith("raft-default-seed1-") for n in names), names
    assert plot_name("raft", "partition", 1) == "raft-partition-seed1.png"  # as before
    assert plot_name("raft", "default", 1, {"a": "1", "b": "2"}) == \
        plot_name("raft", "default", 1, {"b": "2", "a": "1"})
    assert plot_name("raft", "default", 1, {"a": "1"}) != plot_name("raft", "default", 1, {"a": "2"})
    assert "-impl-" in plot_name("raft", "default", 1, None, "exercise.py")
    out = capsys.readouterr().out.replace("\n", "")
    assert all(n in out for n in names)


def test_the_summary_comes_before_the_plot_and_a_failing_plot_is_one_sentence(
        tmp_path, monkeypatch, capsys):
    from dslab.lab import Lab

    def broken(self, result, ax=None):
        raise KeyError("n4")

    monkeypatch.setattr(Lab, "plot", broken)
    assert main(["run", "raft", "--set", "duration_ms=1000", "--out", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert "What happened" in captured.out and "Replay this run" in captured.out
    err = " ".join(captured.err.split())
    assert "The run finished and its summary is above, but its plot could not be drawn: " \
           "KeyError ('n4') in broken" in err
    assert "Traceback" not in err and not list(tmp_path.iterdir())


def test_help_shows_what_each_scenario_sets(capsys):
    with pytest.raises(SystemExit):
        main(["run", "retries", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    # the contention experiment runs only under --jitter, with 100 retries, not the default 3
    assert "retries after the first attempt before a request fails [default: 3; --jitter: 100]" in out
    assert "duration_ms how long users send requests [default: 30000; --metastable, --budget, " \
           "--breaker: 60000]" in out
    assert "parameters of every experiment:" in out and out.count("budget_tokens") == 1
    assert "sets policy=immediate, duration_ms=60000)" in out
    with pytest.raises(SystemExit):
        main(["run", "queueing", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "[default: 50000; --hockey-stick: 30000; --pool-sizing: 60000; --burst, --closed: none]" \
        in out
    assert "max_wait_ms the mean wait to meet" in out


@pytest.mark.parametrize("argv", [["list"], ["card", "raft"], ["run", "queueing", "--json"],
                                  ["run", "retries", "--no-plot", "--layers"]])
def test_commands_that_draw_nothing_never_import_matplotlib(argv):
    """matplotlib is most of dslab's start-up: a command that saves no plot must not pay for it."""
    code = ("import io, sys, contextlib\nfrom dslab.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    code = main({argv!r})\n"
            "print(code, 'matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "False"], out.stdout + out.stderr


def test_a_reader_that_leaves_early_gets_no_traceback():
    # `dslab run raft --json | head -c 10`, or a reader that exits at once: the pipe breaks
    # before the output is written, and that is not the learner's error to read about.
    p = subprocess.Popen([sys.executable, "-m", "dslab.cli", "run", "raft", "--json"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.stdout is not None and p.stderr is not None
    p.stdout.close()  # the reader is gone before anything is printed
    err = p.stderr.read().decode()
    assert p.wait(timeout=60) == 0
    assert "Traceback" not in err and "BrokenPipe" not in err, err

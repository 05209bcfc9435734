"""Input that used to crash mid-run, run without end, or print nonsense is refused before the run
starts: one sentence naming what to change, exit code 2, no traceback."""

from __future__ import annotations

import dataclasses
import typing

import pytest

from dslab.cli import main
from dslab.errors import InputError
from dslab.lab import Lab
from dslab.labs import all_labs, get_lab
from dslab.sim.dist import Dist
from dslab.sim.simulation import Simulation


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    """Rich wraps to the terminal width; a wide one keeps phrases on one line for the asserts."""
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture
def no_run(monkeypatch):
    """Fail the test if a simulation starts: these inputs must be refused before any run."""
    def ran(*args, **kwargs):
        raise AssertionError("the run started")

    monkeypatch.setattr(Lab, "start", ran)


def refused(capsys, *args: str) -> str:
    """Run ``dslab *args``; assert exit code 2, one message and nothing else; return the message."""
    assert main(list(args)) == 2
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err and err.startswith("error: ")
    return " ".join(err.split())


# -- 6: a time cannot be negative ------------------------------------------------------------------

@pytest.mark.parametrize("args, name, low", [
    (["queueing", "--set", "service_ms=uniform(-1,3)"], "service_ms", "-1"),
    (["queueing", "--set", "arrivals=uniform(-1,30)"], "arrivals", "-1"),
    (["queueing", "--closed", "--set", "think_ms=uniform(-5,5)"], "think_ms", "-5"),
    (["retries", "--set", "service_ms=uniform(-5,45)"], "service_ms", "-5"),
    (["retries", "--jitter", "--set", "work_ms=uniform(-1,3)"], "work_ms", "-1"),
    (["retries", "--layers", "--set", "hop_ms=uniform(-10,20)"], "hop_ms", "-10"),
    (["retries", "--layers", "--set", "hop_ms=mix(0.99:const(2),0.01:const(-1))"], "hop_ms", "-1"),
    (["raft", "--set", "latency_ms=uniform(-2,8)"], "latency_ms", "-2"),
    (["raft", "--set", "election_timeout_ms=uniform(-100,300)"], "election_timeout_ms", "-100"),
])
def test_a_distribution_that_can_go_negative_is_refused_naming_its_lower_end(
        capsys, no_run, args, name, low):
    msg = refused(capsys, "run", *args)
    assert f"{name} is a time and cannot be negative" in msg and f"as low as {low} ms" in msg


@pytest.mark.parametrize("args", [
    ["retries", "--layers", "--set", "hop_ms=const(-5)"],
    ["retries", "--layers", "--set", "hop_ms=-5"],
    ["queueing", "--set", "service_ms=const(-5)"],
])
def test_a_negative_constant_is_refused_for_being_negative(capsys, no_run, args):
    msg = refused(capsys, "run", *args)
    assert "cannot be negative, got const(-5)" in msg and "finite mean" not in msg


def test_a_wide_normal_service_time_is_refused_with_a_distribution_that_fits(capsys, no_run):
    # Redrawn at zero, normal(1,100) averages about 80 ms while theory would use 1 ms.
    msg = refused(capsys, "run", "queueing", "--set", "service_ms=normal(1,100)")
    assert msg.startswith("error: service_ms: normal(1,100) would fall below 0 ms")
    assert "lognormal(1,100)" in msg


def _dist_fields() -> list[tuple[str, str, str]]:
    """(lab, a scenario of the experiment, field) for every distribution parameter of every lab."""
    out = []
    for lab in all_labs():
        for exp in lab.experiments:
            hints = typing.get_type_hints(exp.params)
            out += [(lab.name, lab.scenarios_of(exp.name)[0], f.name)
                    for f in dataclasses.fields(exp.params) if hints[f.name] is Dist]
    return out


@pytest.mark.parametrize("lab, scenario, name", _dist_fields())
def test_every_distribution_parameter_of_every_lab_must_stay_at_or_above_zero(lab, scenario, name):
    with pytest.raises(InputError, match=f"^{name} is a time and cannot be negative"):
        get_lab(lab).make_params(scenario, {name: "uniform(-1,3)"})


# -- 7: --out is checked before the run ------------------------------------------------------------

def test_out_naming_an_existing_file_is_refused_before_the_run(capsys, no_run, tmp_path):
    existing = tmp_path / "plot.png"
    existing.write_text("not a folder")
    msg = refused(capsys, "run", "raft", "--out", str(existing))
    assert f"--out {existing} is a file" in msg and "--no-plot" in msg
    assert existing.read_text() == "not a folder"


def test_out_under_a_file_is_refused_before_the_run(capsys, no_run, tmp_path):
    (tmp_path / "file").write_text("")
    msg = refused(capsys, "run", "queueing", "--out", str(tmp_path / "file" / "plots"))
    assert "The plot could not be saved in --out" in msg and "not a directory" in msg


def test_out_is_created_when_missing_and_not_needed_without_a_plot(capsys, tmp_path):
    folder = tmp_path / "new" / "plots"
    assert main(["run", "raft", "--set", "duration_ms=1000", "--out", str(folder)]) == 0
    assert len(list(folder.glob("*.png"))) == 1
    (tmp_path / "file").write_text("")
    assert main(["run", "raft", "--set", "duration_ms=1000", "--no-plot",
                 "--out", str(tmp_path / "file")]) == 0


# -- 8: unbounded work is refused before it starts -------------------------------------------------

def test_trials_have_a_ceiling(capsys, monkeypatch):
    import dslab.trials

    def never(*args, **kwargs):
        raise AssertionError("seeds were drawn")

    monkeypatch.setattr(dslab.trials, "trial_seeds", never)
    msg = refused(capsys, "run", "queueing", "--trials", "100000000")
    assert "--trials must be between 1 and 1,000, got 100,000,000" in msg
    msg = refused(capsys, "run", "raft", "--trials", "20", "--workers", "100000")
    assert "--workers must be between 1 and 64" in msg


@pytest.mark.parametrize("args, names", [
    (["raft", "--set", "duration_ms=600000", "--set", "client_rate_per_s=100000"],
     ("client_rate_per_s or duration_ms", "60,156,000 events")),
    (["raft", "--set", "heartbeat_ms=0.01", "--set", "election_timeout_ms=uniform(1,2)"],
     ("raise heartbeat_ms",)),
    (["queueing", "--closed", "--set", "users=100000", "--set", "think_ms=const(0)",
      "--set", "servers=10000", "--set", "duration_ms=600000"], ("lower users or duration_ms",)),
    (["queueing", "--burst", "--set", "burst_rate_per_s=1000000", "--set", "burst_ms=5000"],
     ("during the burst", "shorten the run or lower the rate")),
    (["queueing", "--hockey-stick", "--set", "customers=1000000"],
     ("13 utilizations", "send fewer customers per utilization")),
    (["retries", "--jitter", "--set", "clients=1000", "--set", "repeats=100"],
     ("500,000 clients to race", "lower repeats")),
    (["hashing", "--cache-join", "--set", "request_rate_per_s=20000", "--set", "window_ms=0.5"],
     ("window_ms must be at least duration_ms / 10,000 (2)",)),
])
def test_a_run_too_large_to_finish_is_refused_naming_what_to_lower(capsys, no_run, args, names):
    msg = refused(capsys, "run", *args)
    for words in names:
        assert words in msg


@pytest.mark.parametrize("overrides", [
    {}, {"client_rate_per_s": "2000"}, {"nodes": "15"}, {"heartbeat_ms": "10"},
    {"client_rate_per_s": "0", "duration_ms": "20000"},
])
def test_the_raft_event_estimate_is_close_to_the_events_a_run_takes(overrides):
    lab = get_lab("raft")
    params = lab.make_params("default", overrides)
    run = lab.start(params, seed=3)
    run.finish()
    sim: Simulation = run.model.sim
    assert 0.6 * sim.events_processed <= params.events() <= 1.1 * sim.events_processed


# -- 9: settings that would make a run meaningless -------------------------------------------------

def test_a_zero_target_wait_is_refused(capsys, no_run):
    msg = refused(capsys, "run", "queueing", "--pool-sizing", "--set", "max_wait_ms=0")
    assert "max_wait_ms must be positive, got 0" in msg


@pytest.mark.parametrize("value", ["", ",", "none"])
def test_an_empty_list_of_utilizations_is_refused(capsys, no_run, value):
    msg = refused(capsys, "run", "queueing", "--hockey-stick", "--set", f"utilizations={value}")
    assert "give at least one utilization" in msg


def test_a_sweep_whose_fastest_point_would_measure_nothing_is_refused(capsys, no_run):
    msg = refused(capsys, "run", "queueing", "--hockey-stick", "--set", "arrival_rate_per_s=1",
                  "--set", "customers=100")
    assert "warmup_ms (2000) covers the whole run at utilization 0.98" in msg


def test_an_empty_scenario_name_is_refused_with_the_list(capsys, no_run):
    msg = refused(capsys, "run", "raft", "--scenario", "")
    assert "Scenarios: default, partition, crash-leader, rejoin, split-vote" in msg


@pytest.mark.parametrize("value", ["uniform(150,1e308)", "pareto(200,0.5)", "uniform(3000,8000)"])
def test_election_timeouts_that_cannot_fire_within_the_run_are_refused(capsys, no_run, value):
    msg = refused(capsys, "run", "raft", "--set", f"election_timeout_ms={value}")
    assert "as long as the whole run or longer (duration_ms=5000)" in msg


@pytest.mark.parametrize("value, words", [
    ("1e12", "nothing would be measured"), ("pareto(1,0.5)", "think_ms must have a finite mean")])
def test_closed_users_who_never_send_are_refused(capsys, no_run, value, words):
    msg = refused(capsys, "run", "queueing", "--closed", "--set", f"think_ms={value}")
    assert words in msg


# -- 10a: a mistyped flag ------------------------------------------------------------------------

@pytest.mark.parametrize("args, guess, page", [
    (["run", "raft", "--partitoin"], "Did you mean --partition?", "dslab run raft --help"),
    (["run", "raft", "partition"], "Did you mean --partition?", "dslab run raft --help"),
    (["run", "queueing", "--hocky-stick"], "Did you mean --hockey-stick?",
     "dslab run queueing --help"),
    (["run", "hashing", "--sed=4"], "Did you mean --seed?", "dslab run hashing --help"),
    (["check", "raft", "--impll", "x.py"], "Did you mean --impl?", "dslab check --help"),
    (["list", "--zzzzzz"], "", "dslab list --help"),
])
def test_an_unknown_flag_gets_the_closest_flag_and_the_commands_help_page(capsys, args, guess,
                                                                          page):
    msg = refused(capsys, *args)
    assert "Unrecognized argument" in msg and guess in msg and f"See '{page}'" in msg


def test_a_bad_flag_value_points_at_the_labs_help_page(capsys):
    msg = refused(capsys, "run", "raft", "--seed", "x")
    assert "seed must be a whole number" in msg and "See 'dslab run raft --help'" in msg


@pytest.mark.parametrize("args, words", [
    (["raft", "--set", "latency_ms=1e12"], "hardly a message would arrive"),
    (["queueing", "--set", "customers=none", "--set", "duration_ms=10000",
      "--set", "arrival_rate_per_s=0.01"], "about 0.08 requests between warmup_ms"),
    (["retries", "--set", "arrival_rate_per_s=1e-9"], "fewer than the 10 a run needs"),
    (["hashing", "--cache-join", "--set", "request_rate_per_s=1"],
     "about 0.25 requests per window of 250 ms"),
])
def test_runs_that_would_carry_almost_nothing_are_refused(capsys, no_run, args, words):
    # Each of these ran and printed nan ratios or a story about a cluster that heard nothing.
    assert words in refused(capsys, "run", *args)


def test_a_mistyped_command_gets_a_guess(capsys):
    msg = refused(capsys, "rnu", "raft")
    assert "invalid choice: 'rnu'" in msg and "Did you mean 'run'?" in msg
    assert "See 'dslab --help'" in msg

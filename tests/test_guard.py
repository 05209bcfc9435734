"""One guard around a learner's code: whatever their file does wrong -- fails to load, raises,
returns the wrong type or NaN, recurses or loops for ever -- ends in one sentence naming the rule,
what went wrong and the line of their file (exit code 2 from the CLI, InputError from Python),
and dslab's own failures are never blamed on them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO
from dslab.cli import main
from dslab.errors import InputError
from dslab.labs import all_labs, get_lab

LABS = all_labs()
IDS = [lab.name for lab in LABS]

#: The scenarios the labs' READMEs run with --impl.
README_RUNS = {"raft": ["partition"], "queueing": ["pool-sizing"], "hashing": ["add-node"],
               "lsm": ["write-stall"], "stampede": ["mass-expiry"],
               "retries": ["budget", "jitter", "breaker"], "quorum": ["sloppy", "repair"]}


@pytest.fixture(autouse=True)
def wide_terminal(monkeypatch):
    """Rich wraps to the terminal width; a wide one keeps each sentence on one line."""
    monkeypatch.setenv("COLUMNS", "300")


def learner_file(tmp_path: Path, lab, body: str, name: str = "exercise.py") -> Path:
    """A learner's file: the reference rules, then ``body`` (which replaces some of them)."""
    path = tmp_path / name
    path.write_text(f"from {lab.rules.__name__} import *  # noqa: F403\n" + body)
    return path


def line_of(path: Path, text: str) -> int:
    """The line of ``path`` (from 1) that holds ``text``."""
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def every_rule(lab, body: str) -> str:
    """``body`` as the body of every exercise rule of ``lab`` (classes included, as callables);
    ``{rule}`` in it is the rule's name."""
    return "".join(f"\ndef {rule}(*args, **kwargs):\n    {body.format(rule=rule)}\n"
                   for rule in lab.exercise_rules)


def did_not_return(limit: int) -> str:
    """The end of the sentence for a rule still running when the time limit ran out (it says how
    long the call had run, when it began after the run did)."""
    return (rf"did not return(: it had run for [\d.]+ s when the time limit of {limit} s ran out|"
            rf" within {limit} s)\.")


def cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, COLUMNS="300")
    return subprocess.run([sys.executable, "-m", "dslab.cli", *args], capture_output=True,
                          text=True, env=env, timeout=300, cwd=REPO)


def run_cli(capsys, *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, " ".join(capsys.readouterr().err.split())


# -- the cases the issue reproduced ---------------------------------------------------------------

RING_WITHOUT_WRAP = """
from bisect import bisect_left


def ring_owner(ring, key_hash):
    i = bisect_left(ring, key_hash, key=lambda point: point[0])
    return ring[i][1]  # past the last point there is no ring[i]
"""


def test_a_ring_owner_that_does_not_wrap_is_one_sentence_not_a_traceback(tmp_path):
    lab = get_lab("hashing")
    path = learner_file(tmp_path, lab, RING_WITHOUT_WRAP)
    p = cli("run", "hashing", "--add-node", "--impl", str(path), "--no-plot")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    err = " ".join(p.stderr.split())
    assert (f"Your ring_owner ({path} line {line_of(path, 'ring[i][1]')}) raised IndexError "
            "(list index out of range) during the run." in err)
    assert "dslab check hashing" in err
    with pytest.raises(InputError, match="Your ring_owner .* raised IndexError"):
        lab.run(lab.make_params("add-node"), 1, lab.load_impl(path))


OBSERVE_TERM_AS_A_TUPLE = """
def observe_term(current_term, voted_for, role, msg_term):
    if msg_term > current_term:
        return (msg_term, None, FOLLOWER)
    return (current_term, voted_for, role)
"""


def test_observe_term_returning_a_tuple_is_named_where_it_returns(tmp_path, capsys):
    lab = get_lab("raft")
    path = learner_file(tmp_path, lab, OBSERVE_TERM_AS_A_TUPLE)
    code, err = run_cli(capsys, "run", "raft", "--impl", str(path), "--no-plot")
    line = line_of(path, "def observe_term")
    assert code == 2
    assert (f"Your observe_term ({path} line {line}) returned (1, None, 'follower') (a tuple), but "
            "it must return a TermState." in err)


def test_erlang_c_raising_key_error_is_one_sentence(tmp_path, capsys):
    lab = get_lab("queueing")
    path = learner_file(tmp_path, lab, "\ndef erlang_c(servers, offered_load):\n"
                                       "    return {}[servers]\n")
    code, err = run_cli(capsys, "run", "queueing", "--impl", str(path), "--no-plot")
    assert code == 2
    assert f"Your erlang_c ({path} line {line_of(path, '{}[servers]')}) raised KeyError (1)" in err


def test_erlang_c_returning_nan_is_refused_not_shown_as_nan_percent(tmp_path, capsys):
    lab = get_lab("queueing")
    path = learner_file(tmp_path, lab, "\ndef erlang_c(servers, offered_load):\n"
                                       "    return float('nan')\n")
    code, err = run_cli(capsys, "run", "queueing", "--impl", str(path), "--no-plot")
    assert code == 2 and "nan%" not in err
    assert "Your erlang_c" in err and "returned nan (a float), but it must return a finite float" in err


def test_a_retry_budget_method_that_raises_is_named_with_its_class(tmp_path, capsys):
    lab = get_lab("retries")
    path = learner_file(tmp_path, lab, "\nclass RetryBudget(RetryBudget):\n"
                                       "    def on_request(self):\n"
                                       "        raise RuntimeError('bucket overflow')\n")
    code, err = run_cli(capsys, "run", "retries", "--budget", "--impl", str(path), "--no-plot")
    assert code == 2
    assert (f"Your RetryBudget.on_request ({path} line {line_of(path, 'RuntimeError')}) raised "
            "RuntimeError (bucket overflow) during the run." in err)


# -- every lab, every way a rule goes wrong -------------------------------------------------------

@pytest.mark.parametrize("raise_it, words", [
    ("raise KeyError('k')", r"raised KeyError \('k'\)"),
    ("raise RuntimeError('boom')", r"raised RuntimeError \(boom\)"),
    ("raise type('Surprise', (Exception,), {{}})('odd')", r"raised Surprise \(odd\)"),
    ("raise SystemExit(3)", r"called sys.exit\(\)"),
    ("return {rule}(*args, **kwargs)", r"called itself without end \(RecursionError\)"),
], ids=["KeyError", "RuntimeError", "own-exception", "sys.exit", "recursion"])
@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_a_rule_that_fails_any_way_is_one_sentence_with_its_line_in_every_lab(lab, tmp_path,
                                                                              raise_it, words):
    path = learner_file(tmp_path, lab, every_rule(lab, raise_it))
    with pytest.raises(InputError, match=rf"^Your (\w+) \({re.escape(str(path))} line \d+\) {words}") as info:
        lab.run(lab.make_params("default"), 1, lab.load_impl(path))
    rule = str(info.value).split()[1]
    assert rule in lab.exercise_rules
    assert f"line {line_of(path, f'def {rule}(') + 1})" in str(info.value)


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_every_labs_command_says_a_crash_in_one_sentence_with_exit_code_2(lab, tmp_path):
    path = learner_file(tmp_path, lab, every_rule(lab, "raise LookupError('lost')"))
    p = cli("run", lab.name, "--impl", str(path), "--no-plot")
    assert p.returncode == 2 and "Traceback" not in p.stderr and p.stdout == ""
    error, hint = " ".join(p.stderr.split()).split(" hint: ")
    assert re.fullmatch(rf"error: Your \w+ \({re.escape(str(path))} line \d+\) raised LookupError "
                        r"\(lost\) (during the run|for these parameters)\.", error), error
    assert hint.startswith(f"dslab check {lab.name} ")


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_a_rule_returning_the_wrong_type_is_named_at_the_call_in_every_lab(lab, tmp_path):
    path = learner_file(tmp_path, lab, "".join(
        f"\ndef {rule}(*args, **kwargs):\n    return None\n" for rule in lab.exercise_rules
        if not isinstance(getattr(lab.rules, rule), type)))
    with pytest.raises(InputError, match=r"^Your \w+ \(.* line \d+\) returned None, but it must "
                                         r"return .+\.$"):
        lab.run(lab.make_params("default"), 1, lab.load_impl(path))


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_a_rule_that_never_returns_is_stopped_and_named_in_every_lab(lab, tmp_path):
    path = learner_file(tmp_path, lab, every_rule(lab, "while True:\n        pass"))
    # 3 s: the simulation runs first where only theory calls the rules (queueing), and the call
    # that never returns must have the larger part of the limit
    with pytest.raises(InputError, match=rf"^Your (\w+) \({re.escape(str(path))} line \d+\) "
                                         rf"{did_not_return(3)}$"):
        lab.run(lab.make_params("default"), 1, lab.load_impl(path), time_limit=3)


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_a_notebooks_step_by_step_run_is_guarded_too(lab, tmp_path):
    path = learner_file(tmp_path, lab, every_rule(lab, "raise RuntimeError('boom')"))
    run = lab.start(lab.make_params("default"), 1, lab.load_impl(path))
    with pytest.raises(InputError, match=r"raised RuntimeError \(boom\)"):
        for _ in range(5):  # where the model calls the rules as it runs (the others in result())
            run.step(100.0)
            run.state()
        run.finish().result()


def test_a_stepped_run_can_have_a_time_limit_on_each_step(tmp_path):
    lab = get_lab("raft")
    path = learner_file(tmp_path, lab, "\ndef grant_vote(*args):\n    while True:\n        pass\n")
    run = lab.start(lab.make_params("default"), 1, lab.load_impl(path), time_limit=1)
    with pytest.raises(InputError, match=rf"Your grant_vote .* {did_not_return(1)}"):
        run.run_until(10_000.0)


def test_inside_simulated_processes_the_learners_line_and_the_time_limit_survive(tmp_path, capsys):
    """SimPy raises a process's exception again as a copy without the learner's frames (retries'
    layers scenario runs its clients as SimPy processes): the guard finds the original."""
    lab = get_lab("retries")
    path = learner_file(tmp_path, lab, "\ndef backoff_delay(*args):\n    raise KeyError('k')\n")
    with pytest.raises(InputError, match=rf"^Your backoff_delay \({re.escape(str(path))} line 4\) "
                                         r"raised KeyError"):
        lab.run(lab.make_params("layers"), 1, lab.load_impl(path))
    path = learner_file(tmp_path, lab, "\ndef backoff_delay(*args):\n    while True:\n        pass\n")
    with pytest.raises(InputError, match=rf"^Your backoff_delay .* {did_not_return(3)}$"):
        lab.run(lab.make_params("layers"), 1, lab.load_impl(path), time_limit=3)
    code, err = run_cli(capsys, "run", "retries", "--layers", "--no-plot",
                        "--impl", str(REPO / "labs" / "retries" / "exercise.py"))
    assert code == 2 and "exercise.py: backoff_delay is not implemented yet" in err


def test_a_time_limit_survives_being_copied_and_pickled():
    import pickle

    from dslab.limits import TimeLimitExceeded

    e = TimeLimitExceeded(2.5)
    for copy in (type(e)(*e.args), pickle.loads(pickle.dumps(e))):
        assert copy.seconds == 2.5 and str(copy) == str(e) == "ran longer than 2.5 s"


# -- answers the simulation could not go on with, refused where they are given ----------------

@pytest.mark.parametrize("lab_name, scenario, body, words", [
    ("raft", "default",
     "def observe_term(t, v, r, m):\n    return TermState(max(t, m), None, 'Follower')",
     "returned a TermState whose role is 'Follower', but a role is one of 'follower'"),
    ("raft", "default", "def observe_term(t, v, r, m):\n    return TermState(max(t, m), '2', r)",
     "returned a TermState whose voted_for is '2' (a str), but it must be an int or None"),
    ("raft", "default", "def quorum(n):\n    return n / 2 + 1",
     "returned 3.5 (a float), but it must return an int"),
    ("queueing", "pool-sizing", "def servers_needed(r, s, w):\n    return 0",
     "returned 0, but a pool has at least one server"),
    ("queueing", "pool-sizing",
     "import numpy as np\ndef servers_needed(r, s, w):\n    return np.int64(12)",
     "but a number of servers is a Python int: convert it with int(...)"),
    ("queueing", "default", "def erlang_c(c, a):\n    return float('inf')",
     "returned inf (a float), but it must return a finite float"),
    ("hashing", "default", "def ring_owner(ring, h):\n    return 'n9'",
     "returned 'n9', which is not a node on the ring"),
    ("hashing", "default",
     "def build_ring(nodes, v):\n    return sorted((stable_hash(f'{n}#{i}'), f'{n}#{i}') "
     "for n in nodes for i in range(v))",
     "#4', which is not one of the nodes it was given"),
    ("hashing", "default", "def build_ring(nodes, v):\n    return {}",
     "returned {} (a dict), but it must return a list of tuples of an int and a str"),
    ("hashing", "add-node", "def jump_hash(key, buckets):\n    return buckets",
     "returned 5 for 5 buckets, but a bucket is a number from 0 to 4"),
    ("hashing", "add-node", "def moved_keys(before, after):\n    return {k: 'x' for k in before}",
     "returned a dict whose value for"),
    ("retries", "default", "def backoff_delay(*args):\n    return -5.0",
     "returned -5, but a wait cannot be negative"),
    ("retries", "budget", "class RetryBudget(RetryBudget):\n    def try_retry(self):\n        pass",
     "Your RetryBudget.try_retry"),
    ("retries", "breaker",
     "class CircuitBreaker:\n    def __init__(self, failures, open_ms, probes=1):\n        pass\n"
     "    def allow(self, now_ms):\n        return True\n"
     "    def record_success(self, now_ms):\n        pass\n"
     "    def record_failure(self, now_ms):\n        pass",
     "left the breaker with no state attribute, but the client reads .state"),
], ids=lambda v: v if isinstance(v, str) and len(v) < 12 else None)
def test_an_answer_the_simulation_cannot_use_is_refused_where_it_is_given(tmp_path, lab_name,
                                                                          scenario, body, words):
    lab = get_lab(lab_name)
    path = learner_file(tmp_path, lab, "\n" + body + "\n")
    with pytest.raises(InputError, match=r"^Your \w+(\.\w+)? \(.* line \d+\) ") as info:
        lab.run(lab.make_params(scenario), 1, lab.load_impl(path))
    assert words in str(info.value)


def reference_by_hand(lab) -> str:
    """A learner's file whose every rule (every method of a class) is the learner's own function,
    answering what the reference answers, so every one of them is watched."""
    code = [f"import {lab.rules.__name__} as _ref\n"]
    for rule in lab.exercise_rules:
        ours = getattr(lab.rules, rule)
        if isinstance(ours, type):
            code.append(f"\nclass {rule}(_ref.{rule}):\n    def __init__(self, *args, **kwargs):\n"
                        "        super().__init__(*args, **kwargs)\n")
            code += [f"    def {m}(self, *args, **kwargs):\n        return super().{m}(*args, **kwargs)\n"
                     for m in vars(ours) if not m.startswith("_")]
        else:
            code.append(f"\ndef {rule}(*args, **kwargs):\n    return _ref.{rule}(*args, **kwargs)\n")
    return "".join(code)


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_the_watch_on_a_learners_rules_changes_nothing_in_what_they_compute(lab, tmp_path):
    path = tmp_path / "exercise.py"
    path.write_text(reference_by_hand(lab))
    impl = lab.watched(lab.load_impl(path))
    assert all(getattr(impl, rule) is not getattr(lab.rules, rule) for rule in lab.exercise_rules)
    for scenario in ["default", *README_RUNS[lab.name]]:
        params = lab.make_params(scenario)
        assert lab.run(params, 3, impl).to_json() == lab.run(params, 3).to_json(), scenario


@pytest.mark.parametrize("path", sorted((REPO / "tests" / "labs").glob("*/alternatives/*.py")),
                         ids=lambda p: f"{p.parent.parent.name}-{p.stem}")
def test_right_solutions_written_another_way_are_never_refused(path):
    lab = get_lab(path.parent.parent.name)
    impl = lab.load_impl(path)
    for scenario in ["default", *README_RUNS[lab.name]]:
        assert lab.run(lab.make_params(scenario), 1, impl).ok


def test_the_reference_rules_run_unwatched_and_a_learners_file_loads_as_written(tmp_path):
    lab = get_lab("raft")
    assert lab.watched(None).quorum is lab.rules.quorum
    path = learner_file(tmp_path, lab, "\ndef quorum(n):\n    return n // 2 + 1\n")
    impl = lab.load_impl(path)
    assert impl.quorum.__module__.startswith("dslab_impl_"), "the checker sees the learner's own"
    assert lab.watched(impl).quorum is not impl.quorum
    assert lab.watched(impl).quorum(5) == 3


# -- dslab's own failures stay dslab's ----------------------------------------------------------

def test_an_exception_with_no_learner_code_running_is_not_blamed_on_the_learner(tmp_path,
                                                                                monkeypatch):
    lab = get_lab("raft")
    impl = lab.load_impl(REPO / "tests" / "labs" / "raft" / "reference_impl.py")
    from dslab.labs.raft import model

    def broken(self, *args, **kwargs):
        raise KeyError("a bug of dslab's")

    monkeypatch.setattr(model.RaftServer, "_become_leader", broken)
    with pytest.raises(KeyError, match="a bug of dslab's"):
        lab.run(lab.make_params("default"), 1, impl)
    with pytest.raises(KeyError, match="a bug of dslab's"):
        lab.run(lab.make_params("default"), 1)


def test_a_time_limit_outside_the_learners_code_says_so(tmp_path):
    lab = get_lab("raft")
    impl = lab.watched(lab.load_impl(learner_file(tmp_path, lab, "")))
    with pytest.raises(InputError, match=r"^The run on your rules did not finish within 0.5 s, "
                                         "though none of them was running"):
        with lab.guard(impl, time_limit=0.5):
            while True:
                pass


def test_a_run_slow_in_many_short_calls_is_not_called_a_rule_that_never_returns(tmp_path):
    lab = get_lab("raft")
    impl = lab.watched(lab.load_impl(learner_file(tmp_path, lab, "")))
    with pytest.raises(InputError, match=r"did not finish within 0.5 s; it was in your quorum at "
                                         "the time, so a rule may be far slower"):
        with lab.guard(impl, time_limit=0.5):
            while True:  # as if one short call of quorum followed another
                impl._watch.rule, impl._watch.started = "quorum", time.monotonic()


def test_the_reference_rules_have_no_time_limit_unless_asked(monkeypatch):
    import dslab.impl

    limits = []
    real = dslab.impl.time_limit

    def recorded(seconds):
        limits.append(seconds)
        return real(seconds)

    monkeypatch.setattr(dslab.impl, "time_limit", recorded)
    lab = get_lab("raft")
    assert main(["run", "raft", "--no-plot", "--json"]) == 0
    assert limits and set(limits) == {None}
    with pytest.raises(InputError, match=r"^The run did not finish within 0.5 s\.$"):
        with lab.guard(lab.load_impl(), time_limit=0.5):
            while True:
                pass


# -- a file that fails to load ------------------------------------------------------------------

@pytest.mark.parametrize("body, words", [
    ("def quorum(:", r"does not parse: .* \(line 2\)\."),
    ("x = 1 / 0", r"could not be loaded: ZeroDivisionError \(division by zero\) at line 2\."),
    ("import no_such_module_here",
     r"could not be loaded: ModuleNotFoundError \(No module named 'no_such_module_here'\) at line 2"),
    ("def f():\n    return {}['k']\nf()", r"could not be loaded: KeyError \('k'\) in f \(line 3\)"),
    ("import sys\nsys.exit('done')", r"called sys.exit\(\) at line 3 while being loaded"),
    ("raise SystemExit", r"called sys.exit\(\) at line 2 while being loaded"),
    ("while True:\n    pass", r"^Loading .* did not finish within 0.5 s \(it was at line \d when stopped\)"),
], ids=["syntax", "error", "missing-module", "error-in-a-function", "sys.exit", "SystemExit", "endless"])
def test_a_file_that_fails_to_load_is_one_sentence_naming_file_and_line(tmp_path, body, words):
    lab = get_lab("queueing")
    path = learner_file(tmp_path, lab, body + "\n")
    with pytest.raises(InputError, match=words) as info:
        lab.load_impl(path, time_limit=0.5)
    assert str(path) in str(info.value)
    assert not any(getattr(m, "__file__", None) == str(path) for m in list(sys.modules.values())), \
        "a file that failed to load is not left half-loaded"


def test_sys_exit_at_import_is_one_sentence_from_the_cli(tmp_path):
    lab = get_lab("raft")
    path = learner_file(tmp_path, lab, "import sys\nsys.exit()\n")
    p = cli("run", "raft", "--impl", str(path), "--no-plot")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "called sys.exit() at line 3 while being loaded" in " ".join(p.stderr.split())


# -- the command: --time-limit, --trials, stubs ---------------------------------------------------

def test_an_endless_rule_is_stopped_by_the_commands_time_limit(tmp_path):
    lab = get_lab("raft")
    path = learner_file(tmp_path, lab, "\ndef quorum(cluster_size):\n    n = 0\n"
                                       "    while n < cluster_size:\n        n = n * 1\n"
                                       "    return n\n")
    p = cli("run", "raft", "--impl", str(path), "--no-plot", "--time-limit", "1")
    assert p.returncode == 2 and "Traceback" not in p.stderr
    err = " ".join(p.stderr.split())
    loop = line_of(path, "while n < cluster_size")
    assert re.search(rf"Your quorum \({re.escape(str(path))} line ({loop}|{loop + 1})\) "
                     rf"{did_not_return(1)}", err), err
    assert "--time-limit SECONDS" in err


@pytest.mark.parametrize("bad", ["0", "-3", "soon", "inf"])
def test_the_time_limit_must_be_a_positive_number_of_seconds(capsys, bad):
    code, err = run_cli(capsys, "run", "raft", "--time-limit", bad, "--no-plot")
    assert code == 2 and "seconds" in err


def test_a_crash_in_trials_is_one_sentence_with_the_seed_to_replay(tmp_path, capsys):
    lab = get_lab("raft")
    path = learner_file(tmp_path, lab, OBSERVE_TERM_AS_A_TUPLE)
    code, err = run_cli(capsys, "run", "raft", "--impl", str(path), "--trials", "8",
                        "--workers", "2", "--no-plot")
    assert code == 2 and "Traceback" not in err
    assert "Your observe_term" in err and "it must return a TermState" in err
    assert "It happened in the trial with seed" in err and "replays it alone" in err


def test_a_hang_in_trials_is_one_sentence(tmp_path, capsys):
    lab = get_lab("raft")
    path = learner_file(tmp_path, lab, "\ndef grant_vote(*args):\n    while True:\n        pass\n")
    code, err = run_cli(capsys, "run", "raft", "--impl", str(path), "--trials", "8",
                        "--workers", "2", "--no-plot", "--time-limit", "1")
    assert code == 2
    assert re.search(rf"Your grant_vote .* {did_not_return(1)}", err), err


@pytest.mark.parametrize("trials", ["1", "8"])
def test_a_stub_names_the_lab_to_check(capsys, trials):
    code, err = run_cli(capsys, "run", "hashing", "--impl", str(REPO / "labs/hashing/exercise.py"),
                        "--no-plot", "--trials", trials, "--workers", "2")
    assert code == 2
    assert "is not implemented yet" in err and "dslab check hashing shows" in err
    assert "LAB" not in err

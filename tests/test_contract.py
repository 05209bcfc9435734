"""Every registered lab honours the Lab contract, so a new lab cannot be half-registered."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys

import pytest
from matplotlib.figure import Figure

import dslab
from conftest import REPO
from dslab.labs import all_labs
from dslab.result import Result

LABS = all_labs()
IDS = [lab.name for lab in LABS]
GUIDE = REPO.parent / "shared" / "seeds" / "study-guide.txt"


def test_names_are_unique_and_plain():
    assert len(set(IDS)) == len(IDS)
    assert all(re.fullmatch(r"[a-z][a-z0-9-]*", n) for n in IDS)


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_parameters_have_units_help_and_valid_defaults(lab):
    for exp in lab.experiments:
        assert dataclasses.is_dataclass(exp.params) and exp.params.__dataclass_params__.frozen
        exp.params().validate()
        for f in dataclasses.fields(exp.params):
            assert f.metadata.get("help"), f"{lab.name}.{f.name} has no help text"
            if f.name.endswith("_ms") or f.name.endswith("_per_s"):
                continue
            assert not re.search(r"(time|rate|delay|latency|timeout|duration)$", f.name), (
                f"{lab.name}.{f.name} looks like a quantity with a unit but its name carries none")


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_experiments_are_distinct_and_each_has_a_scenario(lab):
    names = [e.name for e in lab.experiments]
    assert len(set(names)) == len(names) and all(e.help for e in lab.experiments)
    assert len({e.params for e in lab.experiments}) == len(names), "the params pick the experiment"
    for exp in lab.experiments:
        assert lab.scenarios_of(exp.name), f"no scenario runs the {exp.name} experiment"


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_every_scenario_is_valid_and_reaches_the_cli(lab):
    assert "default" in lab.scenarios
    for name, sc in lab.scenarios.items():
        assert sc.help
        params = lab.make_params(name)
        assert lab.experiment_of(params) is lab.experiment(sc.experiment)
        assert re.fullmatch(r"[a-z][a-z0-9-]*", name)


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_run_returns_a_complete_deterministic_result(lab):
    params = lab.make_params("default")
    r = lab.run(params, 5, scenario="default")
    assert isinstance(r, Result) and r.lab == lab.name and r.seed == 5
    assert r.metrics and r.checks and r.ok
    assert set(r.theory) <= set(r.metrics), "theory is keyed like the metrics it sits beside"
    assert lab.indicators <= set(r.theory), "an indicator metric is one that theory predicts"
    for name in lab.indicators:
        assert r.metrics[name] in (0, 1, None), f"{name} is an indicator, so 0 or 1 in one run"
    data = json.loads(r.to_json())
    assert set(data) == {"lab", "scenario", "seed", "params", "metrics", "theory", "checks"}
    assert r.to_json() == lab.run(params, 5, scenario="default").to_json()
    assert lab.theory(params) == r.theory


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_a_stepped_run_ends_where_a_whole_run_does(lab):
    params = lab.make_params("default")
    run = lab.start(params, 5, scenario="default")
    assert run.now == 0 and run.experiment is lab.experiments[0]
    run.run_until(500.0)
    assert all(isinstance(row, dict) for row in run.state())
    assert run.finish().result().to_json() == lab.run(params, 5, scenario="default").to_json()


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_a_runs_events_are_in_time_order_or_one_sentence_says_there_are_none(lab):
    run = lab.start(lab.make_params("default"), 5, scenario="default").run_until(500.0)
    try:
        events = run.events()
    except dslab.InputError as e:  # a lab that records none, or raft started without events=True
        assert str(e) in (f"A {lab.name} run records no events; read its state() instead.",
                          "This raft run was started without events=True, so it kept no events "
                          "to read; start it with LAB.start(params, seed, events=True).")
        return
    assert events and all({"t_ms", "kind"} <= set(e) for e in events)
    assert [e["t_ms"] for e in events] == sorted(e["t_ms"] for e in events)


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_plot_is_titled_from_the_registry_data(lab, tmp_path):
    r = lab.run(lab.make_params("default"), 1, scenario="default")
    fig = lab.plot(r)
    assert isinstance(fig, Figure)
    assert fig.axes[0].get_title(loc="left") == (
        f"{lab.title}: default (seed 1)\ncard: {lab.card.title}")
    fig.savefig(tmp_path / "p.png")
    assert (tmp_path / "p.png").stat().st_size > 10_000


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_learner_files_notebook_and_readme_are_in_place(lab):
    d = lab.lab_dir()
    for f in ("README.md", "exercise.py", "test_exercise.py"):
        assert (d / f).is_file(), f"labs/{lab.name}/{f} is missing"
    stubs = (d / "exercise.py").read_text()
    for rule in lab.exercise_rules:
        assert f"def {rule}(" in stubs or f"class {rule}" in stubs, \
            f"the exercise has no stub for {rule}"
    assert (REPO / "notebooks" / f"{lab.name}.ipynb").is_file()
    mutants = list((REPO / "tests" / "labs" / lab.name / "mutants").glob("*.py"))
    assert mutants, "every lab needs a catalogue of known-wrong implementations"
    readme = (REPO / "README.md").read_text()
    assert f"| `{lab.name}` |" in readme, "the lab needs a row in the README's lab table"
    assert lab.gallery in lab.scenarios, "the gallery draws one of the lab's scenarios"
    image = f"docs/img/{lab.name}.png"
    assert image in readme and (REPO / image).is_file(), "the lab needs its plot in the gallery"


@pytest.mark.skipif(not GUIDE.is_file(), reason="the study guide sits beside the repository")
@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_card_title_is_a_study_guide_card(lab):
    assert lab.card.title in GUIDE.read_text(encoding="utf-8")


def test_the_public_api_is_small_and_imports_light():
    code = ("import sys, dslab; assert 'dslab.labs' not in sys.modules; "
            "lab = dslab.get_lab('raft'); assert 'dslab.labs.queueing' not in sys.modules; "
            "assert dslab.all_labs()[0] is lab and dslab.Result and dslab.InputError")
    subprocess.run([sys.executable, "-c", code], check=True)
    with pytest.raises(dslab.InputError, match="Did you mean 'raft'"):
        dslab.get_lab("rafts")


def test_the_registry_imports_no_lab_and_the_contract_imports_no_registry():
    src = REPO / "src" / "dslab"
    registry = (src / "labs" / "__init__.py").read_text()
    assert "import_module" in registry and not re.search(r"^from dslab\.labs\.\w+", registry, re.M)
    below = [src / "lab.py", src / "run.py", *(src / "labs").glob("*/*.py")]
    for path in below:
        assert not re.search(r"^\s*(from dslab\.labs import|import dslab\.labs$|from dslab import .*"
                             r"(get_lab|all_labs))", path.read_text(), re.M), path


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_the_rules_protocol_names_what_the_model_calls_and_the_overlay_keeps_it(lab):
    protocol = lab.rules.Rules
    assert isinstance(lab.rules, protocol), "the reference module satisfies its own protocol"
    assert isinstance(lab.load_impl(), protocol)
    stubs = lab.load_impl(lab.lab_dir() / "exercise.py")
    assert isinstance(stubs, protocol), "the learner's overlay keeps every rule the model calls"
    assert set(lab.exercise_rules) <= set(dir(protocol)), "every exercise rule is in the protocol"


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_a_learners_crashing_rule_is_one_sentence_in_every_lab(lab, tmp_path):
    """Every lab's models run the learner's rules inside the guard (tests/test_guard.py has the
    rest: every exception, wrong answers, endless loops, loading)."""
    broken = tmp_path / "exercise.py"
    broken.write_text(f"from {lab.rules.__name__} import *  # noqa: F403\n\n" + "".join(
        f"def {rule}(*args, **kwargs):\n    raise TypeError('boom')\n\n"
        for rule in lab.exercise_rules))
    with pytest.raises(dslab.InputError, match=rf"^Your (\w+) \({re.escape(str(broken))} line \d+\) "
                                               r"raised TypeError \(boom\)") as info:
        lab.run(lab.make_params("default"), 1, lab.load_impl(broken))
    assert info.value.args[0].split()[1] in lab.exercise_rules


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_every_experiment_of_every_lab_runs_a_learners_crash_as_one_sentence(lab, tmp_path):
    """Each experiment calls the rules its own way (a sweep, a search, simulated processes): the
    guard covers every one."""
    broken = tmp_path / "exercise.py"
    broken.write_text(f"from {lab.rules.__name__} import *  # noqa: F403\n\n" + "".join(
        f"def {rule}(*args, **kwargs):\n    raise RuntimeError('boom')\n\n"
        for rule in lab.exercise_rules))
    impl = lab.load_impl(broken)
    for exp in lab.experiments:
        scenario = lab.scenarios_of(exp.name)[0]
        with pytest.raises(dslab.InputError, match=r"^Your \w+ \(.* line \d+\) raised RuntimeError"):
            lab.run(lab.make_params(scenario), 1, impl)


@pytest.mark.parametrize("lab", LABS, ids=IDS)
def test_a_declared_phase_boundary_has_a_label_and_a_signed_margin(lab):
    """The optional ``Experiment.boundary`` hook that ``dslab sweep`` draws: a label, and for every
    scenario of the experiment a margin that is a finite number or None; ``Lab.boundary`` gives
    None for an experiment that declares none."""
    for name, sc in lab.scenarios.items():
        params = lab.make_params(name)
        b = lab.experiment(sc.experiment).boundary
        if b is None:
            assert lab.boundary(params) is None
            continue
        assert isinstance(b, dslab.lab.Boundary) and b.label
        margin = b.margin(params)
        assert margin is None or (isinstance(margin, (int, float)) and abs(margin) < float("inf"))
        assert lab.boundary(params) == (None if margin is None else (b.label, float(margin)))

"""The Lab contract: what a lab declares, and the plumbing every lab shares.

The contract is the docstring of :class:`Lab`; DESIGN.md and CONTRIBUTING.md point here.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from dslab import params as params_mod
from dslab.errors import InputError
from dslab.impl import IMPORT_LIMIT_S, learner_errors, overlay, watched
from dslab.result import Result
from dslab.run import Model, Outcome, Run

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from rich.console import RenderableType

REPO_ROOT = Path(__file__).resolve().parents[2]
#: where an installed package keeps each lab's learner folder (pyproject.toml's force-include)
PACKAGED_LABS = Path(__file__).resolve().parent / "exercises"

P = TypeVar("P")


@dataclass(frozen=True)
class Card:
    """The study-guide card a lab belongs to: its exact title and its mastery check, reworded."""

    title: str
    mastery: str


@dataclass(frozen=True)
class Scenario:
    """A named preset: a sentence saying what it shows, the experiment it runs (the lab's first
    when None), and the parameter overrides as text or values."""

    help: str
    overrides: dict[str, Any] = field(default_factory=dict)
    experiment: str | None = None


@dataclass(frozen=True)
class Boundary(Generic[P]):
    """Where theory puts a phase change in an experiment's parameters, for a sweep to draw on its
    heatmap: ``margin(params)`` is a number whose sign says on which side of the boundary
    ``params`` lie (0, on it, is drawn with the positive side), or None where the theory does
    not reach; ``label`` names the
    boundary in the legend ("rate × (1 + k) = capacity")."""

    label: str
    margin: Callable[[P], float | None]


@dataclass(frozen=True)
class Experiment(Generic[P]):
    """One kind of experiment a lab runs, with its own parameters and everything that turns a
    run of it into a Result. A lab with one kind of run has one experiment.

    - ``params``: a frozen dataclass of parameters (see :mod:`dslab.params`).
    - ``model(params, seed, impl, **options) -> Model``: a steppable simulation (see
      :class:`dslab.run.Model`); :func:`dslab.run.whole` adapts a plain
      ``simulate(params, seed, impl) -> Outcome`` that cannot stop half way.
    - ``theory(params, impl) -> dict``: predictions keyed like the metrics. A value is a number,
      None, or a short "n/a: why" sentence. A lab whose exercise includes formulas computes them
      with ``impl``'s, so the theory column shows the learner's formulas.
    - ``story(params, outcome, theory) -> list[str]``: what happened, in plain sentences.
    - ``plot(result, ax, title) -> Figure``: headless, on ``ax`` or a new figure; it puts
      ``title`` (made by ``Lab.plot_title`` from the lab's data) on its headline axes with
      :func:`dslab.plotting.title`.
    - ``view(result, width)``: the run as a rich renderable for the terminal, if it has one.
    - ``boundary``: optional, a :class:`Boundary` where theory predicts a phase change (a sweep
      draws it over its heatmap).
    """

    name: str
    help: str
    params: type[P]
    model: Callable[..., Model]
    theory: Callable[[P, Any], dict[str, Any]]
    story: Callable[[P, Outcome, dict[str, Any]], list[str]]
    plot: Callable[[Result, Axes | None, str], Figure]
    view: Callable[[Result, int], RenderableType] | None = None
    boundary: Boundary[P] | None = None


@dataclass(frozen=True)
class Lab(Generic[P]):
    """A lab: one idea from the study guide that a learner can run, break, measure and rebuild.

    **What a lab declares** (in ``src/dslab/labs/<name>/lab.py``, as ``LAB = Lab(...)``):

    - ``name`` (plain, lower-case, also the CLI's word), ``title``, ``summary`` (one line for
      ``dslab list``), ``card`` (the study-guide card's exact title and its mastery check).
    - ``rules``: the module of pure decision rules, which is also the reference solution. Its
      ``EXERCISE`` tuple names the rules a learner writes in ``labs/<name>/exercise.py``; every
      other public name of the module is shared by the learner's overlay. Its ``Rules`` protocol
      (``typing.Protocol``) names every rule the simulation calls, and the models take their
      ``impl`` as ``Rules``, so mypy checks each call against the reference's signatures. The
      exercise rules' return annotations, and the module's optional ``BOUNDS``, are what a
      learner's answers are checked against as a run goes (:mod:`dslab.impl`). An optional
      ``OPTIONAL_RULES`` names exercise rules a learner's file may lack (a tier added after the
      workspace was made): each missing one is a stub that is "not implemented yet".
    - ``experiments``: one or more :class:`Experiment` (own parameters, model, theory, story,
      plot, view, and optionally the theory's phase :class:`Boundary`, which ``dslab sweep``
      draws over its heatmap). The first is the default. ``Lab[P]`` is generic over ``P``, the parameter
      class every experiment's parameters derive from (``LAB: Lab[RaftParams] = Lab(...)``).
    - ``scenarios``: named presets, each an experiment and its overrides; ``default`` must exist.
      Each is also a CLI flag (``dslab run <name> --<scenario>``).
    - ``indicators``: metrics that are 0 or 1 in one run while their theory is a probability
      (only the mean over trials can be set beside the theory).
    - ``gallery``: the scenario drawn in the README's gallery and suggested after a passing check.

    **What the contract does with it** (so no lab repeats it):

    - ``load_impl(path)``: the reference rules, with the ``EXERCISE`` rules taken from the
      learner's file at ``path``.
    - ``make_params(scenario, overrides)``: the scenario's experiment's parameters, with textual
      overrides converted and validated (one sentence on bad input).
    - ``start(params, seed, impl) -> Run``: a steppable run (``run_until``, ``step``, ``state``,
      ``finish``, ``result``); notebooks step a lab this way and touch no internals.
    - ``run(params, seed, impl) -> Result``: start, finish, result. The learner's code runs inside
      one guard (:mod:`dslab.impl`): a rule that raises, returns the wrong type or NaN, recurses
      or (with ``time_limit``) runs too long is one sentence naming it; theory is computed once,
      the same way for one run and for ``--trials``; the Result is assembled here.
    - ``theory(params, impl)``, ``plot(result, ax)`` (titled from this data: lab title, scenario,
      seed and card), ``view(result, width)``, ``boundary(params)`` (the experiment's boundary
      label and the sign of ``params``' side, or None).

    **Determinism**: same params, seed and impl give the same Result (same JSON), whichever way the
    run was stepped.

    **Adding a lab** is a folder ``src/dslab/labs/<name>/`` (rules, params, model, theory, story,
    plot, lab), a name in :data:`dslab.labs.NAMES`, the learner's folder ``labs/<name>/`` (card
    README, exercise stubs, checker), tests under ``tests/labs/<name>/`` (reference, mutants,
    alternative solutions), the checker's mutation table, a notebook and a README row;
    CONTRIBUTING.md lists the steps. ``tests/test_contract.py`` checks
    every registered lab against this contract.
    """

    name: str
    title: str
    summary: str
    card: Card
    rules: ModuleType
    experiments: tuple[Experiment[Any], ...]
    scenarios: dict[str, Scenario]
    indicators: frozenset[str] = frozenset()
    gallery: str = "default"
    #: how the learner's code is named in an error sentence ("rules", "formulas")
    rules_noun: str = "rules"

    # -- the rules and the learner's overlay ------------------------------------------------

    @property
    def exercise_rules(self) -> tuple[str, ...]:
        """The rule names a learner implements (the rules module's ``EXERCISE``)."""
        return tuple(self.rules.EXERCISE)

    def load_impl(self, path: str | Path | None = None, *,
                  time_limit: float | None = IMPORT_LIMIT_S) -> SimpleNamespace:
        """The reference rules, with the exercise's rules taken from ``path`` if given. A file
        that fails to load (or loads for longer than ``time_limit`` seconds) is one sentence."""
        return overlay(self.rules, self.exercise_rules, path, time_limit)

    def guard(self, impl: Any, when: str = "during the run", time_limit: float | None = None) -> Any:
        """A context in which whatever a learner's rules do wrong becomes one sentence (InputError),
        and which stops after ``time_limit`` seconds if given. ``impl`` should be watched
        (:meth:`watched`) so the sentence can name the rule that was running."""
        return learner_errors(impl, self.name, self.rules_noun, when, time_limit)

    def watched(self, impl: Any) -> Any:
        """The rules a run calls: the reference when ``impl`` is None, else ``impl`` with the
        learner's rules watched (their answers checked against the reference's annotations)."""
        return self.load_impl() if impl is None else watched(impl, self.rules, self.name)

    # -- experiments, scenarios and parameters ----------------------------------------------

    @property
    def params(self) -> type:
        """The default experiment's parameter class."""
        return self.experiments[0].params

    def experiment(self, name: str | None = None) -> Experiment[Any]:
        """The experiment called ``name`` (the default when None)."""
        if name is None:
            return self.experiments[0]
        for exp in self.experiments:
            if exp.name == name:
                return exp
        names = [e.name for e in self.experiments]
        raise InputError(f"'{name}' is not an experiment of {self.name}.{did_you_mean(name, names)} "
                         f"Experiments: {', '.join(names)}.")

    def experiment_of(self, params: P) -> Experiment[Any]:
        """The experiment whose parameter class ``params`` is an instance of."""
        for exp in self.experiments:
            if type(params) is exp.params:
                return exp
        raise InputError(f"{type(params).__name__} is not the parameters of any experiment of "
                         f"{self.name}; build them with LAB.make_params(scenario).")

    def scenario(self, name: str) -> Scenario:
        if name not in self.scenarios:
            raise InputError(
                f"'{name}' is not a scenario of {self.name}.{did_you_mean(name, self.scenarios)} "
                f"Scenarios: {', '.join(self.scenarios)}."
            )
        return self.scenarios[name]

    def scenarios_of(self, experiment: str) -> list[str]:
        """The scenarios that run ``experiment``, in declaration order."""
        return [n for n, sc in self.scenarios.items()
                if self.experiment(sc.experiment).name == experiment]

    def make_params(self, scenario: str = "default", overrides: dict[str, str] | None = None) -> P:
        """The scenario's parameters with textual overrides applied and validated."""
        sc = self.scenario(scenario)
        exp = self.experiment(sc.experiment)
        own = set(params_mod.field_names(exp.params))
        for name in overrides or {}:
            if name not in own:
                self._not_a_parameter(name, exp, scenario)
        params: P = params_mod.build(exp.params, sc.overrides, overrides or {})
        return params

    def _not_a_parameter(self, name: str, exp: Experiment[Any], scenario: str) -> None:
        """Explain a parameter name the scenario's experiment does not have."""
        others = [e for e in self.experiments
                  if e is not exp and name in params_mod.field_names(e.params)]
        if others:
            e = others[0]
            flags = ", ".join(f"--{s}" for s in self.scenarios_of(e.name))
            raise InputError(f"'{name}' is a parameter of the {e.name} experiment, not of "
                             f"{exp.name}, which scenario {scenario} runs.",
                             hint=f"Pick a scenario of {e.name}: {flags}.")
        names = params_mod.field_names(exp.params)
        raise InputError(f"'{name}' is not a parameter of {self.name}'s {exp.name} experiment."
                         f"{did_you_mean(name, names)} Valid names: {', '.join(names)}.")

    # -- running ----------------------------------------------------------------------------

    def start(self, params: P, seed: int = 1, impl: Any = None, *, scenario: str = "custom",
              time_limit: float | None = None, **options: Any) -> Run:
        """A run of ``params`` with ``seed``, built and ready to step. ``impl`` supplies the rules
        (the reference when None); ``time_limit`` (seconds, none when None) bounds each call of
        the Run; ``options`` go to the experiment's model (for example raft's ``faults=[...]``, and
        ``events=True`` to keep the messages ``Run.events`` reads)."""
        exp = self.experiment_of(params)
        impl = self.watched(impl)
        with self.guard(impl, time_limit=time_limit):
            model = exp.model(params, seed, impl, **options)
        return Run(self, exp, params, seed, impl, scenario, model, time_limit)

    def run(self, params: P, seed: int = 1, impl: Any = None, *, scenario: str = "custom",
            time_limit: float | None = None, **options: Any) -> Result:
        """One deterministic run to its end, as a Result; with ``time_limit``, a run that takes
        longer than that many seconds (wall clock) is stopped with one sentence."""
        impl = self.watched(impl)
        with self.guard(impl, time_limit=time_limit):
            return self.start(params, seed, impl, scenario=scenario, **options).finish().result()

    def theory(self, params: P, impl: Any = None) -> dict[str, Any]:
        """What theory predicts for ``params``, with ``impl``'s formulas where the lab has some."""
        impl = self.watched(impl)
        with self.guard(impl, "for these parameters"):
            return self.experiment_of(params).theory(params, impl)

    def boundary(self, params: P) -> tuple[str, float] | None:
        """The theory's phase boundary for ``params``' experiment: its label and ``params``'
        signed margin from it; None when the experiment declares none or its theory does not
        reach these parameters."""
        b = self.experiment_of(params).boundary
        margin = b.margin(params) if b is not None else None
        return None if b is None or margin is None else (b.label, float(margin))

    # -- showing ----------------------------------------------------------------------------

    def plot_title(self, result: Result) -> str:
        """The title every plot of this lab carries: lab, scenario, seed, and the card."""
        return f"{self.title}: {result.scenario} (seed {result.seed})\ncard: {self.card.title}"

    def plot(self, result: Result, ax: Axes | None = None) -> Figure:
        """The result's plot (on ``ax`` if given), titled from the lab's data."""
        exp = self.experiment(result.experiment or None)
        return exp.plot(result, ax, self.plot_title(result))

    def view(self, result: Result, width: int = 72) -> RenderableType | None:
        """The run as a rich renderable for the terminal, or None if its experiment has none."""
        exp = self.experiment(result.experiment or None)
        return exp.view(result, width) if exp.view is not None else None

    # -- where things are -------------------------------------------------------------------

    def lab_dir(self) -> Path:
        """The lab's learner folder: the card, the exercise stubs and the checker. An installed
        package carries a copy of it (``dslab/exercises/<name>/``); a source checkout, and an
        editable install of one, read ``labs/<name>/`` itself."""
        packaged = PACKAGED_LABS / self.name
        return packaged if packaged.is_dir() else REPO_ROOT / "labs" / self.name

    def replay_command(self, scenario: str, seed: int, overrides: dict[str, str] | None = None,
                       impl: str | None = None) -> str:
        parts = ["dslab", "run", self.name]
        if scenario != "default":
            parts.append(f"--{scenario}")
        for k, v in (overrides or {}).items():
            parts.append(f"--set {k}={_quote(v)}")
        if impl:
            parts.append(f"--impl {impl}")
        parts.append(f"--seed {seed}")
        return " ".join(parts)


def _quote(v: str) -> str:
    return f"'{v}'" if any(c in v for c in " ()*,") else v


def did_you_mean(name: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(options), n=1)
    return f" Did you mean '{close[0]}'?" if close else ""


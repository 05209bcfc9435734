"""A run you can step: the model protocol every experiment's simulation follows, what a finished
model hands back (Outcome), and the handle ``Lab.start`` returns (Run)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from dslab import params as params_mod
from dslab.errors import InputError
from dslab.result import Check, Result

if TYPE_CHECKING:
    from dslab.lab import Experiment, Lab


@dataclass
class Outcome:
    """What a model measured: metrics (keyed like theory), the safety checks' verdicts, the series
    the plot and terminal view draw, and ``facts`` the story needs beyond those."""

    metrics: dict[str, Any]
    checks: list[Check]
    series: dict[str, Any] = field(default_factory=dict)
    facts: Any = None


class Model(Protocol):
    """A simulation that can be advanced a little at a time and measured at any point."""

    @property
    def now(self) -> float:
        """Simulated time in ms (inf once a model without a clock has run)."""
        ...

    def run_until(self, t_ms: float) -> None:
        """Advance to ``t_ms`` (capped at the run's end)."""
        ...

    def finish(self) -> None:
        """Run to the end, as a plain ``dslab run`` does."""
        ...

    def state(self) -> list[dict[str, Any]]:
        """What the model looks like right now, one dict per row (a table in a notebook)."""
        ...

    def outcome(self) -> Outcome:
        """Metrics, checks and series of what has run so far."""
        ...

    # A model may also record what happened between steps, as ``events(since_ms) -> list[dict]``
    # (raft does: messages, timeouts, elections, faults); ``Run.events`` forwards to it.


class Whole:
    """A model for an experiment that runs in one piece (a sweep, a search, an analysis): any step
    runs all of it. Its state is its metrics once it has run."""

    def __init__(self, simulate: Callable[..., Outcome], params: Any, seed: int, impl: Any) -> None:
        self._simulate = simulate
        self._args = (params, seed, impl)
        self._outcome: Outcome | None = None

    @property
    def now(self) -> float:
        return math.inf if self._outcome is not None else 0.0

    def run_until(self, t_ms: float) -> None:
        self.finish()

    def finish(self) -> None:
        if self._outcome is None:
            self._outcome = self._simulate(*self._args)

    def state(self) -> list[dict[str, Any]]:
        if self._outcome is None:
            return []
        return [{"metric": k, "value": v} for k, v in self._outcome.metrics.items()]

    def outcome(self) -> Outcome:
        self.finish()
        assert self._outcome is not None
        return self._outcome


def whole(simulate: Callable[..., Outcome]) -> Callable[..., Model]:
    """The model factory of an experiment given as ``simulate(params, seed, impl) -> Outcome``."""

    def model(params: Any, seed: int, impl: Any) -> Model:
        return Whole(simulate, params, seed, impl)

    return model


class Run:
    """One run of a lab, built and ready to step; ``Lab.start`` makes it.

    ``run_until(t_ms)`` and ``step(ms)`` advance it, ``state()`` shows it, ``events(since_ms)``
    tells what happened meanwhile (in labs whose model records it), ``finish()`` runs it to the
    end and ``result()`` turns what has run into a Result. Learner code runs inside the lab's
    guard throughout, so a rule that crashes, returns the wrong type or loops is one sentence here
    too; with ``time_limit`` each of these calls stops after that many seconds.
    """

    def __init__(self, lab: Lab, experiment: Experiment[Any], params: Any, seed: int, impl: Any,
                 scenario: str, model: Model, time_limit: float | None = None) -> None:
        self.lab = lab
        self.experiment = experiment
        self.params = params
        self.seed = seed
        self.impl = impl
        self.scenario = scenario
        self.model = model
        self.time_limit = time_limit

    def _guard(self) -> Any:
        return self.lab.guard(self.impl, time_limit=self.time_limit)

    @property
    def now(self) -> float:
        """Simulated time in ms."""
        return self.model.now

    def run_until(self, t_ms: float) -> Run:
        with self._guard():
            self.model.run_until(t_ms)
        return self

    def step(self, ms: float) -> Run:
        return self.run_until(self.now + ms)

    def finish(self) -> Run:
        with self._guard():
            self.model.finish()
        return self

    def state(self) -> list[dict[str, Any]]:
        with self._guard():  # a state may read the learner's objects (a breaker's state)
            return self.model.state()

    def events(self, since_ms: float = 0.0) -> list[dict[str, Any]]:
        """What happened from ``since_ms`` to now, one dict per event in time order (raft: every
        message and its fate, timeouts, elections, step-downs and faults). Passing the ``now`` of
        the previous step gives each event once."""
        events = getattr(self.model, "events", None)
        if events is None:
            raise InputError(f"A {self.lab.name} run records no events; read its state() instead.")
        return list(events(since_ms))

    def result(self) -> Result:
        """The Result of what has run so far (the whole run after ``finish()``)."""
        with self._guard():
            out = self.model.outcome()
            theory = self.lab.theory(self.params, self.impl)
            story = self.experiment.story(self.params, out, theory)
        return Result(lab=self.lab.name, scenario=self.scenario, seed=self.seed,
                      params=params_mod.to_dict(self.params), metrics=out.metrics, theory=theory,
                      checks=out.checks, series=out.series, story=story,
                      experiment=self.experiment.name)

"""The Lab contract and the registry of labs.

A lab is data plus four functions: a parameter dataclass, named scenarios (parameter overrides),
``run(params, seed, impl) -> Result``, ``theory(params) -> dict``, ``plot(result, ax) -> Figure``,
and the study-guide card it belongs to.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dslab import params as params_mod
from dslab.errors import InputError
from dslab.result import Result

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Card:
    """The study-guide card a lab belongs to: its exact title and its mastery check, reworded."""

    title: str
    mastery: str


@dataclass(frozen=True)
class Scenario:
    """A named preset: a sentence saying what it shows, and the parameter overrides."""

    help: str
    overrides: dict[str, Any]


@dataclass(frozen=True)
class Lab:
    name: str
    title: str
    summary: str
    card: Card
    params: type
    scenarios: dict[str, Scenario]
    run: Callable[..., Result]
    theory: Callable[[Any], dict[str, Any]]
    plot: Callable[..., Any]
    rules: str  # module holding the reference rules
    exercise_rules: tuple[str, ...]  # the rule names a learner implements
    load_impl: Callable[[str | Path | None], Any]
    view: Callable[[Result, int], Any] | None = None  # the run as a rich renderable, given a width
    #: metrics that are 0 or 1 in one run while their theory is a probability: only the mean over
    #: many trials can be set beside it
    indicators: frozenset[str] = frozenset()
    #: the scenario whose plot stands in the README's gallery (docs/gallery.py draws it)
    gallery: str = "default"

    def make_params(self, scenario: str = "default", overrides: dict[str, str] | None = None) -> Any:
        """The scenario's parameters with textual overrides applied and validated."""
        sc = self.scenario(scenario)
        return params_mod.build(self.params, sc.overrides, overrides or {})

    def scenario(self, name: str) -> Scenario:
        if name not in self.scenarios:
            raise InputError(
                f"'{name}' is not a scenario of {self.name}.{_did_you_mean(name, self.scenarios)} "
                f"Scenarios: {', '.join(self.scenarios)}."
            )
        return self.scenarios[name]

    def lab_dir(self) -> Path:
        """``labs/<name>/``: the card, the exercise stubs and the checker."""
        return REPO_ROOT / "labs" / self.name

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


def _did_you_mean(name: str, options) -> str:
    close = difflib.get_close_matches(name, list(options), n=1)
    return f" Did you mean '{close[0]}'?" if close else ""


def all_labs() -> list[Lab]:
    """Every registered lab, in the suggested study order."""
    from dslab.labs import LABS

    return list(LABS)


def get_lab(name: str) -> Lab:
    labs = {lab.name: lab for lab in all_labs()}
    if name not in labs:
        raise InputError(
            f"There is no lab called '{name}'.{_did_you_mean(name, labs)} Labs: {', '.join(labs)}."
        )
    return labs[name]

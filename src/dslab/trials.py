"""Many independent seeds of one lab, in parallel processes, with a progress bar; each metric's
distribution and each check's tally."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from dslab import params as params_mod
from dslab.errors import InputError
from dslab.execution import run_jobs
from dslab.impl import IMPORT_LIMIT_S, stub_error
from dslab.lab import Lab
from dslab.labs import get_lab
from dslab.result import Result, clean, dumps
from dslab.sim.stats import summarize

#: the most trials one call runs: the README's own example, 1,000 raft crash-leader trials, takes
#: about 20 s, while 1,000 of the slowest default runs (retries, one to two seconds each) take a
#: quarter of an hour on two cores, the longest a class session can wait. A thousand trials pin a
#: mean to within 6% of one run's spread (95% CI), so more would not change what a learner reads.
MAX_TRIALS = 1000
#: the most worker processes: each is a whole Python process, so a mistyped 100000 would bring the
#: machine to a halt; 64 is more cores than a class's laptops have
MAX_WORKERS = 64


def check_counts(trials: int, workers: int | None) -> None:
    """Refuse a number of trials or workers that would swamp the machine before any run starts."""
    if not 1 <= trials <= MAX_TRIALS:
        raise InputError(f"--trials must be between 1 and {MAX_TRIALS:,}, got {trials:,}: a "
                         f"thousand runs already pin a mean to within 6% of one run's spread.")
    if workers is not None and not 1 <= workers <= MAX_WORKERS:
        raise InputError(f"--workers must be between 1 and {MAX_WORKERS}, got {workers:,}: each "
                         "worker is a process of its own, and this machine has "
                         f"{os.cpu_count() or 1} cores.")


def trial_seeds(seed: int, trials: int) -> list[int]:
    """``trials`` independent seeds derived from ``seed`` (the same list every time)."""
    state = np.random.SeedSequence(seed).generate_state(trials, dtype=np.uint32)
    return [int(s) for s in state]


@dataclass
class TrialsResult:
    lab: str
    scenario: str
    seed: int
    trials: int
    params: dict[str, Any]
    theory: dict[str, Any]
    metrics: dict[str, dict[str, Any]]  # metric -> summary statistics
    checks: dict[str, dict[str, Any]]  # check -> {"passed": n, "failed": n, "failed_seeds": [...]}
    seeds: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c["failed"] == 0 for c in self.checks.values())

    def to_dict(self) -> dict[str, Any]:
        return clean({
            "lab": self.lab, "scenario": self.scenario, "seed": self.seed, "trials": self.trials,
            "params": self.params, "metrics": self.metrics, "theory": self.theory,
            "checks": self.checks,
        })

    def to_json(self) -> str:
        return dumps(self.to_dict())


#: one trial, as it crosses to a worker: lab, params, seed, learner's file, scenario, time limit
Job = tuple[str, Any, int, str | None, str, float | None]


def one_trial(args: Job) -> tuple[dict[str, Any], list[tuple[str, bool]]]:
    """One trial (in a worker process, or in this one): its metrics and its checks' verdicts. A
    learner's mistake is an InputError that names the trial's seed, since it crosses processes
    as a sentence (a stub's NotImplementedError would lose the traceback that names the rule)."""
    lab_name, params, seed, impl_path, scenario, limit = args
    lab = get_lab(lab_name)
    try:
        r: Result = lab.run(params, seed, _impl(lab, impl_path, limit), scenario=scenario,
                            time_limit=limit)
    except NotImplementedError as e:
        raise stub_error(e, lab_name) from None
    except InputError as e:
        replay = f"It happened in the trial with seed {seed}: --seed {seed} replays it alone."
        raise InputError(str(e), hint=f"{replay} {e.hint}" if e.hint else replay) from None
    return r.metrics, [(c.name, c.passed) for c in r.checks]


def _impl(lab: Lab, impl_path: str | None, limit: float | None = None) -> Any:
    """The rules a trial runs: the learner's file laid over the reference, or the reference."""
    if not impl_path:
        return None
    return lab.load_impl(impl_path, time_limit=limit or IMPORT_LIMIT_S)


def jobs_for(lab: Lab, params: Any, seeds: list[int], scenario: str = "custom",
             impl_path: str | None = None, time_limit: float | None = None) -> list[Job]:
    """One picklable job per seed, for :func:`one_trial` on any backend of :mod:`dslab.execution`."""
    return [(lab.name, params, s, impl_path, scenario, time_limit) for s in seeds]


def run_trials(lab: Lab, params: Any, seed: int, trials: int, scenario: str = "custom",
               impl_path: str | None = None, workers: int | None = None,
               progress: Callable[[int], None] | None = None,
               time_limit: float | None = None, scheduler: str | None = None) -> TrialsResult:
    """Run ``trials`` seeds derived from ``seed``; ``progress(k)`` is called as runs finish.
    ``time_limit`` (seconds) bounds each trial; the first trial to fail stops the others.
    ``scheduler`` is a Dask scheduler's address (see :mod:`dslab.execution`); without it the
    trials run in local processes.

    Results are gathered in seed order, so the summary does not depend on which process was
    faster: the same call gives the same numbers, on this machine or on a cluster.
    """
    check_counts(trials, workers)
    seeds = trial_seeds(seed, trials)
    outs = run_jobs(one_trial, jobs_for(lab, params, seeds, scenario, impl_path, time_limit),
                    workers, scheduler, progress)
    return summarise(lab, params, seed, scenario, seeds, outs, impl_path, time_limit)


def summarise(lab: Lab, params: Any, seed: int, scenario: str, seeds: list[int],
              outs: list[tuple[dict[str, Any], list[tuple[str, bool]]]],
              impl_path: str | None = None, time_limit: float | None = None) -> TrialsResult:
    """The TrialsResult of the trials ``outs`` (one per seed of ``seeds``, in order)."""
    names = list(dict.fromkeys(k for m, _ in outs for k in m))
    metrics = {k: summarize([m.get(k) for m, _ in outs]) for k in names}
    checks: dict[str, dict[str, Any]] = {}
    for s, (_, verdicts) in zip(seeds, outs, strict=True):
        for name, passed in verdicts:
            c = checks.setdefault(name, {"passed": 0, "failed": 0, "failed_seeds": []})
            c["passed" if passed else "failed"] += 1
            if not passed and len(c["failed_seeds"]) < 10:
                c["failed_seeds"].append(s)
    # the same theory as a single run shows: with the learner's formulas where the lab has some
    impl = lab.watched(_impl(lab, impl_path, time_limit))
    with lab.guard(impl, "for these parameters", time_limit):
        theory = lab.theory(params, impl)
    return TrialsResult(lab.name, scenario, seed, len(seeds), params_mod.to_dict(params),
                        theory, metrics, checks, seeds)

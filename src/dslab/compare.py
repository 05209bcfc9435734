"""One parameter, two or more values, the same seeds: what changes when only that setting does.

A single seed gives each value's run (drawn side by side) and each metric's difference from the
first value. With trials, every value runs on the same derived seeds, and each metric's difference
is taken seed by seed (a paired difference), so the noise the two arms share cancels and the 95%
confidence interval is that of the mean of the differences.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dslab.errors import InputError
from dslab.execution import run_jobs
from dslab.lab import Lab
from dslab.params import to_text
from dslab.result import Result, clean, dumps
from dslab.sim.stats import mean_ci95
from dslab.trials import TrialsResult, check_counts, jobs_for, one_trial, summarise, trial_seeds

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: the most values one comparison takes: each is a whole run (or set of trials), and more than
#: six panels side by side are too narrow to read
MAX_VALUES = 6


def split_values(text: str) -> list[str]:
    """``a,b,c`` split at the commas outside parentheses (``uniform(150,300),const(5)`` is two)."""
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    parts.append(current.strip())
    return parts


def parse_compare(text: str) -> tuple[str, list[str]]:
    """``NAME=A,B[,...]`` as (name, values): at least two distinct values, at most MAX_VALUES."""
    name, eq, rest = text.partition("=")
    name = name.strip()
    values = split_values(rest) if eq else []
    if not name or len(values) < 2 or any(not v for v in values):
        raise InputError(f"--compare takes NAME=A,B (a parameter and two or more values), got "
                         f"'{text}'.", hint="For example --compare policy=none,lock.")
    if len(values) > MAX_VALUES:
        raise InputError(f"--compare takes at most {MAX_VALUES} values, got {len(values)}: each "
                         "is a run of its own, drawn side by side.")
    if len(set(values)) != len(values):
        raise InputError(f"--compare lists a value twice in '{text}'.")
    return name, values


@dataclass
class Difference:
    """A metric's paired difference (an arm minus the first) over the seeds where both had one."""

    mean: float | None
    ci95_low: float | None
    ci95_high: float | None
    n: int

    def to_dict(self) -> dict[str, Any]:
        return {"mean": self.mean, "ci95_low": self.ci95_low, "ci95_high": self.ci95_high,
                "n": self.n}


@dataclass
class Comparison:
    """The arms of a comparison and each metric's difference from the first arm.

    With one seed, ``runs`` holds each value's Result and ``differences[value][metric]`` is a
    number (or None); with trials, ``arms`` holds each value's TrialsResult and the differences are
    :class:`Difference`, paired by seed.
    """

    lab: str
    scenario: str
    name: str
    values: list[str]
    seed: int
    trials: int
    runs: list[Result] = field(default_factory=list)
    arms: list[TrialsResult] = field(default_factory=list)
    differences: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.runs) and all(a.ok for a in self.arms)

    #: one seed: each arm's metrics, named as in every arm (see :func:`common_names`)
    measured: list[dict[str, Any]] = field(default_factory=list)

    @property
    def metrics(self) -> list[str]:
        """Every metric any arm reported, in the order they first appear."""
        found = [m for r in self.measured for m in r] + [m for a in self.arms for m in a.metrics]
        return list(dict.fromkeys(found))

    def to_dict(self) -> dict[str, Any]:
        arms = ([r.to_dict() for r in self.runs] if self.runs else [a.to_dict() for a in self.arms])
        diffs = {v: {m: d.to_dict() if isinstance(d, Difference) else d for m, d in ds.items()}
                 for v, ds in self.differences.items()}
        return clean({"lab": self.lab, "scenario": self.scenario, "seed": self.seed,
                      "trials": self.trials, "compare": {self.name: self.values},
                      "arms": dict(zip(self.values, arms, strict=True)),
                      "differences": diffs})

    def to_json(self) -> str:
        return dumps(self.to_dict())


def common_names(metrics: dict[str, Any], value: str) -> dict[str, Any]:
    """``metrics`` with the compared value's own suffix dropped, so arms line up: a lab that
    keys metrics by policy reports ``latency_ms[lock]`` under policy=lock and ``latency_ms[none]``
    under policy=none, and both become ``latency_ms``."""
    out = {}
    for m, x in metrics.items():
        base, bracket, key = m.partition("[")
        if bracket and key.endswith("]") and key[:-1] in split_values(value) and base not in metrics:
            m = base
        out[m] = x
    return out


def arm_label(scenario: str, name: str, value: str) -> str:
    """How an arm is named in tables, titles and JSON: the scenario and the one setting."""
    return f"{scenario} {name}={value}"


def compare(lab: Lab, scenario: str, name: str, values: list[str], seed: int = 1,
            trials: int = 1, overrides: dict[str, str] | None = None,
            impl_path: str | None = None, workers: int | None = None,
            scheduler: str | None = None, progress: Callable[[int], None] | None = None,
            time_limit: float | None = None) -> Comparison:
    """Run ``scenario`` (with ``overrides``) once per value of parameter ``name``, on the same
    seed, or with ``trials`` on the same derived seeds; ``progress(1)`` is called per run."""
    if len(values) < 2 or len(set(values)) != len(values):
        raise InputError("compare needs two or more distinct values.")
    if name in (overrides or {}):
        raise InputError(f"{name} is both set (--set) and compared (--compare); give it in one.")
    check_counts(trials, workers)
    params = [lab.make_params(scenario, {**(overrides or {}), name: v}) for v in values]
    values = [to_text(getattr(p, name)) for p in params]  # as the parameters took them
    if len(set(values)) != len(values):
        raise InputError(f"two values of --compare {name} are the same setting: "
                         f"{', '.join(values)}.")
    labels = [arm_label(scenario, name, v) for v in values]
    out = Comparison(lab.name, scenario, name, values, seed, trials)
    if trials == 1:
        impl = lab.load_impl(impl_path, time_limit=time_limit) if impl_path else None
        for p, label in zip(params, labels, strict=True):
            out.runs.append(lab.run(p, seed, impl, scenario=label, time_limit=time_limit))
            if progress:
                progress(1)
        out.measured = [common_names(r.metrics, v) for r, v in zip(out.runs, values, strict=True)]
        base = out.measured[0]
        for v, got in zip(values[1:], out.measured[1:], strict=True):
            out.differences[v] = {m: _minus(got.get(m), base.get(m)) for m in out.metrics}
        return out
    seeds = trial_seeds(seed, trials)
    jobs = [j for p, label in zip(params, labels, strict=True)
            for j in jobs_for(lab, p, seeds, label, impl_path, time_limit)]
    outs = run_jobs(one_trial, jobs, workers, scheduler, progress)
    per_arm = [[(common_names(m, v), checks) for m, checks in outs[i * trials:(i + 1) * trials]]
               for i, v in enumerate(values)]
    for p, label, arm in zip(params, labels, per_arm, strict=True):
        out.arms.append(summarise(lab, p, seed, label, seeds, arm, impl_path, time_limit))
    for v, arm in zip(values[1:], per_arm[1:], strict=True):
        out.differences[v] = {m: paired([a.get(m) for a, _ in per_arm[0]], [b.get(m) for b, _ in arm])
                              for m in out.metrics}
    return out


def _number(x: Any) -> float | None:
    """A metric's value as a float for arithmetic (yes/no as 1/0), or None."""
    if x is None or isinstance(x, str):
        return None
    v = float(x)
    return v if math.isfinite(v) else None


def _minus(b: Any, a: Any) -> float | None:
    x, y = _number(b), _number(a)
    return None if x is None or y is None else x - y


def paired(a: list[Any], b: list[Any]) -> Difference:
    """The mean of ``b[i] - a[i]`` over the seeds where both are numbers, with its 95% CI."""
    diffs = [d for d in (_minus(y, x) for x, y in zip(a, b, strict=True)) if d is not None]
    if not diffs:
        return Difference(None, None, None, 0)
    m, lo, hi = mean_ci95(diffs)
    return Difference(m, None if math.isnan(lo) else lo, None if math.isnan(hi) else hi, len(diffs))


def plot(lab: Lab, cmp: Comparison) -> Figure:
    """One seed: each value's own plot, side by side. Trials: each metric's paired difference
    from the first value, as a share of the first value's mean, with its 95% CI."""
    from matplotlib.figure import Figure

    if cmp.runs:
        n = len(cmp.runs)
        fig = Figure(figsize=(7.5 * n, 5.5), dpi=100)  # each lab's plot lays out its own axes
        for ax, r in zip(fig.subplots(1, n, squeeze=False)[0], cmp.runs, strict=True):
            lab.plot(r, ax)
        fig.subplots_adjust(wspace=0.3)
        return fig
    return _differences_plot(lab, cmp)


def _differences_plot(lab: Lab, cmp: Comparison) -> Figure:
    from matplotlib.figure import Figure

    base = cmp.arms[0].metrics
    rows: list[tuple[str, str, float, float, float]] = []  # metric, arm, mean, low, high (in %)
    skipped = []
    for v, ds in cmp.differences.items():
        for m, d in ds.items():
            scale = _number(base.get(m, {}).get("mean"))
            if d.mean is None or not scale:
                skipped.append(m)
                continue
            lo = d.ci95_low if d.ci95_low is not None else d.mean
            hi = d.ci95_high if d.ci95_high is not None else d.mean
            k = 100 / abs(scale)
            rows.append((m, v, d.mean * k, lo * k, hi * k))
    fig = Figure(figsize=(10, 1.2 + 0.42 * max(1, len(rows))), dpi=100, layout="constrained")
    ax = fig.add_subplot(1, 1, 1)
    colours = ["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple"]
    for i, (_m, v, mean, lo, hi) in enumerate(rows):
        c = colours[list(cmp.differences).index(v) % len(colours)]
        ax.errorbar([mean], [i], xerr=[[mean - lo], [hi - mean]], fmt="o", color=c, capsize=3)
    ax.set_yticks(range(len(rows)), [f"{m}  ({cmp.name}={v})" if len(cmp.differences) > 1 else m
                                     for m, v, *_ in rows])
    ax.invert_yaxis()
    ax.axvline(0, color="grey", lw=1)
    first = cmp.values[0]
    ax.set_xlabel(f"paired difference from {cmp.name}={first}, as % of its mean (95% CI, "
                  f"{cmp.trials} seeds)")
    note = f"\nnot drawn (mean 0 or none at {cmp.name}={first}): {', '.join(dict.fromkeys(skipped))}"
    ax.set_title(f"{lab.title}: {cmp.scenario}, {cmp.name} = {' vs '.join(cmp.values)} "
                 f"(seeds from {cmp.seed})\ncard: {lab.card.title}" + (note if skipped else ""),
                 fontsize=10, loc="left")
    return fig

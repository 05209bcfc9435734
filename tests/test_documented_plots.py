"""Every `dslab run` command in the READMEs and lab cards draws its plot without an error: each one
is run with its scenario, overrides and seed (with the reference rules where it names the
exercise stubs, which are not written yet), and its figure drawn on an Agg canvas at a low
resolution. To keep this cheap, sizes the command does not set are made smaller (fewer customers,
keys, races): what a plot draws depends on the run's shape, not its length."""

from __future__ import annotations

import dataclasses
import io
import shlex
from typing import Any

import pytest
from test_docs import COMMANDS

from dslab.cli import _lab_for, build_parser
from dslab.labs import get_lab
from dslab.params import parse_assignment


def runs() -> dict[str, tuple[str, str, dict[str, str], int]]:
    """One entry per distinct run among the documented commands: lab, scenario, overrides, seed."""
    out = {}
    for _, command in COMMANDS:
        argv = shlex.split(command)[1:]
        if argv[0] != "run" or "--help" in argv:
            continue
        args = build_parser(_lab_for(argv)).parse_args(argv)
        overrides = dict(parse_assignment(a) for a in args.set)
        key = f"{args.lab} {args.scenario or 'default'} {overrides} seed {args.seed}"
        out.setdefault(key, (args.lab, args.scenario or "default", overrides, args.seed))
    return out


RUNS = runs()

#: sizes cut down when the command does not set them: field -> the most kept
SMALLER = {"customers": 3000, "keys": 2000, "repeats": 3, "requests": 20}


def smaller(params: Any, overrides: dict[str, str]) -> Any:
    """``params`` with the sizes of SMALLER capped, where the command leaves them alone."""
    cut = {f.name: min(getattr(params, f.name), SMALLER[f.name])
           for f in dataclasses.fields(params)
           if f.name in SMALLER and f.name not in overrides and getattr(params, f.name) is not None}
    return dataclasses.replace(params, **cut)


def test_the_docs_name_runs_of_every_lab():
    assert {lab for lab, *_ in RUNS.values()} == {"raft", "queueing", "hashing", "retries", "quorum",
                                                  "lsm", "stampede"}


@pytest.mark.parametrize("key", RUNS)
def test_each_documented_run_draws_its_plot(key):
    name, scenario, overrides, seed = RUNS[key]
    lab = get_lab(name)
    params = smaller(lab.make_params(scenario, overrides), overrides)
    result = lab.run(params, seed, scenario=scenario)
    lab.plot(result).savefig(io.BytesIO(), format="png", dpi=30)

"""The ``dslab`` command: parse arguments, call the library, hand results to ``render``.

Bad input ends with one sentence on stderr and exit code 2; a run whose safety checks broke ends
with exit code 1; otherwise 0.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from rich.console import Console

from dslab import __version__, render
from dslab.errors import BudgetExceeded, InputError
from dslab.impl import RUN_LIMIT_S, stub_error
from dslab.lab import Lab
from dslab.labs import all_labs, get_lab
from dslab.params import describe, parse_assignment, to_text

EXIT_OK, EXIT_CHECKS_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse, but its complaints come out as one sentence in dslab's style (exit code 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise InputError(message[0].upper() + message[1:] + ".",
                         hint=f"See '{self.prog} --help'.")


def build_parser(lab: Lab | None = None) -> argparse.ArgumentParser:
    parser = _Parser(prog="dslab", description="Run distributed-systems labs: simulate, break, "
                     "compare with theory, and check your own implementation.")
    parser.add_argument("--version", action="version", version=f"dslab {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sub.add_parser("list", help="the labs, in a suggested order")
    card = sub.add_parser("card", help="a lab's study card")
    card.add_argument("lab", help="a lab's name (dslab list shows them)")

    run = sub.add_parser("run", help="run a lab's scenario", epilog=_params_epilog(lab),
                         formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_argument("lab", help="a lab's name (dslab list shows them)")
    group = run.add_mutually_exclusive_group()
    group.add_argument("--scenario", default=None, help="a named scenario (default: default)")
    for name in (lab.scenarios if lab is not None else []):
        if name != "default" and lab is not None:
            group.add_argument(f"--{name}", dest="scenario", action="store_const", const=name,
                               help=_scenario_help(lab, name).replace("%", "%%"))  # argparse formats help
    run.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                     help="set a parameter (repeatable); see the list below")
    run.add_argument("--seed", type=_seed, default=1, help="random seed (default 1)")
    run.add_argument("--trials", type=_positive, default=1,
                     help="independent runs from seeds derived from --seed")
    run.add_argument("--workers", type=_positive, default=None,
                     help="processes for --trials (default: one per core)")
    run.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    run.add_argument("--impl", default=None, metavar="PATH",
                     help="drive the simulation with your exercise file's rules")
    run.add_argument("--out", default="dslab-output", metavar="DIR",
                     help="where to save the plot (default ./dslab-output)")
    run.add_argument("--no-plot", action="store_true", help="do not save a plot")
    run.add_argument("--time-limit", type=_seconds, default=None, metavar="SECONDS",
                     help=f"stop a run after this many seconds (default with --impl: "
                          f"{RUN_LIMIT_S:g}; without, none)")

    check = sub.add_parser("check", help="check your exercise against the lab's rules")
    check.add_argument("lab", help="a lab's name (dslab list shows them)")
    check.add_argument("--impl", default=None, metavar="PATH",
                       help="the file to check (default labs/<lab>/exercise.py)")
    check.add_argument("-v", "--verbose", action="store_true", help="also show pytest's output")
    return parser


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"the seed must be a whole number, got '{text}'") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"the seed must be 0 or more, got {value}")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got '{text}'") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text}")
    return value


def _scenario_help(lab: Lab, name: str) -> str:
    """A scenario's sentence, then its experiment (where the lab has several) and what it sets."""
    sc = lab.scenarios[name]
    sets = ", ".join(f"{k}={to_text(v)}" for k, v in sc.overrides.items())
    where = f"{lab.experiment(sc.experiment).name} experiment" if len(lab.experiments) > 1 else ""
    extra = "; ".join(x for x in (where, f"sets {sets}" if sets else "") if x)
    return f"{sc.help} ({extra})" if extra else sc.help


def _params_epilog(lab: Lab | None) -> str:
    if lab is None:
        return "Name a lab (dslab run LAB --help) to see its scenarios and parameters."
    lines = ["--set NAME=VALUE sets a parameter of the scenario's experiment; durations in ms, "
             "rates per second."]
    for exp in lab.experiments:
        rows = describe(exp.params)
        width = max(len(n) for n, _, _ in rows)
        flags = ", ".join("(default)" if s == "default" else f"--{s}"
                          for s in lab.scenarios_of(exp.name))
        lines += ["", f"{exp.name}: {exp.help}", f"parameters (scenarios {flags}):"]
        lines += [f"  {n:<{width}}  {h} [default: {d}]" for n, d, h in rows]
    return "\n".join(lines)


def _lab_for(argv: list[str]) -> Lab | None:
    """The lab named after ``run`` (so its scenario flags can be added), if any."""
    if len(argv) >= 2 and argv[0] == "run" and not argv[1].startswith("-"):
        return get_lab(argv[1])
    return None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    out, err = Console(), Console(stderr=True)
    try:
        args = build_parser(_lab_for(argv)).parse_args(argv)
        if args.command == "list":
            render.lab_list(out, all_labs())
            return EXIT_OK
        lab = get_lab(args.lab)
        if args.command == "card":
            render.card(out, lab)
            return EXIT_OK
        if args.command == "check":
            return _check(out, err, lab, args)
        return _run(out, err, lab, args)
    except InputError as e:
        render.error(err, str(e), e.hint)
        return EXIT_BAD_INPUT
    except BudgetExceeded as e:
        render.error(err, str(e), None)
        return EXIT_BAD_INPUT
    except NotImplementedError as e:
        named = _lab_for(argv)  # only a run reaches a stub
        stub = stub_error(e, named.name if named is not None else "LAB")
        render.error(err, str(stub), stub.hint)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        render.error(err, "Interrupted.", None)
        return 130


def _run(out: Console, err: Console, lab: Lab, args) -> int:
    scenario = args.scenario or "default"
    overrides = dict(parse_assignment(a) for a in args.set)
    params = lab.make_params(scenario, overrides)
    # a learner's file gets a time limit (a loop that never ends); the reference rules none, as a
    # long run of theirs is one the learner asked for (and the event budget stops a runaway one)
    limit = args.time_limit or (RUN_LIMIT_S if args.impl else None)
    impl = lab.load_impl(args.impl, time_limit=limit) if args.impl else None
    label = scenario if not overrides else f"{scenario}+custom"
    replay = lab.replay_command(scenario, args.seed, overrides, args.impl)
    if args.trials > 1:
        from dslab.trials import run_trials

        with render.progress(err, args.trials, f"{lab.name} {scenario}") as advance:
            tr = run_trials(lab, params, args.seed, args.trials, label, args.impl, args.workers,
                            progress=advance, time_limit=limit)
        if args.json:
            print(tr.to_json())
        else:
            render.trials(out, lab, tr, replay + f" --trials {args.trials}")
        return EXIT_OK if tr.ok else EXIT_CHECKS_FAILED
    result = lab.run(params, args.seed, impl, scenario=label, time_limit=limit)
    if args.json:
        print(result.to_json())
        return EXIT_OK if result.ok else EXIT_CHECKS_FAILED
    plot_path = None
    if not args.no_plot:
        plot_path = Path(args.out) / f"{lab.name}-{scenario}-seed{args.seed}.png"
        plot_path.parent.mkdir(parents=True, exist_ok=True)
        lab.plot(result).savefig(plot_path)
    render.run(out, lab, result, plot_path, replay)
    return EXIT_OK if result.ok else EXIT_CHECKS_FAILED


def _check(out: Console, err: Console, lab: Lab, args) -> int:
    from dslab.check import run_checker

    with err.status(f"Checking {args.impl or f'labs/{lab.name}/exercise.py'} ..."):
        report = run_checker(lab, args.impl)
    render.check_report(out, lab, report, verbose=args.verbose)
    return EXIT_OK if report.passed else EXIT_CHECKS_FAILED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

"""The ``dslab`` command: parse arguments, call the library, hand results to ``render``.

Bad input ends with one sentence on stderr and exit code 2; a run whose safety checks broke ends
with exit code 1; otherwise 0.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import math
import os
import re
import shutil
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from dslab import __version__, render
from dslab.check import DEFAULT_TIME_LIMIT_S
from dslab.errors import BudgetExceeded, InputError
from dslab.execution import scheduler_address
from dslab.impl import RUN_LIMIT_S, stub_error
from dslab.lab import Lab
from dslab.labs import all_labs, get_lab
from dslab.params import describe, parse_assignment, to_text
from dslab.trials import MAX_TRIALS, check_counts

EXIT_OK, EXIT_CHECKS_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse, but its complaints come out as one sentence in dslab's style (exit code 2),
    point at the help page of the command that was typed, and guess a mistyped flag."""

    def __init__(self, *args: Any, help_page: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help_page = help_page or f"{self.prog} --help"
        #: the subcommands' parsers, by name (set by build_parser on the top-level parser)
        self.commands: dict[str, _Parser] = {}

    def parse_args(self, args: Any = None, namespace: Any = None) -> Any:
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            self._unrecognized(parsed, extras)
        return parsed

    def _unrecognized(self, parsed: argparse.Namespace, extras: list[str]) -> None:
        """One sentence for arguments no parser took: the closest flag, and the right help page."""
        command = getattr(parsed, "command", None)
        parser = self.commands.get(command, self) if command else self
        page = parser.help_page
        if command in ("run", "sweep") and getattr(parsed, "lab", None):
            page = f"{self.prog} {command} {parsed.lab} --help"
        flags = [o for a in parser._actions for o in a.option_strings if o.startswith("--")]
        guess = ""
        for extra in extras:
            close = difflib.get_close_matches(extra.split("=")[0], flags, n=1, cutoff=0.6)
            if close:
                guess = f" Did you mean {close[0]}?"
                break
        noun = "argument" if len(extras) == 1 else "arguments"
        raise InputError(f"Unrecognized {noun}: {' '.join(extras)}.{guess}", hint=f"See '{page}'.")

    def error(self, message: str) -> None:  # type: ignore[override]
        guess = ""
        choice = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
        if choice:  # a mistyped command: argparse lists the commands but guesses none
            close = difflib.get_close_matches(choice[1], re.findall(r"'([^']*)'", choice[2]), n=1)
            guess = f" Did you mean '{close[0]}'?" if close else ""
        raise InputError(message[0].upper() + message[1:] + "." + guess,
                         hint=f"See '{self.help_page}'.")


def build_parser(lab: Lab | None = None) -> argparse.ArgumentParser:
    parser = _Parser(prog="dslab", description="Run distributed-systems labs: simulate, break, "
                     "compare with theory, and check your own implementation.")
    parser.add_argument("--version", action="version", version=f"dslab {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    parser.commands = sub.choices
    sub.add_parser("list", help="the labs, in a suggested order")
    card = sub.add_parser("card", help="a lab's study card")
    card.add_argument("lab", help="a lab's name (dslab list shows them)")

    run = sub.add_parser("run", help="run a lab's scenario", epilog=_params_epilog(lab),
                         formatter_class=argparse.RawDescriptionHelpFormatter,
                         help_page=f"dslab run {lab.name} --help" if lab is not None else None)
    run.add_argument("lab", help="a lab's name (dslab list shows them)")
    _scenario_flags(run, lab)
    run.add_argument("--seed", type=_seed, default=1, help="random seed (default 1)")
    run.add_argument("--trials", type=_positive, default=1,
                     help=f"independent runs from seeds derived from --seed (at most {MAX_TRIALS:,})")
    run.add_argument("--workers", type=_positive, default=None,
                     help="processes for --trials (default: one per core)")
    _compare_flag(run, lab)
    _scheduler_flag(run)
    run.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    run.add_argument("--impl", default=None, metavar="PATH",
                     help="drive the simulation with your exercise file's rules")
    run.add_argument("--out", default="dslab-output", metavar="DIR",
                     help="where to save the plot (default ./dslab-output)")
    run.add_argument("--no-plot", action="store_true", help="do not save a plot")
    run.add_argument("--time-limit", type=_seconds, default=None, metavar="SECONDS",
                     help=f"stop a run after this many seconds (default with --impl: "
                          f"{RUN_LIMIT_S:g}; without, none)")

    sweep = sub.add_parser("sweep", help="a phase diagram: a grid of parameters, seeds per cell",
                           epilog=_params_epilog(lab),
                           formatter_class=argparse.RawDescriptionHelpFormatter,
                           help_page=f"dslab sweep {lab.name} --help" if lab is not None else None)
    sweep.add_argument("lab", help="a lab's name (dslab list shows them)")
    _scenario_flags(sweep, lab, compare_scenario=True)
    sweep.add_argument("--grid", action="append", default=[], metavar="NAME=V1,V2,...",
                       help="a parameter and its values: one --grid for a strip, two for a "
                            "heatmap")
    sweep.add_argument("--metric", required=True, metavar="NAME",
                       help="the metric drawn: its mean per cell, or the probability of a 0/1 one "
                            "(a bare name stands for NAME[...] when the lab keys it)")
    sweep.add_argument("--trials", type=_positive, default=10,
                       help=f"seeds per cell, the same in every cell (default 10, at most "
                            f"{MAX_TRIALS:,})")
    sweep.add_argument("--seed", type=_seed, default=1, help="the seed the trials derive from")
    sweep.add_argument("--workers", type=_positive, default=None,
                       help="local processes (default: one per core)")
    _scheduler_flag(sweep)
    sweep.add_argument("--impl", default=None, metavar="PATH",
                       help="drive the simulation with your exercise file's rules")
    sweep.add_argument("--out", default="dslab-output", metavar="DIR",
                       help="where to write the heatmap, CSV and JSON (default ./dslab-output)")
    sweep.add_argument("--no-plot", action="store_true", help="write the CSV and JSON only")
    sweep.add_argument("--json", action="store_true",
                       help="print the sweep as one JSON object and write nothing")
    sweep.add_argument("--time-limit", type=_seconds, default=None, metavar="SECONDS",
                       help="stop a run after this many seconds")

    init = sub.add_parser("init", help="make a folder of your own for a lab's exercise")
    init.add_argument("lab", help="a lab's name (dslab list shows them)")
    init.add_argument("dir", nargs="?", default=None, metavar="DIR",
                      help="the folder to make (default: dslab-LAB, here)")

    check = sub.add_parser("check", help="check your exercise, rule by rule")
    check.add_argument("lab", help="a lab's name (dslab list shows them)")
    check.add_argument("--impl", default=None, metavar="PATH",
                       help="the file to check (default: exercise.py of your workspace, which "
                            "dslab init makes: this folder, or dslab-LAB in it)")
    check.add_argument("--rule", default=None, metavar="NAME", help="check only this rule")
    check.add_argument("--time-limit", type=_seconds, default=None, metavar="SECONDS",
                       help="how long one test of the checker may run before it is stopped "
                            f"(default {DEFAULT_TIME_LIMIT_S:g})")
    check.add_argument("-v", "--verbose", action="store_true", help="also show pytest's output")
    return parser


#: the flag of a comparison, which is also the name of one of lsm's scenarios
COMPARE = "compare"


class _CompareAction(argparse.Action):
    """``--compare NAME=A,B``; in a lab with a scenario called compare, a bare ``--compare`` picks
    that scenario, as every scenario's flag does."""

    def __call__(self, parser: Any, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        if values is None:
            namespace.scenario = COMPARE
        else:
            namespace.compare = values


def _scenario_flags(parser: argparse.ArgumentParser, lab: Lab | None,
                    compare_scenario: bool = False) -> None:
    """--scenario, a flag per scenario of ``lab``, and --set. The flag of a scenario called
    compare is --compare's business in ``dslab run`` (see _CompareAction); elsewhere it is
    added here when ``compare_scenario``."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--scenario", default=None, help="a named scenario (default: default)")
    for name in (lab.scenarios if lab is not None else []):
        if name != "default" and (name != COMPARE or compare_scenario) and lab is not None:
            group.add_argument(f"--{name}", dest="scenario", action="store_const", const=name,
                               help=_scenario_help(lab, name).replace("%", "%%"))  # argparse formats help
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="set a parameter (repeatable); see the list below")


def _compare_flag(parser: argparse.ArgumentParser, lab: Lab | None) -> None:
    scenario = lab is not None and COMPARE in lab.scenarios
    what = ("run the scenario once per value of one parameter, on the same seed (with --trials, "
            "the same seeds), and show them side by side with each metric's difference")
    if scenario and lab is not None:
        what += f"; a bare --compare is the scenario: {_scenario_help(lab, COMPARE)}"
    parser.add_argument("--compare", action=_CompareAction, nargs="?" if scenario else None,
                        default=None, metavar="NAME=A,B", help=what.replace("%", "%%"))


def _scheduler_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scheduler", default=None, metavar="tcp://HOST:8786",
                        help="send the seeds to this Dask scheduler (default: $DSLAB_SCHEDULER, "
                             "else processes on this machine)")


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
    sets = ", ".join(f"{k}={v}" for k, v in _scenario_values(lab, name).items())
    where = f"{lab.experiment(sc.experiment).name} experiment" if len(lab.experiments) > 1 else ""
    extra = "; ".join(x for x in (where, f"sets {sets}" if sets else "") if x)
    return f"{sc.help} ({extra})" if extra else sc.help


def _scenario_values(lab: Lab, name: str) -> dict[str, str]:
    """What scenario ``name`` sets, as the parameters took it."""
    params = lab.make_params(name)
    return {k: to_text(getattr(params, k)) for k in lab.scenarios[name].overrides}


def _params_epilog(lab: Lab | None) -> str:
    """Each experiment's parameters: what it is, its default, and what each scenario sets it to.
    Parameters every experiment shares (same meaning and default) are listed once."""
    if lab is None:
        return "Name a lab (dslab run LAB --help) to see its scenarios and parameters."
    width = max(60, min(100, shutil.get_terminal_size().columns - 2))
    lines = textwrap.wrap("--set NAME=VALUE sets a parameter of the scenario's experiment; "
                          "durations in ms, rates per second. Each parameter shows its default, "
                          "then the value each scenario that changes it runs with.", width)
    sets = {name: _scenario_values(lab, name) for name in lab.scenarios}
    tables = {exp.name: {n: (d, h) for n, d, h in describe(exp.params)} for exp in lab.experiments}
    shared = [n for n, row in tables[lab.experiments[0].name].items()
              if len(lab.experiments) > 1 and all(t.get(n) == row for t in tables.values())]

    def rows(names: list[str], table: dict[str, tuple[str, str]], scenarios: list[str]) -> list[str]:
        pad = max(len(n) for n in names) + 4
        out = []
        for n in names:
            default, what = table[n]
            by_value: dict[str, list[str]] = {}
            for sc in scenarios:
                if n in sets[sc] and sets[sc][n] != default:
                    by_value.setdefault(sets[sc][n], []).append(_flag(sc))
            values = "; ".join([f"default:\0{default}"]  # \0 keeps "default: X" on one line
                               + [f"{', '.join(flags)}: {v}" for v, flags in by_value.items()])
            out += [line.replace("\0", " ") for line in textwrap.wrap(
                f"{what} [{values}]", width, initial_indent=f"  {n:<{pad - 2}}",
                subsequent_indent=" " * pad, break_on_hyphens=False,
                break_long_words=False)]
        return out

    if shared:
        lines += ["", "parameters of every experiment:"]
        lines += rows(shared, tables[lab.experiments[0].name], list(lab.scenarios))
    for exp in lab.experiments:
        scenarios = lab.scenarios_of(exp.name)
        own = [n for n in tables[exp.name] if n not in shared]
        flags = ", ".join(_flag(s) for s in scenarios)
        lines += [""] + textwrap.wrap(f"{exp.name}: {exp.help} (scenarios {flags})", width,
                                      subsequent_indent="  ")
        if own:
            lines += [f"{'its own ' if shared else ''}parameters:"]
            lines += rows(own, tables[exp.name], scenarios)
    return "\n".join(lines)


def _flag(scenario: str) -> str:
    return "(default)" if scenario == "default" else f"--{scenario}"


def _lab_for(argv: list[str]) -> Lab | None:
    """The lab named after ``run`` (so its scenario flags can be added), if any."""
    if len(argv) >= 2 and argv[0] in ("run", "sweep") and not argv[1].startswith("-"):
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
        if args.command == "init":
            return _init(out, lab, args)
        if args.command == "sweep":
            return _sweep(out, err, lab, args)
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
    except BrokenPipeError:  # the reader left (``dslab run ... --json | head``): nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit either
        return EXIT_OK


def _run(out: Console, err: Console, lab: Lab, args) -> int:
    scenario = "default" if args.scenario is None else args.scenario  # --scenario '' is a mistake
    overrides = dict(parse_assignment(a) for a in args.set)
    params = lab.make_params(scenario, overrides)
    check_counts(args.trials, args.workers)
    if args.trials == 1 and not args.json and not args.no_plot:
        _check_out(args.out)
    # a learner's file gets a time limit (a loop that never ends); the reference rules none, as a
    # long run of theirs is one the learner asked for (and the event budget stops a runaway one)
    limit = args.time_limit or (RUN_LIMIT_S if args.impl else None)
    impl = lab.load_impl(args.impl, time_limit=limit) if args.impl else None
    label = scenario if not overrides else f"{scenario}+custom"
    replay = lab.replay_command(scenario, args.seed, overrides, args.impl)
    if args.compare is not None:
        return _compare(out, err, lab, args, scenario, overrides, limit)
    if args.trials > 1:
        from dslab.trials import run_trials

        with render.progress(err, args.trials, f"{lab.name} {scenario}") as advance:
            tr = run_trials(lab, params, args.seed, args.trials, label, args.impl, args.workers,
                            progress=advance, time_limit=limit,
                            scheduler=scheduler_address(args.scheduler))
        if args.json:
            print(tr.to_json())
        else:
            render.trials(out, lab, tr, replay + f" --trials {args.trials}", impl=args.impl)
        return EXIT_OK if tr.ok else EXIT_CHECKS_FAILED
    result = lab.run(params, args.seed, impl, scenario=label, time_limit=limit)
    if args.json:
        print(result.to_json())
        return EXIT_OK if result.ok else EXIT_CHECKS_FAILED
    # the summary first: a plot that cannot be drawn must not hide what the run found
    render.run(out, lab, result, None, replay, impl=args.impl)
    if not args.no_plot:
        path = Path(args.out) / plot_name(lab.name, scenario, args.seed, _canonical(params, overrides),
                                          args.impl)
        _save_plot(out, err, path, lambda: lab.plot(result))
    return EXIT_OK if result.ok else EXIT_CHECKS_FAILED


def _save_plot(out: Console, err: Console, path: Path, draw: Any) -> None:
    """Draw a figure and save it at ``path``, saying where it went, or, if drawing or saving
    fails (a bug in a plot, a disk that refuses the file), saying so without stopping."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        draw().savefig(path)
    except Exception as e:
        render.plot_failed(err, path, e)
    else:
        render.plot_saved(out, path)


def _compare(out: Console, err: Console, lab: Lab, args, scenario: str,
             overrides: dict[str, str], limit: float | None) -> int:
    """``--compare NAME=A,B``: each value on the same seed(s), one table and one picture."""
    from dslab import compare

    name, values = compare.parse_compare(args.compare)
    if args.trials == 1 and not args.json and not args.no_plot:
        _check_out(args.out)
    scheduler = scheduler_address(args.scheduler)
    runs = len(values) * args.trials
    with render.progress(err, runs, f"{lab.name} {scenario} {name}") as advance:
        cmp = compare.compare(lab, scenario, name, values, args.seed, args.trials, overrides,
                              args.impl, args.workers, scheduler, advance, limit)
    if args.json:
        print(cmp.to_json())
        return EXIT_OK if cmp.ok else EXIT_CHECKS_FAILED
    replay = lab.replay_command(scenario, args.seed, overrides, args.impl)
    replay += f" --compare {name}={','.join(cmp.values)}"
    replay += f" --trials {args.trials}" if args.trials > 1 else ""
    render.comparison(out, lab, cmp, replay, impl=args.impl)
    if not args.no_plot:
        _check_out(args.out)
        what = {**_canonical(lab.make_params(scenario, overrides), overrides),
                COMPARE: f"{name}={','.join(cmp.values)}", "trials": str(args.trials)}
        path = Path(args.out) / plot_name(lab.name, f"{scenario}-compare-{name}", args.seed,
                                          what, args.impl)
        _save_plot(out, err, path, lambda: compare.plot(lab, cmp))
    return EXIT_OK if cmp.ok else EXIT_CHECKS_FAILED


def _sweep(out: Console, err: Console, lab: Lab, args) -> int:
    """``dslab sweep``: the grid's runs with a progress bar, a table and a heatmap of the metric,
    and the CSV and JSON of every cell for the learner's own analysis."""
    from dslab import sweep

    scenario = "default" if args.scenario is None else args.scenario
    overrides = dict(parse_assignment(a) for a in args.set)
    grid = [sweep.parse_grid(g) for g in args.grid]
    if not grid:
        raise InputError("dslab sweep needs at least one --grid NAME=V1,V2,....",
                         hint=f"For example: dslab sweep {lab.name} --grid NAME=1,2,3 --metric M.")
    lab.make_params(scenario, overrides)  # a bad --set is named before any run
    if not args.json:
        _check_out(args.out)
    limit = args.time_limit or (RUN_LIMIT_S if args.impl else None)
    if args.impl:
        lab.load_impl(args.impl, time_limit=limit)  # a broken file is one sentence, before any run
    cells = math.prod(len(vs) for _, vs in grid)
    with render.progress(err, cells * args.trials, f"{lab.name} sweep") as advance:
        sw = sweep.sweep(lab, scenario, grid, args.metric, args.trials, args.seed, overrides,
                         args.impl, args.workers, scheduler_address(args.scheduler), advance, limit)
    if args.json:
        print(sw.to_json())
        return EXIT_OK
    what = {**_canonical(lab.make_params(scenario, overrides), overrides),
            "grid": json.dumps(sw.axes), "metric": sw.metric, "trials": str(args.trials)}
    names = "-".join(n for n, _ in sw.axes)
    stem = plot_name(lab.name, f"{scenario}-sweep-{names}", args.seed, what,
                     args.impl).removesuffix(".png")
    folder = Path(args.out)
    written = []
    for suffix, text in ((".csv", sw.to_csv()), (".json", sw.to_json() + "\n")):
        path = folder / (stem + suffix)
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as e:
            raise InputError(f"The sweep finished but {path} could not be written: "
                             f"{e.strerror or e}.", hint="Choose another folder with --out DIR.") from None
        written.append(path)
    render.sweep(out, lab, sw, written)
    if not args.no_plot:
        path = folder / (stem + ".png")
        _save_plot(out, err, path, lambda: sweep.plot(lab, sw))
    return EXIT_OK


def plot_name(lab: str, scenario: str, seed: int, overrides: dict[str, str] | None = None,
              impl: str | None = None) -> str:
    """The plot's file name: ``<lab>-<scenario>-seed<seed>.png`` for a scenario as it is, with a
    short digest of the ``--set`` overrides (the same in any order) and the learner's file when
    the run had either, so a variation never overwrites another's plot."""
    name = f"{lab}-{scenario}-seed{seed}"
    if not overrides and not impl:
        return name + ".png"
    what = {"set": sorted((overrides or {}).items()),
            "impl": str(Path(impl).resolve()) if impl else None}
    digest = hashlib.sha256(json.dumps(what).encode()).hexdigest()[:8]
    return f"{name}-{'impl-' if impl else ''}{digest}.png"


def _canonical(params: object, overrides: dict[str, str]) -> dict[str, str]:
    """The overrides as the parameters took them (``uniform(150, 300)`` and ``uniform(150,300)``
    are one setting)."""
    return {k: to_text(getattr(params, k)) for k in overrides}


def _check_out(folder: str) -> None:
    """Make sure the plot can be saved in ``folder`` (creating it), before the run rather than
    after it, when a failure would lose the run."""
    path = Path(folder)
    if path.exists() and not path.is_dir():
        raise InputError(f"--out {folder} is a file, not a folder to save the plot in.",
                         hint="Give a folder (it is created if needed), or --no-plot.")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as e:
        reason = (e.strerror or str(e)).lower()
        raise InputError(f"The plot could not be saved in --out {folder}: {reason}.",
                         hint="Give a folder you can write to (it is created if needed), or "
                              "--no-plot.") from None


def _check(out: Console, err: Console, lab: Lab, args) -> int:
    from dslab.check import check_rule_name, run_checker
    from dslab.workspace import find_exercise

    if args.rule is not None:
        check_rule_name(lab, args.rule)
    path, shown = find_exercise(lab, args.impl)
    with err.status(f"Checking {escape(shown)} ..."):  # a path is text, not markup
        report = run_checker(lab, path, rule=args.rule, time_limit=args.time_limit, shown=shown)
    render.check_report(out, lab, report, verbose=args.verbose)
    return EXIT_OK if report.passed else EXIT_CHECKS_FAILED


def _init(out: Console, lab: Lab, args) -> int:
    from dslab.workspace import default_dir, init, next_steps

    folder = Path(args.dir or default_dir(lab))
    init(lab, folder)
    for line in next_steps(lab, folder):
        out.print(line, markup=False, highlight=False, soft_wrap=True)
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

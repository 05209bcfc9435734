"""Terminal rendering with rich: lab lists, run summaries, trial statistics, checker reports."""

from __future__ import annotations

import math
import numbers
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console, Group
from rich.markdown import Markdown
from rich.markup import escape
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from dslab.lab import Lab
from dslab.result import Result

PASS, FAIL = "[bold green]✔ held[/]", "[bold red]✘ broke[/]"


def error(console: Console, message: str, hint: str | None) -> None:
    # a message quotes the learner's input ("'[x]' is not ..."): plain text, not markup
    console.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    if hint:
        console.print(f"[dim]hint:[/] {escape(hint)}", highlight=False)


def lab_list(console: Console, labs: list[Lab]) -> None:
    table = Table(title="dslab labs, in a suggested order", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("lab", style="bold cyan")
    table.add_column("what you can watch")
    table.add_column("study-guide card", style="magenta")
    for i, lab in enumerate(labs, 1):
        table.add_row(str(i), Text(lab.name), Text(lab.summary), Text(lab.card.title))
    console.print(table)
    console.print("[dim]dslab card LAB · dslab run LAB --help · dslab init LAB · dslab check LAB[/]")


def card(console: Console, lab: Lab) -> None:
    readme = lab.lab_dir() / "README.md"
    if readme.is_file():
        console.print(Markdown(readme.read_text(encoding="utf-8")))
    else:
        console.print(Panel(Text.assemble((lab.card.title, "bold"), "\n\n", lab.card.mastery),
                            title=escape(lab.title)))


# -- numbers -----------------------------------------------------------------------------------

#: significant digits a table shows: enough to set a measurement beside its theory
DIGITS = 3


def is_number(value: Any) -> bool:
    """A finite real number that is not a yes/no (bools are ints in Python)."""
    return (isinstance(value, numbers.Real) and not isinstance(value, bool)
            and math.isfinite(float(value)))


def fmt(value: Any) -> str:
    """A value as a table shows it.

    Integers whole (``12``, ``37,344``); other numbers to three significant digits, but never
    fewer than their integer part (``1.26``, ``1.10``, ``0.0352``, ``20.0``, ``1,610``);
    thousands separated; very large or small ones in scientific notation; yes/no for booleans;
    "—" for none and NaN.
    """
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        x = float(value)
        if math.isnan(x):
            return "—"
        if math.isinf(x):
            return "∞" if x > 0 else "-∞"
        return _number(x)
    return str(value)


def _number(x: float) -> str:
    if x == 0:
        return "0"
    if not 1e-4 <= abs(x) < 1e15:
        return f"{x:.{DIGITS - 1}e}"
    decimals = max(0, DIGITS - 1 - math.floor(math.log10(abs(x))))
    rounded = round(x, decimals)
    if rounded != 0 and math.floor(math.log10(abs(rounded))) > math.floor(math.log10(abs(x))):
        decimals = max(0, decimals - 1)  # 9.996 rounds to 10.0, not 10.00
    return f"{x:,.{decimals}f}"


def difference(sim: Any, theory: Any) -> str:
    """How far a measurement is from its theory, relative to the theory: "+1.1%"; empty when
    either is not a number (yes/no, none, a sentence) or the theory is 0."""
    if not is_number(sim) or not is_number(theory) or theory == 0:
        return ""
    rel = 100 * (float(sim) - float(theory)) / abs(float(theory))
    if rel == 0:
        return "0%"
    return f"{rel:+,.0f}%" if abs(rel) >= 1000 else f"{rel:+.1f}%"


_MARKS = "¹²³⁴⁵⁶⁷⁸⁹"


class _Notes:
    """Theory that is a sentence ("n/a: why") goes under the table, marked in its cell, so the
    table stays narrow; the same sentence gets the same mark."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def cell(self, theory: Any) -> str:
        if not (isinstance(theory, str) and theory.startswith("n/a:")):
            return fmt(theory)
        why = theory.removeprefix("n/a:").strip()
        if why not in self.texts:
            self.texts.append(why)
        return "n/a" + _mark(self.texts.index(why))

    def print(self, console: Console) -> None:
        for k, why in enumerate(self.texts):
            console.print(Text(f"{_mark(k)} theory n/a: {why}", style="dim"))


def _mark(k: int) -> str:
    return _MARKS[k] if k < len(_MARKS) else f"({k + 1})"


# -- one run -----------------------------------------------------------------------------------

def _header(lab: Lab, what: str, impl: str | None) -> Panel:
    """The panel above a run or trials: lab, scenario and seed; whose rules ran; the card."""
    parts: list[str | tuple[str, str]] = [(lab.title, "bold"), f" · {what}\n"]
    if impl:
        parts += [(f"{lab.rules_noun} from your file: {impl}", "bold yellow"), "\n"]
    parts.append(("card: " + lab.card.title, "magenta"))
    return Panel(Text.assemble(*parts), expand=False)


def run(console: Console, lab: Lab, result: Result, plot_path: Path | None, replay: str,
        impl: str | None = None) -> None:
    """One run's summary: header, the lab's view, the story, metrics beside theory, checks.
    ``impl`` is the learner's file when their rules drove the run."""
    console.print(_header(lab, f"scenario {result.scenario} · seed {result.seed}", impl))
    view = lab.view(result, max(30, min(100, console.width - 12)))
    if view is not None:
        console.print(view)
    # story lines quote data ("calls[immediate]"): highlighted as before, but never read as markup
    story = Text("\n").join(console.render_str(f"• {line}", markup=False) for line in result.story)
    console.print(Panel(story, title="What happened", title_align="left"))
    table = Table(title="Metrics: simulated beside theory", title_justify="left")
    table.add_column("metric", style="cyan", overflow="fold",
                     min_width=max(map(len, result.metrics), default=6))
    table.add_column("simulated", justify="right")
    table.add_column("theory", justify="right")
    table.add_column("difference", justify="right", style="dim")
    notes = _Notes()
    rates = []
    for name, value in result.metrics.items():
        th = result.theory.get(name)
        if name in lab.indicators and th is not None:
            rates.append(name)
            diff = "see note"
        else:
            diff = difference(value, th)
        table.add_row(Text(name), Text(fmt(value)), Text(notes.cell(th)), Text(diff))
    console.print(table)
    notes.print(console)
    if rates:
        console.print(Text(f"Note: {', '.join(rates)} {'is' if len(rates) == 1 else 'are'} 0 or 1 "
                           "in one run, and theory gives the probability of a 1: compare the mean "
                           "over many runs (--trials 200).", style="dim"))
    console.print(_checks_table([(c.name, c.passed, c.detail) for c in result.checks]))
    if plot_path is not None:
        plot_saved(console, plot_path)
    console.print(Text.assemble("Replay this run: ", (replay, "bold")))
    if not result.ok:
        console.print(Text.assemble(("A safety check broke in this run.", "bold red"),
                                    f" Replay it with: {replay}"))


def plot_saved(console: Console, plot_path: Path) -> None:
    console.print(Text.assemble("Plot saved to ", (str(plot_path), "bold")))


def plot_failed(console: Console, plot_path: Path, e: Exception) -> None:
    """One sentence for a plot that failed after a good run: the run's summary stands."""
    if isinstance(e, OSError):
        error(console, f"The run finished and its summary is above, but its plot could not be "
              f"saved to {plot_path}: {e.strerror or e}.", "Choose another folder with --out DIR.")
        return
    # the innermost named function (a comprehension's frame is called "<listcomp>")
    frames = [f for f in traceback.extract_tb(e.__traceback__) if not f.name.startswith("<")]
    where = frames[-1] if frames else None
    at = f" in {where.name} ({Path(where.filename).name}, line {where.lineno})" if where else ""
    error(console, f"The run finished and its summary is above, but its plot could not be drawn: "
          f"{type(e).__name__}{f' ({e})' if str(e) else ''}{at}.",
          "This is a bug in dslab's plot, not in the run; --no-plot skips the plot.")


def _checks_table(rows: list[tuple[str, bool, str]]) -> Table:
    table = Table(title="Safety checks", title_justify="left")
    table.add_column("invariant")
    table.add_column("verdict")
    table.add_column("what was seen", overflow="fold")
    for name, ok, detail in rows:
        table.add_row(escape(name), PASS if ok else FAIL, escape(detail))
    return table


#: the statistics of a metric across trials, in the order shown, and the order in which they are
#: given up when the terminal is too narrow for all (the metric's name is never cut)
_STATS = ("mean", "ci95", "theory", "p50", "p90", "p99", "p99.9", "max", "n")
_PRIORITY = ("mean", "theory", "ci95", "p50", "p99", "max", "p90", "p99.9", "n")
#: when some trials gave no value, n says how many did: it comes before the tails
_PRIORITY_MISSING = ("mean", "theory", "ci95", "n", "p50", "p99", "max", "p90", "p99.9")
_HEADERS = {"ci95": "95% CI of mean"}


def trials(console: Console, lab: Lab, tr, replay: str, impl: str | None = None) -> None:
    """Trials: each metric's distribution across seeds beside theory, then each check's tally."""
    console.print(_header(lab, f"{tr.trials} trials of scenario {tr.scenario} · seeds from {tr.seed}",
                          impl))
    notes = _Notes()
    rows = {name: _trial_cells(s, notes.cell(tr.theory.get(name))) for name, s in tr.metrics.items()}
    missing = any(s["missing"] for s in tr.metrics.values())
    unbounded = console.options.update_width(10_000)  # a table's natural width, not the screen's
    shown: list[str] = []
    for stat in _PRIORITY_MISSING if missing else _PRIORITY:
        table = _trials_table(rows, [*shown, stat])
        if shown and console.measure(table, options=unbounded).maximum > console.width:
            break
        shown.append(stat)
    console.print(_trials_table(rows, shown))
    notes.print(console)
    dropped = [_HEADERS.get(c, c) for c in _STATS if c not in shown]
    if dropped:
        console.print(Text(f"Not shown at this width: {', '.join(dropped)} (a wider terminal or "
                           "--json shows them).", style="dim"))
    if missing and "n" not in shown:
        gaps = [f"{name} in {s['missing']} of {tr.trials}" for name, s in tr.metrics.items()
                if s["missing"]]
        console.print(Text(f"Trials that gave no value: {'; '.join(gaps)}.", style="dim"))
    checks = []
    for name, c in tr.checks.items():
        detail = f"held in {c['passed']} of {tr.trials} trials"
        if c["failed"]:
            detail += "; broke with seeds " + ", ".join(map(str, c["failed_seeds"]))
        checks.append((name, c["failed"] == 0, detail))
    console.print(_checks_table(checks))
    console.print(Text.assemble("Replay: ", (replay, "bold"), "  (one failing trial: the same with "
                                "--seed SEED and without --trials)"))


def _trial_cells(s: dict[str, Any], theory: str) -> dict[str, str]:
    cells = {c: fmt(s[c]) for c in ("mean", "p50", "p90", "p99", "p99.9", "max")}
    cells["ci95"] = "—" if s["ci95_low"] is None else f"{fmt(s['ci95_low'])} … {fmt(s['ci95_high'])}"
    cells["theory"] = theory
    cells["n"] = f"{s['n']}" + (f" ({s['missing']} none)" if s["missing"] else "")
    return cells


def _trials_table(rows: dict[str, dict[str, str]], stats: list[str]) -> Table:
    table = Table(title="Each metric across trials", title_justify="left")
    # a name keeps its whole width (columns are dropped to make room); were the terminal too
    # narrow even for the name and the mean, it would fold onto two lines, never be cut
    table.add_column("metric", style="cyan", overflow="fold", min_width=max(map(len, rows), default=6))
    for c in _STATS:
        if c in stats:
            table.add_column(_HEADERS.get(c, c), justify="right", no_wrap=True,
                             style="bold" if c == "theory" else ("dim" if c == "n" else ""))
    for name, cells in rows.items():
        table.add_row(Text(name), *(Text(cells[c]) for c in _STATS if c in stats))
    return table


def comparison(console: Console, lab: Lab, cmp, replay: str, impl: str | None = None) -> None:
    """A comparison: each value's metrics side by side and their difference from the first
    value; with trials, the paired difference's mean and 95% CI, then each arm's checks."""
    first = cmp.values[0]
    what = (f"scenario {cmp.scenario} · {cmp.name} = {' vs '.join(cmp.values)} · "
            + (f"seed {cmp.seed}" if cmp.trials == 1 else f"{cmp.trials} trials, the same seeds "
               f"from {cmp.seed}"))
    console.print(_header(lab, what, impl))
    width = max(map(len, cmp.metrics), default=6)
    if cmp.trials == 1:
        table = Table(title=f"Metrics, same seed: each value, and its difference from {first}",
                      title_justify="left")
        table.add_column("metric", style="cyan", overflow="fold", min_width=width)
        for v in cmp.values:
            table.add_column(f"{cmp.name}={v}", justify="right")
        for v in cmp.values[1:]:
            table.add_column(f"{v} − {first}", justify="right", style="bold")
        for m in cmp.metrics:
            cells = [fmt(got.get(m)) for got in cmp.measured]
            diffs = [_signed(cmp.differences[v][m]) for v in cmp.values[1:]]
            table.add_row(Text(m), *map(Text, cells + diffs))
        console.print(table)
        checks = [(f"{c.name} [{v}]", c.passed, c.detail)
                  for v, r in zip(cmp.values, cmp.runs, strict=True) for c in r.checks]
    else:
        for v in cmp.values[1:]:
            table = Table(title=f"Paired difference {cmp.name}={v} − {cmp.name}={first}, "
                          f"seed by seed", title_justify="left")
            table.add_column("metric", style="cyan", overflow="fold", min_width=width)
            table.add_column(f"mean, {first}", justify="right")
            table.add_column(f"mean, {v}", justify="right")
            table.add_column("paired Δ", justify="right", style="bold", no_wrap=True)
            table.add_column("95% CI of Δ", justify="right")
            table.add_column("pairs", justify="right", style="dim")
            arm = cmp.arms[cmp.values.index(v)]
            for m in cmp.metrics:
                d = cmp.differences[v][m]
                ci = ("—" if d.ci95_low is None
                      else f"{_signed(d.ci95_low)} … {_signed(d.ci95_high)}")
                table.add_row(Text(m), Text(fmt(cmp.arms[0].metrics.get(m, {}).get("mean"))),
                              Text(fmt(arm.metrics.get(m, {}).get("mean"))),
                              Text(_signed(d.mean)), Text(ci), Text(str(d.n)))
            console.print(table)
        console.print(Text("A CI that excludes 0 is a difference the seeds agree on; one that "
                           "straddles 0 is not told apart from noise at this many trials.",
                           style="dim"))
        checks = []
        for v, a in zip(cmp.values, cmp.arms, strict=True):
            for name, c in a.checks.items():
                detail = f"held in {c['passed']} of {a.trials} trials"
                if c["failed"]:
                    detail += "; broke with seeds " + ", ".join(map(str, c["failed_seeds"]))
                checks.append((f"{name} [{v}]", c["failed"] == 0, detail))
    console.print(_checks_table(checks))
    console.print(Text.assemble("Replay: ", (replay, "bold")))


def sweep(console: Console, lab: Lab, sw, written: list[Path]) -> None:
    """A sweep: the metric's mean per cell as a table shaped like the heatmap, the checks that
    broke anywhere, and the files written."""
    xname, xs = sw.axes[0]
    yname, ys = sw.axes[1] if len(sw.axes) > 1 else ("", [""])
    what = f"probability of {sw.metric}" if sw.probability else f"mean {sw.metric}"
    console.print(_header(lab, f"sweep of scenario {sw.scenario} · {sw.trials} seeds per cell "
                          f"from {sw.seed}", None))
    table = Table(title=f"{what}, by {xname}" + (f" (columns) and {yname} (rows)" if yname else ""),
                  title_justify="left")
    table.add_column(yname or "", style="cyan", justify="right")
    for x in xs:
        table.add_column(x, justify="right")
    grid = sw.grid()
    for j in reversed(range(len(ys))):  # the largest value on top, as in the heatmap
        table.add_row(Text(ys[j]), *(Text(fmt(v)) for v in grid[j]))
    console.print(table)
    if sw.boundary is not None:
        console.print(Text(f"The heatmap draws the theory's boundary, {sw.boundary}, between the "
                           "cells on either side of it.", style="dim"))
    broke = [(f"{name} [{', '.join(f'{k}={v}' for k, v in c.settings.items())}]", False,
              f"broke in {ck['failed']} of {sw.trials} trials, seeds "
              + ", ".join(map(str, ck["failed_seeds"])))
             for c in sw.cells for name, ck in c.trials.checks.items() if ck["failed"]]
    if broke:
        console.print(_checks_table(broke))
    else:
        console.print(Text(f"Every safety check held in all {len(sw.cells) * sw.trials:,} runs.",
                           style="green"))
    for path in written:
        console.print(Text.assemble("Saved ", (str(path), "bold")))


def _signed(x: Any) -> str:
    """A difference with its sign (+1.20, −3, 0); "—" for none."""
    if not is_number(x):
        return fmt(x)
    return ("+" if x > 0 else "") + fmt(x)


def check_report(console: Console, lab: Lab, report, verbose: bool = False) -> None:
    """The checker's verdict by rule: each rule passed or failed, with the first failing test of
    a failed rule and its hint; the summary counts rules, not tests."""
    from dslab.check import ALL_RULES, NOT_YET
    from dslab.wording import count

    if verbose:
        console.print(report.output, markup=False, highlight=False)
    table = Table(title=f"dslab check {lab.name} · {report.impl}", title_justify="left")
    table.add_column("rule", style="cyan")
    table.add_column("verdict")
    table.add_column("first failing test: hint", overflow="fold")
    for r in report.rules:
        if r.passed:
            table.add_row(escape(r.rule), f"[bold green]✔ passed[/] [dim]({count(r.tests, 'test')})[/]", "")
            continue
        first = r.first_failure
        # test titles and hints are plain text: "[budget]" is a test id, not rich markup
        hint = Text(first.hint) if first.hint == NOT_YET else Text.assemble((first.title, "bold"), ": ",
                                                                            first.hint)
        table.add_row(escape(r.rule), f"[bold red]✘ failed[/] [dim]({len(r.failures)} of "
                      f"{count(r.tests, 'test')})[/]", hint)
    console.print(table)
    rules = [r for r in report.rules if r.rule != ALL_RULES]
    together = next((r for r in report.rules if r.rule == ALL_RULES), None)
    passed = sum(r.passed for r in rules)
    some = len(rules) < len(lab.exercise_rules)  # dslab check --rule
    if report.passed and some:
        console.print(f"[bold green]{rules[0].rule} passes.[/] Check every rule with: "
                      f"dslab check {lab.name}", highlight=False)
    elif report.passed:
        flag = "" if lab.gallery == "default" else f" --{lab.gallery}"
        console.print(f"[bold green]All {len(rules)} rules pass, alone and together.[/] Now watch "
                      f"your rules run: dslab run {lab.name}{flag} --impl {escape(report.impl)}",
                      highlight=False)
    elif passed == len(rules) and together is not None:
        console.print(Group(
            Text(f"Each of the {len(rules)} rules passes its own tests, but together they fail.",
                 style="bold red"),
            Text(f"Read the hint of '{ALL_RULES}': it says how to replay the run that failed.")))
    else:
        console.print(Group(
            Text(f"{passed} of {count(len(rules), 'rule')} pass." if len(rules) != 1 else
                 f"{rules[0].rule} fails.", style="bold red"),
            Text("Fix the first failing rule, then run the checker again (-v shows pytest's "
                 "output).")))


@contextmanager
def progress(console: Console, total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr for slow work; yields ``advance(k)``."""
    bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeRemainingColumn(), console=console, transient=True)
    with bar:
        task = bar.add_task(label, total=total)

        def advance(k: int = 1) -> None:
            bar.advance(task, k)

        yield advance

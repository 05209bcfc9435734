"""Terminal rendering with rich: lab lists, run summaries, trial statistics, checker reports."""

from __future__ import annotations

import math
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
    console.print(f"[bold red]error:[/] {message}", highlight=False)
    if hint:
        console.print(f"[dim]hint:[/] {hint}", highlight=False)


def lab_list(console: Console, labs: list[Lab]) -> None:
    table = Table(title="dslab labs, in a suggested order", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("lab", style="bold cyan")
    table.add_column("what you can watch")
    table.add_column("study-guide card", style="magenta")
    for i, lab in enumerate(labs, 1):
        table.add_row(str(i), lab.name, lab.summary, lab.card.title)
    console.print(table)
    console.print("[dim]dslab card LAB · dslab run LAB --help · dslab check LAB[/]")


def card(console: Console, lab: Lab) -> None:
    readme = lab.lab_dir() / "README.md"
    if readme.is_file():
        console.print(Markdown(readme.read_text(encoding="utf-8")))
    else:
        console.print(Panel(f"[bold]{lab.card.title}[/]\n\n{lab.card.mastery}", title=lab.title))


def fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return "—"
        return f"{value:,.3f}" if abs(value) < 1 else f"{value:,.1f}"
    return str(value)


def _rel(sim: Any, theory: Any) -> str:
    if not isinstance(sim, (int, float)) or not isinstance(theory, (int, float)) or not theory:
        return ""
    return f"{(sim - theory) / abs(theory):+.1%}"


def run(console: Console, lab: Lab, result: Result, plot_path: Path | None, replay: str) -> None:
    console.print(Panel(Text.assemble((lab.title, "bold"), f" · scenario {result.scenario} · "
                                      f"seed {result.seed}\n", ("card: " + lab.card.title, "magenta")),
                        expand=False))
    view = lab.view(result, max(30, min(100, console.width - 12)))
    if view is not None:
        console.print(view)
    console.print(Panel("\n".join(f"• {line}" for line in result.story), title="What happened",
                        title_align="left"))
    table = Table(title="Metrics: simulated beside theory", title_justify="left")
    table.add_column("metric", style="cyan")
    table.add_column("simulated", justify="right")
    table.add_column("theory", justify="right")
    table.add_column("difference", justify="right", style="dim")
    rates = []
    for name, value in result.metrics.items():
        th = result.theory.get(name)
        if name in lab.indicators and th is not None:
            rates.append(name)
            table.add_row(name, fmt(value), fmt(th), "see note")
        else:
            table.add_row(name, fmt(value), fmt(th), _rel(value, th))
    console.print(table)
    if rates:
        console.print(f"[dim]Note: {', '.join(rates)} {'is' if len(rates) == 1 else 'are'} 0 or 1 "
                      "in one run, and theory gives the probability of a 1: compare the mean "
                      f"over many runs (--trials 200).[/]", highlight=False)
    console.print(_checks_table([(c.name, c.passed, c.detail) for c in result.checks]))
    if plot_path is not None:
        console.print(f"Plot saved to [bold]{plot_path}[/]")
    console.print(f"Replay this run: [bold]{replay}[/]", highlight=False)
    if not result.ok:
        console.print(f"[bold red]A safety check broke in this run.[/] Replay it with: {replay}",
                      highlight=False)


def _checks_table(rows: list[tuple[str, bool, str]]) -> Table:
    table = Table(title="Safety checks", title_justify="left")
    table.add_column("invariant")
    table.add_column("verdict")
    table.add_column("what was seen", overflow="fold")
    for name, ok, detail in rows:
        table.add_row(escape(name), PASS if ok else FAIL, escape(detail))
    return table


def trials(console: Console, lab: Lab, tr, replay: str) -> None:
    console.print(Panel(Text.assemble((lab.title, "bold"), f" · {tr.trials} trials of scenario "
                                      f"{tr.scenario} · seeds from {tr.seed}\n",
                                      ("card: " + lab.card.title, "magenta")), expand=False))
    table = Table(title="Each metric across trials", title_justify="left")
    cols = ["mean", "p50", "p90", "p99", "p99.9", "max"]
    table.add_column("metric", style="cyan")
    for c in cols:
        table.add_column(c, justify="right")
    table.add_column("95% CI of mean", justify="right")
    table.add_column("theory", justify="right", style="bold")
    table.add_column("n", justify="right", style="dim")
    for name, s in tr.metrics.items():
        ci = "—" if s["ci95_low"] is None else f"{fmt(s['ci95_low'])} … {fmt(s['ci95_high'])}"
        table.add_row(name, *(fmt(s[c]) for c in cols), ci, fmt(tr.theory.get(name)),
                      f"{s['n']}" + (f" ({s['missing']} none)" if s["missing"] else ""))
    console.print(table)
    rows = []
    for name, c in tr.checks.items():
        detail = f"held in {c['passed']} of {tr.trials} trials"
        if c["failed"]:
            detail += "; broke with seeds " + ", ".join(map(str, c["failed_seeds"]))
        rows.append((name, c["failed"] == 0, detail))
    console.print(_checks_table(rows))
    console.print(f"Replay: [bold]{replay}[/]  (one failing trial: the same with --seed SEED "
                  "and without --trials)", highlight=False)


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

"""Mutation testing of the exercise checkers: how many small bugs in the reference rules does each
lab's checker catch?

Cosmic Ray's operators (https://cosmic-ray.readthedocs.io) make every single-point mutant of the
rules a learner writes (the ``EXERCISE`` rules of ``src/dslab/labs/<lab>/rules.py``); each mutant
is written as an exercise file and checked by the lab's checker, many to a worker process, on
every core. A mutant is killed when any checker test fails on it, or when the checker cannot
finish on it (a loop that never ends, a crash). A survivor is a bug the checker would let
through, unless it is equivalent: it changes no answer the rule can give. Each survivor must
be explained in ``tests/labs/<lab>/equivalent_mutants.toml`` (``"<id>" = "why it changes
nothing"``) or killed by a new checker test. The table for each lab goes to
``docs/mutation/<lab>.md``; a test fails while a committed table lists an unexplained survivor.

    pip install -e ".[test,mutation]"
    python tools/mutation.py                    # every lab (minutes: a checker run per mutant)
    python tools/mutation.py raft --workers 2   # one lab
    python tools/mutation.py hashing --only jump_hash --list   # the mutants, not run
"""

from __future__ import annotations

import argparse
import ast
import sys
import tempfile
import time
import tomllib
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cosmic_ray.ast import ast_nodes, get_ast
from cosmic_ray.mutating import mutate_code
from cosmic_ray.plugins import get_operator, operator_names

from dslab.check import CheckReport, run_checker_many
from dslab.errors import InputError
from dslab.lab import Lab
from dslab.labs import NAMES, get_lab

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "mutation"
BATCH = 12  # mutants per worker run: small enough that a hung one costs little to redo


@dataclass(frozen=True)
class Mutant:
    """One single-point change to one exercise rule. ``id`` is stable while the rule's code is:
    the rule, the operator, and which occurrence of it within the rule."""

    id: str
    rule: str
    operator: str
    line: int
    before: str
    after: str
    code: str


@dataclass(frozen=True)
class Verdict:
    mutant: Mutant
    killed: bool
    how: str  # the first failing test, "timeout", "crash", or "" for a survivor


def rule_spans(source: str, rules: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    """The first and last line of each exercise rule (a function, or a class and its methods)."""
    spans = {}
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in rules:
            spans[node.name] = (node.lineno, node.end_lineno or node.lineno)
    return spans


def annotation_spans(source: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Where the type annotations are: with ``from __future__ import annotations`` they are never
    evaluated, so a mutant there changes nothing and is not made."""
    spans = []
    for node in ast.walk(ast.parse(source)):
        notes: list[ast.expr | None] = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            a = node.args
            notes = [node.returns, *(x.annotation for x in [*a.posonlyargs, *a.args, *a.kwonlyargs,
                                                          *filter(None, [a.vararg, a.kwarg])])]
        elif isinstance(node, ast.AnnAssign):
            notes = [node.annotation]
        for n in notes:
            if n is not None:
                spans.append(((n.lineno, n.col_offset),
                              (n.end_lineno or n.lineno, n.end_col_offset or 0)))
    return spans


def _operators() -> Iterator[tuple[str, Any]]:
    """Every Cosmic Ray operator that needs no arguments, by name."""
    for name in sorted(operator_names()):
        cls = get_operator(name)
        if not cls.arguments():
            yield name, cls()


def mutants(lab: Lab, only: str | None = None) -> list[Mutant]:
    """Every single-point mutant of the lab's exercise rules (of rule ``only``, if given)."""
    path = Path(lab.rules.__file__ or "")
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    spans = rule_spans(source, lab.exercise_rules)
    notes = annotation_spans(source)
    tree = get_ast(source)
    out: list[Mutant] = []
    for op_name, op in _operators():
        seen: Counter[str] = Counter()
        positions = [pos for node in ast_nodes(tree) for pos in op.mutation_positions(node)]
        for occurrence, (start, _end) in enumerate(positions):
            line = start[0]
            rule = next((r for r, (a, b) in spans.items() if a <= line <= b), None)
            if rule is None or (only and rule != only):
                continue
            if any(a <= start <= b for a, b in notes):
                continue
            code = mutate_code(source, op, occurrence)
            if code is None or code == source:
                continue
            changed = code.splitlines()
            after = changed[line - 1].strip() if line - 1 < len(changed) else ""
            short = op_name.removeprefix("core/")
            out.append(Mutant(f"{rule}:{short}:{seen[rule]}", rule, short, line,
                              lines[line - 1].strip(), after, code))
            seen[rule] += 1
    return out


def _check(lab: Lab, files: list[Path], timeout_s: float) -> list[CheckReport | str]:
    """Reports for ``files``, one worker run; a file the checker cannot finish gets a word."""
    try:
        return list(run_checker_many(lab, files, timeout_s=timeout_s, verdict_only=True))
    except InputError as e:
        if len(files) == 1:
            return ["timeout" if "longer than" in str(e) else "crash"]
        return [r for f in files for r in _check(lab, [f], timeout_s)]  # find the one


def run(lab: Lab, found: list[Mutant], workers: int, timeout_s: float) -> list[Verdict]:
    """Check every mutant; batches of BATCH go to ``workers`` worker processes at a time."""
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for i, m in enumerate(found):
            f = Path(tmp) / f"mutant_{i:04d}.py"
            f.write_text(m.code, encoding="utf-8")
            files.append(f)
        batches = [files[i:i + BATCH] for i in range(0, len(files), BATCH)]
        done = 0
        results: list[CheckReport | str] = []
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for out in pool.map(lambda b: _check(lab, b, timeout_s), batches):
                results.extend(out)
                done += len(out)
                print(f"\r{lab.name}: {done}/{len(files)} mutants checked", end="", file=sys.stderr)
        print(file=sys.stderr)
    verdicts = []
    for m, r in zip(found, results, strict=True):
        if isinstance(r, str):
            verdicts.append(Verdict(m, True, r))
        elif r.problem is not None:  # the mutant does not even load
            verdicts.append(Verdict(m, True, "crash"))
        else:
            failed = [v.test for v in r.verdicts if not v.passed]
            verdicts.append(Verdict(m, bool(failed), failed[0] if failed else ""))
    return verdicts


def explanations(lab: str) -> dict[str, str]:
    """The committed reasons why a surviving mutant of ``lab`` changes nothing, by id."""
    path = ROOT / "tests" / "labs" / lab / "equivalent_mutants.toml"
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def table(lab: Lab, verdicts: list[Verdict], why: dict[str, str], seconds: float) -> str:
    """The lab's mutation table as Markdown: kill rate per rule, then every survivor."""
    rows = ["| rule | mutants | killed | survivors: equivalent | survivors: unexplained |",
            "|---|---:|---:|---:|---:|"]
    unexplained_total = 0
    for rule in lab.exercise_rules:
        vs = [v for v in verdicts if v.mutant.rule == rule]
        alive = [v for v in vs if not v.killed]
        unexplained = [v for v in alive if v.mutant.id not in why]
        unexplained_total += len(unexplained)
        rows.append(f"| `{rule}` | {len(vs)} | {len(vs) - len(alive)} | "
                    f"{len(alive) - len(unexplained)} | {len(unexplained)} |")
    killed = sum(v.killed for v in verdicts)
    head = [f"# Mutation testing: the {lab.name} checker", "",
            f"Made by `python tools/mutation.py {lab.name}`: every single-point mutant of the "
            f"exercise rules in `src/dslab/labs/{lab.name}/rules.py` (Cosmic Ray's operators), "
            f"each checked by `labs/{lab.name}/test_exercise.py`. {killed} of {len(verdicts)} "
            f"killed; {len(verdicts) - killed} survived, {unexplained_total} of them unexplained "
            f"({seconds:.0f} s).", ""]
    survivors = [v for v in verdicts if not v.killed]
    tail = ["", "## Survivors", ""]
    if not survivors:
        tail.append("None: the checker kills every mutant.")
    else:
        tail += ["| id | line | change | verdict |", "|---|---:|---|---|"]
        for v in survivors:
            m = v.mutant
            reason = why.get(m.id)
            verdict = f"equivalent: {reason}" if reason else "UNEXPLAINED"
            tail.append(f"| `{m.id}` | {m.line} | `{_cell(m.before)}` → `{_cell(m.after)}` | "
                        f"{verdict} |")
    return "\n".join(head + rows + tail) + "\n"


def _cell(code: str) -> str:
    return code.replace("|", "\\|").replace("`", "'")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("labs", nargs="*", metavar="LAB", help=f"labs to test (default: all of "
                        f"{', '.join(NAMES)})")
    parser.add_argument("--only", help="one exercise rule")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--timeout", type=float, default=60.0,
                        help="seconds a checker run may take on one mutant (default 60)")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    args = parser.parse_args(argv)
    unexplained = 0
    for name in args.labs or NAMES:
        try:
            lab = get_lab(name)
        except InputError as e:
            parser.error(str(e))
        found = mutants(lab, args.only)
        if args.list:
            for m in found:
                print(f"{m.id:45} line {m.line:4}  {m.before}  ->  {m.after}")
            continue
        start = time.monotonic()
        verdicts = run(lab, found, args.workers, args.timeout)
        why = explanations(name)
        text = table(lab, verdicts, why, time.monotonic() - start)
        if args.only is None:
            DOCS.mkdir(parents=True, exist_ok=True)
            (DOCS / f"{name}.md").write_text(text, encoding="utf-8")
        print(text)
        unexplained += sum(1 for v in verdicts if not v.killed and v.mutant.id not in why)
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())

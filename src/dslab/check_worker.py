"""The checker's worker process, ``python -m dslab.check_worker SPEC`` (started by dslab.check).

For each learner file in the spec it loads the file (one that does not load is one sentence, and
no test runs), runs the lab's checker on it with pytest and the Recorder plugin
(dslab.check_plugin: a time limit on each test, a verdict for each), and writes ``<i>.json`` in
the output folder, with pytest's output in ``<i>.out`` and ``<i>.err``. After each file it
forgets the modules that run loaded from outside the libraries (the checker module, the file and
whatever it imported), so the next file is loaded afresh, as in a process of its own.

Written there for the parent to read: ``start.json`` when the checker cannot start at all,
``<i>.started`` when file ``i`` is begun, ``<i>.current`` naming the test running."""

from __future__ import annotations

import importlib
import json
import os
import sys
import sysconfig
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dslab.errors import InputError

#: what the checkers run on, beyond dslab's other dependencies
CHECKER_DEPENDENCIES = ("pytest", "hypothesis")


def main(spec_path: str) -> int:
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    out = Path(spec["out"])
    missing = cannot_start()
    if missing is not None:
        _write(out / "start.json", {"problem": missing[0], "hint": missing[1]})
        return 3
    from dslab.labs import get_lab

    lab = get_lab(spec["lab"])
    ini = out / "pytest.ini"  # the checker's own settings: none, wherever it is installed
    ini.write_text("[pytest]\n", encoding="utf-8")
    libraries = _libraries()
    for i, (impl, shown) in enumerate(zip(spec["impls"], spec["shown"], strict=True)):
        base = out / str(i)
        Path(f"{base}.started").touch()
        before = set(sys.modules)
        os.environ["DSLAB_IMPL"] = impl
        os.environ["DSLAB_IMPL_SHOWN"] = shown
        with _output_to(base):
            result = _check_one(lab, spec, impl, shown, base, ini)
        _write(Path(f"{base}.json"), result)
        for name in set(sys.modules) - before:
            if not _is_library(sys.modules.get(name), libraries):
                del sys.modules[name]
    return 0


def cannot_start() -> tuple[str, str] | None:
    """The sentence and hint saying why the checker cannot start here, or None if it can."""
    for name in CHECKER_DEPENDENCIES:
        try:
            importlib.import_module(name)
        except Exception as e:  # noqa: BLE001 - any failure to import is the cause to name
            return (f"The checker cannot start: importing {name} failed ({type(e).__name__}: {e}).",
                    "dslab check runs on pytest and hypothesis, which install with dslab-labs: "
                    f"reinstall it in this Python ({Path(sys.executable).name} -m pip install "
                    "dslab-labs, or pip install -e . in a checkout).")
    return None


def _check_one(lab, spec: dict[str, Any], impl: str, shown: str, base: Path, ini: Path) -> dict:
    import pytest

    from dslab.check_plugin import Recorder

    limit = spec["time_limit"]
    problem = load_problem(lab, impl, shown, limit)
    if problem is not None:
        return {"problem": problem[0], "hint": problem[1]}
    recorder = Recorder(lab.exercise_rules, Path(impl), limit, spec["rule"], Path(f"{base}.current"))
    checker = Path(spec["checker"])
    code = pytest.main([str(checker), "-q", "-p", "no:cacheprovider", "-c", str(ini),
                        "--rootdir", str(checker.parent)], plugins=[recorder])
    if recorder.cannot_start is None and not recorder.results:
        recorder.cannot_start = f"The checker ran no test (pytest's exit code {int(code)})."
    if recorder.cannot_start is not None:
        return {"cannot_start": recorder.cannot_start,
                "hint": "Run dslab check again with -v to read pytest's own output."}
    return {"verdicts": list(recorder.results.values())}


def load_problem(lab, impl: str, shown: str, limit: float) -> tuple[str, str | None] | None:
    """Load the learner's file as the checker will: None if it loads, else the sentence (and
    hint) saying why not (``Lab.load_impl`` turns a syntax error, an exception, ``sys.exit()``,
    a missing function or a loop past ``limit`` into one). A file that does not load can have
    no rule checked, so it is one message, not a failure in every test."""
    try:
        lab.load_impl(impl, time_limit=limit)
    except InputError as e:
        return str(e).replace(impl, shown), e.hint
    return None


@contextmanager
def _output_to(base: Path) -> Iterator[None]:
    """Send this process's stdout and stderr (file descriptors 1 and 2) to ``<base>.out`` and
    ``<base>.err``, so pytest's output and the learner's prints are kept for --verbose."""
    with open(f"{base}.out", "w") as out, open(f"{base}.err", "w") as err:
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()


def _libraries() -> set[Path]:
    kinds = ("stdlib", "platstdlib", "purelib", "platlib")
    libraries = {Path(sysconfig.get_path(kind)).resolve() for kind in kinds}
    libraries.add(Path(__file__).resolve().parent)  # dslab itself: shared and read-only
    return libraries


def _is_library(module, libraries: set[Path]) -> bool:
    file = getattr(module, "__file__", None)
    if not file:
        return True
    path = Path(file).resolve()
    if path.name == "test_exercise.py":
        return False  # a lab's checker, even where it ships inside the package: loaded afresh
    return any(parent in libraries for parent in path.parents)


def _write(path: Path, data: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    tmp.replace(path)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

"""Loading a learner's implementation, their exercise rules laid over the reference ones, and the
one guard around their code.

Whatever the learner's code does wrong -- a file that fails to load, a rule that raises, returns
the wrong type or NaN, recurses or loops for ever -- ends in one sentence (an InputError) naming
the rule, what went wrong and the line of their file. Three pieces make it:

- :func:`load_module` imports the file under a time limit and turns any failure into a sentence;
- :func:`watched` wraps each of the learner's rules for a run: it notes which rule is running
  (for a time limit's sentence) and checks each answer against the reference rule's return
  annotation (:mod:`dslab.returns`), so a wrong answer is reported where it was given;
- :func:`learner_errors`, the guard around a run, turns what escapes into the sentence.

An exception with none of the learner's code running (no rule of theirs in progress, no frame of
their file on the stack) is dslab's own failure, and passes through unchanged. The reference rules
are never wrapped: a run without a learner's file costs nothing more.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import sys
import time
import traceback
import types
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

from dslab.errors import BudgetExceeded, InputError
from dslab.limits import TimeLimitExceeded, Where, learner_frame, time_limit
from dslab.returns import Check, expect, returned

#: The default wall-clock limit of one run on a learner's rules (``dslab run --impl``), in seconds.
#: The slowest scenario, run on the reference rules loaded as a learner's file (retries --jitter),
#: took 2.4 s on a 2-core machine at a load of 4 (the watch on the rules costs about 20%). Sixty
#: seconds leave room for a run made ten times longer with --set, or for rules a few times slower
#: than the reference, and still report a loop that never ends within a minute.
RUN_LIMIT_S = 60.0

#: The default limit for importing a learner's file: it defines functions and imports a module or
#: two, so this is only reached by a loop (or a long computation) at the top level of the file.
IMPORT_LIMIT_S = 30.0

#: A call of one of the learner's rules that has run this long (or half the limit, if less) when
#: the time limit runs out is reported as not returning: a right rule answers in milliseconds.
STUCK_S = 1.0


# -- loading ---------------------------------------------------------------------------------

def load_module(path: str | Path, limit: float | None = IMPORT_LIMIT_S) -> ModuleType:
    """Import a Python file by path, under a name of its own so two files never collide. Anything
    that goes wrong while it loads (a syntax error, an exception, ``sys.exit()``, a loop that
    runs past ``limit`` seconds) is one sentence naming the file and the line."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"There is no file at {p}.", hint="Pass the path of your exercise.py.")
    name = "dslab_impl_" + hashlib.sha1(str(p.resolve()).encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(name, p)
    assert spec is not None and spec.loader is not None, "a .py file always has a loader"
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        with time_limit(limit):
            spec.loader.exec_module(module)
    except SyntaxError as e:  # in the file, or in a module of the learner's it imports
        del sys.modules[name]
        raise InputError(f"{e.filename or p} does not parse: {e.msg} (line {e.lineno}).") from None
    except KeyboardInterrupt:
        del sys.modules[name]
        raise
    except BaseException as e:  # SystemExit and the time limit too: loading must not end dslab
        del sys.modules[name]
        raise _load_failed(p, e) from None
    return module


def _load_failed(path: Path, e: BaseException) -> InputError:
    where = learner_frame(e.__traceback__, path)
    at = "" if where is None else (f" at line {where.line}" if where.function == "<module>"
                                   else f" in {where.function} (line {where.line})")
    hint = f"Run python {path} to see the whole error."
    if isinstance(e, TimeLimitExceeded):
        return InputError(f"Loading {path} did not finish within {e.seconds:g} s (it was{at or ' running'} "
                          "when stopped): look for a loop that never ends outside your functions.")
    if isinstance(e, SystemExit):
        return InputError(f"{path} called sys.exit(){at} while being loaded; dslab imports the file, "
                          "so code that ends the program belongs under if __name__ == '__main__':.")
    return InputError(f"{path} could not be loaded: {_raised(e)}{at}.", hint=hint)


def overlay(reference: ModuleType, names: tuple[str, ...], path: str | Path | None,
            limit: float | None = IMPORT_LIMIT_S) -> SimpleNamespace:
    """An object with every public function of ``reference``, the ones in ``names`` taken from the
    file at ``path`` instead (then ``source`` is the path). With no path, the reference alone."""
    ns = {k: v for k, v in vars(reference).items() if not k.startswith("_")}
    if path is not None:
        module = load_module(path, limit)
        absent = [n for n in names if not callable(getattr(module, n, None))]
        later = set(getattr(reference, "OPTIONAL_RULES", ()))
        missing = [n for n in absent if n not in later]
        if missing:
            raise InputError(f"{path} does not define {', '.join(missing)}; keep every function the "
                             "exercise stubs declare, with the same names.")
        ns.update({n: getattr(module, n, None) or _not_in_file(n) for n in names})
        ns["source"] = str(path)
    return SimpleNamespace(**ns)


def _not_in_file(name: str) -> Callable[..., Any]:
    """A stub for an optional rule the learner's file lacks (a workspace made before the rule was
    added to the exercise): it says "not implemented yet", as the stub it stands for would."""
    def stub(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("not implemented yet")

    stub.__name__ = stub.__qualname__ = name
    return stub


# -- watching a learner's rules in a run -----------------------------------------------------

#: A lab's limit on a rule's answer beyond its type (a rules module's ``BOUNDS``): given the answer
#: and the rule's arguments, None, or what is wrong as the end of "Your <rule> (file line N) ...".
Bound = Callable[..., str | None]


class Watch:
    """Which of the learner's rules is running in a run, and since when."""

    __slots__ = ("rule", "started")

    def __init__(self) -> None:
        self.rule: str | None = None
        self.started = 0.0


class Watched(SimpleNamespace):
    """A learner's overlay whose rules are watched (see :func:`watched`); ``_watch`` says which
    one is running."""

    _watch: Watch


def watched(impl: Any, reference: ModuleType, lab: str) -> Any:
    """``impl`` with each of the learner's rules wrapped to note that it is running and to check
    its answers against ``reference``'s annotations. The reference rules (an ``impl`` with no
    ``source``, or a reference rule the learner's file imports), and an ``impl`` already
    watched, come back as they are."""
    source = getattr(impl, "source", None)
    if source is None or isinstance(impl, Watched):
        return impl
    watch = Watch()
    ns = dict(vars(impl))
    bounds: dict[str, Bound] = getattr(reference, "BOUNDS", {})
    for name in getattr(reference, "EXERCISE", ()):
        ours, theirs = getattr(reference, name, None), ns.get(name)
        if theirs is None or theirs is ours:  # a reference rule the file imports stays dslab's
            continue
        if isinstance(ours, type):
            ns[name] = _watch_class(theirs, name, ours, bounds, watch, source, lab)
        else:
            ns[name] = _watch_call(theirs, name, _return_check(ours), bounds.get(name), watch,
                                   source, lab)
    out = Watched(**ns)
    out._watch = watch
    return out


def _return_check(reference_rule: Any) -> Check | None:
    try:
        hints = typing.get_type_hints(reference_rule)
    except (NameError, TypeError):
        return None
    return expect(hints["return"]) if "return" in hints else None


def _watch_call(fn: Callable[..., Any], name: str, check: Check | None, bound: Bound | None,
                watch: Watch, source: str, lab: str) -> Callable[..., Any]:
    """``fn`` noting in ``watch`` that it runs, its answer checked by ``check`` (its type) and
    ``bound`` (the lab's limits on it). Kept lean: it runs for every message of a raft run."""
    clock = time.monotonic

    def rule(*args: Any, **kwargs: Any) -> Any:
        outer = watch.rule, watch.started
        watch.rule, watch.started = name, clock()
        value = fn(*args, **kwargs)
        watch.rule, watch.started = outer
        if check is not None:
            problem = check(value)
            if problem is not None:
                raise InputError(f"Your {name} ({_defined(fn, source)}) {returned(value, problem)}.",
                                 hint=_check_hint(lab))
        if bound is not None:
            wrong = bound(value, *args, **kwargs)
            if wrong is not None:
                raise InputError(f"Your {name} ({_defined(fn, source)}) {wrong}.",
                                 hint=_check_hint(lab))
        return value

    rule.__name__ = getattr(fn, "__name__", name)
    rule.__qualname__ = getattr(fn, "__qualname__", name)
    rule.__doc__ = getattr(fn, "__doc__", None)
    return rule


def _watch_class(cls: Any, name: str, reference: type, bounds: dict[str, Bound], watch: Watch,
                 source: str, lab: str) -> Any:
    """A learner's class (a retry budget, a breaker) whose instances have the reference class's
    public methods watched: a subclass, so its objects are still the learner's, properties and
    all. Something other than a class (a factory function) has only its call watched."""
    if not isinstance(cls, type):
        return _watch_call(cls, name, None, bounds.get(name), watch, source, lab)
    body: dict[str, Any] = {"__module__": cls.__module__, "__qualname__": cls.__qualname__,
                            "__doc__": cls.__doc__}
    init = inspect.getattr_static(cls, "__init__", None)
    if inspect.isfunction(init):
        body["__init__"] = _watch_call(init, name, None, bounds.get(name), watch, source, lab)
    for attr, member in vars(reference).items():
        if attr.startswith("_") or not inspect.isfunction(member):
            continue
        theirs = inspect.getattr_static(cls, attr, None)
        if inspect.isfunction(theirs) and theirs is not member:  # inherited ones stay dslab's
            body[attr] = _watch_call(theirs, f"{name}.{attr}", _return_check(member),
                                     bounds.get(f"{name}.{attr}"), watch, source, lab)
    try:
        return types.new_class(cls.__name__, (cls,), exec_body=lambda ns: ns.update(body))
    except TypeError:  # a class that cannot be subclassed: its exceptions are still caught
        return cls


def _defined(fn: Any, source: str) -> str:
    code = getattr(fn, "__code__", None)
    return f"{source} line {code.co_firstlineno}" if code is not None else source


def _check_hint(lab: str) -> str:
    return f"dslab check {lab} tests each rule on its own, with a hint for each failure."


# -- the guard -------------------------------------------------------------------------------

#: What the guard lets through untouched: sentences already, a stub's "not implemented yet" (the
#: CLI and the checker say it their way), the event budget's verdict, and the learner's Ctrl-C.
PASS_THROUGH = (InputError, NotImplementedError, BudgetExceeded, KeyboardInterrupt)


@contextmanager
def learner_errors(impl: Any, lab: str, what: str = "rules", when: str = "during the run",
                   limit: float | None = None) -> Iterator[None]:
    """Run the block (within ``limit`` seconds, if given) and turn what the learner's code does
    wrong in it into one sentence: an InputError naming the rule, the exception and the line.
    With the reference rules, or an exception raised where none of the learner's code runs, the
    exception passes through; a time limit is a sentence either way."""
    source = getattr(impl, "source", None)
    watch: Watch | None = getattr(impl, "_watch", None)
    if watch is not None:
        watch.rule = None
    try:
        with time_limit(limit):
            yield
    except BaseException as caught:
        e = _original(caught)
        if isinstance(e, PASS_THROUGH):
            if e is caught:
                raise
            raise e from None
        if isinstance(e, TimeLimitExceeded):
            raise _too_slow(e, source, watch, what) from None
        where = learner_frame(e.__traceback__, source) if source is not None else None
        rule = watch.rule if watch is not None else None
        if source is None or (where is None and rule is None):
            raise  # none of the learner's code was running: dslab's own failure
        raise InputError(_crash(e, rule, where, source, when), hint=_check_hint(lab)) from None


def _original(e: BaseException) -> BaseException:
    """The exception first raised: SimPy raises a process's exception again as a fresh copy
    (``type(e)(*e.args)``, caused by the original), which loses the learner's frames from its
    traceback and any attribute set outside ``args`` (a time limit's seconds, a hint)."""
    while type(e.__cause__) is type(e) and e.__cause__.args == e.args:
        e = e.__cause__
    return e


def _crash(e: BaseException, rule: str | None, where: Where | None, source: str, when: str) -> str:
    name = rule or (where.function if where else "rule")
    if where is None:
        at = ""
    elif rule is None or rule.split(".")[-1] == where.function:
        at = f" ({source} line {where.line})"
    else:
        at = f" (in {where.function}, {source} line {where.line})"
    if isinstance(e, RecursionError):
        return f"Your {name}{at} called itself without end (RecursionError) {when}."
    if isinstance(e, SystemExit):
        return f"Your {name}{at} called sys.exit() {when}; a rule must return its answer."
    return f"Your {name}{at} raised {_raised(e)} {when}."


def _too_slow(e: TimeLimitExceeded, source: str | None, watch: Watch | None,
              what: str) -> InputError:
    limit = e.seconds
    hint = ("Look for a loop that never ends; if the run is only slow, allow it more time "
            "(dslab run --time-limit SECONDS).")
    if source is None:
        return InputError(f"The run did not finish within {limit:g} s.", hint=hint)
    where = learner_frame(e.__traceback__, source)
    rule = watch.rule if watch is not None else None
    if rule is None and where is None:
        return InputError(
            f"The run on your {what} did not finish within {limit:g} s, though none of them was "
            "running when it stopped: they may make the simulation do far more work than it "
            "should (retries without end, elections that never settle).", hint=hint)
    name = rule or (where.function if where else "rule")
    at = "" if where is None else (
        f" ({source} line {where.line})" if name.split(".")[-1] == where.function
        else f" (in {where.function}, {source} line {where.line})")
    running = time.monotonic() - watch.started if watch is not None and rule is not None else 0.0
    if running >= 0.9 * limit:
        return InputError(f"Your {name}{at} did not return within {limit:g} s.", hint=hint)
    if running >= min(STUCK_S, limit / 2):
        return InputError(f"Your {name}{at} did not return: it had run for {running:.1f} s when "
                          f"the time limit of {limit:g} s ran out.", hint=hint)
    return InputError(f"The run on your {what} did not finish within {limit:g} s; it was in your "
                      f"{name}{at} at the time, so a rule may be far slower than it should be.",
                      hint=hint)


def _raised(e: BaseException) -> str:
    text = str(e).strip().splitlines()[0] if str(e).strip() else ""
    if len(text) > 160:
        text = text[:155] + " ..."
    return f"{type(e).__name__} ({text})" if text else type(e).__name__


def stub_error(e: NotImplementedError, lab: str) -> InputError:
    """The sentence for a rule still raising NotImplementedError (a stub not yet written): the
    innermost frame names the file and the function."""
    frames = traceback.extract_tb(e.__traceback__)
    file, function = (frames[-1].filename, frames[-1].name) if frames else ("exercise.py", "a rule")
    done = "not implemented yet" if "not implemented" in str(e) or not str(e) else str(e)
    return InputError(f"{Path(file).name}: {function} is {done}; write it (its docstring says what "
                      "it must do), then run again.",
                      hint=f"dslab check {lab} shows which rules still need work.")

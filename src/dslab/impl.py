"""Loading a learner's implementation: their exercise functions laid over the reference rules."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType, SimpleNamespace

from dslab.errors import InputError


def load_module(path: str | Path) -> ModuleType:
    """Import a Python file by path, under a name of its own so two files never collide."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"There is no file at {p}.", hint="Pass the path of your exercise.py.")
    name = "dslab_impl_" + hashlib.sha1(str(p.resolve()).encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(name, p)
    assert spec is not None and spec.loader is not None, "a .py file always has a loader"
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as e:
        raise InputError(f"{p} does not parse: {e.msg} (line {e.lineno}).") from None
    return module


def overlay(reference: ModuleType, names: tuple[str, ...], path: str | Path | None) -> SimpleNamespace:
    """An object with every public function of ``reference``, the ones in ``names`` taken from the
    file at ``path`` instead. With no path, the reference alone."""
    ns = {k: v for k, v in vars(reference).items() if not k.startswith("_")}
    if path is not None:
        module = load_module(path)
        missing = [n for n in names if not callable(getattr(module, n, None))]
        if missing:
            raise InputError(f"{path} does not define {', '.join(missing)}; keep every function the "
                             "exercise stubs declare, with the same names.")
        ns.update({n: getattr(module, n) for n in names})
        ns["source"] = str(path)
    return SimpleNamespace(**ns)


#: what a learner's rule may raise when it is wrong for some input (rather than a bug of ours)
LEARNER_ERRORS = (ValueError, ArithmeticError, TypeError, AttributeError)


@contextmanager
def learner_errors(impl: object, lab: str, what: str = "rules", when: str = "during the run"):
    """Turn an exception raised by a learner's rules into one sentence naming their file and
    pointing to the checker. The reference rules' exceptions, and InputErrors, pass through."""
    source = getattr(impl, "source", None)
    try:
        yield
    except LEARNER_ERRORS as e:
        if source is None or isinstance(e, InputError):
            raise
        raise InputError(f"{source}: your {what} raised {type(e).__name__} ({e}) {when}.",
                         hint=f"dslab check {lab} shows which rule misbehaves.") from None

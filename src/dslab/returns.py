"""What a learner's rule must return, checked as it returns.

A rule that returns a tuple where the simulation reads ``.term``, or a NaN the theory column then
prints as "+nan%", would make dslab fail (or mislead) far from the mistake. :func:`expect` builds,
once per rule, a check from the reference rule's return annotation, and a run applies it to each
answer of the learner's rule, so the learner reads which rule returned what.

The checks accept what the exercise's checkers accept: any integer for ``int`` (numpy's too, never
a bool), any finite real for ``float`` (an int, a Fraction, numpy's float64), True, False, numpy's
bools, 0 and 1 for ``bool``, a list or tuple for ``list[...]``, any object with the right fields
for a named tuple or dataclass.

Not a float answer may be NaN or infinite: every parameter is finite (``dslab.params`` refuses
inf), and no reference rule answers inf for finite arguments -- ``erlang_c`` and
``mm1_percentile`` refuse a saturated queue with a ValueError, and the labs never ask them there.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

#: What a check says about a value: None when it is acceptable, else where the problem is
#: ("" for the value itself, "item 3", "voted_for", ...), the offending part, and what was due.
Problem = tuple[str, Any, str]
Check = Callable[[Any], Problem | None]


def expect(hint: Any) -> Check | None:
    """A check for values of the annotation ``hint``, or None when anything goes (Any, None,
    a type variable, an annotation this module does not know)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:  # a class since Python 3.11, and isinstance refuses it
        return None
    if hint is int:
        return _int
    if hint is float:
        return _finite
    if hint is bool:
        return _bool
    if hint is str:
        return _str
    if origin in (typing.Union, types.UnionType):
        return _union(args)
    if origin in (list, Sequence) and len(args) == 1:
        return _sequence(expect(args[0]), f"a list of {_plural(args[0])}")
    if origin is tuple:
        return _tuple(args)
    if origin in (dict, Mapping) and len(args) == 2:
        return _mapping(expect(args[0]), expect(args[1]))
    if isinstance(hint, type) and _fields(hint):
        return _record(hint)
    if isinstance(hint, type) and hint not in (object, type(None)):
        return _scalar(lambda v: isinstance(v, hint), _a(hint.__name__))
    return None


def describe(hint: Any) -> str:
    """The annotation in words: 'an int', 'a TermState', 'a list of tuples'."""
    check = expect(hint)
    if check is None:
        return "anything"
    problem = check(_Nothing())
    return problem[2] if problem else "anything"


class _Nothing:
    """A value no annotation accepts (so a check says what it wanted)."""


# -- scalars -------------------------------------------------------------------------------------

# Each check is called for every answer of a learner's rule (every message of a raft run), so the
# common case -- the right type -- is decided first and with as few calls as possible.

def _int(v: Any) -> Problem | None:
    if type(v) is int or (isinstance(v, numbers.Integral) and not isinstance(v, bool)):
        return None
    return ("", v, "an int")


def _bool(v: Any) -> Problem | None:
    if v is True or v is False or isinstance(v, np.bool_) or (
            isinstance(v, numbers.Integral) and v in (0, 1)):
        return None
    return ("", v, "True or False")


def _str(v: Any) -> Problem | None:
    return None if isinstance(v, str) else ("", v, "a str")


def _scalar(ok: Callable[[Any], bool], wanted: str) -> Check:
    def check(v: Any) -> Problem | None:
        return None if ok(v) else ("", v, wanted)
    return check


def _finite(v: Any) -> Problem | None:
    if type(v) is float:
        return None if math.isfinite(v) else ("", v, "a finite float")
    if isinstance(v, numbers.Real) and not isinstance(v, (bool, np.bool_)):
        return None if math.isfinite(v) else ("", v, "a finite float")
    return ("", v, "a float")


# -- containers ----------------------------------------------------------------------------------

def _union(options: tuple[Any, ...]) -> Check | None:
    found = [expect(o) for o in options if o is not type(None)]
    if any(c is None for c in found):
        return None
    checks = [c for c in found if c is not None]
    optional = type(None) in options
    wanted = " or ".join([_wanted(c) for c in checks] + (["None"] if optional else []))

    def check(v: Any) -> Problem | None:
        if v is None and optional:
            return None
        for c in checks:
            if c(v) is None:
                return None
        return ("", v, wanted)
    return check


def _sequence(item: Check | None, wanted: str) -> Check:
    def check(v: Any) -> Problem | None:
        if not isinstance(v, (list, tuple)):
            return ("", v, wanted)
        if item is not None:
            for i, x in enumerate(v):
                p = item(x)
                if p is not None:
                    return _inside(f"item {i}", p)
        return None
    return check


def _tuple(args: tuple[Any, ...]) -> Check:
    if len(args) == 2 and args[1] is Ellipsis:
        return _sequence(expect(args[0]), f"a tuple of {_plural(args[0])}")
    items = [expect(a) for a in args]
    wanted = f"a tuple of {_and([describe(a) for a in args])}"

    def check(v: Any) -> Problem | None:
        if not isinstance(v, (tuple, list)) or len(v) != len(items):
            return ("", v, wanted)
        if any(c is not None and c(x) is not None for c, x in zip(items, v, strict=True)):
            return ("", v, wanted)
        return None
    return check


def _mapping(key: Check | None, value: Check | None) -> Check:
    def check(v: Any) -> Problem | None:
        if not isinstance(v, Mapping):
            return ("", v, "a dict")
        for k, x in v.items():
            p = key(k) if key is not None else None
            if p is not None:
                return _inside("a key", p)
            p = value(x) if value is not None else None
            if p is not None:
                return _inside(f"value for {_short(k)}", p)
        return None
    return check


def _fields(cls: type) -> dict[str, Any]:
    """The fields of a named tuple or dataclass, with their annotations (else empty)."""
    if dataclasses.is_dataclass(cls) or (issubclass(cls, tuple) and hasattr(cls, "_fields")):
        try:
            return typing.get_type_hints(cls)
        except (NameError, TypeError):
            return {}
    return {}


def _record(cls: type) -> Check:
    """A named tuple or a dataclass: an object with each field, each of the field's type."""
    fields = [(name, c) for name, c in ((n, expect(h)) for n, h in _fields(cls).items())]
    checked = [(name, c) for name, c in fields if c is not None]
    names = [name for name, _ in fields]
    wanted = _a(cls.__name__)

    def check(v: Any) -> Problem | None:
        if type(v) is not cls:
            for name in names:
                if not hasattr(v, name):
                    return ("", v, wanted)
        for name, c in checked:
            p = c(getattr(v, name))
            if p is not None:
                return _inside(name, p)
        return None
    return check


def _inside(where: str, p: Problem) -> Problem:
    return (f"{where}'s {p[0]}" if p[0] else where, p[1], p[2])


# -- words ---------------------------------------------------------------------------------------

def _wanted(check: Check) -> str:
    p = check(_Nothing())
    return p[2] if p else "anything"


def _plural(hint: Any) -> str:
    words = describe(hint)
    for article in ("a ", "an "):
        if words.startswith(article):
            first, _, rest = words[len(article):].partition(" ")
            first = first if first.endswith("s") else first + "s"
            return f"{first} {rest}" if rest else first
    return words


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _a(name: str) -> str:
    return f"an {name}" if name[:1].lower() in "aeiou" else f"a {name}"


def type_name(v: Any) -> str:
    """The type of ``v`` as a learner knows it: 'a tuple', 'a numpy.float64', 'None'."""
    if v is None:
        return "None"
    t = type(v)
    module = t.__module__.split(".")[0]
    name = t.__qualname__ if module in ("builtins", "dslab") or module.startswith("dslab_impl") \
        else f"{module}.{t.__qualname__}"
    return _a(name)


def _short(v: Any, limit: int = 60) -> str:
    text = repr(v)
    return text if len(text) <= limit else text[:limit - 4] + " ..."


def returned(value: Any, problem: Problem) -> str:
    """What a rule returned and what it must return, to follow "your <rule> ": "returned (3, None,
    'follower') (a tuple), but it must return a TermState"."""
    where, part, wanted = problem
    if not where:
        return f"returned {_shown(value)}, but it must return {wanted}"
    return f"returned {type_name(value)} whose {where} is {_shown(part)}, but it must be {wanted}"


def _shown(v: Any) -> str:
    return "None" if v is None else f"{_short(v)} ({type_name(v)})"

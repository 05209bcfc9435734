"""Parameters from text: ``--set name=value`` checked against a lab's parameter dataclass.

A parameter dataclass is frozen, names carry units (``latency_ms``, ``rate_per_s``), each field's
``metadata["help"]`` says what it is, and ``validate()`` raises InputError for impossible values.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import types
import typing
from typing import Any

from dslab.errors import InputError
from dslab.sim.dist import Dist, parse


def param(default: Any, help_text: str) -> Any:
    """A parameter field: its default and the help line shown by ``dslab run LAB --help``."""
    return dataclasses.field(default=default, metadata={"help": help_text})


def field_names(cls: type) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]


def describe(cls: type) -> list[tuple[str, str, str]]:
    """(name, default as text, help) for each parameter, for help screens."""
    rows = []
    for f in dataclasses.fields(cls):
        default = f.default
        if default is dataclasses.MISSING and f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        rows.append((f.name, to_text(default), f.metadata.get("help", "")))
    return rows


def to_text(value: Any) -> str:
    """A parameter's value as one would type it after --set: 50 rather than 50.0, true or
    false, a list as comma-separated values, none for None."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, tuple):
        return ",".join(to_text(v) for v in value) or "none"
    return str(value)


def to_dict(params: Any) -> dict[str, Any]:
    """Parameters as JSON-able values: distributions as their text form."""
    out = {}
    for f in dataclasses.fields(params):
        v = getattr(params, f.name)
        out[f.name] = str(v) if isinstance(v, Dist) else (list(v) if isinstance(v, tuple) else v)
    return out


def build(cls: type, base: dict[str, Any], overrides: dict[str, str]) -> Any:
    """``cls(**base)`` with each textual override converted to its field's type, then validated."""
    names = field_names(cls)
    hints = typing.get_type_hints(cls)
    values = {k: convert(k, v, hints[k]) for k, v in base.items()}
    for name, text in overrides.items():
        if name not in names:
            close = difflib.get_close_matches(name, names, n=1)
            hint = f"Did you mean '{close[0]}'? " if close else ""
            raise InputError(
                f"'{name}' is not a parameter of this lab. {hint}Valid names: {', '.join(names)}."
            )
        values[name] = convert(name, text, hints[name])
    params = cls(**values)
    check_times(params)
    params.validate()
    return params


def check_times(params: Any) -> None:
    """Refuse a distribution that can draw a negative value. Every distribution a lab takes is a
    delay, a duration or a gap between events (in ms), and a wait cannot be negative; checking
    the mean alone would let ``uniform(-1,3)`` through to a traceback mid-run."""
    for f in dataclasses.fields(params):
        d = getattr(params, f.name)
        if isinstance(d, Dist) and d.low() < 0:
            got = f"got {d}" if d.low() == d.high() else f"but {d} can be as low as {d.low():g} ms"
            raise InputError(f"{f.name} is a time and cannot be negative, {got}.",
                             hint="Keep the lower end at 0 or above, as in uniform(0,4), or use "
                                  "exp(mean) or lognormal(mean,sd), which are never negative.")


def parse_assignment(text: str) -> tuple[str, str]:
    """``"nodes=7"`` -> ``("nodes", "7")``."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise InputError(f"--set takes name=value, got '{text}'.", hint="For example: --set nodes=7")
    return name.strip(), value.strip()


def convert(name: str, text: Any, hint: Any) -> Any:
    """Convert ``text`` to the annotated type of parameter ``name``."""
    if not isinstance(text, str):
        return text
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if text.lower() in ("none", "null", "") and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return convert(name, text, inner[0])
    if origin is tuple:
        empty = ("", "[]", "()") if args[0] is str else ("none", "", "[]", "()")  # a word may be none
        if text.lower() in empty:
            return ()
        items = [t for t in text.strip("[]()").split(",") if t.strip()]
        return tuple(convert(name, t.strip(), args[0]) for t in items)
    if hint is Dist:
        try:
            return parse(text)
        except InputError as e:
            raise InputError(f"{name}: {e}") from None
    if hint is bool:
        low = text.lower()
        if low in ("true", "yes", "1", "on"):
            return True
        if low in ("false", "no", "0", "off"):
            return False
        raise InputError(f"{name} is true or false, got '{text}'.")
    if hint in (int, float):
        try:
            number = float(text)
        except ValueError:
            raise InputError(f"{name} must be a number, got '{text}'.") from None
        if not math.isfinite(number):
            raise InputError(f"{name} must be a finite number, got '{text}'.")
        if hint is int:
            if not number.is_integer():
                raise InputError(f"{name} must be a whole number, got '{text}'.")
            return int(number)
        return number
    return text

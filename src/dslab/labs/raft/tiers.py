"""The exercise's two tiers in a run: a learner who has written only the election rules can
still run the whole cluster on them.

A second-tier rule (``rules.REPLICATION_RULES``) still raising ``NotImplementedError`` in a
learner's file is replaced by the reference rule the first time the simulation calls it, with
one note on stderr per rule and process. A first-tier stub still stops the run with its
sentence. The checker's own tests of the second tier build their clusters with ``strict=True``,
where nothing falls back, so a stub fails them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from dslab.labs.raft import rules

#: the rules already noted in this process, so that --trials prints each note once per worker
_NOTED: set[str] = set()


class _Fallback:
    """A learner's rule that gives way to the reference once it says it is not written yet."""

    __slots__ = ("name", "theirs", "ours", "impl", "given_up")

    def __init__(self, name: str, theirs: Callable[..., Any], ours: Callable[..., Any],
                 impl: Any) -> None:
        self.name, self.theirs, self.ours, self.impl = name, theirs, ours, impl
        self.given_up = False

    def __call__(self, *args: Any) -> Any:
        if self.given_up:
            return self.ours(*args)
        watch = getattr(self.impl, "_watch", None)
        outer = (watch.rule, watch.started) if watch is not None else None
        try:
            return self.theirs(*args)
        except NotImplementedError:
            if watch is not None and outer is not None:
                watch.rule, watch.started = outer  # the stub left its name as the running rule
            self.given_up = True
            note(self.name, getattr(self.impl, "source", "your file"))
            return self.ours(*args)


def note(rule: str, source: str) -> None:
    """Say once per process that ``rule`` of ``source`` is a stub and the reference runs."""
    if rule in _NOTED:
        return
    _NOTED.add(rule)
    print(f"note: {rule} in {source} is not implemented yet (an exercise of the second tier); "
          "this run uses the reference rule in its place.", file=sys.stderr)


def with_fallback(impl: Any) -> Any:
    """``impl`` with each second-tier rule of a learner's file falling back to the reference
    while it is a stub; the reference rules (no ``source``) come back as they are."""
    if getattr(impl, "source", None) is None:
        return impl
    ns = dict(vars(impl))
    out = SimpleNamespace(**ns)
    for name in rules.REPLICATION_RULES:
        theirs, ours = ns.get(name), getattr(rules, name)
        if theirs is not None and theirs is not ours:
            setattr(out, name, _Fallback(name, theirs, ours, out))
    return out

"""Faults as data: what breaks, when, and for how long, applied to a Network from a schedule.

A node may be named by id or by a role the lab resolves when the fault fires (``"leader"``),
because which node leads is only known during the run. ``"rest"`` in a partition group means
every node not placed yet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from dslab.errors import InputError
from dslab.sim.network import Network

NodeRef = int | str
#: ``resolve(name, taken)`` picks a node for a role name, avoiding ``taken``; None if none fits.
Resolver = Callable[[str, set[int]], "int | None"]


@dataclass(frozen=True)
class Partition:
    at_ms: float
    groups: tuple[tuple[NodeRef, ...], ...]
    until_ms: float | None = None


@dataclass(frozen=True)
class Heal:
    at_ms: float


@dataclass(frozen=True)
class Crash:
    at_ms: float
    node: NodeRef


@dataclass(frozen=True)
class Restart:
    at_ms: float
    node: NodeRef


@dataclass(frozen=True)
class Loss:
    at_ms: float
    p: float
    until_ms: float | None = None


@dataclass(frozen=True)
class Slow:
    """Multiply the latency of every message to or from ``node`` by ``factor``."""

    at_ms: float
    node: NodeRef
    factor: float
    until_ms: float | None = None


Fault = Partition | Heal | Crash | Restart | Loss | Slow


def validate(faults: Sequence[Fault], node_ids: Sequence[int]) -> None:
    """Refuse a schedule that names unknown nodes or ends a fault before it starts."""
    for f in faults:
        if f.at_ms < 0:
            raise InputError(f"{type(f).__name__} starts at {f.at_ms} ms; times must be >= 0.")
        until = getattr(f, "until_ms", None)
        if until is not None and until <= f.at_ms:
            raise InputError(
                f"{type(f).__name__} at {f.at_ms} ms ends at {until} ms, which is not after it starts."
            )
        refs = [r for g in f.groups for r in g] if isinstance(f, Partition) else [getattr(f, "node", None)]
        for r in refs:
            if isinstance(r, int) and r not in node_ids:
                raise InputError(f"{type(f).__name__} names node {r}, but the nodes are {list(node_ids)}.")
        if isinstance(f, Partition):
            ids = [r for r in refs if isinstance(r, int)]
            twice = sorted({r for r in ids if ids.count(r) > 1})
            if twice:
                raise InputError(f"Partition at {f.at_ms} ms puts node {twice[0]} in two groups.")
        if isinstance(f, Loss) and not 0 <= f.p < 1:
            raise InputError(f"Loss probability must be in [0, 1), got {f.p}.")
        if isinstance(f, Slow) and f.factor <= 0:
            raise InputError(f"Slow factor must be positive, got {f.factor}.")


class _Knob:
    """One setting that several faults may hold at once (the loss rate, one node's slowness, the
    partition): the latest fault still in force sets it, and when the last one ends the setting
    goes back to what it was before the first began. So overlapping windows nest as expected."""

    def __init__(self, get: Callable[[], Any], put: Callable[[Any], None]) -> None:
        self.get, self.put = get, put
        self.base: Any = None
        self.held: list[tuple[int, Any]] = []  # (fault token, value), oldest first

    def hold(self, token: int, value: Any) -> None:
        if not self.held:
            self.base = self.get()
        self.held.append((token, value))
        self.put(value)

    def release(self, token: int) -> None:
        if all(h[0] != token for h in self.held):
            return  # already swept away by a fault with no end
        self.held = [h for h in self.held if h[0] != token]
        self.put(self.held[-1][1] if self.held else self.base)

    def set(self, value: Any) -> None:
        """A fault with no end (a Heal, a Loss without until_ms): the setting from now on, which
        ends every window still open."""
        self.held = []
        self.put(value)


class _Armed:
    """The faults of one schedule on one network, with the knobs they turn."""

    def __init__(self, net: Network, resolve: Resolver | None) -> None:
        self.net, self.resolve = net, resolve
        self.knobs: dict[Any, _Knob] = {}
        self.holder: dict[int, _Knob] = {}  # fault token -> the knob its window holds

    def knob(self, key: Any) -> _Knob:
        if key not in self.knobs:
            net = self.net
            if key == "loss":
                self.knobs[key] = _Knob(lambda: net.loss, net.set_loss)
            elif key == "partition":
                self.knobs[key] = _Knob(lambda: net.groups, self._put_groups)
            else:  # ("slow", node)
                node = key[1]
                self.knobs[key] = _Knob(lambda: net.slow.get(node, 1.0),
                                        lambda factor: net.set_slow(node, factor))
        return self.knobs[key]

    def _put_groups(self, groups: list[list[int]] | None) -> None:
        if groups is None:
            self.net.heal()
        else:
            self.net.partition(groups)

    def start(self, token: int, f: Fault) -> None:
        net = self.net
        if isinstance(f, Heal):
            self.knob("partition").set(None)
            return
        key: str | tuple[str, int]
        value: list[list[int]] | float
        if isinstance(f, Partition):
            key, value = "partition", _groups(net, f.groups, self.resolve)
        elif isinstance(f, Loss):
            key, value = "loss", f.p
        else:
            node = _node(net, f.node, set(), self.resolve)
            if node is None:
                net.sim.trace.emit(net.sim.now, "fault-skipped", fault=type(f).__name__,
                                   node=str(f.node))
                return
            if isinstance(f, Crash):
                net.crash(node)
                return
            if isinstance(f, Restart):
                net.restart(node)
                return
            key, value = ("slow", node), f.factor
        knob = self.knob(key)
        if f.until_ms is None:
            knob.set(value)
        else:
            knob.hold(token, value)
            self.holder[token] = knob

    def end(self, token: int) -> None:
        knob = self.holder.pop(token, None)
        if knob is not None:  # None: the fault was skipped, so there is nothing to undo
            knob.release(token)


def schedule(net: Network, faults: Sequence[Fault], resolve: Resolver | None = None) -> None:
    """Arm every fault in ``faults`` on ``net``'s simulation clock.

    A fault with ``until_ms`` holds its setting for that window; windows that overlap nest, so
    when one ends the setting returns to the one still in force, or to what it was before. A
    fault with no end (a Heal, a Loss or Slow without ``until_ms``) closes the windows open on
    its setting."""
    validate(faults, net.node_ids)
    armed = _Armed(net, resolve)
    for token, f in enumerate(faults):
        net.sim.call_at(f.at_ms, armed.start, token, f)
        until = getattr(f, "until_ms", None)
        if until is not None:
            net.sim.call_at(until, armed.end, token)


def _node(net: Network, ref: NodeRef, taken: set[int], resolve: Resolver | None) -> int | None:
    if isinstance(ref, int):
        return ref
    if resolve is None:
        raise InputError(f"the fault names node '{ref}', but this lab resolves no role names.")
    return resolve(ref, taken)


def _groups(net: Network, groups: Sequence[Sequence[NodeRef]], resolve: Resolver | None) -> list[list[int]]:
    taken: set[int] = {r for g in groups for r in g if isinstance(r, int)}
    out: list[list[int]] = []
    rest_at: int | None = None
    for gi, group in enumerate(groups):
        resolved: list[int] = []
        for ref in group:
            if ref == "rest":
                rest_at = gi
                continue
            n = _node(net, ref, taken, resolve)
            if n is not None:
                taken.add(n)
                resolved.append(n)
        out.append(resolved)
    if rest_at is not None:
        out[rest_at].extend(n for n in net.node_ids if n not in taken)
    return out

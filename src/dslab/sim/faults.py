"""Faults as data: what breaks, when, and for how long, applied to a Network from a schedule.

A node may be named by id or by a role the lab resolves when the fault fires (``"leader"``),
because which node leads is only known during the run. ``"rest"`` in a partition group means
every node not placed yet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

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


def schedule(net: Network, faults: Sequence[Fault], resolve: Resolver | None = None) -> None:
    """Arm every fault in ``faults`` on ``net``'s simulation clock."""
    validate(faults, net.node_ids)
    sim = net.sim
    for f in faults:
        sim.call_at(f.at_ms, _apply, net, f, resolve)
        until = getattr(f, "until_ms", None)
        if until is None:
            continue
        if isinstance(f, Partition):
            sim.call_at(until, net.heal)
        # A Loss or a Slow is undone in _apply, once it is known what it replaced or whom it hit.


def _node(net: Network, ref: NodeRef, taken: set[int], resolve: Resolver | None) -> int | None:
    if isinstance(ref, int):
        return ref
    if resolve is None:
        raise InputError(f"the fault names node '{ref}', but this lab resolves no role names.")
    return resolve(ref, taken)


def _apply(net: Network, f: Fault, resolve: Resolver | None) -> None:
    if isinstance(f, Partition):
        net.partition(_groups(net, f.groups, resolve))
    elif isinstance(f, Heal):
        net.heal()
    elif isinstance(f, Loss):
        before = net.loss
        net.set_loss(f.p)
        if f.until_ms is not None:  # back to the loss the network had, not to none at all
            net.sim.call_at(f.until_ms, net.set_loss, before)
    else:
        node = _node(net, f.node, set(), resolve)
        if node is None:
            net.sim.trace.emit(net.sim.now, "fault-skipped", fault=type(f).__name__, node=str(f.node))
        elif isinstance(f, Crash):
            net.crash(node)
        elif isinstance(f, Restart):
            net.restart(node)
        elif isinstance(f, Slow):
            net.set_slow(node, f.factor)
            if f.until_ms is not None:
                net.sim.call_at(f.until_ms, net.set_slow, node, 1.0)


def _groups(net: Network, groups, resolve: Resolver | None) -> list[list[int]]:
    taken: set[int] = {r for g in groups for r in g if isinstance(r, int)}
    out: list[list[int]] = []
    rest_at = None
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

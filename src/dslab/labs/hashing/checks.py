"""The hashing lab's invariants, checked on every run.

Each study reports what it saw to a :class:`PlacementMonitor`, which notes the first few times a
property breaks (with the key, node or scheme involved) and turns the record into verdicts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from dslab.labs.hashing.placement import Placement
from dslab.labs.hashing.schemes import Scheme
from dslab.labs.hashing.vector import RingArrays
from dslab.result import Check
from dslab.wording import count


class Change(NamedTuple):
    """A membership change under ``scheme``: keys it moved between unchanged nodes, and whether the
    scheme promises that to be none."""

    scheme: str
    between_unchanged: int
    consistent: bool


class LoadSeen(NamedTuple):
    """The fullest a node got under bounded loads: ``largest`` ``what`` against ``cap``."""

    largest: int
    cap: int
    what: str


@dataclass
class PlacementMonitor:
    replicas: int
    violations: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    keys_checked: int = 0
    rings_checked: int = 0
    changes: list[Change] = field(default_factory=list)
    consistent_changes: int = 0
    cap_checks: int = 0
    cap_seen: LoadSeen | None = None  # the load closest to (or furthest over) its cap

    def owners(self, scheme: Scheme, owners: Mapping[str, str] | Placement, when: str) -> None:
        """Every key has one owner among the members, and ``replicas`` distinct holders, the owner
        first."""
        members = set(scheme.members)
        if isinstance(owners, Placement) and owners.index is not None:
            holders = scheme.holders_of(owners.keys, self.replicas) if self.replicas > 1 else None
            if self.replicas == 1 or holders is not None:
                self._owners_arrays(scheme, owners, holders, members, when)
                return
        if isinstance(owners, Placement):
            owners = owners.owners()
        for key, node in owners.items():
            if node not in members:
                self._violate("owner", f"{when}, {scheme.name} gave {key} to {node!r}, which is not a member")
                continue
            if self.replicas > 1:
                held = scheme.holders(key, self.replicas)
                if len(set(held)) != self.replicas or not set(held) <= members or held[0] != node:
                    self._violate("owner", f"{when}, {scheme.name} put the {self.replicas} copies of "
                                  f"{key} (owner {node}) on {held}")
        self.keys_checked += len(owners)

    def _owners_arrays(self, scheme: Scheme, owners: Placement,
                       held: tuple[list[str], np.ndarray] | None, members: set[str], when: str) -> None:
        """``owners`` for a placement held as arrays, with every key's holders as rows (see
        ``Scheme.holders_of``): the keys that break a rule are found all at once, and the first
        few reported as the loop over keys reports them."""
        assert owners.index is not None
        outside = np.array([label not in members for label in owners.labels], dtype=bool)[owners.index]
        wrong = outside.copy()
        if held is not None:
            names, rows = held
            listed = rows >= 0
            ordered = np.sort(rows, axis=1)
            repeats = (ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] >= 0)
            distinct = listed.sum(axis=1) - repeats.sum(axis=1)
            member = np.array([n in members for n in names] + [False])  # -1 (none) is no member
            slot = {n: i for i, n in enumerate(names)}
            owner = np.array([slot.get(label, -2) for label in owners.labels], dtype=np.intp)[owners.index]
            wrong |= ((distinct != self.replicas) | ~member[rows].all(axis=1)
                      | (rows[:, 0] != owner))
        for i in np.flatnonzero(wrong)[:3].tolist():
            key, node = owners.keys.names[i], owners.labels[owners.index[i]]
            if outside[i]:
                self._violate("owner", f"{when}, {scheme.name} gave {key} to {node!r}, which is not a member")
            else:
                assert held is not None
                copies = [held[0][j] for j in held[1][i].tolist() if j >= 0]
                self._violate("owner", f"{when}, {scheme.name} put the {self.replicas} copies of "
                              f"{key} (owner {node}) on {copies}")
        self.keys_checked += len(owners)

    def ring(self, ring: Sequence[tuple[int, str]] | RingArrays, nodes: Sequence[str], vnodes: int,
             when: str) -> None:
        """A ring holds ``vnodes`` points per node, sorted, on distinct positions."""
        self.rings_checked += 1
        if isinstance(ring, RingArrays):
            pos = ring.positions
            unsorted = bool(np.any(pos[1:] < pos[:-1]))
            per_node = _points_per_node(ring)
            dup = len(pos) - len(np.unique(pos)) if unsorted else int(np.count_nonzero(pos[1:] == pos[:-1]))
        else:
            positions = [pos for pos, _ in ring]
            unsorted = positions != sorted(positions)
            per_node = Counter(node for _, node in ring)
            dup = len(positions) - len(set(positions))
        if unsorted:
            self._violate("ring", f"{when}, the ring is not sorted by position")
        wrong = {n: per_node.get(n, 0) for n in nodes if per_node.get(n, 0) != vnodes}
        if wrong or set(per_node) - set(nodes):
            self._violate("ring", f"{when}, points per node should be {vnodes}, got {dict(per_node)}")
        if dup:
            self._violate("ring", f"{when}, {count(dup, 'point')} landed on a position already taken "
                          "(two virtual nodes share a label)")

    def change(self, scheme: Scheme, between_unchanged: int) -> None:
        """A consistent scheme moves no key from one unchanged node to another."""
        self.changes.append(Change(scheme.name, between_unchanged, scheme.consistent))
        if scheme.consistent:
            self.consistent_changes += 1
            if between_unchanged:
                self._violate("moved", f"{scheme.name} moved {count(between_unchanged, 'key')} between "
                              "nodes that neither joined nor left")

    def load(self, largest: int, cap: int, what: str) -> None:
        """Bounded loads never put more than the cap on a node."""
        self.cap_checks += 1
        if self.cap_seen is None or largest - cap > self.cap_seen.largest - self.cap_seen.cap:
            self.cap_seen = LoadSeen(largest, cap, what)
        if largest > cap:
            self._violate("cap", f"a node reached {largest} {what} against a cap of {cap}")

    def _violate(self, prop: str, text: str) -> None:
        if len(self.violations[prop]) < 3:
            self.violations[prop].append(text)

    def verdicts(self) -> list[Check]:
        v = self.violations
        copies = f" and {self.replicas} distinct holders" if self.replicas > 1 else ""
        moved_detail = "no membership change in this run"
        if self.consistent_changes:
            moved_detail = (f"{count(self.consistent_changes, 'change')} under consistent schemes moved keys "
                            "only to or from the node that changed")
        unpromised = [f"{ch.scheme} moved {count(ch.between_unchanged, 'key')}" for ch in self.changes
                      if ch.between_unchanged and not ch.consistent]
        if unpromised:
            moved_detail += " (not promised by the others: " + ", ".join(unpromised) + ")"
        cap_detail = "no bounded-loads placement in this run"
        if self.cap_seen is not None:
            seen = self.cap_seen
            cap_detail = (f"at its fullest a node held {seen.largest:,} {seen.what} against a cap of "
                          f"{seen.cap:,} ({count(self.cap_checks, 'placement')} checked)")
        rings = "no ring in this run"
        if self.rings_checked:
            rings = f"{count(self.rings_checked, 'ring')} checked"
        return [
            Check("every key has exactly one owner", not v["owner"],
                  "; ".join(v["owner"]) or f"{self.keys_checked:,} key placements, each on one member"
                  f"{copies}"),
            Check("ring points: vnodes per node, none shared", not v["ring"],
                  "; ".join(v["ring"]) or rings),
            Check("consistent schemes move no key between unchanged nodes", not v["moved"],
                  "; ".join(v["moved"]) or moved_detail),
            Check("bounded loads never exceed the cap", not v["cap"], "; ".join(v["cap"]) or cap_detail),
        ]


def _points_per_node(ring: RingArrays) -> dict[str, Any]:
    """Points per node, the nodes in the order they first appear going round the ring (as a
    Counter over the points would list them)."""
    seen, first = np.unique(ring.owners, return_index=True)
    counts = np.bincount(ring.owners, minlength=len(ring.names))
    order = seen[np.argsort(first)].tolist()
    return {ring.names[i]: int(counts[i]) for i in order}

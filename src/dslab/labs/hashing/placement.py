"""A key set and where a scheme put it, in the form that is cheap for its size.

The reference rules place a whole key set as arrays (``vector.py``): each key's owner is an index
into a list of node names, and loads and movements are counted with numpy. A learner's rules
place it key by key into a dict, which every step then reads exactly as before.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from dslab.labs.hashing.analysis import movement, movement_counts
from dslab.labs.hashing.vector import hash_texts, loads_by_name, uses_reference


class KeySet:
    """Distinct keys and their stable hashes, hashed once (on first use) for every scheme."""

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        self._hashes: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.names)

    @property
    def hashes(self) -> np.ndarray:
        """``stable_hash`` of each key, as uint64."""
        if self._hashes is None:
            self._hashes = hash_texts(self.names)
        return self._hashes


class Placement:
    """Each key's owner: as ``labels[index[i]]`` for key ``i`` when placed as arrays, or as the
    dict a scheme's rules built key by key (``owners()`` gives the dict either way)."""

    def __init__(self, keys: KeySet, labels: Sequence[Any] | None = None,
                 index: np.ndarray | None = None, owners: dict[str, Any] | None = None) -> None:
        assert (owners is None) != (index is None), "a placement is either arrays or a dict"
        self.keys = keys
        self.labels = list(labels) if labels is not None else []
        self.index = index
        self._owners = owners

    @property
    def vectorized(self) -> bool:
        return self.index is not None

    def __len__(self) -> int:
        return len(self.owners()) if self.index is None else len(self.keys)

    def owners(self) -> dict[str, Any]:
        """``{key: owner}``, as the scheme's ``place`` returns it."""
        if self._owners is None:
            assert self.index is not None
            labels = self.labels
            self._owners = dict(zip(self.keys.names, [labels[i] for i in self.index.tolist()],
                                    strict=True))
        return self._owners

    def counts(self) -> Mapping[Any, int]:
        """Keys per owner (owners with none left out)."""
        if self.index is None:
            return Counter(self.owners().values())
        return loads_by_name(self.labels, self.index)

    def loads(self, nodes: Sequence[str]) -> list[int]:
        """Keys each of ``nodes`` owns, in that order."""
        counts = self.counts()
        return [counts.get(n, 0) for n in nodes]


def moves(impl: Any, before: Placement, after: Placement, changed: str) -> dict[str, Any]:
    """``movement`` of the keys ``impl.moved_keys`` finds moved from ``before`` to ``after``:
    counted on the arrays when both are arrays and the rule is the reference's, else by calling
    the rule on the two dicts."""
    if not (uses_reference(impl, "moved_keys") and before.index is not None
            and after.index is not None and before.keys is after.keys):
        return movement(impl.moved_keys(before.owners(), after.owners()), len(before.keys), changed)
    names = list(dict.fromkeys([*before.labels, *after.labels]))
    slot = {n: i for i, n in enumerate(names)}
    old = np.array([slot[n] for n in before.labels], dtype=np.intp)[before.index]
    new = np.array([slot[n] for n in after.labels], dtype=np.intp)[after.index]
    moved = old != new
    gone = slot.get(changed, -1)
    to_changed = int(np.count_nonzero(moved & (new == gone)))
    from_changed = int(np.count_nonzero(moved & (old == gone)))
    return movement_counts(int(np.count_nonzero(moved)), to_changed, from_changed, len(before.keys))

"""Point lookups, a batch at a time: the memtables newest first, then the runs newest first,
skipping a run whose key range or bloom filter rules the key out, and stopping at the first
version found (a tombstone answers "absent")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from dslab.labs.lsm.rules import Rules
from dslab.labs.lsm.runs import SortedRun


@dataclass
class FilterTally:
    """What the bloom filters said about keys their run does not hold, and about keys it does."""

    negatives: int = 0  # filter checks of keys the run does not hold
    false_positives: int = 0  # ... of which the filter said "maybe"
    false_negatives: int = 0  # filter checks of keys the run holds that said "no"


def _search(keys: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Positions of ``q`` in the sorted ``keys``, or -1 where absent."""
    pos = np.searchsorted(keys, q)
    pos[pos >= len(keys)] = len(keys) - 1 if len(keys) else 0
    hit = (keys[pos] == q) if len(keys) else np.zeros(len(q), dtype=bool)
    return np.where(hit, pos, -1)


def lookup(q: np.ndarray, memtables: Iterable[tuple[np.ndarray, np.ndarray, np.ndarray]],
           levels: Iterable[list[SortedRun]], impl: Rules,
           tally: FilterTally) -> tuple[np.ndarray, np.ndarray]:
    """The sequence number each lookup of ``q`` finds (0 for absent or deleted) and how many
    runs it probed (read from storage, after its range and filter let it through)."""
    n = len(q)
    found = np.zeros(n, dtype=np.int64)
    done = np.zeros(n, dtype=bool)
    probes = np.zeros(n, dtype=np.int64)
    for keys, seqs, tombs in memtables:  # newest first
        todo = np.flatnonzero(~done)
        pos = _search(keys, q[todo])
        hit = pos >= 0
        found[todo[hit]] = np.where(tombs[pos[hit]], 0, seqs[pos[hit]])
        done[todo[hit]] = True
    for files in levels:  # each a run: one L0 file, a level's files, or a tiered run
        todo = np.flatnonzero(~done)
        if len(todo) == 0:
            break
        los = np.array([f.lo for f in files])
        his = np.array([f.hi for f in files])
        which = np.searchsorted(los, q[todo], side="right") - 1
        inside = which >= 0
        inside[inside] = q[todo[inside]] <= his[which[inside]]
        for fi in np.unique(which[inside]):
            f = files[fi]
            sel = todo[inside & (which == fi)]
            pos = _search(f.keys, q[sel])
            held = pos >= 0
            maybe = f.bloom.query(q[sel], impl) if f.bloom is not None else np.ones(len(sel), bool)
            if f.bloom is not None:
                tally.negatives += int((~held).sum())
                tally.false_positives += int((maybe & ~held).sum())
                tally.false_negatives += int((held & ~maybe).sum())
            probes[sel[maybe]] += 1
            hit = held & maybe
            found[sel[hit]] = np.where(f.tombs[pos[hit]], 0, f.seqs[pos[hit]])
            done[sel[hit]] = True
    return found, probes

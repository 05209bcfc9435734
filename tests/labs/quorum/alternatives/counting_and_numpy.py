"""A correct solution in another style: counting sets outright, numpy scalars, functools."""

from functools import reduce
from itertools import combinations

import numpy as np


def is_strict_quorum(n, r, w):
    return np.bool_(r + w - n >= 1)


def stale_probability(n, r, w):
    sets = list(combinations(range(n), r))
    missed = sum(1 for s in sets if all(x >= w for x in s))
    return np.float64(missed) / len(sets)


def _newer(a, b):
    if b is None:
        return a
    if a is None:
        return b
    return a if (a.ts_ms, a.writer, a.value) >= (b.ts_ms, b.writer, b.value) else b


def resolve(responses):
    return reduce(_newer, (x.version for x in responses), None)


def repair_targets(responses, r):
    newest = resolve(responses)
    if newest is None:
        return []
    return [x.replica for x in sorted(responses, key=lambda x: x.replica)
            if x.version is None or tuple(x.version) < tuple(newest)]


def sloppy_targets(preference, down, n):
    out = []
    i = 0
    while len(out) < n and i < len(preference):
        if preference[i] not in down and preference[i] not in out:
            out.append(int(preference[i]))
        i += 1
    return out

"""A correct solution in another style: sets, sorting and explicit loops."""

from math import factorial

from dslab.labs.quorum.rules import Version


def is_strict_quorum(n, r, w):
    return n - w < r  # the read cannot fit among the replicas the write missed


def _choose(a, b):
    if b < 0 or b > a:
        return 0
    return factorial(a) // (factorial(b) * factorial(a - b))


def stale_probability(n, r, w):
    return float(_choose(n - r, w)) / _choose(n, w)  # the same number, counted from the write


def resolve(responses):
    held = sorted((x.version for x in responses if x.version is not None), reverse=True)
    return Version(*held[0]) if held else None


def repair_targets(responses, r):
    newest = resolve(responses)
    if newest is None:
        return []
    stale = set()
    for resp in responses:
        if resp.version != newest:
            stale.add(resp.replica)
    return sorted(stale)


def sloppy_targets(preference, down, n):
    dead = set(down)
    up = [x for x in preference if x not in dead]
    return up[:n]

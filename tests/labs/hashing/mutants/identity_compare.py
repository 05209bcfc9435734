"""moved_keys compares owners with 'is not': short names the interpreter shares look right, but
equal names built separately count as a move."""

from dslab.labs.hashing.rules import build_ring, jump_hash, ring_owner  # noqa: F401


def moved_keys(before, after):
    return {k: (old, after[k]) for k, old in before.items() if after[k] is not old}

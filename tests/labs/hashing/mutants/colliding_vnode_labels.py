"""build_ring labels virtual nodes node + str(i) with no separator, so "n1" point 11 and "n11"
point 1 are both "n111" and land on the same position."""

from dslab.labs.hashing.hashes import stable_hash
from dslab.labs.hashing.rules import jump_hash, moved_keys, ring_owner  # noqa: F401


def build_ring(nodes, vnodes):
    return sorted((stable_hash(f"{node}{i}"), node) for node in nodes for i in range(vnodes))

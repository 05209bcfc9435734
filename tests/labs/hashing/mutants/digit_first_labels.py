"""build_ring labels a virtual node with its number first and the node's name after, with no
separator: fine for names like "node1", but point 1 of "11a" and point 11 of "1a" are both "111a"
when names start with digits."""

from dslab.labs.hashing.hashes import stable_hash
from dslab.labs.hashing.rules import jump_hash, moved_keys, ring_owner  # noqa: F401


def build_ring(nodes, vnodes):
    return sorted((stable_hash(f"{i}{node}"), node) for node in nodes for i in range(vnodes))

"""build_ring hashes each node once and spreads its virtual nodes evenly round the ring from
there: every owner is valid and no gap is large, but each node's points are a shifted copy of
every other's, so virtual nodes no longer even out the load."""

from dslab.labs.hashing.hashes import RING_SIZE, stable_hash
from dslab.labs.hashing.rules import jump_hash, moved_keys, ring_owner  # noqa: F401


def build_ring(nodes, vnodes):
    step = RING_SIZE // vnodes
    return sorted(((stable_hash(node) + i * step) % RING_SIZE, node)
                  for node in nodes for i in range(vnodes))

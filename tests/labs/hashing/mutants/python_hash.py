"""build_ring places points with Python's hash(), which is salted differently in every process."""

from dslab.labs.hashing.rules import jump_hash, moved_keys, ring_owner  # noqa: F401


def build_ring(nodes, vnodes):
    return sorted((hash(f"{node}#{i}") % 2**64, node) for node in nodes for i in range(vnodes))

"""build_ring pads the point number to two digits ("n1" + "07"), which keeps labels apart while
there are fewer than 100 virtual nodes; from point 100 on, "n1" + "101" and "n11" + "01" are both
"n1101"."""

from dslab.labs.hashing.hashes import stable_hash
from dslab.labs.hashing.rules import jump_hash, moved_keys, ring_owner  # noqa: F401


def build_ring(nodes, vnodes):
    return sorted((stable_hash(f"{node}{i:02d}"), node) for node in nodes for i in range(vnodes))

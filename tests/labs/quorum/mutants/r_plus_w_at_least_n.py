"""R+W >= N taken as strict: with N=3, R=1 and W=2 a read can pick the one replica the write
missed, yet this says every read is fresh."""

from dslab.labs.quorum.rules import repair_targets, resolve, sloppy_targets, stale_probability  # noqa: F401


def is_strict_quorum(n, r, w):
    return r + w >= n

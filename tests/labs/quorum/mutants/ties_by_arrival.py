"""Ties on the timestamp go to whichever response arrived first: two coordinators that hear
the replicas in different orders return different versions of one key."""

from dslab.labs.quorum.rules import is_strict_quorum, repair_targets, sloppy_targets, stale_probability  # noqa: F401


def resolve(responses):
    best = None
    for resp in responses:
        if resp.version is not None and (best is None or resp.version.ts_ms > best.ts_ms):
            best = resp.version
    return best

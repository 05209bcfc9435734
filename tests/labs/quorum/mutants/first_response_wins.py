"""The read returns the first response that holds anything, not the newest: a slow replica
with the latest write loses to a fast one with an old version."""

from dslab.labs.quorum.rules import is_strict_quorum, repair_targets, sloppy_targets, stale_probability  # noqa: F401


def resolve(responses):
    for resp in responses:
        if resp.version is not None:
            return resp.version
    return None

"""The reference rules, as a learner's file would present them: the checker must pass this."""

from dslab.labs.quorum.rules import (  # noqa: F401
    is_strict_quorum,
    repair_targets,
    resolve,
    sloppy_targets,
    stale_probability,
)

"""The reference formulas, as a learner's file would present them: the checker must pass this."""

from dslab.labs.queueing.rules import (  # noqa: F401
    erlang_c,
    littles_law,
    mm1_percentile,
    servers_needed,
)

"""Shared test setup. Hypothesis keeps no example database (nothing to commit). Locally each run
explores fresh examples; under CI (the CI variable set) the examples are fixed, so a red CI run
replays exactly with ``CI=true pytest``.

pytest-xdist runs the tests on every core (pyproject's addopts). The slowest tests are put first,
so that the run does not end with one core busy and the others idle; the tests of a file that
share one long piece of work go to one worker together."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("dslab", database=None, deadline=None, print_blob=True)
settings.register_profile("dslab-ci", parent=settings.get_profile("dslab"), derandomize=True)
settings.load_profile("dslab-ci" if os.environ.get("CI") else "dslab")

REPO = Path(__file__).resolve().parents[1]

#: Where the slowest tests are, in the order they should start: a lab's checker tests wait for its
#: whole catalogue to be checked, its theory tests for long simulations, and each notebook starts a
#: Jupyter kernel.
SLOW_FIRST = ("/test_checker.py::", "/test_theory.py::", "/test_notebooks.py::test_notebook_runs")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items) -> None:
    """Run the tests of SLOW_FIRST first (in that order); otherwise the order pytest chose stays
    (it groups the tests that share a fixture's parameter)."""

    def rank(item) -> int:
        return next((i for i, where in enumerate(SLOW_FIRST) if where in item.nodeid), len(SLOW_FIRST))

    items.sort(key=rank)


#: Test files whose tests run in one worker, in order, as one unit of work: a lab's checker tests
#: share one check of its whole catalogue (checker_support), and its theory tests share simulations
#: in module-scoped fixtures, which split across workers would each run again (so do the Dask tests
#: their one LocalCluster).
ONE_WORKER = ("/test_checker.py", "/test_theory.py", "/test_cluster.py")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """xdist's loadgroup, with each file of ONE_WORKER one group. (An ``xdist_group`` mark would
    say the same, but pytest 9.2 drops the group xdist writes into the test ids: pytest-xdist
    issue 1386.) Any other test is a unit of its own, handed to the first free worker."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class Scheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return path if path.endswith(ONE_WORKER) else super()._split_scope(nodeid)

    return Scheduling(config, log)

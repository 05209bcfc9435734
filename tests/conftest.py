"""Shared test setup. Hypothesis keeps no example database (nothing to commit). Locally each run
explores fresh examples; under CI (the CI variable set) the examples are fixed, so a red CI run
replays exactly with ``CI=true pytest``. The slowest tests are put first, so that the workers
pytest-xdist runs them on (pyproject's addopts) do not end with one core busy and one idle."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import settings

settings.register_profile("dslab", database=None, deadline=None, print_blob=True)
settings.register_profile("dslab-ci", parent=settings.get_profile("dslab"), derandomize=True)
settings.load_profile("dslab-ci" if os.environ.get("CI") else "dslab")

REPO = Path(__file__).resolve().parents[1]

#: Where the slowest tests are, in the order they should start: a lab's checker tests wait for its
#: whole catalogue to be checked, and each notebook starts a Jupyter kernel.
SLOW_FIRST = ("/test_checker.py::", "/test_notebooks.py::test_notebook_runs")


def pytest_collection_modifyitems(items) -> None:
    """Run the tests of SLOW_FIRST first (in that order); the rest keep their order."""

    def rank(item) -> int:
        return next((i for i, where in enumerate(SLOW_FIRST) if where in item.nodeid), len(SLOW_FIRST))

    items.sort(key=rank)

"""Shared test setup. Hypothesis keeps no example database (nothing to commit). Locally each run
explores fresh examples; under CI (the CI variable set) the examples are fixed, so a red CI run
replays exactly with ``CI=true pytest``."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import settings

settings.register_profile("dslab", database=None, deadline=None, print_blob=True)
settings.register_profile("dslab-ci", parent=settings.get_profile("dslab"), derandomize=True)
settings.load_profile("dslab-ci" if os.environ.get("CI") else "dslab")

REPO = Path(__file__).resolve().parents[1]

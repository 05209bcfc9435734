"""The code passes ruff with the project's settings (pyproject.toml), so style stays one style."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import REPO


def test_ruff_finds_nothing():
    if shutil.which("ruff") is None and not _module_available():
        pytest.fail("ruff is not installed: pip install -e '.[test]'")
    p = subprocess.run([sys.executable, "-m", "ruff", "check", "src", "tests", "benchmarks", "docs",
                        "labs"], cwd=REPO, capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr


def _module_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("ruff") is not None

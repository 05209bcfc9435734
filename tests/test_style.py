"""The code passes ruff and mypy with the project's settings (pyproject.toml): style stays one
style, and the type hints are checked rather than decorative."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import REPO


def test_ruff_finds_nothing():
    if shutil.which("ruff") is None and not _module_available("ruff"):
        pytest.fail("ruff is not installed: pip install -e '.[test]'")
    p = subprocess.run([sys.executable, "-m", "ruff", "check", "src", "tests", "benchmarks", "docs",
                        "labs", "tools"], cwd=REPO, capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr


def _module_available(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def test_mypy_finds_no_type_errors_in_the_package(tmp_path):
    if not _module_available("mypy"):
        pytest.fail("mypy is not installed: pip install -e '.[test]'")
    p = subprocess.run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "cache")],
                       cwd=REPO, capture_output=True, text=True)
    assert p.returncode == 0, p.stdout[-4000:] + p.stderr[-2000:]

"""Shared test setup: hypothesis keeps no example database (nothing to commit, same runs in CI)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import settings

settings.register_profile("dslab", database=None, deadline=None, print_blob=True)
settings.load_profile("dslab")

REPO = Path(__file__).resolve().parents[1]

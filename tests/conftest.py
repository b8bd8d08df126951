"""Shared test fixtures.

A test that needs a system part this machine lacks (PostgreSQL, Redis,
espeak-ng, a Vosk model, Chromium) calls :func:`need`: on a laptop it skips
with a loud reason; under ``CI=true`` it fails, because CI must run everything.
"""

from __future__ import annotations

import os
import warnings

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def need(condition: bool, reason: str) -> None:
    """Skip (laptop) or fail (CI) when ``condition`` is false."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI must run this test, but: {reason}", pytrace=False)
    warnings.warn(f"SKIPPED, missing system part: {reason}", stacklevel=2)
    pytest.skip(f"missing system part: {reason}")

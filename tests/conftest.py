"""Test configuration: database selection (SQLite default; PostgreSQL via OUTFALL_DATABASE_URL),
Hypothesis profiles, and the --require-postgres flag for CI (STYLE rule 12)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, str(Path(__file__).resolve().parent / "core"))
from conftest_shared import shared_data  # noqa: E402,F401  (re-exported for tests that import it from here)

settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=30, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def pytest_addoption(parser):
    parser.addoption("--require-postgres", action="store_true",
                     help="fail (not skip) when the database under test is not PostgreSQL")


def pytest_configure(config):
    from django.conf import settings as django_settings

    # Fast password hashing for tests only (every fixture user has a password).
    django_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tasks run at once, in memory (huey's immediate mode): tests never fill the queue file in DATA_DIR.
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    if config.getoption("--require-postgres"):
        url = os.environ.get("OUTFALL_DATABASE_URL", "")
        if not url.startswith(("postgres://", "postgresql://")):
            raise pytest.UsageError("--require-postgres given but OUTFALL_DATABASE_URL is not a PostgreSQL URL")

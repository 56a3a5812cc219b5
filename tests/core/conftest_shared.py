"""shared_data() for core tests (a copy of tests/conftest.py's, importable as a module)."""

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def shared_data(*parts: str) -> Path:
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"shared data file missing: {path}")
    return path

"""Where the shared real data is (``../shared/data`` beside the clone, or ``OUTFALL_SHARED_DATA``),
and what a test does when it is missing: skip with the reason in a plain clone, fail in CI
(``CI`` set to anything but empty/0/false), where the data must be there.

Import it as a module (``from conftest_shared import shared_data``); tests/conftest.py re-exports it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

#: The env var that points at the shared data folder (the one holding cnemc-realtime-2025/, nhdplus/).
ENV = "OUTFALL_SHARED_DATA"
DEFAULT = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def shared_root() -> Path:
    """The shared data folder: ``$OUTFALL_SHARED_DATA`` when set, else ``../shared/data`` from the repo."""
    value = os.environ.get(ENV, "").strip()
    return Path(value).expanduser() if value else DEFAULT


#: Kept for old imports; read at import time, so prefer shared_root()/shared_data().
SHARED = shared_root()


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no", "off")


def _missing(path: Path, what: str) -> None:
    reason = (f"shared data missing: {path} ({what}); put the shared data beside the clone as ../shared/data "
              f"or set {ENV} to its folder")
    if in_ci():
        pytest.fail(f"{reason} [CI is set: the shared data must be present]", pytrace=False)
    pytest.skip(reason)


def shared_data(*parts: str) -> Path:
    """The path of a shared data file; skips (or fails in CI) the calling test when it is absent."""
    root = shared_root()
    path = root.joinpath(*parts)
    if not path.exists():
        _missing(path, "folder not found" if not root.exists() else "file not found")
    return path


def shared_reference(*parts: str) -> Path:
    """A file of the shared reference folder (``reference/`` beside the data folder); same rules."""
    path = shared_root().parent.joinpath("reference", *parts)
    if not path.exists():
        _missing(path, "file not found")
    return path

"""Every tunable of outfall, declared once with default, type and help (STYLE rule 9).

Each setting is read from the environment variable ``OUTFALL_<NAME>``; docs/settings.md documents
every one (a test checks it). Nothing here builds an object at import time.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Setting", "SETTINGS", "get", "env_name", "secret_key_from_file"]


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    type: type
    help: str


SETTINGS: list[Setting] = [
    Setting("DATA_DIR", "data", str, "Folder for the embedded SQLite file, uploads (media) and collected static files."),
    Setting("DATABASE_URL", "", str, "Database URL, e.g. postgresql://user@127.0.0.1:5432/outfall. "
            "Empty: the SQLite file outfall.sqlite3 in DATA_DIR."),
    Setting("SECRET_KEY", "", str, "Django secret key. When empty, a random key is generated once into DATA_DIR/secret_key (mode 0600) and reused; never commit it."),
    Setting("DEBUG", "false", bool, "Django debug mode; off unless set to true."),
    Setting("ALLOWED_HOSTS", "127.0.0.1,localhost", str, "Comma-separated host names the server answers to."),
    Setting("CSRF_TRUSTED_ORIGINS", "", str, "Comma-separated origins (scheme://host:port) trusted for CSRF behind a proxy."),
    Setting("AREA_CODE", "370285", str, "GB/T 2260 code of the area the system covers (default 莱西市)."),
    Setting("AREA_NAME", "莱西市", str, "Name of the area the system covers."),
    Setting("AREA_BBOX", "120.15,36.35,120.85,37.20", str,
            "Lon/lat box of the area, west,south,east,north in degrees; points outside are refused."),
    Setting("AREA_FROM_TOWNS", "auto", str,
            "auto: once towns with boundaries are imported, the area is their union (box from their extent, "
            "points outside every town refused with the nearest town named); off: always AREA_BBOX."),
    Setting("CODE_GENERATOR", "outfall.ledger.codes.default_generator", str,
            "Dotted path of the function that makes internal outfall codes (county code + type letter + sequence)."),
    Setting("MAX_UPLOAD_MB", "20", int, "Largest accepted upload (photo or import file), in MiB."),
    Setting("TILE_URL", "", str, "Optional basemap tile URL template for the map (offline when empty)."),
    Setting("TILE_ATTRIBUTION", "", str, "Attribution text shown for TILE_URL."),
    Setting("TIME_ZONE", "Asia/Shanghai", str, "Time zone of naive times in imported files and of the UI."),
    Setting("LANGUAGE", "zh-hans", str, "Default UI language: zh-hans or en."),
    Setting("LOG_LEVEL", "INFO", str, "Log level of the outfall loggers."),
]

_BY_NAME = {s.name: s for s in SETTINGS}


def env_name(name: str) -> str:
    return f"OUTFALL_{name}"


def get(name: str):
    """Value of setting ``name`` from the environment, converted to its type."""
    s = _BY_NAME[name]
    raw = os.environ.get(env_name(name), s.default)
    if s.type is bool:
        return str(raw).strip().lower() in ("1", "true", "yes", "on")
    if s.type is int:
        return int(raw)
    return raw


def secret_key_from_file(data_dir: Path) -> str:
    """The key kept in ``data_dir/secret_key``, generated at random on first use (never a default)."""
    path = Path(data_dir) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(50))
    key = path.read_text().strip()
    if len(key) < 40:
        raise RuntimeError(f"{path} holds a key shorter than 40 characters; delete it to regenerate")
    return key

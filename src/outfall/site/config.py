"""Every tunable of outfall, declared once with default, type and help (STYLE rule 9).

Each setting is read from the environment variable ``OUTFALL_<NAME>``; docs/settings.md documents
every one (a test checks it). Nothing here builds an object at import time.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from outfall.core.limits import ImportLimits

_LIMITS = ImportLimits()

__all__ = ["Setting", "SETTINGS", "get", "env_name", "public_url", "secret_key_from_file", "ensure_data_dir"]


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
    Setting("IMPORT_MAX_ROWS", str(_LIMITS.max_rows), int,
            "Most rows an imported sheet or CSV may have (title and header rows included); checked while streaming."),
    Setting("IMPORT_MAX_COLUMNS", str(_LIMITS.max_columns), int, "Most columns a row of an imported file may have."),
    Setting("IMPORT_MAX_CELL_CHARS", str(_LIMITS.max_cell_chars), int,
            "Most characters in one cell of an imported file (Excel's own limit is 32767)."),
    Setting("IMPORT_MAX_UNCOMPRESSED_MB", str(_LIMITS.max_uncompressed_mb), int,
            "Most MiB the members of an uploaded ZIP (.xlsx, zipped shapefile) may expand to; checked before reading."),
    Setting("IMPORT_MAX_ZIP_RATIO", str(_LIMITS.max_zip_ratio), int,
            "Largest uncompressed:compressed ratio of a ZIP member over 1 MiB (zip bombs are 1000:1 and more)."),
    Setting("IMPORT_DUPLICATE_M", "30", int,
            "A new outfall with the name and town of an existing one within this many metres is refused as a likely "
            "duplicate unless the import allows duplicates."),
    Setting("EXPORT_ASYNC_ROWS", "5000", int,
            "A ledger XLSX export of more outfalls than this is written by the worker as an export job (the page "
            "shows its progress and a download link); smaller ones, and every CSV, are answered at once."),
    Setting("EXPORT_RETENTION_HOURS", "24", int,
            "How long the file of a finished export job is kept in DATA_DIR/exports, in hours; older files are "
            "removed hourly by the worker and before each new export job."),
    Setting("TILE_URL", "", str, "Optional basemap tile URL template for the map (offline when empty)."),
    Setting("TILE_ATTRIBUTION", "", str, "Attribution text shown for TILE_URL."),
    Setting("TIME_ZONE", "Asia/Shanghai", str, "Time zone of naive times in imported files and of the UI."),
    Setting("LANGUAGE", "zh-hans", str, "Default UI language: zh-hans or en."),
    Setting("LOG_LEVEL", "INFO", str, "Log level of the outfall loggers."),
    Setting("LOGIN_FAILURE_LIMIT", "5", int, "Wrong passwords in a row, per user name and IP address, before that login is locked."),
    Setting("LOGIN_COOLOFF_MINUTES", "15", int, "How long a locked login stays locked, in minutes (each further wrong try starts it again)."),
    Setting("PASSWORD_MIN_LENGTH", "12", int, "Shortest accepted password, in characters (it must also mix 3 of: lower case, upper case, digits, symbols)."),
    Setting("SESSION_HOURS", "8", int, "How long a login lasts, in hours."),
    Setting("SESSION_EXPIRE_AT_BROWSER_CLOSE", "false", bool, "End the login when the browser is closed (as well as after SESSION_HOURS)."),
    Setting("TOKEN_DAYS", "90", int, "How long an API token is accepted after it was made, in days; then 401 until a new one is made."),
    Setting("HTTPS", "false", bool, "Served over HTTPS behind a TLS proxy that sets X-Forwarded-Proto: redirect to HTTPS, HSTS, secure cookies."),
    Setting("HSTS_SECONDS", "31536000", int, "With HTTPS: how long browsers must use HTTPS only (Strict-Transport-Security max-age), in seconds."),
    Setting("HSTS_PRELOAD", "true", bool, "With HTTPS: add includeSubDomains and preload to Strict-Transport-Security."),
    Setting("TRUSTED_PROXY", "", str, "Address of the reverse proxy in front of outfall serve whose X-Forwarded-For/-Proto are believed "
            "(client address, HTTPS). Empty: 127.0.0.1 when HTTPS is on, else none."),
    Setting("LOG_FORMAT", "text", str, "Log format: text, or json (one JSON object a line on stdout, with request id, "
            "user and path for requests)."),
    Setting("REDIS_URL", "", str, "Redis URL of the task queue, e.g. redis://127.0.0.1:6379/0. "
            "Empty: the embedded SQLite queue file huey.sqlite3 in DATA_DIR."),
    Setting("WORKER_MAX_AGE", "180", int, "Seconds since the worker's last heartbeat (written every minute) after which "
            "/healthz reports the worker down."),
    Setting("ALERT_RULES", "", str, "Early-warning thresholds as a JSON object of RuleSet fields, e.g. "
            '{"version": 2, "repeat_k": 2}; unknown keys or impossible values refuse to start. Empty: the defaults.'),
    Setting("ALERT_ADMIN_EMAILS", "", str, "Comma-separated e-mail addresses told when an alert is escalated "
            "(besides the e-mail of every active admin and bureau user)."),
    Setting("ALERT_WORKER_ROWS", "20000", int, "A readings file that writes at least this many rows has its alerts "
            "check run by the worker after the commit, not before the import returns; 0: always before. A push "
            "(POST /api/readings/) always raises its alerts before the response."),
    Setting("REMEDIATION_DUE_SOON_DAYS", "7", int, "A remediation task whose work is still open is 'due soon' this "
            "many days before its deadline (highlighted on the lists and sent once through the alert channels)."),
    Setting("CASE_DEADLINE_DAYS", "", str, "Days from intake to a case's reply deadline per source, e.g. "
            "central_inspection=30,provincial_inspection=30,complaint=15,campaign=30,trace_task=15,alert=15,field=15; "
            "sources left out keep these defaults; a bad item refuses to start."),
    Setting("CASE_DUE_SOON_DAYS", "3", int, "A case whose reply deadline is this many days away or fewer is shown as "
            "due soon (即将到期)."),
    Setting("HEALTH_MIN_FREE_MB", "500", int, "Free space in DATA_DIR, in MiB, below which /healthz reports the disk down."),
    Setting("PUBLIC_URL", "", str, "Base URL the signboard QR codes point to, e.g. https://outfall.example.gov.cn (scheme and host, optional path; no trailing slash needed). Empty: the host of the request that prints the signboard."),
    Setting("INSPECTION_MAX_DISTANCE_M", "200", int, "A field inspection recorded farther than this many metres from the outfall's ledger position is flagged 位置偏离 (the distance is always stored and shown)."),
    Setting("SIGNBOARD_AUTHORITY", "青岛市生态环境局莱西分局", str, "Supervising authority printed on outfall signboards (监督管理单位)."),
    Setting("SIGNBOARD_PHONE", "12369", str, "Supervision/complaint phone printed on outfall signboards (12369: the national environmental complaint hotline)."),
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


def public_url() -> str:
    """``OUTFALL_PUBLIC_URL`` without a trailing slash: empty, or ``http(s)://host[:port][/path]``;
    anything else refuses to start (a signboard printed with a bad address cannot be fixed later)."""
    raw = get("PUBLIC_URL").strip()
    if raw and not re.fullmatch(r"https?://[A-Za-z0-9.\-\[\]:]+(/[^\s?#]*)?", raw):
        raise ValueError(f"{env_name('PUBLIC_URL')} must look like https://host[/path], not {raw!r}")
    return raw.rstrip("/")


def secret_key_from_file(data_dir: Path) -> str:
    """The key kept in ``data_dir/secret_key``, generated at random on first use (never a default)."""
    path = Path(data_dir) / "secret_key"
    if not path.exists():
        ensure_data_dir(path.parent)
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


def ensure_data_dir(data_dir: Path) -> Path:
    """Create ``data_dir`` if needed. A folder made here gets a ``.gitignore`` of ``*`` (as a venv
    does), so the key, the SQLite file and uploads are never committed wherever DATA_DIR points."""
    path = Path(data_dir)
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True)
        ignore = path / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# made by outfall: this folder holds secrets and data, never commit it\n*\n")
    return path

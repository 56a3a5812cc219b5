"""Django settings for outfall; every tunable comes from ``outfall.site.config`` (OUTFALL_* env vars)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from outfall.core.limits import ImportLimits
from outfall.site import config, logging_, security

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(config.get("DATA_DIR")).resolve()

DEBUG = config.get("DEBUG")
SECRET_KEY = config.get("SECRET_KEY") or config.secret_key_from_file(DATA_DIR)

ALLOWED_HOSTS = [h.strip() for h in config.get("ALLOWED_HOSTS").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [h.strip() for h in config.get("CSRF_TRUSTED_ORIGINS").split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "huey.contrib.djhuey",
    "outfall.accounts",
    "outfall.history",
    "outfall.ledger",
    "outfall.rivers",
    "outfall.monitoring",
    "outfall.alerts",
    "outfall.traces",
    "outfall.remediation",
    "outfall.cases",
    "outfall.inspections",
    "outfall.dashboard",
    "outfall.mapui",
    "outfall.site.apps.SiteConfig",
]

MIDDLEWARE = [
    "outfall.site.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "outfall.site.compression.DataGZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "outfall.site.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "outfall.site.middleware.LoginRequiredMiddleware",
    "outfall.site.middleware.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "outfall.site.urls"
WSGI_APPLICATION = "outfall.site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "outfall.site.context.area",
            ],
        },
    },
]

_db_url = config.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'outfall.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(_db_url, conn_max_age=60)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE",
                                       "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": ""}

AUTH_USER_MODEL = "accounts.User"
# Password validators, login lockout (django-axes), session and token lifetimes, HTTPS: site/security.py
globals().update(security.django_settings())
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = config.get("LANGUAGE")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = config.get("TIME_ZONE")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
config.ensure_data_dir(DATA_DIR)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise serves from finders; the folder must exist
# django-leaflet ships Leaflet; only its static files are used (its admin widgets need GDAL).
# plotly ships plotly.min.js; both are served by the app, never from a CDN.
STATICFILES_DIRS = [PACKAGE_DIR / "static", ("vendor", Path(__import__("leaflet").__file__).parent / "static"),
                    ("vendor/plotly", Path(__import__("plotly").__file__).parent / "package_data")]
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
MAX_UPLOAD_BYTES = config.get("MAX_UPLOAD_MB") * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
OUTFALL_IMPORT_LIMITS = ImportLimits(
    max_rows=config.get("IMPORT_MAX_ROWS"), max_columns=config.get("IMPORT_MAX_COLUMNS"),
    max_cell_chars=config.get("IMPORT_MAX_CELL_CHARS"), max_uncompressed_mb=config.get("IMPORT_MAX_UNCOMPRESSED_MB"),
    max_zip_ratio=config.get("IMPORT_MAX_ZIP_RATIO"))
OUTFALL_IMPORT_DUPLICATE_M = config.get("IMPORT_DUPLICATE_M")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
CSRF_FAILURE_VIEW = "outfall.site.views.csrf_failure"  # a 403 in the site's layout and the user's language
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "outfall.accounts.tokens.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "outfall.site.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    # One name for the alert lifecycle's choices (Alert.state, AlertStep.from_state/to_state).
    "ENUM_NAME_OVERRIDES": {"AlertStateEnum": "outfall.alerts.models.STATE_CHOICES",
                            "ResultEnum": "outfall.traces.models.TASK_RESULTS",
                            "CaseResultEnum": "outfall.cases.api.RESULT_CHOICES",
                            "CaseStateEnum": "outfall.core.enums.CaseState",
                            "RemediationStateEnum": "outfall.remediation.api.STATE_CHOICES",
                            "TaskStateEnum": "outfall.traces.models.TASK_STATES"},
    "TITLE": "outfall API",
    "DESCRIPTION": "入河排污口台账、监测、河网与溯源 API",
    "VERSION": "0.1.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "outfall.site.api_errors.document_errors"],
}

OUTFALL_AREA_CODE = config.get("AREA_CODE")
OUTFALL_AREA_NAME = config.get("AREA_NAME")
OUTFALL_AREA_BBOX = config.get("AREA_BBOX")
OUTFALL_AREA_FROM_TOWNS = config.get("AREA_FROM_TOWNS")
OUTFALL_CODE_GENERATOR = config.get("CODE_GENERATOR")
OUTFALL_TILE_URL = config.get("TILE_URL")
# Ledger exports larger than EXPORT_ASYNC_ROWS run as export jobs, written under DATA_DIR/exports.
OUTFALL_EXPORT_ASYNC_ROWS = config.get("EXPORT_ASYNC_ROWS")
OUTFALL_EXPORT_RETENTION_HOURS = config.get("EXPORT_RETENTION_HOURS")
OUTFALL_EXPORTS_DIR = DATA_DIR / "exports"
OUTFALL_TILE_ATTRIBUTION = config.get("TILE_ATTRIBUTION")

_west, _south, _east, _north = (float(x) for x in OUTFALL_AREA_BBOX.split(","))
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": ((_south + _north) / 2, (_west + _east) / 2),
    "DEFAULT_ZOOM": 10,
    "TILES": [],
    "RESET_VIEW": False,
    "NO_GLOBALS": False,
}

LOGGING = logging_.config_dict(log_format=config.get("LOG_FORMAT"), level=config.get("LOG_LEVEL"))

# The task queue (huey): the embedded SQLite queue in DATA_DIR, or Redis when OUTFALL_REDIS_URL is set.
# `outfall worker` runs the consumer; tasks live in each app's tasks.py (autodiscovered).
_redis_url = config.get("REDIS_URL")
HUEY = {
    "name": "outfall",
    "immediate": False,
    "huey_class": "huey.RedisHuey" if _redis_url else "huey.SqliteHuey",
    **({"url": _redis_url} if _redis_url else {"filename": str(DATA_DIR / "huey.sqlite3")}),
    "consumer": {"workers": 2, "worker_type": "thread", "periodic": True, "check_worker_health": True},
}
OUTFALL_WORKER_MAX_AGE = config.get("WORKER_MAX_AGE")
OUTFALL_HEALTH_MIN_FREE_MB = config.get("HEALTH_MIN_FREE_MB")
OUTFALL_PUBLIC_URL = config.public_url()
OUTFALL_INSPECTION_MAX_DISTANCE_M = config.get("INSPECTION_MAX_DISTANCE_M")
OUTFALL_SIGNBOARD_AUTHORITY = config.get("SIGNBOARD_AUTHORITY")
OUTFALL_SIGNBOARD_PHONE = config.get("SIGNBOARD_PHONE")
OUTFALL_REMEDIATION_DUE_SOON_DAYS = config.get("REMEDIATION_DUE_SOON_DAYS")

# Early warning: thresholds (JSON, checked here so a bad value stops the start) and escalation e-mails.
OUTFALL_ALERT_RULES = config.get("ALERT_RULES")
OUTFALL_ALERT_WORKER_ROWS = config.get("ALERT_WORKER_ROWS")
OUTFALL_ALERT_ADMIN_EMAILS = [e.strip() for e in config.get("ALERT_ADMIN_EMAILS").split(",") if e.strip()]
if OUTFALL_ALERT_RULES:
    from outfall.alerts.rules import parse_rules as _parse_rules

    _parse_rules(OUTFALL_ALERT_RULES)

# Cases: reply deadline per source (checked here so a bad value stops the start), due-soon window.
from outfall.core.cases.rules import parse_deadline_days as _parse_deadline_days  # noqa: E402

OUTFALL_CASE_DEADLINE_DAYS = {k.value: v for k, v in _parse_deadline_days(config.get("CASE_DEADLINE_DAYS")).items()}
OUTFALL_CASE_DUE_SOON_DAYS = config.get("CASE_DUE_SOON_DAYS")

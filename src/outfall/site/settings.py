"""Django settings for outfall; every tunable comes from ``outfall.site.config`` (OUTFALL_* env vars)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from outfall.site import config

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
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "outfall.accounts",
    "outfall.history",
    "outfall.ledger",
    "outfall.rivers",
    "outfall.monitoring",
    "outfall.mapui",
    "outfall.site.apps.SiteConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
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
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
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

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
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
    "TITLE": "outfall API",
    "DESCRIPTION": "入河排污口台账、监测、河网与溯源 API",
    "VERSION": "0.1.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
}

OUTFALL_AREA_CODE = config.get("AREA_CODE")
OUTFALL_AREA_NAME = config.get("AREA_NAME")
OUTFALL_AREA_BBOX = config.get("AREA_BBOX")
OUTFALL_AREA_FROM_TOWNS = config.get("AREA_FROM_TOWNS")
OUTFALL_CODE_GENERATOR = config.get("CODE_GENERATOR")
OUTFALL_TILE_URL = config.get("TILE_URL")
OUTFALL_TILE_ATTRIBUTION = config.get("TILE_ATTRIBUTION")

_west, _south, _east, _north = (float(x) for x in OUTFALL_AREA_BBOX.split(","))
LEAFLET_CONFIG = {
    "DEFAULT_CENTER": ((_south + _north) / 2, (_west + _east) / 2),
    "DEFAULT_ZOOM": 10,
    "TILES": [],
    "RESET_VIEW": False,
    "NO_GLOBALS": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"outfall": {"handlers": ["console"], "level": config.get("LOG_LEVEL")}},
}
